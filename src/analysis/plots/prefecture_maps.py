"""The maps of notebook 06 (prefecture atlas): EB rates and FDR hot spots of the postings per
child at the prefecture level, the sensitivity to the weights and the comparison with the
province hot spots.

How the two basemaps are respected. The prefecture polygons (``boundaries_prefecture``) come
from one China-standard lineage. On each basemap they are **clipped to that basemap's provinces**
(each prefecture intersected with its own province's polygon on the basemap): on the OCHA map
(UN lines, no South China Sea islands) the parts outside the UN lines are dropped, on the
cn-atlas map (China-standard lines, Hainan with the South China Sea islands) they stay, as the
province maps of notebook 03 draw them. Every panel then draws, in this order: the basemap's 34
units in the no-data grey (Hong Kong, Macau, Taiwan and any part of a province without a
prefecture polygon), the clipped prefecture fills, and the basemap's province outlines on top.

Each builder returns ``(figure, chart_data)``, the chart data being exactly the rows drawn; the
matching ``*_text`` function gives the title, caption (with the posting caveat) and source line.
"""

from __future__ import annotations

import textwrap
from functools import cache

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis import geo
from analysis.plots import maps
from analysis.plots.hotspot_maps import DRAW_TOLERANCE_M, GI_COLOURS, drawing_boundaries
from analysis.plots.save import FigureText
from analysis.plots.style import NO_DATA_COLOUR, label
from analysis.stats import hotspots
from analysis.topics.cases import views as casebook
from analysis.topics.prefecture_hotspots import schema
from analysis.vocab import wording
from analysis.vocab.measures import MEASURES
from analysis.vocab.settings import (
    ALPHA,
    ISLAND_K,
    PERMUTATIONS,
    PREFECTURE_KNN_K,
    PREFECTURE_MIN_COUNT,
)

#: Basemaps every map is drawn on (file names end in ``_<basemap>``).
BASEMAPS = list(geo.BASEMAPS)
#: The measures of the single-measure maps: families' postings (lost) and reunions (found).
LOST_HEADLINE = "lost_uiuing_missing"
FOUND_HEADLINE = "found_uiuing_success"
HEADLINES = (LOST_HEADLINE, FOUND_HEADLINE)
#: Province outlines drawn over the prefecture fills.
OUTLINE_COLOUR, OUTLINE_WIDTH = "#333333", 0.55
PREFECTURE_EDGE, PREFECTURE_WIDTH = "white", 0.12
RATE_COLUMNS = ["measure", "prefecture_adcode", "prefecture_name_zh", "adcode",
                "postings_count", "children_0_14_persons", "children_year", "raw_per_100k",
                "eb_per_100k", "small_count", "eb_rank"]
SENSITIVITY_COLOURS = {
    f"{hotspots.HOT_SPOT} – {schema.STAYS}": "#b2182b",
    f"{hotspots.HOT_SPOT} – {schema.QUEEN_ONLY}": "#f4a582",
    f"{hotspots.HOT_SPOT} – {schema.KNN_ONLY}": "#fddbc7",
    f"{hotspots.COLD_SPOT} – {schema.STAYS}": "#2166ac",
    f"{hotspots.COLD_SPOT} – {schema.QUEEN_ONLY}": "#92c5de",
    f"{hotspots.COLD_SPOT} – {schema.KNN_ONLY}": "#d1e5f0",
    schema.FLIPS: "#762a83",
    hotspots.NOT_SIGNIFICANT: "#f4f4f4",
}
LEVEL_COLOURS = {schema.SURVIVES: "#b2182b", schema.SPLITS: "#f4a582",
                 schema.VANISHES: "#bababa", schema.FINER_ONLY: "#fee08b",
                 schema.NOTHING: "#ffffff"}
#: Source line of the maps (without the basemap's attribution).
SOURCE = (f"{casebook.SOURCE_LINE.removesuffix('.')}; children aged 0–14: NBS 2010 and 2020 "
          "county census summed to prefectures; prefecture polygons: Dong et al. (leiii/census, "
          "MIT).")
