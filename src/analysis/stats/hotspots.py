r"""Spatial statistics of province rates: smoothed rates, Moran's I, LISA, Getis–Ord Gi*, FDR.

Pure functions on province values (a :class:`pandas.Series` indexed by ``adcode``) and the
project's spatial weights (:func:`analysis.geo.province_weights`: queen contiguity of the 31
mainland provinces, Hainan attached to its 2 nearest provinces, ids = adcode). Every function
returns a tidy DataFrame: one row per province (column ``adcode``, in the order of
``w.id_order``) or one row per statistic.

Conventions
-----------
* **Alignment.** ``values`` must have exactly the ids of ``w`` (no province missing, none extra,
  no missing or non-finite value); otherwise :class:`ValueError` names the offending adcodes.
  Nothing is ever dropped silently: every per-province result has one row per id of ``w``
  (31 for the mainland weights), Hainan included, with its neighbour count ``n_neighbors``.
* **Weights.** ``w`` is never modified (esda's smoothers and ``G_Local`` change the transform of
  the object they are given; they get copies). Moran's I and the local Moran use the
  row-standardised weights (``transformation="r"``). Gi* uses *binary* weights with the
  self-weight 1 (see :func:`getis_ord` for why).
* **Seeds.** Every permutation test is seeded (default :data:`analysis.vocab.seeds.SEED`). esda draws
  from NumPy's *global* random state (``np.random.seed``); the functions here seed it for the
  call and restore the caller's state afterwards, so they have no side effect and the same seed
  gives identical pseudo p-values.
* **Pseudo p-values.** ``p_sim`` is esda's **directed** permutation p-value (alternative
  ``"directed"`` of ``esda.significance.calculate_significance``, passed by name:
  :data:`~analysis.vocab.settings.LOCAL_ALTERNATIVE`)
  ``(min(#{sim ≥ obs}, #{sim < obs}) + 1) / (permutations + 1)``: a one-sided test in the
  tail the observed statistic falls in, chosen after seeing the data (the GeoDa convention;
  half esda's "two-sided" p, at most about 0.5). esda 2.9's ``Moran_Local`` and ``G_Local``
  take no alternative argument (their ``p_sim`` is this directed value, and esda warns that
  the default will change), so the p-values here are recomputed from the kept simulations
  with the alternative named. Pass ``two_sided=True`` to test with ``min(1, 2·p_sim)``
  instead (more conservative).
* **Gi\* has its own null.** Local Moran is tested by esda's *conditional* permutation
  (province i's value fixed, the others permuted); with the same draws, Gᵢ\* (binary weights,
  self-weight 1) ranks every draw exactly as Iᵢ does, so the two p-values would be equal row
  for row and could not corroborate each other. :func:`getis_ord` therefore tests Gᵢ\* under
  *total* randomisation (all n values, the province's own included, permuted over the map:
  the null of Getis & Ord's moments) on a separate random stream of the same seed.
* **Multiple testing.** Local tests (31 per map) are controlled with the Benjamini–Hochberg
  false-discovery rate (:func:`fdr_significant`, via ``statsmodels``), not esda's ``fdr``
  helper, which returns a single cut-off and falls back to the Bonferroni bound when no test
  passes — statsmodels returns per-test decisions and BH-adjusted p-values.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd
from esda.getisord import G_Local
from esda.moran import Moran, Moran_Local
from esda.significance import calculate_significance
from esda.smoothing import Empirical_Bayes, Spatial_Empirical_Bayes
from libpysal.weights import W
from scipy.sparse import identity
from scipy.stats import norm
from statsmodels.stats.multitest import multipletests

from analysis.vocab.seeds import SEED
from analysis.vocab.settings import (
    ALPHA,
    CLUSTER_LABELS,
    COLD_SPOT,
    HOT_SPOT,
    LOCAL_ALTERNATIVE,
    MIN_COUNT,
    NOT_SIGNIFICANT,
    PERMUTATIONS,
    QUADRANTS,
    significant,
)

# Settings and class labels (defined in analysis.vocab.settings): MIN_COUNT, QUADRANTS,
# CLUSTER_LABELS, NOT_SIGNIFICANT, HOT_SPOT, COLD_SPOT; the defaults ALPHA and PERMUTATIONS.


# --- helpers ---------------------------------------------------------------------------------


@contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """Seed NumPy's global random state (which esda uses) and restore it afterwards."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _ids(w: W) -> list[int]:
    return [int(i) for i in w.id_order]


