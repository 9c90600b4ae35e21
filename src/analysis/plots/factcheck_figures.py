"""The figures of notebook 05 (fact-check): the quoted abduction estimates beside the platform's
postings per year, the verdicts per article, and the county associations that bear on claims
C06 and C13.

Builders return ``(figure, chart_data)``; the ``*_text`` functions give the title, caption and
source line (:class:`analysis.plots.save.FigureText`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from analysis.plots.save import FigureText
from analysis.plots.style import AMBER, BLUE, GREEN, GREY, RED, label
from analysis.topics.cases import views as casebook
from analysis.topics.factcheck import evaluators as ev
from analysis.topics.factcheck.evaluators import VERDICTS
from analysis.vocab.factcheck import READINGS_ZH
from analysis.vocab.wording import (
    CASE_DATA,
    COUNTY_CENSUS_DATA,
    COUNTY_MODEL_ANALYSIS,
    COUNTY_MODEL_CAVEAT,
    source_line,
)

#: Bar colour of each kind of row of :func:`analysis.topics.factcheck.evaluators.estimates_vs_postings`.
ESTIMATE_COLOURS = {"quoted estimate": GREY, "platform postings": RED}
#: Colour of each verdict (:data:`analysis.topics.factcheck.evaluators.VERDICTS`, in order).
VERDICT_COLOURS = dict(zip(VERDICTS, [GREEN, AMBER, RED, GREY], strict=True))
ESTIMATES_TITLE = ("Quoted abduction estimates and platform postings per year",
                   "报道引用的拐卖估计与平台每年帖子数")
VERDICTS_TITLE = ("Verdicts on the quantitative claims, by article", "各文章量化论断的核查结论")


def estimates_figure(est: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Horizontal bars (log scale) of children per year: each quoted estimate and the platform's
    postings (:func:`analysis.topics.factcheck.evaluators.estimates_vs_postings`), each bar labelled."""
    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.barh(est["label"], est["children_per_year"], color=est["kind"].map(ESTIMATE_COLOURS))
    ax.set_xscale("log")
    ax.set_xlabel(label("children per year (log scale)", "每年儿童人数（对数刻度）"))
    ax.set_title(label(*ESTIMATES_TITLE))
    for y, v in enumerate(est["children_per_year"]):
        ax.annotate(f"{v:,.0f}", (v, y), xytext=(4, 0), textcoords="offset points", va="center",
                    fontsize=8)
    return fig, est


def estimates_text() -> FigureText:
    """Title, caption and source of :func:`estimates_figure`."""
    return FigureText(
        title=label(*ESTIMATES_TITLE),
        caption=("Annual numbers of abducted children quoted in the reporting (claims C01–C03) "
                 f"beside the family postings per year on Baby Come Home. {casebook.CAVEAT}; "
                 "postings include children lost, given away and abandoned, so they bound "
                 "nothing about abductions from above."),
        source="Sources: Hellmann (2015); essay on 'Living with Dead Hearts'; "
               + casebook.SOURCE_LINE)


