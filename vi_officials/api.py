"""The one-call Python API.

    import vi_officials
    result = vi_officials.extract("Bộ trưởng ... đề nghị ... trước ngày 30/7/2023.")
    table = vi_officials.ledger(["bài 1 ...", "bài 2 ..."], date="2024-05")

`model` is a loaded `Language`, a pipeline directory or an installed package name; `None`
loads the installed `vi_officials_*` pipeline package (PhoBERT before CNN when both are
installed). Loaded pipelines are kept, so repeated calls do not reload them.
"""
import datetime
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Dict, Iterable, List, Mapping, Optional, Union, overload

if TYPE_CHECKING:
    import pandas
    from spacy.language import Language
    from spacy.tokens import Doc

Model = Union[None, str, Path, "Language"]
Extraction = Dict[str, Any]
COMMITMENTS = "commitments"
SPAN_SCORES_KEY = "vi_officials.span_scores"  # where span_tagger stored scores before spans.attrs

_LOADED: Dict[str, "Language"] = {}


class NoModelError(LookupError):
    """No vi_officials_* pipeline package is installed and no model was given."""


def installed_models() -> List[str]:
    """Installed pipeline packages named vi_officials_*, the default first (PhoBERT, then
    the rest alphabetically)."""
    from spacy.util import get_installed_models

    names = [n for n in get_installed_models() if n.startswith("vi_officials_")]
    return sorted(names, key=lambda n: (n != "vi_officials_phobert", n))


def load(model: Model = None) -> "Language":
    """The pipeline for `model` (see the module docstring); loaded once per name or path."""
    from spacy.language import Language

    if isinstance(model, Language):
        return model
    if model is None:
        names = installed_models()
        if not names:
            raise NoModelError("no vi_officials_* pipeline is installed: pip install a model wheel (models/vi_officials_<backbone>-*.whl) or pass model=<pipeline directory or package name>")
        model = names[0]
    key = str(model)
    if key not in _LOADED:
        from .applications.predict import load_pipeline

        _LOADED[key] = load_pipeline(key)
    return _LOADED[key]


def commitment_scores(doc: "Doc") -> List[Optional[float]]:
    """One score per span of `doc.spans["commitments"]`, in order (None where there is none):
    from the span group's `attrs["scores"]`, else from the scores the span tagger kept in
    `doc.user_data`."""
    group = doc.spans.get(COMMITMENTS, [])
    scores = getattr(group, "attrs", {}).get("scores")
    if scores is not None and len(scores) == len(group):
        return [None if s is None else float(s) for s in scores]
    stored = doc.user_data.get(SPAN_SCORES_KEY, {})
    return [float(stored[k]) if k in stored else None for k in (f"{s.start_char}:{s.end_char}:{s.label_}" for s in group)]


def _span(span) -> Dict[str, Any]:
    return {"text": span.text, "label": span.label_, "start": span.start_char, "end": span.end_char}


def doc_to_dict(doc: "Doc") -> Extraction:
    """A predicted Doc as plain data: character offsets index `text`."""
    commitments = [dict(_span(s), label=s.label_ or "COMMITMENT", score=score) for s, score in zip(doc.spans.get(COMMITMENTS, []), commitment_scores(doc))]
    relations = [{"label": r.label, "score": float(r.score), "head": _span(r.head), "child": _span(r.child)} for r in doc._.relations]
    return {"text": doc.text, "entities": [_span(e) for e in doc.ents], "commitments": commitments, "relations": relations}


@overload
def extract(text_or_texts: str, model: Model = None) -> Extraction: ...
@overload
def extract(text_or_texts: Iterable[str], model: Model = None) -> List[Extraction]: ...
def extract(text_or_texts: Union[str, Iterable[str]], model: Model = None) -> Union[Extraction, List[Extraction]]:
    """Officials, titles, bodies, dates, commitments and relations in one text (a dict) or
    in several texts (a list of dicts, in order), as plain data:

        {"text": ..., "entities": [{"text", "label", "start", "end"}, ...],
         "commitments": [{"text", "label", "start", "end", "score"}, ...],
         "relations": [{"label", "score", "head": {span}, "child": {span}}, ...]}
    """
    nlp = load(model)
    if isinstance(text_or_texts, str):
        return doc_to_dict(nlp(text_or_texts))
    texts = list(text_or_texts)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"extract: text {i} is a {type(text).__name__}, not a str")
    return [doc_to_dict(doc) for doc in nlp.pipe(texts)]


def _records(texts_or_records: Union[str, Iterable[Union[str, Mapping[str, Any]]]]) -> List[Dict[str, Any]]:
    items = [texts_or_records] if isinstance(texts_or_records, (str, Mapping)) else list(texts_or_records)
    records = []
    for i, item in enumerate(items, 1):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, Mapping) or not isinstance(item.get("text"), str):
            raise TypeError(f"ledger: input {i} must be a str or a record with a str 'text', got {str(item)[:60]!r}")
        meta = item.get("meta") or {}
        if not isinstance(meta, Mapping):
            raise TypeError(f"ledger: input {i}: 'meta' must be a dict, got {str(meta)[:60]!r}")
        records.append({"id": str(item.get("id", f"text-{i}")), "text": item["text"], "meta": dict(meta)})
    return records


def ledger(texts_or_records: Union[str, Iterable[Union[str, Mapping[str, Any]]]], model: Model = None, date: Union[None, str, datetime.date] = None) -> "pandas.DataFrame":
    """The commitment ledger of some articles: one row per predicted commitment, with the
    columns of `vi-officials ledger` (vi_officials.applications.ledger.rows.COLUMNS).

    Inputs are texts or canonical records (`{"id", "text", "meta": {"date": "YYYY-MM-DD"}}`);
    texts get the ids text-1, text-2, ... `date` (YYYY-MM or YYYY-MM-DD, or a date) is the
    article date of inputs without `meta.date` or a dateline; relative deadlines resolve
    against it.
    """
    import pandas

    from .applications.ledger.rows import COLUMNS, ledger_rows
    from .corpus.convert import doc_to_record

    if isinstance(date, datetime.date):
        date = date.isoformat()[:10]
    if date is not None and not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", str(date)):
        raise ValueError(f"ledger: date {date!r}: expected YYYY-MM or YYYY-MM-DD")
    records = _records(texts_or_records)
    nlp = load(model)
    rows: List[Dict[str, Any]] = []
    for record, doc in zip(records, nlp.pipe(r["text"] for r in records)):
        predicted = doc_to_record(doc, record["id"], record["meta"], with_scores=True)
        scores = {(s.start_char, s.end_char): score for s, score in zip(doc.spans.get(COMMITMENTS, []), commitment_scores(doc))}
        for span in predicted["spans"]:
            if span["label"] == "COMMITMENT" and scores.get((span["start"], span["end"])) is not None:
                span["score"] = scores[(span["start"], span["end"])]
        rows.extend(ledger_rows(predicted, date or ""))
    return pandas.DataFrame(rows, columns=list(COLUMNS))
