"""Privacy of the case tables: no personal column, no raw personal string; the guard can fail.
The personal strings are gathered by the case steps while the records are in memory
(``ctx.deny``) and persisted by ``make data`` (``data/interim/.deny.json``)."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest

from analysis.core.step import BuildContext
from analysis.pipeline import run_steps
from analysis.privacy.denyset import deny_file, read_deny
from analysis.privacy.policy import assert_publishable
from analysis.sources.cases import juvenilexi as cases_juvenilexi
from analysis.sources.cases import uiuing as cases_uiuing
from analysis.sources.cases import wtt1002 as cases_wtt1002
from analysis.sources.cases.common import SALT_ENV
from analysis.vocab.cases import CATEGORIES, CATEGORY_BASES, SEXES, SIDES, SOURCES

CASE_STEPS = ["sources.cases.uiuing", "sources.cases.wtt1002", "sources.cases.juvenilexi"]


def assert_no_personal_data(frame: pd.DataFrame, raw_strings: set[str]) -> None:
    """The pipeline's check of a case table (:func:`analysis.privacy.policy.assert_publishable`
    with the case vocabularies)."""
    assert_publishable(frame, where="case table", personal_strings=raw_strings,
                       vocabulary={*SIDES, *CATEGORIES, *CATEGORY_BASES, *SEXES, *SOURCES})


@pytest.fixture(scope="module")
def run(raw_data, place_tables):
    """The three case steps run by the pipeline on the real files: (tables, seconds, deny-set)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SALT_ENV, "test-salt")
        ctx = BuildContext(tables=dict(place_tables))
        t0 = time.perf_counter()
        tables = run_steps(CASE_STEPS, ctx, log=lambda s: None)
        elapsed = time.perf_counter() - t0
    return tables, elapsed, frozenset(ctx.deny)


@pytest.fixture(scope="module")
def built(run):
    return run[0], run[1]


@pytest.fixture(scope="module")
def raw_strings(run):
    return set(run[2])


@pytest.fixture(scope="module")
def a_name(raw_data):
    """A child's name from Missing.json (first record), read with plain json."""
    first = (raw_data / cases_uiuing.MISSING_ID).read_text(encoding="utf-8").splitlines()[0]
    return json.loads(first.lstrip("[").rstrip(","))["name"]


def test_all_five_tables_built_quickly(built):
    tables, elapsed = built
    assert set(tables) == {"case_records_uiuing_missing", "case_records_uiuing_success",
                           "case_records_wtt1002", "case_places_wtt1002_family",
                           "case_places_wtt1002_family_records", "case_records_juvenilexi"}
    assert elapsed < 10  # generous; about 1.5 s measured


def test_personal_strings_collects_names_ids_handles(raw_strings, a_name):
    assert a_name in raw_strings
    assert "515998" in raw_strings  # a posting id of Missing.json
    assert "胖子" in raw_strings  # a volunteer handle of data.xlsx
    assert len(raw_strings) > 8000


def test_each_case_step_adds_its_own_strings(raw_data, places, a_name):
    """Every step contributes: a name of Missing.json only through uiuing, a handle of
    data.xlsx only through wtt1002, a posting id of bbhj.sql only through juvenilexi."""
    uiuing, wtt, juv = set(), set(), set()
    cases_uiuing.clean_missing(raw_data / cases_uiuing.MISSING_ID, raw_data / cases_uiuing.MI_ID,
                               places, uiuing)
    cases_wtt1002.clean_data(raw_data / cases_wtt1002.DATA_ID, places, wtt)
    cases_wtt1002.clean_family(raw_data / cases_wtt1002.FAMILY_ID, places, wtt)
    cases_juvenilexi.clean_sqlite(raw_data / cases_juvenilexi.SQL_ID, places, juv)
    assert a_name in uiuing and "515998" in uiuing
    assert "胖子" in wtt
    sql_ids = {str(v) for v in cases_juvenilexi.read_sqlite(raw_data / cases_juvenilexi.SQL_ID)["id"]}
    assert sql_ids <= juv
    assert len(uiuing) > 1000 and len(wtt) > 1000 and len(juv) > 400


