"""The build repairs itself: the data manifest and the notebook stamps record sha256 of inputs and
outputs, so a truncated manifest, a truncated table or a deleted/edited figure is rebuilt; the
temporary folders of the write phase never outlive a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis import __main__ as cli
from analysis import pipeline, tables
from analysis.core import paths, stamps
from analysis.site import notebooks

# ------------------------------------------------------------------ stamps


def test_write_json_atomic_keeps_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "stamp.json"
    stamps.write_json_atomic(target, {"a": 1})
    assert json.loads(target.read_text()) == {"a": 1}

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        stamps.write_json_atomic(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["stamp.json"], "temporary file left behind"


@pytest.mark.parametrize("content, why", [
    (None, "does not exist"),
    ("", "unreadable"),
    ('{"inputs": {"a": "1"}, "outputs": {"b"', "unreadable"),
    ("\xff\xfe", "unreadable"),
    ("[]", "not a JSON object"),
    ('{"inputs": {}, "outputs": ["t.csv"]}', "no outputs record"),
])
def test_an_unusable_stamp_is_a_reason_never_an_exception(tmp_path, content, why):
    path = tmp_path / "m.json"
    if content is not None:
        path.write_text(content, encoding="latin-1")
    stamp, problem = stamps.read_stamp(path, required=("inputs", "outputs"))
    assert stamp is None and why in problem


# ------------------------------------------------------------------ data manifest


def test_the_real_manifest_records_the_hash_of_every_output(processed):
    manifest, problem = stamps.read_stamp(processed / cli.MANIFEST, required=("inputs", "outputs"))
    assert manifest is not None, problem
    files = sorted(stamps.relative_name(f, paths.ROOT) for f in cli.data_outputs())
    assert any(f.startswith("data/interim/") for f in files)
    assert sorted(manifest["outputs"]) == files
    for name, sha in manifest["outputs"].items():
        assert stamps.sha256_file(paths.ROOT / name) == sha, name
    assert cli.data_rebuild_reason(processed / cli.MANIFEST, cli.data_inputs()) is None


@pytest.fixture
def processed_copy(processed, tmp_path, monkeypatch):
    """A copy of the real data/processed/ under a temporary root (paths redirected there);
    returns ``(manifest, the real input hashes)``."""
    inputs = cli.data_inputs()
    root = tmp_path / "repo"
    shutil.copytree(processed, root / "data" / "processed")
    shutil.copytree(paths.INTERIM, root / "data" / "interim")
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "PROCESSED", root / "data" / "processed")
    monkeypatch.setattr(paths, "INTERIM", root / "data" / "interim")
    return paths.PROCESSED / cli.MANIFEST, inputs


def test_truncated_manifest_means_rebuild(processed_copy):
    manifest, inputs = processed_copy
    assert cli.data_rebuild_reason(manifest, inputs) is None
    text = manifest.read_bytes()
    manifest.write_bytes(text[: len(text) // 2])
    reason = cli.data_rebuild_reason(manifest, inputs)
    assert reason and "unreadable" in reason and ".manifest.json" in reason
    manifest.write_bytes(b"")
    assert "unreadable" in cli.data_rebuild_reason(manifest, inputs)


@pytest.mark.parametrize("damage", ["truncate", "edit", "delete"])
def test_truncated_edited_or_deleted_table_means_rebuild(processed_copy, damage):
    manifest, inputs = processed_copy
    victim = paths.PROCESSED / "case_counts.csv"
    data = victim.read_bytes()
    if damage == "truncate":
        victim.write_bytes(data[: len(data) // 2])
    elif damage == "edit":
        victim.write_bytes(data.replace(b",", b";", 1))
    else:
        victim.unlink()
    reason = cli.data_rebuild_reason(manifest, inputs)
    assert reason == "output(s) missing or changed since the last build: data/processed/case_counts.csv"


def test_changed_input_means_rebuild(processed_copy):
    manifest, inputs = processed_copy
    changed = dict(inputs, **{"src/analysis/clean/population.py": "0" * 64})
    assert cli.data_rebuild_reason(manifest, changed) == \
        "input(s) changed: src/analysis/clean/population.py"


def test_cli_data_rebuilds_on_a_corrupt_manifest_and_a_truncated_table(tmp_path, monkeypatch,
                                                                        capsys):
    """`python -m analysis data` with a truncated manifest or output rebuilds (one line saying
    why) instead of crashing; the new manifest is valid and records the output hash."""
    root = tmp_path / "repo"
    (root / "data" / "processed").mkdir(parents=True)
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    monkeypatch.setattr(paths, "ROOT", root)
    monkeypatch.setattr(paths, "PROCESSED", root / "data" / "processed")
    monkeypatch.setattr(paths, "INTERIM", root / "data" / "interim")
    import analysis.core.fetch

    monkeypatch.setattr(analysis.core.fetch, "fetch_all", lambda **kw: {})
    builds = []

    def fake_build_all():
        (paths.PROCESSED / "t.csv").write_text("a\n1\n2\n", encoding="utf-8")
        builds.append(1)
        return {"t": None}

    monkeypatch.setattr(pipeline, "build_all", fake_build_all)
    manifest = paths.PROCESSED / cli.MANIFEST

    assert cli.main(["data"]) == 0 and len(builds) == 1  # first build
    assert cli.main(["data"]) == 0 and len(builds) == 1  # up to date
    assert "up to date" in capsys.readouterr().out

    manifest.write_text(manifest.read_text()[:20])  # truncated manifest
    assert cli.main(["data"]) == 0 and len(builds) == 2
    out = capsys.readouterr().out
    assert "[data] rebuilding data/processed/: data/processed/.manifest.json is unreadable" in out
    recorded = json.loads(manifest.read_text())["outputs"]
    assert recorded == {"data/processed/t.csv": stamps.sha256_file(paths.PROCESSED / "t.csv")}

    (paths.PROCESSED / "t.csv").write_text("a\n1\n")  # truncated output
    assert cli.main(["data"]) == 0 and len(builds) == 3
    assert "data/processed/t.csv" in capsys.readouterr().out
    assert (paths.PROCESSED / "t.csv").read_text() == "a\n1\n2\n"


# ------------------------------------------------------------------ temporary folders


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_folders_are_removed_and_live_ones_kept(tmp_path):
    dead = tmp_path / f".processed-{_dead_pid()}-abc"
    legacy = tmp_path / ".processed-x1y2z3"  # named before pids were recorded
    live = tmp_path / f".processed-{os.getppid()}-def"  # pytest's parent is alive
    other = tmp_path / "processed"
    for d in (dead, legacy, live, other):
        (d / "sub").mkdir(parents=True)
        (d / "sub" / "t.csv").write_text("x")
    removed = stamps.remove_stale_temp_dirs(tmp_path, "processed")
    assert sorted(removed) == sorted([dead, legacy])
    assert not dead.exists() and not legacy.exists() and live.exists() and other.exists()


def test_write_phase_removes_its_temp_folder_on_failure_and_stale_ones(raw_data, tmp_path,
                                                                        monkeypatch):
    out = tmp_path / "data" / "processed"
    stale = tmp_path / "data" / f".processed-{_dead_pid()}-killed"
    stale.mkdir(parents=True)
    (stale / "population_yearend.csv").write_text("half a table")
    real_write = tables.write_table
    calls = []

    def failing_write(table, out_dir, **kw):
        calls.append(out_dir)
        if len(calls) > 1:
            raise OSError("disk full")
        return real_write(table, out_dir, **kw)

    monkeypatch.setattr(pipeline, "write_table", failing_write)
    with pytest.raises(OSError, match="disk full"):
        pipeline.build_all(["sources.population"], out_dir=out, log=lambda s: None)
    assert calls and calls[0].name.startswith(f".processed-{os.getpid()}-")
    assert not list((tmp_path / "data").glob(".processed-*")), "temporary folder left behind"
    assert not any(out.iterdir()), "nothing is written when the write phase fails"


def test_temp_folders_are_git_ignored():
    if not (paths.ROOT / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout")
    res = subprocess.run(["git", "check-ignore", "-q", "data/.processed-123-abc/t.csv"],
                         cwd=paths.ROOT)
    assert res.returncode == 0


# ------------------------------------------------------------------ notebook stamps

SYNTHETIC_NOTEBOOK = '''# %% [markdown]
# # Synthetic notebook
# Writes one figure and its chart data, as a real notebook does through save_figure.

# %%
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from analysis.core import paths

paths.FIGURES.mkdir(parents=True, exist_ok=True)
fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1, 2], [0, 1, 4])
fig.savefig(paths.FIGURES / "01_synthetic_line.png", dpi=50, metadata={"Software": None})
(paths.FIGURES / "01_synthetic_line.csv").write_text("x,y\\n0,0\\n1,1\\n2,4\\n")
'''


def test_notebook_stamp_notices_changed_inputs_and_outputs(tmp_path, monkeypatch):
    """``outdated`` gives the reason for every kind of change (no kernel needed)."""
    root = tmp_path / "repo"
    for sub in ("notebooks", "figures", "build/notebooks", "data/processed"):
        (root / sub).mkdir(parents=True)
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    monkeypatch.delenv("LOSTGEN_LANG", raising=False)
    for name, value in (("ROOT", root), ("NOTEBOOKS", root / "notebooks"),
                        ("FIGURES", root / "figures"), ("PROCESSED", root / "data" / "processed"),
                        ("EXECUTED_NOTEBOOKS", root / "build" / "notebooks")):
        monkeypatch.setattr(paths, name, value)
    source = root / "notebooks" / "01_synthetic.py"
    source.write_text(SYNTHETIC_NOTEBOOK)
    figure = root / "figures" / "01_synthetic_line.png"
    figure.write_bytes(b"png bytes")
    executed = notebooks.executed_path(source)
    executed.write_text("{}")
    assert notebooks.outdated(source).endswith("01_synthetic.stamp.json does not exist")
    stamps.write_json_atomic(notebooks.stamp_path(source), {
        "inputs": notebooks.notebook_inputs(source),
        "outputs": stamps.digest([executed, figure], root)})
    assert notebooks.outdated(source) is None

    figure.write_bytes(b"png byte")
    assert notebooks.outdated(source) == \
        "output(s) missing or changed: figures/01_synthetic_line.png"
    figure.write_bytes(b"png bytes")
    (root / "data" / "processed" / ".manifest.json").write_text("{}")
    assert notebooks.outdated(source) == "changed: data/processed/.manifest.json"
    (root / "data" / "processed" / ".manifest.json").unlink()
    monkeypatch.setenv("LOSTGEN_LANG", "zh")
    assert notebooks.outdated(source) == "changed: setting:language"
    monkeypatch.delenv("LOSTGEN_LANG")
    source.write_text(SYNTHETIC_NOTEBOOK + "# %%\n1 + 1\n")
    assert notebooks.outdated(source) == "changed: notebooks/01_synthetic.py"
    notebooks.stamp_path(source).write_text('{"inputs": {')
    assert "unreadable" in notebooks.outdated(source)


@pytest.fixture(scope="module")
def synthetic_checkout(tmp_path_factory):
    """A checkout with the real Makefile and package but one small synthetic notebook; its
    tables are not built (make is told the manifest is up to date)."""
    root = tmp_path_factory.mktemp("synthetic") / "repo"
    for item in ("Makefile", "pyproject.toml", "requirements", "src", "data/sources.toml",
                 "docs/methodology.md"):
        src, dst = paths.ROOT / item, root / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(src, dst)
    (root / "notebooks").mkdir()
    (root / "notebooks" / "01_synthetic.py").write_text(SYNTHETIC_NOTEBOOK)
    (root / "data" / "processed").mkdir(parents=True)
    (root / "data" / "processed" / cli.MANIFEST).write_text("{}")
    return root


def _make(root: Path, *targets: str) -> str:
    venv = Path(sys.executable).parent.parent
    env = {k: v for k, v in os.environ.items()
           if k not in ("LOSTGEN_FIGURES", "LOSTGEN_EXECUTED_NOTEBOOKS", "LOSTGEN_LANG")}
    env.update(LOSTGEN_ROOT=str(root), PYTHONPATH=str(root / "src"), MPLBACKEND="Agg")
    cmd = ["make", "-j2", *targets, f"VENV={venv}", "-o", f"{venv}/.lostgen-installed",
           "-o", f"data/processed/{cli.MANIFEST}"]
    res = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr[-2000:]
    return res.stdout + res.stderr


@pytest.mark.slow
def test_make_rebuilds_a_deleted_or_edited_figure_and_then_the_report(synthetic_checkout):
    root = synthetic_checkout
    png = root / "figures" / "01_synthetic_line.png"
    out = _make(root, "notebooks", "report")
    assert "[notebooks] executing 01_synthetic.py" in out and "[report]" in out
    assert "re-installing" not in out
    original = png.read_bytes()
    stamp = json.loads((root / "build" / "notebooks" / "01_synthetic.stamp.json").read_text())
    assert sorted(stamp["outputs"]) == ["build/notebooks/01_synthetic.ipynb",
                                        "figures/01_synthetic_line.csv",
                                        "figures/01_synthetic_line.png"]

    out = _make(root, "notebooks", "report")  # nothing changed: nothing redone
    assert "01_synthetic.py: up to date" in out
    assert "executing" not in out and "[report]" not in out

    png.unlink()  # deleted figure
    out = _make(root, "notebooks", "report")
    assert ("executing 01_synthetic.py (output(s) missing or changed: "
            "figures/01_synthetic_line.png)") in out
    assert png.read_bytes() == original
    assert "[report]" in out, "the report must be rebuilt after a notebook re-ran"

    png.write_bytes(original[: len(original) // 2])  # stale / truncated figure
    out = _make(root, "notebooks")
    assert "executing 01_synthetic.py" in out and png.read_bytes() == original
