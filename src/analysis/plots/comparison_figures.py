"""The comparison figures of notebook 03: the court-verdict hotspots of Xin & Cai next to the
platform's, and Wang et al.'s trafficking network next to the platform's flows.

Builders return ``(figure, chart_data)``; the ``*_text`` functions give the title, caption and
source line (:class:`analysis.plots.save.FigureText`). The category scheme of the platform
panels is :func:`platform_category` (tested), not a by-product of a colour table.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from analysis import geo
from analysis.plots import maps
from analysis.plots.hotspot_maps import DEST_CAVEAT, SOURCE
from analysis.plots.save import FigureText
from analysis.plots.style import BLUE, GREY, RED, label, province_names
from analysis.plots.text import number_word
from analysis.stats import hotspots
from analysis.topics.cases import views as casebook
from analysis.topics.hotspots import compare

#: Xin & Cai's regions (``published_hotspot_comparison.xin_cai_region``) → legend category.
XIN_CAI_CATEGORIES = {"southwest": "south-west: suppliers",
                      "southeast": "south-east: buyers, sellers of boys",
                      "central": "centre: buyers", "east": "east: buyers",
                      compare.NO_REGION: "not named"}
#: Legend category → colour of the Xin & Cai panel, in legend order.
XIN_CAI_COLOURS = {"south-west: suppliers": "#b2182b",
                   "south-east: buyers, sellers of boys": "#e08214",
                   "centre: buyers": "#2166ac", "east: buyers": "#67a9cf",
                   "not named": "#f4f4f4"}
#: Categories of a platform panel (:func:`platform_category`), strongest first.
HOT_FDR = "Gi* hot spot (FDR)"
HOT_UNADJUSTED = "Gi* hot spot (unadjusted only)"
TOP8 = f"top {compare.TOP_N} by EB rate, not a hot spot"
OTHER = "other"
#: Platform category → colour, in legend order.
PLATFORM_COLOURS = {HOT_FDR: "#b2182b", HOT_UNADJUSTED: "#f4a582", TOP8: "#fddbc7",
                    OTHER: "#f4f4f4"}
#: The four platform panels of the comparison grid: (grid position, flow source, side, title).
PLATFORM_PANELS = ((1, "uiuing_success", "lost", "Reunions: where lost"),
                   (2, "uiuing_success", "destination", "Reunions: where found"),
                   (4, "wtt1002_data", "lost", "Adults searching: where lost"),
                   (5, "wtt1002_data", "destination", "Adults searching: where they live now"))
#: Legend placement below each map of the grid.
BELOW = {"loc": "upper left", "bbox_to_anchor": (0.0, 0.04)}
COMPARISON_TITLE = ("The court-verdict hotspots next to the platform's",
                    "判决书中的热点地区与平台数据对照")


def platform_category(frame: pd.DataFrame, side: str) -> pd.Series:
    """Category of each province on one side (``lost`` or ``destination``) of a
    ``published_hotspot_comparison`` frame: :data:`HOT_FDR` (Gi* hot spot after FDR control),
    else :data:`HOT_UNADJUSTED` (hot spot without the control only), else :data:`TOP8` (among
    the :data:`analysis.topics.hotspots.compare.TOP_N` highest EB rates), else :data:`OTHER`."""
    fdr, raw, top = (frame[f"{side}_gi_label"], frame[f"{side}_gi_label_unadjusted"],
                     frame[f"{side}_top8"])
    return pd.Series(np.select([fdr == hotspots.HOT_SPOT, raw == hotspots.HOT_SPOT, top],
                               [HOT_FDR, HOT_UNADJUSTED, TOP8], OTHER), index=frame.index)


def published_comparison_map(base: gpd.GeoDataFrame, hot_cmp: pd.DataFrame
                             ) -> tuple[Figure, pd.DataFrame]:
    """A 2 × 3 grid: Xin & Cai's regions, the four platform panels (:data:`PLATFORM_PANELS`)
    and a text panel. The chart data hold every province of every panel with its category."""
    name_en = province_names("en")
    xc = hot_cmp[hot_cmp["source"] == "uiuing_success"].copy()
    xc.insert(2, "name_en", xc["adcode"].map(name_en))
    fig, axes = maps.subplots(2, 3, figsize=(16, 11.5), gridspec_kw={"hspace": 0.5})
    axes = axes.ravel()
    xcmap = xc.assign(category=xc["xin_cai_region"].map(XIN_CAI_CATEGORIES))
    maps.categorical_map(axes[0], geo.join_to_map(base, xcmap[["adcode", "category"]]),
                         "category", XIN_CAI_COLOURS,
                         legend_title=label("Xin & Cai regions", "Xin & Cai 热点地区"),
                         legend_kwargs=BELOW)
    axes[0].set_title(label("Court verdicts 2014–2016 (Xin & Cai)", "判决书 2014—2016（Xin & Cai）"),
                      fontsize=9)
    data = [xcmap[["source", "adcode", "name_en", "xin_cai_region", "xin_cai_role"]]
            .assign(panel="Xin & Cai", category=xcmap["category"])]
    for k, source, side, title in PLATFORM_PANELS:
        sel = hot_cmp[hot_cmp["source"] == source].copy()
        sel["category"] = platform_category(sel, side).to_numpy()
        maps.categorical_map(axes[k], geo.join_to_map(base, sel[["adcode", "category"]]),
                             "category", PLATFORM_COLOURS, show_absent=True,
                             legend_title=label("ours (EB rate per child)", "本项目（EB比率）"),
                             legend_kwargs=BELOW)
        axes[k].set_title(title, fontsize=9)
        data.append(sel[["source", "adcode", "xin_cai_region", "xin_cai_role"]]
                    .assign(name_en=sel["adcode"].map(name_en), panel=title,
                            category=sel["category"]))
    axes[3].set_axis_off()
    axes[3].text(0, 0.5, label("Destinations are known only for\nchildren found and adults "
                               "searching.\nPostings, not incidence.",
                               "目的地仅对已找到的儿童\n和寻亲成年人已知。\n帖子数，非发生率。"),
                 fontsize=9, va="center")
    fig.suptitle(label(*COMPARISON_TITLE), x=0.02, ha="left", fontsize=12, fontweight="bold")
    return fig, pd.concat(data, ignore_index=True)


def published_comparison_text(base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of :func:`published_comparison_map`."""
    return FigureText(
        title=label(*COMPARISON_TITLE),
        caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Left: the four hotspot regions "
                 f"Xin & Cai (IJPS 4(2), doi:{compare.XIN_CAI_DOI}) found in the "
                 "child-trafficking sentences of 2014–2016. Other panels: our Gi* hot "
                 "spots of the empirical-Bayes rate per child (after FDR control, or "
                 f"unadjusted only) and the top {number_word(compare.TOP_N)} provinces by that "
                 "rate."),
        source=(f"{SOURCE} Xin & Cai, IJPS 4(2), doi:{compare.XIN_CAI_DOI}. "
                f"{base.attrs['attribution']}."))


