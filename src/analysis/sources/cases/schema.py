"""Schemas of the Baby Come Home (宝贝回家) case tables (steps ``cases_uiuing``, ``cases_wtt1002``,
``cases_juvenilexi``).

All record tables share one column set (:data:`analysis.vocab.cases.RECORD_COLUMNS`): one row
per unique posting (or, for ``case_records_uiuing_success``, per reunion pair) of one scrape.
They hold no names, photo links, exact dates, heights, free text, handles, posting ids or phone
numbers (see ``analysis.sources.cases.common``). ``record_key`` is a secret-salted hash of the
posting id: stable on one machine, not across machines; published aggregates do not depend on
it.
"""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.cases import (
    CATEGORIES,
    CATEGORY_BASES,
    FAMILY_SOURCE,
    PLACE_BASES,
    PLACE_LEVELS,
    PROVINCE_CHECKS,
    RECORD_COLUMNS,
    SEXES,
    SIDES,
    SOURCES,
)
from analysis.vocab.columns import adcode_column, count_column, one_row_per, text_column
from analysis.vocab.provinces import ALL34
from analysis.vocab.wording import RECORD_TABLE_CAVEAT

_NOTES = (f"{RECORD_TABLE_CAVEAT} "
          "Dates that are impossible, placeholders or outside the child's lifetime are set to "
          "missing (counted in the row account notes); unmatched places are kept with a null "
          "province and listed in the notes. Category rules: analysis.sources.cases.common.")

