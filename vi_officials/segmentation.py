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


def _pyvi_modules():
    global _pyvi
    if _pyvi is None:
        from pyvi import ViPosTagger, ViTokenizer

        _pyvi = (ViTokenizer, ViPosTagger)
    return _pyvi


def _segment(text: str) -> List[str]:
    return _pyvi_modules()[0].tokenize(text).split(" ")


def _segment_with_pos(text: str) -> Tuple[List[str], List[str]]:
    tokenizer, tagger = _pyvi_modules()
    words, tags = tagger.postagging(tokenizer.tokenize(text))
    return list(words), list(tags)


def _group_tokens(doc: Doc, words: List[str]) -> List[Tuple[Tuple[int, ...], int]]:
    """Map segmenter words back onto the Doc's tokens by character position: each group
    of token indices with the index of the word it starts in."""
    tokens = [t for t in doc if not t.is_space]
    # word id of every non-space character of the joined text
    char_word: List[int] = []
    for w, word in enumerate(words):
        char_word.extend([w] * len(word.replace("_", "").replace(" ", "")))
    groups: List[List[int]] = []
    first_word: List[int] = []
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
            first_word.append(word if word is not None else -1)
        last_word = char_word[position - 1] if 0 < position <= len(char_word) else None
    return [(tuple(g), w) for g, w in zip(groups, first_word)]


def _joined(doc: Doc) -> str:
    return " ".join(canonical(t.text) for t in doc if not t.is_space)


def word_groups(doc: Doc) -> List[Tuple[int, ...]]:
    """Token indices of each word, in order; whitespace tokens belong to no word."""
    if not any(not t.is_space for t in doc):
        return []
    return [group for group, _ in _group_tokens(doc, _segment(_joined(doc)))]


def word_groups_with_pos(doc: Doc) -> List[Tuple[Tuple[int, ...], str]]:
    """Token indices of each word with pyvi's part-of-speech tag for it."""
    if not any(not t.is_space for t in doc):
        return []
    words, tags = _segment_with_pos(_joined(doc))
    return [(group, tags[w] if 0 <= w < len(tags) else "X") for group, w in _group_tokens(doc, words)]


def segmented_words(doc: Doc) -> List[str]:
    """The Doc as PhoBERT input words, syllables joined by '_'."""
    return ["_".join(canonical(doc[i].text) for i in group) for group in word_groups(doc)]
