"""Vietnamese officials, titles and commitments: the spaCy components and project tools.

Importing the package registers the tokenizer, components, architectures and scorers
with spaCy (they are also declared as entry points, so `spacy train` finds them).
"""
from . import relations, tokenizer, span_tagger, relation_extractor, phobert, word_tagger  # noqa: F401

__version__ = "0.1.0"
