"""Tests of analysis.sources.boundaries.clean: the two real basemaps and synthetic GeoJSON fixtures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box, mapping, shape

from analysis import geo
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.pipeline import validate
from analysis.sources.boundaries import clean as bd
from analysis.tables import read, write_table
from analysis.vocab.provinces import ALL34, MAINLAND31, crosswalk

CTX = BuildContext()


@pytest.fixture(scope="module")
def built() -> dict[str, CleanTable]:
    tables = {t.name: t for t in bd.build(CTX)}
    for t in tables.values():
        validate(t)
    return tables


def raw_features(file_id: str) -> list[dict]:
    return json.loads(CTX.raw(file_id).read_text(encoding="utf-8"))["features"]


# --- real data -----------------------------------------------------------------------------------

def test_two_tables_of_34_units(built):
    assert sorted(built) == ["boundaries_cn_atlas", "boundaries_ocha"]
    xw = crosswalk().set_index("adcode")
    for t in built.values():
        f = t.frame
        assert len(f) == 34 and f["adcode"].tolist() == sorted(ALL34)
        assert list(f.columns) == bd.COLUMNS
        assert f.crs.to_epsg() == 4326
        assert f["mainland31"].sum() == 31
        assert set(f.loc[~f["mainland31"], "adcode"]) == {710000, 810000, 820000}
        assert f.set_index("adcode")["name_zh"].equals(xw["name_zh"].rename_axis("adcode"))
        assert f.loc[f["adcode"] == 150000, "name_en"].item() == "Inner Mongolia"
        assert t.account.read == t.account.kept
        assert f.geometry.is_valid.all() and not f.geometry.is_empty.any()
        assert set(f.geom_type) <= {"Polygon", "MultiPolygon"}


def test_adcodes_match_independent_reading_of_the_raw_properties(built):
    ocha = {int(ft["properties"]["ADM1_PCODE"][2:]) * 10000 for ft in raw_features(bd.OCHA_ID)}
    atlas = {int(ft["properties"]["区划码"]) for ft in raw_features(bd.CN_ATLAS_ID)}
    assert ocha == atlas == set(ALL34)
    assert set(built["boundaries_ocha"].frame["adcode"]) == ocha


def test_invalid_polygons_recounted_with_shapely(built):
    """cn-atlas has 5 invalid polygons, OCHA none; the account notes say the same."""
    counts = {}
    for table, file_id in [("boundaries_ocha", bd.OCHA_ID), ("boundaries_cn_atlas",
                                                               bd.CN_ATLAS_ID)]:
        geoms = [shape(ft["geometry"]) for ft in raw_features(file_id)]
        counts[table] = sum(not g.is_valid for g in geoms)
        notes = {r: n for (_, r), n in built[table].account.notes.items()}
        assert notes.get(bd.NOTE_MADE_VALID, 0) == counts[table]
    assert counts == {"boundaries_ocha": 0, "boundaries_cn_atlas": 5}
    bad = [int(ft["properties"]["id"]) for ft in raw_features(bd.CN_ATLAS_ID)
           if not shape(ft["geometry"]).is_valid]
    assert sorted(bad) == [210000, 350000, 450000, 620000, 640000]


def test_areas_in_china_albers_are_plausible(built):
    """Xinjiang ≈ 1.66 M km², China ≈ 9.6 M km² (both within 10 %).

    Measured: OCHA 34 units 9.34 M km² (no South China Sea islands), cn-atlas 9.51 M km²;
    Xinjiang 1.60 M (OCHA) and 1.63 M (cn-atlas)."""
    for t in built.values():
        km2 = t.frame.to_crs(geo.CHINA_ALBERS).set_index("adcode").area / 1e6
        assert km2.loc[650000] == pytest.approx(1.6e6, rel=0.10)
        assert km2.sum() == pytest.approx(9.6e6, rel=0.10)
        assert km2.loc[540000] == pytest.approx(1.2e6, rel=0.10)  # Tibet
        assert km2.idxmax() == 650000
        assert 5_000 < km2.loc[110000] < 25_000  # Beijing ≈ 16,400 km²
    ocha = built["boundaries_ocha"].frame.to_crs(geo.CHINA_ALBERS).area.sum() / 1e6
    atlas = built["boundaries_cn_atlas"].frame.to_crs(geo.CHINA_ALBERS).area.sum() / 1e6
    assert ocha == pytest.approx(9.34e6, rel=0.01) and atlas == pytest.approx(9.51e6, rel=0.01)


def test_make_valid_keeps_the_area(built):
    raw = {int(ft["properties"]["id"]): shape(ft["geometry"])
           for ft in raw_features(bd.CN_ATLAS_ID)}
    f = built["boundaries_cn_atlas"].frame.set_index("adcode")
    for adcode in [210000, 350000, 450000, 620000, 640000]:
        assert f.geometry.loc[adcode].area == pytest.approx(raw[adcode].area, rel=1e-4)


def test_clean_and_project_both_files_fast():
    t0 = time.perf_counter()
    for t in bd.build(CTX):
        t.frame.to_crs(geo.CHINA_ALBERS)
    assert time.perf_counter() - t0 < 2.0


def test_written_geojson_round_trips(built, tmp_path):
    for t in built.values():
        write_table(t, tmp_path)
        back = read(t.name, tmp_path)
        assert back.__class__.__name__ == "GeoDataFrame"
        assert back["adcode"].tolist() == sorted(ALL34)
        assert back.geometry.is_valid.all()


def test_schema_rejects_missing_unit_and_wrong_flag(built):
    t = built["boundaries_ocha"]
    with pytest.raises(DataError, match="ALL34"):
        validate(CleanTable(t.name, t.frame.iloc[1:], t.account))
    flipped = t.frame.copy()
    flipped.loc[flipped["adcode"] == 710000, "mainland31"] = True
    with pytest.raises(DataError, match="mainland31"):
        validate(CleanTable(t.name, flipped, t.account))


# --- synthetic fixtures --------------------------------------------------------------------------

def fixture(tmp_path: Path, props: list[dict], geoms: list | None = None) -> Path:
    geoms = geoms or [box(i, 0, i + 0.9, 1) for i in range(len(props))]
    fc = {"type": "FeatureCollection",
          "features": [{"type": "Feature", "properties": p, "geometry": mapping(g)}
                       for p, g in zip(props, geoms, strict=True)]}
    path = tmp_path / "provinces.json"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path


def props34() -> list[dict]:
    return [{"id": a, "地名": n} for a, n in zip(crosswalk()["adcode"], crosswalk()["name_zh"],
                                               strict=True)]


def test_bow_tie_is_repaired_and_noted(tmp_path):
    geoms = [box(i, 0, i + 0.9, 1) for i in range(34)]
    geoms[0] = shapely.Polygon([(0, 0), (0.9, 1), (0.9, 0), (0, 1)])  # self-intersecting
    t = bd.clean_boundaries(fixture(tmp_path, props34(), geoms), "boundaries_cn_atlas", "id",
                            "地名")
    assert t.frame.geometry.is_valid.all()
    assert t.account.notes[(f"{tmp_path.name}/provinces.json", bd.NOTE_MADE_VALID)] == 1
    assert t.frame.geometry.iloc[0].area == pytest.approx(0.45)  # both triangles kept
    validate(t)


def test_missing_property_names_column(tmp_path):
    props = [{"code": p["id"], "地名": p["地名"]} for p in props34()]
    with pytest.raises(DataError, match="column 'id'"):
        bd.clean_boundaries(fixture(tmp_path, props), "boundaries_cn_atlas", "id")


def test_unknown_code_names_row_and_column(tmp_path):
    props = props34()
    props[4]["id"] = 990000
    with pytest.raises(DataError, match=r"row 5, column 'id'"):
        bd.clean_boundaries(fixture(tmp_path, props), "boundaries_cn_atlas", "id")


@pytest.mark.filterwarnings("ignore:Several features with id:RuntimeWarning")
def test_duplicate_and_missing_units(tmp_path):
    props = props34()
    props[1] = dict(props[0])
    with pytest.raises(DataError, match=r"row 2, column 'id': adcode 110000 appears more than once"):
        bd.clean_boundaries(fixture(tmp_path, props), "boundaries_cn_atlas", "id")
    with pytest.raises(DataError, match="missing"):
        bd.clean_boundaries(fixture(tmp_path, props34()[:-1]), "boundaries_cn_atlas", "id")


def test_name_code_mismatch(tmp_path):
    props = props34()
    props[0]["地名"] = "天津市"
    with pytest.raises(DataError, match=r"row 1, column '地名'"):
        bd.clean_boundaries(fixture(tmp_path, props), "boundaries_cn_atlas", "id", "地名")


def test_ocha_pcodes_accepted(tmp_path):
    props = [{"ADM1_PCODE": f"CN0{a // 10000}"} for a in crosswalk()["adcode"]]
    t = bd.clean_boundaries(fixture(tmp_path, props), "boundaries_ocha", "ADM1_PCODE")
    assert t.frame["adcode"].tolist() == sorted(ALL34)
    assert set(t.frame.loc[t.frame["mainland31"], "adcode"]) == set(MAINLAND31)


def test_not_geojson(tmp_path):
    p = tmp_path / "provinces.json"
    p.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="cannot read"):
        bd.clean_boundaries(p, "boundaries_cn_atlas", "id")
