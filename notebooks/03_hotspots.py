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
# the platform data show: rates per child by province on both sides, whether the geographic
# pattern is more than chance (Moran's I, local Moran and Getis–Ord Gi* with permutation tests
# and false-discovery-rate control), the largest lost → found flows, and how all this compares
# with the court-verdict geography of Xin & Cai and with Wang et al.'s network study of the same
# platform.
#
# All statistics are computed by `make data` (step `derive.hotspots`) into `data/processed/`
# (`hotspot_local`, `hotspot_global_moran`, `hotspot_source_destination`,
# `published_hotspot_comparison`, `published_flow_comparison`, `hotspot_neighbours`); this
# notebook reads them, maps them and says what they mean. Definitions are in the data
# dictionary, `data/processed/README.md`.

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from analysis import geo, maps, tables
from analysis import hotspot_figures as hf
from analysis.figures import label, province_names, save_figure, use_house_style
from analysis.prose import province_list, say
from analysis.stats import hotspots
from analysis.topics.cases import views as casebook
from analysis.topics.hotspots import compare
from analysis.topics.hotspots.build import MEASURE_LABELS, PERIOD_PANELS, PERMUTATIONS, POOLED
from analysis.topics.migration.views import with_names
from analysis.vocab.provinces import crosswalk
from analysis.vocab.seeds import SEED

#: Basemaps drawn: "ocha" (UN boundaries, international publication) and "cn_atlas"
#: (China-standard map). Each map is written once per basemap, suffixed with its name.
BASEMAPS = ["ocha", "cn_atlas"]
use_house_style()
boundaries = {b: hf.drawing_boundaries(b) for b in BASEMAPS}
names = province_names()
name_en = crosswalk().set_index("adcode")["name_en"]

local = tables.read("hotspot_local")
moran = tables.read("hotspot_global_moran")
source_dest = tables.read("hotspot_source_destination")
hot_cmp = tables.read("published_hotspot_comparison")
flow_cmp = tables.read("published_flow_comparison")
flows = tables.read("case_flows")
neighbours = tables.read("hotspot_neighbours")
pooled = local[local["period"] == POOLED]

DEST_CAVEAT = ("Destinations are known only for children who were found or adults who are "
               "searching for their birth family")
SOURCE = (f"{casebook.SOURCE_LINE[:-1]}; children aged 0–14: NBS 2020 census and a 2010 "
          "estimate (prefecture census × year-end population).")


def source_line(b: str) -> str:
    """Data sources plus the basemap's attribution."""
    return f"{SOURCE} {boundaries[b].attrs['attribution']}."


# %% [markdown]
# ## 1. Where children go missing
#
# The headline lost-side measure is the families' own postings in the 2021 scrape (家寻宝贝,
# children born 1999 or later): where each child went missing, per 100,000 children aged 0–14
# of the 2020 census. Raw rates of small provinces jump with a handful of postings, so the maps
# show **empirical-Bayes (EB) rates**, which pull each province towards the national rate in
# proportion to how little its own count can tell; the counts stand beside the rates, and
# provinces with few postings are hatched.

# %%
head = hf.map_rows(local, "lost_uiuing_missing")
top5 = head.sort_values("eb_rank").head(5)
small = head[head["small_count"]]
shrink = (head["raw_per_100k"] - head["eb_per_100k"]).abs()
biggest = head.loc[shrink.idxmax()]
overall = head["postings_count"].sum() / head["children_0_14_persons"].sum() * 1e5
say(
    f"Families posted **{head['postings_count'].sum():,}** children as missing in the 31 "
    f"provinces, {overall:.2f} per 100,000 children nationally. The highest EB rates are in "
    + ", ".join(f"{name_en.loc[r.adcode]} ({r.eb_per_100k:.2f}; {r.postings_count:,} "
                f"postings)" for r in top5.itertuples())
    + f". {len(small)} provinces have fewer than {hotspots.MIN_COUNT} postings "
    f"({province_list(small['adcode'])}); the largest correction by smoothing is in "
    f"{name_en.loc[biggest.adcode]} (raw {biggest.raw_per_100k:.2f}, EB "
    f"{biggest.eb_per_100k:.2f}, from {biggest.postings_count:,} postings)."
)
with_names(head[hf.RATE_COLUMNS]).sort_values("eb_rank").head(12)

# %%
CAPTION_RATE = (f"{casebook.CAVEAT}. Empirical-Bayes rates per 100,000 children aged 0–14 "
                "(the raw rate shrunk towards the national rate, most where counts are small); "
                f"hatched (and † in a ranking): fewer than {hotspots.MIN_COUNT} postings. "
                "Hong Kong, Macau and Taiwan: no data.")


