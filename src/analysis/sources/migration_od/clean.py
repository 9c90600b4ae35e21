"""Inter-provincial migration origin–destination tables, 1995–2000 … 2015–2020 (NBS).

Source: NBS tabulation "全国按现住地和五年前常住地分的人口" (population by current residence ×
residence five years earlier) of the 2000, 2010 and 2020 censuses (long-form tables 7-4, 7-8,
7-7) and of the 2005 and 2015 1 % population sample surveys, as digitised in the repository
2binfront/vue-ts-ol (registry ids ``nbs_migration_od/<year>.xls|json``). For 2000, 2010 and 2020
the original ``.xls`` is read (``pandas.read_excel(engine="calamine")``); the mirror's JSON of
those years matches the ``.xls`` cell for cell (checked by the tests). 2005 and 2015 exist only
as JSON.

Layout (all years)
------------------
Rows are 现住地, the province of residence at the census/survey date (the **destination**); the
first row is the national total (``全国``; labelled ``合计`` in the 2000 ``.xls``). Columns are
五年前常住地, the usual residence five years earlier (the **origin**). Universe: people aged 5
and over at the reference date (1 Nov of the census year), counted **unweighted in the sample**
(long form or survey sample), so every cell is a sample count, not a population figure. Every
cell on the diagonal (origin = destination province) is blank in all five tables: moves inside a
province are never in the province columns but in the aggregate columns below. Blank cells are
read as 0 (NBS leaves zero cells blank); a blank *off* the diagonal is counted in the row
account (2000: 2, 2010: 1, 2015: 4; all in small cells: 港澳台或国外 or 西藏).

Aggregate columns, per year (raw label → meaning → internal name):

* 2000 (table 7-4, ``.xls`` sheet 长表7-4). The table counts **movers only**:
  ``合计`` = people whose usual residence five years earlier was elsewhere (12.1 M sample persons;
  a whole-population table of the ≈10 % long form would hold ≈110 M, so stayers are not in it);
  ``省内`` (``intra_movers``) = of them, moved
  within the province (other township, same province); ``小计`` (``subtotal``) = moved from
  another province or from abroad (= the 31 province columns + ``港澳台或国外``); ``港澳台或国外``
  (``abroad``) = lived in Hong Kong, Macau, Taiwan or abroad five years earlier. The ``.xls``
  puts the group header "户口登记地" (hukou registration place) over 小计 and the province
  columns although the title says 五年前常住地; the totals (3.23 M sample inter-provincial
  movers ≈ the published 1995–2000 figure) show the title is right. Because stayers are not in
  the table, the population at risk (column total incl. stayers) and the residents aged 5+ (row
  total) are **not available** for 1995–2000: those columns and the per-1,000 rates are empty.
* 2005 (1 % survey). ``合计`` (``total``) = all residents aged 5+ in the sample (16.1 M);
  ``省内`` (``intra``) = residence five years earlier in the same province, **including people
  who did not move**. No abroad column. No within-province split.
* 2010 (table 7-8). ``合计`` (``total``) = all residents aged 5+ in the long-form sample
  (119.9 M); ``省内`` (``intra``) = same province five years earlier, incl. non-movers; group
  header ``省外`` over the province columns; ``港澳台或国外`` (``abroad``).
* 2015 (1 % survey). ``合计`` (``total``) = all residents aged 5+ in the sample (20.0 M), then
  the within-province columns ``现住房`` (``same_dwelling``: lived in the current dwelling five
  years earlier, i.e. did not move), ``本县其他地区`` (``same_county_elsewhere``: elsewhere in the
  same county), ``本省其他县`` (``other_county``: another county of the same province), the 31
  province columns and ``港澳台或国外`` (``abroad``).
* 2020 (table 7-7). ``行合计`` / ``合计`` (``total``) = all residents aged 5+ in the long-form
  sample (131.3 M); group ``省内`` split into ``本县市区`` (``same_county``: same county / city
  district, incl. non-movers; JSON label ``省内本县市区``) and ``本省其他县市区`` (``other_county``:
  another county/district of the same province; JSON label ``本省其他``); group ``省外`` over the
  province columns; ``港澳台或国外`` (``abroad``).

So in every year ``total = within-province columns + 31 province columns + abroad``; "intra"
below means the sum of the within-province columns of a row.

Sampling fractions (``SAMPLING_FRACTIONS``)
-------------------------------------------
From the published survey designs, as summarised in the data README ("Sampling fractions"):
2000 long form 9.5 %; 2005 1 % survey, realised sampling fraction 1.325 %; 2010 long form 10 %
nominal but 9.5 % effective (the table's 合计 119,893,223 vs ≈1.257 bn residents aged 5+ in
2010: 119.9 M / 1,257 M = 9.54 %), so 0.095 is used; 2015 1 % survey, realised 1.55 %; 2020
long form 10 % nominal. ``estimate_persons = sample_count / sampling_fraction`` is a rough
expansion (the published weights are not uniform); rates computed inside one table (movers ÷ the
table's own population at risk) need no scaling and are preferred. Note that with 0.095 the
1995–2000 inter-provincial total is 34.0 M; authors who expand the same 3.23 M sample by 10 %
publish 32.3 M.

Defects handled
---------------
* Rows whose published total differs from the sum of their cells (2005: 30 province rows and the
  national row, |diff| ≤ 120, the large ones in 河北 +120, 吉林 +59, 内蒙古 +52 which match the
  column gaps of 山西 121, 辽宁 62 and 省内 57 in the national check, i.e. most likely single
  mistyped cells; 2015: 23 rows, |diff| ≤ 3; 2000: 湖南 +1 in 小计). Cells are kept as published;
  the derived totals (``resident_sample_count``, ``at_risk_origin_sample_count``) are sums of
  cells so that the table balances exactly. Each such row is a note in the row account.
* The national row is not used: per column it is compared with the sum of the 31 province rows;
  differences are notes, and a gross mismatch (|diff| > 1 % of the national value *and* > 150
  sample persons, i.e. above the largest digitisation slip seen, 121) raises ``DataError``.

Tables built
------------
``migration_od``
    one row per (period, origin_adcode, destination_adcode), 31 × 30 inter-provincial flows per
    period (5 × 930 = 4,650 rows): ``sample_count`` (unweighted), ``sampling_fraction``,
    ``estimate_persons`` (rounded to the nearest integer). Flows from 港澳台或国外 are dropped
    (not a province flow) and accounted for in the row account (with their sample total).
``migration_by_province``
    one row per (period, adcode), 31 provinces: out-, in- and net migrant sample counts and
    estimates, population at risk (column total incl. stayers) and residents aged 5+ (row total),
    out/in/net rates per 1,000 inside the table, and out-migrants (estimate) per 1,000 year-end
    population of the period's start year (from ``population_yearend`` when that table was built
    before; 1995–2000 uses year-end 2000, the first year available).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.vocab.periods import OD_PERIOD_OF_YEAR
from analysis.vocab.provinces import MAINLAND31, NATIONAL_ADCODE, name_of, try_adcode

# Census / survey year → O–D period label: analysis.vocab.periods.OD_PERIOD_OF_YEAR.

#: Sampling fraction of each table (share of the population in the sample); see the docstring.
SAMPLING_FRACTIONS: dict[int, float] = {2000: 0.095, 2005: 0.01325, 2010: 0.095, 2015: 0.0155,
                                        2020: 0.10}

#: Registry id of the file read for each year (the original .xls where it exists).
RAW_IDS: dict[int, str] = {2000: "nbs_migration_od/2000.xls", 2005: "nbs_migration_od/2005.json",
                           2010: "nbs_migration_od/2010.xls", 2015: "nbs_migration_od/2015.json",
                           2020: "nbs_migration_od/2020.xls"}

#: Year of ``population_yearend`` used as denominator: the period's start year, except 1995
#: (not in the year-end series, which starts in 2000) → 2000.
POPULATION_YEAR: dict[int, int] = {2000: 2000, 2005: 2000, 2010: 2005, 2015: 2010, 2020: 2015}

#: Aggregate (non-province) columns per year: normalised raw label → internal name.
AGGREGATE_LABELS: dict[int, dict[str, str]] = {
    2000: {"合计": "total", "省内": "intra_movers", "小计": "subtotal"},
    2005: {"合计": "total", "省内": "intra"},
    2010: {"合计": "total", "省内": "intra"},
    2015: {"合计": "total", "现住房": "same_dwelling", "本县其他地区": "same_county_elsewhere",
           "本省其他县": "other_county"},
    2020: {"合计": "total", "行合计": "total", "省内本县市区": "same_county",
           "本省其他": "other_county", "本省其他县市区": "other_county"},
}
#: Within-province columns per year (their sum is "intra" of a row).
INTRA_COLUMNS: dict[int, tuple[str, ...]] = {
    2000: ("intra_movers",), 2005: ("intra",), 2010: ("intra",),
    2015: ("same_dwelling", "same_county_elsewhere", "other_county"),
    2020: ("same_county", "other_county"),
}
#: Whether the table includes people who did not move (so row/column totals are populations).
HAS_STAYERS: dict[int, bool] = {2000: False, 2005: True, 2010: True, 2015: True, 2020: True}
ABROAD_LABEL = "港澳台或国外"
#: Years whose table has a 港澳台或国外 (origin abroad) column.
HAS_ABROAD: dict[int, bool] = {2000: True, 2005: False, 2010: True, 2015: True, 2020: True}
#: Group headers that may precede a column label in a multi-row .xls header.
_GROUP_PREFIXES = ("省外", "户口登记地")
_NATIONAL_ROW_LABELS = {"全国", "合计", "总计"}
ROW_LABEL_KEY = "现住地"

#: Tables this step reads (year-end population for the per-1,000 rates) and builds.
NEEDS = ("population_yearend",)
PROVIDES = ("migration_od", "migration_by_province")

#: A national-row or row-total mismatch is gross when |diff| exceeds both limits.
GROSS_REL = 0.01
GROSS_ABS = 150


@dataclass
class ODTable:
    """One parsed O–D table in a canonical layout (sample counts, int64).

    Attributes
    ----------
    year : census / survey year (end of the five-year period)
    file : the file read (for messages)
    aggregates : index = destination adcode (``NATIONAL_ADCODE`` first, then the 31 provinces in
        adcode order); columns = internal names of the aggregate columns (``total``, the
        within-province columns, ``subtotal`` in 2000, ``abroad`` when present)
    flows : same index; columns = origin adcodes (31); diagonal 0 (blank in the source)
    labels : internal column name or origin adcode (as str) → raw column label
    blank_off_diagonal : (destination adcode, raw column label) of blank cells off the diagonal
    rows : destination adcode → 1-based row (``.xls``) or line (JSON) of the row in the file
    """

    year: int
    file: str
    aggregates: pd.DataFrame
    flows: pd.DataFrame
    labels: dict[str, str] = field(default_factory=dict)
    blank_off_diagonal: list[tuple[int, str]] = field(default_factory=list)
    rows: dict[int, int] = field(default_factory=dict)

    @property
    def provinces(self) -> pd.Index:
        """Destination adcodes without the national row."""
        return self.flows.index[self.flows.index != NATIONAL_ADCODE]

    def intra(self) -> pd.Series:
        """Sum of the within-province columns per row (sample persons)."""
        return self.aggregates[list(INTRA_COLUMNS[self.year])].sum(axis=1)

    def abroad(self) -> pd.Series:
        """Origin abroad (港澳台或国外) per row; 0 where the table has no such column."""
        if "abroad" in self.aggregates:
            return self.aggregates["abroad"]
        return pd.Series(0, index=self.aggregates.index, dtype="int64")

    def cell_sum(self) -> pd.Series:
        """Sum of the cells of each row: within-province + 31 province columns + abroad."""
        return self.intra() + self.flows.sum(axis=1) + self.abroad()


# --------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------

def _norm_label(value: object) -> str:
    """Normalised header / row label: NFKC, all white space removed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _to_count(value: object, file: str, row: int, column: str) -> int | None:
    """A non-negative integer sample count, ``None`` for a blank cell; else ``DataError``."""
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        raise DataError(file, f"cell {value!r} is not a count", row=row, column=column)
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
    elif isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip().replace(",", "")
        if not re.fullmatch(r"\d+(\.0+)?", text):
            raise DataError(file, f"cell {value!r} is not a number", row=row, column=column)
        number = float(text)
    else:
        raise DataError(file, f"cell {value!r} is not a number", row=row, column=column)
    if not math.isfinite(number) or number < 0 or number != int(number):
        raise DataError(file, f"cell {value!r} is not a non-negative whole count", row=row,
                        column=column)
    return int(number)


