"""Display views of the model tables (notebook 04): headline, IRR tables, robustness.

Pure functions that reshape the tidy model tables of :mod:`analysis.topics.models.fit`
(``model_coefficients``, ``model_fit``, ``model_loo``, ``model_specification_curve``,
``province_exposures``) into the frames drawn or printed by ``notebooks/04_migration_link.py``
(the drawing is in :mod:`analysis.plots.model_figures`). No model is specified here: the one
computation that needs a fit, :func:`added_variable`, takes a
:class:`analysis.topics.models.fit.Design` and :class:`analysis.topics.models.fit.Fit` made by
:mod:`analysis.topics.models.fit` (step ``derive.models`` stores its result as the table
``model_added_variable``).

Units: ``irr_per_sd`` is the incidence-rate ratio per standard deviation (31 provinces, ddof 1)
of the regressor (log-rate models: the ratio of the posting rate per SD); CIs are 95 %.
Everything here describes **associations between provinces** in **postings on a volunteer
platform**, never effects on children (:data:`CAPTION_CAVEAT`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm

from analysis.topics.models.exposures import LEFT_BEHIND, RATE_BASIS, in_column, out_column
from analysis.topics.models.fit import (
    COUNT_KINDS,
    MAIN_SPEC,
    SIDE_EXPOSURES,
    Design,
    Fit,
    Spec,
    side_of,
)
from analysis.vocab import measures, wording
from analysis.vocab.cases import PERIOD_LABELS
from analysis.vocab.measures import MEASURE_OD_PERIOD, MEASURES
from analysis.vocab.periods import OD_PERIODS
from analysis.vocab.settings import ALPHA, significant

#: Caveat of every model figure: the outcome is postings, the design ecological.
CAPTION_CAVEAT = wording.MODEL_CAVEAT
#: Source line of every model figure (case sources + NBS censuses and surveys; the analysis
#: credit names the libraries), composed from its parts.
SOURCE = wording.source_line(wording.CASE_DATA, wording.MODEL_DATA,
                             analysis=wording.MODEL_ANALYSIS, sep=". ")

#: Main exposures in display order.
EXPOSURE_ORDER = ("out_migration", "in_migration", "other_province_hukou_2010",
                  "other_province_hukou_2020")
#: Exposure id → (English, Chinese) label.
EXPOSURE_LABELS: dict[str, tuple[str, str]] = {
    "out_migration": ("Out-migration rate (matching period)", "跨省迁出率（对应时期）"),
    "in_migration": ("In-migration rate (matching period)", "跨省迁入率（对应时期）"),
    "other_province_hukou_2010": ("Residents with hukou in another province, 2010",
                                  "户口在外省的常住人口占比，2010年"),
    "other_province_hukou_2020": ("Residents with hukou in another province, 2020",
                                  "户口在外省的常住人口占比，2020年"),
}
#: Exposure id → (English, Chinese) short label for narrow chart panels.
EXPOSURE_SHORT: dict[str, tuple[str, str]] = {
    "out_migration": ("Out-migration", "迁出率"),
    "in_migration": ("In-migration", "迁入率"),
    "other_province_hukou_2010": ("Hukou elsewhere\n2010", "外省户口\n2010年"),
    "other_province_hukou_2020": ("Hukou elsewhere\n2020", "外省户口\n2020年"),
}
#: Model kind → (English, Chinese) short label.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "poisson_hc1": ("Poisson, robust SE", "泊松（稳健标准误）"),
    "negbin2": ("Negative binomial", "负二项"),
    "ols_log_rate": ("OLS, log rate", "OLS（对数率）"),
    "ml_lag_log_rate": ("Spatial lag, log rate", "空间滞后（对数率）"),
    "ml_error_log_rate": ("Spatial error, log rate", "空间误差（对数率）"),
}
#: Specification group → (English, Chinese) short label.
GROUP_LABELS: dict[str, tuple[str, str]] = {
    "core": ("Core (31 provinces)", "核心（31省）"),
    "offset_2010": ("Children 2010 as offset", "以2010年儿童数为偏移"),
    "without_largest": ("Without the 3 largest provinces", "去掉人口最多的3省"),
    "by_period": ("One period of loss", "按走失时期"),
    "spatial": ("Spatial / log-rate models", "空间/对数率模型"),
}
#: Covariate set → (English, Chinese) label.
COVARIATE_LABELS: dict[str, tuple[str, str]] = {
    "none": ("unadjusted", "未调整"),
    "adjusted": ("adjusted", "已调整"),
}
#: Where the CI of an IRR lies: above 1, below 1, or covering 1.
CI_STATUS = ("above 1", "below 1", "includes 1")


def ci_status(low: pd.Series, high: pd.Series) -> pd.Series:
    """``'above 1'`` / ``'below 1'`` / ``'includes 1'`` for each 95 % CI of a ratio."""
    out = pd.Series("includes 1", index=low.index, dtype=object)
    out[low > 1] = "above 1"
    out[high < 1] = "below 1"
    return out


# --- headline and IRR tables -----------------------------------------------------------------


def main_exposure_rows(coefficients: pd.DataFrame) -> pd.DataFrame:
    """The main-exposure rows of ``model_coefficients`` with the IRR per SD **recomputed** from
    the raw-unit estimate: ``irr = exp(estimate × regressor_sd)``, CI likewise from
    ``ci_low``/``ci_high`` (so a view can be checked against the stored ``irr_per_sd``)."""
    m = coefficients[coefficients["term_role"] == "main_exposure"].copy()
    sd = m["regressor_sd"].astype(float)
    m["irr"] = np.exp(m["estimate"] * sd)
    m["irr_low"] = np.exp(m["ci_low"] * sd)
    m["irr_high"] = np.exp(m["ci_high"] * sd)
    m["ci_status"] = ci_status(m["irr_low"], m["irr_high"])
    return m


def headline(coefficients: pd.DataFrame, fits: pd.DataFrame, spec: Spec = MAIN_SPEC
             ) -> pd.Series:
    """One row: the main exposure of ``spec`` (default the headline :data:`MAIN_SPEC`) with its
    IRR per SD, 95 % CI, p, n, postings, residual Moran's I and its permutation p."""
    m = main_exposure_rows(coefficients)
    row = m[m["specification"] == spec.spec_id]
    if len(row) != 1:
        raise ValueError(f"{spec.spec_id}: not exactly one main-exposure row")
    f = fits.set_index("specification").loc[spec.spec_id]
    out = row.iloc[0].copy()
    for c in ("postings_total", "residual_moran_i", "residual_moran_p_sim", "max_vif",
              "alpha", "pseudo_r2"):
        out[c] = f[c]
    return out


