"""The case records at a glance: coverage, categories, sex — the frames behind notebook 02.

Pure functions on the processed case tables. Every figure or table made from them must say that
these are **postings on a volunteer missing-child platform, not verified abductions**
(:data:`CAVEAT`, worded in :mod:`analysis.vocab.wording`; source labels and table lists in
:mod:`analysis.vocab.cases`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import tables
from analysis.core.accounts import RowAccount
from analysis.vocab import wording
from analysis.vocab.cases import ALL_CASE_TABLES, SOURCE_LABELS

#: One-line caveat for every caption that shows case records.
CAVEAT = wording.CAVEAT
#: Source line of every case-record figure.
SOURCE_LINE = wording.CASE_SOURCE_LINE


def accounts(names: tuple[str, ...] = ALL_CASE_TABLES) -> list[RowAccount]:
    """The row accounts of the case tables (published, although the record tables are not)."""
    return [tables.read_account(n) for n in names]


def coverage_by_year(coverage: pd.DataFrame) -> pd.DataFrame:
    """Postings per source and year the child went missing (known years only).

    ``coverage``: the ``case_coverage_by_year`` table. Returns ``source, source_label,
    missing_year, postings_count``.
    """
    out = coverage.dropna(subset=["missing_year"]).copy()
    out["missing_year"] = out["missing_year"].astype(int)
    out = out[["source", "missing_year", "postings_count"]]
    out.insert(1, "source_label", out["source"].map(SOURCE_LABELS))
    return out.sort_values(["source", "missing_year"], ignore_index=True)


def year_coverage_summary(coverage: pd.DataFrame) -> pd.DataFrame:
    """Per source: postings, share with a known missing year, median and 10th–90th percentile
    years (linear interpolation, as ``Series.quantile`` of one value per posting).

    ``coverage``: the ``case_coverage_by_year`` table. Returns ``source, source_label,
    postings_count, known_year_share, year_p10, year_median, year_p90``.
    """
    rows = []
    order = list(SOURCE_LABELS)
    groups = sorted(coverage.groupby("source"), key=lambda g: order.index(g[0]))
    for src, frame in groups:
        known = frame.dropna(subset=["missing_year"])
        y = pd.Series(np.repeat(known["missing_year"].astype(float).to_numpy(),
                                known["postings_count"].to_numpy()))
        total = int(frame["postings_count"].sum())
        rows.append({"source": src, "source_label": SOURCE_LABELS[src],
                     "postings_count": total,
                     "known_year_share": len(y) / total if total else 0.0,
                     "year_p10": y.quantile(0.1) if len(y) else None,
                     "year_median": y.median() if len(y) else None,
                     "year_p90": y.quantile(0.9) if len(y) else None})
    return pd.DataFrame(rows)


def shares(counts: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of each value of ``by`` (``category`` or ``sex``) within each source.

    ``counts``: ``case_category_counts`` or ``case_sex_counts``. Returns ``source,
    source_label, <by>, postings_count, share`` (0–1).
    """
    g = counts.groupby(["source", by])["postings_count"].sum().reset_index()
    g["share"] = g["postings_count"] / g.groupby("source")["postings_count"].transform("sum")
    g.insert(1, "source_label", g["source"].map(SOURCE_LABELS))
    return g.sort_values(["source", by], ignore_index=True)
