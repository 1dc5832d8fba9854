"""Relations on a Doc: `doc._.relations` gives (head span, child span, label, score).

They are stored in `doc.user_data` as plain character offsets, which msgpack and pickle
can hold, so relations survive `DocBin` (with user data) and pickling unchanged.
"""
from typing import Dict, Iterable, List, NamedTuple, Tuple

from spacy.tokens import Doc, Span

USER_DATA_KEY = "vi_officials.relations"
SpanKey = Tuple[int, int, str]  # start char, end char, label


class Relation(NamedTuple):
    head: Span
    child: Span
    label: str
    score: float


def span_key(span: Span) -> SpanKey:
    return (span.start_char, span.end_char, span.label_)


def _span_from_key(doc: Doc, key) -> Span:
    start, end, label = key
    span = doc.char_span(int(start), int(end), label=label, alignment_mode="strict")
    if span is None:
        raise ValueError(f"relation endpoint {start}:{end} ({label}) is not on token boundaries of doc {doc.text[:40]!r}")
    return span


def get_relations(doc: Doc) -> List[Relation]:
    return [
        Relation(_span_from_key(doc, r["head"]), _span_from_key(doc, r["child"]), r["label"], float(r.get("score", 1.0)))
        for r in doc.user_data.get(USER_DATA_KEY, [])
    ]


def set_relations(doc: Doc, relations: Iterable[Tuple[SpanKey, SpanKey, str, float]]) -> None:
    """Replace the doc's relations; endpoints are (start_char, end_char, label) keys."""
    doc.user_data[USER_DATA_KEY] = [
        {"head": list(head), "child": list(child), "label": label, "score": float(score)}
        for head, child, label, score in relations
    ]


def relation_keys(doc: Doc) -> List[Tuple[SpanKey, SpanKey, str]]:
    """The doc's relations as comparable keys, for scoring."""
    return [(tuple(r["head"]), tuple(r["child"]), r["label"]) for r in doc.user_data.get(USER_DATA_KEY, [])]


def relation_scores(doc: Doc) -> Dict[Tuple[SpanKey, SpanKey, str], float]:
    return {(tuple(r["head"]), tuple(r["child"]), r["label"]): float(r.get("score", 1.0)) for r in doc.user_data.get(USER_DATA_KEY, [])}


if not Doc.has_extension("relations"):
    Doc.set_extension("relations", getter=get_relations)
