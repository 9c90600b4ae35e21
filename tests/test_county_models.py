"""County count models: statsmodels against hand-written likelihoods and sandwiches, the
added-variable identity, and the real county tables (exposure formulas recomputed by hand
from census_county, ≥ 2,000 counties in every fit)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from analysis.stats.count_models import (
    added_variable,
    design_matrix,
    fit_negbin2,
    fit_poisson,
    fit_zinb,
    irr_ci,
    spearman,
)

# --- synthetic data --------------------------------------------------------------------------


def _synthetic(n: int = 800, seed: int = 7, alpha: float = 0.8):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x1": rng.normal(0.1, 0.3, n), "x2": rng.normal(110, 8, n),
                          "prov": rng.integers(0, 4, n), "pref": rng.integers(0, 40, n)})
    offset = np.log(rng.uniform(2e4, 2e5, n))
    X, sd = design_matrix(frame, ["x1", "x2"], fe="prov")
    beta = np.r_[-10.5, 0.25, -0.15, 0.3, -0.2, 0.1]
    mu = np.exp(offset + X.to_numpy() @ beta)
    y = rng.negative_binomial(1 / alpha, 1 / (1 + alpha * mu))
    return frame, X, sd, y.astype(float), offset


def _nb2_loglik(params: np.ndarray, y, X, offset) -> float:
    """NB2 log-likelihood written out: Γ terms, r = 1/α."""
    beta, alpha = params[:-1], np.exp(params[-1])
    mu = np.exp(offset + X @ beta)
    r = 1 / alpha
    return float(np.sum(special.gammaln(y + r) - special.gammaln(r) - special.gammaln(y + 1)
                        + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu))))


def _nb2_score_obs(beta: np.ndarray, alpha: float, y, X, offset) -> np.ndarray:
    """Per-observation score of (β, α), hand-derived."""
    mu = np.exp(offset + X @ beta)
    s_beta = X * ((y - mu) / (1 + alpha * mu))[:, None]
    r = 1 / alpha
    d_r = (special.digamma(y + r) - special.digamma(r) + np.log(r) + 1 - np.log(r + mu)
           - (r + y) / (r + mu))
    return np.column_stack([s_beta, d_r * (-1 / alpha ** 2)])


def _hand_fit(y, X, offset):
    def neg(p):
        return -_nb2_loglik(p, y, X, offset)

    def grad(p):
        s = _nb2_score_obs(p[:-1], np.exp(p[-1]), y, X, offset).sum(0)
        s[-1] *= np.exp(p[-1])  # chain rule for log α
        return -s

    k = X.shape[1]
    start = np.r_[np.zeros(k), 0.0]
    start[0] = np.log(y.mean()) - offset.mean()
    res = optimize.minimize(neg, start, jac=grad, method="BFGS",
                            options={"gtol": 1e-10, "maxiter": 10000})
    res = optimize.minimize(neg, res.x, jac=grad, method="Newton-CG",
                            options={"xtol": 1e-14, "maxiter": 1000})
    return res.x[:-1], float(np.exp(res.x[-1]))


def test_nb2_matches_a_hand_written_likelihood_maximised_with_scipy():
    _, X, _, y, offset = _synthetic()
    fit = fit_negbin2(y, X, offset)
    beta, alpha = _hand_fit(y, X.to_numpy(), offset)
    assert fit.converged
    np.testing.assert_allclose(fit.params, beta, atol=1e-6)
    assert abs(fit.alpha - alpha) < 1e-6
    assert abs(fit.llf - _nb2_loglik(np.r_[beta, np.log(alpha)], y, X.to_numpy(), offset)) < 1e-6


def _sandwich(scores: np.ndarray, hessian: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Cluster sandwich H⁻¹ (Σ_g s_g s_gᵀ) H⁻¹ × G/(G−1) · (N−1)/(N−K)."""
    n, k = scores.shape
    sg = pd.DataFrame(scores).groupby(groups).sum().to_numpy()
    g = len(sg)
    bread = np.linalg.inv(-hessian)
    cov = bread @ (sg.T @ sg) @ bread
    return cov * g / (g - 1) * (n - 1) / (n - k)


