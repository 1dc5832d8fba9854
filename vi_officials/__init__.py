"""Vietnamese officials, titles and commitments: the spaCy components and project tools.

The package follows the project's flow, around the shared data model (`scheme.py`: labels
and which spans a relation may join; `relations.py`: `doc._.relations`):

- `text`: syllables, sentences, canonical spelling, word segmentation (the tokenizer);
- `corpus`: annotation markup, validation, conversion to spaCy data, written articles;
- `components`: the pipeline components and model architectures;
- `training`: training, packaging, the tiny offline PhoBERT;
- `evaluation`: metrics, reports, baselines, cross-validation, dev-set runs, agreement;
- `applications`: prediction and the commitment ledger, behind the `vi-officials` CLI;
- `api`: the one-call API, `vi_officials.extract(text)` and `vi_officials.ledger(texts)`.

Importing the package registers the tokenizer, components, architectures and scorers
with spaCy (they are also declared as entry points, so `spacy train` finds them).
"""
from . import relations  # noqa: F401
from .api import extract, ledger  # noqa: F401
from .components import e5, phobert, relation_extractor, span_tagger, word_tagger  # noqa: F401
from .text import tokenizer  # noqa: F401

__version__ = "0.1.0"
__all__ = ["extract", "ledger"]
