"""The figures of notebook 04 (migration and postings): forest plots, the spatial-model panel,
leave-one-out plots, the specification curve and added-variable plots.

Each ``*_figure`` builder takes a view of the model tables (:mod:`analysis.topics.models.views`) and
returns ``(figure, chart_data)``: the matplotlib figure and exactly the frame it draws, which
the notebook passes to :func:`analysis.plots.save.save_figure` with the publishable text of the
matching ``*_text`` function (:class:`analysis.plots.save.FigureText`). The drawing primitives
(:func:`draw_intervals`, :func:`forest`, :func:`forest_two_panel`, :func:`draw_spec_curve`,
:func:`draw_added_variable`, :func:`ratio_ticks`) are shared by the builders.

Ratios are drawn on a log axis with 95 % CIs, coloured by where the interval lies
(:data:`STATUS_COLOURS`). Every caption ends with the caveat of the design
(:data:`analysis.topics.models.views.CAPTION_CAVEAT`): associations between provinces in postings on a
volunteer platform, never effects on children.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from analysis.plots.model_findings import AddedVariable
from analysis.plots.save import FigureText
from analysis.plots.style import AMBER, BLUE, GREY, RED, current_lang, label, province_names
from analysis.topics.cases.build import MEASURES
from analysis.topics.hotspots.build import ALPHA, MEASURE_LABELS
from analysis.topics.models import fit as models
from analysis.topics.models.exposures import LARGEST_N
from analysis.topics.models.views import (
    CAPTION_CAVEAT,
    COVARIATE_LABELS,
    EXPOSURE_LABELS,
    EXPOSURE_ORDER,
    EXPOSURE_SHORT,
    GROUP_LABELS,
    KIND_LABELS,
    OUTCOME_SHORT,
    SOURCE,
)

#: Legend title of every interval plot.
CI_LEGEND = ("95 % CI", "95%置信区间")
#: Axis label of the ratio per SD of the main exposure.
RATIO_PER_SD_AXIS = ("Ratio per SD of the main exposure (log scale, 95 % CI)",
                     "主要暴露每个标准差对应的比值（对数刻度，95%置信区间）")

#: Legend labels of the CI status: (English, Chinese).
STATUS_LABELS = {"above 1": ("above 1", "高于1"), "below 1": ("below 1", "低于1"),
                 "includes 1": ("includes 1", "包含1")}
#: Colours of the CI status (house palette: blue above 1, red below 1, grey covering 1).
STATUS_COLOURS = {"above 1": "#1b4f72", "below 1": "#c0392b", "includes 1": "#9aa5a6"}


def draw_intervals(ax: Axes, frame: pd.DataFrame, y: np.ndarray, *, est: str = "irr",
                   low: str = "irr_low", high: str = "irr_high", status: str = "ci_status",
                   marker: str = "o", size: float = 5, horizontal: bool = True) -> None:
    """Point estimates with 95 % CI bars on a log ratio axis, coloured by CI status, with a
    reference line at 1. ``y``: positions of the rows of ``frame`` on the category axis."""
    for st, colour in STATUS_COLOURS.items():
        sel = (frame[status] == st).to_numpy()
        if not sel.any():
            continue
        e, lo, hi = (frame[c].to_numpy()[sel] for c in (est, low, high))
        err = np.vstack([e - lo, hi - e])
        if horizontal:
            ax.errorbar(e, y[sel], xerr=err, fmt=marker, color=colour, ms=size, lw=1.2,
                        capsize=0, label=label(*STATUS_LABELS[st]))
        else:
            ax.errorbar(y[sel], e, yerr=err, fmt=marker, color=colour, ms=size, lw=0.8,
                        capsize=0, label=label(*STATUS_LABELS[st]))
    if horizontal:
        ax.set_xscale("log")
        ax.axvline(1, color="black", lw=0.8, zorder=0)
    else:
        ax.set_yscale("log")
        ax.axhline(1, color="black", lw=0.8, zorder=0)


def forest_positions(blocks: pd.Series, gap: float = 1.2) -> tuple[np.ndarray, list]:
    """Row positions for a forest plot read top to bottom: rows of one block are 1 apart,
    blocks ``gap`` + 1 apart with room for a header line. Returns (y of each row, [(y of the
    header, block), …]) with y decreasing."""
    y, headers, pos, prev = [], [], 0.0, None
    for b in blocks:
        if b != prev:
            if prev is not None:
                pos -= gap
            headers.append((pos, b))
            pos -= 1
            prev = b
        y.append(pos)
        pos -= 1
    return np.asarray(y), headers


def draw_headers(ax: Axes, headers: list[tuple[float, str]], *, size: float = 9) -> None:
    """Bold block headers ``[(y, text), …]`` (from :func:`forest_positions`) left of the
    y axis of ``ax``."""
    for hy, text in headers:
        ax.text(-0.01, hy, text, transform=ax.get_yaxis_transform(), ha="right",
                va="center", fontsize=size, fontweight="bold")


def forest(ax: Axes, frame: pd.DataFrame, *, block: str, row: str, est: str = "irr",
           low: str = "irr_low", high: str = "irr_high", status: str = "ci_status",
           header_size: float = 9, highlight: pd.Series | None = None,
           headers: bool = True) -> np.ndarray:
    """Forest plot of ratios with 95 % CIs on a log axis: rows labelled by ``row``, grouped
    under bold headers from ``block`` (in the order of ``frame``). ``highlight``: boolean
    mask of rows to mark with a ring. ``headers=False`` leaves the block headers out (a
    two-panel figure writes them beside its left panel, :func:`forest_two_panel`).
    Returns the y positions of the rows."""
    y, block_headers = forest_positions(frame[block])
    draw_intervals(ax, frame, y, est=est, low=low, high=high, status=status)
    if highlight is not None and highlight.any():
        sel = highlight.to_numpy()
        ax.scatter(frame[est].to_numpy()[sel], y[sel], s=110, facecolors="none",
                   edgecolors="black", lw=1.0, zorder=5)
    ax.set_yticks(y, frame[row].tolist())
    ax.tick_params(axis="y", length=0, labelsize=8)
    if headers:
        draw_headers(ax, block_headers, size=header_size)
    ax.set_ylim(min(y) - 0.8, block_headers[0][0] + 0.8)
    ax.spines["left"].set_visible(False)
    return y


def forest_two_panel(frame: pd.DataFrame, *, block: str, row: str,
                     figsize: tuple[float, float], width_ratios: tuple[float, float],
                     wspace: float, **forest_kwargs: object
                     ) -> tuple[Figure, Axes, Axes, np.ndarray]:
    """A forest plot on the right panel of a figure whose left panel shares its rows.

    The forest is drawn without headers and without y labels; the caller draws the left panel
    and then calls :func:`label_rows` on it, which writes the row labels and block headers
    there. Returns ``(figure, left axes, right axes, y of the rows)``.
    """
    fig, (ax_left, ax_right) = plt.subplots(1, 2, figsize=figsize, sharey=True,
                                            gridspec_kw={"width_ratios": list(width_ratios),
                                                         "wspace": wspace})
    y = forest(ax_right, frame, block=block, row=row, headers=False, **forest_kwargs)
    ratio_ticks(ax_right)
    ax_right.tick_params(axis="y", labelleft=False)
    return fig, ax_left, ax_right, y


def label_rows(ax: Axes, frame: pd.DataFrame, y: np.ndarray, *, block: str, row: str,
               header_size: float = 9) -> None:
    """Row labels (``frame[row]``) at ``y`` and the bold block headers of ``frame[block]`` on
    ``ax`` (the left panel of :func:`forest_two_panel`)."""
    ax.set_yticks(y, frame[row].tolist())
    ax.tick_params(axis="y", length=0, labelsize=8)
    _, block_headers = forest_positions(frame[block])
    draw_headers(ax, block_headers, size=header_size)


def spec_indicator_rows() -> list[tuple[str, str, str, str]]:
    """Rows of the specification-curve indicator panel: (English, Chinese, column, value)."""
    rows = [(*OUTCOME_SHORT[m], "outcome_measure", m) for m in MEASURES]
    rows += [(*KIND_LABELS[k], "model_kind", k) for k in KIND_LABELS]
    rows += [(*GROUP_LABELS[g], "specification_group", g)
             for g in ("offset_2010", "without_largest", "by_period")]
    rows += [("Adjusted for covariates", "调整协变量", "covariate_set", "adjusted")]
    return rows


def draw_spec_curve(ax_top: Axes, ax_bottom: Axes, view: pd.DataFrame, *, lang_zh: bool = False,
                    exposure_labels: dict[str, str] | None = None) -> None:
    """Draw the specification curve (:func:`analysis.topics.models.views.spec_curve_view`): IRR per SD
    with 95 % CI bars (log axis) above, the features of each specification as dots below."""
    x = view["position"].to_numpy()
    draw_intervals(ax_top, view, x, est="irr_per_sd", low="irr_ci_low", high="irr_ci_high",
                   size=2.5, horizontal=False)
    main = view["is_main"].to_numpy()
    ax_top.scatter(x[main], view["irr_per_sd"].to_numpy()[main], s=70, facecolors="none",
                   edgecolors="black", lw=1.0, zorder=5)
    labels = exposure_labels or {e: EXPOSURE_SHORT[e][1 if lang_zh else 0]
                                 for e in EXPOSURE_ORDER}
    for e, g in view.groupby("main_exposure", sort=False):
        lo, hi = g["position"].min(), g["position"].max()
        ax_top.text((lo + hi) / 2, 1.02, f"{labels[e]}\n(n = {len(g)})",
                    transform=ax_top.get_xaxis_transform(), ha="center", va="bottom",
                    fontsize=8)
        for a in (ax_top, ax_bottom):
            a.axvspan(lo - 0.5, hi + 0.5, color="#f2f2f2" if EXPOSURE_ORDER.index(e) % 2
                      else "white", zorder=-1, lw=0)
    ax_top.set_xticks([])
    ax_top.spines["bottom"].set_visible(False)
    rows = spec_indicator_rows()
    for i, (_en, _zh, col, val) in enumerate(rows):
        sel = (view[col] == val).to_numpy()
        ax_bottom.scatter(x[sel], np.full(sel.sum(), -i), s=7, marker="s", color="#1b4f72",
                          lw=0)
    ax_bottom.set_yticks([-i for i in range(len(rows))],
                         [zh if lang_zh else en for en, zh, _, _ in rows])
    ax_bottom.tick_params(axis="y", length=0, labelsize=7)
    ax_bottom.set_ylim(-len(rows) + 0.5, 0.5)
    ax_bottom.set_xticks([])
    for spine in ("bottom", "left"):
        ax_bottom.spines[spine].set_visible(False)
    ax_bottom.set_xlim(ax_top.get_xlim())


def draw_added_variable(ax: Axes, av: pd.DataFrame, names: pd.Series, *, slope: float,
                        colour: str = BLUE) -> None:
    """Scatter of added-variable rows (``exposure_resid``, ``outcome_resid``, ``weight``,
    ``adcode``; :func:`analysis.topics.models.views.added_variable`), area ∝ IRLS weight, each point
    labelled by province (``names`` indexed by adcode), with the fitted line of ``slope``
    (log ratio per SD) through the origin (the weighted means of both residuals are 0)."""
    x, y = av["exposure_resid"].to_numpy(), av["outcome_resid"].to_numpy()
    ax.axhline(0, color="#bbbbbb", lw=0.6, zorder=0)
    ax.axvline(0, color="#bbbbbb", lw=0.6, zorder=0)
    ax.scatter(x, y, s=18 * av["weight"].to_numpy(), color=colour, alpha=0.75, lw=0)
    xs = np.linspace(x.min(), x.max(), 2)
    ax.plot(xs, slope * xs, color=RED, lw=1.4)
    for xi, yi, a in zip(x, y, av["adcode"], strict=True):
        ax.annotate(names[int(a)], (xi, yi), xytext=(3, 2), textcoords="offset points",
                    fontsize=7, color="#333333")


def ratio_ticks(ax: Axes, axis: str = "x") -> None:
    """Readable ticks (0.5, 0.8, 1, 1.25, 2 …) on a log ratio axis."""
    a = ax.xaxis if axis == "x" else ax.yaxis
    lo, hi = (ax.get_xlim() if axis == "x" else ax.get_ylim())
    ticks = [t for t in (0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 10)
             if lo <= t <= hi]
    a.set_major_locator(FixedLocator(ticks))
    a.set_minor_locator(NullLocator())
    a.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))




# --- labels ------------------------------------------------------------------------------------


def outcome_label(measure: str) -> str:
    """Full display label of an outcome measure in the figure language."""
    return label(*MEASURE_LABELS[measure])


def short_label(measure: str) -> str:
    """Short display label of an outcome measure (:data:`analysis.topics.models.views.OUTCOME_SHORT`)."""
    return label(*OUTCOME_SHORT[measure])


def exposure_name(exposure: str) -> str:
    """Label of a main exposure without its parenthetical (``"Out-migration rate"``, not
    ``"Out-migration rate (matching period)"``): the period is written beside it."""
    return label(*EXPOSURE_LABELS[exposure]).split(" (")[0].split("（")[0]


def model_row_label(kind: str, covariates: str) -> str:
    """``"Negative binomial, adjusted"``: the row label of a model kind and covariate set."""
    return f"{label(*KIND_LABELS[kind])}, {label(*COVARIATE_LABELS[covariates])}"


def _ci_legend(ax: Axes) -> None:
    ax.legend(title=label(*CI_LEGEND), loc="lower left", bbox_to_anchor=(1.01, 0), fontsize=8)


# --- section 2: the same model for every outcome ---------------------------------------------


def irr_by_outcome_figure(by_outcome: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Forest plot of :func:`analysis.topics.models.views.irr_by_outcome`: one block per outcome and its
    exposure period, one row per model kind × covariate set; the headline ringed."""
    plot = by_outcome.assign(
        block=[f"{short_label(o)} — {label('vs', '对')} {exposure_name(e)} {p}"
               for o, e, p in zip(by_outcome["outcome_measure"], by_outcome["main_exposure"],
                                  by_outcome["exposure_period"], strict=True)],
        row=[model_row_label(k, c)
             for k, c in zip(by_outcome["model_kind"], by_outcome["covariate_set"], strict=True)])
    fig, ax = plt.subplots(figsize=(8.5, 10))
    forest(ax, plot, block="block", row="row", highlight=plot["is_main"])
    ratio_ticks(ax)
    ax.set_xlabel(label("Ratio of postings per child, per SD of the exposure (log scale, 95 % CI)",
                        "每个标准差暴露对应的每名儿童帖子数之比（对数刻度，95%置信区间）"))
    ax.set_title(label("Migration and platform postings, by outcome: 31 provinces",
                       "迁移与平台帖子：按结果分，31个省份"), pad=12)
    _ci_legend(ax)
    return fig, by_outcome.drop(columns=["specification"])


