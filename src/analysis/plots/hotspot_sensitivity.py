"""How the LISA clusters of notebook 03 depend on the weights and the permutation seed, and the
captions of the two local-test maps, which name each test's own inference.

:func:`membership_figure` draws ``hotspot_lisa_sensitivity`` as a grid: one row per province
that is in a LISA cluster under at least one weights × seed variant (grouped by measure), one
column per weights matrix (at the project's seed) coloured by the cluster, and two columns of
shares: the seeds (on the queen weights) that reproduce the published label, and all variants
that put the province in its most frequent cluster. It returns ``(figure, chart_data)``, the
chart data being exactly the rows drawn; :func:`membership_text` gives title, caption, source.

:func:`local_test_text` replaces the caption of :func:`analysis.plots.hotspot_maps.
significance_text` for the two significance maps: Gi* is no longer tested by conditional
permutation but by total randomisation, and both tests report esda's *directed* p-value.
"""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from analysis import geo
from analysis.plots.hotspot_maps import DEST_CAVEAT, SIGNIFICANCE_FIGURES, SOURCE, source_line
from analysis.plots.save import FigureText
from analysis.plots.style import label, province_names
from analysis.plots.text import number_word
from analysis.stats import hotspots
from analysis.topics.cases import views as casebook
from analysis.topics.hotspots.build import ALPHA, MEASURE_LABELS, PERMUTATIONS
from analysis.topics.hotspots.schema import NEVER, SENSITIVITY_SEEDS, SENSITIVITY_WEIGHTS
from analysis.vocab.seeds import SEED

#: Cell colours of a LISA cluster after FDR (the strong colours of the LISA maps).
CLUSTER_COLOURS = {"High-High": "#b2182b", "Low-Low": "#2166ac", "High-Low": "#e08214",
                   "Low-High": "#6a51a3", hotspots.NOT_SIGNIFICANT: "#f4f4f4"}
#: Column headings of the weights variants (EN, 中文).
WEIGHTS_LABELS = {"queen": ("queen (published)", "邻接（发布）"), "knn4": ("4 nearest", "4近邻"),
                  "knn5": ("5 nearest", "5近邻"), "knn6": ("6 nearest", "6近邻"),
                  "distance_band": ("distance band", "距离带")}
TITLE = ("Which LISA cluster members depend on the weights and the seed",
         "局部Moran聚集成员对空间权重与随机种子的敏感性")
#: Chart-data columns (besides the names).
COLUMNS = ["measure", "adcode", "lisa_cluster", *(f"cluster_{w}" for w in SENSITIVITY_WEIGHTS),
           "seeds_same_share", "same_cluster_share", "modal_cluster", "modal_cluster_share",
           "stability"]


