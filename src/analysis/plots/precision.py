"""Publication precision of chart data, decided once: the digits a reader of ``figures/*.csv`` gets.

Chart-data CSVs are what reporters download, so they carry the precision a reader can use, not
float noise. Each numeric column is mapped to a *unit* by its name (:data:`UNIT_RULES`, first
match wins) and each unit has one precision:

==================  ===========================================  ==================================
unit                column names (pattern)                       published as
==================  ===========================================  ==================================
``code``            ``adcode``, ``*_adcode``                     integer
``rate``            ``*_per_100k``, ``*_per_1000``, ``*_per_year``  3 significant digits
``year``            ``*_year``, ``year``                         integer
``rank``            ``rank``, ``*_rank``, ``rank_*``, ``position``  integer
``count``           ``*_count``, ``*_total``, ``n``, ``*_n``        integer
``persons``         ``*_persons``                                integer
``share``           ``share``, ``*_share``, ``share_*``          3 significant digits
``p_value``         ``p_value``, ``*_p``, ``*_p_sim``, ``*_p_adjusted``  3 significant digits
``ratio``           ``irr*``, ``*_irr``, ``*_ratio*``, ``*vif``   3 significant digits
``weight``          ``weight``, ``*_weight``                     3 significant digits
``z``               ``z``, ``*_z``                               2 decimal places
``moran_i``         ``*moran_i``, ``*local_i``                   3 decimal places
``coefficient``     ``spatial_parameter``, ``*_coef``, ``*_resid``  3 decimal places
(default)           any other float column                       4 significant digits
==================  ===========================================  ==================================

Significant digits suit quantities on a ratio scale (rates, shares, ratios, p-values), whose
numerical noise is relative to their size. Quantities centred on zero (Moran's I, z-scores,
spatial coefficients, regression residuals) get fixed *decimal places* instead: a value near 0
carries no more information than the column's scale, and significant digits would publish (and
compare) float noise there. Float columns of an unmatched name get :data:`DEFAULT_PRECISION`
(4 significant digits, one more than any named unit, so nothing is lost silently); the figure's
JSON names that unit ``unclassified`` so a reviewer can give it a rule.

Integer columns (integer dtype) are exact and written as they are, whatever their name; float
columns of an integer unit (a count with a missing value, an estimate of persons) are rounded to
whole numbers. Booleans and text are written unchanged. Only chart CSVs are rounded: processed
tables in ``data/processed`` keep full precision, and :func:`analysis.plots.save.save_figure` keeps a
full-precision copy of each chart's data in ``build/chart_data/`` for the drift check.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

Kind = Literal["integer", "significant", "decimals"]


@dataclass(frozen=True)
class Precision:
    """How one column is published.

    ``kind`` is ``"integer"`` (whole numbers), ``"significant"`` (``digits`` significant digits)
    or ``"decimals"`` (``digits`` decimal places); ``unit`` names the rule that chose it.
    """

    unit: str
    kind: Kind
    digits: int = 0

    def to_json(self) -> dict[str, object]:
        """``{"unit": ..., "significant_digits": n}`` or ``{"unit": ..., "decimal_places": n}``
        (integers: ``decimal_places`` 0), as recorded in the figure's JSON."""
        key = "significant_digits" if self.kind == "significant" else "decimal_places"
        return {"unit": self.unit, key: self.digits}

    @classmethod
    def from_json(cls, spec: dict[str, object]) -> Precision:
        """Inverse of :meth:`to_json`; raises ``ValueError`` on a malformed entry."""
        unit = str(spec.get("unit", ""))
        if "significant_digits" in spec:
            digits = int(spec["significant_digits"])  # type: ignore[arg-type]
            if digits < 1:
                raise ValueError(f"precision {spec}: significant_digits must be ≥ 1")
            return cls(unit, "significant", digits)
        if "decimal_places" in spec:
            digits = int(spec["decimal_places"])  # type: ignore[arg-type]
            if digits < 0:
                raise ValueError(f"precision {spec}: decimal_places must be ≥ 0")
            return cls(unit, "integer", 0) if digits == 0 else cls(unit, "decimals", digits)
        raise ValueError(f"precision {spec}: needs significant_digits or decimal_places")

    def half_unit(self, value: float) -> float:
        """Half a unit in the last published place of ``value`` (a published, rounded value).

        Integers and decimal places: ``0.5 × 10^-digits``. Significant digits: half of
        ``10^(e - digits + 1)`` with ``e`` the decimal exponent of ``value``; 0 for ``value == 0``
        (a published exact zero of a ratio-scale quantity, e.g. a share of 0 postings, is exact).
        """
        if self.kind != "significant":
            return 0.5 * 10.0 ** -self.digits
        if value == 0 or not math.isfinite(value):
            return 0.0
        exponent = math.floor(math.log10(abs(value)))
        return 0.5 * 10.0 ** (exponent - self.digits + 1)


INTEGER = "integer"
#: Float columns whose name matches no rule.
DEFAULT_PRECISION = Precision("unclassified", "significant", 4)

