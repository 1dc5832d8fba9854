"""Speed and memory of the e5 backbone on the CPU cores given (default 2).

    python scripts/e5_speed.py train --e5 assets/e5-small-vi --freeze 0 --batches 4
    python scripts/e5_speed.py predict --e5 assets/e5-small-vi [--int8] [--layers N]
    python scripts/e5_speed.py predict --model training/model-last [--int8]
    python scripts/e5_speed.py unk --e5 assets/e5-small-vi FILE.jsonl

`train` times a few real training batches (the first is a warm-up and not counted) of
`corpus/train.spacy` as `spacy train` would cut them, and extrapolates to an epoch.
`predict` runs the full pipeline (a trained one with `--model`, else untrained heads:
speed does not depend on their weights) over the held-out split's paragraphs and reports syllables/s. Peak memory is this process's
max RSS, so run one measurement per process. `unk` gives the share of unknown pieces
when the pipeline cuts a JSONL file's texts into pieces.
"""
import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_nlp(e5: str, freeze: int, features: bool, layers: int = 0):
    import spacy
    from spacy.training import Corpus

    import vi_officials  # noqa: F401
    from vi_officials.training.train_cli import e5_overrides

    config = spacy.util.load_config(ROOT / "configs" / "e5.cfg", overrides={
        "paths.train": str(ROOT / "corpus" / "train.spacy"), "paths.dev": str(ROOT / "corpus" / "dev.spacy"), **e5_overrides(e5, freeze, features, layers)
    }, interpolate=False)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    corpus = Corpus(ROOT / "corpus" / "train.spacy")
    examples = list(corpus(nlp))
    nlp.initialize(lambda: examples)
    return nlp, examples, config


def cpu_seconds() -> float:
    """User + system CPU time of this process: with other jobs on the cores, CPU time / 2
    estimates the wall time on 2 free cores (perfect scaling; a lower bound)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def train(args) -> dict:
    import random

    from spacy.training.batchers import minibatch_by_words
    from thinc.api import Adam

    nlp, examples, _ = load_nlp(args.e5, args.freeze, args.features, args.layers)
    n_words = sum(len(eg.reference) for eg in examples)
    random.Random(0).shuffle(examples)
    optimizer = Adam(1e-4, L2=0.01, grad_clip=1.0)
    batches = list(minibatch_by_words(examples, size=args.words, tolerance=0.2))[: args.batches + 1]
    times, cpu, words = [], [], []
    for i, batch in enumerate(batches):
        start, start_cpu = time.perf_counter(), cpu_seconds()
        nlp.update(batch, sgd=optimizer, drop=0.2, losses={}, annotates=["word_tagger"] if args.features else [])
        if i:  # the first batch warms up caches and allocators
            times.append(time.perf_counter() - start)
            cpu.append(cpu_seconds() - start_cpu)
            words.append(sum(len(eg.reference) for eg in batch))
    per_word = sum(times) / sum(words)
    return {
        "freeze": args.freeze, "features": args.features, "batch_words": args.words, "batches_timed": len(times),
        "seconds_per_batch": round(sum(times) / len(times), 2), "train_words": n_words,
        "epoch_seconds_estimate": round(per_word * n_words), "cpu_seconds_per_batch": round(sum(cpu) / len(cpu), 2),
        "epoch_seconds_on_2_free_cores": round(sum(cpu) / sum(words) * n_words / 2), "peak_rss_mb": round(rss_mb()),
    }


def predict(args) -> dict:
    from vi_officials.components.e5 import quantize_dynamic_int8
    from vi_officials.corpus.corpus_io import read_jsonl

    if args.model:  # a trained pipeline, as shipped
        import spacy

        import vi_officials  # noqa: F401  (registers the components)

        nlp = spacy.load(args.model)
    else:
        nlp, _, _ = load_nlp(args.e5, -1, args.features, args.layers)
    if args.int8:
        quantize_dynamic_int8(nlp)
    texts = [p for r in read_jsonl(ROOT / "corpus" / "test.jsonl") for p in r["text"].split("\n") if p.strip()]
    texts = texts * max(1, -(-args.syllables // sum(len(t.split()) for t in texts)))
    n_syllables = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:4]))
    start, start_cpu = time.perf_counter(), cpu_seconds()
    for _ in nlp.pipe(texts, batch_size=args.batch_size):
        pass
    elapsed, cpu = time.perf_counter() - start, cpu_seconds() - start_cpu
    setting = {"model": args.model} if args.model else {"features": args.features, "layers": args.layers}
    return {**setting, "int8": args.int8, "syllables": n_syllables, "seconds": round(elapsed, 1),
            "syllables_per_second": round(n_syllables / elapsed), "syllables_per_second_on_2_free_cores": round(n_syllables / (cpu / 2)),
            "peak_rss_mb": round(rss_mb())}


def unk(args) -> dict:
    from transformers import AutoTokenizer

    from vi_officials.components.e5 import _DocPlan
    from vi_officials.corpus.convert import blank_nlp
    from vi_officials.corpus.corpus_io import read_jsonl

    tokenizer = AutoTokenizer.from_pretrained(args.e5)
    nlp = blank_nlp()
    pieces = unknown = syllables = 0
    for record in read_jsonl(args.file):
        doc = nlp.make_doc(record["text"])
        plan = _DocPlan(doc, tokenizer, {}, 510, 384)
        pieces += len(plan.ids)
        unknown += sum(1 for i in plan.ids if i == tokenizer.unk_token_id)
        syllables += sum(1 for t in doc if not t.is_space)
    return {"tokens": syllables, "pieces": pieces, "pieces_per_token": round(pieces / syllables, 3),
            "unknown_pieces": unknown, "unknown_rate": round(unknown / pieces, 5)}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["train", "predict", "unk"])
    parser.add_argument("file", nargs="?")
    parser.add_argument("--e5", default="assets/e5-small-vi")
    parser.add_argument("--freeze", type=int, default=0, help="train: lower N layers fixed (-1: all)")
    parser.add_argument("--layers", type=int, default=0, help="keep only the lower N layers (0: all)")
    parser.add_argument("--model", default=None, help="predict: time this trained pipeline instead of untrained heads")
    parser.add_argument("--features", action="store_true")
    parser.add_argument("--int8", action="store_true")
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--words", type=int, default=1000, help="words per training batch (spacy's batcher reaches 1000)")
    parser.add_argument("--syllables", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    os.environ["HF_HUB_OFFLINE"] = "1"
    result = {"train": train, "predict": predict, "unk": unk}[args.what](args)
    result["load_average_1min"] = round(os.getloadavg()[0], 1)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
