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
# # 02 — The case records: what the Baby Come Home scrapes hold, and what they cannot say
#
# > **These are postings on a volunteer missing-child platform, not verified abductions and not
# > incidence.** Families post a missing child (家寻宝贝), adults post to find their birth family
# > (宝贝寻家), and volunteers record reunions. Whether a child appears depends on internet access,
# > awareness and volunteers, and on what each third-party scraper happened to reach. The place a
# > child went missing is not the child's hukou province.
#
# No public police or court dataset of child-abduction cases by province exists; these scrapes
# are the best public record. This notebook shows how every raw row was accounted for, what
# years and kinds of loss each scrape covers, and who the children are by sex. No names, photos,
# exact dates, descriptions, posting ids or contacts leave the cleaning step, and no table shown
# here has one row per posting: the per-posting tables stay internal, and what is published is
# counted (a cell with very few postings that crosses two or more attributes is suppressed).

# %%
import matplotlib.pyplot as plt
import seaborn as sns

from analysis import tables
from analysis.core.accounts import reasons_table, summary_table
from analysis.figures import label, save_figure, use_house_style
from analysis.prose import say
from analysis.topics.cases import views as casebook

use_house_style()
accounts = casebook.accounts()
coverage_table = tables.read("case_coverage_by_year")
category_counts = tables.read("case_category_counts")
sex_counts = tables.read("case_sex_counts")


# %% [markdown]
# ## 1. Every row accounted for
#
# Rows read = rows kept + rows dropped, per raw file. *Recovered* rows were repaired (a record
# missing its closing brace in `Missing.json`, which is not valid JSON as a whole);
# *deduplicated* rows repeat a posting id already kept; *notes* count kept rows in which a defect
# was handled (an impossible date set to missing, an unmatched place left without a province).

# %%
summary = summary_table(accounts)
total_read, total_kept = summary["read"].sum(), summary["kept"].sum()
say(
    f"Across the six raw files **{total_read:,}** rows were read and **{total_kept:,}** kept; "
    f"{summary['deduplicated'].sum():,} were duplicates of a posting already kept and "
    f"{summary['dropped_other'].sum():,} were dropped for other reasons (no usable province in "
    f"the places-only table). {summary['recovered'].sum():,} record was repaired rather than lost."
)
summary

# %%
reasons = reasons_table(accounts)
reasons.sort_values(["table", "kind", "rows"], ascending=[True, True, False])

# %% [markdown]
# ## 2. Which years each scrape covers
#
# The scrapes are not samples of one population: they were taken in different years from
# different parts of the platform.

# %%
coverage = casebook.coverage_by_year(coverage_table)
years = casebook.year_coverage_summary(coverage_table)
say("\n".join(
    f"* **{r.source_label}**: {r.postings_count:,} postings; year of going missing known for "
    f"{r.known_year_share:.0%}" + (f", median {r.year_median:.0f}, 80 % between "
                                   f"{r.year_p10:.0f} and {r.year_p90:.0f}."
                                   if r.known_year_share > 0 else " (the file has no dates).")
    for r in years.itertuples()))
years

# %%
fig, ax = plt.subplots(figsize=(9, 4.5))
for source_label, g in coverage.groupby("source_label", sort=True):
    ax.plot(g["missing_year"], g["postings_count"], label=source_label, linewidth=1.6)
ax.set_xlabel(label("year the child went missing", "失踪年份"))
ax.set_ylabel(label("postings per year", "每年帖子数"))
ax.set_title(label("Case postings by year the child went missing, by scrape",
                   "按失踪年份统计的寻亲帖子（按抓取来源）"))
ax.legend(fontsize=8)
save_figure(
    fig, "02_coverage_by_missing_year", data=coverage,
    title=label("Case postings by year the child went missing, by scrape",
                "按失踪年份统计的寻亲帖子（按抓取来源）"),
    caption=(f"{casebook.CAVEAT}. Each line is one third-party scrape of the platform; they "
             "cover different eras and sides and cannot be added together. Reunion pairs have "
             "no dates."),
    source=casebook.SOURCE_LINE,
)
plt.show()