def side_headline_specs() -> list[Spec]:
    """The headline specification's counterpart for every outcome measure: core NB2, adjusted,
    against the side's main exposure (out-migration for ``lost_*``, in-migration otherwise);
    the added-variable table (step ``derive.models``) is built for these."""
    return [Spec(m, SIDE_EXPOSURES[side_of(m)][0], "adjusted", "negbin2") for m in MEASURES]


def irr_by_outcome(coefficients: pd.DataFrame, fits: pd.DataFrame) -> pd.DataFrame:
    """Core count models of each outcome against its side's main exposure (2 kinds × 2
    covariate sets per outcome): IRR per SD with 95 % CI, p, n, postings, residual Moran's I.

    Rows ordered by outcome (registry order, :data:`~analysis.vocab.measures.MEASURES`), covariate set
    (none, adjusted), kind (Poisson, NB).
    """
    m = main_exposure_rows(coefficients)
    main = {o: SIDE_EXPOSURES[side_of(o)][0] for o in MEASURES}
    keep = ((m["specification_group"] == "core") & m["model_kind"].isin(COUNT_KINDS)
            & (m["main_exposure"] == m["outcome_measure"].map(main)))
    m = m[keep].merge(fits[["specification", "postings_total", "residual_moran_i",
                            "residual_moran_p_sim", "max_vif"]], on="specification",
                      validate="one_to_one")
    m["_o"] = m["outcome_measure"].map({o: i for i, o in enumerate(MEASURES)})
    m["_c"] = m["covariate_set"].map({"none": 0, "adjusted": 1})
    m["_k"] = m["model_kind"].map({k: i for i, k in enumerate(COUNT_KINDS)})
    cols = ["specification", "outcome_measure", "side", "main_exposure", "exposure_column",
            "exposure_period", "exposure_period_matched", "covariate_set", "model_kind", "n",
            "postings_total", "irr", "irr_low", "irr_high", "p_value", "ci_status",
            "residual_moran_i", "residual_moran_p_sim", "max_vif", "is_main"]
    return m.sort_values(["_o", "_c", "_k"], ignore_index=True)[cols]


