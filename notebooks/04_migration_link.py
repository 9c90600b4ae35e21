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
# Every model was fitted by `make data` (step `derive.models`, code in `src/analysis/models.py`)
# into `data/processed/`: `province_exposures`, `model_coefficients`, `model_fit`, `model_loo`
# and `model_specification_curve`, documented in `data/processed/README.md`. This notebook only
# reads those tables (and refits two models to draw added-variable plots). Every specification
# is reported; none was chosen by its p-value.

# %%
import matplotlib.pyplot as plt
import numpy as np

from analysis import tables
from analysis.figures import current_lang, label, province_names, save_figure, use_house_style
from analysis.prose import ratio_with_ci, say
from analysis.topics.hotspots.build import MEASURE_LABELS
from analysis.topics.models import fit as models
from analysis.topics.models import views as mv
from analysis.topics.models.exposures import LARGEST_N, largest_provinces

use_house_style()
ZH = current_lang() == "zh"
names = province_names()
name_en = province_names("en")

exposures = tables.read("province_exposures")
coefficients = tables.read("model_coefficients")
fits = tables.read("model_fit")
loo = tables.read("model_loo")
curve = tables.read("model_specification_curve")
CAVEAT = mv.CAPTION_CAVEAT
SOURCE = mv.SOURCE


def outcome_label(measure: str) -> str:
    return label(*MEASURE_LABELS[measure])


def short_label(measure: str) -> str:
    return label(*mv.OUTCOME_SHORT[measure])


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
periods = mv.outcome_exposure_periods()
matched = periods[periods["period_matched"]]
say(
    f"Of the {len(periods)} outcome measures, {len(matched)} have a migration period that "
    f"matches their years ({', '.join(matched['outcome_measure'])}); the others are undated "
    f"scrapes or losses before the first origin–destination table "
    f"({periods['exposure_period'].min()}), and are modelled against a default period — "
    "a weaker test, flagged in every table (`exposure_period_matched`)."
)
periods

# %%
summary = mv.exposure_summary(exposures)
sd_out = summary.set_index("column").loc[models.MAIN_SPEC.exposure_column]
say(
    f"The headline exposure, out-migration {models.MAIN_SPEC.od_period[0]}, ranges from "
    f"{sd_out['min']:.0f} to {sd_out['max']:.0f} per 1,000 across the provinces (mean "
    f"{sd_out['mean']:.0f}); one standard deviation is **{sd_out['sd']:.1f} per 1,000**. "
    "The 1995–2000 rates are a rougher expansion on a different basis (see `basis`)."
)
summary

# %% [markdown]
# **Left-behind children.** No complete provincial table of left-behind children is public. The
# exposure table keeps the few provincial figures that exist, one column per definition and
# source, **never pooled** (the All-China Women's Federation counts rural children aged 0–17
# with one or both parents away; the Ministry of Civil Affairs roster counts rural children
# under 16 with both parents away — different definitions and years). They are **partial** and
# are not used as a regressor.

# %%
lb = mv.left_behind_coverage(exposures)
lb["provinces_named"] = [", ".join(name_en[a] for a in adcodes) for adcodes in lb["adcodes"]]
any_lb = int((exposures["left_behind_sources"] != "none").sum())
say(
    f"Only **{any_lb} of {len(exposures)}** provinces have any provincial left-behind figure: "
    + "; ".join(f"{r.column} {r.provinces} ({r.provinces_named})" for r in lb.itertuples())
    + ". Too few, and too unlike each other, to model: the migration rates stand in for them."
)
lb.drop(columns="adcodes")

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
say(
    f"Headline (`{models.MAIN_SPEC.spec_id}`): one standard deviation more out-migration "
    f"({head['regressor_sd']:.1f} per 1,000) goes with postings per child **×"
    f"{ratio_with_ci(head['irr'], head['irr_low'], head['irr_high'])}** (95 % CI; p = "
    f"{head['p_value']:.2f}; n = {head['n']} provinces, {head['postings_total']:,} postings)."
    + (" The interval includes 1: the headline model finds **no clear province-level "
       "association** between out-migration and families' missing-child postings."
       if head["ci_status"] == "includes 1" else
       f" The interval lies {head['ci_status']}: a province-level association.")
)
by_outcome = mv.irr_by_outcome(coefficients, fits)
nb_adj = by_outcome[(by_outcome["model_kind"] == "negbin2")
                    & (by_outcome["covariate_set"] == "adjusted")].set_index("outcome_measure")
