"""Reader of the two county census workbooks and the hierarchy of their rows.

Each sheet mixes rows of three levels (province ``xx0000``, prefecture ``xxxx00``, county) with
uncoded rows: subtotals (市辖区, 县, 省直辖县级行政区划 …), blank separators, the 全国 row (2020), a
forum watermark (2010) and real units that carry no code (大兴安岭's districts 2010, development
zones 2020 …). :func:`read_sheet` reads one workbook once (calamine) into a :class:`Sheet`;
:func:`classify` gives every raw row its kind, its parent and whether it is a *leaf* (a unit no
other row of the sheet subdivides), so that the leaves partition the country exactly once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from analysis.core.errors import DataError
from analysis.vocab.provinces import MAINLAND31

FILE_2010 = "census_county_2010_2020/census_county_2010_v1.xlsx"
FILE_2020 = "census_county_2010_2020/census_county_2020_v1.xlsx"
SHEETS = {2010: "Sheet1", 2020: "七普（年鉴）"}
FILES = {2010: FILE_2010, 2020: FILE_2020}
#: the column holding the unit's own name, per year
NAME_COLUMN = {2010: "地区", 2020: "区县"}
CODE_COLUMN = "区划代码"
#: the resident-population column, per year (a row without it carries no data)
POPULATION_COLUMN = {2010: "合计", 2020: "人口数_合计"}
#: first numeric column (everything before it is text: code and names)
FIRST_NUMERIC = {2010: 2, 2020: 4}
#: names of the uncoded subtotal rows (they sum units that follow them; never leaves)
SUBTOTAL_NAMES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
MUNICIPALITIES = (110000, 120000, 310000, 500000)
NATIONAL_NAME = "全国"
#: a numeric cell holding two numbers run together by whitespace (``8842   30``)
_FUSED = re.compile(r"^\s*-?\d+(\.\d+)?(\s+-?\d+(\.\d+)?)+\s*$")
#: text the 2020 workbook prints for "not available" (read as missing, counted)
NA_TEXT = frozenset({"NA"})
_NUMBER = re.compile(r"^\s*-?\d+(\.\d+)?\s*$")
#: misprinted codes, corrected explicitly (year, spreadsheet row, printed, corrected, why); the
#: printed value must be found at that row, else the build stops
CODE_CORRECTIONS: tuple[tuple[int, int, int, int, str], ...] = (
    (2020, 340, 170971, 140971,
     "五台山风景名胜区 sits in 忻州市 (1409xx) of 山西 (14); 17 is no province: NBS statistical "
     "code 140971"),
)
#: synthetic codes of the uncoded units: parent code × 1000 + ordinal (nine digits: never a
#: GB/T 2260 code)
SYNTHETIC_FACTOR = 1000


def normalise_header(name: object) -> str:
    """Column name without whitespace or line breaks, with ASCII brackets made full-width
    (``'45-49岁（女)'`` → ``'45-49岁（女）'``)."""
    s = re.sub(r"\s+", "", str(name))
    return s.replace("(", "（").replace(")", "）")


@dataclass
class FusedCell:
    """A numeric cell holding two numbers run together by whitespace (a defect of the raw)."""

    file: str
    row: int  # spreadsheet row (1 = header)
    column: str  # normalised column name
    text: str

    def describe(self) -> str:
        return (f"{self.file} row {self.row} column {self.column!r}: {self.text.split()!r} "
                "run together (fused cell)")


@dataclass
class Sheet:
    """One census workbook, read once: ``frame`` has normalised column names, text in the
    first columns and floats (NaN = empty or fused) in the numeric ones; ``row`` the
    spreadsheet row of each line (the header is row 1)."""

    year: int
    file: str
    frame: pd.DataFrame
    fused: list[FusedCell] = field(default_factory=list)
    renamed_headers: int = 0
    corrected: list[tuple[int, int, int]] = field(default_factory=list)
    na_cells: int = 0

    @property
    def rows(self) -> np.ndarray:
        return np.arange(2, len(self.frame) + 2)


def read_sheet(path: Path, year: int, required: list[str], file_id: str | None = None) -> Sheet:
    """Read the workbook of ``year`` at ``path`` (sheet :data:`SHEETS`), once, with calamine
    (``python-calamine`` directly: the engine pandas would use, without its per-cell
    conversion).

    ``required`` are normalised column names that must exist. Raises :class:`DataError` naming
    the file (and row and column) for a missing sheet, a missing or renamed column, a duplicate
    column, a code that is not six digits, or a numeric cell holding text. A cell holding two
    numbers run together by whitespace is not an error: it becomes missing and is listed in
    :attr:`Sheet.fused`.
    """
    name = file_id or str(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own types for a damaged workbook
        raise DataError(path, f"not a readable xlsx workbook ({type(exc).__name__}: {exc})"
                        ) from None
    if SHEETS[year] not in book.sheet_names:
        raise DataError(path, f"sheet {SHEETS[year]!r} not found (sheets: {book.sheet_names})")
    try:
        cells = book.get_sheet_by_name(SHEETS[year]).to_python()
    except Exception as exc:
        raise DataError(path, f"cannot read sheet {SHEETS[year]!r} ({type(exc).__name__}: "
                        f"{exc})") from None
    raw = pd.DataFrame(np.array(cells, dtype=object)) if cells else pd.DataFrame()
    if not raw.empty:
        raw = raw.mask(raw.map(lambda v: isinstance(v, str) and v == ""))
    if raw.empty:
        raise DataError(path, "the sheet is empty")
    headers = [normalise_header(v) for v in raw.iloc[0]]
    renamed = sum(1 for v, h in zip(raw.iloc[0], headers, strict=True) if str(v) != h)
    dup = sorted({h for h in headers if headers.count(h) > 1})
    if dup:
        raise DataError(path, f"duplicate column name(s) after normalising: {dup}", row=1,
                        column=dup[0])
    missing = [c for c in required if c not in headers]
    if missing:
        raise DataError(path, f"expected column(s) missing or renamed: {missing}", row=1,
                        column=missing[0])
    frame = pd.DataFrame(raw.iloc[1:].to_numpy(), columns=headers)  # one block, no copies
    sheet = Sheet(year, name, frame, renamed_headers=renamed)
    _parse_codes(sheet, path)
    _parse_numbers(sheet, path)
    return sheet


def _parse_codes(sheet: Sheet, path: Path) -> None:
    codes = sheet.frame[CODE_COLUMN]
    out = np.full(len(codes), -1, dtype="int64")
    for i, v in enumerate(codes.to_numpy()):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            continue
        s = str(v).strip()
        if isinstance(v, float) and v.is_integer():
            s = str(int(v))
        if s == "" or s in NA_TEXT:
            continue
        for year, row, printed, corrected, _why in CODE_CORRECTIONS:
            if year == sheet.year and row == i + 2 and s == str(printed):
                sheet.corrected.append((row, printed, corrected))
                s = str(corrected)
        if not re.fullmatch(r"\d{6}", s) or int(s[:2]) * 10000 not in MAINLAND31:
            raise DataError(path, f"unit code is not a six-digit mainland GB/T 2260 code: {v!r}",
                            row=i + 2, column=CODE_COLUMN)
        out[i] = int(s)
    dup = pd.Series(out[out >= 0]).duplicated()
    if dup.any():
        code = int(out[out >= 0][dup.to_numpy()][0])
        i = int(np.flatnonzero(out == code)[1])
        raise DataError(path, f"unit code {code} appears twice", row=i + 2, column=CODE_COLUMN)
    for year, row, printed, _corrected, _why in CODE_CORRECTIONS:
        if year == sheet.year and all(r != row for r, _, _ in sheet.corrected):
            raise DataError(path, f"expected the misprinted code {printed} here (a known "
                            "defect): the file changed, review CODE_CORRECTIONS", row=row,
                            column=CODE_COLUMN)
    code = pd.array(np.where(out >= 0, out, 0), dtype="Int64")
    code[out < 0] = pd.NA
    text = {c: [("" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v).strip())
                for v in sheet.frame[c]]
            for c in sheet.frame.columns[:FIRST_NUMERIC[sheet.year]] if c != CODE_COLUMN}
    sheet.frame = sheet.frame.assign(code=code, **text)


def _parse_numbers(sheet: Sheet, path: Path) -> None:
    columns = [c for c in sheet.frame.columns[FIRST_NUMERIC[sheet.year]:] if c != "code"]
    parsed = {}
    for c in columns:
        col = sheet.frame[c]
        values = pd.to_numeric(col, errors="coerce").astype("float64")
        odd = np.flatnonzero((values.isna() & col.notna()).to_numpy())
        for i in odd:  # text cells (numbers stored as text, fused cells, anything else)
            s = str(col.iat[i])
            if s.strip() == "":
                continue
            if s.strip() in NA_TEXT:
                sheet.na_cells += 1
                continue
            if _NUMBER.match(s):
                values.iat[i] = float(s)
            elif _FUSED.match(s):
                sheet.fused.append(FusedCell(sheet.file, int(i) + 2, c, s.strip()))
            else:
                raise DataError(path, f"not a number: {s!r}", row=int(i) + 2, column=c)
        parsed[c] = values
    sheet.frame = sheet.frame.assign(**parsed)


# -- hierarchy ---------------------------------------------------------------------------------

#: kinds of raw row (:func:`classify`)
KINDS = ("province", "prefecture", "county", "uncoded_unit", "uncoded_part", "subtotal",
         "blank", "national", "not_data")


def level_of_code(code: int) -> str:
    """``province`` (xx0000), ``prefecture`` (xxxx00) or ``county`` (any other code)."""
    if code % 10000 == 0:
        return "province"
    if code % 100 == 0:
        return "prefecture"
    return "county"


def prefecture_of_code(code: int) -> int:
    """Prefecture code of a county- or prefecture-level code, in the conventions of
    ``lost_adcode_prefecture`` and ``census_city_prefecture``: municipalities → ``xx0100``;
    county-level units directly under a province (``xx90NN``, e.g. 仙桃 429004) keep their own
    code; otherwise ``xxxx00``."""
    province = code // 10000 * 10000
    if province in MUNICIPALITIES:
        return province + 100
    if code // 100 % 100 == 90:
        return code
    return code // 100 * 100


def classify(sheet: Sheet) -> pd.DataFrame:
    """One row per raw row (in file order): ``row`` (spreadsheet row), ``kind`` (:data:`KINDS`),
    ``code`` (printed, else synthetic for an uncoded unit: parent code × 1000 + ordinal),
    ``code_printed``, ``name_zh`` (as printed, surrounding spaces removed), ``level``,
    ``adcode`` (province), ``prefecture_code``, ``parent_code`` and ``is_leaf``.

    Rules. A coded row's level follows from its code. An uncoded row is *blank* (no name, no
    number), *national* (全国), *not_data* (a name but no number: the 2010 watermark), a
    *subtotal* (:data:`SUBTOTAL_NAMES`) or a real unit. A real uncoded unit belongs to the last
    coded prefecture above it (or, after a 省直辖 subtotal, to the province); it is a *part* when
    that prefecture has no coded county and its uncoded units add up to the prefecture's own
    row (三沙市 2020 and its three island groups: the prefecture is then the leaf), else an
    *uncoded unit*, a leaf of its own. Counties and uncoded units are leaves; a prefecture is a
    leaf when nothing but parts and subtotals follows it; provinces never are.
    """
    f = sheet.frame
    year = sheet.year
    names = f[NAME_COLUMN[year]].to_numpy()
    codes = f["code"].to_numpy(dtype=object)
    pop = f[POPULATION_COLUMN[year]].to_numpy()
    numeric = [c for c in f.columns[FIRST_NUMERIC[year]:] if c != "code"]
    any_number = f[numeric].notna().any(axis=1).to_numpy()
    n = len(f)
    kind = np.empty(n, dtype=object)
    parent = np.full(n, -1, dtype="int64")
    province = prefecture = -1
    under_province = False  # after a 省直辖县级行政区划 subtotal
    for i in range(n):
        code = codes[i]
        name = names[i]
        if code is not pd.NA and code is not None:
            code = int(code)
            level = level_of_code(code)
            kind[i] = level
            if level == "province":
                province, prefecture, under_province = code, -1, False
                parent[i] = -1
            elif level == "prefecture":
                if code // 10000 * 10000 != province:
                    raise DataError(sheet.file, f"prefecture {code} outside its province "
                                    f"block ({province})", row=i + 2, column=CODE_COLUMN)
                if province in MUNICIPALITIES:
                    parent[i] = province
                else:
                    prefecture, under_province = code, False
                    parent[i] = province
            else:
                if code // 10000 * 10000 != province:
                    raise DataError(sheet.file, f"county {code} outside its province block "
                                    f"({province})", row=i + 2, column=CODE_COLUMN)
                parent[i] = prefecture_of_code(code)
                if parent[i] == code:  # directly under the province
                    parent[i] = province
            continue
        if name == "" and not any_number[i]:
            kind[i] = "blank"
        elif name == NATIONAL_NAME:
            kind[i] = "national"
        elif not any_number[i]:
            kind[i] = "not_data"
        elif name in SUBTOTAL_NAMES:
            kind[i] = "subtotal"
            if name in ("省直辖县级行政区划", "自治区直辖县级行政区划"):
                under_province = True
            parent[i] = province
        else:
            kind[i] = "uncoded_unit"
            parent[i] = province if (under_province or prefecture < 0) else prefecture
        if kind[i] != "uncoded_unit" and province < 0 and kind[i] not in ("national", "blank",
                                                                           "not_data"):
            raise DataError(sheet.file, f"row {name!r} before any province row", row=i + 2)
    out = pd.DataFrame({"row": sheet.rows, "kind": kind, "name_zh": names,
                        "parent_code": parent})
    out["code"] = pd.array([int(c) if c is not pd.NA and c is not None else pd.NA
                            for c in codes], dtype="Int64")
    out["code_printed"] = out["code"].notna()
    out["population"] = pop
    _mark_parts(out)
    _synthetic_codes(out)
    coded = out["kind"].isin(["province", "prefecture", "county", "uncoded_unit"])
    out["level"] = None
    out.loc[coded, "level"] = [level_of_code(int(c)) if p else "county"
                               for c, p in zip(out.loc[coded, "code"],
                                               out.loc[coded, "code_printed"], strict=True)]
    out["adcode"] = pd.array([int(c) // 10000 * 10000 if p else int(pc) // 10000 * 10000
                              if pc > 0 else pd.NA
                              for c, p, pc in zip(out["code"], out["code_printed"],
                                                  out["parent_code"], strict=True)],
                             dtype="Int64")
    out["prefecture_code"] = pd.array(
        [_prefecture(k, c, pc) for k, c, pc in zip(out["kind"], out["code"], out["parent_code"],
                                                    strict=True)], dtype="Int64")
    # a prefecture row is subdivided by the coded counties of its four-digit prefix and by
    # the uncoded units under it (parts do not subdivide it: they are pieces of the leaf)
    county_codes = out.loc[out["kind"] == "county", "code"].astype("int64")
    children = set(county_codes // 100 * 100)
    children |= set(out.loc[out["kind"] == "uncoded_unit", "parent_code"])
    out["is_leaf"] = (out["kind"].isin(["county", "uncoded_unit"])
                      | ((out["kind"] == "prefecture")
                         & ~out["code"].fillna(0).astype("int64").isin(children)))
    return out


def _prefecture(kind: str, code: object, parent: int) -> object:
    if kind in ("prefecture", "county"):
        return prefecture_of_code(int(code))
    if kind == "uncoded_unit":
        return int(code) if parent % 10000 == 0 else prefecture_of_code(int(parent))
    return pd.NA


def _mark_parts(out: pd.DataFrame) -> None:
    """Uncoded units that split a coded prefecture without coded counties into parts."""
    units = out[out["kind"] == "uncoded_unit"]
    for parent, group in units.groupby("parent_code"):
        if parent % 10000 == 0:
            continue
        has_counties = ((out["kind"] == "county") & (out["parent_code"] == parent)).any()
        own = out.loc[(out["kind"] == "prefecture") & (out["code"] == parent), "population"]
        if (not has_counties and len(own) == 1
                and np.isclose(group["population"].sum(), own.iat[0], rtol=0, atol=0.5)):
            out.loc[group.index, "kind"] = "uncoded_part"


def _synthetic_codes(out: pd.DataFrame) -> None:
    units = out.index[out["kind"] == "uncoded_unit"]
    counter: dict[int, int] = {}
    for i in units:
        parent = int(out.at[i, "parent_code"])
        counter[parent] = counter.get(parent, 0) + 1
        out.at[i, "code"] = parent * SYNTHETIC_FACTOR + counter[parent]
