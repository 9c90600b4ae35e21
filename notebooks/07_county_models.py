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
# # 07 — Out-migration, son preference and postings across counties, within provinces
#
# > **The outcome is postings on a volunteer missing-child platform (Baby Come Home), not
# > verified abductions and not incidence; the design compares county units, not children.**
# > Province fixed effects absorb whatever differs between provinces as a whole (including how
# > widely the platform is used there), but not platform coverage that varies within a
# > province. An association between a county's out-migration and its postings says nothing
# > about whether any left-behind child is at greater risk.
#
# The province models (notebook 04) compare 31 units that differ in everything at once. Here
# the same question is asked of county units (the harmonised 2010–2020 units of the county
# census), **within provinces**: do counties that send more people away, or have more boys
# than girls among young children, have more postings per child than other counties of the
# same province? Both exposures are in the same model. Every model was fitted by `make data`
# (code in `src/analysis/topics/county_models/`, statistics in `analysis.stats.count_models`);
# this notebook only reads the tables.

# %%
from analysis import tables
from analysis.plots import county_model_figures as cmf
from analysis.plots import hotspot_maps as hm
from analysis.plots import prefecture_maps as pm
from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.site.prose import say
from analysis.topics.county_models import views as cv
from analysis.vocab import county_exposures as vocab
from analysis.vocab import wording

use_house_style()
exposures, check, estimates, fits, sensitivity, added, residuals, rates = (
    tables.read(n) for n in ("county_exposures", "county_left_behind_check",
                             "county_model_estimates", "county_model_fit",
                             "county_model_sensitivity", "county_model_added_variable",
                             "county_model_residuals", "case_rates"))
say(wording.COUNTY_MODEL_CAVEAT)
say(cv.placement_sentence(estimates, rates))

# %% [markdown]
# ## 1. Exposures, by name and formula
#
# Each exposure is a ratio of census counts summed over the leaves of a harmonised county unit
# (the data dictionary states the same formulas). The **out-migration share** compares the
# registered (hukou) population with the people actually living there in 2010: the closest
# public county measure to "migrant-worker share" at the origin, though it counts every
# absent person, workers or not, and is negative where more people live than are registered.
# The **in-migrant share** is the destination side. The **child sex ratio** of children aged
# 0–4 is the son-preference covariate of the court-verdict studies.

# %%
vocab_table = cv.exposure_vocabulary(vocab.COUNTY_EXPOSURES)
vocab_table

# %%
say(cv.exposure_coverage(exposures))

# %% [markdown]
# **Left-behind proxy.** No county count of left-behind children exists. The proxy, children
# aged 0–14 per adult aged 20–49, is high where parents of prime age are away while children
# stay, but also where fertility is high. Aggregated to provinces, it is ranked against the
# few provincial figures the All-China Women's Federation and the Ministry of Civil Affairs
# published (definitions never pooled):

# %%
say(cv.left_behind_sentence(check))
check

# %% [markdown]
# ## 2. The county models, uncertainty first
#
# Negative binomial (NB2) counts of postings per county unit, offset log(children aged 0–14,
# 2010 census), errors clustered by prefecture. Families' postings are placed where the child
# went missing (lost side); reunions where the child was found (found side). Ratios are per
# standard deviation of each exposure across the counties of the fit. The headline
# specification was declared in code (`county_models.schema.HEADLINE`) before any fit.

# %%
say(cv.headline_sentence(estimates))
say(cv.fe_contrast_sentence(estimates))
cv.estimates_table(estimates)

# %%
coef = cv.exposure_estimates(estimates)
fig, data = cmf.coefficient_figure(coef)
files = save_figure(fig, "07_county_coefficients", data=data, **cmf.coefficient_text(coef))

# %% [markdown]
# ## 3. How much the estimates depend on the model
#
# Most counties have no posting at all, so the negative binomial is checked against a Poisson
# model (same design and clustered errors) and a zero-inflated negative binomial, refitted on
# the sending counties only (more registered than resident residents: the exposure is an origin
# measure, and big destination districts have large negative values), and refitted leaving out
# one province at a time.

# %%
summary = cv.sensitivity_summary(estimates, sensitivity)
say(cv.sensitivity_sentence(summary, fits))
say(cv.zero_inflation_sentence(sensitivity, fits))

# %%
fig, data = cmf.sensitivity_figure(summary)
files = save_figure(fig, "07_county_sensitivity", data=data, **cmf.sensitivity_text())

# %% [markdown]
# ## 4. Within provinces: added-variable plots
#
# Each panel shows one exposure against postings per child after the other exposure, the
# controls and the province effects are partialled out, with the model's weights; counties
# are grouped into bins of equal weight so that the thousands of zeros do not hide the trend.
# The line's slope is the model's coefficient.

# %%
fig, data = cmf.added_variable_figure(added)
files = save_figure(fig, "07_county_added_variable", data=data, **cmf.added_variable_text())

# %% [markdown]
# ## 5. Spatial dependence of the residuals, at prefecture scale
#
# The county census carries no polygons, so the test runs one level up: the Pearson residuals
# of each fit are averaged per prefecture (`county_model_residuals`) and their Moran's I is
# computed on queen contiguity of the prefecture polygons (`boundaries_prefecture`, islands
# joined to their nearest units as in the prefecture atlas). The p-value is two-sided (no
# direction was expected) from seeded permutations of the prefecture means; residuals share
# the fitted coefficients, so the permutation null is an approximation. Province fixed effects
# centre the residuals within each province, which can make neighbours across a province
# border look *dissimilar* (negative I).

# %%
say(cv.residual_moran_sentence(fits))
say(cv.residual_sentence(residuals))

# %%
for b in pm.BASEMAPS:
    fig, data = cmf.residual_map(hm.drawing_boundaries(b), pm.drawing_prefectures(b), residuals)
    save_figure(fig, f"07_county_residuals_{b}", data=data,
                **cmf.residual_map_text(hm.drawing_boundaries(b), fits))

# %% [markdown]
# ## What this can and cannot say
#
# * The models compare counties **within** provinces; they say nothing about individual
#   children, and postings depend on who uses the platform.
# * The out-migration share counts every absent registered resident (workers, students,
#   family members), and the 2010 figures are set against postings spanning two decades.
# * The specifications shown are all that were fitted; they share their data, so the count of
#   intervals that exclude 1 is not a count of independent findings.
# * Residual spatial dependence is **tested between prefectures** (section 5), not between
#   neighbouring counties of one prefecture; the errors clustered by prefecture cover
#   dependence inside a prefecture, and the Moran test's permutation null is approximate for
#   model residuals. Where the pooled models leave clustered residuals, the province-FE
#   estimates are the ones to read.
