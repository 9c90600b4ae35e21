"""Boundaries, projection and spatial weights: pure functions on the tidy tables.

* :data:`CHINA_ALBERS` — the one projected CRS of the project (Albers equal-area conic, standard
  parallels 25° N and 47° N, central meridian 105° E, metres). Areas and distances are computed in
  it; the processed GeoJSON stays in longitude/latitude (EPSG:4326).
* :func:`load_boundaries` — the 34 province map units of a basemap, projected.
* :func:`province_weights` — queen-contiguity weights of the 31 mainland provinces with a
  documented island rule (Hainan has no land neighbour).
* :func:`join_to_map` — attach a province table to the 34 map units, keeping Hong Kong, Macau and
  Taiwan as "no data" rows.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import KNN, Queen, W

from analysis import tables
from analysis.vocab.provinces import MAINLAND31, NATIONAL_ADCODE
from analysis.vocab.settings import ISLAND_K  # default neighbours of an island (province_weights)

#: Albers equal-area conic for China (metres). Use for areas, distances, centroids and maps.
CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=m +no_defs"

#: Basemaps: name → attribution / source line to print under every map drawn on it.
BASEMAPS: dict[str, str] = {
    "ocha": "Boundaries: UN OCHA (2020), CC BY-IGO; for international publication",
    "cn_atlas": "Boundaries: cn-atlas (DataV lineage, China-standard map), ISC licence",
}



def _basemap_key(basemap: str) -> str:
    key = basemap.strip().lower().replace("-", "_")
    if key not in BASEMAPS:
        raise ValueError(f"unknown basemap {basemap!r}; choose one of {sorted(BASEMAPS)}")
    return key


def load_boundaries(basemap: str = "ocha", processed: Path | None = None) -> gpd.GeoDataFrame:
    """The 34 province map units of ``basemap``, projected to :data:`CHINA_ALBERS`.

    Parameters
    ----------
    basemap : ``"ocha"`` (UN lines, international publication) or ``"cn_atlas"`` (China-standard
        map; ``"cn-atlas"`` is accepted too)
    processed : folder holding ``boundaries_<basemap>.geojson`` (default ``data/processed``)

    Returns
    -------
    GeoDataFrame, one row per unit of :data:`~analysis.vocab.provinces.ALL34` sorted by ``adcode``,
    columns ``adcode`` (int), ``name_en``, ``name_zh``, ``mainland31`` (bool), ``geometry``
    (metres, CHINA_ALBERS). ``frame.attrs["attribution"]`` holds the :data:`BASEMAPS` line.
    The table is schema-checked on load (:func:`analysis.tables.read`).
    """
    key = _basemap_key(basemap)
    frame = tables.read(f"boundaries_{key}", processed)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError(f"boundaries_{key} was not read as a GeoDataFrame")
    gdf = frame.to_crs(CHINA_ALBERS).sort_values("adcode", ignore_index=True)
    gdf["adcode"] = gdf["adcode"].astype("int64")
    gdf.attrs["attribution"] = BASEMAPS[key]
    gdf.attrs["basemap"] = key
    return gdf


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
        :func:`load_boundaries`; must hold every mainland province once
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


def join_to_map(gdf: gpd.GeoDataFrame, frame: pd.DataFrame, on: str = "adcode"
                ) -> gpd.GeoDataFrame:
    """Left-join a province table onto the map units; units without data stay, as no-data rows.

    Parameters
    ----------
    gdf : map units (e.g. the 34 of :func:`load_boundaries`)
    frame : province table with at most one row per ``on`` value (e.g. 31 mainland rows); every
        key must be a map unit (drop the national row, adcode 100000, before joining)
    on : join key, ``"adcode"``

    Returns
    -------
    GeoDataFrame with the rows and order of ``gdf`` (34 units: Hong Kong, Macau and Taiwan get
    missing values), the columns of ``frame`` added (a name already in ``gdf`` gets the suffix
    ``_data``) and a bool column ``has_data`` (the unit matched a row of ``frame``).

    Raises
    ------
    ValueError
        ``frame`` repeats a key, or has keys that are not map units.
    """
    if on not in frame.columns or on not in gdf.columns:
        raise ValueError(f"both tables need the join column {on!r}")
    keys = frame[on].astype("Int64")
    if keys.isna().any():
        raise ValueError(f"frame has missing {on!r} values")
    dup = keys[keys.duplicated()]
    if len(dup):
        raise ValueError(f"frame has several rows for {on} {sorted(set(dup.tolist()))[:5]}; "
                         "filter it to one row per unit before joining")
    unknown = sorted(set(keys.tolist()) - set(gdf[on].astype("int64").tolist()))
    if unknown:
        raise ValueError(f"frame has {on} values that are not map units: {unknown} "
                         f"(map units: {len(gdf)}; drop the national row {NATIONAL_ADCODE} first)")
    right = frame.copy()
    right[on] = keys.astype("int64")
    right["has_data"] = True
    left = gdf.copy()
    left[on] = left[on].astype("int64")
    out = left.merge(right, on=on, how="left", suffixes=("", "_data"), validate="one_to_one")
    out["has_data"] = out["has_data"].eq(True).astype(bool)
    return gpd.GeoDataFrame(out, geometry=gdf.geometry.name, crs=gdf.crs)


__all__ = ["BASEMAPS", "CHINA_ALBERS", "ISLAND_K", "join_to_map", "load_boundaries",
           "province_weights"]