WEIGHTS_NOTE = (f"Neighbours: shared border (queen contiguity); islands and Hainan island "
                f"joined to the mainland by their {ISLAND_K} nearest pairs of centroids.")
CAPTION_RATE = (f"{casebook.CAVEAT}. Empirical-Bayes rates per 100,000 children aged 0–14 by "
                "prefecture-level unit (the raw rate shrunk towards the national rate, most "
                f"where counts are small); hatched: fewer than {PREFECTURE_MIN_COUNT} postings. "
                "Province outlines drawn over the prefecture fills. Hong Kong, Macau and "
                "Taiwan: no data.")


def source_line(base: gpd.GeoDataFrame) -> str:
    """Data sources plus the basemap's attribution."""
    return f"{SOURCE} {base.attrs['attribution']}."


def measure_label(measure: str) -> str:
    """Short display label of a measure in the figure language."""
    m = MEASURES[measure]
    return label(m.short_en, m.short_zh)


@cache
def _clipped(basemap: str) -> gpd.GeoDataFrame:
    """Prefecture polygons (simplified for print) clipped to their province on ``basemap``."""
    base = drawing_boundaries(basemap).set_index("adcode")
    pref = geo.load_prefecture_boundaries(simplify_m=DRAW_TOLERANCE_M)
    clip = [g.intersection(base.geometry.loc[a]).buffer(0) if a in base.index else g
            for g, a in zip(pref.geometry, pref["adcode"], strict=True)]
    return pref.assign(geometry=gpd.GeoSeries(clip, crs=pref.crs))


def drawing_prefectures(basemap: str) -> gpd.GeoDataFrame:
    """The prefecture fills of ``basemap``: polygons clipped to the basemap's provinces (module
    docstring), projected, simplified by :data:`DRAW_TOLERANCE_M`; a copy."""
    return _clipped(basemap.strip().lower().replace("-", "_")).copy()


def _panel(ax: plt.Axes, base: gpd.GeoDataFrame) -> None:
    """The basemap's units in the no-data grey, under the prefecture fills."""
    base.plot(ax=ax, color=NO_DATA_COLOUR, edgecolor="none", linewidth=0)


def _outlines(ax: plt.Axes, base: gpd.GeoDataFrame) -> None:
    base.boundary.plot(ax=ax, color=OUTLINE_COLOUR, linewidth=OUTLINE_WIDTH)
    ax.set_axis_off()


def _join(fills: gpd.GeoDataFrame, rows: pd.DataFrame, columns: list[str]) -> gpd.GeoDataFrame:
    """Attach one map's rows (one per unit) to the clipped fills; units without a row are
    dropped from the fills (they stay grey: the basemap below)."""
    keep = rows[["prefecture_adcode", *columns]]
    if keep["prefecture_adcode"].duplicated().any():
        raise ValueError("one row per unit expected")
    out = fills.merge(keep, on="prefecture_adcode", how="inner", validate="one_to_one")
    return gpd.GeoDataFrame(out, geometry="geometry", crs=fills.crs)


def map_rows(local: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The ``prefecture_hotspot_local`` rows of one measure (error if there are none)."""
    sel = local[local["measure"] == measure]
    if sel.empty:
        raise ValueError(f"no prefecture rows for measure {measure!r}")
    return sel


def rate_panel(ax: plt.Axes, base: gpd.GeoDataFrame, fills: gpd.GeoDataFrame,
               sel: pd.DataFrame, *, cmap: str = "YlOrRd", title: str = "") -> pd.DataFrame:
    """EB-rate choropleth of one measure's units, small counts hatched, outlines on top."""
    _panel(ax, base)
    gdf = _join(fills, sel, ["eb_per_100k", "small_count"])
    maps.choropleth(ax, gdf, "eb_per_100k", scheme="Quantiles", k=5, cmap=cmap,
                    legend_title=label("per 100,000 children (EB)", "每10万儿童（EB）"),
                    fmt="{:.2f}", edgecolor=PREFECTURE_EDGE, linewidth=PREFECTURE_WIDTH)
    maps.mark_provinces(ax, gdf, "small_count",
                        legend_label=label(f"fewer than {PREFECTURE_MIN_COUNT} postings",
                                           f"少于{PREFECTURE_MIN_COUNT}条"))
    maps.extend_legend(ax, [Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                                  label=label("No data", "无数据"))])
    _outlines(ax, base)
    _legend_below(ax)
    ax.set_title(title, fontsize=9, loc="left")
    return sel


