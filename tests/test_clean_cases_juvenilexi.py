"""Juvenile-XI scrape: bbhj.sql, an SQLite database (real data and synthetic databases)."""

from __future__ import annotations

import sqlite3
from collections import Counter

import pandas as pd
import pytest

from analysis.core.errors import DataError
from analysis.core.step import BuildContext
from analysis.pipeline import validate
from analysis.sources.cases import juvenilexi as cj
from analysis.sources.cases.common import SALT_ENV

SCHEMA_SQL = ("CREATE TABLE 宝贝回家(id int,姓名 varchar,性别 char,年龄 int,生日 varchar,"
              "失踪类型 text,失踪地址 text,失踪时间 varchar,注册时间 varchar)")


@pytest.fixture(scope="module")
def table(raw_data, place_tables):
    path = raw_data / cj.SQL_ID
    before = (path.stat().st_mtime_ns, path.stat().st_size)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(SALT_ENV, "test-salt")
        (t,) = cj.build(BuildContext(tables=dict(place_tables)))
    validate(t)
    assert (path.stat().st_mtime_ns, path.stat().st_size) == before  # opened read-only
    return t


def test_counts(table):
    acc = table.account
    assert acc.read[cj.SQL_ID] == 630 and acc.kept[cj.SQL_ID] == 420
    assert acc.dropped[(cj.SQL_ID, "duplicate posting id (identical row repeated)")] == 210
    assert len(table.frame) == 420 and table.frame["record_key"].is_unique
    assert table.frame["registered_year"].eq(2023).all()
    assert set(table.frame["side"]) == {"unknown"}


def test_province_totals_match_independent_recount(table, raw_data):
    """Second way: plain SQL DISTINCT and the text before the first , or / of 失踪地址."""
    from analysis.vocab.provinces import crosswalk

    full = dict(zip(crosswalk()["name_zh"], crosswalk()["adcode"], strict=True))
    uri = (raw_data / cj.SQL_ID).resolve().as_uri() + "?mode=ro"
    with sqlite3.connect(uri, uri=True) as con:
        rows = con.execute("SELECT DISTINCT id, 失踪地址 FROM 宝贝回家").fetchall()
    assert len(rows) == 420
    recount = Counter(full.get(addr.replace("/", ",").split(",")[0].strip()) for _, addr in rows)
    mine = Counter(None if pd.isna(v) else int(v) for v in table.frame["lost_adcode_province"])
    # free-text addresses without separators ("四川省泸州市…") are matched by the cleaner only
    extra = mine - recount
    missing = recount - mine
    assert set(missing) <= {None}
    assert sum(extra.values()) == missing[None] <= 10


def _db(tmp_path, rows, schema=SCHEMA_SQL):
    p = tmp_path / "bbhj.sql"
    with sqlite3.connect(p) as con:
        con.execute(schema)
        con.executemany(f"INSERT INTO 宝贝回家 VALUES ({','.join('?' * 9)})", rows)
    return p


ROWS = [
    (1, "王小明", "男", 30, "1993-01-01", "送养", "四川省,达州市,通川区,undefined", "1993-02-01",
     "2023-01-18 20:43"),
    (1, "王小明", "男", 30, "1993-01-01", "送养", "四川省,达州市,通川区,undefined", "1993-02-01",
     "2023-01-18 20:43"),
    (2, "李红", "女", -19, "2041-08-29", "在家门口玩，被对面的外地人抱走，被拐", "", "2024-03-19",
     "2023-03-10 13:58"),
    (3, "张三", "女", "", "", "", "吉林省/长春市/绿园区,英宾路", "1900-01-01", "2023-10-21 09:32"),
]


def test_fixture(tmp_path, places, monkeypatch):
    monkeypatch.setenv(SALT_ENV, "fixture")
    t = cj.clean_sqlite(_db(tmp_path, ROWS), places)
    validate(t)
    acc = t.account
    assert acc.read[cj.SQL_ID] == 4 and acc.kept[cj.SQL_ID] == 3
    f = t.frame
    assert f["category"].tolist() == ["given_away", "abducted", "unknown"]
    assert f["category_basis"].tolist() == ["platform_label", "platform_text", "none"]
    assert f["lost_adcode_province"].iloc[0] == 510000
    assert f["lost_adcode_prefecture"].iloc[2] == 220100
    assert f["birth_year"].isna().tolist() == [False, True, True]
    assert f["missing_year"].isna().tolist() == [False, True, True]
    assert acc.notes[(cj.SQL_ID, "missing date missing: 1900 placeholder")] == 1
    assert acc.notes[(cj.SQL_ID, "birth date missing: year after the scrape")] == 1


def test_fixture_differing_duplicate(tmp_path, places):
    rows = [ROWS[0], (1, "王小明", "男", 30, "1993-01-01", "走失", "", "", "2023-01-18 20:43")]
    t = cj.clean_sqlite(_db(tmp_path, rows), places)
    assert t.account.dropped[(cj.SQL_ID, "duplicate posting id (differing row; first kept)")] == 1


def test_fixture_missing_column_raises(tmp_path, places):
    schema = SCHEMA_SQL.replace("失踪地址", "地址")
    with pytest.raises(DataError, match="column '失踪地址'"):
        cj.clean_sqlite(_db(tmp_path, ROWS, schema), places)


def test_fixture_non_numeric_id_raises(tmp_path, places):
    rows = [ROWS[0], ("x7", *ROWS[0][1:])]
    with pytest.raises(DataError, match=r"row 2, column 'id'"):
        cj.clean_sqlite(_db(tmp_path, rows), places)


def test_fixture_not_sqlite_raises(tmp_path, places):
    p = tmp_path / "bbhj.sql"
    p.write_text("CREATE TABLE x (a int);\nINSERT INTO x VALUES (1);\n", encoding="utf-8")
    with pytest.raises(DataError, match="not a readable SQLite database"):
        cj.clean_sqlite(p, places)
