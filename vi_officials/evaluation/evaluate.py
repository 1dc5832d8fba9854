"""Evaluate a trained pipeline (or a predictions file) on any canonical JSONL file.

    python -m vi_officials.evaluation.evaluate MODEL DATA.jsonl --output reports/heldout
    python -m vi_officials.evaluation.evaluate --predictions PRED.jsonl DATA.jsonl --output DIR

Writes `metrics.json`, `predictions.jsonl`, `report.md` and `report.html` (displaCy
renderings of gold and predicted marks for every document) into the output directory.
Relations are scored end to end and, separately, with the gold entities given; peer
baselines (underthesea, a rule baseline) are scored on the same documents.
"""
import argparse
import html
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from ..corpus.corpus_io import write_jsonl, CorpusError
from .metrics import LEDGER_RELATIONS, bootstrap, score
from ..scheme import ENTITY_LABELS, RELATION_LABELS
from ..text.syllables import sentence_spans
from ..corpus.validate import load_for_scoring


def relations_given_gold(nlp, gold: Sequence[Dict]) -> List[Dict]:
    """Predict relations over the gold entities and commitments (the relation stage
    alone), so users can see how much relation error comes from the span stage."""
    from ..corpus.convert import doc_to_record, record_to_doc
    from ..relations import set_relations

    out = []
    for record in gold:
        doc = nlp.make_doc(record["text"])
        gold_doc = record_to_doc(nlp, token_aligned(doc, record))
        for name, proc in nlp.pipeline:
            factory = nlp.get_pipe_meta(name).factory
            if factory == "relation_extractor":
                doc.ents = [doc.char_span(e.start_char, e.end_char, label=e.label_) for e in gold_doc.ents]
                doc.spans["commitments"] = [doc.char_span(s.start_char, s.end_char, label="COMMITMENT") for s in gold_doc.spans.get("commitments", [])]
                set_relations(doc, [])
                doc = proc(doc)
            elif factory in ("tok2vec", "transformer"):
                doc = proc(doc)
        out.append(doc_to_record(doc, record["id"], record.get("meta", {}), with_scores=True))
    return out


def token_aligned(doc, record: Dict) -> Dict:
    """The record without spans that fall inside a token of `doc` (and their relations):
    those cannot be given to a pipeline; the scores count them as misses."""
    keep = [i for i, sp in enumerate(record["spans"]) if doc.char_span(sp["start"], sp["end"]) is not None]
    if len(keep) == len(record["spans"]):
        return record
    new_index = {old: new for new, old in enumerate(keep)}
    relations = [
        {**r, "head": new_index[r["head"]], "child": new_index[r["child"]]}
        for r in record["relations"]
        if r["head"] in new_index and r["child"] in new_index
    ]
    return {**record, "spans": [record["spans"][i] for i in keep], "relations": relations}


def entity_confusion(gold: Sequence[Dict], pred: Sequence[Dict]) -> Dict:
    """Confusion of entity labels over exactly matching offsets; NONE = no span there."""
    from sklearn.metrics import confusion_matrix

    labels = list(ENTITY_LABELS) + ["NONE"]
    y_true, y_pred = [], []
    by_id = {r["id"]: r for r in pred}
    for g in gold:
        gs = {(s["start"], s["end"]): s["label"] for s in g["spans"] if s["label"] in ENTITY_LABELS}
        ps = {(s["start"], s["end"]): s["label"] for s in by_id[g["id"]]["spans"] if s["label"] in ENTITY_LABELS}
        for key in set(gs) | set(ps):
            y_true.append(gs.get(key, "NONE"))
            y_pred.append(ps.get(key, "NONE"))
    matrix = confusion_matrix(y_true, y_pred, labels=labels).tolist() if y_true else [[0] * len(labels) for _ in labels]
    return {"labels": labels, "matrix": matrix}


def _sentence_of(text: str, char: int) -> str:
    for start, end in sentence_spans(text):
        if start <= char < end:
            return text[start:end]
    return ""