def verdicts_figure(fc: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Stacked bars of the verdicts per article (``fact_check``). The chart data are the counts
    in long form: ``article, verdict, claims_count``."""
    by = fc.groupby(["article", "verdict"]).size().unstack(fill_value=0).reindex(
        columns=list(VERDICTS), fill_value=0)
    fig, ax = plt.subplots(figsize=(8, 2.8))
    left = pd.Series(0, index=by.index)
    for verdict in VERDICTS:
        ax.barh(by.index, by[verdict], left=left, color=VERDICT_COLOURS[verdict], label=verdict)
        left = left + by[verdict]
    ax.set_xlabel(label("claims", "论断数"))
    ax.set_title(label(*VERDICTS_TITLE))
    ax.legend(fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.3))
    return fig, by.reset_index().melt(id_vars="article", var_name="verdict",
                                      value_name="claims_count")


def verdicts_text() -> FigureText:
    """Title, caption and source of :func:`verdicts_figure`."""
    return FigureText(
        title=label(*VERDICTS_TITLE),
        caption=("Each quantitative claim of Hellmann (2015) and the 'Living with Dead Hearts' "
                 "essay, checked against census, migration and Baby Come Home tables; see "
                 "fact_check.csv for the evidence behind each verdict."),
        source="Source: Lost Generation fact-check (data/processed/fact_check.csv).")


#: Colour of each county reading (:func:`analysis.topics.factcheck.evaluators.ecological_reading`).
READING_COLOURS = {ev.CONSISTENT: GREEN, ev.NOT_CONSISTENT: RED, ev.NO_ASSOCIATION: GREY,
                   ev.NO_PREDICTION: BLUE}
COUNTY_TITLE = ("County associations that bear on claims C06 and C13",
                "与论断C06和C13相关的县级关联")
#: Columns of the chart data of :func:`county_evidence_figure`.
COUNTY_COLUMNS = ["row", "claim_id", "term_label", "side", "fit_label", "irr", "ci_low",
                  "ci_high", "n_units", "predicted", "reading"]


def county_evidence_figure(county: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Forest plot of the county incidence-rate ratios per SD that bear on a claim
    (:func:`analysis.topics.factcheck.evaluators.county_evidence`), one row each, coloured by
    how it bears on the claim (its reading), with the side of 1 the claim predicts marked.

    The chart data are the rows drawn (``COUNTY_COLUMNS``): ``row`` (the label), the claim,
    exposure, side and fit, the ratio with its 95 % interval, county units, prediction and
    reading. Rows without an estimate are labelled and drawn without a point.
    """
    data = county.copy()
    data["row"] = [f"{c} · {t.lower()} · {s.split(',')[0]} · {f.split(' (')[0]}"
                   for c, t, s, f in zip(data["claim_id"], data["term_label"], data["side"],
                                         data["fit_label"], strict=True)]
    data = data[COUNTY_COLUMNS]
    fig, ax = plt.subplots(figsize=(10, 2.0 + 0.75 * len(data)))
    y = np.arange(len(data))[::-1]
    for reading, colour in READING_COLOURS.items():
        m = (data["reading"] == reading).to_numpy() & np.isfinite(data["irr"].to_numpy(float))
        if m.any():
            irr = data["irr"].to_numpy(float)[m]
            ax.errorbar(irr, y[m], xerr=[irr - data["ci_low"].to_numpy(float)[m],
                                         data["ci_high"].to_numpy(float)[m] - irr],
                        fmt="o", color=colour, ms=6, lw=1.6, capsize=3,
                        label=label(reading, READINGS_ZH[reading]))
    for yi, predicted in zip(y, data["predicted"], strict=True):
        if predicted:
            zh = "论断预测大于1" if predicted == "above" else "论断预测小于1"
            ax.annotate(label(f"claim predicts {predicted} 1", zh),
                        (1, yi), xytext=(6 if predicted == "above" else -6, 9),
                        textcoords="offset points", fontsize=7, color="#555555",
                        ha="left" if predicted == "above" else "right")
    ax.axvline(1, color="#555555", lw=0.8, ls="--")
    ax.set_xscale("log")
    finite = data[["ci_low", "ci_high"]].to_numpy(float)
    finite = finite[np.isfinite(finite)]
    lo, hi = (min(finite.min(), 0.9), max(finite.max(), 1.1)) if finite.size else (0.8, 1.25)
    ax.set_xlim(lo / 1.05, hi * 1.05)
    ticks = [t for t in (0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2) if lo / 1.05 <= t <= hi * 1.05]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.set_yticks(y)
    ax.set_yticklabels(data["row"], fontsize=8)
    ax.set_ylim(-0.7, len(data) - 0.3)
    ax.set_xlabel(label("Ratio of postings per child, per SD of the exposure (log scale, 95 % CI)",
                        "每个标准差暴露对应的每名儿童帖子数之比（对数刻度，95%置信区间）"), fontsize=8)
    ax.set_title(label(*COUNTY_TITLE))
    fig.legend(*ax.get_legend_handles_labels(), fontsize=8, loc="lower center", ncols=2)
    fig.tight_layout(rect=(0, 0.1 + 0.3 / len(data), 1, 1))
    return fig, data


def county_evidence_text(county: pd.DataFrame) -> FigureText:
    """Title, caption and source of :func:`county_evidence_figure`."""
    n = county["n_units"].dropna().astype(int)
    units = (f"{n.min():,}–{n.max():,} county units" if n.min() != n.max()
             else f"{n.min():,} county units") if len(n) else "no county fit"
    return FigureText(
        title=label(*COUNTY_TITLE),
        caption=("Incidence-rate ratios of postings per child aged 0–14 per SD of the county "
                 "out-migration share 2010 (claim C06: left-behind children at the highest "
                 "risk predicts a ratio above 1 where children go missing) and of the sex ratio "
                 "of children aged 0–4 2010 (claim C13: demand for boys predicts a ratio above 1 "
                 "where children are found); negative binomial models within provinces, "
                 f"{units}, 95 % CIs from errors clustered by prefecture. An ecological "
                 "reading, never a test of which children are at risk: both claims stay "
                 "'cannot be tested with public data' (the testability rule). "
                 + COUNTY_MODEL_CAVEAT),
        source=source_line(CASE_DATA, COUNTY_CENSUS_DATA, analysis=COUNTY_MODEL_ANALYSIS))
