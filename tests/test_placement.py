"""Placement below the province: the gazetteer's name rules, the matcher, and the prefecture
and county tables on the real data (with an independent recount of Missing.json)."""

from __future__ import annotations

import collections
import re

import pandas as pd
import pytest

from analysis.sources.cases.common import PlaceMatcher
from analysis.sources.census_county.gazetteer import gazetteer, short_form

# --------------------------------------------------------------------------------------------
# synthetic gazetteer


def _synthetic():
    """Hebei with two prefectures that both hold a 桥西区, a county 长沙县 in a province whose
    prefecture is 长沙市, a 2010 county renamed in 2020, and a prefecture without counties."""
    units = pd.DataFrame([
        # census_year, code, name, level, is_leaf, prefecture_code, adcode
        (2020, 130000, "河北省", "province", False, None, 130000),
        (2020, 130100, "石家庄市", "prefecture", False, 130100, 130000),
        (2020, 130104, "桥西区", "county", True, 130100, 130000),
        (2020, 130181, "辛集市", "county", True, 130100, 130000),
        (2020, 130500, "邢台市", "prefecture", False, 130500, 130000),
        (2020, 130503, "桥西区", "county", True, 130500, 130000),
        (2020, 130522, "临城县", "county", True, 130500, 130000),
        (2010, 130000, "河北省", "province", False, None, 130000),
        (2010, 130100, "石家庄市", "prefecture", False, 130100, 130000),
        (2010, 130104, "桥西区", "county", True, 130100, 130000),
        (2010, 130181, "辛集市", "county", True, 130100, 130000),
        (2010, 130500, "邢台市", "prefecture", False, 130500, 130000),
        (2010, 130503, "桥西区", "county", True, 130500, 130000),
        (2010, 130521, "邢台县", "county", True, 130500, 130000),
        (2020, 430000, "湖南省", "province", False, None, 430000),
        (2020, 430100, "长沙市", "prefecture", False, 430100, 430000),
        (2020, 430121, "长沙县", "county", True, 430100, 430000),
        (2020, 430102, "芙蓉区", "county", True, 430100, 430000),
        (2020, 441900, "东莞市", "prefecture", True, 441900, 440000),
        (2020, 440000, "广东省", "province", False, None, 440000),
    ], columns=["census_year", "code", "name_zh", "level", "is_leaf", "prefecture_code",
                "adcode"])
    units["prefecture_code"] = units["prefecture_code"].astype("Int64")
    leaves = [  # year, code, name, harmonised, prefecture, province, relation
        (2020, 130104, "桥西区", 130104, 130100, 130000, "same"),
        (2010, 130104, "桥西区", 130104, 130100, 130000, "same"),
        (2020, 130181, "辛集市", 130181, 130100, 130000, "same"),
        (2010, 130181, "辛集市", 130181, 130100, 130000, "same"),
        (2020, 130503, "桥西区", 130503, 130500, 130000, "same"),
        (2010, 130503, "桥西区", 130503, 130500, 130000, "same"),
        (2020, 130522, "临城县", 130522, 130500, 130000, "recoded"),
        (2010, 130521, "邢台县", 130522, 130500, 130000, "recoded"),
        (2020, 430121, "长沙县", 430121, 430100, 430000, "same"),
        (2020, 430102, "芙蓉区", 430102, 430100, 430000, "same"),
        (2020, 441900, "东莞市", 441900, 441900, 440000, "same"),
    ]
    xwalk = pd.DataFrame(leaves, columns=["census_year", "code", "name_zh", "harmonised_code",
                                          "harmonised_prefecture_code", "harmonised_adcode",
                                          "relation"])
    xwalk["harmonised_name_zh"] = xwalk["name_zh"]
    prefectures = pd.DataFrame({"census_year": 2020,
                                "prefecture_adcode": [130100, 130500, 430100, 441900],
                                "prefecture_name_zh": ["石家庄市", "邢台市", "长沙市", "东莞市"],
                                "adcode": [130000, 130000, 430000, 440000]})
    return units, xwalk, prefectures


@pytest.fixture(scope="module")
def synthetic():
    units, xwalk, prefectures = _synthetic()
    table, dropped = gazetteer(units, xwalk, prefectures)
    cities = pd.DataFrame({"city": prefectures["prefecture_name_zh"],
                           "city_code": prefectures["prefecture_adcode"],
                           "province_code": prefectures["adcode"]})
    return table, dropped, PlaceMatcher(cities, table)


