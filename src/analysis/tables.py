"""Build every tidy table (``build_all``) and load them (``read``): the only way notebooks get data.

Each cleaning module ``analysis.clean.<step>`` (and each derived-table module
``analysis.derive.<name>``, step ``derive.<name>``) exposes ``build(ctx: BuildContext) ->
list[CleanTable]``. :func:`build_all` runs the steps in :data:`STEPS` order (later steps may use
tables of earlier ones through ``ctx.tables``), validates every table against its pandera schema
(``analysis.schemas``), checks that every row account balances, and only then writes anything:
``data/processed/<table>.csv`` (UTF-8, ``\\n`` line ends; GeoDataFrames as ``.geojson``), the row
account ``<table>.rows.csv`` and the generated data dictionary ``README.md``. A failure anywhere
leaves the earlier good output untouched.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pandera.errors

from analysis import paths
from analysis.accounts import RowAccount
from analysis.errors import DataError
from analysis.fetch import raw_path

#: Cleaning steps, in build order (a step may read the tables of the steps before it).
STEPS: list[str] = [
    "population",
    "census_hukou",
    "migration_od",
    "census_city",
    "left_behind",
    "boundaries",
    "cases_uiuing",
    "cases_wtt1002",
    "cases_juvenilexi",
    "derive.cases",
    "derive.hotspots",
    "derive.models",
    "derive.factcheck",
]


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
        sha256-verified; raises :class:`~analysis.errors.FetchError` if missing or changed."""
        return raw_path(file_id, self.raw_dir)

    def manual(self, name: str) -> Path:
        """Path of a reviewed hand-transcribed table under ``data/raw/manual/``, sha256-verified
        against ``SHA256SUMS``; raises :class:`~analysis.manual.ManualTableError` if changed."""
        p = self.manual_dir / name
        if not p.is_file():
            raise DataError(p, "manual table is missing (it is committed in data/raw/manual/)")
        from analysis.manual import verify_manual  # sha256 pinned in data/raw/manual/SHA256SUMS

        return verify_manual(p)


def _is_geo(frame: pd.DataFrame) -> bool:
    return hasattr(frame, "geometry") and frame.__class__.__name__ == "GeoDataFrame"


