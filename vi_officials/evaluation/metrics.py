"""Scores over canonical records, so that any file in the corpus format can be scored.

Entities are scored by exact span and label; commitments exactly and by overlap;
"overlap" (the dev set's measure): a predicted commitment counts when it overlaps a gold
one by at least half of the longer of the two, and "partial" when it overlaps at all;
relations end to end: a predicted relation counts only if its label and both endpoint
spans (offsets and labels) equal a gold relation's, and every gold relation that was not
predicted is a miss, whether or not its endpoints were found.

The ledger's view is scored too. "Relations with overlap": a COMMITS, ASSIGNED_TO or
DEADLINE relation counts when its label and its entity end are right and its commitment
end is matched by overlap (each predicted commitment is matched to at most one gold one,
largest overlap first). "Ledger rows": for each gold commitment that has a COMMITS,
ASSIGNED_TO or DEADLINE relation, whether the matched predicted commitment has the same
committers (COMMITS heads), the same assignees (ASSIGNED_TO children) and the same
normalised deadlines; predicted commitments with such relations and no gold match are
spurious rows.
"""
import random
from collections import Counter
from typing import Dict, List, Sequence, Tuple

from ..applications.ledger.deadlines import normalise_deadline
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


def _count_by_label(counts: Counter, kind: str, labels, gold: set, pred: set) -> None:
    """tp/fp/fn per label of keys whose last item is the label."""
    for label in labels:
        gl = {k for k in gold if k[2] == label}
        pl = {k for k in pred if k[2] == label}
        counts[(kind, label, "tp")] += len(gl & pl)
        counts[(kind, label, "fp")] += len(pl - gl)
        counts[(kind, label, "fn")] += len(gl - pl)


def half_overlap(a: Key, b: Key) -> bool:
    """Overlap of at least half of the longer of the two spans."""
    return min(a[1], b[1]) - max(a[0], b[0]) >= 0.5 * max(a[1] - a[0], b[1] - b[0])


