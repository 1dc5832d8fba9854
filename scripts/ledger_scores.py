"""How informative are the ledger's scores? Distributions and ROC AUC on held-out written articles.

    python scripts/ledger_scores.py OUT_DIR [--train 60 --epochs 25]      (about 25 min on 2 CPUs)
    python scripts/ledger_scores.py OUT_DIR --predicted OUT_DIR/predicted.jsonl   (re-score only)

Trains a small CNN pipeline on the paragraphs of the first `--train` written articles, predicts
all of them, builds ledger rows and prints, for the held-out articles and for the training
ones: the quantiles of each score and of two whole-row candidates (the product and the minimum
of the commitment, COMMITS and ASSIGNED_TO scores), and how well each separates right rows from
wrong ones (ROC AUC; a row is right when its commitment is a gold COMMITMENT span and its
committer is a head of a gold COMMITS relation to it, or both have none).
"""
import argparse
import json
import math
import sys
from pathlib import Path
from typing import Dict, List, Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WRITTEN = ROOT / "corpus" / "written" / "articles.jsonl"


def train_and_predict(out: Path, n_train: int, epochs: int) -> Path:
    from vi_officials.applications.predict import load_pipeline
    from vi_officials.corpus.convert import convert_records, doc_to_record, docs_to_docbin, split_paragraphs
    from vi_officials.corpus.validate import load_validated
    from vi_officials.training.train_cli import train

    records = load_validated(WRITTEN)
    docs, _ = convert_records([p for r in records[:n_train] for p in split_paragraphs(r) if p["spans"]], "scores")
    out.mkdir(parents=True, exist_ok=True)
    docs_to_docbin(docs[:-10]).to_disk(out / "train.spacy")
    docs_to_docbin(docs[-10:]).to_disk(out / "dev.spacy")
    train(out / "training", "cnn", "vinai/phobert-base", out / "train.spacy", out / "dev.spacy", seed=0,
          overrides={"training.max_epochs": epochs, "training.eval_frequency": 100})
    nlp = load_pipeline(str(out / "training" / "model-last"))
    predicted = out / "predicted.jsonl"
    with predicted.open("w", encoding="utf-8") as handle:
        for i, (doc, record) in enumerate(zip(nlp.pipe(r["text"] for r in records), records)):
            canonical = doc_to_record(doc, record["id"], record.get("meta", {}), with_scores=True)
            canonical["heldout"] = i >= n_train
            handle.write(json.dumps(canonical, ensure_ascii=False) + "\n")
    return predicted


def quantiles(values: Sequence[float]) -> str:
    xs = sorted(values)
    if not xs:
        return "n=0"
    at = lambda p: xs[min(len(xs) - 1, int(p * (len(xs) - 1) + 0.5))]
    return (f"n={len(xs)} p10={at(.1):.3f} p25={at(.25):.3f} median={at(.5):.3f} p75={at(.75):.3f} "
            f"share>=0.99={sum(x >= .99 for x in xs) / len(xs):.2f}")


def auc(values: Sequence[float], right: Sequence[bool]) -> float:
    pos = [v for v, r in zip(values, right) if r]
    neg = [v for v, r in zip(values, right) if not r]
    if not pos or not neg:
        return float("nan")
    return sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))


def is_right(row: Dict, gold: Dict) -> bool:
    spans = gold["spans"]
    heads = {(spans[r["head"]]["start"], spans[r["head"]]["end"]) for r in gold["relations"]
             if r["label"] == "COMMITS" and (spans[r["child"]]["start"], spans[r["child"]]["end"]) == (row["commitment_start"], row["commitment_end"])}
    if not any(s["label"] == "COMMITMENT" and (s["start"], s["end"]) == (row["commitment_start"], row["commitment_end"]) for s in spans):
        return False
    return (row["committer_start"], row["committer_end"]) in heads if row["committer_start"] >= 0 else not heads


def report(predicted: Path) -> List[str]:
    from vi_officials.applications.ledger.rows import ledger_rows

    gold = {json.loads(line)["id"]: json.loads(line) for line in WRITTEN.open(encoding="utf-8")}
    records = [json.loads(line) for line in predicted.open(encoding="utf-8")]
    lines = []
    for name, held in (("held-out", True), ("training", False)):
        rows, right = [], []
        for record in (r for r in records if r["heldout"] == held):
            for row in ledger_rows(record):
                rows.append(row)
                right.append(is_right(row, gold[record["id"]]))
        parts = lambda r: [x for x in (r["commitment_score"], r["commits_score"], r["assigned_score"]) if x is not None]
        candidates = {
            "commitment_score": [r["commitment_score"] for r in rows],
            "product": [math.prod(parts(r)) for r in rows],
            "minimum": [min(parts(r)) for r in rows],
        }
        lines.append(f"## {name}: {len(rows)} rows, {sum(right)} right")
        for column in ("commitment_score", "commits_score", "assigned_score", "deadline_score"):
            lines.append(f"{column:17} {quantiles([r[column] for r in rows if r[column] is not None])}")
        for label, values in candidates.items():
            lines.append(f"{label:17} AUC {auc(values, right):.3f}  {quantiles(values)}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--train", type=int, default=60, help="written articles to train on (the rest are held out)")
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--predicted", type=Path, default=None, help="score an earlier run's predictions instead of training")
    args = ap.parse_args(argv)
    predicted = args.predicted or train_and_predict(args.out, args.train, args.epochs)
    print("\n".join(report(predicted)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
