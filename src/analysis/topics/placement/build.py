"""Postings below the province (step ``topics.placement``): how finely each posting is placed,
and the counts per measure for every prefecture and every harmonised county unit.

The case steps place every posting at the finest level its code or text allows
(:meth:`analysis.sources.cases.common.PlaceMatcher.place`, through ``place_gazetteer``); the
province of a posting is the one ``case_counts`` uses, unchanged. Tables built:

``case_placement_summary``
    per source × place role × level × basis: postings, and how many of them agree with the
    record's own province (``agree`` / ``disagree`` / ``not compared``). Fixed strings only.
``prefecture_case_counts``
    per measure (:data:`analysis.vocab.measures.REGISTRY`, all seven: every source gives
    prefecture places) one row per mainland unit of ``census_prefecture`` (367, zero-filled;
    ``row_kind = prefecture``) and one row per province (31, ``row_kind = province_only``)
    holding the postings known only at province level. Per measure and province the rows sum
    exactly to ``case_rates.postings_count`` (checked here: the build stops otherwise).
``county_case_counts``
    per measure one row per harmonised unit of ``census_county_crosswalk`` (2,589, zero-filled)
    with the postings placed at county level and the county covariates of both censuses
    (sums of the member leaves; null when a member's cell is missing). Postings known only at
    prefecture level are in ``prefecture_case_counts.postings_county_placed_count``' complement.

Every posting of a measure is counted in exactly one row of ``prefecture_case_counts``; the row
accounts say how many sit in the province-only rows and how many have no county.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.errors import DataError
from analysis.core.step import BuildContext, CleanTable
from analysis.topics.placement.schema import COVARIATES, covariate_columns
from analysis.vocab.cases import (
    FAMILY_RECORDS_TABLE,
    FAMILY_SOURCE,
    PLACE_LEVELS,
    PLACE_ROLES,
    PROVINCE_CHECKS,
    RECORD_TABLES,
)
from analysis.vocab.measures import MEASURES, Measure
from analysis.vocab.provinces import MAINLAND31

PREFECTURES = "census_prefecture"
COUNTIES = "census_county"
CROSSWALK = "census_county_crosswalk"
RATES = "case_rates"
SUMMARY_TABLE = "case_placement_summary"
PREFECTURE_TABLE = "prefecture_case_counts"
COUNTY_TABLE = "county_case_counts"

NEEDS = (*RECORD_TABLES, FAMILY_RECORDS_TABLE, PREFECTURES, COUNTIES, CROSSWALK, RATES)
PROVIDES = (SUMMARY_TABLE, PREFECTURE_TABLE, COUNTY_TABLE)

#: One account line for the postings of all measures (per-measure counts are in the tables;
#: small per-line counts in an account risk equalling a posting id, which the guard refuses)
ACCOUNT_FILE = "postings of every measure (case record tables, family places)"
PREFECTURE_ROW = "prefecture"
PROVINCE_ONLY_ROW = "province_only"

def all_records(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The record tables and the family places, one frame (columns of the family table;
    missing columns null)."""
    parts = [tables[name] for name in RECORD_TABLES] + [tables[FAMILY_RECORDS_TABLE]]
    return pd.concat(parts, ignore_index=True)


def measure_places(records: pd.DataFrame, m: Measure) -> pd.DataFrame:
    """Postings of measure ``m`` in the 31 mainland provinces (as counted by ``case_counts``):
    columns ``province``, ``prefecture``, ``unit``, ``level``."""
    sel = records["source"] == m.source
    if m.source != FAMILY_SOURCE:
        sel &= records["side"] == m.side
    rec = records[sel]
    role = m.place_role
    prov = rec[f"{role}_adcode_province"]
    rec = rec[prov.isin(MAINLAND31)]
    return pd.DataFrame({
        "province": rec[f"{role}_adcode_province"].astype("int64"),
        "prefecture": rec[f"{role}_adcode_prefecture"].astype("Int64"),
        "unit": rec[f"{role}_adcode_county_unit"].astype("Int64"),
        "level": rec[f"{role}_place_level"].astype(str),
    }).reset_index(drop=True)