def irr_by_outcome_text(by_outcome: pd.DataFrame) -> FigureText:
    """Title, caption and source of :func:`irr_by_outcome_figure`."""
    n_excl = int((by_outcome["ci_status"] != "includes 1").sum())
    return FigureText(
        title=label("Out- and in-migration and missing-child postings, by outcome",
                    "跨省迁出、迁入与寻亲帖子，按结果分"),
        caption=(f"Incidence-rate ratio of postings per child aged 0–14 per standard deviation of "
                 f"the migration rate across the 31 mainland provinces (95 % CIs), Poisson (robust "
                 f"SE) and negative binomial, unadjusted and adjusted for urban share and "
                 f"schooling (found/current side also sex ratio). {n_excl} of {len(by_outcome)} "
                 f"intervals exclude 1. Ringed: the headline specification, fixed in advance. "
                 f"{CAPTION_CAVEAT}"),
        source=SOURCE)


# --- section 3: residual autocorrelation and spatial models ----------------------------------


def spatial_models_figure(spatial: pd.DataFrame, *, alpha: float = ALPHA
                          ) -> tuple[Figure, pd.DataFrame]:
    """Two panels sharing the rows of the adjusted models of
    :func:`analysis.topics.models.views.spatial_comparison`: residual Moran's I (filled where the
    permutation p < ``alpha``) on the left, the ratio per SD of the main exposure on the right."""
    sp_adj = spatial[spatial["covariate_set"] == "adjusted"].reset_index(drop=True)
    sp_adj = sp_adj.assign(block=[short_label(o) for o in sp_adj["outcome_measure"]],
                           row=[label(*KIND_LABELS[k]) for k in sp_adj["model_kind"]])
    fig, ax1, ax2, y = forest_two_panel(sp_adj, block="block", row="row", figsize=(11, 9),
                                        width_ratios=(1, 1.4), wspace=0.08)
    sig = (sp_adj["residual_moran_p_sim"] < alpha).to_numpy()
    ax1.scatter(sp_adj["residual_moran_i"][sig], y[sig], color=RED, s=22,
                label=label(f"p < {alpha}", f"p < {alpha}"))
    ax1.scatter(sp_adj["residual_moran_i"][~sig], y[~sig], facecolors="none",
                edgecolors=GREY, s=22, label=label(f"p ≥ {alpha}", f"p ≥ {alpha}"))
    ax1.axvline(0, color="black", lw=0.8)
    label_rows(ax1, sp_adj, y, block="block", row="row")
    ax1.set_xlabel(label("Moran's I of the residuals", "残差的莫兰指数"))
    ax1.legend(loc="lower right", fontsize=8, title=label("permutation test", "置换检验"))
    ax1.spines["left"].set_visible(False)
    ax2.set_xlabel(label(*RATIO_PER_SD_AXIS))
    fig.suptitle(label("Spatial models absorb the residual autocorrelation",
                       "空间模型吸收了残差的空间自相关"), x=0.02, ha="left", fontweight="bold",
                 y=0.93)
    return fig, sp_adj.drop(columns=["specification", "block", "row"])


