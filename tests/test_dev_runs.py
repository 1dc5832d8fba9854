"""The learning curve trains on the seeds' train split plus a growing share of the written
articles, never on dev-set text, and reports mean ± sd per point with a plot."""
import json

from vi_officials.evaluation import dev_runs
from vi_officials.evaluation.metrics import score


def test_curve_adds_written_articles_by_fraction_and_plots(tmp_path, monkeypatch, gold_records, root):
    from spacy.tokens import DocBin

    from vi_officials.corpus.convert import blank_nlp

    seen = []

    def fake_train_and_score(train_path, dev_path, devset, seed, workdir, *args, **kwargs):
        texts = [d.text for d in DocBin().from_disk(train_path).get_docs(blank_nlp().vocab)]
        seen.append((len(texts), seed))
        return {"model": score(gold_records[:1], gold_records[:1])}  # a perfect score, shape is what matters

    monkeypatch.setattr(dev_runs, "train_and_score", fake_train_and_score)
    devset = tmp_path / "dev.jsonl"
    devset.write_text("", encoding="utf-8")
    articles = root / "corpus" / "written" / "articles.jsonl"
    n_articles = sum(1 for line in articles.open(encoding="utf-8") if line.strip())
    result = dev_runs.run_curve([root / "corpus" / "gold.jsonl"], articles, devset, [0, 50, 100], [0, 1], tmp_path / "curve")
    assert [p["articles"] for p in result["points"]] == [0, n_articles // 2, n_articles]
    assert [s for _, s in seen] == [0, 1] * 3
    sizes = [n for n, _ in seen]
    assert sizes[0] == sizes[1] < sizes[2] == sizes[3] < sizes[4] == sizes[5]
    assert result["points"][2]["syllables"] == sum(len(json.loads(l)["text"].split()) for l in (root / "corpus" / "written" / "articles.jsonl").open(encoding="utf-8"))
    assert result["points"][0]["summary"]["entities micro F"] == (1.0, 0.0)
    assert (tmp_path / "curve" / "curve.png").stat().st_size > 1000
    assert f"| 100% ({n_articles}) |" in (tmp_path / "curve" / "curve.md").read_text(encoding="utf-8")


def test_seed_runs_score_both_checkpoints_of_one_training(tmp_path, monkeypatch, gold_records):
    """`--model model-best,model-last` trains once per seed and writes one table per
    checkpoint, each with its own mean ± sd and the overrides it ran with."""
    calls = []
    perfect = {"model": score(gold_records[:1], gold_records[:1])}
    empty = {"model": score(gold_records[:1], [dict(gold_records[0], spans=[], relations=[])])}

    def fake_train_and_score(train_path, dev_path, devset, seed, workdir, overrides, config, models, backbone):
        calls.append((seed, tuple(models), dict(overrides), backbone))
        return {"model-best": perfect, "model-last": empty}

    monkeypatch.setattr(dev_runs, "train_and_score", fake_train_and_score)
    devset = tmp_path / "dev.jsonl"
    devset.write_text("", encoding="utf-8")
    results = dev_runs.run_seeds(tmp_path / "t", tmp_path / "d", devset, [0, 1], tmp_path / "out", overrides={"x.y": 1}, model="model-best,model-last", backbone="e5")
    assert calls == [(0, ("model-best", "model-last"), {"x.y": 1}, "e5"), (1, ("model-best", "model-last"), {"x.y": 1}, "e5")]
    assert results["model-best"]["summary"]["entities micro F"] == (1.0, 0.0)
    assert results["model-last"]["summary"]["entities micro F"] == (0.0, 0.0)
    table = (tmp_path / "out" / "seeds-model-last.md").read_text(encoding="utf-8")
    assert "model-last" in table and "{'x.y': 1}" in table and "ledger rows: committer" in table
    assert "e5 backbone" in table and results["model-last"]["config"] == "configs/e5.cfg"
    assert dev_runs._settings(["a.b=0.3", "c=cnn"]) == {"a.b": 0.3, "c": "cnn"}
