"""Specification-curve inference (issue 13, item 4): does the pooled specification curve hold
more significant specifications than chance, given that its specifications are correlated?

* **Permutation test** (:func:`permutation_pvalues`): the exposure columns are permuted across
  the 31 provinces — the *same* permutation for every specification and every exposure column,
  outcomes, offsets and covariates unchanged — and every specification of
  ``model_specification_curve`` is refitted with the same design and fit as the published one
  (:func:`analysis.topics.models.fit.design`, :func:`analysis.topics.models.fit.fit`). The
  number of specifications with p ≤ α under each permutation is the null distribution of the
  observed number (:func:`analysis.stats.permutation.permutation_p`). Because all
  specifications share one permutation, their correlation is kept.
* **Adjusted p-values** (:func:`adjusted_pvalues`): Holm and Benjamini–Hochberg within the
  pre-declared families (:data:`~analysis.topics.model_inference.schema.MULTIPLICITY_FAMILY`)
  and over all specifications (:mod:`analysis.stats.multiplicity`), the single-step min-p
  (Westfall–Young) adjustment from the same permutations, and each specification's own
  permutation p.

Z-scores are invariant under a permutation (same mean and SD), so permuting the z-scored
exposure column of a design equals z-scoring the permuted raw column. The "without the
largest" sample is cut after permuting all 31 provinces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
from libpysal.weights import W
from scipy import stats

from analysis.stats.count_models import nb2_ml
from analysis.stats.multiplicity import benjamini_hochberg, holm
from analysis.stats.permutation import permutation_indices, permutation_p
from analysis.topics.model_inference.schema import (
    MULTIPLICITY_FAMILY,
    PERMUTATION_FAMILIES,
    PERMUTATION_STATISTICS,
)
from analysis.topics.models.exposures import largest_provinces
from analysis.topics.models.fit import Design, Spec, design, fit
from analysis.vocab.settings import significant


def _permuted(d: Design, order: np.ndarray) -> Design:
    X = d.X.copy()
    col = d.spec.exposure
    X[col] = X[col].to_numpy()[order]
    return Design(d.spec, d.adcode, d.y, d.children, X, d.sd)


def _main_exposure(d: Design, w: W, i: int, start: np.ndarray | None
                   ) -> tuple[float, float, bool]:
    """(β, p, converged) of term ``i`` of one fit: the NB2 fit through the same recipe as
    :func:`analysis.topics.models.fit.fit_negbin` without its deviance and residuals (not
    needed here), every other kind through :func:`analysis.topics.models.fit.fit`."""
    if d.spec.kind != "negbin2":
        f = fit(d, w, summary=False)
        return float(f.params[i]), float(f.pvalues[i]), bool(f.converged)
    X = np.column_stack([np.ones(len(d.y)), d.X.to_numpy()])
    res, score, _ = nb2_ml(d.y, X, d.offset, start=start)
    b, se = float(res.params[i]), float(res.bse[i])
    return b, float(2 * stats.norm.sf(abs(b / se))), bool(np.isfinite(score) and score < 1e-5)


def refit_permuted(specs: list[Spec], exposures: pd.DataFrame, rates: pd.DataFrame,
                   counts: pd.DataFrame, w: W, perms: np.ndarray,
                   log: Callable[[str], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Main-exposure p-values and log-IRR signs of every specification under every permutation.

    Parameters
    ----------
    specs : the specifications (``model_specification_curve`` rows), in order
    exposures, rates, counts, w : the inputs of :func:`analysis.topics.models.fit.run_models`
    perms : permutations of the 31 provinces (rows of
        :func:`analysis.stats.permutation.permutation_indices`); the identity reproduces the
        published fits

    Returns
    -------
    (p, positive): arrays of shape (B, S); p is NaN where a refit failed or did not converge.
    """
    largest = largest_provinces(exposures)
    B, S = len(perms), len(specs)
    p = np.full((B, S), np.nan)
    pos = np.zeros((B, S), bool)
    for j, spec in enumerate(specs):
        base = design(replace(spec, sample="all"), exposures, rates, counts)
        full = fit(base if spec.sample == "all" else base.drop(largest), w, summary=False)
        i = full.terms.index(spec.exposure)
        start = None
        if spec.kind == "negbin2":
            start = np.r_[full.params, full.alpha]
            start[i] = 0.0
        for b, order in enumerate(perms):
            d = _permuted(base, order)
            if spec.sample != "all":
                d = d.drop(largest)
            try:
                beta, pv, ok = _main_exposure(d, w, i, start)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if ok and np.isfinite(pv):
                p[b, j] = pv
                pos[b, j] = beta > 0
        if log and (j + 1) % 50 == 0:
            log(f"[model_inference] permutation refits: {j + 1}/{S} specifications")
    return p, pos


