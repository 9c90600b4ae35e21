"""The 34 provincial-level units of China and ``to_adcode()`` for every spelling the sources use.

The join key of the whole project is the GB/T 2260 ``adcode`` (int, six digits, province level
``xx0000``). Names are for display only. The crosswalk holds, per unit: adcode, full and short
Chinese names, English name in NBS style (Inner Mongolia, Tibet), pinyin, OCHA admin-1 P-code
(``CN0`` + first two digits of the adcode), NBS macro-region (East / Central / West / Northeast,
as NBS defines them for its statistics since 2011) and ``mainland31`` (the 31 units that appear in
the statistics tables; Hong Kong, Macau and Taiwan are on maps as "no data" and kept out of models).

Accepted inputs of :func:`to_adcode`: Chinese full or short names with any inner white space or
footnote markers (``北  京``, ``全 国[5]``, ``内蒙古自治区``), English and pinyin names in common
variants (``Inner Mongolia``, ``Nei Mongol``, ``Neimenggu``, ``Tibet``, ``Xizang``, ``HongKong``,
``Aomen``, ``Macao``, ``Shaanxi`` vs ``Shanxi``), adcodes of any level as int or str (2, 4, 6, 9 or
12 digits; county and city codes map to their province), ``156`` + adcode (ISO 3166 numeric prefix)
and OCHA P-codes (``CN034``). The national total (``全国``, ``China``) maps to
:data:`NATIONAL_ADCODE` so callers can separate it explicitly.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import cache

import pandas as pd

from analysis.core.errors import UnknownProvinceError

#: Pseudo-adcode of the national total (``全国``), as used by DataV and NBS exports.
NATIONAL_ADCODE = 100000

# adcode, full Chinese, short Chinese, English (NBS), pinyin, macro-region
_UNITS: list[tuple[int, str, str, str, str, str | None]] = [
    (110000, "北京市", "北京", "Beijing", "Beijing", "East"),
    (120000, "天津市", "天津", "Tianjin", "Tianjin", "East"),
    (130000, "河北省", "河北", "Hebei", "Hebei", "East"),
    (140000, "山西省", "山西", "Shanxi", "Shanxi", "Central"),
    (150000, "内蒙古自治区", "内蒙古", "Inner Mongolia", "Neimenggu", "West"),
    (210000, "辽宁省", "辽宁", "Liaoning", "Liaoning", "Northeast"),
    (220000, "吉林省", "吉林", "Jilin", "Jilin", "Northeast"),
    (230000, "黑龙江省", "黑龙江", "Heilongjiang", "Heilongjiang", "Northeast"),
    (310000, "上海市", "上海", "Shanghai", "Shanghai", "East"),
    (320000, "江苏省", "江苏", "Jiangsu", "Jiangsu", "East"),
    (330000, "浙江省", "浙江", "Zhejiang", "Zhejiang", "East"),
    (340000, "安徽省", "安徽", "Anhui", "Anhui", "Central"),
    (350000, "福建省", "福建", "Fujian", "Fujian", "East"),
    (360000, "江西省", "江西", "Jiangxi", "Jiangxi", "Central"),
    (370000, "山东省", "山东", "Shandong", "Shandong", "East"),
    (410000, "河南省", "河南", "Henan", "Henan", "Central"),
    (420000, "湖北省", "湖北", "Hubei", "Hubei", "Central"),
    (430000, "湖南省", "湖南", "Hunan", "Hunan", "Central"),
    (440000, "广东省", "广东", "Guangdong", "Guangdong", "East"),
    (450000, "广西壮族自治区", "广西", "Guangxi", "Guangxi", "West"),
    (460000, "海南省", "海南", "Hainan", "Hainan", "East"),
    (500000, "重庆市", "重庆", "Chongqing", "Chongqing", "West"),
    (510000, "四川省", "四川", "Sichuan", "Sichuan", "West"),
    (520000, "贵州省", "贵州", "Guizhou", "Guizhou", "West"),
    (530000, "云南省", "云南", "Yunnan", "Yunnan", "West"),
    (540000, "西藏自治区", "西藏", "Tibet", "Xizang", "West"),
    (610000, "陕西省", "陕西", "Shaanxi", "Shaanxi", "West"),
    (620000, "甘肃省", "甘肃", "Gansu", "Gansu", "West"),
    (630000, "青海省", "青海", "Qinghai", "Qinghai", "West"),
    (640000, "宁夏回族自治区", "宁夏", "Ningxia", "Ningxia", "West"),
    (650000, "新疆维吾尔自治区", "新疆", "Xinjiang", "Xinjiang", "West"),
    (710000, "台湾省", "台湾", "Taiwan", "Taiwan", None),
    (810000, "香港特别行政区", "香港", "Hong Kong", "Xianggang", None),
    (820000, "澳门特别行政区", "澳门", "Macau", "Aomen", None),
]

#: Extra spellings met in the sources (normalised form → adcode), beyond names in the table.
_ALIASES: dict[str, int] = {
    "nei mongol": 150000, "neimongol": 150000, "inner mongolia autonomous region": 150000,
    "内蒙": 150000, "xizang autonomous region": 540000, "tibet autonomous region": 540000,
    "hongkong": 810000, "hong kong sar": 810000, "hong kong special administrative region": 810000,
    "macao": 820000, "macao sar": 820000, "macau sar": 820000,
    "macao special administrative region": 820000, "chinese taipei": 710000,
    "ningxia hui autonomous region": 640000, "xinjiang uygur autonomous region": 650000,
    "xinjiang uyghur autonomous region": 650000, "guangxi zhuang autonomous region": 450000,
    "shan xi": 140000, "shaan xi": 610000, "黑龙江": 230000,
    "全国": NATIONAL_ADCODE, "全国总计": NATIONAL_ADCODE, "总计": NATIONAL_ADCODE,
    "china": NATIONAL_ADCODE, "national": NATIONAL_ADCODE, "national total": NATIONAL_ADCODE,
}

_EN_SUFFIXES = (" province", " municipality", " special administrative region", " sar",
                " autonomous region", " zhuang autonomous region", " hui autonomous region",
                " uygur autonomous region", " uyghur autonomous region")
_ZH_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_FOOTNOTE = re.compile(r"[\[\(（【][^\]\)）】]*[\]\)）】]")
_SPACE = re.compile(r"\s+")


def crosswalk() -> pd.DataFrame:
    """The 34 provincial-level units, one row each, sorted by adcode.

    Returns
    -------
    DataFrame with columns ``adcode`` (int), ``name_zh`` (full), ``name_zh_short``, ``name_en``
    (NBS style), ``pinyin``, ``ocha_pcode`` (``CN0xx``), ``region`` (East / Central / West /
    Northeast; missing for Hong Kong, Macau, Taiwan) and ``mainland31`` (bool).
    """
    df = pd.DataFrame(_UNITS, columns=["adcode", "name_zh", "name_zh_short", "name_en", "pinyin",
                                       "region"])
    df["ocha_pcode"] = "CN0" + (df["adcode"] // 10000).astype(str)
    df["mainland31"] = df["adcode"] < 700000
    cols = ["adcode", "name_zh", "name_zh_short", "name_en", "pinyin", "ocha_pcode", "region",
            "mainland31"]
    return df[cols].sort_values("adcode", ignore_index=True)


#: Adcodes of the 31 mainland provincial units (the rows of every statistics table).
MAINLAND31: tuple[int, ...] = tuple(a for a, *_ in _UNITS if a < 700000)
#: Adcodes of all 34 units.
ALL34: tuple[int, ...] = tuple(sorted(a for a, *_ in _UNITS))
_PREFIXES = {a // 10000 for a in ALL34}


def normalise(name: str) -> str:
    """Normalise a spelling: NFKC, drop footnote markers and all white space, lower-case.

    ``'全 国[5] '`` → ``'全国'``; ``'北  京'`` → ``'北京'``; ``' Inner  Mongolia'`` → ``'inner mongolia'``
    (Latin words keep one space between them so ``Hong Kong`` and ``HongKong`` both resolve).
    """
    s = unicodedata.normalize("NFKC", str(name)).strip()
    s = _FOOTNOTE.sub("", s).strip()
    if re.search(r"[A-Za-z]", s):
        return _SPACE.sub(" ", s).strip().lower()
    return _SPACE.sub("", s)


@cache
def _lookup() -> dict[str, int]:
    table: dict[str, int] = {}
    for adcode, full, short, en, pinyin, _ in _UNITS:
        for spelling in (full, short, en, pinyin):
            table[normalise(spelling)] = adcode
        table[normalise(en).replace(" ", "")] = adcode
    table.update(_ALIASES)
    return table


def _strip_suffix(key: str) -> str:
    for suffix in _EN_SUFFIXES + _ZH_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)].strip()
    return key


def _from_code(text: str) -> int | None:
    """Adcode from a numeric or OCHA code, or None if ``text`` is not a code."""
    m = re.fullmatch(r"(?i)CN0?(\d{2})(\d*)", text)
    if m:
        digits = m.group(1)
    elif text.isdigit():
        if len(text) == 9 and text.startswith("156"):
            text = text[3:]
        if len(text) not in (2, 4, 6, 12):
            return None
        digits = text[:2]
    else:
        return None
    prefix = int(digits)
    if text.isdigit() and text[:6] == "100000":
        return NATIONAL_ADCODE
    return prefix * 10000 if prefix in _PREFIXES else None


def try_adcode(value: object) -> int | None:
    """Like :func:`to_adcode` but returns ``None`` for an unknown or missing value."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if float(value) != int(value):
            return None
        value = str(int(value))
    text = normalise(str(value))
    if not text:
        return None
    code = _from_code(text.replace(" ", ""))
    if code is not None:
        return code
    table = _lookup()
    for key in (text, text.replace(" ", ""), _strip_suffix(text)):
        if key in table:
            return table[key]
    return None


