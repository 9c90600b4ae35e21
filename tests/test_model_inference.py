"""Province inference (issue 13 items 3, 4, 6): the statistics of ``analysis.stats.multiplicity``,
``.permutation`` and ``.bootstrap`` against brute-force computations of their definitions, and
the published tables of ``topics.model_inference`` against independent recomputations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
import statsmodels.formula.api as smf
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import tables
from analysis.privacy.disclosure import THRESHOLD
from analysis.stats.bootstrap import bootstrap_conditional_shares, conditional_shares
from analysis.stats.multiplicity import benjamini_hochberg, holm
from analysis.stats.permutation import permutation_indices, permutation_p
from analysis.topics.model_inference.schema import MIN_CELL, PANEL_HEADLINE, POOLED
from analysis.vocab.settings import significant

P_VALUES = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=12)


def _holm_by_definition(p: list[float]) -> np.ndarray:
    """Holm: reject H_(i) iff p_(j) ≤ α/(m − j + 1) for all j ≤ i; the adjusted p is the
    smallest α at which a test is rejected (searched over every candidate α)."""
    m, order = len(p), np.argsort(p, kind="mergesort")
    adjusted = np.empty(m)
    for rank, i in enumerate(order):
        adjusted[i] = min(1.0, max((m - j) * p[order[j]] for j in range(rank + 1)))
    return adjusted


def _bh_by_definition(p: list[float]) -> np.ndarray:
    """BH: the adjusted p of test i is min over k ≥ rank(i) of m·p_(k)/k (capped at 1)."""
    m, order = len(p), np.argsort(p, kind="mergesort")
    adjusted = np.empty(m)
    for rank, i in enumerate(order):
        adjusted[i] = min(1.0, min(m * p[order[k]] / (k + 1) for k in range(rank, m)))
    return adjusted


@settings(max_examples=200, deadline=None)
@given(P_VALUES)
def test_holm_and_bh_equal_their_definitions(p):
    np.testing.assert_allclose(holm(np.array(p)), _holm_by_definition(p), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(benjamini_hochberg(np.array(p)), _bh_by_definition(p),
                               rtol=1e-12, atol=1e-15)


def test_adjustments_reject_bad_input_and_keep_order():
    for bad in ([0.1, np.nan], [1.2], [[0.1, 0.2]]):
        with pytest.raises(ValueError):
            holm(np.array(bad))
    p = np.array([0.04, 0.001, 0.03])
    assert holm(p).tolist() == pytest.approx([0.06, 0.003, 0.06])
    assert benjamini_hochberg(p).tolist() == pytest.approx([0.04, 0.003, 0.04])


def test_permutation_p_counts_the_observed_as_one_permutation():
    null = np.arange(99, dtype=float)  # 0 … 98
    assert permutation_p(1000, null) == pytest.approx(1 / 100)
    assert permutation_p(-1, null) == 1.0
    assert permutation_p(49, null) == pytest.approx((1 + 50) / 100)  # 49 … 98 reach it
    with pytest.raises(ValueError):
        permutation_p(1, np.array([np.nan]))


def test_permutation_indices_are_seeded_permutations():
    a = permutation_indices(31, 20, seed=7)
    assert a.shape == (20, 31)
    assert all(sorted(row) == list(range(31)) for row in a)
    np.testing.assert_array_equal(a, permutation_indices(31, 20, seed=7))
    assert not np.array_equal(a, permutation_indices(31, 20, seed=8))


def test_bootstrap_intervals_cover_the_true_shares():
    """Percentile intervals from multinomial tables: about 95 % cover the true share."""
    rng = np.random.default_rng(1)
    probs = np.array([[0.30, 0.10, 0.10], [0.05, 0.15, 0.30]])
    truth = conditional_shares(probs)
    hits = []
    for _ in range(200):
        table = rng.multinomial(400, probs.ravel()).reshape(probs.shape)
        share, lo, hi = bootstrap_conditional_shares(table, 499, seed=int(rng.integers(1e9)))
        np.testing.assert_allclose(share, conditional_shares(table))
        assert np.all(lo <= share + 1e-12) and np.all(share <= hi + 1e-12)
        hits.append((lo <= truth) & (truth <= hi))
    coverage = np.mean(hits)
    assert 0.90 <= coverage <= 0.985, coverage


# --- the published tables ------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(processed) -> dict[str, pd.DataFrame]:
    names = ["model_period_panel_data", "model_period_panel", "model_period_panel_loo",
             "model_specification_curve", "model_specification_multiplicity",
             "model_specification_permutation", "model_specification_permutation_null",
             "reunion_found_given_lost"]
    return {n: tables.read(n, processed) for n in names}


def test_panel_headline_equals_an_independent_poisson_glm(built):
    """The declared headline (province + wave fixed effects, Poisson, clustered by province)
    refitted with statsmodels' formula GLM on the published panel data."""
    panel = built["model_period_panel"]
    head = panel[panel["is_headline"]]
    assert len(head) == 1 and tuple(head[["design", "model_kind"]].iloc[0]) == PANEL_HEADLINE
    head = head.iloc[0]
    data = built["model_period_panel_data"]
    d = data[data["in_panel"]].copy()
    x = d["out_migration_per_1000"]
    d["z"] = (x - x.mean()) / x.std(ddof=1)
    assert head["regressor_sd"] == pytest.approx(x.std(ddof=1), rel=1e-12)
    assert head["n"] == len(d) and head["postings_total"] == d["postings_count"].sum()
    fit = smf.glm("postings_count ~ z + C(adcode) + C(wave)", data=d,
                  family=sm.families.Poisson(),
                  offset=np.log(d["children_0_14_persons"].astype(float))).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(d["adcode"])[0]})
    assert head["log_irr_per_sd"] == pytest.approx(fit.params["z"], rel=1e-5)
    assert head["std_error"] == pytest.approx(fit.bse["z"], rel=1e-3)
    assert head["irr_ci_low"] < head["irr_per_sd"] < head["irr_ci_high"]
    loo = built["model_period_panel_loo"]
    mine = loo[loo["specification"] == head["specification"]]
    assert len(mine) == d["adcode"].nunique() == 31
    assert head["loo_irr_min"] == pytest.approx(mine["irr_per_sd"].min())
    assert head["loo_irr_max"] == pytest.approx(mine["irr_per_sd"].max())


