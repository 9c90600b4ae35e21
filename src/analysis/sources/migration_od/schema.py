"""Schemas of ``migration_od`` (long O–D flows) and ``migration_by_province`` (per province).

Built by :mod:`analysis.sources.migration_od.clean` from the NBS tables "全国按现住地和五年前常住地分的
人口" (2000, 2010, 2020 census long form; 2005, 2015 1 % surveys).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analysis.vocab.columns import (
    adcode_column,
    count_column,
    one_row_per,
    persons_column,
    rate_column,
    share_column,
    text_column,
)
from analysis.vocab.periods import OD_PERIODS
from analysis.vocab.provinces import MAINLAND31

SOURCES = ["nbs_migration_od/2000.xls", "nbs_migration_od/2005.json",
           "nbs_migration_od/2010.xls", "nbs_migration_od/2015.json",
           "nbs_migration_od/2020.xls"]

SAMPLING_NOTE = (
    "Counts are UNWEIGHTED sample counts of people aged 5+ whose usual residence five years "
    "before the census/survey date (1 November) was in another province. Sampling fractions "
    "(published survey designs, data README 'Sampling fractions'): 2000 census long form 9.5 %; "
    "2005 1 % survey, realised fraction 1.325 %; 2010 census long form 10 % nominal, 9.5 % "
    "effective (the table's 合计 119.9 M vs ≈1.257 bn residents aged 5+), 0.095 used; 2015 1 % "
    "survey, realised 1.55 %; 2020 census long form 10 % nominal. estimate_persons = "
    "sample_count / sampling_fraction is a rough expansion (survey weights are not uniform); "
    "prefer rates computed inside one table. With 0.095, 1995–2000 inter-provincial migrants "
    "total 34.0 M (authors expanding by 10 % publish 32.3 M). "
)


def _periods_complete(df: pd.DataFrame) -> bool:
    return sorted(df["period"].unique()) == list(OD_PERIODS)


def _od_complete(df: pd.DataFrame) -> bool:
    n = len(MAINLAND31)
    return bool((df.groupby("period").size() == n * (n - 1)).all())


def _off_diagonal(df: pd.DataFrame) -> pd.Series:
    return df["origin_adcode"] != df["destination_adcode"]


def _estimate_matches(df: pd.DataFrame) -> pd.Series:
    expected = (df["sample_count"] / df["sampling_fraction"]).round()
    return (df["estimate_persons"] - expected).abs() <= 1


def _provinces_complete(df: pd.DataFrame) -> bool:
    return bool(df.groupby("period")["adcode"].apply(
        lambda s: sorted(s) == sorted(MAINLAND31)).all())


def _net_is_difference(df: pd.DataFrame) -> pd.Series:
    return df["net_sample_count"] == df["in_sample_count"] - df["out_sample_count"]


def _flows_balance(df: pd.DataFrame) -> bool:
    g = df.groupby("period")[["in_sample_count", "out_sample_count"]].sum()
    return bool((g["in_sample_count"] == g["out_sample_count"]).all())


def _signed_int(description: str, unit: str) -> pa.Column:
    return pa.Column("int64", description=description, metadata={"unit": unit})


SCHEMAS = {
    "migration_od": pa.DataFrameSchema(
        {
            "period": text_column("five-year migration period: residence five years earlier "
                                  "(start) → residence at the census/survey date (end)",
                                  isin=list(OD_PERIODS)),
            "origin_adcode": adcode_column("origin: province of usual residence five years "
                                           "earlier (五年前常住地)"),
            "destination_adcode": adcode_column("destination: province of residence at the "
                                                "census/survey date (现住地)"),
            "sample_count": count_column("people aged 5+ in the sample who moved from origin to "
                                         "destination in the period (unweighted)"),
            "sampling_fraction": share_column("sampling fraction of the table (0.095, 0.01325, "
                                              "0.095, 0.0155, 0.10 for 2000…2020)"),
            "estimate_persons": persons_column("sample_count / sampling_fraction, rounded to the "
                                               "nearest integer: rough population estimate"),
        },
        checks=[pa.Check(_off_diagonal, error="origin must differ from destination"),
                pa.Check(_od_complete, error="31 × 30 flows per period"),
                pa.Check(_periods_complete, error="all five periods present"),
                pa.Check(_estimate_matches, error="estimate_persons = sample / fraction")],
        strict=True,
        ordered=True,
        **one_row_per("period", "origin_adcode", "destination_adcode"),
        name="migration_od",
        description="One inter-provincial migration flow: people aged 5+ who lived in the origin "
                    "province five years before the census/survey and in the destination "
                    "province at its date, 31 mainland provinces, origin ≠ destination.",
        metadata={
            "sources": SOURCES,
            "notes": SAMPLING_NOTE
            + "Rows = 现住地 (destination), columns = 五年前常住地 (origin) in the source; the "
            "diagonal is blank in every year (within-province moves are in aggregate columns: "
            "2000 省内 = within-province movers only, the 2000 table counts movers only; 2005 and "
            "2010 省内 = same province incl. non-movers; 2015 现住房 / 本县其他地区 / 本省其他县; "
            "2020 本县市区 / 本省其他县市区). Flows from 港澳台或国外 (Hong Kong, Macau, Taiwan or "
            "abroad; no such column in 2005) are dropped and counted in the row account. "
            "Row-total inconsistencies of the 2005 (30 province rows, |diff| ≤ 120) and 2015 "
            "(23 rows, |diff| ≤ 3) JSON are notes in the row account; cells kept as published.",
        },
    ),
    "migration_by_province": pa.DataFrameSchema(
        {
            "period": text_column("five-year migration period", isin=list(OD_PERIODS)),
            "adcode": adcode_column(),
            "out_sample_count": count_column("out-migrants to the other 30 provinces (sample, "
                                             "aged 5+): column sum of the O–D table"),
            "in_sample_count": count_column("in-migrants from the other 30 provinces (sample, "
                                            "aged 5+): row sum; excludes 港澳台或国外"),
            "net_sample_count": _signed_int("in_sample_count − out_sample_count (sample)",
                                            "count"),
            "out_estimate_persons": persons_column("out_sample_count / sampling_fraction, "
                                                   "rounded"),
            "in_estimate_persons": persons_column("in_sample_count / sampling_fraction, rounded"),
            "net_estimate_persons": _signed_int("in_estimate_persons − out_estimate_persons",
                                                "persons"),
            "at_risk_origin_sample_count": count_column(
                "people (sample, aged 5+) whose residence five years earlier was this province: "
                "within-province columns of its row (incl. non-movers) + out-migrants to other "
                "provinces; empty for 1995–2000 (table counts movers only)", nullable=True),
            "resident_sample_count": count_column(
                "residents aged 5+ in the sample now: sum of the row's cells (within-province + "
                "from other provinces + from abroad); equals the published row total except in "
                "the rows noted in the row account; empty for 1995–2000", nullable=True),
            "out_migration_per_1000": rate_column(
                "out_sample_count / at_risk_origin_sample_count × 1000 (five-year, inside the "
                "table, no scaling)", "per 1,000 persons at risk", nullable=True),
            "in_migration_per_1000": rate_column(
                "in_sample_count / resident_sample_count × 1000 (five-year, inside the table)",
                "per 1,000 residents", nullable=True),
            "net_migration_per_1000": pa.Column(
                float, nullable=True,
                description="net_sample_count / mean(at_risk_origin_sample_count, "
                            "resident_sample_count) × 1000: five-year net migration per 1,000 "
                            "mid-period population aged 5+ (negative = net loss)",
                metadata={"unit": "per 1,000 persons"}),
            "out_estimate_per_1000_yearend": rate_column(
                "out_estimate_persons per 1,000 year-end resident population (all ages, "
                "population_yearend) of the period's start year; 1995–2000 uses 2000 (1995 not "
                "available); empty when population_yearend was not built",
                "per 1,000 persons", nullable=True),
        },
        checks=[pa.Check(_provinces_complete, error="31 provinces per period"),
                pa.Check(_periods_complete, error="all five periods present"),
                pa.Check(_net_is_difference, error="net = in − out"),
                pa.Check(_flows_balance, error="sum of in = sum of out per period")],
        strict=True,
        ordered=True,
        **one_row_per("period", "adcode"),
        name="migration_by_province",
        description="One province in one five-year period: inter-provincial out-, in- and net "
                    "migration of people aged 5+ (sample counts, rough estimates, rates).",
        metadata={
            "sources": [*SOURCES, "nbs_population_yearend/total_population.csv"],
            "notes": SAMPLING_NOTE
            + "Rates per 1,000 are computed inside one table (sample ÷ sample) and need no "
            "scaling. Out-migrants exclude moves abroad (not observed); in-migrants exclude "
            "arrivals from 港澳台或国外, which are counted in resident_sample_count. "
            "out_estimate_per_1000_yearend uses the table population_yearend (built from "
            "nbs_population_yearend/total_population.csv); it mixes an aged-5+ numerator "
            "with an all-ages denominator and is a five-year total, not an annual rate.",
        },
    ),
}