#: ``(pattern on the whole column name, precision)``; the first match wins, so ``*_per_year`` is a
#: rate before ``*_year`` is a year.
UNIT_RULES: tuple[tuple[re.Pattern[str], Precision], ...] = tuple(
    (re.compile(pattern), precision) for pattern, precision in (
        (r"(.*_)?adcode", Precision("code", INTEGER)),
        (r".*_per_(\d+k?|year|day|month)", Precision("rate", "significant", 3)),
        (r"(.*_)?year", Precision("year", INTEGER)),
        (r"(.*_)?rank(_.*)?|position", Precision("rank", INTEGER)),
        (r"(.*_)?(count|total|n)", Precision("count", INTEGER)),
        (r"(.*_)?persons", Precision("persons", INTEGER)),
        (r"(.*_)?share(_.*)?", Precision("share", "significant", 3)),
        (r"(.*_)?p(_value|_sim|_adjusted)?", Precision("p_value", "significant", 3)),
        (r"(.*_)?irr(_.*)?|.*_ratio(_.*)?|(.*_)?vif", Precision("ratio", "significant", 3)),
        (r"(.*_)?weight", Precision("weight", "significant", 3)),
        (r"(.*_)?z", Precision("z", "decimals", 2)),
        (r".*(moran_i|local_i)", Precision("moran_i", "decimals", 3)),
        (r"spatial_parameter|.*_coef|.*_resid", Precision("coefficient", "decimals", 3)),
    ))


def unit_of(column: str) -> Precision:
    """The publication precision of a float column named ``column`` (:data:`DEFAULT_PRECISION`
    when no rule matches)."""
    for pattern, precision in UNIT_RULES:
        if pattern.fullmatch(column):
            return precision
    return DEFAULT_PRECISION


def _is_float(series: pd.Series) -> bool:
    return pd.api.types.is_float_dtype(series)


def _is_integer(series: pd.Series) -> bool:
    return pd.api.types.is_integer_dtype(series) and not pd.api.types.is_bool_dtype(series)


def column_precisions(frame: pd.DataFrame) -> dict[str, Precision]:
    """``{column: Precision}`` for every numeric, non-boolean column of ``frame``.

    Integer columns are exact: their entry is integer (unit ``integer`` if the name's unit is a
    float unit). Float columns get :func:`unit_of` their name.
    """
    out: dict[str, Precision] = {}
    for col in frame.columns:
        series = frame[col]
        if _is_integer(series):
            unit = unit_of(str(col))
            out[str(col)] = unit if unit.kind == "integer" else Precision(INTEGER, "integer")
        elif _is_float(series):
            out[str(col)] = unit_of(str(col))
    return out


def format_value(value: float, precision: Precision) -> str:
    """``value`` rounded to ``precision`` as positional decimal text (never an exponent, no
    trailing zeros, no ``-0``); ``""`` for a missing value."""
    if value is None or pd.isna(value):
        return ""
    value = float(value)
    if not math.isfinite(value):
        return "inf" if value > 0 else "-inf"
    if precision.kind == "significant":
        text = np.format_float_positional(value, precision=precision.digits, unique=False,
                                          fractional=False, trim="-")
    else:
        text = np.format_float_positional(value, precision=precision.digits, unique=False,
                                          fractional=True, trim="-")
    return "0" if text in ("-0", "-0.") else text


def round_value(value: float, precision: Precision) -> float:
    """``value`` at its published precision, as a float (``nan`` stays ``nan``)."""
    text = format_value(value, precision)
    return float(text) if text else math.nan


def round_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every float column rounded to its published precision, still as floats
    (what a reader gets back from the chart CSV; e.g. for the privacy check, which must see a
    value that rounding turned into a whole number). ``frame`` is not modified."""
    precisions = column_precisions(frame)
    out = frame.copy()
    for col in out.columns:
        if _is_float(out[col]):
            precision = precisions[str(col)]
            out[col] = [round_value(v, precision) for v in out[col].to_numpy()]
    return out


def for_publication(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Precision]]:
    """``frame`` with every float column replaced by its published text (:func:`format_value`)
    and the precision of every numeric column. Integer, boolean and text columns are unchanged;
    ``frame`` itself is not modified."""
    precisions = column_precisions(frame)
    out = frame.copy()
    for col in out.columns:
        if _is_float(out[col]):
            precision = precisions[str(col)]
            out[col] = [format_value(v, precision) for v in out[col].to_numpy()]
    return out, precisions


def digits_within(text: str, precision: Precision) -> bool:
    """Whether the published text ``text`` has no more digits than ``precision`` allows
    (an empty cell is fine). Used by the tests over every written chart CSV."""
    text = text.strip()
    if text in ("", "inf", "-inf"):
        return True
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        return False
    digits = text.lstrip("-")
    whole, _, fraction = digits.partition(".")
    if precision.kind != "significant":
        return len(fraction) <= precision.digits
    significant = (whole + fraction).lstrip("0")
    if not fraction:
        significant = significant.rstrip("0")  # trailing zeros of a whole number are placeholders
    return len(significant) <= precision.digits
