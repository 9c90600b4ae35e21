"""Shared helpers of the Baby Come Home (宝贝回家) case-record cleaning steps.

The three steps ``cases_uiuing``, ``cases_wtt1002`` and ``cases_juvenilexi`` turn third-party
scrapes of the volunteer platform into one privacy-safe record schema (``analysis.sources.cases.schema``).
This module holds what they share: the record key, the category rules, date parsing, place →
province / prefecture, and the privacy guard. Everything here is pure (no printing).

Record key
----------
``record_key`` = HMAC-SHA256(salt, ``"<id space>:<posting id>"``), hex, first 16 characters. The
posting ids are small sequential integers, so a hash with a public salt could be reversed by
trying every id: the salt is secret. It comes from ``$LOSTGEN_RECORD_SALT``; when unset, a random
salt is generated once and stored in ``data/raw/.record_salt`` (git-ignored, never committed).
Record keys are therefore **stable on one machine but not across machines**; no published
aggregate depends on them (they only identify rows and deduplicate within a build).
Two id spaces exist: ``view`` (the old site's ``view.aspx?id=`` numbers, used by Missing.json,
mi.json and data.xlsx; one sequence across the platform) and ``publish`` (the 2023 search API's
``publishId`` of bbhj.sql, a different sequence: the same number there is a different person).
Deduplication is done on the raw posting id inside each id space *before* hashing.

Category rules (``resolve_category``), first match wins
--------------------------------------------------------
1. **platform label** – the platform's own type-of-loss field (bbhj.sql ``失踪类型``, the API's
   ``lostPass``), stripped, equals a label: 被拐 / 拐卖 → ``abducted``; 送养 / 送人 / 抱养 →
   ``given_away``; 走失 / 走丢 / 丢失 → ``lost``; 遗弃 / 弃婴 / 丢弃 → ``abandoned``; 离家出走 →
   ``runaway``. Labels meaning "unknown" (不详, 不祥, 无印象, 不记得, 失踪, blank) fall through.
2. **platform text keyword** – that field is mostly free text; when it contains keywords of
   exactly *one* category (table :data:`CATEGORY_KEYWORDS`, e.g. 送养/送人/抱养 → given_away,
   遗弃/丢弃/弃婴 → abandoned, 拐/偷走/被偷/人贩 → abducted, 走失/走丢/走散/失散 → lost, 离家出走 →
   runaway) that category is used; keywords of two or more categories → no decision.
3. **title marker** – a bracketed marker in the title (name) field: ``（送养）``, ``(遗弃)``,
   ``【被拐】``… whose text is one of the labels of rule 1.
4. otherwise ``unknown``.
The data.xlsx field ``寻亲类别`` (宝贝寻家 / 家寻宝贝) is the platform's *search side*, not a type of
loss; it sets ``side``. ``category_basis`` records which rule decided
(``platform_label`` / ``platform_text`` / ``title_marker`` / ``none``).

Dates (``parse_date``, ``resolve_dates``)
-----------------------------------------
Accepted: ``1986年05月13日``, ``1986-05-13``, ``2016/11/3 17:27:29``, ``2023-01-18 20:43``.
Set to missing, each with a counted reason (a row-account *note*; the record is kept): blank,
``未知时间`` and other unknown words, an impossible calendar date (``1986年05月43日``), a 1900
placeholder year, a year after the scrape; a birth date after the registration date; a missing
date before the birth date or after the registration date (outside the child's lifetime on the
platform). ``age_at_missing`` = completed years between the two valid full dates.

Places (``PlaceMatcher``)
-------------------------
A GB/T 2260 code goes through :func:`analysis.vocab.provinces.try_adcode`; text through
:func:`analysis.vocab.provinces.province_from_text` (start of the text only). Blank, ``,,`` and words
meaning unknown (未知, 不详, 不知道, undefined…) → null, counted as "place unknown"; a text that
names no province but starts with a full prefecture name unique in the country (``,,扬州市孤儿院``)
→ that prefecture's province (counted); ``其它,亚洲,…`` (the platform's "other / abroad" choice)
→ null, counted as "place abroad or other"; any other text that names no province → null,
counted as "place unmatched (free text, not shown)": a row account carries reasons and counts,
never a raw string (each unmatched text is unique to one posting). The prefecture
(``xxxx00``) comes from the code's first four digits, or from the city name following the province
name in the text, looked up in the 2020 rows of table ``census_city_prefecture`` (plus the
older names/codes in :data:`OLD_PREFECTURE_NAMES` and :data:`OLD_PREFECTURE_CODES`). The four
municipalities map to ``xx0100``. County level units directly under a province (仙桃 429004 …)
and unknown codes give no prefecture.

Privacy
-------
Names, photo URLs, exact birth dates, heights, free-text descriptions, notes, volunteer handles,
posting ids and phone numbers are read but never become output columns. Each case step adds the
personal strings of the records it read (:func:`clean_personal`, :func:`strings_from_text`) to
``ctx.deny`` while they are in memory; the pipeline scans every table for them
(:mod:`analysis.privacy.policy`) and keeps the set for the later exits
(:mod:`analysis.privacy.denyset`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.accounts import RowAccount
from analysis.vocab.cases import (
    RECORD_COLUMNS,
)
from analysis.vocab.provinces import ALL34, province_from_text, try_adcode

# --------------------------------------------------------------------------------------------
# vocabularies: defined in analysis.vocab.cases (re-exported here for the cleaning steps)
_INT_COLUMNS = RECORD_COLUMNS[6:]
ID_SPACE_VIEW = "view"
ID_SPACE_PUBLISH = "publish"

#: The unit list the place matcher is built from (step ``sources.census_city``): every case
#: step needs it.
PREFECTURE_TABLE = "census_city_prefecture"

# --------------------------------------------------------------------------------------------
# record key
SALT_ENV = "LOSTGEN_RECORD_SALT"
SALT_FILE_NAME = ".record_salt"


def salt_file() -> Path:
    """Where a generated salt is kept: ``data/raw/.record_salt`` (git-ignored)."""
    return paths.RAW / SALT_FILE_NAME


@cache
def _salt_for(env_value: str, file: Path) -> bytes:
    if env_value:
        return env_value.encode("utf-8")
    if file.is_file():
        value = file.read_text(encoding="utf-8").strip()
        if value:
            return value.encode("utf-8")
    file.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(value + "\n")
    return value.encode("utf-8")


def record_salt() -> bytes:
    """The secret salt: ``$LOSTGEN_RECORD_SALT``, else ``data/raw/.record_salt`` (created once)."""
    return _salt_for(os.environ.get(SALT_ENV, "").strip(), salt_file())


def record_key(posting_id: int | str, id_space: str, salt: bytes | None = None) -> str:
    """Keyed hash of a posting id: HMAC-SHA256(salt, ``f"{id_space}:{id}"``), 16 hex characters."""
    msg = f"{id_space}:{int(posting_id)}".encode()
    return hmac.new(salt or record_salt(), msg, hashlib.sha256).hexdigest()[:16]


# --------------------------------------------------------------------------------------------
# sex
def sex_of(value: object) -> str:
    """``'男'``/``'male'`` → ``male``, ``'女'``/``'female'`` → ``female``, else ``unknown``."""
    s = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    s = s.strip().lower()
    if s in ("男", "male", "m", "男孩"):
        return "male"
    if s in ("女", "female", "f", "女孩"):
        return "female"
    return "unknown"


# --------------------------------------------------------------------------------------------
# categories
#: exact labels of the platform's type-of-loss field (rule 1) and of title markers (rule 3)
CATEGORY_LABELS: dict[str, str] = {
    "被拐": "abducted", "拐卖": "abducted", "被拐卖": "abducted",
    "送养": "given_away", "送人": "given_away", "抱养": "given_away", "被送养": "given_away",
    "走失": "lost", "走丢": "lost", "丢失": "lost",
    "遗弃": "abandoned", "弃婴": "abandoned", "丢弃": "abandoned", "被遗弃": "abandoned",
    "离家出走": "runaway",
}
#: keywords per category for free text in the type-of-loss field (rule 2)
CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "abducted": ("拐", "偷走", "被偷", "人贩", "偷偷抱走"),
    "given_away": ("送养", "送人", "抱养", "送给", "收养", "送走", "领养", "托养"),
    "lost": ("走失", "走丢", "走散", "失散", "丢了"),
    "abandoned": ("遗弃", "丢弃", "弃婴"),
    "runaway": ("离家出走",),
}
_TITLE_MARKER = re.compile(r"[（(【\[]\s*([^）)】\]]{1,12}?)\s*[）)】\]]")
_TITLE_MARKER_ANY = re.compile(r"[（(【\[]([^）)】\]]*)[）)】\]]")
_MARKER_PARTS = re.compile(r"[，,、;；\s]+")


def _clean_text(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def category_from_platform(value: object) -> tuple[str, str] | None:
    """Rules 1–2 on the platform's type-of-loss field: ``(category, basis)`` or ``None``."""
    text = _clean_text(value)
    if not text:
        return None
    label = re.sub(r"[\s。.,，!！]+$", "", text)
    if label in CATEGORY_LABELS:
        return CATEGORY_LABELS[label], "platform_label"
    hits = {cat for cat, words in CATEGORY_KEYWORDS.items() if any(w in text for w in words)}
    if len(hits) == 1:
        return hits.pop(), "platform_text"
    return None


