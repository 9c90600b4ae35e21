"""The maps of notebook 03: EB-rate choropleths, rankings beside them, small multiples, the
significance maps of the local tests, net sources and destinations, and the reunion flows.

Pure drawing: each builder takes processed tables (``hotspot_local``,
``hotspot_source_destination``, ``case_flows``) and a projected basemap
(:func:`drawing_boundaries`) and returns ``(figure, chart_data)``, the data exactly as drawn;
the matching ``*_text`` function gives the title, caption and source line
(:class:`analysis.plots.save.FigureText`) that the notebook passes to
:func:`analysis.plots.save.save_figure`.

The rate maps of one kind are declared once in :data:`RATE_FIGURES` and the significance maps in
:data:`SIGNIFICANCE_FIGURES`; :func:`rate_figure` and :func:`significance_figure` draw them.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import geopandas as gpd
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from analysis import geo
from analysis.plots import maps
from analysis.plots.save import FigureText
from analysis.plots.style import BLUE, NO_DATA_COLOUR, RED, label, province_names
from analysis.plots.text import number_word
from analysis.stats import hotspots
from analysis.topics.cases import views as casebook
from analysis.topics.hotspots.build import ALPHA, MEASURE_LABELS, PERIOD_PANELS, PERMUTATIONS, POOLED
from analysis.topics.migration.views import with_names
from analysis.vocab import wording
from analysis.vocab.measures import LOST_MEASURES, MAP_MEASURES
from analysis.vocab.provinces import crosswalk

#: Outlines are simplified for drawing only (metres in CHINA_ALBERS, far below a printed line
#: width at these map sizes); the statistics use the full polygons.
DRAW_TOLERANCE_M = 1500
#: Columns of a rate map's chart data.
RATE_COLUMNS = ["measure", "period", "adcode", "postings_count", "children_0_14_persons",
                "children_year", "raw_per_100k", "eb_per_100k", "small_count", "eb_rank"]
GI_COLOURS = {"Hot spot (FDR)": "#b2182b", "Hot spot (unadjusted only)": "#f4a582",
              "Cold spot (FDR)": "#2166ac", "Cold spot (unadjusted only)": "#92c5de",
              hotspots.NOT_SIGNIFICANT: "#f4f4f4"}
LISA_COLOURS = {"High-High (FDR)": "#b2182b", "High-High (unadjusted only)": "#f4a582",
                "Low-Low (FDR)": "#2166ac", "Low-Low (unadjusted only)": "#92c5de",
                "High-Low (FDR)": "#e08214", "High-Low (unadjusted only)": "#fdcc8a",
                "Low-High (FDR)": "#6a51a3", "Low-High (unadjusted only)": "#bcbddc",
                hotspots.NOT_SIGNIFICANT: "#f4f4f4"}
#: Basemaps every map of notebook 03 is drawn on (file names end in ``_<basemap>``):
#: ``ocha`` (UN boundaries, international publication) and ``cn_atlas`` (China-standard map).
BASEMAPS = list(geo.BASEMAPS)
#: The lost-side measures side by side (the five scrapes and sides of the platform).
#: Who a destination is known for: part of every caption and sentence about destinations.
DEST_CAVEAT = wording.DESTINATIONS_CAPTION
#: Source line of the maps (without the basemap's attribution, :func:`source_line`).
SOURCE = (f"{casebook.SOURCE_LINE.removesuffix('.')}; children aged 0–14: NBS 2020 census and a "
          "2010 estimate (prefecture census × year-end population).")
#: Caption of every EB-rate map.
CAPTION_RATE = (f"{casebook.CAVEAT}. Empirical-Bayes rates per 100,000 children aged 0–14 "
                "(the raw rate shrunk towards the national rate, most where counts are small); "
                f"hatched (and † in a ranking): fewer than {hotspots.MIN_COUNT} postings. "
                "Hong Kong, Macau and Taiwan: no data.")
CAPTION_DEST = f"{CAPTION_RATE} {DEST_CAVEAT}."
PERIOD_CAPTION = ("Each panel is classed on its own (Fisher–Jenks), so colours show the "
                  "pattern within a period, not levels across periods.")
#: Breaks (upper bounds) of the rank-difference classes, symmetric around zero.
RANK_BINS = [-16, -6, 5, 15, 30]
#: Regions in the order of the origin–destination matrices.
REGION_ORDER = ["East", "Central", "West", "Northeast"]


def source_line(base: gpd.GeoDataFrame) -> str:
    """Data sources plus the basemap's attribution (``base.attrs["attribution"]``)."""
    return f"{SOURCE} {base.attrs['attribution']}."


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