def validate(table: CleanTable) -> pd.DataFrame:
    """Validate a table against its schema (all failures reported at once) and its account."""
    from analysis.schemas import schema_for

    schema = schema_for(table.name)
    frame = table.frame
    data = pd.DataFrame(frame.drop(columns="geometry")) if _is_geo(frame) else frame
    try:
        schema.validate(data, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(10).to_string()
        raise DataError(f"data/processed/{table.name}",
                        f"table fails its schema ({len(exc.failure_cases)} failure(s)):\n{cases}"
                        ) from None
    table.account.check()
    return frame


def run_steps(steps: list[str] | None = None, ctx: BuildContext | None = None,
              *, log: Callable[[str], None] = print) -> dict[str, CleanTable]:
    """Run cleaning steps in memory and validate their tables; writes nothing."""
    ctx = ctx or BuildContext()
    built: dict[str, CleanTable] = {}
    for step in steps or STEPS:
        t0 = time.perf_counter()
        package = "analysis" if "." in step else "analysis.clean"
        module = importlib.import_module(f"{package}.{step}")
        for table in module.build(ctx):
            validate(table)
            built[table.name] = table
            ctx.tables[table.name] = table.frame
            log(f"[data] {table.account.summary()} ({len(table.frame)} rows)")
        log(f"[data] step {step} done in {time.perf_counter() - t0:.1f} s")
    return built


def check_privacy(built: dict[str, CleanTable]) -> None:
    """Refuse to write any table or row account that may hold personal data (names, posting
    ids, handles, phone numbers of the raw case files, or a denied column name)."""
    from analysis.clean.cases_common import CATEGORIES, CATEGORY_BASES, SEXES, SIDES, SOURCES
    from analysis.privacy import assert_publishable, raw_personal_strings

    strings = raw_personal_strings()
    vocabulary = {*SIDES, *CATEGORIES, *CATEGORY_BASES, *SEXES, *SOURCES}
    from analysis.schemas import quantity_columns

    for table in built.values():
        frame = table.frame.drop(columns="geometry") if _is_geo(table.frame) else table.frame
        assert_publishable(pd.DataFrame(frame), where=f"table {table.name}",
                           personal_strings=strings, vocabulary=vocabulary,
                           quantity_columns=quantity_columns(table.name))
        assert_publishable(table.account.to_frame(), where=f"row account of {table.name}",
                           personal_strings=strings, vocabulary=vocabulary)


def write_table(table: CleanTable, out_dir: Path) -> list[Path]:
    """Write a table and its row account into ``out_dir``; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if _is_geo(table.frame):
        data_path = out_dir / f"{table.name}.geojson"
        table.frame.to_crs("EPSG:4326").to_file(data_path, driver="GeoJSON",
                                                COORDINATE_PRECISION=6, WRITE_BBOX="NO")
    else:
        data_path = out_dir / f"{table.name}.csv"
        table.frame.to_csv(data_path, index=False, lineterminator="\n", encoding="utf-8")
    acc_path = out_dir / f"{table.name}.rows.csv"
    table.account.to_frame().to_csv(acc_path, index=False, lineterminator="\n", encoding="utf-8")
    return [data_path, acc_path]


def build_all(steps: list[str] | None = None, *, out_dir: Path | None = None,
              ctx: BuildContext | None = None, log: Callable[[str], None] = print
              ) -> dict[str, CleanTable]:
    """Build, validate and write every tidy table plus the data dictionary.

    Everything is built and validated in memory first and written to a temporary folder; files
    are moved into ``out_dir`` (default ``data/processed``) only when every step succeeded.
    """
    from analysis.datadict import data_dictionary

    out_dir = out_dir or paths.PROCESSED
    built = run_steps(steps, ctx, log=log)
    check_privacy(built)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out_dir.parent, prefix=".processed-") as tmp:
        tmp_dir = Path(tmp)
        written: list[Path] = []
        for table in built.values():
            written += write_table(table, tmp_dir)
        readme = tmp_dir / "README.md"
        readme.write_text(data_dictionary(list(built.values())), encoding="utf-8")
        written.append(readme)
        for f in written:
            os.replace(f, out_dir / f.name)
    log(f"[data] wrote {len(built)} tables to {out_dir}")
    return built


def read(name: str, processed: Path | None = None, *, validate_schema: bool = True
         ) -> pd.DataFrame:
    """Load a processed table by name (``data/processed/<name>.csv`` or ``.geojson``).

    The table is checked against its schema on load, so a notebook never works on a stale or
    hand-edited file unknowingly. Raises ``FileNotFoundError`` with the command to build it.
    """
    from analysis.schemas import schema_for

    base = processed or paths.PROCESSED
    csv, geo = base / f"{name}.csv", base / f"{name}.geojson"
    if geo.exists():
        import geopandas as gpd

        frame = gpd.read_file(geo)
        data = pd.DataFrame(frame.drop(columns="geometry"))
    elif csv.exists():
        frame = pd.read_csv(csv, encoding="utf-8", keep_default_na=True)
        data = frame
    else:
        raise FileNotFoundError(f"{csv} does not exist; build the tables with `make data`")
    if validate_schema:
        schema = schema_for(name)
        coerced = schema.coerce
        schema.coerce = True
        try:
            data = schema.validate(data)
        finally:
            schema.coerce = coerced
        if geo.exists():
            for col in data.columns:
                frame[col] = data[col]
            return frame
        return data
    return frame


def read_account(name: str, processed: Path | None = None) -> RowAccount:
    """The row account of a processed table (``<name>.rows.csv``)."""
    base = processed or paths.PROCESSED
    return RowAccount.from_frame(pd.read_csv(base / f"{name}.rows.csv"))


def clean_processed(out_dir: Path | None = None) -> None:
    """Remove every built table (used by ``make clean``)."""
    out_dir = out_dir or paths.PROCESSED
    for f in out_dir.iterdir():
        if f.name != ".gitkeep":
            shutil.rmtree(f) if f.is_dir() else f.unlink()
