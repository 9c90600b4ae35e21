"""Reference implementations shared by the tests: the published formulas written out in numpy,
independent of esda/libpysal, so the package's statistics are checked against a second
computation (``tests/test_hotspots.py`` on the library functions, ``tests/test_derive_hotspots.py``
on the published tables).

Weights are plain matrices: ``binary`` (0/1 neighbour links, no self-links) or row-standardised
(:func:`row_standardised`). Only numpy and scipy are imported.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm


def binary_matrix(w) -> np.ndarray:
    """0/1 neighbour matrix of a libpysal ``W`` (rows and columns in ``w.id_order``)."""
    ids = list(w.id_order)
    pos = {i: k for k, i in enumerate(ids)}
    a = np.zeros((len(ids), len(ids)))
    for i in ids:
        for j in w.neighbors[i]:
            a[pos[i], pos[j]] = 1.0
    return a


def row_standardised(a) -> np.ndarray:
    """Row-standardised weights (each row sums to 1) of a binary matrix or a libpysal ``W``."""
    a = binary_matrix(a) if hasattr(a, "id_order") else np.asarray(a, dtype=float)
    return a / a.sum(axis=1, keepdims=True)


def moran(y: np.ndarray, wm: np.ndarray) -> tuple[float, float, float]:
    """Global Moran's I = n/S0 · z'Wz / z'z with its z-score and two-sided p under normality
    (Cliff & Ord 1981; expectation −1/(n−1)). ``wm``: the weights as used (e.g. row-standardised)."""
    n = len(y)
    z = y - y.mean()
    s0 = wm.sum()
    i = n / s0 * (z @ wm @ z) / (z @ z)
    s1 = 0.5 * ((wm + wm.T) ** 2).sum()
    s2 = ((wm.sum(axis=1) + wm.sum(axis=0)) ** 2).sum()
    ei = -1.0 / (n - 1)
    vi = (n * n * s1 - n * s2 + 3 * s0 * s0) / ((n * n - 1) * s0 * s0) - ei**2
    zi = (i - ei) / np.sqrt(vi)
    return float(i), float(zi), float(2 * norm.sf(abs(zi)))


def local_moran(y: np.ndarray, wm: np.ndarray) -> np.ndarray:
    """Local Iᵢ = zᵢ Σⱼ wᵢⱼ zⱼ / m₂, z standardised (population sd), m₂ = Σz²/(n−1) (esda's
    scaling)."""
    z = (y - y.mean()) / y.std()
    m2 = (z @ z) / (len(y) - 1)
    return z * (wm @ z) / m2


def gi_star(x: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Getis & Ord (1992) Gᵢ* and its z (Ord & Getis 1995) with binary weights ``a`` plus the
    self-weight wᵢᵢ = 1."""
    n = len(x)
    ws = a + np.eye(n)
    wi, s1 = ws.sum(axis=1), (ws**2).sum(axis=1)
    xbar, s = x.mean(), x.std()
    g = ws @ x / x.sum()
    z = (ws @ x - xbar * wi) / (s * np.sqrt((n * s1 - wi**2) / (n - 1)))
    return g, z


def gi(x: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Getis & Ord (1992) Gᵢ z-score (self excluded; moments over the other n−1 values)."""
    n = len(x)
    out = np.empty(n)
    for i in range(n):
        others = np.delete(x, i)
        wrow = np.delete(a[i], i)
        m = n - 1
        xbar, s = others.mean(), others.std()
        wi, s1 = wrow.sum(), (wrow**2).sum()
        out[i] = (wrow @ others - xbar * wi) / (s * np.sqrt((m * s1 - wi**2) / (m - 1)))
    return out


def marshall_eb(e: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Global empirical-Bayes rates (Marshall 1991, method of moments): events ``e`` over
    populations ``b`` shrunk towards the overall rate; a negative between-area variance is
    truncated to 0 (every rate becomes the overall rate)."""
    m = e.sum() / b.sum()
    r = e / b
    v = (b * (r - m) ** 2).sum() / b.sum() - m / b.mean()
    v = max(v, 0.0)
    c = v / (v + m / b) if m > 0 else np.zeros_like(r)
    return c * r + (1 - c) * m


def bh_adjust(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values, written out."""
    m = len(p)
    order = np.argsort(p)
    ranked = p[order] * m / np.arange(1, m + 1)
    adj = np.minimum.accumulate(ranked[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(adj, 1)
    return out