def _aligned(values: pd.Series | Mapping[int, float], w: W, what: str = "values"
             ) -> pd.Series:
    """``values`` as float Series reindexed to ``w.id_order``; raises on any mismatch."""
    s = values.copy() if isinstance(values, pd.Series) else pd.Series(dict(values))
    if s.index.has_duplicates:
        raise ValueError(f"{what}: adcode repeated {sorted(set(s.index[s.index.duplicated()]))}")
    try:
        s.index = s.index.astype("int64")
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: index must be integer adcodes") from exc
    ids = _ids(w)
    missing = sorted(set(ids) - set(s.index))
    extra = sorted(set(s.index) - set(ids))
    if missing or extra:
        raise ValueError(f"{what}: index must be exactly the {len(ids)} ids of the weights; "
                         f"missing {missing}, not in weights {extra}")
    s = pd.to_numeric(s.reindex(ids), errors="coerce").astype("float64")
    bad = s.index[~np.isfinite(s.to_numpy())].tolist()
    if bad:
        raise ValueError(f"{what}: missing or non-finite values for adcodes {bad}")
    return s


def permutation_p(observed: np.ndarray | float, simulated: np.ndarray,
                  alternative: str = LOCAL_ALTERNATIVE) -> np.ndarray:
    """Permutation pseudo p-values of ``observed`` against ``simulated``, by esda's
    ``calculate_significance`` with the alternative named (``"directed"``, ``"two-sided"``,
    ``"greater"``, ``"lesser"`` or ``"folded"``).

    Parameters
    ----------
    observed : the m observed statistics (or one)
    simulated : their reference distributions, ``permutations × m`` (one column per statistic)
    alternative : esda's alternative hypothesis (default :data:`LOCAL_ALTERNATIVE`)

    Returns
    -------
    Array of m p-values (0–1), ``(count + 1) / (permutations + 1)``.
    """
    sims = np.asarray(simulated, dtype="float64")
    if sims.ndim == 1:
        sims = sims[:, None]
    obs = np.atleast_1d(np.asarray(observed, dtype="float64"))
    p = calculate_significance(obs, np.ascontiguousarray(sims.T), alternative=alternative)
    return np.atleast_1d(np.asarray(p, dtype="float64"))


def _check_permutations(permutations: int) -> None:
    if int(permutations) < 1:
        raise ValueError("local tests need permutations ≥ 1 (9999 for publication)")


def _binary_copy(w: W) -> W:
    """A fresh binary W with the same neighbour structure and id order (``w`` untouched)."""
    neighbors = {int(i): [int(j) for j in w.neighbors[i]] for i in w.id_order}
    return W(neighbors, id_order=_ids(w), silence_warnings=True)


def _row_standardised_copy(w: W) -> W:
    b = _binary_copy(w)
    b.transform = "r"
    return b


def _n_neighbors(w: W) -> np.ndarray:
    return np.array([len(w.neighbors[i]) for i in w.id_order], dtype="int64")


def _measure(values: pd.Series | Mapping[int, float], measure: str | None) -> str:
    if measure:
        return measure
    name = getattr(values, "name", None)
    return str(name) if name is not None else "value"


def _per_label(per: float) -> str:
    labels = {100_000: "per_100k", 1000: "per_1000", 1: "share"}
    if per in labels:
        return labels[per]
    return f"per_{int(per)}" if float(per).is_integer() else f"per_{per}"


# --- multiple testing ------------------------------------------------------------------------


