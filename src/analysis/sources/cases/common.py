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
    PLACE_BASES,
    RECORD_COLUMNS,
    RECORD_TEXT_COLUMNS,
)
from analysis.vocab.provinces import ALL34, MAINLAND31, province_from_text, try_adcode

# --------------------------------------------------------------------------------------------
# vocabularies: defined in analysis.vocab.cases (re-exported here for the cleaning steps)
_INT_COLUMNS = [c for c in RECORD_COLUMNS if c not in RECORD_TEXT_COLUMNS]
ID_SPACE_VIEW = "view"
ID_SPACE_PUBLISH = "publish"

#: The unit list the place matcher is built from (step ``sources.census_city``): every case
#: step needs it.
PREFECTURE_TABLE = "census_city_prefecture"
#: The place gazetteer (step ``sources.census_county.gazetteer``): county and prefecture
#: names and codes of the 2010 and 2020 census; every case step needs it too.
GAZETTEER_TABLE = "place_gazetteer"
#: The tables every case step reads.
PLACE_TABLES = (PREFECTURE_TABLE, GAZETTEER_TABLE)

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

    def __init__(self, cities: pd.DataFrame, gazetteer: pd.DataFrame | None = None) -> None:
        #: lookups of the place gazetteer (None: no placement below the prefecture)
        self.gazetteer = Gazetteer(gazetteer) if gazetteer is not None else None
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
    def from_prefectures(cls, prefectures: pd.DataFrame, census_year: int = 2020,
                         gazetteer: pd.DataFrame | None = None) -> PlaceMatcher:
        """Matcher from the ``census_city_prefecture`` table (built by the ``census_city``
        step; its ``census_year`` rows: code, Chinese name and province of every unit) and,
        for placement below the prefecture, the ``place_gazetteer`` table."""
        rows = prefectures[prefectures["census_year"] == census_year]
        if rows.empty:
            raise ValueError(f"{PREFECTURE_TABLE} has no rows of census year {census_year}")
        return cls(pd.DataFrame({"city": rows["prefecture_name_zh"].astype(str),
                                 "city_code": rows["prefecture_adcode"],
                                 "province_code": rows["adcode"]}), gazetteer)

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

    # -- placement below the province ---------------------------------------------------------
    def place(self, match: PlaceMatch, code: object = None, text: object = None) -> Placement:
        """The finest place of one posting: ``match`` gives the province (unchanged), ``code``
        the GB/T 2260 code that gave it (pass it only then), ``text`` an address text read
        after the province (and prefecture) for a county or prefecture name.

        A code that is a census leaf gives the county; a prefecture code (or the first four
        digits of a county code in neither census) the prefecture, a code of 2010 through its
        2020 unit (none when split: 巢湖); a text then refines within that prefecture or
        province (see :class:`Gazetteer`). A county fixes the prefecture (its harmonised
        unit's); a prefecture with a single leaf unit (东莞 …) fixes the county."""
        if match.province is None:
            basis = {"unknown": B_UNKNOWN, "abroad": B_ABROAD}.get(match.status, B_UNMATCHED)
            return Placement(None, None, None, "none", basis)
        prov = match.province
        if prov not in MAINLAND31:
            return Placement(None, None, None, "province", B_OUTSIDE)
        g = self.gazetteer
        c = _clean_text(code) if code is not None else ""
        coded = c.isdigit() and len(c) == 6
        county: _County | None = None
        pref: int | None = None
        basis = B_PROVINCE_ONLY
        code_level = None
        if coded:
            ci = int(c)
            hit = g.county(ci) if g else None
            if hit is not None and hit[3] == prov:
                county, basis = hit, B_COUNTY_CODE
            elif prov in MUNICIPALITIES:
                pref, code_level = prov + 100, "prefecture"
                basis = B_MUNICIPALITY if ci % 10000 == 0 else B_PREF_CODE
                if ci % 10000 == 0:
                    code_level = "province"
            elif ci % 10000 == 0:
                code_level = "province"
            else:
                code_level = "prefecture"
                p4 = ci // 100 * 100
                if g is not None and p4 in g.prefecture_by_code:
                    pref = g.prefecture_by_code[p4]
                    basis = B_SPLIT if pref is None else (
                        B_PREF_CODE if ci % 100 == 0 else B_COUNTY_CODE_UNKNOWN)
                else:
                    pref = match.prefecture
                    basis = B_CODE_UNKNOWN if pref is None else (
                        B_PREF_CODE if ci % 100 == 0 else B_COUNTY_CODE_UNKNOWN)
        check = "not compared"
        s = _SEPARATORS.sub("", _clean_text(text)) if text is not None else ""
        if coded and s:
            named = province_from_text(s)
            check = "not compared" if named is None else (
                "agree" if named == prov else "disagree")
        if county is None and s and g is not None and not self.is_unknown(s):
            tp, tc, text_check = g.read_text(s, prov)
            if not coded:
                check = text_check
            elif text_check == "disagree":
                check = "disagree"  # the code's province is named, the city is elsewhere
            if tc is not None and (pref is None or g.county_of[tc][2] == pref):
                county = g.county_of[tc]
                basis = {"prefecture": B_PREF_CODE_COUNTY_TEXT,
                         "province": B_PROV_CODE_COUNTY_TEXT}.get(code_level, B_COUNTY_TEXT)
            elif pref is None and tp is not None:
                pref = tp
                basis = B_PROV_CODE_PREF_TEXT if code_level == "province" else B_PREF_TEXT
        if county is not None:
            return Placement(county[2], county[0], county[1], "county", basis, check)
        if pref is None and not coded and match.prefecture is not None:
            pref, basis = match.prefecture, B_PREF_TEXT
        if pref is None and prov in MUNICIPALITIES:
            pref, basis = prov + 100, B_MUNICIPALITY
        if pref is not None and g is not None and pref in g.single_leaf:
            hit = g.county_of[g.single_leaf[pref]]
            return Placement(hit[2], hit[0], hit[1], "county", B_ONE_LEAF, check)
        if pref is not None:
            return Placement(pref, None, None, "prefecture", basis, check)
        return Placement(None, None, None, "province", basis, check)

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


