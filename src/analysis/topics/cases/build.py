"""Aggregates of the case records: counts by province × period × side × category × source, rates
per 100,000 children, lost → found/current flows, and sex × age composition by category.

The record tables are **postings on a volunteer missing-child platform** (Baby Come Home), not
incidence; see :mod:`analysis.sources.cases.common`. Tables built (step ``derive.cases``):

``case_counts``
    one row per (source, side, place_role, category, period, adcode), zero-filled over the 31
    mainland provinces for every combination that occurs. ``place_role`` is ``lost`` (where the
    child went missing) or ``current_or_found`` (where the adult searching lives now, or where
    the child was found). ``period`` is the five-period label of the year the child went missing
    (:data:`analysis.vocab.cases.CASE_PERIODS`): the sources cover different eras (uiuing:
    missing 1999–2021; wtt1002: mostly 1970s–1990s; juvenilexi: 1933–2023), so decades keep
    cells populated while separating eras; ``before 1980`` pools the sparse early years,
    ``2010–2023`` the recent ones, and ``unknown`` holds records without a usable year (and the
    family-places table, which has no dates).
``case_rates``
    one row per (measure, adcode): all periods pooled, postings per 100,000 children aged 0–14 of
    the 2020 census (bulletin) and of 2010 (prefecture census summed to provinces ×
    NBS year-end 2010; an estimate, see ``census_city_province``). Measures are the entries of
    the registry :mod:`analysis.vocab.measures`; sources are never pooled with each other,
    because they are different scrapes of overlapping postings that cannot be deduplicated
    across id spaces.
``case_flows``
    one row per (source, lost_adcode, destination_adcode) with ``flow_count``: reunion pairs of
    ``uiuing_success`` (lost → found) and ``wtt1002_data`` adults (lost → living now); flows within
    one province included (``same_province``). Destinations are known only for children who
    were found or adults who are searching.
``case_composition``
    one row per (source, side, category, sex, age_group): the sex and age-at-missing make-up of
    the postings, for the claims about boys, girls and age at sale.
``case_counts_by_period``
    ``case_counts`` summed over category: place × period (one attribute), published exact.
``case_coverage_by_year``, ``case_category_counts``, ``case_sex_counts``
    postings per source and one attribute (year missing; type of loss; sex): what notebook 02
    shows, published exact.

The record tables are internal (``data/interim/``); these aggregates are what is published.
Tables crossing two or more attributes (``case_counts``: place × category × period;
``case_composition``: category × sex × age) are published under the disclosure rule
(:mod:`analysis.privacy.disclosure`): cells of 1–4 postings suppressed and marked.

Every record read is accounted for: kept (counted in a province) or dropped with the reason
(no province, or outside the 31 mainland provinces).
"""

from __future__ import annotations

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.vocab.cases import (
    FAMILY_SOURCE,
    FAMILY_TABLE,
    RECORD_TABLES,
    UNKNOWN_PERIOD,
    age_group_of,
    period_of,
)
from analysis.vocab.measures import MEASURES
from analysis.vocab.provinces import MAINLAND31

#: Tables this step reads and builds.
NEEDS = (*RECORD_TABLES, FAMILY_TABLE, "census2020_province", "census_city_province")
PROVIDES = ("case_counts", "case_counts_by_period", "case_coverage_by_year", "case_category_counts",
            "case_sex_counts", "case_rates", "case_flows", "case_composition")


def _placed(records: pd.DataFrame, column: str, account: RowAccount, file: str
            ) -> pd.DataFrame:
    """Records with a mainland province in ``column``; the rest dropped with reasons."""
    account.add_read(file, len(records))
    place = records[column]
    none = place.isna()
    outside = ~none & ~place.isin(MAINLAND31)
    account.drop(file, "no province (unknown or unmatched place)", int(none.sum()))
    account.drop(file, "outside the 31 mainland provinces", int(outside.sum()))
    kept = records[~none & ~outside].assign(adcode=place[~none & ~outside].astype("int64"))
    account.add_kept(file, len(kept))
    return kept


def _zero_fill(counts: pd.DataFrame, keys: list[str], value: str) -> pd.DataFrame:
    groups = counts[keys].drop_duplicates()
    grid = groups.merge(pd.DataFrame({"adcode": list(MAINLAND31)}), how="cross")
    out = grid.merge(counts, on=[*keys, "adcode"], how="left")
    out[value] = out[value].fillna(0).astype("int64")
    return out.sort_values([*keys, "adcode"], ignore_index=True)


