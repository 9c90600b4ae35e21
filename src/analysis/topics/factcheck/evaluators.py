"""Fact-check evidence: one evaluator per claim of ``data/raw/manual/claims.csv``.

An evaluator computes what our data can say about its claim: the named **facts** its verdict
rule reads (:mod:`analysis.topics.factcheck.rules`), the headline number with its unit, the
evidence text (every number in it computed here) and the figure or table that shows it. It
returns **no verdict**: the verdict is a reviewed value in ``claims.csv``, checked against the
claim's rule by :func:`fact_check`.

Published figures (``published_figures_with_quotes.csv``) carry reliability grades; a grade-C
figure is never evidence, and a figure whose original page is unknown is cited by its publisher,
never by the mirror host it was read from. Case records are postings on a volunteer platform,
not incidence: every evidence text that uses them says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.privacy.disclosure import THRESHOLD
from analysis.topics.factcheck.rules import (
    RULE_TEXT,
    VerdictMismatch,
    apply_rule,
    parse_parameters,
)
from analysis.vocab.citations import is_context_only
from analysis.vocab.county_exposures import BY_ID as COUNTY_EXPOSURE
from analysis.vocab.factcheck import ARTICLES, CANNOT_BE_TESTED, NOT_OBSERVABLE_REASONS, VERDICTS
from analysis.vocab.provinces import name_of, to_adcode
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import HOT_SPOT
from analysis.vocab.wording import POSTINGS_NOT_INCIDENCE as POSTINGS

__all__ = ["C04_DESTINATIONS", "C04_ORIGINS", "EVALUATORS", "VERDICTS", "Evidence",
           "county_evidence", "county_text", "ecological_reading", "estimates_vs_postings",
           "fact_check", "prefecture_corridor", "proxy_check_text"]

#: Bootstrap replicates of the reunion-corridor lift (claim C04).
BOOTSTRAP_REPLICATES = 2000


@dataclass
class Evidence:
    """What the data say about one claim (no verdict: see :mod:`~analysis.topics.factcheck.rules`).

    ``facts`` are the named numbers the claim's rule reads; ``computed_value`` (unit in
    ``computed_unit``) is the headline number, or None."""

    what_our_data_can_say: str
    computed_value: float | None
    computed_unit: str
    evidence: str
    shown_in: str
    facts: dict[str, float | bool | int] = field(default_factory=dict)


Tables = Mapping[str, pd.DataFrame]
Params = Mapping[str, float]


#: Annual abduction estimates quoted in the two articles (claims C01–C03): who, children a year.
QUOTED_ESTIMATES: tuple[tuple[str, str, int], ...] = (
    ("C03", "Chinese government (quoted by Hellmann)", 10_000),
    ("C02", "US State Department (quoted by Hellmann)", 20_000),
    ("C01", "essay on 'Living with Dead Hearts'", 70_000),
    ("C03", "Xunzi Zhijia parents' network (quoted by Hellmann)", 200_000),
)


def source_years(coverage: pd.DataFrame, source: str) -> pd.Series:
    """Postings per known year missing of one ``source``, from ``case_coverage_by_year``
    (index: year, int; values: postings)."""
    rows = coverage[(coverage["source"] == source) & coverage["missing_year"].notna()]
    return rows.set_index(rows["missing_year"].astype(int))["postings_count"].astype(int)


def estimates_vs_postings(coverage: pd.DataFrame, first: int = 2010, last: int = 2020
                          ) -> pd.DataFrame:
    """The quoted annual estimates beside the platform's family postings per year.

    ``coverage``: the ``case_coverage_by_year`` table (source ``uiuing_missing`` is used).
    Returns ``label, kind ('quoted estimate' | 'platform postings'), claim_id, children_per_year``.
    """
    years = source_years(coverage, "uiuing_missing")
    per_year = years[(years.index >= first) & (years.index <= last)].sum() / (last - first + 1)
    rows = [{"label": who, "kind": "quoted estimate", "claim_id": cid,
             "children_per_year": float(n)} for cid, who, n in QUOTED_ESTIMATES]
    rows.append({"label": f"Baby Come Home family postings, {first}–{last} (2021 scrape)",
                 "kind": "platform postings", "claim_id": "",
                 "children_per_year": float(per_year)})
    return pd.DataFrame(rows)


def _pct(x: float) -> str:
    return f"{x:.1%}"



def incidence(t: Tables, params: Params) -> Evidence:
    """C01–C03: how many children are abducted per year (parameter ``claim_value``)."""
    claim_value = float(params.get("claim_value", float("nan")))
    frame = estimates_vs_postings(t["case_coverage_by_year"])
    per_year = float(frame.loc[frame["kind"] == "platform postings", "children_per_year"].iloc[0])
    return Evidence(
        what_our_data_can_say=("Platform postings are a floor of reported cases of every kind "
                               "of loss, not incidence; no public incidence series exists."),
        computed_value=round(per_year, 1), computed_unit="postings per year (uiuing 2021 "
        "scrape, families searching, children missing 2010–2020)",
        evidence=(f"Context, not evidence: the 2021 scrape holds about {per_year:,.0f} family "
                  f"postings per year of going missing in 2010–2020, against a claimed "
                  f"{claim_value:,.0f} abductions a year. These are {POSTINGS}, and most are "
                  "not abductions."),
        shown_in="figure 05_estimates_vs_postings; table case_coverage_by_year",
        facts={"postings_per_year": per_year})


def corridor_lift(flows: pd.DataFrame, origins: list[int], destinations: list[int]
                  ) -> tuple[float, float, float]:
    """Lift of an origin → destination corridor among inter-provincial pairs, with a bootstrap
    95 % interval.

    ``flows``: one row per (``lost_adcode``, ``destination_adcode``) with ``flow_count``
    (inter-provincial pairs only). Lift = (pairs origins → destinations ÷ pairs leaving the
    origins) ÷ (pairs reaching the destinations ÷ all pairs); 1 = the corridor carries the
    destinations' ordinary share. The interval resamples the pairs (multinomial over the cells,
    :data:`BOOTSTRAP_REPLICATES` draws, seed :data:`analysis.vocab.seeds.SEED`), percentile
    2.5–97.5. Returns ``(lift, low, high)``; NaN when a share is undefined.
    """
    counts = flows["flow_count"].to_numpy(dtype=float)
    from_o = flows["lost_adcode"].isin(origins).to_numpy()
    to_d = flows["destination_adcode"].isin(destinations).to_numpy()

    def lift(c: np.ndarray) -> np.ndarray:
        c = np.atleast_2d(c)
        out_o, total = c[:, from_o].sum(axis=1), c.sum(axis=1)
        corridor, into = c[:, from_o & to_d].sum(axis=1), c[:, to_d].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (corridor / out_o) / (into / total)

    total = int(counts.sum())
    if total == 0:
        return float("nan"), float("nan"), float("nan")
    draws = np.random.default_rng(SEED).multinomial(total, counts / total,
                                                     size=BOOTSTRAP_REPLICATES)
    boot = lift(draws)
    boot = boot[np.isfinite(boot)]
    low, high = (np.percentile(boot, [2.5, 97.5]) if boot.size else (np.nan, np.nan))
    return float(lift(counts)[0]), float(low), float(high)


#: The provinces claim C04 names: children sold from (Yunnan, Sichuan) and bought in (Fujian,
#: Guangdong); adcodes.
C04_ORIGINS: tuple[int, ...] = (to_adcode("云南"), to_adcode("四川"))
C04_DESTINATIONS: tuple[int, ...] = (to_adcode("福建"), to_adcode("广东"))

#: Measures of the reunion corridor below the province: where found children went missing and
#: where they were found (``prefecture_case_counts``, ``prefecture_hotspot_local``).
CORRIDOR_MEASURES = {"origins": "lost_uiuing_success", "destinations": "found_uiuing_success"}


def prefecture_corridor(t: Tables, origins: list[int], destinations: list[int]
                        ) -> dict[str, float | int | str]:
    """C04 below the province: the prefecture atlas of reunions (the same postings as the
    province flows, placed at prefecture level).

    For each end of the corridor (origins: ``lost_uiuing_success``, where found children went
    missing; destinations: ``found_uiuing_success``, where they were found) the facts are the
    share of that end's postings in the named provinces placed at prefecture level
    (``prefecture_case_counts``: prefecture rows ÷ prefecture + ``province_only`` rows) and the
    Getis–Ord Gi* hot spots of the measure's prefecture map (``prefecture_hotspot_local``,
    FDR-controlled labels): how many there are, and how many lie in the named provinces.
    Returns ``{}`` when either table is absent; else the facts and ``text`` (the sentence of
    the evidence). Read only as evidence text: the rule (``direction_concentration``) is
    decided on the province flows.
    """
    counts, local = t.get("prefecture_case_counts"), t.get("prefecture_hotspot_local")
    if counts is None or local is None:
        return {}
    out: dict[str, float | int | str] = {}
    parts = []
    for end, provinces in (("origins", origins), ("destinations", destinations)):
        measure = CORRIDOR_MEASURES[end]
        c = counts[(counts["measure"] == measure) & counts["province_adcode"].isin(provinces)]
        placed = int(c.loc[c["row_kind"] == "prefecture", "postings_count"].sum())
        total = int(c["postings_count"].sum())
        hot = local[(local["measure"] == measure) & (local["gi_label"] == HOT_SPOT)]
        inside = hot[hot["adcode"].isin(provinces)]
        where = hot["adcode"].value_counts().sort_index()
        out[f"{end}_prefecture_placed_share"] = placed / total if total else float("nan")
        out[f"{end}_hot_spots"] = len(hot)
        out[f"{end}_hot_spots_in_named"] = len(inside)
        named = " or ".join(name_of(a) for a in provinces)
        side = ("went missing" if end == "origins" else "were found")
        placed_text = (f"{_pct(placed / total)} of the {total:,} reunited children who {side} "
                       f"in {named} are placed at prefecture level" if total else
                       f"no reunited child {side} in {named}")
        hot_text = (f"{len(hot)} hot spot{'s' if len(hot) != 1 else ''} on the map of where "
                    f"reunited children {side} ("
                    + (", ".join(f"{n} in {name_of(a)}" for a, n in where.items()) or "none")
                    + f"), {len(inside)} in {named}")
        parts.append(f"{placed_text}; {hot_text}")
    out["text"] = (" Below the province (prefecture atlas: Gi* on empirical-Bayes rates per "
                   "child, false-discovery rate controlled; postings known only by province "
                   "left out): " + "; ".join(parts) + ". The verdict rests on the province "
                   "flows.")
    return out


def source_destination(t: Tables, params: Params) -> Evidence:
    """C04: children from Yunnan and Sichuan bought in Fujian and Guangdong (reunion flows)."""
    flows = t["case_flows"]
    f = flows[(flows["source"] == "uiuing_success") & ~flows["same_province"].astype(bool)]
    total = int(f["flow_count"].sum())
    src, dst = list(C04_ORIGINS), list(C04_DESTINATIONS)
    corridor = int(f[f["lost_adcode"].isin(src) & f["destination_adcode"].isin(dst)]
                   ["flow_count"].sum())
    out_src = int(f[f["lost_adcode"].isin(src)]["flow_count"].sum())
    into_dst = int(f[f["destination_adcode"].isin(dst)]["flow_count"].sum())
    into = f.groupby("destination_adcode")["flow_count"].sum()
    outof = f.groupby("lost_adcode")["flow_count"].sum()
    net = into.subtract(outof, fill_value=0)
    lift, low, high = corridor_lift(f, src, dst)
    names = dict(zip(src + dst, ["Yunnan", "Sichuan", "Fujian", "Guangdong"], strict=True))
    nets = ", ".join(f"{names[a]} {int(net.get(a, 0)):+d}" for a in src + dst)
    share_src = corridor / out_src if out_src else float("nan")
    share_all = into_dst / total if total else float("nan")
    below = prefecture_corridor(t, src, dst)
    below_text = str(below.pop("text", ""))
    return Evidence(
        what_our_data_can_say=("Reunion records give the province where a child went missing "
                               "and where found: a trafficking geography for found children "
                               "only."),
        computed_value=round(lift, 4) if np.isfinite(lift) else None,
        computed_unit="lift of the Yunnan/Sichuan → Fujian/Guangdong corridor among "
                      "inter-provincial reunion pairs (1 = no concentration)",
        evidence=(f"Of {total:,} inter-provincial reunion pairs, {out_src:,} leave Yunnan or "
                  f"Sichuan and {corridor:,} of those ({_pct(share_src)}) reach Fujian or "
                  f"Guangdong, against {_pct(share_all)} of all pairs: lift {lift:.2f} "
                  f"(bootstrap 95 % interval {low:.2f}–{high:.2f}). Net found − lost: {nets}. "
                  "Destinations are known only for children who were found."
                  + below_text),
        shown_in="table case_flows; notebook 03 reunion flow map; tables "
                 "prefecture_case_counts, prefecture_hotspot_local (notebook 06)",
        facts={"origins_named": len(src), "destinations_named": len(dst),
               "origins_net_senders": sum(int(net.get(a, 0) < 0) for a in src),
               "destinations_net_receivers": sum(int(net.get(a, 0) > 0) for a in dst),
               "lift": lift, "lift_ci_low": low, "lift_ci_high": high, **below})


def henan_guangdong_share(t: Tables, params: Params) -> Evidence:
    """C05: most Xunzi Zhijia parents come from Henan and Guangdong — context from the
    platform's family postings (the claim is about another organisation's members)."""
    rates = t["case_rates"]
    out = []
    for measure in ("lost_uiuing_missing", "lost_wtt1002_family"):
        r = rates[rates["measure"] == measure].set_index("adcode")["postings_count"]
        share = r.loc[[to_adcode("河南"), to_adcode("广东")]].sum() / r.sum()
        out.append((measure, float(share)))
    best = max(s for _, s in out)
    return Evidence(
        what_our_data_can_say=("Where Baby Come Home families say children went missing; the "
                               "claim is about the members of another organisation (寻子之家)."),
        computed_value=round(best, 4),
        computed_unit="largest share of family postings lost in Henan + Guangdong",
        evidence=("Context, not evidence: "
                  + "; ".join(f"{m}: Henan + Guangdong {_pct(s)} of postings" for m, s in out)
                  + f" ({POSTINGS})."),
        shown_in="table case_rates; notebook 03 lost-side maps",
        facts={"henan_guangdong_share": best})


#: How an ecological county association bears on a claim (:func:`ecological_reading`).
CONSISTENT = "ecologically consistent with the claim"
NOT_CONSISTENT = "ecologically not consistent with the claim"
NO_ASSOCIATION = "no association distinguishable from none"
NO_PREDICTION = "the claim predicts no direction here"
#: :data:`CONSISTENT` … as a number for the facts: +1, −1, 0 (no association or no prediction).
READING_SIGN = {CONSISTENT: 1, NOT_CONSISTENT: -1, NO_ASSOCIATION: 0, NO_PREDICTION: 0}

#: County associations that bear on a claim: (claim, outcome measure, specification of
#: ``county_model_estimates`` or check of ``county_model_sensitivity``, term, direction the
#: claim predicts: "above" 1, "below" 1 or None). C06: if left-behind children are at the
#: highest risk, more children go missing where more people have left (families' postings,
#: where the child went missing). C13: if son preference drives demand for boys, more children
#: are found (bought) where boys outnumber girls; the lost side is shown beside it.
COUNTY_EVIDENCE: tuple[tuple[str, str, str, str, str | None], ...] = (
    ("C06", "lost_uiuing_missing", "fe_adjusted", "out_migration_2010_share", "above"),
    ("C06", "lost_uiuing_missing", "sending_only", "out_migration_2010_share", "above"),
    ("C13", "found_uiuing_success", "fe_adjusted", "child_sex_ratio_2010_boys_per_100_girls",
     "above"),
    ("C13", "lost_uiuing_missing", "fe_adjusted", "child_sex_ratio_2010_boys_per_100_girls",
     None),
)
#: Display words of the county outcome measures and fits.
_COUNTY_SIDE = {"lost_uiuing_missing": "families' postings, where the child went missing",
                "found_uiuing_success": "reunions, where the child was found"}
_COUNTY_FIT = {"fe_adjusted": "within provinces (NB2, province fixed effects, controls)",
               "sending_only": "sending counties only (same model)"}


def ecological_reading(low: float, high: float, predicted: str | None) -> str:
    """How a county incidence-rate ratio bears on a claim, from its 95 % interval.

    ``predicted`` is the side of 1 the claim predicts (``"above"`` or ``"below"``) or None.
    Returns :data:`CONSISTENT` when the interval lies wholly on the predicted side,
    :data:`NOT_CONSISTENT` when it lies wholly on the other side, :data:`NO_ASSOCIATION` when
    it contains 1 (or is missing), :data:`NO_PREDICTION` when the claim predicts nothing. An
    ecological reading, never a test of a child's risk (the testability rule).
    """
    if predicted is None:
        return NO_PREDICTION
    if predicted not in ("above", "below"):
        raise ValueError(f"predicted must be 'above', 'below' or None, not {predicted!r}")
    if not (np.isfinite(low) and np.isfinite(high)) or low <= 1 <= high:
        return NO_ASSOCIATION
    above = low > 1
    return CONSISTENT if above == (predicted == "above") else NOT_CONSISTENT


def county_evidence(estimates: pd.DataFrame, sensitivity: pd.DataFrame,
                    claim: str | None = None) -> pd.DataFrame:
    """The county associations of :data:`COUNTY_EVIDENCE` (all, or one ``claim``'s), read.

    ``estimates``: ``county_model_estimates``; ``sensitivity``: ``county_model_sensitivity``
    (a check's row is used when it converged). Returns one row per entry: ``claim_id,
    measure, fit, term, term_label, side, fit_label, irr, ci_low, ci_high, n_units,
    predicted, reading`` (:func:`ecological_reading`); NaN ratios when a fit is missing.
    """
    rows = []
    for cid, measure, fit, term, predicted in COUNTY_EVIDENCE:
        if claim is not None and cid != claim:
            continue
        if fit in set(estimates["spec"]):
            r = estimates[(estimates["measure"] == measure) & (estimates["spec"] == fit)
                          & (estimates["term"] == term)]
        else:
            r = sensitivity[(sensitivity["measure"] == measure) & (sensitivity["check"] == fit)
                            & (sensitivity["term"] == term)
                            & sensitivity["converged"].astype(bool)]
        got = r.iloc[0] if len(r) else None
        irr, low, high = (float("nan"),) * 3 if got is None else (
            float(got["irr"]), float(got["ci_low"]), float(got["ci_high"]))
        rows.append({"claim_id": cid, "measure": measure, "fit": fit, "term": term,
                     "term_label": COUNTY_EXPOSURE[term].label_en,
                     "side": _COUNTY_SIDE[measure], "fit_label": _COUNTY_FIT[fit],
                     "irr": irr, "ci_low": low, "ci_high": high,
                     "n_units": None if got is None else int(got["n_units"]),
                     "predicted": predicted or "",
                     "reading": ecological_reading(low, high, predicted)})
    return pd.DataFrame(rows)


def county_text(rows: pd.DataFrame) -> str:
    """The county rows of one claim (:func:`county_evidence`) as evidence prose: per row the
    exposure, side, fit, county units, ratio per SD with its 95 % interval and the reading;
    "no estimate" for a missing fit."""
    parts = []
    for r in rows.itertuples():
        if not np.isfinite(r.irr):
            parts.append(f"{r.term_label.lower()} ({r.side}, {r.fit_label}): no estimate")
            continue
        parts.append(f"{r.term_label.lower()} ({r.side}, {r.fit_label}, {r.n_units:,} county "
                     f"units): IRR per SD {r.irr:.2f} (95 % CI {r.ci_low:.2f}–{r.ci_high:.2f}), "
                     f"{r.reading}")
    return "; ".join(parts)


def _county_facts(rows: pd.DataFrame) -> dict[str, float]:
    """``county_irr_<i>``, ``county_ci_low_<i>``, ``county_ci_high_<i>``, ``county_reading_<i>``
    (+1 consistent, −1 not consistent, 0 neither) for each row, in order."""
    facts: dict[str, float] = {}
    for i, r in enumerate(rows.itertuples()):
        facts |= {f"county_irr_{i}": r.irr, f"county_ci_low_{i}": r.ci_low,
                  f"county_ci_high_{i}": r.ci_high,
                  f"county_reading_{i}": float(READING_SIGN[r.reading])}
    return facts


def _county_rows(t: Tables, claim: str) -> pd.DataFrame | None:
    est, sens = t.get("county_model_estimates"), t.get("county_model_sensitivity")
    if est is None or sens is None:
        return None
    return county_evidence(est, sens, claim)


def proxy_check_text(check: pd.DataFrame | None) -> str:
    """The county left-behind proxy against the published left-behind figures
    (``county_left_behind_check``), as evidence prose; "" without the table."""
    if check is None or check.empty:
        return ""
    parts = []
    for sid, g in check.groupby("source_id", sort=True):
        r = g.iloc[0]
        rho = "not computable" if pd.isna(r["spearman_rho"]) else f"{r['spearman_rho']:.2f}"
        n = int(r["provinces_count"])
        parts.append(f"{sid} ρ = {rho} over {n} province{'s' if n != 1 else ''}")
    return (" The county left-behind proxy (children per prime-age adult) cannot be checked "
            "against the published left-behind figures, which cover too few provinces ("
            + "; ".join(parts) + ").")


def left_behind_risk(t: Tables, params: Params) -> Evidence:
    """C06: left-behind and migrant children at the highest risk — ecological at best: the
    county models within provinces (:data:`COUNTY_EVIDENCE`), the province model beside them."""
    evidence = ("Context, not evidence: child-level risk cannot be measured with public data; "
                "county and province models relate postings to migration, an ecological "
                "association at best.")
    value, unit, facts = None, "", {}
    county = _county_rows(t, "C06")
    if county is not None and np.isfinite(county["irr"].iloc[0]):
        value = float(county["irr"].iloc[0])
        unit = ("IRR per SD of the county out-migration share 2010, within provinces "
                "(families' postings)")
        facts = _county_facts(county)
        evidence += (" Counties (the claim predicts a ratio above 1: more children missing "
                     "where more people have left): " + county_text(county) + "."
                     + proxy_check_text(t.get("county_left_behind_check")))
    coef = t.get("model_coefficients")
    if coef is not None and not coef.empty:
        main = coef[coef["is_main"].astype(bool) & (coef["term_role"] == "main_exposure")]
        if not main.empty:
            row = main.iloc[0]
            facts["province_irr_per_sd"] = float(row["irr_per_sd"])
            if value is None:
                value = float(row["irr_per_sd"])
                unit = "IRR per SD of the main migration exposure (province model)"
            evidence += (f" Provinces (headline model, {row['model_kind']}, "
                         f"{row['outcome_measure']}, n={int(row['n'])}): incidence-rate ratio "
                         f"per SD of {row['term']} ({row['exposure_period']}) = "
                         f"{row['irr_per_sd']:.2f} (95 % CI {row['irr_ci_low']:.2f}–"
                         f"{row['irr_ci_high']:.2f}), "
                         + ecological_reading(float(row["irr_ci_low"]),
                                              float(row["irr_ci_high"]), "above") + ".")
    evidence += f" {POSTINGS.capitalize()}."
    return Evidence(
        what_our_data_can_say=("Only ecological associations between places' posting rates "
                               "and migration (counties within provinces, provinces); not "
                               "which children are at risk."),
        computed_value=value, computed_unit=unit, evidence=evidence,
        shown_in="figure 05_county_evidence; notebooks 07 and 04; tables "
                 "county_model_estimates, county_model_sensitivity, county_left_behind_check, "
                 "model_coefficients",
        facts=facts)


def sixty_one_million(t: Tables, params: Params) -> Evidence:
    """C07: 61 million left-behind children (ACWF, 2010 census sample)."""
    lb = t["left_behind_children"]
    acwf = lb[(lb["source_id"] == "ACWF2013") & (lb["geography"] == "national")]
    if acwf.empty:
        raise KeyError("left_behind_children has no national ACWF2013 row (claim C07)")
    value = float(acwf["persons"].iloc[0])
    claim = float(params["claim_value"])
    return Evidence(
        what_our_data_can_say="The ACWF estimate from the 2010 census sample is the source.",
        computed_value=value, computed_unit="rural left-behind children aged 0–17 (2010)",
        evidence=(f"ACWF (2013): {value:,.0f} rural children aged 0–17 with one or both parents "
                  f"migrated ({value / claim - 1:+.1%} from the claimed {claim:,.0f}) — but the "
                  "definition is not 'have not seen their parents in three months'; the "
                  "Ministry of Civil Affairs' narrower count (both parents away, under 16) was "
                  "far lower in 2016 and 2018."),
        shown_in="table left_behind_children",
        facts={"value": value, "claim_value": claim,
               "comparator_matches": bool(params.get("comparator_matches", 0))})


def _published(t: Tables, topic: str, year: str, definition: str) -> pd.Series:
    """The one row of ``published_figures`` with this topic, reference year and definition."""
    pf = t["published_figures"]
    rows = pf[(pf["topic"] == topic) & (pf["reference_year"].astype(str) == year)
              & (pf["definition"] == definition)]
    if len(rows) != 1:
        raise KeyError(f"published_figures: {len(rows)} rows for {topic} {year} {definition!r}")
    row = rows.iloc[0]
    if is_context_only(str(row["reliability"]), str(row.get("original_url_status", ""))):
        raise ValueError(f"published figure {topic} {year} is grade C without a known "
                         "original: context only, never evidence")
    return row


def migrant_workers(t: Tables, params: Params) -> Evidence:
    """C08: 250 million migrant workers in cities without a local hukou — against the NBS
    migrant-worker survey, with the census count of people away from their hukou as context."""
    h = t["census_hukou_province"]
    by = h.groupby("census_year")[["hukou_elsewhere_persons"]].sum()
    away_2010 = int(by.loc[2010, "hukou_elsewhere_persons"])
    away_2020 = int(by.loc[2020, "hukou_elsewhere_persons"])
    nbs = _published(t, "migrant_workers", "2020", "农民工 total")
    value, claim = float(nbs["value"]), float(params["claim_value"])
    status = str(nbs.get("original_url_status", "") or "unknown")
    status_text = ("the publisher's own page is not identified" if status == "unknown"
                   else f"original page: {nbs['original_url']}, {status}")
    return Evidence(
        what_our_data_can_say=("The NBS migrant-worker survey counts migrant workers (2020 here); "
                               "the census counts everyone living away from their hukou."),
        computed_value=value, computed_unit="migrant workers (农民工), NBS survey 2020",
        evidence=(f"NBS, 2020 migrant-worker monitoring survey ({status_text}): {value:,.0f} migrant "
                  f"workers ({value / claim:.2f} × the claimed {claim:,.0f}), a later year than "
                  f"the claim's. Census context: {away_2010:,} people lived outside their hukou "
                  f"township in 2010 ({away_2020:,} in 2020, including moves between districts "
                  "of one city), a broader group than workers."),
        shown_in="table census_hukou_province; published_figures_with_quotes.csv",
        facts={"value": value, "claim_value": claim, "census_away_2010": float(away_2010),
               "comparator_matches": bool(params.get("comparator_matches", 0))})


#: The four cities of claim C09: (name, province adcode for a municipality, prefecture code
#: of a city inside a province).
C09_CITIES: tuple[tuple[str, int | None, int | None], ...] = (
    ("Beijing", 110000, None), ("Shanghai", 310000, None), ("Guangzhou", None, 440100),
    ("Shenzhen", None, 440300))


def city_hukou_bounds(t: Tables, province: int | None, prefecture: int | None
                      ) -> tuple[float, float] | None:
    """Bounds of the share of a city's 2020 residents without a local hukou.

    Lower bound: hukou in another province ÷ residents. Upper bound, for a city inside a
    province: (another province + another county-level unit of the province) ÷ residents — the
    second group mixes people from other cities of the province (no local hukou) with people
    registered in another district of the same city (local hukou). For a municipality both
    bounds are the other-province share (another district of the municipality is local).
    Province rows from ``census_hukou_province``, city rows summed over the leaf counties of
    ``census_county`` (2020). None when the table has no rows for the place.
    """
    if province is not None:
        h = t["census_hukou_province"]
        row = h[(h["census_year"] == 2020) & (h["adcode"] == province)]
        if row.empty:
            return None
        share = float(row["other_province_share"].iloc[0])
        return share, share
    c = t["census_county"]
    rows = c[(c["census_year"] == 2020) & (c["prefecture_code"] == prefecture)]
    if rows.empty:
        return None
    residents = float(rows["population_persons"].sum())
    other_province = float(rows["hukou_elsewhere_other_province_persons"].sum())
    other_county = float(rows["hukou_elsewhere_other_county_persons"].sum())
    return other_province / residents, (other_province + other_county) / residents


def big_city_share(t: Tables, params: Params) -> Evidence:
    """C09: a third of Beijing, Shanghai, Guangzhou, Shenzhen residents lack a local hukou
    (parameter ``threshold``). A city meets it when the lower bound of its share
    (:func:`city_hukou_bounds`) reaches it, fails when the upper bound stays below, and is not
    decided (not checked) when the bounds straddle it."""
    threshold = float(params["threshold"])
    bounds = {name: city_hukou_bounds(t, province, prefecture)
              for name, province, prefecture in C09_CITIES}
    meeting = [n for n, b in bounds.items() if b is not None and b[0] >= threshold]
    failing = [n for n, b in bounds.items() if b is not None and b[1] < threshold]
    undecided = [n for n in bounds if n not in meeting and n not in failing]

    def show(name: str) -> str:
        b = bounds[name]
        if b is None:
            return f"{name} no data"
        return f"{name} {_pct(b[0])}" if b[0] == b[1] else f"{name} {_pct(b[0])}–{_pct(b[1])}"

    lows = [b[0] for b in bounds.values() if b is not None]
    return Evidence(
        what_our_data_can_say=("Bounds of the share of residents without a local hukou (2020 "
                               "census; cities inside Guangdong from the county tables)."),
        computed_value=round(min(lows), 4) if lows else None,
        computed_unit="lowest lower bound (hukou in another province ÷ residents) among the "
                      "four cities, 2020",
        evidence=("2020 census, residents without a local hukou (lower bound: hukou in another "
                  "province; upper bound adds hukou in another county of the province): "
                  + ", ".join(show(n) for n, *_ in C09_CITIES)
                  + f"; threshold {_pct(threshold)}"
                  + (f"; not decided by the bounds: {', '.join(undecided)}" if undecided
                     else "") + "."),
        shown_in="tables census_hukou_province, census_county",
        facts={"places_named": len(C09_CITIES), "places_checked": len(meeting) + len(failing),
               "places_meeting": len(meeting)})


def urban_share(t: Tables, params: Params) -> Evidence:
    """C10: urban share rose from 20 % to 54 % over three decades (parameters ``end_year``,
    ``end_share``; the start point has no data here)."""
    c = t["census_city_province"]
    out = {}
    for year, g in c.groupby("census_year"):
        covered = g["population_covered_persons"].astype(float) * g["urban_coverage_share"] / \
            g["population_coverage_share"]
        ok = g["urban_share"].notna()
        out[int(year)] = float((g.loc[ok, "urban_share"] * covered[ok]).sum() / covered[ok].sum())
    end_year, end_share = int(params["end_year"]), float(params["end_share"])
    at_end = out[2010] + (out[2020] - out[2010]) * (end_year - 2010) / 10
    return Evidence(
        what_our_data_can_say=("Census urban shares for 2010 and 2020 (prefecture census, "
                               "population-weighted); no 1980s data here."),
        computed_value=round(at_end, 4), computed_unit=f"urban share of residents in {end_year}, "
        "interpolated between the 2010 and 2020 censuses",
        evidence=(f"Urban share {_pct(out[2010])} in 2010 and {_pct(out[2020])} in 2020 "
                  f"(provinces with an urban/rural split), {_pct(at_end)} in {end_year} by "
                  f"linear interpolation against the claimed {_pct(end_share)}; the 1980s "
                  "starting point cannot be checked with these tables."),
        shown_in="table census_city_province",
        facts={"endpoints_named": 2, "endpoints_checked": 1,
               "largest_miss": abs(at_end - end_share)})


def published_only(claim: str) -> Callable[[Tables, Params], Evidence]:
    """Claims with no public data behind them at all (C11, C12, C17)."""

    def evaluate(t: Tables, params: Params) -> Evidence:
        return Evidence(
            what_our_data_can_say=f"Nothing: {claim}.", computed_value=None, computed_unit="",
            evidence="No public machine-readable data reached by this project can test it.",
            shown_in="")

    return evaluate


def publishable_share(part: float, rest: float) -> float | None:
    """``part ÷ (part + rest)``, or None when either count is a small cell (1 to
    :data:`~analysis.privacy.disclosure.THRESHOLD` − 1 postings, or suppressed: NA) — a share
    and a published total would reveal it (:mod:`analysis.privacy.disclosure`)."""
    if pd.isna(part) or pd.isna(rest):
        return None
    part, rest = float(part), float(rest)
    if any(0 < x < THRESHOLD for x in (part, rest)) or part + rest == 0:
        return None
    return part / (part + rest)


def _share_text(share: float | None) -> str:
    return _pct(share) if share is not None else f"not shown (a cell of fewer than {THRESHOLD})"


def boys_and_girls(t: Tables, params: Params) -> Evidence:
    """C13: boys sell for more; demand for boys — sex of children in postings by category, as
    context (prices are in no posting). Shares resting on a cell of fewer than five postings are
    not shown (:func:`publishable_share`)."""
    c = t["case_composition"]
    known = c[c["category"].isin(["abducted", "given_away", "abandoned"])
              & c["sex"].isin(["male", "female"])]
    g = known.groupby(["category", "sex"])["postings_count"].sum(min_count=1).unstack()
    boys = {cat: publishable_share(g.loc[cat].get("male", 0), g.loc[cat].get("female", 0))
            for cat in ("abducted", "given_away", "abandoned") if cat in g.index}
    fam = c[(c["source"] == "uiuing_missing") & c["sex"].isin(["male", "female"])]
    fam_sex = fam.groupby("sex")["postings_count"].sum(min_count=1)
    fam_boys = publishable_share(fam_sex.get("male", 0), fam_sex.get("female", 0))
    abducted = boys.get("abducted")
    county = _county_rows(t, "C13")
    son_text = ("" if county is None else
                " Son preference, counties (the claim predicts a ratio above 1 where "
                "children are found, that is bought): " + county_text(county) + ".")
    county_irr = (None if county is None or not np.isfinite(county["irr"].iloc[0])
                  else float(county["irr"].iloc[0]))
    return Evidence(
        what_our_data_can_say=("Sex of children in postings by type of loss, and how postings "
                               "vary with counties' child sex ratio; prices and the reason a "
                               "child was taken are in no posting."),
        computed_value=(county_irr if county_irr is not None
                        else None if abducted is None else round(abducted, 4)),
        computed_unit=("IRR per SD of the county child sex ratio 0–4 (2010), reunions where "
                       "the child was found, within provinces" if county_irr is not None
                       else "share of boys among postings marked abducted"),
        evidence=(f"Context, not evidence: share of boys among postings marked abducted "
                  f"{_share_text(abducted)}; given away {_share_text(boys.get('given_away'))}; "
                  f"abandoned {_share_text(boys.get('abandoned'))}; all family postings (2021 "
                  f"scrape) {_share_text(fam_boys)}. The type of loss is recorded for few "
                  f"postings.{son_text} {POSTINGS.capitalize()}."),
        shown_in="figures 02_sex_by_source, 05_county_evidence; tables case_composition, "
                 "county_model_estimates",
        facts=({} if abducted is None else {"boys_share_abducted": abducted})
        | ({} if county is None else _county_facts(county)))


def young_children(t: Tables, params: Params) -> Evidence:
    """C14: children up to five are mostly sold for adoption — age when missing by type of loss,
    as context (what happened afterwards is in no posting); small cells as in
    :func:`boys_and_girls`."""
    c = t["case_composition"]
    known = c[c["age_group"] != "unknown"]
    young = known["age_group"].isin(["under 1", "1–2", "3–5"])
    sums = known.assign(young=young).groupby(["category", "young"])["postings_count"].sum(
        min_count=1).unstack()
    share = {cat: publishable_share(sums.loc[cat].get(True, 0), sums.loc[cat].get(False, 0))
             for cat in sums.index}
    given, abducted = share.get("given_away"), share.get("abducted")
    return Evidence(
        what_our_data_can_say=("Age when missing by type of loss; what happened to the child "
                               "afterwards is not in the postings."),
        computed_value=None if given is None else round(given, 4),
        computed_unit="share aged under 6 among postings marked given away",
        evidence=(f"Context, not evidence: share of children under six among postings marked "
                  f"given away {_share_text(given)}; marked abducted {_share_text(abducted)}; "
                  "the postings cannot show whether they were adopted. "
                  f"{POSTINGS.capitalize()}."),
        shown_in="table case_composition",
        facts={} if given is None else {"under_six_share_given_away": given})


def since_the_1980s(t: Tables, params: Params) -> Evidence:
    """C15: child trafficking has skyrocketed since the 1980s — postings by decade missing, as
    context (postings do not observe incidence)."""
    per_year = source_years(t["case_coverage_by_year"], "wtt1002_data")
    year = per_year.index
    decade = {d: int(per_year[(year >= d) & (year <= d + 9)].sum()) for d in (1970, 1980, 1990)}
    peak = int(per_year.sort_index().idxmax())
    rise = decade[1980] / decade[1970] if decade[1970] else float("nan")
    after = decade[1990] / decade[1980] if decade[1980] else float("nan")
    return Evidence(
        what_our_data_can_say=("Postings by the decade a child went missing; old cases are "
                               "under-posted and recent ones not yet posted."),
        computed_value=round(float(rise), 3), computed_unit="postings of the 1980s ÷ 1970s "
        "(adults searching, 2016 scrape)",
        evidence=(f"Context, not evidence: adults searching (2016 scrape) went missing: "
                  f"{decade[1970]:,} in the 1970s, {decade[1980]:,} in the 1980s "
                  f"({rise:.1f}×), {decade[1990]:,} in the 1990s ({after:.2f}× the 1980s); the "
                  "peak year is "
                  f"{peak}. Who posts, and when, shapes this curve as much as any trend."),
        shown_in="figure 02_coverage_by_missing_year; table case_coverage_by_year",
        facts={"ratio_1980s_1970s": rise, "ratio_1990s_1980s": after})


def reunions(t: Tables, params: Params) -> Evidence:
    """C16: Baby Come Home has 20,000 volunteers and reunited more than 600 families (parameter
    ``claim_count``; the records must be dated to test the claim's date)."""
    coverage = t["case_coverage_by_year"]
    rows = coverage[coverage["source"] == "uiuing_success"]
    n = int(rows["postings_count"].sum())
    dated = bool(rows["missing_year"].notna().any()) if len(rows) else False
    claim = float(params["claim_count"])
    return Evidence(
        what_our_data_can_say="Reunion records in one scrape (volunteer numbers are not public).",
        computed_value=float(n), computed_unit="reunion pairs in the 2021 scrape",
        evidence=(f"One 2021 scrape lists {n:,} reunions, more than the claimed {claim:,.0f}; the "
                  "records carry " + ("dates" if dated else "no dates") + ", so the count by "
                  "the claim's date (about 2013) cannot be checked, nor the volunteer numbers."),
        shown_in="table case_coverage_by_year (source uiuing_success)",
        facts={"count": n, "claim_count": claim, "dated": dated})


EVALUATORS: dict[str, Callable[[Tables, Params], Evidence]] = {
    "C01": incidence,
    "C02": incidence,
    "C03": incidence,
    "C04": source_destination,
    "C05": henan_guangdong_share,
    "C06": left_behind_risk,
    "C07": sixty_one_million,
    "C08": migrant_workers,
    "C09": big_city_share,
    "C10": urban_share,
    "C11": published_only("the number of migrant children is an NBS estimate we cannot "
                          "recompute"),
    "C12": published_only("police rescue statistics are not published as data"),
    "C13": boys_and_girls,
    "C14": young_children,
    "C15": since_the_1980s,
    "C16": reunions,
    "C17": published_only("police practice is not recorded in any public dataset"),
}


def check_verdict(claim: Mapping[str, str], evidence: Evidence) -> str:
    """The reviewed verdict of ``claim`` (a row of ``claims.csv``) after checking it against its
    rule applied to ``evidence``.

    Raises :class:`~analysis.topics.factcheck.rules.VerdictMismatch` naming the claim, both
    verdicts and the facts when they disagree, or when the ``observable`` field and the rule
    disagree (a claim not observable must use ``not_observable``, an observable one must not).
    """
    cid, rule, reviewed = claim["claim_id"], claim["rule"], claim["verdict"]
    observable = claim["observable"] == "yes"
    if observable == (rule == "not_observable"):
        raise VerdictMismatch(
            f"{cid}: observable={claim['observable']} but rule {rule}: the testability rule "
            "decides 'cannot be tested' for every claim whose quantity is not observed, and "
            "only for those")
    computed = apply_rule(rule, evidence.facts, parse_parameters(claim.get("rule_parameters")))
    if computed != reviewed:
        raise VerdictMismatch(
            f"{cid}: the reviewed verdict in claims.csv is {reviewed!r}, but rule {rule} on the "
            f"evidence gives {computed!r} (facts: {evidence.facts}); review the claim and update "
            "data/raw/manual/claims.csv (and its SHA256SUMS line) if the verdict should change")
    return reviewed


def fact_check(claims: pd.DataFrame, t: Tables) -> pd.DataFrame:
    """One row per reviewed claim: the claim, its article, what our data can say, the computed
    number, the reviewed verdict (checked against its rule), the rule, the evidence and where it
    is shown.

    ``claims``: ``claims.csv`` as read by :func:`analysis.topics.factcheck.build.read_claims`.
    Raises ``KeyError`` naming a claim without an evaluator and
    :class:`~analysis.topics.factcheck.rules.VerdictMismatch` when a verdict disagrees with its
    rule.
    """
    rows = []
    for claim in claims.to_dict("records"):
        cid = claim["claim_id"]
        if cid not in EVALUATORS:
            raise KeyError(f"claim {cid} has no evaluator in analysis.topics.factcheck.evaluators")
        if claim["verdict"] not in VERDICTS:
            raise ValueError(f"{cid}: unknown verdict {claim['verdict']!r}")
        ev = EVALUATORS[cid](t, parse_parameters(claim.get("rule_parameters")))
        verdict = check_verdict(claim, ev)
        reason = NOT_OBSERVABLE_REASONS.get(str(claim.get("not_observable_because") or ""), "")
        title, url, _ = ARTICLES[claim["article"]]
        rows.append({"claim_id": cid, "article": claim["article"], "article_citation": title,
                     "article_url": url or None,
                     "claim": claim["claim"], "quoted_words": claim["quoted_words"],
                     "what_our_data_can_say": ev.what_our_data_can_say,
                     "computed_value": ev.computed_value, "computed_unit": ev.computed_unit,
                     "verdict": verdict, "rule": claim["rule"],
                     "rule_text": RULE_TEXT[claim["rule"]]
                     + (f" — {reason}" if verdict == CANNOT_BE_TESTED and reason else ""),
                     "verdict_reason": claim["verdict_reason"],
                     "verdict_before_review": claim["verdict_before_review"],
                     "reviewed_by": claim["reviewed_by"], "reviewed_on": claim["reviewed_on"],
                     "evidence": ev.evidence, "shown_in": ev.shown_in})
    out = pd.DataFrame(rows)
    out["computed_value"] = out["computed_value"].astype(float)
    return out
