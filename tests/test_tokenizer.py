import unicodedata

from vi_officials.corpus.convert import blank_nlp
from vi_officials.text.syllables import sentence_spans, syllable_offsets


def test_text_is_preserved_exactly(gold_records):
    nlp = blank_nlp()
    for text in ["", "   ", " a  b\n\nc. D ", "\n\nX"] + [r["text"] for r in gold_records]:
        assert nlp.make_doc(text).text == text


def test_numbers_dates_and_abbreviations_stay_whole():
    text = "Ngày 30/7/2023, giai đoạn 2021-2025, T.Ư chi 6.149,47 tỷ."
    tokens = [text[s:e] for s, e in syllable_offsets(text)]
    assert "30/7/2023" in tokens and "2021-2025" in tokens and "T.Ư" in tokens and "6.149,47" in tokens


def test_semicolon_does_not_end_a_sentence_but_newline_does():
    text = "Ông Dũng đề nghị A; đề nghị B. Sau đó\nDòng mới"
    sents = [text[s:e] for s, e in sentence_spans(text)]
    assert sents == ["Ông Dũng đề nghị A; đề nghị B.", "Sau đó", "Dòng mới"]


def test_decomposed_text_tokenizes_like_composed_text():
    text = "Bí thư Thành uỷ Hà Nội hoà hợp."
    nfd = unicodedata.normalize("NFD", text)
    nlp = blank_nlp()
    a, b = nlp(text), nlp(nfd)
    assert len(a) == len(b) and b.text == nfd
    assert [t.norm_ for t in a] == [t.norm_ for t in b]
    assert [t.suffix_ for t in b] == [t.suffix_ for t in nlp("Bí thư Thành ủy Hà Nội hòa hợp.")]


def test_glued_full_stop_before_a_capital_splits_but_abbreviations_and_numbers_stay_whole():
    text = "… lãnh đạo tỉnh Sơn Tây.ẢNH: MINH ĐỨC, T.Ư, TP.HCM, Tp.HCM, 6.149,47, ngày 1.1 và 08/01/2021."
    tokens = [text[s:e] for s, e in syllable_offsets(text)]
    assert tokens[5:9] == ["Tây", ".", "ẢNH", ":"]
    for whole in ("T.Ư", "TP.HCM", "Tp.HCM", "6.149,47", "1.1", "08/01/2021"):
        assert whole in tokens


def test_sentence_ends_only_before_whitespace_and_a_capital_or_opening_quote():
    text = "Phó Chủ tịch UBND TP. Đà Lạt nói, quy chuẩn phòng cháy…), định mức 5.4. Ông Hải “Làm ngay.” Xong! “Đúng”"
    sents = [text[s:e] for s, e in sentence_spans(text)]
    assert sents == [
        "Phó Chủ tịch UBND TP. Đà Lạt nói, quy chuẩn phòng cháy…), định mức 5.4.",
        "Ông Hải “Làm ngay.”",
        "Xong!",
        "“Đúng”",
    ]


def test_tokenizer_sentence_starts_follow_the_validator_rule():
    nlp = blank_nlp()
    doc = nlp("Chủ tịch UBND TP. Cần Thơ yêu cầu. Sở Y tế báo cáo.")
    assert [s.text for s in doc.sents] == ["Chủ tịch UBND TP. Cần Thơ yêu cầu.", "Sở Y tế báo cáo."]
