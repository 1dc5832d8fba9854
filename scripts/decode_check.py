"""Score trained pipelines on a dev set under span_tagger decoding variants, without
retraining: argmax vs constrained (Viterbi) decoding, and the start-word lists.

    python scripts/decode_check.py MODEL [MODEL …] --devset ../shared/dev/devset-v1.2.jsonl

Prints mean ± sd over the models (one per training seed) for each variant.
"""
import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vi_officials.evaluation.metrics import flat_scores, mean_sd  # noqa: E402

TRIM = ["cần", "phải", "sẽ", "được"]
REJECT = ["đã", "vừa", "đang", "nhằm", "để", "cảm ơn", "chúc mừng"]
VARIANTS = {
    "argmax": {"decode": "argmax", "trim_starts": [], "reject_starts": []},
    "viterbi": {"decode": "viterbi", "trim_starts": [], "reject_starts": []},
    "viterbi + start words": {"decode": "viterbi", "trim_starts": TRIM, "reject_starts": REJECT},
}
SHOWN = ("entities micro F", "COMMITMENT exact F", "COMMITMENT overlap F", "COMMITMENT overlap P", "relations e2e micro F", "relations overlap micro F", "ledger rows: committer", "ledger rows: all")


def main(argv=None) -> int:
    from vi_officials.applications.predict import load_pipeline, predict_records
    from vi_officials.corpus.validate import load_for_scoring
    from vi_officials.evaluation.metrics import score

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--devset", type=Path, required=True)
    parser.add_argument("--output", type=Path, default=None, help="write every variant's per-model scores here (JSON)")
    args = parser.parse_args(argv)
    gold, _ = load_for_scoring(args.devset)
    rows = {name: [] for name in VARIANTS}
    for model in args.models:
        nlp = load_pipeline(model)
        tagger = nlp.get_pipe("span_tagger")
        for name, cfg in VARIANTS.items():
            tagger.cfg.update(cfg)
            rows[name].append(flat_scores(score(gold, predict_records(nlp, gold))))
            print(f"{model} {name}: " + ", ".join(f"{k} {100 * rows[name][-1][k]:.1f}" for k in SHOWN), flush=True)
    if args.output:
        import json

        args.output.write_text(json.dumps({"devset": str(args.devset), "models": args.models, "variants": rows}, ensure_ascii=False, indent=2), encoding="utf-8")
    print("\n| variant | " + " | ".join(SHOWN) + " |\n|---|" + "---|" * len(SHOWN))
    for name, runs in rows.items():
        summary = mean_sd(runs)
        print(f"| {name} | " + " | ".join(f"{100 * summary[k][0]:.1f} ± {100 * summary[k][1]:.1f}" for k in SHOWN) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
