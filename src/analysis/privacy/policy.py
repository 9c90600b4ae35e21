"""Privacy guard: personal data of the case files never reaches processed tables, figures or notebooks.

The case files hold children's names, photo links, exact birth dates, heights, free-text
descriptions, notes, volunteer handles, posting ids and phone numbers. Processed tables and chart
data carry only aggregates and the coarse, pseudonymised fields of the record schema. This module
is the one home of the rules, applied at every exit point: ``pipeline.build_all`` (every processed
table and row account), ``figures.save_figure`` (every chart's data) and the tests that scan the
executed notebooks. The personal strings themselves are gathered by the case steps while their
records are in memory (``BuildContext.deny``); the pipeline checks its tables against that set and
persists it for the later exits (:mod:`analysis.privacy.denyset`, read by
:func:`raw_personal_strings`).

Checks of :func:`assert_publishable`:

1. no column name matches :data:`DENY_COLUMN_PATTERN` (place display names such as ``name_en``,
   ``origin_name_zh`` or ``province_name`` are allowed: :data:`ALLOWED_COLUMN_PATTERN`);
2. no text cell equals a raw personal string, or contains one that has CJK characters (names,
   handles) or 7+ digits (phone / ID-card numbers);
3. no numeric cell equals a raw digit string (posting ids), except in columns that declare a
   quantity: by name (a code, year, month, age, count, persons, rate or share) or, for processed
   tables, by the unit in their pandera schema (adcodes, years and official figures overlap the
   posting-id range by chance).

Errors name the column, never the value.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

from analysis.core.errors import AnalysisError

#: Column names that must never appear in a published table (case-insensitive, between
#: underscores or at the ends of the name).
DENY_COLUMN_PATTERN = re.compile(
    r"(^|_)(name|names|姓名|名字|child_?name|photo|image|img|pic|picture|url|link|birth_?date|"
    r"birthday|birth_day|dob|生日|出生日期|height|身高|description|desc|describe|person|feature|"
    r"features|特征|描述|unique_traits|other_info|note|notes|remark|comment|after|备注|资料|"
    r"volunteer|handle|user|志愿者|跟进|posting_?id|n_id|id|寻亲编号|编号|phone|tel|mobile|电话|"
    r"手机|contact|联系|id_?card|身份证|address|地址|详细|detail|lost_?pass|经过|失踪类型|title|"
    r"标题)($|_)",
    re.IGNORECASE)
#: Place display names and vetted text columns that the deny-list must not catch.
ALLOWED_COLUMN_PATTERN = re.compile(
    r"^((\w+_)?name_(en|zh|zh_short|pinyin)|(province|city|prefecture|region|place|origin|"
    r"destination)_name(_[a-z]+)?|note|source_note|source_id|definition_id|citation_url|source_url|"
    r"claim_id|article_url)$",
    re.IGNORECASE)
#: Numeric columns whose names declare a bounded quantity (checked by the schemas).
BOUNDED_NUMERIC = re.compile(
    r"(adcode|_year$|^year$|_month$|^age_|_count$|_persons$|_per_|_share$|_pct$|^rank$|_z$|"
    r"^p_|_p$|_rate)")
_SEVEN_DIGITS = re.compile(r"\d{7}")


#: The platform's own vocabulary (sections, types of loss), quoted in notebooks and captions.
PLATFORM_WORDS = ("宝贝回家", "家寻宝贝", "宝贝寻家", "送养", "遗弃", "被拐", "走失", "离家出走",
                  "失踪", "寻亲", "其它", "其他", "未知")


def safe_vocabulary() -> frozenset[str]:
    """Words that are never personal even if a raw name field holds them: province names and
    spellings of the crosswalk, NBS macro-regions, the platform's vocabulary
    (:data:`PLATFORM_WORDS`) and raw file names of the registry."""
    from analysis.core.fetch import registry
    from analysis.vocab.provinces import crosswalk

    cw = crosswalk()
    words = {*cw["name_zh"], *cw["name_zh_short"], *cw["name_en"], *cw["pinyin"],
             "东部", "中部", "西部", "东北", "全国", *PLATFORM_WORDS}
    words |= {fid.rsplit("/", 1)[-1] for fid in registry()}
    return frozenset(words)


class PrivacyError(AnalysisError, AssertionError):
    """A table about to be published may hold personal data."""


def personal_columns(frame: pd.DataFrame) -> list[str]:
    """Column names of ``frame`` that match the deny-list and are not explicitly allowed."""
    return [c for c in map(str, frame.columns)
            if DENY_COLUMN_PATTERN.search(c) and not ALLOWED_COLUMN_PATTERN.match(c)]


def has_cjk(s: str) -> bool:
    """True if ``s`` holds a CJK ideograph."""
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in s)


def containable(s: str) -> bool:
    """Strings searched *inside* cells: 3+ characters with CJK (names, handles) or 7+ digits
    (phone / ID numbers). Shorter strings (two-character given names such as 丹丹, posting ids,
    Latin handles) are compared with whole cells only: ordinary words and file names contain
    them by chance (东北, 程度)."""
    return (len(s) >= 3 and has_cjk(s)) or (s.isdigit() and len(s) >= 7)


def contains_personal(cell: str, raw: set[str]) -> bool:
    """True if ``cell`` equals a personal string or contains a containable one."""
    return cell in raw or any(s in cell for s in raw if containable(s))


def assert_publishable(frame: pd.DataFrame, *, where: str,
                       personal_strings: Iterable[str] = (),
                       vocabulary: Iterable[str] = (),
                       quantity_columns: Iterable[str] = ()) -> None:
    """Raise :class:`PrivacyError` if ``frame`` may hold personal data (see module docstring).

    Parameters
    ----------
    frame : the table or chart data about to be written
    where : what it is, for the message (e.g. ``"figure 03_lost_rate_map data"``)
    personal_strings : names, handles, posting ids, phone numbers from the raw case files
    vocabulary : words of the tables' own vocabularies (``lost``, ``male``…), never personal
    quantity_columns : numeric columns declared by a schema as a quantity with a unit (persons,
        count, share, year…), exempt from the posting-id comparison like the names matched by
        :data:`BOUNDED_NUMERIC`
    """
    quantities = set(quantity_columns)
    bad_cols = personal_columns(frame)
    if bad_cols:
        raise PrivacyError(f"{where}: personal-data column(s) {bad_cols} must not be published")
    raw = {unicodedata.normalize("NFKC", s).strip() for s in personal_strings if s}
    raw -= set(vocabulary) | safe_vocabulary()
    raw.discard("")
    if not raw:
        return
    contain = sorted((s for s in raw if containable(s)), key=len, reverse=True)
    pattern = re.compile("|".join(map(re.escape, contain))) if contain else None
    digits = {s for s in raw if s.isdigit()}
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_numeric_dtype(series):
            if BOUNDED_NUMERIC.search(str(col)) or col in quantities:
                continue
            values = {str(int(v)) for v in series.dropna() if float(v).is_integer()}
            if values & digits:
                raise PrivacyError(f"{where}: column {col!r} holds raw posting ids or numbers")
            continue
        if series.dtype.kind not in "OUS" and str(series.dtype) not in ("str", "string"):
            continue
        for value in pd.unique(series.dropna().astype(str)):
            cell = unicodedata.normalize("NFKC", value).strip()
            maybe = pattern is not None and (has_cjk(cell) or _SEVEN_DIGITS.search(cell))
            if cell in raw or (maybe and pattern.search(cell)):
                raise PrivacyError(f"{where}: column {col!r} holds a raw personal string")


_CACHE: dict[tuple[str, int, int], frozenset[str]] = {}


def raw_personal_strings(*, missing_ok: bool = False) -> frozenset[str]:
    """Personal strings of the case files, as gathered by the last ``make data``
    (``data/interim/.deny.json``, :mod:`analysis.privacy.denyset`; cached per file version).

    Never reads ``data/raw/`` and never imports cleaning code. When the file is missing or
    unreadable this **fails closed** with :class:`~analysis.privacy.denyset.DenySetError`
    (saying to run ``make data``), unless the caller explicitly opts out with
    ``missing_ok=True`` (synthetic tests): then the set is empty and only the column deny-list
    applies.
    """
    from analysis.privacy.denyset import deny_file, read_deny

    path = deny_file()
    if missing_ok and not path.is_file():
        return frozenset()
    try:
        st = path.stat()
    except OSError:
        return read_deny(path)  # raises DenySetError naming the file and `make data`
    key = (str(path), st.st_mtime_ns, st.st_size)
    if key not in _CACHE:
        _CACHE[key] = read_deny(path)
    return _CACHE[key]


_TOKEN_SPLIT = re.compile(r"[\s<>/=\"'|,;:()\[\]{}，。；：、（）【】]+")


def text_leaks(text: str, personal_strings: Iterable[str],
               vocabulary: Iterable[str] = ()) -> list[str]:
    """Kinds of personal data found in free ``text`` (e.g. a notebook's printed output).

    A token (split on white space, punctuation and HTML delimiters) equal to a personal string,
    or a containable personal string (3+ CJK characters, 7+ digits) anywhere in the text, is a
    leak. Returns a list of short descriptions (never the strings themselves); empty when clean.
    """
    raw = {unicodedata.normalize("NFKC", s).strip() for s in personal_strings if s}
    raw -= set(vocabulary) | safe_vocabulary()
    raw.discard("")
    text = unicodedata.normalize("NFKC", text)
    found = []
    tokens = set(_TOKEN_SPLIT.split(text))
    hits = tokens & {s for s in raw if not s.isdigit()}
    if hits:
        found.append(f"{len(hits)} token(s) equal to a personal string")
    contain = [s for s in raw if containable(s)]
    if contain:
        pattern = re.compile("|".join(map(re.escape, sorted(contain, key=len, reverse=True))))
        n = len(set(pattern.findall(text)))
        if n:
            found.append(f"{n} personal string(s) inside the text")
    return found
