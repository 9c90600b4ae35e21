"""Drift check: a deliberate change to the data behind a figure is caught, with its name."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import paths
from analysis.drift import describe_difference, drift_report


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

    from analysis.drift import committed_csvs

    root = tmp_path / "repo"
    for item in ("src", "notebooks", "data/sources.toml", "data/raw/manual"):
        src, dst = paths.ROOT / item, root / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, dst) if src.is_dir() else shutil.copy2(src, dst)
    rule = root / "src" / "analysis" / "clean" / "migration_od.py"
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
    drifts = drift_report(root / "figures", committed)
    names = sorted(d.figure for d in drifts)
    assert names == ["01_interprovincial_flows_2015_2020_cn_atlas",
                     "01_interprovincial_flows_2015_2020_ocha"], drifts
    assert "estimate_persons" in drifts[0].what
