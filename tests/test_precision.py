"""Publication precision (analysis.plots.precision): one rule per unit, applied to every chart CSV."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.core import paths
from analysis.plots.precision import (
    DEFAULT_PRECISION,
    Precision,
    digits_within,
    format_value,
    unit_of,
)
from analysis.plots.save import full_precision_dir, save_figure

SIG3 = Precision("t", "significant", 3)
DEC2 = Precision("t", "decimals", 2)
WHOLE = Precision("t", "integer")


@pytest.mark.parametrize(("column", "unit"), [
    ("adcode", "code"), ("left_out_adcode", "code"), ("eb_per_100k", "rate"),
    ("out_migration_per_1000", "rate"), ("children_per_year", "rate"), ("missing_year", "year"),
    ("eb_rank", "rank"), ("rank_difference", "rank"), ("position", "rank"), ("n", "count"),
    ("postings_total", "count"), ("flow_count", "count"), ("estimate_persons", "persons"),
    ("share", "share"), ("share_of_all_interprovincial", "share"), ("p_value", "p_value"),
    ("gi_p_sim", "p_value"), ("spatial_parameter_p", "p_value"), ("lisa_p_adjusted", "p_value"),
    ("irr", "ratio"), ("irr_ci_low", "ratio"), ("lag_total_irr", "ratio"), ("max_vif", "ratio"),
    ("irr_ratio_to_full", "ratio"), ("weight", "weight"), ("gi_z", "z"),
    ("residual_moran_i", "moran_i"), ("lisa_local_i", "moran_i"),
    ("spatial_parameter", "coefficient"), ("exposure_resid", "coefficient"),
    ("something_else", "unclassified"),
])
def test_every_unit_is_chosen_by_the_column_name(column, unit):
    assert unit_of(column).unit == unit


def test_the_default_for_unmatched_float_columns_is_explicit():
    assert unit_of("no_rule_for_me") is DEFAULT_PRECISION
    assert DEFAULT_PRECISION.kind == "significant" and DEFAULT_PRECISION.digits == 4


@pytest.mark.parametrize(("value", "precision", "text"), [
    (0.12345000001, Precision("t", "significant", 4), "0.1235"),
    (0.12344999999, Precision("t", "significant", 4), "0.1234"),
    (123456.0, SIG3, "123000"),          # no exponent notation
    (3.4e-5, SIG3, "0.000034"),
    (0.99996, SIG3, "1"),                # no trailing zeros
    (-0.0004, DEC2, "0"),                # never "-0"
    (-1.655, DEC2, "-1.66"),
    (1631770.6, WHOLE, "1631771"),
    (float("nan"), SIG3, ""),
])
def test_format_value(value, precision, text):
    assert format_value(value, precision) == text


def test_digit_counter_can_fail():
    assert digits_within("0.123", SIG3) and digits_within("123000", SIG3)
    assert digits_within("0.000034", SIG3) and digits_within("", SIG3)
    assert not digits_within("0.1234", SIG3)
    assert not digits_within("1234", SIG3)
    assert not digits_within("1.5e-05", SIG3)      # exponent notation is refused
    assert not digits_within("1.234", DEC2) and digits_within("-1.23", DEC2)
    assert not digits_within("3.0", WHOLE) and digits_within("-3", WHOLE)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
       st.sampled_from([SIG3, Precision("t", "significant", 4), DEC2, WHOLE,
                        Precision("t", "decimals", 3)]))
def test_published_text_never_exceeds_its_precision(value, precision):
    text = format_value(value, precision)
    assert digits_within(text, precision), text
    # the published value is the rounding of the value: within half a unit in its last place
    error = abs(float(text) - value)
    assert error <= precision.half_unit(value) + abs(value) * 1e-15, (value, text)


def test_precision_round_trips_through_json():
    for p in (SIG3, DEC2, WHOLE, DEFAULT_PRECISION):
        assert Precision.from_json(json.loads(json.dumps(p.to_json()))) == p
    with pytest.raises(ValueError, match="significant_digits or decimal_places"):
        Precision.from_json({"unit": "x"})


def _save(tmp_path, data, name="99_precision_test"):
    fig, _ = plt.subplots()
    try:
        return save_figure(fig, name, data=data, title="t", caption="c", source="s",
                           out_dir=tmp_path)
    finally:
        plt.close(fig)


def test_integers_stay_integers(tmp_path):
    """Integer columns are written exactly whatever their name; a float count with a gap is
    written as whole numbers and an empty cell, never as 3.0 or 1.2e+04."""
    data = pd.DataFrame({
        "adcode": [110000, 120000, 130000],
        "postings_count": [3.0, np.nan, 12345.0],         # float because of the gap
        "estimate_persons": [1631770.4, 985520.0, 12.6],  # persons are whole
        "value_per_100k": [12345, 7, 0],                  # integer dtype in a rate column
        "missing_year": [1990, 2001, 2020],
        "share": [0.123456, 0.5, 0.0],
    })
    files = _save(tmp_path, data)
    text = pd.read_csv(files["csv"], dtype=str, keep_default_na=False)
    assert text["adcode"].tolist() == ["110000", "120000", "130000"]
    assert text["postings_count"].tolist() == ["3", "", "12345"]
    assert text["estimate_persons"].tolist() == ["1631770", "985520", "13"]
    assert text["value_per_100k"].tolist() == ["12345", "7", "0"]
    assert text["missing_year"].tolist() == ["1990", "2001", "2020"]
    assert text["share"].tolist() == ["0.123", "0.5", "0"]
    meta = json.loads(files["json"].read_text(encoding="utf-8"))
    assert meta["precision"]["postings_count"] == {"unit": "count", "decimal_places": 0}
    assert meta["precision"]["value_per_100k"] == {"unit": "integer", "decimal_places": 0}
    assert meta["precision"]["share"] == {"unit": "share", "significant_digits": 3}


def test_full_precision_copy_keeps_every_bit(tmp_path):
    rng = np.random.default_rng(1)
    data = pd.DataFrame({"adcode": [110000, 120000], "irr": rng.random(2) + 0.5,
                         "gi_z": rng.normal(size=2), "label": ["a", "b"]})
    _save(tmp_path, data)
    full = pd.read_csv(full_precision_dir(tmp_path) / "99_precision_test.csv")
    pd.testing.assert_frame_equal(full, data, check_exact=True, check_dtype=False)
    published = pd.read_csv(tmp_path / "99_precision_test.csv")
    assert not np.array_equal(published["irr"], data["irr"])
    np.testing.assert_allclose(published["irr"], data["irr"], rtol=5e-3)


def test_full_precision_dir_stays_in_build_for_the_real_figures(tmp_path):
    assert full_precision_dir(paths.ROOT / "figures") == paths.BUILD / "chart_data"
    assert full_precision_dir(paths.ROOT / "figures" / "zh") == paths.BUILD / "chart_data" / "zh"
    assert full_precision_dir(tmp_path) == tmp_path / "full_precision"


def test_rounding_to_a_raw_number_is_caught_by_the_privacy_check(tmp_path, monkeypatch):
    """A float that rounds to a raw posting id is checked as published, not only as computed."""
    import analysis.privacy.policy as P
    from analysis.privacy.policy import PrivacyError

    monkeypatch.setattr(P, "raw_personal_strings", lambda: frozenset({"123457", "某某"}))
    data = pd.DataFrame({"n": [123456.6]})  # a count: not whole as computed, 123457 as published
    with pytest.raises(PrivacyError, match="as published"):
        _save(tmp_path, data)
    assert not list(tmp_path.glob("*.csv"))
    _save(tmp_path, pd.DataFrame({"n": [123455.4]}))  # 123455 is no raw number: written
    assert (tmp_path / "99_precision_test.csv").read_text().splitlines() == ["n", "123455"]


def test_every_real_chart_csv_is_at_its_units_precision(executed_notebooks):
    """Must show: no value of any chart CSV has more digits than its unit's published precision;
    every numeric column's precision is recorded in the figure's JSON and is the one rule of
    analysis.plots.precision for its name."""
    files = sorted(paths.FIGURES.glob("*.csv"))
    assert len(files) >= 40
    checked = 0
    for f in files:
        meta = json.loads(f.with_suffix(".json").read_text(encoding="utf-8"))
        precisions = {c: Precision.from_json(p) for c, p in meta["precision"].items()}
        text = pd.read_csv(f, dtype=str, keep_default_na=False)
        typed = pd.read_csv(f)
        numeric = [c for c in typed.columns if pd.api.types.is_numeric_dtype(typed[c])
                   and not pd.api.types.is_bool_dtype(typed[c])]
        missing = [c for c in numeric if c not in precisions]
        assert not missing, f"{f.name}: numeric columns without a recorded precision: {missing}"
        for col, precision in precisions.items():
            if precision.unit != "integer":
                assert precision == unit_of(col), (f.name, col, precision)
            bad = [v for v in text[col] if not digits_within(v, precision)]
            assert not bad, f"{f.name}: {col} ({precision}) has over-precise values {bad[:3]}"
            checked += len(text)
    assert checked > 1000


def test_every_real_full_precision_copy_rounds_to_the_published_csv(executed_notebooks):
    """build/chart_data holds the unrounded data of exactly the published chart CSVs."""
    from analysis.plots.precision import for_publication

    for f in sorted(paths.FIGURES.glob("*.csv")):
        full = pd.read_csv(full_precision_dir(paths.FIGURES) / f.name)
        meta = json.loads(f.with_suffix(".json").read_text(encoding="utf-8"))
        published = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col, spec in meta["precision"].items():
            precision = Precision.from_json(spec)
            if pd.api.types.is_float_dtype(full[col]):
                again = [format_value(v, precision) for v in full[col]]
                assert again == published[col].tolist(), (f.name, col)
        assert for_publication(full)[0].shape == published.shape