lines = [f"* {outcome_label(o)} vs {r.main_exposure.replace('_', '-')} {r.exposure_period}: "
         f"×{ratio_with_ci(r.irr, r.irr_low, r.irr_high)} per SD"
         f"{'' if r.exposure_period_matched else ' (period not matched)'}"
         for o, r in nb_adj.iterrows()]
say("The same model (NB2, adjusted) for every outcome:\n\n" + "\n".join(lines))
by_outcome.drop(columns=["specification", "exposure_column"])

# %%
plot = by_outcome.assign(
    block=[f"{short_label(o)} — {label('vs', '对')} "
           f"{label(*mv.EXPOSURE_LABELS[e]).split(' (')[0].split('（')[0]} {p}"
           for o, e, p in zip(by_outcome["outcome_measure"], by_outcome["main_exposure"],
                              by_outcome["exposure_period"], strict=True)],
    row=[f"{label(*mv.KIND_LABELS[k])}, {label(*mv.COVARIATE_LABELS[c])}"
         for k, c in zip(by_outcome["model_kind"], by_outcome["covariate_set"], strict=True)])
fig, ax = plt.subplots(figsize=(8.5, 10))
mv.forest(ax, plot, block="block", row="row", highlight=plot["is_main"])
mv.ratio_ticks(ax)
ax.set_xlabel(label("Ratio of postings per child, per SD of the exposure (log scale, 95 % CI)",
                    "每个标准差暴露对应的每名儿童帖子数之比（对数刻度，95%置信区间）"))
ax.set_title(label("Migration and platform postings, by outcome: 31 provinces",
                   "迁移与平台帖子：按结果分，31个省份"), pad=12)
ax.legend(title=label("95 % CI", "95%置信区间"), loc="lower left",
          bbox_to_anchor=(1.01, 0), fontsize=8)
n_excl = int((by_outcome["ci_status"] != "includes 1").sum())
save_figure(
    fig, "04_irr_by_outcome",
    data=by_outcome.drop(columns=["specification"]),
    title=label("Out- and in-migration and missing-child postings, by outcome",
                "跨省迁出、迁入与寻亲帖子，按结果分"),
    caption=(f"Incidence-rate ratio of postings per child aged 0–14 per standard deviation of "
             f"the migration rate across the 31 mainland provinces (95 % CIs), Poisson (robust "
             f"SE) and negative binomial, unadjusted and adjusted for urban share and "
             f"schooling (found/current side also sex ratio). {n_excl} of {len(by_outcome)} "
             f"intervals exclude 1. Ringed: the headline specification, fixed in advance. "
             f"{CAVEAT}"),
    source=SOURCE,
)
plt.show()

# %% [markdown]
# ## 3. Residual spatial autocorrelation, and what spatial models change
#
# Neighbouring provinces resemble each other; if the model leaves that pattern in its residuals,
# its standard errors are too small. Moran's I of the residuals (queen contiguity, Hainan joined
# to its nearest provinces; permutation p-values) is in `model_fit`. Where it is significant, the
# same specification is refitted on log rates by OLS, a spatial lag and a spatial error model
# (PySAL spreg, maximum likelihood).

