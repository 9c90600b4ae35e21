"""Schema of ``boundaries_prefecture`` (attribute columns; the polygons are in the GeoJSON).

:func:`analysis.pipeline.validate` drops the ``geometry`` column before validating; polygon
validity is checked in :mod:`analysis.sources.prefecture_boundaries.clean`.
"""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import adcode_column, one_row_per, text_column

SCHEMAS = {
    "boundaries_prefecture": pa.DataFrameSchema(
        {
            "prefecture_adcode": pa.Column(
                "int64", [pa.Check.in_range(110100, 659999),
                          pa.Check(lambda s: s % 10000 != 0, element_wise=False,
                                   name="unit_code_below_province")],
                description="GB/T 2260 code of the prefecture-level unit (2020), as in "
                            "census_prefecture and census_city_prefecture",
                metadata={"unit": "adcode"}),
            "prefecture_name_zh": text_column("name of the unit in Chinese (2020, as printed "
                                              "in the prefecture file)"),
            "adcode": adcode_column("province adcode (GB/T 2260, xx0000) of the unit"),
            "has_census": pa.Column(bool, description="the code is a unit of "
                                    "census_prefecture (children and population known)",
                                    metadata={"unit": "flag"}),
            "area_km2": pa.Column(float, pa.Check.gt(0), description="polygon area in the "
                                  "equal-area CHINA_ALBERS projection",
                                  metadata={"unit": "km2"}),
            "made_valid": pa.Column(bool, description="the raw polygon was invalid and was "
                                    "repaired with shapely.make_valid",
                                    metadata={"unit": "flag"}),
        },
        strict=True, ordered=True, **one_row_per("prefecture_adcode"),
        description="Polygons of the 367 mainland prefecture-level units of the 2020 census "
                    "(Dong et al.'s prefecture file, WKT column), one row per unit; geometry in "
                    "EPSG:4326 (longitude/latitude) in the GeoJSON file.",
        metadata={"sources": ["census_city_2010_2020/census_city_2010-2020_v1.csv"],
                  "notes": "MIT (leiii/census). Lineage of the polygons: the China-standard "
                           "(DataV/Aliyun-style) prefecture map; Hainan's Sansha (460300) is "
                           "its islands. Hong Kong and Macau dropped (no prefecture "
                           "statistics). Projected once, by analysis.geo."
                           "load_prefecture_boundaries; maps clip these fills to each "
                           "basemap's provinces. Weights: analysis.stats.weights."
                           "prefecture_weights."},
    ),
}
