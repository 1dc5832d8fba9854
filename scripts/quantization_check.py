"""Score change from int8 dynamic quantisation of a trained PhoBERT or e5 pipeline.

    python scripts/quantization_check.py training/model-last corpus/test.jsonl

Evaluates the pipeline on the file as it is and again after
`torch.quantization.quantize_dynamic` (Linear layers to int8), and prints both
headline scores (F1 in %, the ledger's view included) and the inference time of each run.
"""
import argparse
import json
import sys
import time
from pathlib import Path


HEADLINE = ("entities micro F", "COMMITMENT exact F", "COMMITMENT overlap F", "relations e2e micro F", "relations overlap micro F", "ledger rows: committer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("data", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from vi_officials.evaluation.metrics import flat_scores, score
    from vi_officials.components.phobert import quantize_dynamic_int8
    from vi_officials.applications.predict import load_pipeline, predict_records
    from vi_officials.corpus.validate import load_for_scoring

    gold, _warnings = load_for_scoring(args.data)  # like evaluate: a valid file is never refused
    nlp = load_pipeline(args.model)
    rows = {}
    for mode in ("float32", "int8"):
        if mode == "int8" and not quantize_dynamic_int8(nlp):
            print("no PhoBERT or e5 encoder in this pipeline: nothing to quantise", file=sys.stderr)
            return 1
        start = time.perf_counter()
        pred = predict_records(nlp, gold)
        seconds = time.perf_counter() - start
        s = score(gold, pred)
        flat = flat_scores(s)
        rows[mode] = {"seconds": round(seconds, 1), **{k: round(100 * flat[k], 1) for k in HEADLINE}}
    print(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
