"""Statistical settings, named once: the significance level and its one comparison rule, the
permutation counts, the small-count threshold, the island rule of the spatial weights, and the
class labels of the local tests. The random seed is :data:`analysis.vocab.seeds.SEED`.

Changing α here changes it for the hotspot labels, the captions that quote it and the residual
Moran summaries alike (and every published number that depends on it).
"""

from __future__ import annotations

from typing import Any

#: Significance level of every test, and the false-discovery rate of the local tests.
ALPHA: float = 0.05


def significant(p: Any, alpha: float = ALPHA) -> Any:
    """The project's one significance rule, ``p ≤ α`` (a p-value equal to α is significant).

    ``p``: a p-value, or an array / Series of them (element-wise; NaN is never significant).
    Returns a bool or a boolean array / Series of the same shape.
    """
    return p <= alpha


#: Permutations of every hotspot test (global Moran, LISA, Gi*), seeded with ``SEED``.
PERMUTATIONS: int = 9999
#: Permutations of the residual Moran's I of the models (a diagnostic: 999 gives p to 0.001;
#: the normal-approximation p is reported too).
MORAN_PERMUTATIONS: int = 999

#: Permutations of the specification-curve test (issue 13): every permutation refits all the
#: 210 specifications (about 0.6 s per permutation), so B is limited by the cold-build time;
#: 99 gives p to 0.01, enough to judge a count against α = 0.05.
SPEC_CURVE_PERMUTATIONS: int = 99
#: Bootstrap replicates of the reunion conditional shares (percentile intervals).
BOOTSTRAP_REPLICATES: int = 1999
#: Alternative hypothesis of every permutation p-value of the hotspot tests (global Moran,
#: LISA, Gi*), in esda's vocabulary (``esda.significance.calculate_significance``): "directed"
#: = (min(#{sim ≥ obs}, #{sim < obs}) + 1) / (permutations + 1), the one-sided p-value in the
#: tail the observed statistic falls in (half esda's "two-sided" p; at most about 0.5). It is
#: esda's historical ``p_sim`` (the GeoDa convention), kept so the published maps stay
#: comparable; esda warns that its default will move to "two-sided", so it is passed by name.
LOCAL_ALTERNATIVE: str = "directed"

#: Minimum number of events (e.g. postings) for a province's rate to be shown without a warning
#: flag. A rate built on k events has a Poisson relative standard error of 1/sqrt(k); below 20
#: events that exceeds 22 %, the threshold at which the US National Center for Health Statistics
#: marks rates as "unreliable" (NCHS/CDC WONDER convention: rates on fewer than 20 events).
#: Provinces below it get ``small_count = True`` (they are kept, smoothed and flagged).
MIN_COUNT: int = 20

#: Island rule of the spatial weights: a province with no land neighbour (Hainan) is linked to
#: its ``ISLAND_K`` nearest provinces by centroid distance.
ISLAND_K: int = 2

#: Local Moran quadrants of esda's ``q`` (1–4).
QUADRANTS: dict[int, str] = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
#: Cluster label of each significant local Moran quadrant.
CLUSTER_LABELS: dict[str, str] = {
    "HH": "High-High", "LH": "Low-High", "LL": "Low-Low", "HL": "High-Low",
}
#: Label of a local test that is not significant.
NOT_SIGNIFICANT = "Not significant"
#: Labels of a significant Getis–Ord Gi* (positive / negative z).
HOT_SPOT, COLD_SPOT = "Hot spot", "Cold spot"


# --- prefecture atlas (issue 12) -------------------------------------------------------------

#: Minimum number of postings for a prefecture's rate to be shown without a warning flag
#: (prefectures hold a tenth of a province's postings: below 5 a rate is mostly noise, Poisson
#: relative standard error > 45 %). Prefectures below it get ``small_count = True``.
PREFECTURE_MIN_COUNT: int = 5
#: k of the second weights choice of the prefecture atlas (k nearest prefectures by centroid
#: distance; 5 ≈ the mean number of queen neighbours of the 367 units, 5.3).
PREFECTURE_KNN_K: int = 5
#: Permutations of the sensitivity run (KNN weights) of the prefecture atlas: the same as the
#: contiguity run. Fewer would confound the weights with the permutation resolution: with 999,
#: p cannot fall below 0.001, and the Benjamini–Hochberg cut-off over 367 tests starts at
#: 0.05/367 ≈ 0.00014, so units significant on contiguity would drop out on KNN for that reason
#: alone. The step (six measures, both weights) takes about 45–60 s on the shared build machine.
PREFECTURE_SENSITIVITY_PERMUTATIONS: int = PERMUTATIONS

__all__ = ["ALPHA", "BOOTSTRAP_REPLICATES", "CLUSTER_LABELS", "COLD_SPOT", "HOT_SPOT", "ISLAND_K",
           "LOCAL_ALTERNATIVE",
           "MIN_COUNT",
           "MORAN_PERMUTATIONS", "NOT_SIGNIFICANT", "PERMUTATIONS", "PREFECTURE_KNN_K",
           "PREFECTURE_MIN_COUNT", "PREFECTURE_SENSITIVITY_PERMUTATIONS", "QUADRANTS",
           "SPEC_CURVE_PERMUTATIONS", "significant"]
