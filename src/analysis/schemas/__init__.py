"""Pandera schemas of every table, collected from the rooms; the source of the data dictionary.

Each source room (``analysis.sources.<source>.schema``) and topic room
(``analysis.topics.<topic>.schema``) defines ``SCHEMAS: dict[str, pandera.DataFrameSchema]`` for the
tables its step builds. They are collected here automatically, so adding a table means adding its
schema in its room. Schema modules import only the leaf layers (``analysis.core``,
``analysis.vocab``) — so importing this package loads no cleaning or modelling code (checked by
``make lint``'s import contracts). Every schema carries

* ``description`` — what one row is;
* ``metadata = {"sources": [registry ids or manual files], "notes": "..."}``;
* per column ``description`` and ``metadata = {"unit": ...}`` (units also appear in column names:
  ``_persons``, ``_share`` (0–1), ``_per_1000``, ``_per_100k``, ``_count``).
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pandera.pandas as pa

import analysis.sources
import analysis.topics

SCHEMAS: dict[str, pa.DataFrameSchema] = {}


def _schema_modules() -> list[str]:
    """``analysis.sources.<room>.schema`` and ``analysis.topics.<room>.schema``, sorted."""
    names = []
    for package in (analysis.sources, analysis.topics):
        for room in pkgutil.iter_modules(package.__path__):
            if room.ispkg and (Path(package.__path__[0]) / room.name / "schema.py").exists():
                names.append(f"{package.__name__}.{room.name}.schema")
    return sorted(names)


for _module_name in _schema_modules():
    _module = importlib.import_module(_module_name)
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
    (:func:`analysis.privacy.disclosure.rule_applies`), its posting count is a nullable integer (empty
    when suppressed) and a boolean column ``suppressed`` marks the suppressed cells; otherwise
    the schema itself."""
    from analysis.privacy import disclosure

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
