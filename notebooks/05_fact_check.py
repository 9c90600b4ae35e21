# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 05 — Fact-check: every quantitative claim in the reporting, against the public record
#
# Two pieces of reporting frame this project: Melissa Hellmann, [*A Lost Generation: The
# Trafficking of China's Left-Behind Children*](https://escholarship.org/uc/item/49m314s1)
# (UC Berkeley Graduate School of Journalism master's project, 2015) and an undated essay
# written around the documentary *Living with Dead Hearts* (its author and address are not
# known to the project, so it cannot be linked). Each of their quantitative claims
# (`data/raw/manual/claims_to_check.csv`) is checked here against our tables and, for context
# only, against published official figures.
#
# Verdicts: **supported**, **partly supported**, **not supported**, or **cannot be tested with
# public data**. The rules are in `analysis.topics.factcheck.evaluators`; the table is
# `data/processed/fact_check.csv`. Case records are **postings on a volunteer platform, not
# verified abductions or incidence**.

# %%
import matplotlib.pyplot as plt
import pandas as pd

from analysis import tables
from analysis.figures import label, save_figure, use_house_style
from analysis.prose import say
from analysis.topics.cases import views as casebook
from analysis.topics.factcheck.evaluators import VERDICTS, estimates_vs_postings

use_house_style()
fc = tables.read("fact_check")


counts = fc["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
say(f"**{len(fc)} claims** checked: " + "; ".join(f"{n} {v}" for v, n in counts.items()) + ".")

# %% [markdown]
# ## The table

# %%
pd.set_option("display.max_colwidth", None)
fc[["claim_id", "article", "claim", "verdict", "evidence", "shown_in"]]

# %% [markdown]
# ## How many children? The estimates and what the platform shows
#
# No public incidence series of child abduction exists in China. The estimates quoted in the
# reporting differ by a factor of twenty; the platform postings are a floor of *reported* cases of
# every kind of loss, not a count of abductions.

# %%
est = estimates_vs_postings(tables.read("case_coverage_by_year"))
lo, hi = est.loc[est["kind"] == "quoted estimate", "children_per_year"].agg(["min", "max"])
posted = est.loc[est["kind"] == "platform postings", "children_per_year"].iloc[0]
say(f"The quoted estimates run from {lo:,.0f} to {hi:,.0f} children a year "
    f"({hi / lo:.0f}-fold); families posted about {posted:,.0f} children a year on the "
    f"platform in the 2021 scrape — {posted / lo:.1%} of the lowest estimate.")
fig, ax = plt.subplots(figsize=(8, 3.6))
colours = est["kind"].map({"quoted estimate": "#7d8c8d", "platform postings": "#c0392b"})
ax.barh(est["label"], est["children_per_year"], color=colours)
ax.set_xscale("log")
ax.set_xlabel(label("children per year (log scale)", "每年儿童人数（对数刻度）"))
ax.set_title(label("Quoted abduction estimates and platform postings per year",
                   "报道引用的拐卖估计与平台每年帖子数"))
for y, v in enumerate(est["children_per_year"]):
    ax.annotate(f"{v:,.0f}", (v, y), xytext=(4, 0), textcoords="offset points", va="center",
                fontsize=8)
save_figure(
    fig, "05_estimates_vs_postings", data=est,
    title=label("Quoted abduction estimates and platform postings per year",
                "报道引用的拐卖估计与平台每年帖子数"),
    caption=("Annual numbers of abducted children quoted in the reporting (claims C01–C03) "
             f"beside the family postings per year on Baby Come Home. {casebook.CAVEAT}; "
             "postings include children lost, given away and abandoned, so they bound nothing "
             "about abductions from above."),
    source=("Sources: Hellmann (2015); essay on 'Living with Dead Hearts'; "
            + casebook.SOURCE_LINE),
)
plt.show()

# %% [markdown]
# ## Verdicts by article

# %%
by = fc.groupby(["article", "verdict"]).size().unstack(fill_value=0).reindex(
    columns=list(VERDICTS), fill_value=0)
fig, ax = plt.subplots(figsize=(8, 2.8))
left = pd.Series(0, index=by.index)
palette = dict(zip(VERDICTS, ["#117a65", "#d68910", "#c0392b", "#7d8c8d"], strict=True))
for verdict in VERDICTS:
    ax.barh(by.index, by[verdict], left=left, color=palette[verdict], label=verdict)
    left = left + by[verdict]
ax.set_xlabel(label("claims", "论断数"))
ax.set_title(label("Verdicts on the quantitative claims, by article", "各文章量化论断的核查结论"))
ax.legend(fontsize=8, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.3))
data = by.reset_index().melt(id_vars="article", var_name="verdict", value_name="claims_count")
save_figure(
    fig, "05_verdicts_by_article", data=data,
    title=label("Verdicts on the quantitative claims, by article", "各文章量化论断的核查结论"),
    caption=("Each quantitative claim of Hellmann (2015) and the 'Living with Dead Hearts' essay, "
             "checked against census, migration and Baby Come Home tables; see fact_check.csv "
             "for the evidence behind each verdict."),
    source="Source: Lost Generation fact-check (data/processed/fact_check.csv).",
)
plt.show()

# %% [markdown]
# ## Reading the verdicts
#
# * A **supported** verdict on a census number says the number is right, not that the story
#   built on it is.
# * Claims about trafficking routes and risk are checked only against *postings* and *reunions*
#   on one volunteer platform; where they agree with the claim, that is consistent evidence, not
#   proof.
# * **Cannot be tested** is not a refutation: it says no public data reached here can test it.