def placement_summary(records: pd.DataFrame) -> tuple[pd.DataFrame, RowAccount]:
    """``case_placement_summary`` and its account."""
    account = RowAccount(SUMMARY_TABLE)
    parts = []
    for source, rec in records.groupby("source", sort=False):
        for role in PLACE_ROLES:
            level = rec[f"{role}_place_level"]
            if level.isna().all():
                continue  # the source has no such place
            file = f"{source}:{role}"
            account.add_read(file, len(rec))
            account.add_kept(file, len(rec))
            g = pd.DataFrame({"place_level": level.astype(str),
                              "place_basis": rec[f"{role}_place_basis"].astype(str),
                              "check": rec[f"{role}_province_check"].astype(str)})
            counts = pd.crosstab([g["place_level"], g["place_basis"]], g["check"])
            counts = counts.reindex(columns=list(PROVINCE_CHECKS), fill_value=0)
            out = counts.reset_index()
            out.columns = ["place_level", "place_basis", "province_agree_count",
                           "province_disagree_count", "province_not_compared_count"]
            out["postings_count"] = out[["province_agree_count", "province_disagree_count",
                                         "province_not_compared_count"]].sum(axis=1)
            out.insert(0, "place_role", role)
            out.insert(0, "source", str(source))
            parts.append(out)
    table = pd.concat(parts, ignore_index=True)
    order = {lv: i for i, lv in enumerate(PLACE_LEVELS)}
    table = table.assign(_o=table["place_level"].map(order)).sort_values(
        ["source", "place_role", "_o", "postings_count", "place_basis"],
        ascending=[True, True, True, False, True], ignore_index=True).drop(columns="_o")
    cols = ["source", "place_role", "place_level", "place_basis", "postings_count",
            "province_agree_count", "province_disagree_count", "province_not_compared_count"]
    table = table[cols]
    for c in cols[4:]:
        table[c] = table[c].astype("int64")
    return table, account


def _children(prefectures: pd.DataFrame) -> dict[int, pd.Series]:
    return {y: prefectures[prefectures["census_year"] == y].set_index("prefecture_adcode")
            ["age_0_14_persons"] for y in (2010, 2020)}


