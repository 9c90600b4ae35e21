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
    """``data/processed`` up to date: ``make data`` normally did it already; it is rebuilt here
    when the data manifest says so (missing or unreadable, an input hash — raw registry, manual
    tables, data code — changed, or an output missing or changed), by the same rule as the CLI
    (:func:`analysis.__main__.data_rebuild_reason`)."""
    from analysis.__main__ import MANIFEST, data_inputs, data_rebuild_reason, main
    from analysis.core import paths

    if data_rebuild_reason(paths.PROCESSED / MANIFEST, data_inputs()) is not None:
        assert main(["data"]) == 0
        assert data_rebuild_reason(paths.PROCESSED / MANIFEST, data_inputs()) is None
    return paths.PROCESSED


@pytest.fixture(scope="session")
def prefectures(raw_data):
    """The ``census_city_prefecture`` table (the place matcher's unit list), built in memory by
    its step (``sources.census_city`` and the ``sources.population`` step it needs)."""
    from analysis.pipeline import run_steps

    return run_steps(["sources.census_city"], log=lambda s: None)["census_city_prefecture"].frame


@pytest.fixture(scope="session")
def places(prefectures):
    """The case steps' place matcher, built from :func:`prefectures` as the steps build it."""
    from analysis.sources.cases.common import PlaceMatcher

    return PlaceMatcher.from_prefectures(prefectures)


@pytest.fixture(scope="session")
def place_tables(prefectures, processed):
    """The tables every case step needs (``PLACE_TABLES``): ``census_city_prefecture`` built in
    memory and ``place_gazetteer`` as last built."""
    from analysis.tables import read

    return {"census_city_prefecture": prefectures, "place_gazetteer": read("place_gazetteer")}


@pytest.fixture
def case_context(prefectures):
    """A fresh build context for calling a case step's ``build`` directly: the real raw files,
    ``ctx.tables`` holding the tables the case steps need (the gazetteer as last built), an
    empty ``ctx.deny``."""
    from analysis.core.step import BuildContext
    from analysis.tables import read

    return BuildContext(tables={"census_city_prefecture": prefectures,
                                "place_gazetteer": read("place_gazetteer")})


@pytest.fixture(scope="session")
def executed_notebooks(processed) -> Path:
    """``build/notebooks`` with every notebook executed (``make notebooks`` normally did it;
    an outdated one, by its build stamp, is executed here)."""
    from analysis.core import paths
    from analysis.site.notebooks import build_notebook, notebook_sources

    for src in notebook_sources():
        build_notebook(src, log=lambda line: None)
    return paths.EXECUTED_NOTEBOOKS
