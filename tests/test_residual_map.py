"""Notebook 07 section 5: the residual Moran sentence against the published fit table, and the
prefecture residual map (exactly its rows, publishable chart data, prefectures filled)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from analysis import tables
from analysis.plots import county_model_figures as cmf
from analysis.plots import hotspot_maps as hm
from analysis.plots import prefecture_maps as pm
from analysis.privacy.policy import assert_publishable
from analysis.topics.county_models import views as cv
from analysis.topics.county_models.schema import COUNTY_MODEL_MEASURES, COUNTY_SPECS, HEADLINE
from analysis.vocab.settings import ALPHA


@pytest.fixture(scope="module")
def t(processed):
    return {n: tables.read(n, processed) for n in ("county_model_fit", "county_model_residuals")}


def test_residual_moran_sentence_states_every_fit(t):
    fits = t["county_model_fit"]
    text = cv.residual_moran_sentence(fits)
    for r in fits.itertuples():
        label = cv.SPEC_LABELS[r.spec][0]
        assert (f"{label}: I = {r.residual_moran_i:.3f} (two-sided p = "
                f"{r.residual_moran_p_two_sided:.3f}, {r.residual_moran_prefectures_count} "
                "prefectures)") in text
    for fe, name in ((True, "with province fixed effects"), (False, "without")):
        s = fits[fits["spec"].str.startswith("fe_") == fe]
        n_sig = int((s["residual_moran_p_two_sided"] < ALPHA).sum())
        assert f"{name}, {n_sig} of {len(s)} fits" in text
    head = fits[(fits["measure"] == HEADLINE[0]) & (fits["spec"] == HEADLINE[1])].iloc[0]
    verdict = "not significant" if head["residual_moran_p_two_sided"] >= ALPHA else "significant"
    assert f"between neighbouring prefectures is {verdict}" in text
    assert "not tested" not in text and "two-sided" in text and "−1/(n−1)" in text


def test_residual_moran_rows_order_and_flags():
    fits = pd.DataFrame([{"measure": m, "spec": s, "residual_moran_i": i,
                          "residual_moran_mean_sim": -0.003,
                          "residual_moran_p_two_sided": p,
                          "residual_moran_prefectures_count": 300}
                         for (m, s), i, p in zip(
                             [(m, s) for m in reversed(list(COUNTY_MODEL_MEASURES))
                              for s in COUNTY_SPECS],
                             np.linspace(-0.1, 0.3, 8), [0.04, 0.5] * 4, strict=True)])
    r = cv.residual_moran_rows(fits)
    assert list(r["measure"].unique()) == list(COUNTY_MODEL_MEASURES)
    assert r["significant"].tolist() == (r["residual_moran_p_two_sided"] < ALPHA).tolist()
    assert r["fe"].tolist() == r["spec"].str.startswith("fe_").tolist()
    text = cv.residual_moran_sentence(fits)
    # significant (p = 0.04): fe_adjusted (found I = −0.1, lost I ≈ 0.129) and pooled_adjusted
    # (found I ≈ 0.014, lost I ≈ 0.243); the headline (lost, fe_adjusted) among them
    assert ("with province fixed effects, 2 of 4 fits leave a residual I with two-sided p < "
            f"{ALPHA} (negative and positive); without, 2 of 4 fits leave a residual I with "
            f"two-sided p < {ALPHA} (positive)") in text
    assert "between neighbouring prefectures is significant (I = 0.129" in text
    assert text.index("**Lost side**") < text.index("**Found side**")


@pytest.mark.parametrize("basemap", ["ocha"])
def test_residual_map_draws_exactly_the_headline_residuals(t, basemap):
    base, fills = hm.drawing_boundaries(basemap), pm.drawing_prefectures(basemap)
    res = t["county_model_residuals"]
    fig, data = cmf.residual_map(base, fills, res)
    head = res[res["spec"] == HEADLINE[1]]
    assert len(data) == len(head) and "prefecture_code" not in data
    merged = data.merge(head, left_on=["measure", "prefecture_adcode"],
                        right_on=["measure", "prefecture_code"], validate="one_to_one")
    assert np.array_equal(merged["mean_pearson_residual_x"], merged["mean_pearson_residual_y"])
    assert data["prefecture_name_zh"].notna().all()
    assert_publishable(data, where="07_county_residuals data")
    # one panel per side; each fills its prefectures with residuals (over the 34 grey units)
    assert len(fig.axes) == len(COUNTY_MODEL_MEASURES)
    for ax, m in zip(fig.axes, COUNTY_MODEL_MEASURES, strict=True):
        n = int((data["measure"] == m).sum())
        assert any(len(c.get_paths()) >= n for c in ax.collections)
    text = cmf.residual_map_text(base, t["county_model_fit"])
    fit = t["county_model_fit"]
    h = fit[(fit["measure"] == HEADLINE[0]) & (fit["spec"] == HEADLINE[1])].iloc[0]
    assert f"I = {h['residual_moran_i']:.3f}" in text["caption"]
    assert text["source"].endswith(f"{base.attrs['attribution']}.")
    plt.close(fig)


def test_residual_rows_rename_the_guarded_code_on_a_synthetic_frame():
    import geopandas as gpd
    from shapely.geometry import box

    fills = gpd.GeoDataFrame({"prefecture_adcode": [110100, 130100], "prefecture_name_zh":
                              ["北京市", "石家庄市"], "adcode": [110000, 130000]},
                             geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)])
    res = pd.DataFrame({"measure": [HEADLINE[0]] * 2 + [HEADLINE[0]], "spec":
                        [HEADLINE[1], HEADLINE[1], "pooled_adjusted"],
                        "prefecture_code": [130100, 110100, 110100],
                        "adcode": [130000, 110000, 110000], "units_count": [3, 4, 4],
                        "mean_pearson_residual": [0.5, -0.25, 9.0]})
    rows = cmf.residual_rows(res, fills)
    assert rows.columns.tolist() == cmf.RESIDUAL_COLUMNS
    assert rows["prefecture_adcode"].tolist() == [110100, 130100]
    assert rows["prefecture_name_zh"].tolist() == ["北京市", "石家庄市"]
    assert rows["mean_pearson_residual"].tolist() == [-0.25, 0.5]  # the other spec left out
