"""Multiplicity-adjusted p-values within a family of tests: Holm and Benjamini–Hochberg.

Thin, validated wrappers of ``statsmodels.stats.multitest.multipletests`` (the library the
hotspot FDR control already uses, :func:`analysis.stats.hotspots.fdr_significant`), so the
specification-curve tables and the hotspot maps adjust p-values with one implementation.
``tests/test_model_inference.py`` checks both against a brute-force computation of their
definitions.
"""

from __future__ import annotations

import numpy as np
from statsmodels.stats.multitest import multipletests


def _adjusted(p: np.ndarray, method: str) -> np.ndarray:
    p = np.asarray(p, float)
    if p.ndim != 1:
        raise ValueError("p-values must be one-dimensional")
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1] without missing values")
    if len(p) == 0:
        return p.copy()
    return np.asarray(multipletests(p, method=method)[1], dtype="float64")


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (family-wise error rate).

    With the m p-values sorted ascending, p₍ᵢ₎ is adjusted to
    max_{j ≤ i} min(1, (m − j + 1) · p₍ⱼ₎): a test is rejected at level α when its adjusted
    p-value is ≤ α.

    Parameters
    ----------
    p : raw p-values of one family, shape (m,), each in [0, 1]

    Returns
    -------
    Adjusted p-values (probability, 0–1), shape (m,), in the order of ``p``.
    """
    return _adjusted(p, "holm")


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values ("q-values", false-discovery rate).

    With the m p-values sorted ascending, p₍ᵢ₎ is adjusted to min_{j ≥ i} min(1, m · p₍ⱼ₎ / j).
    Valid under independence or positive dependence of the tests (PRDS).

    Parameters
    ----------
    p : raw p-values of one family, shape (m,), each in [0, 1]

    Returns
    -------
    Adjusted p-values (probability, 0–1), shape (m,), in the order of ``p``.
    """
    return _adjusted(p, "fdr_bh")


__all__ = ["benjamini_hochberg", "holm"]
