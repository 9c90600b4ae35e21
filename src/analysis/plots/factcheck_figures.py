"""The figures of notebook 05 (fact-check): the quoted abduction estimates beside the platform's
postings per year, and the verdicts per article.

Builders return ``(figure, chart_data)``; the ``*_text`` functions give the title, caption and
source line (:class:`analysis.plots.save.FigureText`).
"""

from __future__ import annotations

import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from analysis.plots.save import FigureText
from analysis.plots.style import AMBER, GREEN, GREY, RED, label
from analysis.topics.cases import views as casebook
from analysis.topics.factcheck.evaluators import VERDICTS

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