for b in BASEMAPS:
    title = label("Where children went missing: families' postings per child",
                  "孩子在哪里走失：每名儿童对应的家寻宝贝帖子")
    fig, data = hf.map_with_dots(boundaries[b], head, title)
    save_figure(fig, f"03_lost_rate_{b}", data=data, title=title, source=source_line(b),
                caption=f"{CAPTION_RATE} Families searching (2021 scrape, children born 1999 "
                        "or later), by the province where the child went missing.")
plt.show()

# %% [markdown]
# The five lost-side measures come from different scrapes, eras and sides of the platform and
# are never added together; side by side they show which patterns repeat across sources.

# %%
LOST_MEASURES = ["lost_uiuing_missing", "lost_wtt1002_family", "lost_wtt1002_data",
                 "lost_uiuing_success", "lost_juvenilexi"]
tops = {m: set(hf.map_rows(local, m).nsmallest(8, "eb_rank")["adcode"]) for m in LOST_MEASURES}
in_all = set.intersection(*[tops[m] for m in LOST_MEASURES[:4]])
corr = pd.DataFrame({m: hf.map_rows(local, m).set_index("adcode")["eb_per_100k"] for m in LOST_MEASURES}
                    ).corr(method="spearman")
say(
    f"Provinces in the top eight of all four large lost-side measures: **{province_list(sorted(in_all))}**. "
    f"Rank correlations of the EB rates between sources range from "
    f"{corr.where(~np.eye(len(corr), dtype=bool)).min().min():.2f} to "
    f"{corr.where(~np.eye(len(corr), dtype=bool)).max().max():.2f}."
)
corr.round(2)


# %%
PERIOD_CAPTION = ("Each panel is classed on its own (Fisher–Jenks), so colours show the "
                  "pattern within a period, not levels across periods.")
for b in BASEMAPS:
    title = label("Where children went missing, by scrape", "孩子在哪里走失：按数据来源")
    fig, data = hf.small_multiples(boundaries[b], local, [(m, POOLED) for m in LOST_MEASURES],
                                   title)
    save_figure(fig, f"03_lost_rate_sources_{b}", data=data, title=title,
                source=source_line(b),
                caption=f"{CAPTION_RATE} One panel per scrape and side; panels are classed "
                        "separately and the sources are never added together.")
    title = label("Where children went missing, by period of going missing",
                  "孩子在哪里走失：按走失时期")
    panels = [(m, p) for m in ("lost_uiuing_missing", "lost_wtt1002_data")
              for p, _ in PERIOD_PANELS[m]]
    fig, data = hf.small_multiples(boundaries[b], local, panels, title)
    save_figure(fig, f"03_lost_rate_periods_{b}", data=data, title=title,
                source=source_line(b),
                caption=f"{CAPTION_RATE} {PERIOD_CAPTION} Families searching (2021 scrape) and "
                        "adults searching (2016 scrape).")
plt.show()

# %% [markdown]
# ## 2. Where they end up (found children and adults searching only)
#
# Two sources record a destination: reunions (the province where the child was found) and
# adults searching for their birth family (the province where they live now, which need not be
# where they grew up). Everything in this section is about those children only.

# %%
found = hf.map_rows(local, "found_uiuing_success")
now = hf.map_rows(local, "current_wtt1002_data")
say(
    f"{DEST_CAVEAT}. Of **{found['postings_count'].sum():,}** reunions, the highest EB rates "
    f"of found children per child population are in "
    + ", ".join(f"{name_en.loc[r.adcode]} ({r.eb_per_100k:.2f}; {r.postings_count:,})"
                for r in found.nsmallest(5, 'eb_rank').itertuples())
    + f". Adults searching (**{now['postings_count'].sum():,}**) live mostly in "
    + ", ".join(f"{name_en.loc[r.adcode]} ({r.postings_count:,})"
                for r in now.nlargest(5, 'postings_count').itertuples())
    + "."
)
with_names(found[hf.RATE_COLUMNS]).sort_values("eb_rank").head(10)

# %%
CAPTION_DEST = f"{CAPTION_RATE} {DEST_CAVEAT}."
for b in BASEMAPS:
    title = label("Where reunited children had been found, per child",
                  "团圆儿童的找到地（每名儿童）")
    fig, data = hf.map_with_dots(boundaries[b], found, title, cmap="PuBu", colour="#1b4f72")
    save_figure(fig, f"03_found_rate_{b}", data=data, title=title, source=source_line(b),
                caption=f"{CAPTION_DEST} Reunions (2021 scrape), by the province where the "
                        "child was found.")
    title = label("Where adults searching for their birth family live now", "宝贝寻家者现居地")
    panels = [("current_wtt1002_data", POOLED)] + [
        ("current_wtt1002_data", p) for p, _ in PERIOD_PANELS["current_wtt1002_data"]]
    fig, data = hf.small_multiples(boundaries[b], local, panels, title, cmap="PuBu")
    save_figure(fig, f"03_found_rate_periods_{b}", data=data, title=title,
                source=source_line(b),
                caption=f"{CAPTION_DEST} Adults searching (2016 scrape), by the province where "
                        "they live now; all periods pooled, then by period of going missing. "
                        f"{PERIOD_CAPTION}")
