"""The period-matched province panel (issue 13, item 3): postings by wave of loss against the
out-migration rate of the same O–D wave, with province and wave fixed effects.

* **Rows**: province × O–D wave (:data:`~analysis.topics.model_inference.schema.WAVE_LOSS_YEARS`
  says which years of loss a wave covers); waves with fewer than
  :data:`~analysis.topics.model_inference.schema.PANEL_MIN_WAVE_POSTINGS` postings nationally
  are kept in the data table (``in_panel = False``) but not fitted.
* **Offset**: log children 0–14 of the wave (:func:`wave_children`).
* **Exposure**: the out-migration rate of the wave (``province_exposures``), z-scored over all
  fitted province-waves, so a coefficient is the log rate ratio per SD of the panel.
* **Designs** (:data:`~analysis.topics.model_inference.schema.PANEL_DESIGNS`): the panel with
  province and wave effects (identified by changes within provinces), the panel with wave effects
  only, and each wave's cross-section (with the 2010 controls). Errors of the panels clustered by
  province (statsmodels' cluster sandwich with its small-sample factor); the fits are those of
  :mod:`analysis.stats.count_models` (NB2 and Poisson) and ``statsmodels.OLS``.
* **Sensitivity beside the estimate**: every panel refitted leaving out each province
  (``model_period_panel_loo``), and three likelihoods that weight provinces differently.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.core.accounts import RowAccount
from analysis.stats.count_models import design_matrix, fit_negbin2, fit_poisson
from analysis.topics.model_inference.schema import (
    PANEL_DESIGNS,
    PANEL_HEADLINE,
    PANEL_KINDS,
    PANEL_MIN_WAVE_POSTINGS,
    PANEL_OUTCOME,
    WAVE_CONTROLS,
    WAVE_LOSS_YEARS,
)
from analysis.topics.models.schema import LOG_RATE_ADD, out_column
from analysis.vocab.measures import MEASURES
from analysis.vocab.provinces import MAINLAND31

Z975 = float(stats.norm.ppf(0.975))
EXPOSURE = "out_migration_per_1000"


def wave_of_year(years: pd.Series) -> pd.Series:
    """The O–D wave covering each year of loss (NaN where none does)."""
    out = pd.Series(np.nan, index=years.index, dtype=object)
    for wave, (first, last) in WAVE_LOSS_YEARS.items():
        out[(years >= first) & (years <= last)] = wave
    return out


def wave_children(exposures: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Children 0–14 per province × wave (persons, estimate).

    Year-end population of the wave's last year × the child share of that year: the 2010 share
    (children 2010 ÷ year-end population 2010) for waves ending by 2010, linear between the 2010
    and 2020 shares (children 2020 census ÷ year-end population 2020) after. Waves ending in
    2010 and 2020 reproduce the two child counts of ``province_exposures`` up to the year-end vs
    census population.
    """
    ex = exposures.set_index("adcode")
    pop = population.pivot(index="adcode", columns="year", values="population_persons")
    s10 = ex["children_0_14_2010_persons"] / pop[2010]
    s20 = ex["children_0_14_2020_persons"] / pop[2020]
    rows = []
    for wave, (_, last) in WAVE_LOSS_YEARS.items():
        t = min(max((last - 2010) / 10, 0.0), 1.0)
        share = (1 - t) * s10 + t * s20
        children = (pop[last] * share).reindex(list(MAINLAND31))
        rows.append(pd.DataFrame({"wave": wave, "adcode": list(MAINLAND31),
                                  "children_0_14_persons": children.round().to_numpy()}))
    return pd.concat(rows, ignore_index=True)


def panel_data(records: pd.DataFrame, exposures: pd.DataFrame, population: pd.DataFrame
               ) -> tuple[pd.DataFrame, RowAccount]:
    """The ``model_period_panel_data`` table (5 waves × 31 provinces) and its row account.

    ``records``: the panel outcome's postings (``missing_year``, ``side`` and the province
    column of the measure's place role).
    """
    m = MEASURES[PANEL_OUTCOME]
    col = f"{m.place_role}_adcode_province"
    acc = RowAccount("model_period_panel_data")
    rec = records[records["side"] == m.side]
    acc.add_read("postings", len(rec))
    wave = wave_of_year(pd.to_numeric(rec["missing_year"], errors="coerce"))
    no_place = rec[col].isna()
    acc.drop("postings", "no province of the place lost", int(no_place.sum()))
    acc.drop("postings", "year of loss in no O–D wave (before 1996, after 2020 or unknown)",
             int((wave.isna() & ~no_place).sum()))
    ok = wave.notna() & ~no_place
    acc.add_kept("postings", int(ok.sum()))
    counts = (pd.DataFrame({"wave": wave[ok], "adcode": rec.loc[ok, col].astype("int64")})
              .groupby(["wave", "adcode"]).size().rename("postings_count"))
    ex = exposures.set_index("adcode")
    frame = wave_children(exposures, population)
    frame["postings_count"] = [int(counts.get((w, a), 0))
                               for w, a in zip(frame["wave"], frame["adcode"], strict=True)]
    frame[EXPOSURE] = [float(ex.loc[a, out_column(w)])
                       for w, a in zip(frame["wave"], frame["adcode"], strict=True)]
    totals = frame.groupby("wave")["postings_count"].sum()
    frame["in_panel"] = frame["wave"].map(totals >= PANEL_MIN_WAVE_POSTINGS).astype(bool)
    frame["children_0_14_persons"] = frame["children_0_14_persons"].astype("int64")
    return frame[["wave", "adcode", "postings_count", "children_0_14_persons", EXPOSURE,
                  "in_panel"]], acc


