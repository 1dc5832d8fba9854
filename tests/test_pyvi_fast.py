"""`pyvi_fast` must give pyvi's own words and tags, only faster."""
from pathlib import Path

import pytest
from pyvi import ViPosTagger, ViTokenizer

from vi_officials.text import pyvi_fast
from vi_officials.corpus.corpus_io import read_jsonl

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "corpus" / "gold.jsonl", ROOT / "corpus" / "written" / "articles.jsonl", ROOT / "corpus" / "written" / "written.jsonl"]


def _paragraphs():
    return [p for path in CORPORA for r in read_jsonl(path) for p in r["text"].split("\n") if p.strip()]


def test_segmentation_and_tags_equal_pyvi_on_the_whole_corpus():
    paragraphs = _paragraphs()
    assert len(paragraphs) > 500
    for text in paragraphs:
        segmented = pyvi_fast.tokenize(text)
        assert segmented == ViTokenizer.tokenize(text), text
        words, tags = pyvi_fast.postagging(segmented)
        ref_words, ref_tags = ViPosTagger.postagging(segmented)
        assert words == list(ref_words) and tags == list(ref_tags), text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "A",
        "UBND",
        "Ngày 08/01/2021, TP.HCM có 6.149,47 tỷ đồng ... ==> xem http://a.vn/x?y=1",
        "ÔNG NGUYỄN VĂN AN – CHỦ TỊCH UBND TỈNH",
        "Email: lien.he@so.gov.vn; ĐT: 0123 456 789 (số 1.1).",
        "a_b c__d _ __",
    ],
)
def test_edge_cases_equal_pyvi(text):
    segmented = pyvi_fast.tokenize(text)
    assert segmented == ViTokenizer.tokenize(text)
    if segmented.strip():
        words, tags = pyvi_fast.postagging(segmented)
        ref_words, ref_tags = ViPosTagger.postagging(segmented)
        assert (words, tags) == (list(ref_words), list(ref_tags))
