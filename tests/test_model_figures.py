"""The figures of notebook 04 (analysis.plots.model_figures): forest plots with and without
headers, the two-panel variant, and builders that return exactly the data they draw."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.container import ErrorbarContainer

from analysis import tables
from analysis.plots import model_figures as mf
from analysis.plots import model_findings as find
from analysis.plots.style import use_house_style
from analysis.topics.models import fit as models
from analysis.topics.models import views as mv


@pytest.fixture(scope="module")
def t(processed):
    use_house_style()  # titles on the left, as in the notebooks
    return {n: tables.read(n, processed) for n in (
        "model_coefficients", "model_fit", "model_loo", "model_specification_curve",
        "model_added_variable", "province_exposures")}


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"block": ["a", "a", "b"], "row": ["r1", "r2", "r3"],
                         "irr": [1.2, 0.8, 1.0], "irr_low": [1.1, 0.7, 0.9],
                         "irr_high": [1.3, 0.9, 1.1],
                         "ci_status": ["above 1", "below 1", "includes 1"]})


def _points(ax) -> int:
    """Rows drawn as interval markers on ``ax``."""
    return sum(len(c.lines[0].get_xdata()) for c in ax.containers
               if isinstance(c, ErrorbarContainer))


def test_forest_positions_synthetic():
    y, headers = mf.forest_positions(pd.Series(["a", "a", "b"]), gap=1.0)
    assert [h[1] for h in headers] == ["a", "b"]
    assert list(y) == [-1, -2, -5]
    assert headers[1][0] == -4


def test_forest_headers_can_be_left_out():
    fig, (with_h, without_h) = plt.subplots(1, 2)
    y1 = mf.forest(with_h, _frame(), block="block", row="row")
    y2 = mf.forest(without_h, _frame(), block="block", row="row", headers=False)
    assert [t.get_text() for t in with_h.texts] == ["a", "b"]
    assert len(without_h.texts) == 0
    assert list(y1) == list(y2) and with_h.get_ylim() == without_h.get_ylim()
    assert _points(with_h) == 3
    plt.close(fig)


def test_two_panel_forest_puts_labels_and_headers_on_the_left():
    frame = _frame()
    fig, left, right, y = mf.forest_two_panel(frame, block="block", row="row", figsize=(6, 4),
                                              width_ratios=(1, 1.4), wspace=0.08)
    mf.label_rows(left, frame, y, block="block", row="row")
    assert len(right.texts) == 0 and _points(right) == 3
    assert [t.get_text() for t in left.texts] == ["a", "b"]
    assert [t.get_text() for t in left.get_yticklabels()] == ["r1", "r2", "r3"]
    assert not right.yaxis.get_tick_params()["labelleft"]
    assert right.get_xscale() == "log"
    plt.close(fig)


def test_ratio_ticks_are_readable():
    fig, ax = plt.subplots()
    ax.set_xscale("log")
    ax.set_xlim(0.6, 2.5)
    mf.ratio_ticks(ax)
    assert [float(v) for v in ax.get_xticks()] == [0.67, 0.8, 1, 1.25, 1.5, 2]
    plt.close(fig)


def test_exposure_name_drops_the_parenthetical():
    assert mf.exposure_name("out_migration") == "Out-migration rate"
    assert mf.exposure_name("other_province_hukou_2010") == mv.EXPOSURE_LABELS[
        "other_province_hukou_2010"][0]


def test_irr_by_outcome_figure_draws_its_data(t):
    by_outcome = mv.irr_by_outcome(t["model_coefficients"], t["model_fit"])
    fig, data = mf.irr_by_outcome_figure(by_outcome)
    pd.testing.assert_frame_equal(data, by_outcome.drop(columns=["specification"]))
    ax = fig.axes[0]
    assert _points(ax) == len(by_outcome)
    assert len(ax.texts) == by_outcome["outcome_measure"].nunique()  # one header per block
    text = mf.irr_by_outcome_text(by_outcome)
    n_excl = int((by_outcome["ci_status"] != "includes 1").sum())
    assert f"{n_excl} of {len(by_outcome)} intervals exclude 1" in text["caption"]
    plt.close(fig)


def test_spatial_models_figure_and_caption_constants(t, monkeypatch):
    spatial = mv.spatial_comparison(t["model_coefficients"], t["model_fit"])
    fig, data = mf.spatial_models_figure(spatial)
    adjusted = spatial[spatial["covariate_set"] == "adjusted"]
    assert len(data) == len(adjusted)
    assert "block" not in data and "specification" not in data
    left, right = fig.axes[:2]
    assert len(right.texts) == 0  # headers are written once, beside the left panel
    assert len(left.texts) == adjusted["outcome_measure"].nunique()
    dots = sum(len(c.get_offsets()) for c in left.collections)
    assert dots == len(adjusted)
    assert _points(right) == len(adjusted)
    plt.close(fig)
    assert f"{models.MORAN_PERMUTATIONS:,} seeded permutations" in mf.spatial_models_text()["caption"]
    monkeypatch.setattr(models, "MORAN_PERMUTATIONS", 4999)
    assert "4,999 seeded permutations" in mf.spatial_models_text()["caption"]


def test_loo_figure_has_one_row_per_province(t):
    refits = find.loo_refits(t["model_loo"])
    fig, data = mf.loo_figure(refits.views["headline"], "headline")
    assert data is refits.views["headline"]
    ax = fig.axes[0]
    assert len(ax.get_yticks()) == 31 and _points(ax) == 31
    full = float(data["full_irr_per_sd"].iloc[0])
    dashed = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and dashed[0].get_xdata()[0] == pytest.approx(full)
    assert "negative binomial, adjusted" in mf.loo_text(models.MAIN_SPEC, "headline")["caption"]
    plt.close(fig)


def test_robustness_and_period_figures(t):
    robust = mv.robustness_by_outcome(t["model_coefficients"])
    fig, data = mf.robustness_figure(robust)
    assert len(data) == len(robust) and _points(fig.axes[0]) == len(robust)
    plt.close(fig)
    largest = ("Guangdong", "Shandong", "Henan")
    assert "(Guangdong, Shandong, Henan)" in mf.robustness_text(largest)["caption"]
    periods_fit = mv.by_period(t["model_coefficients"], t["model_fit"])
    fig, data = mf.by_period_figure(periods_fit)
    assert len(data) == len(periods_fit) and _points(fig.axes[0]) == len(periods_fit)
    plt.close(fig)


def test_spec_curve_figure_title_counts_every_specification(t):
    view = mv.spec_curve_view(t["model_specification_curve"])
    fig, data = mf.spec_curve_figure(view)
    assert data is view
    assert fig.get_suptitle().startswith(f"All {len(view)} specifications")
    counts = mv.spec_counts(t["model_specification_curve"])
    assert f"{counts['excludes_one']} of {counts['total']} intervals" in mf.spec_curve_text(
        counts)["caption"]
    plt.close(fig)


def test_added_variable_figure_draws_the_stored_slope(t):
    av = find.added_variable_rows(t["model_added_variable"], models.MAIN_SPEC)
    fig, data = mf.added_variable_figure(av)
    assert list(data.columns) == [*find.ADDED_VARIABLE_COLUMNS, "province"]
    assert len(data) == 31 and data["province"].notna().all()
    ax = fig.axes[0]
    (line,) = [ln for ln in ax.lines if len(ln.get_xdata()) == 2 and ln.get_color() == mf.RED]
    x, y = line.get_xdata(), line.get_ydata()
    assert (y[1] - y[0]) / (x[1] - x[0]) == pytest.approx(av.slope)
    assert f"×{np.exp(av.slope):.2f} per SD" in ax.get_title(loc="left")
    assert f"×{np.exp(av.slope):.2f} per SD" in mf.added_variable_text(av)["caption"]
    plt.close(fig)