plt.show()

# %% [markdown]
# ## 3. Net sources and net destinations
#
# For the two sources with both places, each province gets a rank (1 = highest of 31) of its
# EB rate as a place children went missing and as a place they were found (or live now). The
# difference *destination rank − lost rank* is positive where a province ranks higher as a
# place of loss than as a destination — a net "source" — and negative for a net destination.

# %%
def extremes(source: str, n: int = 5) -> tuple[pd.DataFrame, pd.DataFrame]:
    s = source_dest[source_dest["source"] == source]
    order = s.sort_values(["rank_difference", "adcode"], kind="stable")
    return order.tail(n).iloc[::-1], order.head(n)


for source, what in (("uiuing_success", "reunions"), ("wtt1002_data", "adults searching")):
    src_top, dst_top = extremes(source)
    say(
        f"**{what.capitalize()}** — strongest net sources: "
        + ", ".join(f"{name_en.loc[r.adcode]} ({r.rank_difference:+d})"
                    for r in src_top.itertuples())
        + "; strongest net destinations: "
        + ", ".join(f"{name_en.loc[r.adcode]} ({r.rank_difference:+d})"
                    for r in dst_top.itertuples()) + "."
    )

# %%
RANK_BINS = [-16, -6, 5, 15, 30]
for b in BASEMAPS:
    fig, axes = maps.subplots(1, 2, figsize=(13, 5.8))
    for ax, source in zip(axes, ("uiuing_success", "wtt1002_data"), strict=True):
        sel = source_dest[source_dest["source"] == source]
        gdf = geo.join_to_map(boundaries[b], sel[["adcode", "rank_difference"]])
        maps.diverging_choropleth(ax, gdf, "rank_difference", bins=RANK_BINS,
                                  lowest=-RANK_BINS[-1],
                                  legend_title=label("destination rank − lost rank",
                                                     "目的地排名 − 走失地排名"))
        ax.set_title(label("Reunions (2021 scrape)" if source == "uiuing_success"
                           else "Adults searching (2016 scrape)",
                           "团圆（2021）" if source == "uiuing_success" else "宝贝寻家（2016）"),
                     fontsize=9)
    title = label("Net sources (red) and net destinations (blue) of missing children",
                  "走失儿童的净来源地（红）与净目的地（蓝）")
    fig.suptitle(title, x=0.02, ha="left", fontsize=12, fontweight="bold")
    save_figure(fig, f"03_rank_difference_{b}", data=with_names(source_dest), title=title,
                caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Rank (1 = highest of 31) of the "
                         "empirical-Bayes rate per child as a destination minus the rank as a "
                         "place lost: positive = ranks higher as a place of loss (net source). "
                         "Hong Kong, Macau and Taiwan: no data."),
                source=source_line(b))
plt.show()

# %% [markdown]
# ## 4. Is the pattern more than chance? Global Moran's I
#
# Moran's I measures whether neighbouring provinces have similar rates (positive I: similar
# values cluster; zero: no spatial pattern). Neighbours share a border (queen contiguity);
# Hainan, an island, is linked to its two nearest provinces (the rule is in
# `analysis.geo.province_weights` and the links in `hotspot_neighbours`). The p-value comes
# from random permutations of the rates over the provinces, with a fixed seed.

# %%
island = neighbours[neighbours["rule"] != "queen contiguity"]
hainan = sorted(island.loc[island["province_adcode"] == 460000, "neighbour_adcode"])
pm = moran[(moran["period"] == POOLED) & (moran["rate_kind"] == "eb")]
sig_m = pm[pm["p_sim"] <= 0.05]
say(
    f"The weights hold {len(neighbours)} directed links; Hainan is linked to "
    f"{province_list(hainan)}. Permutations: {PERMUTATIONS:,}, seed {SEED}. Of the "
    f"{len(pm)} pooled measures, **{len(sig_m)}** show significant positive spatial "
    f"autocorrelation of the EB rate at the 5 % level:\n\n"
    + "\n".join(f"* {MEASURE_LABELS[r.measure][0]}: I = {r.moran_i:.3f} "
                f"(permutation p = {r.p_sim:.4f})" for r in pm.itertuples())
)
moran.pivot_table(index=["measure", "period"], columns="rate_kind",
                  values=["moran_i", "p_sim"]).round(4)