# %%
moran = mv.moran_summary(fits)
core_counts = moran[moran["model_kind"].isin(models.COUNT_KINDS)]
sp = moran.set_index("model_kind")
say(
    f"Residual Moran's I is significant (permutation p < 0.05) in "
    f"**{core_counts['significant'].sum()} of {core_counts['fits'].sum()}** core count models "
    f"and in {sp.loc['ols_log_rate', 'significant']} of {sp.loc['ols_log_rate', 'fits']} OLS "
    f"log-rate models, but in {sp.loc['ml_lag_log_rate', 'significant']} of "
    f"{sp.loc['ml_lag_log_rate', 'fits']} spatial lag and "
    f"{sp.loc['ml_error_log_rate', 'significant']} of {sp.loc['ml_error_log_rate', 'fits']} "
    f"spatial error models: the spatial models absorb the autocorrelation. The headline "
    f"model's residual I is {head['residual_moran_i']:.2f} (p = "
    f"{head['residual_moran_p_sim']:.3f})."
)
moran

# %%
spatial = mv.spatial_comparison(coefficients, fits)
wide = spatial.pivot_table(index=["outcome_measure", "covariate_set"], columns="model_kind",
                           values="irr", sort=False)
log_ols = np.abs(np.log(wide["ols_log_rate"]))
toward = {k: int((np.abs(np.log(wide[k])) < log_ols).sum())
          for k in ("ml_lag_log_rate", "ml_error_log_rate")}
status = spatial.pivot_table(index=["outcome_measure", "covariate_set"], columns="model_kind",
                             values="ci_status", aggfunc="first", sort=False)
lost_verdict = int(((status["ols_log_rate"] != "includes 1")
                    & (status["ml_error_log_rate"] == "includes 1")).sum())
h = spatial[(spatial["outcome_measure"] == models.MAIN_SPEC.outcome)
            & (spatial["covariate_set"] == "adjusted")].set_index("model_kind")
f_ = spatial[(spatial["outcome_measure"] == "lost_wtt1002_family")
             & (spatial["covariate_set"] == "adjusted")].set_index("model_kind")
say(
    f"Compared like for like with OLS on the same log rates, the spatial lag model moves the "
    f"ratio per SD toward 1 in **{toward['ml_lag_log_rate']} of {len(wide)}** outcome × "
    f"covariate combinations and the spatial error model in **{toward['ml_error_log_rate']} of "
    f"{len(wide)}**; in {lost_verdict} combination(s) an interval that excluded 1 under OLS "
    f"includes it under the error model. For the headline outcome (adjusted): NB "
    f"×{h.loc['negbin2', 'irr']:.2f}, OLS ×{h.loc['ols_log_rate', 'irr']:.2f}, lag "
    f"×{h.loc['ml_lag_log_rate', 'irr']:.2f} (ρ = "
    f"{h.loc['ml_lag_log_rate', 'spatial_parameter']:.2f}; total with spill-over "
    f"×{h.loc['ml_lag_log_rate', 'lag_total_irr']:.2f}), error "
    f"×{h.loc['ml_error_log_rate', 'irr']:.2f} (λ = "
    f"{h.loc['ml_error_log_rate', 'spatial_parameter']:.2f}). For the 2016 families' scrape: "
    f"NB ×{ratio_with_ci(*f_.loc['negbin2', ['irr', 'irr_low', 'irr_high']])}, error model "
    f"×{ratio_with_ci(*f_.loc['ml_error_log_rate', ['irr', 'irr_low', 'irr_high']])}."
)
spatial.drop(columns="specification")

# %%
sp_adj = spatial[spatial["covariate_set"] == "adjusted"].reset_index(drop=True)
sp_adj = sp_adj.assign(block=[short_label(o) for o in sp_adj["outcome_measure"]],
                       row=[label(*mv.KIND_LABELS[k]) for k in sp_adj["model_kind"]])
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 9), sharey=True,
                               gridspec_kw={"width_ratios": [1, 1.4], "wspace": 0.08})
y = mv.forest(ax2, sp_adj, block="block", row="row")
mv.ratio_ticks(ax2)
ax2.tick_params(axis="y", labelleft=False)
for t in list(ax2.texts):
    t.remove()
sig = (sp_adj["residual_moran_p_sim"] < 0.05).to_numpy()
ax1.scatter(sp_adj["residual_moran_i"][sig], y[sig], color="#c0392b", s=22,
            label=label("p < 0.05", "p < 0.05"))
