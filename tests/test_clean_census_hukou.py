"""Tests of analysis.sources.census_hukou.clean: real raw files and small synthetic fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.fetch import sha256_of
from analysis.core.manual import SHA256SUMS, read_sha256sums
from analysis.core.step import BuildContext
from analysis.pipeline import run_steps, validate
from analysis.sources.census_hukou import clean as hk
from analysis.sources.population import clean as pop
from analysis.vocab.provinces import MAINLAND31, NATIONAL_ADCODE, to_adcodes

CURATED = paths.ROOT.parent / "shared" / "data" / "curated" / hk.HUKOU_2020_MANUAL


@pytest.fixture(scope="module")
def ctx() -> BuildContext:
    return BuildContext()


@pytest.fixture(scope="module")
def built() -> dict:
    return run_steps(["sources.population", "sources.census_hukou"], log=lambda _msg: None)


@pytest.fixture(scope="module")
def table(built: dict) -> pd.DataFrame:
    return built["census_hukou_province"].frame


# ------------------------------------------------------------------ real data

def test_shape_and_schema(built: dict, table: pd.DataFrame) -> None:
    validate(built["census_hukou_province"])
    assert len(table) == 62
    for year in (2010, 2020):
        assert sorted(table.loc[table["census_year"] == year, "adcode"]) == sorted(MAINLAND31)


def test_published_totals(table: pd.DataFrame) -> None:
    sums = table.groupby("census_year")[["hukou_elsewhere_persons", "within_province_persons",
                                         "other_province_persons"]].sum()
    assert sums.loc[2020, "other_province_persons"] == 124_837_153
    assert sums.loc[2020, "hukou_elsewhere_persons"] == 492_762_506
    assert sums.loc[2010, "other_province_persons"] == 85_876_337
    # 2020 省内 = 省内流动人口 250,979,606 + 市辖区内人户分离 116,945,747 (bulletin No. 7)
    assert sums.loc[2020, "within_province_persons"] == 250_979_606 + 116_945_747


def test_2010_matches_independent_read(ctx: BuildContext, table: pd.DataFrame) -> None:
    """pandas' own whitespace parser: provinces equal the table, and sum to the 全国 row."""
    raw = pd.read_csv(ctx.raw(hk.HUKOU_2010), sep=r"\s+")
    raw["adcode"] = to_adcodes(raw["地区"]).astype(int)
    national = raw[raw["adcode"] == NATIONAL_ADCODE].iloc[0]
    prov = raw[raw["adcode"] != NATIONAL_ADCODE].set_index("adcode")
    t = table[table["census_year"] == 2010].set_index("adcode")
    assert (t["hukou_elsewhere_persons"] == prov["合计"].reindex(t.index)).all()
    assert (t["same_county_persons"] == prov["本县/市/区"].reindex(t.index)).all()
    assert (t["other_province_persons"] == prov["省外"].reindex(t.index)).all()
    assert t["hukou_elsewhere_persons"].sum() == national["合计"] == 260_937_942
    assert (t["within_province_persons"]
            == t["same_county_persons"] + t["other_county_same_province_persons"]).all()


def test_2020_matches_independent_read(ctx: BuildContext, table: pd.DataFrame) -> None:
    raw = pd.read_csv(ctx.manual(hk.HUKOU_2020_MANUAL), sep="\t")
    raw["adcode"] = to_adcodes(raw["地区"]).astype(int)
    raw = raw.set_index("adcode")
    t = table[table["census_year"] == 2020].set_index("adcode")
    assert (t["within_province_persons"] == raw["省内"].reindex(t.index)).all()
    assert (t["other_province_persons"] == raw["省外"].reindex(t.index)).all()
    assert t.loc[440000, "other_province_persons"] == 29_622_110   # Guangdong 外省流入
    assert t["same_county_persons"].isna().all()
    assert t["other_county_same_province_persons"].isna().all()


def test_denominators_and_shares(built: dict, table: pd.DataFrame) -> None:
    ye = built["population_yearend"].frame
    c20 = built["census2020_province"].frame.set_index("adcode")["population_persons"]
    t10 = table[table["census_year"] == 2010].set_index("adcode")
    t20 = table[table["census_year"] == 2020].set_index("adcode")
    y10 = ye[ye["year"] == 2010].set_index("adcode")["population_persons"]
    assert (t10["resident_population_persons"] == y10.reindex(t10.index)).all()
    assert (t20["resident_population_persons"] == c20.reindex(t20.index)).all()
    for name in ("hukou_elsewhere", "within_province", "other_province"):
        expected = table[f"{name}_persons"] / table["resident_population_persons"]
        assert (table[f"{name}_share"] - expected).abs().max() < 1e-12
    # Shanghai: 10,479,652 from other provinces among 24,870,895 residents in 2020
    assert t20.loc[310000, "other_province_share"] == pytest.approx(10_479_652 / 24_870_895)


def test_account_balances(built: dict) -> None:
    acc = built["census_hukou_province"].account.check()
    assert acc.read[hk.HUKOU_2010] == 33 and acc.kept[hk.HUKOU_2010] == 31
    assert acc.read[hk.HUKOU_2020_SOURCE] == 32 and acc.kept[hk.HUKOU_2020_SOURCE] == 31
    assert any("全国" in r for (s, r) in acc.dropped if s == hk.HUKOU_2010)