def category_from_title(title: object) -> str | None:
    """Rule 3: category of a bracketed marker such as ``（送养）`` or ``（送养，照片是妹妹）`` in
    the title (each comma-separated part of the marker is compared with the labels), else
    ``None``; markers of two different categories → ``None``."""
    found = {CATEGORY_LABELS[part.strip()]
             for marker in _TITLE_MARKER.findall(_clean_text(title))
             for part in _MARKER_PARTS.split(marker) if part.strip() in CATEGORY_LABELS}
    return found.pop() if len(found) == 1 else None


def marks_repeat_registration(title: object) -> bool:
    """True when the title carries the platform's repeat-registration marker (``（重复…）``)."""
    return any("重复" in m for m in _TITLE_MARKER_ANY.findall(_clean_text(title)))


def resolve_category(platform_value: object = None, title: object = None) -> tuple[str, str]:
    """Category and the rule that decided it: ``(category, category_basis)``."""
    hit = category_from_platform(platform_value)
    if hit:
        return hit
    cat = category_from_title(title)
    if cat:
        return cat, "title_marker"
    return "unknown", "none"


# --------------------------------------------------------------------------------------------
# dates
_UNKNOWN_DATE_WORDS = ("未知", "不详", "不祥", "不清楚", "不记得", "无", "undefined", "null", "none")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?"),
    re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"),
)
PLACEHOLDER_YEARS = (1900,)


