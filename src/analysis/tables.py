"""The table store: read a built table by name (``read``) and its row account
(``read_account``), write one (``write_table``). The only way notebooks get data.

Published tables live in ``data/processed/``; internal per-posting tables (schema
``metadata["internal"]``) in ``data/interim/`` — :func:`read` knows which is where. Every read
validates the table against its (published) schema.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.accounts import RowAccount
from analysis.core.step import CleanTable, is_geo


def write_table(table: CleanTable, out_dir: Path, *, data: bool = True, account: bool = True
                ) -> list[Path]:
    """Write a table (``data``) and/or its row account (``account``) into ``out_dir``; returns
    the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    if data and is_geo(table.frame):
        data_path = out_dir / f"{table.name}.geojson"
        table.frame.to_crs("EPSG:4326").to_file(data_path, driver="GeoJSON",
                                                COORDINATE_PRECISION=6, WRITE_BBOX="NO")
        written.append(data_path)
    elif data:
        data_path = out_dir / f"{table.name}.csv"
        table.frame.to_csv(data_path, index=False, lineterminator="\n", encoding="utf-8")
        written.append(data_path)
    if account:
        acc_path = out_dir / f"{table.name}.rows.csv"
        table.account.to_frame().to_csv(acc_path, index=False, lineterminator="\n",
                                        encoding="utf-8")
        written.append(acc_path)
    return written


def interim_beside(processed: Path) -> Path:
    """The internal folder that goes with a published folder: ``data/interim`` for
    ``data/processed``, else ``interim`` beside it (builds into temporary folders)."""
    return paths.INTERIM if processed == paths.PROCESSED else processed.parent / "interim"


def read(name: str, processed: Path | None = None, *, validate_schema: bool = True
         ) -> pd.DataFrame:
    """Load a processed table by name (``data/processed/<name>.csv`` or ``.geojson``).

    The table is checked against its schema on load, so a notebook never works on a stale or
    hand-edited file unknowingly. Raises ``FileNotFoundError`` with the command to build it.
    """
    from analysis.schemas import is_internal, published_schema_for, schema_for

    base = processed or paths.PROCESSED
    internal = is_internal(name)
    if internal:
        base = interim_beside(base)
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
        schema = copy.deepcopy(schema_for(name) if internal else published_schema_for(name))
        schema.coerce = True  # a copy: the shared schema object is never changed
        data = schema.validate(data)
        if geo.exists():
            for col in data.columns:
                frame[col] = data[col]
            return frame
        return data
    return frame


def read_account(name: str, processed: Path | None = None) -> RowAccount:
    """The row account of a table (``data/processed/<name>.rows.csv``; the row accounts of
    internal tables are published too: counts and reasons only)."""
    base = processed or paths.PROCESSED
    return RowAccount.from_frame(pd.read_csv(base / f"{name}.rows.csv"))