# --- spatial models and residual autocorrelation ---------------------------------------------


def moran_summary(fits: pd.DataFrame, alpha: float = ALPHA,
                  groups: tuple[str, ...] = ("core", "spatial")) -> pd.DataFrame:
    """Per model kind, fits on all 31 provinces in the specification ``groups``: how many have
    a significant residual Moran's I (permutation p ≤ ``alpha``, the project's rule
    :func:`analysis.vocab.settings.significant`) (columns ``model_kind, fits, significant,
    share``)."""
    f = fits[fits["residual_moran_p_sim"].notna() & fits["specification_group"].isin(groups)]
    g = f.groupby("model_kind", sort=False)["residual_moran_p_sim"]
    out = pd.DataFrame({"fits": g.size(),
                        "significant": g.apply(lambda p: int(significant(p, alpha).sum()))})
    out["share"] = out["significant"] / out["fits"]
    order = {k: i for i, k in enumerate(KIND_LABELS)}
    return (out.reset_index().sort_values("model_kind", key=lambda s: s.map(order),
                                          ignore_index=True))


def spatial_comparison(coefficients: pd.DataFrame, fits: pd.DataFrame) -> pd.DataFrame:
    """Per outcome × covariate set, side by side: the ratio per SD of the main exposure in the
    core NB2 model and in the OLS, ML-lag and ML-error log-rate models, the residual Moran's I
    (and permutation p) of each, the spatial parameter (ρ, λ) with its p, and the lag model's
    total (direct + spill-over) ratio ``exp(β / (1 − ρ))`` (row-standardised weights).

    Long format: one row per outcome × covariate set × kind.
    """
    m = main_exposure_rows(coefficients)
    f = fits.set_index("specification")
    rows = []
    for o in MEASURES:
        exp_id = SIDE_EXPOSURES[side_of(o)][0]
        for cov in ("none", "adjusted"):
            for kind in ("negbin2", "ols_log_rate", "ml_lag_log_rate", "ml_error_log_rate"):
                group = "core" if kind == "negbin2" else "spatial"
                sid = Spec(o, exp_id, cov, kind, group).spec_id
                r = m[m["specification"] == sid].iloc[0]
                fr = f.loc[sid]
                rho = fr["spatial_parameter"]
                total = (np.exp(np.log(r["irr"]) / (1 - rho)) if kind == "ml_lag_log_rate"
                         else np.nan)
                rows.append({"outcome_measure": o, "covariate_set": cov, "model_kind": kind,
                             "specification": sid, "irr": r["irr"], "irr_low": r["irr_low"],
                             "irr_high": r["irr_high"], "ci_status": r["ci_status"],
                             "residual_moran_i": fr["residual_moran_i"],
                             "residual_moran_p_sim": fr["residual_moran_p_sim"],
                             "spatial_parameter": rho,
                             "spatial_parameter_p": fr["spatial_parameter_p"],
                             "lag_total_irr": total})
    return pd.DataFrame(rows)


