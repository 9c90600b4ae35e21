"""County-level 2010 and 2020 census yearbook tables (Dong et al., leiii/census).

Both workbooks are read once (calamine, :mod:`.sheets`); every raw row is classified (province,
prefecture, county, uncoded subtotal, uncoded unit, blank …) and given its parent and leaf flag.
Tables built:

``census_county_units``
    every coded row of both files: census year, code, name as printed, level, leaf flag,
    prefecture code and province adcode (the input of the place gazetteer).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.census_county import sheets
from analysis.sources.census_county.sheets import FILES, Sheet

UNITS_TABLE = "census_county_units"

#: Tables this step builds.
NEEDS: tuple[str, ...] = ()
PROVIDES = (UNITS_TABLE,)

#: drop reasons of the raw rows that are not coded units, by row kind
ROW_REASONS = {
    "blank": "blank separator row (no name, no figure)",
    "national": "全国 national total row (no code; checked against the leaves)",
    "not_data": "row without any figure (2010: a forum watermark, and 南沙群岛 and "
                "中沙群岛的岛礁及其海域 with no resident population)",
    "subtotal": "uncoded subtotal row (市辖区, 县, 省直辖县级行政区划 …): sums units listed "
                "under it",
    "uncoded_unit": "real unit printed without a code (2010: 大兴安岭's districts, 平桂管理区, "
                    "西沙群岛, Qinghai's 行委; 2020: development zones and 管理区): not a coded "
                    "row (a leaf of census_county under a synthetic code)",
    "uncoded_part": "uncoded part of a coded leaf (2020: 三沙市's three island groups, which sum "
                    "to its row)",
}


def required_columns(year: int) -> list[str]:
    """Normalised raw columns the step reads from the workbook of ``year``."""
    cols = [sheets.CODE_COLUMN, sheets.NAME_COLUMN[year], sheets.POPULATION_COLUMN[year]]
    return cols


def read_year(ctx: BuildContext, year: int) -> tuple[Sheet, pd.DataFrame]:
    """The workbook of ``year``, read once, and the classification of its rows."""
    sheet = sheets.read_sheet(ctx.raw(FILES[year]), year, required_columns(year),
                              file_id=FILES[year])
    return sheet, sheets.classify(sheet)


def units_table(rows: dict[int, pd.DataFrame], account: RowAccount) -> pd.DataFrame:
    """``census_county_units``: the coded rows of both years, in file order."""
    frames = []
    for year, c in rows.items():
        name = FILES[year]
        account.add_read(name, len(c))
        coded = c["kind"].isin(["province", "prefecture", "county"])
        for kind, reason in ROW_REASONS.items():
            account.drop(name, reason, int((c["kind"] == kind).sum()))
        account.add_kept(name, int(coded.sum()))
        k = c[coded]
        frames.append(pd.DataFrame({
            "census_year": year,
            "code": k["code"].astype("int64"),
            "name_zh": k["name_zh"].astype(str),
            "level": k["level"].astype(str),
            "is_leaf": k["is_leaf"].astype(bool),
            "prefecture_code": k["prefecture_code"].astype("Int64"),
            "adcode": k["adcode"].astype("int64"),
            "source_row": k["row"].astype("int64"),
        }))
    out = pd.concat(frames, ignore_index=True)
    out.loc[out["level"] == "province", "prefecture_code"] = pd.NA
    return out


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``sources.census_county``: the county census tables."""
    read = {year: read_year(ctx, year) for year in FILES}
    rows = {year: c for year, (_, c) in read.items()}
    units_account = RowAccount(UNITS_TABLE)
    units = units_table(rows, units_account)
    for year, (sheet, _) in read.items():
        for row, printed, corrected in sheet.corrected:
            units_account.note(FILES[year], f"row {row}: code {printed} misprinted, read as "
                               f"{corrected} (see CODE_CORRECTIONS)")
    return [CleanTable(UNITS_TABLE, units, units_account)]
