"""Population denominators: NBS year-end resident population 2000–2022 and the 2020 census bulletin.

Tables built (see :mod:`analysis.sources.population.schema` for the column dictionary):

``population_yearend``
    one row per (adcode, year), 31 provinces × 2000–2022: resident population at year end
    (persons; the raw is in 10,000 persons) and the crude birth rate (per 1,000; missing for
    2020 in the raw export, and for Shaanxi 2000).
``census2020_province``
    one row per province: 2020 census resident population, age / sex structure, schooling,
    from the 7th census bulletins. The national row (全国) and active military (现役军人) are
    dropped but used for checks: the 31 provinces must add up to 1,411,778,724 − 2,000,000.

The parsing functions take a path (and a :class:`RowAccount` to record every line read), so
tests can point them at synthetic copies; :func:`build` calls them with verified raw paths.
Every malformed input (undecodable bytes, missing or renamed column, non-numeric cell, unknown
region) raises :class:`~analysis.core.errors.DataError` naming the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.vocab.provinces import MAINLAND31, NATIONAL_ADCODE, try_adcode

YEAREND_POPULATION = "nbs_population_yearend/total_population.csv"
YEAREND_BIRTH_RATE = "nbs_population_yearend/birth_rate.csv"
BULLETIN_POPULATION = "nbs_census2020_bulletin/各地区人口.csv"
BULLETIN_AGE = "nbs_census2020_bulletin/各地区人口年龄构成.csv"
BULLETIN_SEX = "nbs_census2020_bulletin/各地区性别构成.csv"
BULLETIN_SCHOOLING = "nbs_census2020_bulletin/各地区15岁及以上人口平均受教育年限.csv"
BULLETIN_EDUCATION = "nbs_census2020_bulletin/各地区每10万人口中拥有的各类受教育程度人数.csv"
BULLETIN_NATIONAL_AGE = "nbs_census2020_bulletin/全国人口年龄构成.csv"

#: Tables this step reads (none: raw files only) and builds.
NEEDS: tuple[str, ...] = ()
PROVIDES = ("population_yearend", "census2020_province")

YEARS: tuple[int, ...] = tuple(range(2000, 2023))
#: Encodings tried, strictly, in this order. The NBS portal export is GBK/GB18030 (its header
#: lines hold the GBK full-width colon ``0xA3BA``, which Latin-1 shows as mojibake ``£º``).
ENCODINGS: tuple[str, ...] = ("utf-8-sig", "gb18030")

#: Published totals of the 2020 census (bulletin No. 3): national, active military, provinces.
CENSUS2020_NATIONAL = 1_411_778_724
CENSUS2020_MILITARY = 2_000_000
CENSUS2020_PROVINCES = CENSUS2020_NATIONAL - CENSUS2020_MILITARY  # 1,409,778,724
#: National 0–14 count of the 2020 census (全国人口年龄构成.csv), for the derived-count check.
CENSUS2020_NATIONAL_0_14 = 253_383_938

MILITARY_LABEL = "现役军人"
_SPACE = re.compile(r"\s+")


# --------------------------------------------------------------------------------------------
# generic helpers (also used by analysis.sources.census_hukou.clean)
# --------------------------------------------------------------------------------------------

def display_path(path: str | Path) -> str:
    """``path`` relative to the repository root when it lies inside it, else as given."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(p)


def decode_text(path: Path, encodings: tuple[str, ...] = ENCODINGS) -> str:
    """Text of ``path`` decoded with the first of ``encodings`` that decodes every byte.

    Raises
    ------
    DataError
        naming the file and the line of the first undecodable byte when no encoding fits.
    """
    data = Path(path).read_bytes()
    first_error: UnicodeDecodeError | None = None
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    assert first_error is not None
    row = data[: first_error.start].count(b"\n") + 1
    raise DataError(display_path(path),
                    f"unknown text encoding: the bytes decode with none of {list(encodings)} "
                    f"(first bad byte at offset {first_error.start})", row=row)


