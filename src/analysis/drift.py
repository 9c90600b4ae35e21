"""Drift check: do the rebuilt chart-data CSVs (``figures/*.csv``) match the committed ones?

The chart data of every published figure is committed; images are rebuilt. After a rebuild
(``make all``), :func:`drift_report` compares each ``figures/<name>.csv`` with the version in git
``HEAD`` and describes every difference: figures added or removed, rows added or removed,
columns changed, and for numeric columns the largest absolute change — so a reporter knows which
published chart a change in the data or a cleaning rule moved, and by how much.

``python -m analysis drift`` prints the report and exits 1 when anything drifted (CI runs it after
``make test``). Accept an intended change by committing the new CSVs.
"""

from __future__ import annotations

import io
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis import paths


@dataclass(frozen=True)
class Drift:
    """One figure whose chart data differ from the committed version."""

    figure: str
    what: str


def committed_csvs(ref: str = "HEAD", root: Path | None = None) -> dict[str, bytes]:
    """``{figure name: bytes}`` of ``figures/*.csv`` in git ``ref``."""
    root = root or paths.ROOT
    names = subprocess.run(["git", "ls-tree", "--name-only", ref, "figures/"], cwd=root,
                           capture_output=True, text=True, check=True).stdout.split()
    out = {}
    for name in names:
        if name.endswith(".csv"):
            blob = subprocess.run(["git", "show", f"{ref}:{name}"], cwd=root,
                                  capture_output=True, check=True).stdout
            out[Path(name).stem] = blob
    return out


def describe_difference(old: pd.DataFrame, new: pd.DataFrame) -> str:
    """A one-line description of how ``new`` differs from ``old`` (empty if equal)."""
    parts = []
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
            if pd.api.types.is_numeric_dtype(a) and pd.api.types.is_numeric_dtype(b):
                diff = (b.astype(float) - a.astype(float)).abs()
                n = int((diff.fillna(0) > 0).sum() + (a.isna() != b.isna()).sum())
                worst = int(np.nanargmax(diff.to_numpy())) if diff.notna().any() else 0
                parts.append(f"{col}: {n} value(s) changed, largest |Δ| = {diff.max():.6g} "
                             f"(row {worst + 1}: {a.iloc[worst]} → {b.iloc[worst]})")
            else:
                n = int((a.astype(str) != b.astype(str)).sum())
                parts.append(f"{col}: {n} value(s) changed")
    return "; ".join(parts)


def drift_report(current: Path | None = None, committed: dict[str, bytes] | None = None
                 ) -> list[Drift]:
    """Differences between the chart-data CSVs in ``current`` (default ``figures/``) and the
    committed ones (default git ``HEAD``)."""
    current = Path(current or paths.FIGURES)
    committed = committed_csvs() if committed is None else committed
    now = {p.stem: p.read_bytes() for p in sorted(current.glob("*.csv"))}
    drifts = []
    for name in sorted(set(committed) | set(now)):
        if name not in now:
            drifts.append(Drift(name, "committed but no longer built"))
        elif name not in committed:
            drifts.append(Drift(name, "new figure, chart data not committed yet"))
        elif now[name] != committed[name]:
            old = pd.read_csv(io.BytesIO(committed[name]))
            new = pd.read_csv(io.BytesIO(now[name]))
            what = describe_difference(old, new) or "bytes differ (formatting only)"
            drifts.append(Drift(name, what))
    return drifts


def main() -> int:
    """Print the drift report; 1 if any figure drifted, else 0."""
    drifts = drift_report()
    if not drifts:
        n = len(list(paths.FIGURES.glob("*.csv")))
        print(f"[drift] {n} chart-data CSVs identical to the committed ones")
        return 0
    print(f"[drift] {len(drifts)} figure(s) differ from the committed chart data:")
    for d in drifts:
        print(f"  - {d.figure}: {d.what}")
    print("[drift] if the change is intended, commit figures/*.csv; otherwise find the cause")
    return 1