def fdr_significant(pvalues: np.ndarray | pd.Series | list[float], alpha: float = ALPHA
                    ) -> tuple[np.ndarray, np.ndarray]:
    """Benjamini–Hochberg false-discovery-rate control of a family of tests.

    With the m p-values sorted, p₍₁₎ ≤ … ≤ p₍ₘ₎, let k be the largest rank with
    p₍ₖ₎ ≤ k·α/m; the k smallest p-values are declared significant (none if no such k). The
    expected share of false discoveries among them is then at most α (for independent or
    positively dependent tests). Implemented by
    ``statsmodels.stats.multitest.multipletests(method="fdr_bh")``.

    Parameters
    ----------
    pvalues : p-values (0–1) of the m tests of one map (NaN is not allowed)
    alpha : target false-discovery rate (0–1)

    Returns
    -------
    (significant, p_adjusted): bool array (test rejected at FDR ``alpha``) and the BH-adjusted
    p-values (0–1; ``p_adjusted ≤ alpha`` iff significant), both in the input order.
    """
    p = np.asarray(pvalues, dtype="float64")
    if p.ndim != 1 or not np.all(np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ValueError("pvalues must be a 1-d array of numbers in [0, 1]")
    if not 0 < alpha < 1:
        raise ValueError("alpha must be in (0, 1)")
    if p.size == 0:
        return np.zeros(0, dtype=bool), np.zeros(0)
    reject, adjusted, _, _ = multipletests(p, alpha=alpha, method="fdr_bh")
    return np.asarray(reject, dtype=bool), np.asarray(adjusted, dtype="float64")


def _decide(p_sim: np.ndarray, alpha: float, fdr: bool, two_sided: bool
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    p_test = np.minimum(1.0, 2.0 * p_sim) if two_sided else p_sim.astype("float64")
    if fdr:
        decided, p_adjusted = fdr_significant(p_test, alpha)
    else:
        decided, p_adjusted = significant(p_test, alpha), p_test.copy()
    return p_test, p_adjusted, decided


# --- rates -----------------------------------------------------------------------------------


def _global_eb(e: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, float, float]:
    """Marshall's global EB smoothed rates (per person), the prior mean and prior variance."""
    r_mean = e.sum() / b.sum()
    raw = e / b
    r_var = (b * (raw - r_mean) ** 2).sum() / b.sum() - r_mean / b.mean()
    return raw, float(r_mean), float(r_var)


def eb_rates(counts: pd.Series | Mapping[int, float], population: pd.Series | Mapping[int, float],
             w: W | None = None, per: float = 100_000, min_count: int = MIN_COUNT
             ) -> pd.DataFrame:
    """Raw and empirical-Bayes smoothed rates per province, with counts and a small-count flag.

    Global EB (Marshall 1991, ``esda.smoothing.Empirical_Bayes``) shrinks each raw rate
    rᵢ = eᵢ/bᵢ towards the overall rate m = Σe/Σb with weight
    Cᵢ = v / (v + m/bᵢ), where v = Σbᵢ(rᵢ−m)²/Σb − m/b̄ is the method-of-moments between-province
    variance: provinces with a small population are pulled most. If v ≤ 0 (the raw rates vary
    no more than Poisson noise alone would make them), v is set to 0 and every smoothed rate
    equals m — Marshall's rule, which esda applies in its spatial smoother but *not* in its
    global one (there a negative v gives weights outside [0, 1]); ``eb_truncated`` says so.
    Spatial EB (``esda.smoothing.Spatial_Empirical_Bayes``, only when ``w`` is given) shrinks
    towards the rate of the province and its neighbours (binary neighbour sets of ``w``).

    Parameters
    ----------
    counts : events per province (≥ 0; e.g. postings), Series indexed by adcode
    population : population at risk per province (> 0, persons; e.g. children aged 0–14)
    w : spatial weights (ids = adcode) for the spatial EB rate; not modified. If None, the
        column ``seb_<per>`` is left out. Without ``w`` the ids are those of ``counts``.
    per : rate multiplier (100 000 → column suffix ``per_100k``)
    min_count : provinces with fewer events are flagged ``small_count`` (default
        :data:`MIN_COUNT`)

    Returns
    -------
    DataFrame, one row per province (order of ``w.id_order``, else ascending adcode):
    ``adcode`` (int), ``event_count`` (events), ``population_persons`` (persons),
    ``raw_per_100k`` (events per 100 000 population), ``eb_per_100k`` (global EB smoothed),
    ``seb_per_100k`` (spatial EB, if ``w``), ``small_count`` (bool: event_count < min_count).
    ``frame.attrs`` holds ``overall_per_100k`` (the prior mean m·per), ``eb_prior_variance``
    (v, per person²), ``eb_truncated`` (bool) and ``min_count``.
    """
    if w is None:
        c0 = counts if isinstance(counts, pd.Series) else pd.Series(dict(counts))
        ids = sorted(int(i) for i in c0.index)
        w_ids = W({i: [] for i in ids}, id_order=ids, silence_warnings=True)
        c = _aligned(counts, w_ids, "counts")
        b = _aligned(population, w_ids, "population")
    else:
        c = _aligned(counts, w, "counts")
        b = _aligned(population, w, "population")
    e_arr, b_arr = c.to_numpy(), b.to_numpy()
    if np.any(e_arr < 0):
        raise ValueError(f"counts: negative for adcodes {c.index[e_arr < 0].tolist()}")
    if np.any(b_arr <= 0):
        raise ValueError(f"population: not positive for adcodes {b.index[b_arr <= 0].tolist()}")
    raw, r_mean, r_var = _global_eb(e_arr, b_arr)
    truncated = bool(r_var <= 0) or r_mean == 0
    if truncated:
        eb = np.full_like(raw, r_mean)
    else:
        eb = np.asarray(Empirical_Bayes(e_arr, b_arr).r, dtype="float64").ravel()
    suffix = _per_label(per)
    out = pd.DataFrame({
        "adcode": c.index.astype("int64"),
        "event_count": e_arr,
        "population_persons": b_arr,
        f"raw_{suffix}": raw * per,
        f"eb_{suffix}": eb * per,
    })
    if w is not None:
        if r_mean == 0:
            seb = np.zeros_like(raw)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):
                seb = np.asarray(Spatial_Empirical_Bayes(e_arr, b_arr, _binary_copy(w)).r,
                                 dtype="float64").ravel()
        out[f"seb_{suffix}"] = seb * per
    out["small_count"] = e_arr < min_count
    out.attrs.update({f"overall_{suffix}": r_mean * per, "eb_prior_variance": r_var,
                      "eb_truncated": truncated, "min_count": min_count})
    return out


# --- global Moran ----------------------------------------------------------------------------


def global_moran(values: pd.Series | Mapping[int, float], w: W, permutations: int = PERMUTATIONS,
                 seed: int = SEED, measure: str | None = None,
                 alternative: str = LOCAL_ALTERNATIVE) -> pd.DataFrame:
    """Global Moran's I of one province measure (``esda.Moran``, row-standardised weights).

    I = (n/S₀) · z'Wz / z'z with z the deviations from the mean, W row-standardised (S₀ = n).

    Parameters
    ----------
    values : one value per province (any unit), Series indexed by adcode = the ids of ``w``
    w : spatial weights (e.g. :func:`analysis.geo.province_weights`); not modified
    permutations : random permutations for ``p_sim`` (9999 for publication)
    seed : seed of the permutations (default :data:`analysis.vocab.seeds.SEED`)
    measure : label written in the ``measure`` column (default: the Series name)
    alternative : esda's alternative of ``p_sim`` (default ``"directed"``; ``"two-sided"``
        for a test without a direction chosen from the data, as for model residuals)

    Returns
    -------
    One-row DataFrame: ``measure``, ``n`` (provinces), ``moran_i`` (I, unitless),
    ``expected_i`` (E[I] = −1/(n−1)), ``z_norm`` (z under the normality assumption),
    ``p_norm`` (two-sided normal p-value), ``p_sim`` (permutation pseudo p-value of the
    ``alternative``; by default directed: one-sided, in the tail the observed I falls in),
    ``mean_i_sim`` (mean I over the permutations),
    ``permutations``, ``seed``.
    """
    y = _aligned(values, w)
    wr = _row_standardised_copy(w)
    mi = Moran(y.to_numpy(), wr, transformation="r", permutations=0, two_tailed=True)
    p_sim = mean_sim = np.nan
    if permutations:
        with _seeded(seed):
            sims = _moran_permutations(mi, wr, permutations)
        p_sim = float(permutation_p(mi.I, sims, alternative)[0])
        mean_sim = float(sims.mean())
    return pd.DataFrame([{
        "measure": _measure(values, measure),
        "n": int(mi.n),
        "moran_i": float(mi.I),
        "expected_i": float(mi.EI),
        "z_norm": float(mi.z_norm),
        "p_norm": float(mi.p_norm),
        "p_sim": float(p_sim),
        "mean_i_sim": float(mean_sim),
        "permutations": int(permutations),
        "seed": int(seed),
    }])


def _moran_permutations(mi: Moran, w: W, permutations: int) -> np.ndarray:
    """Moran's I of ``permutations`` random permutations of the deviations, vectorised.

    Draws the permutations exactly as ``esda.Moran`` does (one ``np.random.permutation`` per
    draw from NumPy's global state, seeded by the caller), so ``p_sim`` equals esda's to the last
    bit, but computes all the statistics in one matrix product instead of a Python loop (esda
    without numba spends ~0.2 s per measure at 9,999 permutations; this takes milliseconds).
    """
    z = mi.y - mi.y.mean()                            # esda permutes the raw deviations
    n = len(z)
    index = np.stack([np.random.permutation(n) for _ in range(permutations)])
    zp = z[index]                                     # permutations × n
    lag = zp @ w.full()[0].T                          # spatial lag of every permutation
    return n / w.s0 * (zp * lag).sum(axis=1) / mi.z2ss


# --- local Moran (LISA) ----------------------------------------------------------------------


def local_moran(values: pd.Series | Mapping[int, float], w: W, permutations: int = PERMUTATIONS,
                seed: int = SEED, alpha: float = ALPHA, fdr: bool = True,
                two_sided: bool = False) -> pd.DataFrame:
    """Local Moran's Iᵢ (LISA) per province with seeded conditional-permutation inference.

    esda's statistic (``esda.Moran_Local``, row-standardised weights):
    Iᵢ = (n−1) · zᵢ · Σⱼ wᵢⱼ zⱼ / Σₖ zₖ², z = (y − ȳ)/sd(y) (population sd). This is Anselin's
    (1995) Iᵢ = zᵢ Σⱼ wᵢⱼ zⱼ / m₂ with m₂ = Σz²/(n−1). Quadrant: HH (value above the mean,
    neighbours' average above it), LH, LL, HL. A province is in a cluster only if its test is
    significant (BH FDR at ``alpha`` over the n provinces when ``fdr``; else p ≤ ``alpha``).

    Parameters
    ----------
    values : one value per province, Series indexed by adcode = the ids of ``w``
    w : spatial weights; not modified
    permutations : conditional permutations per province (9999 for publication)
    seed : permutation seed (default :data:`analysis.vocab.seeds.SEED`)
    alpha : significance level / false-discovery rate (0–1)
    fdr : control the false-discovery rate over the n local tests (Benjamini–Hochberg)
    two_sided : test with min(1, 2·p_sim) instead of the directed p_sim

    Returns
    -------
    DataFrame, one row per province in ``w.id_order``: ``adcode``, ``n_neighbors``,
    ``value`` (input unit), ``z`` (standardised value), ``lag_z`` (row-standardised spatial lag
    of z: neighbours' mean), ``local_i`` (Iᵢ, unitless), ``p_sim`` (directed pseudo p-value),
    ``p_test`` (p-value tested: p_sim, or doubled if ``two_sided``), ``p_adjusted``
    (BH-adjusted if ``fdr``, else = p_test), ``significant`` (bool), ``quadrant`` (HH, LH,
    LL, HL), ``cluster`` ("High-High", "Low-High", "Low-Low", "High-Low" or
    "Not significant").
    """
    _check_permutations(permutations)
    y = _aligned(values, w)
    wr = _row_standardised_copy(w)
    with _seeded(seed), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The alternative hypothesis",
                                category=DeprecationWarning)
        lm = Moran_Local(y.to_numpy(), wr, transformation="r", permutations=permutations,
                         n_jobs=1, keep_simulations=True, seed=seed)
    p_sim = permutation_p(lm.Is, lm.sim, LOCAL_ALTERNATIVE)
    p_test, p_adjusted, significant = _decide(p_sim, alpha, fdr, two_sided)
    quadrant = np.array([QUADRANTS[int(q)] for q in lm.q])
    cluster = np.where(significant, [CLUSTER_LABELS[q] for q in quadrant], NOT_SIGNIFICANT)
    return pd.DataFrame({
        "adcode": _ids(w),
        "n_neighbors": _n_neighbors(w),
        "value": y.to_numpy(),
        "z": np.asarray(lm.z, dtype="float64"),
        "lag_z": np.asarray(wr.sparse @ lm.z, dtype="float64"),
        "local_i": np.asarray(lm.Is, dtype="float64"),
        "p_sim": p_sim,
        "p_test": p_test,
        "p_adjusted": p_adjusted,
        "significant": significant,
        "quadrant": quadrant,
        "cluster": cluster,
    })


