"""Schemas of ``census_city_province`` (prefecture census summed to provinces) and
``census_city_prefecture`` (the prefecture-level units themselves)."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import (
    adcode_column,
    one_row_per,
    persons_column,
    share_column,
    text_column,
)

SCHEMAS = {
    "census_city_province": pa.DataFrameSchema(
        {
            "census_year": pa.Column(int, pa.Check.isin([2010, 2020]),
                                     description="census year", metadata={"unit": "year"}),
            "adcode": adcode_column(),
            "prefectures_count": pa.Column("int64", pa.Check.ge(1),
                                           description="prefecture-level rows of the province",
                                           metadata={"unit": "count"}),
            "population_covered_persons": persons_column(
                "resident population summed over the prefectures with data", nullable=True),
            "population_coverage_share": pa.Column(
                float, pa.Check.in_range(0.5, 1.05), nullable=True,
                description="covered population ÷ province total (2020 census bulletin; 2010 NBS "
                            "year-end); < 1 where province-administered units are missing",
                metadata={"unit": "share (0-1)"}),
            "age_0_14_share": share_column("share aged 0–14, population-weighted over the "
                                           "prefectures reporting the age structure"),
            "children_0_14_persons": persons_column("age_0_14_share × province total "
                                                    "(estimate)"),
            "urban_share": share_column("urban ÷ (urban + rural) over the prefectures "
                                        "reporting the split", nullable=True),
            "urban_coverage_share": pa.Column(
                float, pa.Check.in_range(0, 1.05),
                description="population share of the province held by the prefectures "
                            "reporting the urban/rural split (0 = none, e.g. Xinjiang 2020)",
                metadata={"unit": "share (0-1)"}),
        },
        strict=True, ordered=True, **one_row_per("census_year", "adcode"),
        description="Prefecture-level 2010 and 2020 census (Dong et al.) summed to the 31 "
                    "provinces: coverage, share aged 0–14, urban share. One row per (census year, "
                    "province).",
        metadata={"sources": ["census_city_2010_2020/census_city_2010-2020_v1.csv",
                              "nbs_population_yearend/total_population.csv",
                              "nbs_census2020_bulletin/各地区人口.csv"],
                  "notes": "Denominators: 2020 census bulletin population; 2010 NBS year-end 2010 "
                           "(the census-day 2010 provincial totals are not in a reachable "
                           "machine-readable source). Shares are population-weighted over the "
                           "prefectures that report them; coverage columns say how much of the "
                           "province that is. Urban/rural is missing for all of Xinjiang in 2020."},
    ),
    "census_city_prefecture": pa.DataFrameSchema(
        {
            "census_year": pa.Column(int, pa.Check.isin([2010, 2020]),
                                     description="census year (2010 figures adjusted to the 2020 "
                                                 "units)", metadata={"unit": "year"}),
            "prefecture_adcode": pa.Column(
                "int64", [pa.Check.in_range(110000, 829999),
                          pa.Check(lambda s: (s % 10000 != 0) | s.isin([810000, 820000]),
                                   element_wise=False, name="unit_code_below_province")],
                description="GB/T 2260 code of the unit (2020): xxxx00 for a prefecture-level "
                            "unit, xxxxNN for a county-level unit under the province (仙桃 "
                            "429004 …), 810000 / 820000 for Hong Kong / Macau",
                metadata={"unit": "adcode"}),
            "prefecture_name_zh": text_column("name of the unit in Chinese (2020)"),
            "adcode": adcode_column("province adcode (GB/T 2260, xx0000) of the unit",
                                    mainland31=False),
            "population_persons": persons_column("resident population (census)", nullable=True),
            "urban_persons": persons_column("urban resident population", nullable=True),
            "rural_persons": persons_column("rural resident population", nullable=True),
            "age_0_14_share": share_column("share of residents aged 0–14 (raw percentage ÷ 100)",
                                           nullable=True),
        },
        strict=True, ordered=True, **one_row_per("census_year", "prefecture_adcode"),
        description="Prefecture-level units of the 2010 and 2020 census (Dong et al.): code, "
                    "name, province, population, urban/rural, share aged 0–14. One row per "
                    "(census year, unit).",
        metadata={"sources": ["census_city_2010_2020/census_city_2010-2020_v1.csv"],
                  "notes": "Every row of the raw file: 367 mainland prefecture-level units "
                           "(including the county-level units administered directly by a "
                           "province), Hong Kong and Macau. 2010 figures are adjusted to the "
                           "2020 units by the source. Empty: no figure in the source (e.g. the "
                           "Xinjiang corps cities). Persons are rounded to whole persons (five "
                           "2010 urban/rural cells of the raw carry decimals). The case steps "
                           "match place names and codes against the 2020 rows."},
    ),
}
