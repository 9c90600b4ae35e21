"""Drift check: do the rebuilt chart-data CSVs (``figures/*.csv``) match the committed ones?

The chart data of every published figure is committed; images are rebuilt. After a rebuild
(``make all``), :func:`drift_report` compares each ``figures/<name>.csv`` with the version in git
``HEAD`` **at publication precision** and describes every difference: figures added or removed,
rows added or removed, columns changed, and for numeric columns the largest absolute change — so a
reporter knows which published chart a change in the data or a cleaning rule moved, and by how
much.

Chart CSVs are written at publication precision (:mod:`analysis.plots.precision`; each column's
precision is recorded in the committed ``figures/<name>.json``). Float noise from another BLAS
kernel or thread count can still flip a last digit when a value lies on a rounding boundary, so
a published value that differs from the committed one still passes when the rebuilt
*full-precision* value (``build/chart_data/<name>.csv``, written by
:func:`analysis.plots.save.save_figure`) lies within half a unit in the committed value's last
published place, widened by :data:`BOUNDARY_SLACK` — that is, the committed digit is one of the
two roundings of the rebuilt value. A move by a whole published unit or more always fails.
Text, boolean and other non-numeric columns compare exactly. Without a full-precision copy (e.g.
after deleting ``build/``) published values must match exactly.

``python -m analysis drift`` prints the report and exits 1 when anything drifted (CI runs it after
``make test``). Accept an intended change by committing the new CSVs and JSONs.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.core import paths
from analysis.plots.precision import Precision, round_value, unit_of
from analysis.plots.save import full_precision_dir

#: How far beyond a rounding boundary (as a fraction of half a published unit) a rebuilt
#: full-precision value may lie and still count as the committed published value. The float
#: noise measured between OpenBLAS kernels (Haswell vs SkylakeX) on this project's figures is at
#: most 6e-4 of half a published unit (|Δ| ≤ 2.3e-7); a change of one published unit is 2 half
#: units, far outside.
BOUNDARY_SLACK = 0.01


@dataclass(frozen=True)
class Drift:
    """One figure whose chart data differ from the committed version."""

    figure: str
    what: str


@dataclass(frozen=True)
class FigureComparison:
    """Result of comparing one figure's chart data: ``what`` is empty when it matches;
    ``boundary_flips`` counts published values that differ from the committed ones only by a
    last digit at a rounding boundary (accepted)."""

    figure: str
    what: str
    boundary_flips: int = 0


def _git(root: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout


def committed_files(suffix: str, ref: str = "HEAD", root: Path | None = None) -> dict[str, bytes]:
    """``{figure name: bytes}`` of ``figures/*<suffix>`` in git ``ref``."""
    root = root or paths.ROOT
    names = _git(root, "ls-tree", "--name-only", ref, "figures/").decode().split()
    return {Path(name).stem: _git(root, "show", f"{ref}:{name}")
            for name in names if name.endswith(suffix)}


def committed_csvs(ref: str = "HEAD", root: Path | None = None) -> dict[str, bytes]:
    """``{figure name: bytes}`` of ``figures/*.csv`` in git ``ref``."""
    return committed_files(".csv", ref, root)


def committed_precisions(ref: str = "HEAD", root: Path | None = None
                         ) -> dict[str, dict[str, Precision]]:
    """``{figure name: {column: Precision}}`` recorded in the ``precision`` entry of the
    committed ``figures/*.json`` (figures whose JSON has none are left out)."""
    out = {}
    for name, blob in committed_files(".json", ref, root).items():
        spec = json.loads(blob.decode("utf-8")).get("precision")
        if spec:
            out[name] = {col: Precision.from_json(p) for col, p in spec.items()}
    return out


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _within_boundary(committed: np.ndarray, full: np.ndarray, precision: Precision) -> np.ndarray:
    """Whether each rebuilt full-precision value lies within half a unit in the last published
    place of the committed value (times ``1 + BOUNDARY_SLACK``)."""
    half = np.array([precision.half_unit(v) if np.isfinite(v) else 0.0 for v in committed])
    with np.errstate(invalid="ignore"):
        return np.abs(full - committed) <= half * (1 + BOUNDARY_SLACK)


def _numeric_change(col: str, a: pd.Series, b: pd.Series, full: pd.Series | None,
                    precision: Precision) -> tuple[str, int]:
    """Description of the changed values of a numeric column (empty if none) and the number of
    boundary flips accepted."""
    old, new = a.astype(float).to_numpy(), b.astype(float).to_numpy()
    both_missing = np.isnan(old) & np.isnan(new)
    same = (old == new) | both_missing
    accepted = same.copy()
    if full is not None:
        accepted |= _within_boundary(old, full.astype(float).to_numpy(), precision)
    changed = ~accepted
    flips = int((accepted & ~same).sum())
    if not changed.any():
        return "", flips
    diff = np.where(changed, np.abs(new - old), np.nan)
    worst = int(np.nanargmax(diff)) if np.isfinite(diff).any() else int(np.flatnonzero(changed)[0])
    largest = np.nanmax(diff) if np.isfinite(diff).any() else np.nan
    return (f"{col}: {int(changed.sum())} value(s) changed, largest |Δ| = {largest:.6g} "
            f"(row {worst + 1}: {a.iloc[worst]} → {b.iloc[worst]})"), flips


def _full_precision_column(full: pd.DataFrame | None, new: pd.DataFrame, col: str,
                           precision: Precision) -> pd.Series | None:
    """The full-precision rebuilt values of ``col``, or ``None`` when there is no copy or it does
    not belong to this build (its values do not round to the published ones)."""
    if full is None or col not in full.columns or len(full) != len(new) or not _numeric(full[col]):
        return None
    published = new[col].astype(float).to_numpy()
    rounded = np.array([round_value(v, precision) for v in full[col].astype(float).to_numpy()])
    consistent = (rounded == published) | (np.isnan(rounded) & np.isnan(published))
    return full[col] if consistent.all() else None


def describe_difference(old: pd.DataFrame, new: pd.DataFrame, *,
                        full: pd.DataFrame | None = None,
                        precisions: Mapping[str, Precision] | None = None) -> str:
    """A one-line description of how ``new`` differs from ``old`` (empty if equal at publication
    precision). ``full`` holds the rebuilt values at full precision (same rows and columns as
    ``new``); ``precisions`` the committed precision of each column (a column without one gets
    :func:`analysis.plots.precision.unit_of` its name)."""
    return compare_frames(old, new, full=full, precisions=precisions)[0]


def compare_frames(old: pd.DataFrame, new: pd.DataFrame, *, full: pd.DataFrame | None = None,
                   precisions: Mapping[str, Precision] | None = None) -> tuple[str, int]:
    """Like :func:`describe_difference`, also returning the number of accepted boundary flips."""
    parts = []
    flips = 0
    precisions = precisions or {}
    if list(old.columns) != list(new.columns):
        added = [c for c in new.columns if c not in old.columns]
        removed = [c for c in old.columns if c not in new.columns]
        parts.append(f"columns added {added} removed {removed}" if added or removed
                     else "columns reordered")
    if len(old) != len(new):
        parts.append(f"rows {len(old)} → {len(new)}")
    common = [c for c in old.columns if c in new.columns]
    if len(old) == len(new):
        for col in common:
            a, b = old[col], new[col]
            if a.equals(b):
                continue
            if _numeric(a) and _numeric(b):
                precision = precisions.get(str(col)) or unit_of(str(col))
                what, n_flips = _numeric_change(
                    col, a, b, _full_precision_column(full, new, col, precision), precision)
                flips += n_flips
                if what:
                    parts.append(what)
            else:
                n = int((a.astype(str) != b.astype(str)).sum())
                parts.append(f"{col}: {n} value(s) changed")
    return "; ".join(parts), flips


def _read(blob: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(blob))


def compare_all(current: Path | None = None, committed: Mapping[str, bytes] | None = None, *,
                full_dir: Path | None = None,
                precisions: Mapping[str, Mapping[str, Precision]] | None = None
                ) -> list[FigureComparison]:
    """Compare every figure's chart data in ``current`` (default ``figures/``) with
    ``committed`` (default git ``HEAD``), using the full-precision copies in ``full_dir``
    (default :func:`analysis.plots.save.full_precision_dir` of ``current``) and the committed
    precisions (default: the ``precision`` entries of the committed JSONs; in their absence the
    rules of :mod:`analysis.plots.precision`). One entry per figure, sorted by name."""
    current = Path(current or paths.FIGURES)
    full_dir = Path(full_dir) if full_dir is not None else full_precision_dir(current)
    if committed is None:
        committed = committed_csvs()
        precisions = committed_precisions() if precisions is None else precisions
    precisions = precisions or {}
    now = {p.stem: p.read_bytes() for p in sorted(current.glob("*.csv"))}
    out = []
    for name in sorted(set(committed) | set(now)):
        if name not in now:
            out.append(FigureComparison(name, "committed but no longer built"))
        elif name not in committed:
            out.append(FigureComparison(name, "new figure, chart data not committed yet"))
        elif now[name] == committed[name]:
            out.append(FigureComparison(name, ""))
        else:
            full_path = full_dir / f"{name}.csv"
            full = _read(full_path.read_bytes()) if full_path.is_file() else None
            what, flips = compare_frames(_read(committed[name]), _read(now[name]), full=full,
                                         precisions=precisions.get(name))
            if not what and not flips:
                what = "bytes differ (formatting only)"
            out.append(FigureComparison(name, what, flips))
    return out


def drift_report(current: Path | None = None, committed: Mapping[str, bytes] | None = None, *,
                 full_dir: Path | None = None,
                 precisions: Mapping[str, Mapping[str, Precision]] | None = None) -> list[Drift]:
    """Differences between the chart-data CSVs in ``current`` (default ``figures/``) and the
    committed ones (default git ``HEAD``) at publication precision; see :func:`compare_all`."""
    return [Drift(c.figure, c.what)
            for c in compare_all(current, committed, full_dir=full_dir, precisions=precisions)
            if c.what]


def main() -> int:
    """Print the drift report; 1 if any figure drifted, else 0."""
    comparisons = compare_all()
    drifts = [c for c in comparisons if c.what]
    flips = sum(c.boundary_flips for c in comparisons)
    flip_note = (f"; {flips} last digit(s) flipped at a rounding boundary by float noise, accepted"
                 if flips else "")
    if not drifts:
        identical = sum(1 for c in comparisons if not c.boundary_flips)
        print(f"[drift] {len(comparisons)} chart-data CSVs match the committed ones at publication "
              f"precision ({identical} byte-identical{flip_note})")
        return 0
    print(f"[drift] {len(drifts)} figure(s) differ from the committed chart data at publication "
          f"precision{flip_note}:")
    for d in drifts:
        print(f"  - {d.figure}: {d.what}")
    print("[drift] if the change is intended, commit figures/*.csv and figures/*.json; "
          "otherwise find the cause")
    return 1
