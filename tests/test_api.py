"""The one-call API (`vi_officials.extract`, `vi_officials.ledger`), the score accessor and
the one-line errors for missing optional packages."""
import datetime
import sys

import pandas
import pytest
import spacy
from packaging.requirements import Requirement

import vi_officials
from vi_officials import api
from vi_officials.applications.ledger.rows import COLUMNS, ledger_rows
from vi_officials.cli import main as cli
from vi_officials.corpus.convert import doc_to_record
from vi_officials.extras import MissingExtraError, require


@pytest.fixture(scope="module")
def nlp(ledger_model):
    return api.load(str(ledger_model))


@pytest.fixture(scope="module")
def texts(gold_records):
    return [r["text"][:700] for r in gold_records[:3]]


def test_extract_returns_plain_dicts_with_offsets_and_scores(nlp, texts):
    results = [vi_officials.extract(t, model=nlp) for t in texts]
    assert any(r["commitments"] for r in results) and any(r["relations"] for r in results) and any(r["entities"] for r in results)
    for text, result in zip(texts, results):
        assert set(result) == {"text", "entities", "commitments", "relations"} and result["text"] == text
        doc = nlp(text)
        assert [(e["start"], e["end"], e["label"]) for e in result["entities"]] == [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for item in result["entities"] + result["commitments"] + [r[k] for r in result["relations"] for k in ("head", "child")]:
            assert text[item["start"] : item["end"]] == item["text"]
        for c in result["commitments"]:
            assert c["label"] == "COMMITMENT" and 0.0 <= c["score"] <= 1.0
        for r in result["relations"]:
            assert r["label"] in ("HAS_TITLE", "COMMITS", "ASSIGNED_TO", "DEADLINE") and 0.0 <= r["score"] <= 1.0
        assert len(result["relations"]) == len(doc._.relations)
    # several texts at once: a list in order, the same results; a model path loads once
    assert vi_officials.extract(texts, model=nlp) == results
    assert api.load(nlp) is nlp


def test_commitment_scores_read_span_attrs_first_then_user_data(nlp, texts):
    doc = next(d for d in nlp.pipe(texts) if len(d.spans["commitments"]))
    group = doc.spans["commitments"]
    stored = doc.user_data.get(api.SPAN_SCORES_KEY, {})
    expected = [stored.get(f"{s.start_char}:{s.end_char}:{s.label_}") for s in group]
    if "scores" in group.attrs:  # the span tagger writes them itself
        expected = [float(s) for s in group.attrs["scores"]]
    assert api.commitment_scores(doc) == expected and all(isinstance(s, float) for s in expected)
    group.attrs["scores"] = [0.25] * len(group)
    assert api.commitment_scores(doc) == [0.25] * len(group)
    assert [c["score"] for c in api.doc_to_dict(doc)["commitments"]] == [0.25] * len(group)
    del group.attrs["scores"]
    doc.user_data.pop(api.SPAN_SCORES_KEY, None)
    assert api.commitment_scores(doc) == [None] * len(group)


def test_ledger_returns_the_ledger_rows_as_a_dataframe(nlp, texts):
    records = [{"id": f"a{i}", "text": t, "meta": {}} for i, t in enumerate(texts)]
    table = vi_officials.ledger(records, model=nlp, date="2023-05")
    assert isinstance(table, pandas.DataFrame) and list(table.columns) == list(COLUMNS)
    expected = [row for r, doc in zip(records, nlp.pipe(texts)) for row in ledger_rows(doc_to_record(doc, r["id"], {}, with_scores=True), "2023-05")]
    assert len(table) == len(expected) > 0
    pandas.testing.assert_frame_equal(table, pandas.DataFrame(expected, columns=list(COLUMNS)))
    assert set(table["article_date"]) == {"2023-05"}
    # plain texts get ids in order; a date object works like its ISO string
    by_text = vi_officials.ledger(texts, model=nlp, date=datetime.date(2023, 5, 2))
    assert list(by_text["commitment"]) == list(table["commitment"])
    assert set(by_text["article_id"]) <= {"text-1", "text-2", "text-3"} and set(by_text["article_date"]) == {"2023-05-02"}
    assert list(vi_officials.ledger("", model=nlp).columns) == list(COLUMNS)


def test_bad_inputs_and_no_installed_model_give_one_line_errors(nlp, monkeypatch):
    with pytest.raises(ValueError, match=r"date '2023/05'"):
        vi_officials.ledger(["x"], model=nlp, date="2023/05")
    with pytest.raises(TypeError, match=r"input 2 must be a str or a record"):
        vi_officials.ledger(["x", 42], model=nlp)
    with pytest.raises(TypeError, match=r"text 1 is a NoneType"):
        vi_officials.extract(["x", None], model=nlp)
    monkeypatch.setattr(spacy.util, "get_installed_models", lambda: ["en_core_web_sm"])
    with pytest.raises(api.NoModelError) as err:
        vi_officials.extract("x")
    assert "\n" not in str(err.value) and "pip install" in str(err.value)
    monkeypatch.setattr(spacy.util, "get_installed_models", lambda: ["vi_officials_cnn", "en_core_web_sm", "vi_officials_phobert"])
    assert api.installed_models() == ["vi_officials_phobert", "vi_officials_cnn"]


def test_missing_optional_package_names_its_extra(tmp_path, monkeypatch, root, capsys):
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask -> ModuleNotFoundError
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    with pytest.raises(MissingExtraError, match=r'pip install "vi-officials\[dask\]"'):
        require("dask.distributed")
    with pytest.raises(ModuleNotFoundError):
        require("no_such_module_anywhere")  # not an optional dependency: the usual error
    code = cli(["ledger", "--gold", str(root / "corpus" / "gold.jsonl"), "--output", str(tmp_path / "l.csv"), "--engine", "dask", "--no-progress"])
    err = capsys.readouterr().err.strip()
    assert code == 1 and err.count("\n") == 0 and 'pip install "vi-officials[dask]"' in err and "Traceback" not in err


def test_core_dependencies_are_lean_and_test_pulls_every_extra(root):
    tomllib = pytest.importorskip("tomllib")
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = " ".join(project["dependencies"])
    for heavy in ("torch", "transformers", "underthesea", "wandb", "datasets", "dask", "pyarrow", "matplotlib"):
        assert heavy not in core
    extras = project["optional-dependencies"]
    pulled = set().union(*(Requirement(r).extras for r in extras["test"] if r.startswith("vi-officials[")))
    assert pulled == set(extras) - {"test"}
    torch = next(r for r in extras["transformer"] if r.startswith("torch"))
    assert Requirement(torch).specifier.contains("2.13.0")