def _fit(frame: pd.DataFrame, design: str, kind: str, sd: float):
    """(β, SE, p, α, converged) of the z-scored exposure in one fit of ``frame``."""
    f = frame.assign(z=(frame[EXPOSURE] - frame.attrs["mean"]) / sd)
    terms = ["z", *(WAVE_CONTROLS if design == "wave_cross_section" else ())]
    fe = {"panel_fe": ("adcode", "wave"), "panel_wave_fe": ("wave",),
          "wave_cross_section": None}[design]
    X, _ = design_matrix(f, terms[:1], fe=fe, standardise=False)
    for c in terms[1:]:
        x = f[c].astype(float)
        X[c] = (x - x.mean()) / x.std(ddof=1)
    groups = f["adcode"].to_numpy() if design != "wave_cross_section" else None
    y = f["postings_count"].to_numpy(float)
    off = np.log(f["children_0_14_persons"].to_numpy(float))
    if kind == "ols_log_rate":
        ly = np.log((y + LOG_RATE_ADD) / np.exp(off) * 1e5)
        cov = ({"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(groups)[0]}}
               if groups is not None else {})
        res = sm.OLS(ly, X.to_numpy(float)).fit(**cov)
        i = list(X.columns).index("z")
        return (float(res.params[i]), float(res.bse[i]),
                float(2 * stats.norm.sf(abs(res.params[i] / res.bse[i]))), np.nan, True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = (fit_poisson(y, X, off, groups) if kind == "poisson"
               else fit_negbin2(y, X, off, groups))
    b, se, p = fit.coef("z")
    return b, se, p, (fit.alpha if kind == "negbin2" else np.nan), fit.converged


def _specs(waves: list[str]) -> list[tuple[str, str, str]]:
    specs = [(d, k, "stacked") for d in ("panel_fe", "panel_wave_fe") for k in PANEL_KINDS]
    specs += [("wave_cross_section", "negbin2", w) for w in waves]
    return specs


def fit_panel(data: pd.DataFrame, exposures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``model_period_panel`` and ``model_period_panel_loo`` tables."""
    panel = data[data["in_panel"]].merge(
        exposures[["adcode", *WAVE_CONTROLS]], on="adcode", validate="many_to_one")
    panel = panel.sort_values(["wave", "adcode"], ignore_index=True)
    sd = float(panel[EXPOSURE].std(ddof=1))
    mean = float(panel[EXPOSURE].mean())
    within = panel[EXPOSURE] - panel.groupby("adcode")[EXPOSURE].transform("mean")
    waves = sorted(panel["wave"].unique())
    rows, loo_rows = [], []
    for design, kind, wave in _specs(waves):
        f = panel if wave == "stacked" else panel[panel["wave"] == wave]
        f = f.reset_index(drop=True)
        f.attrs["mean"] = mean
        b, se, p, alpha, conv = _fit(f, design, kind, sd)
        spec_id = f"{design}|{kind}|{wave}"
        loo = {"loo_irr_min": np.nan, "loo_irr_max": np.nan, "loo_min_adcode": pd.NA,
               "loo_max_adcode": pd.NA}
        if design != "wave_cross_section":
            part = []
            for a in MAINLAND31:
                g = f[f["adcode"] != a].reset_index(drop=True)
                g.attrs["mean"] = mean
                bl, sel, pl, _, _ = _fit(g, design, kind, sd)
                part.append({"specification": spec_id, "left_out_adcode": int(a),
                             "irr_per_sd": np.exp(bl), "irr_ci_low": np.exp(bl - Z975 * sel),
                             "irr_ci_high": np.exp(bl + Z975 * sel), "p_value": pl})
            lf = pd.DataFrame(part)
            loo = {"loo_irr_min": float(lf["irr_per_sd"].min()),
                   "loo_irr_max": float(lf["irr_per_sd"].max()),
                   "loo_min_adcode": int(lf.loc[lf["irr_per_sd"].idxmin(), "left_out_adcode"]),
                   "loo_max_adcode": int(lf.loc[lf["irr_per_sd"].idxmax(), "left_out_adcode"])}
            loo_rows.append(lf)
        rows.append({"specification": spec_id, "design": design, "model_kind": kind,
                     "outcome_measure": PANEL_OUTCOME, "wave": wave, "n": len(f),
                     "n_provinces": int(f["adcode"].nunique()),
                     "n_waves": int(f["wave"].nunique()),
                     "postings_total": int(f["postings_count"].sum()),
                     "log_irr_per_sd": b, "std_error": se, "irr_per_sd": np.exp(b),
                     "irr_ci_low": np.exp(b - Z975 * se), "irr_ci_high": np.exp(b + Z975 * se),
                     "p_value": p, "regressor_sd": sd,
                     "within_province_sd": (float(within[f.index].std(ddof=1))
                                            if wave == "stacked" else np.nan),
                     "alpha": alpha, **loo, "converged": bool(conv),
                     "is_headline": (design, kind) == PANEL_HEADLINE})
    out = pd.DataFrame(rows)
    for c in ("loo_min_adcode", "loo_max_adcode"):
        out[c] = out[c].astype("Int64")
    if out["is_headline"].sum() != 1:  # pragma: no cover - edit guard
        raise RuntimeError("the declared panel headline must be fitted exactly once")
    return out, pd.concat(loo_rows, ignore_index=True)


__all__ = ["PANEL_DESIGNS", "fit_panel", "panel_data", "wave_children", "wave_of_year"]
