"""Every folder and file path of the project, in one place.

All paths are absolute and derived from the repository root, so code works from any working
directory (notebooks, tests, the CLI). ``LOSTGEN_ROOT`` overrides the root (used by tests that
build into a temporary copy).
"""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the folder holding ``pyproject.toml``).
ROOT: Path = Path(os.environ.get("LOSTGEN_ROOT", Path(__file__).resolve().parents[2])).resolve()

DATA: Path = ROOT / "data"
#: Declarative registry of every raw file (URL, sha256, publisher, licence, citation).
SOURCES_TOML: Path = DATA / "sources.toml"
#: Downloaded raw files, laid out like the upstream mirror (``<source>/<file>``). Never edited.
RAW: Path = DATA / "raw"
#: Reviewed hand-transcribed tables (no URL serves them); committed with their citations.
MANUAL: Path = RAW / "manual"
#: Published tables written by ``make data``: aggregates only, under the disclosure rule
#: (:mod:`analysis.disclosure`); copied into the report.
PROCESSED: Path = DATA / "processed"
#: Internal per-posting tables (one row per posting or reunion) written by ``make data``:
#: git-ignored, never published, never copied into ``report/``, never read by a figure.
INTERIM: Path = DATA / "interim"
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
