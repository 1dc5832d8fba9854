"""The evaluator on a small hand-made file with known answers, and on a real pipeline."""
import json

import pytest

from vi_officials.evaluation.evaluate import evaluate
from vi_officials.evaluation.metrics import score

TEXT = "Bộ trưởng Tô Lâm đề nghị Công an thành phố cấp căn cước trước ngày 30/7/2023."


def span(sub, label):
    start = TEXT.index(sub)
    return {"start": start, "end": start + len(sub), "label": label}


GOLD = {
    "id": "hand-made",
    "text": TEXT,
    "meta": {},
    "spans": [span("Bộ trưởng", "TITLE"), span("Tô Lâm", "OFFICIAL"), span("Công an thành phố", "ORG"), span("cấp căn cước", "COMMITMENT"), span("ngày 30/7/2023", "DATE")],
    "relations": [{"head": 1, "child": 0, "label": "HAS_TITLE"}, {"head": 1, "child": 3, "label": "COMMITS"}, {"head": 3, "child": 2, "label": "ASSIGNED_TO"}, {"head": 3, "child": 4, "label": "DEADLINE"}],
}
# one wrong label (ORG predicted as OFFICIAL), one partial commitment ("… trước"),
# COMMITS to the partial commitment (wrong endpoint), ASSIGNED_TO and DEADLINE missed
PRED = {
    "id": "hand-made",
    "text": TEXT,
    "meta": {},
    "spans": [span("Bộ trưởng", "TITLE"), span("Tô Lâm", "OFFICIAL"), span("Công an thành phố", "OFFICIAL"), span("cấp căn cước trước", "COMMITMENT"), span("ngày 30/7/2023", "DATE")],
    "relations": [{"head": 1, "child": 0, "label": "HAS_TITLE"}, {"head": 1, "child": 3, "label": "COMMITS"}],
}


def test_known_counts():
    s = score([GOLD], [PRED])
    counts = lambda x: (x["tp"], x["fp"], x["fn"])
    assert counts(s["entities"]["TITLE"]) == (1, 0, 0)
    assert counts(s["entities"]["OFFICIAL"]) == (1, 1, 0)
    assert counts(s["entities"]["ORG"]) == (0, 0, 1)
    assert counts(s["entities_micro"]) == (3, 1, 1)
    assert counts(s["commitments_exact"]) == (0, 1, 1)
    assert s["commitments_partial"]["p"] == 1.0 and s["commitments_partial"]["r"] == 1.0
    assert counts(s["relations"]["HAS_TITLE"]) == (1, 0, 0)
    assert counts(s["relations"]["COMMITS"]) == (0, 1, 1)
    assert counts(s["relations"]["ASSIGNED_TO"]) == (0, 0, 1)
    assert counts(s["relations"]["DEADLINE"]) == (0, 0, 1)


def test_end_to_end_recall_counts_every_unpredicted_gold_relation():
    s = score([GOLD], [PRED])
    assert s["relations_micro"]["r"] == pytest.approx(1 / 4)
    empty = dict(PRED, spans=[], relations=[])
    assert score([GOLD], [empty])["relations_micro"]["fn"] == 4


def test_predictions_file_is_evaluated_with_reports(tmp_path):
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold_path.write_text(json.dumps(GOLD, ensure_ascii=False) + "\n", encoding="utf-8")
    pred_path.write_text(json.dumps(PRED, ensure_ascii=False) + "\n", encoding="utf-8")
    metrics = evaluate(gold_path, tmp_path / "out", predictions=pred_path, baselines=["rules"], n_bootstrap=50)
    assert metrics["model"]["relations_micro"]["tp"] == 1
    assert metrics["entity_confusion"]["matrix"][2][0] == 1  # gold ORG predicted OFFICIAL
    saved = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert saved["model"]["entities_micro"]["tp"] == 3
    report = (tmp_path / "out" / "report.html").read_text()
    assert "hand-made" in report and "missed" in report and "ASSIGNED_TO" in report
    assert "| ORG | 0.0 | 0.0 | 0.0 | 1 | 0 |" in (tmp_path / "out" / "report.md").read_text()


