"""Inputs at archive scale: folders of .txt files, canonical JSONL files, or standard input.

Records are read one at a time (constant memory). A record that cannot be read is not
skipped silently: it is reported with its file, line and reason through `on_error`, and
the run goes on.
"""
import errno
import json
import os
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
        return {"file": printable(self.file), "line": self.line, "reason": printable(self.reason)}


def printable(name: str) -> str:
    """A file name as text that can be written: bytes that are not UTF-8 (kept by Python
    as lone surrogates) become U+FFFD."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace") if isinstance(name, str) else str(name)


def expand_inputs(paths: Iterable[str]) -> List[str]:
    """Files in the order given; a folder gives its .txt and .jsonl files, sorted. Entries
    that cannot be read are kept, so that reading them reports why: broken or looping
    symbolic links, and subfolders that cannot be listed."""
    files: List[str] = []
    for raw in paths:
        if raw == STDIN:
            files.append(STDIN)
            continue
        path = Path(raw)
        if path.is_dir():
            found: List[str] = []
            unlisted: List[str] = []

            def unlistable(err: OSError) -> None:
                unlisted.append(err.filename if isinstance(err.filename, str) else str(path))

            for folder, _, names in os.walk(path, onerror=unlistable):  # links to folders are not followed
                for name in names:
                    entry = os.path.join(folder, name)
                    if os.path.splitext(name)[1] in (".txt", ".jsonl") and (os.path.isfile(entry) or os.path.islink(entry)):
                        found.append(entry)
            files.extend(sorted(found + unlisted, key=lambda p: Path(p).parts))
        else:
            files.append(str(path))
    return files


def _unreadable_reason(path: Path) -> str:
    """Why `path` cannot be opened as a file, in words."""
    if path.is_symlink():
        try:
            path.resolve(strict=True)
        except RuntimeError:
            return "symbolic link loop"
        except OSError as err:
            if err.errno == errno.ELOOP:
                return "symbolic link loop"
            return f"broken symbolic link (to {os.readlink(path)!r})"
    if path.is_dir():
        try:
            os.listdir(path)
        except OSError as err:
            return f"a folder that cannot be listed ({err.strerror})"
        return "a folder, not a file"
    return "no such file" if not path.exists() else "not a regular file"


def _decode(data: bytes, file: str, line: int, on_error: Callable[[InputError], None]):
    if b"\x00" in data:
        on_error(InputError(file, line, "binary data (NUL bytes), not text"))
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        on_error(InputError(file, line, f"not UTF-8 text ({err.reason} at byte {err.start})"))
        return None


# a record longer than this is refused (an entry in the errors file), so that one document
# cannot take the memory of the run; longer texts are processed in pieces below it
MAX_CHARS = 2_000_000
MAX_LINE_BYTES = 4 * MAX_CHARS + 65536


def _unencodable(value) -> str:
    """'' if `value` (a JSON value) can be written as UTF-8, else where it cannot."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as err:
        return f"a lone surrogate {err.object[err.start:err.end]!r} (not a character)"
    except (ValueError, RecursionError):
        return "a value that cannot be written as JSON"
    return ""


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
    if len(text) > MAX_CHARS:
        on_error(InputError(file, line, f"text of {len(text)} characters, over the limit of {MAX_CHARS}"))
        return None
    bad = _unencodable(record)
    if bad:
        on_error(InputError(file, line, f"the record holds {bad}"))
        return None
    doc_id = record.get("id")
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    out = {"id": doc_id if isinstance(doc_id, str) and doc_id else f"{printable(Path(file).name)}:{line}", "text": text, "meta": meta, "file": file, "line": line}
    if "spans" in record:  # annotations, for a ledger built from gold (--gold)
        out["spans"], out["relations"] = record.get("spans"), record.get("relations", [])
    return out


def _bounded_lines(handle, limit: int) -> Iterator[bytes]:
    """The lines of a binary handle; a line over `limit` bytes is given as None (and not
    held in memory)."""
    while True:
        data = handle.readline(limit + 1)
        if not data:
            return
        if len(data) > limit and not data.endswith(b"\n"):
            while data and not data.endswith(b"\n"):  # skip the rest of the line
                data = handle.readline(1 << 20)
            yield None
        else:
            yield data


def _jsonl_lines(handle, file: str, on_error) -> Iterator[Dict]:
    number = 0
    lines = _bounded_lines(handle, MAX_LINE_BYTES)
    while True:
        number += 1
        try:
            data = next(lines)
        except StopIteration:
            return
        except OSError as err:
            on_error(InputError(file, number, f"read error ({err.strerror or err}); the rest of the file is not read"))
            return
        if data is None:
            on_error(InputError(file, number, f"a line over {MAX_LINE_BYTES} bytes"))
            continue
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
        except RecursionError:
            on_error(InputError(file, number, "JSON nested too deeply"))
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
    if not path.is_file():
        on_error(InputError(file, 0, _unreadable_reason(path)))
        return
    try:
        handle = open_input(path, "rb")
    except CorpusError as err:
        on_error(InputError(file, 0, err.message))
        return
    with handle:
        if path.suffix == ".jsonl":
            yield from _jsonl_lines(handle, file, on_error)
            return
        try:
            data = handle.read(MAX_LINE_BYTES + 1)
        except OSError as err:
            on_error(InputError(file, 0, f"read error ({err.strerror or err})"))
            return
    if len(data) > MAX_LINE_BYTES:
        on_error(InputError(file, 0, f"a file over {MAX_LINE_BYTES} bytes"))
        return
    text = _decode(data, file, 0, on_error)
    if text is None:
        return
    if not text.strip():
        on_error(InputError(file, 0, "empty text"))
        return
    if len(text) > MAX_CHARS:
        on_error(InputError(file, 0, f"text of {len(text)} characters, over the limit of {MAX_CHARS}"))
        return
    yield {"id": printable(path.name), "text": text, "meta": {"source": printable(file)}, "file": file, "line": 0}
