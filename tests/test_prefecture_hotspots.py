"""Prefecture atlas (issue 12): boundaries, weights, the hot-spot step, the level comparison and
the figures of notebook 06.

Statistics are checked against independent computations: contiguity against shapely's own
``touches``/``intersects`` on a synthetic grid, KNN against brute-force distances, Moran's I by
its formula on the published links, the EB rate by Marshall's formula by hand, the FDR labels by
a hand-written Benjamini–Hochberg; real-data checks run on ``data/processed``.
"""

from __future__ import annotations

import itertools

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from analysis.core.accounts import RowAccount
from analysis.stats.weights import (
    COMPONENT_RULE,
    QUEEN_RULE,
    prefecture_knn_weights,
    prefecture_links,
    prefecture_weights,
)
from analysis.topics.prefecture_hotspots import build, schema
from analysis.vocab.basemaps import CHINA_ALBERS
from analysis.vocab.settings import (
    ALPHA,
    COLD_SPOT,
    HOT_SPOT,
    NOT_SIGNIFICANT,
    PREFECTURE_KNN_K,
    PREFECTURE_MIN_COUNT,
)

KM = 1000.0


# --- synthetic fixtures ------------------------------------------------------------------------


def grid(n: int = 4, island: bool = True, pair: bool = False) -> gpd.GeoDataFrame:
    """``n × n`` squares of 100 km (ids 1..n²) in CHINA_ALBERS; optionally a lone island square
    (id 90) far to the south-east and a two-square island group (ids 91, 92) to the east."""
    rows = []
    for r, c in itertools.product(range(n), range(n)):
        rows.append({"prefecture_adcode": 1 + r * n + c,
                     "geometry": shapely.box(c * 100 * KM, r * 100 * KM, (c + 1) * 100 * KM,
                                             (r + 1) * 100 * KM)})
    if island:
        rows.append({"prefecture_adcode": 90,
                     "geometry": shapely.box(n * 100 * KM + 150 * KM, -250 * KM,
                                             n * 100 * KM + 200 * KM, -200 * KM)})
    if pair:
        rows.append({"prefecture_adcode": 91, "geometry": shapely.box(
            n * 100 * KM + 300 * KM, 100 * KM, n * 100 * KM + 400 * KM, 200 * KM)})
        rows.append({"prefecture_adcode": 92, "geometry": shapely.box(
            n * 100 * KM + 400 * KM, 100 * KM, n * 100 * KM + 500 * KM, 200 * KM)})
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=CHINA_ALBERS)


def test_queen_links_equal_shapely_touches_on_a_grid():
    g = grid(4, island=False)
    links = prefecture_links(g)
    got = set(zip(links["unit"], links["neighbour"], strict=True))
    geoms = dict(zip(g["prefecture_adcode"], g.geometry, strict=True))
    expected = {(i, j) for i, j in itertools.permutations(geoms, 2)
                if geoms[i].intersects(geoms[j]) and not geoms[i].overlaps(geoms[j])}
    assert got == expected
    assert (links["rule"] == QUEEN_RULE).all()
    # a corner square has 3 queen neighbours, an inner one 8
    assert (links["unit"] == 1).sum() == 3 and (links["unit"] == 6).sum() == 8


def test_component_rule_joins_an_island_to_its_k_nearest_by_centroid():
    g = grid(4, island=True)
    links = prefecture_links(g, k=2)
    added = links[links["rule"] == COMPONENT_RULE]
    cent = {a: np.array(p.centroid.coords[0]) for a, p in zip(g["prefecture_adcode"], g.geometry,
                                                                strict=True)}
    dist = sorted((float(np.hypot(*(cent[90] - cent[j]))), j) for j in cent if j != 90)
    nearest = {j for _, j in dist[:2]}
    assert set(added.loc[added["unit"] == 90, "neighbour"]) == nearest
    # symmetric, and the island has only those links
    for j in nearest:
        assert ((added["unit"] == j) & (added["neighbour"] == 90)).any()
    assert (links["unit"] == 90).sum() == 2
    w = prefecture_weights(g)
    assert w.n_components == 1 and not w.islands
    assert np.allclose([sum(w.weights[i]) for i in w.id_order], 1.0)


