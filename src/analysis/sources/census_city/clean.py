"""Prefecture-level 2010 and 2020 census (Dong et al., leiii/census) summed to provinces.

The only public machine-readable source here for the 2010 age structure and the urban share by
province. One raw row = one prefecture-level unit (369 rows: 367 mainland prefectures, Hong Kong,
Macau). Table built:

``census_city_province``
    one row per (census_year, adcode), 2010 and 2020 × 31 provinces:

    * ``prefectures_count`` — prefecture rows of the province in the file;
    * ``population_covered_persons`` — sum of the prefectures' resident population with data;
    * ``population_coverage_share`` — that sum ÷ the province total (2020: census bulletin;
      2010: NBS year-end 2010). Below 1 where province-administered county-level units are
      missing (Hebei, Xinjiang's corps cities, Hubei's directly administered cities, Hainan …);
    * ``age_0_14_share`` — share of residents aged 0–14, population-weighted over the prefectures
      that report both population and age structure (0–1);
    * ``children_0_14_persons`` — ``age_0_14_share`` × the province total (an estimate; for 2020
      prefer ``census2020_province.children_0_14_persons`` from the provincial bulletin);
    * ``urban_share`` — urban ÷ (urban + rural) over the prefectures that report the split, and
      ``urban_coverage_share`` — the population share of the province those prefectures hold.

``census_city_prefecture``
    the unit list itself, one row per (census_year, prefecture_adcode): every raw row (2020
    units; 2010 figures adjusted to them), Hong Kong and Macau included — code, Chinese name,
    province adcode, resident population, urban and rural population and the share aged 0–14.
    The case steps match place names and codes against its 2020 rows
    (:class:`analysis.sources.cases.common.PlaceMatcher`), so no other step reads this raw file.

Caveat from the source README: boundaries of 2010 were adjusted to 2020 units; a few county
merges could not be resolved. Percentages in the raw are of the prefecture's population.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.vocab.provinces import MAINLAND31, try_adcode

CENSUS_CITY = "census_city_2010_2020/census_city_2010-2020_v1.csv"
YEARS = (2010, 2020)
NUMERIC = [f"{v}_{y}" for y in YEARS for v in ("popu", "popu_urban", "popu_rural", "age_0_14")]
REQUIRED = ["city", "city_code", "province", "province_code", *NUMERIC]
TABLE = "census_city_province"
PREFECTURE_TABLE = "census_city_prefecture"

#: Tables this step reads (province denominators) and builds.
NEEDS = ("population_yearend", "census2020_province")
PROVIDES = (TABLE, PREFECTURE_TABLE)


def parse_census_city(path: Path) -> pd.DataFrame:
    """Every row of the prefecture file (one per unit, in file order): the :data:`REQUIRED`
    columns, the numeric ones as floats (empty cells missing), plus ``adcode`` (province).

    Raises :class:`DataError` naming file, row and column for a missing column, an unknown
    province code, a unit code that is not six digits or a non-numeric cell.
    """
    try:
        raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise DataError(path, f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise DataError(path, f"expected column(s) missing or renamed: {missing}",
                        column=missing[0])
    out = raw[REQUIRED].copy()
    adcodes = [try_adcode(v) for v in out["province_code"]]
    for i, a in enumerate(adcodes):
        if a is None:
            raise DataError(path, f"unknown province code {out['province_code'].iat[i]!r}",
                            row=i + 2, column="province_code")
    out["adcode"] = adcodes
    bad_code = ~out["city_code"].str.strip().str.fullmatch(r"\d{6}")
    if bad_code.any():
        i = int(np.flatnonzero(bad_code.to_numpy())[0])
        raise DataError(path, f"unit code is not six digits: {out['city_code'].iat[i]!r}",
                        row=i + 2, column="city_code")
    for col in NUMERIC:
        text = out[col].str.strip()
        values = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = values.isna() & (text != "")
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(path, f"not a number: {text.iat[i]!r}", row=i + 2, column=col)
        out[col] = values
    return out


def read_census_city(path: Path, account: RowAccount) -> pd.DataFrame:
    """Read the prefecture file; returns one row per mainland prefecture with numeric columns.

    Raises :class:`DataError` as :func:`parse_census_city`. Hong Kong and Macau rows are dropped
    with a reason.
    """
    return mainland_prefectures(parse_census_city(path), account)


def mainland_prefectures(units: pd.DataFrame, account: RowAccount) -> pd.DataFrame:
    """The mainland rows of :func:`parse_census_city` (Hong Kong and Macau dropped with a
    reason), with the raw rows read and kept and the gaps of each year counted in ``account``."""
    name = CENSUS_CITY  # the registry id, as in every row account
    account.add_read(name, len(units))
    out = units
    outside = ~out["adcode"].isin(MAINLAND31)
    account.drop(name, "outside the 31 mainland provinces (Hong Kong, Macau)", int(outside.sum()))
    out = out[~outside].reset_index(drop=True)
    for y in YEARS:
        account.note(name, f"no population {y} (kept; not in the {y} sums)",
                     int(out[f"popu_{y}"].isna().sum()))
        account.note(name, f"no age structure {y} (kept; not in the {y} age share)",
                     int((out[f"age_0_14_{y}"].isna() & out[f"popu_{y}"].notna()).sum()))
        account.note(name, f"no urban/rural split {y} (kept; not in the {y} urban share)",
                     int((out[f"popu_urban_{y}"].isna() & out[f"popu_{y}"].notna()).sum()))
    account.add_kept(name, len(out))
    return out


def province_totals(ctx: BuildContext) -> dict[int, pd.Series]:
    """Province population denominators: 2020 census bulletin, 2010 NBS year-end (persons)."""
    census = ctx.tables["census2020_province"].set_index("adcode")["population_persons"]
    yearend = ctx.tables["population_yearend"]
    y2010 = yearend[yearend["year"] == 2010].set_index("adcode")["population_persons"]
    return {2020: census, 2010: y2010}


def summarise(prefectures: pd.DataFrame, totals: dict[int, pd.Series]) -> pd.DataFrame:
    """Province sums and population-weighted shares, one row per (census_year, adcode)."""
    rows = []
    for y in YEARS:
        pop, urban, rural = (prefectures[f"popu_{y}"], prefectures[f"popu_urban_{y}"],
                             prefectures[f"popu_rural_{y}"])
        age = prefectures[f"age_0_14_{y}"] / 100
        frame = pd.DataFrame({
            "adcode": prefectures["adcode"],
            "pop": pop,
            "pop_age": pop.where(age.notna()),
            "children": (pop * age),
            "urban": urban.where(rural.notna()),
            "urban_rural": (urban + rural),
        })
        g = frame.groupby("adcode")
        s = pd.DataFrame({
            "prefectures_count": g.size(),
            "population_covered_persons": g["pop"].sum(min_count=1),
            "age_weight": g["pop_age"].sum(min_count=1),
            "children": g["children"].sum(min_count=1),
            "urban": g["urban"].sum(min_count=1),
            "urban_rural": g["urban_rural"].sum(min_count=1),
        }).reindex(list(MAINLAND31))
        total = totals[y].reindex(s.index).astype(float)
        out = pd.DataFrame(index=s.index)
        out["census_year"] = y
        out["prefectures_count"] = s["prefectures_count"].fillna(0).astype("int64")
        out["population_covered_persons"] = s["population_covered_persons"].round().astype(
            "Int64")
        out["population_coverage_share"] = s["population_covered_persons"] / total
        out["age_0_14_share"] = s["children"] / s["age_weight"]
        out["children_0_14_persons"] = (out["age_0_14_share"] * total).round().astype("Int64")
        out["urban_share"] = s["urban"] / s["urban_rural"]
        out["urban_coverage_share"] = (s["urban_rural"] / total).fillna(0.0)
        rows.append(out.reset_index())
    result = pd.concat(rows, ignore_index=True)
    cols = ["census_year", "adcode", "prefectures_count", "population_covered_persons",
            "population_coverage_share", "age_0_14_share", "children_0_14_persons",
            "urban_share", "urban_coverage_share"]
    return result[cols]


#: Raw columns of one census year → columns of ``census_city_prefecture``.
PREFECTURE_COLUMNS = {"popu": "population_persons", "popu_urban": "urban_persons",
                      "popu_rural": "rural_persons"}


def prefecture_list(units: pd.DataFrame, account: RowAccount) -> pd.DataFrame:
    """``census_city_prefecture`` from :func:`parse_census_city`: one row per (census_year,
    prefecture_adcode), every unit of the file (Hong Kong and Macau included), sorted.

    Persons are rounded to whole persons (a few 2010 urban/rural cells of the raw carry
    decimals; counted as a note of ``account``); ``age_0_14_share`` = the raw percentage ÷ 100.
    """
    name = CENSUS_CITY
    account.add_read(name, len(units))
    years = []
    for y in YEARS:
        frame = pd.DataFrame({
            "census_year": y,
            "prefecture_adcode": units["city_code"].str.strip().astype("int64"),
            "prefecture_name_zh": units["city"].str.strip().astype(str),
            "adcode": units["adcode"].astype("int64"),
        })
        for raw, col in PREFECTURE_COLUMNS.items():
            values = units[f"{raw}_{y}"]
            account.note(name, f"{col} {y}: not a whole number in the raw (rounded)",
                         int((values.notna() & (values % 1 != 0)).sum()))
            frame[col] = values.round().astype("Int64")
        frame["age_0_14_share"] = (units[f"age_0_14_{y}"] / 100).astype("float64")
        account.note(name, f"no population {y} (kept; empty)",
                     int(units[f"popu_{y}"].isna().sum()))
        years.append(frame)
    account.add_kept(name, len(units))
    out = pd.concat(years, ignore_index=True)
    return out.sort_values(["census_year", "prefecture_adcode"], ignore_index=True)


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``sources.census_city``: ``census_city_province`` (needs ``population_yearend`` and
    ``census2020_province``) and ``census_city_prefecture``."""
    units = parse_census_city(ctx.raw(CENSUS_CITY))
    account = RowAccount(TABLE)
    prefectures = mainland_prefectures(units, account)
    table = summarise(prefectures, province_totals(ctx))
    # the province-level rows are derived: the account balances on prefecture rows read
    pref_account = RowAccount(PREFECTURE_TABLE)
    # two rows (census years) per raw row: the account balances on raw rows read
    listing = prefecture_list(units, pref_account)
    return [CleanTable(TABLE, table, account), CleanTable(PREFECTURE_TABLE, listing, pref_account)]
