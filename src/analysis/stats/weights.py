"""Spatial weights: pure functions of the boundaries (no project IO).

* :func:`province_weights` — the 31 mainland provinces, queen contiguity with a documented island
  rule (Hainan has no land neighbour). Used by the hotspot and model steps and, through
  :mod:`analysis.geo`, by notebooks and tests.
* :func:`prefecture_links`, :func:`prefecture_weights`, :func:`prefecture_knn_weights` — the
  prefecture-level units of the prefecture atlas: queen contiguity with a component rule (islands
  *and* groups of units cut off from the mainland, e.g. Hainan island and Sansha, are joined to
  their nearest units), and k nearest neighbours as the second weights choice.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import KNN, DistanceBand, Queen, W
from libpysal.weights.util import min_threshold_distance
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

from analysis.vocab.basemaps import CHINA_ALBERS
from analysis.vocab.provinces import MAINLAND31
from analysis.vocab.settings import (
    ISLAND_K,  # neighbours given to an island (province_weights)
    PREFECTURE_KNN_K,
)


def _mainland(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The 31 mainland units of ``gdf`` indexed by adcode, projected to CHINA_ALBERS."""
    g = gdf[gdf["adcode"].isin(MAINLAND31)].copy()
    g["adcode"] = g["adcode"].astype("int64")
    if g["adcode"].duplicated().any():
        raise ValueError("adcode appears more than once in the boundaries")
    missing = sorted(set(MAINLAND31) - set(g["adcode"]))
    if missing:
        raise ValueError(f"boundaries lack mainland provinces {missing}")
    if g.crs is None:
        raise ValueError("boundaries have no CRS")
    if not g.crs.equals(gpd.GeoSeries(crs=CHINA_ALBERS).crs):
        g = g.to_crs(CHINA_ALBERS)
    return g.set_index("adcode").sort_index()


def province_weights(gdf: gpd.GeoDataFrame, island_rule: str = "knn", k: int = ISLAND_K) -> W:
    """Row-standardised queen-contiguity weights of the 31 mainland provinces, ids = adcode.

    Rule
    ----
    1. Only the 31 mainland units (:data:`~analysis.vocab.provinces.MAINLAND31`) are used; Hong Kong,
       Macau and Taiwan have no statistics and are left out (they are not islands of the model).
    2. Queen contiguity (a shared boundary point suffices), computed by libpysal on the polygons.
       On both basemaps this gives the same 68 neighbour pairs (136 directed links).
    3. **Island rule** (``island_rule="knn"``, the only rule offered): a unit without a land
       neighbour — Hainan (460000) on both basemaps — is attached to its ``k`` nearest provinces
       by distance between centroids in :data:`CHINA_ALBERS`, and those provinces get the island
       as a neighbour too (links are symmetric). With the default ``k=2`` Hainan gets Guangxi
       (450000) and Guangdong (440000) on both basemaps (by centroid, Guangxi is the nearest, so
       ``k=1`` would omit Guangdong, which faces Hainan across the Qiongzhou Strait). No unit is
       ever dropped.
    4. Binary links are then row-standardised (``transform="r"``): each row sums to 1.

    Properties (tested): all 31 adcodes present; no islands; the binary neighbour structure is
    symmetric (i lists j iff j lists i); the row-standardised weights are in general *not*
    symmetric (w_ij = 1/n_i); Hainan has exactly ``k`` neighbours.

    Parameters
    ----------
    gdf : boundaries (any CRS with ``adcode`` and polygon geometry), e.g. from
        :func:`analysis.geo.load_boundaries`; must hold every mainland province once
    island_rule : ``"knn"``
    k : number of nearest neighbours attached to each island (≥ 1)

    Returns
    -------
    libpysal.weights.W with ``id_order`` = the 31 adcodes ascending, ``transform == "R"``.
    """
    if island_rule != "knn":
        raise ValueError(f"unknown island_rule {island_rule!r}; the documented rule is 'knn'")
    if k < 1:
        raise ValueError("k must be at least 1")
    g = _mainland(gdf)
    ids = [int(a) for a in g.index]
    queen = Queen.from_dataframe(g, use_index=True, silence_warnings=True)
    neighbors = {i: [int(j) for j in queen.neighbors[i]] for i in ids}
    islands = [i for i in ids if not neighbors[i]]
    if islands:
        coords = np.column_stack([g.centroid.x.to_numpy(), g.centroid.y.to_numpy()])
        knn = KNN.from_array(coords, k=k, ids=ids, silence_warnings=True)
        for i in islands:
            for j in knn.neighbors[i]:
                j = int(j)
                if j not in neighbors[i]:
                    neighbors[i].append(j)
                if i not in neighbors[j]:
                    neighbors[j].append(i)
    w = W({i: sorted(v) for i, v in neighbors.items()}, id_order=ids, silence_warnings=True)
    w.transform = "r"
    return w


