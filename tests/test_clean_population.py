"""Tests of analysis.sources.population.clean: real raw files and small synthetic fixtures."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext
from analysis.pipeline import validate
from analysis.sources.population import clean as pop
from analysis.vocab.provinces import MAINLAND31, to_adcodes

BULLETIN_IDS = [pop.BULLETIN_POPULATION, pop.BULLETIN_AGE, pop.BULLETIN_SEX,
                pop.BULLETIN_SCHOOLING, pop.BULLETIN_EDUCATION, pop.BULLETIN_NATIONAL_AGE]


@pytest.fixture(scope="module")
def ctx() -> BuildContext:
    return BuildContext()


@pytest.fixture(scope="module")
def tables(ctx: BuildContext) -> dict:
    return {t.name: t for t in pop.build(ctx)}


# ------------------------------------------------------------------ real data: population_yearend

def test_yearend_shape_and_schema(tables: dict) -> None:
    t = tables["population_yearend"]
    validate(t)
    f = t.frame
    assert len(f) == 31 * 23
    assert sorted(f["adcode"].unique()) == sorted(MAINLAND31)
    assert sorted(f["year"].unique()) == list(range(2000, 2023))
    assert f["population_persons"].dtype == "int64"


def test_yearend_matches_independent_read(ctx: BuildContext, tables: dict) -> None:
    """Re-read the raw with pandas (fixed layout) and compare every cell."""
    raw = pd.read_csv(ctx.raw(pop.YEAREND_POPULATION), skiprows=3, skipfooter=1,
                      encoding="latin-1", engine="python")
    raw["adcode"] = to_adcodes(raw["Region"]).astype(int)
    long = raw.drop(columns="Region").melt("adcode", var_name="year", value_name="v")
    long["year"] = long["year"].astype(int)
    merged = tables["population_yearend"].frame.merge(long, on=["adcode", "year"])
    assert len(merged) == 713
    assert (merged["population_persons"] == (merged["v"] * 10_000).round().astype(int)).all()
    f = tables["population_yearend"].frame.set_index(["adcode", "year"])
    assert f.loc[(110000, 2022), "population_persons"] == 21_840_000   # Beijing 2,184 万
    assert f.loc[(440000, 2010), "population_persons"] == 104_410_000  # Guangdong 10,441 万


def test_yearend_birth_rate_missing_cells_kept_and_noted(tables: dict) -> None:
    t = tables["population_yearend"]
    f = t.frame
    assert f.loc[f["year"] == 2020, "birth_rate_per_1000"].isna().all()
    other = f[(f["year"] != 2020) & f["birth_rate_per_1000"].isna()]
    pairs = sorted(zip(other["adcode"], other["year"], strict=True))
    assert pairs == [(230000, 2000), (610000, 2000)]
    notes = {reason: n for (_, reason), n in t.account.notes.items()}
    assert any("2020" in r and n == 31 for r, n in notes.items())
    assert f.set_index(["adcode", "year"]).loc[(110000, 2022), "birth_rate_per_1000"] == 5.67


def test_yearend_account_balances_line_by_line(tables: dict) -> None:
    acc = tables["population_yearend"].account.check()
    for source in (pop.YEAREND_POPULATION, pop.YEAREND_BIRTH_RATE):
        assert acc.read[source] == 36          # 3 metadata + header + 31 + footer
        assert acc.kept[source] == 31
        reasons = {r: n for (s, r), n in acc.dropped.items() if s == source}
        assert sum(reasons.values()) == 5
        assert any("Data Sources" in r for r in reasons)


# ------------------------------------------------------------------ real data: census2020_province

def test_census2020_totals_and_schema(tables: dict) -> None:
    t = tables["census2020_province"]
    validate(t)
    f = t.frame.set_index("adcode")
    assert len(f) == 31 and sorted(f.index) == sorted(MAINLAND31)
    assert f["population_persons"].sum() == 1_411_778_724 - 2_000_000
    assert f.loc[440000, "population_persons"] == 126_012_510   # Guangdong, bulletin No. 3
    assert f.loc[540000, "population_persons"] == 3_648_100     # Tibet
    assert f.loc[110000, "age_0_14_share"] == pytest.approx(0.1184)
    assert f.loc[110000, "college_per_100k"] == 41_980
    assert f.loc[110000, "schooling_years_15plus_2010"] == pytest.approx(11.71)


def test_census2020_matches_independent_read(ctx: BuildContext, tables: dict) -> None:
    raw = pd.read_csv(ctx.raw(pop.BULLETIN_POPULATION), skiprows=3, header=None)
    raw["adcode"] = to_adcodes(raw[0], unknown="na")
    prov = raw[raw["adcode"].isin(MAINLAND31)].set_index("adcode")
    f = tables["census2020_province"].frame.set_index("adcode")
    assert (f["population_persons"] == prov[1].astype("int64").reindex(f.index)).all()
    assert np.allclose(f["population_share_of_national_2010"], prov[3].reindex(f.index) / 100)


def test_census2020_children_derived_and_discrepancy_noted(tables: dict) -> None:
    t = tables["census2020_province"]
    f = t.frame
    expected = np.rint(f["population_persons"] * f["age_0_14_share"]).astype("int64")
    assert (f["children_0_14_persons"] == expected).all()
    total = int(f["children_0_14_persons"].sum())
    assert abs(total - 253_383_938) / 253_383_938 < 1e-4   # rounding of 2-decimal percentages
    note = [r for (_, r), _n in t.account.notes.items() if "children_0_14_persons" in r]
    assert note and f"{total:,}" in note[0] and "253,383,938" in note[0]


def test_census2020_account(tables: dict) -> None:
    acc = tables["census2020_province"].account.check()
    assert acc.kept[pop.BULLETIN_POPULATION] == 31
    drops = {r for (s, r) in acc.dropped if s == pop.BULLETIN_POPULATION}
    assert any("现役军人" in r for r in drops) and any("全国" in r for r in drops)
    assert acc.kept[pop.BULLETIN_NATIONAL_AGE] == 0


# ------------------------------------------------------------------ synthetic fixtures

def _copy_text(src: Path, dst: Path, old: str, new: str, encoding: str = "utf-8") -> Path:
    text = pop.decode_text(src)
    assert old in text, f"fixture edit {old!r} not found"
    dst.write_bytes(text.replace(old, new, 1).encode(encoding))
    return dst


def test_yearend_renamed_year_column_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _copy_text(ctx.raw(pop.YEAREND_POPULATION), tmp_path / "total_population.csv",
                   ",2015,", ",Y2015,", encoding="gb18030")
    with pytest.raises(DataError) as exc:
        pop.read_yearend(p, RowAccount("t"))
    assert "total_population.csv" in str(exc.value) and exc.value.column == "Y2015"
    assert exc.value.row == 4


def test_yearend_missing_year_column_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _copy_text(ctx.raw(pop.YEAREND_POPULATION), tmp_path / "total_population.csv",
                   ",2015,", ",2099,", encoding="gb18030")
    with pytest.raises(DataError, match="2015") as exc:
        pop.read_yearend(p, RowAccount("t"))
    assert exc.value.column == "2015"


def test_yearend_non_numeric_cell_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _copy_text(ctx.raw(pop.YEAREND_POPULATION), tmp_path / "total_population.csv",
                   "Beijing,2184,", "Beijing,21x4,", encoding="gb18030")
    with pytest.raises(DataError) as exc:
        pop.read_yearend(p, RowAccount("t"))
    assert exc.value.row == 5 and exc.value.column == "2022"
    assert "total_population.csv" in str(exc.value) and "'2022'" in str(exc.value)


def test_yearend_empty_population_cell_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _copy_text(ctx.raw(pop.YEAREND_POPULATION), tmp_path / "total_population.csv",
                   "Beijing,2184,2189,", "Beijing,2184,,", encoding="gb18030")
    with pytest.raises(DataError, match="empty") as exc:
        pop.read_yearend(p, RowAccount("t"))
    assert exc.value.column == "2021"


def test_yearend_unknown_region_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _copy_text(ctx.raw(pop.YEAREND_POPULATION), tmp_path / "total_population.csv",
                   "Tianjin,", "Atlantis,", encoding="gb18030")
    with pytest.raises(DataError, match="Atlantis") as exc:
        pop.read_yearend(p, RowAccount("t"))
    assert exc.value.row == 6 and exc.value.column == "Region"


def test_yearend_unknown_encoding_raises(ctx: BuildContext, tmp_path: Path) -> None:
    text = ctx.raw(pop.YEAREND_POPULATION).read_bytes().decode("gb18030")
    p = tmp_path / "total_population.csv"
    p.write_bytes(text.encode("utf-16"))
    with pytest.raises(DataError, match="encoding") as exc:
        pop.read_yearend(p, RowAccount("t"))
    assert "total_population.csv" in str(exc.value)


def test_yearend_utf8_copy_parses_identically(ctx: BuildContext, tmp_path: Path) -> None:
    """Re-encoding the export to UTF-8 changes nothing in the result."""
    text = ctx.raw(pop.YEAREND_POPULATION).read_bytes().decode("gb18030")
    p = tmp_path / "total_population.csv"
    p.write_text(text, encoding="utf-8")
    a = pop.read_yearend(p, RowAccount("t"))
    b = pop.read_yearend(ctx.raw(pop.YEAREND_POPULATION), RowAccount("t"))
    pd.testing.assert_frame_equal(a, b)


def _bulletin_copy(ctx: BuildContext, tmp_path: Path, edit: tuple[str, str, str] | None = None,
                   encoding: str = "utf-8") -> dict[str, Path]:
    """Copy the six bulletin files into tmp_path, optionally editing one (file id, old, new)."""
    files = {}
    for fid in BULLETIN_IDS:
        dst = tmp_path / Path(fid).name
        if edit and edit[0] == fid:
            _copy_text(ctx.raw(fid), dst, edit[1], edit[2], encoding=encoding)
        else:
            shutil.copyfile(ctx.raw(fid), dst)
        files[fid] = dst
    return files


def test_bulletin_synthetic_copy_builds(ctx: BuildContext, tmp_path: Path,
                                        tables: dict) -> None:
    files = _bulletin_copy(ctx, tmp_path)
    t = pop.build_census2020(files)
    pd.testing.assert_frame_equal(t.frame, tables["census2020_province"].frame)


def test_bulletin_gbk_copy_parses(ctx: BuildContext, tmp_path: Path, tables: dict) -> None:
    files = _bulletin_copy(ctx, tmp_path, (pop.BULLETIN_SEX, "性别比", "性别比"),
                           encoding="gb18030")
    t = pop.build_census2020(files)
    pd.testing.assert_frame_equal(t.frame, tables["census2020_province"].frame)


def test_bulletin_renamed_column_raises(ctx: BuildContext, tmp_path: Path) -> None:
    files = _bulletin_copy(ctx, tmp_path, (pop.BULLETIN_POPULATION, "人口数", "人口总量"))
    with pytest.raises(DataError) as exc:
        pop.build_census2020(files)
    assert "各地区人口.csv" in str(exc.value) and exc.value.column == "人口数"
    assert exc.value.row == 2


def test_bulletin_renamed_age_column_raises(ctx: BuildContext, tmp_path: Path) -> None:
    files = _bulletin_copy(ctx, tmp_path, (pop.BULLETIN_AGE, "0—14 岁", "少儿"))
    with pytest.raises(DataError, match=r"各地区人口年龄构成\.csv") as exc:
        pop.build_census2020(files)
    assert exc.value.column == "0—14岁"


def test_bulletin_non_numeric_cell_raises(ctx: BuildContext, tmp_path: Path) -> None:
    files = _bulletin_copy(ctx, tmp_path, (pop.BULLETIN_SEX, "51.14", "51.1x4"))
    with pytest.raises(DataError) as exc:
        pop.build_census2020(files)
    assert "各地区性别构成.csv" in str(exc.value)
    assert exc.value.row == 5 and exc.value.column == "男"


def test_bulletin_unknown_encoding_raises(ctx: BuildContext, tmp_path: Path) -> None:
    files = _bulletin_copy(ctx, tmp_path, (pop.BULLETIN_EDUCATION, "小学", "小学"),
                           encoding="utf-16")
    with pytest.raises(DataError, match="encoding") as exc:
        pop.build_census2020(files)
    assert "各地区每10万人口中拥有的各类受教育程度人数.csv" in str(exc.value)


def test_bulletin_total_check_raises(ctx: BuildContext, tmp_path: Path) -> None:
    files = _bulletin_copy(ctx, tmp_path, (pop.BULLETIN_POPULATION, "21893095", "21893096"))
    with pytest.raises(DataError, match="1,409,778,724"):
        pop.build_census2020(files)


def test_bulletin_missing_province_raises(ctx: BuildContext, tmp_path: Path) -> None:
    files = _bulletin_copy(ctx, tmp_path, (pop.BULLETIN_SCHOOLING, "天  津,11.29,10.38\n", ""))
    with pytest.raises(DataError, match="120000"):
        pop.build_census2020(files)