def case_counts(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, RowAccount]:
    """The ``case_counts`` table and its account (one account line per table × place role)."""
    account = RowAccount("case_counts")
    parts = []
    for name in RECORD_TABLES:
        rec = tables[name]
        for role, column in (("lost", "lost_adcode_province"),
                             ("current_or_found", "current_or_found_adcode_province")):
            if rec[column].isna().all():
                continue  # the source has no such place at all (e.g. uiuing_missing current)
            kept = _placed(rec, column, account, f"{name}:{role}")
            kept = kept.assign(place_role=role, period=period_of(kept["missing_year"]))
            parts.append(kept.groupby(["source", "side", "place_role", "category", "period",
                                       "adcode"]).size().rename("postings_count").reset_index())
    fam = tables[FAMILY_TABLE]
    account.add_read(FAMILY_TABLE, int(fam["lost_postings_count"].sum()))
    account.add_kept(FAMILY_TABLE, int(fam["lost_postings_count"].sum()))
    parts.append(pd.DataFrame({
        "source": FAMILY_SOURCE, "side": "lost", "place_role": "lost", "category": "unknown",
        "period": UNKNOWN_PERIOD, "adcode": fam["adcode"].astype("int64"),
        "postings_count": fam["lost_postings_count"].astype("int64")}))
    counts = pd.concat(parts, ignore_index=True)
    keys = ["source", "side", "place_role", "category", "period"]
    return _zero_fill(counts, keys, "postings_count"), account


def case_rates(counts: pd.DataFrame, children_2020: pd.Series, children_2010: pd.Series
               ) -> pd.DataFrame:
    """Pooled counts per measure and province with rates per 100,000 children aged 0–14.

    ``children_2020`` / ``children_2010``: persons aged 0–14 indexed by adcode.
    """
    rows = []
    for measure, m in MEASURES.items():
        source, side, role = m.source, m.side, m.place_role
        sel = counts[(counts["source"] == source) & (counts["side"] == side)
                     & (counts["place_role"] == role)]
        if sel.empty:
            raise ValueError(f"measure {measure}: no counts for {source}/{side}/{role}")
        n = sel.groupby("adcode")["postings_count"].sum().reindex(list(MAINLAND31),
                                                                  fill_value=0)
        frame = pd.DataFrame({"measure": measure, "source": source, "side": side,
                              "place_role": role, "adcode": n.index,
                              "postings_count": n.to_numpy().astype("int64")})
        c20 = children_2020.reindex(n.index).to_numpy()
        c10 = children_2010.reindex(n.index).to_numpy()
        frame["children_0_14_2020_persons"] = c20.astype("int64")
        frame["postings_per_100k_children_2020"] = n.to_numpy() / c20 * 1e5
        frame["children_0_14_2010_persons"] = c10.astype("int64")
        frame["postings_per_100k_children_2010"] = n.to_numpy() / c10 * 1e5
        frame["share_of_measure"] = n.to_numpy() / n.sum()
        rows.append(frame)
    return pd.concat(rows, ignore_index=True)


def case_flows(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, RowAccount]:
    """Lost → found/current province flows of the two sources that hold both places."""
    account = RowAccount("case_flows")
    parts = []
    for name in ("case_records_uiuing_success", "case_records_wtt1002"):
        rec = tables[name]
        file = name
        account.add_read(file, len(rec))
        lost, dest = rec["lost_adcode_province"], rec["current_or_found_adcode_province"]
        none = lost.isna() | dest.isna()
        outside = ~none & ~(lost.isin(MAINLAND31) & dest.isin(MAINLAND31))
        account.drop(file, "lost or destination province unknown", int(none.sum()))
        account.drop(file, "lost or destination outside the 31 mainland provinces",
                     int(outside.sum()))
        ok = rec[~none & ~outside]
        account.add_kept(file, len(ok))
        parts.append(ok.groupby(["source", "lost_adcode_province",
                                 "current_or_found_adcode_province"]).size()
                     .rename("flow_count").reset_index())
    flows = pd.concat(parts, ignore_index=True).rename(columns={
        "lost_adcode_province": "lost_adcode",
        "current_or_found_adcode_province": "destination_adcode"})
    flows["lost_adcode"] = flows["lost_adcode"].astype("int64")
    flows["destination_adcode"] = flows["destination_adcode"].astype("int64")
    flows["same_province"] = flows["lost_adcode"] == flows["destination_adcode"]
    flows["flow_count"] = flows["flow_count"].astype("int64")
    return flows.sort_values(["source", "lost_adcode", "destination_adcode"],
                             ignore_index=True), account


