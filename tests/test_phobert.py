"""The real PhoBERT code path, run on a tiny randomly initialised PhoBERT-architecture
model built from the corpus (the real weights cannot be downloaded here)."""
import logging
import warnings

import numpy
import pytest

from vi_officials.corpus.convert import blank_nlp
from vi_officials.text.normalize import canonical
from vi_officials.components.phobert import PhoBERTEncoder, _DocPlan, plan_windows, weights_status
from vi_officials.text.segmentation import segmented_words, word_groups


@pytest.fixture(scope="module")
def encoder(tiny_phobert):
    nlp = blank_nlp()
    model = PhoBERTEncoder(name=str(tiny_phobert), width=16)
    model.initialize(X=[nlp.make_doc("Bộ trưởng Tô Lâm phát biểu.")])
    return model


def _tokenizer(encoder):
    return encoder.layers[0].layers[0].shims[0]._hfmodel.tokenizer


def test_tokenizer_is_the_slow_phobert_tokenizer(encoder):
    tok = _tokenizer(encoder)
    assert type(tok).__name__ == "PhobertTokenizer" and not tok.is_fast
    assert tok.model_max_length == 256


def test_phobert_input_is_underscore_joined_words(encoder, gold_records):
    nlp = blank_nlp()
    doc = nlp.make_doc(gold_records[0]["text"][:300])
    words = segmented_words(doc)
    assert "Bộ_trưởng" in words and "Tô_Lâm" in words and "Bộ" in words
    plan = _DocPlan(doc, _tokenizer(encoder), {}, 254, 192)
    assert _tokenizer(encoder).decode(plan.ids) == " ".join(words)


def test_subwords_align_to_tokens_on_seed_sentences(encoder, gold_records):
    nlp = blank_nlp()
    tok = _tokenizer(encoder)
    for record in gold_records:
        doc = nlp.make_doc(record["text"])
        plan = _DocPlan(doc, tok, {}, 254, 192)
        groups = word_groups(doc)
        # every non-space token is in exactly one word, in order
        flat = [i for g in groups for i in g]
        assert flat == [t.i for t in doc if not t.is_space]
        # the subwords of word w decode to exactly that word's syllables joined by "_"
        for w, group in enumerate(groups):
            pieces = [pid for pid, pw in zip(plan.ids, plan.piece_words) if pw == w]
            assert tok.decode(pieces) == "_".join(canonical(doc[i].text) for i in group)


def test_window_plan_covers_every_subword_without_splitting_words():
    piece_words = [w for w in range(400) for _ in range(1 + w % 3)]
    windows = plan_windows(piece_words, 254, 192)
    covered = set()
    for s, e in windows:
        assert e - s <= 254
        assert s == 0 or piece_words[s] != piece_words[s - 1]
        covered.update(range(s, e))
    assert covered == set(range(len(piece_words)))


def test_document_longer_than_256_subwords_is_processed_whole(encoder, gold_records, caplog):
    nlp = blank_nlp()
    doc = nlp.make_doc("\n\n".join(r["text"] for r in gold_records))
    plan = _DocPlan(doc, _tokenizer(encoder), {}, 254, 192)
    assert len(plan.ids) > 1000 and len(plan.windows) > 4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with caplog.at_level(logging.WARNING):
            [vectors] = encoder.predict([doc])
    assert "truncat" not in caplog.text.lower()
    assert vectors.shape == (len(doc), 16)
    norms = numpy.abs(vectors).sum(axis=1)
    assert all(norms[t.i] > 0 for t in doc if not t.is_space)


def test_missing_weights_are_reported_without_network():
    ok, how = weights_status("vinai/phobert-base")
    assert not ok and "Hub cannot be reached" in how


def test_phobert_pipeline_trains_fine_tunes_and_reloads(tmp_path, tiny_phobert, small_corpus):
    import spacy
    import torch
    from safetensors.torch import load_file

    from vi_officials.training.train_cli import train

    used = train(tmp_path, "phobert", str(tiny_phobert), small_corpus["train"], small_corpus["dev"], seed=0, overrides={"training.max_epochs": 2, "training.eval_frequency": 5})
    assert used == "phobert"
    nlp = spacy.load(tmp_path / "model-last")
    assert nlp.meta["backbone"] == "phobert" and nlp.meta["name"] == "officials_phobert"
    doc = nlp("Bộ trưởng Tô Lâm đề nghị Công an thành phố nỗ lực.")
    assert isinstance(doc._.relations, list) and "commitments" in doc.spans
    shim = nlp.get_pipe("tok2vec").model.layers[0].layers[0].shims[0]
    trained = shim._model.embeddings.word_embeddings.weight.detach()
    initial = load_file(str(tiny_phobert / "model.safetensors"))["embeddings.word_embeddings.weight"]
    assert trained.shape == initial.shape and not torch.allclose(trained, initial)
