"""Scores over canonical records, so that any file in the corpus format can be scored.

Entities are scored by exact span and label; commitments exactly and by overlap;
"overlap" (the dev set's measure): a predicted commitment counts when it overlaps a gold
one by at least half of the longer of the two, and "partial" when it overlaps at all;
relations end to end: a predicted relation counts only if its label and both endpoint
spans (offsets and labels) equal a gold relation's, and every gold relation that was not
predicted is a miss, whether or not its endpoints were found.
"""
import random
from collections import Counter
from typing import Dict, List, Sequence, Tuple

from ..scheme import ENTITY_LABELS, RELATION_LABELS

Key = Tuple[int, int, str]


def span_keys(record: Dict, labels=ENTITY_LABELS) -> set:
    return {(s["start"], s["end"], s["label"]) for s in record["spans"] if s["label"] in labels}


def relation_keys(record: Dict) -> set:
    spans = record["spans"]
    keys = set()
    for r in record["relations"]:
        h, c = spans[r["head"]], spans[r["child"]]
        keys.add(((h["start"], h["end"], h["label"]), (c["start"], c["end"], c["label"]), r["label"]))
    return keys


def prf(tp: int, fp: int, fn: int) -> Dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": p, "r": r, "f": f, "tp": tp, "fp": fp, "fn": fn}


def doc_counts(gold: Dict, pred: Dict) -> Counter:
    """tp/fp/fn counts of one document, keyed like ('ent', 'OFFICIAL', 'tp')."""
    counts: Counter = Counter()
    g, p = span_keys(gold), span_keys(pred)
    for label in ENTITY_LABELS:
        gl = {k for k in g if k[2] == label}
        pl = {k for k in p if k[2] == label}
        counts[("ent", label, "tp")] += len(gl & pl)
        counts[("ent", label, "fp")] += len(pl - gl)
        counts[("ent", label, "fn")] += len(gl - pl)
    gc, pc = span_keys(gold, ("COMMITMENT",)), span_keys(pred, ("COMMITMENT",))
    counts[("commit_exact", "COMMITMENT", "tp")] += len(gc & pc)
    counts[("commit_exact", "COMMITMENT", "fp")] += len(pc - gc)
    counts[("commit_exact", "COMMITMENT", "fn")] += len(gc - pc)

    def overlaps(a, others):
        return any(a[0] < b[1] and b[0] < a[1] for b in others)

    counts[("commit_partial", "COMMITMENT", "tp")] += sum(1 for k in pc if overlaps(k, gc))
    counts[("commit_partial", "COMMITMENT", "fp")] += sum(1 for k in pc if not overlaps(k, gc))
    counts[("commit_partial", "COMMITMENT", "fn")] += sum(1 for k in gc if not overlaps(k, pc))
    # partial precision counts predicted spans, partial recall counts gold spans
    counts[("commit_partial", "COMMITMENT", "tp_gold")] += sum(1 for k in gc if overlaps(k, pc))

    def half_overlaps(a, others):
        """Overlap of at least half of the longer of the two spans."""
        return any(min(a[1], b[1]) - max(a[0], b[0]) >= 0.5 * max(a[1] - a[0], b[1] - b[0]) for b in others)

    counts[("commit_overlap", "COMMITMENT", "tp")] += sum(1 for k in pc if half_overlaps(k, gc))
    counts[("commit_overlap", "COMMITMENT", "fp")] += sum(1 for k in pc if not half_overlaps(k, gc))
    counts[("commit_overlap", "COMMITMENT", "fn")] += sum(1 for k in gc if not half_overlaps(k, pc))
    counts[("commit_overlap", "COMMITMENT", "tp_gold")] += sum(1 for k in gc if half_overlaps(k, pc))
    gr, pr = relation_keys(gold), relation_keys(pred)
    for label in RELATION_LABELS:
        gl = {k for k in gr if k[2] == label}
        pl = {k for k in pr if k[2] == label}
        counts[("rel", label, "tp")] += len(gl & pl)
        counts[("rel", label, "fp")] += len(pl - gl)
        counts[("rel", label, "fn")] += len(gl - pl)
    return counts


