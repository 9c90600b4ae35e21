"""Prefecture polygons of the census city file (Dong et al., leiii/census) →
``boundaries_prefecture``.

The prefecture file ``census_city_2010_2020/census_city_2010-2020_v1.csv`` carries, besides the
figures read by ``sources.census_city``, one polygon per unit as WKT (column ``coord``,
longitude/latitude degrees). This step reads only that column, with the unit code and province:

* every polygon is parsed (an unparsable or empty cell raises :class:`DataError` naming row and
  column); an invalid one is repaired with :func:`shapely.make_valid` (non-polygon parts dropped)
  and counted as a note of the row account (0 in the pinned file);
* Hong Kong and Macau are dropped with a reason (no prefecture statistics);
* the codes are matched against the mainland units of ``census_prefecture`` (the county census
  summed to the 367 prefecture units): ``has_census`` says whether a polygon has a unit, and
  units without a polygon are counted as a note (both 0 in the pinned file, but checked);
* ``area_km2`` is computed once in :data:`~analysis.vocab.basemaps.CHINA_ALBERS`
  (equal-area); the table itself stays in EPSG:4326, like the province basemaps, and
  :func:`analysis.geo.load_prefecture_boundaries` projects it (and simplifies it for print).

Output columns: ``prefecture_adcode``, ``prefecture_name_zh``, ``adcode`` (province),
``has_census`` (bool), ``area_km2``, ``made_valid`` (bool), ``geometry``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.vocab.basemaps import CHINA_ALBERS
from analysis.vocab.provinces import MAINLAND31, try_adcode

#: Registry id of the raw file (the same file ``sources.census_city`` reads for its figures).
CENSUS_CITY = "census_city_2010_2020/census_city_2010-2020_v1.csv"
TABLE = "boundaries_prefecture"
#: The prefecture units the polygons are matched to.
UNITS = "census_prefecture"

NEEDS = (UNITS,)
PROVIDES = (TABLE,)

COLUMNS = ["prefecture_adcode", "prefecture_name_zh", "adcode", "has_census", "area_km2",
           "made_valid", "geometry"]
NOTE_MADE_VALID = "invalid polygon repaired with shapely.make_valid (kept)"
NOTE_COLLECTION = "make_valid returned a GeometryCollection: non-polygon parts removed"
NOTE_NO_UNIT = "polygon whose code is not a unit of census_prefecture (kept, has_census False)"
DROP_OUTSIDE = "outside the 31 mainland provinces (Hong Kong, Macau: no prefecture statistics)"


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Only the polygonal parts of ``geom`` (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    polys = [q for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")
             for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys) if polys else shapely.Polygon()


def read_polygons(path: Path) -> pd.DataFrame:
    """Code, name, province adcode and parsed polygon of every row of the prefecture file.

    Raises :class:`DataError` (file, 1-based data row + 1 for the header, column) for a missing
    column, a code that is not six digits, an unknown province or an unparsable/empty polygon.
    """
    try:
        raw = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False,
                          usecols=lambda c: c in {"city", "city_code", "province_code", "coord"})
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataError(path, f"cannot read the prefecture file: {exc}") from None
    for col in ("city", "city_code", "province_code", "coord"):
        if col not in raw.columns:
            raise DataError(path, f"expected column missing: {col!r}", column=col)
    rows = []
    for i, r in enumerate(raw.itertuples(index=False)):
        code = r.city_code.strip()
        if not code.isdigit() or len(code) != 6:
            raise DataError(path, f"unit code is not six digits: {code!r}", row=i + 2,
                            column="city_code")
        province = try_adcode(r.province_code)
        if province is None:
            raise DataError(path, f"unknown province code {r.province_code!r}", row=i + 2,
                            column="province_code")
        try:
            geom = shapely.from_wkt(r.coord.strip()) if r.coord.strip() else None
        except shapely.errors.GEOSException as exc:
            raise DataError(path, f"polygon is not valid WKT: {exc}", row=i + 2,
                            column="coord") from None
        if geom is None or geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise DataError(path, "polygon missing, empty or not a (multi)polygon", row=i + 2,
                            column="coord")
        rows.append({"prefecture_adcode": int(code), "prefecture_name_zh": r.city.strip(),
                     "adcode": int(province), "geometry": geom})
    return pd.DataFrame(rows)


def clean_polygons(polygons: pd.DataFrame, units: pd.DataFrame, account: RowAccount,
                   label: str = CENSUS_CITY) -> gpd.GeoDataFrame:
    """``boundaries_prefecture`` from :func:`read_polygons` and the ``census_prefecture`` units.

    Parameters
    ----------
    polygons : one row per raw unit (``prefecture_adcode``, ``prefecture_name_zh``, ``adcode``,
        ``geometry`` in longitude/latitude degrees)
    units : ``census_prefecture`` (any census years; the unit codes are used)
    account : row account of the table (read, kept, drop reasons and notes are added)

    Returns
    -------
    GeoDataFrame (EPSG:4326) with :data:`COLUMNS`, one row per mainland polygon, sorted by
    ``prefecture_adcode``; ``area_km2`` in square kilometres (CHINA_ALBERS).
    ``frame.attrs["units_without_polygon"]`` lists the census units that have no polygon.

    Raises
    ------
    DataError
        a code repeated, or a geometry still invalid or empty after repair.
    """
    account.add_read(label, len(polygons))
    dup = polygons["prefecture_adcode"][polygons["prefecture_adcode"].duplicated()]
    if len(dup):
        raise DataError(label, f"unit code {int(dup.iloc[0])} appears more than once",
                        column="city_code")
    outside = ~polygons["adcode"].isin(MAINLAND31)
    account.drop(label, DROP_OUTSIDE, int(outside.sum()))
    p = polygons[~outside].reset_index(drop=True)
    geoms = p["geometry"].to_numpy()
    invalid = ~shapely.is_valid(geoms)
    fixed = shapely.make_valid(geoms)
    account.note(label, NOTE_MADE_VALID, int(invalid.sum()))
    account.note(label, NOTE_COLLECTION,
                 int(sum(g.geom_type not in ("Polygon", "MultiPolygon") for g in fixed)))
    fixed = [_polygonal(g) for g in fixed]
    bad = ~shapely.is_valid(fixed) | shapely.is_empty(fixed)
    if bad.any():
        i = int(bad.nonzero()[0][0])
        raise DataError(label, f"polygon of {p['prefecture_adcode'].iat[i]} still invalid or "
                        "empty after make_valid", column="coord")
    codes = set(units["prefecture_adcode"].astype("int64"))
    out = gpd.GeoDataFrame(
        {"prefecture_adcode": p["prefecture_adcode"].astype("int64"),
         "prefecture_name_zh": p["prefecture_name_zh"].astype(str),
         "adcode": p["adcode"].astype("int64"),
         "has_census": p["prefecture_adcode"].isin(codes).astype(bool),
         "made_valid": invalid.astype(bool)},
        geometry=gpd.GeoSeries(fixed, crs="EPSG:4326"), crs="EPSG:4326")
    out["area_km2"] = out.geometry.to_crs(CHINA_ALBERS).area.to_numpy() / 1e6
    account.note(label, NOTE_NO_UNIT, int((~out["has_census"]).sum()))
    account.add_kept(label, len(out))
    missing = sorted(codes - set(out["prefecture_adcode"]))
    out = out.sort_values("prefecture_adcode", ignore_index=True)[COLUMNS]
    out.attrs["units_without_polygon"] = missing
    return out


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``sources.prefecture_boundaries``: ``boundaries_prefecture`` (needs
    ``census_prefecture`` for the unit codes)."""
    account = RowAccount(TABLE)
    polygons = read_polygons(ctx.raw(CENSUS_CITY))
    units = ctx.tables[UNITS]
    table = clean_polygons(polygons, units, account)
    missing = table.attrs["units_without_polygon"]
    account.add_read(UNITS, int(units["prefecture_adcode"].nunique()))
    account.add_kept(UNITS, int(units["prefecture_adcode"].nunique()) - len(missing))
    account.drop(UNITS, "census_prefecture unit without a polygon (not mapped)", len(missing))
    return [CleanTable(TABLE, table, account.check())]