def _forms(table: pd.DataFrame, code: int) -> set[str]:
    rows = table[table["unit_code"] == code]
    return {n[:k] for n, k in zip(rows["name_zh"], rows["form_length"], strict=True)}


def test_short_form_rules():
    assert short_form("富阳市", "county") == "富阳"
    assert short_form("石林彝族自治县", "county") == "石林"
    assert short_form("城区", "county") is None          # one character left
    assert short_form("市中区", "county") is None         # generic word (市中心)
    assert short_form("苏州工业园区", "county") is None     # administrative area
    assert short_form("凉山彝族自治州", "prefecture") == "凉山"
    assert short_form("单县", "county") is None


def test_ambiguous_short_forms_are_not_used(synthetic):
    table, dropped, _ = synthetic
    # 桥西 names two districts of Hebei: no short form; the full name is unique only in its
    # prefecture
    assert "桥西" not in _forms(table, 130104) | _forms(table, 130503)
    qx = table[(table["unit_code"] == 130104) & (table["form"] == "full")]
    assert qx["unique_in_prefecture"].all() and not qx["unique_in_province"].any()
    # 长沙 of 长沙县 is the prefecture's name: not used
    assert _forms(table, 430121) == {"长沙县"}
    assert dropped["short form shared by two units of the province (not used)"] == 2
    # 长沙 (长沙县), 邢台 (邢台县, 2010) and 东莞 (the leaf 东莞市) are prefecture names
    assert dropped["county short form equal to a prefecture name of its province "
                   "(not used)"] == 3
    # a renamed 2010 unit points to its 2020 code
    old = table[(table["unit_code"] == 130521)]
    assert set(old["county_code"]) == {130522} and set(old["census_years"]) == {"2010"}


def test_matcher_places_codes_and_texts(synthetic):
    *_, m = synthetic
    at = m.place(m.match_code("130503"), "130503")
    assert (at.level, at.county, at.prefecture) == ("county", 130503, 130500)
    at = m.place(m.match_code("130521"), "130521")            # 2010 code → 2020 unit
    assert (at.level, at.county, at.unit) == ("county", 130522, 130522)
    at = m.place(m.match_code("130500"), "130500", "河北省,邢台市,桥西区某街")
    assert (at.level, at.county, at.basis) == ("county", 130503,
                                                "prefecture code; county name in the text")
    at = m.place(m.match_text("河北省,,桥西区"), text="河北省,,桥西区")  # ambiguous in province
    assert (at.level, at.county) == ("province", None)
    at = m.place(m.match_text("河北省,,辛集某村"), text="河北省,,辛集某村")  # unique short form
    assert (at.level, at.county, at.prefecture) == ("county", 130181, 130100)
    at = m.place(m.match_text("湖南省,长沙市,"), text="湖南省,长沙市,")
    assert (at.level, at.prefecture) == ("prefecture", 430100)
    at = m.place(m.match_text("广东省,东莞市,"), text="广东省,东莞市,")  # one leaf
    assert (at.level, at.county) == ("county", 441900)
    at = m.place(m.match_code("130500"), "130500", "湖南省长沙市")  # code and text disagree
    assert at.check == "disagree" and at.prefecture == 130500
    at = m.place(m.match_text("河北省长沙市某村"), text="河北省长沙市某村")  # city elsewhere
    assert (at.check, at.level) == ("disagree", "province")
    assert m.place(m.match_text("未知"), text="未知").level == "none"


# --------------------------------------------------------------------------------------------
# real data

#: documented floors of the share placed at prefecture level or finer (measured 2026-12:
#: uiuing_missing 98.9 %, wtt1002_family 99.5 %, wtt1002_data current 98.8 %, lost 79.1 %
#: (20 % unknown or abroad), juvenilexi 93.6 %, uiuing_success 45.3 % / 35.9 % (codes of
#: provinces only))
FLOORS = {("uiuing_missing", "lost"): 0.95, ("wtt1002_family", "lost"): 0.95,
          ("wtt1002_data", "current_or_found"): 0.95, ("wtt1002_data", "lost"): 0.75,
          ("juvenilexi", "lost"): 0.90, ("uiuing_success", "lost"): 0.40,
          ("uiuing_success", "current_or_found"): 0.30}


@pytest.fixture(scope="module")
def tables(processed):
    from analysis.tables import read

    return {n: read(n) for n in ("case_placement_summary", "prefecture_case_counts",
                                 "county_case_counts", "case_rates", "census_prefecture",
                                 "place_gazetteer", "census_county_crosswalk")}


