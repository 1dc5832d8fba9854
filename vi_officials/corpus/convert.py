"""Convert the canonical corpus into spaCy DocBin splits and a Hugging Face dataset.

Splits are by document, seeded and documented (`split_documents`). The conversion counts
every span and relation per label before and after and fails if a single one is lost.
"""
import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Sequence, Tuple

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin, Span

from .. import relations as rel_store
from .corpus_io import CorpusError, write_jsonl
from ..scheme import COMMITMENTS_KEY, ENTITY_LABELS, RELATION_LABELS
from .validate import load_validated


def blank_nlp() -> Language:
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "vi_officials.SyllableTokenizer.v1"}}})


def record_to_doc(nlp: Language, record: Dict, path: str = "<corpus>") -> Doc:
    """A canonical record -> Doc with ents, commitment spans and relations."""
    doc = nlp.make_doc(record["text"])
    spans: List[Span] = []
    for span in record["spans"]:
        made = doc.char_span(span["start"], span["end"], label=span["label"], alignment_mode="strict")
        if made is None:
            raise CorpusError(path, 0, "span does not match token boundaries", record["text"][span["start"] : span["end"]], record["id"])
        spans.append(made)
    doc.ents = [s for s in spans if s.label_ in ENTITY_LABELS]
    doc.spans[COMMITMENTS_KEY] = [s for s in spans if s.label_ == "COMMITMENT"]
    rel_store.set_relations(
        doc,
        [
            (rel_store.span_key(spans[r["head"]]), rel_store.span_key(spans[r["child"]]), r["label"], r.get("score", 1.0))
            for r in record["relations"]
        ],
    )
    doc.user_data["vi_officials.id"] = record["id"]
    doc.user_data["vi_officials.meta"] = record.get("meta", {})
    return doc


def doc_to_record(doc: Doc, doc_id: str = None, meta: Dict = None, with_scores: bool = False) -> Dict:
    """A Doc -> canonical record (spans sorted by offset, relations by span index)."""
    spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents]
    spans += [(s.start_char, s.end_char, s.label_ or "COMMITMENT") for s in doc.spans.get(COMMITMENTS_KEY, [])]
    span_scores = doc.user_data.get("vi_officials.span_scores", {})
    spans = sorted(set(spans))
    index = {key: i for i, key in enumerate(spans)}
    out_spans = []
    for s, e, l in spans:
        item = {"start": s, "end": e, "label": l}
        if with_scores and f"{s}:{e}:{l}" in span_scores:  # the greedy NER gives no scores
            item["score"] = float(span_scores[f"{s}:{e}:{l}"])
        out_spans.append(item)
    out_rels = []
    for head, child, label, score in (
        (tuple(r["head"]), tuple(r["child"]), r["label"], r.get("score", 1.0)) for r in doc.user_data.get(rel_store.USER_DATA_KEY, [])
    ):
        if head not in index or child not in index:
            continue  # an endpoint that is not a span of the doc cannot be written; see predict
        item = {"head": index[head], "child": index[child], "label": label}
        if with_scores:
            item["score"] = float(score)
        out_rels.append(item)
    out_rels.sort(key=lambda r: (r["head"], r["child"], r["label"]))
    return {
        "id": doc_id if doc_id is not None else doc.user_data.get("vi_officials.id", ""),
        "text": doc.text,
        "meta": meta if meta is not None else doc.user_data.get("vi_officials.meta", {}),
        "spans": out_spans,
        "relations": out_rels,
    }


def record_counts(records: Iterable[Dict]) -> Counter:
    counts: Counter = Counter()
    for record in records:
        counts.update(s["label"] for s in record["spans"])
        counts.update(r["label"] for r in record["relations"])
    return counts


def doc_counts(docs: Iterable[Doc]) -> Counter:
    counts: Counter = Counter()
    for doc in docs:
        counts.update(e.label_ for e in doc.ents)
        counts.update("COMMITMENT" for _ in doc.spans.get(COMMITMENTS_KEY, []))
        counts.update(r[2] for r in rel_store.relation_keys(doc))
    return counts


def split_documents(records: Sequence[Dict], seed: int, dev_fraction: float = 0.2, test_fraction: float = 0.2) -> Dict[str, List[Dict]]:
    """Seeded split by document: seed articles are shuffled with `random.Random(seed)`
    and the first ~test_fraction go to test, the next ~dev_fraction to dev, the rest to
    train (at least one document each when there are three or more). Text written for
    the project (meta.source == "written") only ever goes to train."""
    seeds = sorted((r for r in records if r.get("meta", {}).get("source") != "written"), key=lambda r: r["id"])
    written = [r for r in records if r.get("meta", {}).get("source") == "written"]
    random.Random(seed).shuffle(seeds)
    n = len(seeds)
    n_test = max(1, round(n * test_fraction)) if n >= 3 else 0
    n_dev = max(1, round(n * dev_fraction)) if n >= 3 else 0
    return {
        "test": seeds[:n_test],
        "dev": seeds[n_test : n_test + n_dev],
        "train": seeds[n_test + n_dev :] + written,
    }


