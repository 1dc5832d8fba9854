"""Predict: raw text files or canonical JSONL in, canonical JSONL out (with scores).

    python -m vi_officials.applications.predict MODEL INPUT [INPUT ...] --output predictions.jsonl

MODEL is a trained pipeline directory or an installed package name. A `.jsonl` input is
read as canonical records (their `id` and `text` are kept, gold spans ignored); any other
file is one document whose id is the file name. The output can be scored with
`python -m vi_officials.evaluation.evaluate --predictions`. A record that cannot be read
or processed is listed, with its file, line and reason, on standard error and in the
errors file (default OUTPUT.errors.jsonl); the others are predicted and the exit status is
1. The output path is checked before any work, and the output is written under a
temporary name and renamed when complete.
"""
import argparse
import json
import sys
from pathlib import Path
from typing import Dict, List, Sequence

from ..corpus.corpus_io import CorpusError


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
    """Every record of the inputs; the first one that cannot be read is a CorpusError."""
    from .ledger.sources import read_file

    def fail(error):
        raise CorpusError(error.file, error.line, error.reason)

    return [{"id": r["id"], "text": r["text"], "meta": r["meta"]} for path in paths for r in read_file(str(path), fail)]


def predict_records(nlp, records: Sequence[Dict], batch_size: int = 8) -> List[Dict]:
    from ..corpus.convert import doc_to_record

    out = []
    docs = nlp.pipe((r["text"] for r in records), batch_size=batch_size)
    for record, doc in zip(records, docs):
        out.append(doc_to_record(doc, record["id"], record.get("meta", {}), with_scores=True))
    return out


def _say(error) -> str:
    where = f"{error.file}:{error.line}" if error.line else error.file
    return f"error: {where}: {error.reason}"


def main(argv=None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:
        print("interrupted: no predictions were written", file=sys.stderr)
        return 130


def _main(argv=None) -> int:
    from .ledger.sources import expand_inputs, printable, read_file
    from .outputs import OutputError, atomic_output, check_output, describe_os_error
    from .stream import predicted_records, reason_of

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("inputs", nargs="+")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--errors", type=Path, default=None, help="where records that cannot be read are listed (default: OUTPUT.errors.jsonl)")
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args(argv)
    errors_path = args.errors or args.output.with_name(args.output.name + ".errors.jsonl")
    try:  # before any work
        if args.output.resolve() == errors_path.resolve() or any(Path(i).resolve() == args.output.resolve() for i in args.inputs):
            raise OutputError(f"--output {args.output} is also an input or the errors file; give another file")
        check_output(args.output)
        check_output(errors_path, "errors file")
    except OutputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    errors: List = []
    shown = 0

    def on_error(error) -> None:
        nonlocal shown
        errors.append(error)
        if shown < 20:
            print(_say(error), file=sys.stderr)
        elif shown == 20:
            print(f"error: more records cannot be read: see {errors_path}", file=sys.stderr)
        shown += 1

    # every input is read before the model is loaded: bad input is reported at once
    files = expand_inputs(args.inputs)
    by_file = {file: list(read_file(file, on_error)) for file in files}
    n_done = 0
    try:
        if any(by_file.values()) or not errors:
            nlp = load_pipeline(args.model)
            with atomic_output(args.output, "w", encoding="utf-8") as handle:
                for event in predicted_records(nlp, files, args.batch_size, reader=lambda file, _: by_file[file]):
                    if event[0] == "error":
                        on_error(event[1])
                    elif event[0] == "record":
                        handle.write(json.dumps(event[1], ensure_ascii=False) + "\n")
                        n_done += 1
        if errors:
            with atomic_output(errors_path, "w", encoding="utf-8") as handle:
                for error in errors:
                    handle.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")
        else:
            errors_path.unlink(missing_ok=True)
    except PipelineLoadError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: cannot write the predictions: {describe_os_error(err, err.filename or args.output)}; nothing was written at {args.output}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"interrupted: nothing was written at {args.output}", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - a bug: one line, no traceback
        print(f"error: unexpected {reason_of(err)}", file=sys.stderr)
        return 1
    if n_done or not errors:
        print(f"wrote predictions for {n_done} documents to {args.output}" + (f"; {len(errors)} records could not be read or processed (see {printable(str(errors_path))})" if errors else ""))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