ax1.scatter(sp_adj["residual_moran_i"][~sig], y[~sig], facecolors="none",
            edgecolors="#7d8c8d", s=22, label=label("p ≥ 0.05", "p ≥ 0.05"))
ax1.axvline(0, color="black", lw=0.8)
ax1.set_yticks(y, sp_adj["row"].tolist())
ax1.tick_params(axis="y", length=0, labelsize=8)
_, headers = mv.forest_positions(sp_adj["block"])
for hy, text in headers:
    ax1.text(-0.01, hy, text, transform=ax1.get_yaxis_transform(), ha="right", va="center",
             fontsize=9, fontweight="bold")
ax1.set_xlabel(label("Moran's I of the residuals", "残差的莫兰指数"))
ax1.legend(loc="lower right", fontsize=8, title=label("permutation test", "置换检验"))
ax1.spines["left"].set_visible(False)
ax2.set_xlabel(label("Ratio per SD of the main exposure (log scale, 95 % CI)",
                     "主要暴露每个标准差对应的比值（对数刻度，95%置信区间）"))
fig.suptitle(label("Spatial models absorb the residual autocorrelation",
                   "空间模型吸收了残差的空间自相关"), x=0.02, ha="left", fontweight="bold",
             y=0.93)
save_figure(
    fig, "04_spatial_models",
    data=sp_adj.drop(columns=["specification", "block", "row"]),
    title=label("Residual spatial autocorrelation and the spatial lag and error models",
                "残差空间自相关与空间滞后、空间误差模型"),
    caption=("Left: Moran's I of the residuals of each adjusted model (queen contiguity, "
             "row-standardised; 999 seeded permutations). Right: ratio of the posting rate per "
             "SD of the main exposure (out-migration for places lost, in-migration for places "
             "found / living now) in the negative binomial model and on log rates by OLS, "
             f"spatial lag (direct part) and spatial error (ML), 95 % CIs. {CAVEAT}"),
    source=SOURCE,
)
plt.show()

# %% [markdown]
# ## 4. Robustness
#
# ### Leave one province out
#
# With 31 provinces a single one can make a result. Each core count model of a main exposure
# was refitted 31 times, each time without one province (`model_loo`).

# %%
loo_sum = mv.loo_summary(loo, name_en)
head_loo = mv.loo_view(loo, models.MAIN_SPEC.spec_id, name_en)
fam_spec = models.Spec("lost_wtt1002_family", "out_migration", "adjusted", "negbin2")
fam_loo = mv.loo_view(loo, fam_spec.spec_id, name_en)
flippable = loo_sum[loo_sum["verdict_changes"] > 0]
hs = loo_sum.set_index("specification").loc[models.MAIN_SPEC.spec_id]
fs = loo_sum.set_index("specification").loc[fam_spec.spec_id]
say(
    f"Headline: without any one province the ratio per SD stays between "
    f"**{head_loo['irr_per_sd'].min():.2f}** (without {head_loo.iloc[0]['province']}) and "
    f"**{head_loo['irr_per_sd'].max():.2f}** (without {head_loo.iloc[-1]['province']}); "
    f"{hs['verdict_changes']} omission(s) change whether the interval excludes 1. The 2016 "
    f"families' scrape stays between {fam_loo['irr_per_sd'].min():.2f} and "
    f"{fam_loo['irr_per_sd'].max():.2f}, its interval excluding 1 in "
    f"{int((fam_loo['ci_status'] != 'includes 1').sum())} of {len(fam_loo)} refits "
    f"(most influential: {fs['most_influential']}). Across all {len(loo_sum)} refitted "
    f"specifications, a single province changes the verdict in **{len(flippable)}**: "
    + "; ".join(f"{r.outcome_measure} ({r.model_kind}, {r.covariate_set}) by "
                f"{r.verdict_changed_by}" for r in flippable.itertuples()) + "."
)
loo_sum.drop(columns=["specification", "most_influential_adcode"])