# %% [markdown]
# ## 5. Which provinces are hot and cold spots?
#
# Two local tests per province, on the EB rate: the **local Moran** (LISA) flags a province
# whose value and neighbours' values are both high (High-High), both low (Low-Low) or
# opposite (outliers); **Getis–Ord Gi\*** flags a neighbourhood (the province and its
# neighbours) with a high or low total — a hot or cold spot. With 31 tests per map some would
# pass by chance, so the false-discovery rate is controlled (Benjamini–Hochberg). The maps show
# provinces significant after that control in strong colours and those that pass only without
# it in pale colours, labelled "unadjusted only": those are **not** established hot spots.

# %%
ALPHA = 0.05
for m in pooled["measure"].unique():
    sel = hf.map_rows(local, m)
    hot = sel[sel["gi_label"] == hotspots.HOT_SPOT]["adcode"]
    cold = sel[sel["gi_label"] == hotspots.COLD_SPOT]["adcode"]
    hot_u = sel[sel["gi_label_unadjusted"] == hotspots.HOT_SPOT]["adcode"]
    cold_u = sel[sel["gi_label_unadjusted"] == hotspots.COLD_SPOT]["adcode"]
    hh = sel[sel["lisa_cluster"] == "High-High"]["adcode"]
    text = f"**{MEASURE_LABELS[m][0]}.** "
    if len(hot) + len(cold) == 0:
        text += ("No province is a significant Gi* hot or cold spot after false-discovery-rate "
                 f"control. Unadjusted (p ≤ {ALPHA}, not corrected for {len(sel)} tests, so "
                 f"not evidence on its own): hot {province_list(hot_u)}; cold {province_list(cold_u)}.")
    else:
        text += (f"Significant after FDR control: hot spots {province_list(hot)}; cold spots "
                 f"{province_list(cold)}. Significant only without the control: hot "
                 f"{province_list(sorted(set(hot_u) - set(hot)))}; cold "
                 f"{province_list(sorted(set(cold_u) - set(cold)))}.")
    text += f" LISA High-High clusters after FDR: {province_list(hh)}."
    say(text)

# %%
TEST_CAPTION = (f"{casebook.CAVEAT}. Tests on the empirical-Bayes rate per child with "
                f"{PERMUTATIONS:,} seeded conditional permutations; strong colours: significant "
                f"after Benjamini–Hochberg false-discovery-rate control at {ALPHA} over the 31 "
                "provinces of each map; pale: p ≤ 0.05 only without that control (not "
                f"established). {DEST_CAVEAT} (the last two maps). Neighbours: shared border; "
                "Hainan linked to its two nearest provinces.")
for b in BASEMAPS:
    for fdr_col, raw_col, colours, name, title in (
            ("gi_label", "gi_label_unadjusted", hf.GI_COLOURS, "03_gistar",
             label("Hot and cold spots of postings per child (Getis–Ord Gi*)",
                   "每名儿童帖子数的热点与冷点（Getis–Ord Gi*）")),
            ("lisa_cluster", "lisa_cluster_unadjusted", hf.LISA_COLOURS, "03_lisa_clusters",
             label("Clusters and outliers of postings per child (local Moran)",
                   "每名儿童帖子数的聚集与异常（局部Moran）"))):
        fig, data = hf.significance_maps(boundaries[b], local, fdr_col, raw_col, colours, title,
                                         permutations=PERMUTATIONS, alpha=ALPHA)
        save_figure(fig, f"{name}_{b}", data=data, title=title, caption=TEST_CAPTION,
                    source=source_line(b))
plt.show()

# %% [markdown]
# ## 6. From where to where: reunion flows
#
# Each reunion record holds the province where the child went missing and where the child was
# found. The map draws the largest flows between two different provinces; the matrix shows
# every pair, ordered by region (East, Central, West, Northeast) so that movement between
# regions stands out.

# %%
N_FLOWS = 20
reunions = flows[flows["source"] == "uiuing_success"]
between = reunions[~reunions["same_province"]].sort_values(
    ["flow_count", "lost_adcode", "destination_adcode"], ascending=[False, True, True],
    kind="stable")
top_flows = between.head(N_FLOWS).copy()
top_flows["lost_name_en"] = top_flows["lost_adcode"].map(name_en)
top_flows["destination_name_en"] = top_flows["destination_adcode"].map(name_en)
region = crosswalk().set_index("adcode")["region"]
cross_region = between[between["lost_adcode"].map(region)
                       != between["destination_adcode"].map(region)]["flow_count"].sum()
