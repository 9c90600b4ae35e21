"""wtt1002/FindBaby scrape: data.xlsx and familyfindbaby_addr.xlsx (real data and fixtures)."""

from __future__ import annotations

from collections import Counter

import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.core.step import BuildContext
from analysis.pipeline import validate
from analysis.sources.cases import wtt1002 as cw
from analysis.sources.cases.common import SALT_ENV
from analysis.vocab.provinces import MAINLAND31, crosswalk


@pytest.fixture(scope="module")
def tables(raw_data, place_tables):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SALT_ENV, "test-salt")
        ctx = BuildContext(tables=dict(place_tables))
        built = {t.name: t for t in cw.build(ctx)}
    for t in built.values():
        validate(t)
    return built


def test_data_counts(tables):
    t = tables["case_records_wtt1002"]
    assert len(t.frame) == 5337 and t.account.read[cw.DATA_ID] == 5337
    assert t.account.dropped_total() == 0 and t.frame["record_key"].is_unique
    assert set(t.frame["side"]) == {"current"}
    assert t.frame["registered_year"].eq(2016).all()
    # README: 1,070 lost places without a province; 4 of them start with a prefecture name
    # unique in the country (",,扬州市孤儿院") and get its province
    assert t.frame["lost_adcode_province"].isna().sum() == 1070 - 4
    assert t.account.notes[(cw.DATA_ID, "lost place: province inferred from the prefecture "
                                        "name")] == 4


def test_current_province_totals_match_independent_recount(tables, raw_data):
    """Second, simpler way: which full or short province name does 失踪人所在地 start with."""
    cw_ = crosswalk()
    names = sorted([*zip(cw_["name_zh"], cw_["adcode"], strict=True),
                    *zip(cw_["name_zh_short"], cw_["adcode"], strict=True)],
                   key=lambda kv: -len(kv[0]))
    raw = pd.read_excel(raw_data / cw.DATA_ID, engine="calamine", dtype=str)
    recount = Counter(next((a for n, a in names if str(v).strip().startswith(n)), None)
                      for v in raw["失踪人所在地"])
    frame = tables["case_records_wtt1002"].frame
    mine = Counter(None if pd.isna(v) else int(v)
                   for v in frame["current_or_found_adcode_province"])
    diff = mine - recount, recount - mine
    # the one posting whose current place names only a prefecture (province inferred) differs
    assert sum(diff[0].values()) == 1 and sum(diff[1].values()) == 1
    assert list(diff[1]) == [None] and list(diff[0]) == [130000]  # 沧州市南皮县


def test_family_counts(tables, raw_data):
    t = tables["case_places_wtt1002_family"]
    assert sorted(t.frame["adcode"]) == sorted(MAINLAND31)
    assert t.frame["lost_postings_count"].sum() == t.account.kept[cw.FAMILY_ID]
    assert t.account.read[cw.FAMILY_ID] == 22834
    # simpler recount: 省份 cells that are exactly a full province name
    full = dict(zip(crosswalk()["name_zh"], crosswalk()["adcode"], strict=True))
    raw = pd.read_excel(raw_data / cw.FAMILY_ID, engine="calamine", dtype=str)
    exact = Counter(full[v.strip()] for v in raw["省份"].dropna() if v.strip() in full)
    mine = dict(zip(t.frame["adcode"], t.frame["lost_postings_count"], strict=True))
    extra = sum(mine[a] - exact.get(a, 0) for a in MAINLAND31)
    assert all(mine[a] >= exact.get(a, 0) for a in MAINLAND31)
    assert 0 <= extra <= 22834 - sum(exact.values())
    assert extra < 700  # only free-text province cells and blank provinces add to it


def _xlsx(tmp_path, frame, name="data.xlsx"):
    p = tmp_path / name
    frame.to_excel(p, index=False)
    return p


def _data_frame():
    return pd.DataFrame({
        "寻亲类别": ["宝贝寻家", "宝贝寻家", "家寻宝贝"], "寻亲编号": [101, 101, 102],
        "姓名": ["王小明（送养）", "王小明", "李红"], "性别": ["男", "男", "女"],
        "出生日期": ["1986年05月43日", "1986年05月13日", "1990年01月01日"],
        "失踪时身高": ["未知"] * 3, "失踪时间": ["1986年06月01日", "1986年06月01日", "1980年01月01日"],
        "失踪人所在地": ["山东省,临沂市", "山东省,临沂市", "河南省,郑州市"],
        "失踪地点": [",,", ",,", "其它,亚洲,不知道"], "寻亲者特征描述": ["x"] * 3,
        "其他资料": ["（胖子 跟进）"] * 3, "注册时间": ["2016/11/3 17:27:29"] * 3,
        "跟进志愿者": ["胖子"] * 3,
    })


def test_fixture_data(tmp_path, places, monkeypatch):
    monkeypatch.setenv(SALT_ENV, "fixture")
    t = cw.clean_data(_xlsx(tmp_path, _data_frame()), places)
    validate(t)
    acc = t.account
    assert acc.read[cw.DATA_ID] == 3 and acc.kept[cw.DATA_ID] == 2
    assert acc.dropped[(cw.DATA_ID, "duplicate posting id (repeated within data.xlsx)")] == 1
    assert acc.notes[(cw.DATA_ID, "birth date missing: impossible calendar date")] == 1
    assert acc.notes[(cw.DATA_ID, "missing date missing: before the birth date")] == 1
    assert acc.notes[(cw.DATA_ID, "lost place abroad or other (其它,亚洲… chosen)")] == 1
    f = t.frame
    assert f["side"].tolist() == ["current", "lost"]
    assert f["category"].tolist() == ["given_away", "unknown"]
    assert f["current_or_found_adcode_province"].tolist()[0] == 370000
    assert f["current_or_found_adcode_province"].isna().tolist()[1]
    assert f["birth_year"].isna().tolist() == [True, False]


def test_fixture_renamed_column_raises(tmp_path, places):
    frame = _data_frame().rename(columns={"失踪地点": "丢失地点"})
    with pytest.raises(DataError, match="column '失踪地点'"):
        cw.clean_data(_xlsx(tmp_path, frame), places)


def test_fixture_non_numeric_id_raises(tmp_path, places):
    frame = _data_frame()
    frame["寻亲编号"] = frame["寻亲编号"].astype(object)
    frame.loc[1, "寻亲编号"] = "abc"
    with pytest.raises(DataError, match=r"row 3, column '寻亲编号'"):
        cw.clean_data(_xlsx(tmp_path, frame), places)


def test_fixture_family(tmp_path, places):
    frame = pd.DataFrame({"省份": ["辽宁省", "辽宁省", "香港特别行政区", None, "某个村", "江苏省"],
                          "城市": ["抚顺市", None, "香港", None, None, "扬州市"],
                          "详细": [None] * 6})
    t, _ = cw.clean_family(_xlsx(tmp_path, frame, "family.xlsx"), places)
    validate(t)
    counts = dict(zip(t.frame["adcode"], t.frame["lost_postings_count"], strict=True))
    assert counts[210000] == 2 and counts[320000] == 1 and sum(counts.values()) == 3
    assert t.account.dropped_total() == 3