def spatial_models_text() -> FigureText:
    """Title, caption and source of :func:`spatial_models_figure`."""
    return FigureText(
        title=label("Residual spatial autocorrelation and the spatial lag and error models",
                    "残差空间自相关与空间滞后、空间误差模型"),
        caption=("Left: Moran's I of the residuals of each adjusted model (queen contiguity, "
                 f"row-standardised; {models.MORAN_PERMUTATIONS:,} seeded permutations). Right: "
                 "ratio of the posting rate per SD of the main exposure (out-migration for "
                 "places lost, in-migration for places found / living now) in the negative "
                 "binomial model and on log rates by OLS, spatial lag (direct part) and spatial "
                 f"error (ML), 95 % CIs. {CAPTION_CAVEAT}"),
        source=SOURCE)


# --- section 4: robustness --------------------------------------------------------------------

#: Titles of the leave-one-out figures of the specifications shown in detail
#: (:data:`analysis.plots.model_findings.DETAIL_SPECS`), by key.
LOO_TITLES: dict[str, tuple[str, str]] = {
    "headline": ("Headline model without each province in turn", "依次去掉一个省份后的主模型"),
    "wtt1002_family": ("Families' postings (2016 scrape) without each province in turn",
                       "家寻宝贝（2016年抓取）：依次去掉一个省份"),
}


