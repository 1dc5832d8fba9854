"""The hand-written training articles: their authoring format, their coverage, and that
they stay out of every evaluation split."""
from pathlib import Path

import pytest

from vi_officials.corpus.corpus_io import CorpusError, read_jsonl
from vi_officials.corpus.corpus_stats import corpus_stats, date_form, ngram_recurrence
from vi_officials.corpus.markup import build_written, build_written_document

ARTICLES = Path(__file__).resolve().parent.parent / "corpus" / "written"


def test_written_article_file_gives_a_training_only_record(tmp_path):
    path = tmp_path / "x-01.ann"
    path.write_text("date 2024-05-12\n[Chủ tịch UBND tỉnh](TITLE t1) yêu cầu {rà soát hồ sơ}(COMMITMENT c1) trước [ngày 30/6](DATE d1).\n@@ COMMITS t1 c1\n@@ DEADLINE c1 d1\n", encoding="utf-8")
    record = build_written_document(path)
    assert record["id"] == "w-x-01"
    assert record["meta"] == {"source": "written", "date": "2024-05-12"}
    assert record["text"] == "Chủ tịch UBND tỉnh yêu cầu rà soát hồ sơ trước ngày 30/6."
    assert [record["text"][s["start"]:s["end"]] for s in record["spans"]] == ["Chủ tịch UBND tỉnh", "rà soát hồ sơ", "ngày 30/6"]
    assert sorted(r["label"] for r in record["relations"]) == ["COMMITS", "DEADLINE"]


def test_bad_written_article_names_file_and_line(tmp_path):
    path = tmp_path / "x-02.ann"
    path.write_text("date 2024-05-12\nDòng một.\n[Sở Y tế(ORG) phải làm.\n", encoding="utf-8")
    with pytest.raises(CorpusError) as err:
        build_written(tmp_path, tmp_path / "out.jsonl")
    assert "x-02.ann:3" in str(err.value)


def test_built_articles_match_their_annotation_files(tmp_path):
    rebuilt = build_written(ARTICLES / "articles", tmp_path / "articles.jsonl")
    assert rebuilt == read_jsonl(ARTICLES / "articles.jsonl")


def test_written_articles_cover_the_genre():
    records = read_jsonl(ARTICLES / "articles.jsonl")
    stats = corpus_stats(records)
    assert all(r["meta"]["source"] == "written" for r in records)
    assert stats["documents"] >= 60 and stats["syllables"] >= 30000
    assert len(stats["provinces"]) >= 45 and len(stats["central_bodies"]) >= 15 and len(stats["sectors"]) >= 12
    assert stats["relations"]["DEADLINE"] >= 100
    assert max(stats["recurrence"]) < 0.05


def test_written_articles_only_ever_train(gold_records):
    from vi_officials.corpus.convert import split_documents

    records = gold_records + read_jsonl(ARTICLES / "articles.jsonl")
    for seed in range(3):
        splits = split_documents(records, seed)
        assert all(r["meta"].get("source") != "written" for r in splits["dev"] + splits["test"])
        assert sum(r["meta"].get("source") == "written" for r in splits["train"]) == len(records) - len(gold_records)


def test_recurrence_counts_shared_eight_word_sequences():
    a = "một hai ba bốn năm sáu bảy tám chín mười"
    b = "không một hai ba bốn năm sáu bảy tám khác"
    c = "hoàn toàn khác nhau từ đầu đến cuối câu này"
    shares = ngram_recurrence([a, b, c])
    assert shares == [pytest.approx(1 / 3), pytest.approx(1 / 3), 0.0]


@pytest.mark.parametrize(
    "text,form",
    [("ngày 15 tháng 6 năm 2025", "ngày D tháng M năm Y"), ("08/01/2025", "dd/mm/yyyy"), ("15-12-2024", "dd-mm-yyyy"),
     ("2025 - 2030", "term yyyy-yyyy"), ("Ngày 29-3", "dd-mm"), ("ngày 1.7", "d.m"), ("15/6", "dd/mm"),
     ("quý III/2024", "quý"), ("tháng 12-2024", "tháng M/yyyy"), ("tháng 10", "tháng M"), ("năm 2025", "năm yyyy")],
)
def test_date_forms_are_classified(text, form):
    assert date_form(text) == form
