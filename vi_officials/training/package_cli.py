"""Package a trained pipeline as a wheel that loads anywhere.

`spacy package --code` copies files flat, which breaks the package-relative imports of
`vi_officials`. So the whole `vi_officials` package is copied into the model package as
a sub-package, the model's `__init__.py` imports it (registering the tokenizer,
components and architectures before `spacy.load` needs them), and the requirements are
set explicitly: spaCy cannot see that the code needs pyvi, and it would otherwise list
this project itself, which is not on any package index.
"""
import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Sequence, Dict, List, Optional

from wasabi import msg

import vi_officials

from ..scheme import ENTITY_LABELS, RELATION_LABELS


def runtime_requirements(backbone: str, pipeline: Sequence[str] = ()) -> List[str]:
    reqs = ["spacy>=3.8.0,<3.9.0"]
    if backbone == "phobert":
        reqs += ["spacy-transformers>=1.4.0,<1.5.0", "transformers>=4.40,<4.53.3", "torch>=2.1", "pyvi>=0.1.1"]
    elif "word_tagger" in pipeline:
        reqs += ["pyvi>=0.1.1"]  # word boundaries and parts of speech for the CNN
    return reqs


def heldout_performance(metrics: Dict) -> Dict[str, float]:
    """Held-out scores as flat meta['performance'] entries (rendered in the README)."""
    s = metrics["model"]
    perf = {"ents_p": s["entities_micro"]["p"], "ents_r": s["entities_micro"]["r"], "ents_f": s["entities_micro"]["f"]}
    for label in ENTITY_LABELS:
        perf[f"ents_{label}_f"] = s["entities"][label]["f"]
    perf["spans_commitments_f"] = s["commitments_exact"]["f"]
    perf["spans_commitments_partial_f"] = s["commitments_partial"]["f"]
    perf["rel_micro_f"] = s["relations_micro"]["f"]
    for label in RELATION_LABELS:
        perf[f"rel_{label}_f"] = s["relations"][label]["f"]
    return perf


SUMMARY = "Vietnamese news pipeline: officials, titles, bodies, dates, commitments and their relations"


def notes(meta: Dict, metrics: Optional[Dict], name: str) -> str:
    """The model card text shown in the package README (spaCy renders meta['notes'])."""
    backbone = meta.get("backbone", "unknown")
    n_docs = metrics.get("n_documents") if metrics else None
    return f"""### What it does

Vietnamese news pipeline that finds officials (`OFFICIAL`), their titles (`TITLE`), bodies (`ORG`) and dates (`DATE`) in `doc.ents`, the commitments officials pledge or direct (`COMMITMENT`) in `doc.spans["commitments"]`, and the relations `HAS_TITLE` (OFFICIAL → TITLE), `COMMITS` (OFFICIAL/TITLE/ORG → COMMITMENT), `ASSIGNED_TO` (COMMITMENT → ORG/OFFICIAL/TITLE) and `DEADLINE` (COMMITMENT → DATE) with scores in `doc._.relations`.

**Backbone:** `{backbone}`{f" (`{meta.get('transformer')}`)" if backbone == "phobert" else " (a CNN tok2vec trained from scratch; no pre-trained weights)"}.

**Training data:** five annotated news articles about officials' working sessions (Hà Nội, Hải Phòng; 2021–2024), about 4,400 syllables in all. That is very little: expect the model to know the titles, bodies and phrasing of these articles well and to generalise unevenly to other regions, outlets and genres. The accuracy below is measured on held-out article(s) ({n_docs if n_docs is not None else "?"} document(s)) and carries a wide margin of error; the project README reports leave-one-article-out cross-validation, which is the more honest estimate.

**Usage**

```python
import spacy
nlp = spacy.load("{name}")
doc = nlp("Bộ trưởng Tô Lâm đề nghị Công an thành phố hoàn thành việc cấp căn cước trước ngày 30/7/2023.")
print([(e.text, e.label_) for e in doc.ents])
print([s.text for s in doc.spans["commitments"]])
for rel in doc._.relations:
    print(rel.head.text, rel.label, rel.child.text, round(rel.score, 2))
```
"""


