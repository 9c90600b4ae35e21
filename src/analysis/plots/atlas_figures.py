"""The figures of notebook 01 (migration atlas): the other-province hukou share, the
out-migration rate by province of origin, and the largest inter-provincial flows.

Builders take the frames of :mod:`analysis.topics.migration.views` and a basemap
(:func:`analysis.geo.load_boundaries`) and return ``(figure, chart_data)``; the ``*_text``
functions give the title, caption and source line (:class:`analysis.plots.save.FigureText`).
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from analysis import geo
from analysis.plots import maps
from analysis.plots.save import FigureText
from analysis.plots.style import label, province_names
from analysis.vocab.wording import source_line

#: Columns of the hukou map's chart data.
HUKOU_COLUMNS = ["adcode", "name_en", "name_zh", "other_province_persons",
                 "resident_population_persons", "other_province_share"]
SOURCE_HUKOU = source_line("NBS, 2020 census (table 各地区户口登记地在外乡镇街道的人口, "
                           "transcribed in data/raw/manual/)")
SOURCE_OD = source_line("NBS, 2010 census long form, table 全国按现住地和五年前常住地分的人口 "
                        "(sample counts)")
SOURCE_OD20 = source_line("NBS, 2020 census long form, table 全国按现住地和五年前常住地分的人口",
                          "estimates = sample count ÷ sampling fraction")


def _with_attribution(source: str, base: gpd.GeoDataFrame) -> str:
    return f"{source} {base.attrs['attribution']}."


def hukou_share_map(base: gpd.GeoDataFrame, hukou: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Choropleth (Fisher–Jenks, 5 classes) of the share of residents with hukou in another
    province, 2020 (:func:`analysis.topics.migration.views.hukou_other_province`), in per cent."""
    gdf = geo.join_to_map(base, hukou[["adcode", "other_province_share"]])
    gdf["other_province_pct"] = gdf["other_province_share"] * 100
    fig, ax = plt.subplots(figsize=(8, 6.5))
    maps.choropleth(ax, gdf, "other_province_pct", scheme="FisherJenks", k=5,
                    legend_title=label("% of residents", "占常住人口 %"), fmt="{:.1f}")
    ax.set_title(label("Residents whose hukou is in another province, 2020",
                       "户口登记地在外省的常住人口占比，2020年"))
    return fig, hukou[HUKOU_COLUMNS]


def hukou_share_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`hukou_share_map`."""
    return FigureText(
        title=label("Residents whose hukou is registered in another province, 2020",
                    "户口登记地在外省的常住人口占比，2020年"),
        caption=("Share of each province's residents (2020 census) whose household registration "
                 "(hukou) is in another province. Hong Kong, Macau and Taiwan: no data."),
        source=_with_attribution(SOURCE_HUKOU, base))


def out_migration_map(base: gpd.GeoDataFrame, out: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Choropleth of the out-migration rate 2005–2010 per 1,000 residents of 2005
    (:func:`analysis.topics.migration.views.out_migration`); the chart data are ``out``."""
    gdf = geo.join_to_map(base, out[["adcode", "out_migration_per_1000"]])
    fig, ax = plt.subplots(figsize=(8, 6.5))
    maps.choropleth(ax, gdf, "out_migration_per_1000", scheme="FisherJenks", k=5, cmap="Blues",
                    legend_title=label("per 1,000 residents of 2005", "每千名2005年常住人口"),
                    fmt="{:.0f}")
    ax.set_title(label("Moved to another province, 2005–2010, by province of origin",
                       "2005—2010年迁往外省的人口，按迁出省份"))
    return fig, out


def out_migration_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`out_migration_map`."""
    return FigureText(
        title=label("Out-migration to other provinces, 2005–2010, by province of origin",
                    "2005—2010年跨省迁出率，按迁出省份"),
        caption=("People aged 5+ who lived in the province in 2005 and in another province in "
                 "2010, per 1,000 sampled residents of 2005 (census long-form sample counts). "
                 "Hong Kong, Macau and Taiwan: no data."),
        source=_with_attribution(SOURCE_OD, base))


def flows_title(n: int) -> str:
    """Title of the map of the ``n`` largest flows of 2015–2020."""
    return label(f"The {n} largest inter-provincial migration flows, 2015–2020",
                 f"2015—2020年最大的{n}条跨省迁移流")


def flows_map(base: gpd.GeoDataFrame, flows: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Arrows of the largest flows of 2015–2020 (:func:`analysis.topics.migration.views.top_flows`), width ∝
    estimated people; the chart data are ``flows``."""
    fig, ax = plt.subplots(figsize=(8, 6.5))
    maps.flow_map(ax, base, flows, origin="origin_adcode", destination="destination_adcode",
                  weight="estimate_persons", legend_title=label("people (estimated)", "人（估计）"),
                  label_names=province_names())
    ax.set_title(flows_title(len(flows)))
    return fig, flows


def flows_text(base: gpd.GeoDataFrame, n: int) -> FigureText:
    """Title, caption and source of :func:`flows_map` of ``n`` flows."""
    return FigureText(
        title=flows_title(n),
        caption=("Arrows from the province of residence in 2015 to that in 2020, width "
                 "proportional to the estimated number of people aged 5+ (census long-form "
                 "sample count ÷ sampling fraction)."),
        source=_with_attribution(SOURCE_OD20, base))