def hukou_adjustment(coefficients: pd.DataFrame, fits: pd.DataFrame) -> pd.DataFrame:
    """Core count models with a hukou share as main exposure: the IRR per SD unadjusted and
    adjusted side by side, whether adjustment flips the direction (IRR crosses 1), and the
    largest variance-inflation factor of the adjusted model.

    Columns ``outcome_measure, main_exposure, model_kind, irr_none, irr_adjusted,
    status_none, status_adjusted, direction_flips, max_vif_adjusted``.
    """
    m = main_exposure_rows(coefficients)
    m = m[(m["specification_group"] == "core")
          & m["main_exposure"].str.startswith("other_province_hukou")]
    vif = fits.set_index("specification")["max_vif"]
    m = m.assign(max_vif=m["specification"].map(vif))
    keys = ["outcome_measure", "main_exposure", "model_kind"]
    w = m.pivot(index=keys, columns="covariate_set",
                values=["irr", "ci_status", "max_vif"])
    out = pd.DataFrame({"irr_none": w[("irr", "none")], "irr_adjusted": w[("irr", "adjusted")],
                        "status_none": w[("ci_status", "none")],
                        "status_adjusted": w[("ci_status", "adjusted")],
                        "max_vif_adjusted": w[("max_vif", "adjusted")].astype(float)})
    out["direction_flips"] = np.sign(np.log(out["irr_none"].astype(float))) != np.sign(
        np.log(out["irr_adjusted"].astype(float)))
    out = out.reset_index()
    order = {o: i for i, o in enumerate(MEASURES)}
    return out.sort_values(keys, key=lambda s: s.map(order) if s.name == "outcome_measure"
                           else s, ignore_index=True)


# --- robustness -------------------------------------------------------------------------------


def loo_view(loo: pd.DataFrame, specification: str, names: pd.Series) -> pd.DataFrame:
    """The 31 leave-one-province-out refits of one specification, sorted by IRR (then adcode),
    with the province name and whether leaving it out changes the verdict (CI excludes 1 or
    not) of the full fit. ``names``: display names indexed by adcode."""
    v = loo[loo["specification"] == specification].copy()
    if v.empty:
        raise ValueError(f"no leave-one-out refits for {specification}")
    v["province"] = v["left_out_adcode"].map(names)
    v["ci_status"] = ci_status(v["irr_ci_low"], v["irr_ci_high"])
    v["verdict_changes"] = v["ci_excludes_one"] != v["full_ci_excludes_one"]
    cols = ["left_out_adcode", "province", "n", "irr_per_sd", "irr_ci_low", "irr_ci_high",
            "ci_status", "full_irr_per_sd", "irr_ratio_to_full", "verdict_changes", "converged"]
    return v.sort_values(["irr_per_sd", "left_out_adcode"], ignore_index=True)[cols]


def loo_summary(loo: pd.DataFrame, names: pd.Series) -> pd.DataFrame:
    """Per refitted specification: the full IRR and verdict, the range of the 31
    leave-one-out IRRs, the province whose omission moves the IRR most (largest
    |log(IRR / full IRR)|) and how many omissions change the verdict.
    Ordered by outcome, covariate set, kind."""
    rows = []
    for sid, v in loo.groupby("specification", sort=False):
        shift = np.abs(np.log(v["irr_ratio_to_full"]))
        top = v.loc[shift.idxmax()]
        changes = v[v["ci_excludes_one"] != v["full_ci_excludes_one"]]
        rows.append({"specification": sid, "outcome_measure": top["outcome_measure"],
                     "covariate_set": top["covariate_set"], "model_kind": top["model_kind"],
                     "full_irr": top["full_irr_per_sd"],
                     "full_ci_excludes_one": bool(top["full_ci_excludes_one"]),
                     "loo_irr_min": v["irr_per_sd"].min(), "loo_irr_max": v["irr_per_sd"].max(),
                     "most_influential": names[int(top["left_out_adcode"])],
                     "most_influential_adcode": int(top["left_out_adcode"]),
                     "irr_without_it": top["irr_per_sd"],
                     "verdict_changes": len(changes),
                     "verdict_changed_by": ", ".join(
                         names[int(a)] for a in sorted(changes["left_out_adcode"]))})
    out = pd.DataFrame(rows)
    order = {o: i for i, o in enumerate(MEASURES)}
    return out.sort_values(
        ["outcome_measure", "covariate_set", "model_kind"],
        key=lambda s: (s.map(order) if s.name == "outcome_measure" else
                       s.map({"none": 0, "adjusted": 1}) if s.name == "covariate_set" else
                       s.map({k: i for i, k in enumerate(COUNT_KINDS)})),
        ignore_index=True)


