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

# Numbers, dates and ranges stay whole ("28/4", "2021-2025", "6.149,47", "08/01/2021").
# Dotted abbreviations stay whole ("T.Ư", "TP.HCM", "Tp.HCM") when every part before a
# dot is all capitals or at most two letters; otherwise a dot glued between two words is
# a missing space after a full stop ("… tỉnh Sơn La.ẢNH: …") and splits. Other word
# characters form a syllable, and every other non-space character is a token of its own.
# Letters include combining marks (U+0300-U+036F) so decomposed (NFD) text tokenizes
# exactly like composed text.
_L = r"(?:[^\W\d_]|[\u0300-\u036f])"
_U = r"(?:[^\W\d_a-zà-ỹđ]|[\u0300-\u036f])"
_W = r"[\w\u0300-\u036f]"
_ABBREV_PART = rf"(?:{_U}+|{_L}{{1,2}}(?![\w\u0300-\u036f]))"
TOKEN_RE = re.compile(
    r"\d+(?:[.,/:\-]\d+)+"
    rf"|{_ABBREV_PART}(?:\.{_ABBREV_PART})*\.{_L}+"
    rf"|{_W}+"
    r"|[^\w\s\u0300-\u036f]",
    re.UNICODE,
)
SENTENCE_END = frozenset({".", "!", "?", "…"})
CLOSING = frozenset({'"', "”", "’", "'", ")", "]", "»"})
OPENING = frozenset({'"', "“", "‘", "'", "(", "[", "«"})
# Abbreviations written with a full stop before a name: "UBND TP. Cần Thơ", "TS. …".
ABBREVIATIONS = frozenset({"TP", "Tp", "TS", "ThS", "PGS", "GS", "BS", "KS", "Th.S"})


def syllable_offsets(text: str) -> List[Tuple[int, int]]:
    """Character offsets (start, end) of every non-whitespace token in `text`."""
    return [m.span() for m in TOKEN_RE.finditer(text)]


def sentence_starts(text: str, offsets: List[Tuple[int, int]]) -> List[bool]:
    """Whether each token starts a sentence.

    The rule real pages follow: a sentence ends at a line break, or after ". ! ? …" (one
    or more, plus closing quotes or brackets) when whitespace follows and then a capital
    letter, an opening quote or bracket, or the end of the text. A dot with no space after
    it ("5.4", "La.ẢNH") or after an abbreviation ("UBND TP. Cần Thơ") ends nothing, nor
    does a semicolon, so relations may cross them."""
    n = len(offsets)
    starts = [False] * n
    if n:
        starts[0] = True
    i = 0
    while i < n:
        if i > 0 and "\n" in text[offsets[i - 1][1] : offsets[i][0]]:
            starts[i] = True
        tok = text[offsets[i][0] : offsets[i][1]]
        if tok in SENTENCE_END and not (tok == "." and i > 0 and _is_abbreviation(text, offsets, i)):
            j = i + 1
            # more terminal marks and closing quotes glued to the first one belong to it
            while j < n and offsets[j][0] == offsets[j - 1][1] and text[offsets[j][0] : offsets[j][1]] in SENTENCE_END | CLOSING:
                j += 1
            if j < n and offsets[j][0] > offsets[j - 1][1]:
                nxt = text[offsets[j][0] : offsets[j][1]]
                if nxt[0].isupper() or nxt in OPENING or nxt[0] in OPENING:
                    starts[j] = True
            i = j
            continue
        i += 1
    return starts


def _is_abbreviation(text: str, offsets: List[Tuple[int, int]], i: int) -> bool:
    """A full stop glued to a known abbreviation ("TP.") does not end a sentence."""
    prev = offsets[i - 1]
    return prev[1] == offsets[i][0] and text[prev[0] : prev[1]] in ABBREVIATIONS


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
