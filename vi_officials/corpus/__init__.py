"""The annotated corpus: markup, validation, conversion to spaCy data, written articles, statistics."""
