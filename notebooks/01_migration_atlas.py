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
# # 01 — Migration atlas: where hukou and home part ways
#
# China's household registration (*hukou*) ties public services — schooling above all — to the
# place a person is registered, not the place they live. Hundreds of millions of people live
# outside their hukou township; when they cross a provincial border their children often cannot
# follow. This notebook maps the two sides of that movement from official statistics:
#
# 1. **where migrants live**: the share of residents whose hukou is registered in *another
#    province* (2020 census);
# 2. **where they come from**: the five-year out-migration rate by province of origin, 2005–2010
#    (2010 census long form);
# 3. **the largest corridors**: inter-provincial flows 2015–2020 (2020 census long form).
#
# All numbers in the text are computed below from `data/processed/` (built by `make data`).
# Sources and definitions are in the data dictionary, `data/processed/README.md`.

# %%
from analysis import geo, tables
from analysis.plots import atlas_figures as af
from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.site.prose import say
from analysis.topics.migration import views as atlas

#: Basemaps drawn: "ocha" (UN boundaries, international publication) and "cn_atlas"
#: (China-standard map). Each figure is written once per basemap, suffixed with its name.
#: Labels are English unless the build runs with LOSTGEN_LANG=zh (files then end in _zh).
BASEMAPS = list(geo.BASEMAPS)
use_house_style()
boundaries = {b: geo.load_boundaries(b) for b in BASEMAPS}


# %% [markdown]
# ## 1. Residents with hukou in another province, 2020

# %%
hukou = atlas.hukou_other_province(2020)
hukou_2010 = atlas.hukou_other_province(2010)
national_2020 = hukou["other_province_persons"].sum()
national_2010 = hukou_2010["other_province_persons"].sum()
top3 = hukou.head(3)
say(
    f"In the 2020 census **{national_2020:,}** people lived in a province other than the one of "
    f"their hukou (2010: {national_2010:,}; +{national_2020 / national_2010 - 1:.0%}). "
    f"They are concentrated in a few destinations: "
    + ", ".join(f"{r.name_en} ({r.other_province_share:.1%} of residents)"
                for r in top3.itertuples())
    + f". In {int((hukou['other_province_share'] < 0.05).sum())} of 31 provinces fewer than 5 % "
    f"of residents are registered elsewhere."
)
hukou[["name_en", "name_zh", "other_province_persons", "resident_population_persons",
       "other_province_share"]].head(10)

# %%
for b in BASEMAPS:
    fig, data = af.hukou_share_map(boundaries[b], hukou)
    save_figure(fig, f"01_hukou_other_province_share_2020_{b}", data=data,
                **af.hukou_share_text(boundaries[b]))

# %% [markdown]
# ## 2. Out-migration by province of origin, 2005–2010
#
# The census long form asks where each person aged 5+ lived five years earlier. The rate below is
# computed *inside* the table: people who lived in a province in 2005 and in another province in
# 2010, per 1,000 people of the sample who lived in that province in 2005. Being a ratio of two
# sample counts it needs no scaling by the sampling fraction.

# %%
out = atlas.out_migration("2005–2010")
first, last = out.iloc[0], out.iloc[-1]
say(
    f"Between 2005 and 2010 the highest out-migration rate was in **{first.name_en}**: "
    f"{first.out_migration_per_1000:.0f} per 1,000 residents of 2005 moved to another province, "
    f"against {last.out_migration_per_1000:.1f} per 1,000 in {last.name_en}. The top five — "
    + ", ".join(out.head(5)["name_en"])
    + " — are the labour-exporting provinces of the interior that reporting links to "
    "left-behind children."
)
out.head(10)

# %%
for b in BASEMAPS:
    fig, data = af.out_migration_map(boundaries[b], out)
    save_figure(fig, f"01_out_migration_rate_2005_2010_{b}", data=data,
                **af.out_migration_text(boundaries[b]))

# %% [markdown]
# ## 3. The largest inter-provincial flows, 2015–2020

# %%
N_FLOWS = 20
flows = atlas.top_flows("2015–2020", n=N_FLOWS)
od = tables.read("migration_od")
od_2020 = od[od["period"] == "2015–2020"]
into_guangdong = od_2020.loc[od_2020["destination_adcode"] == 440000, "sample_count"].sum()
top = flows.iloc[0]
say(
    f"The {N_FLOWS} largest of the {len(od_2020):,} province-to-province flows of 2015–2020 carry "
    f"{flows['share_of_all_interprovincial'].sum():.0%} of all inter-provincial moves in the "
    f"census sample. The largest is **{top.origin_name_en} → {top.destination_name_en}** "
    f"({top.sample_count:,} in the long-form sample, about {top.estimate_persons:,} people). "
    f"{(flows['destination_adcode'] == 440000).sum()} of the top {N_FLOWS} end in Guangdong, "
    f"which received {into_guangdong / od_2020['sample_count'].sum():.0%} of all "
    f"inter-provincial movers."
)
flows

# %%
for b in BASEMAPS:
    fig, data = af.flows_map(boundaries[b], flows)
    save_figure(fig, f"01_interprovincial_flows_2015_2020_{b}", data=data,
                **af.flows_text(boundaries[b], N_FLOWS))

# %% [markdown]
# ## What this does and does not show
#
# * Census tables count *people*, by where they live; they do not follow children. A province
#   that sends many migrants is a candidate for many left-behind children, which the
#   left-behind-children figures (partial, see the data dictionary) and the case-record notebooks
#   examine.
# * The 2020 hukou table counts everyone registered in another province, whenever they moved;
#   the O–D tables count only moves within the five years before each census.
# * O–D counts are unweighted long-form sample counts; absolute numbers are estimates.