def test_nb2_clustered_errors_match_a_hand_written_sandwich():
    frame, X, _, y, offset = _synthetic()
    groups = frame["pref"].to_numpy()
    fit = fit_negbin2(y, X, offset, groups)
    Xa = X.to_numpy()
    theta = np.r_[fit.params, fit.alpha]
    scores = _nb2_score_obs(fit.params, fit.alpha, y, Xa, offset)
    # Hessian: central differences of the hand-written total score
    k, h = len(theta), 1e-6
    H = np.zeros((k, k))
    for j in range(k):
        e = np.zeros(k)
        e[j] = h * max(1.0, abs(theta[j]))
        up = _nb2_score_obs((theta + e)[:-1], (theta + e)[-1], y, Xa, offset).sum(0)
        dn = _nb2_score_obs((theta - e)[:-1], (theta - e)[-1], y, Xa, offset).sum(0)
        H[:, j] = (up - dn) / (2 * e[j])
    H = (H + H.T) / 2
    se = np.sqrt(np.diag(_sandwich(scores, H, groups)))
    np.testing.assert_allclose(fit.bse, se[:-1], rtol=1e-4)
    assert fit.n_clusters == len(np.unique(groups))


def test_poisson_clustered_errors_match_the_closed_form_sandwich():
    frame, X, _, y, offset = _synthetic(alpha=0.05)
    groups = frame["pref"].to_numpy()
    fit = fit_poisson(y, X, offset, groups)
    Xa = X.to_numpy()
    mu = np.exp(offset + Xa @ fit.params)
    H = -(Xa * mu[:, None]).T @ Xa
    se = np.sqrt(np.diag(_sandwich(Xa * (y - mu)[:, None], H, groups)))
    np.testing.assert_allclose(fit.bse, se, rtol=1e-8)
    # the score is zero at the estimate
    assert np.abs(Xa.T @ (y - mu)).max() < 1e-6


def test_added_variable_slope_is_the_coefficient():
    _, X, _, y, offset = _synthetic()
    fit = fit_negbin2(y, X, offset)
    for term in ("x1", "x2"):
        av = added_variable(y, X, fit, term)
        assert abs(av.attrs["slope"] - fit.coef(term)[0]) < 1e-6
        assert len(av) == len(y) and (av["weight"] > 0).all()


def test_design_matrix_z_scores_and_dummies():
    frame, X, sd, _, _ = _synthetic()
    assert list(X.columns) == ["const", "x1", "x2", "fe_1", "fe_2", "fe_3"]
    assert abs(sd["x2"] - frame["x2"].std(ddof=1)) < 1e-12
    assert abs(X["x1"].mean()) < 1e-12 and abs(X["x1"].std(ddof=1) - 1) < 1e-12
    assert (X[["fe_1", "fe_2", "fe_3"]].sum(axis=1) == (frame["prov"] > 0)).all()


def test_irr_ci_and_spearman_by_formula():
    irr, lo, hi = irr_ci(0.2, 0.05)
    assert irr == pytest.approx(np.exp(0.2))
    assert lo == pytest.approx(np.exp(0.2 - 1.959963984540054 * 0.05))
    assert hi == pytest.approx(np.exp(0.2 + 1.959963984540054 * 0.05))
    x = np.array([1.0, 3.0, 2.0, np.nan, 5.0])
    y = np.array([2.0, 1.0, 4.0, 1.0, 3.0])
    rho, _, n = spearman(x, y)
    rx, ry = stats.rankdata(x[[0, 1, 2, 4]]), stats.rankdata(y[[0, 1, 2, 4]])
    assert n == 4 and rho == pytest.approx(np.corrcoef(rx, ry)[0, 1])


