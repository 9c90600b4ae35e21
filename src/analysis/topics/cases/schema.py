"""Schemas of the case-record aggregates (step ``derive.cases``)."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.cases import (
    AGE_GROUP_LABELS,
    ALL_CASE_TABLES,
    CASE_COUNT_SOURCES,
    CASE_PERIODS,
    CATEGORIES,
    FAMILY_SOURCE,
    PERIOD_LABELS,
    PLACE_ROLES,
    RECORD_TABLES,
    SEXES,
    SIDES,
    UNKNOWN_PERIOD,
)
from analysis.vocab.columns import (
    adcode_column,
    count_column,
    one_row_per,
    persons_column,
    rate_column,
    share_column,
    text_column,
)
from analysis.vocab.measures import FLOW_SOURCES, MEASURES
from analysis.vocab.wording import CASE_TABLE_CAVEAT as _CAVEAT

_RECORDS = list(ALL_CASE_TABLES)


def _source() -> pa.Column:
    return text_column(f"scrape (short id; {FAMILY_SOURCE} = familyfindbaby_addr.xlsx places)",
                       isin=list(CASE_COUNT_SOURCES))


def _one_attribute_schema(attribute: str, column: pa.Column, what: str) -> pa.DataFrameSchema:
    """Schema of a table of postings per source, side and one person ``attribute``."""
    return pa.DataFrameSchema(
        {"source": _source(),
         "side": text_column("side of the postings", isin=list(SIDES)),
         attribute: column,
         "postings_count": count_column("postings")},
        strict=True, ordered=True, **one_row_per("source", "side", attribute),
        description=f"Case postings per source, side and {what} (one attribute: published "
                    "exact).",
        metadata={"sources": list(RECORD_TABLES), "notes": _CAVEAT},
    )


SCHEMAS = {
    "case_counts": pa.DataFrameSchema(
        {
            "source": _source(),
            "side": text_column("lost / found / current / unknown (see case_records_*)",
                                isin=list(SIDES)),
            "place_role": text_column("lost: where the child went missing; current_or_found: "
                                      "where the adult lives now or the child was found",
                                      isin=list(PLACE_ROLES)),
            "category": text_column("type of loss", isin=list(CATEGORIES)),
            "period": text_column("period of the year the child went missing",
                                  isin=list(PERIOD_LABELS)),
            "adcode": adcode_column(),
            "postings_count": count_column("postings (records) with this place"),
        },
        strict=True, ordered=True,
        **one_row_per("source", "side", "place_role", "category", "period", "adcode"),
        description="Case postings counted by source × side × place role × category × period × "
                    "province, zero-filled over the 31 provinces for every combination present.",
        metadata={"sources": _RECORDS,
                  "notes": f"Periods: {', '.join(p[0] for p in CASE_PERIODS)} "
                           f"(year the child went missing), {UNKNOWN_PERIOD} (no usable year; "
                           f"all of {FAMILY_SOURCE}). Do not add sources together: they are "
                           "overlapping scrapes. " + _CAVEAT},
    ),
    "case_rates": pa.DataFrameSchema(
        {
            "measure": text_column("rate measure: " + "; ".join(
                f"{k} = {m.description}" for k, m in MEASURES.items()), isin=list(MEASURES)),
            "source": _source(),
            "side": text_column("side of the postings", isin=list(SIDES)),
            "place_role": text_column("lost or current_or_found", isin=list(PLACE_ROLES)),
            "adcode": adcode_column(),
            "postings_count": count_column("postings, all periods pooled"),
            "children_0_14_2020_persons": persons_column("children aged 0–14, 2020 census "
                                                         "(bulletin age share × population)"),
            "postings_per_100k_children_2020": rate_column(
                "postings per 100,000 children aged 0–14 (2020)", "per 100,000 children"),
            "children_0_14_2010_persons": persons_column("children aged 0–14, 2010 (estimate: "
                                                         "prefecture census age share × NBS "
                                                         "year-end population)"),
            "postings_per_100k_children_2010": rate_column(
                "postings per 100,000 children aged 0–14 (2010 estimate)",
                "per 100,000 children"),
            "share_of_measure": share_column("province's share of the measure's postings"),
        },
        strict=True, ordered=True, **one_row_per("measure", "adcode"),
        description="Postings per province and measure with rates per 100,000 children aged "
                    "0–14 (2020 census; 2010 estimate), all periods pooled.",
        metadata={"sources": [*_RECORDS, "census2020_province", "census_city_province"],
                  "notes": "Children are not the population at risk of every measure (adults "
                           "searching went missing decades ago): the rate is a scale for "
                           "comparing provinces, not an incidence. " + _CAVEAT},
    ),
    "case_flows": pa.DataFrameSchema(
        {
            "source": text_column("uiuing_success (reunions: lost → found) or wtt1002_data "
                                  "(adults: lost → living now)",
                                  isin=list(FLOW_SOURCES)),
            "lost_adcode": adcode_column("province where the child went missing"),
            "destination_adcode": adcode_column("province where found / living now"),
            "flow_count": count_column("records with this pair of provinces"),
            "same_province": pa.Column(bool, description="lost and destination province are "
                                       "the same", metadata={"unit": "flag"}),
        },
        strict=True, ordered=True,
        **one_row_per("source", "lost_adcode", "destination_adcode"),
        description="Lost → found (reunions) and lost → current (adults searching) province "
                    "pairs with counts; only pairs with both provinces known.",
        metadata={"sources": ["case_records_uiuing_success", "case_records_wtt1002"],
                  "notes": _CAVEAT},
    ),
    "case_composition": pa.DataFrameSchema(
        {
            "source": _source(),
            "side": text_column("side of the postings", isin=list(SIDES)),
            "category": text_column("type of loss", isin=list(CATEGORIES)),
            "sex": text_column("sex of the child", isin=list(SEXES)),
            "age_group": text_column("age when missing (completed years)",
                                     isin=list(AGE_GROUP_LABELS)),
            "postings_count": count_column("postings"),
        },
        strict=True, ordered=True,
        **one_row_per("source", "side", "category", "sex", "age_group"),
        description="Sex and age at missing of the postings by source, side and category.",
        metadata={"sources": list(RECORD_TABLES), "notes": _CAVEAT},
    ),
    "case_counts_by_period": pa.DataFrameSchema(
        {
            "source": _source(),
            "side": text_column("lost / found / current / unknown (see case_counts)",
                                isin=list(SIDES)),
            "place_role": text_column("lost: where the child went missing; current_or_found: "
                                      "where the adult lives now or the child was found",
                                      isin=list(PLACE_ROLES)),
            "period": text_column("period of the year the child went missing",
                                  isin=list(PERIOD_LABELS)),
            "adcode": adcode_column(),
            "postings_count": count_column("postings (records) with this place and period, "
                                           "all types of loss"),
        },
        strict=True, ordered=True,
        **one_row_per("source", "side", "place_role", "period", "adcode"),
        description="Case postings by source × side × place role × period × province: "
                    "case_counts summed over the type of loss (a place and one attribute: "
                    "published exact).",
        metadata={"sources": ["case_counts"], "notes": _CAVEAT},
    ),
    "case_coverage_by_year": pa.DataFrameSchema(
        {
            "source": _source(),
            "missing_year": pa.Column("Int64", pa.Check.in_range(1880, 2030), nullable=True,
                                      description="year the child went missing; empty = not "
                                      "known (all reunions: success_case.json has no dates)",
                                      metadata={"unit": "year"}),
            "postings_count": count_column("postings (records) of the source with this year"),
        },
        strict=True, ordered=True, **one_row_per("source", "missing_year"),
        description="Case postings per source and year the child went missing (one attribute: "
                    "published exact).",
        metadata={"sources": list(RECORD_TABLES), "notes": _CAVEAT},
    ),
    "case_category_counts": _one_attribute_schema("category", text_column(
        "type of loss", isin=list(CATEGORIES)), "type of loss"),
    "case_sex_counts": _one_attribute_schema("sex", text_column(
        "sex of the child", isin=list(SEXES)), "sex of the child"),
}
