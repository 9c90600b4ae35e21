"""Map drawing: classed choropleths (mapclassify) and flow maps, on a projected basemap.

Pure drawing helpers: they take a GeoDataFrame of the 34 map units (from
:func:`analysis.geo.load_boundaries` joined with a province table by
:func:`analysis.geo.join_to_map`) and an Axes; they never read files or save figures (that is
:func:`analysis.figures.save_figure`). Units with no value (Hong Kong, Macau, Taiwan, or a province
without data) are drawn in the house "no data" grey and named so in the legend.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import mapclassify
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from analysis.figures import NO_DATA_COLOUR, current_lang, label

#: Classification schemes offered (mapclassify class names) and their legend wording.
SCHEMES = {"FisherJenks": "Fisher–Jenks natural breaks", "Quantiles": "quantiles",
           "EqualInterval": "equal intervals", "NaturalBreaks": "natural breaks"}
SCHEMES_ZH = {"FisherJenks": "Fisher–Jenks 自然断点", "Quantiles": "分位数",
              "EqualInterval": "等间距", "NaturalBreaks": "自然断点"}


def scheme_label(scheme: str, k: int) -> str:
    """Legend wording of a classification, in the figure language."""
    if current_lang() == "zh":
        return f"{SCHEMES_ZH[scheme]}，{k} 类"
    return f"{SCHEMES[scheme]}, {k} classes"


def classify(values: pd.Series, scheme: str = "FisherJenks", k: int = 5
             ) -> mapclassify.classifiers.MapClassifier:
    """mapclassify classifier of the non-missing ``values`` (k classes, or fewer if fewer values)."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; choose one of {sorted(SCHEMES)}")
    v = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    k = max(1, min(k, len(np.unique(v))))
    with warnings.catch_warnings():
        # mapclassify suggests numba for speed; with 31 provinces pure Python is instant
        warnings.filterwarnings("ignore", message="Numba not installed")
        return getattr(mapclassify, scheme)(v, k=k)


def class_labels(classifier: mapclassify.classifiers.MapClassifier, fmt: str = "{:,.1f}"
                 ) -> list[str]:
    """Legend labels ``'a – b'`` of each class (lower bound = the minimum for the first class)."""
    bins = list(classifier.bins)
    lows = [float(np.min(classifier.y)), *bins[:-1]]
    return [f"{fmt.format(lo)} – {fmt.format(hi)}" for lo, hi in zip(lows, bins, strict=True)]


def choropleth(ax: plt.Axes, gdf: gpd.GeoDataFrame, column: str, *, scheme: str = "FisherJenks",
               k: int = 5, cmap: str = "YlOrRd", legend_title: str = "", fmt: str = "{:,.1f}",
               no_data_label: str | None = None, edgecolor: str = "white",
               linewidth: float = 0.4) -> mapclassify.classifiers.MapClassifier:
    """Draw a classed choropleth of ``gdf[column]`` on ``ax``; returns the classifier.

    The legend states the scheme (e.g. "Fisher–Jenks natural breaks, 5 classes") so a reader knows
    how the colours were cut. Missing values are drawn in :data:`NO_DATA_COLOUR`.
    """
    values = pd.to_numeric(gdf[column], errors="coerce")
    has = values.notna()
    classifier = classify(values[has], scheme, k)
    n = classifier.k
    colours = plt.get_cmap(cmap)(np.linspace(0.15, 0.95, n))
    face = [NO_DATA_COLOUR] * len(gdf)
    for pos, c in zip(np.flatnonzero(has.to_numpy()), classifier.yb, strict=True):
        face[pos] = to_hex(colours[c])
    gdf.plot(ax=ax, color=face, edgecolor=edgecolor, linewidth=linewidth)
    handles = [Patch(facecolor=colours[i], edgecolor="none", label=lab)
               for i, lab in enumerate(class_labels(classifier, fmt))]
    if (~has).any():
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                             label=no_data_label or label("No data", "无数据")))
    title = f"{legend_title}\n({scheme_label(scheme, n)})".strip()
    ax.legend(handles=handles, title=title, loc="lower left", fontsize=8, title_fontsize=8,
              alignment="left")
    ax.set_axis_off()
    return classifier


