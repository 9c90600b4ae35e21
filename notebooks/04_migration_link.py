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
# # 04 — Migration and missing children: what 31 provinces can and cannot say
#
# > **The outcome is postings on a volunteer missing-child platform (Baby Come Home), not
# > verified abductions and not incidence; the design compares provinces, not children.** An
# > association between a province's out-migration and its postings says nothing about whether
# > any left-behind child is at greater risk (the ecological fallacy), and the province where a
# > child went missing is not necessarily the family's hukou province.
#
# The reporting's central claim is that the hukou system makes migrant workers leave their
# children behind, and that left-behind children are the ones most at risk. The most this
# project's public data can test is a weaker, province-level version: **do provinces that send
# more migrants have more missing-child postings per child?** And, on the other side, do
# provinces that receive migrants have more children found or adults searching?
#
# Every model was fitted by `make data` (code in `src/analysis/topics/models/`); this notebook only
# reads the model tables. Every specification is reported; none was chosen by its p-value. The
# **primary province result**, the period-matched panel with province fixed effects, is in
# notebook 08; the pooled models here are exploratory.

# %%
from analysis import tables
from analysis.plots import model_figures as mf
from analysis.plots import model_findings as find
from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.site.prose import say
from analysis.topics.models import views as mv

use_house_style()
exposures, coefficients, fits, loo, curve, added = (tables.read(n) for n in (
    "province_exposures", "model_coefficients", "model_fit", "model_loo",
    "model_specification_curve", "model_added_variable"))

# %% [markdown]
# ## 1. Exposures: which measures, which periods
#
# One main exposure per model, never two migration measures together:
#
# * **missing side** (where children went missing, `lost_*` measures): the province's
#   **out-migration rate** — people who lived there at the start of a five-year period and in
#   another province at its end, per 1,000 — from the census and 1 % survey origin–destination
#   tables, for the period that matches the years of the outcome where the postings are dated;
#   as alternatives, the 2010 and 2020 shares of residents whose hukou is in another province;
# * **found / current side** (where reunited children were found, where adults searching live
#   now): the **in-migration rate** of the matching period, and the same hukou shares;
# * **covariates** ("adjusted" models): urban share 2010 and mean years of schooling 2010; the
#   found/current side adds the 2020 sex ratio (demand for boys is a claim of the reporting);
# * **offset**: log of the children aged 0–14 (2020 census; a 2010 estimate as a variant), so
#   coefficients are ratios of postings **per child**.
#
# Ratios are given **per standard deviation** of the exposure across the 31 provinces, so that
# exposures with different units can be compared.

# %%
matching = find.period_matching(mv.outcome_exposure_periods())
say(matching.markdown())
matching.table

# %%
exposure = find.headline_exposure(mv.exposure_summary(exposures))
say(exposure.markdown())
exposure.table

# %% [markdown]
# **Left-behind children.** No complete provincial table of left-behind children is public. The
# exposure table keeps the few provincial figures that exist, one column per definition and
# source, **never pooled** (the All-China Women's Federation counts rural children aged 0–17
# with one or both parents away; the Ministry of Civil Affairs roster counts rural children
# under 16 with both parents away — different definitions and years). They are **partial** and
# are not used as a regressor.

# %%
left_behind = find.left_behind(exposures)
say(left_behind.markdown())
left_behind.table

# %% [markdown]
# ## 2. The headline specification (fixed in advance)
#
# Fixed before any result was seen: a **negative binomial** (NB2) model of the families' postings
# of children missing since 1999 (the 2021 scrape, the only dated families' source that
# overlaps the migration tables) by the province where the child went missing, against
# out-migration 2005–2010, adjusted for urban share and schooling, with log(children 0–14) as
# offset. The found / current side is answered by the same model against in-migration.

# %%
head = mv.headline(coefficients, fits)
say(find.headline_markdown(head))
by_outcome = mv.irr_by_outcome(coefficients, fits)
say(find.same_model_markdown(by_outcome))
by_outcome.drop(columns=["specification", "exposure_column"])

# %%
fig, data = mf.irr_by_outcome_figure(by_outcome)
files = save_figure(fig, "04_irr_by_outcome", data=data, **mf.irr_by_outcome_text(by_outcome))

# %% [markdown]
# ## 3. Residual spatial autocorrelation, and what spatial models change
#
# Neighbouring provinces resemble each other; if the model leaves that pattern in its residuals,
# its standard errors are too small. Moran's I of the residuals (queen contiguity, Hainan joined
# to its nearest provinces; permutation p-values) is in `model_fit`. Where it is significant, the
# same specification is refitted on log rates by OLS, a spatial lag and a spatial error model
# (PySAL spreg, maximum likelihood).

# %%
residual = find.residual_moran(fits, head)
say(residual.markdown())
residual.table

