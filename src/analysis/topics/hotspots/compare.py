"""The published geography of child trafficking next to ours: Xin & Cai's court-verdict hotspots
and Wang et al.'s Baby Come Home network measures, recomputed from our flows.

Two published studies:

* **Xin & Cai** — "Child trafficking in China: Evidence from sentencing documents",
  *International Journal of Population Studies* 4(2), doi:10.18063/ijps.v4i2.817; all
  sentencing documents of 2014–2016 on China Judgements Online. They name four hotspot regions
  (:data:`analysis.vocab.studies.XIN_CAI_REGIONS`): the south-west supplies children; the
  centre, the east and the south-east buy them (the south-east also sells boys). Written out as
  a constant because the article gives them in prose; row 88 of the curated table (grade A)
  holds the same list.
* **Wang et al. 2018** — Wang Z., Wei L., Peng S. et al., "Child-trafficking networks of illegal
  adoption in China", *Nature Sustainability* 1:254–260; 22,531 province-level Baby Come Home
  records: 58.2 % of trafficking within one province; eight provinces (Henan, Jiangsu,
  Shandong, Fujian, Hebei, Sichuan, Guangdong, Anhui) the origin of 66.3 % of the children
  trafficked out and the destination of 52.9 % of those trafficked in; net importers Henan,
  Hebei, Shandong, Tianjin, Beijing, Chongqing, Fujian, Guangdong; doi:10.1038/s41893-018-0065-5.
  Read from ``data/raw/manual/published_figures_with_quotes.csv`` (rows 89–93, grade B: the
  figures were read in a press summary of the paper, not in the paper) by :func:`read_published`.

Both papers are cited by their DOI (:data:`~analysis.vocab.studies.XIN_CAI_DOI`,
:data:`~analysis.vocab.studies.WANG_DOI`): :func:`read_published`
checks that the curated rows' ``original_url`` is that DOI link and never carries the copy the
figures were read from (``read_via_url``).

Our side: the lost → destination pairs of ``case_flows`` (reunions of the 2021 uiuing scrape:
lost → found; adults searching of the 2016 wtt1002 scrape: lost → living now). **Destinations
are known only for children who were found or adults who are searching**; the flows are postings
on a volunteer platform (all kinds of loss together), not verified trafficking cases.

Definitions used for our measures (the press summary does not say which Wang et al. used, so the
shares of the eight provinces are computed both ways, column ``flow_scope``):

* ``inter-provincial`` — only pairs whose lost and destination provinces differ: "trafficked
  out of p" = lost in p and found elsewhere; "trafficked into p" = found in p, lost elsewhere;
* ``all`` — every pair: "out of p" = lost in p, "into p" = found in p (within-province pairs
  count on both sides).
* net importer: more children found in p from elsewhere than lost in p and found elsewhere
  (``in_flow_count > out_flow_count``); within-province pairs cancel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core.errors import DataError
from analysis.vocab.citations import CITATION_COLUMNS, check_hosts, citation, doi_url, is_context_only
from analysis.vocab.measures import FLOW_SOURCES, PAIRS
from analysis.vocab.periods import HOTSPOT_ALL_PERIODS as POOLED
from analysis.vocab.provinces import MAINLAND31, display_names, to_adcodes
from analysis.vocab.studies import (
    BOTH,
    BUYER,
    FLOW_SCOPES,
    NO_REGION,
    SUPPLIER,
    WANG_CITATION,
    WANG_DOI,
    WANG_STUDY,
    XIN_CAI_CITATION,
    XIN_CAI_DOI,
    XIN_CAI_REGIONS,
)

#: Number of provinces in Wang et al.'s lists (and in our own top lists beside them).
TOP_N = 8

#: Columns read from the curated table (its ``source_url`` is the copy read for some rows and is
#: not read).
PUBLISHED_COLUMNS = ("topic", "publisher", "reference_year", "definition", "geography",
                     "name_zh", "value", "unit", "reliability", "quote", "note",
                     *CITATION_COLUMNS)
TOPIC = "child_trafficking_geography"
#: Figures read from the curated table: id → (text that identifies the row's ``definition``,
#: whether ``value`` must be a number, whether ``name_zh`` lists provinces, the paper's DOI).
PUBLISHED_FIGURES: dict[str, tuple[str, bool, bool, str]] = {
    "xin_cai_suppliers": ("supplier", False, True, XIN_CAI_DOI),
    "wang_records": ("records analysed", True, False, WANG_DOI),
    "wang_within_province": ("within one province", True, False, WANG_DOI),
    "wang_named8_out": ("trafficked out", True, True, WANG_DOI),
    "wang_named8_in": ("trafficked in", True, True, WANG_DOI),
    "wang_net_importers": ("net importing", False, True, WANG_DOI),
}


# --- published figures -----------------------------------------------------------------------


def read_published(path: Path) -> pd.DataFrame:
    """The child-trafficking-geography figures of the curated table, parsed.

    Parameters
    ----------
    path : ``data/raw/manual/published_figures_with_quotes.csv`` (UTF-8, header as
        :data:`PUBLISHED_COLUMNS`)

    Returns
    -------
    DataFrame, one row per :data:`PUBLISHED_FIGURES` id: ``figure``, ``line`` (1-based line in
    the file), ``value`` (float; NaN for lists), ``unit``, ``adcodes`` (tuple of province
    adcodes, empty if none), ``reliability``, ``citation_url`` (the paper's DOI link),
    ``citation_status`` (``original_url_status``), ``quote``.

    Raises
    ------
    DataError
        a column is missing, a figure is missing or found twice, a value is not a number, a
        province name is unknown, a citation is not the paper's DOI or sits at a host recorded
        as ``read_via_url``, or a figure is context only (grade C, original unknown) — naming
        file, row and column.
    """
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in PUBLISHED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(path, f"missing column(s) {missing}; expected {list(PUBLISHED_COLUMNS)}",
                        row=1, column=missing[0])
    rows = []
    topic = frame[frame["topic"] == TOPIC]
    for figure, (marker, numeric, lists, doi) in PUBLISHED_FIGURES.items():
        hit = topic[topic["definition"].str.contains(marker, case=False, regex=False)]
        if len(hit) != 1:
            raise DataError(path, f"expected exactly one {TOPIC} row whose definition contains "
                                  f"{marker!r} (figure {figure}), found {len(hit)}",
                            column="definition")
        idx = hit.index[0]
        line = int(idx) + 2  # header is line 1
        cited, status = citation(hit.at[idx, "original_url"], hit.at[idx, "original_url_status"],
                                 hit.at[idx, "read_via_url"], file=str(path), row=line)
        if is_context_only(hit.at[idx, "reliability"], status):
            raise DataError(path, f"figure {figure}: grade C with no original identified is "
                                  "context, never evidence for a comparison", row=line,
                            column="reliability")
        if cited != doi_url(doi):
            raise DataError(path, f"figure {figure}: original_url {cited!r} is not the paper's "
                                  f"DOI link {doi_url(doi)!r} (papers are cited by DOI)",
                            row=line, column="original_url")
        raw_value = hit.at[idx, "value"].strip()
        if numeric:
            try:
                value = float(raw_value)
            except ValueError:
                raise DataError(path, f"figure {figure}: value {raw_value!r} is not a number",
                                row=line, column="value") from None
        else:
            value = np.nan
        adcodes: tuple[int, ...] = ()
        if lists:
            names = [n.strip() for n in hit.at[idx, "name_zh"].split(";") if n.strip()]
            if not names:
                raise DataError(path, f"figure {figure}: no provinces listed", row=line,
                                column="name_zh")
            try:
                adcodes = tuple(int(a) for a in to_adcodes(names, context=f"{path} line {line}"))
            except Exception as exc:  # UnknownProvinceError → DataError naming the cell
                raise DataError(path, f"figure {figure}: {exc}", row=line,
                                column="name_zh") from None
        rows.append({"figure": figure, "line": line, "value": value,
                     "unit": hit.at[idx, "unit"], "adcodes": adcodes,
                     "reliability": hit.at[idx, "reliability"], "citation_url": cited,
                     "citation_status": status, "quote": hit.at[idx, "quote"]})
    check_hosts((r["citation_url"] for r in rows), frame["read_via_url"], file=str(path))
    return pd.DataFrame(rows)


def published_value(published: pd.DataFrame, figure: str) -> float:
    """The number of one published figure (percent figures stay in percent)."""
    return float(published.set_index("figure").at[figure, "value"])


def published_provinces(published: pd.DataFrame, figure: str) -> tuple[int, ...]:
    """The provinces (adcodes) listed by one published figure."""
    return tuple(published.set_index("figure").at[figure, "adcodes"])


def xin_cai_frame() -> pd.DataFrame:
    """The 31 provinces with Xin & Cai's region and role (``none`` outside the four regions).

    Returns ``adcode, xin_cai_region, xin_cai_role`` sorted by adcode.
    """
    region = dict.fromkeys(MAINLAND31, NO_REGION)
    role = dict.fromkeys(MAINLAND31, NO_REGION)
    for name, (r, adcodes) in XIN_CAI_REGIONS.items():
        for a in adcodes:
            region[a], role[a] = name, r
    ids = sorted(MAINLAND31)
    return pd.DataFrame({"adcode": ids, "xin_cai_region": [region[a] for a in ids],
                         "xin_cai_role": [role[a] for a in ids]})


# --- our flows -------------------------------------------------------------------------------


def _source_flows(flows: pd.DataFrame, source: str) -> pd.DataFrame:
    sel = flows[flows["source"] == source]
    if sel.empty:
        raise ValueError(f"case_flows has no rows for source {source!r}")
    return sel


def flow_balance(flows: pd.DataFrame, source: str) -> pd.DataFrame:
    """Per province: children lost here and found elsewhere, found here from elsewhere, both here.

    Parameters
    ----------
    flows : the ``case_flows`` table
    source : ``uiuing_success`` or ``wtt1002_data``

    Returns
    -------
    31 rows sorted by adcode: ``adcode``, ``lost_count`` (all pairs lost here),
    ``destination_count`` (all pairs with destination here), ``out_flow_count`` (lost here,
    destination elsewhere), ``in_flow_count`` (destination here, lost elsewhere),
    ``within_flow_count``, ``net_inflow_count`` (in − out), ``net_importer`` (bool: in > out).
    """
    f = _source_flows(flows, source)
    ids = sorted(MAINLAND31)
    inter = f[f["lost_adcode"] != f["destination_adcode"]]
    within = f[f["lost_adcode"] == f["destination_adcode"]]

    def total(frame: pd.DataFrame, key: str) -> np.ndarray:
        return frame.groupby(key)["flow_count"].sum().reindex(ids, fill_value=0).to_numpy()

    out = pd.DataFrame({
        "adcode": ids,
        "lost_count": total(f, "lost_adcode"),
        "destination_count": total(f, "destination_adcode"),
        "out_flow_count": total(inter, "lost_adcode"),
        "in_flow_count": total(inter, "destination_adcode"),
        "within_flow_count": total(within, "lost_adcode"),
    })
    out["net_inflow_count"] = out["in_flow_count"] - out["out_flow_count"]
    out["net_importer"] = out["net_inflow_count"] > 0
    for c in out.columns:
        if c != "net_importer":
            out[c] = out[c].astype("int64")
    return out


def _names(adcodes: list[int] | tuple[int, ...]) -> str:
    names = display_names("en")
    return "; ".join(str(names.loc[a]) for a in adcodes)


def top_provinces(balance: pd.DataFrame, column: str, n: int = TOP_N) -> list[int]:
    """The ``n`` provinces with the largest ``column`` (ties broken by adcode)."""
    ordered = balance.sort_values([column, "adcode"], ascending=[False, True], kind="stable")
    return [int(a) for a in ordered["adcode"].head(n)]


def flow_comparison(flows: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """Wang et al.'s measures next to the same measures computed from each flow source.

    Returns
    -------
    The ``published_flow_comparison`` table: one row per (``measure``, ``source``,
    ``flow_scope``): ``study``, ``measure``, ``source``, ``flow_scope`` (``inter-provincial``,
    ``all`` or ``n/a``), ``published_value`` (NaN where the study gives none), ``our_value``,
    ``unit`` (``count`` or ``share``: 0–1), ``provinces`` (English names of the provinces the
    measure is about, ``; ``-separated, or empty), ``definition`` (how ours is computed),
    ``citation_url`` and ``citation_status`` (the study's DOI link, as in :func:`read_published`).
    """
    named8 = published_provinces(published, "wang_named8_out")
    if set(named8) != set(published_provinces(published, "wang_named8_in")):
        raise ValueError("the eight provinces of the out and in shares differ in the curated "
                         "table; the comparison assumes the same eight")
    importers = published_provinces(published, "wang_net_importers")
    study = WANG_STUDY
    wang = published[published["figure"].str.startswith("wang_")]
    cites = sorted(set(zip(wang["citation_url"], wang["citation_status"], strict=True)))
    if len(cites) != 1:
        raise ValueError(f"Wang et al.'s figures carry {len(cites)} citations, expected one: "
                         f"{cites}")
    cite_url, cite_status = cites[0]
    rows = []
    for source in FLOW_SOURCES:
        f = _source_flows(flows, source)
        bal = flow_balance(flows, source)
        total = int(f["flow_count"].sum())
        inter_total = int(bal["out_flow_count"].sum())
        within = int(bal["within_flow_count"].sum())

        def row(measure: str, scope: str, pub: float, ours: float, unit: str,
                provinces: str, definition: str, source: str = source) -> dict:
            return {"study": study, "measure": measure, "source": source, "flow_scope": scope,
                    "published_value": pub, "our_value": float(ours), "unit": unit,
                    "provinces": provinces or None, "definition": definition,
                    "citation_url": cite_url, "citation_status": cite_status}

        rows.append(row("records_count", "all", published_value(published, "wang_records"),
                        total, "count", "", "lost → destination pairs with both provinces "
                        "in the 31 mainland provinces"))
        rows.append(row("within_province_share", "all",
                        published_value(published, "wang_within_province") / 100,
                        within / total, "share", "",
                        "pairs lost and found (or living) in the same province ÷ all pairs"))
        b = bal.set_index("adcode")
        for scope in FLOW_SCOPES:
            out_col, in_col = (("out_flow_count", "in_flow_count") if scope == FLOW_SCOPES[0]
                               else ("lost_count", "destination_count"))
            denom = inter_total if scope == FLOW_SCOPES[0] else total
            rows.append(row("named8_out_share", scope,
                            published_value(published, "wang_named8_out") / 100,
                            b.loc[list(named8), out_col].sum() / denom, "share", _names(named8),
                            f"{out_col} of Wang et al.'s eight provinces ÷ all ({scope})"))
            rows.append(row("named8_in_share", scope,
                            published_value(published, "wang_named8_in") / 100,
                            b.loc[list(named8), in_col].sum() / denom, "share", _names(named8),
                            f"{in_col} of Wang et al.'s eight provinces ÷ all ({scope})"))
            for side, col in (("out", out_col), ("in", in_col)):
                top = top_provinces(bal, col)
                rows.append(row(f"top8_{side}_share", scope, np.nan,
                                b.loc[top, col].sum() / denom, "share", _names(top),
                                f"{col} of our own top {TOP_N} provinces by {col} ÷ all "
                                f"({scope})"))
                rows.append(row(f"top8_{side}_overlap_count", scope, float(TOP_N),
                                len(set(top) & set(named8)), "count",
                                _names(sorted(set(top) & set(named8))),
                                f"how many of our top {TOP_N} by {col} are among Wang et "
                                "al.'s eight"))
        ours_importers = [int(a) for a in bal.loc[bal["net_importer"], "adcode"]]
        rows.append(row("net_importer_count", "inter-provincial", float(len(importers)),
                        len(ours_importers), "count", _names(ours_importers),
                        "provinces with more children found there from elsewhere than lost "
                        "there and found elsewhere"))
        agree = sorted(set(ours_importers) & set(importers))
        rows.append(row("net_importer_overlap_count", "inter-provincial",
                        float(len(importers)), len(agree), "count", _names(agree),
                        "how many of Wang et al.'s net importers are net importers in ours"))
    return pd.DataFrame(rows)


def hotspot_comparison(local: pd.DataFrame, flows: pd.DataFrame, published: pd.DataFrame
                       ) -> pd.DataFrame:
    """Province by province: Xin & Cai's regions and Wang et al.'s lists next to our hot spots.

    Parameters
    ----------
    local : the ``hotspot_local`` table (pooled rows, ``period == "all periods"``, are used)
    flows : the ``case_flows`` table
    published : :func:`read_published`

    Returns
    -------
    The ``published_hotspot_comparison`` table: one row per (``source``, ``adcode``) for the
    two flow sources, with Xin & Cai's ``xin_cai_region`` / ``xin_cai_role``, Wang et al.'s
    ``wang_named8`` and ``wang_net_importer`` (bool), our lost-side and destination-side
    ``*_eb_rank`` (1 = highest EB rate of 31), ``*_top8`` (rank ≤ 8), ``*_gi_label`` (after FDR)
    and ``*_gi_label_unadjusted``, the flow balance (``out_flow_count``, ``in_flow_count``,
    ``within_flow_count``, ``net_inflow_count``, ``net_importer``) and
    ``agrees_net_importer`` (ours = Wang et al.'s).
    """
    named8 = set(published_provinces(published, "wang_named8_out"))
    importers = set(published_provinces(published, "wang_net_importers"))
    xc = xin_cai_frame()
    pooled = local[local["period"] == POOLED]
    parts = []
    for source in FLOW_SOURCES:
        lost_m, dest_m = PAIRS[source]
        frame = xc.copy()
        frame.insert(0, "source", source)
        frame["wang_named8"] = frame["adcode"].isin(named8)
        frame["wang_net_importer"] = frame["adcode"].isin(importers)
        for side, m in (("lost", lost_m), ("destination", dest_m)):
            sel = pooled[pooled["measure"] == m].set_index("adcode").reindex(frame["adcode"])
            if sel["eb_rank"].isna().any():
                raise ValueError(f"hotspot_local lacks provinces for measure {m}")
            frame[f"{side}_eb_rank"] = sel["eb_rank"].to_numpy().astype("int64")
            frame[f"{side}_top8"] = frame[f"{side}_eb_rank"] <= TOP_N
            frame[f"{side}_gi_label"] = sel["gi_label"].to_numpy()
            frame[f"{side}_gi_label_unadjusted"] = sel["gi_label_unadjusted"].to_numpy()
        bal = flow_balance(flows, source)
        frame = frame.merge(bal[["adcode", "out_flow_count", "in_flow_count",
                                 "within_flow_count", "net_inflow_count", "net_importer"]],
                            on="adcode", how="left", validate="one_to_one")
        frame["agrees_net_importer"] = frame["net_importer"] == frame["wang_net_importer"]
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)

__all__ = ["BOTH", "BUYER", "FLOW_SCOPES", "FLOW_SOURCES", "NO_REGION", "POOLED", "SUPPLIER",
           "WANG_CITATION", "WANG_DOI", "XIN_CAI_CITATION", "XIN_CAI_DOI", "XIN_CAI_REGIONS",
           "flow_balance", "flow_comparison", "hotspot_comparison", "published_provinces", "published_value",
           "read_published", "top_provinces", "xin_cai_frame"]
