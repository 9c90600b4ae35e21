"""Benchmark of the build (run by ``make bench``; a script, not a timed test).

Reports, on the offline mirror (``$LOSTGEN_DATA_MIRROR``, default ``../shared/data/raw``):

1. **cleaning alone** — every cleaning step in memory (fetch/verify excluded), with peak memory;
2. **cold build** — a fresh copy of the repository with empty ``data/`` and ``figures/`` →
   ``make all`` (raw files copied from the mirror, tables, notebooks, figures);
3. **no-op rebuild** — ``make all`` again, nothing changed;
4. **one notebook changed** — edit one notebook (a comment line), ``make all``;
5. **one figure deleted** — delete one PNG, ``make all`` (only its notebook re-runs);
6. **floor** — an estimate, from the same run and machine, of the least work the cold build must do
   (:data:`FLOOR_PARTS`): importing the stack, reading every raw file once, the minimal statistics
   and drawing each published figure once at publication size; the cold build is reported as a
   **ratio** to it, and the slowest steps of the cold build are listed (county and prefecture steps
   included).

``--compare REV`` also runs the cold build of another commit (``git archive``) in the same run, so
a before → after is measured on one machine under one load.

Goals (issue #6, #16): cold ≤ 2 × floor and ≤ 30 s on 2 cores, peak RSS ≤ 1 GiB, no-op ≤ 2 s,
cleaning of the case files ≤ 10 s, and no step redone when its inputs did not change.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
COPY = ["src", "notebooks", "docs", "data/sources.toml", "data/raw/manual", "Makefile",
        "pyproject.toml", "requirements", "README.md"]
#: make runs the independent notebooks in parallel on the 2 cores (targets track their inputs)
JOBS = "-j2"


def _run(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Run a command; returns (seconds, peak RSS of children in MiB, combined output)."""
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{res.stdout[-2000:]}\n{res.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return dt, peak, res.stdout + res.stderr


def _executed(make_output: str) -> list[str]:
    """Notebooks the CLI executed, from make's output."""
    return [line.split()[2] for line in make_output.splitlines()
            if line.startswith("[notebooks] executing")]


#: what the floor counts (printed by the bench; the code is :data:`FLOOR_CODE`)
FLOOR_PARTS = (
    "import: python, pandas, geopandas, matplotlib, statsmodels, esda, libpysal, spreg and analysis",
    "read: every file under data/raw once with the plainest reader of its format (bytes for "
    "text, pandas for csv/tsv/xls/xlsx, json, pyogrio for geojson)",
    "statistics: one global Moran's I (999 permutations) at province and at prefecture level, one "
    "local Moran (999 permutations) at prefecture level, one negative-binomial GLM at county level",
    "figures: one province choropleth drawn and saved as PNG at publication size and dpi, times "
    "the number of PNG figures the cold build wrote (a bar chart is cheaper, a prefecture map dearer)",
)

FLOOR_CODE = r"""
import time
t0 = time.perf_counter()
import json, sys
from pathlib import Path
import numpy as np, pandas as pd, geopandas as gpd, pyogrio
import matplotlib; matplotlib.use("Agg")
import matplotlib.pyplot as plt
import statsmodels.api as sm
import esda, libpysal, spreg
import analysis.pipeline
from analysis import geo
from analysis.plots import style
t_import = time.perf_counter() - t0

root = Path(sys.argv[1]); n_figures = int(sys.argv[2])
t0 = time.perf_counter()
import warnings
warnings.simplefilter("ignore")
for f in sorted((root / "data" / "raw").rglob("*")):
    if not f.is_file():
        continue
    ext = f.suffix.lower()
    try:  # a file with known defects is repaired by its room; here it is parsed plainly or decoded
        if ext in (".xlsx", ".xls"):
            pd.read_excel(f, sheet_name=None)
        elif ext in (".csv", ".tsv"):
            pd.read_csv(f, sep="\t" if ext == ".tsv" else ",", low_memory=False)
        elif ext == ".geojson":
            pyogrio.read_dataframe(f)
        elif ext == ".json":
            json.loads(f.read_bytes())
        else:
            f.read_bytes().decode("utf-8", errors="replace")
    except ValueError:
        f.read_bytes().decode("utf-8", errors="replace")
t_read = time.perf_counter() - t0

processed = root / "data" / "processed"
prov = geo.load_boundaries("ocha", processed)
pref = geo.load_prefecture_boundaries(processed)
rng = np.random.default_rng(0)
t0 = time.perf_counter()
wp = libpysal.weights.Queen.from_dataframe(prov, use_index=True, silence_warnings=True)
wp.transform = "r"
esda.Moran(rng.random(len(prov)), wp, permutations=999)
wf = libpysal.weights.KNN.from_dataframe(pref.to_crs(3857).set_geometry(pref.to_crs(3857).centroid), k=5)
wf.transform = "r"
yf = rng.random(len(pref))
esda.Moran(yf, wf, permutations=999)
esda.Moran_Local(yf, wf, permutations=999, seed=0, n_jobs=1)
n = 2800
X = sm.add_constant(rng.normal(size=(n, 4)))
y = rng.poisson(np.exp(0.5 + X[:, 1:] @ np.array([0.2, -0.1, 0.05, 0.0])))
sm.GLM(y, X, family=sm.families.NegativeBinomial(alpha=1.0)).fit()
t_stats = time.perf_counter() - t0

style.use_house_style()
t0 = time.perf_counter()
fig, ax = plt.subplots(figsize=(6.4, 4.8))
prov.assign(v=rng.random(len(prov))).plot(column="v", ax=ax, legend=True)
ax.set_axis_off()
fig.savefig(root / "bench-floor-figure.png", dpi=style.PNG_DPI)
plt.close(fig)
t_figure = time.perf_counter() - t0
print(f"{t_import:.3f} {t_read:.3f} {t_stats:.3f} {t_figure:.3f} {n_figures}")
"""


def bench_floor(work: Path, env: dict[str, str]) -> float:
    """Print the floor's parts (seconds) measured in a fresh interpreter; returns the floor."""
    n_figures = len(list((work / "figures").glob("*.png")))
    out = subprocess.run([str(VENV / "bin" / "python"), "-c", FLOOR_CODE, str(work), str(n_figures)],
                         cwd=work, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"bench: floor measurement failed:\n{out.stderr[-2000:]}")
    t_import, t_read, t_stats, t_figure, n = out.stdout.splitlines()[-1].split()
    parts = {"import": float(t_import), "read raw": float(t_read), "statistics": float(t_stats),
             f"figures ({n} × {float(t_figure):.2f} s)": float(t_figure) * int(n)}
    floor = sum(parts.values())
    print("floor (least work of a cold build, same machine, same run):")
    for (name, seconds), why in zip(parts.items(), FLOOR_PARTS, strict=True):
        print(f"  {name:<28} {seconds:6.2f} s   {why}")
    print(f"  {'floor':<28} {floor:6.2f} s")
    return floor


STEP_LINE = re.compile(r"^\[data\] step (\S+) done in ([0-9.]+) s")
NOTEBOOK_LINE = re.compile(r"^\[notebooks\] (\S+) done in ([0-9.]+) s")


def slowest_steps(make_output: str, top: int = 8) -> list[tuple[str, float]]:
    """The slowest data steps and notebooks of a build, from its output."""
    found = [(m.group(1), float(m.group(2))) for line in make_output.splitlines()
             if (m := STEP_LINE.match(line) or NOTEBOOK_LINE.match(line))]
    return sorted(found, key=lambda item: -item[1])[:top]


def copy_tree(work: Path, rev: str | None) -> None:
    """The files a build needs, from the checkout (``rev=None``) or from commit ``rev``."""
    if rev is not None:
        work.mkdir(parents=True)
        archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True)
        subprocess.run(["tar", "-x"], cwd=work, input=archive.stdout, check=True)
        for item in ("figures", "data/processed"):
            shutil.rmtree(work / item, ignore_errors=True)
        (work / "data" / "processed").mkdir(parents=True, exist_ok=True)
        return
    for item in COPY:
        src, dst = ROOT / item, work / item
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(src, dst) if src.is_dir() else shutil.copy2(src, dst)
    (work / "data" / "processed").mkdir(parents=True)


