"""Hotspot tables (step derive.hotspots): every statistic recomputed independently in numpy from
the processed counts, rates and the neighbour table; accounts; 31 provinces per map."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

import reference as ref
from analysis import geo, tables
from analysis.stats import hotspots
from analysis.vocab.measures import MEASURES, PERIOD_PANELS
from analysis.vocab.periods import HOTSPOT_ALL_PERIODS as POOLED
from analysis.vocab.provinces import MAINLAND31
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import PERMUTATIONS

TOL = 1e-9
IDS = sorted(MAINLAND31)
TABLES = ["hotspot_neighbours", "hotspot_local", "hotspot_global_moran", "hotspot_lisa_sensitivity",
          "hotspot_source_destination", "published_hotspot_comparison",
          "published_flow_comparison"]


@pytest.fixture(scope="module")
def t(processed):
    names = [*TABLES, "case_counts_by_period", "case_rates", "case_flows"]
    return {n: tables.read(n, processed) for n in names}


@pytest.fixture(scope="module")
def binary(t) -> np.ndarray:
    """Binary weights matrix (rows/cols in adcode order) from the processed neighbour table."""
    nb = t["hotspot_neighbours"]
    pos = {a: k for k, a in enumerate(IDS)}
    a = np.zeros((31, 31))
    for i, j in zip(nb["province_adcode"], nb["neighbour_adcode"], strict=True):
        a[pos[int(i)], pos[int(j)]] = 1.0
    return a


def _maps(local: pd.DataFrame):
    for (measure, period), g in local.groupby(["measure", "period"], sort=True):
        yield measure, period, g.set_index("adcode").reindex(IDS)


# --- structure --------------------------------------------------------------------------------

def test_31_provinces_per_map(t):
    for measure, period, g in _maps(t["hotspot_local"]):
        assert g.index.tolist() == IDS and not g["eb_per_100k"].isna().any(), (measure, period)
    keys = set(t["hotspot_local"][["measure", "period"]].itertuples(index=False, name=None))
    expected = {(m, POOLED) for m in MEASURES} | {(m, p) for m, panels in PERIOD_PANELS.items()
                                                   for p, _ in panels}
    assert keys == expected
    for name in ("hotspot_source_destination", "published_hotspot_comparison"):
        for _, g in t[name].groupby("source"):
            assert sorted(g["adcode"]) == IDS, name
    g = t["hotspot_global_moran"]
    assert set(g[["measure", "period"]].itertuples(index=False, name=None)) == expected
    assert (g["provinces_count"] == 31).all()


def test_accounts_balance(processed):
    for name in TABLES:
        acc = tables.read_account(name, processed)
        acc.check()
        assert sum(acc.read.values()) > 0, name


def test_neighbours_are_the_geo_weights_on_both_basemaps(t, processed):
    nb = t["hotspot_neighbours"]
    got = {a: sorted(g["neighbour_adcode"]) for a, g in nb.groupby("province_adcode")}
    for b in geo.BASEMAPS:
        w = geo.province_weights(geo.load_boundaries(b, processed))
        assert got == {int(i): sorted(int(j) for j in w.neighbors[i]) for i in w.id_order}
    pairs = set(zip(nb["province_adcode"], nb["neighbour_adcode"], strict=True))
    assert all((j, i) in pairs for i, j in pairs)  # symmetric
    island = nb[nb["rule"] != "queen contiguity"]
    assert set(island["province_adcode"]) | set(island["neighbour_adcode"]) == {460000, 440000, 450000}
    assert sorted(got[460000]) == [440000, 450000]


# --- rates ------------------------------------------------------------------------------------

def test_rates_and_counts_recomputed(t):
    local, rates, counts = t["hotspot_local"], t["case_rates"], t["case_counts_by_period"]
    for measure, period, g in _maps(local):
        m = MEASURES[measure]
        source, side, role = m.source, m.side, m.place_role
        if period == POOLED:
            r = rates[rates["measure"] == measure].set_index("adcode").reindex(IDS)
            expected = r["postings_count"].to_numpy()
        else:
            periods = dict(PERIOD_PANELS[measure])[period]
            c = counts[(counts["source"] == source) & (counts["side"] == side)
                       & (counts["place_role"] == role) & counts["period"].isin(periods)]
            expected = c.groupby("adcode")["postings_count"].sum().reindex(IDS, fill_value=0)
        np.testing.assert_array_equal(g["postings_count"].to_numpy(), np.asarray(expected))
        e = g["postings_count"].to_numpy(dtype=float)
        b = g["children_0_14_persons"].to_numpy(dtype=float)
        np.testing.assert_allclose(g["raw_per_100k"], e / b * 1e5, rtol=1e-12)
        np.testing.assert_allclose(g["eb_per_100k"], ref.marshall_eb(e, b) * 1e5, rtol=1e-9)
        assert g["small_count"].tolist() == (e < hotspots.MIN_COUNT).tolist()
        ranks = pd.Series(g["eb_per_100k"].to_numpy()).rank(ascending=False, method="min")
        assert g["eb_rank"].tolist() == ranks.astype(int).tolist()


def test_pooled_counts_are_the_sum_of_the_panels_plus_the_left_out_periods(t):
    local, counts = t["hotspot_local"], t["case_counts_by_period"]
    for measure, panels in PERIOD_PANELS.items():
        m = MEASURES[measure]
        source, side, role = m.source, m.side, m.place_role
        sel = local[local["measure"] == measure]
        pooled = sel.loc[sel["period"] == POOLED, "postings_count"].sum()
        in_panels = sel.loc[sel["period"] != POOLED, "postings_count"].sum()
        used = {p for _, ps in panels for p in ps}
        c = counts[(counts["source"] == source) & (counts["side"] == side)
                   & (counts["place_role"] == role) & ~counts["period"].isin(used)]
        assert pooled == in_panels + c["postings_count"].sum(), measure


# --- statistics recomputed in numpy -----------------------------------------------------------

def test_global_moran_recomputed(t, binary):
    local = t["hotspot_local"]
    glob = t["hotspot_global_moran"].set_index(["measure", "period", "rate_kind"])
    for measure, period, g in _maps(local):
        for kind in ("raw", "eb"):
            i, z, _ = ref.moran(g[f"{kind}_per_100k"].to_numpy(), ref.row_standardised(binary))
            row = glob.loc[(measure, period, kind)]
            assert row["moran_i"] == pytest.approx(i, abs=TOL), (measure, period, kind)
            assert row["moran_z"] == pytest.approx(z, abs=TOL)
            assert row["p_norm"] == pytest.approx(2 * norm.sf(abs(z)), abs=TOL)
            assert row["expected_i"] == pytest.approx(-1 / 30, abs=1e-15)
            assert 1 / (PERMUTATIONS + 1) <= row["p_sim"] <= 0.5 + 1 / (PERMUTATIONS + 1)
    assert (t["hotspot_global_moran"]["seed"] == SEED).all()


def test_gi_star_recomputed(t, binary):
    for measure, period, g in _maps(t["hotspot_local"]):
        gi, z = ref.gi_star(g["eb_per_100k"].to_numpy(), binary)
        np.testing.assert_allclose(g["gi_g"], gi, rtol=0, atol=TOL, err_msg=f"{measure} {period}")
        np.testing.assert_allclose(g["gi_z"], z, rtol=0, atol=TOL, err_msg=measure)
        np.testing.assert_allclose(g["gi_p_norm"], 2 * norm.sf(np.abs(z)), rtol=0, atol=TOL)


def test_local_moran_recomputed(t, binary):
    w = binary / binary.sum(axis=1, keepdims=True)
    for measure, _, g in _maps(t["hotspot_local"]):
        y = g["eb_per_100k"].to_numpy()
        z = (y - y.mean()) / y.std()
        lag = w @ z
        np.testing.assert_allclose(g["lisa_z"], z, rtol=0, atol=TOL)
        np.testing.assert_allclose(g["lisa_lag_z"], lag, rtol=0, atol=TOL)
        np.testing.assert_allclose(g["lisa_local_i"], (len(y) - 1) * z * lag / (z @ z),
                                   rtol=0, atol=TOL, err_msg=measure)
        quad = np.select([(z > 0) & (lag > 0), (z <= 0) & (lag > 0), (z <= 0) & (lag <= 0)],
                         ["HH", "LH", "LL"], "HL")
        assert g["lisa_quadrant"].tolist() == quad.tolist()
        assert g["neighbors_count"].tolist() == binary.sum(axis=1).astype(int).tolist()


def test_fdr_and_labels(t):
    for measure, period, g in _maps(t["hotspot_local"]):
        for prefix in ("gi", "lisa"):
            p = g[f"{prefix}_p_sim"].to_numpy()
            adj = ref.bh_adjust(p)
            np.testing.assert_allclose(g[f"{prefix}_p_adjusted"], adj, rtol=0, atol=1e-12)
        sig, raw = ref.bh_adjust(g["gi_p_sim"].to_numpy()) <= 0.05, g["gi_p_sim"].to_numpy() <= 0.05
        z = g["gi_z"].to_numpy()
        direction = np.where(z > 0, "Hot spot", "Cold spot")
        assert g["gi_label"].tolist() == np.where(sig, direction, "Not significant").tolist()
        assert g["gi_label_unadjusted"].tolist() == np.where(raw, direction,
                                                             "Not significant").tolist()
        sig_l = ref.bh_adjust(g["lisa_p_sim"].to_numpy()) <= 0.05
        names = g["lisa_quadrant"].map(hotspots.CLUSTER_LABELS).to_numpy()
        assert g["lisa_cluster"].tolist() == np.where(sig_l, names, "Not significant").tolist()
        assert (sig <= raw).all(), (measure, period)


def test_permutation_p_values_reproduce_with_the_seed(t, processed):
    """Same data, weights and seed → the stored pseudo p-values, bit for bit."""
    w = geo.province_weights(geo.load_boundaries("ocha", processed))
    g = t["hotspot_local"]
    g = g[(g["measure"] == "lost_uiuing_success") & (g["period"] == POOLED)].set_index("adcode")
    y = g["eb_per_100k"]
    gi = hotspots.getis_ord(y, w, permutations=PERMUTATIONS, seed=SEED)
    np.testing.assert_array_equal(gi["p_sim"].to_numpy(), g.loc[gi["adcode"], "gi_p_sim"])
    lisa = hotspots.local_moran(y, w, permutations=PERMUTATIONS, seed=SEED)
    np.testing.assert_array_equal(lisa["p_sim"].to_numpy(), g.loc[lisa["adcode"], "lisa_p_sim"])


# --- source vs destination --------------------------------------------------------------------

def test_rank_difference_and_flow_balance(t):
    sd, local, flows = t["hotspot_source_destination"], t["hotspot_local"], t["case_flows"]
    pairs = {"uiuing_success": ("lost_uiuing_success", "found_uiuing_success"),
             "wtt1002_data": ("lost_wtt1002_data", "current_wtt1002_data")}
    pooled = local[local["period"] == POOLED]
    for source, (lost_m, dest_m) in pairs.items():
        s = sd[sd["source"] == source].set_index("adcode").reindex(IDS)
        lost = pooled[pooled["measure"] == lost_m].set_index("adcode").reindex(IDS)
        dest = pooled[pooled["measure"] == dest_m].set_index("adcode").reindex(IDS)
        assert s["lost_eb_rank"].tolist() == lost["eb_rank"].tolist()
        assert s["destination_eb_rank"].tolist() == dest["eb_rank"].tolist()
        assert (s["rank_difference"] == s["destination_eb_rank"] - s["lost_eb_rank"]).all()
        f = flows[flows["source"] == source]
        out_, in_, within = Counter(), Counter(), Counter()
        for r in f.itertuples():
            if r.lost_adcode == r.destination_adcode:
                within[r.lost_adcode] += r.flow_count
            else:
                out_[r.lost_adcode] += r.flow_count
                in_[r.destination_adcode] += r.flow_count
        assert s["out_flow_count"].tolist() == [out_[a] for a in IDS]
        assert s["in_flow_count"].tolist() == [in_[a] for a in IDS]
        assert s["within_flow_count"].tolist() == [within[a] for a in IDS]
        assert s["net_importer"].tolist() == [in_[a] > out_[a] for a in IDS]
        assert s["out_flow_count"].sum() == s["in_flow_count"].sum()


def test_reunion_source_destination_geography(t):
    """Real data: reunited children went missing in the south-west and were found in the east
    and centre (Yunnan, Guizhou, Sichuan net sources; Hebei, Shandong, Henan net destinations)."""
    sd = t["hotspot_source_destination"]
    s = sd[sd["source"] == "uiuing_success"].set_index("adcode")["rank_difference"]
    assert (s.loc[[530000, 520000, 510000]] > 10).all()
    assert (s.loc[[130000, 370000, 410000]] < -10).all()


# --- Gi* has its own test; LISA sensitivity (issue 13) ------------------------------------------

def test_gi_p_values_are_not_the_lisa_p_values(t):
    """The published Gi* p-values no longer repeat the LISA p-values row for row (they were
    identical under the shared conditional permutations)."""
    local = t["hotspot_local"]
    same = np.isclose(local["gi_p_sim"], local["lisa_p_sim"], rtol=0, atol=1e-12)
    assert same.mean() < 0.05
    # each Gi* label follows its own p-value and the sign of the numpy z (test_fdr_and_labels),
    # and a province can be a Gi* hot spot without a LISA cluster (own value high)
    pooled = local[local["period"] == POOLED]
    assert ((pooled["gi_label"] != "Not significant")
            & (pooled["lisa_cluster"] == "Not significant")).any()


def test_lisa_sensitivity_recomputed_independently(t, processed):
    """``hotspot_lisa_sensitivity``: the queen / main-seed column is hotspot_local's cluster; the
    KNN-4 column is recomputed with esda's Moran_Local on libpysal KNN weights built here from
    the polygons, and BH by hand; the shares and classes follow from the columns."""
    from esda.moran import Moran_Local
    from libpysal.weights import KNN

    from analysis.stats.hotspots import _seeded
    from analysis.topics.hotspots.schema import (
        SENSITIVITY_SEEDS,
        SENSITIVITY_WEIGHTS,
        STABLE,
    )
    from analysis.vocab.basemaps import CHINA_ALBERS

    sens = t["hotspot_lisa_sensitivity"]
    local = t["hotspot_local"]
    pooled = local[local["period"] == POOLED].set_index(["measure", "adcode"])
    s = sens.set_index(["measure", "adcode"])
    assert set(s.index) == set(pooled.index)
    assert (s["lisa_cluster"] == pooled.loc[s.index, "lisa_cluster"]).all()
    assert (s["cluster_queen"] == s["lisa_cluster"]).all()
    assert (s["variants_count"] == len(SENSITIVITY_WEIGHTS) * len(SENSITIVITY_SEEDS)).all()
    assert ((s["stability"] == STABLE) == (s["modal_cluster_share"] == 1)).all()
    assert (s.loc[s["modal_cluster_share"] == 0, "modal_cluster"] == "Not significant").all()
    g = geo.load_boundaries("ocha", processed)
    g = g[g["adcode"].isin(IDS)].to_crs(CHINA_ALBERS).set_index("adcode").sort_index()
    cent = np.column_stack([g.centroid.x, g.centroid.y])
    knn = KNN.from_array(cent, k=4, ids=IDS, silence_warnings=True)
    knn.transform = "r"
    for measure in ("lost_uiuing_success", "lost_uiuing_missing"):
        y = pooled.loc[measure].reindex(IDS)["eb_per_100k"].to_numpy()
        with _seeded(SEED):
            lm = Moran_Local(y, knn, transformation="r", permutations=PERMUTATIONS, n_jobs=1,
                             seed=SEED)
        sig = ref.bh_adjust(lm.p_sim) <= 0.05
        quad = np.array([hotspots.QUADRANTS[int(q)] for q in lm.q])
        expected = np.where(sig, [hotspots.CLUSTER_LABELS[q] for q in quad], "Not significant")
        got = s.loc[measure].reindex(IDS)["cluster_knn4"].to_numpy()
        assert got.tolist() == expected.tolist(), measure