def robustness_by_outcome(coefficients: pd.DataFrame, kind: str = "negbin2",
                          covariates: str = "adjusted") -> pd.DataFrame:
    """For every outcome, the main exposure's ratio per SD across the pooled variants of one
    model (``kind``, ``covariates``): core, children 2010 as offset, without the largest
    provinces, and the OLS / spatial lag / spatial error log-rate models.
    Columns ``outcome_measure, variant, variant_label, irr, irr_low, irr_high, ci_status, n``."""
    m = main_exposure_rows(coefficients).set_index("specification")
    variants = [("core", "core", kind, 2020, "all"),
                ("offset_2010", "offset_2010", kind, 2010, "all"),
                ("without_largest", "without_largest", kind, 2020, "without_largest"),
                ("ols_log_rate", "spatial", "ols_log_rate", 2020, "all"),
                ("ml_lag_log_rate", "spatial", "ml_lag_log_rate", 2020, "all"),
                ("ml_error_log_rate", "spatial", "ml_error_log_rate", 2020, "all")]
    labels = {"core": GROUP_LABELS["core"][0], "offset_2010": GROUP_LABELS["offset_2010"][0],
              "without_largest": GROUP_LABELS["without_largest"][0],
              **{k: KIND_LABELS[k][0] for k in ("ols_log_rate", "ml_lag_log_rate",
                                                "ml_error_log_rate")}}
    rows = []
    for o in MEASURES:
        exp_id = SIDE_EXPOSURES[side_of(o)][0]
        for variant, group, k, offset, sample in variants:
            sid = Spec(o, exp_id, covariates, k, group, offset_year=offset, sample=sample).spec_id
            r = m.loc[sid]
            rows.append({"outcome_measure": o, "variant": variant,
                         "variant_label": labels[variant], "specification": sid,
                         "irr": r["irr"], "irr_low": r["irr_low"], "irr_high": r["irr_high"],
                         "ci_status": r["ci_status"], "n": int(r["n"])})
    return pd.DataFrame(rows)


def by_period(coefficients: pd.DataFrame, fits: pd.DataFrame) -> pd.DataFrame:
    """Period-by-period fits (``by_period`` group): the out-migration IRR per SD of the O–D
    period matching the period of loss, per measure × period × covariate set × kind, with the
    postings of that period. Ordered by measure, period, covariate set, kind."""
    m = main_exposure_rows(coefficients)
    m = m[m["specification_group"] == "by_period"].merge(
        fits[["specification", "postings_total"]], on="specification", validate="one_to_one")
    m["_o"] = m["outcome_measure"].map({o: i for i, o in enumerate(MEASURES)})
    m["_p"] = m["period"].map({p: i for i, p in enumerate(PERIOD_LABELS)})
    m["_c"] = m["covariate_set"].map({"none": 0, "adjusted": 1})
    m["_k"] = m["model_kind"].map({k: i for i, k in enumerate(COUNT_KINDS)})
    cols = ["specification", "outcome_measure", "period", "exposure_period",
            "exposure_period_matched", "covariate_set", "model_kind", "offset_year",
            "postings_total", "irr", "irr_low", "irr_high", "ci_status"]
    return m.sort_values(["_o", "_p", "_c", "_k"], ignore_index=True)[cols]


# --- specification curve ----------------------------------------------------------------------


