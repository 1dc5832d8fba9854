import json

import pytest

from vi_officials.training.train_cli import resolve_backbone, train


def test_auto_falls_back_to_cnn_loudly(capsys, tmp_path):
    assert resolve_backbone("auto", "vinai/phobert-base", str(tmp_path / "no-e5")) == "cnn"
    out = capsys.readouterr()
    assert "BACKBONE FALLBACK" in out.out + out.err and "e5-weights" in out.out + out.err


def test_phobert_without_weights_fails_fast_with_a_clear_message(capsys):
    with pytest.raises(SystemExit) as info:
        resolve_backbone("phobert", "vinai/phobert-base")
    assert info.value.code == 1
    out = capsys.readouterr()
    assert "PhoBERT weights cannot be loaded" in out.out + out.err and "--vars.transformer" in out.out + out.err


def test_auto_uses_phobert_when_weights_are_local(tiny_phobert):
    assert resolve_backbone("auto", str(tiny_phobert)) == "phobert"


def test_trained_pipeline_records_its_backbone(trained_cnn):
    meta = json.loads((trained_cnn / "meta.json").read_text())
    assert meta["backbone"] == "cnn" and meta["name"] == "officials_cnn"
    assert json.loads((trained_cnn.parent / "backbone.json").read_text())["backbone"] == "cnn"


def test_same_seed_gives_same_scores(tmp_path, small_corpus):
    scores = []
    for run in ("a", "b"):
        train(tmp_path / run, "cnn", "x", small_corpus["train"], small_corpus["dev"], seed=3, overrides={"training.max_epochs": 3, "training.eval_frequency": 5})
        scores.append(json.loads((tmp_path / run / "model-last" / "meta.json").read_text())["performance"])
    assert scores[0] == scores[1]


def test_wandb_offline_run_is_written(tmp_path, small_corpus):
    train(tmp_path, "cnn", "x", small_corpus["train"], small_corpus["dev"], seed=0, use_wandb=True, overrides={"training.max_epochs": 1, "training.eval_frequency": 5})
    runs = list((tmp_path / "wandb").glob("offline-run-*"))
    assert runs, list(tmp_path.iterdir())
    assert any(p.suffix == ".wandb" for p in runs[0].iterdir())


def test_e5_settings_lower_the_learn_rate_only_when_layers_are_fine_tuned():
    from vi_officials.training.train_cli import E5_FINE_TUNE_LEARN_RATE, e5_overrides

    frozen = e5_overrides("assets/e5-small-vi")
    assert frozen["components.tok2vec.model.freeze_layers"] == -1 and "training.optimizer.learn_rate" not in frozen
    assert frozen["nlp.pipeline"][0] == "word_tagger" and frozen["training.annotating_components"] == ["word_tagger"]
    assert "training.optimizer.learn_rate" not in e5_overrides("x", freeze=6, layers=6)  # all six kept layers frozen
    assert e5_overrides("x", freeze=4, layers=6)["training.optimizer.learn_rate"] == E5_FINE_TUNE_LEARN_RATE
    assert e5_overrides("x", freeze=0, layers=0)["training.optimizer.learn_rate"] == E5_FINE_TUNE_LEARN_RATE
    bare = e5_overrides("x", features=False)
    assert bare["nlp.pipeline"][0] == "tok2vec" and bare["training.annotating_components"] == []
