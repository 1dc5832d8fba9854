"""Inputs at archive scale: folders of .txt files, canonical JSONL files, or standard input.

Records are read one at a time (constant memory). A record that cannot be read is not
skipped silently: it is reported with its file, line and reason through `on_error`, and
the run goes on.
"""
import json
import sys
from pathlib import Path
from typing import Callable, Dict, Iterable, Iterator, List, NamedTuple

from ...corpus.corpus_io import CorpusError, open_input

STDIN = "-"


class InputError(NamedTuple):
    file: str
    line: int
    reason: str

    def as_dict(self) -> Dict:
        return {"file": self.file, "line": self.line, "reason": self.reason}


def expand_inputs(paths: Iterable[str]) -> List[str]:
    """Files in the order given; a folder gives its .txt and .jsonl files, sorted."""
    files: List[str] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            files.extend(str(p) for p in sorted(path.rglob("*")) if p.is_file() and p.suffix in (".txt", ".jsonl"))
        else:
            files.append(str(path))
    return files


def _decode(data: bytes, file: str, line: int, on_error: Callable[[InputError], None]):
    if b"\x00" in data:
        on_error(InputError(file, line, "binary data (NUL bytes), not text"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        on_error(InputError(file, line, f"not UTF-8 text ({err.reason} at byte {err.start})"))
        return None


def _record(record, file: str, line: int, on_error) -> Dict:
    if not isinstance(record, dict):
        on_error(InputError(file, line, "a line must hold one JSON object"))
        return None
    text = record.get("text")
    if not isinstance(text, str):
        on_error(InputError(file, line, "no string 'text' field"))
        return None
    if not text.strip():
        on_error(InputError(file, line, "empty text"))
        return None
    doc_id = record.get("id")
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    out = {"id": doc_id if isinstance(doc_id, str) and doc_id else f"{Path(file).name}:{line}", "text": text, "meta": meta, "file": file, "line": line}
    if "spans" in record:  # annotations, for a ledger built from gold (--gold)
        out["spans"], out["relations"] = record.get("spans"), record.get("relations", [])
    return out


def _jsonl_lines(handle, file: str, on_error) -> Iterator[Dict]:
    for number, data in enumerate(handle, start=1):
        if not data.strip():
            continue
        line = _decode(data, file, number, on_error)
        if line is None:
            continue
        try:
            parsed = json.loads(line)
        except json.JSONDecodeError as err:
            on_error(InputError(file, number, f"not valid JSON ({err.msg} at column {err.colno})"))
            continue
        record = _record(parsed, file, number, on_error)
        if record is not None:
            yield record


def read_file(file: str, on_error: Callable[[InputError], None]) -> Iterator[Dict]:
    """The records of one input: a .jsonl file (one per line), standard input (JSONL), or
    any other file as one plain-text document whose id is the file's name."""
    if file == STDIN:
        yield from _jsonl_lines(sys.stdin.buffer, "<stdin>", on_error)
        return
    path = Path(file)
    try:
        handle = open_input(path, "rb")
    except CorpusError as err:
        on_error(InputError(file, 0, err.message))
        return
    with handle:
        if path.suffix == ".jsonl":
            yield from _jsonl_lines(handle, file, on_error)
            return
        data = handle.read()
    text = _decode(data, file, 0, on_error)
    if text is None:
        return
    if not text.strip():
        on_error(InputError(file, 0, "empty text"))
        return
    yield {"id": path.name, "text": text, "meta": {"source": file}, "file": file, "line": 0}

