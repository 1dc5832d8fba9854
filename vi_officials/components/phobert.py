"""PhoBERT as a token-vector encoder: `vi_officials.PhoBERTEncoder.v1`.

The encoder feeds PhoBERT what it was pre-trained on: word-segmented text with the
syllables of a word joined by "_" (`segmentation.py`), tokenized by the slow
`PhobertTokenizer`, at most `max_length` subword positions per window. Documents longer
than one window are cut into overlapping windows at word boundaries; every subword of
every window is used, and a token's vector is the mean of the subword vectors of its word
over all windows it appears in. Nothing is truncated.

The weights are loaded with spacy-transformers (`huggingface_from_pretrained`) and kept
in its `HFShim`, so a trained pipeline saves and loads the transformer and tokenizer
without any network access. The output is one vector per token, so the encoder sits in
spaCy's `tok2vec` component and is fine-tuned through the usual listeners.
"""
import os
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Model, chain, with_array, Linear, torch2xp, xp2torch
from thinc.types import ArgsKwargs, Floats2d

from ..text.normalize import canonical
from ..text.segmentation import word_groups

DEFAULT_NAME = "vinai/phobert-base"
# word -> subword ids, per encoder (kept out of model attrs so it is never serialized)
_PIECE_CACHES: Dict[int, Dict[str, List[int]]] = {}


class PhoBERTUnavailable(RuntimeError):
    """The PhoBERT weights cannot be loaded here (no local copy and no Hub access)."""


def _is_local(name: str) -> bool:
    return Path(name).expanduser().is_dir()


def _in_hf_cache(name: str) -> bool:
    try:
        from huggingface_hub import try_to_load_from_cache

        found = try_to_load_from_cache(name, "config.json")
        return isinstance(found, str)
    except Exception:
        return False


def _hub_reachable(name: str, timeout: float = 3.0) -> bool:
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("0", "", "false", "False"):
        return False
    try:
        from huggingface_hub import HfApi

        HfApi().model_info(name, timeout=timeout)
        return True
    except Exception:
        return False


def weights_status(name: str) -> Tuple[bool, str]:
    """(loadable, how): checks a local directory, then the HF cache, then one short
    request to the Hub, so an unreachable Hub costs seconds rather than retries."""
    if _is_local(name):
        if (Path(name).expanduser() / "config.json").exists():
            return True, f"local directory {name}"
        return False, f"{name} is a directory without config.json"
    if _in_hf_cache(name):
        return True, f"{name} from the Hugging Face cache"
    if _hub_reachable(name):
        return True, f"{name} from the Hugging Face Hub"
    return False, f"{name!r} is neither a local directory nor in the Hugging Face cache, and the Hub cannot be reached"


def load_phobert(name: str, tokenizer_config: Dict, transformer_config: Dict):
    """Load tokenizer and model through spacy-transformers, failing fast and clearly."""
    from spacy_transformers.layers.transformer_model import huggingface_from_pretrained

    ok, how = weights_status(name)
    if not ok:
        raise PhoBERTUnavailable(
            f"Cannot load the PhoBERT weights: {how}. Download them where the Hub is reachable "
            f"(e.g. `huggingface-cli download {DEFAULT_NAME}`) and copy the cache or directory here, "
            "then pass `--vars.transformer=<directory>`; or train the offline CNN backbone "
            "with `--vars.backbone=cnn`."
        )
    source = str(Path(name).expanduser()) if _is_local(name) else name
    if not _is_local(name):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # it is cached: never touch the network
    return huggingface_from_pretrained(source, dict(tokenizer_config), dict(transformer_config))


def _convert_inputs(model: Model, inputs: Dict[str, numpy.ndarray], is_train: bool):
    device = model.shims[0]._hfmodel.transformer.device
    kwargs = {
        "input_ids": xp2torch(model.ops.asarray(inputs["input_ids"]), device=device),
        "attention_mask": xp2torch(model.ops.asarray(inputs["attention_mask"]), device=device),
    }
    return ArgsKwargs(args=(), kwargs=kwargs), lambda d_inputs: []