@dataclass(frozen=True)
class ParsedDate:
    """A parsed date: ``date`` when valid, else ``None`` and ``reason`` (why it is missing)."""

    date: dt.date | None
    reason: str | None = None


def parse_date(value: object, *, latest_year: int | None = None) -> ParsedDate:
    """Parse one date cell of the scrapes.

    Returns ``ParsedDate(date)`` or ``ParsedDate(None, reason)`` with reason one of ``blank``,
    ``unknown (未知时间…)``, ``impossible calendar date``, ``1900 placeholder``, ``year after
    the scrape`` or ``unrecognised format``.
    """
    text = _clean_text(value)
    if not text or text in ("-", "--", "0"):
        return ParsedDate(None, "blank")
    for pat in _DATE_PATTERNS:
        m = pat.fullmatch(text)
        if m:
            y, mo, d = (int(g) for g in m.groups())
            try:
                date = dt.date(y, mo, d)
            except ValueError:
                return ParsedDate(None, "impossible calendar date")
            if y in PLACEHOLDER_YEARS:
                return ParsedDate(None, "1900 placeholder")
            if latest_year is not None and y > latest_year:
                return ParsedDate(None, "year after the scrape")
            return ParsedDate(date)
    if any(w in text.lower() for w in _UNKNOWN_DATE_WORDS):
        return ParsedDate(None, "unknown (未知时间…)")
    return ParsedDate(None, "unrecognised format")


def completed_years(birth: dt.date, later: dt.date) -> int:
    """Whole years from ``birth`` to ``later`` (age on ``later``)."""
    return later.year - birth.year - ((later.month, later.day) < (birth.month, birth.day))


@dataclass
class ResolvedDates:
    """Years of one record plus the reasons (account notes) for values set to missing."""

    birth_year: int | None
    missing_year: int | None
    missing_month: int | None
    age_at_missing: int | None
    registered_year: int | None
    notes: list[str] = field(default_factory=list)


