"""Frames and sentences of the county model tables for notebook 07 (pure: tables in, frames out).

Every number a sentence states is read from the tables passed in; nothing is fitted here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.topics.county_models.schema import CHECKS, COUNTY_MODEL_MEASURES, COUNTY_SPECS, HEADLINE
from analysis.vocab.county_exposures import BY_ID, MODEL_EXPOSURES
from analysis.vocab.settings import ALPHA, MORAN_PERMUTATIONS

#: Side labels (EN, 中文).
SIDE_LABELS = {"lost": ("Lost side: families' postings (where the child went missing)",
                        "走失地：家长寻子帖子"),
               "found": ("Found side: reunions (where the child was found)",
                         "找到地：团圆案例（孩子被找到的地方）")}
#: Specification labels (EN, 中文).
SPEC_LABELS = {"fe_adjusted": ("province FE, adjusted", "省固定效应，调整"),
               "fe_exposures": ("province FE, exposures only", "省固定效应，仅暴露"),
               "pooled_adjusted": ("no FE, adjusted", "无固定效应，调整"),
               "pooled_exposures": ("no FE, exposures only", "无固定效应，仅暴露")}
#: Check labels (EN, 中文).
CHECK_LABELS = {"negbin2": ("NB2 (reported)", "负二项（报告）"),
                "poisson": ("Poisson", "泊松"), "zinb": ("zero-inflated NB2", "零膨胀负二项"),
                "sending_only": ("sending counties only", "仅人口流出县"),
                "loo_province": ("leave one province out (range)", "逐一剔除省份（范围）")}


def ci_status(low: pd.Series, high: pd.Series) -> pd.Series:
    """``above 1`` / ``below 1`` / ``includes 1`` of 95 % CIs of ratios."""
    return pd.Series(["above 1" if lo > 1 else "below 1" if hi < 1 else "includes 1"
                      for lo, hi in zip(low, high, strict=True)], index=low.index)


def exposure_estimates(estimates: pd.DataFrame) -> pd.DataFrame:
    """The exposure rows of ``county_model_estimates`` in display order (measure, spec, term)
    with ``side`` and ``ci_status``."""
    e = estimates[estimates["term_role"] == "exposure"].copy()
    e["side"] = e["measure"].map(COUNTY_MODEL_MEASURES)
    e["ci_status"] = ci_status(e["ci_low"], e["ci_high"])
    order = {m: i for i, m in enumerate(COUNTY_MODEL_MEASURES)}
    sorder = {s: i for i, s in enumerate(COUNTY_SPECS)}
    torder = {t: i for i, t in enumerate(MODEL_EXPOSURES)}
    e = e.sort_values(by=["measure", "spec", "term"],
                      key=lambda c: c.map({**order, **sorder, **torder}))
    return e.reset_index(drop=True)[["measure", "side", "spec", "term", "irr", "ci_low",
                                     "ci_high", "p", "ci_status", "sd", "n_units",
                                     "n_postings", "fe", "is_headline"]]


def _irr(r: pd.Series) -> str:
    return f"{r['irr']:.3f} (95 % CI {r['ci_low']:.3f}–{r['ci_high']:.3f}; p = {r['p']:.3g})"


def headline_sentence(estimates: pd.DataFrame) -> str:
    """The headline model in one paragraph, uncertainty first (Markdown)."""
    e = exposure_estimates(estimates)
    h = e[(e["measure"] == HEADLINE[0]) & (e["spec"] == HEADLINE[1])].set_index("term")
    out, sex = (h.loc[t] for t in MODEL_EXPOSURES)
    return (f"**Headline (declared before the fit): {SPEC_LABELS[HEADLINE[1]][0]}, families' "
            f"postings.** Per SD of the {BY_ID[MODEL_EXPOSURES[0]].label_en.lower()} "
            f"({out['sd']:.3f}), postings per child change by a factor of {_irr(out)}; per SD of "
            f"the {BY_ID[MODEL_EXPOSURES[1]].label_en.lower()} ({sex['sd']:.1f} boys per 100 "
            f"girls), {_irr(sex)}. {int(out['n_units']):,} county units, "
            f"{int(out['n_postings']):,} postings, errors clustered by prefecture.")


def estimates_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """Display table of every exposure estimate: side, specification, term, IRR (CI), p, n."""
    e = exposure_estimates(estimates)
    return pd.DataFrame({
        "side": e["side"], "specification": e["spec"].map(lambda s: SPEC_LABELS[s][0]),
        "exposure": e["term"].map(lambda t: BY_ID[t].label_en),
        "IRR per SD (95 % CI)": [f"{r.irr:.3f} ({r.ci_low:.3f}–{r.ci_high:.3f})"
                                 for r in e.itertuples()],
        "p": e["p"].map(lambda p: f"{p:.3g}"), "counties": e["n_units"],
        "postings": e["n_postings"]})


def sensitivity_summary(estimates: pd.DataFrame, sensitivity: pd.DataFrame) -> pd.DataFrame:
    """One row per measure × exposure × check of the ``fe_adjusted`` model: the NB2 estimate,
    Poisson, ZINB and the leave-one-province-out range (``irr`` = median, ``ci_low``/``ci_high``
    = min/max of the refits' IRR for that row)."""
    base = exposure_estimates(estimates)
    base = base[base["spec"] == "fe_adjusted"].assign(check="negbin2")
    rows = [base[["measure", "term", "check", "irr", "ci_low", "ci_high", "p", "n_units"]]]
    single = sensitivity[sensitivity["check"] != "loo_province"]
    rows.append(single[["measure", "term", "check", "irr", "ci_low", "ci_high", "p",
                        "n_units"]])
    loo = sensitivity[sensitivity["check"] == "loo_province"]
    g = loo.groupby(["measure", "term"])
    rows.append(pd.DataFrame({"irr": g["irr"].median(), "ci_low": g["irr"].min(),
                              "ci_high": g["irr"].max(), "p": g["p"].max(),
                              "n_units": g["n_units"].min()}).reset_index()
                .assign(check="loo_province"))
    out = pd.concat(rows, ignore_index=True)
    checks = ["negbin2", *CHECKS]
    out["side"] = out["measure"].map(COUNTY_MODEL_MEASURES)
    out = out.sort_values(by=["measure", "term", "check"], key=lambda c: c.map(
        {**{m: i for i, m in enumerate(COUNTY_MODEL_MEASURES)},
         **{t: i for i, t in enumerate(MODEL_EXPOSURES)},
         **{k: i for i, k in enumerate(checks)}}))
    return out.reset_index(drop=True)


def _fmt(v: float) -> str:
    return "not estimable" if not np.isfinite(v) else f"{v:.3f}"


def sensitivity_sentence(summary: pd.DataFrame, fits: pd.DataFrame) -> str:
    """Leave-one-province-out ranges, Poisson and ZINB against NB2 (Markdown)."""
    parts = []
    for m, side in COUNTY_MODEL_MEASURES.items():
        s = summary[summary["measure"] == m]
        zero = float(fits.loc[(fits["measure"] == m) & (fits["spec"] == "fe_adjusted"),
                              "zero_share"].iloc[0])
        bits = []
        for t in MODEL_EXPOSURES:
            r = s[s["term"] == t].set_index("check")
            bits.append(f"{BY_ID[t].label_en.lower()}: NB2 {r.loc['negbin2', 'irr']:.3f}, "
                        f"Poisson {r.loc['poisson', 'irr']:.3f}, zero-inflated "
                        f"{_fmt(r.loc['zinb', 'irr'])}, sending counties only "
                        f"{r.loc['sending_only', 'irr']:.3f} "
                        f"({r.loc['sending_only', 'ci_low']:.3f}–"
                        f"{r.loc['sending_only', 'ci_high']:.3f}), leaving out one province "
                        f"{r.loc['loo_province', 'ci_low']:.3f}–"
                        f"{r.loc['loo_province', 'ci_high']:.3f}")
        parts.append(f"**{side.capitalize()} side** ({zero:.0%} of counties without a "
                     f"posting): " + "; ".join(bits) + ".")
    return " ".join(parts)


def fe_contrast_sentence(estimates: pd.DataFrame) -> str:
    """How many of the exposure intervals exclude 1, with and without fixed effects (Markdown)."""
    e = exposure_estimates(estimates)
    out = []
    for fe, name in ((True, "with province fixed effects"), (False, "without")):
        s = e[e["fe"] == fe]
        n_ex = int((s["ci_status"] != "includes 1").sum())
        n_p = int((s["p"] < ALPHA).sum())
        out.append(f"{name}: {n_ex} of {len(s)} intervals exclude 1 ({n_p} with p < {ALPHA})")
    return "Exposure estimates " + "; ".join(out) + " (correlated specifications, not " \
        "independent tests)."


def left_behind_sentence(check: pd.DataFrame) -> str:
    """The rank agreement of the left-behind proxy with the published figures (Markdown)."""
    parts = []
    for sid, g in check.groupby("source_id", sort=True):
        r = g.iloc[0]
        rho = "not computable" if pd.isna(r["spearman_rho"]) else f"{r['spearman_rho']:.2f}"
        parts.append(f"{sid} ({int(r['reference_year'])}): Spearman ρ = {rho}, "
                     f"n = {int(r['provinces_count'])}")
    return ("Left-behind proxy (children 0–14 per adult 20–49, province sums) against the "
            "published provincial figures: " + "; ".join(parts) + ". With so few provinces "
            "the check cannot confirm or refute the proxy.")


def exposure_vocabulary(entries) -> pd.DataFrame:
    """Display table of the county exposures: id, role, labels EN/中文, year, formula, unit."""
    return pd.DataFrame([{"column": e.id, "role": e.role, "label": e.label_en,
                          "标签": e.label_zh, "census": e.year, "formula": e.formula,
                          "unit": e.unit} for e in entries])


def exposure_coverage(exposures: pd.DataFrame) -> str:
    """How many units have each model exposure, and their spread (Markdown)."""
    n = len(exposures)
    parts = []
    for t in MODEL_EXPOSURES:
        s = exposures[t].dropna()
        parts.append(f"{BY_ID[t].label_en.lower()}: {len(s):,} of {n:,} units, median "
                     f"{s.median():.3g}, middle half {s.quantile(0.25):.3g} to "
                     f"{s.quantile(0.75):.3g}")
    return "Coverage of the model exposures — " + "; ".join(parts) + "."


def zero_inflation_sentence(sensitivity: pd.DataFrame, fits: pd.DataFrame) -> str:
    """AIC of the zero-inflated NB2 against NB2 for each side (Markdown)."""
    parts = []
    for m, side in COUNTY_MODEL_MEASURES.items():
        nb = float(fits.loc[(fits["measure"] == m) & (fits["spec"] == "fe_adjusted"),
                            "aic"].iloc[0])
        zi = float(sensitivity.loc[(sensitivity["measure"] == m)
                                   & (sensitivity["check"] == "zinb"), "aic"].iloc[0])
        if not np.isfinite(zi):
            parts.append(f"{side} side: the zero-inflated model did not converge (NB2 AIC "
                         f"{nb:,.1f}); no estimate is published from it")
            continue
        better = "lower" if zi < nb else "higher"
        parts.append(f"{side} side: AIC {zi:,.1f} zero-inflated against {nb:,.1f} NB2 "
                     f"({better} with the inflation part)")
    return ("Zero inflation — " + "; ".join(parts) + ". A lower AIC means the extra zeros are "
            "better described by a separate zero process; the ratios above show whether it "
            "changes the estimates.")


def residual_sentence(residuals: pd.DataFrame) -> str:
    """Spread of the prefecture means of the Pearson residuals (Markdown)."""
    parts = []
    for m, side in COUNTY_MODEL_MEASURES.items():
        r = residuals.loc[(residuals["measure"] == m) & (residuals["spec"] == "fe_adjusted"),
                          "mean_pearson_residual"]
        parts.append(f"{side} side: {len(r):,} prefectures, mean residual from "
                     f"{r.min():.2f} to {r.max():.2f} (middle half {r.quantile(0.25):.2f} to "
                     f"{r.quantile(0.75):.2f})")
    return ("Prefecture means of the Pearson residuals of the province-FE adjusted models — "
            + "; ".join(parts) + ".")


def residual_moran_rows(fits: pd.DataFrame) -> pd.DataFrame:
    """The residual Moran test of every county fit (``county_model_fit``) in display order
    (measure, spec): ``measure``, ``side``, ``spec``, ``fe``, I, the permutation mean, the
    two-sided p, the prefectures tested, and ``significant`` (two-sided p < α)."""
    f = fits.copy()
    f["side"] = f["measure"].map(COUNTY_MODEL_MEASURES)
    f["fe"] = f["spec"].str.startswith("fe_")
    f["significant"] = f["residual_moran_p_two_sided"] < ALPHA
    f = f.sort_values(by=["measure", "spec"], key=lambda c: c.map(
        {**{m: i for i, m in enumerate(COUNTY_MODEL_MEASURES)},
         **{s: i for i, s in enumerate(COUNTY_SPECS)}}))
    return f.reset_index(drop=True)[["measure", "side", "spec", "fe", "residual_moran_i",
                                     "residual_moran_mean_sim", "residual_moran_p_two_sided",
                                     "residual_moran_prefectures_count", "significant"]]


def residual_moran_sentence(fits: pd.DataFrame) -> str:
    """Moran's I of the prefecture means of the Pearson residuals, every fit, with its
    two-sided permutation p, and how many fits with and without province fixed effects leave
    significant residual dependence (Markdown)."""
    r = residual_moran_rows(fits)

    def one(x: pd.Series) -> str:
        return (f"{SPEC_LABELS[x['spec']][0]}: I = {x['residual_moran_i']:.3f} (two-sided p = "
                f"{x['residual_moran_p_two_sided']:.3f}, {int(x['residual_moran_prefectures_count'])}"
                " prefectures)")

    sides = "".join(f"\n* **{side.capitalize()} side** — "
                    + "; ".join(one(x) for _, x in r[r["measure"] == m].iterrows())
                    for m, side in COUNTY_MODEL_MEASURES.items())
    counts = []
    for fe, name in ((True, "with province fixed effects"), (False, "without")):
        s = r[r["fe"] == fe]
        sig = s[s["significant"]]
        signs = sorted({"positive" if i > 0 else "negative" for i in sig["residual_moran_i"]})
        counts.append(f"{name}, {len(sig)} of {len(s)} fits leave a residual I with two-sided "
                      f"p < {ALPHA}" + (f" ({' and '.join(signs)})" if len(sig) else ""))
    head = r[(r["measure"] == HEADLINE[0]) & (r["spec"] == HEADLINE[1])].iloc[0]
    verdict = ("significant" if head["significant"] else "not significant")
    return (f"Moran's I of the prefecture means of the Pearson residuals (queen contiguity of "
            f"the prefecture polygons, row-standardised; {MORAN_PERMUTATIONS} seeded "
            "permutations, two-sided; I is compared with the permutation mean, not with "
            f"−1/(n−1)):\n{sides}\n\nIn short: {'; '.join(counts)}. For the headline the "
            f"residual dependence between neighbouring prefectures is {verdict} "
            f"(I = {head['residual_moran_i']:.3f}, permutation mean "
            f"{head['residual_moran_mean_sim']:.3f}).")


def placement_sentence(estimates: pd.DataFrame, case_rates: pd.DataFrame) -> str:
    """How many of each measure's postings the county models see (placed at county level)
    against all its postings in the 31 provinces (``case_rates``) (Markdown)."""
    parts = []
    for m, side in COUNTY_MODEL_MEASURES.items():
        used = int(estimates.loc[(estimates["measure"] == m)
                                 & (estimates["spec"] == "pooled_exposures"),
                                 "n_postings"].iloc[0])
        total = int(case_rates.loc[case_rates["measure"] == m, "postings_count"].sum())
        parts.append(f"{side} side {used:,} of {total:,} ({used / total:.0%})")
    return ("Postings placed at county level, the only ones a county model can count: "
            + "; ".join(parts) + ". The rest are known only at prefecture or province level; "
            "if their placement depends on the place, the county counts are a selection.")