def _family_masks(curve: pd.DataFrame) -> dict[str, np.ndarray]:
    return {fam: (np.ones(len(curve), bool) if fam == "all"
                  else (curve["side"] == fam).to_numpy()) for fam in PERMUTATION_FAMILIES}


def permutation_summary(curve: pd.DataFrame, p_null: np.ndarray, pos_null: np.ndarray,
                        seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ``model_specification_permutation`` and ``..._null`` tables.

    ``curve``: ``model_specification_curve`` (observed p and IRR) in the order of the columns
    of ``p_null``; a NaN null p counts as not significant.
    """
    obs_sig = significant(curve["p_value"].to_numpy())
    obs_pos = obs_sig & (curve["irr_per_sd"].to_numpy() > 1)
    null_sig = significant(np.nan_to_num(p_null, nan=1.0))
    null_pos = null_sig & pos_null
    rows, null_rows = [], []
    B = len(p_null)
    for fam, mask in _family_masks(curve).items():
        counts = {"significant": (int(obs_sig[mask].sum()), null_sig[:, mask].sum(axis=1)),
                  "significant_positive": (int(obs_pos[mask].sum()),
                                           null_pos[:, mask].sum(axis=1))}
        for stat in PERMUTATION_STATISTICS:
            obs, null = counts[stat]
            rows.append({"family": fam, "statistic": stat, "specifications": int(mask.sum()),
                         "observed_count": obs, "observed_share": obs / int(mask.sum()),
                         "null_mean_count": float(null.mean()),
                         "null_q95_count": float(np.quantile(null, 0.95)),
                         "permutation_p": permutation_p(obs, null), "permutations": B,
                         "seed": int(seed)})
        null_rows.append(pd.DataFrame({
            "permutation": np.arange(1, B + 1), "family": fam,
            "significant": counts["significant"][1].astype("int64"),
            "significant_positive": counts["significant_positive"][1].astype("int64")}))
    return pd.DataFrame(rows), pd.concat(null_rows, ignore_index=True)


def adjusted_pvalues(curve: pd.DataFrame, p_null: np.ndarray) -> pd.DataFrame:
    """The ``model_specification_multiplicity`` table (one row per specification)."""
    c = curve.reset_index(drop=True)
    out = c[["specification", "outcome_measure", "main_exposure", "side", "irr_per_sd",
             "p_value", "is_main"]].copy()
    out["family"] = c[list(MULTIPLICITY_FAMILY)].astype(str).agg(" × ".join, axis=1)
    out["family_size"] = out.groupby("family")["specification"].transform("size").astype("int64")
    out["p_holm"] = np.nan
    out["p_bh"] = np.nan
    for _, idx in out.groupby("family").groups.items():
        pv = out.loc[idx, "p_value"].to_numpy()
        out.loc[idx, "p_holm"] = holm(pv)
        out.loc[idx, "p_bh"] = benjamini_hochberg(pv)
    pv = out["p_value"].to_numpy()
    out["p_holm_all"] = holm(pv)
    out["p_bh_all"] = benjamini_hochberg(pv)
    null = np.nan_to_num(p_null, nan=1.0)
    B = len(null)
    min_null = null.min(axis=1)
    out["p_minp_all"] = [(1 + int((min_null <= x).sum())) / (1 + B) for x in pv]
    out["p_permutation"] = [(1 + int((null[:, j] <= x).sum())) / (1 + B)
                            for j, x in enumerate(pv)]
    cols = ["specification", "outcome_measure", "main_exposure", "side", "family",
            "family_size", "irr_per_sd", "p_value", "p_holm", "p_bh", "p_holm_all", "p_bh_all",
            "p_minp_all", "p_permutation", "is_main"]
    return out[cols]


def run(curve: pd.DataFrame, exposures: pd.DataFrame, rates: pd.DataFrame,
        counts: pd.DataFrame, w: W, permutations: int, seed: int,
        log: Callable[[str], None] | None = None
        ) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(multiplicity, permutation summary, null distribution) of the published curve."""
    curve = curve.reset_index(drop=True)
    specs = [Spec.from_id(s) for s in curve["specification"]]
    perms = permutation_indices(len(exposures), permutations, seed)
    p_null, pos_null = refit_permuted(specs, exposures, rates, counts, w, perms, log=log)
    summary, null = permutation_summary(curve, p_null, pos_null, seed)
    return adjusted_pvalues(curve, p_null), summary, null


__all__ = ["adjusted_pvalues", "permutation_summary", "refit_permuted", "run"]