def spec_curve_view(curve: pd.DataFrame, gap: int = 4) -> pd.DataFrame:
    """The specification curve for drawing: panels by main exposure (:data:`EXPOSURE_ORDER`),
    within each sorted by IRR (ties by specification id), with an x ``position`` (panels
    separated by ``gap`` empty slots) and the CI status."""
    order = {e: i for i, e in enumerate(EXPOSURE_ORDER)}
    v = curve.assign(_e=curve["main_exposure"].map(order))
    if v["_e"].isna().any():
        raise ValueError("unknown main exposure in the specification curve")
    v = v.sort_values(["_e", "irr_per_sd", "specification"], ignore_index=True)
    v["position"] = np.arange(len(v)) + v["_e"].astype(int) * gap
    v["ci_status"] = ci_status(v["irr_ci_low"], v["irr_ci_high"])
    return v.drop(columns="_e")


def spec_counts(curve: pd.DataFrame) -> dict[str, int]:
    """Counts of specifications: ``total``, ``excludes_one`` (95 % CI excludes 1), ``above``
    and ``below`` 1, and ``expected_by_chance`` (α = 5 % of the total, rounded; the
    specifications are not independent, so this is a yardstick, not a test)."""
    s = ci_status(curve["irr_ci_low"], curve["irr_ci_high"])
    return {"total": len(curve), "excludes_one": int((s != "includes 1").sum()),
            "above": int((s == "above 1").sum()), "below": int((s == "below 1").sum()),
            "expected_by_chance": round(ALPHA * len(curve))}


def spec_counts_by(curve: pd.DataFrame, by: str) -> pd.DataFrame:
    """:func:`spec_counts` per value of column ``by`` (in order of first appearance)."""
    rows = [{by: k, **spec_counts(g)} for k, g in curve.groupby(by, sort=False)]
    return pd.DataFrame(rows).drop(columns="expected_by_chance")


# --- added-variable plots ---------------------------------------------------------------------


def added_variable(d: Design, f: Fit) -> pd.DataFrame:
    """Added-variable (partial-regression) data of the main exposure of a fitted design.

    * Count models (Poisson, NB2): the last IRLS step of the GLM at the fitted β (and α̂ for
      NB2, where the GLM with fixed α̂ has the same β). Working response
      ``z = Xβ + (y − μ)/μ`` (log link, offset excluded), weights ``w = μ / (1 + αμ)``
      (Poisson: α = 0). ``z`` and the z-scored exposure are each residualised on the other
      regressors (constant + covariates) by weighted least squares (``statsmodels.WLS``). By
      Frisch–Waugh–Lovell the weighted slope of the residualised ``z`` on the residualised
      exposure equals β of the exposure wherever the score is zero (at the ML estimate).
    * ``ols_log_rate``: the same with ``z`` = the log rate and unit weights — FWL exactly.

    Returns one row per province: ``adcode``, ``exposure_resid`` (SD units of the exposure,
    other regressors partialled out), ``outcome_resid`` (log rate, partialled out), ``weight``
    (normalised to mean 1), ``postings_count``. ``attrs["slope"]`` is the weighted slope
    (= log IRR per SD), ``attrs["coefficient"]`` the model's.
    """
    spec = d.spec
    X = np.column_stack([np.ones(len(d.y)), d.X.to_numpy()])
    j = f.terms.index(spec.exposure)
    beta = np.asarray(f.params, float)
    if spec.kind in COUNT_KINDS:
        alpha = 0.0 if not np.isfinite(f.alpha) else float(f.alpha)
        eta = X @ beta
        mu = np.exp(eta + d.offset)
        z = eta + (d.y - mu) / mu
        w = mu / (1 + alpha * mu)
    elif spec.kind == "ols_log_rate":
        z, w = d.log_rate, np.ones(len(d.y))
    else:
        raise ValueError(f"added-variable plot not defined for {spec.kind}")
    others = np.delete(X, j, axis=1)
    ez = sm.WLS(z, others, weights=w).fit().resid
    ex = sm.WLS(X[:, j], others, weights=w).fit().resid
    slope = float(sm.WLS(ez, ex, weights=w).fit().params[0])
    out = pd.DataFrame({"adcode": d.adcode.astype("int64"), "exposure_resid": np.asarray(ex),
                        "outcome_resid": np.asarray(ez), "weight": w / w.mean(),
                        "postings_count": d.y.astype("int64")})
    out.attrs.update(slope=slope, coefficient=float(beta[j]), specification=spec.spec_id)
    return out