def case_composition(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, RowAccount]:
    """Sex × age-group make-up of the postings by source, side and category."""
    account = RowAccount("case_composition")
    parts = []
    for name in RECORD_TABLES:
        rec = tables[name]
        account.add_read(name, len(rec))
        account.add_kept(name, len(rec))
        g = rec.assign(age_group=age_group_of(rec["age_at_missing"]))
        parts.append(g.groupby(["source", "side", "category", "sex", "age_group"]).size()
                     .rename("postings_count").reset_index())
    comp = pd.concat(parts, ignore_index=True)
    comp["postings_count"] = comp["postings_count"].astype("int64")
    return comp.sort_values(["source", "side", "category", "sex", "age_group"],
                            ignore_index=True), account


def coverage_by_year(tables: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, RowAccount]:
    """Postings per source and year missing (unknown years kept as an empty year)."""
    account = RowAccount("case_coverage_by_year")
    parts = []
    for name in RECORD_TABLES:
        rec = tables[name]
        account.add_read(name, len(rec))
        account.add_kept(name, len(rec))
        parts.append(rec.groupby(["source", "missing_year"], dropna=False).size()
                     .rename("postings_count").reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["missing_year"] = out["missing_year"].astype("Int64")
    out["postings_count"] = out["postings_count"].astype("int64")
    return out.sort_values(["source", "missing_year"], ignore_index=True), account


def attribute_counts(tables: dict[str, pd.DataFrame], attribute: str, table: str
                     ) -> tuple[pd.DataFrame, RowAccount]:
    """Postings per source, side and one ``attribute`` (``category`` or ``sex``)."""
    account = RowAccount(table)
    parts = []
    for name in RECORD_TABLES:
        rec = tables[name]
        account.add_read(name, len(rec))
        account.add_kept(name, len(rec))
        parts.append(rec.groupby(["source", "side", attribute]).size()
                     .rename("postings_count").reset_index())
    out = pd.concat(parts, ignore_index=True)
    out["postings_count"] = out["postings_count"].astype("int64")
    return out.sort_values(["source", "side", attribute], ignore_index=True), account


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``derive.cases``: needs the case record tables, ``census2020_province`` and
    ``census_city_province``."""
    counts, counts_acc = case_counts(ctx.tables)
    c2020 = ctx.tables["census2020_province"].set_index("adcode")["children_0_14_persons"]
    city = ctx.tables["census_city_province"]
    c2010 = city[city["census_year"] == 2010].set_index("adcode")["children_0_14_persons"]
    rates = case_rates(counts, c2020, c2010)
    rates_acc = RowAccount("case_rates")
    used = pd.Series(False, index=counts.index)
    for m in MEASURES.values():
        used |= ((counts["source"] == m.source) & (counts["side"] == m.side)
                 & (counts["place_role"] == m.place_role))
    rates_acc.add_read("case_counts", len(counts))
    rates_acc.add_kept("case_counts", int(used.sum()))
    rates_acc.drop("case_counts", "in no rate measure", int((~used).sum()))
    flows, flows_acc = case_flows(ctx.tables)
    comp, comp_acc = case_composition(ctx.tables)
    by_period = (counts.groupby(["source", "side", "place_role", "period", "adcode"])
                 ["postings_count"].sum().reset_index())
    by_period_acc = RowAccount("case_counts_by_period")
    by_period_acc.add_read("case_counts", len(counts))
    by_period_acc.add_kept("case_counts", len(counts))
    by_period_acc.note("case_counts", "rows summed over category into one row per period",
                       len(counts) - len(by_period))
    coverage, coverage_acc = coverage_by_year(ctx.tables)
    category, category_acc = attribute_counts(ctx.tables, "category", "case_category_counts")
    sex, sex_acc = attribute_counts(ctx.tables, "sex", "case_sex_counts")
    return [CleanTable("case_counts", counts, counts_acc),
            CleanTable("case_counts_by_period", by_period, by_period_acc),
            CleanTable("case_coverage_by_year", coverage, coverage_acc),
            CleanTable("case_category_counts", category, category_acc),
            CleanTable("case_sex_counts", sex, sex_acc),
            CleanTable("case_rates", rates, rates_acc),
            CleanTable("case_flows", flows, flows_acc),
            CleanTable("case_composition", comp, comp_acc)]
