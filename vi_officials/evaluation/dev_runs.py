"""Training runs scored on the real-news dev set: seed spread and the learning curve.

    python -m vi_officials.evaluation.dev_runs seeds --devset DEV.jsonl --seeds 0,1,2,3,4 --output reports/dev/seeds
    python -m vi_officials.evaluation.dev_runs curve --devset DEV.jsonl --gold corpus/gold.jsonl corpus/written/written.jsonl \
        --articles corpus/written/articles.jsonl --fractions 0,25,50,100 --seeds 0 --output reports/dev/curve

One training seed is not a measurement on twelve documents: the scores move by several
points between seeds, so every figure here is a mean ± sd over seeds. The dev set is only
ever scored, never trained on or used to pick a model.
"""
import argparse
import json
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Sequence

from ..corpus.corpus_io import CorpusError
from .metrics import flat_scores, mean_sd


def train_and_score(train_path: Path, dev_path: Path, devset: Path, seed: int, workdir: Path, overrides: Dict = None, config: Path = None, model="model-best", backbone: str = "cnn") -> Dict:
    """Train the pipeline (`backbone`: cnn or e5) with one seed and score `model`
    (model-best, model-last, or a list of both: one training, each checkpoint scored) on
    the dev set."""
    from .evaluate import evaluate
    from ..training.train_cli import train

    train(workdir / "training", backbone, train_path=train_path, dev_path=dev_path, seed=seed, overrides=overrides or {}, config=config)
    if isinstance(model, str):
        return evaluate(devset, workdir / "report", model=str(workdir / "training" / model), baselines=(), n_bootstrap=0)
    return {m: evaluate(devset, workdir / f"report-{m}", model=str(workdir / "training" / m), baselines=(), n_bootstrap=0) for m in model}


