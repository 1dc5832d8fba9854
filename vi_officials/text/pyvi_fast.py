"""pyvi's word segmenter and POS tagger, with the feature extraction rewritten for speed.

pyvi builds one Python dict of features per syllable (and per word) and hands it to its
CRF through sklearn-crfsuite; on news text that costs more than the CRF itself, and the
`word_tagger` component was the slowest stage of the CNN pipeline. This module computes
the same features once per position as ready-made crfsuite attribute strings and calls
pyvi's own trained CRF taggers directly.

The outputs are pyvi's, label for label: every feature pyvi sends is sent here under the
same name and in the same order; a boolean feature that is False is left out, which is
the same to crfsuite (an attribute with value 0 adds 0 to every score).
`tests/test_pyvi_fast.py` checks the equality on the whole training corpus.
"""
import string
from typing import List, Sequence, Tuple

_models = None


def _load():
    global _models
    if _models is None:
        from pyvi.ViPosTagger import ViPosTagger
        from pyvi.ViTokenizer import ViTokenizer

        _models = (ViTokenizer, ViPosTagger, ViTokenizer.model.tagger_, ViPosTagger.model.tagger_)
    return _models


def _segmenter_features(sylls: Sequence[str], bi_grams, tri_grams) -> List[List[str]]:
    n = len(sylls)
    lower = [s.lower() for s in sylls]
    title = [s.istitle() for s in sylls]
    upper = [s.isupper() for s in sylls]
    # whether syllables i and i+1 (i, i+1, i+2) form a dictionary word
    bi = [f"{sylls[i]} {sylls[i + 1]}".lower() in bi_grams for i in range(n - 1)]
    tri = [f"{sylls[i]} {sylls[i + 1]} {sylls[i + 2]}".lower() in tri_grams for i in range(n - 2)]
    rows = []
    for i in range(n):
        row = ["bias", "word.lower():" + lower[i]]
        if upper[i]:
            row.append("word.isupper()")
        if title[i]:
            row.append("word.istitle()")
        if sylls[i].isdigit():
            row.append("word.isdigit()")
        if i > 0:
            row.append("-1:word.lower():" + lower[i - 1])
            if title[i - 1]:
                row.append("-1:word.istitle()")
            if upper[i - 1]:
                row.append("-1:word.isupper()")
            if bi[i - 1]:
                row.append("-1:word.bi_gram()")
            if i > 1 and tri[i - 2]:
                row.append("-2:word.tri_gram()")
        if i < n - 1:
            row.append("+1:word.lower():" + lower[i + 1])
            if title[i + 1]:
                row.append("+1:word.istitle()")
            if upper[i + 1]:
                row.append("+1:word.isupper()")
            if bi[i]:
                row.append("+1:word.bi_gram()")
            if i < n - 2 and tri[i]:
                row.append("+2:word.tri_gram()")
        rows.append(row)
    return rows


def _tagger_features(words: Sequence[str], filtered) -> List[List[str]]:
    n = len(words)
    lower = [w.lower() for w in words]
    title = [w.istitle() for w in words]
    upper = [w.isupper() for w in words]
    digit1 = [w[:1].isdigit() for w in words]
    upper3 = [w[:3].isupper() for w in words]
    rows = []
    for i in range(n):
        row = ["bias", "word.lower():" + lower[i]]
        if title[i]:
            row.append("word.istitle()")
        if words[i].isdigit():
            row.append("word.isdigit()")
        if digit1[i]:
            row.append("word[:1].isdigit()")
        if upper3[i]:
            row.append("word[:3].isupper()")
        if words[i] in filtered:
            row.append("word.isfiltered")
        if i > 0:
            row.append("-1:word.lower():" + lower[i - 1])
            if title[i - 1]:
                row.append("-1:word.istitle()")
            if digit1[i - 1]:
                row.append("-1:word[:1].isdigit()")
            if upper3[i - 1]:
                row.append("-1:word[:3].isupper()")
            if i > 1:
                row.append("-2:word.lower():" + lower[i - 2])
                if title[i - 2]:
                    row.append("-2:word.istitle()")
                if upper[i - 2]:
                    row.append("-2:word.isupper()")
        else:
            row.append("BOS")
        if i < n - 1:
            row.append("+1:word.lower():" + lower[i + 1])
            if title[i + 1]:
                row.append("+1:word.istitle()")
            if digit1[i + 1]:
                row.append("+1:word[:1].isdigit()")
            if upper[i + 1]:
                row.append("+1:word.isupper()")
            if i < n - 2:
                row.append("+2:word.lower():" + lower[i + 2])
                if title[i + 2]:
                    row.append("+2:word.istitle()")
                if upper[i + 2]:
                    row.append("+2:word.isupper()")
        else:
            row.append("EOS")
        rows.append(row)
    return rows


def tokenize(text: str) -> str:
    """`pyvi.ViTokenizer.tokenize`: the text with the syllables of each word joined by '_'."""
    vi_tokenizer, _, crf, _ = _load()
    _, sylls = vi_tokenizer.sylabelize(text)
    if not sylls:
        return text
    labels = crf.tag(_segmenter_features(sylls, vi_tokenizer.bi_grams, vi_tokenizer.tri_grams))
    punctuation = string.punctuation
    parts = [sylls[0]]
    for i in range(1, len(labels)):
        current, previous = sylls[i], sylls[i - 1]
        joined = (
            labels[i] == "I_W"
            and current not in punctuation
            and previous not in punctuation
            and not current[0].isdigit()
            and not previous[0].isdigit()
            and not (current[0].istitle() and not previous[0].istitle())
        )
        parts.append("_" if joined else " ")
        parts.append(current)
    return "".join(parts)


def postagging(segmented: str) -> Tuple[List[str], List[str]]:
    """`pyvi.ViPosTagger.postagging`: the words of a segmented text and their tags."""
    _, vi_pos_tagger, _, crf = _load()
    words = segmented.split(" ")
    return words, list(crf.tag(_tagger_features(words, vi_pos_tagger.filtered_tags)))
