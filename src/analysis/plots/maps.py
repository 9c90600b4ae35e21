"""Map drawing: classed choropleths (mapclassify) and flow maps, on a projected basemap.

Pure drawing helpers: they take a GeoDataFrame of the 34 map units (from
:func:`analysis.geo.load_boundaries` joined with a province table by
:func:`analysis.geo.join_to_map`) and an Axes; they never read files or save figures (that is
:func:`analysis.plots.save.save_figure`). Units with no value (Hong Kong, Macau, Taiwan, or a
province without data) are drawn in the house "no data" grey and named so in the legend.

**Why not GeoPandas' own** ``plot(column, scheme=..., legend=..., missing_kwds=...)``. The
classification is mapclassify's either way; the drawing is not the same. GeoPandas (1.2) groups
the units by class and draws one collection per class, plus one for the missing values, so the
polygons are painted in class order instead of row order (shared borders overdraw differently
and the SVG elements come in another order), and its classed legend uses round markers, not
patches. Tried on the notebook-01 hukou map with the same colours, labels and missing colour:
neither the PNG nor the SVG is byte-identical to the published file, even without a legend. The
published figures must not move (``tests/test_notebooks.py``, ``make drift``), so
:func:`choropleth`, :func:`diverging_choropleth` and :func:`categorical_map` colour each unit
themselves (one ``GeoDataFrame.plot(color=[...])`` call in row order) and build the legend from
patches.
"""

from __future__ import annotations

import warnings

import geopandas as gpd
import mapclassify
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.colors import LogNorm, to_hex
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch

from analysis.plots.style import NO_DATA_COLOUR, current_lang, label

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
    how the colours were cut. Missing values are drawn in :data:`NO_DATA_COLOUR`. Hand-written
    rather than GeoPandas' ``scheme=``/``legend=``, which draws differently (module docstring).
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


# --- additions for the hotspot atlas (notebook 03) -------------------------------------------

#: Hatching of provinces whose rate rests on few events (see :func:`mark_provinces`).
SMALL_COUNT_HATCH = "////"


def extend_legend(ax: plt.Axes, handles: list, **kwargs: object) -> None:
    """Re-draw the legend of ``ax`` with ``handles`` appended (title and placement kept)."""
    old = ax.get_legend()
    if old is None:
        ax.legend(handles=handles, loc="lower left", fontsize=8, title_fontsize=8,
                  alignment="left", **kwargs)
        return
    previous = list(old.legend_handles)
    labels = [t.get_text() for t in old.get_texts()]
    for h, lab in zip(previous, labels, strict=True):
        h.set_label(lab)
    ax.legend(handles=[*previous, *handles], title=old.get_title().get_text(),
              loc="lower left", fontsize=8, title_fontsize=8, alignment="left", **kwargs)


def mark_provinces(ax: plt.Axes, gdf: gpd.GeoDataFrame, flag: str, *, legend_label: str,
                   hatch: str = SMALL_COUNT_HATCH, colour: str = "#555555") -> list[int]:
    """Hatch the units where the bool column ``flag`` is true (e.g. fewer than the minimum of
    postings) and add a legend entry; returns their adcodes (sorted)."""
    sel = gdf[gdf[flag].eq(True)]
    if not sel.empty:
        sel.plot(ax=ax, facecolor="none", edgecolor=colour, hatch=hatch, linewidth=0.0)
    extend_legend(ax, [Patch(facecolor="white", edgecolor=colour, hatch=hatch,
                             label=legend_label)])
    return sorted(int(a) for a in sel["adcode"])


