"""Clean the uiuing/Findbaby scrape of Baby Come Home (May 2021): Missing.json, mi.json and
success_case.json → ``case_records_uiuing_missing`` and ``case_records_uiuing_success``.

* ``Missing.json`` (家寻宝贝 postings, one JSON object per line) is not valid JSON as a whole:
  records are decoded one by one (``json.JSONDecoder.raw_decode``); a record whose only defect is
  a missing closing brace (the last one) is repaired and counted as a note; any other record that
  does not decode is dropped as ``unparsable JSON``.
* ``mi.json`` (an older subset, also not closed) adds only the postings whose id (in ``url``) is
  not in Missing.json; the others are dropped as duplicates.
* ``success_case.json`` (JSON lines of ``Lost_place`` / ``Return_location`` code lists) gives one
  row per pair, side ``found``; it has no id, date or sex.

Side ``lost``; category from a title marker in ``name`` only (the scrape has no type of loss);
place from the platform's GB/T 2260 ``address_id`` (text ``address`` as fallback); registration
year from ``after`` when it holds a timestamp (else it holds notes: no year). Nothing personal
(name, photo, birth date, height, description, notes, id) leaves this module.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.cases.common import (
    ID_SPACE_VIEW,
    PLACE_TABLES,
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

MISSING_ID = "bbhj_uiuing_findbaby/Missing.json"
MI_ID = "bbhj_uiuing_findbaby/mi.json"
SUCCESS_ID = "bbhj_uiuing_findbaby/success_case.json"
SCRAPE_YEAR = 2021

#: Tables this step reads (the place matcher's unit list) and builds.
NEEDS = PLACE_TABLES
PROVIDES = ("case_records_uiuing_missing", "case_records_uiuing_success")

MISSING_KEYS = ("n_id", "name", "sex", "birth", "missing_time", "address", "address_id",
                "after")
MI_KEYS = ("url", "name", "sex", "birth", "missing_time", "address", "address_id", "after")
SUCCESS_KEYS = ("Lost_place", "Return_location")

_RECORD_START = re.compile(r"(?m)^[ \t]*\[?[ \t]*(?=\{)")
_SKIP = re.compile(r"[\s,\[\]]*")
_TIMESTAMP = re.compile(r"\d{4}/\d{1,2}/\d{1,2}\s+\d{1,2}:\d{2}(:\d{2})?")
_URL_ID = re.compile(r"[?&]id=(\d+)")

REPAIRED = "recovered: record missing its closing brace (repaired)"
UNPARSABLE = "unparsable JSON"


def iter_json_records(text: str) -> Iterator[tuple[int, dict | None, str | None]]:
    """Decode the objects of a JSON array / JSON-lines text one by one, tolerating defects.

    Yields ``(line, record, defect)``: ``line`` is the 1-based line where the record starts;
    ``defect`` is ``None``, :data:`REPAIRED` (decoded after adding a missing ``}``) or
    :data:`UNPARSABLE` (``record`` is ``None``). Every record start (a line beginning with
    ``{`` or ``[{``) yields exactly once, so records read = decoded + repaired + unparsable.
    """
    decoder = json.JSONDecoder()
    starts = [m.end() for m in _RECORD_START.finditer(text)] or [0]
    if text[: starts[0]].strip(" \t\r\n["):
        starts.insert(0, 0)
    line = 1
    prev = 0
    for i, start in enumerate(starts):
        line += text.count("\n", prev, start)
        prev = start
        segment = text[start: starts[i + 1] if i + 1 < len(starts) else len(text)]
        pos = _SKIP.match(segment, 0).end()
        while pos < len(segment):
            at_line = line + segment.count("\n", 0, pos)
            try:
                obj, pos = decoder.raw_decode(segment, pos)
            except json.JSONDecodeError:
                rest = segment[pos:].rstrip().rstrip(",]").rstrip()
                try:
                    obj = json.loads(rest + "}")
                except json.JSONDecodeError:
                    yield at_line, None, UNPARSABLE
                else:
                    yield (at_line, obj, REPAIRED) if isinstance(obj, dict) else (
                        at_line, None, UNPARSABLE)
                break
            yield (at_line, obj, None) if isinstance(obj, dict) else (at_line, None, UNPARSABLE)
            pos = _SKIP.match(segment, pos).end()


def read_text(path: Path) -> str:
    """The file's UTF-8 text; a file cut inside a character (truncated) is a :class:`DataError`."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 at byte {exc.start:,} of {len(exc.object):,} "
                        "(truncated or damaged)") from None


def _require(file: Path, line: int, record: dict, keys: tuple[str, ...]) -> None:
    for key in keys:
        if key not in record:
            raise DataError(file, f"record has no field {key!r} (fields: {sorted(record)})",
                            row=line, column=key)


def _posting_id(file: Path, line: int, record: dict, key: str) -> int:
    raw = str(record[key]).strip()
    if key == "url":
        m = _URL_ID.search(raw)
        raw = m.group(1) if m else raw
    if not raw.isdigit():
        raise DataError(file, f"posting id is not a number: {raw[:40]!r}", row=line, column=key)
    return int(raw)


def read_postings(path: Path, id_key: str, keys: tuple[str, ...],
                  account: RowAccount, file_id: str) -> list[tuple[int, int, dict]]:
    """Records of Missing.json / mi.json as ``(line, posting_id, record)``; counts read rows,
    repairs (notes) and unparsable records (drops) in ``account``."""
    text = read_text(path)
    out = []
    read = 0
    for line, record, defect in iter_json_records(text):
        read += 1
        if defect == UNPARSABLE:
            account.drop(file_id, UNPARSABLE)
            continue
        if defect:
            account.note(file_id, defect)
        _require(path, line, record, keys)
        out.append((line, _posting_id(path, line, record, id_key), record))
    account.add_read(file_id, read)
    return out


def _posting_row(record: dict, posting_id: int, places: PlaceMatcher, account: RowAccount,
                 file_id: str, notes: Counter, names: set[str]) -> dict:
    after = str(record.get("after") or "").strip()
    registered = after if _TIMESTAMP.fullmatch(after) else None
    if registered is None:
        notes["registration date missing: 'after' holds notes, not a timestamp"] += 1
    dates = resolve_dates(record["birth"], record["missing_time"], registered,
                          scrape_year=SCRAPE_YEAR)
    notes.update(dates.notes)
    lost = places.match_code(record["address_id"])
    from_code = lost.province is not None
    if not from_code:
        lost = places.match_text(record["address"])
        if lost.province is not None:
            notes["lost place from the address text (address_id gave no province)"] += 1
    lost_at = places.place(lost, record["address_id"] if from_code else None,
                           record["address"])
    note_place(account, file_id, "lost", record["address"], lost, names)
    category, basis = resolve_category(None, record["name"])
    if marks_repeat_registration(record["name"]):
        notes["title marks a repeat registration of another posting (重复…), kept"] += 1
    return {
        "source": "uiuing_missing", "record_key": record_key(posting_id, ID_SPACE_VIEW),
        "side": "lost", "category": category, "category_basis": basis,
        "sex": sex_of(record["sex"]), "birth_year": dates.birth_year,
        "missing_year": dates.missing_year, "missing_month": dates.missing_month,
        "age_at_missing": dates.age_at_missing, "registered_year": dates.registered_year,
        **place_row(lost, lost_at=lost_at),
    }


def personal_strings(records: Iterable[dict]) -> set[str]:
    """Names, posting ids (``n_id``, the id in ``url``), volunteer handles and phone/ID numbers
    of Missing.json / mi.json records (from ``name``, ``after``, ``person``, ``address``)."""
    out: set[str] = set()
    for record in records:
        ids = [record.get("n_id")]
        m = _URL_ID.search(str(record.get("url", "")))
        if m:
            ids.append(m.group(1))
        out |= clean_personal([record.get("name"), *ids])
        out |= strings_from_text([record.get("name"), record.get("after"),
                                  record.get("person"), record.get("address")])
    return out


def clean_missing(missing: Path, mi: Path, places: PlaceMatcher,
                  deny: set[str] | None = None) -> CleanTable:
    """``case_records_uiuing_missing`` from Missing.json and mi.json (paths given); the
    personal strings of every record read (:func:`personal_strings`) are added to ``deny``."""
    name = "case_records_uiuing_missing"
    account = RowAccount(name)
    rows: list[dict] = []
    seen: set[int] = set()
    for path, file_id, id_key, keys, other in ((missing, MISSING_ID, "n_id", MISSING_KEYS, None),
                                               (mi, MI_ID, "url", MI_KEYS, "Missing.json")):
        notes: Counter = Counter()
        own: set[int] = set()
        kept = 0
        postings = read_postings(path, id_key, keys, account, file_id)
        names = clean_personal(r["name"] for _, _, r in postings)
        if deny is not None:
            deny |= personal_strings(r for _, _, r in postings)
        for _line, pid, record in postings:
            if pid in own:
                account.drop(file_id, f"duplicate posting id (repeated within {path.name})")
                continue
            own.add(pid)
            if pid in seen:
                account.drop(file_id, f"duplicate posting id (already in {other})")
                continue
            seen.add(pid)
            rows.append(_posting_row(record, pid, places, account, file_id, notes, names))
            kept += 1
        account.add_kept(file_id, kept)
        note_counter(account, file_id, notes)
    return CleanTable(name, records_frame(rows), account.check())


def clean_success(success: Path, places: PlaceMatcher) -> CleanTable:
    """``case_records_uiuing_success``: one row per (Lost_place, Return_location) pair."""
    name = "case_records_uiuing_success"
    account = RowAccount(name)
    text = read_text(success)
    rows: list[dict] = []
    read = 0
    for line, record, defect in iter_json_records(text):
        if defect == UNPARSABLE:
            read += 1
            account.drop(SUCCESS_ID, "unparsable JSON line (pairs unknown)")
            continue
        if defect:
            account.note(SUCCESS_ID, defect)
        _require(success, line, record, SUCCESS_KEYS)
        lost_codes, found_codes = record["Lost_place"], record["Return_location"]
        if not (isinstance(lost_codes, list) and isinstance(found_codes, list)):
            raise DataError(success, "Lost_place / Return_location must be lists", row=line,
                            column="Lost_place")
        n = min(len(lost_codes), len(found_codes))
        extra = max(len(lost_codes), len(found_codes)) - n
        read += n + extra
        account.drop(SUCCESS_ID, "unpaired code (Lost_place and Return_location lists of "
                     "unequal length)", extra)
        for lost_code, found_code in zip(lost_codes[:n], found_codes[:n], strict=True):
            lost = places.match_code(lost_code)
            found = places.match_code(found_code)
            note_place(account, SUCCESS_ID, "lost", lost_code, lost)
            note_place(account, SUCCESS_ID, "found", found_code, found)
            rows.append({"source": "uiuing_success", "record_key": None, "side": "found",
                         "category": "unknown", "category_basis": "none", "sex": "unknown",
                         **place_row(lost, found, places.place(lost, lost_code),
                                     places.place(found, found_code))})
    account.add_read(SUCCESS_ID, read)
    account.add_kept(SUCCESS_ID, len(rows))
    return CleanTable(name, records_frame(rows), account.check())


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``case_records_uiuing_missing`` and ``case_records_uiuing_success``; the personal
    strings of the records go to ``ctx.deny``."""
    places = matcher_of(ctx.tables)
    return [clean_missing(ctx.raw(MISSING_ID), ctx.raw(MI_ID), places, ctx.deny),
            clean_success(ctx.raw(SUCCESS_ID), places)]
