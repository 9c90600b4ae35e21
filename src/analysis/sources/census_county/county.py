"""The leaf-unit table ``census_county`` and its province check ``census_county_province_check``.

Published columns are built from named raw columns (:data:`SOURCES`, per census year). Before
they are summed, the raw cells of the leaves are repaired only where the file itself determines
the value, and set missing otherwise — every case counted in the row account and written into
the row's ``cell_repairs``:

* a *fused* cell (two numbers run together by whitespace) → missing;
* a count that is not a whole number (``87.4`` persons) → missing;
* an age band: the bands of one sex must add up to the unit's male or female total. Blank bands
  that make the sum exact are 0. A unit whose bands miss its total by *e* is corrected only when
  exactly one band of its province misses the province row by the same *e* (two independent
  identities pin the cell and the amount); otherwise every band of that sex → missing;
* urban/rural: a blank rural cell where urban = total is 0; a rural cell that breaks
  urban + rural = total where urban = total is 0 as well (西沙群岛 2010: its 户数 slid into
  乡村人口); any other break → both missing;
* any other blank cell of a leaf is 0 when the province's other leaves already add up to its
  province row exactly (non-negative counts summing to 0), else missing.

The province check then compares, for every count column, the sum of the leaves with the
province's own row (and, 2020, the 全国 row) at :data:`TOLERANCE`; a difference outside it must
be one of :data:`KNOWN_EXCEPTIONS` (with its reason) or the build stops.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.core.errors import DataError
from analysis.vocab.provinces import NATIONAL_ADCODE

YEARS = (2010, 2020)
SEXES = ("male", "female")
#: age bands of the workbooks: output key → (2010 label, 2020 label)
BANDS = {
    "0": ("0岁", "0岁"), "1_4": ("1-4岁", "1到4岁"), "5_9": ("5-9岁", "5到9岁"),
    "10_14": ("10-14岁", "10到14岁"), "15_19": ("15-19岁", "15到19岁"),
    "20_24": ("20-24岁", "20到24岁"), "25_29": ("25-29岁", "25到29岁"),
    "30_34": ("30-34岁", "30到34岁"), "35_39": ("35-39岁", "35到39岁"),
    "40_44": ("40-44岁", "40到44岁"), "45_49": ("45-49岁", "45到49岁"),
    "50_54": ("50-54岁", "50到54岁"), "55_59": ("55-59岁", "55到59岁"),
    "60_64": ("60-64岁", "60到64岁"), "65_69": ("65-69岁", "65到69岁"),
    "70_74": ("70-74岁", "70到74岁"), "75_79": ("75-79岁", "75到79岁"),
    "80_84": ("80-84岁", "80到84岁"), "85_plus": ("85岁及以上", "85岁以上"),
}
_SEX_ZH = {"male": "男", "female": "女"}


def band_column(year: int, band: str, sex: str) -> str:
    """Normalised raw column of one age band and sex (``'0岁（男）'``, ``'男_0岁'``)."""
    label = BANDS[band][0 if year == 2010 else 1]
    return f"{label}（{_SEX_ZH[sex]}）" if year == 2010 else f"{_SEX_ZH[sex]}_{label}"


TOTAL = {2010: "合计", 2020: "人口数_合计"}
SEX_TOTAL = {(2010, "male"): "男", (2010, "female"): "女",
             (2020, "male"): "人口数_男", (2020, "female"): "人口数_女"}
URBAN = {2010: "城镇人口", 2020: "城镇人口"}
RURAL = {2010: "乡村人口", 2020: "乡村人口"}

#: published count column → raw columns summed, per year (None: not in that year's table)
SOURCES: dict[str, dict[int, list[str] | None]] = {
    "population_persons": {y: [TOTAL[y]] for y in YEARS},
    "male_persons": {y: [SEX_TOTAL[(y, "male")]] for y in YEARS},
    "female_persons": {y: [SEX_TOTAL[(y, "female")]] for y in YEARS},
}
for _sex in SEXES:
    for _band in ("0", "1_4", "5_9", "10_14"):
        SOURCES[f"age_{_band}_{_sex}_persons"] = {y: [band_column(y, _band, _sex)]
                                                  for y in YEARS}
    SOURCES[f"age_0_4_{_sex}_persons"] = {y: [band_column(y, b, _sex) for b in ("0", "1_4")]
                                          for y in YEARS}
    SOURCES[f"age_0_14_{_sex}_persons"] = {
        y: [band_column(y, b, _sex) for b in ("0", "1_4", "5_9", "10_14")] for y in YEARS}
_ADULT = {"15_64": ("15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_54",
                    "55_59", "60_64"),
          "20_49": ("20_24", "25_29", "30_34", "35_39", "40_44", "45_49"),
          "65_plus": ("65_69", "70_74", "75_79", "80_84", "85_plus")}
SOURCES["age_0_4_persons"] = {y: [band_column(y, b, s) for s in SEXES for b in ("0", "1_4")]
                              for y in YEARS}
SOURCES["age_0_14_persons"] = {y: [band_column(y, b, s) for s in SEXES
                                   for b in ("0", "1_4", "5_9", "10_14")] for y in YEARS}
for _key, _bands in _ADULT.items():
    SOURCES[f"age_{_key}_persons"] = {y: [band_column(y, b, s) for s in SEXES for b in _bands]
                                      for y in YEARS}
SOURCES["age_20_49_female_persons"] = {y: [band_column(y, b, "female") for b in _ADULT["20_49"]]
                                       for y in YEARS}
SOURCES.update({
    "hukou_registered_persons": {2010: ["户籍人口"], 2020: None},
    "hukou_elsewhere_same_county_persons": {
        2010: ["迁入人口（人）-本县（市）/本市市区"], 2020: ["户口登记地在外乡镇街道人口_本县"]},
    "hukou_elsewhere_other_county_persons": {
        2010: ["迁入人口（人）-本省其他县（市）、市区"], 2020: ["户口登记地在外乡镇街道人口_本省其他县"]},
    "hukou_elsewhere_other_province_persons": {
        2010: ["迁入人口（人）-外省"], 2020: ["户口登记地在外乡镇街道人口_省外"]},
    "urban_persons": {y: [URBAN[y]] for y in YEARS},
    "rural_persons": {y: [RURAL[y]] for y in YEARS},
    "family_households": {2010: ["户数"], 2020: ["家庭户数"]},
    "college_or_above_persons": {
        2010: ["大学专科-男", "大学专科-女", "大学本科及以上-男", "大学本科及以上-女"],
        2020: ["大学专科_男", "大学专科_女", "本科及以上_男", "本科及以上_女"]},
    "illiterate_15_plus_persons": {2010: ["15岁及以上文盲人口-合计"], 2020: ["15岁及以上文盲人口"]},
    "employed_sample_persons": {2010: ["各种职业人口总计"], 2020: ["各种职业人口总计"]},
    "agriculture_occupation_sample_persons": {
        2010: ["农、林、牧、渔、水利业生产人员"], 2020: ["农林牧渔业生产及辅助人员"]},
})
COUNT_COLUMNS = list(SOURCES)
#: unit of each count column (from its name)
UNIT = {c: "households" if c.endswith("_households") else "persons" for c in COUNT_COLUMNS}


def raw_columns(year: int) -> list[str]:
    """Every raw column of ``year`` that a published column reads (deduplicated, in order)."""
    out: list[str] = []
    for spec in SOURCES.values():
        for c in spec[year] or []:
            if c not in out:
                out.append(c)
    return out


#: relative tolerance of the province check: |leaves − province row| ≤ TOLERANCE × row
TOLERANCE = 0.001
#: (census year, province adcode, column) → why the leaves miss the province row by more than
#: :data:`TOLERANCE` (the build stops on any other such difference, and on an entry that is no
#: longer needed)
KNOWN_EXCEPTIONS: dict[tuple[int, int, str], str] = {
    (2010, 370000, "college_or_above_persons"):
        "the leaves' 大学本科及以上-女 exceed the province row by 54,442; no identity inside a "
        "county locates the cell, so the county values are kept as printed",
    (2010, 420000, "employed_sample_persons"):
        "梁子湖区 (420702): 各种职业人口总计 is a fused cell ('8842   30'), set missing; the "
        "province row implies 8,842",
    (2010, 450000, "college_or_above_persons"):
        "凌云县 (451027): 大学本科及以上-男 printed 87.4 (not a whole number; the province row "
        "implies 874), set missing, so its college total is missing",
    (2020, 350000, "hukou_elsewhere_other_county_persons"):
        "长汀县 (350821): 户口登记地在外乡镇街道人口_本省其他县 blank; the province row implies "
        "9,691, left missing",
}


@dataclass
class CellLog:
    """Cell repairs and losses of one year: per leaf row, the notes; per reason, the count."""

    notes: dict[int, list[str]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, row: int, note: str, reason: str) -> None:
        self.notes.setdefault(row, []).append(note)
        self.counts[reason] = self.counts.get(reason, 0) + 1


def repair_cells(values: pd.DataFrame, province_rows: pd.DataFrame, adcode: pd.Series,
                 names: pd.Series, year: int, fused: dict[tuple[int, str], str],
                 log: CellLog) -> pd.DataFrame:
    """The raw cells of the leaves (``values``: one row per leaf, indexed by spreadsheet row,
    the :func:`raw_columns` of ``year``) repaired or set missing by the rules of this module.

    ``province_rows`` holds the same columns for the province rows, indexed by adcode;
    ``adcode`` the province of each leaf; ``fused`` the fused cells ``{(row, column): text}``.
    """
    v = values.copy()
    raw_blank = v.isna()  # blank in the raw (cells set missing below are not "blank")
    for (row, col), text in fused.items():
        if row in v.index and col in v.columns:
            v.at[row, col] = np.nan
            raw_blank.at[row, col] = False
            log.add(row, f"{col}: raw cell {text!r} holds two numbers run together (fused); "
                    "set missing", "fused cell set missing")
    frac = v.notna() & (v % 1 != 0)
    for row, col in zip(*np.nonzero(frac.to_numpy()), strict=True):
        r, c = v.index[row], v.columns[col]
        log.add(r, f"{c}: {v.iat[row, col]:g} is not a whole number of persons; set missing",
                "count that is not a whole number set missing")
        v.iat[row, col] = np.nan
    for sex in SEXES:
        _reconcile_bands(v, province_rows, adcode, year, sex, log)
    _urban_rural(v, year, log)
    _blank_by_province(v, province_rows, adcode, raw_blank, log)
    return v


def _excess(v: pd.DataFrame, province_rows: pd.DataFrame, adcode: pd.Series,
            cols: list[str]) -> pd.DataFrame:
    sums = v[cols].groupby(adcode.to_numpy()).sum(min_count=1)
    return sums - province_rows.reindex(sums.index)[cols]


def _reconcile_bands(v: pd.DataFrame, province_rows: pd.DataFrame, adcode: pd.Series,
                     year: int, sex: str, log: CellLog) -> None:
    bands = [band_column(year, b, sex) for b in BANDS]
    total = SEX_TOTAL[(year, sex)]
    gap = v[bands].fillna(0).sum(axis=1) - v[total]
    blank = v[bands].isna().any(axis=1)
    for row in v.index[blank & (gap == 0)]:
        cols = [c for c in bands if pd.isna(v.at[row, c])]
        v.loc[row, cols] = 0.0
        log.add(row, f"blank age cell(s) {cols} read as 0 (the bands then add up to {total})",
                "blank age band read as 0 (bands add up to the sex total)")
    excess = _excess(v, province_rows, adcode, bands)
    for row in v.index[(gap != 0) & v[total].notna()]:
        e = float(gap[row])
        prov = excess.loc[adcode[row]]
        hits = [c for c in bands if prov[c] == e]
        others = [c for c in bands if c not in hits and prov[c] != 0]
        if len(hits) == 1 and not others:
            (col,) = hits
            old = v.at[row, col]
            v.at[row, col] = old - e
            log.add(row, f"{col}: {old:g} corrected to {old - e:g} (the unit's bands missed "
                    f"{total} by {e:+g} and the province's {col} misses its row by the same "
                    "amount)", "age band corrected (unit and province identities agree)")
        else:
            v.loc[row, bands] = np.nan
            log.add(row, f"age bands of {total} miss it by {e:+g}, cell not identified; "
                    "bands set missing", "age bands of one sex set missing (do not add up)")


def _urban_rural(v: pd.DataFrame, year: int, log: CellLog) -> None:
    total, urban, rural = TOTAL[year], URBAN[year], RURAL[year]
    urban_all = v[urban] == v[total]
    blank = v[rural].isna() & urban_all
    for row in v.index[blank]:
        v.at[row, rural] = 0.0
    if blank.any():
        log.counts["blank rural cell read as 0 (urban = total)"] = int(blank.sum())
    broken = v[rural].notna() & (v[urban] + v[rural] != v[total])
    for row in v.index[broken]:
        if urban_all[row]:
            log.add(row, f"{rural}: {v.at[row, rural]:g} breaks urban + rural = total while "
                    "urban = total; read as 0", "rural cell breaking urban + rural = total "
                    "read as 0 (urban = total)")
            v.at[row, rural] = 0.0
        else:
            log.add(row, "urban + rural ≠ total; both set missing",
                    "urban and rural set missing (do not add up)")
            v.loc[row, [urban, rural]] = np.nan


def _blank_by_province(v: pd.DataFrame, province_rows: pd.DataFrame, adcode: pd.Series,
                       raw_blank: pd.DataFrame, log: CellLog) -> None:
    excess = _excess(v, province_rows, adcode, list(v.columns))
    blank = v.isna() & raw_blank
    for col in v.columns:
        for row in v.index[blank[col]]:
            if excess.at[adcode[row], col] == 0:
                v.at[row, col] = 0.0
                log.add(row, f"{col}: blank read as 0 (the province's other units add up to "
                        "its row)", "blank cell read as 0 (province adds up without it)")
            else:
                implied = -excess.at[adcode[row], col]
                log.add(row, f"{col}: blank, left missing (the province row implies "
                        f"{implied:g} for its missing cells)", "blank cell left missing (the "
                        "province does not add up without it)")


def published(values: pd.DataFrame, year: int) -> pd.DataFrame:
    """The count columns of ``census_county`` from repaired raw cells (a sum is missing when
    any of its cells is)."""
    out = {}
    for col, spec in SOURCES.items():
        cols = spec[year]
        if cols is None:
            out[col] = pd.Series(np.nan, index=values.index)
        else:
            out[col] = values[cols].sum(axis=1, min_count=len(cols)).where(
                values[cols].notna().all(axis=1))
    return pd.DataFrame(out, index=values.index)


def province_check(leaves: dict[int, pd.DataFrame], provinces: dict[int, pd.DataFrame],
                   national: dict[int, pd.Series], *,
                   exceptions: dict[tuple[int, int, str], str] | None = None,
                   tolerance: float = TOLERANCE,
                   files: dict[int, str] | None = None) -> pd.DataFrame:
    """``census_county_province_check``: per (census year, province or 全国, count column),
    the sum of the leaves against the printed row.

    ``leaves[year]`` holds the published count columns plus ``adcode``; ``provinces[year]`` the
    same columns computed from the province rows (indexed by adcode); ``national[year]`` from
    the 全国 row (2020). Raises :class:`DataError` naming year, province and column for a
    difference outside ``tolerance`` that is not in ``exceptions``, and for an exception that
    is no longer needed.
    """
    exceptions = KNOWN_EXCEPTIONS if exceptions is None else exceptions
    files = files or {}
    rows = []
    for year, frame in leaves.items():
        for col in COUNT_COLUMNS:
            if frame[col].isna().all():
                continue  # not in that year's table
            g = frame.groupby("adcode")[col]
            sums, counts = g.sum(min_count=1), g.size()
            missing = frame[col].isna().groupby(frame["adcode"]).sum()
            targets = [(int(a), provinces[year].at[a, col], sums.get(a, np.nan),
                        int(counts.get(a, 0)), int(missing.get(a, 0)))
                       for a in provinces[year].index]
            if year in national:
                targets.append((NATIONAL_ADCODE, national[year][col], frame[col].sum(),
                                len(frame), int(frame[col].isna().sum())))
            for adcode, printed, total, n, n_missing in targets:
                diff = total - printed
                rel = diff / printed if printed else (0.0 if diff == 0 else np.inf)
                ok = bool(abs(rel) <= tolerance)
                reason = exceptions.get((year, adcode, col))
                rows.append({"census_year": year, "adcode": adcode, "column": col,
                             "unit": UNIT[col], "leaves_count": n,
                             "leaves_missing_count": n_missing, "leaves_sum": float(total),
                             "province_row": float(printed), "difference": float(diff),
                             "relative_difference_share": float(rel),
                             "within_tolerance": ok, "exception_reason": reason})
    out = pd.DataFrame(rows)
    bad = out[~out["within_tolerance"] & out["exception_reason"].isna()]
    if len(bad):
        r = bad.iloc[0]
        raise DataError(files.get(r.census_year, "census_county"),
                        f"census {r.census_year}, province {r.adcode}, column "
                        f"{r.column}: the leaves sum to {r.leaves_sum:,.0f}, the province row "
                        f"says {r.province_row:,.0f} ({r.relative_difference_share:+.3%}, "
                        f"tolerance {tolerance:.1%}); {len(bad)} such difference(s) not "
                        "documented in KNOWN_EXCEPTIONS")
    stale = out[out["within_tolerance"] & out["exception_reason"].notna()]
    if len(stale):
        r = stale.iloc[0]
        raise DataError(files.get(r.census_year, "census_county"),
                        f"documented exception ({r.census_year}, {r.adcode}, "
                        f"{r.column}) is within tolerance now: remove it from KNOWN_EXCEPTIONS")
    known = set(zip(out["census_year"], out["adcode"], out["column"], strict=True))
    unused = [k for k in exceptions if k not in known]
    if unused:
        raise DataError(files.get(unused[0][0], "census_county"),
                        f"documented exception {unused[0]} matches no check")
    return out