west_to_east = between[(between["lost_adcode"].map(region) == "West")
                       & (between["destination_adcode"].map(region) == "East")]["flow_count"].sum()
first = top_flows.iloc[0]
say(
    f"{DEST_CAVEAT}. Of {reunions['flow_count'].sum():,} reunions with both provinces known, "
    f"{between['flow_count'].sum():,} ({between['flow_count'].sum() / reunions['flow_count'].sum():.0%}) "
    f"crossed a provincial border, and {cross_region:,} crossed between regions — "
    f"{west_to_east:,} of them from the West to the East. The {N_FLOWS} largest flows carry "
    f"{top_flows['flow_count'].sum() / between['flow_count'].sum():.0%} of inter-provincial "
    f"reunions; the largest is **{first.lost_name_en} → {first.destination_name_en}** "
    f"({first.flow_count:,})."
)
top_flows[["lost_name_en", "destination_name_en", "flow_count"]]

# %%
legend_values = sorted({int(top_flows["flow_count"].min()),
                        round(top_flows["flow_count"].median()),
                        int(top_flows["flow_count"].max())})
for b in BASEMAPS:
    fig, ax = plt.subplots(figsize=(8, 6.5))
    drawn = maps.flow_map(ax, boundaries[b], top_flows, origin="lost_adcode",
                          destination="destination_adcode", weight="flow_count",
                          legend_title=label("reunions", "团圆数"), label_names=names,
                          legend_values=legend_values)
    title = label(f"The {N_FLOWS} largest flows of reunited children between provinces",
                  f"团圆儿童最大的{N_FLOWS}条跨省流向")
    ax.set_title(title)
    save_figure(fig, f"03_reunion_flows_{b}", data=top_flows, title=title,
                caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Arrows from the province where "
                         "the child went missing to the province where the child was found "
                         "(reunions of the 2021 scrape), width proportional to the number of "
                         "reunions; flows within one province are not drawn."),
                source=source_line(b))
plt.show()

# %%
REGION_ORDER = ["East", "Central", "West", "Northeast"]
cw = crosswalk()
cw = cw[cw["mainland31"]]
order = (cw.assign(r=cw["region"].map(REGION_ORDER.index))
         .sort_values(["r", "adcode"])["adcode"].astype(int).tolist())
for source, name, title in (
        ("uiuing_success", "03_reunion_od_matrix",
         label("Reunions: where children went missing (rows) and were found (columns)",
               "团圆：走失地（行）与找到地（列）")),
        ("wtt1002_data", "03_adults_od_matrix",
         label("Adults searching: where they went missing (rows) and live now (columns)",
               "宝贝寻家：走失地（行）与现居地（列）"))):
    fig, ax = plt.subplots(figsize=(9.5, 8.5))
    matrix = maps.od_matrix(ax, flows[flows["source"] == source], origin="lost_adcode",
                            destination="destination_adcode", weight="flow_count",
                            order=order, names=names, groups=region,
                            colourbar_label=label("records (log scale)", "记录数（对数刻度）"))
    ax.set_xlabel(label("destination province", "目的地省份"))
    ax.set_ylabel(label("province lost", "走失地省份"))
    ax.set_title(title, fontsize=11)
    long = matrix.stack().rename("flow_count").reset_index()
    long.columns = ["lost_adcode", "destination_adcode", "flow_count"]
    save_figure(fig, name, data=long, title=title,
                caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Every pair of provinces; "
                         "provinces ordered by region (East, Central, West, Northeast; lines "
                         "separate regions); colour on a log scale, white = none."),
                source=SOURCE)
plt.show()

# %% [markdown]
# ## 7. The published geography: court verdicts and the network study
#
# **Xin & Cai** read every child-trafficking sentence of 2014–2016 on China Judgements Online
# and name four hotspot regions: the south-west (Sichuan, Guizhou, Yunnan) supplies children;
# the centre (Shandong, Henan, Hebei) and the east (Jiangsu, Zhejiang) buy them; the south-east
# (Guangdong, Fujian) buys boys and girls and also sells boys. Court cases are trafficking
# convictions; our records are platform postings of every kind of loss, so agreement would mean
# the platform sees the same geography, and disagreement may reflect either.