def _classify_column(label: str, year: int) -> str | int | None:
    """Internal name (aggregate), origin adcode (province column) or ``None`` (unknown)."""
    aggregates = AGGREGATE_LABELS[year]
    if label in aggregates:
        return aggregates[label]
    if label == ABROAD_LABEL and HAS_ABROAD[year]:
        return "abroad"
    name = label
    for prefix in _GROUP_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            name = name[len(prefix):]
            break
    if name in aggregates:
        return aggregates[name]
    code = try_adcode(name)
    if code is not None and code in MAINLAND31:
        return code
    return None


def _expected_columns(year: int) -> list[str | int]:
    names = list(dict.fromkeys(AGGREGATE_LABELS[year].values()))
    return names + (["abroad"] if HAS_ABROAD[year] else []) + list(MAINLAND31)


def _row_adcode(label: object, file: str, row: int) -> int:
    text = _norm_label(label)
    if text in _NATIONAL_ROW_LABELS:
        return NATIONAL_ADCODE
    code = try_adcode(text)
    if code is None or (code not in MAINLAND31 and code != NATIONAL_ADCODE):
        raise DataError(file, f"row label {label!r} is not the national total or one of the 31 "
                        "mainland provinces", row=row, column=ROW_LABEL_KEY)
    return code


def _assemble(year: int, file: str, columns: dict[str | int, str],
              records: list[tuple[int, int, dict[str | int, int | None]]],
              header_row: int) -> ODTable:
    """Check completeness and build the canonical :class:`ODTable`.

    ``columns`` maps internal column → raw label; ``records`` holds (adcode, file row, values by
    internal column; ``None`` = blank).
    """
    for col in _expected_columns(year):
        if col not in columns:
            wanted = [k for k, v in AGGREGATE_LABELS[year].items() if v == col]
            if not wanted:
                wanted = [ABROAD_LABEL if col == "abroad" else name_of(int(col), "zh")]
            raise DataError(file, f"expected column {wanted[0]!r} is missing (renamed?)",
                            row=header_row, column=wanted[0])
    seen: dict[int, int] = {}
    for adcode, row, _ in records:
        if adcode in seen:
            raise DataError(file, f"row of {adcode} appears twice (first at {seen[adcode]})",
                            row=row, column=ROW_LABEL_KEY)
        seen[adcode] = row
    missing = [a for a in (NATIONAL_ADCODE, *MAINLAND31) if a not in seen]
    if missing:
        raise DataError(file, f"rows missing for adcode(s) {missing}", column=ROW_LABEL_KEY)

    agg_cols = [c for c in columns if isinstance(c, str)]
    agg = pd.DataFrame(0, index=pd.Index([NATIONAL_ADCODE, *MAINLAND31], name="destination"),
                       columns=agg_cols, dtype="int64")
    flows = pd.DataFrame(0, index=agg.index.copy(),
                         columns=pd.Index(list(MAINLAND31), name="origin"), dtype="int64")
    blanks: list[tuple[int, str]] = []
    for adcode, row, values in records:
        for col, value in values.items():
            if col == adcode:  # diagonal: blank in every year; within-province is elsewhere
                if value:
                    raise DataError(file, f"diagonal cell (same province) holds {value}; this "
                                    "parser expects it blank (within-province moves are in the "
                                    "aggregate columns)", row=row, column=columns[col])
                continue
            if value is None:
                blanks.append((adcode, columns[col]))
                value = 0
            if isinstance(col, int):
                flows.loc[adcode, col] = value
            else:
                agg.loc[adcode, col] = value
    labels = {str(k): v for k, v in columns.items()}
    return ODTable(year, file, agg, flows, labels, blanks, dict(seen))


