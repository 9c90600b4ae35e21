"""Command line behind the Makefile: ``python -m analysis {fetch,data,notebooks,report,verify}``.

* ``fetch`` — download (or copy from ``$LOSTGEN_DATA_MIRROR``) and sha256-verify every raw file;
* ``data`` — fetch/verify, then rebuild ``data/processed/`` if any input changed (raw files,
  manual tables, cleaning code); ``--force`` rebuilds anyway;
* ``notebooks [NAME ...]`` — execute the notebooks (all by default) into ``build/notebooks/``;
* ``report`` — build the static site in ``report/`` from figures, notebooks and tables;
* ``drift`` — compare the rebuilt chart data ``figures/*.csv`` with the committed ones;
* ``verify`` — only check the sha256 of the raw files on disk.

Errors print one clear line (the exception message) and exit with status 1.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time

from analysis import paths
from analysis.errors import AnalysisError

MANIFEST = ".manifest.json"
#: Code whose change must rebuild the tables (everything that shapes data/processed/).
DATA_CODE_GLOBS = ("clean/*.py", "derive/*.py", "schemas/*.py", "tables.py", "accounts.py",
                   "provinces.py", "fetch.py", "paths.py", "datadict.py", "errors.py",
                   "privacy.py", "seeds.py", "geo.py", "hotspots.py", "exposures.py", "models.py",
                   "factcheck.py", "compare.py")


def _digest(files) -> dict[str, str]:
    return {str(f.relative_to(paths.ROOT)): hashlib.sha256(f.read_bytes()).hexdigest()
            for f in sorted(files)}


def data_inputs() -> dict[str, str]:
    """sha256 of every input of ``make data`` (registry, manual tables, cleaning code)."""
    pkg = paths.ROOT / "src" / "analysis"
    code = [f for g in DATA_CODE_GLOBS for f in pkg.glob(g)]
    manual = [f for f in paths.MANUAL.glob("*") if f.is_file()]
    return _digest([paths.SOURCES_TOML, *manual, *code])


def cmd_fetch(args: argparse.Namespace) -> None:
    from analysis.fetch import fetch_all

    mirror = paths.mirror_dir()
    print(f"[fetch] {'mirror ' + str(mirror) if mirror else 'downloading from upstream URLs'}")
    fetch_all()


def cmd_verify(args: argparse.Namespace) -> None:
    from analysis.fetch import raw_path, registry

    for n, file_id in enumerate(registry(), 1):
        raw_path(file_id)
        print(f"[verify {n:2d}] {file_id}: sha256 ok")


def cmd_data(args: argparse.Namespace) -> None:
    from analysis.fetch import fetch_all
    from analysis.tables import build_all

    fetch_all(verbose=False)
    print("[data] raw files present and sha256-verified")
    manifest = paths.PROCESSED / MANIFEST
    inputs = data_inputs()
    if not args.force and manifest.exists():
        old = json.loads(manifest.read_text(encoding="utf-8"))
        outputs_ok = all((paths.PROCESSED / f).exists() for f in old.get("outputs", []))
        if old.get("inputs") == inputs and outputs_ok:
            print("[data] data/processed/ is up to date (no input changed)")
            return
    t0 = time.perf_counter()
    built = build_all()
    outputs = sorted(f.name for f in paths.PROCESSED.iterdir()
                     if f.is_file() and not f.name.startswith("."))
    manifest.write_text(json.dumps({"inputs": inputs, "outputs": outputs}, indent=1,
                                   sort_keys=True) + "\n", encoding="utf-8")
    print(f"[data] built {len(built)} tables in {time.perf_counter() - t0:.1f} s")


def cmd_notebooks(args: argparse.Namespace) -> None:
    from analysis.notebooks import execute_all

    execute_all(args.names or None)


def cmd_report(args: argparse.Namespace) -> None:
    from analysis.report import build_report

    build_report()


def cmd_drift(args: argparse.Namespace) -> None:
    from analysis.drift import main as drift_main

    if drift_main():
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="fetch and verify raw files").set_defaults(func=cmd_fetch)
    sub.add_parser("verify", help="verify raw files on disk").set_defaults(func=cmd_verify)
    p = sub.add_parser("data", help="build data/processed/ (only if inputs changed)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.set_defaults(func=cmd_data)
    p = sub.add_parser("notebooks", help="execute notebooks into build/notebooks/")
    p.add_argument("names", nargs="*", help="notebook stems, e.g. 01_migration_atlas")
    p.set_defaults(func=cmd_notebooks)
    sub.add_parser("report", help="build the static site in report/").set_defaults(
        func=cmd_report)
    sub.add_parser("drift", help="compare rebuilt figures/*.csv with the committed ones"
                   ).set_defaults(func=cmd_drift)
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
