"""The maps of notebook 03: EB-rate choropleths, rankings beside them, small multiples and the
significance maps of the local tests.

Pure drawing: each function takes the processed ``hotspot_local`` rows and a projected basemap
(:func:`drawing_boundaries`) and returns the figure with the data it draws; the notebook writes
the caption and calls :func:`analysis.figures.save_figure`.
"""

from __future__ import annotations

import textwrap

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from analysis import geo, maps
from analysis.figures import NO_DATA_COLOUR, label, province_names
from analysis.stats import hotspots
from analysis.topics.hotspots.build import MEASURE_LABELS, POOLED
from analysis.topics.migration.views import with_names

#: Outlines are simplified for drawing only (metres in CHINA_ALBERS, far below a printed line
#: width at these map sizes); the statistics use the full polygons.
DRAW_TOLERANCE_M = 1500
#: Columns of a rate map's chart data.
RATE_COLUMNS = ["measure", "period", "adcode", "postings_count", "children_0_14_persons",
                "children_year", "raw_per_100k", "eb_per_100k", "small_count", "eb_rank"]
#: The seven pooled measures of the significance maps, lost side first.
MAP_MEASURES = ["lost_uiuing_missing", "lost_wtt1002_family", "lost_wtt1002_data",
                "lost_uiuing_success", "lost_juvenilexi", "current_wtt1002_data",
                "found_uiuing_success"]
GI_COLOURS = {"Hot spot (FDR)": "#b2182b", "Hot spot (unadjusted only)": "#f4a582",
              "Cold spot (FDR)": "#2166ac", "Cold spot (unadjusted only)": "#92c5de",
              hotspots.NOT_SIGNIFICANT: "#f4f4f4"}
LISA_COLOURS = {"High-High (FDR)": "#b2182b", "High-High (unadjusted only)": "#f4a582",
                "Low-Low (FDR)": "#2166ac", "Low-Low (unadjusted only)": "#92c5de",
                "High-Low (FDR)": "#e08214", "High-Low (unadjusted only)": "#fdcc8a",
                "Low-High (FDR)": "#6a51a3", "Low-High (unadjusted only)": "#bcbddc",
                hotspots.NOT_SIGNIFICANT: "#f4f4f4"}


def drawing_boundaries(basemap: str) -> gpd.GeoDataFrame:
    """The 34 units of ``basemap``, projected, outlines simplified by :data:`DRAW_TOLERANCE_M`
    (attribution kept in ``attrs``)."""
    full = geo.load_boundaries(basemap)
    out = full.assign(geometry=full.geometry.simplify(DRAW_TOLERANCE_M))
    out.attrs.update(full.attrs)
    return out


def measure_label(measure: str) -> str:
    """Display label of a measure in the figure language."""
    return label(*MEASURE_LABELS[measure])


def map_rows(local: pd.DataFrame, measure: str, period: str = POOLED) -> pd.DataFrame:
    """The ``hotspot_local`` rows of one map; exactly the 31 provinces or ``ValueError``."""
    sel = local[(local["measure"] == measure) & (local["period"] == period)]
    if len(sel) != 31:
        raise ValueError(f"{measure} / {period}: {len(sel)} provinces, expected 31")
    return sel


def rate_panel(ax: plt.Axes, base: gpd.GeoDataFrame, sel: pd.DataFrame, title: str = "",
               cmap: str = "YlOrRd") -> pd.DataFrame:
    """EB-rate choropleth of one map's rows (per 100,000 children), small counts hatched."""
    gdf = geo.join_to_map(base, sel[["adcode", "eb_per_100k", "small_count"]])
    maps.choropleth(ax, gdf, "eb_per_100k", scheme="FisherJenks", k=5, cmap=cmap,
                    legend_title=label("per 100,000 children (EB)", "每10万儿童（EB）"),
                    fmt="{:.1f}")
    maps.mark_provinces(ax, gdf, "small_count",
                        legend_label=label(f"fewer than {hotspots.MIN_COUNT} postings",
                                           f"少于{hotspots.MIN_COUNT}条"))
    legend = ax.get_legend()
    legend.set_loc("upper left")
    legend.set_bbox_to_anchor((0.0, 0.02), transform=ax.transAxes)
    ax.set_title(title, fontsize=8.5, loc="left")
    return sel