def read_od_xls(path: str | Path, year: int) -> ODTable:
    """Parse an NBS O–D ``.xls`` (2000, 2010, 2020 layouts) into an :class:`ODTable`.

    The header block runs from the first row holding ``合计`` to the row before the national
    row; a column's label is its header cells joined (group headers such as ``省外`` are
    stripped). Raises :class:`DataError` (file, row, column) on an unknown or missing column, an
    unknown row label or a non-numeric cell.
    """
    file = str(path)
    try:
        # na_filter=False: strings such as "n/a", "NA" or "-" must not silently become blanks
        sheet = pd.read_excel(path, engine="calamine", header=None, dtype=object,
                              na_filter=False)
    except Exception as exc:  # calamine raises its own error types
        raise DataError(file, f"cannot read the workbook: {exc}") from None
    cells = sheet.to_numpy(dtype=object)
    nrows, ncols = cells.shape
    header_start = next((r for r in range(nrows)
                         if any(_norm_label(v) in ("合计", "行合计") for v in cells[r, 1:])), None)
    if header_start is None:
        raise DataError(file, "no header row with 合计 found", column="合计")
    data_start = None
    for r in range(header_start + 1, nrows):
        text = _norm_label(cells[r, 0])
        if text and (text in _NATIONAL_ROW_LABELS or try_adcode(text) == NATIONAL_ADCODE):
            data_start = r
            break
    if data_start is None:
        raise DataError(file, "no national row (全国/合计) below the header", column=ROW_LABEL_KEY)

    columns: dict[str | int, str] = {}
    position: dict[str | int, int] = {}
    for c in range(1, ncols):
        label = "".join(_norm_label(v) for v in cells[header_start:data_start, c])
        body = cells[data_start:, c]
        if not label:
            if all(_is_blank(v) for v in body):
                continue
            raise DataError(file, "column with data but no header", row=header_start + 1,
                            column=f"column {c + 1}")
        key = _classify_column(label, year)
        if key is None:
            raise DataError(file, f"unexpected column label {label!r} for the {year} table",
                            row=header_start + 1, column=label)
        if key in columns:
            raise DataError(file, f"column {label!r} duplicates {columns[key]!r}",
                            row=header_start + 1, column=label)
        columns[key] = label
        position[key] = c

    records = []
    for r in range(data_start, nrows):
        if all(_is_blank(v) for v in cells[r]):
            continue  # spacer row of the printed table
        adcode = _row_adcode(cells[r, 0], file, r + 1)
        values = {key: _to_count(cells[r, c], file, r + 1, columns[key])
                  for key, c in position.items()}
        records.append((adcode, r + 1, values))
    return _assemble(year, file, columns, records, header_start + 1)