def test_manual_copy_is_reviewed_and_byte_identical(ctx: BuildContext) -> None:
    manual = ctx.manual(hk.HUKOU_2020_MANUAL)
    pinned = read_sha256sums(manual.parent / SHA256SUMS)[hk.HUKOU_2020_MANUAL]
    assert sha256_of(manual) == pinned
    md = manual.with_suffix(".md").read_text(encoding="utf-8")
    assert pinned in md and "各地区户口登记地在外乡镇街道的人口" in md
    if CURATED.is_file():
        assert manual.read_bytes() == CURATED.read_bytes()


def test_build_needs_population_tables() -> None:
    with pytest.raises(KeyError, match="population"):
        hk.build(BuildContext(tables={}))


# ------------------------------------------------------------------ synthetic fixtures

def _edit(src: Path, dst: Path, old: str, new: str, encoding: str = "utf-8") -> Path:
    text = pop.decode_text(src)
    assert old in text, f"fixture edit {old!r} not found"
    dst.write_bytes(text.replace(old, new, 1).encode(encoding))
    return dst


def test_2010_renamed_column_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.raw(hk.HUKOU_2010), tmp_path / "population.txt", "省外", "外省")
    with pytest.raises(DataError) as exc:
        hk.read_hukou_2010(p, RowAccount("t"))
    assert "population.txt" in str(exc.value) and exc.value.column == "省外"
    assert exc.value.row == 1


def test_2010_non_numeric_cell_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.raw(hk.HUKOU_2010), tmp_path / "population.txt", "1871181", "187l181")
    with pytest.raises(DataError, match="187l181") as exc:
        hk.read_hukou_2010(p, RowAccount("t"))
    assert "population.txt" in str(exc.value)
    assert exc.value.row == 3 and exc.value.column == "本省其他县/市/区"


def test_2010_sum_check_raises(ctx: BuildContext, tmp_path: Path) -> None:
    """Moving one person from 本县 to 省外 keeps 合计 but breaks the 全国 check of both columns."""
    p = _edit(ctx.raw(hk.HUKOU_2010), tmp_path / "population.txt",
              "1582574      1871181        7044533", "1582573      1871181        7044534")
    with pytest.raises(DataError, match="全国") as exc:
        hk.read_hukou_2010(p, RowAccount("t"))
    assert exc.value.column == "本县/市/区"


def test_2010_row_parts_check_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.raw(hk.HUKOU_2010), tmp_path / "population.txt", "10498288", "10498289")
    with pytest.raises(DataError, match="合计"):
        hk.read_hukou_2010(p, RowAccount("t"))


def test_2010_unknown_encoding_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.raw(hk.HUKOU_2010), tmp_path / "population.txt", "合计", "合计",
              encoding="utf-16")
    with pytest.raises(DataError, match="encoding") as exc:
        hk.read_hukou_2010(p, RowAccount("t"))
    assert "population.txt" in str(exc.value)


def test_2020_renamed_column_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.manual(hk.HUKOU_2020_MANUAL), tmp_path / "h.tsv", "省内", "本省")
    with pytest.raises(DataError) as exc:
        hk.read_hukou_2020(p, RowAccount("t"))
    assert "h.tsv" in str(exc.value) and exc.value.column == "省内"


def test_2020_non_numeric_cell_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.manual(hk.HUKOU_2020_MANUAL), tmp_path / "h.tsv", "\t8418418", "\t8418418*")
    with pytest.raises(DataError) as exc:
        hk.read_hukou_2020(p, RowAccount("t"))
    assert exc.value.row == 2 and exc.value.column == "省外"


def test_2020_total_check_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.manual(hk.HUKOU_2020_MANUAL), tmp_path / "h.tsv", "\t8418418", "\t8418481")
    with pytest.raises(DataError, match="124,837,153"):
        hk.read_hukou_2020(p, RowAccount("t"))


def test_2020_unknown_province_raises(ctx: BuildContext, tmp_path: Path) -> None:
    p = _edit(ctx.manual(hk.HUKOU_2020_MANUAL), tmp_path / "h.tsv", "北京市\t", "北平\t")
    with pytest.raises(DataError, match="北平") as exc:
        hk.read_hukou_2020(p, RowAccount("t"))
    assert exc.value.row == 2 and exc.value.column == "地区"


def test_build_hukou_on_synthetic_copies(ctx: BuildContext, tmp_path: Path,
                                         built: dict, table: pd.DataFrame) -> None:
    """build_hukou on unchanged copies reproduces the real table (paths, not ctx.raw)."""
    p10 = _edit(ctx.raw(hk.HUKOU_2010), tmp_path / "population.txt", "合计", "合计")
    p20 = _edit(ctx.manual(hk.HUKOU_2020_MANUAL), tmp_path / "h.tsv", "省内", "省内")
    t = hk.build_hukou(p10, p20, built["population_yearend"].frame,
                       built["census2020_province"].frame)
    pd.testing.assert_frame_equal(t.frame, table)
