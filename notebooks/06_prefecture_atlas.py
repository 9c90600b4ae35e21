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
# # 06 — Prefecture atlas: the hot spots at ten times the units
#
# > **These maps show postings on a volunteer missing-child platform (Baby Come Home), not
# > verified abductions and not incidence.** A prefecture with many postings may have many
# > families online, active volunteers or simply a scraper that reached its pages. **Where
# > children end up is known only for children who were found (reunions)**: the "place found"
# > maps are about them alone.
#
# Every map of notebook 03 stands on 31 provinces, and provinces are few and huge: a province
# hot spot can be one city, or a whole region, and the labels move with the weights. The
# postings carry finer places (county or prefecture codes and names), and the county census
# gives children aged 0–14 for every prefecture-level unit. This notebook repeats the hot-spot
# analysis on the prefecture map and asks which province hot spots survive at the finer level,
# which split and what appears only there — the modifiable-areal-unit problem made visible.
#
# All statistics are computed by `make data` (step `topics.prefecture_hotspots`) into
# `data/processed/` (`prefecture_hotspot_local`, `prefecture_hotspot_global_moran`,
# `prefecture_hotspot_sensitivity`, `hotspot_level_comparison`,
# `prefecture_hotspot_neighbours`, polygons in `boundaries_prefecture`); this notebook reads
# them, maps them and says what they mean.

# %%
from analysis import tables
from analysis.plots import prefecture_maps as pm
from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.site.prose import say
from analysis.topics.prefecture_hotspots import views

use_house_style()
atlas = views.load()
local = atlas["prefecture_hotspot_local"]
moran = atlas["prefecture_hotspot_global_moran"]
sensitivity = atlas["prefecture_hotspot_sensitivity"]
levels = atlas["hotspot_level_comparison"]
neighbours = atlas["prefecture_hotspot_neighbours"]
counts = tables.read("prefecture_case_counts")
measures = views.measures_of(local)
boundaries = {b: pm.drawing_boundaries(b) for b in pm.BASEMAPS}  # province units and outlines
fills = {b: pm.drawing_prefectures(b) for b in pm.BASEMAPS}  # prefectures clipped to each

# %% [markdown]
# ## 1. The units and their neighbours
#
# The prefecture-level units are those of the 2020 census (prefectures, and the county-level
# units a province administers directly). Neighbours share a border point (queen contiguity).
# Two parts of the map have no land neighbour: Sansha (the South China Sea islands) and Hainan
# island as a whole. The **component rule** joins each such part to the rest by its two
# closest pairs of centroids, so no unit is dropped and the graph is connected
# (`analysis.stats.weights.prefecture_links`). As a second weights choice, every unit gets its
# k nearest units by centroid distance; the hot spots are computed under both.

# %%
say(views.units(local, neighbours, pm.LOST_HEADLINE).markdown())

# %% [markdown]
# Not every posting reaches the map: a posting whose code or text names only its province is
# counted in the province maps of notebook 03 but has no prefecture here. The families' and
# adults' postings are almost all placed; the reunion codes are often province codes only, so
# the two reunion maps rest on a minority of the reunions (the shares below) and must be read
# with that in mind.

# %%
say(views.placed_markdown(views.placed(counts, local)))

# %% [markdown]
# ## 2. Rates per child
#
# As on the province maps, the maps show **empirical-Bayes (EB) rates** per 100,000 children
# aged 0–14, which pull each unit towards the national rate in proportion to how little its own
# count can tell. At this level most units hold only a few postings, so the smoothing is strong
# and the hatching (few postings) covers much of the west: read the colours there as "not
# known", not as "low".

# %%
for b in pm.BASEMAPS:
    fig, data = pm.rate_map(boundaries[b], fills[b], local)
    save_figure(fig, f"06_prefecture_rate_{b}", data=data, **pm.rate_text(boundaries[b]))

# %% [markdown]
# ## 3. Is the pattern more than chance? Global Moran's I
#
# Moran's I of the EB rate under the contiguity weights and under the nearest-neighbour
# weights; the p-values come from seeded random permutations of the rates over the units.

# %%
say(views.moran_markdown(views.moran_summary(moran)))

# %% [markdown]
# ## 4. Hot and cold spots (Getis–Ord Gi*, false-discovery-rate control)
#
# A hot spot is a unit whose neighbourhood (itself and its neighbours) has a high EB rate
# compared with the whole map, judged by conditional permutations. With hundreds of tests per
# map, the false-discovery-rate control matters more than on the province map: pale colours
# are significant only without it and are **not** established.

# %%
spots = views.spot_counts(local, sensitivity)
say(views.spot_markdown(spots))
spots

# %%
for b in pm.BASEMAPS:
    fig, data = pm.gistar_map(boundaries[b], fills[b], local, measures)
    save_figure(fig, f"06_prefecture_gistar_{b}", data=data, **pm.gistar_text(boundaries[b]))

# %% [markdown]
# ## 5. Do the hot spots depend on the weights?
#
# The same test on the nearest-neighbour weights. A hot spot that holds under both choices is
# a property of the data; one that appears under one choice only is a property of the choice.

# %%
for b in pm.BASEMAPS:
    fig, data = pm.sensitivity_map(boundaries[b], fills[b], sensitivity)
    save_figure(fig, f"06_prefecture_sensitivity_{b}", data=data,
                **pm.sensitivity_text(boundaries[b]))

# %% [markdown]
# ## 6. Province hot spots at the finer level
#
# For each measure, every province's Gi* label on the province map (notebook 03) is set
# against the labels of its own prefecture units: a province hot (cold) spot **survives** if at
# least half its units are hot (cold) spots too, **splits** if some are but fewer than half (or
# some are of the opposite kind), and **vanishes** if none is; a province that is not
# significant but holds significant units shows a pattern **only at the finer level**.

# %%
for m in measures:
    say(views.level_markdown(levels, m))
views.level_counts(levels)

# %%
for b in pm.BASEMAPS:
    fig, data = pm.level_map(boundaries[b], fills[b], levels, local)
    save_figure(fig, f"06_level_comparison_{b}", data=data, **pm.level_text(boundaries[b]))

# %% [markdown]
# ## What this does and does not show
#
# * **Postings, not incidence.** Every rate is postings on one volunteer platform per child of
#   the census; it measures where families and volunteers posted, not where children were taken.
# * **Few postings per unit.** Most prefectures hold a handful of postings: the EB rates lean
#   heavily on the national rate, and a hot spot is a neighbourhood of several units, never a
#   single city's rate.
# * **Placement.** A posting counts where its code or place text places it; postings placed only
#   at the province level are not on these maps (the placement step's row account says how
#   many, per source).
# * **Units change.** The 2010 measures use the 2010 children summed to the 2020 units; the
#   Xinjiang corps cities without a 2010 count are left out of those maps.
# * **Destinations** are known only for reunited children.
