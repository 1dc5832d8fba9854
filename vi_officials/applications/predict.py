"""Predict: raw text files or canonical JSONL in, canonical JSONL out (with scores).

    python -m vi_officials.applications.predict MODEL INPUT [INPUT ...] --output predictions.jsonl

MODEL is a trained pipeline directory or an installed package name. A `.jsonl` input is
read as canonical records (their `id` and `text` are kept, gold spans ignored); any other
file is one document whose id is the file name. The output can be scored with
`python -m vi_officials.evaluation.evaluate --predictions`.
"""
import argparse
import sys
from pathlib import Path
from typing import Dict, List, Sequence

from ..corpus.corpus_io import open_input, read_jsonl_lines, write_jsonl, CorpusError


class PipelineLoadError(ValueError):
    """The model argument names neither a pipeline directory nor an installed package."""


def load_pipeline(model: str):
    import spacy

    import vi_officials  # noqa: F401  (registers the components for directory pipelines)

    try:
        return spacy.load(model)
    except OSError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PipelineLoadError(f"cannot load the pipeline {str(model)!r}: not a pipeline directory or an installed package name ({first[:160]})") from None


def read_inputs(paths: Sequence[Path]) -> List[Dict]:
    records = []
    for path in paths:
        path = Path(path)
        if path.suffix == ".jsonl":
            for line, record in read_jsonl_lines(path):
                if not isinstance(record.get("text"), str) or not isinstance(record.get("id"), str):
                    raise CorpusError(str(path), line, "a record needs a string 'id' and 'text'", str(record)[:60])
                records.append({"id": record["id"], "text": record["text"], "meta": record.get("meta", {})})
        else:
            with open_input(path, "rb") as handle:
                data = handle.read()
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as err:
                raise CorpusError(str(path), 0, f"not UTF-8 text ({err.reason} at byte {err.start})") from None
            records.append({"id": path.name, "text": text, "meta": {"source": str(path)}})
    return records


def predict_records(nlp, records: Sequence[Dict], batch_size: int = 8) -> List[Dict]:
    from ..corpus.convert import doc_to_record

    out = []
    docs = nlp.pipe((r["text"] for r in records), batch_size=batch_size)
    for record, doc in zip(records, docs):
        out.append(doc_to_record(doc, record["id"], record.get("meta", {}), with_scores=True))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("inputs", nargs="+", type=Path)
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args(argv)
    try:
        records = read_inputs(args.inputs)
    except CorpusError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    try:
        nlp = load_pipeline(args.model)
    except PipelineLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    predictions = predict_records(nlp, records, args.batch_size)
    write_jsonl(args.output, predictions)
    print(f"wrote predictions for {len(predictions)} documents to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