# %%
def loo_figure(view, spec: models.Spec, fig_name: str, title_en: str, title_zh: str) -> None:
    """IRR per SD without each province (31 rows), the full-sample IRR dashed."""
    v = view.assign(province=[names[a] for a in view["left_out_adcode"]])
    fig, ax = plt.subplots(figsize=(7.5, 8.5))
    y = -np.arange(len(v), dtype=float)
    mv.draw_intervals(ax, v, y, est="irr_per_sd", low="irr_ci_low", high="irr_ci_high")
    full = float(v["full_irr_per_sd"].iloc[0])
    ax.axvline(full, color="#d68910", lw=1.2, ls="--",
               label=label(f"all 31 provinces: {full:.2f}", f"全部31省：{full:.2f}"))
    ax.set_yticks(y, v["province"].tolist())
    ax.tick_params(axis="y", length=0, labelsize=8)
    ax.spines["left"].set_visible(False)
    mv.ratio_ticks(ax)
    ax.set_xlabel(label("Ratio per SD without the province (log scale, 95 % CI)",
                        "去掉该省后每个标准差的比值（对数刻度，95%置信区间）"))
    ax.set_ylabel(label("Province left out", "去掉的省份"))
    ax.set_title(label(title_en, title_zh))
    ax.legend(loc="lower left", bbox_to_anchor=(1.01, 0), fontsize=8)
    save_figure(
        fig, fig_name,
        data=view,
        title=label(title_en, title_zh),
        caption=(f"{outcome_label(spec.outcome)}: negative binomial, adjusted, ratio of "
                 f"postings per child per SD of out-migration {spec.od_period[0]}, refitted "
                 f"31 times, each time without the province named (sorted; 95 % CIs). Dashed: "
                 f"all 31 provinces. {CAVEAT}"),
        source=SOURCE,
    )
    plt.show()


loo_figure(head_loo, models.MAIN_SPEC, "04_loo_headline",
           "Headline model without each province in turn", "依次去掉一个省份后的主模型")
loo_figure(fam_loo, fam_spec, "04_loo_wtt1002_family",
           "Families' postings (2016 scrape) without each province in turn",
           "家寻宝贝（2016年抓取）：依次去掉一个省份")

# %% [markdown]
# ### Each source separately, other offsets, without the largest provinces, spatial models
#
# The sources are different scrapes of overlapping postings and are never pooled: each is its
# own outcome. For the adjusted negative binomial model of each, the chart shows the ratio per SD
# in the core fit, with the 2010 child population as offset, without the most populous
# provinces, and on log rates by OLS and the two spatial models.

# %%
robust = mv.robustness_by_outcome(coefficients)
largest = [name_en[a] for a in largest_provinces(exposures)]
per_outcome = (robust.assign(excl=robust["ci_status"] != "includes 1")
               .groupby("outcome_measure", sort=False)["excl"].agg(["sum", "size"]))
say(
    f"The {LARGEST_N} largest provinces left out: {', '.join(largest)}. Variants whose interval "
    "excludes 1, per outcome: "
    + "; ".join(f"{o} {int(r['sum'])} of {int(r['size'])}" for o, r in per_outcome.iterrows())
    + "."
)
robust.drop(columns="specification")

# %%
rp = robust.assign(block=[outcome_label(o) for o in robust["outcome_measure"]],
                   row=[label(*(mv.GROUP_LABELS.get(v) or mv.KIND_LABELS[v]))
                        for v in robust["variant"]])
fig, ax = plt.subplots(figsize=(8.5, 11))
mv.forest(ax, rp, block="block", row="row",
          highlight=robust["specification"] == models.MAIN_SPEC.spec_id)
mv.ratio_ticks(ax)
ax.set_xlabel(label("Ratio per SD of the main exposure (log scale, 95 % CI)",
                    "主要暴露每个标准差对应的比值（对数刻度，95%置信区间）"))
ax.set_title(label("The same adjusted model, six ways, for each source",
                   "同一调整模型的六种估计，按来源分"), pad=12)
ax.legend(title=label("95 % CI", "95%置信区间"), loc="lower left",
          bbox_to_anchor=(1.01, 0), fontsize=8)
