"""Syllable tokenization and sentence boundaries shared by the validator, the converter
and the pipeline.

Vietnamese writes one syllable per whitespace-separated unit; word segmenters group
syllables into words and can disagree with an annotator's span boundary. Tokenizing into
syllables (plus punctuation) guarantees every annotated span falls on token boundaries,
so conversion can never drop a span. Word grouping for PhoBERT is done separately
(see `segmentation.py`).
"""
import re
from typing import List, Tuple

# Numbers, dates and ranges stay whole ("28/4", "2021-2025", "6.149,47"), dotted
# abbreviations stay whole ("T.Ư"), other word characters form a syllable, and every
# other non-space character is a token of its own.
# Letters include combining marks (U+0300-U+036F) so decomposed (NFD) text tokenizes
# exactly like composed text.
_L = r"(?:[^\W\d_]|[\u0300-\u036f])"
_W = r"[\w\u0300-\u036f]"
TOKEN_RE = re.compile(
    r"\d+(?:[.,/:\-]\d+)+"
    rf"|{_L}+(?:\.{_L}+)+"
    rf"|{_W}+"
    r"|[^\w\s\u0300-\u036f]",
    re.UNICODE,
)
SENTENCE_END = frozenset({".", "!", "?", "…"})
CLOSING = frozenset({'"', "”", "’", "'", ")", "»", ".", "…", "!", "?"})


def syllable_offsets(text: str) -> List[Tuple[int, int]]:
    """Character offsets (start, end) of every non-whitespace token in `text`."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


def sentence_starts(text: str, offsets: List[Tuple[int, int]]) -> List[bool]:
    """Whether each token starts a sentence: after ". ! ? …" (and closing quotes or
    brackets that follow them) and after a line break. Semicolons do not end a sentence,
    so relations may cross them."""
    starts = []
    boundary = True
    for i, (start, end) in enumerate(offsets):
        if i > 0 and "\n" in text[offsets[i - 1][1] : start]:
            boundary = True
        tok = text[start:end]
        if boundary and tok in CLOSING and i > 0 and starts and not _newline_before(text, offsets, i):
            # a closing quote right after the full stop belongs to the previous sentence
            starts.append(False)
            continue
        starts.append(boundary)
        boundary = tok in SENTENCE_END
    return starts


def _newline_before(text: str, offsets: List[Tuple[int, int]], i: int) -> bool:
    return "\n" in text[offsets[i - 1][1] : offsets[i][0]]


def sentence_spans(text: str) -> List[Tuple[int, int]]:
    """Character spans of the sentences of `text` under the rule above."""
    offsets = syllable_offsets(text)
    starts = sentence_starts(text, offsets)
    sents: List[Tuple[int, int]] = []
    for (start, end), is_start in zip(offsets, starts):
        if is_start or not sents:
            sents.append((start, end))
        else:
            sents[-1] = (sents[-1][0], end)
    return sents


def sentence_index(text: str):
    """A function mapping a character offset to the index of its sentence (or -1)."""
    sents = sentence_spans(text)

    def index(char: int) -> int:
        for i, (start, end) in enumerate(sents):
            if start <= char < end:
                return i
        return -1

    return index
