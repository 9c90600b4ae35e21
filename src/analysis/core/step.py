"""The contract between the pipeline and its steps: :class:`CleanTable` (a table and its row
account) and :class:`BuildContext` (verified raw paths, manual tables, the tables built before).

A step is a module with ``build(ctx: BuildContext) -> list[CleanTable]``; see
:mod:`analysis.pipeline` for how steps are found and ordered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.fetch import raw_path


@dataclass
class CleanTable:
    """One tidy output table with its row account.

    ``frame`` may be a GeoDataFrame (written as GeoJSON in EPSG:4326).
    """

    name: str
    frame: pd.DataFrame
    account: RowAccount


@dataclass
class BuildContext:
    """What a cleaning step gets: verified raw paths and the tables built before it."""

    raw_dir: Path = field(default_factory=lambda: paths.RAW)
    manual_dir: Path = field(default_factory=lambda: paths.MANUAL)
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    def raw(self, file_id: str) -> Path:
        """Path of registered raw file ``file_id`` (e.g. ``'nbs_migration_od/2010.xls'``),
        sha256-verified; raises :class:`~analysis.core.errors.FetchError` if missing or changed."""
        return raw_path(file_id, self.raw_dir)

    def manual(self, name: str) -> Path:
        """Path of a reviewed hand-transcribed table under ``data/raw/manual/``, sha256-verified
        against ``SHA256SUMS``; raises :class:`~analysis.core.manual.ManualTableError` if changed."""
        p = self.manual_dir / name
        if not p.is_file():
            raise DataError(p, "manual table is missing (it is committed in data/raw/manual/)")
        from analysis.core.manual import verify_manual  # sha256 pinned in data/raw/manual/SHA256SUMS

        return verify_manual(p)



def is_geo(frame: pd.DataFrame) -> bool:
    return hasattr(frame, "geometry") and frame.__class__.__name__ == "GeoDataFrame"
