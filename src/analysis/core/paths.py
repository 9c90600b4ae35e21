"""Every folder and file path of the project, in one place.

All paths are absolute and derived from the repository root, so code works from any working
directory (notebooks, tests, the CLI). ``LOSTGEN_ROOT`` overrides the root (used by tests that
build into a temporary copy).

The root is where the imported package lives, not the working directory: a copied checkout whose
copied ``.venv`` still imports the original ``src/`` would build into the original.
:func:`check_checkout` (called by the CLI and the test suite) refuses that with a clear message.
"""

from __future__ import annotations

import os
from pathlib import Path

#: The checkout this package was imported from (the folder holding ``src/analysis/``).
PACKAGE_ROOT: Path = Path(__file__).resolve().parents[3]
#: Environment variable that sets the project root explicitly (tests, benchmark).
ROOT_ENV = "LOSTGEN_ROOT"
#: Repository root (the folder holding ``pyproject.toml``): ``$LOSTGEN_ROOT`` or the package's.
ROOT: Path = Path(os.environ.get(ROOT_ENV, PACKAGE_ROOT)).resolve()

DATA: Path = ROOT / "data"
#: Declarative registry of every raw file (URL, sha256, publisher, licence, citation).
SOURCES_TOML: Path = DATA / "sources.toml"
#: Downloaded raw files, laid out like the upstream mirror (``<source>/<file>``). Never edited.
RAW: Path = DATA / "raw"
#: Reviewed hand-transcribed tables (no URL serves them); committed with their citations.
MANUAL: Path = RAW / "manual"
#: Published tables written by ``make data``: aggregates only, under the disclosure rule
#: (:mod:`analysis.privacy.disclosure`); copied into the report.
PROCESSED: Path = DATA / "processed"
#: Internal per-posting tables (one row per posting or reunion) written by ``make data``:
#: git-ignored, never published, never copied into ``report/``, never read by a figure.
INTERIM: Path = DATA / "interim"
#: Temporary folders of the write phase of ``make data`` are ``data/.processed-<pid>-*`` and
#: ``data/.interim-<pid>-*`` (named after their folder; git-ignored; removed on failure, and by
#: the next run when a kill left one).
NOTEBOOKS: Path = ROOT / "notebooks"
#: Executed notebooks (``.ipynb``), written by ``make notebooks``; not committed.
BUILD: Path = ROOT / "build"
EXECUTED_NOTEBOOKS: Path = Path(os.environ.get("LOSTGEN_EXECUTED_NOTEBOOKS", BUILD / "notebooks")).resolve()
#: Published figures (PNG, SVG, chart-data CSV, caption JSON). ``$LOSTGEN_FIGURES`` overrides it
#: (used by the determinism test to rebuild into a temporary folder).
FIGURES: Path = Path(os.environ.get("LOSTGEN_FIGURES", ROOT / "figures")).resolve()

#: Environment variable naming a local folder laid out like ``data/raw`` (e.g. ``../shared/data/raw``).
#: When set, raw files are copied from it instead of downloaded; they are still sha256-checked.
MIRROR_ENV = "LOSTGEN_DATA_MIRROR"


def mirror_dir() -> Path | None:
    """The offline mirror folder from ``$LOSTGEN_DATA_MIRROR``, or ``None`` when unset/empty."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    return Path(value).expanduser().resolve() if value else None


def checkout_of(folder: Path) -> Path | None:
    """The project checkout holding ``folder``: the nearest folder (``folder`` or a parent) with
    ``pyproject.toml`` and ``src/analysis/core/paths.py``; ``None`` outside any checkout."""
    folder = Path(folder).resolve()
    for d in (folder, *folder.parents):
        if (d / "pyproject.toml").is_file() and (d / "src" / "analysis" / "core" / "paths.py").is_file():
            return d
    return None


def check_checkout(cwd: Path | None = None) -> None:
    """Refuse to run inside one checkout with the ``analysis`` package of another.

    Outputs go to :data:`ROOT`; when the working directory ``cwd`` (default: the current one) is
    inside a different checkout, e.g. a ``cp -a`` copy whose copied ``.venv`` still points at the
    original ``src/``, every output would land in the original. Skipped when ``$LOSTGEN_ROOT``
    chooses the root explicitly.

    Raises
    ------
    AnalysisError
        naming both checkouts and the fix (``make env`` in the copy).
    """
    if os.environ.get(ROOT_ENV, "").strip():
        return
    here = checkout_of(cwd or Path.cwd())
    if here is None or here == ROOT or (ROOT.exists() and os.path.samefile(here, ROOT)):
        return
    from analysis.core.errors import AnalysisError

    raise AnalysisError(
        f"this command runs in the checkout {here}, but the `analysis` package it imported "
        f"belongs to the checkout {ROOT}, so every output would be written there (the .venv's "
        "editable install points at the other checkout, e.g. after copying a checkout with its "
        f".venv). Run `make env` in {here} to re-install the package from this checkout "
        "(`make all` does it by itself), or set LOSTGEN_ROOT to build into a chosen folder."
    )
