from spacy.tokens import DocBin

from vi_officials.corpus.convert import (
    blank_nlp,
    convert,
    convert_records,
    doc_to_record,
    record_counts,
    split_documents,
    split_paragraphs,
)


def test_conversion_keeps_every_span_and_relation(gold_records):
    docs, counts = convert_records(gold_records, "gold")
    nlp = blank_nlp()
    back = [doc_to_record(d) for d in DocBin().from_bytes(_docbin_bytes(docs)).get_docs(nlp.vocab)]
    assert record_counts(back) == record_counts(gold_records) == counts
    assert counts["OFFICIAL"] + counts["TITLE"] > 60 and sum(counts[r] for r in ("HAS_TITLE", "COMMITS", "ASSIGNED_TO", "DEADLINE")) > 60


def _docbin_bytes(docs):
    from vi_officials.corpus.convert import docs_to_docbin

    return docs_to_docbin(docs).to_bytes()


def test_jsonl_docbin_jsonl_round_trip_is_unchanged(gold_records):
    docs, _ = convert_records(gold_records, "gold")
    nlp = blank_nlp()
    back = [doc_to_record(d) for d in DocBin().from_bytes(_docbin_bytes(docs)).get_docs(nlp.vocab)]
    assert back == gold_records


def test_paragraph_split_keeps_everything(gold_records):
    parts = [p for r in gold_records for p in split_paragraphs(r)]
    assert record_counts(parts) == record_counts(gold_records)
    for p in parts:
        for s in p["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(p["text"])


def test_split_is_by_document_and_seeded(gold_records):
    a = split_documents(gold_records, seed=0)
    b = split_documents(gold_records, seed=0)
    c = split_documents(gold_records, seed=1)
    ids = {k: [r["id"] for r in v] for k, v in a.items()}
    assert ids == {k: [r["id"] for r in v] for k, v in b.items()}
    assert ids != {k: [r["id"] for r in v] for k, v in c.items()}
    all_ids = ids["train"] + ids["dev"] + ids["test"]
    assert sorted(all_ids) == sorted(r["id"] for r in gold_records) and len(set(all_ids)) == len(all_ids)
    assert len(ids["test"]) == 1 and len(ids["dev"]) == 1


def test_written_text_only_goes_to_train(gold_records):
    written = {"id": "w1", "text": "Tô Lâm", "meta": {"source": "written"}, "spans": [], "relations": []}
    for seed in range(5):
        parts = split_documents(gold_records + [written], seed)
        assert "w1" in [r["id"] for r in parts["train"]]


def test_convert_writes_splits_and_hf_dataset(tmp_path, root):
    import datasets

    summary = convert([root / "corpus" / "gold.jsonl"], tmp_path, seed=0)
    for name in ("train", "dev", "test"):
        assert (tmp_path / f"{name}.spacy").exists()
    loaded = datasets.load_from_disk(str(tmp_path / "hf_dataset"))
    assert loaded["test"][0]["id"] == summary["splits"]["test"][0]
    assert loaded["train"].features["spans"]["label"].feature.names[:2] == ["OFFICIAL", "TITLE"]
    parquet = datasets.Dataset.from_parquet(str(tmp_path / "parquet" / "dev.parquet"))
    assert parquet[0]["id"] == summary["splits"]["dev"][0]