def prefecture_counts(records: pd.DataFrame, prefectures: pd.DataFrame, rates: pd.DataFrame
                      ) -> tuple[pd.DataFrame, RowAccount]:
    """``prefecture_case_counts`` and its account; raises :class:`DataError` when a measure's
    rows do not sum to ``case_rates`` per province."""
    account = RowAccount(PREFECTURE_TABLE)
    units = prefectures[(prefectures["census_year"] == 2020)
                        & prefectures["adcode"].isin(MAINLAND31)]
    units = units[["prefecture_adcode", "prefecture_name_zh", "adcode"]].sort_values(
        "prefecture_adcode")
    codes = set(units["prefecture_adcode"])
    children = _children(prefectures)
    frames = []
    for mid, m in MEASURES.items():
        p = measure_places(records, m)
        file = ACCOUNT_FILE
        account.add_read(file, len(p))
        placed = p["prefecture"].notna() & p["prefecture"].isin(codes)
        stray = p["prefecture"].notna() & ~p["prefecture"].isin(codes)
        if stray.any():
            raise DataError(PREFECTURE_TABLE, f"measure {mid}: prefecture codes "
                            f"{sorted(set(p.loc[stray, 'prefecture']))[:5]} are not units of "
                            f"{PREFECTURES}")
        wrong = placed & (p["prefecture"] // 10000 * 10000 != p["province"])
        if wrong.any():
            raise DataError(PREFECTURE_TABLE, f"measure {mid}: a prefecture outside its "
                            "posting's province")
        account.add_kept(file, len(p))
        n = p[placed].groupby("prefecture").size()
        nc = p[placed & (p["level"] == "county")].groupby("prefecture").size()
        rows = units.assign(
            measure=mid, row_kind=PREFECTURE_ROW,
            postings_count=units["prefecture_adcode"].map(n).fillna(0).astype("int64"),
            postings_county_placed_count=units["prefecture_adcode"].map(nc).fillna(0)
            .astype("int64"),
            children_year=m.children_year,
            children_0_14_persons=units["prefecture_adcode"].map(
                children[m.children_year]).astype("Int64"))
        po = p[~placed].groupby("province").size()
        prov = pd.DataFrame({
            "prefecture_adcode": list(MAINLAND31), "prefecture_name_zh": None,
            "adcode": list(MAINLAND31), "measure": mid, "row_kind": PROVINCE_ONLY_ROW,
            "postings_count": [int(po.get(a, 0)) for a in MAINLAND31],
            "postings_county_placed_count": 0, "children_year": m.children_year,
            "children_0_14_persons": pd.array([pd.NA] * len(MAINLAND31), dtype="Int64")})
        frames += [rows, prov]
    out = pd.concat(frames, ignore_index=True).rename(columns={
        "prefecture_adcode": "prefecture_code", "adcode": "province_adcode"})
    kind = {PREFECTURE_ROW: 0, PROVINCE_ONLY_ROW: 1}
    order = {mid: i for i, mid in enumerate(MEASURES)}
    out = out.assign(_m=out["measure"].map(order), _k=out["row_kind"].map(kind)).sort_values(
        ["_m", "province_adcode", "_k", "prefecture_code"], ignore_index=True)
    cols = ["measure", "row_kind", "prefecture_code", "prefecture_name_zh", "province_adcode",
            "postings_count", "postings_county_placed_count", "children_year",
            "children_0_14_persons"]
    out = out[cols]
    for c in ("prefecture_code", "province_adcode", "postings_count",
              "postings_county_placed_count", "children_year"):
        out[c] = out[c].astype("int64")
    out["prefecture_name_zh"] = out["prefecture_name_zh"].astype("str")
    check_province_sums(out, rates)
    return out, account


def check_province_sums(counts: pd.DataFrame, rates: pd.DataFrame) -> None:
    """Raise :class:`DataError` unless the rows of every measure and province sum to
    ``case_rates.postings_count``."""
    ours = counts.groupby(["measure", "province_adcode"])["postings_count"].sum()
    theirs = rates.set_index(["measure", "adcode"])["postings_count"]
    theirs.index = theirs.index.set_names(["measure", "province_adcode"])
    diff = ours.reindex(theirs.index, fill_value=0) - theirs
    if (diff != 0).any() or len(ours) != len(theirs):
        bad = diff[diff != 0].head(3).to_dict()
        raise DataError(PREFECTURE_TABLE, f"prefecture counts do not sum to {RATES} per "
                        f"province: {bad}")


def unit_covariates(counties: pd.DataFrame, xwalk: pd.DataFrame) -> pd.DataFrame:
    """Covariates of :data:`COVARIATES` summed per harmonised unit (null when a member's cell
    is missing), indexed by ``harmonised_code``; plus the agriculture shares."""
    unit = xwalk.set_index(["census_year", "code"])["harmonised_code"]
    frames = {}
    for year in (2010, 2020):
        t = counties[counties["census_year"] == year]
        h = unit.loc[year].reindex(t["county_code"]).to_numpy()
        cols = [f"{n}_persons" for n, ys in COVARIATES.items() if year in ys]
        vals = t[cols].astype("Float64")
        sums = vals.groupby(h).sum(min_count=1).where(~vals.isna().groupby(h).any())
        sums.columns = [("children_0_14" if c == "age_0_14_persons" else c[:-len("_persons")])
                        + f"_{year}_persons" for c in cols]
        frames[year] = sums
    out = pd.concat(frames.values(), axis=1)
    for year in (2010, 2020):
        emp = out[f"employed_sample_{year}_persons"]
        agr = out[f"agriculture_occupation_sample_{year}_persons"]
        out[f"agriculture_occupation_{year}_share"] = (agr / emp).where(emp > 0).astype(
            "float64")
    return out


def county_counts(records: pd.DataFrame, counties: pd.DataFrame, xwalk: pd.DataFrame
                  ) -> tuple[pd.DataFrame, RowAccount]:
    """``county_case_counts`` and its account."""
    account = RowAccount(COUNTY_TABLE)
    units = (xwalk.groupby("harmonised_code")
             .agg(county_name_zh=("harmonised_name_zh", "first"),
                  prefecture_code=("harmonised_prefecture_code", "first"),
                  province_adcode=("harmonised_adcode", "first"),
                  members_2010_count=("census_year", lambda s: int((s == 2010).sum())),
                  members_2020_count=("census_year", lambda s: int((s == 2020).sum())))
             .reset_index().rename(columns={"harmonised_code": "county_code"}))
    cov = unit_covariates(counties, xwalk)
    codes = set(units["county_code"])
    frames = []
    for mid, m in MEASURES.items():
        p = measure_places(records, m)
        account.add_read(ACCOUNT_FILE, len(p))
        at = p["unit"].notna()
        stray = at & ~p["unit"].isin(codes)
        if stray.any():
            raise DataError(COUNTY_TABLE, f"measure {mid}: county units not in {CROSSWALK}")
        account.add_kept(ACCOUNT_FILE, int(at.sum()))
        account.drop(ACCOUNT_FILE, "not placed at county level (prefecture or province only)",
                     int((~at).sum()))
        n = p[at].groupby("unit").size()
        frames.append(units.assign(
            measure=mid,
            postings_count=units["county_code"].map(n).fillna(0).astype("int64")))
    out = pd.concat(frames, ignore_index=True)
    out = out.merge(cov, left_on="county_code", right_index=True, how="left")
    order = {mid: i for i, mid in enumerate(MEASURES)}
    out = out.assign(_m=out["measure"].map(order)).sort_values(
        ["_m", "county_code"], ignore_index=True)
    cols = ["measure", "county_code", "county_name_zh", "prefecture_code", "province_adcode",
            "members_2010_count", "members_2020_count", "postings_count",
            *covariate_columns()]
    out = out[cols]
    for c in ("county_code", "prefecture_code", "province_adcode", "members_2010_count",
              "members_2020_count", "postings_count"):
        out[c] = out[c].astype("int64")
    for c in covariate_columns():
        if c.endswith("_persons"):
            out[c] = out[c].round().astype("Int64")
    out["county_name_zh"] = out["county_name_zh"].astype("str")
    return out, account


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``topics.placement``: the placement account and the prefecture and county counts
    of every measure."""
    records = all_records(ctx.tables)
    summary, summary_acc = placement_summary(records)
    pref, pref_acc = prefecture_counts(records, ctx.tables[PREFECTURES], ctx.tables[RATES])
    county, county_acc = county_counts(records, ctx.tables[COUNTIES], ctx.tables[CROSSWALK])
    return [CleanTable(SUMMARY_TABLE, summary, summary_acc),
            CleanTable(PREFECTURE_TABLE, pref, pref_acc),
            CleanTable(COUNTY_TABLE, county, county_acc)]
