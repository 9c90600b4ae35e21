"""Schemas of the county census tables (``census_county_*``)."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import adcode_column, flag_column, one_row_per, persons_column, text_column
from analysis.vocab.provinces import MAINLAND31

MAINLAND = list(MAINLAND31)

FILES = ["census_county_2010_2020/census_county_2010_v1.xlsx",
         "census_county_2010_2020/census_county_2020_v1.xlsx"]
LEVELS = ["province", "prefecture", "county"]


def _year(description: str = "census year (2010: 6th census; 2020: 7th census)") -> pa.Column:
    return pa.Column(int, pa.Check.isin([2010, 2020]), description=description,
                     metadata={"unit": "year"})


_GB_CODE = pa.Check.in_range(110000, 659999)

SCHEMAS = {
    "census_county_units": pa.DataFrameSchema(
        {
            "census_year": _year(),
            "code": pa.Column("int64", _GB_CODE,
                              description="GB/T 2260 code as printed in that year's workbook "
                                          "(one misprint corrected: 2020 170971 → 140971)",
                              metadata={"unit": "adcode"}),
            "name_zh": text_column("name of the unit as printed (surrounding spaces removed; "
                                   "misprints such as 罗定巿 kept)"),
            "level": text_column("level from the code: province (xx0000), prefecture "
                                 "(xxxx00, incl. the municipalities' 市辖区/县 rows xx0100, "
                                 "xx0200), county (any other code)", isin=LEVELS),
            "is_leaf": pa.Column(bool, description="True when no other row of the sheet "
                                 "subdivides the unit (counties; prefecture-level cities without "
                                 "counties such as 东莞, 中山, 嘉峪关, 三沙, 儋州); the leaves, with "
                                 "the uncoded units, partition each province",
                                 metadata={"unit": "flag"}),
            "prefecture_code": pa.Column(
                "Int64", pa.Check.in_range(110100, 659099), nullable=True,
                description="prefecture of the unit, in the conventions of "
                            "lost_adcode_prefecture and census_city_prefecture: xxxx00; the "
                            "municipalities xx0100; a county-level unit under the province "
                            "directly (xx90NN, 仙桃 429004 …) keeps its own code; null for "
                            "province rows. The code of that year (2010: e.g. 巢湖 341400)",
                metadata={"unit": "adcode"}),
            "adcode": adcode_column("province adcode (GB/T 2260, xx0000)"),
            "source_row": pa.Column("int64", pa.Check.ge(2),
                                    description="spreadsheet row of the unit in the raw "
                                                "workbook (header = row 1)",
                                    metadata={"unit": "row"}),
        },
        strict=True, ordered=True, **one_row_per("census_year", "code"),
        description="Every coded row of the 2010 and 2020 county census workbooks: province, "
                    "prefecture and county units with name, level, leaf flag, prefecture and "
                    "province. One row per (census year, code).",
        metadata={"sources": FILES,
                  "notes": "Uncoded rows (subtotals, blank rows, 全国, the 2010 watermark, "
                           "uncoded units and parts) are not listed: see the row account. "
                           "Input of the place gazetteer."},
    ),
}


_LONG_FORM = ("long-form sample count (about 10 % of households answered the long form): "
              "not a population count; use it as a share")
_FULL_COUNT = "full count (short form)"


def _county_columns() -> dict[str, pa.Column]:
    cols: dict[str, pa.Column] = {
        "census_year": _year(),
        "county_code": pa.Column(
            "int64", pa.Check.in_range(110000, 659_999_999),
            description="GB/T 2260 code of the leaf unit as printed that year (six digits); "
                        "for a unit printed without a code (2010: 大兴安岭's four districts, "
                        "平桂管理区, 西沙群岛, Qinghai's three 行委; 2020: development zones and "
                        "管理区), a synthetic nine-digit code: parent prefecture (or province) "
                        "code × 1000 + its order under that parent — never a GB/T 2260 code",
            metadata={"unit": "adcode"}),
        "county_name_zh": text_column("name of the unit as printed"),
        "code_printed": pa.Column(bool, description="False for the synthetic codes",
                                  metadata={"unit": "flag"}),
        "prefecture_code": pa.Column(
            "int64", pa.Check.ge(110100),
            description="prefecture of the unit that year (census_city_prefecture "
                        "conventions: xxxx00; municipalities xx0100; a county-level unit "
                        "directly under a province keeps its own code; 2010 西沙群岛 its "
                        "synthetic code)", metadata={"unit": "adcode"}),
        "adcode": adcode_column("province adcode (GB/T 2260, xx0000)"),
        "population_persons": persons_column("resident population (合计 / 人口数_合计)",
                                             extension_dtype=True),
        "male_persons": persons_column("resident males", extension_dtype=True),
        "female_persons": persons_column("resident females", extension_dtype=True),
    }
    ages = {"0": "aged 0", "1_4": "aged 1–4", "5_9": "aged 5–9", "10_14": "aged 10–14",
            "0_4": "aged 0–4 (0 + 1–4)", "0_14": "aged 0–14 (0 + 1–4 + 5–9 + 10–14)"}
    for sex, word in (("male", "males"), ("female", "females")):
        for band, text in ages.items():
            cols[f"age_{band}_{sex}_persons"] = persons_column(f"resident {word} {text}", nullable=True)
    cols.update({
        "age_0_4_persons": persons_column("residents aged 0–4, both sexes", nullable=True),
        "age_0_14_persons": persons_column("residents aged 0–14, both sexes", nullable=True),
        "age_15_64_persons": persons_column("residents aged 15–64, both sexes (working age)", nullable=True),
        "age_20_49_persons": persons_column("residents aged 20–49, both sexes (prime parenting "
                                      "age: children-per-adult index = age_0_14_persons ÷ "
                                      "age_20_49_persons)", nullable=True),
        "age_65_plus_persons": persons_column("residents aged 65 and over, both sexes", nullable=True),
        "age_20_49_female_persons": persons_column("resident females aged 20–49 (child–woman "
                                             "ratio = age_0_4_persons ÷ this)", nullable=True),
        "hukou_registered_persons": persons_column(
            "2010: registered (hukou) population of the unit (户籍人口), beside the resident "
            "population; null in 2020 (not in that table)", nullable=True),
        "hukou_elsewhere_same_county_persons": persons_column(
            "residents whose hukou is registered in another township of the same county "
            "(2010 column 迁入人口-本县（市）/本市市区, moves between districts of one city "
            "included; 2020 户口登记地在外乡镇街道人口_本县)", nullable=True),
        "hukou_elsewhere_other_county_persons": persons_column(
            "residents whose hukou is registered in another county of the same province "
            "(2010 迁入人口-本省其他县（市）、市区; 2020 …_本省其他县)", nullable=True),
        "hukou_elsewhere_other_province_persons": persons_column(
            "residents whose hukou is registered in another province (2010 迁入人口-外省, "
            "national sum 85,876,337 = the official inter-provincial figure; 2020 …_省外, "
            "124,837,153)", nullable=True),
        "urban_persons": persons_column("urban residents (城镇人口)", nullable=True),
        "rural_persons": persons_column("rural residents (乡村人口)", nullable=True),
        "family_households": pa.Column(
            "Int64", pa.Check.ge(0), nullable=True,
            description="family households (2010 户数, equal to 全部数据-家庭户; 2020 家庭户数); "
                        "collective households not included",
            metadata={"unit": "households"}),
        "college_or_above_persons": persons_column(
            "residents aged 6+ with junior college (大学专科) or higher schooling, both sexes; "
            + _FULL_COUNT, nullable=True),
        "illiterate_15_plus_persons": persons_column("illiterate residents aged 15+; " + _FULL_COUNT,
                                                     nullable=True),
        "employed_sample_persons": persons_column(
            "employed persons (all occupations; 2010 aged 16+, 2020 aged 16+); " + _LONG_FORM, nullable=True),
        "agriculture_occupation_sample_persons": persons_column(
            "employed in agriculture, forestry, animal husbandry, fishery (2010 …、水利业生产人员; "
            "2020 农林牧渔业生产及辅助人员); " + _LONG_FORM, nullable=True),
        "agriculture_occupation_share": pa.Column(
            float, pa.Check.in_range(0, 1), nullable=True,
            description="agriculture_occupation_sample_persons ÷ employed_sample_persons "
                        "(a share of the long-form sample)", metadata={"unit": "share (0-1)"}),
        "cell_repairs": pa.Column(str, nullable=True, description="cells of this row repaired "
                                  "or set missing and why (null: none)",
                                  metadata={"unit": "text"}),
    })
    return cols


RELATIONS = ["same", "renamed", "recoded", "merged", "unresolved_merged", "new_unmatched"]

SCHEMAS["census_county"] = pa.DataFrameSchema(
    _county_columns(), strict=True, ordered=True, **one_row_per("census_year", "county_code"),
    description="Leaf county-level units of the 2010 and 2020 census yearbooks (units no other "
                "row subdivides; they partition each province): population by sex and age, "
                "registered and hukou-elsewhere population, urban/rural, households, schooling, "
                "occupation. One row per (census year, unit).",
    metadata={"sources": FILES,
              "notes": "Counts are as printed except where cell_repairs says otherwise (fused "
                       "cells, non-integer counts and unexplained blanks set missing; blanks "
                       "the file's own identities prove 0 read as 0; two age cells corrected "
                       "where the unit and its province both pin the amount). Summed per "
                       "province the leaves equal the province rows (census_county_province_"
                       "check). Units change between the years: compare them through "
                       "census_county_crosswalk."},
)

SCHEMAS["census_county_province_check"] = pa.DataFrameSchema(
    {
        "census_year": _year(),
        "adcode": pa.Column(int, pa.Check.isin([100000, *MAINLAND]),
                            description="province adcode; 100000 = the 全国 row (2020 only)",
                            metadata={"unit": "adcode"}),
        "column": text_column("census_county count column checked"),
        "unit": text_column("unit of the values of this row", isin=["persons", "households"]),
        "leaves_count": pa.Column("int64", pa.Check.ge(1), description="leaf units summed",
                                  metadata={"unit": "count"}),
        "leaves_missing_count": pa.Column("int64", pa.Check.ge(0),
                                          description="leaf units with the value missing",
                                          metadata={"unit": "count"}),
        "leaves_sum": pa.Column(float, description="sum over the leaves (missing cells left "
                                "out)", metadata={"unit": "see unit"}),
        "province_row": pa.Column(float, description="the province's (全国's) own printed "
                                  "row, same column", metadata={"unit": "see unit"}),
        "difference": pa.Column(float, description="leaves_sum − province_row",
                                metadata={"unit": "see unit"}),
        "relative_difference_share": pa.Column(float, description="difference ÷ province_row",
                                               metadata={"unit": "share"}),
        "within_tolerance": pa.Column(bool, description="|relative difference| ≤ 0.1 % "
                                      "(county.TOLERANCE)", metadata={"unit": "flag"}),
        "exception_reason": pa.Column(str, nullable=True, description="why a difference "
                                      "outside the tolerance is accepted (documented "
                                      "exception); null otherwise", metadata={"unit": "text"}),
    },
    strict=True, ordered=True, **one_row_per("census_year", "adcode", "column"),
    description="Leaves of census_county summed per province (and the 全国 row of 2020) "
                "against the printed rows, for every count column. One row per (census year, "
                "province, column).",
    metadata={"sources": FILES,
              "notes": "The build stops on a difference outside the tolerance that is not a "
                       "documented exception (county.KNOWN_EXCEPTIONS), and on an exception no "
                       "longer needed."},
)

SCHEMAS["census_county_crosswalk"] = pa.DataFrameSchema(
    {
        "census_year": _year(),
        "code": pa.Column("int64", description="leaf code of that year (census_county."
                          "county_code)", metadata={"unit": "adcode"}),
        "name_zh": text_column("name as printed that year"),
        "code_printed": pa.Column(bool, description="False for a synthetic code",
                                  metadata={"unit": "flag"}),
        "harmonised_code": pa.Column("int64", description="id of the harmonised 2010–2020 "
                                     "unit: its lowest printed 2020 code (a 2010 code when it "
                                     "has no 2020 member)", metadata={"unit": "adcode"}),
        "harmonised_name_zh": text_column("2020 names of the harmonised unit's members, "
                                          "joined by +"),
        "harmonised_prefecture_code": pa.Column(
            "int64", description="2020 prefecture of the harmonised unit (a unit of "
                                 "census_city_prefecture)", metadata={"unit": "adcode"}),
        "harmonised_adcode": adcode_column("province of the harmonised unit"),
        "relation": text_column("same (code and name), renamed (code, other name), recoded "
                                "(name or a documented change), merged (several codes of "
                                "either year), unresolved_merged (no partner found: pooled with "
                                "the districts of its prefecture), new_unmatched (a 2020 unit "
                                "founded after 2010 with nothing to pool with)",
                                isin=RELATIONS),
        "basis": text_column("evidence of the links: code and name, code (name changed), "
                             "name / base name within prefecture or province, documented "
                             "change (…), suspected swap (…), unresolved: pooled …"),
        "members_2010_count": pa.Column("int64", pa.Check.ge(0), description="2010 leaves in "
                                        "the harmonised unit", metadata={"unit": "count"}),
        "members_2020_count": pa.Column("int64", pa.Check.ge(0), description="2020 leaves in "
                                        "the harmonised unit", metadata={"unit": "count"}),
        "population_2010_persons": persons_column("2010 resident population of the harmonised unit",
                                                  nullable=True),
        "population_2020_persons": persons_column("2020 resident population of the harmonised unit",
                                                  nullable=True),
        "population_ratio": pa.Column(float, pa.Check.gt(0), nullable=True,
                                      description="population_2020 ÷ population_2010 of the "
                                      "harmonised unit (a diagnostic: far from 1 hints at an "
                                      "unrecorded boundary change)", metadata={"unit": "ratio"}),
    },
    strict=True, ordered=True, **one_row_per("census_year", "code"),
    description="Every leaf unit of 2010 and 2020 → its harmonised 2010–2020 unit, with the "
                "relation and the basis of the match. One row per (census year, code).",
    metadata={"sources": FILES,
              "notes": "Rules and the documented changes: src/analysis/sources/census_county/"
                       "NOTES.md and crosswalk.py."},
)

SCHEMAS["census_prefecture"] = pa.DataFrameSchema(
    {
        "census_year": _year("census year (2010 leaves summed through the crosswalk to the "
                             "2020 units)"),
        "prefecture_adcode": pa.Column("int64", pa.Check.in_range(110100, 659999),
                                       description="unit of census_city_prefecture (2020 "
                                       "code)", metadata={"unit": "adcode"}),
        "prefecture_name_zh": text_column("name of the unit (census_city_prefecture, 2020)"),
        "adcode": adcode_column(),
        "counties_count": pa.Column("int64", pa.Check.ge(0), description="leaf units summed "
                                    "(0: no leaf of that year, e.g. corps cities founded after "
                                    "2010)", metadata={"unit": "count"}),
        "population_persons": persons_column("resident population, sum of the leaves", nullable=True),
        "male_persons": persons_column("resident males", nullable=True),
        "female_persons": persons_column("resident females", nullable=True),
        "age_0_14_male_persons": persons_column("males aged 0–14", nullable=True),
        "age_0_14_female_persons": persons_column("females aged 0–14", nullable=True),
        "age_0_14_persons": persons_column("residents aged 0–14", nullable=True),
        "age_0_4_male_persons": persons_column("males aged 0–4", nullable=True),
        "age_0_4_female_persons": persons_column("females aged 0–4", nullable=True),
        "age_0_4_persons": persons_column("residents aged 0–4", nullable=True),
        "hukou_registered_persons": persons_column("2010 registered (hukou) population; null 2020",
                                                   nullable=True),
        "hukou_elsewhere_same_county_persons": persons_column("hukou in another township of the "
                                                        "same county", nullable=True),
        "hukou_elsewhere_other_county_persons": persons_column("hukou in another county of the "
                                                         "province", nullable=True),
        "hukou_elsewhere_other_province_persons": persons_column("hukou in another province", nullable=True),
        "census_city_population_persons": persons_column("census_city_prefecture.population_persons "
                                                   "(Dong et al.'s city table; 2010 adjusted "
                                                   "by them to the 2020 units)", nullable=True),
        "population_difference_persons": pa.Column("Int64", nullable=True,
                                                   description="population_persons − "
                                                   "census_city_population_persons",
                                                   metadata={"unit": "persons"}),
        "population_relative_difference_share": pa.Column(
            float, nullable=True, description="population_difference_persons ÷ "
            "census_city_population_persons", metadata={"unit": "share"}),
    },
    strict=True, ordered=True, **one_row_per("census_year", "prefecture_adcode"),
    description="County census leaves summed to the 367 mainland prefecture-level units of "
                "census_city_prefecture (the units we map), 2010 and 2020, compared with that "
                "table's population. One row per (census year, unit).",
    metadata={"sources": [*FILES, "census_city_2010_2020/census_city_2010-2020_v1.csv"],
              "notes": "A sum is missing when a leaf's value is missing. 2010 sums follow the "
                       "harmonised units of census_county_crosswalk, so they are comparable "
                       "with 2020 up to the unresolved pools (each inside one prefecture)."},
)


def _code(description: str, *, nullable: bool = True) -> pa.Column:
    return pa.Column("Int64" if nullable else "int64", nullable=nullable,
                     description=description, metadata={"unit": "adcode"})


SCHEMAS["place_gazetteer"] = pa.DataFrameSchema(
    {
        "level": text_column("level of the unit: province, prefecture, county (a leaf of "
                             "census_county; prefecture-level cities without counties such as "
                             "东莞 appear as a prefecture and as a county)", isin=LEVELS),
        "unit_code": pa.Column("int64", pa.Check.in_range(110000, 659_999_999),
                               description="code of the unit as printed in the census year(s) "
                               "of the row (GB/T 2260; a synthetic nine-digit code for a unit "
                               "printed without one, as in census_county)",
                               metadata={"unit": "adcode"}),
        "name_zh": text_column("full name of the unit as printed in the census year(s) of "
                               "the row (misprinted 巿 read as 市)"),
        "form": text_column("full: the name as printed that year; short: without its level "
                            "suffix (county: 县/区/市/旗/自治县/自治旗/林区/特区; prefecture: 市/"
                            "地区/盟/自治州/林区) and ethnic designation, at least two "
                            "characters, not an administrative area (开发区, 新区 …) nor a "
                            "generic word (市中, 城关 …)", isin=["full", "short"]),
        "form_length": pa.Column("int64", pa.Check.ge(2), description="the name form is the "
                                 "first form_length characters of name_zh (full: all of them; "
                                 "a short form is always the start of the full name — its "
                                 "length is published instead of the word, which may equal "
                                 "a child's given name such as 白云)",
                                 metadata={"unit": "characters"}),
        "census_years": text_column("census years whose workbook prints this unit code under "
                                    "this name: '2010', '2020' or '2010 2020'",
                                    isin=["2010", "2020", "2010 2020"]),
        "province_code": pa.Column("int64", pa.Check.isin(MAINLAND),
                                   description="province (adcode xx0000); for a county its "
                                   "harmonised unit's", metadata={"unit": "adcode"}),
        "prefecture_code": _code("2020 unit of census_prefecture the unit lies in (a county: "
                                 "its harmonised unit's prefecture; a 2010 prefecture: the "
                                 "2020 unit all its leaves went to; null for a province and "
                                 "for a 2010 prefecture split between 2020 units, e.g. 巢湖 "
                                 "341400, 四平 220300 and 资阳 512000, whose leaves moved "
                                 "partly elsewhere, are their own 2020 units)"),
        "county_code": _code("county rows: the leaf code a posting placed here gets — the "
                             "2020 code of a 2010 leaf with a single 2020 successor (relation "
                             "same, renamed or recoded in census_county_crosswalk), else its "
                             "own code; null for other levels"),
        "harmonised_code": _code("county rows: harmonised 2010–2020 unit "
                                 "(census_county_crosswalk.harmonised_code); null otherwise"),
        "unique_in_prefecture": flag_column("no other unit of the same level in the same 2020 "
                                      "prefecture has this name form (either year; a 2010 "
                                      "unit and its 2020 successor are one unit)"),
        "unique_in_province": flag_column("no other unit of the same level in the province has "
                                    "this name form"),
        "unique_in_country": flag_column("no other unit of the same level in the country has this "
                                   "name form"),
    },
    strict=True, ordered=True, **one_row_per("level", "unit_code", "name_zh", "form"),
    description="Place gazetteer: every province, prefecture and county unit of the 2010 and "
                "2020 county census with its name forms (full and short, both years' names). "
                "Names and codes only, no posting data. One row per (level, unit code, name, "
                "form).",
    metadata={"sources": FILES,
              "notes": "Ambiguity rules: a short form shared by two units of a province is not "
                       "listed (not used), nor a county short form equal to a prefecture name "
                       "of its province (长沙 of 长沙县); the matcher of the case steps uses a "
                       "county name inside a known prefecture when unique_in_prefecture, inside "
                       "a province when unique_in_province, a prefecture name when "
                       "unique_in_province. Built by analysis.sources.census_county.gazetteer "
                       "from census_county_units, census_county_crosswalk and "
                       "census_prefecture."},
)
