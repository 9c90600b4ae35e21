"""migration_od: parsing of the five NBS O–D tables, consistency checks, totals and rates.

Independent recomputations use the raw JSON with plain python (``json`` + the province
crosswalk), never the module's own parser.
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.core.step import BuildContext
from analysis.pipeline import run_steps
from analysis.sources.migration_od import clean as m
from analysis.vocab.provinces import MAINLAND31, NATIONAL_ADCODE, to_adcode

YEARS = [2000, 2005, 2010, 2015, 2020]
PERIOD = {2000: "1995–2000", 2005: "2000–2005", 2010: "2005–2010", 2015: "2010–2015",
          2020: "2015–2020"}
# Test-owned meaning of the aggregate JSON keys (see the module docstring).
AGG_KEYS = {
    2000: {"合计": "total", "省内": "intra", "小计": "subtotal", "港澳台或国外": "abroad"},
    2005: {"合计": "total", "省内": "intra"},
    2010: {"合计": "total", "省内": "intra", "港澳台或国外": "abroad"},
    2015: {"合计": "total", "现住房": "intra", "本县其他地区": "intra", "本省其他县": "intra",
           "港澳台或国外": "abroad"},
    2020: {"行合计": "total", "省内本县市区": "intra", "本省其他": "intra",
           "港澳台或国外": "abroad"},
}


def plain_json(raw_dir: Path, year: int) -> dict[int, dict]:
    """Independent parse: {destination adcode: {"total", "intra", "subtotal", "abroad",
    origin adcode: count}} with blanks as 0; national row under NATIONAL_ADCODE."""
    records = json.loads((raw_dir / "nbs_migration_od" / f"{year}.json").read_text("utf-8"))
    out: dict[int, dict] = {}
    for rec in records:
        dest = to_adcode(rec["现住地"])
        row: dict = {"total": 0, "intra": 0, "subtotal": 0, "abroad": 0}
        for key, value in rec.items():
            if key == "现住地":
                continue
            n = 0 if value == "" else int(value)
            if key in AGG_KEYS[year]:
                row[AGG_KEYS[year][key]] += n
            else:
                row[to_adcode(key)] = n
        out[dest] = row
    return out


@pytest.fixture(scope="module")
def built(raw_data):
    return run_steps(["sources.migration_od"], BuildContext(), log=lambda s: None)


@pytest.fixture(scope="module")
def parsed(raw_data) -> dict[int, m.ODTable]:
    ctx = BuildContext()
    return {y: m.read_od_table(ctx.raw(m.RAW_IDS[y]), y) for y in YEARS}


# ------------------------------------------------------------------------------------------
# the .xls and the JSON agree cell for cell (2000, 2010, 2020)
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [2000, 2010, 2020])
def test_json_matches_xls_cell_for_cell(raw_data, parsed, year):
    t = parsed[year]
    assert t.file.endswith(".xls")
    js = plain_json(raw_data, year)
    assert set(js) == {NATIONAL_ADCODE, *MAINLAND31}
    compared = 0
    for dest, row in js.items():
        assert row["total"] == t.aggregates.loc[dest, "total"]
        assert row["intra"] == t.intra().loc[dest]
        assert row["abroad"] == t.abroad().loc[dest]
        if year == 2000:
            assert row["subtotal"] == t.aggregates.loc[dest, "subtotal"]
        for origin in MAINLAND31:
            if dest != NATIONAL_ADCODE:
                assert row[origin] == t.flows.loc[dest, origin], (year, dest, origin)
                compared += 1
    assert compared == 31 * 31
    # and our own JSON parser gives the identical canonical table
    tj = m.read_od_table(raw_data / "nbs_migration_od" / f"{year}.json", year)
    pd.testing.assert_frame_equal(tj.flows, t.flows)
    pd.testing.assert_frame_equal(tj.aggregates, t.aggregates)
    assert sorted(tj.blank_off_diagonal) == sorted(t.blank_off_diagonal)


def test_diagonal_blank_and_off_diagonal_blanks(parsed):
    for y, t in parsed.items():
        assert (np.diag(t.flows.loc[list(MAINLAND31), list(MAINLAND31)]) == 0).all(), y
    # observed blanks off the diagonal (read as 0)
    counts = {y: len(t.blank_off_diagonal) for y, t in parsed.items()}
    assert counts == {2000: 2, 2005: 0, 2010: 1, 2015: 4, 2020: 0}


# ------------------------------------------------------------------------------------------
# row inconsistencies and the national check
# ------------------------------------------------------------------------------------------

def test_row_inconsistencies_are_counted_as_observed(parsed, built):
    checks = {y: m.check_od_table(t) for y, t in parsed.items()}
    n_bad = {y: int((c.row_total_diff != 0).sum()) for y, c in checks.items()}
    assert n_bad == {2000: 1, 2005: 30, 2010: 0, 2015: 23, 2020: 0}
    assert int(checks[2005].row_total_diff.abs().max()) == 120
    assert int(checks[2015].row_total_diff.abs().max()) == 3
    assert checks[2005].national_total_diff == -2
    assert int(checks[2000].subtotal_diff.abs().sum()) == 1  # 湖南 小计 +1
    notes = built["migration_by_province"].account.notes
    for year, n in [(2005, 30), (2015, 23), (2000, 1)]:
        hits = [v for (f, r), v in notes.items()
                if f == m.RAW_IDS[year] and r.startswith("row total")]
        assert hits == [n]


def test_national_row_check_differences(parsed):
    diffs = {y: m.check_od_table(t).national_column_diff for y, t in parsed.items()}
    assert (diffs[2010] == 0).all() and (diffs[2020] == 0).all()
    assert int((diffs[2005] != 0).sum()) == 26 and int(diffs[2005].abs().max()) == 121
    assert int((diffs[2015] != 0).sum()) == 26 and int(diffs[2015].abs().max()) == 3


def _copy_json(raw_data: Path, tmp_path: Path, year: int) -> Path:
    dst = tmp_path / f"{year}.json"
    shutil.copy(raw_data / "nbs_migration_od" / f"{year}.json", dst)
    dst.chmod(0o644)
    return dst


def test_gross_national_mismatch_raises(raw_data, tmp_path):
    path = _copy_json(raw_data, tmp_path, 2010)
    data = json.loads(path.read_text("utf-8"))
    data[0]["河南"] = str(int(data[0]["河南"]) + 10_000)  # national row, column 河南
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    t = m.read_od_table(path, 2010)
    with pytest.raises(DataError, match="national row") as exc:
        m.check_od_table(t)
    assert exc.value.column == "河南" and exc.value.row == 3


def test_gross_row_total_mismatch_raises(raw_data, tmp_path):
    path = _copy_json(raw_data, tmp_path, 2005)
    data = json.loads(path.read_text("utf-8"))
    data[3]["合计"] += 50_000  # 河北 row
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(DataError, match="row total") as exc:
        m.check_od_table(m.read_od_table(path, 2005))
    assert exc.value.column == "合计"


# ------------------------------------------------------------------------------------------
# totals reconcile
# ------------------------------------------------------------------------------------------

def test_totals_reconcile_with_published_total(raw_data, built):
    od = built["migration_od"].frame
    # published national 合计 minus (long flows + within-province + abroad) of the province rows:
    # the residual is exactly the digitisation slips (row totals ≠ cells, national ≠ rows)
    expected_residual = {2000: 1, 2005: 234, 2010: 0, 2015: 9, 2020: 0}
    for year in YEARS:
        js = plain_json(raw_data, year)
        provinces = [a for a in js if a != NATIONAL_ADCODE]
        long_sum = int(od.loc[od["period"] == PERIOD[year], "sample_count"].sum())
        intra = sum(js[a]["intra"] for a in provinces)
        abroad = sum(js[a]["abroad"] for a in provinces)
        national = js[NATIONAL_ADCODE]["total"]
        residual = national - (long_sum + intra + abroad)
        assert residual == expected_residual[year], year
        assert abs(residual) / national < 2e-5
        # and the province rows' published totals differ from their cells by the noted slips
        row_sum = sum(js[a]["total"] for a in provinces)
        slips = sum(js[a]["total"] - js[a]["intra"] - js[a]["abroad"]
                    - sum(js[a][o] for o in MAINLAND31) for a in provinces)
        assert row_sum - (long_sum + intra + abroad) == slips


def test_long_table_shape_and_estimates(built):
    od = built["migration_od"].frame
    assert len(od) == 5 * 31 * 30
    assert (od["origin_adcode"] != od["destination_adcode"]).all()
    frac = od["period"].map({PERIOD[y]: f for y, f in m.SAMPLING_FRACTIONS.items()})
    assert (od["sampling_fraction"] == frac).all()
    assert (od["estimate_persons"] == (od["sample_count"] / frac).round()).all()
    totals = od.groupby("period")["sample_count"].sum()
    assert totals.to_dict() == {"1995–2000": 3228213, "2000–2005": 503881,
                                "2005–2010": 5499391, "2010–2015": 825783,
                                "2015–2020": 5083191}
    # published: 32.3 M inter-provincial migrants 1995–2000 (= 3.23 M sample × 10); with the
    # documented 9.5 % the estimate is 34.0 M
    assert round(totals["1995–2000"] / 0.10 / 1e6, 1) == 32.3
    assert round(od.loc[od["period"] == "1995–2000", "estimate_persons"].sum() / 1e6, 1) == 34.0


def test_in_equals_out_per_period(built):
    prov = built["migration_by_province"].frame
    od = built["migration_od"].frame
    assert len(prov) == 155
    g = prov.groupby("period")[["in_sample_count", "out_sample_count"]].sum()
    assert (g["in_sample_count"] == g["out_sample_count"]).all()
    assert (g["in_sample_count"] == od.groupby("period")["sample_count"].sum()).all()
    assert prov.groupby("period")["net_sample_count"].sum().eq(0).all()


def test_2005_2010_top_five_match_published_ranking(built):
    """Blog citing the 6th census (grade B): out 安徽 四川 河南 湖南 湖北; in 广东 浙江 上海 江苏 北京."""
    prov = built["migration_by_province"].frame
    p = prov[prov["period"] == "2005–2010"]
    top_out = set(p.nlargest(5, "out_sample_count")["adcode"])
    top_in = list(p.nlargest(5, "in_sample_count")["adcode"])
    assert top_out == {340000, 510000, 410000, 430000, 420000}  # order: 河南 before 四川 here
    assert top_in == [440000, 330000, 310000, 320000, 110000]


# ------------------------------------------------------------------------------------------
# rates recomputed with plain python
# ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("year", [2005, 2010, 2015, 2020])
def test_rates_match_plain_python_recomputation(raw_data, built, year):
    js = plain_json(raw_data, year)
    provinces = [a for a in js if a != NATIONAL_ADCODE]
    prov = built["migration_by_province"].frame.set_index(["period", "adcode"])
    for p in provinces:
        out_ = sum(js[d][p] for d in provinces if d != p)
        in_ = sum(js[p][o] for o in MAINLAND31 if o != p)
        at_risk = js[p]["intra"] + out_
        resident = js[p]["intra"] + in_ + js[p]["abroad"]
        row = prov.loc[(PERIOD[year], p)]
        assert row["out_sample_count"] == out_ and row["in_sample_count"] == in_
        assert row["at_risk_origin_sample_count"] == at_risk
        assert row["resident_sample_count"] == resident
        assert math.isclose(row["out_migration_per_1000"], out_ / at_risk * 1000, abs_tol=1e-9)
        assert math.isclose(row["in_migration_per_1000"], in_ / resident * 1000, abs_tol=1e-9)
        net = (in_ - out_) / ((at_risk + resident) / 2) * 1000
        assert math.isclose(row["net_migration_per_1000"], net, abs_tol=1e-9)
        frac = m.SAMPLING_FRACTIONS[year]
        assert row["out_estimate_persons"] == round(out_ / frac)


def test_1995_2000_has_no_population_at_risk(built):
    prov = built["migration_by_province"].frame
    p = prov[prov["period"] == "1995–2000"]
    assert p["at_risk_origin_sample_count"].isna().all()
    assert p[["out_migration_per_1000", "in_migration_per_1000"]].isna().all().all()
    assert p["out_sample_count"].sum() == 3228213


# ------------------------------------------------------------------------------------------
# year-end population denominator
# ------------------------------------------------------------------------------------------

def test_yearend_rate_with_synthetic_population(built):
    prov = built["migration_by_province"].frame
    pop = pd.DataFrame({"adcode": [110000, 110000, 340000, 650000],
                        "year": [2000, 2005, 2005, 2010],
                        "population_persons": [13_640_000, 15_380_000, 61_200_000, 0],
                        "birth_rate_per_1000": [6.0, 6.3, 12.4, 15.0]})
    out, n_missing = m.add_yearend_rate(prov, pop)
    rate = out.set_index(["period", "adcode"])["out_estimate_per_1000_yearend"]
    est = prov.set_index(["period", "adcode"])["out_estimate_persons"]
    # 1995–2000 and 2000–2005 both use year-end 2000; 2005–2010 uses 2005
    for period, year_pop in [("1995–2000", 13_640_000), ("2000–2005", 13_640_000),
                             ("2005–2010", 15_380_000)]:
        assert math.isclose(rate[(period, 110000)], est[(period, 110000)] / year_pop * 1000,
                            rel_tol=1e-12)
    assert math.isclose(rate[("2005–2010", 340000)],
                        est[("2005–2010", 340000)] / 61_200_000 * 1000, rel_tol=1e-12)
    assert math.isnan(rate[("2010–2015", 650000)])  # zero population → missing, not inf
    assert n_missing == 155 - 4 and rate.notna().sum() == 4
    none, n_none = m.add_yearend_rate(prov, None)
    assert none["out_estimate_per_1000_yearend"].isna().all() and n_none == 155
    with pytest.raises(DataError, match="population_persons"):
        m.add_yearend_rate(prov, pop.drop(columns="population_persons"))
    with pytest.raises(DataError, match="duplicate"):
        m.add_yearend_rate(prov, pd.concat([pop, pop]))


def test_build_uses_population_yearend_when_present(raw_data):
    years = range(2000, 2023)
    pop = pd.DataFrame([(a, y, 10_000_000) for a in MAINLAND31 for y in years],
                       columns=["adcode", "year", "population_persons"])
    ctx = BuildContext(tables={"population_yearend": pop})
    tables = {t.name: t for t in m.build(ctx)}
    prov = tables["migration_by_province"].frame
    assert prov["out_estimate_per_1000_yearend"].notna().all()
    assert np.allclose(prov["out_estimate_per_1000_yearend"],
                       prov["out_estimate_persons"] / 10_000)


# ------------------------------------------------------------------------------------------
# malformed inputs (synthetic copies) raise DataError naming file, row and column
# ------------------------------------------------------------------------------------------

def test_renamed_json_key_raises(raw_data, tmp_path):
    path = _copy_json(raw_data, tmp_path, 2015)
    text = path.read_text("utf-8").replace('"本县其他地区"', '"本县其它地区"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError) as exc:
        m.read_od_table(path, 2015)
    err = exc.value
    assert err.file == str(path) and err.column == "本县其它地区" and err.row == 6
    assert str(path) in str(err) and "本县其它地区" in str(err)


def test_non_numeric_json_cell_raises(raw_data, tmp_path):
    path = _copy_json(raw_data, tmp_path, 2020)
    data = json.loads(path.read_text("utf-8"))
    data[2]["河北"] = "12o4"  # 天津 row
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    lines = path.read_text("utf-8").splitlines()
    with pytest.raises(DataError, match="not a number") as exc:
        m.read_od_table(path, 2020)
    err = exc.value
    assert err.column == "河北" and '"12o4"' in lines[err.row - 1]
    assert err.file == str(path)


def test_missing_json_key_in_one_record_raises(raw_data, tmp_path):
    path = _copy_json(raw_data, tmp_path, 2005)
    data = json.loads(path.read_text("utf-8"))
    del data[5]["湖北"]
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(DataError) as exc:
        m.read_od_table(path, 2005)
    assert exc.value.column == "湖北" and exc.value.row is not None


def _xlsx_copy(raw_data: Path, tmp_path: Path, year: int, edit) -> Path:
    grid = pd.read_excel(raw_data / "nbs_migration_od" / f"{year}.xls", engine="calamine",
                         header=None, dtype=object)
    edit(grid)
    path = tmp_path / f"{year}.xlsx"
    grid.to_excel(path, header=False, index=False)
    return path


def test_xlsx_copy_parses_like_the_original(raw_data, tmp_path, parsed):
    path = _xlsx_copy(raw_data, tmp_path, 2020, lambda g: None)
    t = m.read_od_table(path, 2020)
    pd.testing.assert_frame_equal(t.flows, parsed[2020].flows)


def test_renamed_xls_column_raises(raw_data, tmp_path):
    def edit(g):
        g.iat[4, 2] = "区内"  # 2010 header 省内 → 区内

    path = _xlsx_copy(raw_data, tmp_path, 2010, edit)
    with pytest.raises(DataError) as exc:
        m.read_od_table(path, 2010)
    assert exc.value.file == str(path) and exc.value.column == "区内" and exc.value.row == 5


def test_non_numeric_xls_cell_raises(raw_data, tmp_path):
    def edit(g):
        g.iat[10, 6] = "n/a"  # 2010: row 11 (河北), column 山西 (pandas' default NA string)

    path = _xlsx_copy(raw_data, tmp_path, 2010, edit)
    with pytest.raises(DataError, match="not a number") as exc:
        m.read_od_table(path, 2010)
    assert (exc.value.row, exc.value.column) == (11, "山西")


def test_missing_xls_province_column_raises(raw_data, tmp_path):
    def edit(g):
        g[20] = None  # 2000: blank out one province column (header and cells)

    path = _xlsx_copy(raw_data, tmp_path, 2000, edit)
    with pytest.raises(DataError, match="missing") as exc:
        m.read_od_table(path, 2000)
    assert exc.value.column == "湖北" and exc.value.row == 4


def test_unknown_row_label_raises(raw_data, tmp_path):
    path = _copy_json(raw_data, tmp_path, 2010)
    data = json.loads(path.read_text("utf-8"))
    data[7]["现住地"] = "吉 木"
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    with pytest.raises(DataError, match="row label") as exc:
        m.read_od_table(path, 2010)
    assert exc.value.column == "现住地" and exc.value.row is not None


# ------------------------------------------------------------------------------------------
# accounts and schema
# ------------------------------------------------------------------------------------------

def test_accounts_balance_and_abroad_is_accounted(built, parsed):
    od = built["migration_od"]
    od.account.check()
    built["migration_by_province"].account.check()
    acc = od.account.to_frame()
    assert acc.loc[acc["kind"] == "kept", "rows"].sum() == 4650
    abroad = acc[acc["reason"].str.startswith("origin 港澳台或国外")]
    assert len(abroad) == 4  # every year but 2005 (no abroad column)
    for year in (2000, 2010, 2015, 2020):
        n = int(parsed[year].abroad().loc[list(MAINLAND31)].sum())
        assert abroad["reason"].str.contains(f"; {n} sample persons").any(), year
