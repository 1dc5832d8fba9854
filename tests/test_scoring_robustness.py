"""evaluate never refuses a valid canonical file, scores overlap as the dev set defines it,
reports bad paths in one line, and renders real HTML tables and a chart."""
import json

from vi_officials.evaluation.evaluate import evaluate, main as evaluate_main
from vi_officials.evaluation.metrics import score

TEXT = "Chủ tịch Hà Văn Tú yêu cầu Sở Xây dựng hoàn thành kiểm tra toàn bộ công trình trước ngày 30/6."


def span(sub, label):
    start = TEXT.index(sub)
    return {"start": start, "end": start + len(sub), "label": label}


def record(spans, relations=()):
    return {"id": "d", "text": TEXT, "meta": {}, "spans": spans, "relations": list(relations)}


def write(path, *records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_commitment_overlap_needs_half_of_the_longer_span():
    gold = record([span("hoàn thành kiểm tra toàn bộ công trình", "COMMITMENT")])
    half = record([span("hoàn thành kiểm tra toàn", "COMMITMENT")])  # 24 of 38 characters
    little = record([span("hoàn thành", "COMMITMENT")])  # 10 of 38
    assert score([gold], [half])["commitments_overlap"]["f"] == 1.0
    assert score([gold], [little])["commitments_overlap"]["f"] == 0.0
    assert score([gold], [little])["commitments_partial"]["f"] == 1.0


def test_gold_span_inside_a_token_is_a_warned_miss_not_a_refusal(tmp_path, capsys):
    inside = {"start": TEXT.index("Xây") + 1, "end": TEXT.index("Xây dựng") + len("Xây dựng"), "label": "ORG"}  # "ây dựng"
    gold = write(tmp_path / "gold.jsonl", record([span("Chủ tịch", "TITLE"), inside]))
    pred = write(tmp_path / "pred.jsonl", record([span("Chủ tịch", "TITLE"), span("Sở Xây dựng", "ORG")]))
    metrics = evaluate(gold, tmp_path / "out", predictions=pred, baselines=[], n_bootstrap=0)
    assert metrics["model"]["entities"]["ORG"]["fn"] == 1 and metrics["model"]["entities"]["TITLE"]["tp"] == 1
    assert len(metrics["warnings"]) == 1 and "ây dựng" in metrics["warnings"][0]
    assert "ây dựng" in capsys.readouterr().err


def test_missing_paths_are_one_line_errors(tmp_path, capsys):
    from vi_officials.applications.predict import main as predict_main

    missing = tmp_path / "nope.jsonl"
    assert evaluate_main(["some-model", str(missing), "--output", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == f"error: {missing}: no such file" and "Traceback" not in err
    assert predict_main(["some-model", str(tmp_path / "nope.txt"), "--output", str(tmp_path / "p.jsonl")]) == 1
    assert capsys.readouterr().err.strip() == f"error: {tmp_path / 'nope.txt'}: no such file"
    data = write(tmp_path / "gold.jsonl", record([span("Chủ tịch", "TITLE")]))
    assert evaluate_main([str(tmp_path / "no-model"), str(data), "--output", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: cannot load the pipeline") and len(err.splitlines()) == 1


def test_absent_dev_set_is_skipped_in_one_line(tmp_path, capsys):
    assert evaluate_main(["model", str(tmp_path / "devset.jsonl"), "--output", str(tmp_path / "o"), "--if-exists"]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "absent" in out[0]
    assert not (tmp_path / "o").exists()


def test_html_report_has_tables_and_a_chart_not_preformatted_markdown(tmp_path):
    gold = write(tmp_path / "gold.jsonl", record([span("Chủ tịch", "TITLE"), span("Sở Xây dựng", "ORG")]))
    pred = write(tmp_path / "pred.jsonl", record([span("Chủ tịch", "TITLE")]))
    evaluate(gold, tmp_path / "out", predictions=pred, baselines=[], n_bootstrap=0)
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "<pre>" not in page and "| label |" not in page
    assert page.count("<table") >= 4 and "<svg" in page
    assert "<td>ORG</td><td>0.0</td><td>0.0</td><td>0.0</td><td>1</td><td>0</td>" in page
