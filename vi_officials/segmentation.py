"""Word segmentation for PhoBERT: group the syllable tokens of a Doc into words.

PhoBERT was pre-trained on word-segmented text in which the syllables of a word are
joined by "_" ("Bộ_trưởng Bộ Công_an"). pyvi proposes the words; they are mapped back
onto the Doc's own tokens by character position, so a word is always a run of whole
tokens and every token belongs to exactly one word.
"""
from typing import List, Tuple

from spacy.tokens import Doc

from .normalize import canonical

_pyvi = None


def _segment(text: str) -> List[str]:
    global _pyvi
    if _pyvi is None:
        from pyvi import ViTokenizer

        _pyvi = ViTokenizer
    return _pyvi.tokenize(text).split(" ")


def word_groups(doc: Doc) -> List[Tuple[int, ...]]:
    """Token indices of each word, in order; whitespace tokens belong to no word."""
    tokens = [t for t in doc if not t.is_space]
    if not tokens:
        return []
    joined = " ".join(canonical(t.text) for t in tokens)
    # word id of every non-space character of `joined`
    char_word: List[int] = []
    for w, word in enumerate(_segment(joined)):
        char_word.extend([w] * len(word.replace("_", "")))
    groups: List[List[int]] = []
    position = 0
    last_word = None
    for token in tokens:
        n = len(canonical(token.text).replace(" ", ""))
        word = char_word[position] if position < len(char_word) else None
        position += n
        if word is not None and word == last_word and groups:
            groups[-1].append(token.i)
        else:
            groups.append([token.i])
        last_word = char_word[position - 1] if 0 < position <= len(char_word) else None
    return [tuple(g) for g in groups]


def segmented_words(doc: Doc) -> List[str]:
    """The Doc as PhoBERT input words, syllables joined by '_'."""
    return ["_".join(canonical(doc[i].text) for i in group) for group in word_groups(doc)]
