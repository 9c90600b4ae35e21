"""Frames and sentences of the province inference tables for notebook 08 (pure: tables in,
frames and Markdown out).

Every number a sentence states is read from the tables passed in (``model_period_panel``,
``model_period_panel_loo``, ``model_period_panel_data``, ``model_specification_multiplicity``,
``model_specification_permutation`` and its ``_null``, ``reunion_found_given_lost``); nothing is
fitted or resampled here. Labels are (English, 中文) pairs; the figure builders of
:mod:`analysis.plots.inference_figures` pick the language.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.topics.county_models.views import ci_status
from analysis.topics.model_inference.schema import (
    MIN_CELL,
    MULTIPLICITY_FAMILY,
    PANEL_DESIGNS,
    PANEL_HEADLINE,
    PANEL_KINDS,
    PANEL_MIN_WAVE_POSTINGS,
    PERMUTATION_FAMILIES,
    PERMUTATION_STATISTICS,
    POOLED,
)
from analysis.topics.models.views import EXPOSURE_LABELS
from analysis.vocab.measures import OUTCOME_SHORT
from analysis.vocab.periods import OD_PERIODS
from analysis.vocab.provinces import display_names
from analysis.vocab.settings import ALPHA, significant

#: Design → (English, 中文) block label of the panel coefficient plot.
DESIGN_LABELS: dict[str, tuple[str, str]] = {
    "panel_fe": ("Within provinces: province and wave fixed effects",
                 "省内：省份与波次固定效应"),
    "panel_wave_fe": ("Between and within provinces: wave fixed effects only",
                      "省间与省内：仅波次固定效应"),
    "wave_cross_section": ("The period split: one cross-section of 31 provinces per wave",
                           "分时期：每个波次31个省份的截面"),
}
#: Model kind → (English, 中文) row label.
KIND_LABELS: dict[str, tuple[str, str]] = {
    "poisson": ("Poisson", "泊松"),
    "negbin2": ("negative binomial (NB2)", "负二项（NB2）"),
    "ols_log_rate": ("OLS of the log rate", "对数率OLS"),
}
#: Permutation family → (English, 中文) label.
FAMILY_LABELS: dict[str, tuple[str, str]] = {
    "all": ("All specifications", "全部设定"),
    "missing": ("Missing side (places lost)", "走失方（走失地）"),
    "found_current": ("Found / current side", "找到地/现居地方"),
}
#: Permutation statistic → (English, 中文) label.
STATISTIC_LABELS: dict[str, tuple[str, str]] = {
    "significant": (f"p ≤ {ALPHA}", f"p ≤ {ALPHA}"),
    "significant_positive": (f"p ≤ {ALPHA} and ratio > 1", f"p ≤ {ALPHA}且比值 > 1"),
}
#: Label of the pooled reunion cell (English, 中文).
POOLED_LABELS = (f"others (cells under {MIN_CELL}, pooled)",
                 f"其他省份（不足{MIN_CELL}例，合并）")
#: Lost provinces shown in the reunion figure: those with the most reunions.
REUNION_TOP_LOST = 6
#: Width of the bins of the permutation histograms (specifications).
HISTOGRAM_BIN = 5
#: Columns of ``model_specification_multiplicity`` counted in :func:`multiplicity_counts`:
#: column → (adjustment, what it controls).
ADJUSTMENTS: dict[str, tuple[str, str]] = {
    "p_value": ("none", "nothing: each test at α alone"),
    "p_holm": ("Holm within family", "family-wise error within outcome × exposure"),
    "p_bh": ("Benjamini–Hochberg within family", "false discovery rate within outcome × "
             "exposure"),
    "p_holm_all": ("Holm over all", "family-wise error over every specification"),
    "p_bh_all": ("Benjamini–Hochberg over all", "false discovery rate over every specification"),
    "p_minp_all": ("min-p (Westfall–Young) over all", "family-wise error over every "
                   "specification, with their correlation (permutations)"),
    "p_permutation": ("permutation p of each specification alone", "nothing across tests; "
                      "replaces the model's p by a permutation p"),
}


def _irr(irr: float, lo: float, hi: float, p: float | None = None) -> str:
    core = f"{irr:.2f} (95 % CI {lo:.2f}–{hi:.2f}"
    return core + (f"; p = {p:.2g})" if p is not None else ")")


def _verdict(lo: float, hi: float) -> str:
    if lo > 1:
        return "the interval lies above 1"
    if hi < 1:
        return "the interval lies below 1"
    return "the interval includes 1"


def _exposure(e: str) -> str:
    return EXPOSURE_LABELS[e][0].split(" (")[0].lower() if e in EXPOSURE_LABELS else e


def _names(lang: str = "en") -> pd.Series:
    return display_names(lang)


# --- the period panel ------------------------------------------------------------------------


def panel_view(panel: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``model_period_panel`` in display order (design, kind, wave) with
    ``ci_status``; the columns the coefficient plot draws and the prose cites."""
    d = {k: i for i, k in enumerate(PANEL_DESIGNS)}
    k = {m: i for i, m in enumerate(PANEL_KINDS)}
    w = {x: i for i, x in enumerate([*OD_PERIODS, "stacked"])}
    v = panel.assign(_o=panel["design"].map(d) * 100 + panel["model_kind"].map(k) * 10
                     + panel["wave"].map(w)).sort_values("_o").drop(columns="_o")
    v = v.reset_index(drop=True)
    v["ci_status"] = ci_status(v["irr_ci_low"], v["irr_ci_high"])
    return v[["specification", "design", "model_kind", "wave", "n", "n_provinces", "n_waves",
              "postings_total", "irr_per_sd", "irr_ci_low", "irr_ci_high", "p_value",
              "loo_irr_min", "loo_irr_max", "loo_min_adcode", "loo_max_adcode", "is_headline",
              "ci_status"]]


