"""Tests of analysis.stats.hotspots: every statistic recomputed independently in numpy from the
neighbour lists (not from esda), on the real province weights and data and on synthetic data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libpysal.weights import W, lat2W
from scipy.stats import norm

import reference as ref
from analysis import geo, tables
from analysis.stats import hotspots
from analysis.vocab.provinces import MAINLAND31
from analysis.vocab.seeds import SEED

HAINAN, GUANGDONG, GUANGXI = 460000, 440000, 450000
PERM = 999  # tests; publication runs use the default 9999
TOL = 1e-9


# --- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def w(processed: Path) -> W:
    return geo.province_weights(geo.load_boundaries("ocha", processed))


@pytest.fixture(scope="module")
def census(processed: Path) -> pd.DataFrame:
    return tables.read("census2020_province", processed).set_index("adcode")


@pytest.fixture(scope="module")
def migration(processed: Path) -> pd.DataFrame:
    m = tables.read("migration_by_province", processed)
    return m[m["period"] == "2015–2020"].set_index("adcode")


@pytest.fixture(scope="module")
def lattice() -> W:
    """A 5 × 5 rook lattice (ids 0–24) built by libpysal, independent of the province maps."""
    return lat2W(5, 5, rook=True, id_type="int")


def _measures(census: pd.DataFrame, migration: pd.DataFrame) -> dict[str, pd.Series]:
    rng = np.random.default_rng(SEED)
    return {
        "children_share": census["age_0_14_share"],
        "out_migration_per_1000": migration["out_migration_per_1000"],
        "synthetic": pd.Series(rng.gamma(2.0, 3.0, size=31), index=sorted(MAINLAND31)),
    }


# --- weights: Hainan and the 31 provinces ----------------------------------------------------

def test_weights_have_hainan_with_neighbours(w):
    assert sorted(w.id_order) == sorted(MAINLAND31) and w.n == 31
    assert sorted(w.neighbors[HAINAN]) == [GUANGDONG, GUANGXI]
    assert not w.islands


def test_every_result_has_31_rows_and_hainan(w, census):
    y = census["age_0_14_share"]
    for frame in (hotspots.local_moran(y, w, permutations=PERM),
                  hotspots.getis_ord(y, w, permutations=PERM),
                  hotspot_table(y, w, permutations=PERM),
                  hotspots.eb_rates(census["children_0_14_persons"] // 10_000,
                                    census["population_persons"], w)):
        assert len(frame) == 31
        assert frame["adcode"].tolist() == list(w.id_order)
        assert frame["adcode"].is_unique
        row = frame.set_index("adcode").loc[HAINAN]
        assert row.notna().all()
        if "n_neighbors" in frame:
            assert row["n_neighbors"] == 2
    gm = hotspots.global_moran(y, w, permutations=PERM)
    assert len(gm) == 1 and gm.loc[0, "n"] == 31


def test_missing_province_raises(w, census):
    y = census["age_0_14_share"].drop(HAINAN)
    with pytest.raises(ValueError, match="460000"):
        hotspots.global_moran(y, w, permutations=0)
    y2 = census["age_0_14_share"].copy()
    y2.loc[HAINAN] = np.nan
    with pytest.raises(ValueError, match=r"non-finite.*460000"):
        hotspots.local_moran(y2, w, permutations=PERM)
    y3 = pd.concat([census["age_0_14_share"], pd.Series({810000: 0.1})])
    with pytest.raises(ValueError, match="810000"):
        hotspots.getis_ord(y3, w, permutations=PERM)
    with pytest.raises(ValueError, match="non-negative"):
        hotspots.getis_ord(census["age_0_14_share"] - 0.2, w, permutations=PERM)
    with pytest.raises(ValueError, match="permutations"):
        hotspots.local_moran(census["age_0_14_share"], w, permutations=0)


def test_weights_not_modified(w, census):
    before = (w.transform, {i: list(v) for i, v in w.weights.items()})
    y = census["age_0_14_share"]
    hotspots.getis_ord(y, w, permutations=PERM)
    hotspots.local_moran(y, w, permutations=PERM)
    hotspots.global_moran(y, w, permutations=PERM)
    hotspots.eb_rates(census["children_0_14_persons"] // 10_000, census["population_persons"], w)
    assert (w.transform, {i: list(v) for i, v in w.weights.items()}) == before
    assert w.transform == "R"


# --- global Moran ----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["children_share", "out_migration_per_1000", "synthetic"])
def test_global_moran_matches_numpy(w, census, migration, name):
    y = _measures(census, migration)[name]
    res = hotspots.global_moran(y, w, permutations=PERM).iloc[0]
    i, zi, p = ref.moran(y.reindex(w.id_order).to_numpy(), ref.row_standardised(w))
    assert res["moran_i"] == pytest.approx(i, abs=TOL)
    assert res["expected_i"] == pytest.approx(-1 / 30, abs=1e-15)
    assert res["z_norm"] == pytest.approx(zi, abs=TOL)
    assert res["p_norm"] == pytest.approx(p, abs=TOL)
    assert 1 / (PERM + 1) <= res["p_sim"] <= 0.5 + 1 / (PERM + 1)
    assert res["measure"] == y.name or name == "synthetic"
    assert (res["permutations"], res["seed"]) == (PERM, SEED)


def test_global_moran_on_lattice(lattice):
    rng = np.random.default_rng(1)
    y = pd.Series(rng.normal(size=25), index=list(lattice.id_order))
    res = hotspots.global_moran(y, lattice, permutations=PERM).iloc[0]
    i, zi, _ = ref.moran(y.to_numpy(), ref.row_standardised(lattice))
    assert res["moran_i"] == pytest.approx(i, abs=TOL)
    assert res["z_norm"] == pytest.approx(zi, abs=TOL)
    # a smooth gradient is strongly autocorrelated: I large, the permutation test rejects
    grad = pd.Series(np.arange(25.0) // 5 + np.arange(25.0) % 5, index=list(lattice.id_order))
    res = hotspots.global_moran(grad, lattice, permutations=PERM).iloc[0]
    assert res["moran_i"] > 0.5 and res["p_sim"] == pytest.approx(1 / (PERM + 1))


def test_children_share_is_clustered(w, census):
    """Real data: the 0–14 share is high in the south-west and low in the north-east."""
    res = hotspots.global_moran(census["age_0_14_share"], w, permutations=PERM).iloc[0]
    assert res["moran_i"] > 0.3 and res["p_sim"] < 0.01 and res["p_norm"] < 0.01


# --- local Moran -----------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["children_share", "out_migration_per_1000", "synthetic"])
def test_local_moran_matches_numpy(w, census, migration, name):
    y = _measures(census, migration)[name]
    res = hotspots.local_moran(y, w, permutations=PERM)
    yv = y.reindex(w.id_order).to_numpy()
    wm = ref.row_standardised(w)
    np.testing.assert_allclose(res["local_i"], ref.local_moran(yv, wm), rtol=0, atol=TOL)
    z = (yv - yv.mean()) / yv.std()
    np.testing.assert_allclose(res["lag_z"], wm @ z, rtol=0, atol=TOL)
    quad = np.select([(z > 0) & (wm @ z > 0), (z <= 0) & (wm @ z > 0), (z <= 0) & (wm @ z <= 0)],
                     ["HH", "LH", "LL"], "HL")
    assert res["quadrant"].tolist() == quad.tolist()
    # cluster label only where significant after BH
    sig, adj = hotspots.fdr_significant(res["p_sim"], 0.05)
    assert res["significant"].tolist() == sig.tolist()
    np.testing.assert_allclose(res["p_adjusted"], adj)
    expected = [hotspots.CLUSTER_LABELS[q] if s else "Not significant"
                for q, s in zip(quad, sig, strict=True)]
    assert res["cluster"].tolist() == expected


def test_local_moran_without_fdr_and_two_sided(w, census):
    y = census["age_0_14_share"]
    raw = hotspots.local_moran(y, w, permutations=PERM, fdr=False)
    assert raw["significant"].tolist() == (raw["p_sim"] <= 0.05).tolist()
    assert raw["significant"].sum() >= 1  # several provinces pass before multiple-test control
    two = hotspots.local_moran(y, w, permutations=PERM, fdr=False, two_sided=True)
    np.testing.assert_allclose(two["p_test"], np.minimum(1, 2 * raw["p_sim"]))
    assert two["significant"].sum() <= raw["significant"].sum()
    fdr = hotspots.local_moran(y, w, permutations=PERM, fdr=True)
    assert fdr["significant"].sum() <= raw["significant"].sum()


def test_lisa_finds_a_planted_cluster(lattice):
    """A block of high values in one corner of the lattice is a significant High-High cluster."""
    y = np.zeros(25)
    block = [0, 1, 5, 6]  # top-left 2 × 2
    y[block] = 10.0
    rng = np.random.default_rng(3)
    y += rng.uniform(0, 0.1, size=25)
    res = hotspots.local_moran(pd.Series(y, index=list(lattice.id_order)), lattice,
                               permutations=PERM, fdr=False)
    assert set(res.loc[res["cluster"] == "High-High", "adcode"]) >= {0}
    gi = hotspots.getis_ord(pd.Series(y, index=list(lattice.id_order)), lattice,
                            permutations=PERM, fdr=False)
    assert set(gi.loc[gi["label"] == "Hot spot", "adcode"]) >= {0, 1, 5}
    assert "Cold spot" not in set(gi.loc[gi["adcode"].isin(block), "label"])


# --- Getis–Ord -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["children_share", "out_migration_per_1000", "synthetic"])
def test_gi_star_matches_numpy(w, census, migration, name):
    y = _measures(census, migration)[name]
    res = hotspots.getis_ord(y, w, permutations=PERM)
    g, z = ref.gi_star(y.reindex(w.id_order).to_numpy(), ref.binary_matrix(w))
    np.testing.assert_allclose(res["g"], g, rtol=0, atol=TOL)
    np.testing.assert_allclose(res["z"], z, rtol=0, atol=TOL)
    np.testing.assert_allclose(res["p_norm"], 2 * norm.sf(np.abs(z)), rtol=0, atol=TOL)
    sig, _ = hotspots.fdr_significant(res["p_sim"], 0.05)
    assert res["significant"].tolist() == sig.tolist()
    expected = np.where(~sig, "Not significant", np.where(z > 0, "Hot spot", "Cold spot"))
    assert res["label"].tolist() == expected.tolist()
    # normal-theory inference: BH on the two-sided normal p-values
    res_n = hotspots.getis_ord(y, w, permutations=PERM, inference="norm")
    sig_n, _ = hotspots.fdr_significant(2 * norm.sf(np.abs(z)), 0.05)
    assert res_n["significant"].tolist() == sig_n.tolist()


def test_gi_without_star_matches_numpy(w, lattice, census):
    for weights, y in ((w, census["age_0_14_share"]),
                       (lattice, pd.Series(np.arange(1.0, 26.0) ** 1.5,
                                           index=list(lattice.id_order)))):
        res = hotspots.getis_ord(y, weights, star=False, permutations=PERM)
        z = ref.gi(y.reindex(weights.id_order).to_numpy(), ref.binary_matrix(weights))
        np.testing.assert_allclose(res["z"], z, rtol=0, atol=TOL)


def test_gi_star_on_lattice(lattice):
    y = pd.Series(np.random.default_rng(9).gamma(2, 2, size=25), index=list(lattice.id_order))
    res = hotspots.getis_ord(y, lattice, permutations=PERM)
    g, z = ref.gi_star(y.to_numpy(), ref.binary_matrix(lattice))
    np.testing.assert_allclose(res["g"], g, rtol=0, atol=TOL)
    np.testing.assert_allclose(res["z"], z, rtol=0, atol=TOL)


# --- seeds -----------------------------------------------------------------------------------

def test_same_seed_same_p_different_seed_different(w, census):
    y = census["age_0_14_share"]
    for fn in (hotspots.local_moran, hotspots.getis_ord):
        a = fn(y, w, permutations=PERM)
        b = fn(y, w, permutations=PERM)
        c = fn(y, w, permutations=PERM, seed=SEED + 1)
        np.testing.assert_array_equal(a["p_sim"], b["p_sim"])
        assert not np.array_equal(a["p_sim"], c["p_sim"])
    y2 = pd.Series(np.random.default_rng(5).normal(size=31), index=list(w.id_order))
    ga = hotspots.global_moran(y2, w, permutations=PERM)
    gb = hotspots.global_moran(y2, w, permutations=PERM)
    gc = hotspots.global_moran(y2, w, permutations=PERM, seed=1)
    assert ga.equals(gb)
    assert ga.loc[0, "mean_i_sim"] != gc.loc[0, "mean_i_sim"]


def test_global_random_state_untouched(w, census):
    np.random.seed(123)
    expected = np.random.random(3)
    np.random.seed(123)
    hotspots.local_moran(census["age_0_14_share"], w, permutations=PERM)
    hotspots.global_moran(census["age_0_14_share"], w, permutations=PERM)
    hotspots.getis_ord(census["age_0_14_share"], w, permutations=PERM)
    np.testing.assert_array_equal(np.random.random(3), expected)


# --- Benjamini–Hochberg ----------------------------------------------------------------------

def test_fdr_by_hand():
    # sorted: .005 ≤ 1·.01, .01 ≤ 2·.01, .03 ≤ 3·.01, .04 ≤ 4·.01, .20 > 5·.01 → first four
    p = [0.01, 0.04, 0.03, 0.005, 0.20]
    sig, adj = hotspots.fdr_significant(p, 0.05)
    assert sig.tolist() == [True, True, True, True, False]
    # adjusted p = min over k' ≥ k of p(k')·m/k': (.025, .025, .05, .05, .2) in sorted order
    np.testing.assert_allclose(adj, [0.025, 0.05, 0.05, 0.025, 0.20], rtol=0, atol=1e-15)


def test_fdr_step_up():
    # the smallest fails its own threshold (.02 > .0125) but rank 3 passes (.022 ≤ .0375):
    # step-up rejects all three; Bonferroni (.0125) would reject none
    sig, _ = hotspots.fdr_significant([0.5, 0.022, 0.02, 0.021], 0.05)
    assert sig.tolist() == [False, True, True, True]
    sig, adj = hotspots.fdr_significant([0.3, 0.6, 0.9], 0.05)
    assert not sig.any() and adj.min() == pytest.approx(0.9)
    with pytest.raises(ValueError):
        hotspots.fdr_significant([0.1, np.nan], 0.05)
    with pytest.raises(ValueError):
        hotspots.fdr_significant([0.1, 1.2], 0.05)


# --- empirical-Bayes rates -------------------------------------------------------------------

def test_eb_matches_esda_and_marshall(w, migration):
    e = migration["out_sample_count"]
    b = migration["at_risk_origin_sample_count"]
    res = hotspots.eb_rates(e, b, w, per=1000)
    assert not res.attrs["eb_truncated"]
    ev, bv = e.reindex(w.id_order).to_numpy(), b.reindex(w.id_order).to_numpy()
    esda_eb = Empirical_Bayes(ev, bv).r.ravel() * 1000
    np.testing.assert_allclose(res["eb_per_1000"], esda_eb, rtol=1e-12, atol=0)
    np.testing.assert_allclose(res["eb_per_1000"], ref.marshall_eb(ev, bv) * 1000, rtol=1e-12)
    np.testing.assert_allclose(res["raw_per_1000"], ev / bv * 1000, rtol=1e-12)
    w2 = W({i: list(w.neighbors[i]) for i in w.id_order}, id_order=list(w.id_order))
    seb = Spatial_Empirical_Bayes(ev, bv, w2).r.ravel() * 1000
    np.testing.assert_allclose(res["seb_per_1000"], seb, rtol=1e-12, atol=0)
    assert res.attrs["overall_per_1000"] == pytest.approx(ev.sum() / bv.sum() * 1000)


def test_eb_columns_and_small_count(w, census):
    rng = np.random.default_rng(SEED)
    b = census["children_0_14_persons"]
    e = pd.Series(rng.poisson(b.to_numpy() / 1e5 * 3 * rng.uniform(0.3, 2, 31)), index=b.index)
    res = hotspots.eb_rates(e, b, w)
    assert res.columns.tolist() == ["adcode", "event_count", "population_persons",
                                    "raw_per_100k", "eb_per_100k", "seb_per_100k",
                                    "small_count"]
    assert res["small_count"].tolist() == (res["event_count"] < hotspots.MIN_COUNT).tolist()
    assert res["small_count"].any()  # Tibet, Qinghai, Ningxia have few events here
    assert "seb_per_100k" not in hotspots.eb_rates(e, b).columns
    np.testing.assert_allclose(res["eb_per_100k"],
                               ref.marshall_eb(res["event_count"].to_numpy(),
                                           res["population_persons"].to_numpy()) * 1e5,
                               rtol=1e-12)


def test_eb_equals_raw_for_huge_populations():
    rates = np.array([1e-5, 3e-5, 2e-5, 8e-5, 5e-5, 1.5e-5])
    b = np.array([1, 3, 2, 5, 4, 7]) * 1e15
    ids = list(range(1, 7))
    res = hotspots.eb_rates(pd.Series(rates * b, index=ids), pd.Series(b, index=ids))
    np.testing.assert_allclose(res["eb_per_100k"], rates * 1e5, rtol=1e-9)
    np.testing.assert_allclose(res["raw_per_100k"], rates * 1e5, rtol=1e-12)


def test_eb_pure_noise_collapses_to_mean():
    """Equal true rates: the between-province variance estimate is ≤ 0 → every EB rate is the
    overall rate (esda's global smoother would give weights outside [0, 1] here)."""
    b = pd.Series([1000.0, 2000.0, 3000.0, 4000.0], index=[1, 2, 3, 4])
    e = pd.Series([10.0, 20.0, 30.0, 40.0], index=[1, 2, 3, 4])
    res = hotspots.eb_rates(e, b)
    assert res.attrs["eb_truncated"]
    np.testing.assert_allclose(res["eb_per_100k"], 1000.0)
    e2 = pd.Series([11.0, 19.0, 31.0, 39.0], index=[1, 2, 3, 4])
    raw, m, v = hotspots._global_eb(e2.to_numpy(), b.to_numpy())
    assert v < 0
    esda_eb = Empirical_Bayes(e2.to_numpy(), b.to_numpy()).r.ravel()
    low, high = np.minimum(raw, m), np.maximum(raw, m)
    assert ((esda_eb < low - 1e-15) | (esda_eb > high + 1e-15)).any()  # esda overshoots
    res2 = hotspots.eb_rates(e2, b)
    np.testing.assert_allclose(res2["eb_per_100k"], m * 1e5)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(1, 10**7)), min_size=3,
                max_size=31))
