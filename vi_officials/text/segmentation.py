"""Word segmentation for PhoBERT: group the syllable tokens of a Doc into words.

PhoBERT was pre-trained on word-segmented text in which the syllables of a word are
joined by "_" ("Bộ_trưởng Bộ Công_an"). pyvi's models (run through `pyvi_fast`) propose
the words; they are mapped back onto the Doc's own tokens by character position, so a
word is always a run of whole tokens and every token belongs to exactly one word.
"""
from typing import List, Tuple

from spacy.tokens import Doc

from . import pyvi_fast
from .normalize import canonical


def _segment(text: str) -> List[str]:
    return pyvi_fast.tokenize(text).split(" ")


def _segment_with_pos(text: str) -> Tuple[List[str], List[str]]:
    return pyvi_fast.postagging(pyvi_fast.tokenize(text))


def _pieces(doc: Doc) -> List[Tuple[int, str]]:
    """(index, canonical text) of every non-space token: what the segmenter reads."""
    return [(t.i, canonical(t.text)) for t in doc if not t.is_space]


def _group_tokens(pieces: List[Tuple[int, str]], words: List[str]) -> List[Tuple[Tuple[int, ...], int]]:
    """Map segmenter words back onto the Doc's tokens by character position: each group
    of token indices with the index of the word it starts in."""
    # word id of every non-space character of the joined text
    char_word: List[int] = []
    for w, word in enumerate(words):
        char_word.extend([w] * len(word.replace("_", "").replace(" ", "")))
    groups: List[List[int]] = []
    first_word: List[int] = []
    position = 0
    last_word = None
    n_chars = len(char_word)
    for i, text in pieces:
        word = char_word[position] if position < n_chars else None
        position += len(text.replace(" ", ""))
        if word is not None and word == last_word and groups:
            groups[-1].append(i)
        else:
            groups.append([i])
            first_word.append(word if word is not None else -1)
        last_word = char_word[position - 1] if 0 < position <= n_chars else None
    return [(tuple(g), w) for g, w in zip(groups, first_word)]


def word_groups(doc: Doc) -> List[Tuple[int, ...]]:
    """Token indices of each word, in order; whitespace tokens belong to no word."""
    pieces = _pieces(doc)
    if not pieces:
        return []
    return [group for group, _ in _group_tokens(pieces, _segment(" ".join(text for _, text in pieces)))]


def word_groups_with_pos(doc: Doc) -> List[Tuple[Tuple[int, ...], str]]:
    """Token indices of each word with pyvi's part-of-speech tag for it."""
    pieces = _pieces(doc)
    if not pieces:
        return []
    words, tags = _segment_with_pos(" ".join(text for _, text in pieces))
    return [(group, tags[w] if 0 <= w < len(tags) else "X") for group, w in _group_tokens(pieces, words)]


def segmented_words(doc: Doc) -> List[str]:
    """The Doc as PhoBERT input words, syllables joined by '_'."""
    return ["_".join(canonical(doc[i].text) for i in group) for group in word_groups(doc)]
