"""The last step of `spacy project run all`: where its outputs went, with the headline scores.

    python -m vi_officials.evaluation.summary [--root .]
"""
import argparse
import json
import sys
from pathlib import Path
from typing import List

OUTPUTS = (
    ("corpus", "corpus/train.spacy", "training split (DocBin); corpus/hf_dataset and corpus/parquet hold the same as a Hugging Face dataset"),
    ("model", "training/model-last", "the trained pipeline (spacy.load it)"),
    ("held-out report", "reports/heldout/report.html", "held-out seed article: metrics.json, report.md, report.html"),
    ("dev-set report", "reports/dev/report.html", "real-news dev set: metrics.json, report.md, report.html"),
)


def headline(metrics_path: Path) -> str:
    try:
        s = json.loads(metrics_path.read_text(encoding="utf-8"))["model"]
    except (OSError, ValueError, KeyError):
        return ""
    rows = s.get("ledger_rows", {})
    parts = [f"entities {100 * s['entities_micro']['f']:.1f}", f"COMMITMENT exact {100 * s['commitments_exact']['f']:.1f} / overlap {100 * s['commitments_overlap']['f']:.1f}", f"relations e2e {100 * s['relations_micro']['f']:.1f}"]
    if "relations_overlap_micro" in s:
        parts.append(f"relations by overlap {100 * s['relations_overlap_micro']['f']:.1f}")
    if rows:
        parts.append(f"ledger rows with the right committer {100 * rows['committer']:.1f}")
    return "; ".join(parts)


def summary_lines(root: Path) -> List[str]:
    lines = ["", "Outputs of `spacy project run all`:"]
    for name, rel, what in OUTPUTS:
        path = root / rel
        mark = "" if path.exists() else "  (absent)"
        lines.append(f"  {name:16s} {rel}{mark}  — {what}")
    for name, rel in (("held-out", "reports/heldout/metrics.json"), ("dev set", "reports/dev/metrics.json")):
        text = headline(root / rel)
        if text:
            lines.append(f"  {name} scores: {text}")
    wheels = sorted((root / "models").glob("*.whl"))
    lines.append("  wheels           " + (", ".join(f"models/{w.name}" for w in wheels) if wheels else "none in models/"))
    if wheels:
        lines.append("  install with     pip install " + " ".join(f"models/{w.name}" for w in wheels))
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("."))
    args = parser.parse_args(argv)
    print("\n".join(summary_lines(args.root)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