def frequent_errors(gold: Sequence[Dict], pred: Sequence[Dict], per_kind: int = 3, top: int = 15) -> List[Dict]:
    """The most frequent kinds of span error, each with example sentences."""
    by_id = {r["id"]: r for r in pred}
    examples = defaultdict(list)
    for g in gold:
        p = by_id[g["id"]]
        text = g["text"]
        gs = {(s["start"], s["end"], s["label"]) for s in g["spans"]}
        ps = {(s["start"], s["end"], s["label"]) for s in p["spans"]}
        for s, e, l in ps - gs:
            same_place = [x for x in gs if x[0] == s and x[1] == e]
            overlap = [x for x in gs if x[0] < e and s < x[1] and x[2] == l]
            if same_place:
                kind = f"{same_place[0][2]} labelled {l}"
            elif overlap:
                kind = f"{l} boundary"
            else:
                kind = f"spurious {l}"
            examples[kind].append({"doc": g["id"], "predicted": text[s:e], "sentence": _sentence_of(text, s)})
        for s, e, l in gs - ps:
            if any(x[0] == s and x[1] == e for x in ps) or any(x[0] < e and s < x[1] and x[2] == l for x in ps):
                continue  # counted above as a label or boundary error
            examples[f"missed {l}"].append({"doc": g["id"], "gold": text[s:e], "sentence": _sentence_of(text, s)})
    ranked = sorted(examples.items(), key=lambda kv: -len(kv[1]))[:top]
    return [{"error": kind, "count": len(items), "examples": items[:per_kind]} for kind, items in ranked]


def _fmt(x: float) -> str:
    return f"{100 * x:.1f}"


def scores_table(rows: Dict[str, Dict]) -> List[str]:
    """Markdown table: one row per system, P/R/F per entity label and the headlines."""
    head = "| system | " + " | ".join(f"{l} F" for l in ENTITY_LABELS) + " | entities micro P/R/F | COMMITMENT exact F | COMMITMENT overlap F | COMMITMENT partial F | relations e2e F |"
    lines = [head, "|" + "---|" * (len(ENTITY_LABELS) + 6)]
    for name, s in rows.items():
        em = s["entities_micro"]
        lines.append(
            f"| {name} | " + " | ".join(_fmt(s["entities"][l]["f"]) for l in ENTITY_LABELS)
            + f" | {_fmt(em['p'])} / {_fmt(em['r'])} / {_fmt(em['f'])} | {_fmt(s['commitments_exact']['f'])} | {_fmt(s['commitments_overlap']['f'])} | {_fmt(s['commitments_partial']['f'])} | {_fmt(s['relations_micro']['f'])} |"
        )
    return lines


LEDGER_VIEW_NOTE = (
    "The ledger's view. *Overlap*: a relation counts when its label and entity end are right and its "
    "commitment end overlaps the gold commitment by at least half of the longer span. *Rows*: each gold "
    "commitment with a COMMITS, ASSIGNED_TO or DEADLINE relation, and whether the matched predicted "
    "commitment has the same committers, assignees and normalised deadlines."
)


def _ledger_view_rows(s: Dict) -> Tuple[List[List[str]], List[List[str]]]:
    rels = [[label, _fmt(x["p"]), _fmt(x["r"]), _fmt(x["f"]), str(x["tp"] + x["fn"])] for label, x in ((l, s["relations_overlap"][l]) for l in LEDGER_RELATIONS)]
    m = s["relations_overlap_micro"]
    rels.append(["micro (all four labels)", _fmt(m["p"]), _fmt(m["r"]), _fmt(m["f"]), str(m["tp"] + m["fn"])])
    r = s["ledger_rows"]
    rows = [[field, _fmt(r[field])] for field in ("matched", "committer", "assignees", "deadline", "all")]
    rows.append(["precision (predicted rows matching a gold commitment)", _fmt(r["precision"])])
    return rels, rows


