"""Schemas and vocabulary of the province inference tables (step ``topics.model_inference``).

Everything a result depends on is declared here, before any fit: the period-panel headline
(:data:`PANEL_HEADLINE`), the loss years each O–D wave covers (:data:`WAVE_LOSS_YEARS`), the
families of the multiplicity adjustments (:data:`MULTIPLICITY_FAMILY`) and the disclosure
threshold of the reunion table (the project's :data:`analysis.privacy.disclosure.THRESHOLD`,
repeated here as :data:`MIN_CELL` because schema modules import only core and vocab).
"""

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
    share_column,
    text_column,
)
from analysis.vocab.measures import MEASURES, MODEL_SIDES
from analysis.vocab.periods import OD_PERIODS
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import ALPHA, BOOTSTRAP_REPLICATES, SPEC_CURVE_PERMUTATIONS
from analysis.vocab.wording import MODEL_TABLE_CAVEAT

# --- the room's vocabulary -------------------------------------------------------------------

#: O–D wave → (first, last) year of loss it covers: a child who went missing in year y is
#: matched to the wave whose five years end in y or later (start < y ≤ end); losses before
#: 1996 or after 2020 match no wave.
WAVE_LOSS_YEARS: dict[str, tuple[int, int]] = {
    p: (int(p[:4]) + 1, int(p[-4:])) for p in OD_PERIODS}
#: Outcome of the period panel: the only dated measure with postings in more than one wave
#: (the adults' and juvenilexi postings are almost all before 1996; reunions are undated).
PANEL_OUTCOME = "lost_uiuing_missing"
#: Record table holding the panel outcome's postings (one row per posting, internal).
PANEL_RECORDS = "case_records_uiuing_missing"
#: A wave enters the panel only with at least this many postings nationally (the models'
#: MIN_PERIOD_POSTINGS rule of ``analysis.topics.models.schema``).
PANEL_MIN_WAVE_POSTINGS = 100
#: Panel designs: id → description.
PANEL_DESIGNS: dict[str, str] = {
    "panel_fe": "province × wave panel, province and wave fixed effects, errors clustered by "
                "province (31 clusters)",
    "panel_wave_fe": "province × wave panel, wave fixed effects only (between and within "
                     "provinces), errors clustered by province",
    "wave_cross_section": "one wave, 31 provinces, NB2 with urban share and schooling 2010 as "
                          "controls, model-based errors (the period split)",
}
#: Model kinds of the panel: id → description (the "weights" sensitivity: Poisson weights
#: provinces by μ, NB2 by μ/(1 + αμ), OLS of the log rate equally).
PANEL_KINDS: dict[str, str] = {
    "poisson": "Poisson (quasi-)ML with offset log(children 0–14 of the wave)",
    "negbin2": "negative binomial NB2 (ML α) with offset log(children 0–14 of the wave)",
    "ols_log_rate": "OLS of log((postings + 0.5) / children × 100,000)",
}
#: The headline of the province models, declared before the fit (issue 13): Poisson with
#: province and wave fixed effects of the families' postings by wave of loss against the
#: out-migration rate of the same wave, offset the children of the wave, errors clustered by
#: province. Poisson rather than NB2 because with fixed effects it is consistent whatever
#: the variance (NB2 with dummies is reported beside it).
PANEL_HEADLINE = ("panel_fe", "poisson")
#: Controls of the cross-sections (time-invariant: absorbed by the province effects in the panel).
WAVE_CONTROLS = ("urban_2010_share", "schooling_years_15plus_2010")
#: Families of the Holm / Benjamini–Hochberg adjustments: the specifications sharing these
#: ``model_specification_curve`` columns (outcome × main exposure, as the audit proposed);
#: ``p_*_all`` columns adjust over all specifications at once.
MULTIPLICITY_FAMILY = ("outcome_measure", "main_exposure")
#: Families of the permutation test of the number of significant specifications.
PERMUTATION_FAMILIES = ("all", *MODEL_SIDES)
#: Statistics of the permutation test: id → description.
PERMUTATION_STATISTICS: dict[str, str] = {
    "significant": f"specifications whose main-exposure p ≤ {ALPHA}",
    "significant_positive": f"specifications whose main-exposure p ≤ {ALPHA} and IRR > 1",
}
#: Reunion cells with fewer postings are pooled per lost province (docs/disclosure.md).
MIN_CELL = 5
#: ``found_group`` of the pooled cell of each lost province.
POOLED = "other provinces (cells under 5 pooled)"