def norm_label(text: str) -> str:
    """Header or name cell normalised for matching: NFKC, all white space removed."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))


def pattern_label(pattern: str) -> str:
    """Readable form of a header regex, for error messages: ``'^0[—–\\-~]14岁'`` → ``'0—14岁'``."""
    text = re.sub(r"\(\?<!\\d\)|[\^$]", "", pattern)
    return re.sub(r"\[[^\]]*\]", "—", text)


def parse_number(cell: str, *, file: str, row: int, column: str) -> float:
    """A finite number from a raw cell (white space and thousands separators ignored).

    Raises :class:`DataError` naming ``file``, ``row`` and ``column`` otherwise.
    """
    s = norm_label(cell).replace(",", "")
    try:
        value = float(s)
    except ValueError:
        raise DataError(file, f"cell {cell!r} is not a number", row=row, column=column) from None
    if not math.isfinite(value):
        raise DataError(file, f"cell {cell!r} is not a finite number", row=row, column=column)
    return value


def classify_region(name: str) -> int | str | None:
    """Adcode of a region cell, :data:`NATIONAL_ADCODE` for 全国, ``'military'`` for 现役军人."""
    if norm_label(name) == MILITARY_LABEL:
        return "military"
    return try_adcode(name)


def require_all_provinces(found: list[int], *, file: str, column: str) -> None:
    """Raise :class:`DataError` unless ``found`` holds each of the 31 provinces exactly once."""
    dup = sorted({a for a in found if found.count(a) > 1})
    missing = sorted(set(MAINLAND31) - set(found))
    if dup or missing:
        raise DataError(file, f"expected the 31 mainland provinces once each; duplicated "
                        f"{dup}, missing {missing}", column=column)


# --------------------------------------------------------------------------------------------
# year-end population and birth rate (NBS portal export)
# --------------------------------------------------------------------------------------------

def read_yearend(path: Path, account: RowAccount, *, source: str | None = None,
                 allow_empty: bool = False, value_name: str = "value") -> pd.DataFrame:
    """Read one NBS "Annual by Province" export (provinces × years, wide) into a long frame.

    Layout handled: metadata lines before a header line that starts with ``Region``, one line
    per province (English names), year columns in any order, a ``Data Sources`` footer line.
    Every line is recorded in ``account`` under ``source`` (default: the file's display path):
    metadata, header, footer and blank lines as dropped, province lines as kept.

    Parameters
    ----------
    path : the CSV file
    account : row account of the output table (lines read / kept / dropped, notes)
    source : name of the file in the account
    allow_empty : if True an empty cell becomes NaN (noted in the account per year); if False it
        raises :class:`DataError`
    value_name : name of the value column in the result

    Returns
    -------
    DataFrame ``adcode`` (int), ``year`` (int), ``value_name`` (float, in the file's unit),
    sorted by adcode and year; 31 × 23 rows.
    """
    file = display_path(path)
    source = source or file
    lines = decode_text(path).splitlines()
    account.add_read(source, len(lines))

    header_idx = next((i for i, line in enumerate(lines)
                       if norm_label(line.split(",", 1)[0]).lower() == "region"), None)
    if header_idx is None:
        raise DataError(file, "no header line starting with 'Region' found", column="Region")
    account.drop(source, "metadata line before the header (database, indicator, years)",
                 header_idx)
    account.drop(source, "column header line", 1)
    header = next(csv.reader([lines[header_idx]]))
    year_of_col: dict[int, int] = {}
    for j, cell in enumerate(header[1:], start=1):
        label = norm_label(cell)
        if not re.fullmatch(r"\d{4}", label):
            raise DataError(file, f"header cell {cell!r} is not a year", row=header_idx + 1,
                            column=cell)
        year_of_col[j] = int(label)
    for year in YEARS:
        if year not in year_of_col.values():
            raise DataError(file, f"expected year column {year} is missing",
                            row=header_idx + 1, column=str(year))

    records: list[tuple[int, int, float]] = []
    empty_by_year: dict[int, int] = {}
    found: list[int] = []
    n_footer = n_blank = 0
    for i in range(header_idx + 1, len(lines)):
        row = i + 1
        line = lines[i]
        if not line.strip():
            n_blank += 1
            continue
        cells = next(csv.reader([line]))
        if norm_label(cells[0]).lower().startswith("datasources"):
            n_footer += 1
            continue
        adcode = try_adcode(cells[0])
        if adcode not in MAINLAND31:
            raise DataError(file, f"region {cells[0]!r} is not one of the 31 mainland provinces",
                            row=row, column=header[0])
        if len(cells) != len(header):
            raise DataError(file, f"line has {len(cells)} cells, the header {len(header)}",
                            row=row)
        found.append(adcode)
        for j, year in year_of_col.items():
            if year not in YEARS:
                continue
            if not cells[j].strip():
                if not allow_empty:
                    raise DataError(file, "empty cell", row=row, column=header[j])
                empty_by_year[year] = empty_by_year.get(year, 0) + 1
                value = math.nan
            else:
                value = parse_number(cells[j], file=file, row=row, column=header[j])
            records.append((adcode, year, value))
    require_all_provinces(found, file=file, column=header[0])
    account.drop(source, "footer line 'Data Sources: National Bureau of Statistics'", n_footer)
    account.drop(source, "blank line", n_blank)
    account.add_kept(source, len(found))
    for year, n in sorted(empty_by_year.items()):
        account.note(source, f"{value_name}: empty cell for year {year}, kept as missing "
                     "(count = province lines)", n)
    out = pd.DataFrame(records, columns=["adcode", "year", value_name])
    return out.sort_values(["adcode", "year"], ignore_index=True)


def build_yearend(population_path: Path, birth_rate_path: Path, *,
                  population_source: str = YEAREND_POPULATION,
                  birth_rate_source: str = YEAREND_BIRTH_RATE) -> CleanTable:
    """Table ``population_yearend``: population (persons, int) and birth rate (‰) by year.

    Population is converted from 10,000 persons to persons (rounded to an integer). Birth rate
    cells that are empty in the raw (all of 2020, Shaanxi 2000) stay missing and are noted.
    """
    account = RowAccount("population_yearend")
    pop = read_yearend(population_path, account, source=population_source,
                       value_name="population_10k")
    birth = read_yearend(birth_rate_path, account, source=birth_rate_source, allow_empty=True,
                         value_name="birth_rate_per_1000")
    frame = pop.merge(birth, on=["adcode", "year"], how="inner", validate="one_to_one")
    if len(frame) != len(pop) or len(frame) != len(birth):
        raise DataError(display_path(birth_rate_path),
                        "province × year cells differ from the population file")
    if (frame["population_10k"] <= 0).any():
        bad = frame.loc[frame["population_10k"] <= 0].iloc[0]
        raise DataError(display_path(population_path), "population must be positive",
                        column=str(bad["year"]))
    frame["population_persons"] = np.rint(frame["population_10k"] * 10_000).astype("int64")
    frame = frame[["adcode", "year", "population_persons", "birth_rate_per_1000"]]
    frame = frame.astype({"adcode": "int64", "year": "int64", "birth_rate_per_1000": "float64"})
    return CleanTable("population_yearend", frame.reset_index(drop=True), account)


# --------------------------------------------------------------------------------------------
# 2020 census bulletin tables (pandas re-exports of PDF tables)
# --------------------------------------------------------------------------------------------

@dataclass
class BulletinTable:
    """Parsed bulletin table: provinces (index adcode), national and military rows (or None)."""

    provinces: pd.DataFrame
    national: pd.Series | None
    military: pd.Series | None
    labels: dict[str, str]


def _records(text: str) -> list[tuple[int, list[str]]]:
    """CSV records with the 1-based line on which each starts (quoted cells may span lines)."""
    reader = csv.reader(io.StringIO(text))
    out = []
    start = 1
    for rec in reader:
        out.append((start, rec))
        start = reader.line_num + 1
    return out


def _header_labels(header_rows: list[list[str]], width: int) -> list[str]:
    """One normalised label per column, joining the header rows top to bottom.

    With several header rows, a blank cell of an upper row takes the label to its left (merged
    cells such as ``比重`` spanning ``2020 年`` and ``2010 年``).
    """
    grid = [[norm_label(c) for c in r] + [""] * (width - len(r)) for r in header_rows]
    if len(grid) > 1:
        for r in grid[:-1]:
            for j in range(2, width):  # column 0 is the region; column 1 starts a group
                if not r[j]:
                    r[j] = r[j - 1]
    return ["".join(r[j] for r in grid) for j in range(width)]


def read_bulletin(path: Path, account: RowAccount, columns: Mapping[str, str], *,
                  source: str | None = None, scale: float = 1.0) -> BulletinTable:
    """Read one by-province bulletin table: header located by content, columns by label.

    Parameters
    ----------
    path : the CSV (re-export with a title line, 1–3 header rows, padded names)
    account : row account; title and header rows, 全国 and 现役军人 rows are recorded as dropped,
        province rows as kept (counted in CSV records: a quoted header cell may span lines)
    columns : ``{output_name: regex}``; each regex must match exactly one normalised header
        label (the header rows of a column joined, white space removed, NFKC)
    source : name of the file in the account (default: display path)
    scale : factor applied to every value (e.g. ``0.01`` for percentages → shares)

    Returns
    -------
    :class:`BulletinTable`; values are floats. Empty cells are allowed only in the 现役军人 row.

    Raises
    ------
    DataError
        no header row starting with 地区; an expected column missing or ambiguous; an unknown
        region; an empty or non-numeric cell; provinces missing or duplicated.
    """
    file = display_path(path)
    source = source or file
    recs = _records(decode_text(path))
    account.add_read(source, len(recs))

    start = next((k for k, (_, r) in enumerate(recs)
                  if r and norm_label(r[0]).startswith("地区")), None)
    if start is None:
        raise DataError(file, "no header row whose first cell starts with 地区", column="地区")
    first_data = next((k for k in range(start + 1, len(recs))
                       if recs[k][1] and classify_region(recs[k][1][0]) is not None), len(recs))
    header_rows = [r for _, r in recs[start:first_data]]
    width = max(len(r) for r in header_rows)
    labels = _header_labels(header_rows, width)
    header_line = recs[start][0]
    col_of: dict[str, int] = {}
    for name, pattern in columns.items():
        hits = [j for j in range(1, width) if re.search(pattern, labels[j])]
        if len(hits) != 1:
            what = "not found" if not hits else f"ambiguous ({[labels[j] for j in hits]})"
            raise DataError(file, f"expected column matching {pattern!r} for {name} is {what}; "
                            f"header labels: {labels}", row=header_line,
                            column=pattern_label(pattern))
        col_of[name] = hits[0]
    account.drop(source, "title line before the header", start)
    account.drop(source, "column header row", first_data - start)

    prov: dict[int, dict[str, float]] = {}
    found: list[int] = []
    national = military = None
    n_blank = 0
    for line, rec in recs[first_data:]:
        if not any(c.strip() for c in rec):
            n_blank += 1
            continue
        unit = classify_region(rec[0])
        if unit is None or (isinstance(unit, int) and unit not in MAINLAND31
                            and unit != NATIONAL_ADCODE):
            raise DataError(file, f"region {rec[0]!r} is not a mainland province, 全国 or "
                            f"{MILITARY_LABEL}", row=line, column=header_rows[0][0].strip())
        values: dict[str, float] = {}
        for name, j in col_of.items():
            cell = rec[j] if j < len(rec) else ""
            raw_label = header_rows[-1][j] if j < len(header_rows[-1]) else ""
            column = (raw_label.strip() or labels[j]).replace("\n", " ")
            if not cell.strip():
                if unit == "military":
                    values[name] = math.nan
                    continue
                raise DataError(file, "empty cell", row=line, column=column)
            values[name] = parse_number(cell, file=file, row=line, column=column) * scale
        if unit == "military":
            military = pd.Series(values)
        elif unit == NATIONAL_ADCODE:
            national = pd.Series(values)
        else:
            found.append(int(unit))
            prov[int(unit)] = values
    require_all_provinces(found, file=file, column=header_rows[0][0].strip())
    account.add_kept(source, len(found))
    account.drop(source, "national total (全国): not a province; used for checks",
                 int(national is not None))
    account.drop(source, "active military (现役军人): not a province; used for the total check",
                 int(military is not None))
    account.drop(source, "blank row", n_blank)
    frame = pd.DataFrame.from_dict(prov, orient="index").sort_index()
    frame.index.name = "adcode"
    return BulletinTable(frame, national, military, {k: labels[j] for k, j in col_of.items()})


def read_national_age(path: Path, account: RowAccount, *, source: str | None = None
                      ) -> dict[str, int]:
    """National age structure of the 2020 census (全国人口年龄构成.csv).

    Returns ``{"total": persons, "age_0_14": persons}``. All rows are recorded as dropped (the
    table only serves the check of the derived provincial 0–14 counts).
    """
    file = display_path(path)
    source = source or file
    recs = _records(decode_text(path))
    account.add_read(source, len(recs))
    start = next((k for k, (_, r) in enumerate(recs)
                  if r and norm_label(r[0]).startswith("年龄")), None)
    if start is None:
        raise DataError(file, "no header row whose first cell starts with 年龄", column="年龄")
    labels = [norm_label(c) for c in recs[start][1]]
    hits = [j for j, lab in enumerate(labels) if lab.startswith("人口数")]
    if len(hits) != 1:
        raise DataError(file, "expected one column 人口数", row=recs[start][0], column="人口数")
    j = hits[0]
    wanted = {"total": r"^总计", "age_0_14": r"^0[—–\-~]14岁"}
    out: dict[str, int] = {}
    for line, rec in recs[start + 1:]:
        label = norm_label(rec[0]) if rec else ""
        for key, pattern in wanted.items():
            if re.search(pattern, label):
                cell = rec[j] if j < len(rec) else ""
                out[key] = int(parse_number(cell, file=file, row=line, column="人口数"))
    for key, pattern in wanted.items():
        if key not in out:
            raise DataError(file, f"no row matching {pattern!r}", column="年龄")
    account.drop(source, "title line before the header", start)
    account.drop(source, "column header row", 1)
    account.drop(source, "national age table: used only to check the derived 0–14 counts",
                 len(recs) - start - 1)
    return out


#: Output column → (bulletin file id, header regex, scale).
_BULLETIN_COLUMNS: dict[str, dict[str, tuple[str, float]]] = {
    BULLETIN_POPULATION: {
        "population_persons": (r"^人口数$", 1.0),
        "population_share_of_national_2020": (r"^比重2020", 0.01),
        "population_share_of_national_2010": (r"^比重2010", 0.01),
    },
    BULLETIN_AGE: {
        "age_0_14_share": (r"(?<!\d)0[—–\-~]14岁", 0.01),
        "age_15_59_share": (r"(?<!\d)15[—–\-~]59岁", 0.01),
        "age_60_plus_share": (r"(?<!\d)60岁及以上", 0.01),
        "age_65_plus_share": (r"(?<!\d)65岁及以上", 0.01),
    },
    BULLETIN_SEX: {
        "male_share": (r"男", 0.01),
        "female_share": (r"女", 0.01),
        "sex_ratio_males_per_100_females": (r"性别比", 1.0),
    },
    BULLETIN_SCHOOLING: {
        "schooling_years_15plus_2020": (r"^2020", 1.0),
        "schooling_years_15plus_2010": (r"^2010", 1.0),
    },
    BULLETIN_EDUCATION: {
        "college_per_100k": (r"^大学", 1.0),
        "high_school_per_100k": (r"^高中", 1.0),
        "middle_school_per_100k": (r"^初中", 1.0),
        "primary_per_100k": (r"^小学", 1.0),
    },
}

CENSUS2020_COLUMNS = [
    "adcode", "population_persons", "population_share_of_national_2020",
    "population_share_of_national_2010", "age_0_14_share", "age_15_59_share",
    "age_60_plus_share", "age_65_plus_share", "children_0_14_persons", "male_share",
    "sex_ratio_males_per_100_females", "schooling_years_15plus_2020",
    "schooling_years_15plus_2010", "college_per_100k", "high_school_per_100k",
    "middle_school_per_100k", "primary_per_100k",
]


def _check_sum(file: str, label: str, values: pd.Series, target: float, tol: float) -> None:
    bad = values[(values - target).abs() > tol]
    if len(bad):
        adcode = int(bad.index[0]) if bad.index[0] is not None else None
        raise DataError(file, f"{label} of {adcode} is {bad.iloc[0]:.4f}, expected {target} "
                        f"± {tol}", column=label)


def build_census2020(files: Mapping[str, Path]) -> CleanTable:
    """Table ``census2020_province`` from the six bulletin files (``{registry id: path}``).

    Checks (raise :class:`DataError`): 31 provinces in every file; provinces sum to
    1,411,778,724 − 2,000,000 = 1,409,778,724 and equal 全国 − 现役军人 of the file; shares of
    the three broad age groups and of the two sexes each add up to 1 within rounding (±0.0002).
    ``children_0_14_persons`` = round(population × 0–14 share), derived from the bulletin
    percentage (2 decimals); its 31-province sum against the national count 253,383,938 is
    recorded as a note in the row account.
    """
    account = RowAccount("census2020_province")
    parts = {}
    for file_id, spec in _BULLETIN_COLUMNS.items():
        path = files[file_id]
        table = read_bulletin(path, account, {k: v[0] for k, v in spec.items()},
                              source=file_id)
        for name, (_, scale) in spec.items():
            table.provinces[name] = table.provinces[name] * scale
            for row in (table.national, table.military):
                if row is not None:
                    row[name] = row[name] * scale
        parts[file_id] = table
    national_age = read_national_age(files[BULLETIN_NATIONAL_AGE], account,
                                     source=BULLETIN_NATIONAL_AGE)

    pop_table = parts[BULLETIN_POPULATION]
    pop_file = display_path(files[BULLETIN_POPULATION])
    if pop_table.national is None or pop_table.military is None:
        raise DataError(pop_file, "the 全国 and 现役军人 rows are needed for the total check",
                        column="人口数")
    total = int(pop_table.provinces["population_persons"].sum())
    nat = int(pop_table.national["population_persons"])
    mil = int(pop_table.military["population_persons"])
    if (nat, mil, total) != (CENSUS2020_NATIONAL, CENSUS2020_MILITARY, CENSUS2020_PROVINCES):
        raise DataError(pop_file, f"population totals do not reproduce the bulletin: 全国 {nat:,}"
                        f" (expected {CENSUS2020_NATIONAL:,}), 现役军人 {mil:,} (expected "
                        f"{CENSUS2020_MILITARY:,}), sum of 31 provinces {total:,} (expected "
                        f"{CENSUS2020_PROVINCES:,})", column="人口数")
    if national_age["total"] != CENSUS2020_NATIONAL:
        raise DataError(display_path(files[BULLETIN_NATIONAL_AGE]),
                        f"总计 {national_age['total']:,} != {CENSUS2020_NATIONAL:,}",
                        column="人口数")

    frame = pd.concat([t.provinces for t in parts.values()], axis=1, join="inner")
    frame = frame.reset_index()
    age, sex = parts[BULLETIN_AGE], parts[BULLETIN_SEX]
    _check_sum(display_path(files[BULLETIN_AGE]), "sum of 0–14, 15–59, 60+ shares",
               age.provinces[["age_0_14_share", "age_15_59_share", "age_60_plus_share"]]
               .sum(axis=1), 1.0, 0.0002)
    _check_sum(display_path(files[BULLETIN_SEX]), "sum of male and female shares",
               sex.provinces[["male_share", "female_share"]].sum(axis=1), 1.0, 0.0002)
    if (frame["age_65_plus_share"] > frame["age_60_plus_share"]).any():
        raise DataError(display_path(files[BULLETIN_AGE]), "65+ share exceeds 60+ share",
                        column="其中：65 岁及以上")

    frame["population_persons"] = frame["population_persons"].astype("int64")
    frame["children_0_14_persons"] = np.rint(
        frame["population_persons"] * frame["age_0_14_share"]).astype("int64")
    derived = int(frame["children_0_14_persons"].sum())
    diff = derived - national_age["age_0_14"]
    account.note(BULLETIN_AGE,
                 f"children_0_14_persons derived as population × rounded bulletin 0–14 "
                 f"percentage: 31-province sum {derived:,} vs national 0–14 count "
                 f"{national_age['age_0_14']:,} (全国人口年龄构成.csv, incl. military): "
                 f"difference {diff:+,} ({diff / national_age['age_0_14']:+.4%})", 31)
    frame = frame[CENSUS2020_COLUMNS].sort_values("adcode", ignore_index=True)
    frame["adcode"] = frame["adcode"].astype("int64")
    return CleanTable("census2020_province", frame, account)


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``population_yearend`` and ``census2020_province`` from verified raw files."""
    yearend = build_yearend(ctx.raw(YEAREND_POPULATION), ctx.raw(YEAREND_BIRTH_RATE))
    census = build_census2020({fid: ctx.raw(fid) for fid in
                               [*_BULLETIN_COLUMNS, BULLETIN_NATIONAL_AGE]})
    return [yearend, census]
