"""Spatial dependence of model residuals aggregated to polygons: contiguity weights with an
island rule, and Moran's I with a two-sided permutation test.

Pure functions (no project IO). For count-model residuals there is no analytical null like
spreg's OLS tests; the permutation test randomises the residual means over the units, which
treats them as exchangeable under the null (an approximation for residuals, stated with the
result). The p-value is **two-sided**: the share of permutations whose I lies at least as far
from the permutation mean as the observed I (counted with the observed, +1/+1).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import Queen, W

from analysis.vocab.seeds import SEED


def contiguity_weights(gdf: gpd.GeoDataFrame, id_column: str, *, island_k: int = 2) -> W:
    """Queen contiguity of the polygons of ``gdf``, ids = ``id_column``; a unit without a
    neighbour is joined (both ways) to its ``island_k`` nearest units by centroid distance in
    the frame's CRS (use an equal-area projection). Binary, then row-standardised.

    Parameters
    ----------
    gdf : polygons, one row per unit
    id_column : unique integer id column
    island_k : neighbours given to an island

    Returns
    -------
    libpysal ``W``, ``transform = "r"``, no islands.
    """
    g = gdf.reset_index(drop=True)
    ids = g[id_column].astype(int).tolist()
    q = Queen.from_dataframe(g, use_index=False, silence_warnings=True)
    neigh = {ids[i]: {ids[j] for j in q.neighbors[i]} for i in range(len(ids))}
    cent = np.column_stack([g.geometry.centroid.x, g.geometry.centroid.y])
    for i, uid in enumerate(ids):
        if neigh[uid]:
            continue
        d = np.hypot(*(cent - cent[i]).T)
        d[i] = np.inf
        for j in np.argsort(d)[:island_k]:
            neigh[uid].add(ids[j])
            neigh[ids[j]].add(uid)
    w = W({k: sorted(v) for k, v in neigh.items()}, id_order=ids, silence_warnings=True)
    w.transform = "r"
    return w


def moran_permutation(values: pd.Series, w: W, *, permutations: int = 999,
                      seed: int = SEED) -> dict[str, float]:
    """Moran's I of ``values`` (indexed by the ids of ``w``) with a two-sided permutation test.

    I = (n / S₀) · zᵀWz / zᵀz, z = values − mean, W as given (row-standardised: S₀ = n).

    Returns
    -------
    dict: ``moran_i``, ``mean_i_sim`` (mean I over the permutations: the null's centre, used
    instead of −1/(n−1)), ``p_two_sided``, ``n``, ``permutations``.
    """
    ids = list(w.id_order)
    y = values.reindex(ids).to_numpy(float)
    if np.isnan(y).any():
        raise ValueError("values missing for some ids of the weights")
    M = w.sparse.tocsr()
    z = y - y.mean()
    s0 = float(M.sum())
    n = len(y)

    def stat(v: np.ndarray) -> float:
        return float(n / s0 * (v @ (M @ v)) / (v @ v))

    obs = stat(z)
    rng = np.random.default_rng(seed)
    sims = np.array([stat(rng.permutation(z)) for _ in range(permutations)])
    centre = float(sims.mean())
    extreme = int((np.abs(sims - centre) >= abs(obs - centre)).sum())
    return {"moran_i": obs, "mean_i_sim": centre,
            "p_two_sided": (extreme + 1) / (permutations + 1), "n": n,
            "permutations": permutations}
