"""Province boundaries → ``boundaries_ocha`` and ``boundaries_cn_atlas`` (34 map units each).

Two basemaps, because the boundary lines are political and the project publishes for two
audiences:

* ``boundaries_ocha`` — UN OCHA admin-1 (2020), for international publication. Properties
  ``ADM1_PCODE`` (``CN034`` → adcode 340000), ``ADM1_EN``, ``ADM1_ZH``. All 34 features valid.
* ``boundaries_cn_atlas`` — cn-atlas ``provinces.json`` (DataV / Aliyun, China-standard map), for
  publication inside China. Properties ``id`` / ``区划码`` (the adcode), ``地名``, ``name`` (pinyin).
  Five features are invalid (self-intersections in Liaoning, Fujian, Guangxi, Gansu, Ningxia);
  they are repaired with :func:`shapely.make_valid` and counted as account notes.

Output columns: ``adcode`` (int), ``name_en`` and ``name_zh`` (from
:func:`analysis.vocab.provinces.crosswalk`, never from the file), ``mainland31`` (bool) and
``geometry`` (Polygon / MultiPolygon, EPSG:4326, longitude/latitude degrees). Projection to an
equal-area CRS happens once, in :mod:`analysis.geo`.

After cleaning, every geometry must be valid and every adcode of
:data:`~analysis.vocab.provinces.ALL34` must appear exactly once, else :class:`DataError`.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.vocab.provinces import ALL34, crosswalk, try_adcode

OCHA_ID = "boundaries_ocha/china_by_province_with_chinese_taipei_since_1998.geojson"
CN_ATLAS_ID = "boundaries_cn_atlas/provinces.json"

#: Output column order (``geometry`` last).
COLUMNS = ["adcode", "name_en", "name_zh", "mainland31", "geometry"]

#: Per basemap: raw file id, property holding the code, property holding the Chinese name
#: (used only to cross-check the code).
BASEMAP_FILES: dict[str, tuple[str, str, str]] = {
    "boundaries_ocha": (OCHA_ID, "ADM1_PCODE", "ADM1_ZH"),
    "boundaries_cn_atlas": (CN_ATLAS_ID, "id", "地名"),
}

#: Tables this step reads (none: raw files only) and builds.
NEEDS: tuple[str, ...] = ()
PROVIDES = tuple(BASEMAP_FILES)

NOTE_MADE_VALID = "invalid polygon repaired with shapely.make_valid"
NOTE_COLLECTION = "make_valid returned a GeometryCollection: non-polygon parts removed"


def _rel(path: Path) -> str:
    """Short file label for errors and accounts (``<source>/<file>``)."""
    return f"{path.parent.name}/{path.name}"


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep only the polygonal parts of a geometry (make_valid may add lines or points)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    return shapely.MultiPolygon(polys) if polys else shapely.Polygon()


def clean_boundaries(path: Path, table: str, code_column: str, name_column: str | None = None
                     ) -> CleanTable:
    """Read one boundary file and return the cleaned 34-unit table.

    Parameters
    ----------
    path : GeoJSON file (features with a province code property)
    table : output table name (``boundaries_ocha`` or ``boundaries_cn_atlas``)
    code_column : property holding the code (an OCHA P-code like ``CN034`` or an adcode)
    name_column : optional property with the Chinese name; when given, it must map to the same
        adcode as the code (a mismatch raises :class:`DataError`)

    Returns
    -------
    CleanTable whose frame is a GeoDataFrame (EPSG:4326) with columns :data:`COLUMNS`, one row
    per unit of :data:`~analysis.vocab.provinces.ALL34`, sorted by adcode.

    Raises
    ------
    DataError
        unreadable file, missing property, unknown or duplicated code, missing adcode, empty
        geometry, or a geometry still invalid after repair — naming file, row (1-based feature
        number) and column.
    """
    label = _rel(path)
    try:
        raw = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable input
        raise DataError(label, f"cannot read as GeoJSON: {exc}") from None
    account = RowAccount(table)
    account.add_read(label, len(raw))
    for col in [code_column] + ([name_column] if name_column else []):
        if col not in raw.columns:
            raise DataError(label, f"property {col!r} is missing (properties: "
                                   f"{[c for c in raw.columns if c != 'geometry']})", column=col)
    if raw.crs is not None and raw.crs.to_epsg() != 4326:
        raise DataError(label, f"expected longitude/latitude (EPSG:4326), got {raw.crs}")

    adcodes: list[int] = []
    for i, value in enumerate(raw[code_column]):
        code = try_adcode(value)
        if code is None or code not in ALL34:
            raise DataError(label, f"code {value!r} is not one of the 34 provincial units",
                            row=i + 1, column=code_column)
        if name_column:
            by_name = try_adcode(raw[name_column].iloc[i])
            if by_name != code:
                raise DataError(label, f"name {raw[name_column].iloc[i]!r} does not match code "
                                       f"{value!r} ({code})", row=i + 1, column=name_column)
        adcodes.append(code)
    series = pd.Series(adcodes)
    dup = series[series.duplicated()]
    if len(dup):
        row = int(dup.index[0]) + 1
        raise DataError(label, f"adcode {int(dup.iloc[0])} appears more than once", row=row,
                        column=code_column)
    missing = sorted(set(ALL34) - set(adcodes))
    if missing:
        raise DataError(label, f"provincial units missing: {missing}", column=code_column)

    geoms = raw.geometry.values
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            raise DataError(label, "empty or missing geometry", row=i + 1, column="geometry")
    invalid = ~shapely.is_valid(geoms)
    fixed = shapely.make_valid(geoms)
    collections = sum(g.geom_type not in ("Polygon", "MultiPolygon") for g in fixed)
    fixed = [_polygonal(g) for g in fixed]
    account.note(label, NOTE_MADE_VALID, int(invalid.sum()))
    account.note(label, NOTE_COLLECTION, int(collections))

    xw = crosswalk().set_index("adcode")
    out = gpd.GeoDataFrame(
        {"adcode": series.astype("int64"),
         "name_en": xw.loc[adcodes, "name_en"].to_numpy(),
         "name_zh": xw.loc[adcodes, "name_zh"].to_numpy(),
         "mainland31": xw.loc[adcodes, "mainland31"].to_numpy().astype(bool)},
        geometry=gpd.GeoSeries(fixed, crs="EPSG:4326"), crs="EPSG:4326",
    )
    still_bad = ~out.geometry.is_valid | out.geometry.is_empty
    if still_bad.any():
        i = int(still_bad.to_numpy().nonzero()[0][0])
        raise DataError(label, "geometry still invalid or empty after make_valid", row=i + 1,
                        column="geometry")
    out = out.sort_values("adcode", ignore_index=True)[COLUMNS]
    account.add_kept(label, len(out))
    return CleanTable(table, out, account.check())


def build(ctx: BuildContext) -> list[CleanTable]:
    """Build ``boundaries_ocha`` and ``boundaries_cn_atlas`` from the registered raw files."""
    return [clean_boundaries(ctx.raw(file_id), table, code_col, name_col)
            for table, (file_id, code_col, name_col) in BASEMAP_FILES.items()]