# --- Getis–Ord Gi* ---------------------------------------------------------------------------


#: Spawn key of the random stream of the Gi* permutations (the LISA draws use esda's stream of
#: the same seed; a different stream keeps the two tests' draws apart).
GI_STREAM = 1


def gi_total_permutations(values: np.ndarray, wb: W, star: bool, permutations: int,
                          seed: int = SEED) -> np.ndarray:
    """Gᵢ\\* (or Gᵢ) of every unit under ``permutations`` total randomisations of ``values``.

    Each draw permutes all n values over the map (the unit's own value included), the null
    under which Getis & Ord derive the moments of G; draws come from
    ``numpy.random.default_rng(SeedSequence(seed, spawn_key=(GI_STREAM,)))``, a stream of its
    own (never NumPy's global state, which esda's conditional permutations use).

    Parameters
    ----------
    values : the n non-negative values, in the order of ``wb.id_order``
    wb : binary weights (neighbour sets only; the self-weight is added here for Gᵢ\\*)
    star : Gᵢ\\* (self included) or Gᵢ
    permutations : number of draws
    seed : seed of the stream

    Returns
    -------
    Array ``permutations × n`` of simulated G (share of the total, 0–1).
    """
    x = np.asarray(values, dtype="float64")
    n = len(x)
    a = _binary_copy(wb).sparse.tocsr().astype("float64")
    if star:
        a = a + identity(n, format="csr")
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(GI_STREAM,)))
    draws = rng.permuted(np.broadcast_to(x, (permutations, n)), axis=1)
    numerator = np.asarray((a @ draws.T).T)
    denominator = x.sum() if star else x.sum() - draws
    with np.errstate(invalid="ignore", divide="ignore"):
        return numerator / denominator