def test_eb_shrinks_towards_overall_rate(pairs):
    ids = list(range(len(pairs)))
    e = pd.Series([float(p[0]) for p in pairs], index=ids)
    b = pd.Series([float(p[1]) for p in pairs], index=ids)
    res = hotspots.eb_rates(e, b)
    m = res.attrs["overall_per_100k"]
    raw, eb = res["raw_per_100k"].to_numpy(), res["eb_per_100k"].to_numpy()
    tol = 1e-9 * np.maximum(1.0, np.abs(raw))
    assert np.all(eb >= np.minimum(raw, m) - tol)
    assert np.all(eb <= np.maximum(raw, m) + tol)
    # the shrinkage weight C = (eb − m)/(raw − m) grows with population
    moved = np.abs(raw - m) > 1e-6 * max(m, 1e-12)
    if moved.sum() >= 2 and not res.attrs["eb_truncated"]:
        c = (eb[moved] - m) / (raw[moved] - m)
        order = np.argsort(b.to_numpy()[moved], kind="stable")
        assert np.all(np.diff(c[order]) >= -1e-9)


def test_eb_rejects_bad_input(w, census):
    b = census["children_0_14_persons"]
    with pytest.raises(ValueError, match="negative"):
        hotspots.eb_rates(b * 0 - 1, b, w)
    with pytest.raises(ValueError, match="not positive"):
        hotspots.eb_rates(b * 0, b * 0, w)
    with pytest.raises(ValueError, match="460000"):
        hotspots.eb_rates(b.drop(HAINAN) // 1000, b.drop(HAINAN), w)


# --- combined table --------------------------------------------------------------------------

def hotspot_table(values: pd.Series, w: W, permutations: int = 9999) -> pd.DataFrame:
    """LISA and Gi* of one measure side by side, same seed and settings (a test helper: the
    build's own table is ``hotspot_local``, :mod:`analysis.topics.hotspots.build`)."""
    lisa = hotspots.local_moran(values, w, permutations=permutations, seed=SEED)
    gi = hotspots.getis_ord(values, w, star=True, permutations=permutations, seed=SEED)
    out = pd.DataFrame({
        "measure": values.name, "adcode": lisa["adcode"], "n_neighbors": lisa["n_neighbors"],
        "value": lisa["value"], "lisa_local_i": lisa["local_i"], "lisa_p_sim": lisa["p_sim"],
        "lisa_p_adjusted": lisa["p_adjusted"], "lisa_quadrant": lisa["quadrant"],
        "lisa_cluster": lisa["cluster"], "gi_z": gi["z"], "gi_p_sim": gi["p_sim"],
        "gi_p_adjusted": gi["p_adjusted"], "gi_label": gi["label"]})
    out.attrs.update({"permutations": permutations, "seed": SEED})
    return out


def test_hotspot_table(w, migration):
    y = migration["out_migration_per_1000"]
    t = hotspot_table(y, w, permutations=PERM)
    lisa = hotspots.local_moran(y, w, permutations=PERM)
    gi = hotspots.getis_ord(y, w, permutations=PERM)
    assert t["measure"].unique().tolist() == ["out_migration_per_1000"]
    np.testing.assert_array_equal(t["lisa_p_sim"], lisa["p_sim"])
    np.testing.assert_array_equal(t["gi_z"], gi["z"])
    assert t["lisa_cluster"].tolist() == lisa["cluster"].tolist()
    assert t["gi_label"].tolist() == gi["label"].tolist()
    assert set(t["gi_label"]) <= {"Hot spot", "Cold spot", "Not significant"}
    assert t.attrs["seed"] == SEED and t.attrs["permutations"] == PERM


def test_gi_star_reproduces_esda_documented_example():
    """The G_Local docstring example (six points, distance band 15, binary, star): published
    z-scores, reproduced through our binary-with-self-weight path."""
    from libpysal.weights import DistanceBand

    points = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
    wd = DistanceBand(points, threshold=15, silence_warnings=True)
    y = pd.Series([2, 3, 3.2, 5, 8, 7], index=list(wd.id_order))
    res = hotspots.getis_ord(y, wd, permutations=PERM)
    np.testing.assert_allclose(
        res["z"], [-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331],
        rtol=0, atol=1e-8)


def test_vectorised_global_permutations_equal_esda_exactly(processed):
    """global_moran draws the permutations like esda.Moran and computes them in one product:
    p_sim and the mean simulated I must equal esda's own loop bit for bit."""
    from esda.moran import Moran

    from analysis import geo, tables
    from analysis.stats.hotspots import _row_standardised_copy, _seeded, global_moran

    w = geo.province_weights(geo.load_boundaries("ocha", processed))
    frame = tables.read("census2020_province", processed).set_index("adcode")
    for col in ("age_0_14_share", "college_per_100k"):
        ours = global_moran(frame[col], w, permutations=999, seed=7).iloc[0]
        with _seeded(7):
            ref = Moran(frame[col].reindex(w.id_order).to_numpy(), _row_standardised_copy(w),
                        transformation="r", permutations=999, two_tailed=True)
        assert ours["p_sim"] == ref.p_sim
        assert abs(ours["mean_i_sim"] - ref.EI_sim) < 1e-15


# --- the alternative hypothesis and Gi*'s own inference (issue 13) ---------------------------

def test_local_p_is_esdas_directed_alternative(w, census):
    """p_sim is esda's 'directed' p (recomputed by hand from the kept simulations), not its
    'two-sided' or 'folded' one."""
    from esda.moran import Moran_Local

    from analysis.stats.hotspots import _row_standardised_copy, _seeded

    y = census["age_0_14_share"]
    res = hotspots.local_moran(y, w, permutations=PERM, seed=SEED)
    with _seeded(SEED):
        lm = Moran_Local(y.reindex(w.id_order).to_numpy(), _row_standardised_copy(w),
                         transformation="r", permutations=PERM, n_jobs=1, seed=SEED)
    sims = lm.sim  # permutations × n
    larger = (sims >= lm.Is).sum(axis=0)
    directed = (np.minimum(larger, PERM - larger) + 1) / (PERM + 1)
    np.testing.assert_array_equal(res["p_sim"], directed)
    np.testing.assert_array_equal(res["p_sim"], lm.p_sim)
    for other in ("two-sided", "folded"):
        assert not np.allclose(res["p_sim"], hotspots.permutation_p(lm.Is, sims, other))
    assert hotspots.LOCAL_ALTERNATIVE == "directed"


def test_gi_p_values_are_not_the_lisa_p_values(w, census, migration):
    """Under esda's conditional permutation with the same draws Gi* ranked every draw as the
    local Moran does (identical p); with total randomisation on its own stream they differ."""
    for name, y in _measures(census, migration).items():
        lisa = hotspots.local_moran(y, w, permutations=PERM)
        gi = hotspots.getis_ord(y, w, permutations=PERM)
        same = np.isclose(lisa["p_sim"], gi["p_sim"], rtol=0, atol=1e-12)
        assert same.mean() < 0.2, name


def test_gi_total_randomisation_has_the_getis_ord_moments(w, census, migration):
    """The simulated G_i* have the analytical mean W_i/n and the variance of Ord & Getis's z
    (numpy, :func:`reference.gi_star`), so the permutation z equals the analytical z."""
    a = ref.binary_matrix(w)
    perms = 20_000
    for name, y in _measures(census, migration).items():
        x = y.reindex(w.id_order).to_numpy()
        sims = hotspots.gi_total_permutations(x, w, True, perms, SEED)
        g, z = ref.gi_star(x, a)
        wi = a.sum(axis=1) + 1
        n = len(x)
        np.testing.assert_allclose(sims.mean(axis=0), wi / n, rtol=0,
                                   atol=4 * sims.std(axis=0).max() / np.sqrt(perms))
        sd = x.std() * np.sqrt(wi * (n - wi) / (n - 1)) / x.sum()
        np.testing.assert_allclose(sims.std(axis=0), sd, rtol=0.03)
        z_perm = (g - sims.mean(axis=0)) / sims.std(axis=0)
        np.testing.assert_allclose(z_perm, z, rtol=0.03, atol=0.05, err_msg=name)


def test_gi_permutation_p_agrees_with_the_analytical_normal_p():
    """On a 10 × 10 lattice with normal values the total-randomisation p of G_i* equals the
    one-sided normal p of the analytical z (from numpy) up to Monte-Carlo error; the label
    follows the sign of z."""
    lat = lat2W(10, 10, rook=False, id_type="int")
    y = pd.Series(np.random.default_rng(4).normal(10, 1, 100), index=list(lat.id_order))
    res = hotspots.getis_ord(y, lat, permutations=9999, fdr=False)
    _, z = ref.gi_star(y.to_numpy(), ref.binary_matrix(lat))
    np.testing.assert_allclose(res["p_sim"], norm.sf(np.abs(z)), rtol=0, atol=0.025)
    assert res["direction_agrees"][np.abs(z) > 0.5].all()


def test_gi_planted_cluster_found_by_its_own_test(lattice):
    """A planted hot 2 × 2 block on a libpysal lattice is a Gi* hot spot under total
    randomisation, while a far corner is not."""
    y = np.random.default_rng(8).uniform(0, 1, 25)
    y[[0, 1, 5, 6]] += 5
    res = hotspots.getis_ord(pd.Series(y, index=list(lattice.id_order)), lattice,
                             permutations=PERM, fdr=True)
    assert set(res.loc[res["label"] == "Hot spot", "adcode"]) >= {0, 1, 5, 6}
    assert res.set_index("adcode").loc[24, "label"] == "Not significant"


# --- sensitivity of the LISA clusters to weights and seeds --------------------------------------

def test_lisa_variants_and_cluster_stability_on_a_planted_cluster():
    """A planted block on a libpysal lattice under rook, queen and KNN weights and three
    seeds: its corner is a stable High-High member, an edge cell depends on the weights; the
    shares are the counts of the long frame recomputed by hand."""
    from libpysal.weights import KNN

    rook = lat2W(6, 6, rook=True, id_type="int")
    queen = lat2W(6, 6, rook=False, id_type="int")
    coords = np.array([(i % 6, i // 6) for i in range(36)], dtype=float)
    knn = KNN.from_array(coords, k=4, ids=list(range(36)), silence_warnings=True)
    y = np.random.default_rng(2).uniform(0, 1, 36)
    block = [0, 1, 6, 7]
    y[block] += 8
    values = pd.Series(y, index=list(range(36)))
    seeds = (SEED, SEED + 1, SEED + 2)
    ws = {"rook": rook, "queen": queen, "knn4": knn}
    var = hotspots.lisa_variants(values, ws, seeds, permutations=9999)
    assert len(var) == 36 * len(ws) * len(seeds)
    main = hotspots.local_moran(values, queen, permutations=9999)["cluster"]
    main.index = range(36)
    np.testing.assert_array_equal(
        var[(var["weights"] == "queen") & (var["seed"] == SEED)]["cluster"], main)
    stab = hotspots.cluster_stability(var, main).set_index("adcode")
    # the corner of the block (both rook neighbours high) is High-High in every variant; its
    # edge cells have a low rook neighbour and drop out under rook weights only
    assert stab.loc[0, "modal_cluster"] == "High-High"
    assert stab.loc[0, "modal_cluster_share"] == 1.0
    assert stab.loc[1, "modal_cluster"] == "High-High"
    assert 0 < stab.loc[1, "modal_cluster_share"] < 1
    assert set(var[(var["adcode"] == 1) & (var["weights"] == "queen")]["cluster"]) == {"High-High"}
    for a in range(36):
        rows = var[var["adcode"] == a]["cluster"]
        assert stab.loc[a, "variants_count"] == 9
        assert stab.loc[a, "same_cluster_share"] == pytest.approx((rows == main[a]).mean())
        sig = rows[rows != "Not significant"]
        expected = sig.value_counts().max() / 9 if len(sig) else 0.0
        assert stab.loc[a, "modal_cluster_share"] == pytest.approx(expected)