def _legend_below(ax: plt.Axes) -> None:
    """Move the legend of ``ax`` under the map (it would cover Tibet and Yunnan)."""
    legend = ax.get_legend()
    legend.set_loc("upper left")
    legend.set_bbox_to_anchor((0.0, 0.02), transform=ax.transAxes)


def rate_map(base: gpd.GeoDataFrame, fills: gpd.GeoDataFrame, local: pd.DataFrame,
             measures: tuple[str, ...] = HEADLINES) -> tuple[Figure, pd.DataFrame]:
    """EB-rate maps of ``measures`` side by side (each classed on its own, quintiles)."""
    fig, axes = maps.subplots(1, len(measures), figsize=(7.2 * len(measures), 7.4))
    axes = np.atleast_1d(axes)
    drawn = []
    for ax, m in zip(axes, measures, strict=True):
        cmap = "PuBu" if MEASURES[m].place_role != "lost" else "YlOrRd"
        drawn.append(rate_panel(ax, base, fills, map_rows(local, m), cmap=cmap,
                                title=textwrap.fill(measure_label(m), 50)))
    fig.suptitle(label(*RATE_TITLE), x=0.02, ha="left", fontsize=12, fontweight="bold")
    return fig, pd.concat(drawn)[RATE_COLUMNS].reset_index(drop=True)


RATE_TITLE = ("Postings per child by prefecture: where children went missing and where "
              "reunited children were found", "各地级单位每名儿童的帖子数：走失地与团圆儿童找到地")


def rate_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`rate_map`."""
    return FigureText(title=label(*RATE_TITLE),
                      caption=(f"{CAPTION_RATE} Each panel is classed on its own (quintiles). "
                               f"{wording.DESTINATIONS_CAPTION} (right panel)."),
                      source=source_line(base))


# --- hot spots ----------------------------------------------------------------------------------

GI_TITLE = ("Hot and cold spots of postings per child by prefecture (Getis–Ord Gi*)",
            "各地级单位每名儿童帖子数的热点与冷点（Getis–Ord Gi*）")


def gistar_map(base: gpd.GeoDataFrame, fills: gpd.GeoDataFrame, local: pd.DataFrame,
               measures: list[str]) -> tuple[Figure, pd.DataFrame]:
    """One Gi* map per measure: FDR hot/cold spots strong, unadjusted-only pale."""
    ncols = 3
    nrows = int(np.ceil(len(measures) / ncols))
    fig, axes = maps.subplots(nrows, ncols, figsize=(5.6 * ncols, 5.0 * nrows))
    axes = np.atleast_1d(axes).ravel()
    drawn = []
    for ax, m in zip(axes, measures, strict=False):
        sel = map_rows(local, m).copy()
        sel["category"] = hotspots.significance_category(sel["gi_label"],
                                                         sel["gi_label_unadjusted"]).to_numpy()
        _panel(ax, base)
        gdf = _join(fills, sel, ["category"])
        maps.categorical_map(ax, gdf, "category", GI_COLOURS, edgecolor=PREFECTURE_EDGE,
                             linewidth=PREFECTURE_WIDTH)
        ax.get_legend().remove()
        _outlines(ax, base)
        ax.set_title(textwrap.fill(measure_label(m), 44), fontsize=8.5)
        drawn.append(sel)
    for ax in axes[len(measures):]:
        ax.set_axis_off()
    handles = [Patch(facecolor=c, edgecolor="#999999", label=k) for k, c in GI_COLOURS.items()]
    handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                         label=label("No data", "无数据")))
    fig.legend(handles=handles, loc="lower center", ncol=3, fontsize=8, frameon=False,
               title=label(f"EB rate; {PERMUTATIONS:,} permutations; α = FDR = {ALPHA}",
                           f"EB比率；{PERMUTATIONS:,}次置换；α = FDR = {ALPHA}"),
               title_fontsize=8)
    fig.suptitle(label(*GI_TITLE), x=0.02, ha="left", fontsize=12, fontweight="bold")
    cols = ["measure", "prefecture_adcode", "prefecture_name_zh", "adcode", "postings_count",
            "eb_per_100k", "small_count", "gi_z", "gi_p_sim", "gi_p_adjusted", "gi_label",
            "gi_label_unadjusted", "category"]
    return fig, pd.concat(drawn)[cols].reset_index(drop=True)


def gistar_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`gistar_map`."""
    return FigureText(
        title=label(*GI_TITLE),
        caption=(f"{casebook.CAVEAT}. Getis–Ord Gi* of the empirical-Bayes rate per child with "
                 f"{PERMUTATIONS:,} seeded conditional permutations; strong colours: "
                 f"significant after Benjamini–Hochberg false-discovery-rate control at {ALPHA} "
                 f"over the units of each map; pale: p ≤ {ALPHA} only without that control "
                 f"(not established). {wording.DESTINATIONS_CAPTION} (reunions: place found). "
                 f"{WEIGHTS_NOTE} Province outlines over the prefecture fills."),
        source=source_line(base))


