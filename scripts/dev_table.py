"""Print the README's dev-set table (mean ± sd over training seeds) from the JSON files that
`python -m vi_officials.evaluation.dev_runs seeds` and `scripts/decode_check.py` write.

    python scripts/dev_table.py --col "now, model-last=reports/dev/seeds/seeds-model-last.json" \
        --col "before=runs/before.json#argmax"

A column is NAME=FILE[,FILE…]: dev_runs files contribute their runs; a decode_check file
contributes the runs of the variant named after '#'. Runs from several files are pooled.
"""
import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vi_officials.evaluation.metrics import mean_sd  # noqa: E402

ROWS = (
    "OFFICIAL F", "TITLE F", "ORG F", "DATE F", "entities micro F",
    "COMMITMENT exact F", "COMMITMENT overlap F", "COMMITMENT overlap P",
    "HAS_TITLE e2e F", "COMMITS overlap F", "ASSIGNED_TO overlap F", "DEADLINE overlap F",
    "relations overlap micro F", "relations e2e micro F",
    "ledger rows: committer", "ledger rows: assignees", "ledger rows: deadline", "ledger rows: all", "ledger rows: precision",
)


def runs_of(spec: str):
    runs = []
    for part in spec.split(","):
        path, _, variant = part.partition("#")
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if variant:
            runs += data["variants"][variant]
        else:
            runs += [{k: v for k, v in r.items() if k != "seed"} for r in data["runs"]]
    return runs


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--col", action="append", required=True, metavar="NAME=FILES")
    args = parser.parse_args(argv)
    columns = []
    for col in args.col:
        name, _, spec = col.partition("=")
        runs = runs_of(spec)
        columns.append((f"{name} (n={len(runs)})", mean_sd(runs)))
    print("| metric (F1 or share, %) | " + " | ".join(name for name, _ in columns) + " |")
    print("|---|" + "---|" * len(columns))
    for row in ROWS:
        cells = [f"{100 * s[row][0]:.1f} ± {100 * s[row][1]:.1f}" if row in s else "–" for _, s in columns]
        print(f"| {row} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
