"""Multiplicity-adjusted p-values within a family of tests: Holm and Benjamini–Hochberg.

Pure functions on arrays. Written out (a few lines each) so that the two adjustments and the
project's significance rule (``p ≤ α``, :func:`analysis.vocab.settings.significant`) sit in one
place; ``tests/test_model_inference.py`` checks both against
``statsmodels.stats.multitest.multipletests`` and against a brute-force computation.
"""

from __future__ import annotations

import numpy as np


def _as_p(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, float)
    if p.ndim != 1:
        raise ValueError("p-values must be one-dimensional")
    if np.any(np.isnan(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("p-values must lie in [0, 1] without missing values")
    return p


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
    p = _as_p(p)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="mergesort")
    stepped = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out = np.empty(m)
    out[order] = np.maximum.accumulate(stepped)
    return out


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
    p = _as_p(p)
    m = len(p)
    if m == 0:
        return p.copy()
    order = np.argsort(p, kind="mergesort")
    scaled = m * p[order] / np.arange(1, m + 1)
    out = np.empty(m)
    out[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return out


__all__ = ["benjamini_hochberg", "holm"]
