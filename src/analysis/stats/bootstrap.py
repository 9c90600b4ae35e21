"""Bootstrap percentile intervals of conditional shares in a contingency table.

Pure functions. Used for P(found province | lost province) of the reunions
(:mod:`analysis.topics.model_inference.reunions`): the postings (one per reunion) are resampled
with replacement, the whole table at once, so the row totals vary as they would in a new draw
of the same number of reunions.
"""

from __future__ import annotations

import numpy as np


def conditional_shares(table: np.ndarray) -> np.ndarray:
    """Row-conditional shares n_ij / n_i· of a table of counts (NaN in rows without counts).

    Parameters
    ----------
    table : counts, shape (r, c), non-negative

    Returns
    -------
    Shares (0–1), shape (r, c); each row with a positive total sums to 1.
    """
    t = np.asarray(table, float)
    tot = t.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, t / tot, np.nan)


def bootstrap_conditional_shares(table: np.ndarray, replicates: int, seed: int,
                                 level: float = 0.95) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Percentile bootstrap CIs of the row-conditional shares of a table of counts.

    Each replicate draws N = Σ n_ij postings with replacement from the N observed postings
    (a multinomial draw over the cells with probabilities n_ij / N) and recomputes
    :func:`conditional_shares`; the interval is the (1 − level)/2 and (1 + level)/2 quantiles
    of the replicates (NaN replicates, rows that drew no posting, are left out).

    Parameters
    ----------
    table : counts, shape (r, c)
    replicates : number of bootstrap replicates B
    seed : seed of ``numpy.random.default_rng``
    level : two-sided confidence level

    Returns
    -------
    (share, ci_low, ci_high), each shape (r, c), shares 0–1.
    """
    t = np.asarray(table, float)
    n = int(np.rint(t.sum()))
    if n <= 0 or replicates < 1:
        raise ValueError("need a positive total and at least one replicate")
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, (t / t.sum()).ravel(), size=replicates).reshape(
        replicates, *t.shape)
    boot = conditional_shares(draws)
    q = [(1 - level) / 2, (1 + level) / 2]
    with np.errstate(invalid="ignore"):
        lo, hi = np.nanquantile(boot, q, axis=0)
    return conditional_shares(t), lo, hi


__all__ = ["bootstrap_conditional_shares", "conditional_shares"]