# --------------------------------------------------------------------------------------------
# placement below the province (the place gazetteer)
_PREFIX_WORDS = ("省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位",
                 "直辖县级", "市辖区", "辖区", "郊县", "县")
_MUNICIPALITY_SKIP = ("市辖区", "郊县", "县")
(B_COUNTY_CODE, B_COUNTY_TEXT, B_PREF_CODE_COUNTY_TEXT, B_PROV_CODE_COUNTY_TEXT, B_ONE_LEAF,
 B_PREF_CODE, B_PREF_TEXT, B_PROV_CODE_PREF_TEXT, B_COUNTY_CODE_UNKNOWN, B_MUNICIPALITY,
 B_PROVINCE_ONLY, B_SPLIT, B_CODE_UNKNOWN, B_OUTSIDE, B_UNKNOWN, B_ABROAD,
 B_UNMATCHED) = PLACE_BASES


@dataclass(frozen=True)
class Placement:
    """A place at the finest level its code or text allows.

    ``prefecture``: unit of ``census_prefecture`` (2020 code; ``xx0100`` for a municipality,
    its own code for a county-level unit under a province); ``county``: leaf code of
    ``census_county`` (the 2020 code of a unit with one 2020 successor; a synthetic nine-digit
    code for a unit printed without one); ``unit``: its harmonised unit of
    ``census_county_crosswalk``; ``level`` one of
    :data:`~analysis.vocab.cases.PLACE_LEVELS`; ``basis`` one of
    :data:`~analysis.vocab.cases.PLACE_BASES`; ``check`` one of
    :data:`~analysis.vocab.cases.PROVINCE_CHECKS`.
    """

    prefecture: int | None
    county: int | None
    unit: int | None
    level: str
    basis: str
    check: str = "not compared"


#: (county code, harmonised unit, prefecture, province)
_County = tuple[int, int, int, int]