def diverging_choropleth(ax: plt.Axes, gdf: gpd.GeoDataFrame, column: str, *, bins: list[float],
                         cmap: str = "RdBu_r", legend_title: str = "", fmt: str = "{:+.0f}",
                         edgecolor: str = "white", linewidth: float = 0.4,
                         lowest: float | None = None) -> mapclassify.classifiers.MapClassifier:
    """A choropleth of a signed value with user-defined breaks symmetric around zero.

    ``bins`` are the upper bounds of the classes (mapclassify ``UserDefined``), e.g.
    ``[-15, -5, 4, 14, 30]`` for ranks; the colour map is centred so that the class holding
    zero is neutral. The legend names the scheme ("user-defined breaks"); ``lowest`` is the
    lower bound written for the first class (default: the smallest value), e.g. the negative of
    the last break for a legend as symmetric as the breaks. Hand-written for the same reason
    as :func:`choropleth` (module docstring).
    """
    values = pd.to_numeric(gdf[column], errors="coerce")
    has = values.notna()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Numba not installed")
        classifier = mapclassify.UserDefined(values[has].to_numpy(dtype=float), bins=bins)
    n = len(classifier.bins)
    colours = plt.get_cmap(cmap)(np.linspace(0.08, 0.92, n))
    face = [NO_DATA_COLOUR] * len(gdf)
    for pos, c in zip(np.flatnonzero(has.to_numpy()), classifier.yb, strict=True):
        face[pos] = to_hex(colours[c])
    gdf.plot(ax=ax, color=face, edgecolor=edgecolor, linewidth=linewidth)
    first = float(np.min(classifier.y)) if lowest is None else float(lowest)
    lows = [first, *list(classifier.bins[:-1])]
    handles = []
    for i, (lo, hi) in enumerate(zip(lows, classifier.bins, strict=True)):
        lo_txt = fmt.format(lo if i == 0 else lo + 1) if float(lo).is_integer() else fmt.format(lo)
        handles.append(Patch(facecolor=colours[i], edgecolor="none",
                             label=f"{lo_txt} – {fmt.format(hi)}"))
    if (~has).any():
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                             label=label("No data", "无数据")))
    scheme = label("user-defined breaks, symmetric", "自定义对称断点")
    ax.legend(handles=handles, title=f"{legend_title}\n({scheme}, {n} classes)".strip(),
              loc="lower left", fontsize=8, title_fontsize=8, alignment="left")
    ax.set_axis_off()
    return classifier


def categorical_map(ax: plt.Axes, gdf: gpd.GeoDataFrame, column: str,
                    colours: dict[str, str], *, legend_title: str = "",
                    edgecolor: str = "white", linewidth: float = 0.4,
                    show_absent: bool = False, legend_kwargs: dict | None = None) -> None:
    """Draw units coloured by the category in ``gdf[column]`` (``colours``: category → colour,
    in legend order); missing values are "no data". Categories absent from the map are left
    out of the legend unless ``show_absent``. ``legend_kwargs`` overrides the legend placement
    (default lower left inside the axes). Not GeoPandas' ``categorical=True`` legend, which
    draws one collection per category (module docstring)."""
    values = gdf[column]
    unknown = sorted(set(values.dropna()) - set(colours))
    if unknown:
        raise ValueError(f"categories without a colour: {unknown}")
    face = [colours[v] if isinstance(v, str) else NO_DATA_COLOUR for v in values]
    gdf.plot(ax=ax, color=face, edgecolor=edgecolor, linewidth=linewidth)
    present = set(values.dropna())
    handles = [Patch(facecolor=c, edgecolor="#999999" if c == "#ffffff" else "none", label=k)
               for k, c in colours.items() if show_absent or k in present]
    if values.isna().any():
        handles.append(Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                             label=label("No data", "无数据")))
    placement = {"loc": "lower left", **(legend_kwargs or {})}
    ax.legend(handles=handles, title=legend_title, fontsize=7, title_fontsize=7,
              alignment="left", **placement)
    ax.set_axis_off()