def _convert_outputs(model: Model, inputs_outputs, is_train: bool):
    _, output = inputs_outputs
    hidden = output.last_hidden_state

    def backprop(d_hidden):
        return ArgsKwargs(args=(hidden,), kwargs={"grad_tensors": (xp2torch(d_hidden, device=hidden.device),)})

    return torch2xp(hidden), backprop


def plan_windows(piece_words: Sequence[int], window: int, stride: int) -> List[Tuple[int, int]]:
    """Split a document's subword positions into windows of at most `window` positions,
    starting about every `stride` positions, never splitting a word unless a single word
    is longer than a window. Every position is in at least one window."""
    total = len(piece_words)
    if total <= window:
        return [(0, total)] if total else []
    starts_of_word = [i for i in range(total) if i == 0 or piece_words[i] != piece_words[i - 1]]
    windows = []
    start = 0
    while True:
        end = min(start + window, total)
        if end < total:
            cut = max((b for b in starts_of_word if start < b <= end), default=end)
            end = cut
        windows.append((start, end))
        if end >= total:
            return windows
        nxt = max((b for b in starts_of_word if start < b <= start + stride), default=None)
        start = nxt if nxt is not None and nxt < end else end


class _DocPlan:
    """Subword ids of a document's words and the windows that cover them."""

    def __init__(self, doc: Doc, tokenizer, cache: Dict[str, List[int]], window: int, stride: int):
        self.n_tokens = len(doc)
        self.groups = word_groups(doc)
        ids: List[int] = []
        piece_words: List[int] = []
        for w, group in enumerate(self.groups):
            word = "_".join(canonical(doc[i].text) for i in group)
            word_ids = cache.get(word)
            if word_ids is None:
                word_ids = tokenizer.convert_tokens_to_ids(tokenizer.tokenize(word)) or [tokenizer.unk_token_id]
                cache[word] = word_ids
            ids.extend(word_ids)
            piece_words.extend([w] * len(word_ids))
        self.ids = ids
        self.piece_words = piece_words
        self.windows = plan_windows(piece_words, window, stride)


def phobert_forward(model: Model, docs: List[Doc], is_train: bool):
    transformer = model.layers[0]
    tokenizer = transformer.shims[0]._hfmodel.tokenizer
    window = model.attrs["max_length"] - 2
    stride = model.attrs["stride"]
    batch_windows = model.attrs["batch_windows"]
    cache = _PIECE_CACHES.setdefault(model.id, {})
    plans = [_DocPlan(doc, tokenizer, cache, window, stride) for doc in docs]
    width = model.get_dim("nO")
    # every window of every doc, as (doc index, start, end)
    jobs = [(d, s, e) for d, plan in enumerate(plans) for s, e in plan.windows]
    # windows of similar length share a padded batch: less padding, same results
    jobs.sort(key=lambda job: job[2] - job[1])
    # per doc: sum of subword vectors per position and how many windows saw it
    sums = [model.ops.alloc2f(len(plan.ids), width) for plan in plans]
    counts = [numpy.zeros((len(plan.ids), 1), dtype="float32") for plan in plans]
    backprops = []
    for chunk_start in range(0, len(jobs), batch_windows):
        chunk = jobs[chunk_start : chunk_start + batch_windows]
        longest = max(e - s for _, s, e in chunk) + 2
        input_ids = numpy.full((len(chunk), longest), tokenizer.pad_token_id, dtype="int64")
        attention = numpy.zeros((len(chunk), longest), dtype="int64")
        for row, (d, s, e) in enumerate(chunk):
            seq = [tokenizer.cls_token_id] + plans[d].ids[s:e] + [tokenizer.sep_token_id]
            input_ids[row, : len(seq)] = seq
            attention[row, : len(seq)] = 1
        hidden, backprop = transformer({"input_ids": input_ids, "attention_mask": attention}, is_train)
        for row, (d, s, e) in enumerate(chunk):
            sums[d][s:e] += hidden[row, 1 : 1 + e - s]
            counts[d][s:e] += 1
        backprops.append((chunk, hidden.shape, backprop))
    outputs = []
    pieces_of_token = []
    for plan, total, count in zip(plans, sums, counts):
        piece_vecs = total / model.ops.asarray(numpy.maximum(count, 1))
        out = model.ops.alloc2f(plan.n_tokens, width)
        spans = []
        starts = numpy.searchsorted(plan.piece_words, numpy.arange(len(plan.groups)), side="left")
        ends = numpy.searchsorted(plan.piece_words, numpy.arange(len(plan.groups)), side="right")
        for group, s, e in zip(plan.groups, starts, ends):
            vec = piece_vecs[s:e].mean(axis=0)
            for i in group:
                out[i] = vec
            spans.append((group, int(s), int(e)))
        outputs.append(out)
        pieces_of_token.append(spans)

    def backprop_fn(d_outputs: List[Floats2d]) -> List[Doc]:
        d_pieces = []
        for plan, count, spans, d_out in zip(plans, counts, pieces_of_token, d_outputs):
            d_piece = model.ops.alloc2f(len(plan.ids), width)
            for group, s, e in spans:
                if e > s:
                    d_piece[s:e] += d_out[list(group)].sum(axis=0) / (e - s)
            d_pieces.append(d_piece / model.ops.asarray(numpy.maximum(count, 1)))
        for chunk, shape, backprop in backprops:
            d_hidden = model.ops.alloc3f(*shape)
            for row, (d, s, e) in enumerate(chunk):
                d_hidden[row, 1 : 1 + e - s] = d_pieces[d][s:e]
            backprop(d_hidden)
        return docs

    return outputs, backprop_fn