# %%
say(f"Sources: {compare.XIN_CAI_CITATION}; {compare.WANG_CITATION}.")
xc = hot_cmp[hot_cmp["source"] == "uiuing_success"].copy()
xc.insert(2, "name_en", xc["adcode"].map(name_en))
suppliers = xc[xc["xin_cai_role"] == compare.SUPPLIER]
buyers = xc[xc["xin_cai_role"].isin([compare.BUYER, compare.BOTH])]
adults = hot_cmp[hot_cmp["source"] == "wtt1002_data"]
adult_buyers = adults[adults["xin_cai_role"].isin([compare.BUYER, compare.BOTH])]
missing_top8 = set(hf.map_rows(local, "lost_uiuing_missing").nsmallest(8, "eb_rank")["adcode"])
say(
    f"**Supplier region (south-west).** In the reunion records, "
    f"{suppliers['lost_top8'].sum()} of the {len(suppliers)} south-western provinces are in the "
    f"top eight by lost-side EB rate ({province_list(suppliers.loc[suppliers['lost_top8'], 'adcode'])}), "
    f"and the Gi* hot spots of the lost side after FDR are "
    f"{province_list(xc.loc[xc['lost_gi_label'] == hotspots.HOT_SPOT, 'adcode'])}. In the families' "
    f"postings (2021 scrape) {len(missing_top8 & set(suppliers['adcode']))} of them are in the "
    f"top eight. **Buyer regions (centre, east, south-east).** "
    f"{buyers['destination_top8'].sum()} of the {len(buyers)} buyer provinces are in the top "
    f"eight by the reunions' found-side EB rate "
    f"({province_list(buyers.loc[buyers['destination_top8'], 'adcode'])}); "
    f"{buyers['net_importer'].sum()} are net importers of reunited children "
    f"({province_list(buyers.loc[buyers['net_importer'], 'adcode'])}), and "
    f"{adult_buyers['net_importer'].sum()} are net importers of adults searching. "
    f"Found-side Gi* hot spots after FDR: "
    f"{province_list(xc.loc[xc['destination_gi_label'] == hotspots.HOT_SPOT, 'adcode'])}."
)
xc.drop(columns=["source"])

# %%
XC_COLOURS = {"south-west: suppliers": "#b2182b", "south-east: buyers, sellers of boys": "#e08214",
              "centre: buyers": "#2166ac", "east: buyers": "#67a9cf",
              "not named": "#f4f4f4"}
XC_KEYS = {"southwest": "south-west: suppliers", "southeast": "south-east: buyers, sellers of boys",
           "central": "centre: buyers", "east": "east: buyers", compare.NO_REGION: "not named"}
OURS_COLOURS = {"Gi* hot spot (FDR)": "#b2182b", "Gi* hot spot (unadjusted only)": "#f4a582",
                "top 8 by EB rate, not a hot spot": "#fddbc7", "other": "#f4f4f4"}


BELOW = {"loc": "upper left", "bbox_to_anchor": (0.0, 0.04)}


def ours_category(frame: pd.DataFrame, side: str) -> pd.Series:
    lab, raw, top = (frame[f"{side}_gi_label"], frame[f"{side}_gi_label_unadjusted"],
                     frame[f"{side}_top8"])
    return pd.Series(np.select(
        [lab == hotspots.HOT_SPOT, raw == hotspots.HOT_SPOT, top],
        list(OURS_COLOURS)[:3], "other"), index=frame.index)


for b in BASEMAPS:
    fig, axes = maps.subplots(2, 3, figsize=(16, 11.5), gridspec_kw={"hspace": 0.5})
    axes = axes.ravel()
    xcmap = xc.assign(category=xc["xin_cai_region"].map(XC_KEYS))
    maps.categorical_map(axes[0], geo.join_to_map(boundaries[b], xcmap[["adcode", "category"]]),
                         "category", XC_COLOURS, legend_title=label("Xin & Cai regions",
                                                                     "Xin & Cai 热点地区"),
                         legend_kwargs=BELOW)
    axes[0].set_title(label("Court verdicts 2014–2016 (Xin & Cai)", "判决书 2014—2016（Xin & Cai）"),
                      fontsize=9)
    panels = [(1, "uiuing_success", "lost", "Reunions: where lost"),
              (2, "uiuing_success", "destination", "Reunions: where found"),
              (4, "wtt1002_data", "lost", "Adults searching: where lost"),
              (5, "wtt1002_data", "destination", "Adults searching: where they live now")]
    data = [xcmap[["source", "adcode", "name_en", "xin_cai_region", "xin_cai_role"]]
            .assign(panel="Xin & Cai", category=xcmap["category"])]
    for k, source, side, t in panels:
        sel = hot_cmp[hot_cmp["source"] == source].copy()
        sel["category"] = ours_category(sel, side).to_numpy()
        maps.categorical_map(axes[k], geo.join_to_map(boundaries[b], sel[["adcode", "category"]]),
                             "category", OURS_COLOURS, show_absent=True,
                             legend_title=label("ours (EB rate per child)", "本项目（EB比率）"),
                             legend_kwargs=BELOW)
        axes[k].set_title(t, fontsize=9)
        data.append(sel[["source", "adcode", "xin_cai_region", "xin_cai_role"]]
                    .assign(name_en=sel["adcode"].map(name_en), panel=t,
                            category=sel["category"]))
    axes[3].set_axis_off()
    axes[3].text(0, 0.5, label("Destinations are known only for\nchildren found and adults "
                               "searching.\nPostings, not incidence.",
                               "目的地仅对已找到的儿童\n和寻亲成年人已知。\n帖子数，非发生率。"),
                 fontsize=9, va="center")
    title = label("The court-verdict hotspots next to the platform's",
                  "判决书中的热点地区与平台数据对照")
    fig.suptitle(title, x=0.02, ha="left", fontsize=12, fontweight="bold")
    save_figure(fig, f"03_published_comparison_{b}", data=pd.concat(data, ignore_index=True),
                title=title,
                caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Left: the four hotspot regions "
                         f"Xin & Cai (IJPS 4(2), doi:{compare.XIN_CAI_DOI}) found in the "
                         "child-trafficking sentences of 2014–2016. Other panels: our Gi* hot "
                         "spots of the empirical-Bayes rate per child (after FDR control, or "
                         "unadjusted only) and the top eight provinces by that rate."),
                source=(f"{SOURCE} Xin & Cai, IJPS 4(2), doi:{compare.XIN_CAI_DOI}. "
                        f"{boundaries[b].attrs['attribution']}."))