save_figure(
    fig, "04_robustness_by_outcome",
    data=robust.drop(columns="specification"),
    title=label("Robustness of the migration association, by source",
                "迁移关联的稳健性，按来源分"),
    caption=(f"Ratio of postings per child per SD of the main exposure (out-migration for "
             f"places lost, in-migration for places found / living now), adjusted model: "
             f"negative binomial on all 31 provinces, with children 2010 as offset, without "
             f"the {LARGEST_N} most populous provinces ({', '.join(largest)}), and log-rate "
             f"OLS, spatial lag and spatial error models; 95 % CIs. Ringed: the headline "
             f"specification. {CAVEAT}"),
    source=SOURCE,
)
plt.show()

# %% [markdown]
# ### Period by period
#
# The dated sources are split by the period in which the child went missing, each against the
# out-migration of the matching five-year period (before 1990 no origin–destination table
# exists, so those periods use the earliest one and are flagged as not matched). Periods with
# too few postings are not modelled.

# %%
periods_fit = mv.by_period(coefficients, fits)
recent = periods_fit[(periods_fit["outcome_measure"] == models.MAIN_SPEC.outcome)
                     & (periods_fit["model_kind"] == "negbin2")
                     & (periods_fit["covariate_set"] == "adjusted")].set_index("period")
say(
    "Families' postings (2021 scrape), adjusted NB: "
    + "; ".join(f"children missing {p} vs out-migration {r.exposure_period} "
                f"×{ratio_with_ci(r.irr, r.irr_low, r.irr_high)} ({r.postings_total:,} postings)"
                for p, r in recent.iterrows())
    + f". Over all period fits, {int((periods_fit['ci_status'] != 'includes 1').sum())} of "
    f"{len(periods_fit)} intervals exclude 1."
)
periods_fit.drop(columns="specification")

# %%
pp = periods_fit.assign(
    block=[f"{short_label(o)}, {label('missing', '走失于')} {p}, "
           f"{label('out-migration', '迁出率')} {e}"
           f"{'' if m else label(' (not matched)', '（未匹配）')}"
           for o, p, e, m in zip(periods_fit["outcome_measure"], periods_fit["period"],
                                 periods_fit["exposure_period"],
                                 periods_fit["exposure_period_matched"], strict=True)],
    row=[f"{label(*mv.KIND_LABELS[k])}, {label(*mv.COVARIATE_LABELS[c])}"
         for k, c in zip(periods_fit["model_kind"], periods_fit["covariate_set"], strict=True)])
fig, ax = plt.subplots(figsize=(8.5, 10))
mv.forest(ax, pp, block="block", row="row")
mv.ratio_ticks(ax)
ax.set_xlabel(label("Ratio per SD of out-migration in the matching period (log scale, 95 % CI)",
                    "对应时期迁出率每个标准差的比值（对数刻度，95%置信区间）"))
ax.set_title(label("Period by period: postings by year of loss vs out-migration",
                   "分时期：按走失年份的帖子与迁出率"), pad=12)
ax.legend(title=label("95 % CI", "95%置信区间"), loc="lower left",
          bbox_to_anchor=(1.01, 0), fontsize=8)
save_figure(
    fig, "04_irr_by_period",
    data=periods_fit.drop(columns="specification"),
    title=label("Out-migration and postings, period by period",
                "迁出率与帖子，分时期"),
    caption=("Ratio of postings per child per SD of out-migration in the five-year period "
             "matching the period in which the child went missing (→ O–D period; periods "
             "before 1990 use the earliest table, 1995–2000, and are not matched), Poisson "
             "(robust SE) and negative binomial, unadjusted and adjusted; offset children "
             f"2010 (2020 for 2010–2023); 95 % CIs. {CAVEAT}"),
    source=SOURCE,
)
plt.show()

# %% [markdown]
# ### Hukou shares: a sign that turns when adjusted
#
# The share of residents with hukou in another province (the migrant stock) is strongly
# correlated with urbanisation and schooling, so its adjusted coefficient is estimated from very
# little independent variation.

