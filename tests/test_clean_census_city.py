"""census_city: prefecture census summed to provinces, checked against the provincial bulletin."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.pipeline import run_steps
from analysis.sources.cases.common import PlaceMatcher
from analysis.sources.census_city.clean import (
    CENSUS_CITY,
    parse_census_city,
    read_census_city,
    summarise,
)
from analysis.vocab.provinces import MAINLAND31


@pytest.fixture(scope="module")
def built(raw_data):
    return run_steps(["sources.census_city"], log=lambda s: None)  # with sources.population


def test_31_provinces_each_year_and_balanced_account(built):
    t = built["census_city_province"].frame
    for _, g in t.groupby("census_year"):
        assert sorted(g["adcode"]) == sorted(MAINLAND31)
    acc = built["census_city_province"].account.check()
    assert acc.read["census_city_2010_2020/census_city_2010-2020_v1.csv"] == 369
    assert acc.dropped_total() == 2  # Hong Kong, Macau


def test_2020_age_share_agrees_with_the_provincial_bulletin(built):
    """Two independent publications (city bulletins vs the provincial bulletin) agree."""
    city = built["census_city_province"].frame
    city = city[city["census_year"] == 2020].set_index("adcode")["age_0_14_share"]
    bulletin = built["census2020_province"].frame.set_index("adcode")["age_0_14_share"]
    assert (city - bulletin.reindex(city.index)).abs().max() < 0.005


def test_weighted_share_recomputed_by_hand(built, raw_data):
    raw = pd.read_csv(raw_data / "census_city_2010_2020" / "census_city_2010-2020_v1.csv",
                      encoding="utf-8-sig")
    henan = raw[(raw["province_code"] == 410000) & raw["age_0_14_2010"].notna()]
    expected = (henan["popu_2010"] * henan["age_0_14_2010"] / 100).sum() / henan["popu_2010"].sum()
    t = built["census_city_province"].frame
    got = t[(t["census_year"] == 2010) & (t["adcode"] == 410000)]["age_0_14_share"].iloc[0]
    assert got == pytest.approx(expected, abs=1e-12)


def test_xinjiang_2020_has_no_urban_split(built):
    t = built["census_city_province"].frame.set_index(["census_year", "adcode"])
    assert pd.isna(t.loc[(2020, 650000), "urban_share"])
    assert t.loc[(2020, 650000), "urban_coverage_share"] == 0


def _write(tmp_path, text):
    p = tmp_path / "census_city.csv"
    p.write_text(text, encoding="utf-8")
    return p


HEADER = ("city,city_code,province,province_code,popu_2020,popu_urban_2020,popu_rural_2020,"
          "popu_2010,popu_urban_2010,popu_rural_2010,age_0_14_2020,age_0_14_2010\n")


def test_non_numeric_cell_names_file_row_and_column(tmp_path):
    p = _write(tmp_path, HEADER + "北京市,110100,北京市,110000,100,80,20,90,70,20,12.5,n/a\n")
    with pytest.raises(DataError, match=r"census_city.csv, row 2, column 'age_0_14_2010'"):
        read_census_city(p, RowAccount("t"))


def test_renamed_column_is_named(tmp_path):
    p = _write(tmp_path, HEADER.replace("popu_2010", "population_2010") +
               "北京市,110100,北京市,110000,100,80,20,90,70,20,12.5,9\n")
    with pytest.raises(DataError, match="popu_2010"):
        read_census_city(p, RowAccount("t"))


def test_unknown_province_code(tmp_path):
    p = _write(tmp_path, HEADER + "X,990100,X,990000,100,80,20,90,70,20,12.5,9\n")
    with pytest.raises(DataError, match=r"row 2, column 'province_code'"):
        read_census_city(p, RowAccount("t"))


def test_summarise_weights_by_population():
    pref = pd.DataFrame({
        "adcode": [110000, 110000], "popu_2010": [100.0, 300.0], "popu_2020": [100.0, 300.0],
        "popu_urban_2010": [50.0, None], "popu_rural_2010": [50.0, None],
        "popu_urban_2020": [60.0, 240.0], "popu_rural_2020": [40.0, 60.0],
        "age_0_14_2010": [10.0, 20.0], "age_0_14_2020": [10.0, None],
    })
    totals = {y: pd.Series({a: 400.0 for a in MAINLAND31}) for y in (2010, 2020)}
    out = summarise(pref, totals).set_index(["census_year", "adcode"])
    assert out.loc[(2010, 110000), "age_0_14_share"] == pytest.approx(0.175)
    assert out.loc[(2020, 110000), "age_0_14_share"] == pytest.approx(0.10)
    assert out.loc[(2010, 110000), "urban_share"] == pytest.approx(0.5)
    assert out.loc[(2010, 110000), "urban_coverage_share"] == pytest.approx(0.25)
    assert out.loc[(2020, 110000), "urban_share"] == pytest.approx(0.75)


# ------------------------------------------------------------------ the unit list


def test_prefecture_table_holds_every_raw_unit_twice(built, raw_data):
    t = built["census_city_prefecture"]
    raw = pd.read_csv(raw_data / CENSUS_CITY, dtype=str, encoding="utf-8-sig")
    frame = t.frame
    assert len(frame) == 2 * len(raw) == 738
    for year in (2010, 2020):
        rows = frame[frame["census_year"] == year]
        assert sorted(rows["prefecture_adcode"]) == sorted(raw["city_code"].astype(int))
        assert set(rows["prefecture_name_zh"]) == set(raw["city"])
    acc = t.account.check()
    assert acc.read[CENSUS_CITY] == acc.kept[CENSUS_CITY] == 369
    hk = frame[(frame["census_year"] == 2020) & (frame["prefecture_adcode"] == 810000)]
    assert hk["prefecture_name_zh"].tolist() == ["香港特别行政区"] and hk["adcode"].item() == 810000


def test_prefecture_figures_are_the_raw_figures(built, raw_data):
    raw = pd.read_csv(raw_data / CENSUS_CITY, encoding="utf-8-sig").set_index("city_code")
    t = built["census_city_prefecture"].frame.set_index(["census_year", "prefecture_adcode"])
    yangzhou = t.loc[(2020, 321000)]
    assert yangzhou["prefecture_name_zh"] == "扬州市" and yangzhou["adcode"] == 320000
    assert yangzhou["population_persons"] == raw.loc[321000, "popu_2020"]
    assert yangzhou["age_0_14_share"] == pytest.approx(raw.loc[321000, "age_0_14_2020"] / 100)
    assert t.loc[(2010, 321000), "urban_persons"] == raw.loc[321000, "popu_urban_2010"]
    shihezi = t.loc[(2020, 659001)]  # a Xinjiang corps city: no figures in the source
    assert pd.isna(shihezi["population_persons"]) and pd.isna(shihezi["age_0_14_share"])
    # the raw file's few urban/rural cells with decimals are rounded, and counted
    assert t.loc[(2010, 411200), "urban_persons"] == round(raw.loc[411200, "popu_urban_2010"])
    notes = built["census_city_prefecture"].account.notes
    assert sum(n for (_, r), n in notes.items() if "not a whole number" in r) == 5


def test_place_matcher_from_the_table_equals_one_read_from_the_raw_file(places, raw_data):
    """The case steps' matcher, built from the published unit list, holds exactly what a matcher
    built straight from the raw CSV holds (the table changed no case record)."""
    raw = pd.read_csv(raw_data / CENSUS_CITY, usecols=["city", "city_code", "province_code"],
                      dtype=str, encoding="utf-8-sig")
    direct = PlaceMatcher(raw)
    assert places.prefecture_codes == direct.prefecture_codes
    assert sorted(places.full_city_names) == sorted(direct.full_city_names)
    assert {p: sorted(v) for p, v in places.names.items()} == \
        {p: sorted(v) for p, v in direct.names.items()}


def test_unit_code_not_six_digits_names_file_row_and_column(tmp_path):
    p = _write(tmp_path, HEADER + "北京市,1101,北京市,110000,100,80,20,90,70,20,12.5,9\n")
    with pytest.raises(DataError, match=r"row 2, column 'city_code'.*not six digits"):
        parse_census_city(p)
