"""Schemas of ``boundaries_ocha`` and ``boundaries_cn_atlas`` (non-geometry columns).

:func:`analysis.pipeline.validate` drops the ``geometry`` column before validating, so these
schemas describe the attribute table; geometry validity is checked in
:mod:`analysis.sources.boundaries.clean` (every polygon valid after ``shapely.make_valid``).
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from analysis.vocab.columns import adcode_column, one_row_per, text_column
from analysis.vocab.provinces import ALL34, MAINLAND31


def _all34_once(df: pd.DataFrame) -> bool:
    return len(df) == len(ALL34) and sorted(df["adcode"].tolist()) == sorted(ALL34)


def _mainland_flag(df: pd.DataFrame) -> bool:
    return bool((df["adcode"].isin(MAINLAND31) == df["mainland31"]).all())


def _schema(table: str, source: str, notes: str) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            "adcode": adcode_column("province adcode (GB/T 2260, xx0000); 34 map units",
                                    mainland31=False),
            "name_en": text_column("English name (NBS style), from analysis.vocab.provinces"),
            "name_zh": text_column("full Chinese name, from analysis.vocab.provinces"),
            "mainland31": pa.Column(bool, description="True for the 31 mainland units that "
                                    "have statistics; False for Hong Kong, Macau, Taiwan "
                                    "(shown as no data)", metadata={"unit": "flag"}),
        },
        checks=[pa.Check(_all34_once, error="every adcode of ALL34 exactly once"),
                pa.Check(_mainland_flag, error="mainland31 must equal adcode in MAINLAND31")],
        strict=True,
        ordered=True,
        **one_row_per("adcode"),
        name=table,
        description="One province-level map unit (34): attributes; polygon geometry in "
                    "EPSG:4326 (longitude/latitude) in the GeoJSON file.",
        metadata={"sources": [source], "notes": notes},
    )


SCHEMAS = {
    "boundaries_ocha": _schema(
        "boundaries_ocha",
        "boundaries_ocha/china_by_province_with_chinese_taipei_since_1998.geojson",
        "UN OCHA admin-1 (2020), CC BY-IGO; UN boundary lines, no South China Sea islands; "
        "for international publication. adcode from the P-code (CN034 -> 340000). All 34 "
        "polygons valid as published. Area in CHINA_ALBERS: 9.34 M km2 for the 34 units.",
    ),
    "boundaries_cn_atlas": _schema(
        "boundaries_cn_atlas",
        "boundaries_cn_atlas/provinces.json",
        "cn-atlas provinces.json (DataV / Aliyun lineage, China-standard map), ISC licence; for "
        "publication inside China; Hainan includes South China Sea islands. 5 invalid polygons "
        "(self-intersections: Liaoning, Fujian, Guangxi, Gansu, Ningxia) repaired with "
        "shapely.make_valid. Area in CHINA_ALBERS: 9.51 M km2 for the 34 units.",
    ),
}
