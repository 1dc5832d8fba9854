"""Leave-one-article-out cross-validation over the seed articles.

Each fold holds out one article as test (scikit-learn's `LeaveOneGroupOut`, grouped by
document id), uses one other article as dev for model selection, and trains on the rest
(plus any text written for the project, which is never tested on). Reports mean ± sd
per metric for the model and, on the same folds, for the peer baselines.
"""
import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence

from ..corpus.corpus_io import write_jsonl
from .metrics import flat_scores, mean_sd
from ..corpus.validate import load_validated


def fold_plan(records: Sequence[Dict]) -> List[Dict[str, List[Dict]]]:
    from sklearn.model_selection import LeaveOneGroupOut

    seeds = sorted((r for r in records if r.get("meta", {}).get("source") != "written"), key=lambda r: r["id"])
    written = [r for r in records if r.get("meta", {}).get("source") == "written"]
    if len(seeds) < 3:
        raise ValueError(f"cross-validation needs at least 3 seed documents, got {len(seeds)}")
    groups = [r["id"] for r in seeds]
    folds = []
    for train_idx, test_idx in LeaveOneGroupOut().split(seeds, groups=groups):
        test = [seeds[i] for i in test_idx]
        # dev: the article after the test article (cyclically), so each serves once
        dev_i = (test_idx[0] + 1) % len(seeds)
        dev = [seeds[dev_i]]
        train = [seeds[i] for i in train_idx if i != dev_i] + written
        folds.append({"train": train, "dev": dev, "test": test})
    return folds


def crossval(gold_paths: Sequence[Path], output: Path, backbone: str = "cnn", transformer: str = "vinai/phobert-base", seed: int = 0, max_epochs: int = 0, baselines: Sequence[str] = ("rules", "underthesea"), config: Path = None) -> Dict:
    from ..corpus.convert import convert_records, docs_to_docbin, split_paragraphs
    from .evaluate import evaluate
    from ..training.train_cli import train

    records = [r for p in gold_paths for r in load_validated(p)]
    folds = fold_plan(records)
    output.mkdir(parents=True, exist_ok=True)
    results = {"backbone": None, "folds": []}
    for k, fold in enumerate(folds):
        test_id = fold["test"][0]["id"]
        print(f"=== fold {k + 1}/{len(folds)}: test {test_id}, dev {fold['dev'][0]['id']}", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            train_docs, _ = convert_records([p for r in fold["train"] for p in split_paragraphs(r)], "fold-train")
            dev_docs, _ = convert_records(fold["dev"], "fold-dev")
            docs_to_docbin(train_docs).to_disk(tmp / "train.spacy")
            docs_to_docbin(dev_docs).to_disk(tmp / "dev.spacy")
            write_jsonl(tmp / "test.jsonl", fold["test"])
            overrides = {"training.max_epochs": max_epochs} if max_epochs else {}
            used = train(tmp / "training", backbone, transformer, tmp / "train.spacy", tmp / "dev.spacy", seed, overrides=overrides, config=config)
            results["backbone"] = used
            metrics = evaluate(tmp / "test.jsonl", output / f"fold{k + 1}", model=str(tmp / "training" / "model-best"), baselines=baselines, n_bootstrap=0)
        fold_result = {"test": test_id, "dev": fold["dev"][0]["id"], "model": flat_scores(metrics["model"]), "baselines": {n: flat_scores(s) for n, s in metrics["baselines"].items()}}
        results["folds"].append(fold_result)
        print(f"fold {k + 1}: " + ", ".join(f"{m} {100 * v:.1f}" for m, v in fold_result["model"].items() if "micro" in m or "exact" in m), flush=True)
    systems = {"model": [f["model"] for f in results["folds"]]}
    for name in results["folds"][0]["baselines"]:
        systems[name] = [f["baselines"][name] for f in results["folds"]]
    results["summary"] = {system: mean_sd(rows) for system, rows in systems.items()}
    (output / "crossval.json").write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    table = crossval_table(results)
    (output / "crossval.md").write_text(table, encoding="utf-8")
    print(table)
    return results


def crossval_table(results: Dict) -> str:
    summary = results["summary"]
    systems = list(summary)
    metrics = list(summary["model"])
    names = {"model": f"pipeline ({results['backbone']})"}
    lines = [
        f"Leave-one-article-out cross-validation, {len(results['folds'])} folds (mean ± sd of per-fold F1, %)",
        "",
        "| metric | " + " | ".join(names.get(s, s) for s in systems) + " |",
        "|---|" + "---|" * len(systems),
    ]
    for m in metrics:
        lines.append(f"| {m} | " + " | ".join(f"{100 * summary[s][m][0]:.1f} ± {100 * summary[s][m][1]:.1f}" for s in systems) + " |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="+", type=Path)
    parser.add_argument("--output", type=Path, default=Path("reports/crossval"))
    parser.add_argument("--backbone", default="cnn", choices=["auto", "phobert", "cnn"])
    parser.add_argument("--transformer", default="vinai/phobert-base")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-epochs", type=int, default=0, help="override the config's max_epochs (0: keep)")
    parser.add_argument("--baselines", default="rules,underthesea")
    parser.add_argument("--config", type=Path, default=None, help="training config (default: the backbone's config in configs/)")
    args = parser.parse_args(argv)
    crossval(args.gold, args.output, args.backbone, args.transformer, args.seed, args.max_epochs, [b for b in args.baselines.split(",") if b], args.config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
