"""Per-province exposure table for the models: migration, hukou, left-behind children, controls.

One job: :func:`province_exposures` joins the tidy tables of the cleaning steps into one row per
mainland province (31 rows, ``adcode`` ascending). Nothing is estimated here; every column is a
copy or a ratio of published figures; the schema (``analysis.topics.models.schema``)
names each column's source table.

Exposures
---------
* **Out-migration rate** of each five-year O–D period (``out_migration_<period>_per_1000``):
  inter-provincial out-migrants aged 5+ per 1,000 people who lived in the province five years
  earlier, computed inside one census/survey table (``migration_by_province.
  out_migration_per_1000``). The 1995–2000 table counts movers only, so for that period the
  rate is the rough expansion ``out_estimate_per_1000_yearend`` (out-migrants ÷ year-end 2000
  population, all ages) — a different basis, said in :data:`RATE_BASIS`. The models use the
  period *matching the outcome* (:mod:`analysis.topics.models.fit` chooses it).
* **In-migration rate** likewise (``in_migration_<period>_per_1000``; 1995–2000:
  ``in_estimate_persons`` ÷ year-end 2000 population × 1,000).
* **Other-province hukou share**, 2010 and 2020: residents whose hukou is in another province ÷
  residents (``census_hukou_province.other_province_share``) — the in-migrant stock.
* **Left-behind children** where a figure exists (partial: at most a handful of provinces per
  definition, never a full cross-section, so never used as a model regressor). One column per
  source and definition; ACWF (0–17, one or both parents away, 2010) and MCA (under 16, both
  parents away, 2016 and 2018) are never pooled: each column is filled from
  :func:`analysis.sources.left_behind.clean.figures_for` with exactly one definition, and
  ``left_behind_sources`` lists which figures a province has.
* **Controls**: children aged 0–14 (2010 estimate, 2020 census; the model offsets), urban share
  (2010 complete; 2020 missing for Xinjiang), mean years of schooling aged 15+ (2010, 2020),
  sex ratio of residents (2020), population 2020 (to name the largest provinces).

Defined with the schema (:mod:`analysis.topics.models.schema`) and re-exported here:
:data:`RATE_BASIS`, :data:`LARGEST_N` and the column names :func:`out_column` / :func:`in_column`;
the O–D periods are :data:`analysis.vocab.periods.OD_PERIODS`.

Standardisation: :func:`exposure_sd` uses the sample SD (ddof = 1) over
**all 31 provinces**, so "per SD" means the same thing in every specification, including the
leave-one-out and leave-largest-out fits.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.sources.left_behind.clean import figures_for
from analysis.topics.models.schema import LARGEST_N, RATE_BASIS, in_column, out_column
from analysis.vocab.periods import OD_PERIODS, od_period_key
from analysis.vocab.provinces import MAINLAND31

TABLE = "province_exposures"

#: Left-behind columns: column → (definition_id, source_ids, reference year).
LEFT_BEHIND: dict[str, tuple[str, tuple[str, ...], int]] = {
    "left_behind_acwf_2010_persons": ("acwf_rural_0_17_one_or_both_parents", ("ACWF2013",), 2010),
    "left_behind_mca_2016_persons": ("mca_rural_under16_both_parents",
                                     ("MCA2016", "MCA2016-prov"), 2016),
    "left_behind_mca_2018_persons": ("mca_rural_under16_both_parents", ("MCA2018",), 2018),
}

INPUT_TABLES = ("migration_by_province", "census_hukou_province", "census_city_province",
                "census2020_province", "left_behind_children", "population_yearend")


#: ``'2005–2010'`` → ``'2005_2010'`` (for column names).
period_key = od_period_key


def _one_per_province(frame: pd.DataFrame, what: str) -> pd.DataFrame:
    f = frame.copy()
    f["adcode"] = f["adcode"].astype("int64")
    if f["adcode"].duplicated().any() or set(f["adcode"]) != set(MAINLAND31):
        raise ValueError(f"{what}: needs exactly one row for each of the 31 mainland provinces")
    return f.set_index("adcode").reindex(list(MAINLAND31))


def province_exposures(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, RowAccount]:
    """The ``province_exposures`` table (31 rows) and its row account.

    Parameters
    ----------
    tables : the tidy tables named in :data:`INPUT_TABLES` (``ctx.tables`` of the build)

    Returns
    -------
    (frame, account): one row per mainland province, ``adcode`` ascending; rates per 1,000,
    shares 0–1, persons, years, males per 100 females. Left-behind columns are nullable
    (``Int64``); ``urban_2020_share`` is missing for Xinjiang.
    """
    acc = RowAccount(TABLE)
    out = pd.DataFrame({"adcode": list(MAINLAND31)}).set_index("adcode")

    mig = tables["migration_by_province"]
    acc.add_read("migration_by_province", len(mig))
    pop = tables["population_yearend"]
    pop2000 = _one_per_province(pop[pop["year"] == 2000], "population_yearend 2000")
    for period in OD_PERIODS:
        m = _one_per_province(mig[mig["period"] == period], f"migration_by_province {period}")
        if period == "1995–2000":
            out[out_column(period)] = m["out_estimate_per_1000_yearend"].astype(float)
            out[in_column(period)] = (m["in_estimate_persons"] / pop2000["population_persons"]
                                      * 1000).astype(float)
        else:
            out[out_column(period)] = m["out_migration_per_1000"].astype(float)
            out[in_column(period)] = m["in_migration_per_1000"].astype(float)
        acc.add_kept("migration_by_province", len(m))
    acc.drop("migration_by_province", "period not used",
             len(mig) - 31 * len(OD_PERIODS))
    acc.add_read("population_yearend", len(pop))
    acc.add_kept("population_yearend", 31)
    acc.drop("population_yearend", "year other than 2000 (only 2000 is a denominator here)",
             len(pop) - 31)

    hk = tables["census_hukou_province"]
    acc.add_read("census_hukou_province", len(hk))
    for year in (2010, 2020):
        h = _one_per_province(hk[hk["census_year"] == year], f"census_hukou_province {year}")
        out[f"other_province_hukou_{year}_share"] = h["other_province_share"].astype(float)
        acc.add_kept("census_hukou_province", 31)
    acc.drop("census_hukou_province", "census year other than 2010/2020", len(hk) - 62)

    lb = tables["left_behind_children"]
    acc.add_read("left_behind_children", len(lb))
    used = pd.Series(False, index=lb.index)
    sources = pd.Series([[] for _ in range(31)], index=out.index, dtype=object)
    for column, (definition, source_ids, year) in LEFT_BEHIND.items():
        figs = figures_for(definition, lb, geography="province")
        figs = figs[figs["source_id"].isin(source_ids) & (figs["reference_year"] == year)]
        figs = figs[figs["persons"].notna()]
        if figs["adcode"].duplicated().any():
            raise ValueError(f"{column}: two figures for one province")
        values = pd.Series(figs["persons"].astype("int64").to_numpy(),
                           index=figs["adcode"].astype("int64").to_numpy())
        out[column] = values.reindex(out.index).astype("Int64")
        for a, sid in zip(values.index, figs["source_id"], strict=True):
            sources[a] = [*sources[a], f"{sid} ({year})"]
        used |= ((lb["definition_id"] == definition) & lb["source_id"].isin(source_ids)
                 & (lb["geography"] == "province") & lb["persons"].notna()
                 & (lb["reference_year"] == year))
    out["left_behind_sources"] = [("; ".join(s) if s else "none") for s in sources]
    acc.add_kept("left_behind_children", int(used.sum()))
    acc.drop("left_behind_children", "national figure (not a province)",
             int((lb["geography"] == "national").sum()))
    acc.drop("left_behind_children", "province figure without persons",
             int(((lb["geography"] == "province") & ~used).sum()))

    c20 = _one_per_province(tables["census2020_province"], "census2020_province")
    acc.add_read("census2020_province", 31)
    acc.add_kept("census2020_province", 31)
    city = tables["census_city_province"]
    acc.add_read("census_city_province", len(city))
    c10 = _one_per_province(city[city["census_year"] == 2010], "census_city_province 2010")
    c20city = _one_per_province(city[city["census_year"] == 2020], "census_city_province 2020")
    acc.add_kept("census_city_province", 62)
    acc.drop("census_city_province", "census year other than 2010/2020", len(city) - 62)
    out["children_0_14_2010_persons"] = c10["children_0_14_persons"].astype("int64")
    out["children_0_14_2020_persons"] = c20["children_0_14_persons"].astype("int64")
    out["urban_2010_share"] = c10["urban_share"].astype(float)
    out["urban_2020_share"] = c20city["urban_share"].astype(float)
    out["schooling_years_15plus_2010"] = c20["schooling_years_15plus_2010"].astype(float)
    out["schooling_years_15plus_2020"] = c20["schooling_years_15plus_2020"].astype(float)
    out["sex_ratio_2020_males_per_100_females"] = (
        c20["sex_ratio_males_per_100_females"].astype(float))
    out["population_2020_persons"] = c20["population_persons"].astype("int64")
    rank = out["population_2020_persons"].rank(ascending=False, method="first")
    out["largest_province"] = (rank <= LARGEST_N).astype(bool)
    order = ([out_column(p) for p in OD_PERIODS] + [in_column(p) for p in OD_PERIODS])
    out = out[order + [c for c in out.columns if c not in order]]
    return out.reset_index(), acc


def largest_provinces(exposures: pd.DataFrame, n: int = LARGEST_N) -> list[int]:
    """Adcodes of the ``n`` most populous provinces (2020 census), largest first."""
    top = exposures.sort_values("population_2020_persons", ascending=False).head(n)
    return [int(a) for a in top["adcode"]]


def exposure_sd(exposures: pd.DataFrame, column: str) -> float:
    """Sample SD (ddof = 1) of ``column`` over the provinces of ``exposures`` with a value.

    Raises ``ValueError`` when the column has fewer than 3 values or no spread.
    """
    x = exposures[column].dropna().astype(float)
    if len(x) < 3:
        raise ValueError(f"{column}: fewer than 3 provinces with a value")
    sd = float(x.std(ddof=1))
    if not np.isfinite(sd) or sd <= 0:
        raise ValueError(f"{column}: no spread across provinces")
    return sd


__all__ = ["INPUT_TABLES", "LARGEST_N", "LEFT_BEHIND", "OD_PERIODS", "RATE_BASIS", "TABLE",
           "exposure_sd", "in_column", "largest_provinces", "out_column", "period_key",
           "province_exposures"]
