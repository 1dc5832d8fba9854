"""Inter-annotator agreement: score second, independent annotations against the gold.

    python -m vi_officials.corpus.agreement corpus/agreement corpus/gold.jsonl seeds

Each `<seed name>.ann` in the first directory is a second annotator's file for that seed;
it is scored against the gold like a prediction (exact spans, relations end to end).
"""
import argparse
import json
import sys
from pathlib import Path

from ..corpus.markup import build_document
from .metrics import score
from ..scheme import ENTITY_LABELS, RELATION_LABELS
from ..corpus.validate import load_validated


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("second_dir", type=Path)
    parser.add_argument("gold", type=Path)
    parser.add_argument("seeds", type=Path)
    args = parser.parse_args(argv)
    gold = {r["id"]: r for r in load_validated(args.gold)}
    for ann in sorted(args.second_dir.glob("*.ann")):
        second = build_document(ann, args.seeds / f"{ann.stem}.txt")
        s = score([gold[second["id"]]], [second])
        row = {label: round(100 * s["entities"][label]["f"], 1) for label in ENTITY_LABELS}
        row["entities micro"] = round(100 * s["entities_micro"]["f"], 1)
        row["COMMITMENT exact"] = round(100 * s["commitments_exact"]["f"], 1)
        row["COMMITMENT partial"] = round(100 * s["commitments_partial"]["f"], 1)
        row.update({label: round(100 * s["relations"][label]["f"], 1) for label in RELATION_LABELS})
        row["relations micro"] = round(100 * s["relations_micro"]["f"], 1)
        print(f"{second['id']}: agreement F1 (%) {json.dumps(row, ensure_ascii=False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
