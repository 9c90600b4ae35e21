"""Drift check: a deliberate change to the data behind a figure is caught, with its name; float
noise below publication precision (also at a rounding boundary) is not."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.core import paths
from analysis.site.drift import describe_difference, drift_report


def _committed_from(folder):
    return {p.stem: p.read_bytes() for p in folder.glob("*.csv")}


def test_identical_figures_do_not_drift(tmp_path):
    (tmp_path / "a").mkdir()
    pd.DataFrame({"adcode": [110000], "v": [1.5]}).to_csv(tmp_path / "a" / "01_x.csv",
                                                         index=False)
    assert drift_report(tmp_path / "a", _committed_from(tmp_path / "a")) == []


def test_changed_value_names_the_figure_and_the_change(tmp_path):
    old = pd.DataFrame({"adcode": [110000, 120000], "rate_per_1000": [1.5, 2.0]})
    new = old.assign(rate_per_1000=[1.5, 2.75])
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old.to_csv(tmp_path / "old" / "01_rates_map.csv", index=False)
    new.to_csv(tmp_path / "new" / "01_rates_map.csv", index=False)
    drifts = drift_report(tmp_path / "new", _committed_from(tmp_path / "old"))
    assert [d.figure for d in drifts] == ["01_rates_map"]
    assert "rate_per_1000: 1 value(s) changed" in drifts[0].what
    assert "0.75" in drifts[0].what


def test_added_and_removed_figures_and_rows(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    pd.DataFrame({"a": [1, 2]}).to_csv(tmp_path / "old" / "01_gone.csv", index=False)
    pd.DataFrame({"a": [1, 2]}).to_csv(tmp_path / "old" / "01_kept.csv", index=False)
    pd.DataFrame({"a": [1, 2, 3]}).to_csv(tmp_path / "new" / "01_kept.csv", index=False)
    pd.DataFrame({"a": [1]}).to_csv(tmp_path / "new" / "02_new.csv", index=False)
    got = {d.figure: d.what for d in drift_report(tmp_path / "new",
                                                 _committed_from(tmp_path / "old"))}
    assert got["01_gone"].startswith("committed but no longer")
    assert got["02_new"].startswith("new figure")
    assert "rows 2 → 3" in got["01_kept"]


def test_a_cleaning_rule_change_shows_up_in_the_real_figures(tmp_path, executed_notebooks):
    """Simulate a changed cleaning rule: scale one province's value in a real chart-data CSV."""
    real = sorted(paths.FIGURES.glob("01_hukou_other_province_share_2020_*.csv"))
    assert real
    shutil.copytree(paths.FIGURES, tmp_path / "committed", ignore=shutil.ignore_patterns(
        "*.png", "*.svg"))
    committed = _committed_from(tmp_path / "committed")
    frame = pd.read_csv(real[0])
    frame.loc[0, "other_province_share"] *= 1.01
    (tmp_path / "rebuilt").mkdir()
    for p in (tmp_path / "committed").glob("*.csv"):
        shutil.copy(p, tmp_path / "rebuilt" / p.name)
    frame.to_csv(tmp_path / "rebuilt" / real[0].name, index=False)
    drifts = drift_report(tmp_path / "rebuilt", committed)
    assert [d.figure for d in drifts] == [real[0].stem]
    assert "other_province_share" in drifts[0].what


def test_describe_difference_reports_columns():
    a = pd.DataFrame({"x": [1], "y": [2]})
    b = pd.DataFrame({"x": [1], "z": [2]})
    assert "added ['z']" in describe_difference(a, b)