def summarise(counts: Counter) -> Dict:
    def get(kind, label, what):
        return counts[(kind, label, what)]

    out: Dict = {"entities": {}, "relations": {}}
    for label in ENTITY_LABELS:
        out["entities"][label] = prf(get("ent", label, "tp"), get("ent", label, "fp"), get("ent", label, "fn"))
    ent_tp = sum(get("ent", l, "tp") for l in ENTITY_LABELS)
    out["entities_micro"] = prf(ent_tp, sum(get("ent", l, "fp") for l in ENTITY_LABELS), sum(get("ent", l, "fn") for l in ENTITY_LABELS))
    out["entities_macro_f"] = sum(out["entities"][l]["f"] for l in ENTITY_LABELS) / len(ENTITY_LABELS)
    out["commitments_exact"] = prf(get("commit_exact", "COMMITMENT", "tp"), get("commit_exact", "COMMITMENT", "fp"), get("commit_exact", "COMMITMENT", "fn"))
    for kind in ("partial", "overlap"):
        tp_p = get(f"commit_{kind}", "COMMITMENT", "tp")
        fp_p = get(f"commit_{kind}", "COMMITMENT", "fp")
        tp_g = get(f"commit_{kind}", "COMMITMENT", "tp_gold")
        fn_p = get(f"commit_{kind}", "COMMITMENT", "fn")
        p = tp_p / (tp_p + fp_p) if tp_p + fp_p else 0.0
        r = tp_g / (tp_g + fn_p) if tp_g + fn_p else 0.0
        out[f"commitments_{kind}"] = {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp_p, "fp": fp_p, "fn": fn_p}
    for label in RELATION_LABELS:
        out["relations"][label] = prf(get("rel", label, "tp"), get("rel", label, "fp"), get("rel", label, "fn"))
    out["relations_micro"] = prf(*(sum(get("rel", l, w) for l in RELATION_LABELS) for w in ("tp", "fp", "fn")))
    return out


def score(gold: Sequence[Dict], pred: Sequence[Dict]) -> Dict:
    """Score predicted records against gold ones, matched by document id."""
    by_id = {r["id"]: r for r in pred}
    missing = [g["id"] for g in gold if g["id"] not in by_id]
    if missing:
        raise ValueError(f"no prediction for document(s) {missing[:5]}")
    for g in gold:
        if by_id[g["id"]]["text"] != g["text"]:
            raise ValueError(f"document {g['id']!r}: predicted text differs from the gold text")
    total: Counter = Counter()
    for g in gold:
        total.update(doc_counts(g, by_id[g["id"]]))
    return summarise(total)


HEADLINES = {
    "entities_micro_f": lambda s: s["entities_micro"]["f"],
    "commitments_exact_f": lambda s: s["commitments_exact"]["f"],
    "commitments_partial_f": lambda s: s["commitments_partial"]["f"],
    "commitments_overlap_f": lambda s: s["commitments_overlap"]["f"],
    "relations_micro_f": lambda s: s["relations_micro"]["f"],
}


def bootstrap(gold: Sequence[Dict], pred: Sequence[Dict], n: int = 1000, seed: int = 0) -> Dict[str, Tuple[float, float]]:
    """95% percentile intervals of the headline F1 scores, resampling documents."""
    by_id = {r["id"]: r for r in pred}
    per_doc = [doc_counts(g, by_id[g["id"]]) for g in gold]
    rng = random.Random(seed)
    samples: Dict[str, List[float]] = {k: [] for k in HEADLINES}
    for _ in range(n):
        total: Counter = Counter()
        for _ in per_doc:
            total.update(per_doc[rng.randrange(len(per_doc))])
        summary = summarise(total)
        for k, get in HEADLINES.items():
            samples[k].append(get(summary))
    out = {}
    for k, values in samples.items():
        values.sort()
        out[k] = (values[int(0.025 * (n - 1))], values[int(0.975 * (n - 1))])
    return out


def flat_scores(s: Dict) -> Dict[str, float]:
    """The headline F1 scores of a `summarise` result, flat and named for tables."""
    out = {f"{label} F": s["entities"][label]["f"] for label in ENTITY_LABELS}
    out["entities micro F"] = s["entities_micro"]["f"]
    out["COMMITMENT exact F"] = s["commitments_exact"]["f"]
    out["COMMITMENT overlap F"] = s["commitments_overlap"]["f"]
    out["COMMITMENT partial F"] = s["commitments_partial"]["f"]
    for label in RELATION_LABELS:
        out[f"{label} e2e F"] = s["relations"][label]["f"]
    out["relations e2e micro F"] = s["relations_micro"]["f"]
    return out


def mean_sd(rows: Sequence[Dict[str, float]]) -> Dict[str, Tuple[float, float]]:
    """Mean and sample standard deviation of each score over runs (folds or seeds)."""
    import statistics

    return {k: (statistics.mean(r[k] for r in rows), statistics.stdev(r[k] for r in rows) if len(rows) > 1 else 0.0) for k in rows[0]}
