"""Annotation consistency report: the same surface string with different labels, and
unannotated occurrences of strings annotated elsewhere (for the reviewer to judge).

    python -m vi_officials.corpus.consistency corpus/gold.jsonl
"""
import argparse
import re
import sys
from collections import defaultdict
from typing import Dict, List, Sequence, Set

from .validate import load_validated


def label_conflicts(records: Sequence[Dict]) -> Dict[str, Set[str]]:
    labels: Dict[str, Set[str]] = defaultdict(set)
    for r in records:
        for s in r["spans"]:
            if s["label"] != "COMMITMENT":
                labels[r["text"][s["start"] : s["end"]]].add(s["label"])
    return {k: v for k, v in labels.items() if len(v) > 1}


def unannotated_occurrences(records: Sequence[Dict], min_chars: int = 3) -> Dict[str, List[str]]:
    surfaces = {r["text"][s["start"] : s["end"]] for r in records for s in r["spans"] if s["label"] != "COMMITMENT"}
    found: Dict[str, List[str]] = defaultdict(list)
    for r in records:
        text = r["text"]
        covered = [False] * len(text)
        for s in r["spans"]:
            if s["label"] != "COMMITMENT":
                for i in range(s["start"], s["end"]):
                    covered[i] = True
        for surface in surfaces:
            if len(surface) < min_chars:
                continue
            for m in re.finditer(r"(?<!\w)" + re.escape(surface) + r"(?!\w)", text):
                if not any(covered[m.start() : m.end()]):
                    found[surface].append(f"{r['id']}: …{text[max(0, m.start() - 30):m.end() + 20]}…".replace("\n", " "))
    return dict(found)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    args = parser.parse_args(argv)
    records = [r for p in args.paths for r in load_validated(p)]
    conflicts = label_conflicts(records)
    print(f"surface strings with more than one label: {len(conflicts)}")
    for surface, labels in sorted(conflicts.items()):
        print(f"  {surface!r}: {sorted(labels)}")
    for surface, where in sorted(unannotated_occurrences(records).items()):
        print(f"unannotated {surface!r} × {len(where)}")
        for w in where:
            print(f"    {w}")
    return 1 if conflicts else 0


if __name__ == "__main__":
    sys.exit(main())
