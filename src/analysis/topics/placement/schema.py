"""Schemas of the placement tables (step ``topics.placement``): the placement account and the
prefecture and county counts of every measure."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.cases import (
    ALL_CASE_TABLES,
    CASE_COUNT_SOURCES,
    FAMILY_RECORDS_TABLE,
    PLACE_BASES,
    PLACE_LEVELS,
    PLACE_ROLES,
)
from analysis.vocab.columns import (
    adcode_column,
    count_column,
    one_row_per,
    persons_column,
    share_column,
    text_column,
)
from analysis.vocab.measures import CHILDREN_YEARS, MEASURES
from analysis.vocab.wording import CASE_TABLE_CAVEAT as _CAVEAT

_RECORDS = [*ALL_CASE_TABLES, FAMILY_RECORDS_TABLE]
ROW_KINDS = ["prefecture", "province_only"]

#: census_county columns summed per harmonised unit → published name (per year)
COVARIATES: dict[str, tuple[int, ...]] = {
    "population": (2010, 2020),
    "age_0_14": (2010, 2020),
    "age_0_4_male": (2010, 2020),
    "age_0_4_female": (2010, 2020),
    "age_20_49": (2010, 2020),
    "hukou_registered": (2010,),
    "hukou_elsewhere_same_county": (2010, 2020),
    "hukou_elsewhere_other_county": (2010, 2020),
    "hukou_elsewhere_other_province": (2010, 2020),
    "urban": (2010, 2020),
    "college_or_above": (2010, 2020),
    "employed_sample": (2010, 2020),
    "agriculture_occupation_sample": (2010, 2020),
}


def covariate_columns() -> list[str]:
    """The covariate columns of ``county_case_counts``, in order."""
    cols = []
    for name, years in COVARIATES.items():
        out = "children_0_14" if name == "age_0_14" else name
        cols += [f"{out}_{y}_persons" for y in years]
    cols += ["agriculture_occupation_2010_share", "agriculture_occupation_2020_share"]
    return cols


def _measure() -> pa.Column:
    return text_column("rate measure (analysis.vocab.measures.REGISTRY; case_rates.measure)",
                       isin=list(MEASURES))


SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "case_placement_summary": pa.DataFrameSchema(
        {
            "source": text_column("scrape (short id; wtt1002_family = familyfindbaby_addr.xlsx "
                                  "places)", isin=list(CASE_COUNT_SOURCES)),
            "place_role": text_column("lost (where the child went missing) or "
                                      "current_or_found (where the adult lives now / the child "
                                      "was found)", isin=list(PLACE_ROLES)),
            "place_level": text_column("finest level the place is known at: county (a leaf "
                                       "of census_county), prefecture (a unit of "
                                       "census_prefecture), province, none",
                                       isin=list(PLACE_LEVELS)),
            "place_basis": text_column("how the postings were placed, or why not finer "
                                       "(fixed strings of analysis.vocab.cases.PLACE_BASES; "
                                       "never posting text)", isin=list(PLACE_BASES)),
            "postings_count": count_column("postings (reunion pairs for uiuing_success, rows "
                                           "for wtt1002_family) of the group, every row of "
                                           "the record table, in or outside the 31 mainland "
                                           "provinces"),
            "province_agree_count": count_column(
                "of them: the province of the finer code or city agrees with the record's "
                "own province (Missing.json: address_id's province = the address text's; "
                "text sources: the city named is a prefecture of the province named)"),
            "province_disagree_count": count_column(
                "of them: it disagrees (code and text name different provinces, or the city "
                "named is a prefecture of another province only); the code's province is "
                "kept"),
            "province_not_compared_count": count_column(
                "of them: nothing to compare (codes only, as in success_case.json; no "
                "province or no city in the text)"),
        },
        strict=True, ordered=True,
        **one_row_per("source", "place_role", "place_level", "place_basis"),
        description="Placement account of the case postings: per source, place role, level "
                    "and basis, the postings and their province check. One row per (source, "
                    "place role, level, basis).",
        metadata={"sources": _RECORDS,
                  "notes": "Levels: county = a leaf unit of census_county (prefecture-level "
                           "cities without counties such as 东莞 included); prefecture = a "
                           "unit of census_prefecture (a municipality named without its "
                           "district is one unit); province; none (unknown, abroad, "
                           "unmatched). Rules: analysis.sources.cases.common.PlaceMatcher."
                           "place and place_gazetteer. " + _CAVEAT},
    ),
    "prefecture_case_counts": pa.DataFrameSchema(
        {
            "measure": _measure(),
            "row_kind": text_column("prefecture: a mainland unit of census_prefecture (367 "
                                    "per measure, zero-filled); province_only: the postings "
                                    "of the province known at province level only (31 per "
                                    "measure)", isin=ROW_KINDS),
            "prefecture_code": pa.Column("int64", pa.Check.in_range(110000, 659999),
                                         description="unit of census_prefecture (2020 code: "
                                         "xxxx00, municipalities xx0100, county-level units "
                                         "under a province their own code); province_only "
                                         "rows: the province code xx0000",
                                         metadata={"unit": "adcode"}),
            "prefecture_name_zh": text_column("name of the unit (census_prefecture); null in "
                                              "province_only rows", nullable=True),
            "province_adcode": adcode_column("province (adcode xx0000)"),
            "postings_count": count_column("postings of the measure placed in the unit "
                                           "(province_only rows: in the province, no "
                                           "prefecture known)"),
            "postings_county_placed_count": count_column(
                "of them: placed at county level (in county_case_counts); 0 in "
                "province_only rows"),
            "children_year": pa.Column("int64", pa.Check.isin(list(CHILDREN_YEARS)),
                                       description="census year of the measure's children "
                                       "aged 0–14 (analysis.vocab.measures)",
                                       metadata={"unit": "year"}),
            "children_0_14_persons": persons_column(
                "residents aged 0–14 of the unit in children_year (census_prefecture: county "
                "census leaves summed; 2010 through the crosswalk); null in province_only "
                "rows", nullable=True),
        },
        strict=True, ordered=True, **one_row_per("measure", "row_kind", "prefecture_code"),
        description="Postings per measure and prefecture unit (place × one attribute: "
                    "exact), zero-filled over the 367 mainland units of census_prefecture, "
                    "plus one province_only row per province for the postings known only at "
                    "province level. One row per (measure, row kind, unit).",
        metadata={"sources": [*_RECORDS, "census_prefecture", "case_rates"],
                  "notes": "Per measure and province, prefecture rows + the province_only "
                           "row = case_rates.postings_count exactly (the build stops "
                           "otherwise). Rates over prefecture rows alone leave the "
                           "province_only postings out: say how many. " + _CAVEAT},
    ),
}


def _county_covariates() -> dict[str, pa.Column]:
    words = {
        "population": "resident population",
        "children_0_14": "residents aged 0–14",
        "age_0_4_male": "resident males aged 0–4 (child sex ratio = male ÷ female)",
        "age_0_4_female": "resident females aged 0–4",
        "age_20_49": "residents aged 20–49 (children per prime-age adult = children_0_14 ÷ "
                     "this)",
        "hukou_registered": "registered (hukou) population (2010 only; out-migration share = "
                            "(hukou_registered_2010 − population_2010) ÷ hukou_registered_2010)",
        "hukou_elsewhere_same_county": "residents with hukou in another township of the same "
                                       "county",
        "hukou_elsewhere_other_county": "residents with hukou in another county of the "
                                        "province (in-migrant share with other_province ÷ "
                                        "population)",
        "hukou_elsewhere_other_province": "residents with hukou in another province",
        "urban": "urban residents",
        "college_or_above": "residents with junior college or higher schooling (full count)",
        "employed_sample": "employed persons, long-form sample count (about 10 %): use as a "
                           "share",
        "agriculture_occupation_sample": "employed in agriculture, forestry, husbandry, "
                                         "fishery, long-form sample count",
    }
    cols: dict[str, pa.Column] = {}
    for col in covariate_columns():
        if col.endswith("_share"):
            year = col.split("_")[-2]
            cols[col] = share_column(f"{year}: agriculture_occupation_sample ÷ "
                                     "employed_sample (sums of the member leaves)",
                                     nullable=True)
            continue
        stem, year = col[:-len("_persons")].rsplit("_", 1)
        cols[col] = persons_column(f"{year}: {words[stem]}; sum over the unit's {year} leaves "
                                   "(census_county; null when a member's cell is missing)",
                                   nullable=True)
    return cols


SCHEMAS["county_case_counts"] = pa.DataFrameSchema(
    {
        "measure": _measure(),
        "county_code": pa.Column("int64", description="harmonised 2010–2020 county unit "
                                 "(census_county_crosswalk.harmonised_code)",
                                 metadata={"unit": "adcode"}),
        "county_name_zh": text_column("2020 names of the unit's members, joined by +"),
        "prefecture_code": pa.Column("int64", description="2020 prefecture of the unit (a "
                                     "unit of census_prefecture)", metadata={"unit": "adcode"}),
        "province_adcode": adcode_column("province of the unit (adcode xx0000)"),
        "members_2010_count": count_column("2010 census leaves in the unit"),
        "members_2020_count": count_column("2020 census leaves in the unit"),
        "postings_count": count_column("postings of the measure placed at county level in "
                                       "the unit (zero-filled)"),
        **_county_covariates(),
    },
    strict=True, ordered=True, **one_row_per("measure", "county_code"),
    description="Postings per measure and harmonised county unit (place × one attribute: "
                "exact; zero-filled over the 2,589 units of census_county_crosswalk) with the "
                "county covariates of the 2010 and 2020 censuses. One row per (measure, "
                "unit).",
    metadata={"sources": [*_RECORDS, "census_county", "census_county_crosswalk"],
              "notes": "Only postings placed at county level are counted: per measure and "
                       "prefecture the units sum to prefecture_case_counts."
                       "postings_county_placed_count; the rest of a prefecture's postings "
                       "(known at prefecture level only) and the province_only postings are "
                       "in prefecture_case_counts. Units are harmonised (2010 and 2020 "
                       "leaves merged where boundaries changed; development-zone pools), so "
                       "both censuses' covariates describe the same area. " + _CAVEAT},
)