def getis_ord(values: pd.Series | Mapping[int, float], w: W, star: bool = True,
              permutations: int = PERMUTATIONS, seed: int = SEED, alpha: float = ALPHA,
              fdr: bool = True, two_sided: bool = False, inference: str = "sim"
              ) -> pd.DataFrame:
    """Getis–Ord local Gᵢ* (or Gᵢ) hot and cold spots, z-scores and seeded permutation tests.

    Weights passed to ``esda.G_Local``: the **binary** neighbour structure of ``w``
    (``transform="B"``), with, for Gᵢ* (``star=True``), the self-weight wᵢᵢ = 1 (esda fills the
    diagonal with 1 for binary weights). Binary weights are used because esda's analytic
    moments assume that the row sum of the weights equals the sum of their squares (true only
    for binary weights): with row-standardised weights (esda's default ``transform="R"``) the
    variance would not be Getis & Ord's, and for Gᵢ* esda would have to *guess* a self-weight
    (the row maximum, with a warning). The statistic and z-score are then those of Getis & Ord
    (1992) / Ord & Getis (1995):

    Gᵢ* = Σⱼ wᵢⱼ xⱼ / Σⱼ xⱼ (j including i);
    z = (Σⱼ wᵢⱼ xⱼ − x̄ Wᵢ) / (s · sqrt((n S₁ᵢ − Wᵢ²)/(n−1))), Wᵢ = Σⱼ wᵢⱼ, S₁ᵢ = Σⱼ wᵢⱼ²,
    x̄ and s the mean and population standard deviation of all n values.
    (For Gᵢ, ``star=False``, i is left out of the sums and the moments use the other n−1
    values.) Values must be non-negative (G is defined for positive data such as rates).

    Inference. ``inference="sim"`` (default) tests with a seeded **total-randomisation**
    permutation p-value (:func:`gi_total_permutations`, directed alternative): all n values
    are permuted over the map, the province's own included — the null of Getis & Ord's
    moments ("the values are spatially random"), so the permutation distribution has the
    mean and variance of the z-score's formula and the test needs no normal approximation
    (rough with 2–8 neighbours). This is deliberately *not* esda's conditional permutation
    (own value fixed): for Gᵢ* with binary weights that ranks every draw exactly as the local
    Moran does, so its p-values equalled the LISA p-values row for row and the "two tests"
    were one. Gᵢ* now asks whether the neighbourhood total (the province included) is
    extreme; the LISA whether the neighbours are extreme given the province's own value.
    ``inference="norm"`` tests with the two-sided normal p-value of z (the classic
    Getis–Ord test). Either way the label's direction is the sign of z: "Hot spot" =
    significant and z > 0, "Cold spot" = significant and z < 0. ``direction_agrees`` says
    whether the permutation test deviates in the same direction as z (observed Gᵢ* vs the
    mean of its simulations; under total randomisation they can differ only by Monte-Carlo
    noise when z ≈ 0).

    Parameters
    ----------
    values : one non-negative value per province, Series indexed by adcode = ids of ``w``
    w : spatial weights (only the neighbour sets are used); not modified
    star : Gᵢ* (include the province itself, default) or Gᵢ (exclude it)
    permutations, seed, alpha, fdr, two_sided : as in :func:`local_moran` (``two_sided``
        only applies to ``p_sim``; ``p_norm`` is already two-sided)
    inference : ``"sim"`` (permutation p-value) or ``"norm"`` (normal p-value of z)

    Returns
    -------
    DataFrame, one row per province in ``w.id_order``: ``adcode``, ``n_neighbors``, ``value``,
    ``g`` (Gᵢ* or Gᵢ: share of the total in the neighbourhood, 0–1), ``z`` (Getis–Ord
    z-score), ``p_norm`` (two-sided normal p-value of z; esda's own attribute is one-sided),
    ``p_sim`` (directed total-randomisation permutation pseudo p-value), ``p_test`` (the
    p-value tested), ``p_adjusted`` (BH-adjusted if ``fdr``, else = p_test), ``significant``
    (bool), ``direction_agrees`` (bool), ``label`` ("Hot spot", "Cold spot", "Not
    significant").
    """
    if inference not in ("sim", "norm"):
        raise ValueError(f"inference must be 'sim' or 'norm', not {inference!r}")
    _check_permutations(permutations)
    y = _aligned(values, w)
    if np.any(y.to_numpy() < 0):
        raise ValueError("Getis–Ord G needs non-negative values; got negatives for adcodes "
                         f"{y.index[y.to_numpy() < 0].tolist()}")
    wb = _binary_copy(w)
    wb.transform = "b"
    g = G_Local(y.to_numpy(), wb, transform="B", permutations=0, star=star)
    gs = np.asarray(g.Gs, dtype="float64")
    z = np.asarray(g.Zs, dtype="float64")
    p_norm = 2.0 * norm.sf(np.abs(z))
    sims = gi_total_permutations(y.to_numpy(), wb, star, permutations, seed)
    p_sim = permutation_p(gs, sims, LOCAL_ALTERNATIVE)
    if inference == "sim":
        p_test, p_adjusted, significant = _decide(p_sim, alpha, fdr, two_sided)
    else:
        p_test, p_adjusted, significant = _decide(p_norm, alpha, fdr, False)
    above = gs >= sims.mean(axis=0)
    label = np.where(~significant, NOT_SIGNIFICANT, np.where(z > 0, HOT_SPOT, COLD_SPOT))
    return pd.DataFrame({
        "adcode": _ids(w),
        "n_neighbors": _n_neighbors(w),
        "value": y.to_numpy(),
        "g": gs,
        "z": z,
        "p_norm": p_norm,
        "p_sim": p_sim,
        "p_test": p_test,
        "p_adjusted": p_adjusted,
        "significant": significant,
        "direction_agrees": (z > 0) == above,
        "label": label,
    })


