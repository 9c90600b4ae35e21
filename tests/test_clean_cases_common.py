"""Shared case-record helpers: categories, dates, record keys, places (synthetic strings)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.core import paths
from analysis.sources.cases import common as cc


# ---------------------------------------------------------------- categories (each rule)
@pytest.mark.parametrize("value, expected", [
    ("送养", ("given_away", "platform_label")),
    (" 被拐 ", ("abducted", "platform_label")),
    ("走失", ("lost", "platform_label")),
    ("弃婴", ("abandoned", "platform_label")),
    ("离家出走", ("runaway", "platform_label")),
    ("因为计划生育，出生后就送人了", ("given_away", "platform_text")),
    ("在家门口玩，被人贩子拐走", ("abducted", "platform_text")),
    ("出生一周左右被奶奶遗弃", ("abandoned", "platform_text")),
    ("跟着姐姐出去玩，在巷子口走丢了", ("lost", "platform_text")),
    ("因为父亲催着读书而离家出走", ("runaway", "platform_text")),
])
def test_category_rules_1_and_2_platform_field(value, expected):
    assert cc.resolve_category(value, "某某") == expected


@pytest.mark.parametrize("value", ["不详", "无印象", "", None, "失踪", "打工出门",
                                   "送养后听说被拐卖了"])  # last: two categories → no decision
def test_platform_field_without_decision_falls_through(value):
    assert cc.category_from_platform(value) is None
    assert cc.resolve_category(value, "王小明") == ("unknown", "none")


@pytest.mark.parametrize("title, expected", [
    ("王小明（送养）", "given_away"),
    ("王小明(遗弃)", "abandoned"),
    ("王小明【被拐】", "abducted"),
    ("王小明（送养，照片是妹妹）", "given_away"),
    ("王小明（已回家）", None),
    ("王小明（照片是母亲）", None),
    ("王小明（送养）（遗弃）", None),  # contradictory markers
    ("王送养", None),  # the word must be a bracketed marker
])
def test_category_rule_3_title_marker(title, expected):
    assert cc.category_from_title(title) == expected
    cat, basis = cc.resolve_category(None, title)
    assert (cat, basis) == ((expected, "title_marker") if expected else ("unknown", "none"))


def test_platform_field_wins_over_title():
    assert cc.resolve_category("走失", "王小明（送养）") == ("lost", "platform_label")
    assert cc.resolve_category("不详", "王小明（送养）") == ("given_away", "title_marker")


def test_repeat_registration_marker():
    assert cc.marks_repeat_registration("王小明（重复登记 60541）")
    assert not cc.marks_repeat_registration("王小明（送养）")


# ---------------------------------------------------------------- dates
@pytest.mark.parametrize("text, reason", [
    ("1986年05月43日", "impossible calendar date"),
    ("1986年13月01日", "impossible calendar date"),
    ("未知时间", "unknown (未知时间…)"),
    ("", "blank"),
    (None, "blank"),
    ("1900-01-01", "1900 placeholder"),
    ("1900年01月01日", "1900 placeholder"),
    ("2041-08-29", "year after the scrape"),
    ("去年夏天", "unrecognised format"),
])
def test_bad_dates_become_missing_with_reason(text, reason):
    parsed = cc.parse_date(text, latest_year=2023)
    assert parsed.date is None and parsed.reason == reason


@pytest.mark.parametrize("text, ymd", [
    ("1986年05月13日", (1986, 5, 13)), ("1986-05-13", (1986, 5, 13)),
    ("2016/11/3 17:27:29", (2016, 11, 3)), ("2023-01-18 20:43", (2023, 1, 18)),
])
def test_good_dates(text, ymd):
    d = cc.parse_date(text, latest_year=2023).date
    assert (d.year, d.month, d.day) == ymd


def test_resolve_dates_lifetime_rules():
    ok = cc.resolve_dates("2000年06月10日", "2005年06月09日", "2016/1/1 0:00:00", scrape_year=2016)
    assert (ok.birth_year, ok.missing_year, ok.missing_month, ok.age_at_missing,
            ok.registered_year, ok.notes) == (2000, 2005, 6, 4, 2016, [])
    before = cc.resolve_dates("2016年08月05日", "1966年08月09日", None, scrape_year=2016)
    assert before.missing_year is None and before.birth_year == 2016
    assert before.age_at_missing is None
    assert before.notes == ["missing date missing: before the birth date"]
    after = cc.resolve_dates("1990-01-01", "2024-03-19", "2023-03-10 13:58", scrape_year=2024)
    assert after.missing_year is None
    assert "missing date missing: after the registration date" in after.notes
    born_late = cc.resolve_dates("2023-07-11", "2023-10-31", "2023-03-10 09:32",
                                 scrape_year=2023)
    assert born_late.birth_year is None
    assert "birth date missing: after the registration date" in born_late.notes
    bad_day = cc.resolve_dates("1986年05月43日", "1990年01月01日", scrape_year=2016)
    assert bad_day.birth_year is None and bad_day.missing_year == 1990
    assert bad_day.notes == ["birth date missing: impossible calendar date"]


# ---------------------------------------------------------------- record key
def test_record_key_is_keyed_and_namespaced():
    k = cc.record_key(3453, "view", salt=b"secret-a")
    assert re.fullmatch(r"[0-9a-f]{16}", k)
    assert k == cc.record_key("3453", "view", salt=b"secret-a")
    assert k != cc.record_key(3453, "view", salt=b"secret-b")
    assert k != cc.record_key(3453, "publish", salt=b"secret-a")
    assert k != cc.record_key(3454, "view", salt=b"secret-a")


def test_salt_from_env_or_generated_once(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "RAW", tmp_path)
    monkeypatch.delenv(cc.SALT_ENV, raising=False)
    cc._salt_for.cache_clear()
    try:
        first = cc.record_salt()
        assert (tmp_path / ".record_salt").is_file()
        cc._salt_for.cache_clear()
        assert cc.record_salt() == first  # read back, not regenerated
        monkeypatch.setenv(cc.SALT_ENV, "from-env")
        assert cc.record_salt() == b"from-env"
    finally:
        cc._salt_for.cache_clear()


# ---------------------------------------------------------------- places and sex
@pytest.mark.parametrize("text, province, prefecture, status", [
    (",,", None, None, "unknown"),
    (",,不知道", None, None, "unknown"),
    ("未知", None, None, "unknown"),
    ("", None, None, "unknown"),
    ("其它,亚洲,不清楚", None, None, "abroad"),
    ("某村口", None, None, "unmatched"),
    ("河南省,周口市,郸城县", 410000, 411600, "matched"),
    ("广西南宁", 450000, 450100, "matched"),
    ("重庆市,县,丰都县,undefined", 500000, 500100, "matched"),
    ("吉林省/长春市/绿园区,英宾路", 220000, 220100, "matched"),
    ("青海省,海东地区,", 630000, 630200, "matched"),
    ("湖北省,襄樊市,", 420000, 420600, "matched"),
    ("贵州省,黔西南布依族苗族自治州,兴仁市", 520000, 522300, "matched"),
    ("河南省,省直辖县级行政区划,", 410000, None, "matched"),
    (",,扬州市孤儿院", 320000, 321000, "matched_prefecture_name"),
])
def test_place_text(places, text, province, prefecture, status):
    assert places.match_text(text) == cc.PlaceMatch(province, prefecture, status)


@pytest.mark.parametrize("code, province, prefecture", [
    ("500105", 500000, 500100), ("130403", 130000, 130400), ("440000", 440000, None),
    ("429004", 420000, None), ("632100", 630000, 630200), ("441900", 440000, 441900),
])
def test_place_code(places, code, province, prefecture):
    m = places.match_code(code)
    assert (m.province, m.prefecture) == (province, prefecture)


def test_place_code_falls_back_to_text(places):
    assert places.match_code("", "四川省,成都市,").province == 510000
    assert places.match_code("").status == "unknown"


@pytest.mark.parametrize("value, sex", [("男", "male"), ("女", "female"), ("", "unknown"),
                                        (None, "unknown"), ("不详", "unknown")])
def test_sex(value, sex):
    assert cc.sex_of(value) == sex


@settings(max_examples=60, deadline=None)
@given(text=st.text(min_size=1, max_size=20))
def test_an_unmatched_place_never_puts_its_text_into_the_row_account(text):
    """Row accounts carry reasons and counts only: whatever the unmatched text, the reason is
    the same fixed string (the old rule published short place-like strings, e.g. 张家村)."""
    from analysis.core.accounts import RowAccount

    account = RowAccount("t")
    match = cc.PlaceMatch(province=None, prefecture=None, status="unmatched")
    cc.note_place(account, "f", "lost", text, match)
    cc.note_place(account, "f", "lost", "张家村", match)
    assert set(account.notes) == {("f", f"lost {cc.UNMATCHED_PLACE}")}
    assert account.notes[("f", f"lost {cc.UNMATCHED_PLACE}")] == 2