def representative_points(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """``adcode, x, y``: a point inside each unit (for labels and flow ends), in the map CRS."""
    pts = gdf.geometry.representative_point()
    return pd.DataFrame({"adcode": gdf["adcode"].astype(int).to_numpy(), "x": pts.x.to_numpy(),
                         "y": pts.y.to_numpy()})


def flow_map(ax: plt.Axes, gdf: gpd.GeoDataFrame, flows: pd.DataFrame, *, origin: str,
             destination: str, weight: str, max_width: float = 6.0, colour: str = "#c0392b",
             curvature: float = 0.25, legend_title: str = "", legend_fmt: str = "{:,.0f}",
             label_names: pd.Series | None = None,
             legend_values: list[float] | None = None) -> pd.DataFrame:
    """Draw ``flows`` as curved arrows whose width is proportional to ``weight``.

    Parameters
    ----------
    flows : one row per flow with origin and destination adcodes and a weight (e.g. persons);
        draw only the flows you want (e.g. the top 20)
    max_width : line width (points) of the largest flow; others scale linearly (width ∝ weight)
    label_names : optional display names indexed by adcode, written beside each flow end
    legend_values : weights shown in the width legend (default: minimum, median and maximum
        rounded to hundreds, which suits flows of thousands of people)

    Returns
    -------
    The flows drawn with their end coordinates and line widths (for the chart-data CSV).
    """
    gdf.plot(ax=ax, color="#f2f2f2", edgecolor="#bdbdbd", linewidth=0.4)
    pts = representative_points(gdf).set_index("adcode")
    drawn = flows.copy()
    top = float(drawn[weight].max())
    drawn["line_width_pt"] = drawn[weight] / top * max_width
    drawn = drawn.sort_values(weight, kind="stable")  # biggest drawn last, on top
    for row in drawn.itertuples(index=False):
        o, d = pts.loc[int(getattr(row, origin))], pts.loc[int(getattr(row, destination))]
        lw = row.line_width_pt
        arrow = FancyArrowPatch((o.x, o.y), (d.x, d.y), connectionstyle=f"arc3,rad={curvature}",
                                arrowstyle=f"-|>,head_length={0.4 + 0.08 * lw:.3f},"
                                           f"head_width={0.2 + 0.05 * lw:.3f}",
                                linewidth=lw, color=colour, alpha=0.7, shrinkA=3, shrinkB=3,
                                mutation_scale=10)
        ax.add_patch(arrow)
    ends = set(drawn[origin].astype(int)) | set(drawn[destination].astype(int))
    ax.scatter(pts.loc[sorted(ends), "x"], pts.loc[sorted(ends), "y"], s=6, color="#333333",
               zorder=3)
    if label_names is not None:
        label_provinces(ax, gdf, sorted(ends), label_names, fontsize=6.5, offset=(0, 9))
    examples = (np.asarray(legend_values, dtype=float) if legend_values is not None
                else np.unique(np.quantile(drawn[weight], [0.0, 0.5, 1.0]).round(-2)))
    handles = [Line2D([0], [0], color=colour, linewidth=v / top * max_width,
                      label=legend_fmt.format(v)) for v in examples if v > 0]
    ax.legend(handles=handles, title=legend_title, loc="lower left", fontsize=8,
              title_fontsize=8, alignment="left")
    ax.set_axis_off()
    drawn = drawn.sort_values(weight, ascending=False, kind="stable")
    return drawn.merge(pts.add_prefix("origin_"), left_on=origin, right_index=True).merge(
        pts.add_prefix("destination_"), left_on=destination, right_index=True)


def label_provinces(ax: plt.Axes, gdf: gpd.GeoDataFrame, adcodes: list[int], names: pd.Series,
                    fontsize: float = 7, offset: tuple[float, float] = (0, 0)) -> None:
    """Write ``names[adcode]`` at the representative point of each unit in ``adcodes``
    (shifted by ``offset`` points)."""
    pts = representative_points(gdf).set_index("adcode")
    for a in adcodes:
        ax.annotate(str(names.loc[a]), (pts.loc[a, "x"], pts.loc[a, "y"]), xytext=offset,
                    textcoords="offset points", fontsize=fontsize, ha="center", va="center",
                    color="#222222", zorder=4)
