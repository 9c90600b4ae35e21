"""Tests of analysis.topics.models.fit and the derive.models step: independent refits, IRR per SD, LOO,
specification bookkeeping and recovery of known coefficients from synthetic data."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize_scalar
from scipy.special import gammaln

from analysis import pipeline, tables
from analysis.core.step import BuildContext
from analysis.geo import province_weights
from analysis.topics.models import build as derive_models
from analysis.topics.models.exposures import INPUT_TABLES, out_column
from analysis.topics.models.fit import (
    MAIN_SPEC,
    MIN_PERIOD_POSTINGS,
    Design,
    Spec,
    design,
    fit,
    fit_log_rate,
    fit_negbin,
    fit_poisson,
    fit_row,
    leave_one_out,
    loo_specifications,
    specifications,
)
from analysis.vocab.measures import MEASURES, PERIOD_MEASURES
from analysis.vocab.periods import CASE_PERIOD_OD
from analysis.vocab.provinces import MAINLAND31

# --- independent estimators (numpy / scipy only) ---------------------------------------------


def irls(y: np.ndarray, X: np.ndarray, offset: np.ndarray, alpha: float = 0.0,
         tol: float = 1e-15, maxiter: int = 500) -> np.ndarray:
    """Log-link IRLS for Poisson (alpha = 0) or NB2 with a fixed alpha, written from scratch."""
    beta = np.zeros(X.shape[1])
    beta[0] = np.log(y.sum() / np.exp(offset).sum())
    for _ in range(maxiter):
        eta = X @ beta + offset
        mu = np.exp(eta)
        w = mu / (1 + alpha * mu)
        z = eta - offset + (y - mu) / mu
        new = np.linalg.solve(X.T @ (w[:, None] * X), X.T @ (w * z))
        if np.max(np.abs(new - beta)) < tol:
            return new
        beta = new
    return beta


def nb2_loglik(y: np.ndarray, mu: np.ndarray, alpha: float) -> float:
    r = 1.0 / alpha
    return float(np.sum(gammaln(y + r) - gammaln(r) - gammaln(y + 1)
                        + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu))))


def nb2_profile_ml(y: np.ndarray, X: np.ndarray, offset: np.ndarray) -> tuple[np.ndarray, float]:
    """Joint ML of NB2 by maximising the profile likelihood of log(alpha) (Brent)."""
    def neg(log_alpha: float) -> float:
        a = float(np.exp(log_alpha))
        b = irls(y, X, offset, a)
        return -nb2_loglik(y, np.exp(X @ b + offset), a)

    opt = minimize_scalar(neg, bounds=(-8.0, 3.0), method="bounded",
                          options={"xatol": 1e-11, "maxiter": 500})
    alpha = float(np.exp(opt.x))
    return irls(y, X, offset, alpha), alpha


def _X(d: Design) -> np.ndarray:
    return np.column_stack([np.ones(len(d.y)), d.X.to_numpy()])


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inputs(processed) -> dict[str, pd.DataFrame]:
    names = [*INPUT_TABLES, "case_rates", "case_counts", "case_counts_by_period", "boundaries_ocha"]
    return {n: tables.read(n, processed) for n in names}


@pytest.fixture(scope="module")
def built(inputs) -> dict[str, pd.DataFrame]:
    """The derive.models step run in memory on the processed tables, schema-validated."""
    out = derive_models.build(BuildContext(tables=dict(inputs)), log=lambda s: None)
    for t in out:
        pipeline.validate(t)
    return {t.name: t.frame for t in out}


@pytest.fixture(scope="module")
def parts(inputs, built):
    w = province_weights(inputs["boundaries_ocha"])
    return built["province_exposures"], inputs["case_rates"], inputs["case_counts_by_period"], w


# --- the headline negative-binomial model ----------------------------------------------------


def test_main_negbin_matches_independent_fits(parts, built):
    exposures, rates, counts, _ = parts
    d = design(MAIN_SPEC, exposures, rates, counts)
    f = fit_negbin(d)
    assert f.converged
    X = _X(d)
    # (1) hand-written IRLS with alpha fixed at the statsmodels discrete-NB estimate
    np.testing.assert_allclose(irls(d.y, X, d.offset, f.alpha), f.params, atol=1e-6, rtol=0)
    # (2) fully independent joint ML: profile likelihood of alpha + IRLS
    beta, alpha = nb2_profile_ml(d.y, X, d.offset)
    assert alpha == pytest.approx(f.alpha, rel=1e-5)
    np.testing.assert_allclose(beta, f.params, atol=1e-6, rtol=0)
    # (3) the published table holds the same coefficient
    coef = built["model_coefficients"]
    row = coef[coef["is_main"] & (coef["term_role"] == "main_exposure")]
    assert len(row) == 1
    row = row.iloc[0]
    i = f.terms.index(MAIN_SPEC.exposure)
    assert np.log(row["irr_per_sd"]) == pytest.approx(beta[i], abs=1e-6)
    assert row["exposure_column"] == out_column("2005–2010")
    assert row["n"] == 31 and not row["robust_se"]
    # the log-likelihood at the optimum is the maximum of the NB2 likelihood
    assert f.llf == pytest.approx(nb2_loglik(d.y, np.exp(X @ beta + d.offset), alpha), abs=1e-6)


def test_poisson_matches_hand_written_irls_and_sandwich(parts):
    exposures, rates, counts, _ = parts
    for spec in (replace(MAIN_SPEC, kind="poisson_hc1"),
                 Spec("found_uiuing_success", "in_migration", "adjusted", "poisson_hc1")):
        d = design(spec, exposures, rates, counts)
        f = fit_poisson(d)
        X, n = _X(d), len(d.y)
        beta = irls(d.y, X, d.offset)
        np.testing.assert_allclose(beta, f.params, atol=1e-8, rtol=0)
        mu = np.exp(X @ beta + d.offset)
        bread = np.linalg.inv(X.T @ (mu[:, None] * X))
        meat = X.T @ (((d.y - mu) ** 2)[:, None] * X)
        hc1 = bread @ meat @ bread * n / (n - X.shape[1])
        np.testing.assert_allclose(np.sqrt(np.diag(hc1)), f.bse, rtol=1e-6)
        assert f.robust_se


def test_irr_per_sd_is_exp_beta_times_sd(parts, built):
    coef = built["model_coefficients"]
    reg = coef[coef["term_role"].isin(["main_exposure", "covariate"])]
    assert len(reg) > 300
    np.testing.assert_allclose(reg["irr_per_sd"], np.exp(reg["estimate"] * reg["regressor_sd"]),
                               rtol=1e-12)
    np.testing.assert_allclose(reg["irr_ci_low"], np.exp(reg["ci_low"] * reg["regressor_sd"]),
                               rtol=1e-12)
    assert (reg["irr_ci_low"] < reg["irr_per_sd"]).all()
    assert (reg["irr_per_sd"] < reg["irr_ci_high"]).all()
    # per raw unit: a fit on the unscaled exposure gives the table's estimate
    exposures, rates, counts, _ = parts
    spec = replace(MAIN_SPEC, kind="poisson_hc1")
    d = design(spec, exposures, rates, counts)
    ex = exposures.set_index("adcode").reindex(sorted(MAINLAND31))
    raw = np.column_stack([np.ones(31), ex[spec.exposure_column],
                           *(ex[c] for c in spec.covariate_columns)])
    beta_raw = irls(d.y, raw, d.offset)
    row = coef[(coef["specification"] == spec.spec_id) & (coef["term"] == spec.exposure)].iloc[0]
    assert row["estimate"] == pytest.approx(beta_raw[1], rel=1e-7)
    sd = np.std(ex[spec.exposure_column], ddof=1)
    assert row["regressor_sd"] == pytest.approx(sd)
    assert row["irr_per_sd"] == pytest.approx(np.exp(beta_raw[1] * sd), rel=1e-7)


# --- leave one out ---------------------------------------------------------------------------


def test_loo_has_31_rows_per_spec_and_matches_a_direct_refit(parts, built):
    loo = built["model_loo"]
    exposures, rates, counts, _ = parts
    specs = loo_specifications(specifications(counts))
    assert loo["specification"].nunique() == len(specs) == 28
    per = loo.groupby("specification")["left_out_adcode"].agg(["size", "nunique"])
    assert (per["size"] == 31).all() and (per["nunique"] == 31).all()
    assert set(loo["left_out_adcode"]) == set(MAINLAND31)
    assert (loo["n"] == 30).all()
    # one row checked against a fit without that province, done here by hand
    main = loo[loo["is_main"]]
    assert len(main) == 31
    d = design(MAIN_SPEC, exposures, rates, counts).drop([440000])
    beta, _ = nb2_profile_ml(d.y, _X(d), d.offset)
    got = main.loc[main["left_out_adcode"] == 440000, "log_irr_per_sd"].iloc[0]
    assert got == pytest.approx(beta[1], abs=1e-6)
    full = built["model_specification_curve"].query("is_main")["irr_per_sd"].iloc[0]
    assert main["full_irr_per_sd"].eq(full).all()


def test_leave_one_out_function_on_a_small_design():
    rng = np.random.default_rng(1)
    n = 12
    X = pd.DataFrame({"out_migration": rng.normal(size=n)})
    children = rng.uniform(1e5, 1e6, n)
    y = rng.poisson(np.exp(-8 + 0.4 * X["out_migration"].to_numpy()) * children).astype(float)
    spec = Spec("lost_uiuing_missing", "out_migration", "none", "poisson_hc1")
    d = Design(spec, np.arange(n) * 10000 + 110000, y, children, X, {"out_migration": 1.0})
    out = leave_one_out(d, fit(d))
    assert len(out) == n and out["left_out_adcode"].is_unique
    for a in (110000, 220000):
        sub = d.drop([a])
        b = irls(sub.y, _X(sub), sub.offset)[1]
        assert out.set_index("left_out_adcode").loc[a, "log_irr_per_sd"] == pytest.approx(b)


# --- bookkeeping of the specifications -------------------------------------------------------


def test_specification_count_and_periods(parts, built):
    _, _, counts, _ = parts
    specs = specifications(counts)
    curve, fits = built["model_specification_curve"], built["model_fit"]
    assert len(curve) == len(fits) == len(specs)
    assert curve["specification"].is_unique
    assert curve["is_main"].sum() == 1
    assert set(curve["outcome_measure"]) == set(MEASURES)
    assert fits["converged"].all()
    by_period = [s for s in specs if s.group == "by_period"]
    assert by_period
    for s in by_period:
        od, _ = CASE_PERIOD_OD[s.period]
        assert s.exposure_column == out_column(od)
        assert s.outcome in PERIOD_MEASURES
        m = MEASURES[s.outcome]
        c = counts[(counts["source"] == m.source) & (counts["side"] == m.side)
                   & (counts["place_role"] == m.place_role) & (counts["period"] == s.period)]
        assert c["postings_count"].sum() >= MIN_PERIOD_POSTINGS
    # the largest provinces are left out where the sample says so
    wl = fits[fits["sample"] == "without_largest"]
    assert len(wl) and (wl["n"] == 28).all()
    assert fits.loc[fits["sample"] == "all", "n"].eq(31).all()


def test_residual_moran_equals_hand_computation(parts, built):
    exposures, rates, counts, w = parts
    d = design(MAIN_SPEC, exposures, rates, counts)
    f = fit_negbin(d)
    row = fit_row(d, f, w, permutations=99)
    mu = np.exp(_X(d) @ f.params + d.offset)
    r = (d.y - mu) / np.sqrt(mu + f.alpha * mu ** 2)
    W, _ = w.full()
    W = W / W.sum(axis=1, keepdims=True)
    z = r - r.mean()
    assert row["residual_moran_i"] == pytest.approx(31 / W.sum() * z @ W @ z / (z @ z),
                                                    abs=1e-9)
    stored = built["model_fit"].query("is_main").iloc[0]
    assert stored["residual_moran_i"] == pytest.approx(row["residual_moran_i"], abs=1e-9)
    assert stored["residual_type"] == "pearson"


def test_ols_log_rate_matches_lstsq_and_spatial_models_run(parts):
    exposures, rates, counts, w = parts
    spec = Spec("lost_uiuing_missing", "out_migration", "adjusted", "ols_log_rate", "spatial")
    d = design(spec, exposures, rates, counts)
    f = fit_log_rate(d, "ols_log_rate", w)
    beta, *_ = np.linalg.lstsq(_X(d), d.log_rate, rcond=None)
    np.testing.assert_allclose(f.params, beta, atol=1e-10)
    assert np.log((d.y[0] + 0.5) / d.children[0] * 1e5) == pytest.approx(d.log_rate[0])
    for kind in ("ml_lag_log_rate", "ml_error_log_rate"):
        g = fit_log_rate(d, kind, w)
        assert g.spatial is not None and -1 < g.spatial[0] < 1
        assert g.llf >= f.llf - 1e-6  # nests OLS (rho or lambda = 0)


# --- synthetic data with known coefficients --------------------------------------------------


def _synthetic(kind: str, n: int, alpha: float, seed: int = 7) -> tuple[Design, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"out_migration": rng.normal(size=n), "urban_2010_share": rng.normal(size=n)})
    children = rng.uniform(2e5, 2e7, n)
    true = np.array([-9.0, 0.30, -0.20])
    mu = np.exp(true[0] + X.to_numpy() @ true[1:]) * children
    y = rng.poisson(rng.gamma(1 / alpha, alpha * mu)) if alpha > 0 else rng.poisson(mu)
    spec = Spec("lost_uiuing_missing", "out_migration", "none", kind)
    return Design(spec, np.arange(n), y.astype(float), children, X,
                  {"out_migration": 1.0, "urban_2010_share": 1.0}), true


@pytest.mark.parametrize("kind,alpha", [("negbin2", 0.3), ("poisson_hc1", 0.0)])
def test_synthetic_coefficients_recovered(kind, alpha):
    d, true = _synthetic(kind, 3000, alpha)
    f = fit(d)
    assert f.converged
    np.testing.assert_allclose(f.params, true, atol=4 * f.bse.max())
    np.testing.assert_allclose(f.params[1:], true[1:], atol=0.05)
    if kind == "negbin2":
        assert f.alpha == pytest.approx(alpha, rel=0.15)


def test_synthetic_null_effect_is_not_found_everywhere():
    """With no true association the 95 % CI covers 1 in about 95 % of replicates."""
    covered = 0
    for seed in range(40):
        d, _ = _synthetic("negbin2", 31, 0.3, seed=seed)
        d.y = np.random.default_rng(seed + 100).poisson(
            np.random.default_rng(seed + 200).gamma(1 / 0.3, 0.3 * 1e-4 * d.children)
        ).astype(float)
        f = fit(d)
        lo, hi = f.params[1] - 1.96 * f.bse[1], f.params[1] + 1.96 * f.bse[1]
        covered += lo < 0 < hi
    assert covered >= 33  # binomial(40, 0.95): P(covered < 33) < 1 %


def test_warm_started_leave_one_out_equals_a_cold_fit(processed):
    """Leave-one-out refits start Newton from the full-sample optimum; the result must be the
    same maximum a cold BFGS + Newton fit finds."""
    import numpy as np

    from analysis import tables
    from analysis.topics.models.fit import MAIN_SPEC, design, fit

    exposures = tables.read("province_exposures", processed)
    rates = tables.read("case_rates", processed)
    counts = tables.read("case_counts", processed)
    d = design(MAIN_SPEC, exposures, rates, counts)
    full = fit(d, summary=False)
    for a in (520000, 340000, 460000):  # Guizhou, Anhui (the LOO extremes), Hainan
        sub = d.drop([a])
        cold = fit(sub, summary=False)
        warm = fit(sub, summary=False, start=np.r_[full.params, full.alpha])
        np.testing.assert_allclose(warm.params, cold.params, rtol=0, atol=1e-8)
        np.testing.assert_allclose(warm.bse, cold.bse, rtol=1e-6)
        assert warm.converged