_NOTES_PANEL = (
    "Period of loss matched to the O–D wave covering it: "
    + "; ".join(f"{p}: lost {a}–{b}" for p, (a, b) in WAVE_LOSS_YEARS.items())
    + f". Waves with fewer than {PANEL_MIN_WAVE_POSTINGS} postings nationally are left out. "
    "Children 0–14 of a wave = year-end population of the wave's last year × the child share "
    "(2010 share for waves ending by 2010, linear between the 2010 and 2020 shares after; no "
    "earlier age structure exists in the build). The exposure is z-scored over all "
    "province-waves of the panel, so IRR per SD means the same in every row. "
    f"Headline (declared in code before the fit): {PANEL_HEADLINE[0]}, {PANEL_HEADLINE[1]}. ")


SCHEMAS = {
    "model_period_panel_data": pa.DataFrameSchema(
        {
            "wave": text_column("O–D wave (five years) and the years of loss it covers",
                                isin=list(OD_PERIODS)),
            "adcode": adcode_column(),
            "postings_count": count_column("postings of the panel outcome lost in the wave's "
                                           "years in the province"),
            "children_0_14_persons": persons_column("children aged 0–14 of the wave "
                                                    "(estimate; see notes)"),
            "out_migration_per_1000": float_column("inter-provincial out-migration rate of the wave "
                                             "(province_exposures)", "per 1,000 persons",
                                             checks=[pa.Check.ge(0)]),
            "in_panel": flag_column(f"the wave has at least {PANEL_MIN_WAVE_POSTINGS} postings "
                              "nationally (the rows fitted)"),
        },
        strict=True, ordered=True, **one_row_per("wave", "adcode"),
        description="Period-matched province panel: one row per O–D wave × province (postings "
                    "by wave of loss, children and out-migration of the same wave).",
        metadata={"sources": ["province_exposures", "population_yearend", PANEL_RECORDS],
                  "notes": _NOTES_PANEL + MODEL_TABLE_CAVEAT},
    ),
    "model_period_panel": pa.DataFrameSchema(
        {
            "specification": text_column("design|kind|wave"),
            "design": text_column("; ".join(f"{k} = {v}" for k, v in PANEL_DESIGNS.items()),
                                  isin=list(PANEL_DESIGNS)),
            "model_kind": text_column("; ".join(f"{k} = {v}" for k, v in PANEL_KINDS.items()),
                                      isin=list(PANEL_KINDS)),
            "outcome_measure": text_column("case_rates measure modelled", isin=list(MEASURES)),
            "wave": text_column("O–D wave of a cross-section, or 'stacked' for the panels",
                                isin=[*OD_PERIODS, "stacked"]),
            "n": count_column("province-waves (panels) or provinces (cross-sections) fitted"),
            "n_provinces": count_column("provinces (clusters of the panel errors)"),
            "n_waves": count_column("waves fitted"),
            "postings_total": count_column("postings over the rows fitted"),
            "log_irr_per_sd": float_column("coefficient of the out-migration rate per SD of the "
                                     "panel (log rate ratio)", "log ratio per SD"),
            "std_error": float_column("its standard error (clustered by province in the panels)",
                                "log ratio per SD", checks=[pa.Check.ge(0)]),
            "irr_per_sd": float_column("rate ratio per SD of out-migration = exp(log_irr_per_sd)",
                                 "ratio", checks=[pa.Check.gt(0)]),
            "irr_ci_low": float_column("lower 95 % limit (normal)", "ratio"),
            "irr_ci_high": float_column("upper 95 % limit (normal)", "ratio"),
            "p_value": p_column("two-sided Wald p-value (normal)"),
            "regressor_sd": float_column("SD (ddof 1) of the out-migration rate over all "
                                   "province-waves of the panel", "per 1,000 persons",
                                   checks=[pa.Check.gt(0)]),
            "within_province_sd": float_column("SD of the out-migration rate after removing each "
                                         "province's mean (the variation the fixed effects "
                                         "leave)", "per 1,000 persons", nullable=True),
            "alpha": float_column("NB2 dispersion α", "dispersion", nullable=True),
            "loo_irr_min": float_column("smallest irr_per_sd leaving out one province (panels)",
                                  "ratio", nullable=True),
            "loo_irr_max": float_column("largest irr_per_sd leaving out one province (panels)",
                                  "ratio", nullable=True),
            "loo_min_adcode": adcode_column("province whose omission gives loo_irr_min",
                                            nullable=True),
            "loo_max_adcode": adcode_column("province whose omission gives loo_irr_max",
                                            nullable=True),
            "converged": flag_column("the fit converged"),
            "is_headline": flag_column("the headline specification declared before the fit"),
        },
        strict=True, ordered=True, **one_row_per("specification"),
        description="Period-matched province panel and its cross-sections: the out-migration "
                    "rate's rate ratio per SD with CI, p, n and leave-one-province-out range.",
        metadata={"sources": ["model_period_panel_data", "province_exposures"],
                  "notes": _NOTES_PANEL + MODEL_TABLE_CAVEAT},
    ),
    "model_period_panel_loo": pa.DataFrameSchema(
        {
            "specification": text_column("panel specification refitted"),
            "left_out_adcode": adcode_column("province left out"),
            "irr_per_sd": float_column("rate ratio per SD without this province", "ratio",
                                 checks=[pa.Check.gt(0)]),
            "irr_ci_low": float_column("lower 95 % limit", "ratio"),
            "irr_ci_high": float_column("upper 95 % limit", "ratio"),
            "p_value": p_column("two-sided p-value"),
        },
        strict=True, ordered=True, **one_row_per("specification", "left_out_adcode"),
        description="Leave-one-province-out refits of the panel specifications (31 per "
                    "specification).",
        metadata={"sources": ["model_period_panel_data"], "notes": _NOTES_PANEL},
    ),
    "model_specification_multiplicity": pa.DataFrameSchema(
        {
            "specification": text_column("specification id (model_specification_curve)"),
            "outcome_measure": text_column("outcome", isin=list(MEASURES)),
            "main_exposure": text_column("main exposure"),
            "side": text_column("model side", isin=list(MODEL_SIDES)),
            "family": text_column("family of the Holm/BH adjustment: "
                                  + " × ".join(MULTIPLICITY_FAMILY)),
            "family_size": count_column("specifications in the family"),
            "irr_per_sd": float_column("IRR per SD of the main exposure", "ratio"),
            "p_value": p_column("unadjusted p-value of the main exposure"),
            "p_holm": p_column("Holm-adjusted p within the family"),
            "p_bh": p_column("Benjamini–Hochberg-adjusted p within the family"),
            "p_holm_all": p_column("Holm-adjusted p over all specifications"),
            "p_bh_all": p_column("Benjamini–Hochberg-adjusted p over all specifications"),
            "p_minp_all": p_column("single-step min-p (Westfall–Young) adjusted p over all "
                             "specifications: share of exposure permutations whose smallest p "
                             "is ≤ this p (accounts for their correlation)"),
            "p_permutation": p_column("permutation p of this specification alone: share of "
                                "exposure permutations with a p ≤ the observed one"),
            "is_main": flag_column("the headline specification of the pooled models"),
        },
        strict=True, ordered=True, **one_row_per("specification"),
        description="Multiplicity-adjusted p-values of every specification's main exposure "
                    "(Holm, BH, min-p, permutation).",
        metadata={"sources": ["model_specification_curve", "province_exposures", "case_rates",
                              "case_counts"],
                  "notes": (f"Permutations: {SPEC_CURVE_PERMUTATIONS}, seed {SEED}; the exposure "
                            "columns are permuted across the 31 provinces, the same permutation "
                            "for every specification, outcomes and covariates unchanged. "
                            "Adjusted p are exploratory: the headline is the period panel. "
                            + MODEL_TABLE_CAVEAT)},
    ),
    "model_specification_permutation": pa.DataFrameSchema(
        {
            "family": text_column("specifications counted: all, or one model side",
                                  isin=list(PERMUTATION_FAMILIES)),
            "statistic": text_column("; ".join(f"{k} = {v}"
                                               for k, v in PERMUTATION_STATISTICS.items()),
                                     isin=list(PERMUTATION_STATISTICS)),
            "specifications": count_column("specifications in the family"),
            "observed_count": count_column("observed number of specifications counted"),
            "observed_share": share_column("observed_count ÷ specifications"),
            "null_mean_count": float_column("mean count over the permutations", "count"),
            "null_q95_count": float_column("95th percentile of the count over the permutations",
                                     "count"),
            "permutation_p": p_column("(1 + permutations with a count ≥ observed) ÷ (1 + "
                                "permutations)"),
            "permutations": count_column("permutations of the exposure"),
            "seed": count_column("random seed"),
        },
        strict=True, ordered=True, **one_row_per("family", "statistic"),
        description="Specification-curve permutation test: is the number of significant "
                    "specifications larger than under exposures permuted across provinces?",
        metadata={"sources": ["model_specification_curve"],
                  "notes": "The specifications are refitted on each permutation; a fit that "
                           "fails counts as not significant. " + MODEL_TABLE_CAVEAT},
    ),
    "model_specification_permutation_null": pa.DataFrameSchema(
        {
            "permutation": count_column("permutation number (1 … B)"),
            "family": text_column("family", isin=list(PERMUTATION_FAMILIES)),
            "significant": count_column("specifications with p ≤ α under this permutation"),
            "significant_positive": count_column("of which IRR > 1"),
        },
        strict=True, ordered=True, **one_row_per("permutation", "family"),
        description="Null distribution of the specification-curve permutation test: one row "
                    "per permutation × family.",
        metadata={"sources": ["model_specification_curve"], "notes": MODEL_TABLE_CAVEAT},
    ),
    "reunion_found_given_lost": pa.DataFrameSchema(
        {
            "lost_adcode": adcode_column("province where the child went missing"),
            "found_group": text_column(f"'province', or '{POOLED}'",
                                       isin=["province", POOLED]),
            "found_adcode": adcode_column("province where the child was found (missing for "
                                          "the pooled cell)", nullable=True),
            "flow_count": count_column(f"reunions of the cell (at least {MIN_CELL})"),
            "lost_total": count_column("reunions lost in the province (all found places)"),
            "share": share_column("P(found here | lost in lost_adcode) = reunions of the cell ÷ "
                                  "lost_total"),
            "share_ci_low": share_column("lower limit of the 95 % percentile bootstrap interval"),
            "share_ci_high": share_column("upper limit of the 95 % percentile bootstrap "
                                          "interval"),
            "same_province": flag_column("found in the province where lost"),
        },
        strict=True, ordered=True, **one_row_per("lost_adcode", "found_group", "found_adcode"),
        description="P(found province | lost province) of the reunions with bootstrap "
                    "intervals: one row per lost × found province with at least "
                    f"{MIN_CELL} reunions, the smaller cells pooled per lost province.",
        metadata={"sources": ["case_flows"],
                  "notes": (f"Bootstrap: {BOOTSTRAP_REPLICATES} replicates resampling the "
                            f"reunion postings with replacement (seed {SEED}), percentile "
                            "intervals. Reunions reported on the platform (2021 scrape), not "
                            "all children found; lost provinces with fewer than "
                            f"{MIN_CELL} reunions in total hold only the pooled cell, "
                            "which is left out when it counts fewer than "
                            f"{MIN_CELL}.")},
    ),
}
