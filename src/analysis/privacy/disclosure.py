"""Disclosure control of published tables: the one rule, applied at the one exit where tables are
written (:func:`analysis.pipeline.build_all`), and the linkage attack that proves it holds.

The case files are postings about children (many "adults searching" are adoptees). The public
postings show names and photos beside the same coarse facts our tables count (sex, birth year,
year and month missing, age, place), so a published row that matches exactly one posting on
those facts links our data back to a named child. The rule (documented in
``docs/disclosure.md``) is the usual one of statistical offices for tables about minors:

* **Person attributes** are the columns in :data:`PERSON_ATTRIBUTES` (sex, birth year, year or
  month missing, age, registration year, type of loss, period); **places** are columns whose
  name holds ``adcode`` (province, prefecture or county codes). The first place of a row is *the
  place*; every further place (e.g. where a reunited child was found, where an adoptee lives
  now) counts as one more attribute. :func:`attribute_count` counts them.
* A table is a *posting count table* when it has a column of :data:`POSTING_COUNT_PATTERN`
  (``postings_count``, ``flow_count``, ``lost_postings_count`` …).
* In a posting count table whose rows cross **two or more attributes** (place × sex × period,
  category × sex × age group, …), every cell counting 1 to ``THRESHOLD − 1`` postings is
  **suppressed**: its count becomes empty (``NA``) and ``suppressed`` is ``True``
  (*primary* suppression). Then, for each attribute, within each group of the other columns, a
  lone suppressed cell is joined by the smallest non-zero cell beside it (*secondary*
  suppression), so a suppressed value cannot be recovered from a published total. Zero cells
  identify nobody and stay. Suppressed cells are marked, never dropped; totals published in
  other tables stay exact, and the row account says how many cells were suppressed.
* A place with one attribute (province × period, lost × found province) or one attribute alone
  (year missing) stays exact.
* Per-posting tables are never published (schema ``metadata["internal"]``, ``data/interim/``).

:func:`linkage_attack` is the test of the rule: it joins a published table to the postings on
every column the two share and counts published rows that match exactly one posting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Cells counting fewer postings than this are suppressed where the rule applies.
THRESHOLD = 5
#: Columns that describe a person (or a posting about one) besides the place.
PERSON_ATTRIBUTES = frozenset({
    "sex", "birth_year", "missing_year", "missing_month", "age_at_missing", "age_group",
    "registered_year", "category", "category_basis", "period", "record_key"})
#: Place columns: any column whose name holds ``adcode``.
PLACE_PATTERN = re.compile(r"adcode")
#: Columns that count postings (or reunion pairs) in a published table.
POSTING_COUNT_PATTERN = re.compile(r"^((lost|destination)_)?(postings|flow)_(count|total)$")
#: Name of the column marking suppressed cells.
SUPPRESSED = "suppressed"


def place_columns(columns: Iterable[str]) -> list[str]:
    """The place columns among ``columns`` (names holding ``adcode``)."""
    return [c for c in map(str, columns) if PLACE_PATTERN.search(c)]


def attribute_columns(columns: Iterable[str]) -> list[str]:
    """The person-attribute columns among ``columns`` (:data:`PERSON_ATTRIBUTES`)."""
    return [c for c in map(str, columns) if c in PERSON_ATTRIBUTES]


def attribute_count(columns: Iterable[str]) -> int:
    """Attributes a row crosses besides *the* place: person attributes plus every place beyond
    the first (``lost_adcode`` × ``destination_adcode`` = one place and one attribute)."""
    cols = list(map(str, columns))
    return len(attribute_columns(cols)) + max(0, len(place_columns(cols)) - 1)


def count_columns(columns: Iterable[str]) -> list[str]:
    """Columns counting postings (:data:`POSTING_COUNT_PATTERN`)."""
    return [c for c in map(str, columns) if POSTING_COUNT_PATTERN.match(c)]


def rule_applies(columns: Iterable[str]) -> bool:
    """True when a table with these columns is a posting count table crossing two or more
    attributes: its small cells are suppressed."""
    cols = list(map(str, columns))
    return bool(count_columns(cols)) and attribute_count(cols) >= 2


@dataclass(frozen=True)
class Suppression:
    """What :func:`protect` did to one table: cells suppressed, by kind."""

    primary: int = 0
    secondary: int = 0

    @property
    def total(self) -> int:
        """All suppressed cells."""
        return self.primary + self.secondary


def _secondary(frame: pd.DataFrame, count: str, keys: list[str], dims: list[str],
               suppressed: np.ndarray) -> np.ndarray:
    """Add secondary suppressions until no group along any dimension holds exactly one
    suppressed cell beside unsuppressed non-zero cells."""
    values = frame[count].to_numpy()
    changed = True
    while changed:
        changed = False
        for dim in dims:
            others = [k for k in keys if k != dim]
            groups = (frame.groupby(others, dropna=False, sort=False).indices.values()
                      if others else [np.arange(len(frame))])
            for idx in groups:
                idx = np.asarray(idx)
                if suppressed[idx].sum() != 1:
                    continue
                open_ = idx[~suppressed[idx] & (values[idx] > 0)]
                if len(open_) == 0:
                    continue
                pick = open_[np.lexsort((open_, values[open_]))[0]]
                suppressed[pick] = True
                changed = True
    return suppressed


def protect(frame: pd.DataFrame) -> tuple[pd.DataFrame, Suppression]:
    """Apply the disclosure rule to one table about to be published.

    Parameters
    ----------
    frame : pandas.DataFrame
        A published table (aggregate). Tables the rule does not apply to are returned as they
        are.

    Returns
    -------
    (pandas.DataFrame, Suppression)
        The table with every suppressed count set to ``NA`` (nullable ``Int64``) and a boolean
        column ``suppressed`` appended, and the number of cells suppressed. Row order and all
        other columns are unchanged.
    """
    if not rule_applies(frame.columns):
        return frame, Suppression()
    counts = count_columns(frame.columns)
    if len(counts) != 1:
        raise ValueError(f"a table crossing attributes must have one posting count column, "
                         f"found {counts}")
    count = counts[0]
    values = frame[count].to_numpy()
    if pd.isna(values).any():
        raise ValueError(f"column {count!r} has missing counts before disclosure control")
    primary = (values >= 1) & (values < THRESHOLD)
    dims = [*attribute_columns(frame.columns), *place_columns(frame.columns)]
    keys = [c for c in frame.columns if c != count and frame[c].dtype.kind != "f"]
    suppressed = _secondary(frame, count, keys, dims, primary.copy())
    out = frame.copy()
    out[count] = pd.array(values, dtype="Int64")
    out.loc[suppressed, count] = pd.NA
    out[SUPPRESSED] = suppressed
    return out, Suppression(int(primary.sum()), int((suppressed & ~primary).sum()))


# --------------------------------------------------------------------------------------------
# the linkage attack


def posting_attributes(records: pd.DataFrame, *,
                       period_of: Callable[[pd.Series], pd.Series],
                       age_group_of: Callable[[pd.Series], pd.Series]) -> pd.DataFrame:
    """One row per posting and place role, with every column a published table might share
    with the postings (the attacker's view of the public postings).

    ``records`` are per-posting record tables (the internal ``case_records_*``), concatenated;
    ``period_of`` / ``age_group_of`` map ``missing_year`` / ``age_at_missing`` to the period and
    age-group labels the published tables use (the caller passes the case vocabulary's
    functions: this module imports no table-building code).
    Returns the record columns plus ``posting`` (row number, the identity), ``period``,
    ``age_group``, ``place_role``, ``adcode`` (the place of that role), ``lost_adcode`` and
    ``destination_adcode``.
    """
    rec = records.reset_index(drop=True).assign(posting=lambda f: np.arange(len(f)))
    rec["period"] = period_of(rec["missing_year"])
    rec["age_group"] = age_group_of(rec["age_at_missing"])
    rec["lost_adcode"] = rec["lost_adcode_province"]
    rec["destination_adcode"] = rec["current_or_found_adcode_province"]
    lost = rec.assign(place_role="lost", adcode=rec["lost_adcode_province"])
    dest = rec.assign(place_role="current_or_found",
                      adcode=rec["current_or_found_adcode_province"])
    return pd.concat([lost, dest], ignore_index=True)


@dataclass(frozen=True)
class Linkage:
    """Result of :func:`linkage_attack` on one table."""

    table: str
    shared: tuple[str, ...]
    attributes: int
    rows_checked: int
    rows_linked: int

    @property
    def allowed(self) -> bool:
        """A place with at most one attribute may stay exact (and so may link)."""
        return self.attributes <= 1

    @property
    def violates(self) -> bool:
        """True if published rows crossing two or more attributes identify one posting."""
        return not self.allowed and self.rows_linked > 0


def _normalise(series: pd.Series) -> pd.Series:
    """Join values as text, so ``1990`` (Int64), ``1990.0`` (float) and ``"1990"`` agree."""
    num = pd.to_numeric(series, errors="coerce")
    if num.notna().sum() == series.notna().sum() and series.notna().any():
        return num.astype("Float64").astype(str)
    return series.astype("string").astype(str)


def linkage_attack(table: str, published: pd.DataFrame, postings: pd.DataFrame) -> Linkage:
    """Join a published table to the postings on every column the two share.

    Parameters
    ----------
    table : str
        Name of the table (for the result).
    published : pandas.DataFrame
        The table as published (suppressed cells are skipped: they show no count).
    postings : pandas.DataFrame
        :func:`posting_attributes` of the per-posting records.

    Returns
    -------
    Linkage
        How many published rows (with a positive count, or every row if the table has no
        posting count) match exactly one posting.
    """
    shared = [c for c in published.columns
              if c in postings.columns and c != "posting"]
    sensitive = [c for c in shared if c in PERSON_ATTRIBUTES or PLACE_PATTERN.search(c)]
    attributes = attribute_count(shared)
    rows = published
    if SUPPRESSED in rows.columns:
        rows = rows[~rows[SUPPRESSED].astype(bool)]
    counts = count_columns(rows.columns)
    if counts:
        rows = rows[pd.to_numeric(rows[counts[0]], errors="coerce").fillna(0) > 0]
    if not sensitive or rows.empty:
        return Linkage(table, tuple(shared), attributes, len(rows), 0)
    left = pd.DataFrame({c: _normalise(rows[c]) for c in shared})
    left["_row"] = np.arange(len(left))
    right = pd.DataFrame({c: _normalise(postings[c]) for c in shared})
    right["posting"] = postings["posting"].to_numpy()
    matched = left.merge(right.drop_duplicates(), on=shared, how="inner")
    per_row = matched.groupby("_row")["posting"].nunique()
    return Linkage(table, tuple(shared), attributes, len(rows), int((per_row == 1).sum()))