# --- prefectures -------------------------------------------------------------------------------

#: ``rule`` of a prefecture link: a shared boundary point, or the component rule.
QUEEN_RULE = "queen contiguity"
COMPONENT_RULE = "component rule: nearest units by centroid distance"


def _units(gdf: gpd.GeoDataFrame, id_column: str) -> gpd.GeoDataFrame:
    """The units of ``gdf`` indexed by ``id_column`` (int, ascending), in CHINA_ALBERS."""
    if id_column not in gdf.columns:
        raise ValueError(f"boundaries lack the id column {id_column!r}")
    g = gdf.copy()
    g[id_column] = g[id_column].astype("int64")
    if g[id_column].duplicated().any():
        dup = sorted(set(g.loc[g[id_column].duplicated(), id_column]))
        raise ValueError(f"{id_column} appears more than once: {dup[:5]}")
    if g.crs is None:
        raise ValueError("boundaries have no CRS")
    if not g.crs.equals(gpd.GeoSeries(crs=CHINA_ALBERS).crs):
        g = g.to_crs(CHINA_ALBERS)
    return g.set_index(id_column).sort_index()


def _centroids(g: gpd.GeoDataFrame) -> np.ndarray:
    """Centroids (metres, CHINA_ALBERS) as an n × 2 array in the order of ``g``."""
    c = g.geometry.centroid
    return np.column_stack([c.x.to_numpy(), c.y.to_numpy()])


def _components(ids: list[int], neighbors: dict[int, list[int]]) -> np.ndarray:
    """Connected-component label of each id (order of ``ids``) of a neighbour dict."""
    pos = {a: k for k, a in enumerate(ids)}
    rows = [pos[i] for i in ids for _ in neighbors[i]]
    cols = [pos[j] for i in ids for j in neighbors[i]]
    graph = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(ids), len(ids)))
    return connected_components(graph, directed=False)[1]


