"""Periods, named once: the five-year O–D periods of the migration tables, the labels of rows
pooled over all periods, and how case periods meet O–D periods.

Two kinds of period must not be confused:

* **O–D periods** (:data:`OD_PERIODS`): the five years before a census or 1 % survey, over which
  the NBS tables count who moved between provinces (``migration_od``, ``migration_by_province``,
  the exposure columns of ``province_exposures``).
* **Case periods** (:data:`CASE_PERIODS`, defined with the case vocabulary in
  :mod:`analysis.vocab.cases`): the year a child went missing, in the case aggregates and the
  hotspot and model tables.
"""

from __future__ import annotations

from analysis.vocab.cases import CASE_PERIODS, PERIOD_LABELS, UNKNOWN_PERIOD

#: Census / survey year → its O–D period label (five years before → reference date).
OD_PERIOD_OF_YEAR: dict[int, str] = {2000: "1995–2000", 2005: "2000–2005", 2010: "2005–2010",
                                     2015: "2010–2015", 2020: "2015–2020"}
#: The five O–D periods, oldest first.
OD_PERIODS: tuple[str, ...] = tuple(OD_PERIOD_OF_YEAR.values())

#: ``period`` of the hotspot tables' rows pooled over every case period (``hotspot_local``,
#: ``hotspot_global_moran``; published value).
HOTSPOT_ALL_PERIODS = "all periods"
#: ``period`` of a model specification fitted on counts pooled over every case period
#: (``model_*`` tables and specification ids; published value).
MODEL_ALL_PERIODS = "pooled"

#: Case period → (O–D period of the exposure, matched?): the O–D period whose midpoint is
#: nearest to the case period's; before 1990 no O–D table exists (not matched).
CASE_PERIOD_OD: dict[str, tuple[str, bool]] = {
    "before 1980": ("1995–2000", False), "1980–1989": ("1995–2000", False),
    "1990–1999": ("1995–2000", True), "2000–2009": ("2000–2005", True),
    "2010–2023": ("2015–2020", True),
}


def od_period_key(period: str) -> str:
    """``'2005–2010'`` → ``'2005_2010'`` (for column names); ``ValueError`` for a label that is
    not one of :data:`OD_PERIODS`."""
    if period not in OD_PERIODS:
        raise ValueError(f"unknown O–D period {period!r}; known: {OD_PERIODS}")
    return period.replace("–", "_")


if set(CASE_PERIOD_OD) != {p[0] for p in CASE_PERIODS} or not all(
        od in OD_PERIODS for od, _ in CASE_PERIOD_OD.values()):  # pragma: no cover - edit guard
    raise RuntimeError("CASE_PERIOD_OD must map every case period to an O–D period")

__all__ = ["CASE_PERIODS", "CASE_PERIOD_OD", "HOTSPOT_ALL_PERIODS", "MODEL_ALL_PERIODS",
           "OD_PERIODS", "OD_PERIOD_OF_YEAR", "PERIOD_LABELS", "UNKNOWN_PERIOD", "od_period_key"]
