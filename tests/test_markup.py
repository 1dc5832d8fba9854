import pytest

from vi_officials.corpus.corpus_io import CorpusError
from vi_officials.corpus.markup import parse, split_seed, to_canonical


def test_marks_are_removed_and_ids_resolve():
    source = "[Bộ trưởng](TITLE t1) [Lâm](OFFICIAL p1) đề nghị {cấp [căn cước](ORG)}(COMMITMENT c1).\n@@ HAS_TITLE p1 t1\n@@ COMMITS p1 c1\n"
    parsed = parse(source)
    record = to_canonical(parsed, "x", "Bộ trưởng Lâm đề nghị cấp căn cước.", {}, "a.ann")
    text = record["text"]
    assert [(text[s["start"] : s["end"]], s["label"]) for s in record["spans"]] == [("Bộ trưởng", "TITLE"), ("Lâm", "OFFICIAL"), ("cấp căn cước", "COMMITMENT"), ("căn cước", "ORG")]
    assert record["relations"] == [{"head": 1, "child": 0, "label": "HAS_TITLE"}, {"head": 1, "child": 2, "label": "COMMITS"}]


def test_edited_text_is_an_error_with_line():
    parsed = parse("dòng một\n[Tô Lâm](OFFICIAL) phat biểu")
    with pytest.raises(CorpusError) as info:
        to_canonical(parsed, "x", "dòng một\nTô Lâm phát biểu", {}, "a.ann")
    assert info.value.line == 2 and "text differs from the seed" in str(info.value)


def test_unknown_relation_id_is_an_error():
    parsed = parse("[Tô Lâm](OFFICIAL p1)\n@@ HAS_TITLE p1 t9\n")
    with pytest.raises(CorpusError, match="relation names unknown span id 't9'"):
        to_canonical(parsed, "x", "Tô Lâm", {}, "a.ann")


def test_crawl_header_becomes_meta():
    text, meta = split_seed(" date 2023-04 TPO - Chiều 28/4")
    assert text == "TPO - Chiều 28/4" and meta == {"date": "2023-04"}