def loo_figure(view: pd.DataFrame, key: str) -> tuple[Figure, pd.DataFrame]:
    """IRR per SD without each province (the 31 rows of :func:`analysis.topics.models.views.loo_view`,
    sorted), the full-sample IRR dashed; titled by :data:`LOO_TITLES` ``[key]``."""
    names = province_names()
    v = view.assign(province=[names[a] for a in view["left_out_adcode"]])
    fig, ax = plt.subplots(figsize=(7.5, 8.5))
    y = -np.arange(len(v), dtype=float)
    draw_intervals(ax, v, y, est="irr_per_sd", low="irr_ci_low", high="irr_ci_high")
    full = float(v["full_irr_per_sd"].iloc[0])
    ax.axvline(full, color=AMBER, lw=1.2, ls="--",
               label=label(f"all 31 provinces: {full:.2f}", f"全部31省：{full:.2f}"))
    ax.set_yticks(y, v["province"].tolist())
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.spines["left"].set_visible(False)
    ratio_ticks(ax)
    ax.set_xlabel(label("Ratio per SD without the province (log scale, 95 % CI)",
                        "去掉该省后每个标准差的比值（对数刻度，95%置信区间）"))
    ax.set_ylabel(label("Province left out", "去掉的省份"))
    ax.set_title(label(*LOO_TITLES[key]))
    ax.legend(loc="lower left", bbox_to_anchor=(1.01, 0), fontsize=8)
    return fig, view