def test_zinb_count_part_is_close_to_nb2_without_excess_zeros():
    _, X, _, y, offset = _synthetic(n=600)
    nb = fit_negbin2(y, X, offset)
    zi = fit_zinb(y, X, offset, start=nb)
    # no excess zeros in the simulation: the count part's slopes stay near NB2's
    np.testing.assert_allclose(zi.params[1:3], nb.params[1:3], atol=0.05)
    assert zi.llf >= nb.llf - 1e-6


# --- real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables(processed):
    from analysis.tables import read

    names = ("census_county", "census_county_crosswalk", "county_exposures",
             "county_model_estimates", "county_model_fit", "county_model_sensitivity",
             "county_left_behind_check", "county_model_added_variable",
             "county_model_residuals", "boundaries_prefecture")
    return {n: read(n) for n in names}


def test_exposure_formulas_recomputed_by_hand_for_a_few_counties(tables):
    county, cw, ex = (tables[n] for n in ("census_county", "census_county_crosswalk",
                                          "county_exposures"))
    same = cw[(cw["relation"] == "same")]
    codes = sorted(same["harmonised_code"].unique())[::500][:5]
    assert len(codes) == 5
    for code in codes:
        row = ex.set_index("harmonised_code").loc[code]
        c10 = county[(county["census_year"] == 2010) & (county["county_code"] == code)].iloc[0]
        c20 = county[(county["census_year"] == 2020) & (county["county_code"] == code)].iloc[0]
        reg, pop = float(c10["hukou_registered_persons"]), float(c10["population_persons"])
        assert row["out_migration_2010_share"] == pytest.approx((reg - pop) / reg, rel=1e-12)
        inm = (float(c20["hukou_elsewhere_other_province_persons"])
               + float(c20["hukou_elsewhere_other_county_persons"]))
        assert row["in_migrant_2020_share"] == pytest.approx(
            inm / float(c20["population_persons"]), rel=1e-12)
        assert row["children_per_adult_2010_ratio"] == pytest.approx(
            float(c10["age_0_14_persons"]) / float(c10["age_20_49_persons"]), rel=1e-12)
        for year, c in ((2010, c10), (2020, c20)):
            assert row[f"child_sex_ratio_{year}_boys_per_100_girls"] == pytest.approx(
                100 * float(c["age_0_4_male_persons"]) / float(c["age_0_4_female_persons"]),
                rel=1e-12)
        assert row["urban_2010_share"] == pytest.approx(
            float(c10["urban_persons"]) / pop, rel=1e-12)


def test_every_county_fit_uses_at_least_2000_units(tables):
    est, fits = tables["county_model_estimates"], tables["county_model_fit"]
    assert (fits["n_units"] >= 2000).all()
    assert (est["n_units"] >= 2000).all()
    assert fits["converged"].all()
    assert set(est["measure"]) == {"lost_uiuing_missing", "found_uiuing_success"}
    assert set(est["fe"]) == {True, False}
    assert est["is_headline"].sum() == 5  # one model, its five terms


def test_headline_refit_independently_from_the_published_tables(tables):
    """Refit the headline with statsmodels' GLM at the published α (same β score equations)."""
    import statsmodels.api as sm

    from analysis.topics.county_models.fit import CountySpec, data_for, model_frame
    from analysis.topics.county_models.schema import HEADLINE

    est = tables["county_model_estimates"]
    head = est[est["is_headline"]].set_index("term")
    ex = tables["county_exposures"]
    from analysis.tables import read

    counts = read("county_case_counts")
    from analysis.topics.county_models.build import postings_by_measure

    d = data_for(model_frame(ex, postings_by_measure(counts)[HEADLINE[0]]), CountySpec(*HEADLINE))
    glm = sm.GLM(d.y, d.X.to_numpy(), offset=d.offset,
                 family=sm.families.NegativeBinomial(alpha=float(head["alpha"].iloc[0]))
                 ).fit(tol=1e-14, maxiter=300)
    for i, term in enumerate(d.X.columns):
        if term in head.index:
            assert np.exp(glm.params[i]) == pytest.approx(head.loc[term, "irr"], rel=1e-5)
    assert len(d.y) == int(head["n_units"].iloc[0])