def phobert_init(model: Model, X=None, Y=None) -> Model:
    if not model.attrs["has_transformer"]:
        hf = load_phobert(model.attrs["name"], model.attrs["tokenizer_config"], model.attrs["transformer_config"])
        shim = model.layers[0].shims[0]
        shim._model = hf.transformer
        shim._hfmodel.tokenizer = hf.tokenizer
        shim._hfmodel.transformer = hf.transformer
        shim._hfmodel.vocab_file_contents = hf.vocab_file_contents
        model.attrs["has_transformer"] = True
    transformer = model.layers[0].shims[0]._hfmodel.transformer
    model.set_dim("nO", transformer.config.hidden_size)
    return model


@registry.architectures("vi_officials.PhoBERTEncoder.v1")
def PhoBERTEncoder(
    name: str = DEFAULT_NAME,
    width: int = 256,
    max_length: int = 256,
    stride: int = 192,
    batch_windows: int = 8,
    tokenizer_config: Dict = {"use_fast": False, "model_max_length": 256},
    transformer_config: Dict = {},
) -> Model[List[Doc], List[Floats2d]]:
    """PhoBERT token vectors projected to `width`, one row per token of each Doc."""
    from spacy_transformers.data_classes import HFObjects
    from spacy_transformers.layers.hf_wrapper import HFWrapper

    if max_length < 8:
        raise ValueError(f"max_length must leave room for subwords, got {max_length}")
    stride = max(1, min(stride, max_length - 2))
    hf = HFObjects(None, None, None, dict(tokenizer_config), dict(transformer_config))
    wrapper = HFWrapper(hf, convert_inputs=_convert_inputs, convert_outputs=_convert_outputs)
    encoder = Model(
        "phobert_encoder",
        phobert_forward,
        init=phobert_init,
        layers=[wrapper],
        dims={"nO": None},
        attrs={
            "name": name,
            "max_length": max_length,
            "stride": stride,
            "batch_windows": batch_windows,
            "tokenizer_config": dict(tokenizer_config),
            "transformer_config": dict(transformer_config),
            "has_transformer": False,
        },
    )
    return chain(encoder, with_array(Linear(nO=width)))


TRANSFORMER_ENCODERS = ("phobert_encoder", "e5_encoder")  # node names of the HF-backed encoders


def quantize_dynamic_int8(nlp) -> int:
    """Replace, in place, the Linear layers of every PhoBERT or e5 encoder in `nlp` by int8
    dynamically quantised ones (CPU inference only). Returns how many were quantised."""
    import torch

    count = 0
    for _, proc in nlp.pipeline:
        model = getattr(proc, "model", None)
        if model is None:
            continue
        for node in model.walk():
            if node.name in TRANSFORMER_ENCODERS:
                shim = node.layers[0].shims[0]
                quantised = torch.quantization.quantize_dynamic(shim._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
                shim._model = quantised
                shim._hfmodel.transformer = quantised
                count += 1
    return count