def headline_row(panel: pd.DataFrame) -> pd.Series:
    """The declared headline row of ``model_period_panel`` (exactly one, checked)."""
    h = panel[panel["is_headline"]]
    if len(h) != 1 or (h["design"].iloc[0], h["model_kind"].iloc[0]) != PANEL_HEADLINE:
        raise ValueError("model_period_panel must hold exactly one headline row, "
                         f"{PANEL_HEADLINE}")
    return h.iloc[0]


def panel_data_sentence(data: pd.DataFrame) -> str:
    """Postings per wave of loss and which waves are fitted (Markdown)."""
    g = data.groupby("wave", sort=False).agg(postings=("postings_count", "sum"),
                                            fitted=("in_panel", "all"))
    g = g.reindex([w for w in OD_PERIODS if w in g.index])
    parts = [f"{w}: {int(r.postings):,}" + ("" if r.fitted else " (not fitted)")
             for w, r in g.iterrows()]
    n_fit = int(g["fitted"].sum())
    return ("Families' postings (2021 scrape) by the O–D wave covering the year of loss — "
            + "; ".join(parts) + f". {n_fit} waves reach {PANEL_MIN_WAVE_POSTINGS} postings "
            f"nationally and are fitted: {int(data.loc[data['in_panel'], 'adcode'].nunique())} "
            f"provinces × {n_fit} waves = {int(data['in_panel'].sum())} province-waves.")


def headline_sentence(panel: pd.DataFrame, lang: str = "en") -> str:
    """The declared headline of the panel, uncertainty first, with its leave-one-out range
    (Markdown)."""
    h = headline_row(panel)
    names = _names(lang)
    return (f"**Primary province result (declared in code before the fit: "
            f"{PANEL_DESIGNS[PANEL_HEADLINE[0]]}; {PANEL_KINDS[PANEL_HEADLINE[1]]}).** Within "
            f"provinces, from one wave to the next, one SD more out-migration "
            f"({h['regressor_sd']:.1f} per 1,000 across the province-waves; the fixed effects "
            f"leave an SD of {h['within_province_sd']:.1f} within provinces) goes with postings "
            f"per child changing by a factor of "
            f"{_irr(h['irr_per_sd'], h['irr_ci_low'], h['irr_ci_high'], h['p_value'])}: "
            f"{_verdict(h['irr_ci_low'], h['irr_ci_high'])}. {int(h['n'])} province-waves, "
            f"{int(h['postings_total']):,} postings. Leaving out one province at a time, the "
            f"ratio ranges from {h['loo_irr_min']:.2f} (without "
            f"{names.loc[int(h['loo_min_adcode'])]}) to {h['loo_irr_max']:.2f} (without "
            f"{names.loc[int(h['loo_max_adcode'])]}).")


