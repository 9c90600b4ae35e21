"""People living away from the township of their hukou registration, by province, 2010 and 2020.

Table ``census_hukou_province`` (see :mod:`analysis.sources.census_hukou.schema`): one row per
(census_year, adcode), 31 provinces × {2010, 2020}, persons counted in the province where they
*live* (province of residence), split by where their hukou is registered.

Sources
-------
2010 : ``nbs_census2010_hukou_elsewhere/population.txt`` (2010 census yearbook; whitespace-
    separated; 合计 / 本县/市/区 / 本省其他县/市/区 / 省外; a 全国 row).
2020 : ``data/raw/manual/census2020_hukou_elsewhere_by_province.tsv`` (2020 census table
    各地区户口登记地在外乡镇街道的人口, transcribed; tab-separated; 省内 / 省外).

Checks (raise :class:`~analysis.core.errors.DataError`): 2010 — every row's 合计 equals the sum of
its three parts, the 31 provinces sum exactly to the 全国 row, 省外 = 85,876,337; 2020 — 省外
sums to 124,837,153 and 省内 + 省外 to 492,762,506.

Denominators come from the tables of the ``population`` step (``ctx.tables``): 2010 from
``population_yearend`` (year 2010, year-end estimate), 2020 from ``census2020_province``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.sources.population.clean import (
    classify_region,
    decode_text,
    display_path,
    norm_label,
    parse_number,
    pattern_label,
    require_all_provinces,
)
from analysis.vocab.provinces import MAINLAND31, NATIONAL_ADCODE

HUKOU_2010 = "nbs_census2010_hukou_elsewhere/population.txt"
HUKOU_2020_MANUAL = "census2020_hukou_elsewhere_by_province.tsv"
#: Name of the manual file in the row account (path relative to ``data/raw``). Its sha256 is
#: pinned in ``data/raw/manual/SHA256SUMS`` and checked by ``BuildContext.manual``.
HUKOU_2020_SOURCE = f"manual/{HUKOU_2020_MANUAL}"

#: Published totals (2010 census: inter-provincial; 2020 bulletin No. 7: 跨省流动 and 人户分离).
OTHER_PROVINCE_2010 = 85_876_337
OTHER_PROVINCE_2020 = 124_837_153
TOTAL_2020 = 492_762_506

COLUMNS_2010 = {
    "hukou_elsewhere_persons": r"^合计$",
    "same_county_persons": r"^本县",
    "other_county_same_province_persons": r"^本省其他",
    "other_province_persons": r"^省外$",
}
COLUMNS_2020 = {
    "within_province_persons": r"^省内$",
    "other_province_persons": r"^省外$",
}

#: Tables this step reads (denominators of the ``population`` step) and builds.
NEEDS = ("population_yearend", "census2020_province")
PROVIDES = ("census_hukou_province",)

OUTPUT_COLUMNS = [
    "census_year", "adcode", "hukou_elsewhere_persons", "same_county_persons",
    "other_county_same_province_persons", "within_province_persons", "other_province_persons",
    "resident_population_persons", "hukou_elsewhere_share", "within_province_share",
    "other_province_share",
]


def read_region_table(path: Path, account: RowAccount, columns: Mapping[str, str], *,
                      split: Callable[[str], list[str]], source: str | None = None
                      ) -> tuple[pd.DataFrame, pd.Series | None]:
    """Read a small delimited table of counts by region (one header line, one line per region).

    Parameters
    ----------
    path : the text file (UTF-8 or GB18030, else DataError)
    account : row account; lines before the header, the header, blank lines and the 全国 row
        are recorded as dropped, province lines as kept
    columns : ``{output_name: regex}``, each matching exactly one normalised header label
    split : how a line is split into cells (e.g. ``str.split`` for white space)
    source : name of the file in the account (default: display path)

    Returns
    -------
    ``(provinces, national)``: provinces indexed by adcode (31 rows) with int64 columns
    ``columns`` (persons); the 全国 row as a Series, or None if the file has none.
    """
    file = display_path(path)
    source = source or file
    lines = decode_text(path).splitlines()
    account.add_read(source, len(lines))
    start = next((i for i, line in enumerate(lines)
                  if line.strip() and norm_label(split(line)[0]).startswith("地区")), None)
    if start is None:
        raise DataError(file, "no header line whose first cell starts with 地区", column="地区")
    header = [c.strip() for c in split(lines[start])]
    labels = [norm_label(c) for c in header]
    col_of: dict[str, int] = {}
    for name, pattern in columns.items():
        hits = [j for j in range(1, len(labels)) if re.search(pattern, labels[j])]
        if len(hits) != 1:
            what = "not found" if not hits else f"ambiguous ({[header[j] for j in hits]})"
            raise DataError(file, f"expected column matching {pattern!r} for {name} is {what}; "
                            f"header: {header}", row=start + 1, column=pattern_label(pattern))
        col_of[name] = hits[0]
    account.drop(source, "line before the header", start)
    account.drop(source, "column header line", 1)

    rows: dict[int, dict[str, int]] = {}
    found: list[int] = []
    national = None
    n_blank = 0
    for i in range(start + 1, len(lines)):
        row = i + 1
        if not lines[i].strip():
            n_blank += 1
            continue
        cells = split(lines[i])
        unit = classify_region(cells[0])
        if unit not in MAINLAND31 and unit != NATIONAL_ADCODE:
            raise DataError(file, f"region {cells[0]!r} is not a mainland province or 全国",
                            row=row, column=header[0])
        if len(cells) != len(header):
            raise DataError(file, f"line has {len(cells)} cells, the header {len(header)}",
                            row=row)
        values = {}
        for name, j in col_of.items():
            value = parse_number(cells[j], file=file, row=row, column=header[j])
            if value < 0 or value != int(value):
                raise DataError(file, f"cell {cells[j]!r} is not a count of persons", row=row,
                                column=header[j])
            values[name] = int(value)
        if unit == NATIONAL_ADCODE:
            national = pd.Series(values, dtype="int64")
        else:
            found.append(int(unit))
            rows[int(unit)] = values
    require_all_provinces(found, file=file, column=header[0])
    account.add_kept(source, len(found))
    account.drop(source, "national total (全国): not a province; used for checks",
                 int(national is not None))
    account.drop(source, "blank line", n_blank)
    frame = pd.DataFrame.from_dict(rows, orient="index").sort_index().astype("int64")
    frame.index.name = "adcode"
    frame.attrs["labels"] = {name: header[j] for name, j in col_of.items()}
    return frame, national


def read_hukou_2010(path: Path, account: RowAccount, *, source: str | None = None
                    ) -> pd.DataFrame:
    """2010 census hukou-elsewhere counts by province of residence, checked.

    Returns a frame indexed by adcode with ``hukou_elsewhere_persons`` (合计),
    ``same_county_persons``, ``other_county_same_province_persons``, ``other_province_persons``
    (persons). Raises :class:`DataError` if a row's parts do not add up to 合计, if the provinces
    do not sum exactly to the 全国 row or if 省外 differs from 85,876,337.
    """
    file = display_path(path)
    frame, national = read_region_table(path, account, COLUMNS_2010, split=str.split,
                                        source=source)
    labels = frame.attrs["labels"]
    parts = frame[["same_county_persons", "other_county_same_province_persons",
                   "other_province_persons"]].sum(axis=1)
    bad = frame.index[parts != frame["hukou_elsewhere_persons"]]
    if len(bad):
        raise DataError(file, f"合计 differs from the sum of its three parts for {bad[0]}",
                        column=labels["hukou_elsewhere_persons"])
    if national is None:
        raise DataError(file, "the 全国 row is needed for the total check", column="地区")
    sums = frame.sum()
    for name in COLUMNS_2010:
        if int(sums[name]) != int(national[name]):
            raise DataError(file, f"31 provinces sum to {int(sums[name]):,}, the 全国 row says "
                            f"{int(national[name]):,}", column=labels[name])
    if int(sums["other_province_persons"]) != OTHER_PROVINCE_2010:
        raise DataError(file, f"省外 sums to {int(sums['other_province_persons']):,}, published "
                        f"{OTHER_PROVINCE_2010:,}", column="省外")
    frame["within_province_persons"] = (frame["same_county_persons"]
                                        + frame["other_county_same_province_persons"])
    return frame


def read_hukou_2020(path: Path, account: RowAccount, *, source: str | None = None
                    ) -> pd.DataFrame:
    """2020 census hukou-elsewhere counts (省内, 省外) by province of residence, checked.

    Returns a frame indexed by adcode with ``within_province_persons``,
    ``other_province_persons`` and ``hukou_elsewhere_persons`` (= 省内 + 省外), persons.
    Raises :class:`DataError` unless 省外 sums to 124,837,153 and the total to 492,762,506.
    """
    file = display_path(path)
    frame, _ = read_region_table(path, account, COLUMNS_2020,
                                 split=lambda line: line.split("\t"), source=source)
    frame["hukou_elsewhere_persons"] = (frame["within_province_persons"]
                                        + frame["other_province_persons"])
    other, total = int(frame["other_province_persons"].sum()), int(
        frame["hukou_elsewhere_persons"].sum())
    if other != OTHER_PROVINCE_2020:
        raise DataError(file, f"省外 sums to {other:,}, published {OTHER_PROVINCE_2020:,}",
                        column="省外")
    if total != TOTAL_2020:
        raise DataError(file, f"省内 + 省外 sums to {total:,}, published {TOTAL_2020:,}",
                        column="省内")
    return frame


def build_hukou(path_2010: Path, path_2020: Path, population_yearend: pd.DataFrame,
                census2020_province: pd.DataFrame, *, source_2010: str = HUKOU_2010,
                source_2020: str = HUKOU_2020_SOURCE) -> CleanTable:
    """Table ``census_hukou_province`` from the two raw tables and the population denominators.

    ``resident_population_persons``: 2010 = ``population_yearend`` year 2010 (year-end
    estimate, 10,000-person precision); 2020 = ``census2020_province.population_persons``
    (census count). Shares are persons ÷ resident population (0–1).
    """
    account = RowAccount("census_hukou_province")
    h2010 = read_hukou_2010(path_2010, account, source=source_2010)
    h2020 = read_hukou_2020(path_2020, account, source=source_2020)

    pop2010 = population_yearend.loc[population_yearend["year"] == 2010]
    pop2010 = pop2010.set_index("adcode")["population_persons"]
    pop2020 = census2020_province.set_index("adcode")["population_persons"]
    for label, pop in (("population_yearend 2010", pop2010),
                       ("census2020_province", pop2020)):
        missing = sorted(set(MAINLAND31) - set(pop.index))
        if missing:
            raise KeyError(f"denominator table {label} lacks provinces {missing}")
    h2010["resident_population_persons"] = pop2010.reindex(h2010.index).astype("int64")
    h2020["resident_population_persons"] = pop2020.reindex(h2020.index).astype("int64")
    h2010["census_year"] = 2010
    h2020["census_year"] = 2020
    frame = pd.concat([h2010.reset_index(), h2020.reset_index()], ignore_index=True)
    for col in ("same_county_persons", "other_county_same_province_persons"):
        frame[col] = frame[col].astype("Int64")
    for name in ("hukou_elsewhere", "within_province", "other_province"):
        frame[f"{name}_share"] = (frame[f"{name}_persons"]
                                  / frame["resident_population_persons"]).astype("float64")
    frame = frame[OUTPUT_COLUMNS].sort_values(["census_year", "adcode"], ignore_index=True)
    frame = frame.astype({"census_year": "int64", "adcode": "int64"})
    return CleanTable("census_hukou_province", frame, account)


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``census_hukou_province``; needs the tables of the ``population`` step."""
    for name in ("population_yearend", "census2020_province"):
        if name not in ctx.tables:
            raise KeyError(f"table {name!r} is missing: run the 'population' step first")
    manual = ctx.manual(HUKOU_2020_MANUAL)  # sha256-verified against SHA256SUMS
    return [build_hukou(ctx.raw(HUKOU_2010), manual,
                        ctx.tables["population_yearend"], ctx.tables["census2020_province"])]