# --- sensitivity of the LISA clusters to the weights and the seed --------------------------


def lisa_variants(values: pd.Series | Mapping[int, float], weights: Mapping[str, W],
                  seeds: Sequence[int], permutations: int = PERMUTATIONS,
                  alpha: float = ALPHA) -> pd.DataFrame:
    """LISA clusters (FDR at ``alpha``) of one map under every weights × seed variant.

    Parameters
    ----------
    values : one value per unit, Series indexed by the ids shared by every weights matrix
    weights : ``{name: W}``, e.g. contiguity, k nearest neighbours, a distance band
    seeds : permutation seeds (each gives a fresh set of conditional permutations)
    permutations, alpha : as in :func:`local_moran`

    Returns
    -------
    Long DataFrame, one row per (weights, seed, unit): ``weights``, ``seed``, ``adcode``,
    ``cluster`` (as :func:`local_moran`), ``p_sim`` (directed).
    """
    parts = []
    for name, w in weights.items():
        for seed in seeds:
            r = local_moran(values, w, permutations=permutations, seed=int(seed), alpha=alpha,
                            fdr=True)
            parts.append(pd.DataFrame({"weights": name, "seed": int(seed),
                                       "adcode": r["adcode"].to_numpy(),
                                       "cluster": r["cluster"].to_numpy(),
                                       "p_sim": r["p_sim"].to_numpy()}))
    return pd.concat(parts, ignore_index=True)