def period_split_sentence(panel: pd.DataFrame) -> str:
    """The per-wave cross-sections and the wave-FE panel, and how they compare with the
    headline (Markdown)."""
    v = panel_view(panel)
    cs = v[v["design"] == "wave_cross_section"]
    parts = [f"{r.wave} {_irr(r.irr_per_sd, r.irr_ci_low, r.irr_ci_high)}"
             for r in cs.itertuples()]
    above = cs.loc[cs["ci_status"] == "above 1", "wave"].tolist()
    below = cs.loc[cs["ci_status"] == "below 1", "wave"].tolist()
    wfe = v[(v["design"] == "panel_wave_fe") & (v["model_kind"] == PANEL_HEADLINE[1])].iloc[0]
    h = headline_row(panel)
    out = (f"**The period split** (one cross-section of {int(cs['n'].max())} provinces per "
           f"wave, {KIND_LABELS[cs['model_kind'].iloc[0]][0]}, adjusted for urban share and "
           f"schooling 2010): " + "; ".join(parts) + f". {len(above) + len(below)} of "
           f"{len(cs)} intervals exclude 1"
           + (f" (above 1: {', '.join(above)})" if above else "")
           + (f" (below 1: {', '.join(below)})" if below else "")
           + f". The panel with wave effects only, which compares provinces with each other as "
           f"well as over time: {_irr(wfe['irr_per_sd'], wfe['irr_ci_low'], wfe['irr_ci_high'])}.")
    if above and h["irr_ci_low"] <= 1 <= h["irr_ci_high"]:
        out += (" The association seen **between** provinces in the later waves does not "
                "appear **within** provinces over time: once each province is compared only "
                "with itself, the interval includes 1.")
    return out


def panel_table(panel: pd.DataFrame) -> pd.DataFrame:
    """Display table of every panel row: design, model, wave, ratio (CI), p, leave-one-out
    range, n."""
    v = panel_view(panel)
    loo = [f"{a:.2f}–{b:.2f}" if np.isfinite(a) else "—"
           for a, b in zip(v["loo_irr_min"], v["loo_irr_max"], strict=True)]
    return pd.DataFrame({
        "design": v["design"].map(lambda d: DESIGN_LABELS[d][0]),
        "model": v["model_kind"].map(lambda k: KIND_LABELS[k][0]),
        "wave": v["wave"],
        "ratio per SD (95 % CI)": [f"{r.irr_per_sd:.3f} ({r.irr_ci_low:.3f}–{r.irr_ci_high:.3f})"
                                   for r in v.itertuples()],
        "p": v["p_value"].map(lambda p: f"{p:.3g}"),
        "leave one province out": loo,
        "rows fitted": v["n"], "postings": v["postings_total"],
        "headline": v["is_headline"].map({True: "yes", False: ""})})


# --- the specification curve: permutation test and multiplicity -----------------------------