def od_matrix(ax: plt.Axes, flows: pd.DataFrame, *, origin: str, destination: str,
              weight: str, order: list[int], names: pd.Series,
              groups: pd.Series | None = None, cmap: str = "magma_r",
              colourbar_label: str = "") -> pd.DataFrame:
    """An origin × destination heat matrix (rows = origin, columns = destination).

    Parameters
    ----------
    order : adcodes in display order (e.g. sorted by region, then adcode); every origin and
        destination of ``flows`` must be in it
    names : display names indexed by adcode
    groups : optional group (e.g. region) per adcode; lines separate consecutive groups
    Colours are on a log scale (counts span orders of magnitude); empty cells stay white.

    Returns
    -------
    The square matrix drawn (index = origin adcode, columns = destination adcode, zeros filled).
    """
    outside = (set(flows[origin]) | set(flows[destination])) - set(order)
    if outside:
        raise ValueError(f"flows have adcodes not in order: {sorted(outside)}")
    m = (flows.pivot_table(index=origin, columns=destination, values=weight, aggfunc="sum",
                           fill_value=0).reindex(index=order, columns=order, fill_value=0))
    arr = m.to_numpy(dtype=float)
    masked = np.ma.masked_less_equal(arr, 0)
    vmax = max(float(arr.max()), 1.0)
    image = ax.imshow(masked, cmap=cmap, norm=LogNorm(vmin=1, vmax=vmax), aspect="equal",
                      interpolation="nearest")
    ticks = np.arange(len(order))
    ax.set_xticks(ticks, [str(names.loc[a]) for a in order], rotation=90, fontsize=6)
    ax.set_yticks(ticks, [str(names.loc[a]) for a in order], fontsize=6)
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if groups is not None:
        g = [groups.loc[a] for a in order]
        for k in range(1, len(g)):
            if g[k] != g[k - 1]:
                ax.axhline(k - 0.5, color="#333333", linewidth=0.6)
                ax.axvline(k - 0.5, color="#333333", linewidth=0.6)
    bar = ax.figure.colorbar(image, ax=ax, shrink=0.6, pad=0.02)
    bar.set_label(colourbar_label, fontsize=8)
    bar.ax.tick_params(labelsize=7)
    m.index.name, m.columns.name = origin, destination
    return m


def rate_dot_panel(ax: plt.Axes, frame: pd.DataFrame, *, raw: str, smoothed: str, count: str,
                   names: pd.Series, flag: str | None = None, colour: str = "#c0392b",
                   xlabel: str = "") -> None:
    """Provinces ranked by the smoothed rate: filled dot = smoothed (EB) rate, open circle = raw
    rate, the count of events written at the right; provinces with ``flag`` true get their
    name in italics and a dagger (†)."""
    f = frame.sort_values([smoothed, "adcode"], ascending=[True, True], kind="stable")
    y = np.arange(len(f))
    ax.hlines(y, f[[raw, smoothed]].min(axis=1), f[[raw, smoothed]].max(axis=1),
              color="#bbbbbb", linewidth=0.8)
    ax.scatter(f[raw], y, s=14, facecolor="white", edgecolor="#555555", linewidth=0.8,
               zorder=3, label=label("raw rate", "原始比率"))
    ax.scatter(f[smoothed], y, s=16, color=colour, zorder=4,
               label=label("empirical-Bayes rate", "经验贝叶斯平滑比率"))
    small = f[flag].to_numpy(dtype=bool) if flag else np.zeros(len(f), dtype=bool)
    ticks = [f"{names.loc[a]}{' †' if s else ''}" for a, s in zip(f["adcode"], small,
                                                                strict=True)]
    ax.set_yticks(y, ticks, fontsize=6.5)
    for t, s in zip(ax.get_yticklabels(), small, strict=True):
        if s:
            t.set_style("italic")
    x_max = float(f[[raw, smoothed]].to_numpy().max())
    for yi, n in zip(y, f[count], strict=True):
        ax.annotate(f"{int(n):,}", (x_max * 1.04, yi), fontsize=6, va="center", ha="left",
                    color="#444444", annotation_clip=False)
    ax.annotate(label("postings", "帖子数"), (x_max * 1.04, len(f) - 0.2), fontsize=6,
                va="bottom", ha="left", color="#444444", annotation_clip=False)
    ax.set_xlim(0, x_max * 1.22)
    ax.set_ylim(-0.8, len(f) - 0.2)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=7, loc="lower right", bbox_to_anchor=(0.84, 0.0))


def subplots(*args: object, **kwargs: object) -> tuple[plt.Figure, object]:
    """``plt.subplots`` for map figures, without the intermediate renders.

    geopandas calls ``canvas.draw_idle()`` after every ``plot``; on the non-interactive Agg
    backend that renders the whole figure each time, so a figure of eight maps is rendered
    eight times before it is saved. The figure returned here ignores ``draw_idle`` (saving and
    ``plt.show`` still render it once); the output is the same.
    """
    fig, axes = plt.subplots(*args, **kwargs)
    fig.canvas.draw_idle = lambda *a, **k: None
    return fig, axes