def test_component_rule_joins_an_island_group_by_its_closest_pairs():
    g = grid(3, island=False, pair=True)
    links = prefecture_links(g, k=2)
    added = links[links["rule"] == COMPONENT_RULE]
    cent = {a: np.array(p.centroid.coords[0]) for a, p in zip(g["prefecture_adcode"], g.geometry,
                                                                strict=True)}
    pairs = sorted((float(np.hypot(*(cent[i] - cent[j]))), i, j)
                   for i in (91, 92) for j in range(1, 10))
    expected = {(i, j) for _, i, j in pairs[:2]}
    got = {(i, j) for i, j in zip(added["unit"], added["neighbour"], strict=True) if i > 90}
    assert got == expected
    # the pair keeps its own border link
    assert ((links["unit"] == 91) & (links["neighbour"] == 92)
            & (links["rule"] == QUEEN_RULE)).any()
    assert prefecture_weights(g).n_components == 1


def test_knn_weights_equal_brute_force_nearest_centroids():
    g = grid(4, island=True)
    w = prefecture_knn_weights(g, k=3)
    cent = {a: np.array(p.centroid.coords[0]) for a, p in zip(g["prefecture_adcode"], g.geometry,
                                                                strict=True)}
    for i in cent:
        d = sorted((float(np.hypot(*(cent[i] - cent[j]))), j) for j in cent if j != i)
        # ties in distance on a grid: the neighbour set must be within the k-th distance
        kth = d[2][0]
        assert len(w.neighbors[i]) == 3
        assert all(np.hypot(*(cent[i] - cent[j])) <= kth + 1e-6 for j in w.neighbors[i])


# --- step pieces on synthetic data -------------------------------------------------------------


def synthetic_counts(g: gpd.GeoDataFrame, seed: int = 1) -> pd.DataFrame:
    """A ``prefecture_case_counts``-shaped table for two atlas measures and one other."""
    rng = np.random.default_rng(seed)
    ids = g["prefecture_adcode"].to_numpy()
    parts = []
    for m in ("lost_uiuing_missing", "found_uiuing_success", "current_wtt1002_data"):
        children = rng.integers(50_000, 900_000, len(ids)).astype(float)
        children[0] = np.nan  # a unit without children
        parts.append(pd.DataFrame({"measure": m, "row_kind": "prefecture",
                                   "prefecture_code": ids, "province_adcode": 110000,
                                   "postings_count": rng.poisson(4, len(ids)),
                                   "children_0_14_persons": children}))
        parts.append(pd.DataFrame({"measure": [m], "row_kind": ["province_only"],
                                   "prefecture_code": [110000], "province_adcode": [110000],
                                   "postings_count": [3], "children_0_14_persons": [np.nan]}))
    return pd.concat(parts, ignore_index=True)


def test_measure_inputs_account_for_every_row():
    g = grid(4).assign(prefecture_name_zh="x", adcode=110000)
    counts = synthetic_counts(g)
    acc = RowAccount("prefecture_hotspot_local")
    out = build.measure_inputs(counts, g, acc)
    acc.check()
    assert set(out["measure"]) == {"lost_uiuing_missing", "found_uiuing_success"}
    frame = acc.to_frame()
    dropped = frame[frame["kind"] == "dropped"].set_index("reason")["rows"]
    assert dropped[build.DROP_MEASURE] == len(g)
    assert dropped[build.DROP_PROVINCE_ONLY] == 3
    assert dropped[build.DROP_NO_CHILDREN] == 2
    assert len(out) == 2 * (len(g) - 1)
    assert (out["children_year"] == 2020).all()


def test_measure_tables_eb_and_fdr_by_hand():
    g = grid(4).assign(prefecture_name_zh="x", adcode=110000)
    counts = synthetic_counts(g, seed=3)
    inputs = build.measure_inputs(counts, g, RowAccount("t"))
    sel = inputs[inputs["measure"] == "lost_uiuing_missing"]
    ws, _ = build.unit_weights(g, sorted(sel["prefecture_adcode"]))
    local, glob, sens = build.measure_tables(sel, ws, permutations=99,
                                             sensitivity_permutations=99)
    # Marshall's global EB by hand
    e = local["postings_count"].to_numpy(float)
    b = local["children_0_14_persons"].to_numpy(float)
    m = e.sum() / b.sum()
    r = e / b
    v = (b * (r - m) ** 2).sum() / b.sum() - m / b.mean()
    eb = m + (v / (v + m / b)) * (r - m) if v > 0 else np.full_like(r, m)
    assert np.allclose(local["eb_per_100k"], eb * 1e5)
    assert (local["small_count"] == (e < PREFECTURE_MIN_COUNT)).all()
    # Benjamini–Hochberg by hand on the Gi* permutation p-values
    p = local["gi_p_sim"].to_numpy()
    order = np.argsort(p)
    ranks = np.arange(1, len(p) + 1)
    passed = p[order] <= ranks * ALPHA / len(p)
    k = ranks[passed].max() if passed.any() else 0
    sig = np.zeros(len(p), bool)
    sig[order[:k]] = True
    assert ((local["gi_label"] != NOT_SIGNIFICANT) == sig).all()
    assert set(glob["weights"]) == {schema.QUEEN, schema.KNN}
    assert len(sens) == len(local)


