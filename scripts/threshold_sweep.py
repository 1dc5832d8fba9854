"""Dev-set scores of trained pipelines at other decision thresholds, without retraining:
the relation stage's (`relation_extractor`: a relation is kept at probability >= t) or the
commitment tagger's (`span_tagger`: a span is kept at score >= t).

    python scripts/threshold_sweep.py MODEL [MODEL …] --devset ../shared/dev/devset-v1.2.jsonl \\
        --component relation_extractor --values 0.3,0.4,0.5

Prints one row per threshold, each score the mean over the models (one per training seed).
"""
import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vi_officials.evaluation.metrics import flat_scores, mean_sd, score  # noqa: E402

COLUMNS = (
    "COMMITMENT exact F", "COMMITMENT overlap F", "COMMITMENT overlap P", "COMMITS overlap F",
    "ASSIGNED_TO overlap F", "DEADLINE overlap F", "relations e2e micro F", "ledger rows: committer", "ledger rows: all",
)


def main(argv=None) -> int:
    from vi_officials.applications.predict import load_pipeline, predict_records
    from vi_officials.corpus.validate import load_for_scoring

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--devset", type=Path, required=True)
    parser.add_argument("--component", choices=("relation_extractor", "span_tagger"), default="relation_extractor")
    parser.add_argument("--values", default="0.3,0.4,0.5", help="comma-separated thresholds")
    args = parser.parse_args(argv)
    try:
        values = [float(v) for v in args.values.split(",")]
    except ValueError:
        parser.error(f"--values must be comma-separated numbers, got {args.values!r}")
    gold, _ = load_for_scoring(args.devset)
    pipelines = [load_pipeline(model) for model in args.models]
    print(f"| {args.component} threshold | " + " | ".join(COLUMNS) + " |\n|---|" + "---:|" * len(COLUMNS))
    for value in values:
        rows = []
        for nlp in pipelines:
            nlp.get_pipe(args.component).cfg["threshold"] = value
            rows.append(flat_scores(score(gold, predict_records(nlp, gold))))
        means = mean_sd(rows)
        print(f"| {value:g} | " + " | ".join(f"{100 * means[c][0]:.1f}" for c in COLUMNS) + " |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