def cluster_stability(variants: pd.DataFrame, main: pd.Series) -> pd.DataFrame:
    """How stable each unit's cluster label is over the variants of :func:`lisa_variants`.

    Parameters
    ----------
    variants : the long frame of :func:`lisa_variants` (``weights, seed, adcode, cluster``)
    main : the published label of each unit (index adcode), e.g. the main run's cluster

    Returns
    -------
    DataFrame, one row per unit (order of ``main``): ``adcode``, ``variants_count``,
    ``same_cluster_share`` (share of variants with the ``main`` label, 0–1), ``modal_cluster``
    (the significant label it has most often; ties: the label order of
    :data:`CLUSTER_LABELS`; "Not significant" if never significant), ``modal_cluster_share``
    (share of variants with the modal label; 0 if never significant).
    """
    order = {lab: k for k, lab in enumerate(CLUSTER_LABELS.values())}
    counts = pd.crosstab(variants["adcode"], variants["cluster"])
    total = counts.sum(axis=1)
    rows = []
    for a, lab in main.items():
        c = counts.loc[a] if a in counts.index else pd.Series(dtype="int64")
        sig = {k: int(v) for k, v in c.items() if k != NOT_SIGNIFICANT and v > 0}
        modal = (min(sig, key=lambda k: (-sig[k], order.get(k, 99))) if sig
                 else NOT_SIGNIFICANT)
        n = int(total.get(a, 0))
        rows.append({"adcode": int(a), "variants_count": n,
                     "same_cluster_share": float(c.get(lab, 0)) / n if n else np.nan,
                     "modal_cluster": modal,
                     "modal_cluster_share": sig.get(modal, 0) / n if n else np.nan})
    return pd.DataFrame(rows)


