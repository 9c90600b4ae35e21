"""A build always writes inside the checkout it was started in: a copied checkout whose copied
.venv still imports the original ``src/`` is re-installed by make, and the CLI refuses to run
there until it is."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.core.errors import AnalysisError

VENV = Path(sys.executable).parent.parent


def _fake_checkout(root: Path, *, with_src: bool = False) -> Path:
    """A folder that looks like a copy of the project (pyproject.toml, Makefile, src/)."""
    root.mkdir(parents=True)
    for item in ("pyproject.toml", "Makefile", "requirements"):
        src = paths.PACKAGE_ROOT / item
        shutil.copytree(src, root / item) if src.is_dir() else shutil.copy2(src, root / item)
    if with_src:
        shutil.copytree(paths.PACKAGE_ROOT / "src", root / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    else:
        (root / "src" / "analysis" / "core").mkdir(parents=True)
        shutil.copy2(paths.PACKAGE_ROOT / "src" / "analysis" / "core" / "paths.py",
                     root / "src" / "analysis" / "core" / "paths.py")
    return root


def _env_without_overrides() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in (paths.ROOT_ENV, "PYTHONPATH")}


def test_check_checkout_refuses_another_checkout(tmp_path, monkeypatch):
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)
    copy = _fake_checkout(tmp_path / "copy")
    paths.check_checkout(paths.PACKAGE_ROOT)  # the package's own checkout
    paths.check_checkout(paths.PACKAGE_ROOT / "notebooks")  # anywhere inside it
    paths.check_checkout(tmp_path)  # outside any checkout
    with pytest.raises(AnalysisError, match="make env") as err:
        paths.check_checkout(copy / "src")
    assert str(copy) in str(err.value) and str(paths.ROOT) in str(err.value)
    monkeypatch.setenv(paths.ROOT_ENV, str(copy))  # an explicit root is the tests' way
    paths.check_checkout(copy)


def test_cli_run_from_a_copied_checkout_refuses_with_one_line(tmp_path, raw_data):
    copy = _fake_checkout(tmp_path / "copy")
    res = subprocess.run([sys.executable, "-m", "analysis", "verify"], cwd=copy,
                         env=_env_without_overrides(), capture_output=True, text=True)
    assert res.returncode == 1
    assert res.stderr.startswith(f"error: this command runs in the checkout {copy}, but the "
                                 "`analysis` package it imported belongs to the checkout")
    assert "Run `make env`" in res.stderr and res.stderr.count("\n") == 1
    assert res.stdout == ""
    ok = subprocess.run([sys.executable, "-m", "analysis", "verify"], cwd=paths.PACKAGE_ROOT,
                        env=_env_without_overrides(), capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")
def test_make_reinstalls_the_package_when_the_venv_imports_another_checkout(tmp_path):
    """Dry run (-n): in a copy whose venv imports the original src/, `make env` re-installs the
    package from the copy; where the venv imports the copy's own src/, nothing is done."""
    copy = _fake_checkout(tmp_path / "copy")
    res = subprocess.run(["make", "-n", "env", f"VENV={VENV}"], cwd=copy,
                         env=_env_without_overrides(), capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert f"not from {copy}/src: re-installing it here (make env)" in res.stdout
    assert "pip install --quiet -c requirements/constraints.txt -e '.[dev]'" in res.stdout

    own = _fake_checkout(tmp_path / "own", with_src=True)
    env = dict(_env_without_overrides(), PYTHONPATH=str(own / "src"))
    res = subprocess.run(["make", "-n", "env", f"VENV={VENV}"], cwd=own, env=env,
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "re-installing" not in res.stdout
