"""Print the README's result tables from the reports the project commands wrote, so that
every number in the README is one the code printed.

    python scripts/readme_tables.py   # after crossval, evaluate, evaluate-dev, dev-seeds, learning-curve
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vi_officials.evaluation.metrics import flat_scores  # noqa: E402

METRICS = ("OFFICIAL F", "TITLE F", "ORG F", "DATE F", "entities micro F", "COMMITMENT exact F", "COMMITMENT overlap F",
           "HAS_TITLE e2e F", "COMMITS e2e F", "ASSIGNED_TO e2e F", "DEADLINE e2e F", "relations e2e micro F")


def load(path):
    path = ROOT / path
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def pct(x):
    return f"{100 * x:.1f}"


def pm(pair):
    return f"{100 * pair[0]:.1f} ± {100 * pair[1]:.1f}"


def main() -> int:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    seeds, dev, cv = load("reports/dev/seeds/seeds.json"), load("reports/dev/metrics.json"), load("reports/crossval/crossval.json")
    print(f"<!-- tables printed by scripts/readme_tables.py at commit {commit} -->\n")
    if seeds and dev and cv:
        base = dev["baselines"]
        n = len(seeds["runs"])
        print(f"| metric (F1, %) | dev set: pipeline, mean ± sd over {n} seeds | dev: rule baseline | dev: underthesea.ner | seeds CV: pipeline | seeds CV: rule baseline | seeds CV: underthesea.ner |")
        print("|---|---|---|---|---|---|---|")
        rules, uts = flat_scores(base["rule baseline"]), flat_scores(base["underthesea.ner"])
        summary = cv["summary"]
        entity_only = {m for m in METRICS if m.startswith(("OFFICIAL", "TITLE", "ORG", "DATE", "entities"))}
        for m in METRICS:
            # the baselines find no commitments or relations: no score, rather than a zero
            ent = m in entity_only
            dev_baselines = [pct(x[m]) if ent else "–" for x in (rules, uts)]
            cv_baselines = [pm(summary[s][m]) if ent else "–" for s in ("rule baseline", "underthesea.ner")]
            cells = [pm(seeds["summary"][m]), *dev_baselines, pm(summary["model"][m]), *cv_baselines]
            print(f"| {m} | " + " | ".join(cells) + " |")
        print()
        print("Per seed on the dev set: " + "; ".join(f"seed {r['seed']}: entities {pct(r['entities micro F'])}, COMMITMENT overlap {pct(r['COMMITMENT overlap F'])}, relations {pct(r['relations e2e micro F'])}" for r in seeds["runs"]))
        print()
    curve = load("reports/dev/curve/curve.json")
    if curve:
        print((ROOT / "reports/dev/curve/curve.md").read_text(encoding="utf-8"))
    held = load("reports/heldout/metrics.json")
    if held:
        s = held["model"]
        print(f"Held-out seed article ({held['data']}), seed 0:\n")
        print("| | P | R | F |\n|---|---|---|---|")
        for label in ("OFFICIAL", "TITLE", "ORG", "DATE"):
            x = s["entities"][label]
            print(f"| {label} | {pct(x['p'])} | {pct(x['r'])} | {pct(x['f'])} |")
        for name, x in (("entities, micro", s["entities_micro"]), ("COMMITMENT, exact", s["commitments_exact"]), ("COMMITMENT, overlap", s["commitments_overlap"]), ("relations end to end, micro", s["relations_micro"])):
            print(f"| {name} | {pct(x['p'])} | {pct(x['r'])} | {pct(x['f'])} |")
        g = held.get("relations_given_gold_spans")
        if g:
            x = g["relations_micro"]
            print(f"| relations given gold spans, micro | {pct(x['p'])} | {pct(x['r'])} | {pct(x['f'])} |")
        print()
    if dev:
        s = dev["model"]
        print(f"Dev set with the `all` model (training/model-best, seed 0): entities {pct(s['entities_micro']['f'])}, COMMITMENT overlap {pct(s['commitments_overlap']['f'])}, relations {pct(s['relations_micro']['f'])}; relations given gold spans {pct(dev['relations_given_gold_spans']['relations_micro']['f']) if dev.get('relations_given_gold_spans') else '–'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
