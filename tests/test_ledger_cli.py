"""The ledger through its command line: gold cases, bad input, markup, resume, engines."""
import csv
import json
import subprocess
import sys
import unicodedata


from vi_officials.cli import main as cli


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_jsonl(path, records):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_gold_ledger_gives_committer_assignees_and_normalised_deadline(tmp_path, gold_records, root):
    out = tmp_path / "ledger.csv"
    assert cli(["ledger", "--gold", str(root / "corpus" / "gold.jsonl"), str(root / "corpus" / "written" / "articles.jsonl"), "--output", str(out), "--no-progress"]) == 0
    rows = read_csv(out)
    n_commitments = sum(1 for r in gold_records for s in r["spans"] if s["label"] == "COMMITMENT")
    assert sum(1 for r in rows if not r["article_id"].startswith("w-")) == n_commitments
    seed = next(r for r in rows if r["commitment"].startswith("cấp được hết căn cước công dân"))
    # the short re-mention "Lâm" is the article's "Tô Lâm", with the titles of all his mentions
    assert (seed["committer"], seed["committer_label"], seed["assignees"]) == ("Tô Lâm (Đại tướng, Bộ trưởng Bộ Công an)", "OFFICIAL", "Công an thành phố")
    assert seed["committer_body"] == "Bộ Công an"
    assert (seed["deadline_text"], seed["deadline"], seed["deadline_kind"], seed["article_date"]) == ("ngày 30/7/2023", "2023-07-30", "day", "2023-04")
    typhoon = next(r for r in rows if r["article_id"] == "w-b-01" and r["commitment"] == "hoàn thành dựng lại nhà cho các hộ mất nhà")
    # the title "Phó Thủ tướng" is held by the one named deputy prime minister of the article
    assert (typhoon["committer"], typhoon["committer_label"], typhoon["assignees"], typhoon["deadline"]) == (
        "Lương Văn Khiêm (Phó Thủ tướng Chính phủ, Trưởng Ban Chỉ đạo quốc gia về phòng, chống thiên tai)", "TITLE", "tỉnh", "2024-12-31")
    assert typhoon["committer_body"] == "Ban Chỉ đạo quốc gia về phòng, chống thiên tai"
    dispatch = next(r for r in rows if r["article_id"] == "w-g-03" and r["deadline_text"] == "ngày 15/5/2021")
    assert dispatch["assignees"] == "UBND huyện Đông Hải; UBND huyện Hòa Bình; UBND thị xã Giá Rai"
    # "UBND tỉnh" of an article that names one province (its "huyện Hòa Bình" is a district)
    assert dispatch["committer_body"] == "UBND tỉnh Bạc Liêu" and dispatch["committer"].endswith("(Phó Bí thư Tỉnh ủy, Chủ tịch UBND tỉnh)")
    # every committer is the head of the gold COMMITS relation of that commitment, and its
    # name (before the titles) ends with the head's text, or is a title's holder
    by_id = {r["id"]: r for r in gold_records}
    for row in rows:
        record = by_id.get(row["article_id"])
        if record is None or not row["committer"]:
            continue
        heads = [record["spans"][rel["head"]] for rel in record["relations"] if rel["label"] == "COMMITS" and record["spans"][rel["child"]]["start"] == int(row["commitment_start"])]
        assert any((h["start"], h["end"]) == (int(row["committer_start"]), int(row["committer_end"])) for h in heads)
        head_text = record["text"][int(row["committer_start"]):int(row["committer_end"])]
        assert row["committer_label"] == "TITLE" or row["committer"].split(" (")[0].endswith(head_text)
    # bodies are never the committer (a person or a bare title)
    assert not any(r["committer_body"] and r["committer_body"] == r["committer"] and r["committer_label"] != "ORG" for r in rows)