def _line_of(lines: list[str], start: int, needle: str) -> int:
    """1-based number of the first line at/after index ``start`` containing ``needle``."""
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i + 1
    return start + 1


def read_od_json(path: str | Path, year: int) -> ODTable:
    """Parse an O–D JSON (a list of one object per 现住地 row) into an :class:`ODTable`.

    Row numbers in errors are line numbers of the file. Raises :class:`DataError` on invalid
    JSON, an unknown encoding, a missing/renamed/extra key, an unknown row label or a
    non-numeric cell.
    """
    file = str(path)
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(file, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(file, f"invalid JSON: {exc.msg}", row=exc.lineno) from None
    if not isinstance(data, list) or not data or not all(isinstance(r, dict) for r in data):
        raise DataError(file, "expected a non-empty JSON array of objects (one per row)")
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if f'"{ROW_LABEL_KEY}"' in line]
    if len(starts) != len(data):
        starts = [0] * len(data)  # compact JSON: fall back to the record's first line
    keys = [k for k in data[0] if k != ROW_LABEL_KEY]
    header_line = starts[0] + 1
    if ROW_LABEL_KEY not in data[0]:
        raise DataError(file, f"key {ROW_LABEL_KEY!r} missing", row=header_line,
                        column=ROW_LABEL_KEY)
    columns: dict[str | int, str] = {}
    for label in keys:
        key = _classify_column(_norm_label(label), year)
        if key is None:
            raise DataError(file, f"unexpected key {label!r} for the {year} table",
                            row=_line_of(lines, starts[0], f'"{label}"'), column=label)
        if key in columns:
            raise DataError(file, f"key {label!r} duplicates {columns[key]!r}",
                            row=_line_of(lines, starts[0], f'"{label}"'), column=label)
        columns[key] = label
    records = []
    for i, rec in enumerate(data):
        line = starts[i] + 1
        if set(rec) != set(keys) | {ROW_LABEL_KEY}:
            extra = sorted(set(rec) - set(keys) - {ROW_LABEL_KEY})
            missing = sorted((set(keys) | {ROW_LABEL_KEY}) - set(rec))
            raise DataError(file, f"record keys differ from the first record (missing "
                            f"{missing}, extra {extra})", row=line,
                            column=(missing or extra)[0])
        adcode = _row_adcode(rec[ROW_LABEL_KEY], file, line)
        values = {key: _to_count(rec[label], file, _line_of(lines, starts[i], f'"{label}"'),
                                 label)
                  for key, label in columns.items()}
        records.append((adcode, line, values))
    return _assemble(year, file, columns, records, header_line)