# %%
hk = mv.hukou_adjustment(coefficients, fits)
say(
    f"Adjusting for urban share and schooling changes the direction of the hukou-share "
    f"association in **{int(hk['direction_flips'].sum())} of {len(hk)}** outcome × exposure × "
    f"model combinations; the largest variance-inflation factor of these models is "
    f"{hk['max_vif_adjusted'].min():.1f}–{hk['max_vif_adjusted'].max():.1f} (above 5 is "
    "usually read as strong collinearity). The hukou-share coefficients are not interpretable "
    "as separate associations; the out-migration models (largest VIF "
    f"{head['max_vif']:.1f}) are less affected."
)
hk

# %% [markdown]
# ## 5. Every specification side by side: the specification curve

# %%
view = mv.spec_curve_view(curve)
counts = mv.spec_counts(curve)
by_exp = mv.spec_counts_by(curve, "main_exposure")
by_out = (mv.spec_counts_by(curve, "outcome_measure").set_index("outcome_measure")
          .reindex(list(mv.OUTCOME_SHORT)).reset_index())
by_out["share"] = by_out["excludes_one"] / by_out["total"]
strongest = by_out.sort_values(["share", "outcome_measure"], ascending=[False, True]).iloc[0]
say(
    f"**{counts['excludes_one']} of {counts['total']}** specifications have a 95 % interval "
    f"that excludes 1 ({counts['above']} above, {counts['below']} below). If there were no "
    f"association at all, about {counts['expected_by_chance']} would by chance alone — a "
    "yardstick only, because the specifications share data and are far from independent. "
    "By outcome: " + "; ".join(f"{r.outcome_measure} {r.excludes_one} of {r.total}"
                               for r in by_out.itertuples()) + "."
)
by_exp

# %%
fig, (ax_t, ax_b) = plt.subplots(2, 1, figsize=(13, 9), sharex=True,
                                 gridspec_kw={"height_ratios": [1.2, 1], "hspace": 0.08})
mv.draw_spec_curve(ax_t, ax_b, view, lang_zh=ZH)
mv.ratio_ticks(ax_t, axis="y")
ax_t.set_ylabel(label("Ratio per SD (log scale, 95 % CI)", "每个标准差的比值（对数，95%置信区间）"))
ax_t.legend(title=label("95 % CI", "95%置信区间"), loc="upper left", fontsize=8)
fig.suptitle(label(f"All {counts['total']} specifications, sorted within each exposure",
                   f"全部{counts['total']}个模型设定，按暴露分组排序"),
             x=0.02, ha="left", fontweight="bold", y=0.96)
save_figure(
    fig, "04_specification_curve",
    data=view,
    title=label("Specification curve: every model of postings against migration",
                "设定曲线：帖子与迁移的全部模型"),
    caption=(f"Ratio of postings per child per SD of the main exposure in all "
             f"{counts['total']} specifications (outcome × exposure × covariates × model × "
             f"sample × period × offset), sorted within each exposure, with 95 % CIs; "
             f"{counts['excludes_one']} of {counts['total']} intervals exclude 1 "
             f"({counts['above']} above, {counts['below']} below). Dots below mark the "
             f"features of each specification. Ringed: the headline specification, fixed in "
             f"advance. {CAVEAT}"),
    source=SOURCE,
)
plt.show()

# %% [markdown]
# ## 6. Added-variable plots: which provinces carry the association
#
# An added-variable plot shows the association of the main exposure with the outcome after the
# other regressors have been partialled out of both, one point per province. For a count model
# the outcome is the working response of the model's last weighted least-squares step (log rate
# scale) and point area is the step's weight; by the Frisch–Waugh–Lovell theorem the slope of
# the line equals the model's coefficient, checked below.

# %%
rates = tables.read("case_rates")
case_counts = tables.read("case_counts")
av = {}
for key, spec in (("headline", models.MAIN_SPEC), ("wtt1002_family", fam_spec)):
    d, f = models.main_fit(exposures, rates, case_counts, spec)
    av[key] = mv.added_variable(d, f)
    assert abs(av[key].attrs["slope"] - av[key].attrs["coefficient"]) < 1e-8