def test_multiplicity_table_recomputes_from_the_curve(built):
    curve, mult = built["model_specification_curve"], built["model_specification_multiplicity"]
    merged = mult.merge(curve[["specification", "p_value"]], on="specification",
                        suffixes=("", "_curve"), validate="one_to_one")
    assert len(merged) == len(curve)
    np.testing.assert_allclose(merged["p_value"], merged["p_value_curve"])
    p = merged["p_value"].tolist()
    np.testing.assert_allclose(merged["p_holm_all"], _holm_by_definition(p), atol=1e-12)
    np.testing.assert_allclose(merged["p_bh_all"], _bh_by_definition(p), atol=1e-12)
    for _, fam in merged.groupby("family"):
        np.testing.assert_allclose(fam["p_holm"], _holm_by_definition(fam["p_value"].tolist()),
                                   atol=1e-12)
        assert (fam["family_size"] == len(fam)).all()
    assert (merged["p_holm"] >= merged["p_value"] - 1e-12).all()
    assert (merged["p_minp_all"] >= merged["p_permutation"] - 1e-12).all()


def test_permutation_p_recomputes_from_the_null_table(built):
    curve = built["model_specification_curve"]
    perm, null = built["model_specification_permutation"], built["model_specification_permutation_null"]
    sig = significant(curve["p_value"])
    observed = {"all": int(sig.sum()),
                **{side: int(sig[curve["side"] == side].sum()) for side in curve["side"].unique()}}
    row = perm[(perm["statistic"] == "significant")].set_index("family")
    for fam, count in observed.items():
        assert row.loc[fam, "observed_count"] == count
        draws = null.loc[null["family"] == fam, "significant"].to_numpy()
        assert len(draws) == row.loc[fam, "permutations"]
        assert row.loc[fam, "permutation_p"] == pytest.approx(
            (1 + (draws >= count).sum()) / (1 + len(draws)))
        assert row.loc[fam, "null_mean_count"] == pytest.approx(draws.mean())


def test_reunion_shares_are_disclosed_cells_with_intervals(built):
    r = built["reunion_found_given_lost"]
    assert MIN_CELL == THRESHOLD  # the schema's copy of the disclosure threshold
    assert (r["flow_count"] >= MIN_CELL).all()
    np.testing.assert_allclose(r["share"], r["flow_count"] / r["lost_total"])
    assert ((r["share_ci_low"] <= r["share"] + 1e-12) & (r["share"] <= r["share_ci_high"] + 1e-12)).all()
    per_lost = r.groupby("lost_adcode")
    assert (per_lost["share"].sum() <= 1 + 1e-9).all()
    assert (per_lost["lost_total"].nunique() == 1).all()
    pooled = r[r["found_group"] == POOLED]
    assert pooled["found_adcode"].isna().all()
    assert not r.duplicated(["lost_adcode", "found_adcode", "found_group"]).any()
    # same_province flags exactly the diagonal
    named = r[r["found_group"] == "province"]
    assert (named["same_province"] == (named["lost_adcode"] == named["found_adcode"])).all()


def test_definitions_used_here_can_fail():
    """The brute-force references are not the functions under test in disguise."""
    p = [0.01, 0.02, 0.03]
    assert _holm_by_definition(p).tolist() == pytest.approx([0.03, 0.04, 0.04])
    assert _bh_by_definition(p).tolist() == pytest.approx([0.03, 0.03, 0.03])