def read_od_table(path: str | Path, year: int) -> ODTable:
    """Parse the O–D table of ``year`` from ``path`` (``.xls``/``.xlsx`` or ``.json``)."""
    if year not in OD_PERIOD_OF_YEAR:
        raise ValueError(f"no O–D table layout known for {year}; known: {sorted(OD_PERIOD_OF_YEAR)}")
    suffix = Path(path).suffix.lower()
    if suffix in (".xls", ".xlsx"):
        return read_od_xls(path, year)
    if suffix == ".json":
        return read_od_json(path, year)
    raise DataError(path, f"unsupported file type {suffix!r} (expected .xls, .xlsx or .json)")


# --------------------------------------------------------------------------------------------
# checks
# --------------------------------------------------------------------------------------------

@dataclass
class TableChecks:
    """Consistency findings of one O–D table (sample persons)."""

    row_total_diff: pd.Series  # published total − sum of cells, per province row
    national_total_diff: int  # same for the national row
    subtotal_diff: pd.Series  # 2000 only: 小计 − (31 province columns + abroad); else empty
    national_column_diff: pd.Series  # national row − sum of the 31 province rows, per column


def _is_gross(diff: float, reference: float) -> bool:
    return abs(diff) > GROSS_REL * abs(reference) and abs(diff) > GROSS_ABS


