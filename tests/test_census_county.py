"""census_county: the county census yearbooks (leaves, province check, crosswalk, prefectures).

Real-data checks recompute what they test a second, simpler way (the raw read by pandas on its
own, the NBS provincial tables of another source); synthetic workbooks written with openpyxl
test the leaf rule, the fused-cell rule, a truncated file and a renamed column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.pipeline import run_steps
from analysis.sources.census_county import clean, county, crosswalk, sheets
from analysis.vocab.provinces import MAINLAND31

RAW = Path("census_county_2010_2020")
NATIONAL_2020 = 1_409_778_724  # 7th census bulletin No. 1: population of the 31 provinces


@pytest.fixture(scope="module")
def built(raw_data):
    return run_steps(["sources.census_county"], log=lambda s: None)


@pytest.fixture(scope="module")
def raw_frames(raw_data):
    """The two workbooks read by pandas alone (header row 1), independent of the room's
    reader."""
    return {
        2010: pd.read_excel(raw_data / RAW / "census_county_2010_v1.xlsx", sheet_name="Sheet1",
                            engine="calamine"),
        2020: pd.read_excel(raw_data / RAW / "census_county_2020_v1.xlsx",
                            sheet_name="七普（年鉴）", engine="calamine"),
    }


# -- real data ---------------------------------------------------------------------------------

def test_leaf_units_per_year_and_balanced_accounts(built):
    t = built["census_county"].frame
    n = t.groupby("census_year").size()
    assert n[2010] >= 2800 and n[2020] >= 2800
    for name in clean.PROVIDES:
        acc = built[name].account.check()
        assert sum(acc.read.values()) > 0
    acc = built["census_county"].account
    assert acc.read[sheets.FILE_2010] == 3279 and acc.read[sheets.FILE_2020] == 3358
    units = built["census_county_units"].frame
    # the leaves are the coded leaves of the unit list plus the uncoded units
    for year in (2010, 2020):
        coded = units[(units["census_year"] == year) & units["is_leaf"]]
        mine = t[(t["census_year"] == year) & t["code_printed"]]
        assert set(coded["code"]) == set(mine["county_code"])


def test_units_list_every_coded_raw_row(built, raw_frames):
    units = built["census_county_units"].frame
    for year, raw in raw_frames.items():
        codes = pd.to_numeric(raw["区划代码"], errors="coerce").dropna().astype("int64")
        codes = codes.replace({170971: 140971})  # the one misprint, corrected by the room
        got = units.loc[units["census_year"] == year, "code"]
        assert sorted(got) == sorted(codes)
    # 438 of 2020's codes are not among 2010's (the source README says so)
    c10 = set(units.loc[units["census_year"] == 2010, "code"])
    c20 = set(units.loc[units["census_year"] == 2020, "code"])
    assert len(c20 - c10) == 438


def test_leaves_sum_to_the_province_rows_read_independently(built, raw_frames):
    """Population, males, females and the children's bands of the leaves equal the province
    rows of the raw, read with pandas and picked by code (xx0000) — exactly."""
    t = built["census_county"].frame
    pairs = {2010: {"population_persons": "合计", "male_persons": "男", "female_persons": "女",
                    "age_0_male_persons": "0岁（男）", "age_1_4_female_persons": "1-4岁（女）"},
             2020: {"population_persons": "人口数_合计", "male_persons": "人口数_男",
                    "female_persons": "人口数_女", "age_0_male_persons": "男_0岁",
                    "age_1_4_female_persons": "女_1到4岁"}}
    for year, raw in raw_frames.items():
        code = pd.to_numeric(raw["区划代码"], errors="coerce")
        prov = raw[(code % 10000 == 0)].copy()
        prov["adcode"] = code[code % 10000 == 0].astype(int)
        assert sorted(prov["adcode"]) == sorted(MAINLAND31)
        sums = t[t["census_year"] == year].groupby("adcode")
        for mine, theirs in pairs[year].items():
            expected = prov.set_index("adcode")[theirs].astype("int64")
            got = sums[mine].sum().astype("int64")
            assert (got - expected.reindex(got.index)).abs().max() == 0, (year, mine)


def test_national_2020_total(built, raw_frames):
    t = built["census_county"].frame
    assert int(t.loc[t["census_year"] == 2020, "population_persons"].sum()) == NATIONAL_2020
    raw = raw_frames[2020]
    assert int(raw.loc[raw["区县"] == "全国", "人口数_合计"].iloc[0]) == NATIONAL_2020
    check = built["census_county_province_check"].frame
    nat = check[(check["adcode"] == 100000) & (check["column"] == "population_persons")]
    assert len(nat) == 1 and nat["difference"].iloc[0] == 0


def test_province_check_within_tolerance_or_documented(built):
    check = built["census_county_province_check"].frame
    outside = check[~check["within_tolerance"]]
    assert outside["exception_reason"].notna().all()
    assert check.loc[check["within_tolerance"], "exception_reason"].isna().all()
    assert set(zip(outside["census_year"], outside["adcode"], outside["column"],
                   strict=True)) == set(county.KNOWN_EXCEPTIONS)
    # the population and children's columns are exact in every province
    exact = check[check["column"].str.match(r"(population|male|female|age_0_14|age_0_4)_")]
    assert (exact["difference"] == 0).all()
    # recompute one row by hand
    t = built["census_county"].frame
    row = check[(check["census_year"] == 2010) & (check["adcode"] == 420000)
                & (check["column"] == "employed_sample_persons")].iloc[0]
    hubei = t[(t["census_year"] == 2010) & (t["adcode"] == 420000)]
    assert row["leaves_sum"] == hubei["employed_sample_persons"].sum()
    assert row["leaves_missing_count"] == 1  # the fused cell of 梁子湖区


def test_fused_cells_become_missing_with_a_reason(built):
    t = built["census_county"].frame.set_index(["census_year", "county_code"])
    lzh = t.loc[(2010, 420702)]
    assert pd.isna(lzh["employed_sample_persons"])
    assert "fused" in lzh["cell_repairs"] and "8842" in lzh["cell_repairs"]
    notes = built["census_county"].account.notes
    fused = [r for (_, r) in notes if r.startswith("fused cell")]
    assert len(fused) == 2 and any("row 1781" in r for r in fused)


def test_hukou_elsewhere_agrees_with_the_nbs_provincial_tables(built, raw_data):
    """An independent publication: the NBS 2010 yearbook table and the 2020 table of
    census_hukou_province (people living away from their hukou township)."""
    hukou = run_steps(["sources.census_hukou"], log=lambda s: None)["census_hukou_province"]
    h = hukou.frame.set_index(["census_year", "adcode"])
    t = built["census_county"].frame.groupby(["census_year", "adcode"]).sum(numeric_only=True)
    for year in (2010, 2020):
        other = t.loc[year, "hukou_elsewhere_other_province_persons"]
        assert (other - h.loc[year, "other_province_persons"]).abs().max() == 0
    same = t.loc[2010, "hukou_elsewhere_same_county_persons"]
    assert (same - h.loc[2010, "same_county_persons"]).abs().max() == 0


def test_crosswalk_covers_every_code_of_both_years_once(built):
    x = built["census_county_crosswalk"].frame
    t = built["census_county"].frame
    assert not x.duplicated(["census_year", "code"]).any()
    assert set(zip(x["census_year"], x["code"], strict=True)) == set(
        zip(t["census_year"], t["county_code"], strict=True))
    g = x.groupby("harmonised_code")
    assert (g["harmonised_prefecture_code"].nunique() == 1).all()  # units stay in a prefecture
    members = g.apply(lambda d: pd.Series({"n10": (d["census_year"] == 2010).sum(),
                                           "n20": (d["census_year"] == 2020).sum()}))
    first = g.first()
    assert (members["n10"] == first["members_2010_count"]).all()
    assert (members["n20"] == first["members_2020_count"]).all()
    one = x[x["relation"].isin(["same", "renamed", "recoded"])]
    assert (one["members_2010_count"] == 1).all() and (one["members_2020_count"] == 1).all()
    same = x[x["relation"] == "same"]
    assert (same.groupby("harmonised_code")["code"].nunique() == 1).all()
    # harmonised populations add up to the national totals of both years
    units = x.drop_duplicates("harmonised_code")
    assert units["population_2020_persons"].sum() == NATIONAL_2020
    assert units["population_2010_persons"].sum() == t.loc[t["census_year"] == 2010,
                                                           "population_persons"].sum()


def test_crosswalk_known_changes(built):
    x = built["census_county_crosswalk"].frame.set_index(["census_year", "code"])
    # 崇文区 merged into 东城区 (2010): one harmonised unit
    assert x.loc[(2010, 110103), "harmonised_code"] == x.loc[(2020, 110101), "harmonised_code"]
    assert x.loc[(2010, 110103), "relation"] == "merged"
    # 富阳市 → 富阳区: recoded by name within the prefecture
    assert x.loc[(2010, 330183), "harmonised_code"] == 330111
    assert x.loc[(2010, 330183), "relation"] == "recoded"
    # 万盛区 + 綦江县 → 綦江区 (code 500110 reused): merged, found by code and name
    assert x.loc[(2010, 500222), "harmonised_code"] == 500110
    # a development zone without a 2010 counterpart is pooled, not left alone
    assert x.loc[(2020, 130171), "relation"] == "unresolved_merged"


def test_prefecture_table(built, prefectures):
    p = built["census_prefecture"].frame
    t = built["census_county"].frame
    for year in (2010, 2020):
        q = p[p["census_year"] == year]
        assert q["population_persons"].notna().sum() >= 330
        assert q["population_persons"].sum() == t.loc[t["census_year"] == year,
                                                      "population_persons"].sum()
    # 2020 recomputed from the leaves' own prefecture codes
    leaves = t[t["census_year"] == 2020].groupby("prefecture_code")["age_0_14_persons"].sum()
    q = p[p["census_year"] == 2020].set_index("prefecture_adcode")["age_0_14_persons"]
    assert (q.reindex(leaves.index) == leaves).all()
    mainland = prefectures[(prefectures["census_year"] == 2020)
                           & (prefectures["adcode"] < 710000)]
    assert set(p["prefecture_adcode"]) == set(mainland["prefecture_adcode"])


# -- synthetic workbooks -----------------------------------------------------------------------

def _row(name: str, code: int | None, pop: int, year: int = 2010) -> dict:
    """A raw row whose every count is consistent: males = females = pop / 2, each sex's bands
    0 / 1–4 / 5–9 / 10–14 = 1 / 2 / 3 / 4 and the rest in 20–24; all urban."""
    half = pop // 2
    row = {c: 0 for c in county.raw_columns(year)}
    row.update({sheets.NAME_COLUMN[year]: name, sheets.CODE_COLUMN: code,
                 county.TOTAL[year]: 2 * half})
    for sex in county.SEXES:
        row[county.SEX_TOTAL[(year, sex)]] = half
        for band, v in (("0", 1), ("1_4", 2), ("5_9", 3), ("10_14", 4), ("20_24", half - 10)):
            row[county.band_column(year, band, sex)] = v
    row[county.URBAN[year]] = 2 * half
    return row


def _sum(name: str, code: int | None, rows: list[dict]) -> dict:
    out = dict(rows[0])
    for k in out:
        if k not in (sheets.NAME_COLUMN[2010], sheets.CODE_COLUMN):
            out[k] = sum(r[k] for r in rows)
    out.update({sheets.NAME_COLUMN[2010]: name, sheets.CODE_COLUMN: code})
    return out


def _write(path: Path, rows: list[dict], *, rename: dict | None = None) -> Path:
    from openpyxl import Workbook

    header = [sheets.NAME_COLUMN[2010], sheets.CODE_COLUMN,
              *[c for c in county.raw_columns(2010)]]
    wb = Workbook()
    ws = wb.active
    ws.title = sheets.SHEETS[2010]
    ws.append([(rename or {}).get(h, h) for h in header])
    for r in rows:
        ws.append([r.get(h) for h in header])
    wb.save(path)
    return path


def _tiny(tmp_path: Path, **kw) -> Path:
    a, b = _row("  甲区", 110101, 1000), _row("  乙县", 110228, 600)
    c, d = _row("  丙县", 130121, 400), _row("  丁县", 130122, 200)
    e = _row("戊市", 130200, 300)
    return _write(tmp_path / "tiny.xlsx", [
        _sum("北京市", 110000, [a, b]), _sum("市辖区", None, [a]), a, _sum("县", None, [b]), b,
        {},  # blank separator row
        _sum("河北省", 130000, [c, d, e]), _sum("石家庄市", 130100, [c, d]), c, d,
        e, _sum("  市辖区", None, [e]),  # a prefecture-level city without counties
    ], **kw)


def _read(path: Path) -> tuple[sheets.Sheet, pd.DataFrame]:
    sheet = sheets.read_sheet(path, 2010, clean.required_columns(2010))
    return sheet, sheets.classify(sheet)


def test_synthetic_leaves_skip_subtotals_and_keep_a_city_without_counties(tmp_path):
    sheet, rows = _read(_tiny(tmp_path))
    leaves = rows[rows["is_leaf"]]
    assert sorted(leaves["code"].astype(int)) == [110101, 110228, 130121, 130122, 130200]
    kinds = rows.set_index("row")["kind"]
    assert kinds[3] == "subtotal" and kinds[7] == "blank" and kinds[13] == "subtotal"
    assert rows.loc[rows["code"] == 110228, "prefecture_code"].iloc[0] == 110100
    table, provinces, _ = clean.county_year(sheet, rows, RowAccount("t"))
    sums = table.groupby("adcode")["population_persons"].sum()
    assert (sums == provinces["population_persons"].reindex(sums.index)).all()


def test_synthetic_fused_cell_is_missing_with_a_reason(tmp_path):
    path = _tiny(tmp_path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    header = [c.value for c in ws[1]]
    col = header.index("各种职业人口总计") + 1
    ws.cell(row=10, column=col, value="8842   30")  # 丙县
    wb.save(path)
    sheet, rows = _read(path)
    assert [(f.row, f.column) for f in sheet.fused] == [(10, "各种职业人口总计")]
    acc = RowAccount("t")
    table, _, _ = clean.county_year(sheet, rows, acc)
    bing = table.set_index("county_code").loc[130121]
    assert pd.isna(bing["employed_sample_persons"])
    assert "fused" in bing["cell_repairs"]
    assert acc.notes[(sheets.FILE_2010, "cells: fused cell set missing")] == 1


def test_synthetic_text_in_a_numeric_cell_is_an_error_naming_row_and_column(tmp_path):
    path = _tiny(tmp_path)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    wb.active.cell(row=10, column=3, value="约400")
    wb.save(path)
    with pytest.raises(DataError, match=r"row 10.*'合计'.*not a number"):
        _read(path)


def test_synthetic_renamed_column_is_an_error_naming_it(tmp_path):
    path = _tiny(tmp_path, rename={"户籍人口": "户籍人口数"})
    with pytest.raises(DataError, match="户籍人口"):
        _read(path)


def test_synthetic_truncated_workbook_is_a_clear_error(tmp_path):
    path = _tiny(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match="not a readable xlsx"):
        _read(path)


def test_band_cell_corrected_only_when_unit_and_province_agree():
    """Bands of 丙 overshoot its male total by 30 and the province's 20–24 band overshoots
    its row by 30: that cell is corrected. 丁's bands miss by 5 with no province match:
    its male bands become missing."""
    cols = county.raw_columns(2010)
    rows = pd.DataFrame([_row("丙", 1, 400), _row("丁", 2, 200)], index=[10, 11])[cols]
    rows = rows.astype("float64")
    province = rows.set_axis([130000, 140000])  # one unit per province: rows = province rows
    province = province.copy()
    band = county.band_column(2010, "20_24", "male")
    five = county.band_column(2010, "5_9", "male")
    rows.loc[10, band] += 30
    rows.loc[11, five] -= 5
    province.loc[140000, five] -= 5  # the province row agrees with 丁: no trace of the cell
    log = county.CellLog()
    out = county.repair_cells(rows, province, pd.Series([130000, 140000], index=[10, 11]),
                              pd.Series(["丙", "丁"], index=[10, 11]), 2010, {}, log)
    assert out.loc[10, band] == rows.loc[10, band] - 30
    assert out.loc[11, [county.band_column(2010, b, "male") for b in county.BANDS]].isna().all()
    assert np.isfinite(out.loc[11, county.band_column(2010, "0", "female")])


def test_province_check_fails_on_an_undocumented_difference():
    leaves = {2010: pd.DataFrame({"adcode": [110000, 110000], **{
        c: [1.0, 2.0] for c in county.COUNT_COLUMNS}})}
    provinces = {2010: pd.DataFrame({c: [3.0] for c in county.COUNT_COLUMNS}, index=[110000])}
    out = county.province_check(leaves, provinces, {}, exceptions={})
    assert out["within_tolerance"].all()
    provinces[2010].loc[110000, "population_persons"] = 4.0
    with pytest.raises(DataError, match=r"population_persons.*KNOWN_EXCEPTIONS"):
        county.province_check(leaves, provinces, {}, exceptions={})
    ok = county.province_check(leaves, provinces, {},
                               exceptions={(2010, 110000, "population_persons"): "why"})
    assert ok["exception_reason"].notna().sum() == 1
    provinces[2010].loc[110000, "population_persons"] = 3.0
    with pytest.raises(DataError, match="within tolerance now"):
        county.province_check(leaves, provinces, {},
                              exceptions={(2010, 110000, "population_persons"): "why"})


def test_synthetic_crosswalk_relations():
    def frame(rows):
        return pd.DataFrame(rows, columns=["code", "name_zh", "prefecture_code", "adcode",
                                           "population"])
    a = frame([(330101, "上城区", 330100, 330000, 10.0), (330281, "余姚县", 330200, 330000, 5.0),
               (330104, "江干区", 330100, 330000, 8.0), (330122, "桐庐县", 330100, 330000, 4.0)])
    b = frame([(330102, "上城区", 330100, 330000, 12.0), (330285, "余姚市", 330200, 330000, 6.0),
               (330122, "桐庐县", 330100, 330000, 4.0), (330171, "某开发区", 330100, 330000, 3.0)])
    x = crosswalk.build_crosswalk(a, b, changes=(), swaps=()).set_index(["census_year", "code"])
    assert x.loc[(2020, 330122), "relation"] == "same"
    assert x.loc[(2010, 330281), "relation"] == "recoded"  # base name 余姚
    assert x.loc[(2010, 330281), "harmonised_code"] == 330285
    # 上城区 recoded by name; 江干区 has no partner: pooled with the districts, the
    # development zone too; the county 桐庐县 stays on its own
    pooled = x[x["relation"] == "unresolved_merged"]
    assert {(2010, 330104), (2020, 330171), (2010, 330101), (2020, 330102)} <= set(pooled.index)
    assert x.loc[(2010, 330104), "harmonised_code"] == x.loc[(2020, 330171), "harmonised_code"]
    assert (2020, 330122) not in set(pooled.index)
    with pytest.raises(DataError, match="no 2010 leaf"):
        crosswalk.build_crosswalk(a, b, changes=((999999, 330102, "x"),), swaps=())
