"""A syllable tokenizer for Vietnamese that also sets sentence boundaries.

Tokens are syllables and punctuation (see `syllables.py`), so annotation boundaries can
never fall inside a token. Sentence starts are set here, from the same rule the validator
uses, so relation candidates, training data and evaluation agree on what a sentence is.
"""
from typing import List

from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from .normalize import canonical
from .syllables import sentence_starts, syllable_offsets


class SyllableTokenizer:
    def __init__(self, vocab: Vocab):
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        offsets = syllable_offsets(text)
        starts = sentence_starts(text, offsets)
        words: List[str] = []
        spaces: List[bool] = []
        sent_starts: List[bool] = []
        position = 0
        for (start, end), is_start in zip(offsets, starts):
            gap = text[position:start]
            if gap:
                if words and gap == " ":
                    spaces[-1] = True
                else:
                    # whitespace other than one space is a token of its own, as in spaCy
                    if words and gap[0] == " ":
                        spaces[-1] = True
                        gap = gap[1:]
                    if gap:
                        words.append(gap)
                        spaces.append(False)
                        sent_starts.append(False if words[:-1] else True)
            words.append(text[start:end])
            spaces.append(False)
            sent_starts.append(is_start)
            position = end
        tail = text[position:]
        if tail:
            if words and tail[0] == " ":
                spaces[-1] = True
                tail = tail[1:]
            if tail:
                words.append(tail)
                spaces.append(False)
                sent_starts.append(not words[:-1])
        if sent_starts:
            sent_starts[0] = True
        return Doc(self.vocab, words=words, spaces=spaces, sent_starts=sent_starts)

    def pipe(self, texts, batch_size: int = 1000):
        for text in texts:
            yield self(text)

    # Nothing to save: the tokenizer is fully defined by its code.
    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "SyllableTokenizer":
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        pass

    def from_disk(self, path, *, exclude=tuple()) -> "SyllableTokenizer":
        return self


def use_canonical_lexeme_attributes(vocab: Vocab) -> None:
    """Compute every lexeme attribute (NORM, PREFIX, SUFFIX, SHAPE, flags) from the
    canonical spelling, so NFD text and either tone-mark placement share features."""
    getters = vocab.lex_attr_getters or {}
    vocab.lex_attr_getters = {attr: f if isinstance(f, _OnCanonical) else _OnCanonical(f) for attr, f in getters.items()}


class _OnCanonical:
    """A lexeme attribute getter applied to the canonical spelling of the string."""

    def __init__(self, getter):
        self.getter = getter

    def __call__(self, string: str):
        return self.getter(canonical(string))


@registry.tokenizers("vi_officials.SyllableTokenizer.v1")
def create_syllable_tokenizer():
    def make_tokenizer(nlp):
        use_canonical_lexeme_attributes(nlp.vocab)
        return SyllableTokenizer(nlp.vocab)

    return make_tokenizer