def check_od_table(t: ODTable) -> TableChecks:
    """Compare row totals with their cells and the national row with the province rows.

    Raises :class:`DataError` on a gross mismatch (|diff| > 1 % of the published value and
    > 150 sample persons): that means a parsing error or a broken file, not a digitisation slip.
    """
    provinces = t.provinces
    published = t.aggregates["total"]
    row_diff = published - t.cell_sum()
    for adcode, diff in row_diff.items():
        if _is_gross(diff, published[adcode]):
            raise DataError(t.file, f"row total {published[adcode]} differs from the sum of its "
                            f"cells by {diff}", row=t.rows[adcode], column=t.labels["total"])
    sub_diff = pd.Series(dtype="int64")
    if "subtotal" in t.aggregates:
        sub_diff = (t.aggregates["subtotal"] - t.flows.sum(axis=1) - t.abroad()).loc[provinces]
    wide = pd.concat([t.aggregates, t.flows.rename(columns=str)], axis=1)
    col_diff = wide.loc[NATIONAL_ADCODE] - wide.loc[provinces].sum()
    for col, diff in col_diff.items():
        if _is_gross(diff, wide.loc[NATIONAL_ADCODE, col]):
            raise DataError(t.file, f"national row {wide.loc[NATIONAL_ADCODE, col]} differs from "
                            f"the sum of the province rows by {diff}",
                            row=t.rows[NATIONAL_ADCODE], column=t.labels[str(col)])
    return TableChecks(row_diff.loc[provinces], int(row_diff.loc[NATIONAL_ADCODE]), sub_diff,
                       col_diff)


# --------------------------------------------------------------------------------------------
# tidy tables
# --------------------------------------------------------------------------------------------

def _estimate(sample: pd.Series | np.ndarray, fraction: float) -> np.ndarray:
    """Sample count expanded by the sampling fraction, rounded to the nearest integer."""
    return np.rint(np.asarray(sample, dtype="float64") / fraction).astype("int64")


def od_long(t: ODTable) -> pd.DataFrame:
    """Long inter-provincial flows of one table: 31 × 30 rows (origin ≠ destination)."""
    flows = t.flows.loc[t.provinces]
    long = flows.stack().rename("sample_count").reset_index()
    long = long[long["origin"] != long["destination"]]
    fraction = SAMPLING_FRACTIONS[t.year]
    out = pd.DataFrame({
        "period": OD_PERIOD_OF_YEAR[t.year],
        "origin_adcode": long["origin"].astype("int64").to_numpy(),
        "destination_adcode": long["destination"].astype("int64").to_numpy(),
        "sample_count": long["sample_count"].astype("int64").to_numpy(),
    })
    out["sampling_fraction"] = fraction
    out["estimate_persons"] = _estimate(out["sample_count"], fraction)
    return out.sort_values(["origin_adcode", "destination_adcode"], ignore_index=True)


