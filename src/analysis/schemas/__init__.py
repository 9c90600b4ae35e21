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


def is_internal(table: str) -> bool:
    """True for a per-posting table (one row per posting or reunion): its schema says
    ``metadata["internal"]``. Internal tables live in ``data/interim/`` and are never published."""
    return bool((schema_for(table).metadata or {}).get("internal", False))


def published_schema_for(table: str) -> pa.DataFrameSchema:
    """The schema of a table as published: where the disclosure rule applies
    (:func:`analysis.disclosure.rule_applies`), its posting count is a nullable integer (empty
    when suppressed) and a boolean column ``suppressed`` marks the suppressed cells; otherwise
    the schema itself."""
    from analysis import disclosure

    schema = schema_for(table)
    if not disclosure.rule_applies(schema.columns):
        return schema
    (count,) = disclosure.count_columns(schema.columns)
    described = schema.columns[count].description or ""
    return schema.update_column(
        count, dtype="Int64", nullable=True,
        description=f"{described}; empty where suppressed by the disclosure rule").add_columns({
            disclosure.SUPPRESSED: pa.Column(
                bool, description=f"true where the count is suppressed: fewer than "
                f"{disclosure.THRESHOLD} postings in a cell crossing two or more attributes, or "
                "a second cell suppressed so that the first cannot be recovered from a total "
                "(docs/disclosure.md)", metadata={"unit": "flag"})})


def quantity_columns(table: str) -> list[str]:
    """Columns of ``table`` whose schema declares a unit other than text (persons, counts, shares,
    years, codes…): quantities, not identifiers — used by the privacy check."""
    return [name for name, col in schema_for(table).columns.items()
            if (col.metadata or {}).get("unit", "") not in ("", "text")]
