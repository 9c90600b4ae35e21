"""uiuing/Findbaby scrape: Missing.json, mi.json, success_case.json (real data and fixtures)."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from analysis.core.errors import DataError
from analysis.core.step import BuildContext
from analysis.pipeline import validate
from analysis.sources.cases import uiuing as cu
from analysis.sources.cases.common import SALT_ENV


@pytest.fixture(scope="module")
def tables(raw_data, place_tables):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SALT_ENV, "test-salt")
        ctx = BuildContext(tables=dict(place_tables))
        built = {t.name: t for t in cu.build(ctx)}
    for t in built.values():
        validate(t)
    return built


def test_missing_counts(tables):
    t = tables["case_records_uiuing_missing"]
    acc = t.account
    assert acc.read[cu.MISSING_ID] == 3085 and acc.kept[cu.MISSING_ID] == 3085
    assert acc.dropped_total(cu.MISSING_ID) == 0  # the one broken record is repaired
    assert acc.notes[(cu.MISSING_ID, cu.REPAIRED)] == 1
    assert acc.read[cu.MI_ID] == 1867 and acc.kept[cu.MI_ID] == 7
    assert acc.dropped[(cu.MI_ID, "duplicate posting id (already in Missing.json)")] == 1860
    assert len(t.frame) == 3092 and t.frame["record_key"].is_unique
    assert set(t.frame["side"]) == {"lost"}
    assert t.frame["lost_adcode_province"].notna().sum() == 3087


def test_success_pairs(tables):
    t = tables["case_records_uiuing_success"]
    assert len(t.frame) == 2583 and t.account.kept[cu.SUCCESS_ID] == 2583
    assert t.frame["lost_adcode_province"].notna().all()
    assert t.frame["current_or_found_adcode_province"].notna().all()
    assert t.frame["record_key"].isna().all() and set(t.frame["side"]) == {"found"}


def _independent_missing_recount(raw) -> Counter:
    """Plain regex per line: first two digits of address_id of each unique posting id."""
    seen, counts = set(), Counter()
    for name, id_re in (("Missing.json", r'"n_id": "(\d+)"'), ("mi.json", r"view\.aspx\?id=(\d+)")):
        for line in (raw / "bbhj_uiuing_findbaby" / name).read_text(encoding="utf-8").splitlines():
            m = re.search(id_re, line)
            if not m or m.group(1) in seen:
                continue
            seen.add(m.group(1))
            code = re.search(r'"address_id": "(\d{6})"', line)
            counts[int(code.group(1)[:2]) * 10000 if code else None] += 1
    return counts


def test_missing_province_totals_match_independent_recount(tables, raw_data):
    recount = _independent_missing_recount(raw_data)
    table = tables["case_records_uiuing_missing"].frame["lost_adcode_province"]
    mine = Counter({int(k): int(v) for k, v in table.value_counts().items()})
    mine[None] = int(table.isna().sum())
    assert sum(recount.values()) == 3092
    assert mine == recount


def test_success_province_totals_match_independent_recount(tables, raw_data):
    lost, found = Counter(), Counter()
    path = raw_data / "bbhj_uiuing_findbaby" / "success_case.json"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            obj = json.loads(line)
            lost.update(int(c[:2]) * 10000 for c in obj["Lost_place"])
            found.update(int(c[:2]) * 10000 for c in obj["Return_location"])
    frame = tables["case_records_uiuing_success"].frame
    assert Counter(frame["lost_adcode_province"].astype(int)) == lost
    assert Counter(frame["current_or_found_adcode_province"].astype(int)) == found


# ------------------------------------------------------------------ synthetic fixtures
def _rec(n_id, name="张三", address_id="410100", **kw):
    rec = {"n_id": str(n_id), "image": "x.jpg", "name": name, "sex": "男",
           "birth": "2001年02月03日", "height": "未知", "missing_time": "2005年06月07日",
           "address": "河南省,郑州市,", "address_id": address_id, "person": "暂无",
           "after": "2020/2/20 9:06:41"}
    rec.update(kw)
    return json.dumps(rec, ensure_ascii=False)


def _write(tmp_path, name, lines):
    p = tmp_path / name
    p.write_text("\n".join(lines), encoding="utf-8")
    return p


def test_fixture_recovers_counts_and_dedupes(tmp_path, places, monkeypatch):
    monkeypatch.setenv(SALT_ENV, "fixture")
    missing = _write(tmp_path, "Missing.json", [
        "[" + _rec(1, name="李四（送养）") + ",",
        _rec(2, missing_time="1986年05月43日", address_id="") + ",",
        '{"n_id": "3", "name": "broken" "sex": "男"},',            # unparsable
        _rec(2) + ",",                                               # duplicate id
        _rec(4, missing_time="未知时间", after="（某某跟进）")[:-1] + "]",  # missing its brace
    ])
    mi_rec = json.loads(_rec(5))
    mi_rec["url"] = "https://www.baobeihuijia.com/view.aspx?id=5"
    mi_dup = dict(mi_rec, url="https://www.baobeihuijia.com/view.aspx?id=1")
    mi = _write(tmp_path, "mi.json", ["[" + json.dumps(mi_rec, ensure_ascii=False) + ",",
                                      json.dumps(mi_dup, ensure_ascii=False) + ","])
    t = cu.clean_missing(missing, mi, places)
    validate(t)
    acc = t.account
    assert acc.read[cu.MISSING_ID] == 5 and acc.kept[cu.MISSING_ID] == 3
    assert acc.dropped[(cu.MISSING_ID, cu.UNPARSABLE)] == 1
    assert acc.dropped[(cu.MISSING_ID, "duplicate posting id (repeated within Missing.json)")] == 1
    assert acc.notes[(cu.MISSING_ID, cu.REPAIRED)] == 1
    assert acc.read[cu.MI_ID] == 2 and acc.kept[cu.MI_ID] == 1
    assert acc.notes[(cu.MISSING_ID, "missing date missing: impossible calendar date")] == 1
    assert acc.notes[(cu.MISSING_ID, "missing date missing: unknown (未知时间…)")] == 1
    f = t.frame
    assert list(f["category"]) == ["given_away", "unknown", "unknown", "unknown"]
    assert f["lost_adcode_province"].tolist() == [410000] * 4  # id 2 from the address text
    assert f["registered_year"].tolist()[:2] == [2020, 2020] and f["registered_year"].isna()[2]


def test_fixture_missing_field_raises(tmp_path, places):
    rec = json.loads(_rec(1))
    del rec["address_id"]
    bad = _write(tmp_path, "Missing.json", ["[" + _rec(7) + ",", json.dumps(rec) + "]"])
    mi = _write(tmp_path, "mi.json", ["[]"])
    with pytest.raises(DataError, match=r"row 2, column 'address_id'"):
        cu.clean_missing(bad, mi, places)


def test_fixture_non_numeric_id_raises(tmp_path, places):
    bad = _write(tmp_path, "Missing.json",
                 ["[" + _rec(1).replace('"n_id": "1"', '"n_id": "x1"') + "]"])
    mi = _write(tmp_path, "mi.json", ["[]"])
    with pytest.raises(DataError, match=r"column 'n_id'"):
        cu.clean_missing(bad, mi, places)


def test_fixture_success_unequal_lists(tmp_path, places):
    p = _write(tmp_path, "success_case.json", [
        json.dumps({"Lost_place": ["441600", "360825"], "Return_location": ["440300"]}),
        json.dumps({"Lost_place": ["110000"], "Return_location": ["999999"]})])
    t = cu.clean_success(p, places)
    assert t.account.read[cu.SUCCESS_ID] == 3 and len(t.frame) == 2
    assert t.frame["current_or_found_adcode_province"].isna().tolist() == [False, True]
    t.account.check()