def split_paragraphs(record: Dict) -> List[Dict]:
    """Cut a record at line breaks into one record per non-empty paragraph.

    Used for the training split only: more, shorter examples give more updates per epoch.
    Sentences never cross a line break, so no span or relation is cut."""
    text = record["text"]
    pieces = []
    position = 0
    for line in text.split("\n"):
        start, end = position, position + len(line)
        position = end + 1
        if line.strip():
            pieces.append((start, end))
    out = []
    for k, (start, end) in enumerate(pieces):
        inside = [i for i, s in enumerate(record["spans"]) if start <= s["start"] and s["end"] <= end]
        index = {old: new for new, old in enumerate(inside)}
        spans = [dict(record["spans"][i], start=record["spans"][i]["start"] - start, end=record["spans"][i]["end"] - start) for i in inside]
        rels = [dict(r, head=index[r["head"]], child=index[r["child"]]) for r in record["relations"] if r["head"] in index and r["child"] in index]
        out.append({"id": f"{record['id']}#p{k}", "text": text[start:end], "meta": dict(record.get("meta", {}), document=record["id"]), "spans": spans, "relations": rels})
    kept = sum(len(r["spans"]) for r in out), sum(len(r["relations"]) for r in out)
    if kept != (len(record["spans"]), len(record["relations"])):
        raise CorpusError("<split>", 0, "a span or relation crosses a line break", "", record["id"])
    return out


def docs_to_docbin(docs: Iterable[Doc]) -> DocBin:
    docbin = DocBin(attrs=["ORTH", "SPACY", "SENT_START", "ENT_IOB", "ENT_TYPE"], store_user_data=True)
    for doc in docs:
        docbin.add(doc)
    return docbin


def convert_records(records: Sequence[Dict], path: str) -> Tuple[List[Doc], Counter]:
    """Records -> docs, failing loudly if any span or relation is lost."""
    nlp = blank_nlp()
    docs = [record_to_doc(nlp, r, path) for r in records]
    counts_in = record_counts(records)
    round_trip = list(docs_to_docbin(docs).get_docs(nlp.vocab))
    counts_out = doc_counts(round_trip)
    if counts_in != counts_out:
        lost = {k: (counts_in[k], counts_out[k]) for k in set(counts_in) | set(counts_out) if counts_in[k] != counts_out[k]}
        raise CorpusError(path, 0, f"conversion changed label counts (in, out): {lost}")
    return docs, counts_in


def export_hf_dataset(splits: Dict[str, List[Dict]], output_dir: Path) -> None:
    """Save the splits as a `datasets.DatasetDict` (load_from_disk) and as Parquet files."""
    from ..extras import require

    datasets = require("datasets")
    span_label = datasets.ClassLabel(names=["OFFICIAL", "TITLE", "ORG", "DATE", "COMMITMENT"])
    rel_label = datasets.ClassLabel(names=list(RELATION_LABELS))
    features = datasets.Features(
        {
            "id": datasets.Value("string"),
            "text": datasets.Value("string"),
            "date": datasets.Value("string"),
            "source": datasets.Value("string"),
            "spans": datasets.Sequence({"start": datasets.Value("int32"), "end": datasets.Value("int32"), "label": span_label}),
            "relations": datasets.Sequence({"head": datasets.Value("int32"), "child": datasets.Value("int32"), "label": rel_label}),
        }
    )

    def rows(records: List[Dict]) -> Dict[str, list]:
        return {
            "id": [r["id"] for r in records],
            "text": [r["text"] for r in records],
            "date": [r.get("meta", {}).get("date", "") for r in records],
            "source": [r.get("meta", {}).get("source", "") for r in records],
            "spans": [{"start": [s["start"] for s in r["spans"]], "end": [s["end"] for s in r["spans"]], "label": [s["label"] for s in r["spans"]]} for r in records],
            "relations": [{"head": [x["head"] for x in r["relations"]], "child": [x["child"] for x in r["relations"]], "label": [x["label"] for x in r["relations"]]} for r in records],
        }

    dataset = datasets.DatasetDict({name: datasets.Dataset.from_dict(rows(recs), features=features) for name, recs in splits.items()})
    dataset.save_to_disk(str(output_dir / "hf_dataset"))
    (output_dir / "parquet").mkdir(parents=True, exist_ok=True)
    for name, part in dataset.items():
        part.to_parquet(str(output_dir / "parquet" / f"{name}.parquet"))


def convert(inputs: Sequence[Path], output_dir: Path, seed: int, hf: bool = True) -> Dict:
    records: List[Dict] = []
    for path in inputs:
        records.extend(load_validated(path))
    from .validate import validate_records

    validate_records(records, ",".join(map(str, inputs)))  # ids unique across files
    splits = split_documents(records, seed)
    output_dir.mkdir(parents=True, exist_ok=True)
    summary = {"seed": seed, "splits": {}, "counts": {}}
    for name, part in splits.items():
        examples = [p for r in part for p in split_paragraphs(r)] if name == "train" else part
        docs, counts = convert_records(examples, ",".join(map(str, inputs)))
        docs_to_docbin(docs).to_disk(output_dir / f"{name}.spacy")
        write_jsonl(output_dir / f"{name}.jsonl", part)
        summary["splits"][name] = [r["id"] for r in part]
        summary["counts"][name] = dict(sorted(counts.items()))
        print(f"{name:5s}: {len(part)} documents, {sum(len(d) for d in docs)} tokens; " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    total_in = record_counts(records)
    total_out: Counter = Counter()
    for counts in summary["counts"].values():
        total_out.update(counts)
    if total_in != total_out:
        raise CorpusError(",".join(map(str, inputs)), 0, f"splits lost annotations: in {dict(total_in)} out {dict(total_out)}")
    summary["counts"]["all"] = dict(sorted(total_in.items()))
    (output_dir / "splits.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    print("counts in = counts out: " + ", ".join(f"{k} {v}" for k, v in sorted(total_in.items())))
    if hf:
        export_hf_dataset(splits, output_dir)
    return summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Convert canonical JSONL into DocBin splits and a HF dataset.")
    parser.add_argument("inputs", nargs="+", type=Path, help="canonical JSONL files (gold seeds, written text)")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-hf", action="store_true", help="skip the Hugging Face dataset export")
    args = parser.parse_args(argv)
    try:
        convert(args.inputs, args.output, args.seed, hf=not args.no_hf)
    except (CorpusError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