def resolve_dates(birth: object, missing: object, registered: object = None, *,
                  scrape_year: int) -> ResolvedDates:
    """Parse and cross-check birth, missing and registration dates of one record.

    ``scrape_year``: year of the scrape (no date may be later). Inconsistent values are set to
    missing and explained in ``notes`` (e.g. ``"missing date: before the birth date"``).
    """
    notes: list[str] = []
    b = parse_date(birth, latest_year=scrape_year)
    m = parse_date(missing, latest_year=scrape_year)
    r = parse_date(registered, latest_year=scrape_year) if registered is not None else None
    bd, md, rd = b.date, m.date, (r.date if r else None)
    if b.reason:
        notes.append(f"birth date missing: {b.reason}")
    if m.reason:
        notes.append(f"missing date missing: {m.reason}")
    if r is not None and r.reason:
        notes.append(f"registration date missing: {r.reason}")
    if bd and rd and bd > rd:
        bd = None
        notes.append("birth date missing: after the registration date")
    if md and rd and md > rd:
        md = None
        notes.append("missing date missing: after the registration date")
    if md and bd and md < bd:
        md = None
        notes.append("missing date missing: before the birth date")
    return ResolvedDates(
        birth_year=bd.year if bd else None,
        missing_year=md.year if md else None,
        missing_month=md.month if md else None,
        age_at_missing=completed_years(bd, md) if bd and md else None,
        registered_year=rd.year if rd else None,
        notes=notes,
    )


# --------------------------------------------------------------------------------------------
# places
_UNKNOWN_PLACE = re.compile(
    r"^(未知|不详|不祥|不知道?|不清楚|不记得|无|没有|暂无|undefined|null|none|其他|其它|\?+|？+)*$",
    re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,，、;；:：/\\\-_.。|]+")
MUNICIPALITIES = (110000, 120000, 310000, 500000)
#: older prefecture names met in the scrapes, per province → today's prefecture code (None: the
#: prefecture was abolished and split, no single successor)
OLD_PREFECTURE_NAMES: dict[int, dict[str, int | None]] = {
    420000: {"襄樊": 420600}, 530000: {"思茅": 530800}, 370000: {"莱芜": 370100},
    340000: {"巢湖": None},
}
#: older prefecture codes (GB/T 2260 before the renames) → today's code (None: abolished)
OLD_PREFECTURE_CODES: dict[str, int | None] = {
    "632100": 630200, "522400": 520500, "522200": 520600, "652100": 650400, "652200": 650500,
    "542100": 540300, "542300": 540200, "542400": 540600, "542200": 540500, "542600": 540400,
    "371200": 370100, "341400": None,
}
_NO_SUCCESSOR = -1
_ABROAD = re.compile(r"^其[它他](亚洲|欧洲|美洲|非洲|大洋洲|海外|国外)")
_CITY_SUFFIXES = ("自治州", "地区", "林区", "盟", "市")


def _short_city(name: str) -> str:
    for suffix in _CITY_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@dataclass(frozen=True)
class PlaceMatch:
    """Outcome of matching one place: province, prefecture and a status for the account.

    ``status``: ``matched``, ``matched_prefecture_name`` (no province in the text, which starts
    with a prefecture name unique in the country, e.g. ``扬州市孤儿院``), ``unknown`` (blank /
    ``,,`` / 未知…), ``abroad`` (``其它,亚洲,…``: the platform's other / abroad choice) or
    ``unmatched``.
    """

    province: int | None
    prefecture: int | None
    status: str