# --- rate maps ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RateFigure:
    """One EB-rate figure of notebook 03.

    ``panels``: ``(measure, period)`` of each map; one panel is drawn as a map with the ranked
    dot panel beside it (:func:`map_with_dots`), several as small multiples, each classed on
    its own (:func:`small_multiples`). ``title``: (English, Chinese); ``caption``: the text
    after :data:`CAPTION_RATE` (or :data:`CAPTION_DEST` with ``destination``).
    """

    panels: tuple[tuple[str, str], ...]
    title: tuple[str, str]
    caption: str
    destination: bool = False
    cmap: str = "YlOrRd"
    colour: str = RED


def _periods_of(measure: str) -> tuple[tuple[str, str], ...]:
    return tuple((measure, p) for p, _ in PERIOD_PANELS[measure])


#: The EB-rate figures by file name (without the basemap suffix).
RATE_FIGURES: dict[str, RateFigure] = {
    "03_lost_rate": RateFigure(
        (("lost_uiuing_missing", POOLED),),
        ("Where children went missing: families' postings per child",
         "孩子在哪里走失：每名儿童对应的家寻宝贝帖子"),
        "Families searching (2021 scrape, children born 1999 or later), by the province where "
        "the child went missing."),
    "03_lost_rate_sources": RateFigure(
        tuple((m, POOLED) for m in LOST_MEASURES),
        ("Where children went missing, by scrape", "孩子在哪里走失：按数据来源"),
        "One panel per scrape and side; panels are classed separately and the sources are "
        "never added together."),
    "03_lost_rate_periods": RateFigure(
        _periods_of("lost_uiuing_missing") + _periods_of("lost_wtt1002_data"),
        ("Where children went missing, by period of going missing", "孩子在哪里走失：按走失时期"),
        f"{PERIOD_CAPTION} Families searching (2021 scrape) and adults searching (2016 scrape)."),
    "03_found_rate": RateFigure(
        (("found_uiuing_success", POOLED),),
        ("Where reunited children had been found, per child", "团圆儿童的找到地（每名儿童）"),
        "Reunions (2021 scrape), by the province where the child was found.",
        destination=True, cmap="PuBu", colour=BLUE),
    "03_found_rate_periods": RateFigure(
        (("current_wtt1002_data", POOLED), *_periods_of("current_wtt1002_data")),
        ("Where adults searching for their birth family live now", "宝贝寻家者现居地"),
        "Adults searching (2016 scrape), by the province where they live now; all periods "
        f"pooled, then by period of going missing. {PERIOD_CAPTION}",
        destination=True, cmap="PuBu"),
}


def rate_figure(name: str, base: gpd.GeoDataFrame, local: pd.DataFrame
                ) -> tuple[Figure, pd.DataFrame]:
    """Draw :data:`RATE_FIGURES` ``[name]`` from the ``hotspot_local`` table on ``base``."""
    spec = RATE_FIGURES[name]
    title = label(*spec.title)
    if len(spec.panels) == 1:
        (measure, period), = spec.panels
        return map_with_dots(base, map_rows(local, measure, period), title, cmap=spec.cmap,
                             colour=spec.colour)
    return small_multiples(base, local, list(spec.panels), title, cmap=spec.cmap)


