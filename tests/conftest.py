"""Shared fixtures. Tests use the offline mirror ``../shared/data/raw`` unless
``$LOSTGEN_DATA_MIRROR`` is already set, and fetch (verify) the raw files once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_MIRROR = (ROOT / ".." / "shared" / "data" / "raw").resolve()

if not os.environ.get("LOSTGEN_DATA_MIRROR") and DEFAULT_MIRROR.is_dir():
    os.environ["LOSTGEN_DATA_MIRROR"] = str(DEFAULT_MIRROR)
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to test another checkout's code (a copied checkout with a copied .venv)."""
    from analysis.core import paths
    from analysis.core.errors import AnalysisError

    try:
        paths.check_checkout(ROOT)
    except AnalysisError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def raw_data() -> Path:
    """``data/raw`` with every registered file present and sha256-verified."""
    from analysis.core import paths
    from analysis.core.fetch import fetch_all

    fetch_all(verbose=False)
    return paths.RAW


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline mirror folder (skips the test when none is configured)."""
    from analysis.core import paths

    m = paths.mirror_dir()
    if m is None or not m.is_dir():
        pytest.skip("no offline mirror configured ($LOSTGEN_DATA_MIRROR)")
    return m


@pytest.fixture(scope="session")
def processed(raw_data) -> Path:
    """``data/processed`` built (``make data`` normally did it already; built here if missing)."""
    from analysis.__main__ import main
    from analysis.core import paths

    if not (paths.PROCESSED / ".manifest.json").exists():
        assert main(["data"]) == 0
    return paths.PROCESSED


@pytest.fixture(scope="session")
def executed_notebooks(processed) -> Path:
    """``build/notebooks`` with every notebook executed (``make notebooks`` normally did it;
    an outdated one, by its build stamp, is executed here)."""
    from analysis.core import paths
    from analysis.site.notebooks import build_notebook, notebook_sources

    for src in notebook_sources():
        build_notebook(src, log=lambda line: None)
    return paths.EXECUTED_NOTEBOOKS