def test_sensitivity_rows_and_added_variable_slopes(tables):
    sens, av, est = (tables[n] for n in ("county_model_sensitivity",
                                         "county_model_added_variable",
                                         "county_model_estimates"))
    loo = sens[sens["check"] == "loo_province"]
    # one refit per province of the fixed-effect fit (provinces with a posting)
    provinces = av.groupby("measure")["adcode"].nunique()
    for (m, _), g in loo.groupby(["measure", "term"]):
        assert len(g) == provinces[m] and g["left_out_adcode"].nunique() == provinces[m]
    assert provinces["lost_uiuing_missing"] == 31
    fe = est[est["spec"] == "fe_adjusted"].set_index(["measure", "term"])
    for (m, t), g in av.groupby(["measure", "term"]):
        slope = (g["weight"] * g["exposure_resid"] * g["outcome_resid"]).sum() / (
            g["weight"] * g["exposure_resid"] ** 2).sum()
        assert np.exp(slope) == pytest.approx(fe.loc[(m, t), "irr"], rel=1e-6)


def test_left_behind_check_reports_n(tables):
    chk = tables["county_left_behind_check"]
    assert (chk["provinces_count"] >= 1).all()
    assert chk.loc[chk["provinces_count"] < 3, "spearman_rho"].isna().all()


# --- residual spatial diagnostics ------------------------------------------------------------


def _grid(nx: int = 6, ny: int = 5):
    """Square "prefectures" on a lattice near China (EPSG:4326), ids 0 … nx·ny − 1."""
    import geopandas as gpd
    from shapely.geometry import box

    cells = [(i, j) for j in range(ny) for i in range(nx)]
    gdf = gpd.GeoDataFrame({"prefecture_adcode": range(len(cells))},
                           geometry=[box(100 + i, 30 + j, 101 + i, 31 + j) for i, j in cells],
                           crs="EPSG:4326")
    return gdf, cells


def _hand_moran(values: np.ndarray, cells: list[tuple[int, int]]) -> float:
    """Moran's I written out: queen neighbours of a lattice cell (|Δi|, |Δj| ≤ 1), rows
    standardised, I = (n/S₀) zᵀWz / zᵀz."""
    n = len(cells)
    W = np.array([[float(a != b and abs(a[0] - b[0]) <= 1 and abs(a[1] - b[1]) <= 1)
                   for b in cells] for a in cells])
    W /= W.sum(axis=1, keepdims=True)
    z = values - values.mean()
    return float(n / W.sum() * (z @ W @ z) / (z @ z))


def test_residual_moran_against_the_formula_with_a_planted_pattern():
    """The residual Moran test of the county models: I equals the hand formula on queen
    lattice weights; a planted east–west gradient is detected (two-sided p at its floor); a
    seeded random field is not, and its p agrees with esda's randomisation normal p."""
    from esda.moran import Moran

    from analysis.stats.weights import prefecture_weights
    from analysis.topics.county_models.fit import residual_moran

    gdf, cells = _grid()
    rng = np.random.default_rng(11)
    gradient = np.array([i for i, _ in cells], dtype=float) + rng.normal(0, 0.3, len(cells))
    noise = rng.normal(size=len(cells))
    rows = [pd.DataFrame({"measure": m, "spec": "fe_adjusted",
                          "prefecture_code": gdf["prefecture_adcode"],
                          "mean_pearson_residual": v})
            for m, v in (("planted", gradient), ("noise", noise))]
    res = residual_moran(pd.concat(rows, ignore_index=True), gdf,
                         permutations=999).set_index("measure")
    assert res.loc["planted", "residual_moran_i"] == pytest.approx(
        _hand_moran(gradient, cells), abs=1e-12)
    assert res.loc["noise", "residual_moran_i"] == pytest.approx(
        _hand_moran(noise, cells), abs=1e-12)
    # beyond every simulation: esda's two-sided count includes the two extreme simulations
    # themselves, so its floor is 3 / (permutations + 1)
    assert res.loc["planted", "residual_moran_p_two_sided"] <= 3 / 1000
    assert res.loc["noise", "residual_moran_p_two_sided"] > 0.05
    w = prefecture_weights(gdf)
    esda_p = Moran(noise, w, permutations=0, two_tailed=True).p_rand
    assert res.loc["noise", "residual_moran_p_two_sided"] == pytest.approx(esda_p, abs=0.05)
    assert (res["residual_moran_prefectures_count"] == len(cells)).all()
    # the centre of the null is the permutation mean, near −1/(n−1) for a lattice this size
    assert res.loc["noise", "residual_moran_mean_sim"] == pytest.approx(-1 / 29, abs=0.01)