SENSITIVITY_TITLE = ("Which prefecture hot spots depend on the weights: contiguity vs "
                     f"{PREFECTURE_KNN_K} nearest neighbours",
                     f"地级热点对空间权重的敏感性：邻接与{PREFECTURE_KNN_K}近邻")


def sensitivity_category(sens: pd.DataFrame) -> pd.Series:
    """Map class of each row of ``prefecture_hotspot_sensitivity`` (keys of
    :data:`SENSITIVITY_COLOURS`): the Gi* label that is significant and under which weights."""
    kind = np.where(sens["gi_label_queen"] != hotspots.NOT_SIGNIFICANT,
                    sens["gi_label_queen"], sens["gi_label_knn"])
    out = pd.Series([f"{k} – {c}" for k, c in zip(kind, sens["gi_change"], strict=True)],
                    index=sens.index, dtype=object)
    out[sens["gi_change"] == schema.FLIPS] = schema.FLIPS
    out[sens["gi_change"] == schema.NEITHER] = hotspots.NOT_SIGNIFICANT
    return out


def sensitivity_map(base: gpd.GeoDataFrame, fills: gpd.GeoDataFrame, sens: pd.DataFrame,
                    measures: tuple[str, ...] = HEADLINES) -> tuple[Figure, pd.DataFrame]:
    """Gi* hot/cold spots (FDR) under both weights choices, one panel per measure."""
    fig, axes = maps.subplots(1, len(measures), figsize=(7.2 * len(measures), 7.4))
    axes = np.atleast_1d(axes)
    drawn = []
    for ax, m in zip(axes, measures, strict=True):
        sel = sens[sens["measure"] == m].copy()
        sel["category"] = sensitivity_category(sel).to_numpy()
        _panel(ax, base)
        maps.categorical_map(ax, _join(fills, sel, ["category"]), "category",
                             SENSITIVITY_COLOURS, edgecolor=PREFECTURE_EDGE,
                             linewidth=PREFECTURE_WIDTH)
        maps.extend_legend(ax, [Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                                      label=label("No data", "无数据"))])
        _outlines(ax, base)
        _legend_below(ax)
        ax.set_title(textwrap.fill(measure_label(m), 50), fontsize=9, loc="left")
        drawn.append(sel)
    fig.suptitle(label(*SENSITIVITY_TITLE), x=0.02, ha="left", fontsize=12, fontweight="bold")
    cols = ["measure", "prefecture_adcode", "adcode", "gi_label_queen", "gi_label_knn",
            "gi_change", "gi_z_knn", "gi_p_adjusted_knn", "category"]
    return fig, pd.concat(drawn)[cols].reset_index(drop=True)


