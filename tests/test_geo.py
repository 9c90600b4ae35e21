"""Tests of analysis.geo: loading projected basemaps, spatial weights, joining tables to maps."""

from __future__ import annotations

import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import pytest
from shapely.geometry import box

from analysis import geo
from analysis.core.step import BuildContext
from analysis.sources.boundaries import clean as bd
from analysis.tables import write_table
from analysis.vocab.provinces import ALL34, MAINLAND31

HAINAN, GUANGDONG, GUANGXI = 460000, 440000, 450000


@pytest.fixture(scope="module")
def processed(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("processed")
    for t in bd.build(BuildContext()):
        write_table(t, out)
    return out


@pytest.fixture(scope="module", params=["ocha", "cn_atlas"])
def basemap(request, processed) -> gpd.GeoDataFrame:
    return geo.load_boundaries(request.param, processed)


# --- load_boundaries -----------------------------------------------------------------------------

def test_load_boundaries_projected(basemap):
    assert len(basemap) == 34 and basemap["adcode"].tolist() == sorted(ALL34)
    assert basemap.crs.equals(pyproj.CRS(geo.CHINA_ALBERS))
    assert basemap.crs.is_projected
    assert basemap.attrs["attribution"] == geo.BASEMAPS[basemap.attrs["basemap"]]
    assert basemap.geometry.is_valid.all()
    # metres: Xinjiang ≈ 1.6 M km²
    xj = basemap.set_index("adcode").area.loc[650000] / 1e6
    assert xj == pytest.approx(1.6e6, rel=0.10)


def test_basemap_names_and_attribution(processed):
    assert set(geo.BASEMAPS) == {"ocha", "cn_atlas"}
    assert "OCHA" in geo.BASEMAPS["ocha"] and "CC BY-IGO" in geo.BASEMAPS["ocha"]
    assert "cn-atlas" in geo.BASEMAPS["cn_atlas"] and "ISC" in geo.BASEMAPS["cn_atlas"]
    assert len(geo.load_boundaries("cn-atlas", processed)) == 34
    with pytest.raises(ValueError, match="unknown basemap"):
        geo.load_boundaries("osm", processed)
    with pytest.raises(FileNotFoundError):
        geo.load_boundaries("ocha", processed / "nowhere")


def test_load_both_fast(processed):
    t0 = time.perf_counter()
    for name in geo.BASEMAPS:
        geo.load_boundaries(name, processed)
    assert time.perf_counter() - t0 < 2.0


# --- province_weights ----------------------------------------------------------------------------

def test_weights_cover_31_provinces_and_attach_hainan(basemap):
    w = geo.province_weights(basemap)
    assert sorted(w.id_order) == sorted(MAINLAND31) and w.n == 31
    assert w.islands == []
    assert set(w.neighbors[HAINAN]) == {GUANGDONG, GUANGXI}
    assert HAINAN in w.neighbors[GUANGDONG] and HAINAN in w.neighbors[GUANGXI]
    assert w.transform == "R"
    assert np.allclose([sum(v) for v in w.weights.values()], 1.0)
    # known land borders
    assert set(w.neighbors[110000]) == {120000, 130000}  # Beijing: Tianjin, Hebei
    assert set(w.neighbors[310000]) == {320000, 330000}  # Shanghai: Jiangsu, Zhejiang
    assert 710000 not in w.neighbors[350000]  # Taiwan is not in the model


def test_weights_symmetric_structure_asymmetric_values(basemap):
    w = geo.province_weights(basemap)
    for i, nbrs in w.neighbors.items():
        for j in nbrs:
            assert i in w.neighbors[j]  # binary links symmetric
    assert w.weights[HAINAN] == [0.5, 0.5]
    gd = dict(zip(w.neighbors[GUANGDONG], w.weights[GUANGDONG], strict=True))
    assert gd[HAINAN] == pytest.approx(1 / len(w.neighbors[GUANGDONG]))
    assert gd[HAINAN] != 0.5  # row-standardised weights are not symmetric
    assert sum(len(v) for v in w.neighbors.values()) == 136 + 2 * 2


def test_queen_links_match_independent_intersection(basemap):
    g = basemap[basemap["mainland31"]][["adcode", "geometry"]]
    j = gpd.sjoin(g, g, predicate="intersects")
    touching = {(a, b) for a, b in zip(j["adcode_left"], j["adcode_right"], strict=True) if a != b}
    w = geo.province_weights(basemap)
    links = {(i, k) for i, v in w.neighbors.items() for k in v}
    attached = {(HAINAN, GUANGDONG), (GUANGDONG, HAINAN), (HAINAN, GUANGXI), (GUANGXI, HAINAN)}
    assert links - touching == attached
    assert touching - links == set()


def test_island_k_and_rule(basemap):
    w1 = geo.province_weights(basemap, k=1)
    assert w1.neighbors[HAINAN] == [GUANGXI]  # nearest by centroid
    w3 = geo.province_weights(basemap, k=3)
    assert len(w3.neighbors[HAINAN]) == 3
    with pytest.raises(ValueError, match="island_rule"):
        geo.province_weights(basemap, island_rule="drop")
    with pytest.raises(ValueError, match="lack mainland"):
        geo.province_weights(basemap[basemap["adcode"] != 110000])


def test_same_neighbours_on_both_basemaps(processed):
    a = geo.province_weights(geo.load_boundaries("ocha", processed))
    b = geo.province_weights(geo.load_boundaries("cn_atlas", processed))
    assert {i: set(v) for i, v in a.neighbors.items()} == {i: set(v) for i, v in b.neighbors.items()}


def test_weights_on_synthetic_grid():
    """31 unit squares in a row plus nothing else: only the two ends have one neighbour; make
    the last one an island far away and check it is attached to its k nearest."""
    codes = sorted(MAINLAND31)
    geoms = [box(i * 1000, 0, i * 1000 + 1000, 1000) for i in range(30)]
    geoms.append(box(100_000, 0, 101_000, 1000))  # island east of the last square
    gdf = gpd.GeoDataFrame({"adcode": codes}, geometry=geoms, crs=geo.CHINA_ALBERS)
    w = geo.province_weights(gdf, k=2)
    island = codes[-1]
    assert set(w.neighbors[island]) == {codes[29], codes[28]}
    assert island in w.neighbors[codes[28]]
    assert set(w.neighbors[codes[0]]) == {codes[1]}


# --- join_to_map ---------------------------------------------------------------------------------

def test_join_to_map_keeps_no_data_units(basemap):
    frame = pd.DataFrame({"adcode": list(MAINLAND31), "x_share": np.linspace(0, 1, 31),
                          "name_en": "dup"})
    out = geo.join_to_map(basemap, frame)
    assert isinstance(out, gpd.GeoDataFrame) and out.crs == basemap.crs
    assert len(out) == 34 and out["adcode"].tolist() == basemap["adcode"].tolist()
    assert out["has_data"].sum() == 31
    nodata = out[~out["has_data"]]
    assert set(nodata["adcode"]) == {710000, 810000, 820000}
    assert nodata["x_share"].isna().all()
    assert "name_en_data" in out.columns and out["name_en"].iloc[0] == "Beijing"
    assert out.set_index("adcode").loc[650000, "x_share"] == pytest.approx(
        frame.set_index("adcode").loc[650000, "x_share"])
    assert out.geometry.equals(basemap.geometry)


def test_join_to_map_refuses_bad_frames(basemap):
    with pytest.raises(ValueError, match="several rows"):
        geo.join_to_map(basemap, pd.DataFrame({"adcode": [110000, 110000], "v": [1, 2]}))
    with pytest.raises(ValueError, match="not map units"):
        geo.join_to_map(basemap, pd.DataFrame({"adcode": [100000, 110000], "v": [1, 2]}))
    nullable = pd.DataFrame({"adcode": pd.array([110000], dtype="Int64"), "v": [1]})
    assert geo.join_to_map(basemap, nullable)["has_data"].sum() == 1