def test_change_and_level_classes():
    q = pd.Series([HOT_SPOT, HOT_SPOT, NOT_SIGNIFICANT, COLD_SPOT, NOT_SIGNIFICANT])
    k = pd.Series([HOT_SPOT, NOT_SIGNIFICANT, HOT_SPOT, HOT_SPOT, NOT_SIGNIFICANT])
    assert list(build.change(q, k)) == [schema.STAYS, schema.QUEEN_ONLY, schema.KNN_ONLY,
                                        schema.FLIPS, schema.NEITHER]
    assert build.level_status(HOT_SPOT, 0.6, 3, 0) == schema.SURVIVES
    assert build.level_status(HOT_SPOT, 0.2, 1, 0) == schema.SPLITS
    assert build.level_status(HOT_SPOT, 0.6, 3, 1) == schema.SPLITS
    assert build.level_status(COLD_SPOT, 0.0, 2, 0) == schema.VANISHES
    assert build.level_status(NOT_SIGNIFICANT, 0.0, 0, 1) == schema.FINER_ONLY
    assert build.level_status(NOT_SIGNIFICANT, 0.0, 0, 0) == schema.NOTHING


# --- real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def atlas(processed):
    from analysis.topics.prefecture_hotspots import views

    return views.load(processed)


@pytest.fixture(scope="module")
def polygons(processed):
    from analysis import geo

    return geo.load_prefecture_boundaries(processed)


def test_boundaries_cover_the_prefecture_units(polygons, processed):
    from analysis import tables

    units = tables.read("census_prefecture", processed)
    assert len(polygons) >= 330
    assert polygons.geometry.is_valid.all() and not polygons.geometry.is_empty.any()
    assert set(units["prefecture_adcode"]) == set(polygons["prefecture_adcode"])
    assert polygons["has_census"].all()
    # no two polygons overlap by more than 1 km² (shapely, independent of libpysal)
    tree = polygons.sindex
    for i, geom in enumerate(polygons.geometry):
        for j in tree.query(geom, predicate="intersects"):
            if j > i:
                assert geom.intersection(polygons.geometry.iloc[j]).area < 1e6


