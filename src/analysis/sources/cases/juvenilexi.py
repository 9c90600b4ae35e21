"""Clean the Juvenile-XI/baobeihuijia_spider scrape of Baby Come Home (2023): bbhj.sql →
``case_records_juvenilexi``.

``bbhj.sql`` is an SQLite database despite its name (table ``宝贝回家``), opened read-only
(``file:…?mode=ro``). The scraper stored the 2023 search API's ``publishId`` as ``id`` (a different
id space from the old site's ``view.aspx`` ids), ``lostPass`` (the platform's type-of-loss /
circumstances field, mostly free text) as ``失踪类型``, ``lostAddress`` as ``失踪地址``
(``省,市,县,detail`` or ``省/市/县,detail`` or free text), and not the search side: side is
``unknown``. 630 rows, 210 of them repeats of an id (identical rows): deduplicated on the id.
The ``年龄`` column is the scraper's ``2022 − birth year`` and is not used.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from pathlib import Path

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.cases.common import (
    ID_SPACE_PUBLISH,
    PLACE_TABLES,
    PlaceMatcher,
    clean_personal,
    matcher_of,
    note_counter,
    note_place,
    place_row,
    record_key,
    records_frame,
    resolve_category,
    resolve_dates,
    sex_of,
    strings_from_text,
)

SQL_ID = "bbhj_juvenilexi_spider/bbhj.sql"
TABLE = "宝贝回家"
COLUMNS = ("id", "姓名", "性别", "生日", "失踪类型", "失踪地址", "失踪时间", "注册时间")
SCRAPE_YEAR = 2023

#: Tables this step reads (the place matcher's unit list) and builds.
NEEDS = PLACE_TABLES
PROVIDES = ("case_records_juvenilexi",)


def read_sqlite(path: Path) -> pd.DataFrame:
    """All rows of table ``宝贝回家`` (columns :data:`COLUMNS`, in file order), read-only."""
    uri = path.resolve().as_uri() + "?mode=ro"
    try:
        with sqlite3.connect(uri, uri=True) as con:
            tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master "
                                                "WHERE type = 'table'")}
            if TABLE not in tables:
                raise DataError(path, f"table {TABLE!r} not found (tables: {sorted(tables)})")
            present = [r[1] for r in con.execute(f'PRAGMA table_info("{TABLE}")')]
            for col in COLUMNS:
                if col not in present:
                    raise DataError(path, f"column {col!r} is missing (columns: {present})",
                                    row=1, column=col)
            cols = ", ".join(f'"{c}"' for c in COLUMNS)
            frame = pd.read_sql_query(f'SELECT {cols} FROM "{TABLE}" ORDER BY rowid', con,
                                      dtype=object)
    except sqlite3.DatabaseError as exc:
        raise DataError(path, f"not a readable SQLite database: {exc}") from None
    return frame


def _posting_id(path: Path, value: object, row: int) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    s = str(value).strip() if value is not None else ""
    if not s.isdigit():
        raise DataError(path, "posting id is not a number", row=row, column="id")
    return int(s)


def personal_strings(frame: pd.DataFrame) -> set[str]:
    """Names, posting ids and phone/ID numbers of the rows of bbhj.sql (:func:`read_sqlite`)."""
    out = clean_personal(list(frame["姓名"]) + [str(v) for v in frame["id"]])
    out |= strings_from_text(list(frame["失踪类型"]) + list(frame["失踪地址"])
                             + list(frame["姓名"]))
    return out


def clean_sqlite(path: Path, places: PlaceMatcher, deny: set[str] | None = None) -> CleanTable:
    """``case_records_juvenilexi`` from bbhj.sql (path given); the personal strings of every
    row (:func:`personal_strings`) are added to ``deny``."""
    name = "case_records_juvenilexi"
    account = RowAccount(name)
    frame = read_sqlite(path)
    if deny is not None:
        deny |= personal_strings(frame)
    account.add_read(SQL_ID, len(frame))
    names = clean_personal(frame["姓名"])
    notes: Counter = Counter()
    rows: list[dict] = []
    first: dict[int, tuple] = {}
    for i, rec in enumerate(frame.itertuples(index=False, name=None)):
        pid = _posting_id(path, rec[0], i + 1)
        if pid in first:
            same = first[pid] == rec
            account.drop(SQL_ID, "duplicate posting id (identical row repeated)" if same
                         else "duplicate posting id (differing row; first kept)")
            continue
        first[pid] = rec
        r = dict(zip(COLUMNS, rec, strict=True))
        dates = resolve_dates(r["生日"], r["失踪时间"], r["注册时间"], scrape_year=SCRAPE_YEAR)
        notes.update(dates.notes)
        lost = places.match_text(r["失踪地址"])
        note_place(account, SQL_ID, "lost", r["失踪地址"], lost, names)
        category, basis = resolve_category(r["失踪类型"], r["姓名"])
        rows.append({
            "source": "juvenilexi", "record_key": record_key(pid, ID_SPACE_PUBLISH),
            "side": "unknown", "category": category, "category_basis": basis,
            "sex": sex_of(r["性别"]), "birth_year": dates.birth_year,
            "missing_year": dates.missing_year, "missing_month": dates.missing_month,
            "age_at_missing": dates.age_at_missing, "registered_year": dates.registered_year,
            **place_row(lost, lost_at=places.place(lost, text=r["失踪地址"])),
        })
    account.add_kept(SQL_ID, len(rows))
    note_counter(account, SQL_ID, notes)
    return CleanTable(name, records_frame(rows), account.check())


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``case_records_juvenilexi``; the personal strings of its rows go to ``ctx.deny``."""
    places = matcher_of(ctx.tables)
    return [clean_sqlite(ctx.raw(SQL_ID), places, ctx.deny)]
