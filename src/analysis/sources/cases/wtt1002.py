"""Clean the wtt1002/FindBaby scrape of Baby Come Home (2016): data.xlsx and
familyfindbaby_addr.xlsx → ``case_records_wtt1002`` and ``case_places_wtt1002_family``.

* ``data.xlsx``: one row per posting (``寻亲编号`` = posting id, deduplicated). ``寻亲类别`` is the
  platform's search side (宝贝寻家 → ``current``: an adult searching for the birth family;
  家寻宝贝 → ``lost``), not a type of loss, so the category comes from a title marker in ``姓名``
  or is ``unknown``. Lost place = ``失踪地点`` (``省,市,detail``; ``,,`` = unknown), current
  place = ``失踪人所在地`` (``省,市``). Dates ``出生日期``, ``失踪时间``, ``注册时间``.
* ``familyfindbaby_addr.xlsx``: 家寻宝贝 missing places (``省份``, ``城市``, ``详细`` and four
  unnamed, mostly empty columns) with no id and no date: counted per mainland province; rows
  whose province is unknown, unmatched or outside the 31 mainland provinces are dropped and
  counted.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.cases.common import (
    ID_SPACE_VIEW,
    PLACE_TABLES,
    UNMATCHED_PLACE,
    PlaceMatcher,
    clean_personal,
    marks_repeat_registration,
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
from analysis.vocab.cases import FAMILY_RECORD_COLUMNS, FAMILY_RECORDS_TABLE, FAMILY_SOURCE
from analysis.vocab.provinces import MAINLAND31

DATA_ID = "bbhj_wtt1002_findbaby/data.xlsx"
FAMILY_ID = "bbhj_wtt1002_findbaby/familyfindbaby_addr.xlsx"
SCRAPE_YEAR = 2016

DATA_COLUMNS = ("寻亲类别", "寻亲编号", "姓名", "性别", "出生日期", "失踪时间", "失踪人所在地",
                "失踪地点", "注册时间")
FAMILY_COLUMNS = ("省份", "城市")
#: the detail column of familyfindbaby_addr.xlsx (read for a county name at its start)
FAMILY_DETAIL = "详细"
#: Free-text and handle columns of data.xlsx that only feed the deny-set (never an output).
PERSONAL_COLUMNS = ("跟进志愿者", "其他资料", "寻亲者特征描述")

#: Tables this step reads (the place matcher's unit list) and builds.
NEEDS = PLACE_TABLES
PROVIDES = ("case_records_wtt1002", "case_places_wtt1002_family", FAMILY_RECORDS_TABLE)
SIDE_OF = {"宝贝寻家": "current", "家寻宝贝": "lost"}


def _read_excel(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """First sheet as text cells (calamine); raises DataError naming a missing column."""
    try:
        frame = pd.read_excel(path, engine="calamine", dtype=object)
    except Exception as exc:  # calamine raises its own error types
        raise DataError(path, f"cannot be read as an Excel workbook: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in required:
        if col not in frame.columns:
            raise DataError(path, f"column {col!r} is missing (columns: {list(frame.columns)})",
                            row=1, column=col)
    return frame


def _posting_ids(path: Path, values: pd.Series, column: str) -> list[int]:
    out = []
    for i, v in enumerate(values):
        if isinstance(v, bool) or v is None or (isinstance(v, float) and not v.is_integer()):
            raise DataError(path, f"posting id is not a whole number: {v!r}", row=i + 2,
                            column=column)
        s = str(int(v)) if isinstance(v, int | float) else str(v).strip()
        if not s.isdigit():
            raise DataError(path, "posting id is not a number", row=i + 2, column=column)
        out.append(int(s))
    return out


def personal_strings_data(frame: pd.DataFrame) -> set[str]:
    """Names, posting ids, volunteer handles and phone/ID numbers of data.xlsx (columns
    ``姓名``, ``寻亲编号``, ``跟进志愿者``, ``其他资料``, ``寻亲者特征描述``)."""
    out = clean_personal(list(frame["姓名"]) + list(frame["寻亲编号"]) + list(frame["跟进志愿者"]))
    out |= strings_from_text(list(frame["其他资料"]) + list(frame["寻亲者特征描述"])
                             + list(frame["姓名"]))
    return out


def personal_strings_family(frame: pd.DataFrame) -> set[str]:
    """Phone/ID numbers and handles in any cell of familyfindbaby_addr.xlsx."""
    return strings_from_text(v for col in frame.columns for v in frame[col])


def clean_data(path: Path, places: PlaceMatcher, deny: set[str] | None = None) -> CleanTable:
    """``case_records_wtt1002`` from data.xlsx (path given); the personal strings of every row
    (:func:`personal_strings_data`) are added to ``deny``."""
    name = "case_records_wtt1002"
    account = RowAccount(name)
    frame = _read_excel(path, (*DATA_COLUMNS, *PERSONAL_COLUMNS))
    if deny is not None:
        deny |= personal_strings_data(frame)
    account.add_read(DATA_ID, len(frame))
    ids = _posting_ids(path, frame["寻亲编号"], "寻亲编号")
    names = clean_personal(frame["姓名"])
    notes: Counter = Counter()
    rows: list[dict] = []
    seen: set[int] = set()
    for pid, rec in zip(ids, frame.to_dict("records"), strict=True):
        if pid in seen:
            account.drop(DATA_ID, "duplicate posting id (repeated within data.xlsx)")
            continue
        seen.add(pid)
        side = SIDE_OF.get(str(rec["寻亲类别"]).strip(), "unknown")
        if side == "unknown":
            notes["search side (寻亲类别) not recognised"] += 1
        dates = resolve_dates(rec["出生日期"], rec["失踪时间"], rec["注册时间"],
                              scrape_year=SCRAPE_YEAR)
        notes.update(dates.notes)
        lost = places.match_text(rec["失踪地点"])
        note_place(account, DATA_ID, "lost", rec["失踪地点"], lost, names)
        current = None
        if side == "current":
            current = places.match_text(rec["失踪人所在地"])
            note_place(account, DATA_ID, "current", rec["失踪人所在地"], current, names)
        category, basis = resolve_category(None, rec["姓名"])
        if marks_repeat_registration(rec["姓名"]):
            notes["title marks a repeat registration of another posting (重复…), kept"] += 1
        rows.append({
            "source": "wtt1002_data", "record_key": record_key(pid, ID_SPACE_VIEW),
            "side": side, "category": category, "category_basis": basis,
            "sex": sex_of(rec["性别"]), "birth_year": dates.birth_year,
            "missing_year": dates.missing_year, "missing_month": dates.missing_month,
            "age_at_missing": dates.age_at_missing, "registered_year": dates.registered_year,
            **place_row(lost, current, places.place(lost, text=rec["失踪地点"]),
                        places.place(current, text=rec["失踪人所在地"]) if current else None),
        })
    account.add_kept(DATA_ID, len(rows))
    note_counter(account, DATA_ID, notes)
    return CleanTable(name, records_frame(rows), account.check())


def clean_family(path: Path, places: PlaceMatcher, deny: set[str] | None = None
                 ) -> tuple[CleanTable, CleanTable]:
    """``case_places_wtt1002_family``: 家寻宝贝 missing places per mainland province (31 rows),
    and ``case_places_wtt1002_family_records``: every row placed at the finest level its
    cells allow (internal); phone numbers and handles in its cells
    (:func:`personal_strings_family`) go to ``deny``."""
    name = "case_places_wtt1002_family"
    account = RowAccount(name)
    rec_account = RowAccount(FAMILY_RECORDS_TABLE)
    frame = _read_excel(path, FAMILY_COLUMNS)
    if deny is not None:
        deny |= personal_strings_family(frame)
    account.add_read(FAMILY_ID, len(frame))
    rec_account.add_read(FAMILY_ID, len(frame))
    counts: Counter = Counter()
    records: list[dict] = []
    details = frame[FAMILY_DETAIL] if FAMILY_DETAIL in frame else pd.Series(
        [None] * len(frame), index=frame.index)
    for prov_text, city_text, detail in zip(frame["省份"], frame["城市"], details,
                                            strict=True):
        match = places.match_parts(prov_text, city_text)
        parts = [("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v))
                 for v in (prov_text, city_text, detail)]
        at = places.place(match, text=",".join(parts))
        records.append({"source": FAMILY_SOURCE, **place_row(match, lost_at=at)})
        if match.province is None and match.status == "unknown":
            account.drop(FAMILY_ID, "province unknown (blank, 未知…)")
        elif match.province is None and match.status == "abroad":
            account.drop(FAMILY_ID, "place abroad or other (其它,亚洲… chosen)")
        elif match.province is None:
            account.drop(FAMILY_ID, f"province {UNMATCHED_PLACE}")
        elif match.province not in MAINLAND31:
            account.drop(FAMILY_ID, "outside the 31 mainland provinces (Hong Kong, Macau, "
                         "Taiwan)")
        else:
            counts[match.province] += 1
    account.add_kept(FAMILY_ID, sum(counts.values()))
    table = pd.DataFrame({"adcode": list(MAINLAND31),
                          "lost_postings_count": [counts[a] for a in MAINLAND31]})
    rec = pd.DataFrame(records).reindex(columns=FAMILY_RECORD_COLUMNS)
    for col in FAMILY_RECORD_COLUMNS:
        rec[col] = (rec[col].astype("str") if col in ("source", "lost_place_level",
                                                     "lost_place_basis", "lost_province_check")
                    else pd.array(rec[col].tolist(), dtype="Int64"))
    rec_account.add_kept(FAMILY_ID, len(rec))
    return (CleanTable(name, table.astype("int64"), account.check()),
            CleanTable(FAMILY_RECORDS_TABLE, rec, rec_account.check()))


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``case_records_wtt1002`` and ``case_places_wtt1002_family``; the personal strings
    of both files go to ``ctx.deny``."""
    places = matcher_of(ctx.tables)
    return [clean_data(ctx.raw(DATA_ID), places, ctx.deny),
            *clean_family(ctx.raw(FAMILY_ID), places, ctx.deny)]