def ledger_view_markdown(s: Dict) -> List[str]:
    rels, rows = _ledger_view_rows(s)
    r = s["ledger_rows"]
    lines = ["", "## The ledger's view", "", LEDGER_VIEW_NOTE, "", "| relation, commitment by overlap | P | R | F | gold |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rels]
    lines += ["", f"Ledger rows: {r['gold']} gold, {r['predicted']} predicted, {r['spurious']} spurious.", "", "| gold rows with the right … | % |", "|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def ledger_view_html(s: Dict) -> str:
    rels, rows = _ledger_view_rows(s)
    r = s["ledger_rows"]
    return (
        f"<h2>The ledger's view</h2><p>{html.escape(LEDGER_VIEW_NOTE)}</p>"
        + _table(["relation, commitment by overlap", "P", "R", "F", "gold"], rels, "num")
        + f"<p>Ledger rows: {r['gold']} gold, {r['predicted']} predicted, {r['spurious']} spurious.</p>"
        + _table(["gold rows with the right …", "%"], rows, "num")
    )


def markdown_report(metrics: Dict) -> str:
    s = metrics["model"]
    lines = ["# Evaluation report", "", f"- pipeline: `{metrics['pipeline']}`" + (f" (backbone: {metrics['backbone']})" if metrics.get("backbone") else ""), f"- data: `{metrics['data']}` ({metrics['n_documents']} documents)", ""]
    lines += ["## Entities (exact span and label)", "", "| label | P | R | F | gold | predicted |", "|---|---|---|---|---|---|"]
    for label in ENTITY_LABELS:
        x = s["entities"][label]
        lines.append(f"| {label} | {_fmt(x['p'])} | {_fmt(x['r'])} | {_fmt(x['f'])} | {x['tp'] + x['fn']} | {x['tp'] + x['fp']} |")
    em = s["entities_micro"]
    lines.append(f"| **micro** | {_fmt(em['p'])} | {_fmt(em['r'])} | {_fmt(em['f'])} | {em['tp'] + em['fn']} | {em['tp'] + em['fp']} |")
    lines.append(f"| **macro F** | | | {_fmt(s['entities_macro_f'])} | | |")
    lines += ["", "## Commitments", "", "exact: same offsets; overlap: a predicted span overlaps a gold one by at least half of the longer of the two; partial: any overlap.", "", "| match | P | R | F |", "|---|---|---|---|"]
    for kind in ("exact", "overlap", "partial"):
        x = s[f"commitments_{kind}"]
        lines.append(f"| {kind} | {_fmt(x['p'])} | {_fmt(x['r'])} | {_fmt(x['f'])} |")
    lines += ["", "## Relations", "", "End to end: predicted spans; a relation is right only if its label and both endpoint spans are right; every gold relation not predicted is a miss. *Gold spans*: the relation stage alone, given the gold entities and commitments.", "", "| label | e2e P | e2e R | e2e F | gold-spans P | gold-spans R | gold-spans F | gold |", "|---|---|---|---|---|---|---|---|"]
    g = metrics.get("relations_given_gold_spans")
    for label in list(RELATION_LABELS) + ["micro"]:
        x = s["relations"][label] if label != "micro" else s["relations_micro"]
        y = (g["relations"][label] if label != "micro" else g["relations_micro"]) if g else None
        gold_n = x["tp"] + x["fn"]
        yy = f"{_fmt(y['p'])} | {_fmt(y['r'])} | {_fmt(y['f'])}" if y else "– | – | –"
        lines.append(f"| {label} | {_fmt(x['p'])} | {_fmt(x['r'])} | {_fmt(x['f'])} | {yy} | {gold_n} |")
    lines += ledger_view_markdown(s)
    if metrics.get("bootstrap"):
        lines += ["", f"## 95% bootstrap confidence intervals ({metrics['bootstrap_samples']} resamples of {metrics.get('bootstrap_unit', 'documents')})", "", "| score | value | 95% CI |", "|---|---|---|"]
        values = {"entities_micro_f": em["f"], "commitments_exact_f": s["commitments_exact"]["f"], "commitments_partial_f": s["commitments_partial"]["f"], "commitments_overlap_f": s["commitments_overlap"]["f"], "relations_micro_f": s["relations_micro"]["f"]}
        for k, (lo, hi) in metrics["bootstrap"].items():
            lines.append(f"| {k} | {_fmt(values[k])} | {_fmt(lo)} – {_fmt(hi)} |")
        if metrics["n_documents"] < 5:
            lines.append(f"\nWith {metrics['n_documents']} document(s), paragraphs are resampled: the intervals show how the score varies within these articles, not across articles. The leave-one-article-out table in the README shows that.")
    if metrics.get("warnings"):
        lines += ["", "## Warnings", ""] + [f"- {w} (scored as a miss)" for w in metrics["warnings"]]
    if metrics.get("baselines"):
        lines += ["", "## Peer baselines on the same documents", ""]
        lines += scores_table({"this pipeline": s, **metrics["baselines"]})
        lines += ["", "underthesea: its PER is mapped to OFFICIAL and ORG to ORG (it has no TITLE, DATE or commitments). The rule baseline: a title/rank lexicon, capitalised names after titles or honorifics, body-name patterns and date patterns."]
    conf = metrics["entity_confusion"]
    lines += ["", "## Entity label confusion (rows: gold, columns: predicted; NONE: no span at those offsets)", "", "| gold \\ predicted | " + " | ".join(conf["labels"]) + " |", "|---|" + "---|" * len(conf["labels"])]
    for label, row in zip(conf["labels"], conf["matrix"]):
        lines.append(f"| {label} | " + " | ".join(str(v) for v in row) + " |")
    lines += ["", "## Most frequent errors", ""]
    for err in metrics["frequent_errors"]:
        lines.append(f"- **{err['error']}** × {err['count']}")
        for ex in err["examples"]:
            what = ex.get("predicted") or ex.get("gold")
            lines.append(f"  - `{what}` — {ex['sentence'][:200]}")
    return "\n".join(lines) + "\n"


def _render_doc(nlp, record: Dict) -> str:
    from spacy import displacy

    from ..corpus.convert import record_to_doc

    doc = record_to_doc(nlp, record)
    doc.spans["sc"] = list(doc.ents) + list(doc.spans.get("commitments", []))
    return displacy.render(doc, style="span", options={"spans_key": "sc"}, page=False, jupyter=False)


def _table(header: Sequence[str], rows: Sequence[Sequence[object]], cls: str = "") -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table class='{cls}'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def prf_chart(rows: Sequence[Tuple[str, Dict]], width: int = 640) -> str:
    """An inline SVG bar chart of precision, recall and F1 per label (no plotting library
    needed, and the page stays one self-contained file)."""
    colours = (("p", "precision", "#8fb8de"), ("r", "recall", "#f2b880"), ("f", "F1", "#4a7c59"))
    bar, label_w, row_h = 12, 170, 3 * 12 + 10
    scale = width - label_w - 50
    height = len(rows) * row_h + 40
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' role='img' aria-label='precision, recall and F1 per label'>"]
    for x in (0, 0.25, 0.5, 0.75, 1.0):
        xx = label_w + x * scale
        parts.append(f"<line x1='{xx:.0f}' y1='0' x2='{xx:.0f}' y2='{height - 30}' stroke='#ddd'/><text x='{xx:.0f}' y='{height - 18}' font-size='10' text-anchor='middle'>{x:.2f}</text>")
    for i, (name, x) in enumerate(rows):
        y0 = i * row_h
        parts.append(f"<text x='{label_w - 6}' y='{y0 + 22}' font-size='12' text-anchor='end'>{html.escape(name)}</text>")
        for j, (key, _, colour) in enumerate(colours):
            w = x[key] * scale
            parts.append(f"<rect x='{label_w}' y='{y0 + j * bar}' width='{w:.1f}' height='{bar - 1}' fill='{colour}'><title>{html.escape(name)} {key.upper()} {x[key]:.3f}</title></rect>")
            parts.append(f"<text x='{label_w + w + 3:.1f}' y='{y0 + j * bar + 10}' font-size='9'>{100 * x[key]:.1f}</text>")
    legend_x = label_w
    for key, title, colour in colours:
        parts.append(f"<rect x='{legend_x}' y='{height - 12}' width='10' height='10' fill='{colour}'/><text x='{legend_x + 14}' y='{height - 3}' font-size='11'>{title}</text>")
        legend_x += 90
    parts.append("</svg>")
    return "".join(parts)


def html_summary(metrics: Dict) -> str:
    """The report's figures as HTML tables and a chart (the Markdown report holds the same)."""
    s = metrics["model"]
    out = [f"<p>Pipeline <code>{html.escape(metrics['pipeline'])}</code>" + (f" (backbone: {html.escape(str(metrics['backbone']))})" if metrics.get("backbone") else "") + f"; data <code>{html.escape(metrics['data'])}</code>, {metrics['n_documents']} documents.</p>"]
    chart_rows = [(l, s["entities"][l]) for l in ENTITY_LABELS] + [("entities (micro)", s["entities_micro"]), ("COMMITMENT overlap", s["commitments_overlap"]), ("COMMITMENT exact", s["commitments_exact"])]
    chart_rows += [(f"{l} (e2e)", s["relations"][l]) for l in RELATION_LABELS] + [("relations (micro, e2e)", s["relations_micro"])]
    out.append("<h2>Scores at a glance</h2>" + prf_chart(chart_rows))
    rows = [[l, _fmt(x["p"]), _fmt(x["r"]), _fmt(x["f"]), x["tp"] + x["fn"], x["tp"] + x["fp"]] for l, x in ((l, s["entities"][l]) for l in ENTITY_LABELS)]
    em = s["entities_micro"]
    rows.append(["micro", _fmt(em["p"]), _fmt(em["r"]), _fmt(em["f"]), em["tp"] + em["fn"], em["tp"] + em["fp"]])
    out.append("<h2>Entities (exact span and label)</h2>" + _table(["label", "P", "R", "F", "gold", "predicted"], rows, "num"))
    rows = [[k, _fmt(s[f"commitments_{k}"]["p"]), _fmt(s[f"commitments_{k}"]["r"]), _fmt(s[f"commitments_{k}"]["f"])] for k in ("exact", "overlap", "partial")]
    out.append("<h2>Commitments</h2><p>exact: same offsets; overlap: at least half of the longer span; partial: any overlap.</p>" + _table(["match", "P", "R", "F"], rows, "num"))
    g = metrics.get("relations_given_gold_spans")
    rows = []
    for label in list(RELATION_LABELS) + ["micro"]:
        x = s["relations"][label] if label != "micro" else s["relations_micro"]
        y = (g["relations"][label] if label != "micro" else g["relations_micro"]) if g else None
        rows.append([label, _fmt(x["p"]), _fmt(x["r"]), _fmt(x["f"])] + ([_fmt(y["p"]), _fmt(y["r"]), _fmt(y["f"])] if y else ["–"] * 3) + [x["tp"] + x["fn"]])
    out.append("<h2>Relations</h2><p>End to end on predicted spans; <em>gold spans</em>: the relation stage alone.</p>" + _table(["label", "e2e P", "e2e R", "e2e F", "gold-spans P", "gold-spans R", "gold-spans F", "gold"], rows, "num"))
    out.append(ledger_view_html(s))
    if metrics.get("bootstrap"):
        rows = [[k, f"{_fmt(lo)} – {_fmt(hi)}"] for k, (lo, hi) in metrics["bootstrap"].items()]
        out.append(f"<h2>95% bootstrap intervals</h2><p>{metrics['bootstrap_samples']} resamples of {html.escape(str(metrics.get('bootstrap_unit', 'documents')))}.</p>" + _table(["score", "95% CI"], rows))
    if metrics.get("baselines"):
        systems = {"this pipeline": s, **metrics["baselines"]}
        rows = [[name] + [_fmt(x["entities"][l]["f"]) for l in ENTITY_LABELS] + [_fmt(x["entities_micro"]["f"]), _fmt(x["commitments_exact"]["f"]), _fmt(x["commitments_overlap"]["f"]), _fmt(x["relations_micro"]["f"])] for name, x in systems.items()]
        out.append("<h2>Peer baselines on the same documents</h2>" + _table(["system"] + [f"{l} F" for l in ENTITY_LABELS] + ["entities micro F", "COMMITMENT exact F", "COMMITMENT overlap F", "relations e2e F"], rows, "num"))
    conf = metrics["entity_confusion"]
    out.append("<h2>Entity label confusion</h2><p>Rows: gold; columns: predicted; NONE: no span at those offsets.</p>" + _table(["gold \\ predicted"] + conf["labels"], [[l] + row for l, row in zip(conf["labels"], conf["matrix"])], "num"))
    items = []
    for err in metrics["frequent_errors"]:
        examples = "".join(f"<li><code>{html.escape(ex.get('predicted') or ex.get('gold'))}</code> — {html.escape(ex['sentence'][:200])}</li>" for ex in err["examples"])
        items.append(f"<li><strong>{html.escape(err['error'])}</strong> × {err['count']}<ul>{examples}</ul></li>")
    out.append("<h2>Most frequent errors</h2><ul>" + "".join(items) + "</ul>")
    if metrics.get("warnings"):
        out.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{html.escape(w)} (scored as a miss)</li>" for w in metrics["warnings"]) + "</ul>")
    return "\n".join(out)


def html_report(metrics: Dict, gold: Sequence[Dict], pred: Sequence[Dict]) -> str:
    from ..corpus.convert import blank_nlp
    from .metrics import relation_keys

    nlp = blank_nlp()
    by_id = {r["id"]: r for r in pred}
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Evaluation report</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:0 1em}table{border-collapse:collapse;margin:.5em 0}"
        "td,th{border:1px solid #ccc;padding:2px 8px}th{background:#f3f3f3}table.num td+td{text-align:right}.ok{color:green}.bad{color:#b00}</style></head><body>",
        "<h1>Evaluation report</h1>",
        html_summary(metrics),
    ]
    for g in gold:
        p = by_id[g["id"]]
        parts.append(f"<hr><h2>{html.escape(g['id'])}</h2><h3>Gold</h3>{_render_doc(nlp, token_aligned(nlp.make_doc(g['text']), g))}<h3>Predicted</h3>{_render_doc(nlp, p)}")
        gold_rels, pred_rels = relation_keys(g), relation_keys(p)
        rows = []
        for key in sorted(gold_rels | pred_rels):
            (hs, he, hl), (cs, ce, cl), label = key
            status = "correct" if key in gold_rels and key in pred_rels else ("missed" if key in gold_rels else "spurious")
            cls = "ok" if status == "correct" else "bad"
            rows.append(f"<tr><td class='{cls}'>{status}</td><td>{label}</td><td>{html.escape(g['text'][hs:he])} ({hl})</td><td>{html.escape(g['text'][cs:ce][:120])} ({cl})</td></tr>")
        parts.append("<h3>Relations</h3><table><tr><th>status</th><th>label</th><th>head</th><th>child</th></tr>" + "".join(rows) + "</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def evaluate(
    data: Path,
    output: Path,
    model: Optional[str] = None,
    predictions: Optional[Path] = None,
    baselines: Sequence[str] = ("rules", "underthesea"),
    n_bootstrap: int = 1000,
    seed: int = 0,
) -> Dict:
    gold, warnings = load_for_scoring(data)
    for warning in warnings:
        print(f"warning: {warning} (scored as a miss)", file=sys.stderr)
    metrics: Dict = {"data": str(data), "n_documents": len(gold), "warnings": [str(w) for w in warnings]}
    nlp = None
    if predictions is not None:
        pred, pred_warnings = load_for_scoring(predictions)
        for warning in pred_warnings:
            print(f"warning: predicted {warning} (scored as a false positive)", file=sys.stderr)
        metrics["pipeline"] = f"predictions from {predictions}"
    else:
        from ..applications.predict import load_pipeline, predict_records

        nlp = load_pipeline(model)
        pred = predict_records(nlp, gold)
        metrics["pipeline"] = str(model)
        metrics["backbone"] = nlp.meta.get("backbone")
    metrics["model"] = score(gold, pred)
    if nlp is not None and "relation_extractor" in nlp.pipe_names:
        metrics["relations_given_gold_spans"] = score(gold, relations_given_gold(nlp, gold))
    if n_bootstrap:
        # Resampling one or two documents says nothing about uncertainty; below five
        # documents the paragraphs are resampled instead, and the report says so.
        unit = "documents"
        boot_gold, boot_pred = gold, pred
        if len(gold) < 5:
            from ..corpus.convert import split_paragraphs

            try:
                boot_gold = [p for r in gold for p in split_paragraphs(r)]
                boot_pred = [p for r in pred for p in split_paragraphs(r)]
                unit = "paragraphs"
            except CorpusError:  # a predicted span across a line break: keep documents
                boot_gold, boot_pred = gold, pred
        metrics["bootstrap"] = bootstrap(boot_gold, boot_pred, n_bootstrap, seed)
        metrics["bootstrap_samples"] = n_bootstrap
        metrics["bootstrap_unit"] = f"{unit} ({len(boot_gold)})"
    metrics["baselines"] = {}
    from .baselines import rule_records, underthesea_records

    for name in baselines:
        runner = {"rules": ("rule baseline", rule_records), "underthesea": ("underthesea.ner", underthesea_records)}[name]
        metrics["baselines"][runner[0]] = score(gold, runner[1](gold))
    metrics["entity_confusion"] = entity_confusion(gold, pred)
    metrics["frequent_errors"] = frequent_errors(gold, pred)
    output.mkdir(parents=True, exist_ok=True)
    write_jsonl(output / "predictions.jsonl", pred)
    (output / "metrics.json").write_text(json.dumps(metrics, ensure_ascii=False, indent=2), encoding="utf-8")
    markdown = markdown_report(metrics)
    (output / "report.md").write_text(markdown, encoding="utf-8")
    (output / "report.html").write_text(html_report(metrics, gold, pred), encoding="utf-8")
    return metrics


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", nargs="?", help="pipeline directory or installed package name")
    parser.add_argument("data", type=Path, help="gold data in the canonical JSONL format")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--predictions", type=Path, help="score this canonical JSONL file instead of running a model")
    parser.add_argument("--baselines", default="rules,underthesea", help="comma-separated: rules, underthesea (empty for none)")
    parser.add_argument("--bootstrap", type=int, default=1000, help="resamples for the confidence intervals (0: none)")
    parser.add_argument("--if-exists", action="store_true", help="when DATA is absent, say so in one line and exit 0 (an optional dev set)")
    args = parser.parse_args(argv)
    if (args.model is None) == (args.predictions is None):
        parser.error("give either MODEL or --predictions")
    if args.if_exists and not args.data.exists():
        print(f"{args.data} is absent: nothing to evaluate, skipped")
        return 0
    try:
        evaluate(args.data, args.output, args.model, args.predictions, [b for b in args.baselines.split(",") if b], args.bootstrap)
    except (CorpusError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print((args.output / "report.md").read_text(encoding="utf-8"))
    print(f"wrote {args.output}/metrics.json, report.md, report.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