def prefecture_links(gdf: gpd.GeoDataFrame, id_column: str = "prefecture_adcode",
                     k: int = ISLAND_K) -> pd.DataFrame:
    """Queen-contiguity links of a set of units, with the **component rule** that connects them.

    Rule
    ----
    1. Queen contiguity (a shared boundary point suffices), computed by libpysal on the polygons
       (projected to :data:`CHINA_ALBERS`; contiguity does not depend on the projection).
    2. **Component rule.** While the link graph has more than one connected component, the
       smallest component (ties: the one holding the lowest id) is joined to the rest by the
       ``k`` shortest centroid-to-centroid distances between one of its units and a unit outside
       it (``k`` distinct pairs, links symmetric). An island without any neighbour is a
       component of one unit, so it gets its ``k`` nearest units; a group of units cut off from
       the mainland (an island with several units) is joined by its ``k`` closest pairs. On the
       census prefecture map this joins Sansha (460300, the South China Sea islands) to two
       Hainan units, then Hainan island (18 units + Sansha) to the mainland. No unit is dropped.

    Parameters
    ----------
    gdf : polygons with an integer id column (any CRS)
    id_column : the id column (e.g. ``prefecture_adcode``)
    k : pairs added per component joined (≥ 1; default :data:`ISLAND_K`, as for provinces)

    Returns
    -------
    DataFrame, one row per directed link (both directions), sorted: ``unit`` and ``neighbour``
    (ids), ``rule`` (:data:`QUEEN_RULE` or :data:`COMPONENT_RULE`), ``distance_km`` (centroid
    distance, km, CHINA_ALBERS).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    g = _units(gdf, id_column)
    ids = [int(a) for a in g.index]
    queen = Queen.from_dataframe(g, use_index=True, silence_warnings=True)
    neighbors = {i: sorted(int(j) for j in queen.neighbors[i]) for i in ids}
    coords = _centroids(g)
    pos = {a: n for n, a in enumerate(ids)}
    added: set[tuple[int, int]] = set()
    labels = _components(ids, neighbors)
    while len(set(labels)) > 1:
        sizes = pd.Series(labels).value_counts()
        small = sizes[sizes == sizes.min()].index
        first = min(small, key=lambda c: min(a for a, lab in zip(ids, labels, strict=True)
                                             if lab == c))
        inside = np.flatnonzero(labels == first)
        outside = np.flatnonzero(labels != first)
        d = np.hypot(coords[inside, None, 0] - coords[None, outside, 0],
                     coords[inside, None, 1] - coords[None, outside, 1])
        order = np.argsort(d, axis=None, kind="stable")[:k]
        for flat in order:
            a, b = np.unravel_index(flat, d.shape)
            i, j = ids[inside[a]], ids[outside[b]]
            neighbors[i] = sorted({*neighbors[i], j})
            neighbors[j] = sorted({*neighbors[j], i})
            added |= {(i, j), (j, i)}
        labels = _components(ids, neighbors)
    rows = [{"unit": i, "neighbour": j,
             "rule": COMPONENT_RULE if (i, j) in added else QUEEN_RULE,
             "distance_km": float(np.hypot(*(coords[pos[i]] - coords[pos[j]]))) / 1000}
            for i in ids for j in neighbors[i]]
    return pd.DataFrame(rows, columns=["unit", "neighbour", "rule", "distance_km"])


def weights_from_links(links: pd.DataFrame, ids: list[int]) -> W:
    """Row-standardised :class:`~libpysal.weights.W` of ``links`` (``unit``, ``neighbour``),
    ``id_order`` = ``ids``; a unit of ``ids`` without links is an error."""
    neighbors = {int(i): [] for i in ids}
    for i, j in zip(links["unit"].astype(int), links["neighbour"].astype(int), strict=True):
        neighbors[i].append(j)
    lonely = [i for i, v in neighbors.items() if not v]
    if lonely:
        raise ValueError(f"units without a neighbour: {lonely[:5]}")
    w = W({i: sorted(v) for i, v in neighbors.items()}, id_order=[int(i) for i in ids],
          silence_warnings=True)
    w.transform = "r"
    return w


def prefecture_weights(gdf: gpd.GeoDataFrame, id_column: str = "prefecture_adcode",
                       k: int = ISLAND_K) -> W:
    """Row-standardised queen-contiguity weights of the units of ``gdf`` with the component
    rule of :func:`prefecture_links` (one connected graph, no island), ``id_order`` = the ids
    ascending, ``transform == "R"``; the binary structure is symmetric."""
    links = prefecture_links(gdf, id_column, k)
    return weights_from_links(links, sorted(int(a) for a in gdf[id_column]))


def prefecture_knn_weights(gdf: gpd.GeoDataFrame, id_column: str = "prefecture_adcode",
                           k: int = PREFECTURE_KNN_K) -> W:
    """The second weights choice: each unit's ``k`` nearest units by centroid distance
    (CHINA_ALBERS, libpysal ``KNN``), row-standardised, ``id_order`` = the ids ascending.

    Every unit has exactly ``k`` neighbours (no islands by construction); the structure is
    *not* symmetric (j among i's k nearest does not make i among j's).
    """
    g = _units(gdf, id_column)
    ids = [int(a) for a in g.index]
    knn = KNN.from_array(_centroids(g), k=k, ids=ids, silence_warnings=True)
    w = W({i: sorted(int(j) for j in knn.neighbors[i]) for i in ids}, id_order=ids,
          silence_warnings=True)
    w.transform = "r"
    return w


def distance_band_weights(gdf: gpd.GeoDataFrame, id_column: str = "prefecture_adcode",
                          threshold_km: float | None = None) -> W:
    """Distance-band weights: every unit whose centroid lies within ``threshold_km`` of a unit's
    centroid (CHINA_ALBERS) is its neighbour (binary, then row-standardised).

    The default threshold is the smallest that leaves no unit without a neighbour (the largest
    nearest-neighbour distance, ``libpysal.weights.util.min_threshold_distance``), so unlike
    contiguity the neighbourhoods are large where units are small (eastern provinces).

    Returns
    -------
    libpysal ``W``, ``id_order`` = the ids ascending, ``transform == "R"``, no islands;
    ``w.threshold_km`` holds the threshold used (km).
    """
    g = _units(gdf, id_column)
    ids = [int(a) for a in g.index]
    coords = _centroids(g)
    threshold = (min_threshold_distance(coords) if threshold_km is None
                 else float(threshold_km) * 1000)
    band = DistanceBand.from_array(coords, threshold=threshold * (1 + 1e-9), binary=True,
                                   ids=ids, silence_warnings=True)
    w = W({i: sorted(int(j) for j in band.neighbors[i]) for i in ids}, id_order=ids,
          silence_warnings=True)
    if w.islands:
        raise ValueError(f"units without a neighbour within {threshold / 1000:.0f} km: "
                         f"{w.islands[:5]}")
    w.transform = "r"
    w.threshold_km = threshold / 1000
    return w


__all__ = ["COMPONENT_RULE", "ISLAND_K", "PREFECTURE_KNN_K", "QUEEN_RULE", "distance_band_weights",
           "prefecture_knn_weights",
           "prefecture_links", "prefecture_weights", "province_weights", "weights_from_links"]