plt.show()

# %% [markdown]
# **Wang et al.** analysed Baby Come Home records of children trafficked for illegal adoption
# (the same platform, an extract made before 2018). Their figures reached the project through a
# press summary (grade B). The table puts each figure next to the same measure computed from our
# two flow sources; shares of the eight provinces are computed on inter-provincial pairs and on
# all pairs, because the summary does not say which it used.

# %%
fc = flow_cmp.copy()
get = fc.set_index(["measure", "source", "flow_scope"])["our_value"]
pub = fc.set_index(["measure", "source", "flow_scope"])["published_value"]
provinces_of = fc.set_index(["measure", "source", "flow_scope"])["provinces"]
say(
    f"* **Within one province**: Wang et al. {pub['within_province_share', 'wtt1002_data', 'all']:.1%}; "
    f"adults searching {get['within_province_share', 'wtt1002_data', 'all']:.1%}; reunions "
    f"{get['within_province_share', 'uiuing_success', 'all']:.1%}.\n"
    f"* **Eight provinces' share of children trafficked out**: Wang et al. "
    f"{pub['named8_out_share', 'wtt1002_data', 'all']:.1%}; adults searching "
    f"{get['named8_out_share', 'wtt1002_data', 'all']:.1%} (all pairs) / "
    f"{get['named8_out_share', 'wtt1002_data', 'inter-provincial']:.1%} (inter-provincial); "
    f"reunions {get['named8_out_share', 'uiuing_success', 'all']:.1%} / "
    f"{get['named8_out_share', 'uiuing_success', 'inter-provincial']:.1%}.\n"
    f"* **Same eight, share trafficked in**: Wang et al. "
    f"{pub['named8_in_share', 'wtt1002_data', 'all']:.1%}; adults searching "
    f"{get['named8_in_share', 'wtt1002_data', 'all']:.1%} / "
    f"{get['named8_in_share', 'wtt1002_data', 'inter-provincial']:.1%}; reunions "
    f"{get['named8_in_share', 'uiuing_success', 'all']:.1%} / "
    f"{get['named8_in_share', 'uiuing_success', 'inter-provincial']:.1%}.\n"
    f"* **Our own top eight (all pairs)**: for adults searching, "
    f"{get['top8_out_overlap_count', 'wtt1002_data', 'all']:.0f} of the eight largest origins "
    f"and {get['top8_in_overlap_count', 'wtt1002_data', 'all']:.0f} of the eight largest "
    f"destinations are Wang et al.'s eight; for reunions "
    f"{get['top8_out_overlap_count', 'uiuing_success', 'all']:.0f} and "
    f"{get['top8_in_overlap_count', 'uiuing_success', 'all']:.0f}. The reunions' largest "
    f"origins are {provinces_of['top8_out_share', 'uiuing_success', 'all']}.\n"
    f"* **Net importers**: of Wang et al.'s "
    f"{pub['net_importer_count', 'wtt1002_data', 'inter-provincial']:.0f}, "
    f"{get['net_importer_overlap_count', 'wtt1002_data', 'inter-provincial']:.0f} are net "
    f"importers among adults searching and "
    f"{get['net_importer_overlap_count', 'uiuing_success', 'inter-provincial']:.0f} among "
    f"reunions (ours: adults {get['net_importer_count', 'wtt1002_data', 'inter-provincial']:.0f} "
    f"net importers, reunions {get['net_importer_count', 'uiuing_success', 'inter-provincial']:.0f})."
)
fc