def test_bad_records_go_to_the_errors_file_and_the_run_goes_on(tmp_path, ledger_model, gold_records, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    text = gold_records[0]["text"][:600]
    (folder / "good.txt").write_text(text, encoding="utf-8")
    (folder / "nfd.txt").write_text(unicodedata.normalize("NFD", text), encoding="utf-8")
    (folder / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (folder / "latin1.txt").write_bytes("Chủ tịch Hà Nội".encode("cp1258", errors="replace"))
    (folder / "empty.txt").write_text("  \n", encoding="utf-8")
    lines = [json.dumps({"id": "ok", "text": text}, ensure_ascii=False), "{not json", json.dumps({"id": "blank", "text": ""})]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "ledger.jsonl"
    assert cli(["ledger", str(ledger_model), str(folder), "--output", str(out), "--no-progress"]) == 1
    summary = capsys.readouterr().out
    assert "3 documents" in summary and "5 errors" in summary
    errors = [json.loads(l) for l in (tmp_path / "ledger.jsonl.errors.jsonl").read_text(encoding="utf-8").splitlines()]
    reasons = {(e["file"].split("/")[-1], e["line"]): e["reason"] for e in errors}
    assert reasons[("binary.txt", 0)].startswith("binary data")
    assert reasons[("latin1.txt", 0)].startswith("not UTF-8 text")
    assert reasons[("empty.txt", 0)] == "empty text"
    assert reasons[("batch.jsonl", 2)].startswith("not valid JSON")
    assert reasons[("batch.jsonl", 3)] == "empty text"
    assert len(errors) == 5
    assert out.exists() and not (tmp_path / "ledger.jsonl.rows.jsonl").exists()


def test_nfd_text_gives_the_same_rows_with_offsets_into_the_given_text(tmp_path, ledger_model, gold_records):
    text = gold_records[0]["text"]
    nfd = unicodedata.normalize("NFD", text)
    src = write_jsonl(tmp_path / "in.jsonl", [{"id": "nfc", "text": text}, {"id": "nfd", "text": nfd}])
    out = tmp_path / "ledger.jsonl"
    assert cli(["ledger", str(ledger_model), str(src), "--output", str(out), "--no-progress"]) == 0
    rows = [json.loads(l) for l in out.read_text(encoding="utf-8").splitlines()]
    nfc_rows = [r for r in rows if r["article_id"] == "nfc"]
    nfd_rows = [r for r in rows if r["article_id"] == "nfd"]
    assert nfc_rows and len(nfc_rows) == len(nfd_rows)
    for a, b in zip(nfc_rows, nfd_rows):
        assert b["commitment"] == nfd[b["commitment_start"]:b["commitment_end"]]
        assert unicodedata.normalize("NFC", b["commitment"]) == a["commitment"]


def test_html_ledger_shows_markup_as_text(tmp_path):
    text = "Chủ tịch UBND tỉnh yêu cầu Sở Y tế gỡ <script>alert(1)</script> và <img src=x onerror=alert(1)> trước ngày 30/6."
    def span(sub, label):
        start = text.index(sub)
        return {"start": start, "end": start + len(sub), "label": label}
    record = {"id": "xss", "text": text, "meta": {"date": "2024-05"},
              "spans": [span("Chủ tịch UBND tỉnh", "TITLE"), span("Sở Y tế", "ORG"), span("gỡ <script>alert(1)</script> và <img src=x onerror=alert(1)>", "COMMITMENT"), span("ngày 30/6", "DATE")],
              "relations": [{"head": 0, "child": 2, "label": "COMMITS"}, {"head": 2, "child": 1, "label": "ASSIGNED_TO"}, {"head": 2, "child": 3, "label": "DEADLINE"}]}
    src = write_jsonl(tmp_path / "in.jsonl", [record])
    out = tmp_path / "ledger.html"
    assert cli(["ledger", "--gold", str(src), "--output", str(out), "--no-progress"]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "2024-06-30" in page


def test_fifty_thousand_syllable_document(tmp_path, ledger_model, gold_records):
    words = " ".join(gold_records[2]["text"].split())
    base = words.split()
    text = " ".join((base * (50000 // len(base) + 1))[:50000])
    src = tmp_path / "long.txt"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "ledger.csv"
    assert cli(["ledger", str(ledger_model), str(src), "--output", str(out), "--no-progress", "--date", "2023-05"]) == 0
    rows = read_csv(out)
    assert rows and {r["article_date"] for r in rows} == {"2023-05"}
    for row in rows:
        assert text[int(row["commitment_start"]):int(row["commitment_end"])] == row["commitment"]


def test_interrupted_run_resumes_without_redoing_finished_files(tmp_path, gold_records):
    from vi_officials.applications.ledger.engines import run_local
    from vi_officials.applications.ledger.writers import LedgerSink

    first = write_jsonl(tmp_path / "a.jsonl", gold_records[:2])
    second = write_jsonl(tmp_path / "b.jsonl", gold_records[2:])
    out = tmp_path / "ledger.csv"
    sink = LedgerSink(out, tmp_path / "errors.jsonl")
    run_local(None, [str(first)], sink, progress=False)  # the run stops after the first file
    sink.add_rows([{"article_id": "half-written", "commitment": "rows of a file under way"}])
    sink.close()
    first.unlink()  # a rerun that read it again would report it missing
    assert cli(["ledger", "--gold", str(first), str(second), "--output", str(out), "--resume", "--no-progress"]) == 0
    rows = read_csv(out)
    assert {r["article_id"] for r in rows} == {r["id"] for r in gold_records}  # the half-written row is gone
    assert len(rows) == sum(1 for r in gold_records for s in r["spans"] if s["label"] == "COMMITMENT")


def test_standard_input_and_the_console_script(tmp_path, gold_records, root):
    out = tmp_path / "ledger.jsonl"
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in gold_records[:1])
    done = subprocess.run([sys.executable, "-m", "vi_officials.applications.ledger", "--gold", "-", "--output", str(out), "--no-progress"], input=data.encode(), capture_output=True, cwd=root)
    assert done.returncode == 0, done.stderr.decode()
    assert len(out.read_text(encoding="utf-8").splitlines()) == sum(1 for s in gold_records[0]["spans"] if s["label"] == "COMMITMENT")
    for command in ("predict", "evaluate", "ledger"):
        shown = subprocess.run([sys.executable, "-m", "vi_officials.cli", command, "--help"], capture_output=True, text=True, cwd=root)
        assert shown.returncode == 0 and f"vi-officials {command}" in shown.stdout


def test_dask_engine_rows_equal_local_rows(tmp_path, ledger_model, gold_records):
    files = [str(write_jsonl(tmp_path / f"part{i}.jsonl", gold_records[i::2])) for i in range(2)]
    outputs = {}
    for engine in ("local", "dask"):
        for model in ([str(ledger_model)], ["--gold"]):
            out = tmp_path / f"{engine}{len(model[0])}.csv"
            assert cli(["ledger", *model, *files, "--output", str(out), "--engine", engine, "--n-process", "2", "--no-progress"]) == 0
            outputs[(engine, model[0])] = sorted(out.read_text(encoding="utf-8").splitlines()[1:])
    assert outputs[("local", "--gold")] and outputs[("local", "--gold")] == outputs[("dask", "--gold")]
    assert outputs[("local", str(ledger_model))] and outputs[("local", str(ledger_model))] == outputs[("dask", str(ledger_model))]


def test_every_output_format_holds_the_same_rows(tmp_path, gold_records):
    import pyarrow.parquet as pq

    from vi_officials.applications.ledger.rows import COLUMNS, typed_row

    src = write_jsonl(tmp_path / "in.jsonl", gold_records[:2])
    outputs = {ext: tmp_path / f"ledger.{ext}" for ext in ("csv", "jsonl", "parquet", "html")}
    for out in outputs.values():
        assert cli(["ledger", "--gold", str(src), "--output", str(out), "--no-progress"]) == 0
    from_jsonl = [json.loads(l) for l in outputs["jsonl"].read_text(encoding="utf-8").splitlines()]
    from_parquet = pq.read_table(outputs["parquet"]).to_pylist()
    from_csv = read_csv(outputs["csv"])
    assert len(from_jsonl) == sum(1 for r in gold_records[:2] for s in r["spans"] if s["label"] == "COMMITMENT")
    assert from_parquet == [typed_row(r) for r in from_jsonl] and list(from_csv[0]) == list(COLUMNS)
    # Parquet: real nulls and lists where JSONL and CSV have "", -1 and "; "-joined names
    without_deadline = next(i for i, r in enumerate(from_jsonl) if not r["deadline_text"])
    assert from_csv[without_deadline]["deadline_start"] == "-1"
    assert from_parquet[without_deadline]["deadline_start"] is None and from_parquet[without_deadline]["deadline_text"] is None
    with_two = next(i for i, r in enumerate(from_jsonl) if r["assignees"])
    assert from_parquet[with_two]["assignees"] == from_jsonl[with_two]["assignees"].split("; ")
    assert [(o["start"], o["end"]) for o in from_parquet[with_two]["assignee_offsets"]] == [tuple(map(int, o.split("-"))) for o in from_jsonl[with_two]["assignee_offsets"].split(";")]
    schema = pq.read_schema(outputs["parquet"])
    assert str(schema.field("assignees").type) == "list<element: string>" and str(schema.field("committer_start").type) == "int64"
    assert [r["commitment"] for r in from_csv] == [r["commitment"] for r in from_jsonl]
    assert f"{len(from_jsonl)} rows" in outputs["html"].read_text(encoding="utf-8")
    assert cli(["ledger", "--gold", str(src), "--output", str(tmp_path / "ledger.xlsx"), "--no-progress"]) == 2


def test_gold_ledger_page_of_the_written_articles_charts_bodies_and_deadline_kinds(tmp_path, root):
    import re

    src = root / "corpus" / "written" / "articles.jsonl"
    out, rows_out = tmp_path / "ledger.html", tmp_path / "ledger.jsonl"
    for path in (out, rows_out):
        assert cli(["ledger", "--gold", str(src), "--output", str(path), "--no-progress"]) == 0
    rows = [json.loads(l) for l in rows_out.read_text(encoding="utf-8").splitlines()]
    page = out.read_text(encoding="utf-8")

    def bars(cls):
        svg = re.search(f'<svg class="chart {cls}".*?</svg>', page, re.S).group(0)
        return [(label, int(n)) for label, n in re.findall(r'<g class="bar" data-label="([^"]*)" data-count="(\d+)">', svg)]

    people = {r["committer"] for r in rows if r["committer_label"] == "OFFICIAL"}
    bare_titles = {r["committer"] for r in rows if r["committer_label"] == "TITLE" and not r["committer_body"]}
    bodies = bars("bodies")
    assert len(bodies) == 15 and not {b for b, _ in bodies} & (people | bare_titles)
    # a province's UBND is told apart from another's
    assert sum(1 for b, _ in bodies if b.startswith("UBND tỉnh ")) >= 3
    kinds = dict(bars("kinds"))
    assert sum(kinds.values()) == len(rows) and kinds["no deadline"] == sum(1 for r in rows if not r["deadline_text"])
    assert kinds["quarter"] == sum(1 for r in rows if r["deadline"].endswith(("Q1", "Q2", "Q3", "Q4")))
    assert sum(n for _, n in bars("months")) == kinds["day"] + kinds["month"]
