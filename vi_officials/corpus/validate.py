"""The corpus validator: every corpus file goes through it before it is used.

It reports every problem at once, each with file, line, document id and the offending
text, and fails; nothing is skipped or dropped.
"""
import argparse
import sys
import unicodedata
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from .corpus_io import CorpusError, CorpusValidationError, read_jsonl_lines
from ..scheme import ALL_SPAN_LABELS, ENTITY_LABELS, RELATION_TYPES, relation_allowed
from ..text.syllables import sentence_index, syllable_offsets


def _record_problems(record: Dict, path: str, line: int) -> List[CorpusError]:
    problems: List[CorpusError] = []
    doc_id = record.get("id") if isinstance(record.get("id"), str) else ""

    def problem(message: str, text: str = "", kind: str = "") -> None:
        problems.append(CorpusError(path, line, message, text, doc_id, kind))

    for key, kind in (("id", str), ("text", str), ("meta", dict), ("spans", list), ("relations", list)):
        if not isinstance(record.get(key), kind):
            problem(f"field {key!r} must be a {kind.__name__}", repr(record.get(key))[:60])
    if problems:
        return problems
    text = record["text"]
    if unicodedata.normalize("NFC", text) != text:
        first = next(i for i, (a, b) in enumerate(zip(text, unicodedata.normalize("NFC", text))) if a != b)
        problem("text is not in Unicode NFC", text[max(0, first - 10) : first + 10])
    offsets = syllable_offsets(text)
    starts = {s for s, _ in offsets}
    ends = {e for _, e in offsets}
    spans = record["spans"]
    good = []
    for i, span in enumerate(spans):
        if not isinstance(span, dict) or not all(isinstance(span.get(k), int) for k in ("start", "end")):
            problem(f"span {i} needs integer start and end", repr(span)[:80])
            good.append(False)
            continue
        start, end, label = span["start"], span["end"], span.get("label")
        if not (0 <= start < end <= len(text)):
            problem(f"span {i} offsets out of range (text has {len(text)} characters)", f"{start}:{end}")
            good.append(False)
            continue
        surface = text[start:end]
        ok = True
        if label not in ALL_SPAN_LABELS:
            problem(f"span {i} has unknown label {label!r}", surface)
            ok = False
        if surface != surface.strip():
            problem(f"span {i} ({label}) has leading or trailing whitespace", surface)
            ok = False
        elif start not in starts or end not in ends:
            context = text[max(0, start - 5) : end + 5]
            problem(f"span {i} ({label}) does not start and end on syllable boundaries", f"{surface} in …{context}…", "boundary")
            ok = False
        good.append(ok)
    seen = {}
    for i, span in enumerate(spans):
        if not good[i]:
            continue
        key = (span["start"], span["end"], span["label"])
        if key in seen:
            problem(f"spans {seen[key]} and {i} are duplicates", text[span["start"] : span["end"]])
        seen[key] = i
    for group in (set(ENTITY_LABELS), {"COMMITMENT"}):
        members = sorted((spans[i]["start"], spans[i]["end"], i) for i in range(len(spans)) if good[i] and spans[i]["label"] in group)
        for (s1, e1, i1), (s2, e2, i2) in zip(members, members[1:]):
            if s2 < e1:
                kind = "entity" if "OFFICIAL" in group else "commitment"
                problem(f"{kind} spans {i1} and {i2} overlap", f"{text[s1:e1]} / {text[s2:e2]}")
    sent_of = sentence_index(text)
    seen_rel = set()
    for j, rel in enumerate(record["relations"]):
        if not isinstance(rel, dict) or not all(isinstance(rel.get(k), int) for k in ("head", "child")):
            problem(f"relation {j} needs integer head and child", repr(rel)[:80])
            continue
        head, child, label = rel["head"], rel["child"], rel.get("label")
        if label not in RELATION_TYPES:
            problem(f"relation {j} has unknown label {label!r}", repr(rel))
            continue
        if not (0 <= head < len(spans) and 0 <= child < len(spans)):
            problem(f"relation {j} ({label}) points outside the {len(spans)} spans", f"head={head} child={child}")
            continue
        if not (good[head] and good[child]):
            continue
        h, c = spans[head], spans[child]
        h_text, c_text = text[h["start"] : h["end"]], text[c["start"] : c["end"]]
        if not relation_allowed(label, h["label"], c["label"]):
            problem(f"relation {j} {label} cannot join {h['label']} -> {c['label']}", f"{h_text} -> {c_text}")
        if sent_of(h["start"]) != sent_of(c["start"]) or sent_of(h["end"] - 1) != sent_of(c["end"] - 1):
            problem(f"relation {j} {label} joins spans in different sentences", f"{h_text} -> {c_text}", "sentence")
        if (head, child, label) in seen_rel:
            problem(f"relation {j} {label} is a duplicate", f"{h_text} -> {c_text}")
        seen_rel.add((head, child, label))
    for i, span in enumerate(spans):
        if good[i] and sent_of(span["start"]) != sent_of(span["end"] - 1) and span["label"] in ENTITY_LABELS:
            problem(f"span {i} ({span['label']}) crosses a sentence boundary", text[span["start"] : span["end"]], "sentence")
    return problems


def validate_records(records: Sequence[Dict], path: str, lines: Optional[Sequence[int]] = None) -> None:
    """Raise CorpusValidationError listing every problem in `records`."""
    problems: List[CorpusError] = []
    first_line_of_id: Dict[str, int] = {}
    for k, record in enumerate(records):
        line = lines[k] if lines else k + 1
        problems.extend(_record_problems(record, path, line))
        doc_id = record.get("id")
        if isinstance(doc_id, str):
            if doc_id in first_line_of_id:
                problems.append(CorpusError(path, line, f"duplicate document id (first on line {first_line_of_id[doc_id]})", doc_id, doc_id))
            else:
                first_line_of_id[doc_id] = line
    if problems:
        raise CorpusValidationError(problems)


def load_validated(path) -> List[Dict]:
    """Read a canonical JSONL file and validate it; the only way the project reads corpora."""
    numbered = list(read_jsonl_lines(path))
    records = [r for _, r in numbered]
    validate_records(records, str(path), [n for n, _ in numbered])
    return records


# problems that make a span or relation unpredictable by this pipeline, not invalid
SCORABLE = ("boundary", "sentence")


def load_for_scoring(path) -> Tuple[List[Dict], List[CorpusError]]:
    """Read gold data for evaluation. A valid canonical file is never refused: a span that
    does not fall on this tokenizer's boundaries, an entity that crosses this project's
    sentence boundary (a letterhead wrapped over two lines) and a relation between two
    sentences cannot be predicted, so they are kept (and scored as misses) and returned as
    warnings; malformed records and offsets outside the text still fail."""
    numbered = list(read_jsonl_lines(path))
    records = [r for _, r in numbered]
    try:
        validate_records(records, str(path), [n for n, _ in numbered])
    except CorpusValidationError as err:
        fatal = [p for p in err.problems if p.kind not in SCORABLE]
        if fatal:
            raise CorpusValidationError(fatal) from None
        return records, list(err.problems)
    return records, []


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Validate canonical corpus JSONL files.")
    parser.add_argument("paths", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = False
    for path in args.paths:
        try:
            records = load_validated(path)
            print(f"{path}: OK, {len(records)} documents")
        except (CorpusError, CorpusValidationError) as err:
            print(f"{path}: {err}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