def membership_rows(sensitivity: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``hotspot_lisa_sensitivity`` drawn: provinces in a cluster in at least one
    variant, in table order of the measures, then by share of variants (most first) and
    adcode; with English and Chinese names and the measure's label (``measure_label``)."""
    rows = sensitivity[sensitivity["stability"] != NEVER].copy()
    order = {m: i for i, m in enumerate(sensitivity["measure"].unique())}
    rows = rows.assign(_m=rows["measure"].map(order)).sort_values(
        ["_m", "modal_cluster_share", "adcode"], ascending=[True, False, True],
        kind="stable").drop(columns="_m")
    rows = rows[COLUMNS].reset_index(drop=True)
    rows["name_en"] = rows["adcode"].map(province_names("en")).to_numpy()
    rows["name_zh"] = rows["adcode"].map(province_names("zh")).to_numpy()
    rows["measure_label"] = rows["measure"].map(lambda m: label(*MEASURE_LABELS[m]))
    return rows


def membership_figure(sensitivity: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Grid of the LISA cluster of each province (rows, :func:`membership_rows`) under each
    weights matrix at the project's seed (coloured cells), with the share of seeds and of all
    variants written in the last two columns; measures separated by a rule and named."""
    data = membership_rows(sensitivity)
    weight_cols = [f"cluster_{w}" for w in SENSITIVITY_WEIGHTS]
    k = len(weight_cols)
    group = (data["measure"] != data["measure"].shift()).cumsum().to_numpy()
    y = data.index.to_numpy() + group  # one header row above each measure's rows
    fig, ax = plt.subplots(figsize=(9.5, 1.8 + 0.19 * (len(data) + group.max())))
    for yi, r in zip(y, data.itertuples(), strict=True):
        for j, c in enumerate(weight_cols):
            ax.add_patch(Rectangle((j - 0.5, yi - 0.5), 1, 1, facecolor=CLUSTER_COLOURS[
                getattr(r, c)], edgecolor="white", linewidth=0.5))
        ax.text(k, yi, f"{r.seeds_same_share:.0%}", ha="center", va="center", fontsize=7)
        ax.text(k + 0.6, yi, f"{r.modal_cluster_share:.0%} {r.modal_cluster}", ha="left",
                va="center", fontsize=7)
    for first in data.index[data["measure"] != data["measure"].shift()]:
        ax.text(-0.5, y[first] - 1, data.loc[first, "measure_label"], ha="left",
                va="center", fontsize=7.5, fontweight="bold")
    names = data["name_en"] if label("en", "zh") == "en" else data["name_zh"]
    ax.set_yticks(y)
    ax.set_yticklabels(names, fontsize=7)
    ax.set_xticks(range(k + 2))
    ax.set_xticklabels([label(*WEIGHTS_LABELS[w]) for w in SENSITIVITY_WEIGHTS]
                       + [label(f"queen, {len(SENSITIVITY_SEEDS)} seeds: same as published",
                                f"邻接，{len(SENSITIVITY_SEEDS)}个种子：与发布相同"),
                          label("all variants: most frequent cluster", "全部变体：最常见聚集")],
                       fontsize=7, rotation=30, ha="left")
    ax.xaxis.tick_top()
    ax.set_xlim(-0.5, k + 2.8)
    ax.set_ylim(y.max() + 0.5, -0.5)
    for side in ("right", "bottom", "left", "top"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    handles = [Patch(facecolor=c, edgecolor="#999999", label=kind)
               for kind, c in CLUSTER_COLOURS.items()]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0, -0.01), ncol=5, fontsize=7,
              frameon=False, title=label(f"LISA cluster after FDR, seed {SEED}",
                                         f"FDR后的局部Moran聚集，种子{SEED}"), title_fontsize=7)
    fig.suptitle(label(*TITLE), x=0.02, ha="left", fontsize=11, fontweight="bold")
    fig.tight_layout()
    return fig, data


def membership_text() -> FigureText:
    """Title, caption and source of :func:`membership_figure`."""
    return FigureText(
        title=label(*TITLE),
        caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT} (found side and place lived now). Local "
                 f"Moran (LISA) of the empirical-Bayes rate per child, {PERMUTATIONS:,} "
                 "conditional permutations, directed p-values, Benjamini–Hochberg "
                 f"false-discovery-rate control at {ALPHA} over the 31 provinces. Rows: every "
                 "province in a cluster under at least one variant. Colours: the cluster under "
                 f"each weights matrix at seed {SEED} (queen contiguity with Hainan joined to "
                 f"its {number_word(geo.ISLAND_K)} nearest provinces = the published maps; k "
                 "nearest provinces by centroid distance; a distance band). Right: the share "
                 f"of {len(SENSITIVITY_SEEDS)} seeds ({SENSITIVITY_SEEDS[0]}–"
                 f"{SENSITIVITY_SEEDS[-1]}) on the queen weights that give the published "
                 f"label, and the share of all {len(SENSITIVITY_WEIGHTS)} × "
                 f"{len(SENSITIVITY_SEEDS)} variants in the province's most frequent cluster "
                 "(100 % = a stable member)."),
        source=SOURCE)


#: The inference of each significance map (the test's own permutation scheme).
INFERENCE = {
    "03_gistar": ("Getis–Ord Gi* (binary weights, the province included) tested by "
                  f"{PERMUTATIONS:,} seeded total-randomisation permutations (all 31 rates "
                  "permuted over the map, the province's own included)"),
    "03_lisa_clusters": ("Local Moran (row-standardised weights) tested by "
                         f"{PERMUTATIONS:,} seeded conditional permutations (the province's "
                         "own rate fixed)"),
}


def local_test_text(name: str, base: gpd.GeoDataFrame) -> FigureText:
    """Title, caption and source of the significance map ``name`` of
    :data:`analysis.plots.hotspot_maps.SIGNIFICANCE_FIGURES`, naming its own inference and the
    directed p-value."""
    return FigureText(
        title=label(*SIGNIFICANCE_FIGURES[name][3]),
        caption=(f"{casebook.CAVEAT}. {INFERENCE[name]}, on the empirical-Bayes rate per "
                 "child; p-values of esda's directed alternative (one-sided, in the tail the "
                 "statistic falls in). Strong colours: significant after Benjamini–Hochberg "
                 f"false-discovery-rate control at {ALPHA} over the 31 provinces of each map; "
                 f"pale: directed p ≤ {ALPHA} only without that control (not established). "
                 f"{DEST_CAVEAT} (the last two maps). Neighbours: shared border; Hainan "
                 f"linked to its {number_word(geo.ISLAND_K)} nearest provinces."),
        source=source_line(base))