def test_every_mainland_unit_is_in_the_weights_and_islands_are_joined(atlas, polygons):
    nb = atlas["prefecture_hotspot_neighbours"]
    queen = nb[(nb["weights"] == schema.QUEEN) & (nb["children_year"] == 2020)]
    assert set(queen["prefecture_adcode"]) == set(polygons["prefecture_adcode"])
    comp = queen[queen["rule"] == schema.COMPONENT_LINK]
    assert 460300 in set(comp["prefecture_adcode"])          # Sansha: no land neighbour
    hainan = {a for a in polygons["prefecture_adcode"] if a // 10000 == 46}
    assert any(a in hainan and b not in hainan for a, b in
               zip(comp["prefecture_adcode"], comp["neighbour_adcode"], strict=True))
    w = prefecture_weights(polygons)
    assert w.n_components == 1 and not w.islands and w.n == len(polygons)
    knn = nb[(nb["weights"] == schema.KNN) & (nb["children_year"] == 2020)]
    assert (knn.groupby("prefecture_adcode").size() == PREFECTURE_KNN_K).all()


def test_global_moran_by_hand_on_the_published_links(atlas):
    local, moran, nb = (atlas["prefecture_hotspot_local"],
                        atlas["prefecture_hotspot_global_moran"],
                        atlas["prefecture_hotspot_neighbours"])
    for m in local["measure"].unique():
        sel = local[local["measure"] == m].set_index("prefecture_adcode").sort_index()
        year = int(sel["children_year"].iloc[0])
        for kind in schema.WEIGHTS_KINDS:
            links = nb[(nb["weights"] == kind) & (nb["children_year"] == year)]
            ids = list(sel.index)
            pos = {a: k for k, a in enumerate(ids)}
            wm = np.zeros((len(ids), len(ids)))
            for a, b in zip(links["prefecture_adcode"], links["neighbour_adcode"], strict=True):
                wm[pos[a], pos[b]] = 1.0
            wm /= wm.sum(axis=1, keepdims=True)
            z = sel["eb_per_100k"].to_numpy() - sel["eb_per_100k"].mean()
            i_hand = len(z) / wm.sum() * (z @ wm @ z) / (z @ z)
            row = moran[(moran["measure"] == m) & (moran["weights"] == kind)
                        & (moran["rate_kind"] == "eb")].iloc[0]
            assert row["moran_i"] == pytest.approx(i_hand, rel=1e-9, abs=1e-12)
            assert row["units_count"] == len(ids)


def test_eb_by_hand_on_the_real_table(atlas):
    local = atlas["prefecture_hotspot_local"]
    for m, sel in local.groupby("measure"):
        e = sel["postings_count"].to_numpy(float)
        b = sel["children_0_14_persons"].to_numpy(float)
        mean = e.sum() / b.sum()
        r = e / b
        v = (b * (r - mean) ** 2).sum() / b.sum() - mean / b.mean()
        eb = mean + (v / (v + mean / b)) * (r - mean) if v > 0 else np.full_like(r, mean)
        assert np.allclose(sel["eb_per_100k"], eb * 1e5), m
        assert np.allclose(sel["raw_per_100k"], r * 1e5), m


def test_level_comparison_recounts_the_prefecture_labels(atlas):
    local, levels = atlas["prefecture_hotspot_local"], atlas["hotspot_level_comparison"]
    for r in levels.itertuples(index=False):
        u = local[(local["measure"] == r.measure) & (local["adcode"] == r.adcode)]
        assert r.prefectures_count == len(u)
        assert r.prefectures_hot_count == int((u["gi_label"] == HOT_SPOT).sum())
        assert r.prefectures_cold_count == int((u["gi_label"] == COLD_SPOT).sum())


def test_sensitivity_labels_match_the_local_table(atlas):
    local, sens = atlas["prefecture_hotspot_local"], atlas["prefecture_hotspot_sensitivity"]
    merged = local.merge(sens, on=["measure", "prefecture_adcode"], validate="one_to_one")
    assert (merged["gi_label"] == merged["gi_label_queen"]).all()
    assert (merged["lisa_cluster"] == merged["lisa_cluster_queen"]).all()


# --- figures: the chart data are the table rows ------------------------------------------------


@pytest.fixture(scope="module")
def drawing(processed):
    from analysis.plots import prefecture_maps as pm
    from analysis.plots.style import use_house_style

    use_house_style()
    return pm.drawing_boundaries("ocha"), pm.drawing_prefectures("ocha")


def test_rate_and_gistar_figure_data_equal_the_table(atlas, drawing):
    import matplotlib.pyplot as plt

    from analysis.plots import prefecture_maps as pm
    from analysis.topics.prefecture_hotspots import views

    base, fills = drawing
    local = atlas["prefecture_hotspot_local"]
    fig, data = pm.rate_map(base, fills, local)
    plt.close(fig)
    expected = local[local["measure"].isin(pm.HEADLINES)][pm.RATE_COLUMNS]
    pd.testing.assert_frame_equal(
        data.sort_values(["measure", "prefecture_adcode"]).reset_index(drop=True),
        expected.sort_values(["measure", "prefecture_adcode"]).reset_index(drop=True))
    fig, data = pm.gistar_map(base, fills, local, views.measures_of(local))
    plt.close(fig)
    merged = data.merge(local, on=["measure", "prefecture_adcode"], suffixes=("", "_t"))
    assert len(merged) == len(local)
    assert (merged["gi_label"] == merged["gi_label_t"]).all()
    assert np.allclose(merged["eb_per_100k"], merged["eb_per_100k_t"])
    text = pm.gistar_text(base)
    assert "not verified abductions" in text["caption"]


def test_level_figure_data_equal_the_table(atlas, drawing):
    import matplotlib.pyplot as plt

    from analysis.plots import prefecture_maps as pm

    base, fills = drawing
    levels, local = atlas["hotspot_level_comparison"], atlas["prefecture_hotspot_local"]
    fig, data = pm.level_map(base, fills, levels, local)
    plt.close(fig)
    prov = data[data["layer"] == "province"]
    exp = levels[levels["measure"].isin(pm.HEADLINES)]
    assert sorted(zip(prov["measure"], prov["adcode"], prov["category"], strict=True)) == sorted(
        zip(exp["measure"], exp["adcode"], exp["level_status"], strict=True))
    pref = data[data["layer"] == "prefecture"]
    spots = local[local["measure"].isin(pm.HEADLINES) & (local["gi_label"] != NOT_SIGNIFICANT)]
    assert len(pref) == len(spots)
    assert "not verified abductions" in pm.level_text(base)["caption"]
