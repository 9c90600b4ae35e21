"""Schemas of the exposure table and the model tables (step ``derive.models``)."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.cases import PERIOD_LABELS
from analysis.vocab.columns import (
    adcode_column,
    count_column,
    flag_column,
    float_column,
    int_column,
    one_row_per,
    p_column,
    persons_column,
    share_column,
    text_column,
)
from analysis.vocab.measures import MEASURE_OD_PERIOD, MEASURES, MODEL_SIDES
from analysis.vocab.periods import CASE_PERIOD_OD, MODEL_ALL_PERIODS, OD_PERIODS, od_period_key
from analysis.vocab.settings import MORAN_PERMUTATIONS
from analysis.vocab.wording import MODEL_TABLE_CAVEAT as _CAVEAT

# --- the models' vocabulary (used by exposures, fit and views of this room) ------------------

#: Model kinds: id → description.
MODEL_KINDS: dict[str, str] = {
    "poisson_hc1": "Poisson GLM, offset log(children 0–14), HC1 robust errors",
    "negbin2": "negative binomial NB2 (ML α), offset log(children 0–14), model-based errors",
    "ols_log_rate": "OLS on log((postings+0.5)/children ×1e5) (spreg.OLS)",
    "ml_lag_log_rate": "ML spatial lag on log((postings+0.5)/children ×1e5) (spreg.ML_Lag)",
    "ml_error_log_rate": "ML spatial error on log((postings+0.5)/children ×1e5) (spreg.ML_Error)",
}
#: Exposures per model side; the first is the side's main exposure.
SIDE_EXPOSURES: dict[str, tuple[str, ...]] = {
    "missing": ("out_migration", "other_province_hukou_2010", "other_province_hukou_2020"),
    "found_current": ("in_migration", "other_province_hukou_2010", "other_province_hukou_2020"),
}
#: Covariate sets per side: id → exposure-table columns.
COVARIATES: dict[str, dict[str, tuple[str, ...]]] = {
    "missing": {"none": (),
                "adjusted": ("urban_2010_share", "schooling_years_15plus_2010")},
    "found_current": {"none": (),
                      "adjusted": ("urban_2010_share", "schooling_years_15plus_2010",
                                   "sex_ratio_2020_males_per_100_females")},
}
#: Case periods are modelled only when the measure has at least this many postings in them.
MIN_PERIOD_POSTINGS = 100
#: Continuity correction of the log rates.
LOG_RATE_ADD = 0.5
#: The headline specification, fixed in advance (its ``specification`` id: group|kind|outcome|
#: exposure|covariates|sample|period|offset year): NB2 of families' postings of children missing
#: 1999–2021 against out-migration 2005–2010, adjusted for urban share and schooling.
MAIN_SPECIFICATION = ("core|negbin2|lost_uiuing_missing|out_migration|adjusted|all|"
                      f"{MODEL_ALL_PERIODS}|offset2020")
#: Columns of ``model_fit`` holding spreg's LM tests of the OLS residuals (statistic, p).
OLS_DIAGNOSTIC_COLUMNS = ("lm_lag", "lm_lag_p", "lm_error", "lm_error_p", "robust_lm_lag",
                          "robust_lm_lag_p", "robust_lm_error", "robust_lm_error_p", "lm_sarma",
                          "lm_sarma_p")
#: Number of most populous provinces (2020 census) left out in the "without the largest" runs.
LARGEST_N = 3
#: Basis of the migration rates per O–D period.
RATE_BASIS: dict[str, str] = {
    "1995–2000": "rough expansion: migrants (sample ÷ 0.095, aged 5+) per 1,000 year-end 2000 "
                 "residents (all ages); the 1995–2000 table counts movers only",
    **{p: "inside the table: migrants aged 5+ per 1,000 sample persons at risk (out) or "
          "resident (in)" for p in OD_PERIODS[1:]},
}


def out_column(period: str) -> str:
    """Column of ``province_exposures`` holding the out-migration rate of an O–D period."""
    return f"out_migration_{od_period_key(period)}_per_1000"


def in_column(period: str) -> str:
    """Column of ``province_exposures`` holding the in-migration rate of an O–D period."""
    return f"in_migration_{od_period_key(period)}_per_1000"


if set(SIDE_EXPOSURES) != set(MODEL_SIDES) or set(COVARIATES) != set(MODEL_SIDES):  # pragma: no cover
    raise RuntimeError("SIDE_EXPOSURES and COVARIATES must have one entry per model side")

# --- schemas ---------------------------------------------------------------------------------

_GROUPS = ["core", "offset_2010", "without_largest", "by_period", "spatial"]
_EXPOSURE_IDS = sorted({e for v in SIDE_EXPOSURES.values() for e in v})
_COV_IDS = sorted({c for v in COVARIATES.values() for c in v})
_COV_COLUMNS = sorted({c for v in COVARIATES.values() for cs in v.values() for c in cs})
_PERIODS = [MODEL_ALL_PERIODS, *PERIOD_LABELS]
_TERMS = ["const", *_EXPOSURE_IDS, *_COV_COLUMNS, "alpha", "rho", "lambda"]
_INPUTS = ["migration_by_province", "census_hukou_province", "census_city_province",
           "census2020_province", "left_behind_children", "population_yearend"]
_MODEL_SOURCES = ["province_exposures", "case_rates", "case_counts_by_period", "boundaries_ocha"]


def _spec_columns(*, exposure_column: bool = True) -> dict[str, pa.Column]:
    cols = {
        "specification": text_column("specification id: group|kind|outcome|exposure|covariates|"
                               "sample|period|offset year"),
        "specification_group": text_column(
            "core (31 provinces, pooled, offset children 2020); offset_2010; without_largest "
            f"({LARGEST_N} most populous provinces left out); by_period (case period vs the "
            "matching O–D period); spatial (log-rate models)", isin=_GROUPS),
        "model_kind": text_column("; ".join(f"{k} = {v}" for k, v in MODEL_KINDS.items()),
                                  isin=list(MODEL_KINDS)),
        "outcome_measure": text_column("case_rates measure modelled (postings per province)",
                                       isin=list(MEASURES)),
        "side": text_column("missing (lost_* measures) or found_current",
                            isin=list(MODEL_SIDES)),
        "period": text_column("case period of the postings (year missing) or pooled",
                              isin=_PERIODS),
        "sample": text_column("all (31 provinces) or without_largest",
                              isin=["all", "without_largest"]),
        "covariate_set": text_column(
            "none, or adjusted: " + "; ".join(f"{s}: {', '.join(v['adjusted'])}"
                                               for s, v in COVARIATES.items()), isin=_COV_IDS),
        "main_exposure": text_column("main exposure of the specification (one per model)",
                                     isin=_EXPOSURE_IDS),
    }
    if exposure_column:
        cols["exposure_column"] = text_column("province_exposures column of the main exposure")
    cols.update({
        "exposure_period": text_column("O–D period of the migration exposure",
                                       isin=list(OD_PERIODS)),
        "exposure_period_matched": flag_column("the O–D period overlaps the outcome's years (False: "
                                         "undated outcome or years before any O–D table)"),
        "offset_year": int_column("census year of the children aged 0–14 in the offset "
                                  "(denominator)", "year"),
    })
    return cols


_SPEC_NOTES = (
    "Pooled outcome → O–D period: " + "; ".join(f"{k}: {v[0]} ({v[2]})"
                                                 for k, v in MEASURE_OD_PERIOD.items())
    + ". Case period → O–D period: " + "; ".join(
        f"{k}: {v[0]}{'' if v[1] else ' (not matched)'}" for k, v in CASE_PERIOD_OD.items())
    + f"; periods with fewer than {MIN_PERIOD_POSTINGS} postings are not modelled. Headline "
    f"specification (is_main): {MAIN_SPECIFICATION}. Regressors are z-scored with the mean and "
    "SD (ddof 1) of all 31 provinces; IRR per SD = exp(estimate × regressor_sd). Log-rate "
    f"models: y = log((postings + {LOG_RATE_ADD}) / children × 100,000), the +{LOG_RATE_ADD} "
    "keeping zero counts finite. ")

_LEFT_BEHIND_NOTE = ("PARTIAL: no complete provincial table of left-behind children exists; each "
                     "left-behind column holds one definition from one source (never pooled): "
                     "ACWF 2013 (rural, 0–17, one or both parents away, 2010 census sample; "
                     "Sichuan and Henan derived from published shares) and the MCA roster "
                     "(rural hukou, under 16, both parents away; 2016 provincial releases, "
                     "2018). Not used as a model regressor.")

SCHEMAS = {
    "province_exposures": pa.DataFrameSchema(
        {
            "adcode": adcode_column(),
            **{out_column(p): float_column(f"inter-provincial out-migration {p} (aged 5+): "
                                     + RATE_BASIS[p], "per 1,000 persons",
                                     checks=[pa.Check.ge(0)]) for p in OD_PERIODS},
            **{in_column(p): float_column(f"inter-provincial in-migration {p} (aged 5+): "
                                    + RATE_BASIS[p], "per 1,000 persons",
                                    checks=[pa.Check.ge(0)]) for p in OD_PERIODS},
            "other_province_hukou_2010_share": share_column(
                "residents with hukou in another province, 2010 census ÷ year-end 2010 "
                "population (census_hukou_province)"),
            "other_province_hukou_2020_share": share_column(
                "residents with hukou in another province, 2020 census (census_hukou_province)"),
            "left_behind_acwf_2010_persons": persons_column(
                "left-behind children, ACWF 2013 definition (rural, 0–17, one or both parents "
                "away), 2010; missing where not published (PARTIAL)", nullable=True),
            "left_behind_mca_2016_persons": persons_column(
                "left-behind children, MCA roster definition (rural hukou, under 16, both "
                "parents away), 2016 provincial releases; missing where not published "
                "(PARTIAL)", nullable=True),
            "left_behind_mca_2018_persons": persons_column(
                "left-behind children, MCA roster definition, 2018; missing where not "
                "published (PARTIAL)", nullable=True),
            "left_behind_sources": text_column("left-behind figures this province has "
                                               "(source_id (year); ...) or none"),
            "children_0_14_2010_persons": persons_column(
                "children aged 0–14, 2010 (estimate: prefecture census age share × NBS "
                "year-end population; census_city_province)"),
            "children_0_14_2020_persons": persons_column(
                "children aged 0–14, 2020 census (census2020_province)"),
            "urban_2010_share": share_column("urban share of residents, 2010 census "
                                             "(census_city_province)"),
            "urban_2020_share": share_column("urban share of residents, 2020 census "
                                             "(census_city_province); missing for Xinjiang",
                                             nullable=True),
            "schooling_years_15plus_2010": float_column("mean years of schooling aged 15+, 2010 "
                                                  "(census2020_province)", "years"),
            "schooling_years_15plus_2020": float_column("mean years of schooling aged 15+, 2020 "
                                                  "(census2020_province)", "years"),
            "sex_ratio_2020_males_per_100_females": float_column(
                "sex ratio of residents, 2020 census (census2020_province)",
                "males per 100 females"),
            "population_2020_persons": persons_column("resident population, 2020 census"),
            "largest_province": flag_column(f"one of the {LARGEST_N} most populous provinces (2020 "
                                      "census), left out in the without_largest models"),
        },
        strict=True, ordered=True, **one_row_per("adcode"),
        description="Per-province exposures and controls of the migration models: one row per "
                    "mainland province (31).",
        metadata={"sources": _INPUTS,
                  "notes": "Migration rates of every five-year O–D period (the models use the "
                           "period matching the outcome). 1995–2000 rates are rough expansions "
                           "on a different basis (see the column descriptions). "
                           + _LEFT_BEHIND_NOTE},
    ),
    "model_coefficients": pa.DataFrameSchema(
        {
            **_spec_columns(),
            "term": text_column("model term: const, the main exposure id, a covariate "
                                "column, alpha (NB dispersion), rho (spatial lag), lambda "
                                "(spatial error)", isin=_TERMS),
            "term_column": text_column("province_exposures column of the term (the term "
                                       "itself for const/alpha/rho/lambda)"),
            "term_role": text_column("intercept, main_exposure, covariate, dispersion, "
                                     "spatial", isin=["intercept", "main_exposure",
                                                      "covariate", "dispersion", "spatial"]),
            "estimate": float_column("coefficient per unit of the raw regressor (log rate ratio); "
                               "const: log rate per child at the 31-province means (count "
                               "models) or log rate per 100,000 (log-rate models); alpha, "
                               "rho, lambda as estimated", "log ratio per unit"),
            "std_error": float_column("standard error of the estimate (HC1 for poisson_hc1, "
                                "inverse Hessian for ML, OLS for ols_log_rate)",
                                "log ratio per unit", checks=[pa.Check.ge(0)]),
            "ci_low": float_column("lower 95 % confidence limit of the estimate (normal; t with "
                             "n − k df for OLS)", "log ratio per unit"),
            "ci_high": float_column("upper 95 % confidence limit of the estimate",
                              "log ratio per unit"),
            "p_value": p_column("two-sided p-value of the Wald test (z; t for OLS)"),
            "regressor_sd": float_column("SD (ddof 1, 31 provinces) of the regressor",
                                   "unit of the regressor", nullable=True,
                                   checks=[pa.Check.gt(0)]),
            "irr_per_sd": float_column("incidence-rate ratio per SD of the regressor = exp(estimate "
                                 "× regressor_sd) (log-rate models: ratio of the rate per "
                                 "SD); missing for const/alpha/rho/lambda", "ratio",
                                 nullable=True, checks=[pa.Check.gt(0)]),
            "irr_ci_low": float_column("lower 95 % limit of irr_per_sd", "ratio", nullable=True),
            "irr_ci_high": float_column("upper 95 % limit of irr_per_sd", "ratio", nullable=True),
            "n": count_column("provinces in the fit"),
            "robust_se": flag_column("standard errors are heteroskedasticity-robust (HC1)"),
            "is_main": flag_column("the headline specification, fixed in advance"),
        },
        strict=True, ordered=True, **one_row_per("specification", "term"),
        description="Model coefficients: one row per specification × term, with IRR per SD "
                    "and 95 % CIs.",
        metadata={"sources": _MODEL_SOURCES, "notes": _SPEC_NOTES + _CAVEAT},
    ),
    "model_fit": pa.DataFrameSchema(
        {
            **_spec_columns(exposure_column=False),
            "is_main": flag_column("the headline specification"),
            "n": count_column("provinces in the fit"),
            "n_params": count_column("estimated parameters (incl. alpha, rho/lambda; "
                                     "excl. the error variance)"),
            "postings_total": count_column("postings of the outcome over the provinces fitted"),
            "log_likelihood": float_column("maximised log-likelihood", "log-likelihood"),
            "aic": float_column("Akaike information criterion (statsmodels; spreg models: −2 llf "
                          "+ 2 × (n_params + 1 error variance))", "AIC"),
            "deviance": float_column("deviance (count models; NB at the ML alpha)", "deviance",
                               nullable=True),
            "pseudo_r2": float_column("count models: McFadden 1 − llf/llf₀ with llf₀ of the "
                                "intercept + offset model of the same kind; OLS: R²; spatial: "
                                "spreg pseudo-R² (squared correlation of y and fit)", "share",
                                nullable=True),
            "pearson_chi2_per_df": float_column("Pearson χ² / (n − k) of count models "
                                          "(overdispersion: ≫ 1 means Poisson errors are too "
                                          "small without HC)", "ratio", nullable=True),
            "alpha": float_column("NB2 dispersion α (Var = μ + αμ²)", "dispersion", nullable=True),
            "alpha_se": float_column("standard error of α", "dispersion", nullable=True),
            "spatial_parameter": float_column("rho (lag) or lambda (error) of the spatial models",
                                        "coefficient", nullable=True),
            "spatial_parameter_p": p_column("p-value of rho/lambda", nullable=True),
            "max_vif": float_column("largest variance-inflation factor of the regressors", "ratio",
                              checks=[pa.Check.ge(1 - 1e-9)]),
            "residual_type": text_column(
                "residuals tested: pearson (count models), ols, lag_u (y − ρWy − Xβ), "
                "error_filtered (u − λWu)",
                isin=["pearson", "ols", "lag_u", "error_filtered"]),
            "residual_moran_i": float_column("global Moran's I of the residuals (row-standardised "
                                       "queen weights; fits on all 31 provinces only)",
                                       "Moran's I", nullable=True),
            "residual_moran_expected_i": float_column(
                "E[I] under no autocorrelation: for ols_log_rate the mean for regression "
                "residuals, tr(MW)/(n − k) (spreg MoranRes); for the other kinds esda's "
                "−1/(n − 1), the mean for raw values (residuals of a fitted model are not "
                "exchangeable, so for them it is an approximation)", "Moran's I",
                nullable=True),
            "residual_moran_p_sim": p_column(
                f"permutation pseudo p-value ({MORAN_PERMUTATIONS} seeded permutations of "
                "the residuals, analysis.stats.hotspots.global_moran: esda's directed "
                "alternative, one-sided in the direction of the observed I). Permuting residuals treats them "
                "as exchangeable, which residuals of a fitted model are not: approximate "
                "for every kind; for OLS see residual_moran_p_norm and the LM tests",
                nullable=True),
            "residual_moran_p_norm": p_column(
                "two-sided normal p-value of I: for ols_log_rate with the mean and variance "
                "for regression residuals (spreg); for the other kinds with esda's raw-value "
                "moments (an approximation for model residuals)", nullable=True),
            "residual_moran_norm_basis": text_column(
                "moments behind residual_moran_expected_i and residual_moran_p_norm",
                isin=["regression-residual moments (spreg)", "raw-value moments (esda)",
                      "none"]),
            **{c: (p_column(f"p-value of {c.removesuffix('_p').replace('_', ' ')} (spreg, χ²; "
                      "ols_log_rate only)", nullable=True) if c.endswith("_p") else
                   float_column(f"{c.replace('_', ' ')} statistic on the OLS residuals "
                          "(spreg.OLS spat_diag, χ²; ols_log_rate only)", "chi-square",
                          nullable=True))
               for c in OLS_DIAGNOSTIC_COLUMNS},
            "converged": flag_column("the optimiser converged (NB: score below 1e-5)"),
        },
        strict=True, ordered=True, **one_row_per("specification"),
        description="Model fit statistics and residual spatial autocorrelation: one row per "
                    "specification.",
        metadata={"sources": _MODEL_SOURCES, "notes": _SPEC_NOTES + _CAVEAT},
    ),
    "model_loo": pa.DataFrameSchema(
        {
            "specification": text_column("specification refitted (core count model of a main "
                                   "exposure)"),
            "model_kind": text_column("poisson_hc1 or negbin2", isin=list(MODEL_KINDS)),
            "outcome_measure": text_column("case_rates measure", isin=list(MEASURES)),
            "side": text_column("missing or found_current", isin=list(MODEL_SIDES)),
            "covariate_set": text_column("none or adjusted", isin=_COV_IDS),
            "main_exposure": text_column("main exposure", isin=_EXPOSURE_IDS),
            "exposure_column": text_column("province_exposures column of the main exposure"),
            "left_out_adcode": adcode_column("province left out of this refit"),
            "n": count_column("provinces in the refit (30)"),
            "log_irr_per_sd": float_column("coefficient of the main exposure per SD (SD of all 31 "
                                     "provinces)", "log ratio per SD"),
            "std_error_per_sd": float_column("its standard error", "log ratio per SD",
                                       checks=[pa.Check.ge(0)]),
            "irr_per_sd": float_column("IRR per SD without this province", "ratio",
                                 checks=[pa.Check.gt(0)]),
            "irr_ci_low": float_column("lower 95 % limit", "ratio"),
            "irr_ci_high": float_column("upper 95 % limit", "ratio"),
            "p_value": p_column("two-sided p-value"),
            "ci_excludes_one": flag_column("the 95 % CI of this refit excludes 1"),
            "full_irr_per_sd": float_column("IRR per SD with all 31 provinces", "ratio"),
            "full_ci_excludes_one": flag_column("the 95 % CI of the full fit excludes 1"),
            "irr_ratio_to_full": float_column("irr_per_sd ÷ full_irr_per_sd: how much this province "
                                        "moves the result", "ratio"),
            "converged": flag_column("the refit converged"),
            "is_main": flag_column("refit of the headline specification"),
        },
        strict=True, ordered=True, **one_row_per("specification", "left_out_adcode"),
        description="Leave-one-province-out refits: the main exposure's IRR per SD without "
                    "each province (31 rows per specification).",
        metadata={"sources": _MODEL_SOURCES,
                  "notes": "Refitted: the core count models (poisson_hc1, negbin2; both "
                           "covariate sets) of each measure's main exposure (out-migration "
                           "for the missing side, in-migration for the found/current side). "
                           "The SD is that of all 31 provinces in every refit. " + _CAVEAT},
    ),
    "model_specification_curve": pa.DataFrameSchema(
        {
            **_spec_columns(),
            "n": count_column("provinces in the fit"),
            "postings_total": count_column("postings of the outcome over the provinces fitted"),
            "irr_per_sd": float_column("IRR per SD of the main exposure (log-rate models: rate "
                                 "ratio per SD)", "ratio", checks=[pa.Check.gt(0)]),
            "irr_ci_low": float_column("lower 95 % limit", "ratio"),
            "irr_ci_high": float_column("upper 95 % limit", "ratio"),
            "p_value": p_column("two-sided p-value"),
            "ci_excludes_one": flag_column("the 95 % CI excludes 1"),
            "rank_within_exposure": int_column("rank of irr_per_sd among the specifications of "
                                               "the same main exposure (1 = smallest)", "rank"),
            "residual_moran_i": float_column("residual Moran's I (fits on 31 provinces)",
                                       "Moran's I", nullable=True),
            "residual_moran_p_sim": p_column("its permutation p-value", nullable=True),
            "converged": flag_column("the fit converged"),
            "is_main": flag_column("the headline specification"),
        },
        strict=True, ordered=True, **one_row_per("specification"),
        description="Specification curve: the main exposure's IRR per SD in every "
                    "specification, one row each (the row count is the number of "
                    "specifications).",
        metadata={"sources": ["model_coefficients", "model_fit"],
                  "notes": _SPEC_NOTES + _CAVEAT},
    ),
    "model_added_variable": pa.DataFrameSchema(
        {
            "specification": text_column("specification: the headline specification's "
                                         "counterpart of the outcome (core, NB2, adjusted, the "
                                         "side's main exposure)"),
            "outcome_measure": text_column("case_rates measure", isin=list(MEASURES)),
            "main_exposure": text_column("main exposure", isin=_EXPOSURE_IDS),
            "model_kind": text_column("model kind", isin=list(MODEL_KINDS)),
            "covariate_set": text_column("covariate set", isin=_COV_IDS),
            "adcode": adcode_column(),
            "exposure_resid": float_column("main exposure (z-scored) with the other regressors "
                                     "(constant, covariates) partialled out by weighted least "
                                     "squares", "SD of the exposure"),
            "outcome_resid": float_column("working response of the model's last IRLS step (log "
                                    "postings per child, offset excluded) with the other "
                                    "regressors partialled out", "log rate"),
            "weight": float_column("IRLS weight μ / (1 + αμ), normalised to mean 1 over the 31 "
                             "provinces", "weight", checks=[pa.Check.gt(0)]),
            "postings_count": count_column("postings of the outcome in the province"),
            "slope": float_column("weighted least-squares slope of outcome_resid on exposure_resid "
                            "(the same on every row of a specification)", "log ratio per SD"),
            "coefficient": float_column("the model's coefficient of the main exposure (log IRR per "
                                  "SD); equals slope by the Frisch–Waugh–Lovell theorem",
                                  "log ratio per SD"),
        },
        strict=True, ordered=True, **one_row_per("specification", "adcode"),
        description="Added-variable (partial-regression) data of the main exposure: one row "
                    "per specification × province, for the headline specification's "
                    "counterpart of every outcome.",
        metadata={"sources": _MODEL_SOURCES,
                  "notes": "Count models: z = Xβ + (y − μ)/μ and w = μ / (1 + αμ) at the fitted "
                           "β and α (analysis.topics.models.views.added_variable); both z and the "
                           "exposure are residualised on the other regressors by WLS, so the "
                           "weighted slope equals the coefficient. " + _CAVEAT},
    ),
}
