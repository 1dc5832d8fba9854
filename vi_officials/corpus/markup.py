"""The authoring format annotators edit, and its conversion to the canonical JSONL.

Annotators copy a seed's text into `corpus/annotations/<seed name>.ann` and insert marks:

    [Tô Lâm](OFFICIAL p1)              an entity span, with an optional id
    {cấp được hết ...}(COMMITMENT c1)   a commitment span; entity marks may nest inside
    @@ HAS_TITLE p1 t1                   a relation line (head id, child id), removed whole

Removing the marks must give back the seed's text character for character; any
difference is an error naming the file, line and text, so no edit of the article can
slip into the corpus.
"""
import argparse
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .corpus_io import CorpusError, write_jsonl
from ..scheme import ALL_SPAN_LABELS, RELATION_LABELS

HEADER_RE = re.compile(r"^\s*date (\d{4}-\d{2})\s+")
CLOSE_RE = re.compile(r"\((\w+)(?: (\w+))?\)")
RELATION_LINE_RE = re.compile(r"^@@ (\w+) (\w+) (\w+)\s*$")


@dataclass
class ParsedDocument:
    text: str
    spans: List[Tuple[int, int, str, Optional[str]]] = field(default_factory=list)
    relations: List[Tuple[str, str, str, int]] = field(default_factory=list)  # label, head, child, line


def split_seed(raw: str) -> Tuple[str, Dict[str, str]]:
    """Seed file content -> (article text, meta). The crawl header is metadata."""
    meta: Dict[str, str] = {}
    match = HEADER_RE.match(raw)
    if match:
        meta["date"] = match.group(1)
        raw = raw[match.end() :]
    return raw, meta


def _line_of(source: str, pos: int) -> int:
    return source.count("\n", 0, pos) + 1


def parse(source: str, path: str = "<annotation>") -> ParsedDocument:
    """Parse marked-up text into plain text, spans and relation lines."""
    doc = ParsedDocument(text="")
    out: List[str] = []
    length = 0
    stack: List[Tuple[str, int, int]] = []  # bracket, text offset, source offset
    lines = source.splitlines(keepends=True)
    line_starts = []
    acc = 0
    for line in lines:
        line_starts.append(acc)
        acc += len(line)
    body_parts: List[Tuple[int, str]] = []
    for start, line in zip(line_starts, lines):
        match = RELATION_LINE_RE.match(line.rstrip("\n"))
        if line.startswith("@@"):
            if not match:
                raise CorpusError(path, _line_of(source, start), "malformed relation line", line.strip())
            doc.relations.append((match.group(1), match.group(2), match.group(3), _line_of(source, start)))
        else:
            body_parts.append((start, line))
    for start, line in body_parts:
        i = 0
        while i < len(line):
            ch = line[i]
            src = start + i
            if ch in "[{":
                stack.append((ch, length, src))
                i += 1
                continue
            if ch in "]}":
                opener = "[" if ch == "]" else "{"
                close = CLOSE_RE.match(line, i + 1)
                if not stack or stack[-1][0] != opener or not close:
                    raise CorpusError(path, _line_of(source, src), "unbalanced or unlabelled mark", line[max(0, i - 30) : i + 30])
                _, begin, begin_src = stack.pop()
                label, span_id = close.group(1), close.group(2)
                if label not in ALL_SPAN_LABELS:
                    raise CorpusError(path, _line_of(source, src), f"unknown span label {label!r}", line[max(0, i - 30) : close.end()])
                if (opener == "{") != (label == "COMMITMENT"):
                    raise CorpusError(path, _line_of(source, src), "use {...} for COMMITMENT and [...] for entities", line[max(0, i - 30) : close.end()])
                doc.spans.append((begin, length, label, span_id))
                i = close.end()
                continue
            out.append(ch)
            length += 1
            i += 1
    if stack:
        raise CorpusError(path, _line_of(source, stack[-1][2]), "mark opened but never closed", source[stack[-1][2] : stack[-1][2] + 40])
    doc.text = "".join(out)
    return doc


def to_canonical(parsed: ParsedDocument, doc_id: str, text: str, meta: Dict[str, str], path: str) -> Dict:
    """Check the marked text against the seed text and build a canonical record."""
    marked = parsed.text
    if marked != text and marked.rstrip("\n") == text:
        marked = text
    if marked != text:
        pos = next((i for i, (a, b) in enumerate(zip(marked, text)) if a != b), min(len(marked), len(text)))
        raise CorpusError(
            path,
            marked.count("\n", 0, pos) + 1,
            "text differs from the seed once marks are removed",
            f"annotation: {marked[max(0, pos - 25):pos + 25]!r} seed: {text[max(0, pos - 25):pos + 25]!r}",
        )
    order = sorted(range(len(parsed.spans)), key=lambda i: (parsed.spans[i][0], parsed.spans[i][1], parsed.spans[i][2]))
    spans = [{"start": parsed.spans[i][0], "end": parsed.spans[i][1], "label": parsed.spans[i][2]} for i in order]
    index_of_id: Dict[str, int] = {}
    for new_index, old_index in enumerate(order):
        span_id = parsed.spans[old_index][3]
        if span_id is None:
            continue
        if span_id in index_of_id:
            raise CorpusError(path, 0, "span id used twice", span_id)
        index_of_id[span_id] = new_index
    relations = []
    for label, head, child, line in parsed.relations:
        if label not in RELATION_LABELS:
            raise CorpusError(path, line, f"unknown relation label {label!r}", f"@@ {label} {head} {child}")
        for end in (head, child):
            if end not in index_of_id:
                raise CorpusError(path, line, f"relation names unknown span id {end!r}", f"@@ {label} {head} {child}")
        relations.append({"head": index_of_id[head], "child": index_of_id[child], "label": label})
    relations.sort(key=lambda r: (r["head"], r["child"], r["label"]))
    return {"id": doc_id, "text": text, "meta": dict(meta), "spans": spans, "relations": relations}


