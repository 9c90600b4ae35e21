"""The figures of notebook 08 (inference on the province models): the period-panel coefficient
plot, the specification-curve permutation test and P(found province | lost province).

Each ``*_figure`` builder takes a frame of :mod:`analysis.topics.model_inference.views` and
returns ``(figure, chart_data)``: the figure and exactly the frame it draws (rows of the
published tables, with display labels added). The ``*_text`` functions give the publishable
title (stating the finding, computed from the same frame), caption and source line. Ratios are
drawn on a log axis with 95 % CIs; shares on a linear axis with 95 % bootstrap intervals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from analysis.plots.model_figures import CI_LEGEND, forest
from analysis.plots.save import FigureText
from analysis.plots.style import AMBER, BLUE, GREY, RED, label
from analysis.topics.model_inference.schema import (
    MIN_CELL,
    PANEL_HEADLINE,
    PANEL_MIN_WAVE_POSTINGS,
    PERMUTATION_FAMILIES,
    PERMUTATION_STATISTICS,
    POOLED,
)
from analysis.topics.model_inference.views import (
    DESIGN_LABELS,
    FAMILY_LABELS,
    HISTOGRAM_BIN,
    KIND_LABELS,
    STATISTIC_LABELS,
)
from analysis.topics.models.views import SOURCE as MODEL_SOURCE
from analysis.vocab.settings import ALPHA, BOOTSTRAP_REPLICATES
from analysis.vocab.wording import (
    CASE_DATA,
    COUNTY_MODEL_ANALYSIS,
    DESTINATIONS,
    MODEL_CAVEAT,
    MODEL_DATA,
    NOT_ABDUCTIONS,
    PLATFORM,
    source_line,
)

#: The year-end population series that scales the children of each wave.
YEAREND_DATA = "year-end resident population: NBS national data portal, annual by province"
#: Source line of the period-panel figure (statsmodels fits).
PANEL_SOURCE = source_line(CASE_DATA, MODEL_DATA, YEAREND_DATA,
                           analysis=COUNTY_MODEL_ANALYSIS)
#: Source line of the permutation figure: that of the pooled model figures (the same fits).
PERMUTATION_SOURCE = MODEL_SOURCE
#: Source line of the reunion figure (the case scrapes alone).
REUNION_SOURCE = source_line(CASE_DATA)
#: Colour of the leave-one-province-out range.
LOO_COLOUR = AMBER


# --- (a) the period panel --------------------------------------------------------------------


def _panel_rows(view: pd.DataFrame) -> pd.Series:
    """Row labels: the likelihood for the panels, the wave for the cross-sections."""
    return pd.Series([label(*KIND_LABELS[k]) if w == "stacked" else
                      f"{label('wave', '波次')} {w}"
                      for k, w in zip(view["model_kind"], view["wave"], strict=True)],
                     index=view.index)


def _ratio_ticks(ax) -> None:
    """Ratio ticks fine enough for the panel's narrow range (0.7, 0.8, 0.9, 1, 1.1 …)."""
    lo, hi = ax.get_xlim()
    ticks = [t for t in (0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5) if lo <= t <= hi]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def panel_figure(view: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Coefficient plot of :func:`analysis.topics.model_inference.views.panel_view`: one block
    per design (within provinces, wave effects only, one cross-section per wave), one row per
    likelihood or wave; 95 % CIs coloured by where they lie, the leave-one-province-out range
    (min–max, not a CI) as an amber bar under each panel row, the declared headline ringed."""
    data = view.assign(block=view["design"].map(lambda d: label(*DESIGN_LABELS[d])),
                       row=_panel_rows(view).to_numpy())
    fig, ax = plt.subplots(figsize=(9, 7.5))
    y = forest(ax, data, block="block", row="row", est="irr_per_sd", low="irr_ci_low",
               high="irr_ci_high", highlight=data["is_headline"].astype(bool))
    has = np.isfinite(data["loo_irr_min"].to_numpy(float))
    ax.hlines(y[has] - 0.32, data["loo_irr_min"].to_numpy(float)[has],
              data["loo_irr_max"].to_numpy(float)[has], color=LOO_COLOUR, lw=3,
              gid="loo_range")
    lo = np.nanmin(data[["irr_ci_low", "loo_irr_min"]].to_numpy(float))
    hi = np.nanmax(data[["irr_ci_high", "loo_irr_max"]].to_numpy(float))
    ax.set_xlim(lo * 0.92, hi * 1.08)
    _ratio_ticks(ax)
    ax.set_xlabel(label("Ratio of postings per child per SD of out-migration of the wave "
                        "(log scale)", "波次迁出率每个标准差对应的每名儿童帖子数之比（对数刻度）"))
    handles, labels = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color=LOO_COLOUR, lw=3))
    labels.append(label("leave one province out (range, not a CI)", "逐一剔除省份（范围，非置信区间）"))
    handles.append(Line2D([], [], marker="o", ls="", mfc="none", mec="black", ms=10))
    labels.append(label("headline, declared before the fit", "主要结果（拟合前设定）"))
    ax.legend(handles, labels, title=label(*CI_LEGEND), loc="upper center",
              bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8, frameon=False)
    ax.set_title(label("Out-migration and postings per child, by wave of loss",
                       "迁出率与每名儿童帖子数，按走失波次"), pad=12)
    fig.tight_layout()
    return fig, data


def panel_text(view: pd.DataFrame) -> FigureText:
    """Title (the finding, computed from ``view``), caption and source of
    :func:`panel_figure`."""
    h = view[view["is_headline"].astype(bool)].iloc[0]
    cs = view[view["design"] == "wave_cross_section"]
    k_above = int((cs["ci_status"] == "above 1").sum())
    ci = f"{h['irr_per_sd']:.2f}, 95 % CI {h['irr_ci_low']:.2f}–{h['irr_ci_high']:.2f}"
    within = {"includes 1": f"no clear association within provinces ({ci})",
              "above 1": f"more postings per child within provinces ({ci})",
              "below 1": f"fewer postings per child within provinces ({ci})"}[h["ci_status"]]
    title = (f"Out-migration and postings per child by wave of loss: {within}; "
             f"{k_above} of {len(cs)} single-wave cross-sections above 1")
    return FigureText(
        title=label(title, f"迁出率与按走失波次的每名儿童帖子数：省内比值{ci}；"
                           f"{len(cs)}个单波次截面中{k_above}个高于1"),
        caption=(f"Ratio of families' postings (2021 scrape) per child aged 0–14 per SD of the "
                 f"inter-provincial out-migration rate of the O–D wave covering the year of "
                 f"loss ({int(h['n_waves'])} waves with at least {PANEL_MIN_WAVE_POSTINGS} "
                 f"postings, {int(h['n_provinces'])} provinces); offset children of the wave. "
                 f"Top: province and wave fixed effects (each province compared with itself "
                 f"over time), Poisson, negative binomial and OLS of the log rate, errors "
                 f"clustered by province; middle: wave effects only; bottom: the period split, "
                 f"one negative binomial cross-section per wave adjusted for urban share and "
                 f"schooling 2010. 95 % CIs; amber: range of the refits leaving out one "
                 f"province (not a CI). Ringed: the headline "
                 f"({DESIGN_LABELS[PANEL_HEADLINE[0]][0].split(': ')[1]}, "
                 f"{KIND_LABELS[PANEL_HEADLINE[1]][0]}), declared in code before the fit. {MODEL_CAVEAT}"),
        source=PANEL_SOURCE)


# --- (b) the specification-curve permutation test ------------------------------------------


def permutation_figure(hist: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Null distributions of :func:`analysis.topics.model_inference.views.
    permutation_histogram` (rows: statistic; columns: family of specifications), the observed
    count as a red line and the null 95th percentile dashed, the permutation p written in."""
    stats_ = list(PERMUTATION_STATISTICS)
    fams = list(PERMUTATION_FAMILIES)
    fig, axes = plt.subplots(len(stats_), len(fams), figsize=(12, 6.5), squeeze=False)
    for i, st in enumerate(stats_):
        for j, fam in enumerate(fams):
            ax = axes[i][j]
            d = hist[(hist["family"] == fam) & (hist["statistic"] == st)]
            ax.bar(d["bin_low"], d["permutations_count"], width=HISTOGRAM_BIN, align="edge",
                   color=GREY, edgecolor="white", lw=0.5)
            r = d.iloc[0]
            ax.axvline(r["observed_count"], color=RED, lw=2)
            ax.axvline(r["null_q95_count"], color="#555555", lw=1, ls="--")
            ax.text(0.97, 0.95, label(f"observed {int(r['observed_count'])} of "
                                      f"{int(r['specifications'])}\np = {r['permutation_p']:.2f}",
                                      f"观测 {int(r['observed_count'])}/"
                                      f"{int(r['specifications'])}\np = "
                                      f"{r['permutation_p']:.2f}"),
                    transform=ax.transAxes, ha="right", va="top", fontsize=8, color=RED,
                    bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85})
            ax.set_xlim(0, max(d["bin_high"].max(), r["observed_count"] + HISTOGRAM_BIN))
            if i == 0:
                ax.set_title(label(*FAMILY_LABELS[fam]), fontsize=10)
            if j == 0:
                ax.set_ylabel(label(f"permutations\n({label(*STATISTIC_LABELS[st])})",
                                    f"置换次数\n（{label(*STATISTIC_LABELS[st])}）"), fontsize=8)
            ax.set_xlabel(label("specifications counted", "计数的设定数"), fontsize=8)
    handles = [Line2D([], [], color=RED, lw=2), Line2D([], [], color="#555555", lw=1, ls="--")]
    fig.legend(handles, [label("observed", "观测值"),
                         label("95th percentile under permutation", "置换分布第95百分位")],
               loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.suptitle(label("Specification curve against exposures permuted across provinces",
                       "设定曲线与跨省置换的暴露"))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig, hist


def permutation_text(hist: pd.DataFrame) -> FigureText:
    """Title (the finding, computed from ``hist``), caption and source of
    :func:`permutation_figure`."""
    r = hist[(hist["family"] == "all") & (hist["statistic"] == "significant")].iloc[0]
    obs, n, mean, p = (int(r["observed_count"]), int(r["specifications"]),
                       r["null_mean_count"], r["permutation_p"])
    title = (f"{obs} of {n} specifications reach p ≤ {ALPHA}, against {mean:.0f} on average "
             f"with the exposures permuted across provinces (permutation p = {p:.2f})")
    return FigureText(
        title=label(title, f"{n}个设定中{obs}个p ≤ {ALPHA}，跨省置换暴露后平均{mean:.0f}个"
                           f"（置换p = {p:.2f}）"),
        caption=(f"Number of specifications of the pooled specification curve whose main "
                 f"exposure has p ≤ {ALPHA} (top) and p ≤ {ALPHA} with a ratio above 1 (bottom), "
                 f"for all specifications and each side, under {int(r['permutations'])} "
                 f"permutations of the exposure columns across the 31 provinces (the same "
                 f"permutation for every specification, so their correlation is kept; every "
                 f"specification refitted), in bins of {HISTOGRAM_BIN}. Red: the observed "
                 f"number; dashed: the 95th percentile of the permutations; p = (1 + "
                 f"permutations at least as large) ÷ (1 + permutations). {MODEL_CAVEAT}"),
        source=PERMUTATION_SOURCE)


# --- (c) P(found | lost) ----------------------------------------------------------------------


def reunion_figure(view: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """P(found province | lost province) of :func:`analysis.topics.model_inference.views.
    reunion_view`: one panel per lost province, one row per published cell (found province,
    or the pooled cell), share with its 95 % bootstrap interval; the province where lost in
    blue, the pooled cell grey."""
    lost = list(dict.fromkeys(view["lost_adcode"]))
    ncol = 3
    nrow = int(np.ceil(len(lost) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(12, 3.6 * nrow), squeeze=False)
    xmax = float(view["share_ci_high"].max()) * 1.05
    for k, a in enumerate(lost):
        ax = axes[k // ncol][k % ncol]
        d = view[view["lost_adcode"] == a]
        y = np.arange(len(d))[::-1]
        colour = np.where(d["same_province"].to_numpy(bool), BLUE,
                          np.where(d["found_group"].to_numpy() == POOLED, GREY, "#333333"))
        for yi, s, lo_, hi_, c in zip(y, d["share"], d["share_ci_low"], d["share_ci_high"],
                                      colour, strict=True):
            ax.plot([lo_, hi_], [yi, yi], color=c, lw=1.4)
            ax.plot([s], [yi], "o", color=c, ms=4)
        ax.set_yticks(y, d["found_province"].tolist())
        ax.tick_params(axis="y", length=0, labelsize=7)
        ax.set_xlim(0, xmax)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        r = d.iloc[0]
        ax.set_title(label(f"Lost in {r['lost_province']} ({int(r['lost_total'])} reunions)",
                           f"走失于{r['lost_province']}（{int(r['lost_total'])}例团圆）"),
                     fontsize=9)
        ax.set_xlabel(label("P(found here | lost there), 95 % bootstrap interval",
                            "P（在此找到｜在该地走失），95%自助区间"), fontsize=7)
    for k in range(len(lost), nrow * ncol):
        axes[k // ncol][k % ncol].set_visible(False)
    handles = [Line2D([], [], color=c, marker="o", lw=1.4, ms=4) for c in (BLUE, "#333333", GREY)]
    fig.legend(handles, [label("found in the province where lost", "在走失省份找到"),
                         label("found in another province", "在其他省份找到"),
                         label(f"other provinces, cells under {MIN_CELL} pooled",
                               f"其他省份，不足{MIN_CELL}例合并")],
               loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle(label("Where reunited children were found, by province where they went missing",
                       "团圆儿童的找到地，按走失省份"))
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig, view


def reunion_text(view: pd.DataFrame, reunions: pd.DataFrame) -> FigureText:
    """Title (the finding, computed from ``view``), caption and source of
    :func:`reunion_figure`; ``reunions`` is the whole published table (for the totals)."""
    prov = view[view["found_group"] == "province"]
    tops = prov.sort_values("share", ascending=False).groupby("lost_adcode", sort=False).head(1)
    n_lost = view["lost_adcode"].nunique()
    k_other = int((~tops["same_province"].astype(bool)).sum())
    big = prov[~prov["same_province"].astype(bool)].sort_values("share", ascending=False).iloc[0]
    title = (f"For {k_other} of the {n_lost} provinces with the most reunions, children were "
             f"most often found in another province (largest: lost in {big['lost_province']}, "
             f"found in {big['found_province']}, {big['share']:.0%})")
    total = int(reunions.groupby("lost_adcode")["lost_total"].first().sum())
    return FigureText(
        title=label(title, f"团圆最多的{n_lost}个走失省份中，{k_other}个的孩子最常在外省找到"
                           f"（最大：{big['lost_province']}→{big['found_province']}，"
                           f"{big['share']:.0%}）"),
        caption=(f"Share of the reunions of children who went missing in each of the {n_lost} "
                 f"provinces with the most reunions that were found in each province "
                 f"(P(found | lost)), with 95 % percentile bootstrap intervals "
                 f"({BOOTSTRAP_REPLICATES:,} replicates resampling all {total:,} reunions with "
                 f"both provinces known); cells of fewer than {MIN_CELL} reunions are pooled per "
                 f"lost province (grey), as published in reunion_found_given_lost. Reunions "
                 f"posted on {PLATFORM} (2021 scrape): postings, {NOT_ABDUCTIONS}, and only "
                 f"the children found and reported there. {DESTINATIONS}."),
        source=REUNION_SOURCE)


__all__ = ["PANEL_SOURCE", "PERMUTATION_SOURCE", "REUNION_SOURCE", "YEAREND_DATA",
           "panel_figure", "panel_text", "permutation_figure", "permutation_text",
           "reunion_figure", "reunion_text"]
