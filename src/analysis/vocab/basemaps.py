"""The project's map vocabulary: the one projected CRS and the two basemaps with their
attribution lines. Imports nothing of the project (re-exported by :mod:`analysis.geo`)."""

from __future__ import annotations

#: Albers equal-area conic for China (metres). Use for areas, distances, centroids and maps.
CHINA_ALBERS = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=m +no_defs"

#: Basemaps: name → attribution / source line to print under every map drawn on it.
BASEMAPS: dict[str, str] = {
    "ocha": "Boundaries: UN OCHA (2020), CC BY-IGO; for international publication",
    "cn_atlas": "Boundaries: cn-atlas (DataV lineage, China-standard map), ISC licence",
}