def loo_text(spec: models.Spec, key: str) -> FigureText:
    """Title, caption and source of :func:`loo_figure` for ``spec``."""
    return FigureText(
        title=label(*LOO_TITLES[key]),
        caption=(f"{outcome_label(spec.outcome)}: negative binomial, adjusted, ratio of "
                 f"postings per child per SD of out-migration {spec.od_period[0]}, refitted "
                 f"31 times, each time without the province named (sorted; 95 % CIs). Dashed: "
                 f"all 31 provinces. {CAPTION_CAVEAT}"),
        source=SOURCE)


def robustness_figure(robust: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Forest plot of :func:`analysis.topics.models.views.robustness_by_outcome`: one block per source,
    one row per variant of the adjusted model; the headline ringed."""
    rp = robust.assign(block=[outcome_label(o) for o in robust["outcome_measure"]],
                       row=[label(*(GROUP_LABELS.get(v) or KIND_LABELS[v]))
                            for v in robust["variant"]])
    fig, ax = plt.subplots(figsize=(8.5, 11))
    forest(ax, rp, block="block", row="row",
           highlight=robust["specification"] == models.MAIN_SPEC.spec_id)
    ratio_ticks(ax)
    ax.set_xlabel(label(*RATIO_PER_SD_AXIS))
    ax.set_title(label("The same adjusted model, six ways, for each source",
                       "同一调整模型的六种估计，按来源分"), pad=12)
    _ci_legend(ax)
    return fig, robust.drop(columns="specification")


def robustness_text(largest: tuple[str, ...] | list[str]) -> FigureText:
    """Title, caption and source of :func:`robustness_figure`; ``largest``: names of the
    provinces left out in the ``without_largest`` variant."""
    return FigureText(
        title=label("Robustness of the migration association, by source",
                    "迁移关联的稳健性，按来源分"),
        caption=(f"Ratio of postings per child per SD of the main exposure (out-migration for "
                 f"places lost, in-migration for places found / living now), adjusted model: "
                 f"negative binomial on all 31 provinces, with children 2010 as offset, without "
                 f"the {LARGEST_N} most populous provinces ({', '.join(largest)}), and log-rate "
                 f"OLS, spatial lag and spatial error models; 95 % CIs. Ringed: the headline "
                 f"specification. {CAPTION_CAVEAT}"),
        source=SOURCE)


def by_period_figure(periods_fit: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Forest plot of :func:`analysis.topics.models.views.by_period`: one block per outcome × period of
    loss (with its O–D period, flagged when not matched), one row per kind × covariate set."""
    pp = periods_fit.assign(
        block=[f"{short_label(o)}, {label('missing', '走失于')} {p}, "
               f"{label('out-migration', '迁出率')} {e}"
               f"{'' if m else label(' (not matched)', '（未匹配）')}"
               for o, p, e, m in zip(periods_fit["outcome_measure"], periods_fit["period"],
                                     periods_fit["exposure_period"],
                                     periods_fit["exposure_period_matched"], strict=True)],
        row=[model_row_label(k, c)
             for k, c in zip(periods_fit["model_kind"], periods_fit["covariate_set"],
                             strict=True)])
    fig, ax = plt.subplots(figsize=(8.5, 10))
    forest(ax, pp, block="block", row="row")
    ratio_ticks(ax)
    ax.set_xlabel(label("Ratio per SD of out-migration in the matching period (log scale, 95 % CI)",
                        "对应时期迁出率每个标准差的比值（对数刻度，95%置信区间）"))
    ax.set_title(label("Period by period: postings by year of loss vs out-migration",
                       "分时期：按走失年份的帖子与迁出率"), pad=12)
    _ci_legend(ax)
    return fig, periods_fit.drop(columns="specification")


def by_period_text() -> FigureText:
    """Title, caption and source of :func:`by_period_figure`."""
    return FigureText(
        title=label("Out-migration and postings, period by period", "迁出率与帖子，分时期"),
        caption=("Ratio of postings per child per SD of out-migration in the five-year period "
                 "matching the period in which the child went missing (→ O–D period; periods "
                 "before 1990 use the earliest table, 1995–2000, and are not matched), Poisson "
                 "(robust SE) and negative binomial, unadjusted and adjusted; offset children "
                 f"2010 (2020 for 2010–2023); 95 % CIs. {CAPTION_CAVEAT}"),
        source=SOURCE)


# --- section 5: the specification curve -------------------------------------------------------


def spec_curve_figure(view: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """The specification curve of :func:`analysis.topics.models.views.spec_curve_view` ``view``: every
    specification's ratio per SD above, its features as dots below."""
    total = len(view)
    fig, (ax_t, ax_b) = plt.subplots(2, 1, figsize=(13, 9), sharex=True,
                                     gridspec_kw={"height_ratios": [1.2, 1], "hspace": 0.08})
    draw_spec_curve(ax_t, ax_b, view, lang_zh=current_lang() == "zh")
    ratio_ticks(ax_t, axis="y")
    ax_t.set_ylabel(label("Ratio per SD (log scale, 95 % CI)", "每个标准差的比值（对数，95%置信区间）"))
    ax_t.legend(title=label(*CI_LEGEND), loc="upper left", fontsize=8)
    fig.suptitle(label(f"All {total} specifications, sorted within each exposure",
                       f"全部{total}个模型设定，按暴露分组排序"),
                 x=0.02, ha="left", fontweight="bold", y=0.96)
    return fig, view


def spec_curve_text(counts: dict[str, int]) -> FigureText:
    """Title, caption and source of :func:`spec_curve_figure`; ``counts``:
    :func:`analysis.topics.models.views.spec_counts` of the curve."""
    return FigureText(
        title=label("Specification curve: every model of postings against migration",
                    "设定曲线：帖子与迁移的全部模型"),
        caption=(f"Ratio of postings per child per SD of the main exposure in all "
                 f"{counts['total']} specifications (outcome × exposure × covariates × model × "
                 f"sample × period × offset), sorted within each exposure, with 95 % CIs; "
                 f"{counts['excludes_one']} of {counts['total']} intervals exclude 1 "
                 f"({counts['above']} above, {counts['below']} below). Dots below mark the "
                 f"features of each specification. Ringed: the headline specification, fixed in "
                 f"advance. {CAPTION_CAVEAT}"),
        source=SOURCE)


# --- section 6: added-variable plots ----------------------------------------------------------


def added_variable_figure(av: AddedVariable) -> tuple[Figure, pd.DataFrame]:
    """Added-variable plot of the main exposure of one specification (the rows of
    ``model_added_variable``, :func:`analysis.plots.model_findings.added_variable_rows`),
    labelled by province; the chart data add the English province name."""
    spec, slope = av.spec, av.slope
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    draw_added_variable(ax, av.rows, province_names(), slope=slope)
    ax.set_xlabel(label(f"Out-migration {spec.od_period[0]}, other regressors partialled out "
                        "(SD)", f"{spec.od_period[0]}年迁出率，剔除其他变量后（标准差）"))
    ax.set_ylabel(label("Log postings per child, other regressors partialled out",
                        "每名儿童帖子数的对数，剔除其他变量后"))
    ax.set_title(label(f"{OUTCOME_SHORT[spec.outcome][0]}: ×{np.exp(slope):.2f} per SD",
                       f"{OUTCOME_SHORT[spec.outcome][1]}：每个标准差×{np.exp(slope):.2f}"))
    name_en = province_names("en")
    return fig, av.rows.assign(province=[name_en[a] for a in av.rows["adcode"]])


def added_variable_text(av: AddedVariable) -> FigureText:
    """Title, caption and source of :func:`added_variable_figure`."""
    spec = av.spec
    return FigureText(
        title=label(f"Out-migration and postings per child, other factors held fixed: "
                    f"{OUTCOME_SHORT[spec.outcome][0]}",
                    f"控制其他因素后的迁出率与每名儿童帖子数：{OUTCOME_SHORT[spec.outcome][1]}"),
        caption=(f"Added-variable plot of the adjusted negative binomial model "
                 f"({outcome_label(spec.outcome)}): out-migration {spec.od_period[0]} (SD "
                 f"units) and the model's working response (log postings per child aged "
                 f"0–14), each with urban share and schooling partialled out; point area ∝ "
                 f"the model's weight; the line's slope is the model coefficient, a ratio of "
                 f"×{np.exp(av.slope):.2f} per SD. {CAPTION_CAVEAT}"),
        source=SOURCE)