def test_residual_moran_is_published_for_every_county_fit(tables):
    """Every county fit has its residual Moran test (the prefecture polygons are a NEEDS of
    the step), on ≥ 300 prefectures, and the headline I recomputes from the published
    prefecture residuals with numpy on the atlas weights."""
    from analysis.stats.weights import prefecture_weights
    from analysis.topics.county_models.build import NEEDS, POLYGONS
    from analysis.topics.county_models.schema import HEADLINE

    assert POLYGONS in NEEDS
    fits = tables["county_model_fit"]
    assert fits["residual_moran_i"].notna().all()
    # every prefecture with residuals has a polygon in the test (a fixed-effects fit on the
    # found side drops the provinces without a reunion: 269 prefectures there, 360 elsewhere)
    assert (fits["residual_moran_prefectures_count"] == fits["residual_prefectures_count"]).all()
    assert (fits["residual_moran_prefectures_count"] >= 250).all()
    assert fits["residual_moran_p_two_sided"].between(0, 1).all()
    m, spec = HEADLINE
    res = tables["county_model_residuals"]
    r = res[(res["measure"] == m) & (res["spec"] == spec)].set_index("prefecture_code")
    poly = tables["boundaries_prefecture"]
    poly = poly[poly["prefecture_adcode"].isin(r.index)]
    w = prefecture_weights(poly)
    M, ids = w.full()
    z = r["mean_pearson_residual"].reindex(ids).to_numpy()
    z = z - z.mean()
    hand = len(z) / M.sum() * (z @ M @ z) / (z @ z)
    head = fits[(fits["measure"] == m) & (fits["spec"] == spec)].iloc[0]
    assert head["residual_moran_i"] == pytest.approx(hand, abs=1e-9)
    assert head["residual_moran_prefectures_count"] == len(ids)


def test_warm_start_gives_the_cold_fit():
    frame, X, _, y, offset = _synthetic()
    groups = frame["pref"].to_numpy()
    cold = fit_negbin2(y, X, offset, groups)
    warm = fit_negbin2(y, X, offset, groups, start=np.r_[cold.params, cold.alpha] * 1.01)
    np.testing.assert_allclose(warm.params, cold.params, atol=1e-6)
    np.testing.assert_allclose(warm.bse, cold.bse, rtol=1e-6)


def test_offsets_agree_with_the_placement_covariates(tables):
    """Children 0–14 summed here per harmonised unit = the same sums of county_case_counts
    (built independently by the placement step)."""
    from analysis.tables import read

    cc = read("county_case_counts")
    cc = cc[cc["measure"] == "lost_uiuing_missing"].set_index("county_code")
    ex = tables["county_exposures"].set_index("harmonised_code")
    for year in (2010, 2020):
        mine = ex[f"age_0_14_{year}_persons"].astype("Float64")
        theirs = cc[f"children_0_14_{year}_persons"].reindex(mine.index).astype("Float64")
        both = mine.notna() & theirs.notna()
        assert both.sum() >= 2500
        assert (mine[both] == theirs[both]).all()
