"""Permutation inference of a statistic computed from many correlated tests at once.

Pure functions. The specification-curve test (:mod:`analysis.topics.model_inference`) permutes
the exposure across provinces — one permutation for every specification, so the correlation
between specifications is kept — refits them all and counts the significant ones; this module
draws the permutations and turns the null distribution into a p-value.
"""

from __future__ import annotations

import numpy as np


def permutation_indices(n: int, permutations: int, seed: int) -> np.ndarray:
    """``permutations`` random orderings of ``range(n)``, reproducible from ``seed``.

    Parameters
    ----------
    n : number of units permuted (e.g. 31 provinces)
    permutations : number of permutations B
    seed : seed of ``numpy.random.default_rng`` (the project's :data:`analysis.vocab.seeds.SEED`)

    Returns
    -------
    Integer array, shape (B, n); row b is the b-th permutation (unit i takes the value of
    unit ``out[b, i]``).
    """
    if n < 2 or permutations < 1:
        raise ValueError("need at least 2 units and 1 permutation")
    rng = np.random.default_rng(seed)
    return np.vstack([rng.permutation(n) for _ in range(permutations)])


def permutation_p(observed: float, null: np.ndarray) -> float:
    """One-sided permutation p-value that the null statistic reaches the observed one.

    p = (1 + #{b : T_b ≥ T_obs}) / (1 + B) (Phipson & Smyth 2010: the observed data count as
    one permutation, so p is never 0 and the test is exact at level α for α(B + 1) integer).

    Parameters
    ----------
    observed : statistic of the observed data (e.g. the number of significant specifications)
    null : the statistic under each of the B permutations, shape (B,); NaN not allowed

    Returns
    -------
    p-value (probability, 1/(B + 1) to 1).
    """
    null = np.asarray(null, float)
    if null.ndim != 1 or len(null) == 0 or np.any(np.isnan(null)):
        raise ValueError("null must be a non-empty 1-d array without NaN")
    return float((1 + np.sum(null >= observed)) / (1 + len(null)))


__all__ = ["permutation_indices", "permutation_p"]
