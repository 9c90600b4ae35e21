"""Schemas of the tables built by :mod:`analysis.sources.population.clean`."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import (
    adcode_column,
    one_row_per,
    persons_column,
    rate_column,
    share_column,
)

_BULLETIN = [
    "nbs_census2020_bulletin/各地区人口.csv",
    "nbs_census2020_bulletin/各地区人口年龄构成.csv",
    "nbs_census2020_bulletin/各地区性别构成.csv",
    "nbs_census2020_bulletin/各地区15岁及以上人口平均受教育年限.csv",
    "nbs_census2020_bulletin/各地区每10万人口中拥有的各类受教育程度人数.csv",
    "nbs_census2020_bulletin/全国人口年龄构成.csv",
]

POPULATION_YEAREND = pa.DataFrameSchema(
    {
        "adcode": adcode_column(),
        "year": pa.Column(int, pa.Check.in_range(2000, 2022), description="calendar year "
                          "(population at 31 December; birth rate over the year)",
                          metadata={"unit": "year"}),
        "population_persons": persons_column(
            "resident (常住) population at year end; the raw is in 10,000 persons, multiplied "
            "by 10,000 here, so the last four digits are always 0"),
        "birth_rate_per_1000": rate_column(
            "crude birth rate: live births in the year per 1,000 mean resident population; "
            "missing for every province in 2020 (empty in the export) and for Heilongjiang "
            "and Shaanxi in 2000", "per 1,000 persons", nullable=True),
    },
    strict=True, ordered=True, coerce=False, **one_row_per("adcode", "year"),
    description="Year-end resident population and crude birth rate, one row per province and "
                "year, 31 mainland provinces × 2000–2022 (713 rows).",
    metadata={
        "sources": ["nbs_population_yearend/total_population.csv",
                    "nbs_population_yearend/birth_rate.csv"],
        "notes": (
            "NBS national data portal export 'Annual by Province'. Each file has 3 metadata "
            "lines before the 'Region' header and a 'Data Sources' footer line (dropped with "
            "reasons in the row account, which counts file lines: each kept province line "
            "becomes 23 table rows). The non-ASCII bytes of the metadata lines are GBK (0xA3BA "
            "= full-width colon, mojibake when read as Latin-1); files are decoded strictly as "
            "UTF-8, else GB18030, and any other encoding raises DataError. Year columns run "
            "2022 → 2000 in the raw and are located by their label. Year-end estimates are "
            "revised after censuses; 2010 agrees with the 2010 census counts to about 0.1 % "
            "for most provinces, and the 31-province 2020 total (1,410.13 M) is close to the "
            "2020 census (1,409.78 M)."
        ),
    },
)

CENSUS2020_PROVINCE = pa.DataFrameSchema(
    {
        "adcode": adcode_column(),
        "population_persons": persons_column(
            "2020 census resident population (standard time 1 November 2020)"),
        "population_share_of_national_2020": share_column(
            "province share of the national 2020 census population (incl. active military), "
            "bulletin percentage with 2 decimals ÷ 100"),
        "population_share_of_national_2010": share_column(
            "province share of the national 2010 census population, as printed in the 2020 "
            "bulletin (2 decimals ÷ 100)"),
        "age_0_14_share": share_column("share of residents aged 0–14 (bulletin %, 2 decimals)"),
        "age_15_59_share": share_column("share of residents aged 15–59"),
        "age_60_plus_share": share_column("share of residents aged 60 and over"),
        "age_65_plus_share": share_column(
            "share of residents aged 65 and over (a subset of 60 and over)"),
        "children_0_14_persons": persons_column(
            "residents aged 0–14, DERIVED: round(population_persons × age_0_14_share); the "
            "share is the bulletin's rounded percentage, so each value carries an error of up "
            "to ±0.005 % of the population (e.g. ±6,300 for Guangdong)"),
        "male_share": share_column("share of residents who are male"),
        "sex_ratio_males_per_100_females": rate_column(
            "sex ratio of residents", "males per 100 females"),
        "schooling_years_15plus_2020": rate_column(
            "mean years of schooling of residents aged 15+, 2020 census", "years"),
        "schooling_years_15plus_2010": rate_column(
            "mean years of schooling of residents aged 15+, 2010 census (as printed in the "
            "2020 bulletin)", "years"),
        "college_per_100k": rate_column(
            "residents with junior-college (大专) education or above", "per 100,000 persons"),
        "high_school_per_100k": rate_column(
            "residents whose highest level is senior high school (incl. technical secondary "
            "school, 中专)", "per 100,000 persons"),
        "middle_school_per_100k": rate_column(
            "residents whose highest level is junior middle school (初中)",
            "per 100,000 persons"),
        "primary_per_100k": rate_column(
            "residents whose highest level is primary school (小学)", "per 100,000 persons"),
    },
    strict=True, ordered=True, coerce=False, **one_row_per("adcode"),
    description="2020 census (7th national population census) by province of residence: "
                "population, age and sex structure, schooling; one row per mainland province.",
    metadata={
        "sources": _BULLETIN,
        "notes": (
            "NBS bulletins No. 3–6 of the 7th census (2021) as re-exported to CSV from the PDF "
            "tables: a title line, 1–2 header rows (a header cell may span lines), padded names "
            "(北  京) and footnote markers (全 国[5]). Headers are located by content (the row "
            "starting with 地区) and columns by label, never by position. The national row "
            "(全国) and active military (现役军人, 2,000,000) are dropped with reasons and used "
            "for checks: the 31 provinces sum to 1,409,778,724 = 1,411,778,724 − 2,000,000 "
            "(else DataError); age shares (0–14, 15–59, 60+) and male/female shares add up to "
            "1 within rounding. children_0_14_persons is derived from the rounded bulletin "
            "percentage: its 31-province sum is 253,396,788, 12,850 (+0.005 %) above the "
            "national 0–14 count 253,383,938 of 全国人口年龄构成.csv (the national count "
            "includes any military aged 0–14, presumably none); the exact figure is recorded "
            "in the row account note. Percentages are divided by 100 to give shares 0–1."
        ),
    },
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "population_yearend": POPULATION_YEAREND,
    "census2020_province": CENSUS2020_PROVINCE,
}
