"""The figures of notebook 07 (county count models): coefficient plots, sensitivity, binned
within-province added-variable plots, and the prefecture map of the models' residuals.

Each ``*_figure`` builder takes a frame of :mod:`analysis.topics.county_models.views` (or a
county model table) and returns ``(figure, chart_data)``: the figure and exactly the frame it
draws. The ``*_text`` functions give the publishable title, caption and source line; every
caption carries the county model caveat (:data:`analysis.vocab.wording.COUNTY_MODEL_CAVEAT`).
Ratios are drawn on a log axis with 95 % CIs.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

from analysis.plots import maps
from analysis.plots import prefecture_maps as pm
from analysis.plots.model_figures import STATUS_COLOURS, STATUS_LABELS
from analysis.plots.save import FigureText
from analysis.plots.style import NO_DATA_COLOUR, RED, label
from analysis.topics.county_models.schema import COUNTY_MODEL_MEASURES, HEADLINE
from analysis.topics.county_models.views import (
    CHECK_LABELS,
    SIDE_LABELS,
    SPEC_LABELS,
    residual_moran_rows,
)
from analysis.vocab.county_exposures import MODEL_EXPOSURES
from analysis.vocab.county_exposures import label as exposure_label
from analysis.vocab.wording import (
    CASE_DATA,
    COUNTY_CENSUS_DATA,
    COUNTY_MODEL_ANALYSIS,
    COUNTY_MODEL_CAVEAT,
    source_line,
)

#: Source line of the county model figures.
SOURCE = source_line(CASE_DATA, COUNTY_CENSUS_DATA, analysis=COUNTY_MODEL_ANALYSIS)
#: Interval colours: the CI status of the model figures, and the leave-one-out range.
COLOURS = {**STATUS_COLOURS, "range": "#d68910"}
LABELS = {**STATUS_LABELS, "range": ("leave-one-out range (not a CI)", "逐一剔除范围（非置信区间）")}
#: Bins of the added-variable plots (weighted quantiles of the exposure residual).
AV_BINS = 20


def _lang() -> str:
    return "zh" if label("en", "zh") == "zh" else "en"


def _ticks(ax) -> None:
    """Ratio ticks fine enough for the narrow county intervals (0.8, 0.9, 1, 1.1 …)."""
    lo, hi = ax.get_xlim()
    ticks = [t for t in (0.5, 0.67, 0.8, 0.9, 1, 1.1, 1.25, 1.5, 2) if lo <= t <= hi]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_minor_locator(NullLocator())
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))


def _forest(frame: pd.DataFrame, row_label: pd.Series, title: tuple[str, str]
            ) -> Figure:
    """Two panels (one per exposure of :data:`MODEL_EXPOSURES`), rows in ``frame`` order per
    term, a gap between sides; headline rows ringed."""
    fig, axes = plt.subplots(1, len(MODEL_EXPOSURES), figsize=(11, 5.5), sharey=True)
    for ax, term in zip(axes, MODEL_EXPOSURES, strict=True):
        f = frame[frame["term"] == term]
        y = np.arange(len(f))[::-1] + np.where(f["side"].to_numpy() == "lost", 1.0, 0.0)
        for status, colour in COLOURS.items():
            m = (f["ci_status"] == status).to_numpy()
            if m.any():
                ax.errorbar(f["irr"].to_numpy()[m], y[m],
                            xerr=[f["irr"].to_numpy()[m] - f["ci_low"].to_numpy()[m],
                                  f["ci_high"].to_numpy()[m] - f["irr"].to_numpy()[m]],
                            fmt="o", color=colour, ms=5, lw=1.4, capsize=2,
                            label=label(*LABELS[status]))
        if "is_headline" in f:
            h = f["is_headline"].to_numpy(bool)
            ax.scatter(f["irr"].to_numpy()[h], y[h], s=150, facecolors="none",
                       edgecolors=RED, lw=1.2, zorder=5)
        ax.axvline(1, color="#555555", lw=0.8, ls="--")
        ax.set_xscale("log")
        _ticks(ax)
        ax.set_yticks(y)
        ax.set_yticklabels(row_label[f.index].tolist(), fontsize=8)
        ax.set_title(exposure_label(term, _lang()), fontsize=10)
        ax.set_xlabel(label("Ratio of postings per child, per SD (log scale, 95 % CI)",
                            "每个标准差对应的每名儿童帖子数之比（对数刻度，95%置信区间）"),
                      fontsize=8)
    handles = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(lab, h)
    axes[-1].legend(list(handles.values()), list(handles), loc="lower left",
                    bbox_to_anchor=(1.01, 0), fontsize=8, title=label("95 % CI", "95%置信区间"))
    fig.suptitle(label(*title))
    fig.tight_layout()
    return fig


def coefficient_figure(estimates: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Coefficient plot of :func:`analysis.topics.county_models.views.exposure_estimates`:
    out-migration share and child sex ratio (same model), lost and found side, with and
    without province fixed effects; the headline ringed."""
    side = estimates["side"].map(lambda s: label(s, {"lost": "走失地", "found": "找到地"}[s]))
    rows = side + " · " + estimates["spec"].map(lambda s: label(*SPEC_LABELS[s]))
    fig = _forest(estimates, rows, ("County models: postings per child by exposure, per SD",
                                    "县级模型：每个标准差暴露对应的每名儿童帖子数"))
    return fig, estimates.assign(row=rows.to_numpy())


