"""Count models of small-area postings: NB2 with an offset, fixed effects and clustered errors.

Pure functions on arrays (no project IO). Used by the county model step
(:mod:`analysis.topics.county_models`) and checked in ``tests/test_county_models.py`` against a
hand-written NB2 log-likelihood maximised with :func:`scipy.optimize.minimize` and a
hand-written cluster sandwich.

Conventions
-----------
* ``y`` counts (postings per unit), ``X`` the design **with** its constant and any fixed-effect
  dummies (see :func:`design_matrix`), ``offset`` = log(exposure population), ``groups`` the
  cluster labels (prefectures). Rows with a missing value must be removed by the caller.
* **NB2**: Var(y) = μ + αμ², μ = exp(offset + Xβ); β and α by joint maximum likelihood
  (``statsmodels.discrete.NegativeBinomial(loglike_method="nb2")``: BFGS from the Poisson fit,
  then Newton polishing until the score is ~0).
* **Cluster-robust errors** (``cov_type="cluster"``): the sandwich
  H⁻¹ (Σ_g s_g s_gᵀ) H⁻¹ with statsmodels' small-sample factor G/(G − 1) · (N − 1)/(N − K)
  (K counts α for NB2). p-values and CIs are normal (z), as statsmodels reports them.
* **Per SD**: the caller z-scores the exposures, so β of a z-scored column is the log IRR
  per SD of the raw variable; :func:`irr_ci` turns (β, SE) into IRR with a 95 % CI.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.discrete.count_model import ZeroInflatedNegativeBinomialP

#: Two-sided level of the confidence intervals.
CI_LEVEL = 0.95


@dataclass(frozen=True)
class CountFit:
    """One fitted count model.

    Attributes
    ----------
    names : regressor names (columns of X), in order
    params : β (log scale, per unit of each column of X)
    bse : standard errors of β (clustered when ``groups`` was given, else model-based)
    pvalues : two-sided normal p-values of β
    alpha : NB2 dispersion α (0 for Poisson; NaN when not estimated)
    llf : maximised log-likelihood
    aic : Akaike information criterion (2k − 2 llf)
    converged : optimiser converged with a near-zero score
    n : observations used
    n_clusters : clusters in the sandwich (0 without clustering)
    mu : fitted means (postings)
    pearson : Pearson residuals (y − μ)/√V(μ), V = μ + αμ² (NB2) or μ (Poisson)
    kind : ``"negbin2"``, ``"poisson"`` or ``"zinb"``
    """

    names: tuple[str, ...]
    params: np.ndarray
    bse: np.ndarray
    pvalues: np.ndarray
    alpha: float
    llf: float
    aic: float
    converged: bool
    n: int
    n_clusters: int
    mu: np.ndarray
    pearson: np.ndarray
    kind: str

    def coef(self, name: str) -> tuple[float, float, float]:
        """(β, SE, p) of regressor ``name``."""
        i = self.names.index(name)
        return float(self.params[i]), float(self.bse[i]), float(self.pvalues[i])


def design_matrix(frame: pd.DataFrame, terms: list[str], *,
                  fe: str | tuple[str, ...] | None = None,
                  standardise: bool = True) -> tuple[pd.DataFrame, dict[str, float]]:
    """Regressors of a count model: constant, ``terms`` (z-scored) and fixed-effect dummies.

    Parameters
    ----------
    frame : one row per unit, holding ``terms`` and (when ``fe``) the fixed-effect column
    terms : continuous regressors (columns of ``frame``)
    fe : column (or tuple of columns, e.g. province and period of a panel) whose levels get
        dummies (first level of each, in sorted order, is the reference); ``None`` for no
        fixed effects
    standardise : z-score each term with its mean and SD (ddof = 1) over ``frame``'s rows, so
        its coefficient is per SD of the raw variable

    Returns
    -------
    X : DataFrame (``const``, the terms, ``fe_<level>`` dummies as floats; with several fe
        columns ``fe_<column>_<level>``), index of ``frame``
    sd : the SD (ddof = 1) of each raw term over the rows, in its own unit (1.0 when not
        standardised)
    """
    X = pd.DataFrame({"const": 1.0}, index=frame.index)
    sd: dict[str, float] = {}
    for t in terms:
        x = frame[t].astype(float)
        s = float(x.std(ddof=1))
        if standardise:
            if not np.isfinite(s) or s == 0:
                raise ValueError(f"term {t!r} has no variation")
            X[t] = (x - x.mean()) / s
        else:
            X[t] = x
        sd[t] = s if standardise else 1.0
    if fe is not None:
        several = not isinstance(fe, str)
        for col in (fe if several else (fe,)):
            levels = sorted(frame[col].unique())
            for lev in levels[1:]:
                X[f"fe_{col}_{lev}" if several else f"fe_{lev}"] = (
                    frame[col] == lev).astype(float)
    return X, sd


def _cov(groups: np.ndarray | None) -> dict:
    if groups is None:
        return {"cov_type": "nonrobust"}
    return {"cov_type": "cluster", "cov_kwds": {"groups": pd.factorize(np.asarray(groups))[0]}}


def nb2_ml(y: np.ndarray, X: np.ndarray, offset: np.ndarray, *,
           start: np.ndarray | None = None, cov: dict | None = None):
    """Joint maximum likelihood of NB2 (β, α): the one fitting recipe of the project.

    ``statsmodels.discrete.NegativeBinomial(loglike_method="nb2")``. With ``start`` (β and α of
    a nearby fit, e.g. the full sample for a leave-one-out refit) Newton runs from there first
    and is kept when it reaches a finite, positive-α maximum with a score below 1e-8 (the same
    optimum in a few steps). Otherwise BFGS from the Poisson fit (α₀ from the moment
    estimator, at least 0.05), then Newton polishing until the score is ~0.

    Parameters
    ----------
    y : counts, shape (n,)
    X : regressors with the constant, shape (n, k) (a plain array)
    offset : log exposure, shape (n,)
    start : (β, α) to warm-start Newton, shape (k + 1,), or ``None``
    cov : ``cov_type`` / ``cov_kwds`` of the warm-start fit (e.g. clustered errors); the cold
        path returns model-based errors (the caller refits with its covariance at the optimum)

    Returns
    -------
    (res, score, warm): the statsmodels result (``params`` = β then α), the largest absolute
    score at the optimum (``converged`` means ``score < 1e-5``), and whether the warm start
    was kept.
    """
    y = np.asarray(y, float)
    offset = np.asarray(offset, float)
    model = sm.NegativeBinomial(y, X, offset=offset, loglike_method="nb2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if start is not None:
            try:
                res = model.fit(start_params=np.asarray(start, float), method="newton",
                                maxiter=100, tol=1e-14, disp=0, **(cov or {}))
                score = float(np.abs(model.score(res.params)).max())
                if (np.all(np.isfinite(res.params)) and res.params[-1] > 0
                        and np.isfinite(score) and score < 1e-8):
                    return res, score, True
            except (np.linalg.LinAlgError, ValueError):
                pass
        pois = sm.GLM(y, X, family=sm.families.Poisson(), offset=offset).fit(
            tol=1e-12, maxiter=200)
        mu0 = np.asarray(pois.mu)
        alpha0 = max(0.05, float(np.mean(((y - mu0) ** 2 - y) / mu0 ** 2)))
        res = model.fit(start_params=np.r_[pois.params, alpha0], method="bfgs",
                        maxiter=5000, gtol=1e-10, disp=0)
        try:
            pol = model.fit(start_params=res.params, method="newton", maxiter=100,
                            tol=1e-14, disp=0)
            if np.all(np.isfinite(pol.params)) and pol.params[-1] > 0:
                res = pol
        except (np.linalg.LinAlgError, ValueError):
            pass
        score = float(np.abs(model.score(res.params)).max())
    return res, score, False


def fit_negbin2(y: np.ndarray, X: pd.DataFrame, offset: np.ndarray,
                groups: np.ndarray | None = None, start: np.ndarray | None = None) -> CountFit:
    """Negative binomial NB2 by joint ML of (β, α), offset, optional cluster-robust errors.

    Parameters
    ----------
    y : counts (postings), shape (n,)
    X : regressors with constant (:func:`design_matrix`), shape (n, k)
    offset : log of the exposure population (children 0–14), shape (n,)
    groups : cluster labels (prefecture codes), shape (n,), or ``None`` for model-based errors
    start : (β, α) to start Newton from (e.g. the full-sample fit for a leave-one-out refit);
        the BFGS path from the Poisson fit is used when that does not reach a near-zero score

    Returns
    -------
    CountFit with ``kind = "negbin2"``; ``params``/``bse``/``pvalues`` hold β only (α apart).
    """
    y = np.asarray(y, float)
    offset = np.asarray(offset, float)
    Xa = X.to_numpy(float)
    res, score, warm = nb2_ml(y, Xa, offset, start=start, cov=_cov(groups))
    final = res
    if groups is not None and not warm:
        model = sm.NegativeBinomial(y, Xa, offset=offset, loglike_method="nb2")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            final = model.fit(start_params=res.params, method="newton", maxiter=100,
                              tol=1e-14, disp=0, **_cov(groups))
        res = final
    k = Xa.shape[1]
    params = np.asarray(res.params, float)
    bse = np.asarray(final.bse, float)
    alpha = float(params[-1])
    mu = np.exp(offset + Xa @ params[:k])
    z = params[:k] / bse[:k]
    return CountFit(names=tuple(X.columns), params=params[:k], bse=bse[:k],
                    pvalues=2 * stats.norm.sf(np.abs(z)), alpha=alpha, llf=float(res.llf),
                    aic=float(2 * (k + 1) - 2 * res.llf),
                    converged=bool(np.isfinite(score) and score < 1e-5), n=len(y),
                    n_clusters=0 if groups is None else int(pd.Series(groups).nunique()),
                    mu=mu, pearson=(y - mu) / np.sqrt(mu + alpha * mu ** 2), kind="negbin2")


def fit_poisson(y: np.ndarray, X: pd.DataFrame, offset: np.ndarray,
                groups: np.ndarray | None = None) -> CountFit:
    """Poisson GLM with offset, optional cluster-robust errors (statsmodels' correction).

    Parameters and returns as :func:`fit_negbin2` (``kind = "poisson"``, ``alpha = 0``).
    """
    y = np.asarray(y, float)
    offset = np.asarray(offset, float)
    Xa = X.to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(y, Xa, family=sm.families.Poisson(), offset=offset).fit(
            tol=1e-12, maxiter=200, **_cov(groups))
    mu = np.asarray(res.mu, float)
    params = np.asarray(res.params, float)
    bse = np.asarray(res.bse, float)
    return CountFit(names=tuple(X.columns), params=params, bse=bse,
                    pvalues=2 * stats.norm.sf(np.abs(params / bse)), alpha=0.0,
                    llf=float(res.llf), aic=float(2 * len(params) - 2 * res.llf),
                    converged=bool(res.converged), n=len(y),
                    n_clusters=0 if groups is None else int(pd.Series(groups).nunique()),
                    mu=mu, pearson=(y - mu) / np.sqrt(mu), kind="poisson")


def fit_zinb(y: np.ndarray, X: pd.DataFrame, offset: np.ndarray,
             groups: np.ndarray | None = None, start: CountFit | None = None) -> CountFit:
    """Zero-inflated NB2 with a constant-only inflation part (logit), offset on the count part.

    ``statsmodels.discrete.count_model.ZeroInflatedNegativeBinomialP(p=2)``; the count part's β
    are returned (the inflation intercept and α apart: ``alpha`` is the count part's α).
    ``start``: an NB2 fit of the same design to start from (inflation logit −3).

    Returns
    -------
    CountFit with ``kind = "zinb"``; ``mu`` and ``pearson`` are those of the count part's mean
    times (1 − π) (the unconditional mean); ``converged`` is the optimiser's flag and finite
    standard errors (a flat inflation part, common with few postings, gives neither).
    """
    y = np.asarray(y, float)
    offset = np.asarray(offset, float)
    Xa = X.to_numpy(float)
    k = Xa.shape[1]
    model = ZeroInflatedNegativeBinomialP(y, Xa, exog_infl=np.ones((len(y), 1)), offset=offset,
                                          inflation="logit", p=2)
    sp = None if start is None else np.r_[-3.0, start.params, start.alpha]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = model.fit(start_params=sp, method="bfgs", maxiter=3000, disp=0, **_cov(groups))
    params = np.asarray(res.params, float)
    bse = np.asarray(res.bse, float)
    beta, se = params[1:1 + k], bse[1:1 + k]
    pi = 1 / (1 + np.exp(-params[0]))
    alpha = float(params[-1])
    m = np.exp(offset + Xa @ beta)
    mu = (1 - pi) * m
    with np.errstate(invalid="ignore", divide="ignore"):
        var = mu * (1 + m * (pi + alpha))
        pearson = (y - mu) / np.sqrt(var)
    ok = bool(res.mle_retvals.get("converged", False)) and bool(np.all(np.isfinite(se)))
    return CountFit(names=tuple(X.columns), params=beta, bse=se,
                    pvalues=2 * stats.norm.sf(np.abs(beta / se)), alpha=alpha,
                    llf=float(res.llf), aic=float(2 * len(params) - 2 * res.llf),
                    converged=ok, n=len(y),
                    n_clusters=0 if groups is None else int(pd.Series(groups).nunique()),
                    mu=mu, pearson=pearson, kind="zinb")


def added_variable(y: np.ndarray, X: pd.DataFrame, fit: CountFit, term: str) -> pd.DataFrame:
    """Added-variable (partial-regression) data of ``term`` at an NB2 or Poisson fit.

    At the maximum, β solves the IRLS normal equations β = (XᵀWX)⁻¹XᵀWz with weights
    W = μ/(1 + αμ) and working response z = Xβ + (y − μ)/μ (offset removed). Residualising z
    and the term on the other columns of X by weighted least squares gives two residuals whose
    weighted slope is exactly the term's β (Frisch–Waugh–Lovell).

    Parameters
    ----------
    y, X : the counts and regressors of ``fit`` (``X`` with the same columns)
    fit : :func:`fit_negbin2` or :func:`fit_poisson` result
    term : column of ``X``

    Returns
    -------
    DataFrame (index of ``X``): ``exposure_resid`` (unit of the column of X, SD when
    z-scored), ``outcome_resid`` (log rate), ``weight``; ``attrs["slope"]`` the weighted slope.
    """
    y = np.asarray(y, float)
    mu = fit.mu
    w = mu / (1 + fit.alpha * mu)
    Xa = X.to_numpy(float)
    z = Xa @ fit.params + (y - mu) / mu
    others = [c for c in X.columns if c != term]
    Z = X[others].to_numpy(float)
    sw = np.sqrt(w)

    def resid(v: np.ndarray) -> np.ndarray:
        coef, *_ = np.linalg.lstsq(Z * sw[:, None], v * sw, rcond=None)
        return v - Z @ coef

    ex = resid(X[term].to_numpy(float))
    ez = resid(z)
    out = pd.DataFrame({"exposure_resid": ex, "outcome_resid": ez, "weight": w}, index=X.index)
    out.attrs["slope"] = float((w * ex * ez).sum() / (w * ex * ex).sum())
    return out


def irr_ci(beta: float, se: float, level: float = CI_LEVEL) -> tuple[float, float, float]:
    """Incidence-rate ratio exp(β) with its normal CI exp(β ± z·SE).

    Parameters
    ----------
    beta : log-scale coefficient (per SD when the regressor was z-scored)
    se : its standard error
    level : two-sided confidence level (default 0.95)

    Returns
    -------
    (irr, ci_low, ci_high), ratios (unitless)
    """
    z = float(stats.norm.ppf(0.5 + level / 2))
    return float(np.exp(beta)), float(np.exp(beta - z * se)), float(np.exp(beta + z * se))


def group_mean(values: np.ndarray, groups: np.ndarray) -> pd.Series:
    """Mean of ``values`` per group label (e.g. Pearson residuals per prefecture), sorted by
    label. Units: those of ``values``."""
    return pd.Series(np.asarray(values, float)).groupby(np.asarray(groups)).mean().sort_index()


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    """Spearman rank correlation of paired values (pairs with a missing value dropped).

    Returns
    -------
    (rho, two-sided p, n pairs); rho and p are NaN with fewer than 3 pairs.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    n = int(ok.sum())
    if n < 3:
        return float("nan"), float("nan"), n
    r = stats.spearmanr(x[ok], y[ok])
    return float(r.statistic), float(r.pvalue), n
