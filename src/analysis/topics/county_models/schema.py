"""Schemas of the county exposure and county model tables (step ``topics.county_models``)."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import (
    adcode_column,
    count_column,
    flag_column,
    float_column,
    one_row_per,
    p_column,
    persons_column,
    text_column,
)
from analysis.vocab.county_exposures import COUNTY_EXPOSURES
from analysis.vocab.settings import MORAN_PERMUTATIONS
from analysis.vocab.wording import COUNTY_MODEL_TABLE_CAVEAT

# --- the room's vocabulary -------------------------------------------------------------------

#: Outcome measures of the county models: measure id → side.
COUNTY_MODEL_MEASURES: dict[str, str] = {"lost_uiuing_missing": "lost",
                                         "found_uiuing_success": "found"}
#: Specification ids → description.
COUNTY_SPECS: dict[str, str] = {
    "fe_adjusted": "NB2, province fixed effects, exposures + controls",
    "fe_exposures": "NB2, province fixed effects, exposures only",
    "pooled_adjusted": "NB2, no fixed effects, exposures + controls",
    "pooled_exposures": "NB2, no fixed effects, exposures only",
}
#: The headline specification, declared before the fit: NB2 of the families' postings
#: (where children went missing) with province fixed effects, out-migration share 2010 and
#: child sex ratio 0–4 2010 in the same model, urban/college/farm controls, offset log
#: children 0–14 (2010), errors clustered by 2020 prefecture.
HEADLINE = ("lost_uiuing_missing", "fe_adjusted")
#: Sensitivity checks of every ``fe_adjusted`` fit.
CHECKS: dict[str, str] = {
    "poisson": "Poisson GLM, same design, errors clustered by prefecture",
    "zinb": "zero-inflated NB2 (constant inflation logit), same count design, clustered errors",
    "sending_only": "NB2 refit on the sending counties only (out-migration share 2010 ≥ 0: "
                    "more registered than resident), z-scores recomputed over them",
    "loo_province": "NB2 refit without one province (one row per left-out province; point "
                    "estimates, model-based fit)",
}
#: Terms of the estimates table.
TERM_ROLES = ["exposure", "control"]
CLUSTER = "prefecture (2020 unit of census_city_prefecture)"

_EXPOSURE_IDS = [e.id for e in COUNTY_EXPOSURES]
_WALD_P = "two-sided p-value (Wald z, clustered errors)"
_SOURCES = ["census_county", "census_county_crosswalk", "left_behind_children",
            "county_case_counts"]


_SPEC = text_column("specification: " + "; ".join(f"{k} = {v}" for k, v in COUNTY_SPECS.items()),
                    isin=list(COUNTY_SPECS))
_MEASURE = text_column("outcome measure (postings per county unit): "
                       + "; ".join(f"{k} ({v} side)" for k, v in COUNTY_MODEL_MEASURES.items()),
                       isin=list(COUNTY_MODEL_MEASURES))
_TERM = text_column("exposure or control (county_exposures column), per SD", isin=_EXPOSURE_IDS)
_IRR = {
    "irr": float_column("incidence-rate ratio per SD of the term = exp(β_z), β_z the coefficient of "
                        "the term z-scored over the units used (ddof 1)", "ratio",
                        checks=[pa.Check.gt(0)]),
    "ci_low": float_column("lower 95 % limit of irr (normal, clustered SE)", "ratio"),
    "ci_high": float_column("upper 95 % limit of irr", "ratio"),
    "p": p_column(_WALD_P, nullable=True),
}

_IRR_NULLABLE = {
    "irr": float_column("incidence-rate ratio per SD of the term (as in county_model_estimates); null "
                        "when the fit gave no finite estimate", "ratio", nullable=True),
    "ci_low": float_column("lower 95 % limit of irr (clustered SE); null for loo_province (point "
                           "estimates only: their range is the check) and when the fit did not "
                           "converge (converged = False: irr and p null too)", "ratio", nullable=True),
    "ci_high": float_column("upper 95 % limit of irr; null as ci_low", "ratio", nullable=True),
    "p": p_column(_WALD_P, nullable=True),
}

SCHEMAS = {
    "county_exposures": pa.DataFrameSchema(
        {
            "harmonised_code": pa.Column("int64", description="harmonised 2010–2020 county "
                                         "unit (census_county_crosswalk.harmonised_code)",
                                         metadata={"unit": "adcode"}),
            "harmonised_name_zh": text_column("2020 names of the unit's members, joined by +"),
            "prefecture_code": pa.Column("int64", description="2020 prefecture of the unit "
                                         "(the models' cluster)", metadata={"unit": "adcode"}),
            "adcode": adcode_column("province of the unit (the models' fixed effect)"),
            "population_2010_persons": persons_column("residents 2010, leaves summed", nullable=True),
            "population_2020_persons": persons_column("residents 2020, leaves summed", nullable=True),
            "age_0_14_2010_persons": persons_column("residents aged 0–14, 2010, leaves summed",
                                                    nullable=True),
            "age_0_14_2020_persons": persons_column("residents aged 0–14, 2020, leaves summed",
                                                    nullable=True),
            **{e.id: float_column(e.description(), e.unit, nullable=True) for e in COUNTY_EXPOSURES},
        },
        strict=True, ordered=True, **one_row_per("harmonised_code"),
        description="County exposures and controls of the county models, one row per "
                    "harmonised 2010–2020 county unit: out-migration share 2010, in-migrant "
                    "shares 2020, children per prime-age adult, child sex ratio 0–4, urban, "
                    "college and farm-occupation shares. Formulas in the column descriptions.",
        metadata={"sources": ["census_county", "census_county_crosswalk"],
                  "notes": "Numerators and denominators are summed over the unit's leaves of "
                           "that census year before dividing; missing when a leaf's value is "
                           "missing or the denominator is 0. Units pooled by the crosswalk "
                           "(unresolved_merged) are large district pools."},
    ),
    "county_left_behind_check": pa.DataFrameSchema(
        {
            "source_id": text_column("left_behind_children source"),
            "definition_id": text_column("its definition of a left-behind child"),
            "reference_year": pa.Column("int64", description="year the figures refer to",
                                        metadata={"unit": "year"}),
            "census_year": pa.Column("int64", pa.Check.isin([2010, 2020]),
                                     description="census of the proxy and of the children "
                                     "0–14 scaling the figures", metadata={"unit": "year"}),
            "adcode": adcode_column("province with a published figure of the source"),
            "proxy_children_per_adult_ratio": float_column(
                "left-behind proxy of the province: Σ age_0_14_persons ÷ Σ age_20_49_persons "
                "over its census_county leaves", "children per adult (ratio)"),
            "left_behind_per_child_ratio": float_column(
                "published left-behind children (persons) ÷ Σ age_0_14_persons of the "
                "province (a scale: the definitions' age ranges differ from 0–14)", "ratio"),
            "proxy_rank": float_column("rank of the proxy among the source's provinces (1 = "
                                       "highest)", "rank"),
            "left_behind_rank": float_column("rank of the published rate among the source's "
                                             "provinces (1 = highest)", "rank"),
            "provinces_count": count_column("provinces of the source with both values (n of "
                                            "ρ)"),
            "spearman_rho": float_column("Spearman rank correlation of the proxy (Σ children 0–14 ÷ "
                                         "Σ adults 20–49 over the province's leaves) with the "
                                         "published left-behind children ÷ Σ children 0–14",
                                         "correlation (−1 to 1)", nullable=True),
            "p_value": p_column("two-sided p-value of ρ (scipy; exact for small n is not used)",
                                nullable=True),
        },
        strict=True, ordered=True, **one_row_per("source_id", "adcode"),
        description="Rank agreement of the county left-behind proxy, aggregated to provinces, "
                    "with the partial ACWF/MCA provincial left-behind figures. One row per "
                    "source × province; ρ, p and n of the source repeated on its rows.",
        metadata={"sources": ["census_county", "left_behind_children"],
                  "notes": "Partial: each source covers a few provinces only; the definitions "
                           "(age ranges, one or both parents) are never pooled."},
    ),
    "county_model_estimates": pa.DataFrameSchema(
        {
            "measure": _MEASURE,
            "spec": _SPEC,
            "term": _TERM,
            "term_role": text_column("exposure (the model is about it) or control",
                                     isin=TERM_ROLES),
            **_IRR,
            "sd": float_column("SD (ddof 1) of the raw term over the units used", "unit of the term",
                               checks=[pa.Check.gt(0)]),
            "n_units": count_column("county units in the fit"),
            "n_postings": count_column("postings in the fit"),
            "fe": flag_column("province fixed effects in the model"),
            "cluster": text_column("cluster of the standard errors"),
            "alpha": float_column("NB2 dispersion α (Var = μ + αμ²)", "dispersion"),
            "converged": flag_column("optimiser converged with a near-zero score"),
            "is_headline": flag_column("the headline specification (declared in code before the "
                                       "fit)"),
        },
        strict=True, ordered=True, **one_row_per("measure", "spec", "term"),
        description="County negative-binomial models of postings (offset log children 0–14, "
                    "2010): IRR per SD with 95 % CI and p for out-migration share and child "
                    "sex ratio (same model) and controls, lost and found side, with and "
                    "without province fixed effects. One row per measure × specification × "
                    "term.",
        metadata={"sources": _SOURCES, "notes": COUNTY_MODEL_TABLE_CAVEAT},
    ),
    "county_model_sensitivity": pa.DataFrameSchema(
        {
            "measure": _MEASURE,
            "check": text_column("; ".join(f"{k} = {v}" for k, v in CHECKS.items()),
                                 isin=list(CHECKS)),
            "left_out_adcode": pa.Column("Int64", nullable=True, description="province left "
                                         "out (loo_province; null otherwise)",
                                         metadata={"unit": "adcode"}),
            "term": _TERM,
            **_IRR_NULLABLE,
            "n_units": count_column("county units in the fit"),
            "aic": float_column("AIC of the fit (compare zinb with the NB2 fit of "
                                "county_model_fit)", "AIC", nullable=True),
            "converged": flag_column("optimiser converged"),
        },
        strict=True, ordered=True, **one_row_per("measure", "check", "left_out_adcode", "term"),
        description="Sensitivity of the fe_adjusted county models: Poisson, zero-inflated NB2, "
                    "sending counties only and leave-one-province-out refits. One row per "
                    "measure × check × left-out province × exposure.",
        metadata={"sources": _SOURCES, "notes": COUNTY_MODEL_TABLE_CAVEAT},
    ),
    "county_model_fit": pa.DataFrameSchema(
        {
            "measure": _MEASURE,
            "spec": _SPEC,
            "n_units": count_column("county units in the fit"),
            "n_units_dropped_fe": count_column("units of provinces without any posting, left "
                                               "out of the fixed-effect fits (they carry no "
                                               "within-province information)"),
            "n_postings": count_column("postings in the fit"),
            "n_clusters": count_column("prefectures (clusters)"),
            "zero_share": float_column("share of units with no posting", "share (0-1)",
                                       checks=[pa.Check.in_range(0, 1)]),
            "alpha": float_column("NB2 dispersion α", "dispersion"),
            "llf": float_column("log-likelihood", "log-likelihood"),
            "aic": float_column("AIC", "AIC"),
            "converged": flag_column("optimiser converged with a near-zero score"),
            "residual_prefectures_count": count_column("prefectures of the mean Pearson "
                                                       "residuals (county_model_residuals)"),
            "residual_moran_i": float_column(
                "Moran's I of the prefecture means of the Pearson residuals (queen contiguity "
                "of the prefecture polygons with the prefecture atlas's component rule, "
                "row-standardised)",
                "Moran's I", nullable=True),
            "residual_moran_mean_sim": float_column(
                "mean I over the permutations (the centre of the null; not −1/(n−1))",
                "Moran's I", nullable=True),
            "residual_moran_p_two_sided": p_column(
                f"two-sided permutation p-value of residual_moran_i (esda alternative "
                f"'two-sided', {MORAN_PERMUTATIONS} seeded permutations). Null: the prefecture "
                "means are exchangeable over the map (no spatial arrangement); an "
                "approximation for residuals, which share the fitted coefficients"),
            "residual_moran_prefectures_count": pa.Column(
                "Int64", pa.Check.ge(0), nullable=True, description="prefectures in the "
                "Moran test (with residuals and a polygon)", metadata={"unit": "count"}),
        },
        strict=True, ordered=True, **one_row_per("measure", "spec"),
        description="Fit statistics of the county models, one row per measure × "
                    "specification.",
        metadata={"sources": _SOURCES, "notes": COUNTY_MODEL_TABLE_CAVEAT},
    ),
    "county_model_added_variable": pa.DataFrameSchema(
        {
            "measure": _MEASURE,
            "term": _TERM,
            "harmonised_code": pa.Column("int64", description="county unit",
                                         metadata={"unit": "adcode"}),
            "adcode": adcode_column("province of the unit"),
            "exposure_resid": float_column("the z-scored term, residualised on the other regressors "
                                           "(province fixed effects included) with the IRLS weights "
                                           "of the NB2 fit", "SD"),
            "outcome_resid": float_column("working response log μ + (y − μ)/μ − offset, "
                                          "residualised the same way", "log rate"),
            "weight": float_column("IRLS weight μ/(1 + αμ)", "weight", checks=[pa.Check.ge(0)]),
            "slope": float_column("weighted slope of outcome_resid on exposure_resid (= the model's "
                                  "β_z, Frisch–Waugh–Lovell)", "log ratio per SD"),
        },
        strict=True, ordered=True, **one_row_per("measure", "term", "harmonised_code"),
        description="Within-province added-variable data of the fe_adjusted county models: "
                    "one row per measure × exposure × county unit.",
        metadata={"sources": _SOURCES, "notes": COUNTY_MODEL_TABLE_CAVEAT},
    ),
    "county_model_residuals": pa.DataFrameSchema(
        {
            "measure": _MEASURE,
            "spec": _SPEC,
            "prefecture_code": pa.Column("int64", description="2020 prefecture",
                                         metadata={"unit": "adcode"}),
            "adcode": adcode_column("province of the prefecture"),
            "units_count": count_column("county units of the prefecture in the fit"),
            "mean_pearson_residual": float_column("mean Pearson residual (y − μ)/√(μ + αμ²) of the "
                                                  "prefecture's units", "residual"),
        },
        strict=True, ordered=True, **one_row_per("measure", "spec", "prefecture_code"),
        description="Pearson residuals of every county model averaged per prefecture (for "
                    "maps and spatial diagnostics at prefecture scale; no county polygons "
                    "exist in the mirror). One row per measure × specification × prefecture.",
        metadata={"sources": _SOURCES, "notes": COUNTY_MODEL_TABLE_CAVEAT},
    ),
}
