"""Command line behind the Makefile: ``python -m analysis {fetch,data,notebooks,report,verify}``.

* ``fetch`` — download (or copy from ``$LOSTGEN_DATA_MIRROR``) and sha256-verify every raw file;
* ``data`` — fetch/verify, then rebuild ``data/processed/`` if any input changed (raw files,
  manual tables, cleaning code) or an output is missing or changed: the manifest
  ``data/processed/.manifest.json`` records the sha256 of every input and output, is written
  atomically, and an unreadable manifest means "rebuild"; ``--force`` rebuilds anyway;
* ``notebooks [NAME ...]`` — execute the notebooks (all by default) into ``build/notebooks/``,
  each only when an input changed or an output is missing or changed (see
  :mod:`analysis.site.notebooks`); ``--force`` executes anyway;
* ``report`` — build the static site in ``report/`` from figures, notebooks and tables;
* ``drift`` — compare the rebuilt chart data ``figures/*.csv`` with the committed ones;
* ``verify`` — only check the sha256 of the raw files on disk.

Errors print one clear line (the exception message) and exit with status 1. Every command first
checks that it runs in the checkout its package was imported from
(:func:`analysis.core.paths.check_checkout`).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from analysis.core import paths, stamps
from analysis.core.errors import AnalysisError

MANIFEST = ".manifest.json"
#: Entry points of ``make data``: the pipeline and the data dictionary. The step modules (found
#: by the pipeline at run time) and the rooms' schema modules (collected by ``analysis.schemas``)
#: are added by :func:`data_code`; the import closure of all of them is hashed.
DATA_ENTRIES = ("analysis.pipeline", "analysis.datadict", "analysis.schemas")


def data_code() -> list[Path]:
    """Every package module that can change a table: the import closure of
    :data:`DATA_ENTRIES`, of every step module (:func:`analysis.core.stamps.step_modules`, the
    same rule the pipeline discovers them by) and of every ``schema`` module of the rooms (see
    :func:`analysis.core.stamps.code_closure`), computed from the source, not a hand-kept list."""
    pkg = paths.ROOT / "src" / "analysis"
    rooms = [m for m in stamps.module_files(pkg) if m.endswith(".schema")]
    return stamps.code_closure(pkg, [*DATA_ENTRIES, *stamps.step_modules(pkg), *rooms])


def data_inputs() -> dict[str, str]:
    """sha256 of every input of ``make data`` (registry, manual tables, the code of
    :func:`data_code`)."""
    manual = [f for f in paths.MANUAL.glob("*") if f.is_file()]
    return stamps.digest([paths.SOURCES_TOML, *manual, *data_code()], paths.ROOT)


def cmd_fetch(args: argparse.Namespace) -> None:
    from analysis.core.fetch import fetch_all

    mirror = paths.mirror_dir()
    print(f"[fetch] {'mirror ' + str(mirror) if mirror else 'downloading from upstream URLs'}")
    fetch_all()


def cmd_verify(args: argparse.Namespace) -> None:
    from analysis.core.fetch import raw_path, registry

    for n, file_id in enumerate(registry(), 1):
        raw_path(file_id)
        print(f"[verify {n:2d}] {file_id}: sha256 ok")


def data_outputs() -> list[Path]:
    """Every file ``make data`` wrote (``data/processed/*`` and ``data/interim/*`` except dot
    files, plus the deny-set ``data/interim/.deny.json``), sorted. A deleted or edited deny-set
    therefore means "rebuild", like any other output."""
    from analysis.privacy.denyset import deny_file

    folders = [d for d in (paths.PROCESSED, paths.INTERIM) if d.is_dir()]
    files = [f for d in folders for f in d.iterdir() if f.is_file() and not f.name.startswith(".")]
    return sorted([*files, deny_file()] if deny_file().is_file() else files)


def data_rebuild_reason(manifest: Path, inputs: dict[str, str]) -> str | None:
    """Why ``data/processed/`` must be rebuilt (one line), or ``None`` when it is up to date.

    Up to date means: the manifest is readable, records the same input hashes, and every output
    it records exists with the recorded sha256 (a truncated or edited table is a change).
    """
    old, problem = stamps.read_stamp(manifest, required=("inputs", "outputs"))
    if old is None:
        return f"{stamps.relative_name(manifest, paths.ROOT)} {problem}"
    changed = stamps.changed_keys(old["inputs"], inputs)
    if changed:
        return f"input(s) changed: {stamps.listing(changed)}"
    changed = stamps.changed_files(old["outputs"], paths.ROOT)
    if changed:
        return f"output(s) missing or changed since the last build: {stamps.listing(changed)}"
    return None


def write_data_manifest(manifest: Path, inputs: dict[str, str]) -> None:
    """Record the input hashes and the sha256 of every output, atomically."""
    stamps.write_json_atomic(manifest, {"inputs": inputs,
                                        "outputs": stamps.digest(data_outputs(), paths.ROOT)})


def cmd_data(args: argparse.Namespace) -> None:
    from analysis.core.fetch import fetch_all

    stale = [d for folder in (paths.PROCESSED, paths.INTERIM)
             for d in stamps.remove_stale_temp_dirs(folder.parent, folder.name)]
    for d in stale:
        print(f"[data] removed {stamps.relative_name(d, paths.ROOT)}/ (left by an interrupted build)")
    fetch_all(verbose=False)
    print("[data] raw files present and sha256-verified")
    manifest = paths.PROCESSED / MANIFEST
    inputs = data_inputs()
    reason = "--force" if args.force else data_rebuild_reason(manifest, inputs)
    if reason is None:
        print("[data] data/processed/ is up to date (no input changed)")
        return
    print(f"[data] rebuilding data/processed/: {reason}")
    from analysis.pipeline import build_all  # pandas & co. only when there is work (fast no-op)

    t0 = time.perf_counter()
    built = build_all()
    write_data_manifest(manifest, inputs)
    print(f"[data] built {len(built)} tables in {time.perf_counter() - t0:.1f} s")


def cmd_notebooks(args: argparse.Namespace) -> None:
    from analysis.site.notebooks import execute_all

    execute_all(args.names or None, force=args.force)


def cmd_report(args: argparse.Namespace) -> None:
    from analysis.site.report import build_report

    build_report()


def cmd_drift(args: argparse.Namespace) -> None:
    from analysis.site.drift import main as drift_main

    if drift_main():
        raise SystemExit(1)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="fetch and verify raw files").set_defaults(func=cmd_fetch)
    sub.add_parser("verify", help="verify raw files on disk").set_defaults(func=cmd_verify)
    p = sub.add_parser("data", help="build data/processed/ (only if inputs changed)")
    p.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    p.set_defaults(func=cmd_data)
    p = sub.add_parser("notebooks", help="execute notebooks into build/notebooks/ (only those "
                       "whose inputs changed or whose outputs are missing or changed)")
    p.add_argument("names", nargs="*", help="notebook stems, e.g. 01_migration_atlas")
    p.add_argument("--force", action="store_true", help="execute even if up to date")
    p.set_defaults(func=cmd_notebooks)
    sub.add_parser("report", help="build the static site in report/").set_defaults(
        func=cmd_report)
    sub.add_parser("drift", help="compare rebuilt figures/*.csv with the committed ones"
                   ).set_defaults(func=cmd_drift)
    args = parser.parse_args(argv)
    try:
        paths.check_checkout()
        args.func(args)
    except AnalysisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # a `kill` (make interrupted, CI timeout) unwinds like Ctrl-C, so temporary files are removed
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    sys.exit(main())