# %% [markdown]
# ## 3. What kind of loss: mostly unrecorded
#
# The category comes from the platform's own label where a scrape kept it, else from a marker in
# the posting's title such as （送养） (given away) or （遗弃） (abandoned), else it is *unknown*
# (rules in `analysis.sources.cases.common`). A platform-wide 2022 scrape (Juvenile-XI, README)
# reported children given away as the largest group, ahead of lost and abducted children; our
# scrapes mostly did not keep the field.

# %%
category = casebook.shares(category_counts, "category")
unknown = category[category["category"] == "unknown"].set_index("source")["share"]
say(
    f"The category is unknown for {unknown.min():.0%} to {unknown.max():.0%} of postings "
    f"depending on the scrape, so **no map in this project is split by category**: a "
    f"province's postings are all kinds of loss together, of which abduction is one."
)
pivot = category.pivot(index="source_label", columns="category", values="share").fillna(0)
fig, ax = plt.subplots(figsize=(9, 3.8))
left = None
colours = dict(zip(pivot.columns, sns.color_palette("Set2", len(pivot.columns)), strict=True))
for col in pivot.columns:
    ax.barh(pivot.index, pivot[col], left=left, label=col, color=colours[col])
    left = pivot[col] if left is None else left + pivot[col]
ax.set_xlabel(label("share of postings", "占帖子比例"))
ax.set_title(label("Type of loss recorded in each scrape", "各来源记录的走失类型"))
ax.legend(fontsize=8, ncols=3, loc="upper center", bbox_to_anchor=(0.5, -0.2))
save_figure(
    fig, "02_category_shares", data=category,
    title=label("Type of loss recorded in each scrape", "各来源记录的走失类型"),
    caption=(f"{casebook.CAVEAT}. Category from the platform's label, else a title marker, "
             "else unknown; most scrapes did not keep it."),
    source=casebook.SOURCE_LINE,
)
plt.show()

# %% [markdown]
# ## 4. Boys and girls

# %%
sex = casebook.shares(sex_counts, "sex")
known = sex[sex["sex"] != "unknown"]
boys = known[known["sex"] == "male"].set_index("source_label")["share"]
say("\n".join(f"* {label}: boys are {share:.0%} of postings." for label, share in boys.items()))
boys_families = boys[casebook.SOURCE_LABELS["uiuing_missing"]]
boys_adults = boys[casebook.SOURCE_LABELS["wtt1002_data"]]
fig, ax = plt.subplots(figsize=(8, 3.5))
sns.barplot(data=known, y="source_label", x="share", hue="sex", ax=ax,
            palette={"male": "#1b4f72", "female": "#c0392b"})
ax.set_xlabel(label("share of postings", "占帖子比例"))
ax.set_ylabel("")
ax.set_title(label("Sex of the children in the postings", "帖子中儿童的性别"))
save_figure(
    fig, "02_sex_by_source", data=sex,
    title=label("Sex of the children in the postings, by scrape", "帖子中儿童的性别（按来源）"),
    caption=(f"{casebook.CAVEAT}. Boys are {boys_families:.0%} of the children families search "
             f"for (2021 scrape) but {boys_adults:.0%} of the adults searching for their birth "
             "family (2016 scrape); the type of loss is rarely recorded."),
    source=casebook.SOURCE_LINE,
)
plt.show()

# %% [markdown]
# ## Caveats to carry into every map
#
# * **Postings, not incidence.** Counts measure who posted on one volunteer platform and what a
#   scraper reached, not how many children went missing or were abducted.
# * **Internet access and awareness** differ between provinces and eras; the 2016 and 2021
#   scrapes over-represent recent, connected families.
# * **Place lost ≠ hukou province**, and destinations are known only for children who were found
#   or adults who are searching.
# * **Sources are never added together**: they are overlapping scrapes in different id spaces.
