"""Vocabulary of the Baby Come Home (宝贝回家) case tables: sides, categories, sexes, sources,
record columns, case periods, place roles and age groups — named once, used by the cleaning
steps (:mod:`analysis.sources.cases`), the case aggregates (:mod:`analysis.topics.cases`), their
schemas and the notebooks.

Case records are postings on a volunteer platform, not verified abductions
(:data:`analysis.vocab.wording.CAVEAT`).
"""

from __future__ import annotations

import pandas as pd

# --- record tables (analysis.sources.cases) --------------------------------------------------

#: Search side of a posting: ``lost`` (family searching, 家寻宝贝), ``current`` (adult searching
#: for the birth family, 宝贝寻家), ``found`` (a reunion pair), ``unknown`` (not recorded).
SIDES: tuple[str, ...] = ("lost", "found", "current", "unknown")
#: Type of loss (rules in :mod:`analysis.sources.cases.common`).
CATEGORIES: tuple[str, ...] = ("abducted", "given_away", "lost", "abandoned", "runaway",
                               "unknown")
#: Which rule set the category.
CATEGORY_BASES: tuple[str, ...] = ("platform_label", "platform_text", "title_marker", "none")
SEXES: tuple[str, ...] = ("male", "female", "unknown")
#: Source ids of the record tables (one per scrape and side).
SOURCES: tuple[str, ...] = ("uiuing_missing", "uiuing_success", "wtt1002_data", "juvenilexi")
#: Source id of the places-only table of the wtt1002 families (no record table, no dates).
FAMILY_SOURCE = "wtt1002_family"
#: Every source id of the case aggregates: the record sources and the family places.
CASE_COUNT_SOURCES: tuple[str, ...] = (*SOURCES, FAMILY_SOURCE)
#: Display labels of the sources (English), in display order.
SOURCE_LABELS: dict[str, str] = {
    "uiuing_missing": "uiuing 2021: families searching (born 1999+)",
    "uiuing_success": "uiuing 2021: reunions",
    "wtt1002_data": "wtt1002 2016: adults searching",
    "wtt1002_family": "wtt1002 2016: families searching (places only)",
    "juvenilexi": "Juvenile-XI 2023: postings",
}
#: Column order of every record table (the schema is ``analysis.sources.cases.schema``).
RECORD_COLUMNS: list[str] = [
    "source", "record_key", "side", "category", "category_basis", "sex", "birth_year",
    "missing_year", "missing_month", "age_at_missing", "registered_year",
    "lost_adcode_province", "lost_adcode_prefecture", "current_or_found_adcode_province",
    "lost_adcode_county", "lost_adcode_county_unit", "lost_place_level", "lost_place_basis",
    "lost_province_check", "current_or_found_adcode_prefecture",
    "current_or_found_adcode_county", "current_or_found_adcode_county_unit",
    "current_or_found_place_level", "current_or_found_place_basis",
    "current_or_found_province_check"]
#: Text columns of the record tables (the others are nullable integers).
RECORD_TEXT_COLUMNS: tuple[str, ...] = (
    "source", "record_key", "side", "category", "category_basis", "sex",
    "lost_place_level", "lost_place_basis", "lost_province_check",
    "current_or_found_place_level", "current_or_found_place_basis",
    "current_or_found_province_check")