def province_summary(t: ODTable) -> pd.DataFrame:
    """Per-province out/in/net flows, populations at risk and rates of one table (31 rows).

    ``at_risk_origin_sample_count`` = intra (row p's within-province columns) + out-migrants to
    the other 30 provinces; ``resident_sample_count`` = sum of row p's cells (within-province +
    in-migrants + from abroad). Both, and the rates, are missing for tables without stayers
    (2000). Rates per 1,000: out / at risk, in / residents, net / mean(at risk, residents).
    """
    provinces = t.provinces
    flows = t.flows.loc[provinces]
    out_s = flows.sum(axis=0).reindex(provinces).astype("int64")  # column sums: by origin
    in_s = flows.sum(axis=1).astype("int64")  # row sums: by destination
    fraction = SAMPLING_FRACTIONS[t.year]
    df = pd.DataFrame({"period": OD_PERIOD_OF_YEAR[t.year], "adcode": provinces.astype("int64")})
    df["out_sample_count"] = out_s.to_numpy()
    df["in_sample_count"] = in_s.to_numpy()
    df["net_sample_count"] = df["in_sample_count"] - df["out_sample_count"]
    df["out_estimate_persons"] = _estimate(df["out_sample_count"], fraction)
    df["in_estimate_persons"] = _estimate(df["in_sample_count"], fraction)
    df["net_estimate_persons"] = df["in_estimate_persons"] - df["out_estimate_persons"]
    if HAS_STAYERS[t.year]:
        at_risk = (t.intra().loc[provinces] + out_s).to_numpy()
        resident = t.cell_sum().loc[provinces].to_numpy()
        df["at_risk_origin_sample_count"] = pd.array(at_risk, dtype="Int64")
        df["resident_sample_count"] = pd.array(resident, dtype="Int64")
        df["out_migration_per_1000"] = df["out_sample_count"] / at_risk * 1000
        df["in_migration_per_1000"] = df["in_sample_count"] / resident * 1000
        df["net_migration_per_1000"] = df["net_sample_count"] / ((at_risk + resident) / 2) * 1000
    else:
        df["at_risk_origin_sample_count"] = pd.array([pd.NA] * len(df), dtype="Int64")
        df["resident_sample_count"] = pd.array([pd.NA] * len(df), dtype="Int64")
        for col in ("out_migration_per_1000", "in_migration_per_1000", "net_migration_per_1000"):
            df[col] = np.nan
    return df


def add_yearend_rate(summary: pd.DataFrame, population: pd.DataFrame | None
                     ) -> tuple[pd.DataFrame, int]:
    """Add ``out_estimate_per_1000_yearend`` = out-migrant estimate per 1,000 year-end residents.

    The denominator is ``population_yearend.population_persons`` (all ages) of the period's
    start year (:data:`POPULATION_YEAR`; 1995–2000 → 2000). With ``population=None`` or a
    missing (adcode, year) the value is NaN. Returns the frame and the number of NaN values.
    """
    out = summary.copy()
    if population is None:
        out["out_estimate_per_1000_yearend"] = np.nan
        return out, len(out)
    needed = {"adcode", "year", "population_persons"}
    if not needed <= set(population.columns):
        raise DataError("population_yearend (table)", f"columns {sorted(needed)} expected, "
                        f"got {list(population.columns)}",
                        column=", ".join(sorted(needed - set(population.columns))))
    pop = population[["adcode", "year", "population_persons"]].copy()
    pop["adcode"] = pd.to_numeric(pop["adcode"]).astype("int64")
    pop["year"] = pd.to_numeric(pop["year"]).astype("int64")
    pop["population_persons"] = pd.to_numeric(pop["population_persons"]).astype("float64")
    if pop.duplicated(["adcode", "year"]).any():
        raise DataError("population_yearend (table)", "duplicate (adcode, year) rows",
                        column="adcode, year")
    year_of_period = {OD_PERIOD_OF_YEAR[y]: POPULATION_YEAR[y] for y in OD_PERIOD_OF_YEAR}
    keys = pd.DataFrame({"adcode": out["adcode"].to_numpy(),
                         "year": out["period"].map(year_of_period).to_numpy()})
    denom = keys.merge(pop, on=["adcode", "year"], how="left")["population_persons"]
    denom = denom.where(denom > 0)
    rate = out["out_estimate_persons"].to_numpy() / denom.to_numpy() * 1000
    out["out_estimate_per_1000_yearend"] = rate.astype("float64")
    return out, int(np.isnan(rate).sum())


# --------------------------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------------------------

