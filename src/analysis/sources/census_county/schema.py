"""Schemas of the county census tables (``census_county_*``)."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import adcode_column, one_row_per, text_column

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