# %% [markdown]
# Where we agree and where we do not, and why:
#
# * The **adults searching** (2016 scrape, 宝贝寻家) reproduce Wang et al.'s network closely —
#   the share within one province, the eight dominant provinces and the net importers. That is
#   expected if Wang et al. worked from the same part of the platform in the same years: adults
#   who were taken as children, mostly before 2000, and now live where they were raised.
# * The **reunions** (2021 scrape) look different: few are within one province, and the largest
#   origins are the south-western provinces Xin & Cai call suppliers, while the destinations are
#   the centre, east and south-east. Reunions depend on DNA matching and police campaigns of
#   recent years, which targeted long-distance trafficking; they are not a sample of all
#   missing children.
# * Xin & Cai's regions are **convictions** (2014–2016); our rates are **postings per child**.
#   Provinces where families post a lot (or volunteers are active) can rank high without more
#   children being taken, and the category of loss (abduction, given away, lost) is mostly
#   unrecorded in the scrapes.

# %%
bars = fc[fc["measure"].isin(["within_province_share", "named8_out_share", "named8_in_share"])
          & (fc["flow_scope"] == "all")]
bar_rows = []
for measure, g in bars.groupby("measure", sort=False):
    bar_rows.append({"measure": measure, "series": "Wang et al. 2018 (published)",
                     "share": float(g["published_value"].iloc[0])})
    for r in g.sort_values("source").itertuples():
        bar_rows.append({"measure": measure, "series": casebook.SOURCE_LABELS[r.source],
                         "share": r.our_value})
bar_data = pd.DataFrame(bar_rows)
MEASURE_NAMES = {"within_province_share": label("within one province", "省内"),
                 "named8_out_share": label("out of the eight provinces", "八省流出"),
                 "named8_in_share": label("into the eight provinces", "八省流入")}
fig, ax = plt.subplots(figsize=(9, 4.5))
series = list(dict.fromkeys(bar_data["series"]))
measures = list(dict.fromkeys(bar_data["measure"]))
width = 0.8 / len(series)
for k, s in enumerate(series):
    vals = bar_data[bar_data["series"] == s].set_index("measure").reindex(measures)["share"]
    pos = np.arange(len(measures)) + (k - (len(series) - 1) / 2) * width
    ax.bar(pos, vals, width=width, label=s, color=["#7d8c8d", "#1b4f72", "#c0392b"][k])
    for x, v in zip(pos, vals, strict=True):
        ax.annotate(f"{v:.0%}", (x, v), ha="center", va="bottom", fontsize=7,
                    xytext=(0, 2), textcoords="offset points")
ax.set_xticks(np.arange(len(measures)), [MEASURE_NAMES[m] for m in measures])
ax.set_ylabel(label("share of children", "儿童占比"))
ax.set_ylim(0, 1)
ax.legend(fontsize=8, loc="upper right")
title = label("Wang et al.'s trafficking network next to the platform records",
              "Wang等人的拐卖网络与平台记录对照")
ax.set_title(title, fontsize=11)
save_figure(fig, "03_wang_comparison", data=bar_data, title=title,
            caption=(f"{casebook.CAVEAT}. {DEST_CAVEAT}. Share of lost → destination pairs "
                     "within one province, and the share of children lost in / found in "
                     "Henan, Jiangsu, Shandong, Fujian, Hebei, Sichuan, Guangdong and Anhui "
                     "(all pairs). Wang et al. 2018, Nature Sustainability 1:254–260, "
                     f"doi:{compare.WANG_DOI}; figures as reported by a press summary of the "
                     "paper."),
            source=(f"{SOURCE} Wang et al. 2018, Nature Sustainability, doi:{compare.WANG_DOI} "
                    "(figures as reported by a press summary, grade B)."))
plt.show()

# %% [markdown]
# ## What this does and does not show
#
# * **Postings, not incidence.** Every rate here is postings per child on one volunteer
#   platform, as far as third-party scrapers reached it; the geography of the platform's users
#   and volunteers is part of what the maps show.
# * **Destinations** exist only for children who were found and adults who are searching; they
#   say nothing about children never found.
# * **Hot spots are tested, not eyeballed**: only provinces significant after
#   false-discovery-rate control are called hot or cold spots; pale "unadjusted only" provinces
#   are hints, not findings. With 31 provinces and few neighbours each, the local tests have
#   little power.
# * **Sources are never added together**; each map names its scrape and period.
