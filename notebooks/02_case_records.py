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
from analysis import tables
from analysis.core.accounts import reasons_table, summary_table
from analysis.plots import case_figures as cf
from analysis.plots.save import save_figure
from analysis.plots.style import use_house_style
from analysis.site.prose import say
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
fig, data = cf.coverage_figure(coverage)
files = save_figure(fig, "02_coverage_by_missing_year", data=data, **cf.coverage_text())

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
fig, data = cf.category_figure(category)
files = save_figure(fig, "02_category_shares", data=data, **cf.category_text())

# %% [markdown]
# ## 4. Boys and girls

# %%
sex = casebook.shares(sex_counts, "sex")
boys = cf.boys_share(sex)
say("\n".join(f"* {source}: boys are {share:.0%} of postings." for source, share in boys.items()))
fig, data = cf.sex_figure(sex)
files = save_figure(fig, "02_sex_by_source", data=data, **cf.sex_text(sex))

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
