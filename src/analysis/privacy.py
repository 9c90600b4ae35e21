"""Privacy guard: personal data of the case files never reaches processed tables, figures or notebooks.

The case files hold children's names, photo links, exact birth dates, heights, free-text
descriptions, notes, volunteer handles, posting ids and phone numbers. Processed tables and chart
data may carry only aggregates and the coarse, pseudonymised fields of the record schema. This module
holds the deny-list of column names and the check used at every exit point (``tables.build_all``
writes, ``figures.save_figure``, and the tests that scan executed notebooks).
"""

from __future__ import annotations

import re

import pandas as pd

from analysis.errors import AnalysisError

#: Column-name patterns that mean personal data (matched case-insensitively, anywhere in the name).
DENY_COLUMN_PATTERNS: tuple[str, ...] = (
    r"(^|_)name($|_)", r"姓名", r"child_?name",
    r"photo", r"image", r"img", r"pic(ture)?($|_)", r"url", r"link", r"description", r"describe",
    r"feature", r"特征", r"描述", r"unique_traits", r"other_info", r"note", r"remark", r"备注",
    r"height", r"身高", r"birth_?date", r"birthday", r"出生日期", r"phone", r"mobile", r"tel($|_)",
    r"电话", r"contact", r"联系", r"volunteer", r"志愿者", r"handle", r"user", r"posting_?id",
    r"^id$", r"编号", r"寻亲编号", r"title", r"标题", r"address_detail", r"detail",
)
_DENY = re.compile("|".join(f"(?:{p})" for p in DENY_COLUMN_PATTERNS), re.IGNORECASE)

#: Columns that look personal by pattern but are vetted as safe aggregates or display labels.
ALLOWED_COLUMNS: frozenset[str] = frozenset({
    "name_en", "name_zh", "name_zh_short", "province_name", "province_name_en",
    "province_name_zh", "origin_name", "destination_name", "origin_name_en",
    "destination_name_en", "note", "notes", "source_note",
})


class PrivacyError(AnalysisError):
    """A table about to be published holds personal data."""


#: Place display names from the crosswalk (``name_en``, ``origin_name_zh``, ...) are not personal.
_PLACE_NAME = re.compile(r"(^|_)name_(en|zh|zh_short|pinyin)$")


def personal_columns(frame: pd.DataFrame) -> list[str]:
    """Column names of ``frame`` that match the deny-list (and are not explicitly allowed)."""
    return [c for c in map(str, frame.columns)
            if c not in ALLOWED_COLUMNS and not _PLACE_NAME.search(c) and _DENY.search(c)]


def assert_publishable(frame: pd.DataFrame, *, where: str,
                       personal_strings: set[str] | frozenset[str] = frozenset()) -> None:
    """Raise :class:`PrivacyError` if ``frame`` has a personal-data column or holds any of
    ``personal_strings`` (e.g. children's names from the raw case files) in a text cell."""
    bad = personal_columns(frame)
    if bad:
        raise PrivacyError(f"{where}: personal-data column(s) {bad} must not be published")
    if personal_strings:
        for col in frame.columns:
            if frame[col].dtype.kind not in "OUST" and str(frame[col].dtype) not in ("str",
                                                                                    "string"):
                continue
            values = set(frame[col].dropna().astype(str))
            hits = values & set(personal_strings)
            if hits:
                raise PrivacyError(f"{where}: column {col!r} holds {len(hits)} personal "
                                   "string(s) from the raw case files")