# --- Wang et al. ---------------------------------------------------------------------------

#: The shares of the bar chart (``published_flow_comparison.measure``) → (English, Chinese).
WANG_MEASURES = {"within_province_share": ("within one province", "省内"),
                 "named8_out_share": ("out of the eight provinces", "八省流出"),
                 "named8_in_share": ("into the eight provinces", "八省流入")}
#: Series of the bar chart: the published figure, then each flow source.
WANG_PUBLISHED = "Wang et al. 2018 (published)"
#: Bar colour of each series: the published figure and each flow source.
WANG_COLOURS = {WANG_PUBLISHED: GREY, casebook.SOURCE_LABELS["uiuing_success"]: BLUE,
                casebook.SOURCE_LABELS["wtt1002_data"]: RED}
WANG_TITLE = ("Wang et al.'s trafficking network next to the platform records",
              "Wang等人的拐卖网络与平台记录对照")


def wang_bar_data(flow_cmp: pd.DataFrame) -> pd.DataFrame:
    """The shares of :data:`WANG_MEASURES` on all pairs (``published_flow_comparison``): per
    measure, Wang et al.'s published value and ours per flow source (sorted by source id).
    Columns ``measure, series, share``."""
    bars = flow_cmp[flow_cmp["measure"].isin(list(WANG_MEASURES))
                    & (flow_cmp["flow_scope"] == "all")]
    rows = []
    for measure, g in bars.groupby("measure", sort=False):
        rows.append({"measure": measure, "series": WANG_PUBLISHED,
                     "share": float(g["published_value"].iloc[0])})
        for r in g.sort_values("source").itertuples():
            rows.append({"measure": measure, "series": casebook.SOURCE_LABELS[r.source],
                         "share": r.our_value})
    return pd.DataFrame(rows)


def wang_comparison_figure(flow_cmp: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Grouped bars of :func:`wang_bar_data`, each bar labelled with its share; a series
    without a colour in :data:`WANG_COLOURS` raises ``KeyError``."""
    bar_data = wang_bar_data(flow_cmp)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    series = list(dict.fromkeys(bar_data["series"]))
    measures = list(dict.fromkeys(bar_data["measure"]))
    width = 0.8 / len(series)
    for k, s in enumerate(series):
        vals = bar_data[bar_data["series"] == s].set_index("measure").reindex(measures)["share"]
        pos = np.arange(len(measures)) + (k - (len(series) - 1) / 2) * width
        ax.bar(pos, vals, width=width, label=s, color=WANG_COLOURS[s])
        for x, v in zip(pos, vals, strict=True):
            ax.annotate(f"{v:.0%}", (x, v), ha="center", va="bottom", fontsize=7,
                        xytext=(0, 2), textcoords="offset points")
    ax.set_xticks(np.arange(len(measures)), [label(*WANG_MEASURES[m]) for m in measures])
    ax.set_ylabel(label("share of children", "儿童占比"))
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper right")
    ax.set_title(label(*WANG_TITLE), fontsize=11)
    return fig, bar_data


def wang_comparison_text() -> FigureText:
    """Title, caption and source of :func:`wang_comparison_figure`."""
    return FigureText(
        title=label(*WANG_TITLE),
        caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Share of lost → destination pairs "
                 "within one province, and the share of children lost in / found in "
                 "Henan, Jiangsu, Shandong, Fujian, Hebei, Sichuan, Guangdong and Anhui "
                 "(all pairs). Wang et al. 2018, Nature Sustainability 1:254–260, "
                 f"doi:{compare.WANG_DOI}; figures as reported by a press summary of the "
                 "paper."),
        source=(f"{SOURCE} Wang et al. 2018, Nature Sustainability, doi:{compare.WANG_DOI} "
                "(figures as reported by a press summary, grade B)."))