_PREFECTURE_OK = pa.Check(lambda s: ((s % 100 == 0) | (s // 100 % 100 == 90))
                          & ((s // 10000 * 10000).isin(ALL34)),
                          element_wise=False, name="prefecture_code_xxxx00_or_xx90NN")
_COUNTY_OK = pa.Check(lambda s: (s // 10000 * 10000).isin(ALL34)
                      | (s // 10_000_000 * 10000).isin(ALL34),
                      element_wise=False, name="county_code_of_a_province")
_PREFECTURE_TEXT = ("(GB/T 2260 code of a unit of census_prefecture, 2020: xxxx00; "
                    "municipalities xx0100; a county-level unit directly under a province, "
                    "e.g. 仙桃 429004, its own code; from the finest place found: a county's "
                    "harmonised unit lies in one prefecture; null when only the province or "
                    "nothing is known)")


def place_columns(role: str, what: str) -> dict[str, pa.Column]:
    """The placement columns of one place role (``lost`` or ``current_or_found``)."""
    cols: dict[str, pa.Column] = {}
    if role != "lost":
        cols[f"{role}_adcode_prefecture"] = pa.Column(
            "Int64", _PREFECTURE_OK, nullable=True,
            description=f"prefecture {what} {_PREFECTURE_TEXT}", metadata={"unit": "adcode"})
    cols.update({
        f"{role}_adcode_county": pa.Column(
            "Int64", _COUNTY_OK, nullable=True,
            description=f"county-level unit {what}: leaf code of census_county (GB/T 2260, "
                        "six digits; the 2020 code when a 2010 unit has a single 2020 "
                        "successor; a synthetic nine-digit code for a unit printed without "
                        "one; prefecture-level cities without counties such as 东莞 441900 "
                        "are leaves); null when not placed at county level",
            metadata={"unit": "adcode"}),
        f"{role}_adcode_county_unit": pa.Column(
            "Int64", nullable=True,
            description=f"harmonised 2010–2020 unit of that county {what} "
                        "(census_county_crosswalk.harmonised_code); null with the county",
            metadata={"unit": "adcode"}),
        f"{role}_place_level": text_column(
            f"finest level the place {what} is known at: county, prefecture, province or "
            "none (analysis.vocab.cases.PLACE_LEVELS); null when the source has no such "
            "place", nullable=True, isin=list(PLACE_LEVELS)),
        f"{role}_place_basis": text_column(
            "how the place was placed, or why not finer (fixed strings of "
            "analysis.vocab.cases.PLACE_BASES; never posting text); null with the level",
            nullable=True, isin=list(PLACE_BASES)),
        f"{role}_province_check": text_column(
            "province of the finer code or city against the record's own province: agree, "
            "disagree (the code's province differs from the address text's, or the city "
            "named belongs to another province), not compared; null with the level",
            nullable=True, isin=list(PROVINCE_CHECKS)),
    })
    return cols


def _year(description: str, low: int, high: int) -> pa.Column:
    return pa.Column("Int64", pa.Check.in_range(low, high), nullable=True,
                     description=description, metadata={"unit": "year"})


def record_columns(*, keyed: bool = True) -> dict[str, pa.Column]:
    """The common record columns; ``keyed=False`` allows a null ``record_key`` (no posting id)."""
    key_checks = [pa.Check.str_matches(r"^[0-9a-f]{16}$")]
    return {
        "source": text_column("scrape the row comes from (short id)", isin=list(SOURCES)),
        "record_key": pa.Column(str, key_checks, nullable=not keyed,
                                description="HMAC-SHA256 of the platform posting id with a "
                                "secret per-machine salt, 16 hex characters; null when the "
                                "scrape has no posting id", metadata={"unit": "text"}),
        "side": text_column("lost: family searching for a child (家寻宝贝), place = where lost; "
                            "current: adult searching for the birth family (宝贝寻家), with "
                            "where lost and where living now; found: a reunion pair (where "
                            "lost → where found); unknown: the scrape does not say",
                            isin=list(SIDES)),
        "category": text_column("type of loss (rules in analysis.sources.cases.common)",
                                isin=list(CATEGORIES)),
        "category_basis": text_column("which rule set the category: platform_label, "
                                      "platform_text (keyword in the platform's free-text "
                                      "type-of-loss field), title_marker, none",
                                      isin=list(CATEGORY_BASES)),
        "sex": text_column("sex of the missing child", isin=list(SEXES)),
        "birth_year": _year("year of birth (null if unknown or inconsistent)", 1880, 2030),
        "missing_year": _year("year the child went missing (null if unknown or inconsistent)",
                              1880, 2030),
        "missing_month": pa.Column("Int64", pa.Check.in_range(1, 12), nullable=True,
                                   description="month the child went missing (1-12)",
                                   metadata={"unit": "month"}),
        "age_at_missing": pa.Column("Int64", pa.Check.in_range(0, 120), nullable=True,
                                    description="completed years of age when missing "
                                    "(from the full birth and missing dates)",
                                    metadata={"unit": "years"}),
        "registered_year": _year("year the posting was registered on the platform", 2000, 2030),
        "lost_adcode_province": adcode_column("province where the child went missing (adcode "
                                              "xx0000; null when unknown or unmatched)",
                                              mainland31=False, nullable=True),
        "lost_adcode_prefecture": pa.Column("Int64", _PREFECTURE_OK, nullable=True,
                                            description="prefecture where the child went "
                                            "missing " + _PREFECTURE_TEXT,
                                            metadata={"unit": "adcode"}),
        "current_or_found_adcode_province": adcode_column(
            "side current: province where the person lives now; side found: province where "
            "the child was found; else null", mainland31=False, nullable=True),
        **place_columns("lost", "where the child went missing"),
        **place_columns("current_or_found", "where the person lives now (side current) or "
                        "the child was found (side found)"),
    }


if list(record_columns()) != RECORD_COLUMNS:  # pragma: no cover - guards an edit of one side
    raise RuntimeError("analysis.sources.cases.schema and analysis.vocab.cases.RECORD_COLUMNS "
                       "disagree")


def record_schema(description: str, sources: list[str], *, keyed: bool = True,
                  notes: str = "") -> pa.DataFrameSchema:
    """Schema of one record table (one row per unique posting when ``keyed``).

    Record tables are *internal* (``metadata["internal"]``): written to ``data/interim/``,
    never published (see :mod:`analysis.privacy.disclosure`)."""
    return pa.DataFrameSchema(
        record_columns(keyed=keyed), strict=True, ordered=True,
        **(one_row_per("source", "record_key") if keyed else {}),
        description=description,
        metadata={"sources": sources, "notes": (notes + " " + _NOTES).strip(),
                  "internal": True},
    )


_UIUING = ["bbhj_uiuing_findbaby/Missing.json", "bbhj_uiuing_findbaby/mi.json"]

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "case_records_uiuing_missing": record_schema(
        "One row per unique 家寻宝贝 posting (family searching for a child) of the uiuing/Findbaby "
        "scrape (May 2021): Missing.json plus the postings of mi.json not in it.",
        [*_UIUING, "census_city_2010_2020/census_city_2010-2020_v1.csv"],
        notes="Missing.json is not valid JSON as a whole: records are recovered one by one. "
              "Place from the platform's GB/T 2260 address_id (county, city or province level)."),
    "case_records_uiuing_success": record_schema(
        "One row per reunion pair of success_case.json (uiuing/Findbaby): province where the "
        "child went missing and province where found. No id, no dates, no sex.",
        ["bbhj_uiuing_findbaby/success_case.json",
         "census_city_2010_2020/census_city_2010-2020_v1.csv"],
        keyed=False,
        notes="No posting id: record_key is null and pairs cannot be deduplicated."),
    "case_records_wtt1002": record_schema(
        "One row per unique posting of data.xlsx (wtt1002/FindBaby; registered Mar-Nov 2016, "
        "all 宝贝寻家: adults searching for their birth family).",
        ["bbhj_wtt1002_findbaby/data.xlsx",
         "census_city_2010_2020/census_city_2010-2020_v1.csv"],
        notes="寻亲类别 is the search side, not a type of loss; free-text places."),
    "case_records_juvenilexi": record_schema(
        "One row per unique posting of bbhj.sql (Juvenile-XI/baobeihuijia_spider, registered "
        "2023; an SQLite database).",
        ["bbhj_juvenilexi_spider/bbhj.sql",
         "census_city_2010_2020/census_city_2010-2020_v1.csv"],
        notes="The scraper did not store the search side, so side is unknown. Posting ids are "
              "the 2023 API's publishId, a different id space from the other scrapes. "
              "Category from the free-text type-of-loss field (lostPass)."),
    "case_places_wtt1002_family_records": pa.DataFrameSchema(
        {
            "source": text_column("source id", isin=[FAMILY_SOURCE]),
            "lost_adcode_province": adcode_column(
                "province where the child went missing (as counted in "
                "case_places_wtt1002_family; null when unknown or unmatched)",
                mainland31=False, nullable=True),
            "lost_adcode_prefecture": pa.Column("Int64", _PREFECTURE_OK, nullable=True,
                                                description="prefecture where the child went "
                                                "missing " + _PREFECTURE_TEXT,
                                                metadata={"unit": "adcode"}),
            **place_columns("lost", "where the child went missing"),
        },
        strict=True, ordered=True,
        description="One row per row of familyfindbaby_addr.xlsx (wtt1002/FindBaby, 2016; "
                    "家寻宝贝 missing places): the place at the finest level its 省份, 城市 and "
                    "详细 cells allow. No id, no date, no text.",
        metadata={"sources": ["bbhj_wtt1002_findbaby/familyfindbaby_addr.xlsx"],
                  "notes": "Province as in case_places_wtt1002_family (省份 and 城市); "
                           "prefecture and county from 城市 and the start of 详细 through "
                           "place_gazetteer. " + _NOTES,
                  "internal": True},
    ),
    "case_places_wtt1002_family": pa.DataFrameSchema(
        {
            "adcode": adcode_column("province where the child went missing (adcode xx0000)"),
            "lost_postings_count": count_column("家寻宝贝 postings whose missing place is in "
                                                "the province"),
        },
        strict=True, ordered=True, **one_row_per("adcode"),
        description="家寻宝贝 missing places of familyfindbaby_addr.xlsx (wtt1002/FindBaby, 2016) "
                    "counted per province: one row per mainland province (31).",
        metadata={"sources": ["bbhj_wtt1002_findbaby/familyfindbaby_addr.xlsx"],
                  "notes": "No posting id and no date: duplicates cannot be removed and no "
                           "period can be given; coverage of the scrape is undocumented. Rows "
                           "whose province is unknown, unmatched or outside the 31 mainland "
                           "provinces are dropped (counted in the row account). " + _NOTES},
    ),
}