@pytest.mark.slow
def test_a_real_cleaning_rule_change_fails_the_drift_check_with_the_figure_name(
        tmp_path, mirror, executed_notebooks):
    """End to end: copy the project, change one cleaning rule (the 2020 sampling fraction),
    rebuild the tables and notebook 01; the drift check names the flow figures."""
    import os
    import subprocess
    import sys

    from analysis.site.drift import committed_csvs, committed_precisions

    root = tmp_path / "repo"
    for item in ("src", "notebooks", "data/sources.toml", "data/raw/manual"):
        src, dst = paths.ROOT / item, root / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, dst) if src.is_dir() else shutil.copy2(src, dst)
    rule = root / "src" / "analysis" / "sources" / "migration_od" / "clean.py"
    text = rule.read_text(encoding="utf-8")
    assert "2020: 0.10}" in text
    rule.write_text(text.replace("2020: 0.10}", "2020: 0.095}"), encoding="utf-8")
    env = dict(os.environ, LOSTGEN_ROOT=str(root), PYTHONPATH=str(root / "src"),
               LOSTGEN_DATA_MIRROR=str(mirror), LOSTGEN_FIGURES=str(root / "figures"),
               LOSTGEN_EXECUTED_NOTEBOOKS=str(root / "build" / "notebooks"))
    for cmd in (["data"], ["notebooks", "01_migration_atlas"]):
        res = subprocess.run([sys.executable, "-m", "analysis", *cmd], env=env, cwd=root,
                             capture_output=True, text=True)
        assert res.returncode == 0, res.stderr[-2000:]
    committed = {k: v for k, v in committed_csvs().items() if k.startswith("01_")}
    drifts = drift_report(root / "figures", committed, precisions=committed_precisions())
    names = sorted(d.figure for d in drifts)
    assert names == ["01_interprovincial_flows_2015_2020_cn_atlas",
                     "01_interprovincial_flows_2015_2020_ocha"], drifts
    assert "estimate_persons" in drifts[0].what


# --- publication precision: float noise never drifts, a published unit always does -------------

def _publish(folder, frame, name="04_test_model"):
    """Write ``frame`` as a figure's chart data with the real writer (rounded CSV, JSON with the
    precision, full-precision copy in ``folder/full_precision``)."""
    import matplotlib.pyplot as plt

    from analysis.plots.save import save_figure

    fig, _ = plt.subplots()
    try:
        save_figure(fig, name, data=frame, title="t", caption="c", source="s", out_dir=folder)
    finally:
        plt.close(fig)


def _compare(tmp_path, committed_frame, rebuilt_frame, *, keep_full_copy=True):
    """Publish both frames, then compare the rebuilt figure against the committed one the way
    ``make drift`` does (committed CSV bytes + committed JSON precision)."""
    import json

    from analysis.plots.precision import Precision
    from analysis.site.drift import compare_all

    committed_dir, rebuilt_dir = tmp_path / "committed", tmp_path / "rebuilt"
    _publish(committed_dir, committed_frame)
    _publish(rebuilt_dir, rebuilt_frame)
    if not keep_full_copy:
        shutil.rmtree(rebuilt_dir / "full_precision")
    meta = json.loads((committed_dir / "04_test_model.json").read_text(encoding="utf-8"))
    precisions = {"04_test_model": {c: Precision.from_json(p)
                                    for c, p in meta["precision"].items()}}
    return compare_all(rebuilt_dir, _committed_from(committed_dir), precisions=precisions)


def _model_frame(irr=1.07846626, p=0.0096657865, resid=0.2183724308, value=0.4567891,
                 postings=3086, label="includes 1"):
    return pd.DataFrame({"outcome_measure": ["lost", "found"], "irr": [irr, 0.9939466354],
                         "p_value": [p, 0.43780455], "exposure_resid": [resid, -0.01402643616],
                         "value": [value, 2.0], "postings_total": [postings, 22806],
                         "ci_status": [label, "below 1"]})


def test_noise_below_publication_precision_passes(tmp_path):
    """(a) 1e-7 of float noise on every float (another BLAS kernel) is not a change."""
    base = _model_frame()
    noisy = base.copy()
    for col in ("irr", "p_value", "exposure_resid", "value"):
        noisy[col] = noisy[col] + 1e-7
    [result] = _compare(tmp_path, base, noisy)
    assert result.what == "" and result.boundary_flips == 0
    assert (tmp_path / "committed" / "04_test_model.csv").read_bytes() == \
        (tmp_path / "rebuilt" / "04_test_model.csv").read_bytes()


def test_a_last_digit_flipped_at_a_rounding_boundary_passes(tmp_path):
    """(b) committed 0.1235 (from 0.12345000001), rebuilt 0.12344999999 → published 0.1234:
    the full-precision value lies on the boundary, so the check does not flap."""
    committed, rebuilt = _model_frame(value=0.12345000001), _model_frame(value=0.12344999999)
    committed_text = _publish_text(tmp_path / "peek", committed)
    assert "0.1235" in committed_text
    [result] = _compare(tmp_path, committed, rebuilt)
    assert "0.1234" in (tmp_path / "rebuilt" / "04_test_model.csv").read_text()
    assert result.what == "", result.what
    assert result.boundary_flips == 1
    # the same flip without the full-precision copy cannot be told from a change: it fails
    [strict] = _compare(tmp_path / "strict", committed, rebuilt, keep_full_copy=False)
    assert "value: 1 value(s) changed" in strict.what