def run_seeds(train_path: Path, dev_path: Path, devset: Path, seeds: Sequence[int], output: Path, config: Path = None, overrides: Dict = None, model: str = "model-best", keep: Path = None, backbone: str = "cnn") -> Dict:
    """Train once per seed and score each of the comma-separated checkpoints in `model`;
    one table per checkpoint (seeds.md, or seeds-<checkpoint>.md for several)."""
    models = [m.strip() for m in str(model).split(",") if m.strip()]
    output.mkdir(parents=True, exist_ok=True)
    runs: Dict[str, List[Dict]] = {m: [] for m in models}
    for seed in seeds:
        print(f"=== training seed {seed}", flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            by_model = train_and_score(train_path, dev_path, devset, seed, Path(tmp), overrides, config, models, backbone)
            if keep:
                for m in models:
                    shutil.copytree(Path(tmp) / "training" / m, keep / (f"seed{seed}" if len(models) == 1 else f"seed{seed}-{m}"), dirs_exist_ok=True)
        for m in models:
            row = flat_scores(by_model[m]["model"])
            runs[m].append({"seed": seed, **row})
            print(f"seed {seed} {m}: " + ", ".join(f"{k} {100 * v:.1f}" for k, v in row.items()), flush=True)
    results = {}
    for m in models:
        summary = mean_sd([{k: v for k, v in r.items() if k != "seed"} for r in runs[m]])
        result = {"devset": str(devset), "train": str(train_path), "model_selection": str(dev_path), "model": m, "backbone": backbone, "overrides": overrides or {}, "config": str(config or f"configs/{backbone}.cfg"), "runs": runs[m], "summary": summary}
        stem = "seeds" if len(models) == 1 else f"seeds-{m}"
        (output / f"{stem}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        table = seeds_table(result)
        (output / f"{stem}.md").write_text(table, encoding="utf-8")
        print(table)
        results[m] = result
    return results[models[0]] if len(models) == 1 else results


def seeds_table(result: Dict) -> str:
    runs = result["runs"]
    lines = [
        f"Dev set `{result['devset']}`, {result.get('backbone', 'cnn')} backbone, {result.get('model', 'model-best')}, training seeds {', '.join(str(r['seed']) for r in runs)} (F1 in %; ledger rows: share of gold rows)" + (f"; overrides {result['overrides']}" if result.get("overrides") else ""),
        "",
        "| metric | mean ± sd | " + " | ".join(f"seed {r['seed']}" for r in runs) + " |",
        "|---|---|" + "---|" * len(runs),
    ]
    for k, (m, sd) in result["summary"].items():
        lines.append(f"| {k} | {100 * m:.1f} ± {100 * sd:.1f} | " + " | ".join(f"{100 * r[k]:.1f}" for r in runs) + " |")
    return "\n".join(lines) + "\n"


def run_curve(gold_paths: Sequence[Path], articles: Path, devset: Path, fractions: Sequence[int], seeds: Sequence[int], output: Path, split_seed: int = 0) -> Dict:
    """Train on the seeds' train split (plus any other written text given) and the first
    `fraction`% of the written articles in a fixed shuffled order, for each seed."""
    from ..corpus.convert import convert_records, docs_to_docbin, split_documents, split_paragraphs
    from ..corpus.validate import load_validated

    records = [r for p in gold_paths for r in load_validated(p)]
    pool = load_validated(articles)
    random.Random(split_seed).shuffle(pool)
    splits = split_documents(records, split_seed)
    output.mkdir(parents=True, exist_ok=True)
    points = []
    with tempfile.TemporaryDirectory() as data:
        data = Path(data)
        dev_docs, _ = convert_records(splits["dev"], "curve-dev")
        docs_to_docbin(dev_docs).to_disk(data / "dev.spacy")
        for fraction in fractions:
            chosen = pool[: round(len(pool) * fraction / 100)]
            train_docs, _ = convert_records([p for r in splits["train"] + chosen for p in split_paragraphs(r)], "curve-train")
            docs_to_docbin(train_docs).to_disk(data / "train.spacy")
            runs = []
            for seed in seeds:
                print(f"=== {fraction}% of the written articles ({len(chosen)}), seed {seed}", flush=True)
                with tempfile.TemporaryDirectory() as tmp:
                    metrics = train_and_score(data / "train.spacy", data / "dev.spacy", devset, seed, Path(tmp))
                runs.append(flat_scores(metrics["model"]))
                print(f"{fraction}% seed {seed}: " + ", ".join(f"{k} {100 * v:.1f}" for k, v in runs[-1].items() if "micro" in k or "overlap" in k), flush=True)
            syllables = sum(len(r["text"].split()) for r in chosen)
            points.append({"fraction": fraction, "articles": len(chosen), "syllables": syllables, "runs": runs, "summary": mean_sd(runs)})
    result = {"devset": str(devset), "seeds": list(seeds), "points": points}
    (output / "curve.json").write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    table = curve_table(result)
    (output / "curve.md").write_text(table, encoding="utf-8")
    plot_curve(result, output / "curve.png")
    print(table)
    print(f"wrote {output}/curve.json, curve.md, curve.png")
    return result


CURVE_METRICS = ("entities micro F", "COMMITMENT overlap F", "relations e2e micro F")


def curve_table(result: Dict) -> str:
    lines = [
        f"Learning curve on the dev set `{result['devset']}`: seeds' train split plus a share of the written articles; mean ± sd over training seeds {', '.join(map(str, result['seeds']))} (F1 in %)",
        "",
        "| written articles | syllables added | " + " | ".join(CURVE_METRICS) + " |",
        "|---|---|" + "---|" * len(CURVE_METRICS),
    ]
    for p in result["points"]:
        lines.append(f"| {p['fraction']}% ({p['articles']}) | {p['syllables']:,} | " + " | ".join(f"{100 * p['summary'][m][0]:.1f} ± {100 * p['summary'][m][1]:.1f}" for m in CURVE_METRICS) + " |")
    return "\n".join(lines) + "\n"


def plot_curve(result: Dict, path: Path) -> None:
    from ..extras import require

    matplotlib = require("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4))
    xs = [p["fraction"] for p in result["points"]]
    for metric in CURVE_METRICS:
        means = [100 * p["summary"][metric][0] for p in result["points"]]
        sds = [100 * p["summary"][metric][1] for p in result["points"]]
        ax.errorbar(xs, means, yerr=sds, marker="o", capsize=3, label=metric)
    ax.set_xlabel("share of the written articles in training (%)")
    ax.set_ylabel("dev-set F1 (%)")
    ax.set_xticks(xs)
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right", fontsize=8)
    ax.set_title(f"Dev set, CNN, mean ± sd over {len(result['seeds'])} seed(s)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _ints(text: str) -> List[int]:
    return [int(x) for x in str(text).split(",") if x.strip()]


def _settings(items: Sequence[str]) -> Dict[str, object]:
    out: Dict[str, object] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: --set {item!r}: expected KEY=VALUE")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    seeds = sub.add_parser("seeds", help="train once per seed on the converted splits and score each model on the dev set")
    seeds.add_argument("--devset", type=Path, required=True)
    seeds.add_argument("--train", type=Path, default=Path("corpus/train.spacy"))
    seeds.add_argument("--dev", type=Path, default=Path("corpus/dev.spacy"), help="the split used for model selection")
    seeds.add_argument("--seeds", default="0,1,2,3,4")
    seeds.add_argument("--backbone", default="cnn", choices=["cnn", "e5", "auto"], help="e5: configs/e5.cfg with its defaults; auto: e5 when assets/e5-small-vi is converted, else cnn")
    seeds.add_argument("--config", type=Path, default=None)
    seeds.add_argument("--max-epochs", type=int, default=0, help="override the config's max_epochs (0: keep)")
    seeds.add_argument("--model", default="model-best", help="model-best, model-last, or both comma-separated (one training, both scored)")
    seeds.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="config override, e.g. components.relation_extractor.span_noise=0.3 (VALUE read as JSON when it parses)")
    seeds.add_argument("--keep", type=Path, default=None, help="keep each seed's model in KEEP/seed<N>")
    seeds.add_argument("--output", type=Path, default=Path("reports/dev/seeds"))
    curve = sub.add_parser("curve", help="dev-set scores against the share of written articles in training")
    curve.add_argument("--devset", type=Path, required=True)
    curve.add_argument("--gold", type=Path, nargs="+", required=True, help="seed gold (and other written text always trained on)")
    curve.add_argument("--articles", type=Path, required=True)
    curve.add_argument("--fractions", default="0,25,50,100")
    curve.add_argument("--seeds", default="0")
    curve.add_argument("--output", type=Path, default=Path("reports/dev/curve"))
    args = parser.parse_args(argv)
    if not args.devset.exists():
        print(f"{args.devset} is absent: no dev-set runs")
        return 0
    try:
        if args.command == "seeds":
            overrides = {"training.max_epochs": args.max_epochs} if args.max_epochs else {}
            overrides.update(_settings(args.set))
            if any(m not in ("model-best", "model-last") for m in args.model.split(",")):
                parser.error(f"--model {args.model!r}: use model-best, model-last or both")
            backbone = args.backbone
            if backbone == "auto":  # the PhoBERT path is not studied over seeds here
                from ..training.train_cli import DEFAULT_E5, e5_ready

                backbone = "e5" if e5_ready(DEFAULT_E5) else "cnn"
            run_seeds(args.train, args.dev, args.devset, _ints(args.seeds), args.output, args.config, overrides, args.model, args.keep, backbone)
        else:
            run_curve(args.gold, args.articles, args.devset, _ints(args.fractions), _ints(args.seeds), args.output)
    except (CorpusError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
