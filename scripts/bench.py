"""Benchmark of the build (run by ``make bench``; a script, not a timed test).

Reports, on the offline mirror (``$LOSTGEN_DATA_MIRROR``, default ``../shared/data/raw``):

1. **cleaning alone** — every cleaning step in memory (fetch/verify excluded), with peak memory;
2. **cold build** — a fresh copy of the repository with empty ``data/`` and ``figures/`` →
   ``make all`` (raw files copied from the mirror, tables, notebooks, figures);
3. **no-op rebuild** — ``make all`` again, nothing changed;
4. **one notebook changed** — edit one notebook (a comment line), ``make all``;
5. **one figure deleted** — delete one PNG, ``make all`` (only its notebook re-runs).

Goals (issue #6): cold ≤ 60 s, no-op ≤ 2 s, cleaning of the six case files ≤ 10 s, and no step
redone when its inputs did not change (checked from make's output).
"""

from __future__ import annotations

import os
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
    env = dict(os.environ)
    env.setdefault("LOSTGEN_DATA_MIRROR", str((ROOT / ".." / "shared" / "data" / "raw").resolve()))
    env["MPLBACKEND"] = "Agg"
    print(f"bench on {os.cpu_count()} cores; mirror {env['LOSTGEN_DATA_MIRROR']}")
    bench_cleaning(env)
    with tempfile.TemporaryDirectory(prefix="lostgen-bench-") as tmp:
        work = Path(tmp) / "repo"
        for item in COPY:
            src, dst = ROOT / item, work / item
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(src, dst) if src.is_dir() else shutil.copy2(src, dst)
        (work / "data" / "processed").mkdir(parents=True)
        env_copy = dict(env, LOSTGEN_ROOT=str(work), PYTHONPATH=str(work / "src"))
        stamp = VENV / ".lostgen-installed"
        make = ["make", JOBS, "all", f"VENV={VENV}", "-o", str(stamp)]
        cold, peak, _ = _run(make, work, env_copy)
        print(f"cold build, make {JOBS} (empty data/, figures/): {cold:6.2f} s   (goal ≤ 60 s), "
              f"peak RSS of a child {peak:.0f} MiB")
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
