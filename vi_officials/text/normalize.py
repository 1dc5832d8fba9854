"""Canonical spelling for model features: Unicode NFC and one tone-mark placement.

Vietnamese text arrives decomposed (NFD) or with the tone mark on either vowel of
"oa", "oe", "uy" ("hoà"/"hòa", "thuỷ"/"thủy"). The Doc keeps the user's text and
offsets; only the features the models see (lexeme attributes, PhoBERT input) are
computed from this canonical form, so all spellings get the same predictions.
"""
import unicodedata
from functools import lru_cache

# tone-marked second vowel -> (plain second vowel, tone mark) for the three pairs
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # huyền, sắc, hỏi, ngã, nặng


@lru_cache(maxsize=100_000)
def canonical(text: str) -> str:
    """NFC text with the tone of a syllable-final "oa", "oe", "uy" on its first vowel
    ("hoà" -> "hòa", "thuỷ" -> "thủy"), except after "q" ("quý" stays)."""
    decomposed = unicodedata.normalize("NFD", text)
    chars = list(decomposed)
    out = []
    i = 0
    while i < len(chars):
        c = chars[i]
        # pattern: first vowel, second vowel, tone mark, then a non-letter (end of syllable)
        if (
            i + 2 < len(chars) + 0
            and c.lower() in "ou"
            and i + 2 < len(chars)
            and chars[i + 2] in _TONES
            and (c.lower() + chars[i + 1].lower()) in ("oa", "oe", "uy")
            and (i + 3 >= len(chars) or not chars[i + 3].isalpha())
            and not (c.lower() == "u" and i > 0 and chars[i - 1].lower() == "q")
        ):
            out.extend([c, chars[i + 2], chars[i + 1]])
            i += 3
            continue
        out.append(c)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))
