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

_PREFECTURE_OK = pa.Check(lambda s: (s % 100 == 0) & ((s // 10000 * 10000).isin(ALL34)),
                          element_wise=False, name="prefecture_code_xxxx00")


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
                                            "missing (GB/T 2260 city-level code xxxx00; "
                                            "municipalities xx0100; null when not known)",
                                            metadata={"unit": "adcode"}),
        "current_or_found_adcode_province": adcode_column(
            "side current: province where the person lives now; side found: province where "
            "the child was found; else null", mainland31=False, nullable=True),
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