say("Slope of each plot vs the model coefficient (log ratio per SD): " + "; ".join(
    f"{k} {a.attrs['slope']:.6f} vs {a.attrs['coefficient']:.6f}" for k, a in av.items()))


# %%
def av_figure(frame, spec: models.Spec, fig_name: str) -> None:
    """Added-variable plot of the main exposure, labelled by province."""
    fig, ax = plt.subplots(figsize=(8.5, 6.5))
    mv.draw_added_variable(ax, frame, names)
    slope = frame.attrs["slope"]
    ax.set_xlabel(label(f"Out-migration {spec.od_period[0]}, other regressors partialled out "
                        "(SD)", f"{spec.od_period[0]}年迁出率，剔除其他变量后（标准差）"))
    ax.set_ylabel(label("Log postings per child, other regressors partialled out",
                        "每名儿童帖子数的对数，剔除其他变量后"))
    ax.set_title(label(f"{mv.OUTCOME_SHORT[spec.outcome][0]}: ×{np.exp(slope):.2f} per SD",
                       f"{mv.OUTCOME_SHORT[spec.outcome][1]}：每个标准差×{np.exp(slope):.2f}"))
    data = frame.assign(province=[name_en[a] for a in frame["adcode"]])
    save_figure(
        fig, fig_name,
        data=data,
        title=label(f"Out-migration and postings per child, other factors held fixed: "
                    f"{mv.OUTCOME_SHORT[spec.outcome][0]}",
                    f"控制其他因素后的迁出率与每名儿童帖子数：{mv.OUTCOME_SHORT[spec.outcome][1]}"),
        caption=(f"Added-variable plot of the adjusted negative binomial model "
                 f"({outcome_label(spec.outcome)}): out-migration {spec.od_period[0]} (SD "
                 f"units) and the model's working response (log postings per child aged "
                 f"0–14), each with urban share and schooling partialled out; point area ∝ "
                 f"the model's weight; the line's slope is the model coefficient, a ratio of "
                 f"×{np.exp(slope):.2f} per SD. {CAVEAT}"),
        source=SOURCE,
    )
    plt.show()


av_figure(av["headline"], models.MAIN_SPEC, "04_added_variable_headline")
av_figure(av["wtt1002_family"], fam_spec, "04_added_variable_wtt1002_family")

# %%
top = {k: a.assign(province=[name_en[x] for x in a["adcode"]],
                   leverage=a["weight"] * a["exposure_resid"] ** 2)
       .sort_values(["leverage", "adcode"], ascending=[False, True]).head(3)
       for k, a in av.items()}
say("Provinces with the most leverage on the slope (weight × squared partial exposure): "
    + "; ".join(f"{k}: {', '.join(t['province'])}" for k, t in top.items()) + ".")

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
#   choices; all are shown, the headline was fixed in advance.

# %%
say(
    f"In numbers: n = {head['n']} provinces; **{counts['excludes_one']} of "
    f"{counts['total']}** specification intervals exclude 1, against about "
    f"{counts['expected_by_chance']} expected by chance if there were no association; the "
    f"headline interval ({ratio_with_ci(head['irr'], head['irr_low'], head['irr_high'])}) "
    f"{'includes 1' if head['ci_status'] == 'includes 1' else 'lies ' + head['ci_status']}; "
    f"residual spatial autocorrelation is significant in {core_counts['significant'].sum()} "
    f"of {core_counts['fits'].sum()} core count models; a single province changes the verdict "
    f"in {len(flippable)} of {len(loo_sum)} refitted specifications. The outcome with the "
    f"most intervals excluding 1 is {outcome_label(strongest['outcome_measure'])} "
    f"({strongest['excludes_one']} of {strongest['total']})"
    + (", an undated source modelled against a default period"
       if not periods.set_index("outcome_measure").loc[strongest["outcome_measure"],
                                                         "period_matched"] else "")
    + ". Public data can say whether platform postings are more common per child where more "
    "people leave; they cannot say that left-behind children are the ones most at risk."
)
