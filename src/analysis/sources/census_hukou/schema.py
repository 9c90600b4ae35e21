"""Schema of the table built by :mod:`analysis.sources.census_hukou.clean`."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import adcode_column, one_row_per, persons_column, share_column

CENSUS_HUKOU_PROVINCE = pa.DataFrameSchema(
    {
        "census_year": pa.Column(int, pa.Check.isin([2010, 2020]),
                                 description="census year (standard time 1 November)",
                                 metadata={"unit": "year"}),
        "adcode": adcode_column("province of residence (adcode), where the person lives"),
        "hukou_elsewhere_persons": persons_column(
            "residents whose hukou is registered in another township/street than the one they "
            "live in (人户分离, incl. moves between districts of one city); 2010: 合计; "
            "2020: 省内 + 省外"),
        "same_county_persons": persons_column(
            "2010 only: hukou in the same county/city/district (本县/市/区); missing for 2020",
            nullable=True),
        "other_county_same_province_persons": persons_column(
            "2010 only: hukou in another county of the same province (本省其他县/市/区); "
            "missing for 2020", nullable=True),
        "within_province_persons": persons_column(
            "hukou in the same province (2010: same county + other county; 2020: 省内)"),
        "other_province_persons": persons_column(
            "hukou in another province (省外): inter-provincial in-migrants by residence"),
        "resident_population_persons": persons_column(
            "denominator: 2010 = year-end 2010 resident population (population_yearend, "
            "10,000-person precision); 2020 = 2020 census population (census2020_province)"),
        "hukou_elsewhere_share": share_column(
            "hukou_elsewhere_persons ÷ resident_population_persons"),
        "within_province_share": share_column(
            "within_province_persons ÷ resident_population_persons"),
        "other_province_share": share_column(
            "other_province_persons ÷ resident_population_persons"),
    },
    strict=True, ordered=True, coerce=False, **one_row_per("census_year", "adcode"),
    description="Census population living away from the township of its hukou registration, by "
                "province of residence and where the hukou is (same province / other "
                "province), 2010 and 2020; one row per census year and mainland province "
                "(62 rows).",
    metadata={
        "sources": ["nbs_census2010_hukou_elsewhere/population.txt",
                    "census2020_hukou_elsewhere_by_province.tsv"],
        "notes": (
            "2010: census yearbook table (whitespace-separated, short names, a 全国 row); "
            "each row's 合计 equals its three parts, the 31 provinces sum exactly to 全国 "
            "(260,937,942 total; 省外 85,876,337 = the official inter-provincial figure), else "
            "DataError. 2020: table 各地区户口登记地在外乡镇街道的人口 of the 2020 census, "
            "hand-transcribed (data/raw/manual/census2020_hukou_elsewhere_by_province.md); "
            "省外 sums to 124,837,153 (official 跨省流动人口) and 省内 + 省外 to 492,762,506 "
            "(official 人户分离), else DataError. 省内 2020 (367.9 M) includes the 116.9 M "
            "people living in another district of the same city (市辖区内人户分离): it is NOT "
            "the 250,979,606 省内流动人口 of the bulletin. The 2010 total (260.94 M) is close to "
            "the 2010 bulletin's 人户分离 figure (about 261.4 M, of which about 40.0 M within "
            "one city), so it includes such moves too: within-province figures are comparable "
            "between the two years, but not with 'floating population' (流动人口) figures. "
            "Denominators (tables of the population step): the 2020 bulletin gives 2010 only "
            "as shares of the national total (rounded to 0.01 %, i.e. up to about ±2 % error "
            "for Tibet), and the prefecture "
            "census file sums to incomplete provinces (gaps of several % in Hebei, Shaanxi, "
            "Xinjiang, Hainan); the 2010 denominator is therefore the NBS year-end 2010 "
            "estimate (31 December, two months after census day, rounded to 10,000 persons; "
            "within about 0.1 % of the 2010 census counts where these are complete; 31-"
            "province sum 1,333.85 M). 2020 uses the census count itself. Counts are by "
            "province of residence (destination), not of hukou (origin)."
        ),
    },
)

SCHEMAS: dict[str, pa.DataFrameSchema] = {"census_hukou_province": CENSUS_HUKOU_PROVINCE}
