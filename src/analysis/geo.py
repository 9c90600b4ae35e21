"""Boundaries, projection and spatial weights for notebooks and figures (the read side).

* :data:`CHINA_ALBERS` — the one projected CRS of the project (Albers equal-area conic, standard
  parallels 25° N and 47° N, central meridian 105° E, metres; defined in
  :mod:`analysis.vocab.basemaps`). Areas and distances are computed in it; the processed GeoJSON
  stays in longitude/latitude (EPSG:4326).
* :func:`load_boundaries` — the 34 province map units of a basemap, projected (reads the table
  store, :func:`analysis.tables.read`).
* :func:`province_weights` — queen-contiguity weights of the 31 mainland provinces with a
  documented island rule (Hainan has no land neighbour); defined in :mod:`analysis.stats.weights`
  (pure, used by the build steps) and re-exported here.
* :func:`load_prefecture_boundaries` — the 367 prefecture-level polygons
  (``boundaries_prefecture``), projected once to :data:`CHINA_ALBERS`, optionally simplified for
  print; weights of these units: :func:`analysis.stats.weights.prefecture_weights`.
* :func:`join_to_map` — attach a province table to the 34 map units, keeping Hong Kong, Macau and
  Taiwan as "no data" rows.

Layer: this module reads the store, so it sits above :mod:`analysis.tables` with the figure
modules; the build steps import :mod:`analysis.stats.weights` and :mod:`analysis.vocab.basemaps`
instead.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from analysis import tables
from analysis.stats.weights import ISLAND_K, province_weights
from analysis.vocab.basemaps import BASEMAPS, CHINA_ALBERS
from analysis.vocab.provinces import NATIONAL_ADCODE


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


def load_prefecture_boundaries(processed: Path | None = None, simplify_m: float = 0.0
                               ) -> gpd.GeoDataFrame:
    """The prefecture-level polygons of ``boundaries_prefecture``, projected to
    :data:`CHINA_ALBERS` (the one projection of the project).

    Parameters
    ----------
    processed : folder holding ``boundaries_prefecture.geojson`` (default ``data/processed``)
    simplify_m : Douglas–Peucker tolerance in metres for print (0 = full polygons, as the
        statistics use them; the maps use about 1.5 km, far below a printed line width)

    Returns
    -------
    GeoDataFrame sorted by ``prefecture_adcode``, columns ``prefecture_adcode``,
    ``prefecture_name_zh``, ``adcode`` (province), ``has_census``, ``area_km2``, ``made_valid``,
    ``geometry`` (metres). Schema-checked on load (:func:`analysis.tables.read`).
    """
    frame = tables.read("boundaries_prefecture", processed)
    if not isinstance(frame, gpd.GeoDataFrame):
        raise TypeError("boundaries_prefecture was not read as a GeoDataFrame")
    gdf = frame.to_crs(CHINA_ALBERS).sort_values("prefecture_adcode", ignore_index=True)
    for col in ("prefecture_adcode", "adcode"):
        gdf[col] = gdf[col].astype("int64")
    if simplify_m > 0:
        gdf = gdf.assign(geometry=gdf.geometry.simplify(simplify_m))
    return gdf


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
           "load_prefecture_boundaries", "province_weights"]
