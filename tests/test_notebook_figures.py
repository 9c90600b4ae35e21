"""The figure builders of notebooks 01, 02 and 05 (analysis.plots.atlas_figures,
case_figures, factcheck_figures) return exactly the data they draw."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from analysis import geo, tables
from analysis.plots import atlas_figures as af
from analysis.plots import case_figures as cf
from analysis.plots import factcheck_figures as ff
from analysis.topics.cases import views as casebook
from analysis.topics.factcheck.evaluators import VERDICTS, estimates_vs_postings
from analysis.topics.migration import views as atlas


@pytest.fixture(scope="module")
def ocha(processed):
    return geo.load_boundaries("ocha")


def _filled(ax) -> list:
    """Face colours of the map units drawn on ``ax`` (one collection per plot call)."""
    return [c for c in ax.collections if len(c.get_paths()) == 34]


def test_hukou_share_map(ocha):
    hukou = atlas.hukou_other_province(2020)
    fig, data = af.hukou_share_map(ocha, hukou)
    assert list(data.columns) == af.HUKOU_COLUMNS and len(data) == 31
    (units,) = _filled(fig.axes[0])
    assert len(set(map(tuple, units.get_facecolors()))) == 6  # five classes + no data
    assert af.hukou_share_text(ocha)["source"].startswith(af.SOURCE_HUKOU)
    plt.close(fig)


def test_out_migration_map(ocha):
    out = atlas.out_migration("2005–2010")
    fig, data = af.out_migration_map(ocha, out)
    assert data is out
    legend = fig.axes[0].get_legend()
    assert "Fisher–Jenks natural breaks, 5 classes" in legend.get_title().get_text()
    plt.close(fig)


def test_flows_map(ocha):
    flows = atlas.top_flows("2015–2020", n=5)
    fig, data = af.flows_map(ocha, flows)
    assert data is flows and len(fig.axes[0].patches) == 5
    assert af.flows_text(ocha, 5)["title"].startswith("The 5 largest")
    plt.close(fig)


@pytest.fixture(scope="module")
def case_tables(processed):
    return {n: tables.read(n, processed) for n in (
        "case_coverage_by_year", "case_category_counts", "case_sex_counts", "fact_check")}


def test_coverage_figure_draws_one_line_per_source(case_tables):
    coverage = casebook.coverage_by_year(case_tables["case_coverage_by_year"])
    fig, data = cf.coverage_figure(coverage)
    assert data is coverage
    assert len(fig.axes[0].lines) == coverage["source_label"].nunique()
    plt.close(fig)


def test_category_figure_stacks_to_one(case_tables):
    category = casebook.shares(case_tables["case_category_counts"], "category")
    fig, data = cf.category_figure(category)
    assert data is category
    widths = {}
    for bar in fig.axes[0].patches:
        widths.setdefault(round(bar.get_y(), 6), []).append(bar.get_width())
    assert all(sum(w) == pytest.approx(1.0) for w in widths.values())
    plt.close(fig)


def test_sex_figure_and_its_caption(case_tables):
    sex = casebook.shares(case_tables["case_sex_counts"], "sex")
    fig, data = cf.sex_figure(sex)
    assert data is sex
    boys = cf.boys_share(sex)
    families = boys[casebook.SOURCE_LABELS["uiuing_missing"]]
    assert f"Boys are {families:.0%} of the children" in cf.sex_text(sex)["caption"]
    plt.close(fig)


def test_factcheck_figures(case_tables):
    fc = case_tables["fact_check"]
    fig, data = ff.verdicts_figure(fc)
    assert data["claims_count"].sum() == len(fc)
    assert set(data["verdict"]) == set(VERDICTS)
    plt.close(fig)
    est = estimates_vs_postings(case_tables["case_coverage_by_year"])
    fig, data = ff.estimates_figure(est)
    assert data is est and len(fig.axes[0].patches) == len(est)
    assert fig.axes[0].get_xscale() == "log"
    plt.close(fig)
