"""The findings notebook 04 states (analysis.plots.model_findings), checked against the model
tables by independent counts, and on small synthetic frames where the answer is known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import tables
from analysis.plots import model_findings as find
from analysis.plots.text import ratio_with_ci
from analysis.topics.models import fit as models
from analysis.topics.models import views as mv
from analysis.topics.models.exposures import LEFT_BEHIND


@pytest.fixture(scope="module")
def t(processed):
    return {n: tables.read(n, processed) for n in (
        "model_coefficients", "model_fit", "model_loo", "model_specification_curve",
        "model_added_variable", "province_exposures")}


@pytest.fixture(scope="module")
def head(t):
    return mv.headline(t["model_coefficients"], t["model_fit"])


def test_period_matching(t):
    periods = mv.outcome_exposure_periods()
    m = find.period_matching(periods)
    assert m.outcomes == len(models.MEASURE_OD_PERIOD)
    assert set(m.matched) == {k for k, v in models.MEASURE_OD_PERIOD.items() if v[1]}
    assert m.earliest_period == min(v[0] for v in models.MEASURE_OD_PERIOD.values())
    assert f"{len(m.matched)} have a migration period" in m.markdown()


def test_headline_exposure_is_the_sd_across_provinces(t):
    e = find.headline_exposure(mv.exposure_summary(t["province_exposures"]))
    x = t["province_exposures"][models.MAIN_SPEC.exposure_column]
    assert e.sd == pytest.approx(x.std(ddof=1)) and e.low == x.min() and e.high == x.max()
    assert f"**{x.std(ddof=1):.1f} per 1,000**" in e.markdown()


def test_left_behind_counts_provinces_with_any_figure(t):
    ex = t["province_exposures"]
    lb = find.left_behind(ex)
    assert lb.with_any == int(ex[list(LEFT_BEHIND)].notna().any(axis=1).sum())
    assert lb.provinces == 31 and "adcodes" not in lb.table
    assert lb.with_any < 31


def test_headline_sentence_states_the_interval(head):
    text = find.headline_markdown(head)
    assert ratio_with_ci(head["irr"], head["irr_low"], head["irr_high"]) in text
    assert ("no clear province-level association" in text) == (head["ci_status"] == "includes 1")


def test_residual_moran_counts_significant_fits(t, head):
    r = find.residual_moran(t["model_fit"], head)
    f = t["model_fit"]
    core = f[(f["specification_group"].isin(["core", "spatial"]))
             & f["model_kind"].isin(models.COUNT_KINDS) & f["residual_moran_p_sim"].notna()]
    assert r.core_fits == len(core)
    assert r.core_significant == int((core["residual_moran_p_sim"] < r.alpha).sum())
    err = f[(f["model_kind"] == "ml_error_log_rate") & f["residual_moran_p_sim"].notna()
            & f["specification_group"].isin(["core", "spatial"])]
    assert r.by_kind["ml_error_log_rate"] == (int((err["residual_moran_p_sim"] < r.alpha).sum()),
                                              len(err))
    assert f"(permutation p < {r.alpha})" in r.markdown()


def _synthetic_spatial() -> pd.DataFrame:
    """Two outcome × covariate combinations with known answers: in the first the lag model is
    nearer 1 than OLS and the error model is not; in the second both are."""
    rows = []
    for outcome, irr, status in (
            ("lost_uiuing_missing", {"negbin2": 1.3, "ols_log_rate": 1.4, "ml_lag_log_rate": 1.1,
                                     "ml_error_log_rate": 1.5},
             {"ols_log_rate": "above 1", "ml_error_log_rate": "above 1"}),
            ("lost_wtt1002_family", {"negbin2": 0.7, "ols_log_rate": 0.6, "ml_lag_log_rate": 0.9,
                                     "ml_error_log_rate": 0.8},
             {"ols_log_rate": "below 1", "ml_error_log_rate": "includes 1"})):
        for kind, v in irr.items():
            rows.append({"outcome_measure": outcome, "covariate_set": "adjusted",
                         "model_kind": kind, "irr": v, "irr_low": v * 0.9, "irr_high": v * 1.1,
                         "ci_status": status.get(kind, "includes 1"),
                         "spatial_parameter": 0.3 if kind.startswith("ml_") else np.nan,
                         "lag_total_irr": v ** (1 / 0.7) if kind == "ml_lag_log_rate"
                         else np.nan})
    return pd.DataFrame(rows)


def test_spatial_vs_ols_on_a_synthetic_frame():
    s = find.spatial_vs_ols(_synthetic_spatial())
    assert (s.combinations, s.toward_one_lag, s.toward_one_error) == (2, 2, 1)
    assert s.verdict_lost_under_error == 1
    assert s.headline.irr["ml_lag_log_rate"] == 1.1
    assert s.families_2016.with_ci("negbin2") == ratio_with_ci(0.7, 0.63, 0.77)
    assert "toward 1 in **2 of 2**" in s.markdown()


def test_spatial_vs_ols_on_the_tables(t):
    """Toward-1 counts recomputed from the stored IRRs of model_coefficients."""
    spatial = mv.spatial_comparison(t["model_coefficients"], t["model_fit"])
    s = find.spatial_vs_ols(spatial)
    c = t["model_coefficients"]
    main = c[(c["term_role"] == "main_exposure")
             & c["specification"].isin(spatial["specification"])].merge(
        spatial[["specification", "outcome_measure", "covariate_set", "model_kind"]],
        on=["specification", "outcome_measure", "covariate_set", "model_kind"])
    wide = main.pivot(index=["outcome_measure", "covariate_set"], columns="model_kind",
                      values="irr_per_sd")
    ols = np.abs(np.log(wide["ols_log_rate"]))
    assert s.combinations == len(wide) == 14
    assert s.toward_one_lag == int((np.abs(np.log(wide["ml_lag_log_rate"])) < ols).sum())
    assert s.toward_one_error == int((np.abs(np.log(wide["ml_error_log_rate"])) < ols).sum())


def test_loo_refits_count_verdict_changes(t):
    loo = t["model_loo"]
    r = find.loo_refits(loo)
    changed = {sid for sid, g in loo.groupby("specification")
               if (g["ci_excludes_one"] != g["full_ci_excludes_one"]).any()}
    assert set(r.flippable["specification"]) == changed
    assert len(r.summary) == loo["specification"].nunique()
    assert set(r.views) == set(find.DETAIL_SPECS)
    head = r.views["headline"]
    assert f"**{head['irr_per_sd'].min():.2f}** (without {head.iloc[0]['province']})" in r.markdown()


def test_robustness_counts_per_outcome(t):
    robust = mv.robustness_by_outcome(t["model_coefficients"])
    r = find.robustness(robust, t["province_exposures"])
    for outcome, (n, total) in r.excluding_one.items():
        g = robust[robust["outcome_measure"] == outcome]
        assert total == len(g) == 6
        assert n == int(((g["irr_low"] > 1) | (g["irr_high"] < 1)).sum())
    assert len(r.largest) == 3 and all(isinstance(p, str) for p in r.largest)


def test_spec_curve_counts_and_strongest_outcome(t):
    curve = t["model_specification_curve"]
    s = find.spec_curve(curve)
    assert s.counts["total"] == len(curve)
    assert s.counts["excludes_one"] == int(curve["ci_excludes_one"].sum())
    assert sum(total for _, total in s.by_outcome.values()) == len(curve)
    shares = {o: n / total for o, (n, total) in s.by_outcome.items()}
    assert shares[s.strongest] == max(shares.values())
    assert list(s.by_outcome) == list(mv.OUTCOME_SHORT)


def test_top_leverage_on_a_synthetic_plot():
    rows = pd.DataFrame({"adcode": [110000, 120000, 130000, 140000],
                         "exposure_resid": [2.0, -1.0, 0.5, 0.0],
                         "outcome_resid": [0.0] * 4, "weight": [1.0, 3.0, 1.0, 1.0],
                         "postings_count": [1, 2, 3, 4]})
    av = find.AddedVariable(models.MAIN_SPEC, rows, 0.1, 0.1)
    # leverage = w x²: 4, 3, 0.25, 0
    assert av.top_leverage(3) == ["Beijing", "Tianjin", "Hebei"]
    assert "headline: Beijing, Tianjin, Hebei" in find.leverage_markdown({"headline": av})


def test_closing_paragraph_repeats_the_counts(t, head):
    curve = find.spec_curve(t["model_specification_curve"])
    residual = find.residual_moran(t["model_fit"], head)
    refits = find.loo_refits(t["model_loo"])
    matching = find.period_matching(mv.outcome_exposure_periods())
    text = find.closing_markdown(head, curve, residual, refits, matching)
    assert f"**{curve.counts['excludes_one']} of {curve.counts['total']}**" in text
    assert f"{len(refits.flippable)} of {len(refits.summary)} refitted" in text
    assert ("undated source" in text) == (curve.strongest not in matching.matched)