def _publish_text(folder, frame):
    _publish(folder, frame)
    return (folder / "04_test_model.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize(("column", "committed", "rebuilt", "delta"), [
    ("value", 0.12345000001, 0.1236, "0.0001"),           # 4 significant digits (default unit)
    ("value", 0.12345000001, 0.12344, "0.0001"),          # just past the boundary slack
    ("irr", 1.07846626, 1.0884, "0.01"),                  # 3 significant digits: 1.08 → 1.09
    ("p_value", 0.0096657865, 0.0096757865, "1e-05"),     # 0.00967 → 0.00968
    ("exposure_resid", 0.2183724308, 0.2193724308, "0.001"),  # 3 decimals: 0.218 → 0.219
    ("postings_total", 3086, 3087, "1"),                  # counts are exact
])
def test_a_change_of_one_published_unit_fails_naming_the_figure(tmp_path, column, committed,
                                                               rebuilt, delta):
    """(c) a real change of one unit in the last published place fails, with the figure's name,
    the column and the largest |Δ| at publication precision."""
    from analysis.site.drift import drift_report

    results = _compare(tmp_path, _model_frame(**{_arg(column): committed}),
                       _model_frame(**{_arg(column): rebuilt}))
    assert [r.figure for r in results if r.what] == ["04_test_model"]
    what = results[0].what
    assert f"{column}: 1 value(s) changed, largest |Δ| = {delta}" in what, what
    assert drift_report(tmp_path / "rebuilt", _committed_from(tmp_path / "committed"))


def _arg(column):
    return {"value": "value", "irr": "irr", "p_value": "p", "exposure_resid": "resid",
            "postings_total": "postings"}[column]


def test_text_columns_compare_exactly_and_rows_still_count(tmp_path):
    results = _compare(tmp_path, _model_frame(), _model_frame(label="above 1"))
    assert results[0].what == "ci_status: 1 value(s) changed"
    more = pd.concat([_model_frame(), _model_frame().iloc[:1]], ignore_index=True)
    [grown] = _compare(tmp_path / "grown", _model_frame(), more)
    assert "rows 2 → 3" in grown.what


def test_a_stale_full_precision_copy_is_not_trusted(tmp_path):
    """A full-precision copy that does not round to the rebuilt CSV (left from another build)
    gives no tolerance: the published values must then match exactly."""
    committed, rebuilt = _model_frame(value=0.12345000001), _model_frame(value=0.12344999999)
    _publish(tmp_path / "other", _model_frame(value=0.5))
    _compare(tmp_path, committed, rebuilt)  # writes committed/ and rebuilt/
    shutil.copy(tmp_path / "other" / "full_precision" / "04_test_model.csv",
                tmp_path / "rebuilt" / "full_precision" / "04_test_model.csv")
    drifts = drift_report(tmp_path / "rebuilt", _committed_from(tmp_path / "committed"))
    assert [d.figure for d in drifts] == ["04_test_model"]
    assert "value: 1 value(s) changed" in drifts[0].what


def test_drift_main_reports_a_boundary_flip_as_accepted(tmp_path, monkeypatch, capsys):
    import analysis.site.drift as D

    committed, rebuilt = _model_frame(value=0.12345000001), _model_frame(value=0.12344999999)
    results = _compare(tmp_path, committed, rebuilt)
    changed = _compare(tmp_path / "changed", committed, _model_frame(value=0.1237))
    monkeypatch.setattr(D, "compare_all", lambda: results)
    assert D.main() == 0
    out = capsys.readouterr().out
    assert "match the committed ones at publication precision" in out
    assert "1 last digit(s) flipped at a rounding boundary" in out
    monkeypatch.setattr(D, "compare_all", lambda: changed)
    assert D.main() == 1
    assert "04_test_model: value: 1 value(s) changed" in capsys.readouterr().out
