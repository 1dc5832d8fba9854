"""`package` builds two wheels into models/: the code (`vi_officials`) and the pipeline,
which requires the code. Both install paths of the README work, offline and fast:

- the README's sequence: the project install (`pip install -e ".[test]"`), then the model
  wheel, in a venv that sees this environment's packages;
- a clean venv with only the wheels from models/ (`pip install --find-links models
  vi_officials_cnn`): its third-party dependencies are linked in from this environment,
  only those the wheels declare (so a missing or superfluous requirement shows).

In both, `spacy.load`, `vi-officials predict` and `vi-officials ledger` with the package
name and the one-call API work (tests/wheel_checks.py runs inside the venv).
"""
import csv
import json
import os
import re
import subprocess
import sys
import venv
import zipfile
from email.parser import Parser
from importlib import metadata
from pathlib import Path

import pytest
import srsly

import vi_officials
from vi_officials.training.package_cli import package, runtime_requirements

TEXT = "Phó Chủ tịch UBND tỉnh Lào Cai Nguyễn Văn Minh đề nghị Sở Xây dựng hoàn thành dự án trước ngày 30/6/2024.\n"


@pytest.fixture(scope="module")
def wheels(tmp_path_factory, ledger_model):
    return package(ledger_model, tmp_path_factory.mktemp("models"), None)


def wheel_metadata(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta_file = next(n for n in names if n.endswith(".dist-info/METADATA"))
        entry_file = next((n for n in names if n.endswith(".dist-info/entry_points.txt")), None)
        return names, Parser().parsestr(zf.read(meta_file).decode()), zf.read(entry_file).decode() if entry_file else ""


def test_code_wheel_holds_the_package_cli_and_factories_and_a_lean_core(wheels):
    names, meta, entry_points = wheel_metadata(wheels.code)
    assert wheels.code.name.startswith("vi_officials-")
    for module in ("components/relation_extractor.py", "applications/ledger/rows.py", "api.py", "cli.py"):
        assert f"vi_officials/{module}" in names
    assert "vi-officials = vi_officials.cli:main" in entry_points
    assert "relation_extractor = vi_officials.components.relation_extractor:make_relation_extractor" in entry_points
    requires = meta.get_all("Requires-Dist")
    core = [r for r in requires if "extra ==" not in r]
    core_names = {re.match(r"[A-Za-z0-9_.-]+", r).group(0).lower() for r in core}
    assert core_names == {"spacy", "pyvi", "pandas", "tqdm"}, core
    for heavy, extra in (("torch", "transformer"), ("underthesea", "baselines"), ("wandb", "train"), ("datasets", "train"), ("dask", "dask"), ("pyarrow", "parquet")):
        assert any(r.startswith(heavy) and f'extra == "{extra}"' in r for r in requires), (heavy, requires)


def test_model_wheel_requires_the_code_wheel_and_carries_no_copy(wheels):
    names, meta, _ = wheel_metadata(wheels.model)
    assert wheels.model.name.startswith("vi_officials_cnn-")
    assert not any("/vi_officials/" in n for n in names)  # the code exists once, in its own wheel
    with zipfile.ZipFile(wheels.model) as zf:
        model_meta = json.loads(zf.read("vi_officials_cnn/meta.json"))
        init = zf.read("vi_officials_cnn/__init__.py").decode()
    code_version = wheels.code.name.split("-")[1]
    assert model_meta["backbone"] == "cnn"
    assert model_meta["requirements"] == ["spacy>=3.8.0,<3.9.0", f"vi-officials~={code_version}"]
    assert f"vi-officials~={code_version}" in meta.get_all("Requires-Dist")
    assert "import vi_officials" in init
    assert code_version == vi_officials.__version__
    # a PhoBERT pipeline asks for the transformer stack through the code wheel's extra
    assert runtime_requirements("phobert", "0.1.0") == ["spacy>=3.8.0,<3.9.0", "vi-officials[transformer]~=0.1.0"]


def test_project_yml_package_declares_both_wheels(root, wheels):
    project = srsly.read_yaml(root / "project.yml")
    command = next(c for c in project["commands"] if c["name"] == "package")
    outputs = {o.replace("${vars.version}", project["vars"]["version"]) for o in command["outputs"]}
    model_wheel = wheels.model.name.replace(wheels.model.name.split("-")[1], project["vars"]["version"], 1)
    assert f"models/{wheels.code.name}" in outputs and f"models/{model_wheel}" in outputs, outputs


def make_venv(path: Path, see_this_env: bool = False) -> Path:
    """A venv without its own pip (pip runs from this environment with --python). With
    `see_this_env`, this environment's site-packages come after the venv's own, as with
    --system-site-packages, which would give the base interpreter's when this is a venv."""
    venv.EnvBuilder(with_pip=False, symlinks=True).create(path)
    python = path / "bin" / "python"
    if see_this_env:
        sites = [p for p in sys.path if p.endswith("-packages") and Path(p).is_dir()]
        (venv_site(python) / "zz_this_env.pth").write_text("".join(f"import site; site.addsitedir({p!r})\n" for p in sites), encoding="utf-8")
    return python


def venv_site(python: Path) -> Path:
    return Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip())


