"""Build a randomly initialised model with PhoBERT's exact architecture and tokenizer type.

The real `vinai/phobert-base` weights cannot be downloaded on machines without Hub
access. This builds a stand-in that loads through exactly the same code path: a
`RobertaModel` (PhoBERT's architecture: 258 positions, one token type, pad id 1) and a
slow `PhobertTokenizer` whose `vocab.txt` and `bpe.codes` are learned here from the
word-segmented corpus. `--size base` gives PhoBERT-base's dimensions (12 layers, hidden
768, vocabulary 64,001) for speed benchmarks; speed does not depend on the weights.
"""
import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, Iterable, List, Tuple

SIZES = {
    "tiny": {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2, "intermediate_size": 64},
    "base": {"hidden_size": 768, "num_hidden_layers": 12, "num_attention_heads": 12, "intermediate_size": 3072},
}
BASE_VOCAB_SIZE = 64001


def corpus_words(texts: Iterable[str]) -> Counter:
    """Word-segmented words of the texts, as PhoBERT would see them."""
    from ..corpus.convert import blank_nlp
    from ..text.segmentation import segmented_words

    nlp = blank_nlp()
    counts: Counter = Counter()
    for text in texts:
        counts.update(segmented_words(nlp.make_doc(text)))
    return counts


def learn_bpe(word_counts: Counter, n_merges: int) -> List[Tuple[str, str, int]]:
    """Classic BPE merge learning (end-of-word marked with </w>, as fastBPE does)."""
    vocab: Dict[Tuple[str, ...], int] = {}
    for word, count in word_counts.items():
        symbols = tuple(word[:-1]) + (word[-1] + "</w>",)
        vocab[symbols] = vocab.get(symbols, 0) + count
    merges = []
    for _ in range(n_merges):
        pairs: Counter = Counter()
        for symbols, count in vocab.items():
            for a, b in zip(symbols, symbols[1:]):
                pairs[(a, b)] += count
        if not pairs:
            break
        (a, b), count = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        if count < 2:
            break
        merges.append((a, b, count))
        new_vocab = {}
        for symbols, c in vocab.items():
            out, i = [], 0
            while i < len(symbols):
                if i < len(symbols) - 1 and symbols[i] == a and symbols[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            new_vocab[tuple(out)] = new_vocab.get(tuple(out), 0) + c
        vocab = new_vocab
    return merges


def build(output_dir: Path, texts: Iterable[str], size: str = "tiny", n_merges: int = 800, seed: int = 0) -> Path:
    from ..extras import require

    torch = require("torch")
    from transformers import PhobertTokenizer, RobertaConfig, RobertaModel

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    words = corpus_words(texts)
    merges = learn_bpe(words, n_merges)
    codes_path = output_dir / "bpe.codes"
    codes_path.write_text("".join(f"{a} {b} {c}\n" for a, b, c in merges), encoding="utf-8")
    # the vocabulary: every single character (word-final and not), every merge result
    pieces: Counter = Counter()
    for word, count in words.items():
        for ch in word:
            pieces[ch] += count
            pieces[ch + "@@"] += count
    for a, b, count in merges:
        merged = a + b
        pieces[merged.replace("</w>", "") if merged.endswith("</w>") else merged + "@@"] += count
    entries = [p for p, _ in pieces.most_common()]
    if size == "base":
        entries += [f"<extra_{i}>" for i in range(max(0, BASE_VOCAB_SIZE - 5 - len(entries)))]
        entries = entries[: BASE_VOCAB_SIZE - 5]
    vocab_path = output_dir / "vocab.txt"
    vocab_path.write_text("".join(f"{p} {max(1, pieces.get(p, 1))}\n" for p in entries), encoding="utf-8")
    tokenizer = PhobertTokenizer(str(vocab_path), str(codes_path), model_max_length=256)
    tokenizer.save_pretrained(str(output_dir))
    torch.manual_seed(seed)
    config = RobertaConfig(
        vocab_size=len(tokenizer),
        max_position_embeddings=258,
        type_vocab_size=1,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        layer_norm_eps=1e-5,
        tokenizer_class="PhobertTokenizer",
        **SIZES[size],
    )
    RobertaModel(config).save_pretrained(str(output_dir))
    return output_dir


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--corpus", type=Path, nargs="+", required=True, help="canonical JSONL files to learn the BPE codes from")
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--merges", type=int, default=800)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    from ..corpus.corpus_io import read_jsonl

    texts = [r["text"] for path in args.corpus for r in read_jsonl(path)]
    build(args.output_dir, texts, args.size, args.merges, args.seed)
    print(f"wrote a randomly initialised {args.size} PhoBERT-architecture model to {args.output_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
