"""Pandera schemas of every processed table; the source of the data dictionary.

Each module in this package defines ``SCHEMAS: dict[str, pandera.DataFrameSchema]`` for the tables
built by the cleaning module of the same name. They are collected here automatically, so adding a
table means adding its schema next to the others. Every schema carries

* ``description`` — what one row is;
* ``metadata = {"sources": [registry ids or manual files], "notes": "..."}``;
* per column ``description`` and ``metadata = {"unit": ...}`` (units also appear in column names:
  ``_persons``, ``_share`` (0–1), ``_per_1000``, ``_per_100k``, ``_count``).
"""

from __future__ import annotations

import importlib
import pkgutil

import pandera.pandas as pa

SCHEMAS: dict[str, pa.DataFrameSchema] = {}

for _mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _mod.name.startswith("_"):
        continue
    _module = importlib.import_module(f"{__name__}.{_mod.name}")
    for _name, _schema in getattr(_module, "SCHEMAS", {}).items():
        if _name in SCHEMAS:
            raise RuntimeError(f"table {_name!r} has two schemas")
        SCHEMAS[_name] = _schema


def schema_for(table: str) -> pa.DataFrameSchema:
    """The schema of a processed table; ``KeyError`` names the known tables."""
    try:
        return SCHEMAS[table]
    except KeyError:
        raise KeyError(f"no schema for table {table!r}; known: {sorted(SCHEMAS)}") from None


def quantity_columns(table: str) -> list[str]:
    """Columns of ``table`` whose schema declares a unit other than text (persons, counts, shares,
    years, codes…): quantities, not identifiers — used by the privacy check."""
    return [name for name, col in schema_for(table).columns.items()
            if (col.metadata or {}).get("unit", "") not in ("", "text")]
