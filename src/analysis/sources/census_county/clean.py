"""County-level 2010 and 2020 census yearbook tables (Dong et al., leiii/census).

Both workbooks are read once (calamine, :mod:`.sheets`); every raw row is classified (province,
prefecture, county, uncoded subtotal, uncoded unit, blank …) and given its parent and leaf flag;
the leaves partition each province exactly. Tables built (schemas in :mod:`.schema`):

``census_county_units``
    every coded row of both files: census year, code, name as printed, level, leaf flag,
    prefecture code and province adcode (the input of the place gazetteer).
``census_county``
    one row per leaf unit and census year: population by sex and age, registered and
    hukou-elsewhere population, urban/rural, households, schooling and occupation
    (:mod:`.county`: cell repairs, each noted).
``census_county_province_check``
    leaves summed per province (and 全国 2020) against the printed rows, per count column.
``census_county_crosswalk``
    every leaf of both years → its harmonised 2010–2020 unit (:mod:`.crosswalk`).
``census_prefecture``
    the leaves summed to the prefecture units of ``census_city_prefecture``, both years
    (2010 through the crosswalk), compared with that table's population.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.census_county import county, crosswalk, sheets
from analysis.sources.census_county.sheets import FILES, Sheet

UNITS_TABLE = "census_county_units"
COUNTY_TABLE = "census_county"
CHECK_TABLE = "census_county_province_check"
CROSSWALK_TABLE = "census_county_crosswalk"
PREFECTURE_TABLE = "census_prefecture"
CITY_TABLE = "census_city_prefecture"

#: Tables this step reads (the prefecture units we map) and builds.
NEEDS = (CITY_TABLE,)
PROVIDES = (UNITS_TABLE, COUNTY_TABLE, CHECK_TABLE, CROSSWALK_TABLE, PREFECTURE_TABLE)

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
#: drop reasons of census_county (rows that are not leaves)
NOT_LEAF = {
    "province": "province row (checked against its leaves in census_county_province_check)",
    "prefecture": "prefecture row subdivided by the county rows under it (not a leaf)",
}


def required_columns(year: int) -> list[str]:
    """Normalised raw columns the step reads from the workbook of ``year``."""
    return [sheets.CODE_COLUMN, sheets.NAME_COLUMN[year], *county.raw_columns(year)]


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


def note_sheet_defects(account: RowAccount, sheet: Sheet) -> None:
    """Defects of the workbook itself, as notes of ``account``."""
    name = FILES[sheet.year]
    for row, printed, corrected in sheet.corrected:
        account.note(name, f"row {row}: code {printed} misprinted, read as {corrected} "
                     "(see sheets.CODE_CORRECTIONS)")
    for cell in sheet.fused:
        account.note(name, f"fused cell (two numbers run together): {cell.describe()}")
    account.note(name, "numeric cells printed NA (not available), read as missing",
                 sheet.na_cells)
    account.note(name, "column names normalised (line breaks removed, ASCII brackets made "
                 "full-width, e.g. 45-49岁（女)) — columns", sheet.renamed_headers)


def county_year(sheet: Sheet, rows: pd.DataFrame, account: RowAccount
                ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series | None]:
    """``census_county`` rows of one year, the same count columns of its province rows (by
    adcode) and of its 全国 row (None in 2010)."""
    year, name = sheet.year, FILES[sheet.year]
    raw_cols = county.raw_columns(year)
    f = sheet.frame.set_index(pd.Index(sheet.rows, name="row"))
    c = rows.set_index("row")
    account.add_read(name, len(c))
    for kind, reason in {**ROW_REASONS, **NOT_LEAF}.items():
        if kind == "uncoded_unit":
            continue  # kept: a leaf under a synthetic code
        n = int(((c["kind"] == kind) & ~c["is_leaf"]).sum())
        account.drop(name, reason, n)
    leaves = c[c["is_leaf"]]
    account.add_kept(name, len(leaves))
    prov = c[c["kind"] == "province"]
    province_raw = f.loc[prov.index, raw_cols].set_index(prov["code"].astype("int64").to_numpy())
    adcode = leaves["adcode"].astype("int64")
    fused = {(cell.row, cell.column): cell.text for cell in sheet.fused}
    log = county.CellLog()
    values = county.repair_cells(f.loc[leaves.index, raw_cols], province_raw, adcode,
                                 leaves["name_zh"], year, fused, log)
    for reason, n in sorted(log.counts.items()):
        account.note(name, f"cells: {reason}", n)
    counts = county.published(values, year)
    notes = pd.Series({r: "; ".join(v) for r, v in log.notes.items()}, dtype=object)
    swaps = {c1: why for c1, c2, why in crosswalk.SUSPECTED_SWAPS} | {
        c2: why for c1, c2, why in crosswalk.SUSPECTED_SWAPS}
    out = pd.DataFrame({
        "census_year": year,
        "county_code": leaves["code"].astype("int64"),
        "county_name_zh": leaves["name_zh"].astype(str),
        "code_printed": leaves["code_printed"].astype(bool),
        "prefecture_code": leaves["prefecture_code"].astype("int64"),
        "adcode": adcode,
    })
    out = pd.concat([out, counts.round().astype("Int64")], axis=1)
    share = counts["agriculture_occupation_sample_persons"] / counts["employed_sample_persons"]
    out["agriculture_occupation_share"] = share.where(counts["employed_sample_persons"] > 0)
    cell_repairs = notes.reindex(out.index).fillna("")
    if year == 2010:
        extra = out["county_code"].map(swaps).fillna("")
        cell_repairs = (cell_repairs + np.where((cell_repairs != "") & (extra != ""), "; ", "")
                      + extra)
    out["cell_repairs"] = cell_repairs.where(cell_repairs != "", None).astype(object)
    out = out.reset_index(drop=True)
    provinces = county.published(province_raw, year)
    national = None
    nat = c.index[c["kind"] == "national"]
    if len(nat):
        national = county.published(f.loc[nat, raw_cols], year).iloc[0]
    return out, provinces, national


def crosswalk_table(tables: dict[int, pd.DataFrame]) -> pd.DataFrame:
    """``census_county_crosswalk`` from the ``census_county`` rows of both years."""
    def leaves(t: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame({"code": t["county_code"], "name_zh": t["county_name_zh"],
                             "prefecture_code": t["prefecture_code"], "adcode": t["adcode"],
                             "population": t["population_persons"].astype("float64")})
    out = crosswalk.build_crosswalk(leaves(tables[2010]), leaves(tables[2020]),
                                    file_2010=FILES[2010], file_2020=FILES[2020])
    out["population_ratio"] = out["population_2020_persons"] / out["population_2010_persons"]
    for col in ("population_2010_persons", "population_2020_persons"):
        out[col] = out[col].round().astype("Int64")
    return out


#: census_county columns summed to prefectures
PREFECTURE_SUMS = ["population_persons", "male_persons", "female_persons",
                   "age_0_14_male_persons", "age_0_14_female_persons", "age_0_14_persons",
                   "age_0_4_male_persons", "age_0_4_female_persons", "age_0_4_persons",
                   "hukou_registered_persons", "hukou_elsewhere_same_county_persons",
                   "hukou_elsewhere_other_county_persons",
                   "hukou_elsewhere_other_province_persons"]


def prefecture_table(tables: dict[int, pd.DataFrame], xwalk: pd.DataFrame,
                     city: pd.DataFrame, account: RowAccount) -> pd.DataFrame:
    """``census_prefecture``: leaves summed to the mainland units of ``census_city_prefecture``
    (2020 leaves by their prefecture, 2010 leaves by the prefecture of their harmonised unit),
    with ``census_city_prefecture``'s population beside them."""
    units = city[(city["census_year"] == 2020) & (city["adcode"] // 10000 < 71)]
    codes = set(units["prefecture_adcode"])
    target = xwalk.set_index(["census_year", "code"])["harmonised_prefecture_code"]
    frames = []
    for year, t in tables.items():
        name = FILES[year]
        account.add_read(name, len(t))
        pref = (t["prefecture_code"] if year == 2020 else
                pd.Series(target.loc[year].reindex(t["county_code"]).to_numpy(),
                          index=t.index))
        unknown = ~pref.isin(codes)
        if unknown.any():
            i = int(np.flatnonzero(unknown.to_numpy())[0])
            raise DataError(name, f"unit {t['county_code'].iat[i]} falls in prefecture "
                            f"{pref.iat[i]}, which is not a unit of {CITY_TABLE}")
        account.add_kept(name, len(t))
        g = t.assign(prefecture_adcode=pref.to_numpy()).groupby("prefecture_adcode")
        sums = g[PREFECTURE_SUMS].sum(min_count=1)
        missing = t[PREFECTURE_SUMS].isna().groupby(pref.to_numpy()).any()
        sums = sums.where(~missing)  # a sum over a unit with a missing cell is not published
        for col in PREFECTURE_SUMS:
            account.note(name, f"{year}: prefecture sum of {col} left missing (a unit "
                         "has no figure)", int((missing[col] & g[col].count().gt(0)).sum()))
        sums["counties_count"] = g.size()
        sums = sums.reindex(sorted(codes))
        sums["counties_count"] = sums["counties_count"].fillna(0).astype("int64")
        sums.insert(0, "census_year", year)
        frames.append(sums.rename_axis("prefecture_adcode").reset_index())
    out = pd.concat(frames, ignore_index=True)
    names = units.set_index("prefecture_adcode")
    out["prefecture_name_zh"] = out["prefecture_adcode"].map(names["prefecture_name_zh"])
    out["adcode"] = out["prefecture_adcode"].map(names["adcode"]).astype("int64")
    city_pop = city.set_index(["census_year", "prefecture_adcode"])["population_persons"]
    out["census_city_population_persons"] = pd.array(
        [city_pop.get((y, p), pd.NA) for y, p in zip(out["census_year"],
                                                      out["prefecture_adcode"], strict=True)],
        dtype="Int64")
    for col in PREFECTURE_SUMS:
        out[col] = out[col].round().astype("Int64")
    diff = out["population_persons"] - out["census_city_population_persons"]
    out["population_difference_persons"] = diff.astype("Int64")
    out["population_relative_difference_share"] = (
        diff.astype("Float64") / out["census_city_population_persons"].astype("Float64")
    ).astype("float64")
    cols = ["census_year", "prefecture_adcode", "prefecture_name_zh", "adcode",
            "counties_count", *PREFECTURE_SUMS, "census_city_population_persons",
            "population_difference_persons", "population_relative_difference_share"]
    return out[cols].sort_values(["census_year", "prefecture_adcode"], ignore_index=True)


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``sources.census_county``: the five county census tables (needs
    ``census_city_prefecture`` for the prefecture units)."""
    read = {year: read_year(ctx, year) for year in FILES}
    rows = {year: c for year, (_, c) in read.items()}
    units_account = RowAccount(UNITS_TABLE)
    units = units_table(rows, units_account)
    county_account = RowAccount(COUNTY_TABLE)
    tables, provinces, national = {}, {}, {}
    for year, (sheet, c) in read.items():
        note_sheet_defects(units_account, sheet)
        note_sheet_defects(county_account, sheet)
        tables[year], provinces[year], nat = county_year(sheet, c, county_account)
        if nat is not None:
            national[year] = nat
    county_table = pd.concat(tables.values(), ignore_index=True)
    leaves = {y: t for y, t in tables.items()}
    check = county.province_check(leaves, provinces, national, files=FILES)
    check_account = RowAccount(CHECK_TABLE)
    for year in FILES:  # one check row per (province or 全国) × column, from the leaf rows
        check_account.add_read(FILES[year], len(tables[year]))
        check_account.add_kept(FILES[year], len(tables[year]))
    xwalk = crosswalk_table(tables)
    xwalk_account = RowAccount(CROSSWALK_TABLE)
    for year in FILES:
        n = int((xwalk["census_year"] == year).sum())
        xwalk_account.add_read(FILES[year], len(tables[year]))
        xwalk_account.add_kept(FILES[year], n)
        for relation, k in xwalk[xwalk["census_year"] == year]["relation"].value_counts(
                ).sort_index().items():
            xwalk_account.note(FILES[year], f"relation {relation}", int(k))
    pref_account = RowAccount(PREFECTURE_TABLE)
    prefectures = prefecture_table(tables, xwalk, ctx.tables[CITY_TABLE], pref_account)
    return [CleanTable(UNITS_TABLE, units, units_account),
            CleanTable(COUNTY_TABLE, county_table, county_account),
            CleanTable(CHECK_TABLE, check, check_account),
            CleanTable(CROSSWALK_TABLE, xwalk, xwalk_account),
            CleanTable(PREFECTURE_TABLE, prefectures, pref_account)]