def sensitivity_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`sensitivity_map`."""
    return FigureText(
        title=label(*SENSITIVITY_TITLE),
        caption=(f"{casebook.CAVEAT}. Getis–Ord Gi* hot and cold spots after FDR control at "
                 f"{ALPHA}, on contiguity weights and on the {PREFECTURE_KNN_K} nearest units "
                 "by centroid distance: strong colours stay under both, pale ones appear under "
                 f"one only. {wording.DESTINATIONS_CAPTION} (reunions: place found). "
                 f"{WEIGHTS_NOTE}"),
        source=source_line(base))


# --- levels -------------------------------------------------------------------------------------

LEVEL_TITLE = ("Province hot spots at the prefecture level: which survive, split or vanish",
               "省级热点在地级层面：保留、分裂或消失")


def level_map(base: gpd.GeoDataFrame, fills: gpd.GeoDataFrame, levels: pd.DataFrame,
              local: pd.DataFrame, measures: tuple[str, ...] = HEADLINES
              ) -> tuple[Figure, pd.DataFrame]:
    """Provinces coloured by their level class (``hotspot_level_comparison``), with the
    prefecture hot spots (red outline) and cold spots (blue outline) of the FDR Gi* on top.

    Chart data: the province rows (``layer = "province"``, ``level_status``) and the
    prefecture spots outlined (``layer = "prefecture"``, ``gi_label``).
    """
    fig, axes = maps.subplots(1, len(measures), figsize=(7.2 * len(measures), 7.4))
    axes = np.atleast_1d(axes)
    drawn = []
    for ax, m in zip(axes, measures, strict=True):
        lv = levels[levels["measure"] == m]
        gdf = geo.join_to_map(base, lv[["adcode", "level_status"]])
        maps.categorical_map(ax, gdf, "level_status", LEVEL_COLOURS, edgecolor=OUTLINE_COLOUR,
                             linewidth=OUTLINE_WIDTH, show_absent=True)
        spots = map_rows(local, m)
        spots = spots[spots["gi_label"] != hotspots.NOT_SIGNIFICANT]
        for kind, colour in ((hotspots.HOT_SPOT, "#67001f"), (hotspots.COLD_SPOT, "#053061")):
            part = _join(fills, spots[spots["gi_label"] == kind], ["gi_label"])
            if not part.empty:
                part.boundary.plot(ax=ax, color=colour, linewidth=0.9)
        maps.extend_legend(ax, [
            Patch(facecolor="none", edgecolor="#67001f",
                  label=label("prefecture hot spot (FDR)", "地级热点（FDR）")),
            Patch(facecolor="none", edgecolor="#053061",
                  label=label("prefecture cold spot (FDR)", "地级冷点（FDR）"))])
        _legend_below(ax)
        ax.set_title(textwrap.fill(measure_label(m), 50), fontsize=9, loc="left")
        drawn.append(pd.DataFrame({"layer": "province", "measure": m,
                                   "unit_adcode": lv["adcode"].to_numpy(),
                                   "adcode": lv["adcode"].to_numpy(),
                                   "category": lv["level_status"].to_numpy()}))
        drawn.append(pd.DataFrame({"layer": "prefecture", "measure": m,
                                   "unit_adcode": spots["prefecture_adcode"].to_numpy(),
                                   "adcode": spots["adcode"].to_numpy(),
                                   "category": spots["gi_label"].to_numpy()}))
    fig.suptitle(label(*LEVEL_TITLE), x=0.02, ha="left", fontsize=12, fontweight="bold")
    return fig, pd.concat(drawn, ignore_index=True)


def level_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`level_map`."""
    return FigureText(
        title=label(*LEVEL_TITLE),
        caption=(f"{casebook.CAVEAT}. Getis–Ord Gi* after FDR control at {ALPHA} on both maps "
                 "(the province map of notebook 03 and the prefecture map). Survives: the "
                 "province is a hot (cold) spot and at least half its units are too; splits: "
                 "some are, fewer than half, or some are of the opposite kind; vanishes: none "
                 "is; finer level only: the province is not significant but some of its units "
                 "are. Outlined: the prefecture spots. "
                 f"{wording.DESTINATIONS_CAPTION} (reunions: place found)."),
        source=source_line(base))


__all__ = ["BASEMAPS", "HEADLINES", "drawing_boundaries", "drawing_prefectures", "gistar_map",
           "gistar_text", "level_map", "level_text", "rate_map", "rate_text",
           "sensitivity_map", "sensitivity_text"]