def test_placement_shares_meet_the_floors(tables):
    s = tables["case_placement_summary"]
    g = s.groupby(["source", "place_role", "place_level"])["postings_count"].sum().unstack(
        fill_value=0)
    share = (g["county"] + g["prefecture"]) / g.sum(axis=1)
    assert set(share.index) == set(FLOORS)
    for key, floor in FLOORS.items():
        assert share[key] >= floor, (key, share[key])


def test_prefecture_counts_sum_to_the_province_counts(tables):
    p, r = tables["prefecture_case_counts"], tables["case_rates"]
    ours = p.groupby(["measure", "province_adcode"])["postings_count"].sum()
    theirs = r.set_index(["measure", "adcode"])["postings_count"]
    theirs.index.names = ours.index.names
    pd.testing.assert_series_equal(ours.sort_index(), theirs.sort_index(), check_names=False,
                                   check_dtype=False)
    units = tables["census_prefecture"].query("census_year == 2020 and adcode < 710000")
    for _m, grp in p[p["row_kind"] == "prefecture"].groupby("measure"):
        assert sorted(grp["prefecture_code"]) == sorted(units["prefecture_adcode"])


def test_county_table_covers_every_leaf_and_sums_to_the_prefectures(tables):
    c, p = tables["county_case_counts"], tables["prefecture_case_counts"]
    one = c[c["measure"] == c["measure"].iloc[0]]
    assert one["members_2010_count"].sum() >= 2800 and one["members_2020_count"].sum() >= 2800
    x = tables["census_county_crosswalk"]
    assert one["members_2010_count"].sum() == (x["census_year"] == 2010).sum()
    assert one["members_2020_count"].sum() == (x["census_year"] == 2020).sum()
    ours = c.groupby(["measure", "prefecture_code"])["postings_count"].sum()
    theirs = p[p["row_kind"] == "prefecture"].set_index(["measure", "prefecture_code"])[
        "postings_county_placed_count"]
    assert (ours.reindex(theirs.index, fill_value=0) == theirs).all()
    assert one["children_0_14_2020_persons"].sum() > 2.4e8


def _raw_postings(path, key: str) -> list[tuple[str, str]]:
    """(posting id, address_id) of every line of a Missing.json-like file: one regex each,
    no JSON decoding."""
    out = []
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        i = re.search(rf'"{key}"\s*:\s*"[^"]*?(\d+)"', line)
        a = re.search(r'"address_id"\s*:\s*"(\d*)"', line)
        if i and a:
            out.append((i.group(1), a.group(1)))
    return out


def test_independent_recount_of_missing_json(tables, raw_data):
    """Prefecture = first four digits of address_id + "00" (municipalities xx0100; units
    directly under a province xx90NN their own code), counted from the raw files; the table
    must hold every such posting in that unit. The only postings it may add are those whose
    code names a province only (placed from their address text): bounded by their number."""
    base = raw_data / "bbhj_uiuing_findbaby"
    missing = _raw_postings(base / "Missing.json", "n_id")
    ids = {i for i, _ in missing}
    extra = [r for r in _raw_postings(base / "mi.json", "url") if r[0] not in ids]
    units = set(tables["census_prefecture"].query("census_year == 2020")["prefecture_adcode"])
    simple: collections.Counter = collections.Counter()
    province_only = 0
    for _pid, code in [*dict(missing).items(), *dict(extra).items()]:
        if len(code) != 6:
            continue
        if code[:2] in ("11", "12", "31", "50"):
            pref = int(code[:2] + "0100")
        elif code[2:4] == "90" and code[4:] != "00":
            pref = int(code)
        elif code[2:4] != "00" and code[2:4] != "90":
            pref = int(code[:4] + "00")
        else:
            province_only += 1
            continue
        if pref in units:
            simple[pref] += 1
    p = tables["prefecture_case_counts"]
    table = p[(p["measure"] == "lost_uiuing_missing") & (p["row_kind"] == "prefecture")
              ].set_index("prefecture_code")["postings_count"]
    recount = pd.Series(simple).reindex(table.index, fill_value=0)
    diff = table - recount
    assert (diff >= 0).all()
    assert diff.sum() <= province_only
    s = tables["case_placement_summary"]
    by_text = s[(s["source"] == "uiuing_missing")
                & s["place_basis"].str.startswith("province code;")]["postings_count"].sum()
    assert diff.sum() <= by_text + (len(missing) + len(extra) - sum(simple.values()))
    assert (diff == 0).mean() >= 0.94
