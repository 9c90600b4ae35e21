"""Spatial weights of the 31 mainland provinces: a pure function of the boundaries (no project
IO). :func:`province_weights` — queen contiguity with a documented island rule (Hainan has no
land neighbour). Used by the hotspot and model steps and, through :mod:`analysis.geo`, by
notebooks and tests.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
from libpysal.weights import KNN, Queen, W

from analysis.vocab.basemaps import CHINA_ALBERS
from analysis.vocab.provinces import MAINLAND31
from analysis.vocab.settings import ISLAND_K  # neighbours given to an island (province_weights)


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


__all__ = ["ISLAND_K", "province_weights"]