def package(model_dir: Path, output_dir: Path, metrics_path: Optional[Path], version: str = "0.1.0") -> Path:
    from spacy.cli.package import package as spacy_package

    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    backbone = meta.get("backbone", "cnn")
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path and metrics_path.exists() else None
    name = f"officials_{backbone}"
    full_name = f"{meta.get('lang', 'vi')}_{name}"
    meta.update(
        name=name,
        version=version,
        description=SUMMARY,
        notes=notes(meta, metrics, full_name),
        license="MIT",
        author="vi-officials project",
        requirements=runtime_requirements(backbone, meta.get("pipeline", [])),
        sources=[{"name": "Five seed news articles annotated for this project (corpus/GUIDELINES.md)"}],
    )
    if metrics:
        meta["performance"] = heldout_performance(metrics)
        meta["heldout_evaluation"] = {"data": metrics["data"], "n_documents": metrics["n_documents"]}
    build_dir = output_dir / "build"
    if build_dir.exists():
        shutil.rmtree(build_dir)  # a stale README.md there would be reused by spacy package
    build_dir.mkdir(parents=True)
    meta_path = build_dir / "meta.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    spacy_package(model_dir, build_dir, meta_path=meta_path, name=name, version=version, create_meta=False, create_sdist=False, create_wheel=False, force=True, silent=True)
    main_path = build_dir / f"{full_name}-{version}"
    package_path = main_path / full_name
    # the requirements spaCy derived from the config include this project: replace them
    built_meta = json.loads((main_path / "meta.json").read_text(encoding="utf-8"))
    built_meta["requirements"] = runtime_requirements(backbone, meta.get("pipeline", []))
    (main_path / "meta.json").write_text(json.dumps(built_meta, ensure_ascii=False, indent=2), encoding="utf-8")
    code_dir = package_path / "vi_officials"
    if code_dir.exists():
        shutil.rmtree(code_dir)
    shutil.copytree(Path(vi_officials.__file__).parent, code_dir, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    init = package_path / "__init__.py"
    text = init.read_text(encoding="utf-8")
    if "from . import vi_officials" not in text:
        text = text.replace("from spacy.util import", "from . import vi_officials  # registers the custom tokenizer and components\nfrom spacy.util import", 1)
        init.write_text(text, encoding="utf-8")
    setup_py = main_path / "setup.py"
    setup_text = setup_py.read_text(encoding="utf-8")
    if "packages=[model_name]," not in setup_text:
        raise RuntimeError(f"unexpected setup.py template in {setup_py}: cannot add the code sub-package")
    subpackages = sorted(".".join(p.parent.relative_to(package_path).parts) for p in code_dir.rglob("__init__.py"))
    listed = ", ".join(f'model_name + ".{sub}"' for sub in subpackages)
    setup_py.write_text(setup_text.replace("packages=[model_name],", f"packages=[model_name, {listed}],"), encoding="utf-8")
    dist = main_path / "dist"
    if dist.exists():
        shutil.rmtree(dist)
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(main_path)], check=True, stdout=subprocess.DEVNULL)
    wheels = sorted(dist.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {dist}, found {wheels}")
    target = output_dir / wheels[0].name
    shutil.copy(wheels[0], target)
    shutil.copy(main_path / "README.md", output_dir / f"{full_name}-README.md")
    msg.good(f"Wrote {target} (backbone {backbone}); install with: pip install {target}")
    return target


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--metrics", type=Path, help="held-out metrics.json from the evaluate command")
    parser.add_argument("--version", default="0.1.0")
    args = parser.parse_args(argv)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    package(args.model_dir, args.output_dir, args.metrics, args.version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