# %%
spatial = mv.spatial_comparison(coefficients, fits)
say(find.spatial_vs_ols(spatial).markdown())
spatial.drop(columns="specification")

# %%
fig, data = mf.spatial_models_figure(spatial)
files = save_figure(fig, "04_spatial_models", data=data, **mf.spatial_models_text())

# %% [markdown]
# ## 4. Robustness
#
# ### Leave one province out
#
# With 31 provinces a single one can make a result. Each core count model of a main exposure
# was refitted 31 times, each time without one province (`model_loo`).

# %%
refits = find.loo_refits(loo)
say(refits.markdown())
refits.summary.drop(columns=["specification", "most_influential_adcode"])

# %%
for key, spec in find.DETAIL_SPECS.items():
    fig, data = mf.loo_figure(refits.views[key], key)
    save_figure(fig, f"04_loo_{key}", data=data, **mf.loo_text(spec, key))

# %% [markdown]
# ### Each source separately, other offsets, without the largest provinces, spatial models
#
# The sources are different scrapes of overlapping postings and are never pooled: each is its
# own outcome. For the adjusted negative binomial model of each, the chart shows the ratio per SD
# in the core fit, with the 2010 child population as offset, without the most populous
# provinces, and on log rates by OLS and the two spatial models.

# %%
robust = mv.robustness_by_outcome(coefficients)
robustness = find.robustness(robust, exposures)
say(robustness.markdown())
robust.drop(columns="specification")

# %%
fig, data = mf.robustness_figure(robust)
files = save_figure(fig, "04_robustness_by_outcome", data=data, **mf.robustness_text(robustness.largest))

# %% [markdown]
# ### Period by period
#
# The dated sources are split by the period of loss, each against the out-migration of the
# matching five-year period (before 1990 no O–D table exists: those periods use the earliest,
# flagged as not matched); periods with too few postings are not modelled.

# %%
periods_fit = mv.by_period(coefficients, fits)
say(find.by_period_markdown(periods_fit))
periods_fit.drop(columns="specification")

# %%
fig, data = mf.by_period_figure(periods_fit)
files = save_figure(fig, "04_irr_by_period", data=data, **mf.by_period_text())

# %% [markdown]
# ### Hukou shares: a sign that turns when adjusted
#
# The share of residents with hukou in another province (the migrant stock) is strongly
# correlated with urbanisation and schooling, so its adjusted coefficient is estimated from very
# little independent variation.

# %%
hk = mv.hukou_adjustment(coefficients, fits)
say(find.hukou_markdown(hk, head))
hk

# %% [markdown]
# ## 5. Every specification side by side: the specification curve

# %%
spec_curve = find.spec_curve(curve)
say(spec_curve.markdown())
mv.spec_counts_by(curve, "main_exposure")

# %%
fig, data = mf.spec_curve_figure(mv.spec_curve_view(curve))
files = save_figure(fig, "04_specification_curve", data=data, **mf.spec_curve_text(spec_curve.counts))

# %% [markdown]
# ## 6. Added-variable plots: which provinces carry the association
#
# An added-variable plot shows the association of the main exposure with the outcome after the
# other regressors have been partialled out of both, one point per province. For a count model
# the outcome is the working response of the model's last weighted least-squares step (log rate
# scale) and point area is the step's weight; by the Frisch–Waugh–Lovell theorem the slope of
# the line equals the model's coefficient, checked below.

# %%
avs = {k: find.added_variable_rows(added, spec) for k, spec in find.DETAIL_SPECS.items()}
say(find.slopes_markdown(avs))

# %%
for key, av in avs.items():
    fig, data = mf.added_variable_figure(av)
    save_figure(fig, f"04_added_variable_{key}", data=data, **mf.added_variable_text(av))

# %%
say(find.leverage_markdown(avs))

# %% [markdown]
# ## 7. What this does and does not show
#
# * **Ecological inference.** These are associations between provinces. Even a strong one
#   would not show that left-behind children, or migrants' children, are more likely to go
#   missing: the children posted may come from non-migrant families in the same provinces.
# * **Platform reporting bias.** Postings depend on internet access, awareness of the platform,
#   volunteer activity and what each third-party scraper reached. Provinces that send migrants
#   may also be provinces where families post less (or more); the models cannot separate
#   reporting from occurrence.
# * **Place lost ≠ hukou province.** The outcome is where the child went missing, which for
#   migrant families may be the destination city rather than the home province.
# * **Small n.** With 31 provinces and up to four regressors, intervals are wide, single
#   provinces can move results (section 4), and the hukou shares are too collinear with
#   urbanisation and schooling to separate.
# * **Many specifications.** Reporting one model would hide how much results depend on
#   choices; all are shown, the headline was fixed in advance (multiplicity: notebook 08).

# %%
say(find.closing_markdown(head, spec_curve, residual, refits, matching))