def test_make_data_persisted_the_same_deny_set(processed, raw_strings):
    """``data/interim/.deny.json`` (written by the pipeline) holds exactly the strings the case
    steps gather in memory, and nothing else reads the raw files for them."""
    assert read_deny(deny_file()) == raw_strings


def test_tables_and_accounts_hold_no_personal_data(built, raw_strings):
    tables, _ = built
    for t in tables.values():
        assert_no_personal_data(t.frame, raw_strings)
        assert_no_personal_data(t.account.to_frame(), raw_strings)


@pytest.mark.parametrize("column", ["name", "child_name", "姓名", "photo_url", "image",
                                    "birth_date", "height_cm", "description", "notes",
                                    "volunteer", "posting_id", "n_id", "phone", "address",
                                    "title"])
def test_guard_fails_on_a_personal_column(built, raw_strings, column):
    frame = built[0]["case_records_wtt1002"].frame.head(3).assign(**{column: "x"})
    with pytest.raises(AssertionError, match="personal-data column"):
        assert_no_personal_data(frame, raw_strings)


@pytest.mark.parametrize("column", ["name_en", "name_zh", "province_name", "adcode",
                                    "record_key", "birth_year", "lost_postings_count"])
def test_guard_allows_safe_columns(column):
    assert_no_personal_data(pd.DataFrame({column: [1]}), {"王小明"})


def test_guard_fails_on_a_smuggled_name(built, raw_strings, a_name):
    frame = built[0]["case_records_uiuing_missing"].frame.head(5).copy()
    frame["lost_place_text"] = ["河南省", "河南省", f"河南省{a_name}家门口", "河南省", "河南省"]
    with pytest.raises(AssertionError, match="'lost_place_text' holds a raw personal string"):
        assert_no_personal_data(frame, raw_strings)
    frame["lost_place_text"] = "河南省"
    assert_no_personal_data(frame, raw_strings)


def test_guard_fails_on_posting_ids_and_phone_numbers(built, raw_strings):
    frame = built[0]["case_records_juvenilexi"].frame.head(2).copy()
    with pytest.raises(AssertionError, match="raw posting ids"):
        assert_no_personal_data(frame.assign(n=[515998, 1]), raw_strings)
    with pytest.raises(AssertionError, match="raw personal string"):
        assert_no_personal_data(frame.assign(place=["x 13812345678 y", "z"]),
                                raw_strings | {"13812345678"})
    # a posting id inside a hex key or equal to a year does not trip the guard
    assert_no_personal_data(frame.assign(birth_year=[2005, 2006]), raw_strings | {"2005"})


def test_cross_scrape_keys(built, raw_data):
    """Same id space (view.aspx ids): Missing.json/mi.json and data.xlsx share no posting, so no
    key is shared; bbhj.sql ids are another id space: numerically equal ids exist but, being
    namespaced, never produce the same key."""
    import sqlite3

    tables, _ = built
    keys = {name: set(t.frame["record_key"].dropna()) for name, t in tables.items()
            if name.startswith("case_records") and not name.endswith("success")}
    assert not keys["case_records_uiuing_missing"] & keys["case_records_wtt1002"]
    assert not keys["case_records_juvenilexi"] & (keys["case_records_wtt1002"]
                                                  | keys["case_records_uiuing_missing"])
    xlsx_ids = set(pd.read_excel(raw_data / cases_wtt1002.DATA_ID, engine="calamine")["寻亲编号"])
    uri = (raw_data / cases_juvenilexi.SQL_ID).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as con:
        sql_ids = {r[0] for r in con.execute("SELECT DISTINCT id FROM 宝贝回家")}
    assert len(xlsx_ids & sql_ids) == 46  # equal numbers, different postings
