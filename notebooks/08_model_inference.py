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
# # 08 — Province models: the period panel, honest multiplicity, and where reunited children were found
#
# > **The outcome is postings on a volunteer missing-child platform (Baby Come Home), not
# > verified abductions and not incidence; the design compares provinces and periods, not
# > children.** An association between a province's out-migration and its postings says
# > nothing about whether any left-behind child is at greater risk, and the province where a
# > child went missing is not necessarily the family's hukou province. Reunions are the
# > children found *and* reported on the platform, not all children found.
#
# Notebook 04 compares the 31 provinces once, pooling postings of two decades against one
# migration period; its specification curve counts how many of its specifications exclude 1.
# An independent audit found two problems with that: the pooled estimate averages periods that
# behave differently, and the count treats strongly correlated specifications as independent
# tests. This notebook shows the answer to both, **uncertainty first**:
#
# 1. the **period-matched panel** — postings by period of loss against the out-migration of
#    the same period, with province fixed effects — which is the **primary province result**,
#    its specification declared in code before any fit;
# 2. an **honest multiplicity** check of the specification curve: a permutation test that
#    keeps the correlation between specifications, and Holm / Benjamini–Hochberg within
#    families declared in advance;
# 3. **P(found province | lost province)** for the reunions, with bootstrap intervals.
#
# Every model, permutation and bootstrap was run by `make data` (code in
# `src/analysis/topics/model_inference/`, statistics in `analysis.stats`); this notebook only
# reads the tables.

# %%
from analysis import tables
from analysis.plots import inference_figures as inf
from analysis.plots.save import save_figure
from analysis.plots.style import current_lang, use_house_style
from analysis.site.prose import say
from analysis.topics.model_inference import views as iv
from analysis.vocab import wording

use_house_style()
data, panel, loo, multiplicity, permutation, null, reunions = (tables.read(n) for n in (
    "model_period_panel_data", "model_period_panel", "model_period_panel_loo",
    "model_specification_multiplicity", "model_specification_permutation",
    "model_specification_permutation_null", "reunion_found_given_lost"))
say(wording.MODEL_CAVEAT)

# %% [markdown]
# ## 1. The primary province result: the period-matched panel
#
# **Design, fixed before looking at the outcome.** Each families' posting of the 2021 scrape
# (the only dated source with postings in more than one migration period) is matched to the
# five-year origin–destination wave that covers its year of loss; each province × wave gets
# the postings of those years, the children aged 0–14 of the wave (offset) and the
# out-migration rate of the same wave. The headline — Poisson with **province and wave fixed
# effects**, errors clustered by province — is written in code
# (`model_inference.schema.PANEL_HEADLINE`) before any fit, and the period split (one
# cross-section per wave) is reported beside it as part of the same primary result.
#
# Why these fixed effects: the **province effects** compare each province only with itself
# over time, so everything about a province that does not change between waves — including how
# widely its families use the platform — drops out; the **wave effects** absorb national
# changes, such as the platform's growth. What is left is whether provinces whose
# out-migration rose more than others' also saw their postings per child rise more. Poisson is
# the headline because with fixed effects it stays consistent whatever the variance; the
# negative binomial and OLS of the log rate are shown beside it.

# %%
say(iv.panel_data_sentence(data))
say(iv.headline_sentence(panel))
say(iv.period_split_sentence(panel))
iv.panel_table(panel)

# %%
view = iv.panel_view(panel)
fig, chart = inf.panel_figure(view)
files = save_figure(fig, "08_period_panel", data=chart, **inf.panel_text(view))

# %% [markdown]
# **How to read it.** Each dot is a ratio of postings per child: above 1, more postings where
# (or when) out-migration is one standard deviation higher; below 1, fewer; the bar is its
# confidence interval. The bottom block is what notebook 04's by-period rows show: within a
# single wave, provinces that send more people away may have more postings per child. The top
# block asks the within-province question that the cross-sections cannot: when a province's
# out-migration changes from one wave to the next, do its postings follow? The two can
# disagree because a cross-section of 31 provinces cannot separate migration from everything
# else that differs between them, and who posts online is among those things. The amber bars
# show how far one province moves an estimate (the range over all leave-one-out refits, not a
# confidence interval; every refit is in `model_period_panel_loo`).
#
# **Limits of the panel.** Only a few waves carry enough postings; the children of each wave
# are an estimate (no age structure before 2010 is in the build); the wave effects absorb the
# platform's national growth but not growth that differs by province; and the out-migration
# rate counts all inter-provincial movers aged 5+, not migrant workers.

