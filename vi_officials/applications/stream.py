"""Documents through a pipeline at archive scale, with bounded memory and no abort.

- A long document is cut into pieces of at most `PIECE_CHARS` characters, at a paragraph,
  sentence or word boundary where there is one; each piece goes through the pipeline on
  its own and the predicted spans and relations are shifted back to offsets in the whole
  text. Memory per document is then bounded by the piece size, not the document size.
- `predicted_records` yields events in input order: ("record", predicted, source),
  ("error", InputError) and ("file_done", file). A record that the pipeline or the
  conversion fails on becomes an error with its file, line and reason; the run goes on.
- With `n_process > 1` spaCy's worker processes die with their parent (Linux
  PR_SET_PDEATHSIG, and a parent check), so a `kill -9` of the run leaves none behind.
"""
import contextlib
import functools
import os
import re
import sys
from collections import deque
from typing import Callable, Dict, Iterator, List, Sequence, Tuple

from .ledger.sources import InputError, read_file

PIECE_CHARS = 20000
# one process: a batch holds at most this many tokens (or `batch_size` documents), since
# the pipeline's memory grows with the tokens in a batch (about 8 kB a token for the CNN)
BATCH_TOKENS = 10000
_PARAGRAPH = re.compile(r"\n\s*")
_SENTENCE = re.compile(r"[.!?…;:][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def split_text(text: str, max_chars: int = PIECE_CHARS) -> List[Tuple[int, str]]:
    """(offset, piece) pairs covering `text`, each piece at most `max_chars` long, cut at
    the last paragraph break, else sentence end, else space in the second half of a window
    (a hard cut only where a window has none)."""
    pieces: List[Tuple[int, str]] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start : start + max_chars]
        cut = 0
        for pattern in (_PARAGRAPH, _SENTENCE, _SPACE):
            ends = [m.end() for m in pattern.finditer(window, max_chars // 2)]
            if ends:
                cut = ends[-1]
                break
        cut = cut or max_chars
        pieces.append((start, window[:cut]))
        start += cut
    pieces.append((start, text[start:]))
    return pieces


def merge_pieces(parts: Sequence[Tuple[int, Dict]], text: str, doc_id: str, meta: Dict) -> Dict:
    """Canonical records of the pieces of one text -> the record of the whole text."""
    spans: List[Dict] = []
    relations: List[Dict] = []
    for offset, record in parts:
        base = len(spans)
        spans.extend({**s, "start": s["start"] + offset, "end": s["end"] + offset} for s in record["spans"])
        relations.extend({**r, "head": r["head"] + base, "child": r["child"] + base} for r in record["relations"])
    return {"id": doc_id, "text": text, "meta": meta, "spans": spans, "relations": relations}


class PieceError(RuntimeError):
    """A piece of a document that could not be tokenized."""


def reason_of(err: BaseException) -> str:
    """An exception in one line (for the errors file)."""
    message = str(err).strip().splitlines()
    if isinstance(err, PieceError):
        return message[0]
    return f"{type(err).__name__}: {message[0][:200]}" if message else type(err).__name__


# --- worker processes that die with their parent ---------------------------------------

_SPACY_APPLY_PIPES = None


def _die_with_parent(parent_pid: int) -> None:
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes
            import signal

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)
    if not sys.platform.startswith("linux"):
        import threading
        import time

        def watch():
            while os.getppid() == parent_pid:
                time.sleep(1)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def _apply_pipes_watched(parent_pid: int, *args) -> None:
    """spaCy's worker loop, in a worker that exits when its parent does."""
    _die_with_parent(parent_pid)
    import spacy.language

    original = spacy.language._apply_pipes
    if isinstance(original, functools.partial):  # forked: the patched name was inherited
        original = _SPACY_APPLY_PIPES
    original(*args)


@contextlib.contextmanager
def workers_die_with_parent() -> Iterator[None]:
    """Within the block, spaCy's `nlp.pipe(n_process=N)` workers exit with this process."""
    global _SPACY_APPLY_PIPES
    import spacy.language

    original = getattr(spacy.language, "_apply_pipes", None)
    if original is None:  # another spaCy layout: nothing to patch
        yield
        return
    _SPACY_APPLY_PIPES = original
    spacy.language._apply_pipes = functools.partial(_apply_pipes_watched, os.getpid())
    try:
        yield
    finally:
        spacy.language._apply_pipes = original


def _drop_failed_docs(proc_name, proc, docs, err) -> None:
    """spaCy error handler: a batch a component fails on is dropped; the consumer below
    finds the documents missing and reports them (the handler may run in a worker)."""


def token_batches(items: Iterator[Tuple[object, Dict]], batch_size: int, max_tokens: int = BATCH_TOKENS) -> Iterator[List]:
    """(doc, context) pairs in batches of at most `batch_size` documents and `max_tokens`
    tokens (a longer document is a batch of its own)."""
    batch: List = []
    tokens = 0
    for item in items:
        size = len(item[0]) if not isinstance(item[0], str) else 0
        if batch and (len(batch) >= batch_size or tokens + size > max_tokens):
            yield batch
            batch, tokens = [], 0
        batch.append(item)
        tokens += size
    if batch:
        yield batch


def _pipe(nlp, items, batch_size: int, n_process: int):
    if n_process > 1:  # the workers tokenize; batches are counted in documents
        yield from nlp.pipe(items, as_tuples=True, batch_size=batch_size, n_process=n_process)
        return
    for batch in token_batches(items, batch_size):
        yield from nlp.pipe(batch, as_tuples=True, batch_size=len(batch))


# --- the stream ---------------------------------------------------------------------

def predicted_records(nlp, files: Sequence[str], batch_size: int = 32, n_process: int = 1, piece_chars: int = PIECE_CHARS, reader: Callable = read_file) -> Iterator[Tuple]:
    """Events, in input order: ("record", predicted record, source record), ("error",
    InputError), ("file_done", file). Read errors of a file come just before its
    ("file_done", file), so that a file is recorded finished with all its errors.
    `reader(file, on_error)` gives the records of a file (default: `read_file`)."""
    from ..corpus.convert import doc_to_record

    pending: deque = deque()  # what was sent, in order: ("doc", seq, record, n_pieces) or ("file", seq, file, errors)
    counter = iter(range(1 << 62))

    def stream() -> Iterator[Tuple[object, Dict]]:
        for file in files:
            errors: List[InputError] = []
            try:
                for record in reader(file, errors.append):
                    pieces = split_text(record["text"], piece_chars)
                    seq = next(counter)
                    pending.append(("doc", seq, record, len(pieces)))
                    for index, (offset, piece) in enumerate(pieces):
                        context = {"seq": seq, "piece": index, "offset": offset}
                        if n_process == 1:  # tokenize here, one piece at a time, where a failure is caught
                            try:
                                piece = nlp.make_doc(piece)
                            except Exception as err:  # noqa: BLE001
                                piece, context["error"] = "", f"cannot be tokenized: {reason_of(err)}"
                        yield piece, context
            except Exception as err:  # noqa: BLE001 - a reader bug must not end the run
                errors.append(InputError(file, 0, f"cannot be read: {reason_of(err)}"))
            seq = next(counter)
            pending.append(("file", seq, file, errors))
            yield "", {"seq": seq, "piece": 0, "offset": 0}  # comes back after the file's last document

    def settle(entry, parts) -> Iterator[Tuple]:
        """The events of one sent item, once all of it is back (parts None: it is lost)."""
        kind, _, item, extra = entry
        if kind == "file":
            for error in extra:
                yield "error", error
            yield "file_done", item
            return
        failed = next((p for _, p in parts or () if isinstance(p, Exception)), None)
        if failed is not None:
            yield "error", InputError(item["file"], item["line"], f"cannot be processed: {reason_of(failed)}")
            return
        if parts is None or len(parts) != extra:
            yield "error", InputError(item["file"], item["line"], "the pipeline failed on this document")
            return
        try:
            merged = merge_pieces(parts, item["text"], item["id"], item.get("meta", {}))
        except Exception as err:  # noqa: BLE001
            yield "error", InputError(item["file"], item["line"], f"cannot be processed: {reason_of(err)}")
            return
        yield "record", merged, item

    nlp.default_error_handler = _drop_failed_docs
    for _, proc in nlp.pipeline:
        with contextlib.suppress(AttributeError):  # spaCy's parsers have no error handler
            proc.set_error_handler(_drop_failed_docs)
    guard = workers_die_with_parent() if n_process > 1 else contextlib.nullcontext()
    parts: List[Tuple[int, object]] = []
    with guard:
        for doc, ctx in _pipe(nlp, stream(), batch_size, n_process):
            while pending and pending[0][1] < ctx["seq"]:  # dropped by a failing component
                yield from settle(pending.popleft(), None)
                parts = []
            entry = pending[0]
            if entry[0] == "file":
                yield from settle(pending.popleft(), None)
                continue
            record = entry[2]
            try:
                if "error" in ctx:
                    raise PieceError(ctx["error"])
                parts.append((ctx["offset"], doc_to_record(doc, record["id"], record.get("meta", {}), with_scores=True)))
            except Exception as err:  # noqa: BLE001
                parts.append((ctx["offset"], err))
            if ctx["piece"] == entry[3] - 1:
                yield from settle(pending.popleft(), parts)
                parts = []
    while pending:  # the stream ended: whatever did not come back is lost
        yield from settle(pending.popleft(), None)
