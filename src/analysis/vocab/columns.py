"""Column builders shared by the schemas: adcode keys, persons, shares, rates, floats, p-values,
flags."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.provinces import ALL34, MAINLAND31


def adcode_column(description: str = "province adcode (GB/T 2260, xx0000)", *,
                  mainland31: bool = True, nullable: bool = False) -> pa.Column:
    """Province adcode column; restricted to the 31 mainland units unless ``mainland31=False``."""
    allowed = list(MAINLAND31 if mainland31 else ALL34)
    return pa.Column("Int64" if nullable else int, pa.Check.isin(allowed), nullable=nullable,
                     description=description, metadata={"unit": "adcode"})


def persons_column(description: str, *, nullable: bool = False,
                   extension_dtype: bool = False) -> pa.Column:
    """A non-negative count of people (unit: persons).

    The dtype is pandas' nullable ``Int64`` when ``nullable`` or ``extension_dtype`` (a table
    whose counts are read with nullable integers throughout), else ``int64``.
    """
    return pa.Column("Int64" if nullable or extension_dtype else "int64", pa.Check.ge(0), nullable=nullable,
                     description=description, metadata={"unit": "persons"})


def count_column(description: str, *, nullable: bool = False) -> pa.Column:
    """A non-negative count of records (unit: count)."""
    return pa.Column("Int64" if nullable else "int64", pa.Check.ge(0), nullable=nullable,
                     description=description, metadata={"unit": "count"})


def int_column(description: str, unit: str) -> pa.Column:
    """A non-negative integer in ``unit`` that is not a count (a census year, a rank)."""
    return pa.Column("int64", pa.Check.ge(0), description=description, metadata={"unit": unit})


def share_column(description: str, *, nullable: bool = False) -> pa.Column:
    """A proportion between 0 and 1 (unit: share)."""
    return pa.Column(float, pa.Check.in_range(0, 1), nullable=nullable,
                     description=description, metadata={"unit": "share (0-1)"})


def rate_column(description: str, unit: str, *, nullable: bool = False) -> pa.Column:
    """A non-negative rate, e.g. ``unit='per 1,000 persons'``."""
    return pa.Column(float, pa.Check.ge(0), nullable=nullable, description=description,
                     metadata={"unit": unit})


def float_column(description: str, unit: str, *, ge: float | None = None,
                 le: float | None = None, nullable: bool = False,
                 checks: list[pa.Check] | None = None) -> pa.Column:
    """A float column in ``unit``: within ``[ge, le]`` when both are given, ``≥ ge`` when only
    ``ge`` is, plus any further ``checks``."""
    bounds = []
    if ge is not None and le is not None:
        bounds.append(pa.Check.in_range(ge, le))
    elif ge is not None:
        bounds.append(pa.Check.ge(ge))
    return pa.Column(float, [*bounds, *(checks or [])], nullable=nullable,
                     description=description, metadata={"unit": unit})


def p_column(description: str, *, nullable: bool = False) -> pa.Column:
    """A probability (p-value) column between 0 and 1 (unit: probability (0-1))."""
    return float_column(description, "probability (0-1)", ge=0, le=1, nullable=nullable)


def flag_column(description: str) -> pa.Column:
    """A boolean column (unit: flag)."""
    return pa.Column(bool, description=description, metadata={"unit": "flag"})


def text_column(description: str, *, nullable: bool = False,
                isin: list[str] | None = None) -> pa.Column:
    """A text column (display names, labels, categories)."""
    checks = [pa.Check.isin(isin)] if isin else []
    return pa.Column(str, checks, nullable=nullable, description=description,
                     metadata={"unit": "text"})


def one_row_per(*columns: str) -> dict:
    """``unique=[...]`` keyword for DataFrameSchema: one row per combination of ``columns``."""
    return {"unique": list(columns)}
