"""Reading and writing the canonical corpus format (JSONL, one document per line).

    {"id": str, "text": str, "meta": {...},
     "spans": [{"start": int, "end": int, "label": str}],
     "relations": [{"head": int, "child": int, "label": str}]}

Predicted files may add "score" to spans and relations; everything else is identical.
"""
import json
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Tuple, Union


class CorpusError(ValueError):
    """A problem in a corpus file, located by file, line and offending text."""

    def __init__(self, path: str, line: int, message: str, text: str = "", doc_id: str = "", kind: str = ""):
        self.path, self.line, self.message, self.text, self.doc_id = path, line, message, text, doc_id
        self.kind = kind  # "boundary": a span that falls inside a token; scorable as a miss
        where = f"{path}:{line}" if line else path
        doc = f" (document {doc_id!r})" if doc_id else ""
        super().__init__(f"{where}{doc}: {message}: {text!r}" if text else f"{where}{doc}: {message}")


class CorpusValidationError(ValueError):
    """Every problem found in a corpus, so that one run shows all of them."""

    def __init__(self, problems: List[CorpusError]):
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the corpus:\n{lines}")


def open_input(path: Path, mode: str = "r"):
    """Open an input file, or raise a one-line CorpusError saying why it cannot be read."""
    if not path.is_file():
        raise CorpusError(str(path), 0, "no such file" if not path.exists() else "not a file")
    try:
        return path.open(mode, encoding="utf-8") if "b" not in mode else path.open(mode)
    except OSError as err:
        raise CorpusError(str(path), 0, f"cannot be read ({err.strerror})") from None


def read_jsonl_lines(path: Union[str, Path]) -> Iterator[Tuple[int, Dict]]:
    """Yield (line number, record) for each non-empty line; bad JSON is a CorpusError."""
    path = Path(path)
    with open_input(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as err:
                raise CorpusError(str(path), number, f"not valid JSON ({err.msg})", line.strip()[:80]) from None
            if not isinstance(record, dict):
                raise CorpusError(str(path), number, "a line must hold one JSON object", line.strip()[:80])
            yield number, record


def read_jsonl(path: Union[str, Path]) -> List[Dict]:
    return [record for _, record in read_jsonl_lines(path)]


def write_jsonl(path: Union[str, Path], records: Iterable[Dict]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def span_text(record: Dict, span: Dict) -> str:
    return record["text"][span["start"] : span["end"]]