def map_with_dots(base: gpd.GeoDataFrame, sel: pd.DataFrame, title: str, *,
                  cmap: str = "YlOrRd", colour: str = "#c0392b"
                  ) -> tuple[plt.Figure, pd.DataFrame]:
    """EB-rate map with a ranked raw-vs-EB dot panel and the counts beside it.

    Returns the figure and its chart data (the rate columns with province names).
    """
    fig, (ax_map, ax_dot) = maps.subplots(1, 2, figsize=(12, 6.6),
                                         gridspec_kw={"width_ratios": [2.1, 1]})
    rate_panel(ax_map, base, sel, title="", cmap=cmap)
    maps.rate_dot_panel(ax_dot, sel, raw="raw_per_100k", smoothed="eb_per_100k",
                        count="postings_count", names=province_names(), flag="small_count",
                        colour=colour, xlabel=label("postings per 100,000 children aged 0–14",
                                                    "每10万名0—14岁儿童的帖子数"))
    fig.suptitle(title, x=0.02, ha="left", fontsize=12, fontweight="bold")
    return fig, with_names(sel[RATE_COLUMNS])


def small_multiples(base: gpd.GeoDataFrame, local: pd.DataFrame,
                    panels: list[tuple[str, str]], title: str, *, cmap: str = "YlOrRd",
                    ncols: int = 3) -> tuple[plt.Figure, pd.DataFrame]:
    """One EB-rate panel per (measure, period), each classed on its own.

    Returns the figure and the chart data of all panels.
    """
    nrows = int(np.ceil(len(panels) / ncols))
    fig, axes = maps.subplots(nrows, ncols, figsize=(5.2 * ncols, 6.0 * nrows),
                              gridspec_kw={"hspace": 0.55})
    axes = np.atleast_1d(axes).ravel()
    drawn = []
    for ax, (measure, period) in zip(axes, panels, strict=False):
        sub = textwrap.fill(measure_label(measure) + ("" if period == POOLED else f", {period}"),
                            48)
        drawn.append(rate_panel(ax, base, map_rows(local, measure, period), title=sub,
                                cmap=cmap))
        for t in ax.get_legend().get_texts():
            t.set_fontsize(6.5)
    for ax in axes[len(panels):]:
        ax.set_axis_off()
    fig.suptitle(title, x=0.02, ha="left", fontsize=12, fontweight="bold")
    return fig, with_names(pd.concat(drawn)[RATE_COLUMNS])


def significance_maps(base: gpd.GeoDataFrame, local: pd.DataFrame, fdr_col: str, raw_col: str,
                      colours: dict[str, str], title: str, *, permutations: int,
                      alpha: float) -> tuple[plt.Figure, pd.DataFrame]:
    """Seven maps (:data:`MAP_MEASURES`) of a local test's labels: significant after FDR
    control in strong colours, significant only without it in pale colours.

    ``fdr_col`` / ``raw_col``: the label columns with and without FDR control
    (``gi_label`` / ``gi_label_unadjusted`` or ``lisa_cluster`` / ``lisa_cluster_unadjusted``).
    Returns the figure and its chart data.
    """
    fig, axes = maps.subplots(2, 4, figsize=(18, 8.4))
    axes = axes.ravel()
    drawn = []
    for ax, m in zip(axes, MAP_MEASURES, strict=False):
        sel = map_rows(local, m).copy()
        sel["category"] = hotspots.significance_category(sel[fdr_col], sel[raw_col]).to_numpy()
        gdf = geo.join_to_map(base, sel[["adcode", "category"]])
        maps.categorical_map(ax, gdf, "category", colours)
        ax.get_legend().remove()
        ax.set_title(textwrap.fill(measure_label(m), 40), fontsize=8)
        drawn.append(sel)
    legend_ax = axes[-1]
    legend_ax.set_axis_off()
    handles = [Patch(facecolor=c, edgecolor="#999999", label=k) for k, c in colours.items()]
    handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                         label=label("No data", "无数据")))
    legend_ax.legend(handles=handles, loc="center left", fontsize=8, frameon=False,
                     title=label(f"EB rate; {permutations:,} permutations; α = FDR = {alpha}",
                                 f"EB比率；{permutations:,}次置换；α = FDR = {alpha}"),
                     title_fontsize=8)
    fig.suptitle(title, x=0.02, ha="left", fontsize=12, fontweight="bold")
    cols = ["measure", "period", "adcode", "postings_count", "eb_per_100k", "small_count",
            fdr_col, raw_col, "category"]
    extra = (["lisa_local_i", "lisa_p_sim", "lisa_p_adjusted"] if fdr_col.startswith("lisa")
             else ["gi_z", "gi_p_sim", "gi_p_adjusted"])
    return fig, with_names(pd.concat(drawn)[cols + extra])
