"""Why the ledger's relations are lost on a dev set: for each of COMMITS, ASSIGNED_TO and
DEADLINE, how many gold relations a pipeline got right, and how many it missed because no
predicted commitment overlapped, the entity end was cut, mislabelled or missed, or the
relation stage did not link two found ends; and what its spurious relations hang on.

    python scripts/relation_errors.py MODEL [MODEL …] --devset ../shared/dev/devset-v1.2.jsonl

Counts are summed over the models (one per training seed, say).
"""
import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vi_officials.evaluation.metrics import LEDGER_RELATIONS, relation_errors  # noqa: E402

MISSES = ("right", "no commitment", "entity cut", "entity label", "entity missed", "relation stage")
SPURIOUS = ("spurious commitment", "spurious entity", "spurious link")


def main(argv=None) -> int:
    from vi_officials.applications.predict import load_pipeline, predict_records
    from vi_officials.corpus.validate import load_for_scoring

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--devset", type=Path, required=True)
    args = parser.parse_args(argv)
    gold, _ = load_for_scoring(args.devset)
    total: Counter = Counter()
    for model in args.models:
        pred = predict_records(load_pipeline(model), gold)
        by_id = {r["id"]: r for r in pred}
        for g in gold:
            total.update(relation_errors(g, by_id[g["id"]]))
        print(f"scored {model}", file=sys.stderr, flush=True)
    print("| relation | " + " | ".join(MISSES + SPURIOUS) + " |\n|---|" + "---:|" * len(MISSES + SPURIOUS))
    for label in LEDGER_RELATIONS:
        print(f"| {label} | " + " | ".join(str(total[(label, kind)]) for kind in MISSES + SPURIOUS) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