def coefficient_text(estimates: pd.DataFrame) -> FigureText:
    """Title, caption and source of :func:`coefficient_figure`."""
    n_min, n_max = int(estimates["n_units"].min()), int(estimates["n_units"].max())
    return FigureText(
        title=label("Out-migration, child sex ratio and postings per child across counties",
                    "县级人口外流、儿童性别比与每名儿童帖子数"),
        caption=(f"Incidence-rate ratio of postings per child aged 0–14 (2010) per SD of the "
                 f"county out-migration share 2010 and of the sex ratio of children aged 0–4 "
                 f"2010, both in the same negative binomial model, for families' postings "
                 f"(where the child went missing) and reunions (where the child was found), "
                 f"with and without province fixed effects, adjusted or not for urban, college "
                 f"and farm-occupation shares; {n_min:,}–{n_max:,} county units; 95 % CIs "
                 f"from errors clustered by prefecture. Ringed: the headline, declared before "
                 f"the fit. {COUNTY_MODEL_CAVEAT}"),
        source=SOURCE)


def sensitivity_figure(summary: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """The ``fe_adjusted`` estimate (NB2) beside Poisson, zero-inflated NB2 and the range of
    the leave-one-province-out refits (:func:`analysis.topics.county_models.views.
    sensitivity_summary`; for that row the bar is min–max, not a CI)."""
    s = summary.copy()
    s["ci_status"] = ["range" if c == "loo_province" else
                      ("above 1" if lo > 1 else "below 1" if hi < 1 else "includes 1")
                      for c, lo, hi in zip(s["check"], s["ci_low"], s["ci_high"], strict=True)]
    side = s["side"].map(lambda x: label(x, {"lost": "走失地", "found": "找到地"}[x]))
    rows = side + " · " + s["check"].map(lambda c: label(*CHECK_LABELS[c]))
    rows = rows.where(s["irr"].notna(), rows + label(" (did not converge)", "（未收敛）"))
    fig = _forest(s, rows, ("County models: how the province-FE estimate holds up",
                            "县级模型：省固定效应估计的稳健性"))
    return fig, s.assign(row=rows.to_numpy())


def sensitivity_text() -> FigureText:
    """Title, caption and source of :func:`sensitivity_figure`."""
    return FigureText(
        title=label("County models: Poisson, zero-inflated and leave-one-province-out checks",
                    "县级模型：泊松、零膨胀与逐一剔除省份的检验"),
        caption=("Ratio per SD of the adjusted model with province fixed effects: negative "
                 "binomial as reported, Poisson, zero-inflated negative binomial and the "
                 "negative binomial on sending counties only (registered population above "
                 "resident; 95 % CIs, errors clustered by prefecture), and the range "
                 "(min–max, not a CI) of the refits leaving out one province at a time. "
                 + COUNTY_MODEL_CAVEAT),
        source=SOURCE)


def binned_added_variable(av: pd.DataFrame, bins: int = AV_BINS) -> pd.DataFrame:
    """Weighted bin means of ``county_model_added_variable`` per measure × term: bins are
    weighted quantiles of ``exposure_resid``; ``exposure_resid``/``outcome_resid`` the
    IRLS-weighted means in the bin, ``weight`` the bin's total weight, ``slope`` the model's."""
    out = []
    for (m, t), g in av.groupby(["measure", "term"], sort=False):
        g = g.sort_values("exposure_resid")
        cw = g["weight"].cumsum() / g["weight"].sum()
        b = np.minimum((cw.to_numpy() * bins).astype(int), bins - 1)
        w = g["weight"].to_numpy()
        agg = pd.DataFrame({"bin": b, "wx": w * g["exposure_resid"].to_numpy(),
                            "wy": w * g["outcome_resid"].to_numpy(), "w": w, "n": 1}
                           ).groupby("bin").sum()
        out.append(pd.DataFrame({"measure": m, "term": t, "bin": agg.index.to_numpy(),
                                 "exposure_resid": (agg["wx"] / agg["w"]).to_numpy(),
                                 "outcome_resid": (agg["wy"] / agg["w"]).to_numpy(),
                                 "weight": agg["w"].to_numpy(),
                                 "units_count": agg["n"].to_numpy(),
                                 "slope_coef": float(g["slope"].iloc[0])}))
    return pd.concat(out, ignore_index=True)


def added_variable_figure(av: pd.DataFrame) -> tuple[Figure, pd.DataFrame]:
    """Binned within-province added-variable plots (rows: side; columns: exposure) of the
    ``fe_adjusted`` models, with the model's slope through the origin."""
    data = binned_added_variable(av)
    measures = [m for m in COUNTY_MODEL_MEASURES if m in set(data["measure"])]
    fig, axes = plt.subplots(len(measures), len(MODEL_EXPOSURES), figsize=(10, 8),
                             squeeze=False)
    for i, m in enumerate(measures):
        for j, t in enumerate(MODEL_EXPOSURES):
            ax = axes[i][j]
            d = data[(data["measure"] == m) & (data["term"] == t)]
            ax.axhline(0, color="#bbbbbb", lw=0.6, zorder=0)
            ax.axvline(0, color="#bbbbbb", lw=0.6, zorder=0)
            ax.scatter(d["exposure_resid"], d["outcome_resid"],
                       s=400 * d["weight"] / d["weight"].sum(), color="#1b4f72", alpha=0.8)
            slope = float(d["slope_coef"].iloc[0])
            xs = np.array([d["exposure_resid"].min(), d["exposure_resid"].max()])
            ax.plot(xs, slope * xs, color=RED, lw=1.4)
            ax.set_title(f"{label(*SIDE_LABELS[COUNTY_MODEL_MEASURES[m]]).split(':')[0]} · "
                         f"{exposure_label(t, _lang())}: ×{np.exp(slope):.2f}", fontsize=9)
            ax.set_xlabel(label("exposure, within province, others partialled out (SD)",
                                "省内暴露，剔除其他变量后（标准差）"), fontsize=8)
            ax.set_ylabel(label("log postings per child, partialled out",
                                "每名儿童帖子数的对数，剔除后"), fontsize=8)
    fig.suptitle(label("Within-province added-variable plots (binned)",
                       "省内附加变量图（分组）"))
    fig.tight_layout()
    return fig, data


def added_variable_text() -> FigureText:
    """Title, caption and source of :func:`added_variable_figure`."""
    return FigureText(
        title=label("Within provinces, other factors held fixed: exposures and postings per "
                    "child", "省内、控制其他因素后：暴露与每名儿童帖子数"),
        caption=(f"Added-variable plots of the adjusted negative binomial models with province "
                 f"fixed effects ({HEADLINE[1]}): each exposure (SD units) and the model's "
                 f"working response (log postings per child aged 0–14), both with the other "
                 f"exposure, the controls and the province effects partialled out by the "
                 f"model's weights; counties grouped into {AV_BINS} bins of equal weight, point "
                 f"area ∝ the bin's weight; the line's slope is the model coefficient. "
                 f"{COUNTY_MODEL_CAVEAT}"),
        source=SOURCE)


# --- residuals at prefecture scale -----------------------------------------------------------

#: Inner class breaks of the residual map (prefecture mean of the Pearson residuals),
#: symmetric around zero; the outer bound is the largest absolute mean drawn.
RESIDUAL_BREAKS = (0.2, 0.5)
RESIDUAL_COLUMNS = ["measure", "spec", "prefecture_adcode", "prefecture_name_zh", "adcode",
                    "units_count", "mean_pearson_residual"]
RESIDUAL_TITLE = ("Where the county models over- and under-predict: residuals by prefecture",
                  "县级模型的残差：按地级单位")


def residual_rows(residuals: pd.DataFrame, fills: gpd.GeoDataFrame,
                  spec: str = HEADLINE[1]) -> pd.DataFrame:
    """The ``county_model_residuals`` rows of ``spec`` as drawn: the prefecture code renamed
    ``prefecture_adcode`` (the name of the published prefecture figures; the privacy guard
    exempts adcodes from the posting-id check) with the prefecture's Chinese name from
    ``fills``, both measures in :data:`COUNTY_MODEL_MEASURES` order."""
    r = residuals[residuals["spec"] == spec].rename(columns={"prefecture_code":
                                                             "prefecture_adcode"})
    names = fills[["prefecture_adcode", "prefecture_name_zh"]].drop_duplicates()
    r = r.merge(names, on="prefecture_adcode", how="left", validate="many_to_one")
    order = {m: i for i, m in enumerate(COUNTY_MODEL_MEASURES)}
    r = r.sort_values(by=["measure", "prefecture_adcode"],
                      key=lambda c: c.map(order) if c.name == "measure" else c)
    return r[RESIDUAL_COLUMNS].reset_index(drop=True)


def residual_map(base: gpd.GeoDataFrame, fills: gpd.GeoDataFrame, residuals: pd.DataFrame,
                 spec: str = HEADLINE[1]) -> tuple[Figure, pd.DataFrame]:
    """Prefecture means of the Pearson residuals of the ``spec`` models, one panel per side
    (lost, found), on the prefecture fills of a basemap
    (:func:`analysis.plots.prefecture_maps.drawing_prefectures`); symmetric breaks
    (:data:`RESIDUAL_BREAKS`), red = more postings than the model predicts; prefectures
    without residuals stay in the no-data grey."""
    data = residual_rows(residuals, fills, spec)
    top = float(np.ceil(data["mean_pearson_residual"].abs().max() * 10) / 10)
    inner = sorted({*RESIDUAL_BREAKS, *(-b for b in RESIDUAL_BREAKS)})
    bins = [b for b in inner if b < top] + [top]
    fig, axes = maps.subplots(1, len(COUNTY_MODEL_MEASURES), figsize=(14.4, 7.4))
    for ax, m in zip(np.atleast_1d(axes), COUNTY_MODEL_MEASURES, strict=True):
        sel = data[data["measure"] == m]
        pm._panel(ax, base)
        maps.diverging_choropleth(ax, pm._join(fills, sel, ["mean_pearson_residual"]),
                                  "mean_pearson_residual", bins=bins, fmt="{:+.1f}",
                                  lowest=-top, edgecolor=pm.PREFECTURE_EDGE,
                                  linewidth=pm.PREFECTURE_WIDTH,
                                  legend_title=label("mean Pearson residual",
                                                     "皮尔逊残差均值"))
        maps.extend_legend(ax, [Patch(facecolor=NO_DATA_COLOUR, edgecolor="none",
                                      label=label("No data / not in the fit", "无数据/未纳入"))])
        pm._outlines(ax, base)
        pm._legend_below(ax)
        ax.set_title(label(*SIDE_LABELS[COUNTY_MODEL_MEASURES[m]]), fontsize=9, loc="left")
    fig.suptitle(label(*RESIDUAL_TITLE), x=0.02, ha="left", fontsize=12, fontweight="bold")
    return fig, data


def residual_map_text(base: gpd.GeoDataFrame, fits: pd.DataFrame,
                      spec: str = HEADLINE[1]) -> FigureText:
    """Title, caption and source of :func:`residual_map`; the caption states the residual
    Moran test of each side (``county_model_fit``)."""
    r = residual_moran_rows(fits)
    r = r[r["spec"] == spec]
    tests = "; ".join(f"{x.side} side I = {x.residual_moran_i:.3f}, two-sided p = "
                      f"{x.residual_moran_p_two_sided:.3f} ({x.residual_moran_prefectures_count}"
                      " prefectures)" for x in r.itertuples())
    return FigureText(
        title=label(*RESIDUAL_TITLE),
        caption=(f"Mean Pearson residual of the county units of each prefecture, negative "
                 f"binomial models ({SPEC_LABELS[spec][0]}): red, more postings per child "
                 "than the model predicts; blue, fewer. Moran's I of these means (queen "
                 "contiguity of the prefectures, row-standardised, seeded permutations): "
                 f"{tests}. Grey: no county unit in the fit (the found-side fit with "
                 "province fixed effects drops provinces without a reunion) or no data. "
                 f"Province outlines over the prefecture fills. {COUNTY_MODEL_CAVEAT}"),
        source=(f"{SOURCE} Prefecture polygons: Dong et al. (leiii/census, MIT). "
                f"{base.attrs['attribution']}."))
