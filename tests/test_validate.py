import json

import pytest

from vi_officials.corpus.corpus_io import CorpusError, CorpusValidationError
from vi_officials.corpus.validate import load_validated

TEXT = "Bộ trưởng Tô Lâm đề nghị Công an thành phố cấp căn cước trước ngày 30/7/2023."


def good_record():
    def span(sub, label):
        start = TEXT.index(sub)
        return {"start": start, "end": start + len(sub), "label": label}

    return {
        "id": "doc1",
        "text": TEXT,
        "meta": {},
        "spans": [span("Bộ trưởng", "TITLE"), span("Tô Lâm", "OFFICIAL"), span("Công an thành phố", "ORG"), span("cấp căn cước", "COMMITMENT"), span("ngày 30/7/2023", "DATE")],
        "relations": [{"head": 1, "child": 0, "label": "HAS_TITLE"}, {"head": 1, "child": 3, "label": "COMMITS"}, {"head": 3, "child": 2, "label": "ASSIGNED_TO"}, {"head": 3, "child": 4, "label": "DEADLINE"}],
    }


def write(tmp_path, records, name="c.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def problems_of(tmp_path, records):
    with pytest.raises(CorpusValidationError) as info:
        load_validated(write(tmp_path, records))
    return [str(p) for p in info.value.problems]


def test_valid_record_passes(tmp_path):
    assert len(load_validated(write(tmp_path, [good_record()]))) == 1


def test_shipped_gold_corpus_is_valid(gold_records):
    assert len(gold_records) == 5
    assert all(r["meta"]["source"] == "seed" for r in gold_records)


def test_offset_out_of_range_names_file_line_doc(tmp_path):
    r = good_record()
    r["id"] = "doc2"
    r["spans"][0]["end"] = len(TEXT) + 5
    [problem] = problems_of(tmp_path, [good_record(), r])
    assert problem.startswith(f"{tmp_path / 'c.jsonl'}:2 (document 'doc2'): span 0 offsets out of range")


def test_span_inside_a_syllable_is_rejected(tmp_path):
    r = good_record()
    r["spans"][1]["end"] -= 1  # "Tô Lâ"
    [problem] = problems_of(tmp_path, [r])
    assert "span 1 (OFFICIAL) does not start and end on syllable boundaries: 'Tô Lâ in" in problem


def test_whitespace_at_span_edge_is_rejected(tmp_path):
    r = good_record()
    r["spans"][1]["end"] += 1  # "Tô Lâm "
    [problem] = problems_of(tmp_path, [r])
    assert "span 1 (OFFICIAL) has leading or trailing whitespace: 'Tô Lâm '" in problem


def test_overlapping_entities_are_rejected(tmp_path):
    r = good_record()
    start = TEXT.index("Lâm đề")
    r["spans"].append({"start": start, "end": start + len("Lâm đề"), "label": "ORG"})
    problems = problems_of(tmp_path, [r])
    assert any("entity spans 1 and 5 overlap: 'Tô Lâm / Lâm đề'" in p for p in problems)


def test_unknown_label_is_rejected(tmp_path):
    r = good_record()
    r["spans"][2]["label"] = "LOC"
    problems = problems_of(tmp_path, [r])
    assert any("span 2 has unknown label 'LOC': 'Công an thành phố'" in p for p in problems)


def test_relation_endpoint_types_are_checked(tmp_path):
    r = good_record()
    r["relations"].append({"head": 0, "child": 1, "label": "HAS_TITLE"})  # TITLE -> OFFICIAL
    [problem] = problems_of(tmp_path, [r])
    assert "relation 4 HAS_TITLE cannot join TITLE -> OFFICIAL: 'Bộ trưởng -> Tô Lâm'" in problem


def test_relation_across_sentences_is_rejected(tmp_path):
    text = "Bộ trưởng Tô Lâm phát biểu. Ông cảm ơn Thành ủy."
    r = {"id": "d", "text": text, "meta": {}, "spans": [{"start": 10, "end": 16, "label": "OFFICIAL"}, {"start": text.index("Thành ủy"), "end": len(text) - 1, "label": "ORG"}], "relations": [{"head": 1, "child": 0, "label": "HAS_TITLE"}]}
    problems = problems_of(tmp_path, [r])
    assert any("relations 0" in p or "relation 0 HAS_TITLE joins spans in different sentences" in p for p in problems)


def test_text_not_in_nfc_is_rejected(tmp_path):
    import unicodedata

    r = good_record()
    r["text"] = unicodedata.normalize("NFD", TEXT)
    r["spans"], r["relations"] = [], []
    [problem] = problems_of(tmp_path, [r])
    assert "text is not in Unicode NFC" in problem


def test_duplicate_ids_are_rejected(tmp_path):
    problems = problems_of(tmp_path, [good_record(), good_record()])
    assert problems == [f"{tmp_path / 'c.jsonl'}:2 (document 'doc1'): duplicate document id (first on line 1): 'doc1'"]


def test_bad_json_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(good_record(), ensure_ascii=False) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load_validated(path)
    assert str(info.value).startswith(f"{path}:2: not valid JSON")


def test_every_problem_is_reported_at_once(tmp_path):
    r = good_record()
    r["spans"][0]["label"] = "RANK"
    r["spans"][1]["end"] -= 1
    assert len(problems_of(tmp_path, [r])) >= 2


def test_shipped_corpus_has_no_label_conflicts(gold_records):
    from vi_officials.corpus.consistency import label_conflicts

    assert label_conflicts(gold_records) == {}


def test_label_conflicts_are_found():
    from vi_officials.corpus.consistency import label_conflicts

    a = {"id": "a", "text": "Hà Nội", "meta": {}, "spans": [{"start": 0, "end": 6, "label": "ORG"}], "relations": []}
    b = dict(a, id="b", spans=[{"start": 0, "end": 6, "label": "DATE"}])
    assert label_conflicts([a, b]) == {"Hà Nội": {"ORG", "DATE"}}