def permutation_histogram(null: pd.DataFrame, summary: pd.DataFrame,
                          width: int = HISTOGRAM_BIN) -> pd.DataFrame:
    """Binned null distributions of the permutation test, one row per family × statistic ×
    non-empty bin [``bin_low``, ``bin_high``) of the count of significant specifications,
    with the observed count, the null mean and 95th percentile and the permutation p of
    ``model_specification_permutation`` repeated on every row."""
    rows = []
    s = summary.set_index(["family", "statistic"])
    for fam in PERMUTATION_FAMILIES:
        for stat in PERMUTATION_STATISTICS:
            r = s.loc[(fam, stat)]
            vals = null.loc[null["family"] == fam, stat].to_numpy(int)
            low = (vals // width) * width
            b = pd.Series(low).value_counts().sort_index()
            rows.append(pd.DataFrame({
                "family": fam, "statistic": stat, "bin_low": b.index.to_numpy(int),
                "bin_high": b.index.to_numpy(int) + width,
                "permutations_count": b.to_numpy(int),
                "specifications": int(r["specifications"]),
                "observed_count": int(r["observed_count"]),
                "null_mean_count": float(r["null_mean_count"]),
                "null_q95_count": float(r["null_q95_count"]),
                "permutation_p": float(r["permutation_p"]),
                "permutations": int(r["permutations"])}))
    return pd.concat(rows, ignore_index=True)


def permutation_sentence(summary: pd.DataFrame) -> str:
    """The permutation test of the number of significant specifications (Markdown)."""
    s = summary.set_index(["family", "statistic"])
    a = s.loc[("all", "significant")]
    ap = s.loc[("all", "significant_positive")]
    B = int(a["permutations"])
    sides = "; ".join(
        f"{FAMILY_LABELS[f][0].lower()}: {int(s.loc[(f, 'significant'), 'observed_count'])} of "
        f"{int(s.loc[(f, 'significant'), 'specifications'])} (chance "
        f"{s.loc[(f, 'significant'), 'null_mean_count']:.1f}, p = "
        f"{s.loc[(f, 'significant'), 'permutation_p']:.2f})"
        for f in PERMUTATION_FAMILIES if f != "all")
    return (f"**Specification-curve permutation test.** {int(a['observed_count'])} of "
            f"{int(a['specifications'])} specifications ({a['observed_share']:.0%}) have a "
            f"main-exposure p ≤ {ALPHA}. With the exposures permuted across the provinces — "
            f"one permutation for every specification at once, so their correlation is kept — "
            f"{B} permutations give on average {a['null_mean_count']:.1f} such specifications, "
            f"and {a['null_q95_count']:.1f} at the 95th percentile: permutation p = "
            f"{a['permutation_p']:.2f}. Counting only ratios above 1: "
            f"{int(ap['observed_count'])} observed against {ap['null_mean_count']:.1f} by "
            f"chance, p = {ap['permutation_p']:.2f}. By side — {sides}. With {B} permutations "
            f"the smallest attainable p is {1 / (B + 1):.2f}.")


def multiplicity_counts(multiplicity: pd.DataFrame) -> pd.DataFrame:
    """Specifications with an (adjusted) p ≤ α under each column of :data:`ADJUSTMENTS`, and
    how many of them have a ratio above 1."""
    pos = multiplicity["irr_per_sd"] > 1
    return pd.DataFrame([{"adjustment": adj, "controls": what,
                          "significant_count": int(significant(multiplicity[c]).sum()),
                          "positive_count": int((significant(multiplicity[c]) & pos).sum()),
                          "specifications": len(multiplicity)}
                         for c, (adj, what) in ADJUSTMENTS.items()])


def multiplicity_sentence(multiplicity: pd.DataFrame) -> str:
    """How many specifications survive each adjustment, which families hold the Holm
    survivors, and the pooled headline's adjusted p (Markdown)."""
    c = multiplicity_counts(multiplicity).set_index("adjustment")["significant_count"]
    n_fam = multiplicity["family"].nunique()
    holm = multiplicity[significant(multiplicity["p_holm"])]
    fams = holm.groupby(["outcome_measure", "main_exposure"]).size().sort_values(
        ascending=False)
    fam_txt = "; ".join(f"{OUTCOME_SHORT[o][0]} × {_exposure(e)}: {k}"
                        for (o, e), k in fams.items()) or "none"
    main = multiplicity[multiplicity["is_main"]].iloc[0]
    return (f"**Multiplicity.** Unadjusted, {c['none']} of {len(multiplicity)} specifications "
            f"have p ≤ {ALPHA}. Within the {n_fam} pre-declared families ("
            + " × ".join(MULTIPLICITY_FAMILY).replace("_", " ")
            + f"), {c['Holm within family']} survive Holm and {c['Benjamini–Hochberg within family']}"
            f" Benjamini–Hochberg; over all specifications at once, "
            f"{c['Holm over all']} survive Holm, {c['Benjamini–Hochberg over all']} "
            f"Benjamini–Hochberg and {c['min-p (Westfall–Young) over all']} the min-p "
            f"adjustment, which uses the permutations and so allows for the correlation "
            f"between specifications. The Holm survivors within families come from: {fam_txt}. "
            f"The pooled headline of notebook 04 (ratio {main['irr_per_sd']:.2f}, p = "
            f"{main['p_value']:.2f}) has a permutation p of {main['p_permutation']:.2f} and a "
            f"min-p adjusted p of {main['p_minp_all']:.2f}.")


# --- P(found | lost) ----------------------------------------------------------------------------


def reunion_view(reunions: pd.DataFrame, top: int = REUNION_TOP_LOST, lang: str = "en"
                 ) -> pd.DataFrame:
    """The rows of ``reunion_found_given_lost`` of the ``top`` lost provinces with the most
    reunions (ties by adcode), unchanged, ordered by lost total then share, with display
    names ``lost_province`` and ``found_province`` (the pooled cell labelled)."""
    totals = (reunions.groupby("lost_adcode")["lost_total"].first()
              .reset_index().sort_values(["lost_total", "lost_adcode"],
                                         ascending=[False, True]))
    keep = totals["lost_adcode"].head(top).tolist()
    rank = {a: i for i, a in enumerate(keep)}
    v = reunions[reunions["lost_adcode"].isin(keep)].copy()
    v["_r"] = v["lost_adcode"].map(rank)
    v = v.sort_values(["_r", "share"], ascending=[True, False]).drop(columns="_r")
    names = _names(lang)
    pooled = POOLED_LABELS[1] if lang == "zh" else POOLED_LABELS[0]
    v["lost_province"] = v["lost_adcode"].map(lambda a: str(names.loc[int(a)]))
    v["found_province"] = [pooled if g == POOLED else str(names.loc[int(a)])
                           for g, a in zip(v["found_group"], v["found_adcode"], strict=True)]
    return v.reset_index(drop=True)


def same_province_share(reunions: pd.DataFrame) -> float:
    """Share of all reunions in the table's shown same-province cells: a lower bound of the
    share found in the province where lost (a same-province cell under 5 is pooled)."""
    return float(reunions.loc[reunions["same_province"], "flow_count"].sum()
                 / reunions.groupby("lost_adcode")["lost_total"].first().sum())


def reunion_sentence(reunions: pd.DataFrame, lang: str = "en") -> str:
    """P(found | lost): totals, the same-province share, the largest flow and the interval
    widths (Markdown)."""
    names = _names(lang)
    total = int(reunions.groupby("lost_adcode")["lost_total"].first().sum())
    n_lost = reunions["lost_adcode"].nunique()
    prov = reunions[reunions["found_group"] == "province"]
    same = prov[prov["same_province"]]
    top = prov[~prov["same_province"]].sort_values(["flow_count", "share"],
                                                    ascending=False).iloc[0]
    width = (reunions["share_ci_high"] - reunions["share_ci_low"])
    return (f"{total:,} reunions with both provinces known, lost in {n_lost} provinces; "
            f"{len(reunions)} cells are shown ({len(prov)} lost × found province cells of at "
            f"least {MIN_CELL} reunions, the rest pooled per lost province). At least "
            f"{same_province_share(reunions):.0%} of the reunions were found in the province "
            f"where the child was lost (a lower bound: smaller same-province cells are pooled); "
            f"for the {len(same)} provinces whose same-province cell is shown, "
            f"P(found in the same province | lost there) ranges from {same['share'].min():.0%} "
            f"to {same['share'].max():.0%}. The largest flow between provinces: lost in "
            f"{names.loc[int(top['lost_adcode'])]}, found in "
            f"{names.loc[int(top['found_adcode'])]}, {int(top['flow_count'])} of "
            f"{int(top['lost_total'])} ({top['share']:.0%}, 95 % bootstrap interval "
            f"{top['share_ci_low']:.0%}–{top['share_ci_high']:.0%}). The intervals are "
            f"{width.median():.0%} wide in the median cell (up to {width.max():.0%}).")


def reunion_table(view: pd.DataFrame) -> pd.DataFrame:
    """Display table of :func:`reunion_view`: lost and found province, reunions, share and
    interval."""
    return pd.DataFrame({
        "lost in": view["lost_province"], "found in": view["found_province"],
        "reunions": view["flow_count"], "of those lost there": view["lost_total"],
        "P(found | lost) (95 % interval)": [
            f"{r.share:.1%} ({r.share_ci_low:.1%}–{r.share_ci_high:.1%})"
            for r in view.itertuples()]})


__all__ = ["ADJUSTMENTS", "DESIGN_LABELS", "FAMILY_LABELS", "HISTOGRAM_BIN", "KIND_LABELS",
           "POOLED_LABELS", "REUNION_TOP_LOST", "STATISTIC_LABELS", "headline_row",
           "headline_sentence", "multiplicity_counts", "multiplicity_sentence",
           "panel_data_sentence", "panel_table", "panel_view", "period_split_sentence",
           "permutation_histogram", "permutation_sentence", "reunion_sentence",
           "reunion_table", "reunion_view", "same_province_share"]