# --- exposures ---------------------------------------------------------------------------------


def exposure_summary(exposures: pd.DataFrame) -> pd.DataFrame:
    """The regressors of the models across the 31 provinces: column, what it is, period or year,
    basis, mean, SD (ddof 1), min, max and the provinces with a value."""
    rows = []
    for p in OD_PERIODS:
        for kind, col in (("out-migration per 1,000", out_column(p)),
                          ("in-migration per 1,000", in_column(p))):
            rows.append((col, kind, p, RATE_BASIS[p]))
    for y in (2010, 2020):
        rows.append((f"other_province_hukou_{y}_share", "share of residents with hukou in "
                     "another province", str(y), "census"))
    rows += [("urban_2010_share", "urban share of residents", "2010", "census"),
             ("schooling_years_15plus_2010", "mean years of schooling, aged 15+", "2010",
              "census"),
             ("sex_ratio_2020_males_per_100_females", "males per 100 females", "2020",
              "census")]
    out = []
    for col, what, when, basis in rows:
        x = exposures[col].astype(float)
        out.append({"column": col, "measure": what, "period_or_year": when, "basis": basis,
                    "mean": x.mean(), "sd": x.std(ddof=1), "min": x.min(), "max": x.max(),
                    "provinces": int(x.notna().sum())})
    return pd.DataFrame(out)


def left_behind_coverage(exposures: pd.DataFrame) -> pd.DataFrame:
    """Partial left-behind-children figures: per column (one definition, one source, one year,
    never pooled), the provinces that have a figure. Columns ``column, definition, sources,
    reference_year, provinces, adcodes``."""
    rows = []
    for col, (definition, sources, year) in LEFT_BEHIND.items():
        has = exposures.loc[exposures[col].notna(), "adcode"].astype(int).tolist()
        rows.append({"column": col, "definition": definition, "sources": ", ".join(sources),
                     "reference_year": year, "provinces": len(has),
                     "adcodes": sorted(has)})
    return pd.DataFrame(rows)


def outcome_exposure_periods() -> pd.DataFrame:
    """Which O–D period each pooled outcome is modelled against, whether it matches the
    outcome's years, and why (:data:`analysis.vocab.measures.MEASURE_OD_PERIOD`)."""
    rows = [{"outcome_measure": m, "side": side_of(m),
             "main_exposure": SIDE_EXPOSURES[side_of(m)][0], "exposure_period": p,
             "period_matched": matched, "why": why}
            for m, (p, matched, why) in MEASURE_OD_PERIOD.items()]
    return pd.DataFrame(rows)


# --- labels of dense charts ----------------------------------------------------------------

#: Short outcome labels for dense charts: measure → (English, Chinese) (a view of the registry).
OUTCOME_SHORT: dict[str, tuple[str, str]] = measures.OUTCOME_SHORT


__all__ = ["CAPTION_CAVEAT", "CI_STATUS", "COVARIATE_LABELS", "EXPOSURE_LABELS",
           "EXPOSURE_ORDER", "EXPOSURE_SHORT", "GROUP_LABELS", "KIND_LABELS", "OUTCOME_SHORT",
           "SOURCE", "added_variable", "by_period", "ci_status", "exposure_summary", "headline",
           "hukou_adjustment", "irr_by_outcome", "left_behind_coverage", "loo_summary",
           "loo_view", "main_exposure_rows", "moran_summary", "outcome_exposure_periods",
           "robustness_by_outcome", "side_headline_specs", "spatial_comparison", "spec_counts",
           "spec_counts_by", "spec_curve_view"]
