"""Run inside a virtual environment where the wheels from models/ are installed.

    python wheel_checks.py PACKAGE_NAME            # a clean venv with only the wheels
    python wheel_checks.py PACKAGE_NAME --project  # the README's sequence: project install, then the model wheel

Exits non-zero with a message on the first failed check. Invoked by test_wheel.py; not
collected by pytest itself."""
import importlib.util
import os
import sys
import tracemalloc
import unicodedata
import warnings

import spacy

name = sys.argv[1]
with_project = "--project" in sys.argv[2:]


def check(condition, message):
    if not condition:
        sys.exit(f"FAILED: {message}")


import vi_officials  # noqa: E402
from vi_officials.applications.ledger.rows import COLUMNS  # noqa: E402

where = os.path.realpath(vi_officials.__file__)
if with_project:
    check(where.startswith(os.path.realpath(os.environ["VI_OFFICIALS_ROOT"])), f"vi_officials comes from the project checkout, not {where}")
else:
    # the code wheel, installed in this venv; and the core install is lean
    check(where.startswith(os.path.realpath(sys.prefix)), f"vi_officials comes from the venv's code wheel, not {where}")
    # a transformer pipeline (e5, PhoBERT) brings torch and transformers through the code
    # wheel's `transformer` extra; nothing else optional comes with either
    transformer = name.rsplit("_", 1)[-1] in ("e5", "phobert")
    optional = ("underthesea", "wandb", "datasets", "dask", "pyarrow", "matplotlib") + (() if transformer else ("torch", "transformers"))
    heavy = [m for m in optional if importlib.util.find_spec(m)]
    check(not heavy, f"the install pulls optional packages: {heavy}")

nlp = spacy.load(name)
installed = vi_officials.api.installed_models()
check(name in installed, f"installed pipelines: {installed}")


def marks(doc):
    ents = [(e.start, e.end, e.label_) for e in doc.ents]
    spans = [(s.start, s.end) for s in doc.spans["commitments"]]
    rels = [(r.head.start, r.child.start, r.label) for r in doc._.relations]
    return ents, spans, rels


TEXT = "Bí thư Thành uỷ Hà Nội Đinh Tiến Dũng đề nghị Công an thành phố tiếp tục hoà hợp, giữ vững an ninh trật tự trước ngày 30/7/2023."
doc = nlp(TEXT)
check(all(hasattr(r, "score") for r in doc._.relations), "relations carry scores")

if with_project:  # the rest holds for any install (test_api.py covers the API next to the project)
    print(f"OK: wheel checks passed (with the project install: {where})")
    sys.exit(0)

# the one-call API with the default model: the only vi_officials_* pipeline installed
check(installed == [name], f"the default model is {name}: {installed}")
result = vi_officials.extract(TEXT)
check(result == vi_officials.api.doc_to_dict(doc) and len(result["entities"]) == len(doc.ents), "extract(text) with the default model")
table = vi_officials.ledger([TEXT], date="2023-07")
check(list(table.columns) == list(COLUMNS) and len(table) == len(doc.spans["commitments"]), f"ledger(texts): {table.shape}")

# Unicode: NFD and the other tone placement give the same predictions, offsets into the given text
for variant in (unicodedata.normalize("NFD", TEXT), TEXT.replace("uỷ", "ủy").replace("hoà", "hòa")):
    other = nlp(variant)
    check(other.text == variant, "doc text is the text as given")
    check(marks(other) == marks(doc), f"same predictions for a spelling variant: {marks(other)} vs {marks(doc)}")
    for ent in other.ents:
        check(variant[ent.start_char : ent.end_char] == ent.text, "entity offsets index the given text")

# Empty and odd inputs return empty results
odd = ["", "   \n\t ", "... !!! ???", "Hello world, this is English only.", "🙂🎉👍", "<p>Bộ trưởng &amp; <b>Tô Lâm</b></p>&nbsp;"]
for text in odd[:5]:
    d = nlp(text)
    check(d.text == text, f"text kept for {text!r}")
    if text.strip() == "" or not any(c.isalpha() for c in text):
        check(not d.ents and not d.spans["commitments"] and not d._.relations, f"empty result for {text!r}")
docs = list(nlp.pipe(odd + [TEXT] + odd, batch_size=4))
check(len(docs) == 2 * len(odd) + 1 and marks(docs[len(odd)]) == marks(doc), "nlp.pipe over a mixed batch")
check(docs[5].text == odd[5], "markup does not crash")

# Length: a 2,000-syllable sentence without punctuation and a 50,000-syllable document
syllables = TEXT.replace(",", "").replace(".", "").split()
sentence = " ".join(syllables[i % len(syllables)] for i in range(2000))
with warnings.catch_warnings():
    warnings.simplefilter("error")
    long_sentence = nlp(sentence)
check(len(long_sentence) == 2000, "no token dropped from the long sentence")
document = " ".join((TEXT + " ") for _ in range(50_000 // len(TEXT.split()) + 1))
tracemalloc.start()
with warnings.catch_warnings():
    warnings.simplefilter("error")
    big = nlp(document)
_, peak = tracemalloc.get_traced_memory()
n_syllables = len(document.split())
check(n_syllables >= 50_000, "the document has 50,000 syllables")
check(sum(1 for t in big if not t.is_space) == len([m for m in __import__("re").finditer(r"\d+(?:[.,/:\-]\d+)+|\w+(?:\.\w+)+|\w+|[^\w\s]", document)]), "no token dropped from the long document")
check(peak < 2 * 1024**3, f"peak traced memory {peak / 1e6:.0f} MB")
repeats = document.count(TEXT)
check(len(big.ents) >= (repeats - 2) * len(doc.ents), f"entities found all through the long document ({len(big.ents)} for {repeats} repeats of {len(doc.ents)})")
print(f"OK: wheel checks passed (long document: {len(big)} tokens, peak {peak / 1e6:.0f} MB traced)")