def to_adcode(value: object, *, context: str = "") -> int:
    """Province adcode (e.g. ``110000``) of any spelling or code; raises on an unknown one.

    Raises
    ------
    UnknownProvinceError
        naming the value (and ``context``, e.g. the file) when it cannot be mapped.
    """
    code = try_adcode(value)
    if code is None:
        raise UnknownProvinceError([str(value)], context)
    return code


def to_adcodes(values: Iterable[object], *, context: str = "",
               unknown: str = "raise") -> pd.Series:
    """Vectorised :func:`to_adcode`.

    Parameters
    ----------
    values : names or codes
    context : where the values come from (file, column), used in the error message
    unknown : ``"raise"`` (default) raises one error listing *all* unknown values; ``"na"``
        returns ``<NA>`` for them.

    Returns
    -------
    ``Int64`` Series of adcodes, positionally aligned with ``values`` (index kept for a Series).
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    uniques = pd.unique(series.astype(object))
    mapping = {v: try_adcode(v) for v in uniques}
    if unknown == "raise":
        bad = [str(v) for v, c in mapping.items() if c is None]
        if bad:
            raise UnknownProvinceError(bad, context)
    elif unknown != "na":
        raise ValueError("unknown must be 'raise' or 'na'")
    return series.map(mapping).astype("Int64")


@cache
def _text_prefixes() -> list[tuple[str, int]]:
    pairs = {}
    for adcode, full, short, *_ in _UNITS:
        pairs[full] = adcode
        pairs[short] = adcode
    pairs["内蒙"] = 150000
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


def province_from_text(text: object) -> int | None:
    """Adcode of the province a free-text Chinese address starts with, else ``None``.

    ``'河南省周口市郸城县'`` → 410000; ``'广西南宁'`` → 450000; ``'未知'`` → None. Only the start of
    the text is matched (after white space and punctuation are dropped), so a province name
    appearing later in a description is never taken for the place.
    """
    if text is None or (isinstance(text, float) and pd.isna(text)):
        return None
    s = re.sub(r"[\s,，、;；:：/\-_.。]+", "", unicodedata.normalize("NFKC", str(text)))
    for prefix, adcode in _text_prefixes():
        if s.startswith(prefix):
            return adcode
    return None


def display_names(lang: str = "en") -> pd.Series:
    """Display names of the 34 units indexed by adcode: NBS English (``'en'``) or short Chinese
    (``'zh'``)."""
    cw = crosswalk().set_index("adcode")
    return cw["name_zh_short"] if lang == "zh" else cw["name_en"]


def name_of(adcode: int, lang: str = "en") -> str:
    """Display name of a unit: ``lang='en'`` (NBS English) or ``'zh'`` (short Chinese)."""
    return str(display_names(lang).loc[int(adcode)])