def cold_build(work: Path, env: dict[str, str], label: str) -> tuple[float, str, list[str]]:
    """``make -j2 all`` on an empty data/ and figures/; prints time, peak RSS, slowest steps."""
    env_copy = dict(env, LOSTGEN_ROOT=str(work), PYTHONPATH=str(work / "src"))
    stamp = VENV / ".lostgen-installed"
    make = ["make", JOBS, "all", f"VENV={VENV}", "-o", str(stamp)]
    cold, peak, out = _run(make, work, env_copy)
    print(f"cold build {label}, make {JOBS} (empty data/, figures/): {cold:6.2f} s   (goal ≤ 30 s), "
          f"peak RSS of a child {peak:.0f} MiB (goal ≤ 1024)")
    print("  slowest: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in slowest_steps(out)))
    return cold, out, make


def bench_cleaning(env: dict[str, str]) -> None:
    code = (
        "import resource, time\n"
        "from analysis.core.step import BuildContext\n"
        "from analysis.pipeline import discover, run_steps\n"
        "quiet = lambda s: None\n"
        "t0 = time.perf_counter(); run_steps(log=quiet); dt = time.perf_counter() - t0\n"
        "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
        "cases = sorted(s for s in discover() if s.startswith('sources.cases.'))\n"
        "ctx = BuildContext(); run_steps(['sources.census_city'], ctx, log=quiet)\n"
        "t1 = time.perf_counter(); run_steps(cases, ctx, log=quiet)\n"
        "dc = time.perf_counter() - t1\n"
        "print(f'{dt:.2f} {peak:.0f} {dc:.2f} {len(cases)}')\n"
    )
    out = subprocess.run([str(VENV / "bin" / "python"), "-c", code], cwd=ROOT, env=env,
                         capture_output=True, text=True, check=True).stdout.splitlines()[-1].split()
    dt, peak, dc, n = float(out[0]), float(out[1]), float(out[2]), int(out[3])
    print(f"cleaning alone (all steps, in memory): {dt:6.2f} s, peak RSS {peak:.0f} MiB")
    print(f"cleaning the case files ({n} steps):   {dc:6.2f} s   (goal ≤ 10 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="REV",
                        help="also cold-build commit REV in the same run (before → after)")
    args = parser.parse_args()
    env = dict(os.environ)
    env.setdefault("LOSTGEN_DATA_MIRROR", str((ROOT / ".." / "shared" / "data" / "raw").resolve()))
    env["MPLBACKEND"] = "Agg"
    print(f"bench on {os.cpu_count()} cores; mirror {env['LOSTGEN_DATA_MIRROR']}")
    bench_cleaning(env)
    with tempfile.TemporaryDirectory(prefix="lostgen-bench-") as tmp:
        if args.compare:
            before = Path(tmp) / "before"
            copy_tree(before, args.compare)
            cold_before, _, _ = cold_build(before, env, f"of {args.compare}")
            floor_before = bench_floor(before, dict(env, PYTHONPATH=str(before / "src")))
            print(f"ratio cold / floor of {args.compare}: {cold_before / floor_before:5.2f}")
        work = Path(tmp) / "repo"
        copy_tree(work, None)
        env_copy = dict(env, LOSTGEN_ROOT=str(work), PYTHONPATH=str(work / "src"))
        cold, _, make = cold_build(work, env, "of this checkout")
        floor = bench_floor(work, env_copy)
        print(f"ratio cold / floor: {cold / floor:5.2f}   (goal ≤ 2)")
        noop, _, out = _run(make, work, env_copy)
        # make asks the CLI about every notebook; it prints "executing" only when it re-runs one
        print(f"no-op rebuild:                         {noop:6.2f} s   (goal ≤ 2 s); "
              f"notebooks re-run: {len(_executed(out))}")
        nb = sorted((work / "notebooks").glob("[0-9][0-9]_*.py"))[0]
        # notebooks are tracked by content (sha256), so a touch alone is not a change
        nb.write_text(nb.read_text(encoding="utf-8") + "\n# bench: one changed line\n",
                      encoding="utf-8")
        one, _, out = _run(make, work, env_copy)
        print(f"one notebook changed ({nb.name}): {one:6.2f} s; re-run: {_executed(out)}")
        png = sorted((work / "figures").glob("[0-9][0-9]_*.png"))[-1]
        png.unlink()
        fig, _, out = _run(make, work, env_copy)
        print(f"one figure deleted ({png.name}): {fig:6.2f} s; re-run: {_executed(out)}")


if __name__ == "__main__":
    main()
