"""Notebook helpers moved into the package: computed prose and the hotspot map builders."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from analysis import hotspot_figures as hf
from analysis import tables
from analysis.prose import province_list, ratio_with_ci


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
