"""Does the order of the training examples move the dev-set score? Train on the same text in
file order ("file", what `convert` writes) or with the written articles shuffled ("shuffled",
the learning curve's order), with one seed, and score both model-best and model-last.

    python scripts/order_check.py --order shuffled --shuffle-seed 0 --seed 0 --output reports/order/shuffled-0

Prints one line with the four scores per model; run it per order and seed.
"""
import argparse
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCORES = ("entities micro F", "ORG F", "COMMITMENT overlap F", "relations e2e micro F")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--order", choices=["file", "shuffled"], required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shuffle-seed", type=int, default=0, help="with --order shuffled: 0 is the learning curve's order")
    parser.add_argument("--devset", type=Path, default=ROOT.parent / "shared" / "dev" / "devset-v1.2.jsonl")
    parser.add_argument("--output", type=Path, required=True)
    args = parser.parse_args()

    from vi_officials.corpus.convert import convert_records, docs_to_docbin, split_documents, split_paragraphs
    from vi_officials.corpus.validate import load_validated
    from vi_officials.evaluation.evaluate import evaluate
    from vi_officials.evaluation.metrics import flat_scores
    from vi_officials.training.train_cli import train

    records = [r for name in ("gold.jsonl", "written/written.jsonl") for r in load_validated(ROOT / "corpus" / name)]
    articles = load_validated(ROOT / "corpus" / "written" / "articles.jsonl")
    if args.order == "shuffled":
        random.Random(args.shuffle_seed).shuffle(articles)
    splits = split_documents(records, 0)
    train_docs, _ = convert_records([p for r in splits["train"] + articles for p in split_paragraphs(r)], "order-check")
    dev_docs, _ = convert_records(splits["dev"], "order-check-dev")
    args.output.mkdir(parents=True, exist_ok=True)
    docs_to_docbin(train_docs).to_disk(args.output / "train.spacy")
    docs_to_docbin(dev_docs).to_disk(args.output / "dev.spacy")
    train(args.output / "training", "cnn", train_path=args.output / "train.spacy", dev_path=args.output / "dev.spacy", seed=args.seed, overrides={})
    result = {}
    for model in ("model-best", "model-last"):
        metrics = evaluate(args.devset, args.output / f"report-{model}", model=str(args.output / "training" / model), baselines=(), n_bootstrap=0)
        result[model] = {k: round(100 * v, 1) for k, v in flat_scores(metrics["model"]).items() if k in SCORES}
    (args.output / "result.json").write_text(json.dumps({"order": args.order, "shuffle_seed": args.shuffle_seed, "seed": args.seed, **result}, ensure_ascii=False, indent=2), encoding="utf-8")
    order = args.order if args.order == "file" else f"shuffled ({args.shuffle_seed})"
    print(f"order {order}, seed {args.seed}: " + "; ".join(f"{m}: " + ", ".join(f"{k} {v}" for k, v in r.items()) for m, r in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