def _account_table(t: ODTable, source: str, checks: TableChecks, od: RowAccount,
                   prov: RowAccount) -> None:
    """Fill both row accounts for one table (cells for ``migration_od``, rows for the other)."""
    n_rows = len(t.flows.index)
    n_agg = len(t.aggregates.columns)
    n_cols = n_agg + len(t.flows.columns)
    n_prov = len(t.provinces)
    abroad_total = int(t.abroad().loc[t.provinces].sum())
    od.add_read(source, n_rows * n_cols)
    od.drop(source, "national row (全国): a check of the province rows, not a flow", n_cols)
    od.drop(source, "aggregate column (row total, within-province, subtotal): not an "
            "inter-provincial cell", n_prov * (n_agg - int(HAS_ABROAD[t.year])))
    od.drop(source, "diagonal (origin = destination): blank in the table; within-province "
            "moves are in the aggregate columns", n_prov)
    if HAS_ABROAD[t.year]:
        od.drop(source, f"origin 港澳台或国外 (abroad): not a province flow; {abroad_total} "
                "sample persons, included in migration_by_province.resident_sample_count",
                n_prov)
    od.add_kept(source, n_prov * (n_prov - 1))

    prov.add_read(source, n_rows)
    prov.drop(source, "national row (全国): a check of the province rows", 1)
    prov.add_kept(source, n_prov)

    if t.blank_off_diagonal:
        od.note(source, "blank cell off the diagonal read as 0: "
                + ", ".join(f"{a}/{c}" for a, c in t.blank_off_diagonal),
                len(t.blank_off_diagonal))
    bad = checks.row_total_diff[checks.row_total_diff != 0]
    if len(bad):
        reason = (f"row total {t.labels['total']} differs from the sum of the row's cells "
                  f"(max |diff| {int(bad.abs().max())}, sum {int(bad.sum())}): cells kept as "
                  "published, resident_sample_count = sum of cells")
        prov.note(source, reason, len(bad))
        od.note(source, reason + " (counted: destination rows)", len(bad))
    if checks.national_total_diff:
        prov.note(source, f"national row: total differs from the sum of its cells by "
                  f"{checks.national_total_diff}", 1)
    sub_bad = checks.subtotal_diff[checks.subtotal_diff != 0]
    if len(sub_bad):
        prov.note(source, "小计 (inter-provincial subtotal) differs from its cells: "
                  + ", ".join(f"{a}: {d:+d}" for a, d in sub_bad.items()), len(sub_bad))
    col_bad = checks.national_column_diff[checks.national_column_diff != 0]
    if len(col_bad):
        labels = {str(k): v for k, v in t.labels.items()}
        detail = ", ".join(f"{labels.get(str(c), c)} {d:+d}" for c, d in col_bad.items())
        prov.note(source, f"national row minus sum of provinces, {len(col_bad)} of "
                  f"{len(checks.national_column_diff)} columns differ (within tolerance): "
                  + detail, len(col_bad))
    if not HAS_STAYERS[t.year]:
        prov.note(source, "table counts movers only: at_risk_origin_sample_count, "
                  "resident_sample_count and the per-1,000 rates are empty", n_prov)


def build_from_tables(tables: list[ODTable], sources: list[str],
                      population: pd.DataFrame | None) -> list[CleanTable]:
    """Build ``migration_od`` and ``migration_by_province`` from parsed tables."""
    od_acc = RowAccount("migration_od")
    prov_acc = RowAccount("migration_by_province")
    longs, summaries = [], []
    for t, source in zip(tables, sources, strict=True):
        checks = check_od_table(t)
        _account_table(t, source, checks, od_acc, prov_acc)
        longs.append(od_long(t))
        summaries.append(province_summary(t))
    od = pd.concat(longs, ignore_index=True)
    summary = pd.concat(summaries, ignore_index=True)
    summary, n_missing = add_yearend_rate(summary, population)
    if n_missing:
        why = ("population_yearend not built before this step" if population is None
               else "no year-end population for the province and start year")
        prov_acc.note("population_yearend (table)", f"out_estimate_per_1000_yearend empty: {why}",
                      n_missing)
    return [CleanTable("migration_od", od, od_acc),
            CleanTable("migration_by_province", summary, prov_acc)]


def build(ctx: BuildContext) -> list[CleanTable]:
    """Tables ``migration_od`` (long O–D flows) and ``migration_by_province`` (per province)."""
    tables, sources = [], []
    for year, raw_id in RAW_IDS.items():
        tables.append(read_od_table(ctx.raw(raw_id), year))
        sources.append(raw_id)
    return build_from_tables(tables, sources, ctx.tables.get("population_yearend"))