def build_document(annotation: Path, seed: Path) -> Dict:
    raw = seed.read_text(encoding="utf-8")
    text, meta = split_seed(unicodedata.normalize("NFC", raw))
    meta["source"] = "seed"
    parsed = parse(annotation.read_text(encoding="utf-8"), str(annotation))
    return to_canonical(parsed, seed.name, text, meta, str(annotation))


def build(annotations_dir: Path, seeds_dir: Path, output: Path) -> List[Dict]:
    """Build the canonical gold file from every seed's annotation file."""
    records = []
    for seed in sorted(seeds_dir.glob("*.txt")):
        annotation = annotations_dir / (seed.stem + ".ann")
        if not annotation.exists():
            raise CorpusError(str(annotation), 0, "no annotation file for seed", seed.name)
        records.append(build_document(annotation, seed))
    write_jsonl(output, records)
    return records


WRITTEN_HEADER_RE = re.compile(r"^date (\d{4}-\d{2}(?:-\d{2})?)\n")


def build_written_document(annotation: Path) -> Dict:
    """A written article's annotation file is its own source: an optional first line
    "date YYYY-MM[-DD]" (becoming `meta.date`), then the marked text."""
    source = unicodedata.normalize("NFC", annotation.read_text(encoding="utf-8"))
    meta: Dict[str, str] = {"source": "written"}
    if re.match(r"\d{4}-\d{2}(-\d{2})?\n", source):
        raise CorpusError(str(annotation), 1, "a date header is written 'date YYYY-MM-DD'", source.splitlines()[0])
    match = WRITTEN_HEADER_RE.match(source)
    header_lines = 0
    if match:
        meta["date"] = match.group(1)
        source = source[match.end() :]
        header_lines = 1
    try:
        parsed = parse(source, str(annotation))
        text = parsed.text.rstrip("\n")
        if not text.strip():
            raise CorpusError(str(annotation), 1, "written article has no text", annotation.name)
        return to_canonical(parsed, "w-" + annotation.stem, text, meta, str(annotation))
    except CorpusError as err:
        # the header line was cut off before parsing: report the file's own line numbers
        line = err.line + header_lines if err.line else 0
        raise CorpusError(err.path, line, err.message, err.text, err.doc_id) from None


def build_written(annotations_dir: Path, output: Path) -> List[Dict]:
    """Build the training-only written articles from `<dir>/*.ann`."""
    files = sorted(annotations_dir.glob("*.ann"))
    if not files:
        raise CorpusError(str(annotations_dir), 0, "no .ann files", str(annotations_dir))
    records = [build_written_document(path) for path in files]
    write_jsonl(output, records)
    return records


def describe(record: Dict) -> str:
    """Human-readable listing of a record's spans and relations, for review."""
    lines = []
    text = record["text"]
    for i, span in enumerate(record["spans"]):
        lines.append(f"{i:3d} {span['label']:<10} {text[span['start']:span['end']]}")
    for rel in record["relations"]:
        h, c = record["spans"][rel["head"]], record["spans"][rel["child"]]
        lines.append(f"    {rel['label']:<11} {text[h['start']:h['end']]!r} -> {text[c['start']:c['end']][:60]!r}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="parse one annotation file against its seed and list what it holds")
    check.add_argument("annotation", type=Path)
    check.add_argument("seed", type=Path)
    make = sub.add_parser("build", help="build the canonical gold JSONL from all annotation files")
    make.add_argument("annotations_dir", type=Path)
    make.add_argument("seeds_dir", type=Path)
    make.add_argument("output", type=Path)
    check_w = sub.add_parser("check-written", help="parse written articles' annotation files and list what they hold")
    check_w.add_argument("annotations", type=Path, nargs="+")
    check_w.add_argument("--quiet", action="store_true", help="print only the summary line per file")
    make_w = sub.add_parser("build-written", help="build the written articles' JSONL (meta.source=written) from DIR/*.ann")
    make_w.add_argument("annotations_dir", type=Path)
    make_w.add_argument("output", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "check-written":
            from .validate import validate_records

            failed = 0
            for path in args.annotations:
                try:
                    record = build_written_document(path)
                    if not args.quiet:
                        print(describe(record))
                    validate_records([record], str(path))
                    print(f"OK {path}: {len(record['text'].split())} syllables, {len(record['spans'])} spans, {len(record['relations'])} relations")
                except CorpusError as err:
                    failed += 1
                    print(f"error: {err}", file=sys.stderr)
            return 1 if failed else 0
        if args.command == "build-written":
            from .validate import validate_records

            records = build_written(args.annotations_dir, args.output)
            validate_records(records, str(args.output))
            print(f"wrote {len(records)} written articles to {args.output}")
            return 0
        if args.command == "check":
            from .validate import validate_records

            record = build_document(args.annotation, args.seed)
            print(describe(record))
            validate_records([record], str(args.annotation))
            print(f"OK: {len(record['spans'])} spans, {len(record['relations'])} relations")
        else:
            records = build(args.annotations_dir, args.seeds_dir, args.output)
            from .validate import validate_records

            validate_records(records, str(args.output))
            print(f"wrote {len(records)} documents to {args.output}")
    except CorpusError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
