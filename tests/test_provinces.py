"""Crosswalk and to_adcode: every spelling met in the sources, round trips (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core.errors import UnknownProvinceError
from analysis.vocab.provinces import (
    ALL34,
    MAINLAND31,
    NATIONAL_ADCODE,
    crosswalk,
    province_from_text,
    to_adcode,
    to_adcodes,
    try_adcode,
)

CW = crosswalk()


def test_crosswalk_has_34_units_with_consistent_codes():
    assert len(CW) == 34 and CW["adcode"].is_unique
    assert CW["mainland31"].sum() == 31
    assert set(CW.loc[CW["mainland31"], "adcode"]) == set(MAINLAND31)
    assert (CW["adcode"] % 10000 == 0).all()
    # OCHA P-code is CN0 + the first two digits (CN034 -> Anhui 340000)
    assert (CW["ocha_pcode"].str[3:].astype(int) * 10000 == CW["adcode"]).all()
    assert CW.set_index("adcode").loc[340000, "ocha_pcode"] == "CN034"


def test_nbs_macro_regions():
    counts = CW.loc[CW["mainland31"], "region"].value_counts().to_dict()
    assert counts == {"West": 12, "East": 10, "Central": 6, "Northeast": 3}
    assert CW.loc[~CW["mainland31"], "region"].isna().all()


@pytest.mark.parametrize("spelling, adcode", [
    ("北  京", 110000), ("北  京 ", 110000), ("全 国[5] ", NATIONAL_ADCODE), ("全国", NATIONAL_ADCODE),
    ("内蒙古自治区", 150000), ("内蒙古", 150000), ("Nei Mongol", 150000), ("Neimenggu", 150000),
    ("Inner Mongolia", 150000), ("Inner Mongolia Autonomous Region", 150000),
    ("Xizang", 540000), ("Tibet", 540000), ("西藏自治区", 540000), ("Tibet Autonomous Region", 540000),
    ("HongKong", 810000), ("Hong Kong", 810000), ("Aomen", 820000), ("Macao", 820000),
    ("Macau", 820000), ("Shaanxi", 610000), ("Shanxi", 140000), ("陕西省", 610000), ("山西", 140000),
    ("Gansu province", 620000), ("广西壮族自治区", 450000), ("Guangxi Zhuang Autonomous Region", 450000),
    ("新疆维吾尔自治区", 650000), ("宁夏回族自治区", 640000), ("香港特别行政区", 810000),
    ("台湾省", 710000), ("黑龙江省", 230000), ("黑龙江", 230000),
    ("410523", 410000), (410523, 410000), ("4105", 410000), ("41", 410000), (110000, 110000),
    ("CN034", 340000), ("cn050", 500000), (156110000, 110000), ("156410000", 410000),
    ("441900000000", 440000), (410523.0, 410000),
])
def test_known_spellings(spelling, adcode):
    assert to_adcode(spelling) == adcode


@pytest.mark.parametrize("bad", ["Atlantis", "", "999999", "CN099", "x", "1234567", None, 3.5])
def test_unknown_values_are_rejected(bad):
    assert try_adcode(bad) is None
    with pytest.raises(UnknownProvinceError):
        to_adcode(bad)


def test_vectorised_error_lists_every_unknown_name():
    with pytest.raises(UnknownProvinceError) as err:
        to_adcodes(["北京", "Atlantis", "Lemuria", "Atlantis"], context="file.csv column 地区")
    msg = str(err.value)
    assert "'Atlantis'" in msg and "'Lemuria'" in msg and "file.csv column 地区" in msg
    assert err.value.unknown == ["Atlantis", "Lemuria"]


def test_vectorised_na_mode_keeps_index():
    import pandas as pd

    s = pd.Series(["河北", "??", "CN013"], index=[5, 6, 7])
    out = to_adcodes(s, unknown="na")
    assert list(out.index) == [5, 6, 7]
    assert out.iloc[0] == 130000 and pd.isna(out.iloc[1]) and out.iloc[2] == 130000


unit = st.sampled_from(CW.to_dict("records"))
spaces = st.text(alphabet=" \u3000\t", max_size=3)


@given(unit, st.sampled_from(["name_zh", "name_zh_short", "name_en", "pinyin", "ocha_pcode"]),
       spaces, spaces, st.sampled_from(["", "[5]", "（注）", "[a]"]))
def test_round_trip_any_name_with_padding_and_footnotes(row, col, pre, post, footnote):
    assert to_adcode(f"{pre}{row[col]}{post}{footnote}") == row["adcode"]


@given(unit, st.sampled_from(["name_zh", "name_zh_short"]), st.integers(0, 3))
def test_round_trip_chinese_with_inner_spaces(row, col, n):
    name = row[col]
    padded = name[0] + " " * n + name[1:]
    assert to_adcode(padded) == row["adcode"]


@given(st.sampled_from(ALL34), st.integers(1, 99), st.integers(0, 99))
def test_round_trip_county_and_city_codes(adcode, city, county):
    code = adcode + city * 100 + county
    assert to_adcode(code) == adcode
    assert to_adcode(str(code)) == adcode
    assert to_adcode(f"156{code}") == adcode
    assert to_adcode(f"CN0{adcode // 10000}") == adcode


@given(st.sampled_from(ALL34))
def test_english_names_round_trip_case_insensitively(adcode):
    row = CW.set_index("adcode").loc[adcode]
    assert to_adcode(row["name_en"].upper()) == adcode
    assert to_adcode(row["name_en"].replace(" ", "")) == adcode


@pytest.mark.parametrize("text, adcode", [
    ("河南省周口市郸城县", 410000), ("广西南宁市", 450000), ("内蒙古呼和浩特", 150000),
    (" 山西 太原", 140000), ("陕西西安", 610000), ("未知", None), (",,", None), ("", None),
    (None, None), ("黑龙江省哈尔滨", 230000), ("吉林省吉林市", 220000),
])
def test_province_from_text(text, adcode):
    assert province_from_text(text) == adcode
