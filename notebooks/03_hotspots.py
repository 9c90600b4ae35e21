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
# # 03 — Hotspot atlas: where children go missing, and where they are found
#
# > **These maps show postings on a volunteer missing-child platform (Baby Come Home), not
# > verified abductions and not incidence.** A province with many postings may have many
# > families online, active volunteers or simply a scraper that reached its pages. **Where
# > children end up is known only for children who were found (reunions) or adults who are
# > searching for their birth family**: every "destination" map and number below is about them
# > alone.
#
# Reporting says children are taken from poor, labour-exporting provinces of the south-west and
# sold into richer or son-preferring provinces of the east and centre. This notebook asks what
# the platform data show: rates per child on both sides, whether the pattern is more than
# chance (Moran's I, local Moran and Getis–Ord Gi\*, permutation tests, false-discovery-rate
# control, sensitivity to the weights and seeds), the largest lost → found flows, and how this
# compares with the court-verdict geography of Xin & Cai and Wang et al.'s network study.
# Every statistic is computed by `make data` (step `derive.hotspots`, tables `hotspot_*` and
# `published_*`; definitions in `data/processed/README.md`); this notebook only reads them.

# %%
from analysis import tables
from analysis.plots import comparison_figures as cf
from analysis.plots import hotspot_findings as find
from analysis.plots import hotspot_maps as hm
from analysis.plots import hotspot_sensitivity as hs
from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.site.prose import say
from analysis.topics.hotspots import compare

use_house_style()
boundaries = {b: hm.drawing_boundaries(b) for b in hm.BASEMAPS}  # each map is drawn on both
local, moran, source_dest, hot_cmp, flow_cmp, flows, neighbours, sensitivity = (
    tables.read(n) for n in ("hotspot_local", "hotspot_global_moran", "hotspot_source_destination",
                             "published_hotspot_comparison", "published_flow_comparison",
                             "case_flows", "hotspot_neighbours", "hotspot_lisa_sensitivity"))

# %% [markdown]
# ## 1. Where children go missing
#
# The headline lost-side measure is the families' own postings in the 2021 scrape (家寻宝贝,
# children born 1999 or later) by where the child went missing, per 100,000 children aged 0–14
# (2020 census). The maps show **empirical-Bayes (EB) rates**, which pull each province towards
# the national rate the less its own count can tell; counts stand beside the rates, and
# provinces with few postings are hatched.

# %%
head = hm.map_rows(local, "lost_uiuing_missing")
say(find.lost_rates(head).markdown())
find.ranked(head, 12)

# %%
for b in hm.BASEMAPS:
    fig, data = hm.rate_figure("03_lost_rate", boundaries[b], local)
    save_figure(fig, f"03_lost_rate_{b}", data=data, **hm.rate_figure_text("03_lost_rate", boundaries[b]))

# %% [markdown]
# The five lost-side measures come from different scrapes, eras and sides of the platform and
# are never added together; side by side they show which patterns repeat across sources.

# %%
agreement = find.source_agreement(local)
say(agreement.markdown())
agreement.correlations.round(2)

# %%
for b in hm.BASEMAPS:
    for name in ("03_lost_rate_sources", "03_lost_rate_periods"):
        fig, data = hm.rate_figure(name, boundaries[b], local)
        save_figure(fig, f"{name}_{b}", data=data, **hm.rate_figure_text(name, boundaries[b]))

# %% [markdown]
# ## 2. Where they end up (found children and adults searching only)
#
# Two sources record a destination: reunions (the province where the child was found) and
# adults searching for their birth family (the province where they live now, which need not be
# where they grew up). Everything in this section is about those children only.

# %%
found = hm.map_rows(local, "found_uiuing_success")
say(find.destinations(found, hm.map_rows(local, "current_wtt1002_data")).markdown())
find.ranked(found, 10)

# %%
for b in hm.BASEMAPS:
    for name in ("03_found_rate", "03_found_rate_periods"):
        fig, data = hm.rate_figure(name, boundaries[b], local)
        save_figure(fig, f"{name}_{b}", data=data, **hm.rate_figure_text(name, boundaries[b]))

# %% [markdown]
# ## 3. Net sources and net destinations
#
# For the two sources with both places, each province is ranked (1 = highest of 31) by its EB
# rate as a place of loss and as a place found (or lived now). *Destination rank − lost rank*
# is positive for a net "source" (ranks higher as a place of loss), negative for a destination.

# %%
for source in find.FLOW_SOURCES:
    say(find.net_extremes(source_dest, source).markdown())

# %%
for b in hm.BASEMAPS:
    fig, data = hm.rank_difference_map(boundaries[b], source_dest)
    save_figure(fig, f"03_rank_difference_{b}", data=data, **hm.rank_difference_text(boundaries[b]))

# %% [markdown]
# ## 4. Is the pattern more than chance? Global Moran's I
#
# Moran's I measures whether neighbouring provinces have similar rates (positive I: similar
# values cluster). Neighbours share a border (queen contiguity); Hainan, an island, is linked
# to its two nearest provinces (`analysis.geo.province_weights`, `hotspot_neighbours`). The
# p-value is esda's **directed** permutation p-value (one-sided, in the tail the observed I
# falls in), from random permutations of the rates over the provinces with a fixed seed.

# %%
say(find.global_moran(moran, neighbours).markdown())
find.moran_table(moran)