# %% [markdown]
# ## 2. Honest multiplicity: how many significant specifications would chance give?
#
# The specification curve of notebook 04 fits every reasonable variant (outcome, exposure,
# covariates, likelihood, sample, offset, spatial model). Its variants share data: the same
# provinces, mostly the same postings, exposures that are strongly correlated with each other.
# So the number of intervals that exclude 1 cannot be compared with the share that
# independent tests would give by chance. Two checks replace that comparison:
#
# * **Permutation test.** The exposure columns are shuffled across the 31 provinces (one
#   shuffle for all specifications at once, so their correlation is kept), every specification
#   is refitted, and the number with p at or below the threshold is counted. The observed
#   number is compared with that null distribution.
# * **Adjusted p-values.** Holm (family-wise error) and Benjamini–Hochberg (false discovery
#   rate) within families declared in code before the adjustment
#   (`model_inference.schema.MULTIPLICITY_FAMILY`: outcome × main exposure), and over all
#   specifications; the min-p adjustment uses the same permutations and so allows for the
#   correlation.

# %%
say(iv.permutation_sentence(permutation))

# %%
hist = iv.permutation_histogram(null, permutation)
fig, chart = inf.permutation_figure(hist)
files = save_figure(fig, "08_specification_permutation", data=chart,
                    **inf.permutation_text(hist))

# %%
say(iv.multiplicity_sentence(multiplicity))
iv.multiplicity_counts(multiplicity)

# %% [markdown]
# **What this means.** The adjustments answer different questions and are all shown: Holm and
# min-p ask whether *any* specification is a real association, Benjamini–Hochberg how many
# findings to expect to be false, the permutation test whether the curve as a whole holds more
# significant specifications than shuffled exposures would give. None of them makes the pooled
# specification curve a test of one hypothesis, and none turns a province-level association
# into one about children. The permutation distribution is based on a modest number of
# shuffles (the table records it), so its p-values are coarse; the adjusted p-values of every
# specification are in `model_specification_multiplicity`.

# %% [markdown]
# ## 3. Where reunited children were found: P(found province | lost province)
#
# For each reunion whose posting gives both the province where the child went missing and the
# province where the child was found, the share of the reunions lost in a province that were
# found in each province. A peer project computed these shares without intervals; here each
# share has a percentile bootstrap interval (all reunions resampled at once). Small cells are
# pooled per lost province before resampling (the disclosure rule,
# `model_inference.schema.MIN_CELL`), so a single small flow is never published. The figure
# shows the lost provinces with the most reunions; the table below lists the same rows, and
# `reunion_found_given_lost` holds every lost province.

# %%
say(iv.reunion_sentence(reunions))

# %%
rview = iv.reunion_view(reunions, lang=current_lang())
fig, chart = inf.reunion_figure(rview)
files = save_figure(fig, "08_found_given_lost", data=chart, **inf.reunion_text(rview, reunions))

# %%
iv.reunion_table(rview)

# %% [markdown]
# **Reading the shares.** A share is conditional on a child having been found *and* the
# reunion posted with both provinces: it describes the reunions on the platform, not where
# missing children end up. Children never found, and reunions posted without a place, are not
# in the denominator; the place found is not necessarily where a child was taken to live.
#
# ## What this can and cannot say
#
# * The panel and the cross-sections are **associations between provinces and periods** in
#   platform postings; neither is an effect of migration on any child.
# * The period-matched panel is the primary province result because it was declared before
#   the fit and because its province effects remove what is fixed about each province; it
#   still cannot remove platform use that changed differently across provinces.
# * The pooled specification curve is exploratory; its multiplicity checks are shown in full,
#   and results that survive no adjustment should not be reported as findings.
# * The reunion shares are descriptive, with intervals that reflect sampling of the posted
#   reunions only, not the selection of which reunions were posted.
