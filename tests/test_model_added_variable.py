"""The ``model_added_variable`` table (step derive.models): added-variable data whose slope is
the model's coefficient (Frisch–Waugh–Lovell), so notebook 04 draws it without refitting."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from analysis import tables
from analysis.plots import model_findings as find
from analysis.topics.models import fit as models
from analysis.topics.models import views as mv
from analysis.topics.models.build import added_variable_table
from analysis.vocab.provinces import MAINLAND31


@pytest.fixture(scope="module")
def t(processed):
    return {n: tables.read(n, processed) for n in (
        "model_added_variable", "model_coefficients", "province_exposures", "case_rates",
        "case_counts")}


def test_one_row_per_headline_counterpart_and_province(t):
    av = t["model_added_variable"]
    specs = {s.spec_id for s in mv.side_headline_specs()}
    assert set(av["specification"]) == specs
    assert len(av) == 31 * len(specs)
    for _, g in av.groupby("specification"):
        assert sorted(g["adcode"]) == sorted(MAINLAND31)
    assert set(find.DETAIL_SPECS[k].spec_id for k in find.DETAIL_SPECS) <= specs


def test_slope_is_the_model_coefficient(t):
    """Frisch–Waugh–Lovell: the weighted slope of the partialled outcome on the partialled
    exposure equals the coefficient, which is the stored log IRR per SD of model_coefficients."""
    av = t["model_added_variable"]
    coef = t["model_coefficients"]
    for sid, g in av.groupby("specification"):
        assert g["slope"].nunique() == 1 and g["coefficient"].nunique() == 1
        slope, beta = g["slope"].iloc[0], g["coefficient"].iloc[0]
        assert abs(slope - beta) < 1e-8
        main = coef[(coef["specification"] == sid) & (coef["term_role"] == "main_exposure")]
        assert beta == pytest.approx(np.log(main["irr_per_sd"].iloc[0]), abs=1e-9)
        w = g["weight"].to_numpy()
        x, y = g["exposure_resid"].to_numpy(), g["outcome_resid"].to_numpy()
        assert w.mean() == pytest.approx(1.0)
        assert abs((w * x).sum()) < 1e-8 and abs((w * y).sum()) < 1e-8
        assert (w * x * y).sum() / (w * x * x).sum() == pytest.approx(slope, abs=1e-9)


def test_postings_are_the_outcome_counts(t):
    av = t["model_added_variable"]
    head = av[av["specification"] == models.MAIN_SPEC.spec_id].set_index("adcode")
    y = models.outcome_counts(models.MAIN_SPEC, t["case_rates"], t["case_counts"])
    assert head["postings_count"].sum() == int(y.sum())


def test_table_is_rebuilt_identically_from_a_fresh_fit(t):
    """The build refits with the same design and fit as run_models: the stored rows are what
    a fresh fit gives (to the precision of the CSV round trip)."""
    fresh = added_variable_table(t["province_exposures"], t["case_rates"], t["case_counts"],
                                 [models.MAIN_SPEC])
    stored = t["model_added_variable"]
    stored = stored[stored["specification"] == models.MAIN_SPEC.spec_id].reset_index(drop=True)
    pd.testing.assert_frame_equal(fresh, stored, check_dtype=False, rtol=1e-12, atol=1e-12)


def test_specifications_without_a_headline_counterpart_give_no_rows(t):
    poisson = replace(models.MAIN_SPEC, kind="poisson_hc1")
    empty = added_variable_table(t["province_exposures"], t["case_rates"], t["case_counts"],
                                 [poisson])
    assert empty.empty and "slope" in empty.columns


def test_added_variable_rows_refuse_a_missing_specification(t):
    av = find.added_variable_rows(t["model_added_variable"], models.MAIN_SPEC)
    assert len(av.rows) == 31 and av.slope == pytest.approx(av.coefficient, abs=1e-8)
    with pytest.raises(ValueError, match="expected 31"):
        find.added_variable_rows(t["model_added_variable"],
                                 replace(models.MAIN_SPEC, kind="poisson_hc1"))
