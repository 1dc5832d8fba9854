"""Speed and memory benchmark: CNN pipeline, a PhoBERT-base-sized pipeline (random
weights: speed does not depend on them), its int8 dynamic-quantised variant, and
underthesea.ner, all on the same text and the same cores.

    python scripts/benchmark.py --model training/model-last --output reports/benchmark.md

Each measurement runs in its own process so that peak memory (max RSS) is its own.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def bench_texts(n_syllables: int):
    from vi_officials.corpus.corpus_io import read_jsonl

    paragraphs = [p for r in read_jsonl(ROOT / "corpus" / "gold.jsonl") for p in r["text"].split("\n") if p.strip()]
    texts, total, i = [], 0, 0
    while total < n_syllables:
        p = paragraphs[i % len(paragraphs)]
        texts.append(p)
        total += len(p.split())
        i += 1
    return texts, total


def child(args) -> dict:
    import torch

    torch.set_num_threads(args.threads)
    os.environ["HF_HUB_OFFLINE"] = "1"
    texts, n_syll = bench_texts(args.syllables)
    components = {}
    if args.kind == "underthesea":
        from underthesea import ner

        ner("Khởi động.")
        start = time.perf_counter()
        for t in texts:
            ner(t)
        elapsed = time.perf_counter() - start
    else:
        import spacy

        import vi_officials  # noqa: F401

        if args.kind == "cnn":
            nlp = spacy.load(args.model)
        else:
            nlp = phobert_pipeline(Path(args.phobert_dir), quantize=args.kind == "phobert-int8")
        list(nlp.pipe(texts[:4]))
        start = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=args.batch_size):
            pass
        elapsed = time.perf_counter() - start
        components = component_seconds(nlp, texts, args.batch_size) if args.kind == "cnn" else {}
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {"kind": args.kind, "syllables": n_syll, "seconds": elapsed, "syllables_per_s": n_syll / elapsed, "peak_rss_mb": rss}
    if components:
        result["components"] = components
    return result


def component_seconds(nlp, texts, batch_size: int) -> dict:
    """Seconds per stage on the same texts, run stage by stage after the timed pass (the
    lexemes already exist then, so the tokenizer row is a little low)."""
    start = time.perf_counter()
    docs = [nlp.make_doc(t) for t in texts]
    seconds = {"tokenizer": time.perf_counter() - start}
    for name, proc in nlp.pipeline:
        start = time.perf_counter()
        docs = list(proc.pipe(docs, batch_size=batch_size))
        seconds[name] = time.perf_counter() - start
    return seconds


def phobert_pipeline(model_dir: Path, quantize: bool = False):
    """configs/phobert.cfg on `model_dir`, initialised on a few training paragraphs."""
    from spacy import util
    from spacy.training import Example

    from vi_officials.corpus.convert import blank_nlp, record_to_doc, split_paragraphs
    from vi_officials.corpus.corpus_io import read_jsonl
    from vi_officials.components.phobert import quantize_dynamic_int8

    config = util.load_config(ROOT / "configs" / "phobert.cfg", overrides={"paths.transformer": str(model_dir)}, interpolate=False)
    nlp = util.load_model_from_config(config, auto_fill=True, validate=True)
    helper = blank_nlp()
    records = [p for r in read_jsonl(ROOT / "corpus" / "gold.jsonl")[:1] for p in split_paragraphs(r)][:4]
    examples = [Example(nlp.make_doc(r["text"]), record_to_doc(helper, r)) for r in records]
    nlp.initialize(lambda: examples)
    if quantize:
        quantize_dynamic_int8(nlp)
    return nlp


def train_epoch_seconds(backbone: str, transformer: str, epochs: int) -> float:
    """Wall time per epoch of `spacy train` on the corpus training split (init excluded)."""
    import tempfile

    out = Path(tempfile.mkdtemp())
    cmd = [sys.executable, "-m", "vi_officials.training.train_cli", "--output", str(out), "--backbone", backbone, "--transformer", transformer, "--max-epochs", str(epochs)]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total = time.perf_counter() - start
    cmd[-1] = "1"
    start = time.perf_counter()
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    one = time.perf_counter() - start
    return (total - one) / max(1, epochs - 1)


def train_size() -> str:
    """What one training epoch covers, counted from the split file itself."""
    import spacy
    from spacy.tokens import DocBin

    docs = list(DocBin().from_disk(ROOT / "corpus" / "train.spacy").get_docs(spacy.blank("vi").vocab))
    return f"{len(docs)} paragraphs, {sum(len(d) for d in docs):,} tokens"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="training/model-last", help="trained CNN pipeline (directory or package name)")
    parser.add_argument("--output", type=Path, default=Path("reports/benchmark.md"))
    parser.add_argument("--syllables", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--phobert-dir", default="assets/phobert-base-random")
    parser.add_argument("--skip", default="", help="comma-separated kinds to skip: cnn, phobert, phobert-int8, underthesea, train, train-phobert")
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.kind:
        print(json.dumps(child(args)))
        return 0
    skip = set(args.skip.split(","))
    if not ({"phobert", "phobert-int8"} <= skip) and not (ROOT / args.phobert_dir / "config.json").exists():
        print(f"building a randomly initialised PhoBERT-base-sized model in {args.phobert_dir} ...", flush=True)
        subprocess.run([sys.executable, "-m", "vi_officials.training.tiny_phobert", args.phobert_dir, "--size", "base", "--corpus", "corpus/gold.jsonl"], check=True, cwd=ROOT)
    results = []
    for kind in ("cnn", "phobert", "phobert-int8", "underthesea"):
        if kind in skip:
            continue
        print(f"measuring {kind} ...", flush=True)
        cmd = [sys.executable, __file__, "--kind", kind, "--model", args.model, "--syllables", str(args.syllables), "--threads", str(args.threads), "--batch-size", str(args.batch_size), "--phobert-dir", args.phobert_dir]
        env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
        out = subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True, text=True, env=env)
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(results[-1], flush=True)
    epochs = {}
    if "train" not in skip:
        print("timing training epochs (CNN) ...", flush=True)
        epochs["CNN pipeline"] = train_epoch_seconds("cnn", "x", 3)
    if "train-phobert" not in skip:
        print("timing training epochs (PhoBERT-base-sized) ...", flush=True)
        epochs["PhoBERT-base-sized pipeline (random weights)"] = train_epoch_seconds("phobert", str(ROOT / args.phobert_dir), 2)
    names = {"cnn": "CNN pipeline (this project)", "phobert": "PhoBERT-base-sized pipeline (random weights)", "phobert-int8": "PhoBERT-base-sized, int8 dynamic quantisation", "underthesea": "underthesea.ner"}
    base = next((r["syllables_per_s"] for r in results if r["kind"] == "underthesea"), None)
    lines = [
        f"Inference on {results[0]['syllables'] if results else args.syllables} syllables of the seed articles, {args.threads} threads, `nlp.pipe(batch_size={args.batch_size})`; peak memory is the process's max RSS (model load included).",
        "",
        "| system | syllables/s | peak memory (MB) | vs underthesea.ner |",
        "|---|---|---|---|",
    ]
    for r in results:
        ratio = f"{r['syllables_per_s'] / base:.1f}×" if base else "–"
        lines.append(f"| {names[r['kind']]} | {r['syllables_per_s']:.0f} | {r['peak_rss_mb']:.0f} | {ratio} |")
    for r in results:
        if r.get("components"):
            total = sum(r["components"].values())
            lines += ["", f"Where the {names[r['kind']]}'s time goes (each stage run alone over the same texts, after the timed pass):", "", "| stage | seconds | share |", "|---|---|---|"]
            lines += [f"| {k} | {v:.3f} | {100 * v / total:.0f}% |" for k, v in r["components"].items()]
    if epochs:
        lines += ["", f"Training on the train split (`corpus/train.spacy`, {train_size()}), {args.threads} cores:", "", "| training | seconds per epoch |", "|---|---|"] + [f"| {k} | {v:.1f} |" for k, v in epochs.items()]
    text = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