def rate_figure_text(name: str, base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`rate_figure` ``name`` on ``base``."""
    spec = RATE_FIGURES[name]
    lead = CAPTION_DEST if spec.destination else CAPTION_RATE
    return FigureText(title=label(*spec.title), caption=f"{lead} {spec.caption}",
                      source=source_line(base))


# --- net sources and destinations ---------------------------------------------------------------

#: Panel titles of the rank-difference map: flow source → (English, Chinese).
RANK_PANELS = {"uiuing_success": ("Reunions (2021 scrape)", "团圆（2021）"),
               "wtt1002_data": ("Adults searching (2016 scrape)", "宝贝寻家（2016）")}
RANK_TITLE = ("Net sources (red) and net destinations (blue) of missing children",
              "走失儿童的净来源地（红）与净目的地（蓝）")


def rank_difference_map(base: gpd.GeoDataFrame, source_dest: pd.DataFrame
                        ) -> tuple[Figure, pd.DataFrame]:
    """Destination rank − lost rank of each province, one panel per flow source
    (:data:`RANK_PANELS`), classed by :data:`RANK_BINS` (``hotspot_source_destination``)."""
    fig, axes = maps.subplots(1, 2, figsize=(13, 5.8))
    for ax, source in zip(axes, RANK_PANELS, strict=True):
        sel = source_dest[source_dest["source"] == source]
        gdf = geo.join_to_map(base, sel[["adcode", "rank_difference"]])
        maps.diverging_choropleth(ax, gdf, "rank_difference", bins=RANK_BINS,
                                  lowest=-RANK_BINS[-1],
                                  legend_title=label("destination rank − lost rank",
                                                     "目的地排名 − 走失地排名"))
        ax.set_title(label(*RANK_PANELS[source]), fontsize=9)
    fig.suptitle(label(*RANK_TITLE), x=0.02, ha="left", fontsize=12, fontweight="bold")
    return fig, with_names(source_dest)


def rank_difference_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`rank_difference_map`."""
    return FigureText(
        title=label(*RANK_TITLE),
        caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Rank (1 = highest of 31) of the "
                 "empirical-Bayes rate per child as a destination minus the rank as a "
                 "place lost: positive = ranks higher as a place of loss (net source). "
                 "Hong Kong, Macau and Taiwan: no data."),
        source=source_line(base))


# --- local tests -------------------------------------------------------------------------------

#: The significance maps by file name: (label column after FDR control, unadjusted label
#: column, colours, title (English, Chinese)).
SIGNIFICANCE_FIGURES: dict[str, tuple[str, str, dict[str, str], tuple[str, str]]] = {
    "03_gistar": ("gi_label", "gi_label_unadjusted", GI_COLOURS,
                  ("Hot and cold spots of postings per child (Getis–Ord Gi*)",
                   "每名儿童帖子数的热点与冷点（Getis–Ord Gi*）")),
    "03_lisa_clusters": ("lisa_cluster", "lisa_cluster_unadjusted", LISA_COLOURS,
                         ("Clusters and outliers of postings per child (local Moran)",
                          "每名儿童帖子数的聚集与异常（局部Moran）")),
}


def significance_figure(name: str, base: gpd.GeoDataFrame, local: pd.DataFrame
                        ) -> tuple[Figure, pd.DataFrame]:
    """Draw :data:`SIGNIFICANCE_FIGURES` ``[name]`` (:func:`significance_maps`) with the
    permutations and α of the data step."""
    fdr_col, raw_col, colours, title = SIGNIFICANCE_FIGURES[name]
    return significance_maps(base, local, fdr_col, raw_col, colours, label(*title),
                             permutations=PERMUTATIONS, alpha=ALPHA)


