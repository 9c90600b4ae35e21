"""Computed-prose formatting and the hotspot map builders (analysis.plots.hotspot_maps)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from analysis import tables
from analysis.plots import hotspot_maps as hf
from analysis.plots.style import use_house_style
from analysis.plots.text import province_list, ratio_with_ci


def test_province_list_and_ratio_text():
    assert province_list([510000, 500000]) == "Sichuan, Chongqing"
    assert province_list([510000], lang="zh") == "四川"
    assert province_list([]) == "none"
    assert ratio_with_ci(1.0784, 0.8775, 1.3254) == "1.08 (0.88–1.33)"


@pytest.fixture(scope="module")
def local(processed):
    return tables.read("hotspot_local", processed)


def test_map_rows_refuses_an_incomplete_map(local):
    assert len(hf.map_rows(local, "lost_uiuing_missing")) == 31
    pooled = local["period"] == local.loc[0, "period"]
    one = local[pooled & (local["measure"] == "found_uiuing_success")]
    with pytest.raises(ValueError, match="expected 31"):
        hf.map_rows(local.drop(index=one.index[0]), "found_uiuing_success")


def test_map_with_dots_returns_the_data_it_draws(local):
    base = hf.drawing_boundaries("ocha")
    sel = hf.map_rows(local, "lost_uiuing_missing")
    fig, data = hf.map_with_dots(base, sel, "t")
    assert len(data) == 31 and {"name_en", "name_zh", "eb_per_100k"} <= set(data.columns)
    assert data["postings_count"].sum() == sel["postings_count"].sum()
    plt.close(fig)


def test_significance_maps_cover_seven_measures(local):
    fig, data = hf.significance_maps(hf.drawing_boundaries("ocha"), local, "gi_label",
                                     "gi_label_unadjusted", hf.GI_COLOURS, "t",
                                     permutations=9999, alpha=0.05)
    assert sorted(data["measure"].unique()) == sorted(hf.MAP_MEASURES)
    assert len(data) == 31 * len(hf.MAP_MEASURES)
    assert set(data["category"]) <= set(hf.GI_COLOURS)
    plt.close(fig)


# --- the figure builders of notebook 03 --------------------------------------------------------


@pytest.fixture(scope="module")
def ocha():
    use_house_style()  # titles on the left, as in the notebooks
    return hf.drawing_boundaries("ocha")


@pytest.mark.parametrize("name", list(hf.RATE_FIGURES))
def test_rate_figures_draw_every_panel(local, ocha, name):
    spec = hf.RATE_FIGURES[name]
    fig, data = hf.rate_figure(name, ocha, local)
    assert len(data) == 31 * len(spec.panels)
    assert list(data.columns) == [*hf.RATE_COLUMNS, "name_en", "name_zh"]
    drawn = set(zip(data["measure"], data["period"], strict=True))
    assert drawn == set(spec.panels)
    text = hf.rate_figure_text(name, ocha)
    assert text["caption"].startswith(hf.CAPTION_DEST if spec.destination else hf.CAPTION_RATE)
    assert text["source"].endswith(f"{ocha.attrs['attribution']}.")
    plt.close(fig)


def test_significance_caption_takes_its_parameters_from_the_constants(ocha, monkeypatch):
    text = hf.significance_text("03_gistar", ocha)["caption"]
    assert f"{hf.PERMUTATIONS:,} seeded conditional permutations" in text
    assert f"p ≤ {hf.ALPHA} only" in text and "its two nearest provinces" in text
    monkeypatch.setattr(hf.geo, "ISLAND_K", 3)
    monkeypatch.setattr(hf, "ALPHA", 0.1)
    text = hf.significance_text("03_gistar", ocha)["caption"]
    assert "its three nearest provinces" in text and "p ≤ 0.1 only" in text


def test_rank_difference_map(processed, ocha):
    source_dest = tables.read("hotspot_source_destination", processed)
    fig, data = hf.rank_difference_map(ocha, source_dest)
    assert len(data) == len(source_dest) and "name_en" in data
    assert [ax.get_title(loc="left") for ax in fig.axes] == [en for en, _ in
                                                             hf.RANK_PANELS.values()]
    plt.close(fig)


def test_od_matrix_covers_every_pair(processed):
    flows = tables.read("case_flows", processed)
    fig, data = hf.od_matrix_figure(flows, "uiuing_success")
    assert len(data) == 31 * 31
    sel = flows[flows["source"] == "uiuing_success"]
    assert data["flow_count"].sum() == sel["flow_count"].sum()
    order = hf.region_order()
    assert len(order) == 31 and data["lost_adcode"].iloc[0] == order[0]
    assert "East, Central, West, Northeast" in hf.od_matrix_text("uiuing_success")["caption"]
    plt.close(fig)


def test_reunion_flow_map_returns_the_flows_drawn(processed, ocha):
    from analysis.plots.hotspot_findings import reunion_flows

    top = reunion_flows(tables.read("case_flows", processed)).top
    fig, data = hf.reunion_flow_map(ocha, top)
    assert data is top
    assert len(fig.axes[0].patches) == len(top)  # one arrow per flow
    assert fig.axes[0].get_title(loc="left").startswith(f"The {len(top)} largest flows")
    plt.close(fig)


def test_number_words():
    from analysis.plots.text import number_word

    assert number_word(2) == "two" and number_word(8) == "eight" and number_word(11) == "11"
    with pytest.raises(ValueError):
        number_word(-1)