class PlaceMatcher:
    """Province (via :mod:`analysis.vocab.provinces`) and prefecture (``xxxx00``) of codes and texts.

    Built from the 2020 prefecture list (``city``, ``city_code``, ``province_code``); use
    :meth:`from_prefectures` on the ``census_city_prefecture`` table.
    """

    def __init__(self, cities: pd.DataFrame) -> None:
        cities = cities.astype({"city_code": int, "province_code": int})
        full_names: dict[str, set[tuple[int, int]]] = {}
        for name, code, prov in zip(cities["city"], cities["city_code"],
                                    cities["province_code"], strict=True):
            if code % 100 == 0 and name.endswith(_CITY_SUFFIXES) and len(name) >= 3:
                full_names.setdefault(name, set()).add((int(prov), int(code)))
        #: full prefecture names unique in the country (``扬州市``) → (province, prefecture)
        self.full_city_names: list[tuple[str, tuple[int, int]]] = sorted(
            ((n, next(iter(v))) for n, v in full_names.items() if len(v) == 1),
            key=lambda kv: -len(kv[0]))
        self.prefecture_codes: set[int] = {
            c for c in cities["city_code"] if c % 100 == 0 and c // 10000 * 10000 in ALL34}
        self.names: dict[int, list[tuple[str, int]]] = {}
        for prov, grp in cities.groupby("province_code"):
            aliases: dict[str, set[int]] = {}
            for name, code in zip(grp["city"], grp["city_code"], strict=True):
                if code % 100:
                    continue  # county-level units directly under the province
                for alias in {name, _short_city(name)} | (
                        {name[:2]} if name.endswith("自治州") else set()):
                    if len(alias) >= 2:
                        aliases.setdefault(alias, set()).add(int(code))
            for old, new in OLD_PREFECTURE_NAMES.get(int(prov), {}).items():
                aliases.setdefault(old, set()).add(_NO_SUCCESSOR if new is None else new)
            self.names[int(prov)] = sorted(
                ((a, next(iter(c))) for a, c in aliases.items() if len(c) == 1),
                key=lambda kv: -len(kv[0]))

    @classmethod
    def from_prefectures(cls, prefectures: pd.DataFrame, census_year: int = 2020
                         ) -> PlaceMatcher:
        """Matcher from the ``census_city_prefecture`` table (built by the ``census_city``
        step; its ``census_year`` rows: code, Chinese name and province of every unit)."""
        rows = prefectures[prefectures["census_year"] == census_year]
        if rows.empty:
            raise ValueError(f"{PREFECTURE_TABLE} has no rows of census year {census_year}")
        return cls(pd.DataFrame({"city": rows["prefecture_name_zh"].astype(str),
                                 "city_code": rows["prefecture_adcode"],
                                 "province_code": rows["adcode"]}))

    # -- codes -------------------------------------------------------------------------------
    def prefecture_of_code(self, code: int | str) -> int | None:
        """Prefecture ``xxxx00`` of a 6-digit GB/T 2260 code of city or county level, else None."""
        s = str(code).strip()
        if not (s.isdigit() and len(s) == 6):
            return None
        province = int(s[:2]) * 10000
        if province in MUNICIPALITIES:
            return province + 100
        if s.endswith("0000"):
            return None
        pref = s[:4] + "00"
        if pref in OLD_PREFECTURE_CODES:
            return OLD_PREFECTURE_CODES[pref]
        return int(pref) if int(pref) in self.prefecture_codes else None

    def match_code(self, code: object, fallback_text: object = None) -> PlaceMatch:
        """Match a GB/T 2260 code; if it names no province, fall back to ``fallback_text``."""
        province = try_adcode(_clean_text(code)) if _clean_text(code) else None
        if province is not None and province in ALL34:
            return PlaceMatch(province, self.prefecture_of_code(_clean_text(code)), "matched")
        if fallback_text is not None:
            return self.match_text(fallback_text)
        return PlaceMatch(None, None, "unknown" if not _clean_text(code) else "unmatched")

    # -- text --------------------------------------------------------------------------------
    @staticmethod
    def is_unknown(text: object) -> bool:
        """True for blank, separators only (``,,``) or words meaning unknown (未知, 不详…)."""
        s = _SEPARATORS.sub("", _clean_text(text))
        return bool(_UNKNOWN_PLACE.fullmatch(s))

    def match_text(self, text: object) -> PlaceMatch:
        """Province of a free-text address (start of the text) and, if it follows, its city."""
        if self.is_unknown(text):
            return PlaceMatch(None, None, "unknown")
        s = _SEPARATORS.sub("", _clean_text(text))
        if _ABROAD.match(s):
            return PlaceMatch(None, None, "abroad")
        province = province_from_text(s)
        if province is None:
            code = try_adcode(s) if s.isdigit() else None
            if code in ALL34:
                return PlaceMatch(code, self.prefecture_of_code(s), "matched")
            for name, (prov, pref) in self.full_city_names:
                if s.startswith(name):
                    return PlaceMatch(prov, pref, "matched_prefecture_name")
            return PlaceMatch(None, None, "unmatched")
        return PlaceMatch(province, self.prefecture_of_text(s, province), "matched")

    def prefecture_of_text(self, text: str, province: int) -> int | None:
        """Prefecture code of the city named right after the province name, else None."""
        if province in MUNICIPALITIES:
            return province + 100
        s = _SEPARATORS.sub("", text)
        for name in _province_names()[province]:
            if s.startswith(name):
                s = s[len(name):]
                break
        for alias, code in self.names.get(province, []):
            if s.startswith(alias):
                return None if code == _NO_SUCCESSOR else code
        return None

    def match_parts(self, province_text: object, city_text: object) -> PlaceMatch:
        """Match a (province, city) pair of columns, as in familyfindbaby_addr.xlsx."""
        return self.match_text(f"{_clean_text(province_text)},{_clean_text(city_text)}")


@cache
def _province_names() -> dict[int, list[str]]:
    from analysis.vocab.provinces import crosswalk

    out: dict[int, list[str]] = {}
    for r in crosswalk().itertuples(index=False):
        out[int(r.adcode)] = sorted({r.name_zh, r.name_zh_short}, key=len, reverse=True)
    out[150000].append("内蒙")
    return out


def records_frame(rows: list[dict]) -> pd.DataFrame:
    """Record rows (dicts keyed by :data:`RECORD_COLUMNS`) → a frame with the schema's dtypes:
    text columns ``str``, year/month/age/adcode columns nullable ``Int64``."""
    frame = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    for col in RECORD_COLUMNS[:6]:
        frame[col] = frame[col].astype("str") if frame[col].notna().any() or len(frame) == 0 \
            else pd.Series([pd.NA] * len(frame), dtype="str", index=frame.index)
    for col in _INT_COLUMNS:
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def place_row(lost: PlaceMatch | None = None, current: PlaceMatch | None = None) -> dict:
    """The three place columns of a record from its place matches."""
    return {
        "lost_adcode_province": lost.province if lost else None,
        "lost_adcode_prefecture": lost.prefecture if lost else None,
        "current_or_found_adcode_province": current.province if current else None,
    }


# --------------------------------------------------------------------------------------------
# account helpers
#: The reason of an unmatched place: row accounts carry reasons and counts, never raw text.
UNMATCHED_PLACE = "place unmatched (free text, not shown)"


def note_place(account: RowAccount, file: str, role: str, text: object, match: PlaceMatch,
               personal: set[str] | None = None) -> None:
    """Count a place defect of one kept row as an account note.

    ``"lost place: province only (no prefecture)"`` (role ``lost`` only); ``"<role> place unknown
    (blank, ',,', 未知…)"``; ``"<role> place abroad or other …"``; ``"<role>``
    :data:`UNMATCHED_PLACE` ``"``. The raw ``text`` is never part of a reason (each unmatched
    string is unique to one posting); ``text`` and ``personal`` are accepted for the callers'
    convenience and not used.
    """
    if match.status == "matched_prefecture_name":
        account.note(file, f"{role} place: province inferred from the prefecture name")
    if match.province is not None:
        if match.prefecture is None and role == "lost":
            account.note(file, "lost place: province only (no prefecture)")
        return
    if match.status == "unknown":
        account.note(file, f"{role} place unknown (blank, ',,', 未知…)")
        return
    if match.status == "abroad":
        account.note(file, f"{role} place abroad or other (其它,亚洲… chosen)")
        return
    account.note(file, f"{role} {UNMATCHED_PLACE}")


def note_counter(account: RowAccount, file: str, counter: Counter) -> None:
    """Add every ``reason: n`` of ``counter`` as account notes of ``file``."""
    for reason, n in sorted(counter.items()):
        account.note(file, reason, n)


# --------------------------------------------------------------------------------------------
# privacy
#: phone / ID-card numbers and ``（xxx跟进）`` volunteer handles in free text
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{17}[\dXx]|\d{15})(?!\d)")
_HANDLE = re.compile(r"[（(]\s*([^（）()\s][^（）()]{0,15}?)\s*跟进\s*[）)]")
#: generic words that appear as "names" but identify nobody
_NOT_PERSONAL = {"未知", "不详", "不祥", "无名", "无", "暂无", "男", "女", "宝宝", "孩子", "男孩",
                 "女孩", "undefined", "null", "none", "nan"}


def strings_from_text(texts: Iterable[object]) -> set[str]:
    """Phone / ID-card numbers and ``（xxx跟进）`` volunteer handles found in free texts."""
    out: set[str] = set()
    for t in texts:
        s = _clean_text(t)
        if not s:
            continue
        out.update(_PHONE.findall(s))
        out.update(h.strip() for h in _HANDLE.findall(s))
    return out


def clean_personal(values: Iterable[object]) -> set[str]:
    """Normalised, non-generic personal strings (names, handles, ids) from raw cells."""
    out = set()
    for v in values:
        s = _clean_text(v)
        if isinstance(v, float) and not pd.isna(v) and v.is_integer():
            s = str(int(v))
        if s and s.lower() not in _NOT_PERSONAL:
            out.add(s)
    return out
