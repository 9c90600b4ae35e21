"""Views of the model tables (analysis.topics.models.views): they reproduce the tables' numbers, and the
added-variable plots reproduce the model coefficients (Frisch–Waugh–Lovell)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis import tables
from analysis.plots.style import province_names
from analysis.topics.models import fit as models
from analysis.topics.models import views as mv
from analysis.vocab.provinces import MAINLAND31


@pytest.fixture(scope="module")
def t():
    return {n: tables.read(n) for n in ("model_coefficients", "model_fit", "model_loo",
                                        "model_specification_curve", "province_exposures",
                                        "case_rates", "case_counts")}


@pytest.fixture(scope="module")
def names():
    return province_names("en")


# --- table numbers ----------------------------------------------------------------------------


def test_main_rows_recompute_irr_from_estimate_and_sd(t):
    m = mv.main_exposure_rows(t["model_coefficients"])
    assert len(m) == len(t["model_specification_curve"])
    np.testing.assert_allclose(m["irr"], np.exp(m["estimate"] * m["regressor_sd"]), rtol=1e-12)
    np.testing.assert_allclose(m["irr"], m["irr_per_sd"], rtol=1e-9)
    np.testing.assert_allclose(m["irr_low"], m["irr_ci_low"], rtol=1e-9)
    np.testing.assert_allclose(m["irr_high"], m["irr_ci_high"], rtol=1e-9)


def test_headline_is_the_main_spec_and_matches_the_curve(t):
    h = mv.headline(t["model_coefficients"], t["model_fit"])
    c = t["model_specification_curve"]
    row = c[c["is_main"]].iloc[0]
    assert h["specification"] == models.MAIN_SPEC.spec_id == row["specification"]
    # recomputed independently of the view: exp(estimate × sd) of the coefficient row
    coef = t["model_coefficients"]
    raw = coef[(coef["specification"] == models.MAIN_SPEC.spec_id)
               & (coef["term"] == models.MAIN_SPEC.exposure)].iloc[0]
    assert h["irr"] == pytest.approx(np.exp(raw["estimate"] * raw["regressor_sd"]), rel=1e-12)
    assert h["irr"] == pytest.approx(row["irr_per_sd"], rel=1e-9)
    assert (h["irr_low"], h["irr_high"]) == pytest.approx(
        (row["irr_ci_low"], row["irr_ci_high"]), rel=1e-9)
    assert h["n"] == 31 and h["postings_total"] == row["postings_total"]


def test_irr_by_outcome_covers_both_sides(t):
    v = mv.irr_by_outcome(t["model_coefficients"], t["model_fit"])
    assert len(v) == 7 * 2 * 2
    assert v["is_main"].sum() == 1
    assert set(v.loc[v["side"] == "missing", "main_exposure"]) == {"out_migration"}
    assert set(v.loc[v["side"] == "found_current", "main_exposure"]) == {"in_migration"}
    assert (v["n"] == 31).all()


def test_robustness_core_row_equals_irr_by_outcome(t):
    r = mv.robustness_by_outcome(t["model_coefficients"])
    assert len(r) == 7 * 6
    core = r[r["variant"] == "core"].set_index("outcome_measure")["irr"]
    v = mv.irr_by_outcome(t["model_coefficients"], t["model_fit"])
    nb = v[(v["model_kind"] == "negbin2") & (v["covariate_set"] == "adjusted")]
    pd.testing.assert_series_equal(core.sort_index(),
                                   nb.set_index("outcome_measure")["irr"].sort_index(),
                                   check_names=False)
    assert (r.loc[r["variant"] == "without_largest", "n"] == 28).all()


def test_spatial_comparison_lag_total(t):
    s = mv.spatial_comparison(t["model_coefficients"], t["model_fit"])
    assert len(s) == 7 * 2 * 4
    lag = s[s["model_kind"] == "ml_lag_log_rate"]
    coef = t["model_coefficients"].set_index(["specification", "term_role"])
    for r in lag.itertuples():
        c = coef.loc[(r.specification, "main_exposure")]
        rho = coef.loc[(r.specification, "spatial"), "estimate"]
        expect = np.exp(c["estimate"] * c["regressor_sd"] / (1 - rho))
        assert r.lag_total_irr == pytest.approx(expect, rel=1e-9)
    assert s.loc[s["model_kind"] != "ml_lag_log_rate", "lag_total_irr"].isna().all()


def test_moran_summary_counts(t):
    f = t["model_fit"]
    m = mv.moran_summary(f).set_index("model_kind")
    sel = f[f["specification_group"].isin(["core", "spatial"])
            & (f["model_kind"] == "negbin2")]
    assert m.loc["negbin2", "fits"] == len(sel)
    assert m.loc["negbin2", "significant"] == int((sel["residual_moran_p_sim"] < 0.05).sum())


def test_hukou_adjustment_flags_direction_changes(t):
    h = mv.hukou_adjustment(t["model_coefficients"], t["model_fit"])
    assert len(h) == 7 * 2 * 2
    flips = (h["irr_none"] > 1) != (h["irr_adjusted"] > 1)
    assert (flips == h["direction_flips"]).all()
    assert h["max_vif_adjusted"].min() > 5  # the reason to distrust these coefficients


def test_spec_counts_and_curve_view(t):
    c = t["model_specification_curve"]
    k = mv.spec_counts(c)
    assert k["total"] == len(c) == len(t["model_fit"])
    assert k["excludes_one"] == int(c["ci_excludes_one"].sum()) == k["above"] + k["below"]
    v = mv.spec_curve_view(c)
    assert len(v) == len(c) and v["position"].is_monotonic_increasing
    for _, g in v.groupby("main_exposure"):
        assert g["irr_per_sd"].is_monotonic_increasing
    by = mv.spec_counts_by(c, "main_exposure")
    assert by["total"].sum() == len(c) and by["excludes_one"].sum() == k["excludes_one"]


def test_ci_status_synthetic():
    s = mv.ci_status(pd.Series([1.1, 0.5, 0.9]), pd.Series([1.5, 0.9, 1.2]))
    assert s.tolist() == ["above 1", "below 1", "includes 1"]


# --- leave one out -------------------------------------------------------------------------------


def test_loo_view_has_31_sorted_named_rows(t, names):
    v = mv.loo_view(t["model_loo"], models.MAIN_SPEC.spec_id, names)
    assert len(v) == 31
    assert sorted(v["left_out_adcode"]) == sorted(MAINLAND31)
    assert v["province"].notna().all() and v["province"].is_unique
    assert v["irr_per_sd"].is_monotonic_increasing
    assert (v["n"] == 30).all()
    with pytest.raises(ValueError):
        mv.loo_view(t["model_loo"], "no|such|spec", names)


def test_loo_summary_ranges(t, names):
    loo = t["model_loo"]
    s = mv.loo_summary(loo, names)
    assert len(s) == loo["specification"].nunique() == len(loo) // 31
    for r in s.itertuples():
        g = loo[loo["specification"] == r.specification]
        assert r.loo_irr_min == g["irr_per_sd"].min() and r.loo_irr_max == g["irr_per_sd"].max()
        changed = int((g["ci_excludes_one"] != g["full_ci_excludes_one"]).sum())
        assert r.verdict_changes == changed


# --- added-variable plots ----------------------------------------------------------------------


@pytest.mark.parametrize("spec", [
    models.MAIN_SPEC,
    replace(models.MAIN_SPEC, kind="poisson_hc1"),
    models.Spec("lost_wtt1002_family", "out_migration", "adjusted", "negbin2"),
    models.Spec("found_uiuing_success", "in_migration", "adjusted", "negbin2"),
], ids=lambda s: s.spec_id)
def test_added_variable_slope_equals_count_coefficient(t, spec):
    d, f = models.main_fit(t["province_exposures"], t["case_rates"], t["case_counts"], spec)
    av = mv.added_variable(d, f)
    j = f.terms.index(spec.exposure)
    assert len(av) == 31
    assert av.attrs["slope"] == pytest.approx(f.params[j], abs=1e-8)
    # and the stored table: log IRR per SD of the same specification
    coef = t["model_coefficients"]
    stored = coef[(coef["specification"] == spec.spec_id) & (coef["term"] == spec.exposure)]
    assert av.attrs["slope"] == pytest.approx(np.log(stored["irr_per_sd"].iloc[0]), abs=1e-6)
    # residuals are weighted-centred (the line passes through the origin)
    w = av["weight"]
    assert abs((w * av["exposure_resid"]).sum()) < 1e-8
    assert abs((w * av["outcome_resid"]).sum()) < 1e-8


def test_added_variable_ols_log_rate_is_exact_fwl(t):
    from analysis.geo import province_weights

    spec = models.Spec("lost_uiuing_missing", "out_migration", "adjusted", "ols_log_rate",
                       "spatial")
    d = models.design(spec, t["province_exposures"], t["case_rates"], t["case_counts"])
    w = province_weights(tables.read("boundaries_ocha"))
    f = models.fit(d, w)
    av = mv.added_variable(d, f)
    assert av.attrs["slope"] == pytest.approx(f.params[f.terms.index(spec.exposure)], abs=1e-10)
    assert (av["weight"] == 1).all()


def test_added_variable_synthetic_poisson_recovers_coefficient():
    """Synthetic design: a Poisson fit with two correlated regressors; the added-variable slope
    must equal the fitted coefficient, and differ from the naive (unpartialled) slope."""
    rng = np.random.default_rng(7)
    n = 31
    x1 = rng.normal(size=n)
    x2 = 0.8 * x1 + 0.6 * rng.normal(size=n)
    children = rng.integers(200_000, 5_000_000, size=n).astype(float)
    mu = children * 1e-4 * np.exp(0.3 * x1 - 0.5 * x2)
    y = rng.poisson(mu).astype(float)
    X = pd.DataFrame({"out_migration": x1, "urban_2010_share": x2})
    spec = models.Spec("lost_uiuing_missing", "out_migration", "adjusted", "poisson_hc1")
    d = models.Design(spec, np.array(sorted(MAINLAND31)), y, children, X,
                      {"out_migration": 1.0, "urban_2010_share": 1.0})
    f = models.fit(d, summary=False)
    av = mv.added_variable(d, f)
    assert av.attrs["slope"] == pytest.approx(f.params[1], abs=1e-8)
    naive = np.polyfit(x1, np.log(y / children), 1)[0]
    assert abs(naive - f.params[1]) > 0.05


def test_added_variable_refuses_spatial_models(t):
    spec = models.Spec("lost_uiuing_missing", "out_migration", "adjusted", "ml_lag_log_rate",
                       "spatial")
    d = models.design(spec, t["province_exposures"], t["case_rates"], t["case_counts"])
    dummy = models.Fit(["const", *d.X.columns], np.zeros(4), np.ones(4), np.ones(4), 1.96, 31,
                       0.0, 0.0, 0.0, np.zeros(31), "lag_u", False, True)
    with pytest.raises(ValueError):
        mv.added_variable(d, dummy)


# --- exposures and layout --------------------------------------------------------------------


def test_exposure_summary_and_left_behind(t):
    ex = t["province_exposures"]
    s = mv.exposure_summary(ex).set_index("column")
    col = models.MAIN_SPEC.exposure_column
    assert s.loc[col, "sd"] == pytest.approx(ex[col].std(ddof=1))
    assert (s["provinces"] == 31).all()
    lb = mv.left_behind_coverage(ex)
    for r in lb.itertuples():
        assert r.provinces == int(ex[r.column].notna().sum()) == len(r.adcodes)
    assert lb["provinces"].max() < 31  # partial: never a full cross-section