# %% [markdown]
# ## 5. Which provinces are hot and cold spots?
#
# Two local tests per province on the EB rate, each with **directed** permutation p-values:
# the **local Moran** (LISA; conditional permutation, the province's own rate fixed) flags a
# province whose rate and neighbours' rates are both high (High-High), both low (Low-Low) or
# opposite (outliers); **Getis–Ord Gi\*** (total randomisation) flags a neighbourhood, the
# province and its neighbours, with a high or low total. With 31 tests per map the
# false-discovery rate is controlled (Benjamini–Hochberg); pale "unadjusted only" provinces
# on the maps are **not** established hot spots.

# %%
say(find.gi_decision(local).markdown())
for spots in find.local_spots(local):
    say(spots.markdown())

# %%
for b in hm.BASEMAPS:
    for name in hm.SIGNIFICANCE_FIGURES:
        fig, data = hm.significance_figure(name, boundaries[b], local)
        save_figure(fig, f"{name}_{b}", data=data, **hs.local_test_text(name, boundaries[b]))

# %% [markdown]
# **How stable are the LISA clusters?** With 31 provinces and few neighbours each, a cluster can
# depend on the weights and the random draws. The build recomputes every LISA under five weights
# (the published queen contiguity, 4, 5 and 6 nearest provinces, a distance band) × ten seeds
# (`hotspot_lisa_sensitivity`). A *stable member* is in the same cluster in all of them; where
# members change, the finding is a region ("a south-west cluster"), not a list of provinces.

# %%
for stability in find.lisa_stability(sensitivity):
    say(stability.markdown())

# %%
fig, data = hs.membership_figure(sensitivity)
files = save_figure(fig, "03_lisa_sensitivity", data=data, **hs.membership_text())

# %% [markdown]
# ## 6. From where to where: reunion flows
#
# Each reunion record holds the province where the child went missing and where it was found.
# The map draws the largest flows between two provinces; the matrix shows every pair, ordered
# by region (East, Central, West, Northeast) so that movement between regions stands out.

# %%
reunions = find.reunion_flows(flows)
say(reunions.markdown())
reunions.top[["lost_name_en", "destination_name_en", "flow_count"]]

# %%
for b in hm.BASEMAPS:
    fig, data = hm.reunion_flow_map(boundaries[b], reunions.top)
    save_figure(fig, f"03_reunion_flows_{b}", data=data, **hm.reunion_flow_text(boundaries[b], find.N_FLOWS))

# %%
for source, (name, _) in hm.OD_MATRICES.items():
    fig, data = hm.od_matrix_figure(flows, source)
    save_figure(fig, name, data=data, **hm.od_matrix_text(source))

# %% [markdown]
# ## 7. The published geography: court verdicts and the network study
#
# **Xin & Cai** read every child-trafficking sentence of 2014–2016 on China Judgements Online
# and name four hotspot regions: the south-west (Sichuan, Guizhou, Yunnan) supplies children;
# the centre (Shandong, Henan, Hebei) and the east (Jiangsu, Zhejiang) buy them; the south-east
# (Guangdong, Fujian) buys boys and girls and also sells boys. Convictions are not postings of
# every kind of loss: agreement means the platform sees the same geography.

# %%
say(f"Sources: {compare.XIN_CAI_CITATION}; {compare.WANG_CITATION}.")
xin_cai = find.xin_cai(hot_cmp, local)
say(xin_cai.markdown())
xin_cai.table

# %%
for b in hm.BASEMAPS:
    fig, data = cf.published_comparison_map(boundaries[b], hot_cmp)
    save_figure(fig, f"03_published_comparison_{b}", data=data, **cf.published_comparison_text(boundaries[b]))

# %% [markdown]
# **Wang et al.** analysed Baby Come Home records of children trafficked for illegal adoption
# (the same platform, an extract made before 2018), known here through a press summary (grade
# B). The table puts each figure next to ours from the two flow sources; shares of the eight
# provinces on inter-provincial and on all pairs (the summary does not say which it used).

# %%
say(find.wang_comparison(flow_cmp).markdown())
flow_cmp

# %% [markdown]
# Where we agree and where we do not, and why:
#
# * The **adults searching** (2016 scrape, 宝贝寻家) reproduce Wang et al.'s network closely —
#   expected if Wang et al. worked from the same part of the platform in the same years: adults
#   taken as children, mostly before 2000, who now live where they were raised.
# * The **reunions** (2021 scrape) look different: few are within one province; the largest
#   origins are the south-western "suppliers" of Xin & Cai, the destinations the centre, east
#   and south-east. Reunions depend on DNA matching and police campaigns of recent years that
#   targeted long-distance trafficking; they are not a sample of all missing children.
# * Xin & Cai's regions are **convictions** (2014–2016); our rates are **postings per child**.
#   Provinces where families post a lot (or volunteers are active) can rank high without more
#   children being taken; the category of loss is mostly unrecorded in the scrapes.

# %%
fig, data = cf.wang_comparison_figure(flow_cmp)
files = save_figure(fig, "03_wang_comparison", data=data, **cf.wang_comparison_text())

# %% [markdown]
# ## What this does and does not show
#
# * **Postings, not incidence.** Every rate is postings per child on one volunteer platform, as
#   far as scrapers reached it; the geography of its users and volunteers is part of the maps.
# * **Destinations** exist only for children found and adults searching, not for the others.
# * **Hot spots are tested, not eyeballed**: only provinces significant after
#   false-discovery-rate control are called hot or cold spots; pale "unadjusted only" provinces
#   are hints, not findings. With 31 provinces and few neighbours each, the local tests have
#   little power, and most LISA members change with the weights or the seed: only the stable
#   members named in section 5 are robust, and Gi\*-only spots are not confirmed by the LISA.
# * **Sources are never added together**; each map names its scrape and period.