def test_pipeline_evaluation_writes_every_section(tmp_path, trained_cnn, gold_records):
    data = tmp_path / "data.jsonl"
    data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold_records[:2]), encoding="utf-8")
    metrics = evaluate(data, tmp_path / "report", model=str(trained_cnn), baselines=["rules", "underthesea"], n_bootstrap=20)
    assert set(metrics["baselines"]) == {"rule baseline", "underthesea.ner"}
    assert "relations_given_gold_spans" in metrics and metrics["backbone"] == "cnn"
    gold_rel = sum(len(r["relations"]) for r in gold_records[:2])
    m = metrics["model"]["relations_micro"]
    assert m["tp"] + m["fn"] == gold_rel
    html = (tmp_path / "report" / "report.html").read_text()
    for record in gold_records[:2]:
        assert record["id"] in html
    assert html.count("<h3>Gold</h3>") == 2 and html.count("<h3>Predicted</h3>") == 2


def test_predict_writes_canonical_jsonl_that_evaluate_scores(tmp_path, trained_cnn, gold_records):
    from vi_officials.applications.predict import main as predict_main
    from vi_officials.corpus.validate import load_validated

    raw = tmp_path / "article.txt"
    raw.write_text(gold_records[0]["text"], encoding="utf-8")
    data = tmp_path / "gold.jsonl"
    data.write_text(json.dumps(gold_records[1], ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "pred.jsonl"
    assert predict_main([str(trained_cnn), str(raw), str(data), "--output", str(out)]) == 0
    predictions = load_validated(out)  # the output is valid canonical JSONL
    assert [p["id"] for p in predictions] == ["article.txt", gold_records[1]["id"]]
    assert predictions[0]["text"] == gold_records[0]["text"]
    assert all("score" in r for p in predictions for r in p["relations"])
    pred_only = tmp_path / "pred1.jsonl"
    pred_only.write_text(json.dumps(predictions[1], ensure_ascii=False) + "\n", encoding="utf-8")
    metrics = evaluate(data, tmp_path / "scored", predictions=pred_only, baselines=[], n_bootstrap=0)
    gold_rel = len(gold_records[1]["relations"])
    assert metrics["model"]["relations_micro"]["tp"] + metrics["model"]["relations_micro"]["fn"] == gold_rel


def test_bad_input_file_is_a_clear_error(tmp_path, capsys):
    from vi_officials.applications.predict import main as predict_main

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "x"}\n{"id": 3}\n', encoding="utf-8")
    assert predict_main(["unused-model", str(bad), "--output", str(tmp_path / "o.jsonl")]) == 1
    assert f"{bad}:2: no string 'text' field" in capsys.readouterr().err


def test_ledger_view_matches_commitments_by_overlap():
    """PRED's commitment overlaps the gold one by more than half: COMMITS counts in the
    ledger's view (not end to end), and the row has the right committer but misses its
    assignee and deadline."""
    s = score([GOLD], [PRED])
    counts = lambda x: (x["tp"], x["fp"], x["fn"])
    assert counts(s["relations"]["COMMITS"]) == (0, 1, 1)
    assert counts(s["relations_overlap"]["COMMITS"]) == (1, 0, 0)
    assert counts(s["relations_overlap"]["ASSIGNED_TO"]) == (0, 0, 1)
    rows = s["ledger_rows"]
    assert (rows["gold"], rows["predicted"], rows["spurious"]) == (1, 1, 0)
    assert (rows["matched"], rows["committer"], rows["assignees"], rows["deadline"], rows["all"]) == (1.0, 1.0, 0.0, 0.0, 0.0)


def test_ledger_view_compares_normalised_deadlines_and_counts_spurious_rows():
    """The deadline is compared after normalisation against the article date; a predicted
    commitment with relations that matches no gold commitment is a spurious row; a
    predicted commitment under half the gold span's length does not match."""
    gold = dict(GOLD, meta={"date": "2023-05"})
    full = dict(gold, relations=GOLD["relations"])
    s = score([gold], [full])
    assert s["ledger_rows"]["all"] == 1.0 and s["ledger_rows"]["precision"] == 1.0
    short = dict(PRED, spans=PRED["spans"][:3] + [span("cấp", "COMMITMENT"), span("ngày 30/7/2023", "DATE")], relations=[{"head": 1, "child": 3, "label": "COMMITS"}])
    s = score([gold], [short])
    assert s["ledger_rows"]["matched"] == 0.0 and s["ledger_rows"]["spurious"] == 1
    assert s["ledger_rows"]["precision"] == 0.0


def test_one_predicted_commitment_matches_one_gold_commitment():
    from vi_officials.evaluation.metrics import match_commitments

    gold = {(0, 20, "COMMITMENT")}
    pred = {(0, 10, "COMMITMENT"), (10, 20, "COMMITMENT")}  # each covers half of the gold span
    assert len(match_commitments(gold, pred)) == 1


def test_gold_across_a_line_break_or_sentence_is_scored_as_a_miss(tmp_path, capsys):
    """A letterhead wrapped over two lines as one ORG, and a relation between two
    sentences: evaluate warns and scores them as misses instead of refusing the file."""
    text = "ỦY BAN NHÂN DÂN\nTỈNH BẾN TRE\nChủ tịch UBND tỉnh yêu cầu rà soát hồ sơ. Sở Tư pháp thực hiện."
    def sp(sub, label):
        start = text.index(sub)
        return {"start": start, "end": start + len(sub), "label": label}
    gold = {"id": "letterhead", "text": text, "meta": {}, "spans": [sp("ỦY BAN NHÂN DÂN\nTỈNH BẾN TRE", "ORG"), sp("Chủ tịch UBND tỉnh", "TITLE"), sp("rà soát hồ sơ", "COMMITMENT"), sp("Sở Tư pháp", "ORG")],
            "relations": [{"head": 1, "child": 2, "label": "COMMITS"}, {"head": 2, "child": 3, "label": "ASSIGNED_TO"}]}
    pred = dict(gold, spans=gold["spans"][1:3], relations=[{"head": 0, "child": 1, "label": "COMMITS"}])
    gold_path, pred_path = tmp_path / "gold.jsonl", tmp_path / "pred.jsonl"
    gold_path.write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    pred_path.write_text(json.dumps(pred, ensure_ascii=False) + "\n", encoding="utf-8")
    metrics = evaluate(gold_path, tmp_path / "out", predictions=pred_path, baselines=[], n_bootstrap=0)
    err = capsys.readouterr().err
    assert "crosses a sentence boundary" in err and "different sentences" in err
    m = metrics["model"]
    assert (m["entities"]["ORG"]["tp"], m["entities"]["ORG"]["fn"]) == (0, 2)
    assert (m["relations"]["COMMITS"]["tp"], m["relations"]["ASSIGNED_TO"]["fn"]) == (1, 1)
    assert len(metrics["warnings"]) == 2


def test_malformed_gold_is_still_an_error(tmp_path):
    from vi_officials.corpus.corpus_io import CorpusValidationError

    bad = dict(GOLD, spans=GOLD["spans"] + [{"start": 0, "end": 10_000, "label": "ORG"}])
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(bad, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(CorpusValidationError, match="out of range"):
        evaluate(path, tmp_path / "out", predictions=path, baselines=[], n_bootstrap=0)


def test_relation_errors_name_why_each_ledger_relation_was_lost():
    """PRED: COMMITS right by overlap; ASSIGNED_TO lost to an entity with the wrong label;
    DEADLINE lost though both ends were found (the relation stage)."""
    from vi_officials.evaluation.metrics import relation_errors

    counts = relation_errors(GOLD, PRED)
    assert counts == {("COMMITS", "right"): 1, ("ASSIGNED_TO", "entity label"): 1, ("DEADLINE", "relation stage"): 1}
    # a spurious ASSIGNED_TO to a gold entity from the matched commitment is a spurious link,
    # and with no predicted commitment every gold ledger relation is lost to it
    linked = dict(PRED, relations=PRED["relations"] + [{"head": 3, "child": 0, "label": "ASSIGNED_TO"}])
    assert relation_errors(GOLD, linked)[("ASSIGNED_TO", "spurious link")] == 1
    bare = dict(PRED, spans=[s for s in PRED["spans"] if s["label"] != "COMMITMENT"], relations=[])
    assert relation_errors(GOLD, bare) == {(label, "no commitment"): 1 for label in ("COMMITS", "ASSIGNED_TO", "DEADLINE")}
