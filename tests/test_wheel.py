"""The packaged wheel installs into a fresh virtual environment, with no project code
importable, loads with spacy.load and holds up on real-world input."""
import json
import os
import subprocess
import venv

import pytest

from vi_officials.training.package_cli import package


@pytest.fixture(scope="module")
def wheel(tmp_path_factory, trained_cnn):
    out = tmp_path_factory.mktemp("models")
    return package(trained_cnn, out, None)


def test_wheel_meta_declares_requirements_and_backbone(wheel):
    import zipfile

    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        meta = json.loads(zf.read("vi_officials_cnn/meta.json"))
    assert "vi_officials_cnn/vi_officials/components/relation_extractor.py" in names
    assert "vi_officials_cnn/vi_officials/applications/ledger/rows.py" in names  # sub-packages of the code ship too
    assert meta["backbone"] == "cnn"
    assert not any(r.startswith("vi-officials") for r in meta["requirements"])
    assert any(r.startswith("spacy") for r in meta["requirements"])


def test_wheel_loads_in_a_fresh_venv_and_handles_real_world_text(tmp_path, wheel, root):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(python), str(root / "tests" / "wheel_checks.py"), "vi_officials_cnn"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    assert "OK: wheel checks passed" in run.stdout
