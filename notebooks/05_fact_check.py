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
# public data**. Each verdict is a *reviewed* value in `data/raw/manual/claims.csv` (hashed like
# every input, with the reviewer and the reason); the code computes the evidence
# (`analysis.topics.factcheck.evaluators`) and checks each verdict against its stated rule
# (`analysis.topics.factcheck.rules`): the build stops when evidence and verdict disagree. The
# table is `data/processed/fact_check.csv`. Case records are **postings on a volunteer
# platform, not verified abductions or incidence**.

# %%
import pandas as pd

from analysis import tables
from analysis.plots import factcheck_figures as ff
from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.site.prose import say
from analysis.topics.factcheck import evaluators as ev
from analysis.topics.factcheck.evaluators import VERDICTS, estimates_vs_postings
from analysis.vocab.factcheck import ARTICLES, TESTABILITY_RULE

use_house_style()
fc = tables.read("fact_check")


counts = fc["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0)
say(f"**{len(fc)} claims** checked: " + "; ".join(f"{n} {v}" for v, n in counts.items()) + ".")
changed = fc[fc["verdict"] != fc["verdict_before_review"]]
say(f"The review of {fc['reviewed_on'].max()} changed {len(changed)} verdicts: "
    + "; ".join(f"{r.claim_id} {r.verdict_before_review} → {r.verdict}"
                for r in changed.itertuples()) + ".")
say("The articles: " + "; ".join(
    f"[{title}]({url})" if url else f"{title} ({note})" for title, url, note in ARTICLES.values())
    + ".")

# %% [markdown]
# ## One rule for "cannot be tested"

# %%
say(TESTABILITY_RULE)

# %% [markdown]
# ## The table

# %%
pd.set_option("display.max_colwidth", None)
fc[["claim_id", "article", "claim", "verdict", "verdict_before_review", "rule_text",
    "verdict_reason", "evidence", "shown_in"]]

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
fig, data = ff.estimates_figure(est)
files = save_figure(fig, "05_estimates_vs_postings", data=data, **ff.estimates_text())

# %% [markdown]
# ## Verdicts by article

# %%
fig, data = ff.verdicts_figure(fc)
files = save_figure(fig, "05_verdicts_by_article", data=data, **ff.verdicts_text())

# %% [markdown]
# ## Below the province: county and prefecture evidence
#
# Three claims now also read results below the province: the corridor of C04 in the prefecture
# atlas of reunions (notebook 06), and the county count models (notebook 07) for C06 (left-behind
# children at the highest risk) and C13 (demand for boys). These associations are ecological
# (places, not children); each is read against the side of 1 the claim predicts. The verdict of
# C04 is decided on the province flows; C06 and C13 cannot be tested under the one rule above,
# so the county results are context.

# %%
by_claim = fc.set_index("claim_id")
atlas = {n: tables.read(n) for n in ("prefecture_case_counts", "prefecture_hotspot_local")}
below = ev.prefecture_corridor(atlas, list(ev.C04_ORIGINS), list(ev.C04_DESTINATIONS))
say(f"**C04** ({by_claim.loc['C04', 'verdict']}):" + below["text"])
county = ev.county_evidence(tables.read("county_model_estimates"),
                            tables.read("county_model_sensitivity"))
for cid, rows in county.groupby("claim_id"):
    say(f"**{cid}** ({by_claim.loc[cid, 'verdict']}): {ev.county_text(rows)}.")
say(ev.proxy_check_text(tables.read("county_left_behind_check")).strip())
fig, data = ff.county_evidence_figure(county)
files = save_figure(fig, "05_county_evidence", data=data, **ff.county_evidence_text(county))

# %% [markdown]
# ## Reading the verdicts
#
# * A **supported** verdict on a census number says the number is right, not that the story
#   built on it is.
# * Claims about trafficking routes and risk are checked only against *postings* and *reunions*
#   on one volunteer platform; where they agree with the claim, that is consistent evidence, not
#   proof.
# * **Cannot be tested** is not a refutation: it says no public data reached here can test it.
