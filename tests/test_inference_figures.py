"""The figures and sentences of notebook 08 (analysis.plots.inference_figures,
analysis.topics.model_inference.views): the chart data are the rows of the published tables
they draw, and every number a sentence states is recomputed here independently from the tables
(on the real build and on small synthetic frames)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis import tables
from analysis.plots import inference_figures as inf
from analysis.topics.model_inference import views as iv
from analysis.topics.model_inference.schema import PANEL_HEADLINE, POOLED
from analysis.vocab.provinces import display_names

NAMES = ("model_period_panel", "model_period_panel_loo", "model_period_panel_data",
         "model_specification_multiplicity", "model_specification_permutation",
         "model_specification_permutation_null", "reunion_found_given_lost")
ALPHA = 0.05  # the project's threshold, restated: p ≤ 0.05 is significant


@pytest.fixture(scope="module")
def built(processed) -> dict[str, pd.DataFrame]:
    return {n: tables.read(n, processed) for n in NAMES}


def _status(lo: float, hi: float) -> str:
    return "above 1" if lo > 1 else "below 1" if hi < 1 else "includes 1"


# --- synthetic frames -------------------------------------------------------------------------


def _panel(headline: tuple[float, float, float] = (1.3, 1.1, 1.5)) -> pd.DataFrame:
    """A small ``model_period_panel``: the headline with the given (irr, lo, hi), one wave-FE
    panel and two cross-sections (one above 1, one including 1)."""
    rows = [("panel_fe", "poisson", "stacked", *headline, True),
            ("panel_wave_fe", "poisson", "stacked", 0.9, 0.7, 1.2, False),
            ("wave_cross_section", "negbin2", "2005–2010", 1.0, 0.8, 1.25, False),
            ("wave_cross_section", "negbin2", "2010–2015", 1.4, 1.05, 1.9, False)]
    out = pd.DataFrame(rows, columns=["design", "model_kind", "wave", "irr_per_sd",
                                      "irr_ci_low", "irr_ci_high", "is_headline"])
    out["specification"] = out["design"] + "|" + out["model_kind"] + "|" + out["wave"]
    stacked = out["wave"] == "stacked"
    out = out.assign(n=np.where(stacked, 62, 31), n_provinces=31,
                     n_waves=np.where(stacked, 2, 1), postings_total=500, p_value=0.04,
                     regressor_sd=12.0, within_province_sd=np.where(stacked, 5.0, np.nan),
                     loo_irr_min=np.where(stacked, out["irr_per_sd"] - 0.05, np.nan),
                     loo_irr_max=np.where(stacked, out["irr_per_sd"] + 0.05, np.nan),
                     loo_min_adcode=pd.array(np.where(stacked, 520000, 0), dtype="Int64"),
                     loo_max_adcode=pd.array(np.where(stacked, 440000, 0), dtype="Int64"))
    out.loc[~stacked, ["loo_min_adcode", "loo_max_adcode"]] = pd.NA
    return out.iloc[::-1].reset_index(drop=True)  # reversed: the view must reorder


def _permutations(seed: int = 3, B: int = 19) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A null table and its summary for three families, computed the published way."""
    rng = np.random.default_rng(seed)
    null, summary = [], []
    specs = {"all": 40, "missing": 30, "found_current": 10}
    observed = {"all": 12, "missing": 11, "found_current": 1}
    for fam, n in specs.items():
        sig = rng.integers(0, n // 2, B)
        pos = rng.integers(0, 1 + sig)
        null.append(pd.DataFrame({"permutation": np.arange(1, B + 1), "family": fam,
                                  "significant": sig, "significant_positive": pos}))
        for stat, vals in (("significant", sig), ("significant_positive", pos)):
            obs = observed[fam] - (stat == "significant_positive")
            summary.append({"family": fam, "statistic": stat, "specifications": n,
                            "observed_count": obs, "observed_share": obs / n,
                            "null_mean_count": vals.mean(),
                            "null_q95_count": float(np.quantile(vals, 0.95)),
                            "permutation_p": (1 + (vals >= obs).sum()) / (1 + B),
                            "permutations": B, "seed": 1})
    return pd.concat(null, ignore_index=True), pd.DataFrame(summary)


def _reunions() -> pd.DataFrame:
    """Two lost provinces: Guizhou (40 reunions, most found in Fujian) and Beijing (12)."""
    rows = [(520000, "province", 350000, 25, 40), (520000, "province", 520000, 9, 40),
            (520000, POOLED, None, 6, 40), (110000, "province", 110000, 7, 12),
            (110000, POOLED, None, 5, 12)]
    out = pd.DataFrame(rows, columns=["lost_adcode", "found_group", "found_adcode",
                                      "flow_count", "lost_total"])
    out["found_adcode"] = out["found_adcode"].astype("Int64")
    out["share"] = out["flow_count"] / out["lost_total"]
    out["share_ci_low"] = out["share"] * 0.8
    out["share_ci_high"] = np.minimum(out["share"] * 1.2, 1)
    out["same_province"] = out["lost_adcode"].eq(out["found_adcode"]).fillna(False).astype(bool)
    return out


# --- the period panel -------------------------------------------------------------------------


def _check_panel_view(panel: pd.DataFrame, view: pd.DataFrame) -> None:
    assert sorted(view["specification"]) == sorted(panel["specification"])
    m = view.merge(panel, on="specification", suffixes=("", "_t"))
    for c in ("irr_per_sd", "irr_ci_low", "irr_ci_high", "p_value", "loo_irr_min"):
        np.testing.assert_array_equal(m[c].to_numpy(float), m[f"{c}_t"].to_numpy(float))
    assert list(m["ci_status"]) == [_status(lo, hi) for lo, hi in
                                    zip(m["irr_ci_low"], m["irr_ci_high"], strict=True)]
    # display order: the headline design first, cross-sections last and by wave
    assert view["design"].iloc[0] == PANEL_HEADLINE[0]
    cs = view[view["design"] == "wave_cross_section"]["wave"].tolist()
    assert cs == sorted(cs)


def _markers(ax) -> int:
    """Points drawn by the interval plots (errorbar containers) on ``ax``."""
    return sum(len(c.lines[0].get_xdata()) for c in ax.containers)


@pytest.mark.parametrize("source", ["real", "synthetic"])
def test_panel_figure_draws_every_row_of_the_table(built, source):
    panel = built["model_period_panel"] if source == "real" else _panel()
    view = iv.panel_view(panel)
    _check_panel_view(panel, view)
    fig, data = inf.panel_figure(view)
    ax = fig.axes[0]
    assert _markers(ax) == len(panel) == len(data)
    (loo,) = [c for c in ax.collections if c.get_gid() == "loo_range"]
    finite = np.isfinite(panel["loo_irr_min"].to_numpy(float))
    assert len(loo.get_segments()) == finite.sum()
    assert sorted(round(s[0][0], 9) for s in loo.get_segments()) == \
        sorted(round(v, 9) for v in panel.loc[finite, "loo_irr_min"])
    plt.close(fig)


def test_panel_loo_range_is_the_loo_table(built):
    """The range the headline cites equals the min / max of the published refits."""
    panel, loo = built["model_period_panel"], built["model_period_panel_loo"]
    h = panel[panel["is_headline"]].iloc[0]
    refits = loo[loo["specification"] == h["specification"]]
    assert len(refits) == 31
    assert h["loo_irr_min"] == pytest.approx(refits["irr_per_sd"].min(), rel=1e-12)
    assert h["loo_irr_max"] == pytest.approx(refits["irr_per_sd"].max(), rel=1e-12)
    names = display_names("en")
    text = iv.headline_sentence(panel)
    worst = refits.loc[refits["irr_per_sd"].idxmin(), "left_out_adcode"]
    assert f"{refits['irr_per_sd'].min():.2f} (without {names.loc[int(worst)]})" in text


def test_headline_sentence_states_the_declared_fit(built):
    panel = built["model_period_panel"]
    h = panel[(panel["design"] == PANEL_HEADLINE[0]) & (panel["model_kind"] == PANEL_HEADLINE[1])]
    assert len(h) == 1 and bool(h["is_headline"].iloc[0])
    r = h.iloc[0]
    text = iv.headline_sentence(panel)
    assert (f"{r['irr_per_sd']:.2f} (95 % CI {r['irr_ci_low']:.2f}–{r['irr_ci_high']:.2f}"
            in text)
    assert f"{int(r['postings_total']):,} postings" in text
    data = built["model_period_panel_data"]
    assert int(data.loc[data["in_panel"], "postings_count"].sum()) == int(r["postings_total"])
    assert int(data["in_panel"].sum()) == int(r["n"])


def test_period_split_counts_intervals_independently(built):
    panel = built["model_period_panel"]
    cs = panel[panel["design"] == "wave_cross_section"]
    k = sum(_status(lo, hi) != "includes 1"
            for lo, hi in zip(cs["irr_ci_low"], cs["irr_ci_high"], strict=True))
    text = iv.period_split_sentence(panel)
    assert f"{k} of {len(cs)} intervals exclude 1" in text
    for r in cs.itertuples():
        assert f"{r.wave} {r.irr_per_sd:.2f} (95 % CI {r.irr_ci_low:.2f}–" in text


@pytest.mark.parametrize("ci, phrase", [((1.3, 1.1, 1.5), "more postings per child"),
                                         ((0.7, 0.55, 0.9), "fewer postings per child"),
                                         ((0.95, 0.8, 1.1), "no clear association")])
def test_panel_title_follows_the_headline_interval(ci, phrase):
    view = iv.panel_view(_panel(ci))
    text = inf.panel_text(view)
    assert phrase in text["title"]
    assert "1 of 2 single-wave cross-sections above 1" in text["title"]
    assert text["source"].startswith("Source: ") and "not verified abductions" in text["caption"]
    # the contrast sentence appears only when the headline interval includes 1
    contrast = "does not appear **within** provinces" in iv.period_split_sentence(_panel(ci))
    assert contrast == (ci[1] <= 1 <= ci[2])


def test_headline_row_refuses_a_table_without_one_headline():
    p = _panel()
    with pytest.raises(ValueError, match="exactly one headline"):
        iv.headline_row(p.assign(is_headline=True))
    with pytest.raises(ValueError, match="exactly one headline"):
        iv.headline_row(p.assign(is_headline=False))


# --- the specification-curve permutation test -----------------------------------------------


def _check_histogram(null: pd.DataFrame, summary: pd.DataFrame, hist: pd.DataFrame) -> None:
    for (fam, stat), g in hist.groupby(["family", "statistic"]):
        vals = null.loc[null["family"] == fam, stat].to_numpy()
        assert g["permutations_count"].sum() == len(vals) == g["permutations"].iloc[0]
        for r in g.itertuples():
            assert r.permutations_count == ((vals >= r.bin_low) & (vals < r.bin_high)).sum()
        # the permutation p, recomputed from the null table: (1 + #{null ≥ observed}) / (1 + B)
        obs = int(g["observed_count"].iloc[0])
        assert g["permutation_p"].iloc[0] == pytest.approx(
            (1 + (vals >= obs).sum()) / (1 + len(vals)), abs=1e-12)
        s = summary[(summary["family"] == fam) & (summary["statistic"] == stat)].iloc[0]
        assert s["null_mean_count"] == pytest.approx(vals.mean())


@pytest.mark.parametrize("source", ["real", "synthetic"])
def test_permutation_figure_draws_the_null_table(built, source):
    if source == "real":
        null = built["model_specification_permutation_null"]
        summary = built["model_specification_permutation"]
    else:
        null, summary = _permutations()
    hist = iv.permutation_histogram(null, summary)
    _check_histogram(null, summary, hist)
    fig, data = inf.permutation_figure(hist)
    assert data is hist
    bars = [p for ax in fig.axes for p in ax.patches]
    assert len(bars) == len(hist)
    assert sum(b.get_height() for b in bars) == hist["permutations_count"].sum()
    plt.close(fig)


def test_share_significant_recomputed_from_the_multiplicity_table(built):
    """The observed counts of the permutation test and the sentences, from the p-values."""
    m, summary = built["model_specification_multiplicity"], built["model_specification_permutation"]
    s = summary.set_index(["family", "statistic"])
    for fam in ("all", "missing", "found_current"):
        sub = m if fam == "all" else m[m["side"] == fam]
        sig = sub["p_value"] <= ALPHA
        assert s.loc[(fam, "significant"), "observed_count"] == sig.sum()
        assert s.loc[(fam, "significant_positive"), "observed_count"] == \
            (sig & (sub["irr_per_sd"] > 1)).sum()
        assert s.loc[(fam, "significant"), "specifications"] == len(sub)
    a = s.loc[("all", "significant")]
    text = iv.permutation_sentence(summary)
    share = (m["p_value"] <= ALPHA).mean()
    assert f"{(m['p_value'] <= ALPHA).sum()} of {len(m)} specifications ({share:.0%})" in text
    assert f"permutation p = {a['permutation_p']:.2f}" in text
    assert inf.permutation_text(iv.permutation_histogram(
        built["model_specification_permutation_null"], summary))["title"].startswith(
        f"{(m['p_value'] <= ALPHA).sum()} of {len(m)} specifications")


def test_multiplicity_counts_and_sentence(built):
    m = built["model_specification_multiplicity"]
    counts = iv.multiplicity_counts(m).set_index("adjustment")
    for col, (adj, _) in iv.ADJUSTMENTS.items():
        assert counts.loc[adj, "significant_count"] == int((m[col] <= ALPHA).sum())
        assert counts.loc[adj, "positive_count"] == int(((m[col] <= ALPHA)
                                                         & (m["irr_per_sd"] > 1)).sum())
    # adjustments can only remove significant specifications
    assert counts.loc["Holm within family", "significant_count"] <= \
        counts.loc["Benjamini–Hochberg within family", "significant_count"] <= \
        counts.loc["none", "significant_count"]
    text = iv.multiplicity_sentence(m)
    holm = int((m["p_holm"] <= ALPHA).sum())
    assert f"{holm} survive Holm" in text
    assert f"Within the {m[['outcome_measure', 'main_exposure']].drop_duplicates().shape[0]} " \
        "pre-declared families" in text
    listed = sum(int(k) for k in re.findall(r": (\d+)(?:;|\. The pooled)", text))
    assert listed == holm


# --- P(found | lost) --------------------------------------------------------------------------


@pytest.mark.parametrize("source", ["real", "synthetic"])
def test_reunion_view_keeps_the_published_rows(built, source):
    r = built["reunion_found_given_lost"] if source == "real" else _reunions()
    top = iv.REUNION_TOP_LOST if source == "real" else 1
    view = iv.reunion_view(r, top=top)
    # lost totals recomputed from the cells: every reunion of a lost province is in one cell
    totals = r.groupby("lost_adcode")["flow_count"].sum()
    assert (r["lost_total"] == r["lost_adcode"].map(totals)).all()
    expect = totals.sort_values(ascending=False, kind="stable").head(top).index
    assert set(view["lost_adcode"]) == set(expect)
    kept = r[r["lost_adcode"].isin(expect)]
    assert len(view) == len(kept)
    cols = list(r.columns)
    left = view[cols].sort_values(cols[:3]).reset_index(drop=True)
    right = kept[cols].sort_values(cols[:3]).reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)
    fig, data = inf.reunion_figure(view)
    assert data is view
    points = [ln for ax in fig.axes for ln in ax.lines if ln.get_marker() == "o"]
    assert len(points) == len(view)
    assert sorted(round(p.get_xdata()[0], 12) for p in points) == \
        sorted(round(v, 12) for v in view["share"])
    text = inf.reunion_text(view, r)
    assert "not verified abductions" in text["caption"] and text["source"].startswith("Source:")
    plt.close(fig)


def test_reunion_sentence_numbers(built):
    r = built["reunion_found_given_lost"]
    text = iv.reunion_sentence(r)
    total = int(r["flow_count"].sum())
    assert f"{total:,} reunions" in text
    lower = r.loc[r["same_province"], "flow_count"].sum() / total
    assert f"At least {lower:.0%}" in text
    between = r[(r["found_group"] == "province") & ~r["same_province"]]
    big = between.loc[between["flow_count"].idxmax()]
    names = display_names("en")
    assert (f"lost in {names.loc[int(big['lost_adcode'])]}, found in "
            f"{names.loc[int(big['found_adcode'])]}, {int(big['flow_count'])} of "
            f"{int(big['lost_total'])}") in text


def test_reunion_title_on_synthetic_rows():
    r = _reunions()
    view = iv.reunion_view(r, top=2)
    assert view["lost_adcode"].iloc[0] == 520000  # the larger lost province first
    title = inf.reunion_text(view, r)["title"]
    # Guizhou's largest cell is Fujian (another province); Beijing's is Beijing itself
    assert title.startswith("For 1 of the 2 provinces")
    assert "lost in Guizhou, found in Fujian, 62%" in title
    assert iv.same_province_share(r) == pytest.approx((9 + 7) / 52)
