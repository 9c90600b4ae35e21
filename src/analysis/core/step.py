"""The contract between the pipeline and its steps: :class:`CleanTable` (a table and its row
account), :class:`BuildContext` (verified raw paths, manual tables, the tables a step needs, the
personal strings met while cleaning) and :class:`TableView` (what a step sees of the tables
built before it).

A step is a module of :mod:`analysis.sources` or :mod:`analysis.topics` with

* ``NEEDS: tuple[str, ...]`` — the tables it reads from ``ctx.tables`` (built by other steps);
* ``PROVIDES: tuple[str, ...]`` — the tables it builds, exactly;
* ``build(ctx: BuildContext) -> list[CleanTable]``.

:mod:`analysis.pipeline` finds the step modules, orders them from these declarations and checks
both at run time (a step reading an undeclared table, or building other tables than it
declares, is a :class:`StepContractError`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.accounts import RowAccount
from analysis.core.errors import AnalysisError, DataError
from analysis.core.fetch import raw_path


class StepContractError(AnalysisError):
    """A step broke its declaration: it read a table missing from its ``NEEDS``, built other
    tables than its ``PROVIDES``, or no step provides a table some step needs."""


@dataclass
class CleanTable:
    """One tidy output table with its row account.

    ``frame`` may be a GeoDataFrame (written as GeoJSON in EPSG:4326).
    """

    name: str
    frame: pd.DataFrame
    account: RowAccount


class TableView(Mapping):
    """Read-only view of the built tables restricted to the names a step declares in ``NEEDS``.

    Reading (``view[name]``, ``name in view``, ``view.get(name)``) a table the step did not
    declare raises :class:`StepContractError` naming the step and the table; a declared table
    not built (yet) behaves as absent (``KeyError``, ``in`` is False). Iteration yields the
    declared tables that exist. There is no way to write through the view.
    """

    def __init__(self, tables: Mapping[str, pd.DataFrame], needs: tuple[str, ...] | list[str],
                 step: str) -> None:
        self._tables = tables
        self._needs = tuple(needs)
        self._step = step

    def _check(self, name: object) -> None:
        if name not in self._needs:
            raise StepContractError(
                f"step {self._step} reads table {name!r}, which is not in its NEEDS "
                f"({', '.join(self._needs) or 'none'}): declare it in the step module")

    def __getitem__(self, name: str) -> pd.DataFrame:
        self._check(name)
        return self._tables[name]

    def __contains__(self, name: object) -> bool:
        self._check(name)
        return name in self._tables

    def get(self, name: str, default: pd.DataFrame | None = None) -> pd.DataFrame | None:
        self._check(name)
        return self._tables.get(name, default)

    def __iter__(self) -> Iterator[str]:
        return (n for n in self._needs if n in self._tables)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return f"TableView(step={self._step!r}, needs={self._needs!r})"


@dataclass
class BuildContext:
    """What a step gets: verified raw paths, manual tables, the tables built before it
    (``tables``; during a pipeline run a :class:`TableView` restricted to the step's ``NEEDS``)
    and ``deny``, the set the case steps add their personal strings to while the records are in
    memory (names, posting ids, handles, phone numbers; never written to a published folder —
    see :func:`analysis.privacy.denyset.write_deny`)."""

    raw_dir: Path = field(default_factory=lambda: paths.RAW)
    manual_dir: Path = field(default_factory=lambda: paths.MANUAL)
    tables: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    deny: set[str] = field(default_factory=set)

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