def match_commitments(gold: set, pred: set) -> Dict[Key, Key]:
    """predicted commitment -> gold commitment, one to one, for pairs that overlap by at
    least half of the longer span; the largest overlaps are matched first."""
    pairs = sorted(
        ((min(p[1], g[1]) - max(p[0], g[0]), p, g) for p in pred for g in gold if half_overlap(p, g)),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    matched: Dict[Key, Key] = {}
    used = set()
    for _, p, g in pairs:
        if p not in matched and g not in used:
            matched[p] = g
            used.add(g)
    return matched


LEDGER_RELATIONS = ("COMMITS", "ASSIGNED_TO", "DEADLINE")
ROW_FIELDS = ("matched", "committer", "assignees", "deadline", "all")


def _row_view(record: Dict, keys: set, commitment: Key) -> Tuple[frozenset, frozenset, frozenset]:
    """(committers, assignees, normalised deadlines) of one commitment in a record."""
    date = str(record.get("meta", {}).get("date", ""))
    committers = frozenset(h for h, c, label in keys if label == "COMMITS" and c == commitment)
    assignees = frozenset(c for h, c, label in keys if label == "ASSIGNED_TO" and h == commitment)
    deadlines = frozenset(
        normalise_deadline(record["text"][c[0] : c[1]], date) or record["text"][c[0] : c[1]]
        for h, c, label in keys
        if label == "DEADLINE" and h == commitment
    )
    return committers, assignees, deadlines


def _overlap_view(gold: Dict, pred: Dict) -> Tuple[set, Dict[Key, Key], set]:
    """(gold commitments, predicted -> gold commitment matches, the predicted relations
    with each matched commitment replaced by its gold one): the ledger's view of a doc."""
    gc = span_keys(gold, ("COMMITMENT",))
    matched = match_commitments(gc, span_keys(pred, ("COMMITMENT",)))
    mapped = {(matched.get(h, h), matched.get(c, c), label) for h, c, label in relation_keys(pred)}
    return gc, matched, mapped


def ledger_counts(gold: Dict, pred: Dict) -> Counter:
    """Counts for relations with overlap-matched commitments and for ledger rows."""
    counts: Counter = Counter()
    _, matched, mapped = _overlap_view(gold, pred)
    gr, pr = relation_keys(gold), relation_keys(pred)
    _count_by_label(counts, "rel_overlap", RELATION_LABELS, gr, mapped)
    gold_of = {g: p for p, g in matched.items()}
    gold_rows = {c if label == "COMMITS" else h for h, c, label in gr if label in LEDGER_RELATIONS}
    pred_rows = {c if label == "COMMITS" else h for h, c, label in pr if label in LEDGER_RELATIONS}
    for g in gold_rows:
        counts[("row", "n", "gold")] += 1
        p = gold_of.get(g)
        if p is None:
            continue
        want, got = _row_view(gold, gr, g), _row_view(pred, pr, p)
        right = [w == x for w, x in zip(want, got)]
        counts[("row", "matched", "right")] += 1
        for field, ok in zip(ROW_FIELDS[1:4], right):
            counts[("row", field, "right")] += ok
        counts[("row", "all", "right")] += all(right)
    counts[("row", "n", "pred")] += len(pred_rows)
    counts[("row", "spurious", "pred")] += sum(1 for p in pred_rows if p not in matched)
    return counts


def relation_errors(gold: Dict, pred: Dict) -> Counter:
    """Why each ledger relation (COMMITS, ASSIGNED_TO, DEADLINE) of one document was lost or
    added, in the ledger's view (commitments matched by overlap). Keys are (label, kind):
    a gold relation is "right", or missed because "no commitment" overlapped it, because its
    entity end was "entity cut" (a predicted entity of its label overlaps it), "entity
    label" (only another label overlaps), "entity missed", or because both ends were found
    and the "relation stage" did not link them. A spurious relation is "spurious commitment",
    "spurious entity" (its entity end is not gold) or "spurious link"."""
    out: Counter = Counter()
    gc, matched, mapped = _overlap_view(gold, pred)
    mapped = {k for k in mapped if k[2] in LEDGER_RELATIONS}
    found = set(matched.values())
    gold_ents, pred_ents = span_keys(gold), span_keys(pred)
    gr = {k for k in relation_keys(gold) if k[2] in LEDGER_RELATIONS}
    for h, c, label in gr:
        commitment, entity = (c, h) if label == "COMMITS" else (h, c)
        if (h, c, label) in mapped:
            kind = "right"
        elif commitment not in found:
            kind = "no commitment"
        elif entity in pred_ents:
            kind = "relation stage"
        elif any(half_overlap(entity, e) and e[2] == entity[2] for e in pred_ents):
            kind = "entity cut"
        elif any(half_overlap(entity, e) for e in pred_ents):
            kind = "entity label"
        else:
            kind = "entity missed"
        out[(label, kind)] += 1
    for h, c, label in mapped - gr:
        commitment, entity = (c, h) if label == "COMMITS" else (h, c)
        kind = "spurious commitment" if commitment not in gc else "spurious entity" if entity not in gold_ents else "spurious link"
        out[(label, kind)] += 1
    return out


def doc_counts(gold: Dict, pred: Dict) -> Counter:
    """tp/fp/fn counts of one document, keyed like ('ent', 'OFFICIAL', 'tp')."""
    counts: Counter = Counter()
    _count_by_label(counts, "ent", ENTITY_LABELS, span_keys(gold), span_keys(pred))
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
        return any(half_overlap(a, b) for b in others)

    counts[("commit_overlap", "COMMITMENT", "tp")] += sum(1 for k in pc if half_overlaps(k, gc))
    counts[("commit_overlap", "COMMITMENT", "fp")] += sum(1 for k in pc if not half_overlaps(k, gc))
    counts[("commit_overlap", "COMMITMENT", "fn")] += sum(1 for k in gc if not half_overlaps(k, pc))
    counts[("commit_overlap", "COMMITMENT", "tp_gold")] += sum(1 for k in gc if half_overlaps(k, pc))
    _count_by_label(counts, "rel", RELATION_LABELS, relation_keys(gold), relation_keys(pred))
    counts.update(ledger_counts(gold, pred))
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
    out["relations_overlap"] = {label: prf(get("rel_overlap", label, "tp"), get("rel_overlap", label, "fp"), get("rel_overlap", label, "fn")) for label in RELATION_LABELS}
    out["relations_overlap_micro"] = prf(*(sum(get("rel_overlap", l, w) for l in RELATION_LABELS) for w in ("tp", "fp", "fn")))
    n_gold, n_pred = get("row", "n", "gold"), get("row", "n", "pred")
    rows = {"gold": n_gold, "predicted": n_pred, "spurious": get("row", "spurious", "pred")}
    for field in ROW_FIELDS:
        rows[field] = get("row", field, "right") / n_gold if n_gold else 0.0
    rows["precision"] = (n_pred - rows["spurious"]) / n_pred if n_pred else 0.0
    out["ledger_rows"] = rows
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
    for label in LEDGER_RELATIONS:
        out[f"{label} overlap F"] = s["relations_overlap"][label]["f"]
    out["relations overlap micro F"] = s["relations_overlap_micro"]["f"]
    out["COMMITMENT overlap P"] = s["commitments_overlap"]["p"]
    for field in ("committer", "assignees", "deadline", "all"):
        out[f"ledger rows: {field}"] = s["ledger_rows"][field]
    out["ledger rows: precision"] = s["ledger_rows"]["precision"]
    return out


def mean_sd(rows: Sequence[Dict[str, float]]) -> Dict[str, Tuple[float, float]]:
    """Mean and sample standard deviation of each score over runs (folds or seeds)."""
    import statistics

    return {k: (statistics.mean(r[k] for r in rows), statistics.stdev(r[k] for r in rows) if len(rows) > 1 else 0.0) for k in rows[0]}