def pip(python: Path, *args: str) -> None:
    run = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check", "-q", *args], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]


def dependency_closure(requirements):
    """The installed distributions that `requirements` pull in, transitively (their extras too)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    seen, todo = {}, [Requirement(r) for r in requirements]
    while todo:
        req = todo.pop()
        name = canonicalize_name(req.name)
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # pip, run with --no-index, reports it if it is really needed
        extras = set(req.extras) | seen.get(name, (None, set()))[1]
        if name in seen and extras <= seen[name][1]:
            continue
        seen[name] = (dist, extras)
        for dep in map(Requirement, dist.requires or []):
            if dep.marker is None or any(dep.marker.evaluate({"extra": e}) for e in extras | {""}):
                todo.append(dep)
    return [dist for dist, _ in seen.values()]


def link_distributions(dists, python: Path) -> None:
    """Make `dists` (files and metadata) visible in the venv by symbolic links."""
    site = venv_site(python)
    for dist in dists:
        tops = {Path(str(f)).parts[0] for f in (dist.files or [])}
        for top in sorted(t for t in tops if t not in ("..", "__pycache__")):
            source, target = Path(dist.locate_file(top)), site / top
            if source.exists() and not target.exists():
                target.symlink_to(source)


def venv_env(root: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return dict(env, VI_OFFICIALS_ROOT=str(root))


def run_checks(python: Path, root: Path, cwd: Path, *flags: str) -> None:
    """tests/wheel_checks.py, then `vi-officials predict` and `ledger` with the package name."""
    env = venv_env(root)
    run = subprocess.run([str(python), str(root / "tests" / "wheel_checks.py"), "vi_officials_cnn", *flags], cwd=cwd, capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "OK: wheel checks passed" in run.stdout
    (cwd / "article.txt").write_text(TEXT, encoding="utf-8")
    cli = python.parent / "vi-officials"
    predict = subprocess.run([str(cli), "predict", "vi_officials_cnn", "article.txt", "--output", "predictions.jsonl"], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    assert predict.returncode == 0, predict.stderr[-3000:]
    records = list(srsly.read_jsonl(cwd / "predictions.jsonl"))
    assert [r["id"] for r in records] == ["article.txt"] and records[0]["text"] == TEXT
    ledger = subprocess.run([str(cli), "ledger", "vi_officials_cnn", "article.txt", "--output", "ledger.csv", "--date", "2024-05", "--no-progress"], cwd=cwd, capture_output=True, text=True, env=env, timeout=300)
    assert ledger.returncode == 0, ledger.stderr[-3000:]
    commitments = [TEXT[s["start"] : s["end"]] for s in records[0]["spans"] if s["label"] == "COMMITMENT"]
    with (cwd / "ledger.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["commitment"] for r in rows] == commitments and all(r["article_id"] == "article.txt" for r in rows)


def test_readme_sequence_project_install_then_model_wheel(tmp_path, wheels, root):
    """`pip install -e ".[test]"`, then `pip install models/vi_officials_cnn-….whl`: the
    model wheel's requirement is met by the project install, no second copy of the code."""
    python = make_venv(tmp_path / "venv", see_this_env=True)  # this environment's packages: the set-up step needs no index
    pip(python, "install", "--no-index", "--no-build-isolation", "-e", f"{root}[test]")
    pip(python, "install", "--no-index", str(wheels.model))
    run_checks(python, root, tmp_path, "--project")


def test_clean_venv_with_only_the_wheels(tmp_path, wheels, root):
    """A venv with nothing but the two wheels and the third-party packages they declare."""
    python = make_venv(tmp_path / "venv")
    requirements = [r for w in wheels for r in (wheel_metadata(w)[1].get_all("Requires-Dist") or []) if "extra ==" not in r and not r.startswith("vi-officials")]
    link_distributions(dependency_closure(requirements), python)
    pip(python, "install", "--no-index", "--find-links", str(wheels.model.parent), "vi_officials_cnn")
    run_checks(python, root, tmp_path)
