"""The figures of notebook 02 (case records): postings by year of going missing, the type of
loss recorded, and the sex of the children, per scrape.

Builders take the frames of :mod:`analysis.topics.cases.views` and return ``(figure, chart_data)``; the
``*_text`` functions give the title, caption and source line
(:class:`analysis.plots.save.FigureText`). Every caption starts with the caveat that these are
postings, not verified abductions (:data:`analysis.topics.cases.views.CAVEAT`).
"""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from analysis.plots.save import FigureText
from analysis.plots.style import BLUE, RED, label
from analysis.topics.cases import views as casebook

#: Bar colours of the sexes.
SEX_COLOURS = {"male": BLUE, "female": RED}
COVERAGE_TITLE = ("Case postings by year the child went missing, by scrape",
                  "按失踪年份统计的寻亲帖子（按抓取来源）")
CATEGORY_TITLE = ("Type of loss recorded in each scrape", "各来源记录的走失类型")


def coverage_figure(coverage: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """One line per scrape: postings per year the child went missing
    (:func:`analysis.topics.cases.views.coverage_by_year`)."""
    fig, ax = plt.subplots(figsize=(9, 4.5))
    for source_label, g in coverage.groupby("source_label", sort=True):
        ax.plot(g["missing_year"], g["postings_count"], label=source_label, linewidth=1.6)
    ax.set_xlabel(label("year the child went missing", "失踪年份"))
    ax.set_ylabel(label("postings per year", "每年帖子数"))
    ax.set_title(label(*COVERAGE_TITLE))
    ax.legend(fontsize=8)
    return fig, coverage


def coverage_text() -> FigureText:
    """Title, caption and source of :func:`coverage_figure`."""
    return FigureText(
        title=label(*COVERAGE_TITLE),
        caption=(f"{casebook.CAVEAT}. Each line is one third-party scrape of the platform; they "
                 "cover different eras and sides and cannot be added together. Reunion pairs "
                 "have no dates."),
        source=casebook.SOURCE_LINE)


def category_figure(category: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Stacked bars of the share of each type of loss per scrape
    (:func:`analysis.topics.cases.views.shares` by ``category``), seaborn's Set2 colours."""
    pivot = category.pivot(index="source_label", columns="category", values="share").fillna(0)
    fig, ax = plt.subplots(figsize=(9, 3.8))
    left = None
    colours = dict(zip(pivot.columns, sns.color_palette("Set2", len(pivot.columns)), strict=True))
    for col in pivot.columns:
        ax.barh(pivot.index, pivot[col], left=left, label=col, color=colours[col])
        left = pivot[col] if left is None else left + pivot[col]
    ax.set_xlabel(label("share of postings", "占帖子比例"))
    ax.set_title(label(*CATEGORY_TITLE))
    ax.legend(fontsize=8, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.2))
    return fig, category


def category_text() -> FigureText:
    """Title, caption and source of :func:`category_figure`."""
    return FigureText(
        title=label(*CATEGORY_TITLE),
        caption=(f"{casebook.CAVEAT}. Category from the platform's label, else a title marker, "
                 "else unknown; most scrapes did not keep it."),
        source=casebook.SOURCE_LINE)


def boys_share(sex: pd.DataFrame) -> pd.Series:
    """Share of boys among the postings of known sex, by source label
    (``sex``: :func:`analysis.topics.cases.views.shares` by ``sex``)."""
    known = sex[sex["sex"] != "unknown"]
    return known[known["sex"] == "male"].set_index("source_label")["share"]


def sex_figure(sex: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Bars of the share of boys and girls per scrape (known sex only); the chart data are
    ``sex`` (unknown included)."""
    known = sex[sex["sex"] != "unknown"]
    fig, ax = plt.subplots(figsize=(8, 3.5))
    sns.barplot(data=known, y="source_label", x="share", hue="sex", ax=ax, palette=SEX_COLOURS)
    ax.set_xlabel(label("share of postings", "占帖子比例"))
    ax.set_ylabel("")
    ax.set_title(label("Sex of the children in the postings", "帖子中儿童的性别"))
    return fig, sex


def sex_text(sex: pd.DataFrame) -> FigureText:
    """Title, caption and source of :func:`sex_figure`: the caption cites the share of boys
    among families searching (2021) and adults searching (2016)."""
    boys = boys_share(sex)
    families = boys[casebook.SOURCE_LABELS["uiuing_missing"]]
    adults = boys[casebook.SOURCE_LABELS["wtt1002_data"]]
    return FigureText(
        title=label("Sex of the children in the postings, by scrape", "帖子中儿童的性别（按来源）"),
        caption=(f"{casebook.CAVEAT}. Boys are {families:.0%} of the children families search "
                 f"for (2021 scrape) but {adults:.0%} of the adults searching for their birth "
                 "family (2016 scrape); the type of loss is rarely recorded."),
        source=casebook.SOURCE_LINE)