def significance_category(fdr_labels: pd.Series, unadjusted_labels: pd.Series,
                          fdr_suffix: str = " (FDR)",
                          unadjusted_suffix: str = " (unadjusted only)") -> pd.Series:
    """One label per province combining the test after FDR control and the unadjusted test.

    ``"<label> (FDR)"`` where the FDR-controlled label is significant, ``"<label> (unadjusted
    only)"`` where only the unadjusted test (p ≤ α) is, else :data:`NOT_SIGNIFICANT`. Works for
    Gi* labels ("Hot spot", "Cold spot") and LISA clusters ("High-High", …). A province
    significant after FDR is always significant unadjusted (BH never rejects more), so no
    other combination occurs; if one does, ``ValueError``.
    """
    fdr = pd.Series(fdr_labels).reset_index(drop=True)
    raw = pd.Series(unadjusted_labels).reset_index(drop=True)
    if len(fdr) != len(raw):
        raise ValueError("fdr_labels and unadjusted_labels differ in length")
    bad = (fdr != NOT_SIGNIFICANT) & (fdr != raw)
    if bad.any():
        raise ValueError(f"labels significant after FDR but not unadjusted at rows "
                         f"{bad[bad].index.tolist()}")
    out = pd.Series(NOT_SIGNIFICANT, index=fdr.index, dtype=object)
    only_raw = (fdr == NOT_SIGNIFICANT) & (raw != NOT_SIGNIFICANT)
    out[fdr != NOT_SIGNIFICANT] = fdr[fdr != NOT_SIGNIFICANT] + fdr_suffix
    out[only_raw] = raw[only_raw] + unadjusted_suffix
    out.index = pd.Series(fdr_labels).index
    return out


__all__ = [
    "ALPHA",
    "CLUSTER_LABELS",
    "COLD_SPOT",
    "GI_STREAM",
    "HOT_SPOT",
    "LOCAL_ALTERNATIVE",
    "MIN_COUNT",
    "NOT_SIGNIFICANT",
    "PERMUTATIONS",
    "QUADRANTS",
    "cluster_stability",
    "eb_rates",
    "fdr_significant",
    "getis_ord",
    "gi_total_permutations",
    "global_moran",
    "lisa_variants",
    "local_moran",
    "permutation_p",
    "significance_category",
]