#: Finest level a posting's place is known at (``analysis.sources.cases.common.Placement``):
#: ``county`` = a leaf unit of ``census_county`` (prefecture-level cities without counties,
#: such as 东莞, included); ``prefecture`` = a unit of ``census_prefecture`` (a municipality
#: named without its district counts: it is one prefecture unit); ``province``; ``none``.
PLACE_LEVELS: tuple[str, ...] = ("county", "prefecture", "province", "none")
#: How a place was placed, or why it was not placed finer (fixed strings; never posting text).
PLACE_BASES: tuple[str, ...] = (
    "county code",
    "county name in the text",
    "prefecture code; county name in the text",
    "province code; county name in the text",
    "prefecture without counties (one leaf unit)",
    "prefecture code",
    "prefecture name in the text",
    "province code; prefecture name in the text",
    "county code not in either census (prefecture from its first four digits)",
    "municipality (one prefecture unit)",
    "province only: no prefecture or county named",
    "province only: prefecture of 2010 split between 2020 units (巢湖)",
    "province only: code not in either census",
    "outside the 31 mainland provinces (no census units)",
    "place unknown (blank, ',,', 未知…)",
    "place abroad or other (其它,亚洲… chosen)",
    "place unmatched (free text, not shown)",
)
#: Province of the finer place against the record's own province: ``agree``, ``disagree``
#: (the code's province differs from the address text's, or the city named belongs to
#: another province), ``not compared`` (only one of them is given).
PROVINCE_CHECKS: tuple[str, ...] = ("agree", "disagree", "not compared")
#: Per-posting tables: internal (``data/interim/``); published only as aggregates.
RECORD_TABLES: tuple[str, ...] = ("case_records_uiuing_missing", "case_records_uiuing_success",
                                  "case_records_wtt1002", "case_records_juvenilexi")
#: The places-only table of the wtt1002 families (one row per province).
FAMILY_TABLE = "case_places_wtt1002_family"
#: The wtt1002 family places, one row each, placed below the province (internal).
FAMILY_RECORDS_TABLE = "case_places_wtt1002_family_records"
#: Its columns.
FAMILY_RECORD_COLUMNS: list[str] = [
    "source", "lost_adcode_province", "lost_adcode_prefecture", "lost_adcode_county",
    "lost_adcode_county_unit", "lost_place_level", "lost_place_basis", "lost_province_check"]
ALL_CASE_TABLES: tuple[str, ...] = (*RECORD_TABLES, FAMILY_TABLE)

# --- aggregates (analysis.topics.cases) ------------------------------------------------------

#: Case periods: the year a child went missing, as (label, first year, last year). Not the O–D
#: periods of the migration tables (:data:`analysis.vocab.periods.OD_PERIODS`).
CASE_PERIODS: tuple[tuple[str, int, int], ...] = (
    ("before 1980", 1800, 1979), ("1980–1989", 1980, 1989), ("1990–1999", 1990, 1999),
    ("2000–2009", 2000, 2009), ("2010–2023", 2010, 2023))
#: Case period of a posting without a usable year (and of every family place).
UNKNOWN_PERIOD = "unknown"
#: Every value of the ``period`` column of the case aggregates, in order.
PERIOD_LABELS: tuple[str, ...] = (*(p[0] for p in CASE_PERIODS), UNKNOWN_PERIOD)
#: Role of a place: where the child went missing, or where the adult lives now / the child was
#: found.
PLACE_ROLES: tuple[str, ...] = ("lost", "current_or_found")
#: Age groups of age at missing (completed years): label, lowest, highest.
AGE_GROUPS: tuple[tuple[str, int, int], ...] = (
    ("under 1", 0, 0), ("1–2", 1, 2), ("3–5", 3, 5), ("6–11", 6, 11), ("12–17", 12, 17),
    ("18 and over", 18, 200))
UNKNOWN_AGE = "unknown"
#: Every value of the ``age_group`` column, in order.
AGE_GROUP_LABELS: tuple[str, ...] = (*(a[0] for a in AGE_GROUPS), UNKNOWN_AGE)


def period_of(years: pd.Series) -> pd.Series:
    """Case-period label (:data:`CASE_PERIODS`) of each missing year; :data:`UNKNOWN_PERIOD` for
    missing values and years outside every period."""
    out = pd.Series(UNKNOWN_PERIOD, index=years.index, dtype=object)
    for label, lo, hi in CASE_PERIODS:
        out[(years >= lo) & (years <= hi)] = label
    return out


def age_group_of(ages: pd.Series) -> pd.Series:
    """Age-group label (:data:`AGE_GROUPS`) of each age at missing in completed years;
    :data:`UNKNOWN_AGE` for missing values."""
    out = pd.Series(UNKNOWN_AGE, index=ages.index, dtype=object)
    for label, lo, hi in AGE_GROUPS:
        out[(ages >= lo) & (ages <= hi)] = label
    return out