class Gazetteer:
    """Codes and name forms of ``place_gazetteer`` as lookups for :meth:`PlaceMatcher.place`.

    Name rules (see :mod:`analysis.sources.census_county.gazetteer`): a county name is matched
    inside a known prefecture when no other county of the prefecture has it, inside a province
    (no prefecture named) when no other county of the province has it; prefecture names when
    unique in the province. Matches are at the start of what follows the province (and
    prefecture) name, longest name first."""

    def __init__(self, table: pd.DataFrame) -> None:
        t = table.copy()
        county = t[t["level"] == "county"]
        full = county[county["form"] == "full"]
        self.county_by_code: dict[int, _County] = {}
        # 2020 rows first: a code of both years means its 2020 unit
        full = full.assign(_y=full["census_years"].str.contains("2020")).sort_values(
            "_y", ascending=False)
        for r in full.itertuples(index=False):
            self.county_by_code.setdefault(int(r.unit_code), (
                int(r.county_code), int(r.harmonised_code), int(r.prefecture_code),
                int(r.province_code)))
        self.county_of: dict[int, _County] = {
            int(r.county_code): (int(r.county_code), int(r.harmonised_code),
                                 int(r.prefecture_code), int(r.province_code))
            for r in county.itertuples(index=False)}
        pref = t[(t["level"] == "prefecture") & (t["form"] == "full")]
        self.prefecture_by_code: dict[int, int | None] = {}
        for r in pref.assign(_y=pref["census_years"].str.contains("2020")).sort_values(
                "_y", ascending=False).itertuples(index=False):
            self.prefecture_by_code.setdefault(
                int(r.unit_code), None if pd.isna(r.prefecture_code) else int(r.prefecture_code))
        self.prefecture_units: set[int] = {v for v in self.prefecture_by_code.values()
                                           if v is not None}
        self.names_in_prefecture: dict[int, list[tuple[str, int]]] = {}
        self.names_in_province: dict[int, list[tuple[str, int]]] = {}
        for r in county.itertuples(index=False):
            if r.unique_in_prefecture:
                self.names_in_prefecture.setdefault(int(r.prefecture_code), []).append(
                    (r.name_zh[: r.form_length], int(r.county_code)))
            if r.unique_in_province:
                self.names_in_province.setdefault(int(r.province_code), []).append(
                    (r.name_zh[: r.form_length], int(r.county_code)))
        pnames = t[(t["level"] == "prefecture") & t["unique_in_province"]]
        self.prefecture_names: dict[int, list[tuple[str, int | None]]] = {}
        for r in pnames.itertuples(index=False):
            self.prefecture_names.setdefault(int(r.province_code), []).append(
                (r.name_zh[: r.form_length], None if pd.isna(r.prefecture_code) else int(r.prefecture_code)))
        cnames = t[(t["level"] == "prefecture") & t["unique_in_country"]
                   & (t["form"] == "full")]
        self.country_prefecture_names: list[tuple[str, int]] = sorted(
            ((r.name_zh[: r.form_length], int(r.province_code)) for r in cnames.itertuples(index=False)
             if r.form_length >= 3), key=lambda kv: -len(kv[0]))
        for d in (self.names_in_prefecture, self.names_in_province, self.prefecture_names):
            for k in d:
                d[k] = sorted(set(d[k]), key=lambda kv: (-len(kv[0]), kv[0]))
        one: dict[int, set[int]] = {}
        for r in county.itertuples(index=False):
            one.setdefault(int(r.prefecture_code), set()).add(int(r.county_code))
        #: prefectures with a single leaf unit (东莞, 中山, 嘉峪关, 儋州 …) → that unit
        self.single_leaf: dict[int, int] = {p: next(iter(c)) for p, c in one.items()
                                            if len(c) == 1}

    def county(self, code: int) -> _County | None:
        """The county of a leaf code of either census (2020 first), else None."""
        return self.county_by_code.get(code)

    def read_text(self, text: str, province: int) -> tuple[int | None, int | None, str]:
        """``(prefecture, county code, check)`` named at the start of ``text`` (separators
        removed) after the province's name; ``check`` compares the province with the city
        named (``disagree`` when it names a prefecture of another province only)."""
        s = text
        named_province = province_from_text(s)
        if named_province is not None and named_province != province:
            return None, None, "disagree"
        for name in _province_names().get(province, []):
            if s.startswith(name):
                s = s[len(name):]
                break
        skip = _MUNICIPALITY_SKIP if province in MUNICIPALITIES else _PREFIX_WORDS
        for w in skip:
            if s.startswith(w):
                s = s[len(w):]
                break
        pref: int | None = None
        named_pref = False
        if province in MUNICIPALITIES:
            pref = province + 100
        else:
            for name, code in self.prefecture_names.get(province, []):
                if s.startswith(name):
                    s, pref, named_pref = s[len(name):], code, True
                    break
            for w in _PREFIX_WORDS:
                if s.startswith(w):
                    s = s[len(w):]
                    break
        check = "agree" if named_pref else "not compared"
        if not named_pref and province not in MUNICIPALITIES:
            for name, prov in self.country_prefecture_names:
                if s.startswith(name) and prov != province:
                    return None, None, "disagree"
        names = (self.names_in_prefecture.get(pref, []) if pref is not None
                 else self.names_in_province.get(province, []))
        for name, county in names:
            if s.startswith(name):
                return self.county_of[county][2], county, check
        return pref, None, check


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
    text columns (:data:`~analysis.vocab.cases.RECORD_TEXT_COLUMNS`) ``str``, the others
    (years, months, ages, codes) nullable ``Int64``."""
    frame = pd.DataFrame(rows, columns=RECORD_COLUMNS)
    for col in RECORD_TEXT_COLUMNS:
        frame[col] = frame[col].astype("str")  # pandas 3: missing stays missing
    for col in _INT_COLUMNS:
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame


def place_row(lost: PlaceMatch | None = None, current: PlaceMatch | None = None,
              lost_at: Placement | None = None, current_at: Placement | None = None) -> dict:
    """The place columns of a record from its place matches (``PlaceMatch``: province) and
    placements (:class:`Placement`: prefecture, county, level, basis, check). A role without
    a placement gets the prefecture of its match and level/basis null (lost) or every column
    null (current/found place of a source that has none)."""
    out = {
        "lost_adcode_province": lost.province if lost else None,
        "lost_adcode_prefecture": lost.prefecture if lost else None,
        "current_or_found_adcode_province": current.province if current else None,
    }
    for role, at in (("lost", lost_at), ("current_or_found", current_at)):
        if at is not None:
            if role == "lost":
                out["lost_adcode_prefecture"] = at.prefecture
            else:
                out["current_or_found_adcode_prefecture"] = at.prefecture
            out.update({f"{role}_adcode_county": at.county, f"{role}_adcode_county_unit": at.unit,
                        f"{role}_place_level": at.level, f"{role}_place_basis": at.basis,
                        f"{role}_province_check": at.check})
    return out


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


def matcher_of(tables: object) -> PlaceMatcher:
    """The place matcher of a case step from its tables (:data:`PLACE_TABLES`)."""
    return PlaceMatcher.from_prefectures(tables[PREFECTURE_TABLE],  # type: ignore[index]
                                         gazetteer=tables[GAZETTEER_TABLE])  # type: ignore[index]