def significance_text(name: str, base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`significance_figure` ``name``."""
    return FigureText(
        title=label(*SIGNIFICANCE_FIGURES[name][3]),
        caption=(f"{casebook.CAVEAT}. Tests on the empirical-Bayes rate per child with "
                 f"{PERMUTATIONS:,} seeded conditional permutations; strong colours: significant "
                 f"after Benjamini–Hochberg false-discovery-rate control at {ALPHA} over the 31 "
                 f"provinces of each map; pale: p ≤ {ALPHA} only without that control (not "
                 f"established). {DEST_CAVEAT} (the last two maps). Neighbours: shared border; "
                 f"Hainan linked to its {number_word(geo.ISLAND_K)} nearest provinces."),
        source=source_line(base))


# --- flows -------------------------------------------------------------------------------------


def reunion_flow_title(n: int) -> str:
    """Title of the flow map of the ``n`` largest flows."""
    return label(f"The {n} largest flows of reunited children between provinces",
                 f"团圆儿童最大的{n}条跨省流向")


def reunion_flow_map(base: gpd.GeoDataFrame, top_flows: pd.DataFrame
                     ) -> tuple[Figure, pd.DataFrame]:
    """Arrows of the largest reunion flows between two provinces (``top_flows``: rows of
    ``case_flows`` with ``lost_adcode``, ``destination_adcode``, ``flow_count``), width ∝
    reunions; the legend shows the smallest, median and largest flow drawn. The chart data
    are ``top_flows``."""
    legend_values = sorted({int(top_flows["flow_count"].min()),
                            round(top_flows["flow_count"].median()),
                            int(top_flows["flow_count"].max())})
    fig, ax = plt.subplots(figsize=(8, 6.5))
    maps.flow_map(ax, base, top_flows, origin="lost_adcode", destination="destination_adcode",
                  weight="flow_count", legend_title=label("reunions", "团圆数"),
                  label_names=province_names(), legend_values=legend_values)
    ax.set_title(reunion_flow_title(len(top_flows)))
    return fig, top_flows


def reunion_flow_text(base: gpd.GeoDataFrame, n: int) -> FigureText:
    """Title, caption and source of :func:`reunion_flow_map` of ``n`` flows."""
    return FigureText(
        title=reunion_flow_title(n),
        caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Arrows from the province where "
                 "the child went missing to the province where the child was found "
                 "(reunions of the 2021 scrape), width proportional to the number of "
                 "reunions; flows within one province are not drawn."),
        source=source_line(base))


#: The origin–destination matrices by flow source: (file name, title (English, Chinese)).
OD_MATRICES: dict[str, tuple[str, tuple[str, str]]] = {
    "uiuing_success": ("03_reunion_od_matrix",
                       ("Reunions: where children went missing (rows) and were found (columns)",
                        "团圆：走失地（行）与找到地（列）")),
    "wtt1002_data": ("03_adults_od_matrix",
                     ("Adults searching: where they went missing (rows) and live now (columns)",
                      "宝贝寻家：走失地（行）与现居地（列）")),
}


def region_order() -> list[int]:
    """The 31 mainland adcodes ordered by region (:data:`REGION_ORDER`), then adcode."""
    cw = crosswalk()
    cw = cw[cw["mainland31"]]
    return (cw.assign(r=cw["region"].map(REGION_ORDER.index))
            .sort_values(["r", "adcode"])["adcode"].astype(int).tolist())


def od_matrix_figure(flows: pd.DataFrame, source: str) -> tuple[Figure, pd.DataFrame]:
    """Every lost × destination pair of one flow source of ``case_flows`` as a heat matrix,
    provinces ordered by region (:func:`region_order`). The chart data are the matrix in long
    form (``lost_adcode, destination_adcode, flow_count``, zeros included)."""
    fig, ax = plt.subplots(figsize=(9.5, 8.5))
    matrix = maps.od_matrix(ax, flows[flows["source"] == source], origin="lost_adcode",
                            destination="destination_adcode", weight="flow_count",
                            order=region_order(), names=province_names(),
                            groups=crosswalk().set_index("adcode")["region"],
                            colourbar_label=label("records (log scale)", "记录数（对数刻度）"))
    ax.set_xlabel(label("destination province", "目的地省份"))
    ax.set_ylabel(label("province lost", "走失地省份"))
    ax.set_title(label(*OD_MATRICES[source][1]), fontsize=11)
    long = matrix.stack().rename("flow_count").reset_index()
    long.columns = ["lost_adcode", "destination_adcode", "flow_count"]
    return fig, long


def od_matrix_text(source: str) -> FigureText:
    """Title, caption and source of :func:`od_matrix_figure`."""
    return FigureText(
        title=label(*OD_MATRICES[source][1]),
        caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Every pair of provinces; "
                 f"provinces ordered by region ({', '.join(REGION_ORDER)}; lines "
                 "separate regions); colour on a log scale, white = none."),
        source=SOURCE)
