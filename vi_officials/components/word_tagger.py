"""`word_tagger`: word boundaries and parts of speech for a syllable-token pipeline.

Tokens are syllables, while Vietnamese words are mostly two syllables: "UBND tỉnh yêu"
is a wrong entity end that a word boundary rules out. This component runs pyvi's
segmenter and tagger and writes, for each syllable, its position in the word and the
word's part of speech into `token.tag_` ("B-V", "I-V", "B-Np" …), which the CNN
`tok2vec` embeds as the "TAG" attribute. It has nothing to learn; in training it must be
listed in `[training] annotating_components` so that the predicted docs carry the tags.
"""
from typing import Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from ..text.segmentation import word_groups, word_groups_with_pos


@Language.factory("word_tagger", default_config={"pos": True})
def make_word_tagger(nlp: Language, name: str, pos: bool) -> "WordTagger":
    return WordTagger(name, pos=pos)


class WordTagger:
    def __init__(self, name: str = "word_tagger", *, pos: bool = True):
        self.name = name
        self.pos = pos

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            if token.is_space:
                token.tag_ = "SPACE"
        if self.pos:
            groups = word_groups_with_pos(doc)
        else:
            groups = [(group, "") for group in word_groups(doc)]
        for group, tag in groups:
            for k, i in enumerate(group):
                position = "B" if k == 0 else "I"
                doc[i].tag_ = f"{position}-{tag}" if tag else position
        return doc

    def pipe(self, docs: Iterable[Doc], batch_size: int = 128) -> Iterator[Doc]:
        for doc in docs:
            yield self(doc)

    # Nothing to save: the component is defined by its code and pyvi's model.
    def to_bytes(self, *, exclude=tuple()) -> bytes:
        return b""

    def from_bytes(self, data: bytes, *, exclude=tuple()) -> "WordTagger":
        return self

    def to_disk(self, path, *, exclude=tuple()) -> None:
        pass

    def from_disk(self, path, *, exclude=tuple()) -> "WordTagger":
        return self
