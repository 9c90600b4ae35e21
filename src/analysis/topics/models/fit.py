"""Count and spatial models of platform postings against migration exposures → tidy tables.

Ecological models with n = 31 provinces: associations between provinces, never effects on
children. Outcomes are the rate measures of :mod:`analysis.topics.cases.build` (postings on a volunteer
platform, not incidence); exposures come from :mod:`analysis.topics.models.exposures`.

Specifications (:func:`specifications`)
---------------------------------------
Every specification is one :class:`Spec`: outcome measure × main exposure × covariate set ×
model kind × sample × period × offset. One main exposure per model (out- and in-migration are
never in the same model).

* **Missing side** (``lost_*`` measures: where children went missing) against the out-migration
  rate of the O–D period matching the outcome (:data:`MEASURE_OD_PERIOD`), and, as alternatives,
  the 2010 and 2020 other-province hukou shares (in-migrant stock). Adjusted set: urban share
  2010 and mean years of schooling 2010 (:data:`COVARIATES`).
* **Found / current side** (``found_uiuing_success``: where reunited children were found;
  ``current_wtt1002_data``: where adults searching live now) against the in-migration rate of
  the matching period and the hukou shares; adjusted set adds the 2020 sex ratio (demand for
  boys is a claim of the reporting).
* Groups: ``core`` (all of the above, 31 provinces, all periods pooled, offset children 2020),
  ``offset_2010`` (children 2010 estimate as offset), ``without_largest`` (the
  :data:`~analysis.topics.models.exposures.LARGEST_N` most populous provinces left out), ``by_period`` (case
  periods of :data:`CASE_PERIOD_OD` with at least :data:`MIN_PERIOD_POSTINGS` postings, against
  the matching O–D period; offset children 2010 before 2010, 2020 after), ``spatial`` (log
  rates: OLS, ML spatial lag, ML spatial error). The main-exposure groups other than ``core``
  use only the main exposure of each side.

Model kinds (:data:`MODEL_KINDS`)
---------------------------------
* ``poisson_hc1`` — Poisson GLM (``statsmodels.GLM``) with offset log(children 0–14) and HC1
  sandwich errors: statsmodels' HC0 for GLMs times n / (n − k) (statsmodels' GLM returns the
  same matrix for HC0–HC3, so the small-sample factor is applied here explicitly).
* ``negbin2`` — negative binomial NB2 (Var = μ + αμ²) by full maximum likelihood of β and α
  jointly: ``statsmodels.discrete.NegativeBinomial(loglike_method="nb2")`` (BFGS, then Newton
  polishing until the score is ~0), model-based (inverse-Hessian) errors. Deviance and Pearson
  residuals come from ``statsmodels.GLM`` with ``family=NegativeBinomial(alpha=α̂)``, which at
  α̂ has the same β (the β score equations are identical), a check the tests make to 1e-6.
* ``ols_log_rate``, ``ml_lag_log_rate``, ``ml_error_log_rate`` — PySAL ``spreg.OLS``,
  ``spreg.ML_Lag`` and ``spreg.ML_Error`` on y = log((postings + 0.5) / children × 100,000).
  The +0.5 keeps provinces with zero postings (two measures have one) finite; it is the usual
  continuity correction for log counts and matters only where counts are small. Weights:
  :func:`analysis.geo.province_weights` (queen contiguity, Hainan joined to its 2 nearest,
  row-standardised). In the lag model the coefficient is the direct part of the association;
  the total (with spill-over) is β / (1 − ρ).

Per SD: regressors are z-scored with the mean and SD (ddof = 1) of all 31 provinces before
fitting (numerically stable with the large offsets), and coefficients are reported back per unit
of the raw variable: ``estimate`` = β_z / SD, ``irr_per_sd`` = exp(estimate × SD) = exp(β_z).

Residual spatial autocorrelation: global Moran's I (:func:`analysis.stats.hotspots.global_moran`,
row-standardised weights, :data:`MORAN_PERMUTATIONS` seeded permutations) of the **Pearson
residuals** of the count models ((y − μ)/√V(μ), V = μ or μ + αμ²), of the OLS residuals, of
y − ρWy − Xβ for the lag model and of the spatially filtered residuals (u − λWu) for the error
model. Only for fits on all 31 provinces (the weights have 31 ids). The permutation p of
model residuals is an approximation (residuals are not exchangeable), and esda's normal
moments (E[I] = −1/(n − 1)) are those of raw values; for the OLS fits the mean, variance and
normal p of I are spreg's for regression residuals (E[I] = tr(MW)/(n − k)), with the LM-lag,
LM-error, robust LM and SARMA tests (:func:`ols_spatial_diagnostics`).

Honesty with n = 31: every specification is reported (the count is the length of the
specification-curve table); nothing is selected by its p-value; the headline specification
(:data:`MAIN_SPEC`) was fixed before looking at results.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from libpysal.weights import W
from scipy import stats

from analysis.stats.count_models import nb2_ml
from analysis.stats.hotspots import global_moran
from analysis.topics.models.exposures import exposure_sd, in_column, largest_provinces, out_column
from analysis.topics.models.schema import (
    COVARIATES,
    LOG_RATE_ADD,
    MAIN_SPECIFICATION,
    MIN_PERIOD_POSTINGS,
    MODEL_KINDS,
    OLS_DIAGNOSTIC_COLUMNS,
    SIDE_EXPOSURES,
)
from analysis.vocab.measures import MEASURE_OD_PERIOD, MEASURES, PERIOD_MEASURES, model_side
from analysis.vocab.periods import CASE_PERIOD_OD, MODEL_ALL_PERIODS
from analysis.vocab.provinces import MAINLAND31
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import MORAN_PERMUTATIONS

# The models' vocabulary is defined with their schema (analysis.topics.models.schema:
# MODEL_KINDS, SIDE_EXPOSURES, COVARIATES, MIN_PERIOD_POSTINGS, LOG_RATE_ADD), per measure in
# the registry (analysis.vocab.measures: MEASURE_OD_PERIOD, PERIOD_MEASURES) and per case period
# in analysis.vocab.periods (CASE_PERIOD_OD); MORAN_PERMUTATIONS in analysis.vocab.settings.
COUNT_KINDS = ("poisson_hc1", "negbin2")
SPATIAL_KINDS = ("ols_log_rate", "ml_lag_log_rate", "ml_error_log_rate")
if set(COUNT_KINDS) | set(SPATIAL_KINDS) != set(MODEL_KINDS):  # pragma: no cover - edit guard
    raise RuntimeError("every model kind must be a count or a spatial kind")

Z975 = float(stats.norm.ppf(0.975))


def side_of(measure: str) -> str:
    """``missing`` for a measure of where children went missing (``lost_*``), ``found_current``
    for the others; ``ValueError`` for an unknown measure."""
    return model_side(measure)


@dataclass(frozen=True)
class Spec:
    """One model specification."""

    outcome: str
    exposure: str
    covariates: str
    kind: str
    group: str = "core"
    period: str = MODEL_ALL_PERIODS
    offset_year: int = 2020
    sample: str = "all"

    @classmethod
    def from_id(cls, spec_id: str) -> Spec:
        """The specification of a ``specification`` id (the inverse of :attr:`spec_id`);
        ``ValueError`` if the id does not have its eight fields."""
        fields = spec_id.split("|")
        if len(fields) != 8 or not fields[7].startswith("offset"):
            raise ValueError(f"not a specification id: {spec_id!r} (expected group|kind|"
                             "outcome|exposure|covariates|sample|period|offset<year>)")
        group, kind, outcome, exposure, covariates, sample, period, offset = fields
        return cls(outcome, exposure, covariates, kind, group, period,
                   int(offset.removeprefix("offset")), sample)

    @property
    def side(self) -> str:
        return side_of(self.outcome)

    @property
    def spec_id(self) -> str:
        return "|".join([self.group, self.kind, self.outcome, self.exposure, self.covariates,
                         self.sample, self.period, f"offset{self.offset_year}"])

    @property
    def od_period(self) -> tuple[str, bool]:
        """(O–D period of the exposure, matched to the outcome?)."""
        if self.period == MODEL_ALL_PERIODS:
            p, matched, _ = MEASURE_OD_PERIOD[self.outcome]
            return p, matched
        return CASE_PERIOD_OD[self.period]

    @property
    def exposure_column(self) -> str:
        p, _ = self.od_period
        if self.exposure == "out_migration":
            return out_column(p)
        if self.exposure == "in_migration":
            return in_column(p)
        return f"{self.exposure}_share"

    @property
    def covariate_columns(self) -> tuple[str, ...]:
        return COVARIATES[self.side][self.covariates]


#: The headline specification, fixed in advance (its id is published with the model tables:
#: :data:`analysis.topics.models.schema.MAIN_SPECIFICATION`): NB2 of families' postings of
#: children missing 1999–2021 against out-migration 2005–2010, adjusted for urban share and
#: schooling.
MAIN_SPEC = Spec.from_id(MAIN_SPECIFICATION)


# --- data ------------------------------------------------------------------------------------


@dataclass
class Design:
    """Data of one fit: outcome, offset and z-scored regressors (rows = provinces)."""

    spec: Spec
    adcode: np.ndarray
    y: np.ndarray
    children: np.ndarray
    X: pd.DataFrame
    sd: dict[str, float] = field(default_factory=dict)

    @property
    def offset(self) -> np.ndarray:
        return np.log(self.children)

    @property
    def log_rate(self) -> np.ndarray:
        return np.log((self.y + LOG_RATE_ADD) / self.children * 1e5)

    def drop(self, adcodes: Iterable[int]) -> Design:
        keep = ~np.isin(self.adcode, list(adcodes))
        return Design(self.spec, self.adcode[keep], self.y[keep], self.children[keep],
                      self.X[keep].reset_index(drop=True), self.sd)


def outcome_counts(spec: Spec, rates: pd.DataFrame, counts: pd.DataFrame) -> pd.Series:
    """Postings per province (31, by adcode) of the spec's measure and period."""
    if spec.period == MODEL_ALL_PERIODS:
        r = rates[rates["measure"] == spec.outcome]
        s = r.set_index("adcode")["postings_count"]
    else:
        m = MEASURES[spec.outcome]
        c = counts[(counts["source"] == m.source) & (counts["side"] == m.side)
                   & (counts["place_role"] == m.place_role) & (counts["period"] == spec.period)]
        s = c.groupby("adcode")["postings_count"].sum()
    s = s.reindex(list(MAINLAND31), fill_value=0).astype("int64")
    if len(s) != 31:
        raise ValueError(f"{spec.spec_id}: outcome does not cover the 31 provinces")
    return s


def design(spec: Spec, exposures: pd.DataFrame, rates: pd.DataFrame, counts: pd.DataFrame
           ) -> Design:
    """The :class:`Design` of ``spec`` on all 31 provinces (sample restrictions applied)."""
    ex = exposures.set_index("adcode").reindex(list(MAINLAND31))
    y = outcome_counts(spec, rates, counts)
    terms = {spec.exposure: spec.exposure_column,
             **{c: c for c in spec.covariate_columns}}
    X = pd.DataFrame(index=ex.index)
    sd = {}
    for term, column in terms.items():
        x = ex[column].astype(float)
        if x.isna().any():
            raise ValueError(f"{spec.spec_id}: {column} has missing values")
        sd[term] = exposure_sd(ex, column)
        X[term] = (x - x.mean()) / sd[term]
    children = ex[f"children_0_14_{spec.offset_year}_persons"].astype(float).to_numpy()
    d = Design(spec, ex.index.to_numpy().astype("int64"), y.to_numpy().astype(float),
               children, X.reset_index(drop=True), sd)
    if spec.sample == "without_largest":
        d = d.drop(largest_provinces(exposures))
    return d


# --- count models ----------------------------------------------------------------------------


@dataclass
class Fit:
    """Result of one fit on the z-scale: parameters of ``terms`` (``const`` first)."""

    terms: list[str]
    params: np.ndarray
    bse: np.ndarray
    pvalues: np.ndarray
    ci_q: float
    n: int
    llf: float
    aic: float
    pseudo_r2: float
    residuals: np.ndarray
    residual_type: str
    robust_se: bool
    converged: bool
    deviance: float = np.nan
    pearson_chi2_per_df: float = np.nan
    alpha: float = np.nan
    alpha_se: float = np.nan
    spatial_name: str | None = None
    spatial: tuple[float, float, float] | None = None  # (value, se, p)
    ols_diagnostics: dict[str, float] | None = None  # spreg's residual tests (OLS only)


def _X(d: Design) -> np.ndarray:
    return np.column_stack([np.ones(len(d.y)), d.X.to_numpy()])


def fit_poisson(d: Design, *, summary: bool = True) -> Fit:
    """Poisson GLM with offset and HC1 errors (see the module docstring). ``summary=False``
    skips the null model (pseudo-R² is then NaN)."""
    X, n = _X(d), len(d.y)
    k = X.shape[1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(d.y, X, family=sm.families.Poisson(), offset=d.offset).fit(
            cov_type="HC0", tol=1e-12, maxiter=200)
        null_llf = (sm.GLM(d.y, np.ones((n, 1)), family=sm.families.Poisson(),
                           offset=d.offset).fit(tol=1e-12).llf if summary else np.nan)
    bse = np.asarray(res.bse) * np.sqrt(n / (n - k))
    params = np.asarray(res.params)
    p = 2 * stats.norm.sf(np.abs(params / bse))
    mu = np.asarray(res.mu)
    pearson = (d.y - mu) / np.sqrt(mu)
    return Fit(["const", *d.X.columns], params, bse, p, Z975, n, float(res.llf),
               float(res.aic), 1 - float(res.llf) / float(null_llf), pearson, "pearson", True,
               bool(res.converged), deviance=float(res.deviance),
               pearson_chi2_per_df=float((pearson ** 2).sum() / (n - k)))


def _negbin_ml(y: np.ndarray, X: np.ndarray, offset: np.ndarray,
               start: np.ndarray | None = None):
    """Joint ML of NB2 (β, α): :func:`analysis.stats.count_models.nb2_ml` (BFGS, then Newton;
    ``start`` warm-starts Newton). Returns (statsmodels result, converged)."""
    res, score, _ = nb2_ml(y, X, offset, start=start)
    return res, bool(np.isfinite(score) and score < 1e-5)


def fit_negbin(d: Design, *, summary: bool = True, start: np.ndarray | None = None) -> Fit:
    """NB2 by joint ML (β, α); deviance and Pearson residuals from the GLM at α̂.
    ``summary=False`` skips the null model (pseudo-R² is then NaN); ``start`` (β, α) warm-starts
    the optimiser (see :func:`_negbin_ml`)."""
    X, n = _X(d), len(d.y)
    k = X.shape[1]
    res, converged = _negbin_ml(d.y, X, d.offset, start)
    null_llf = _negbin_ml(d.y, np.ones((n, 1)), d.offset)[0].llf if summary else np.nan
    alpha = float(res.params[-1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glm = sm.GLM(d.y, X, family=sm.families.NegativeBinomial(alpha=alpha),
                     offset=d.offset).fit(tol=1e-14, maxiter=200)
    mu = np.asarray(glm.mu)
    pearson = (d.y - mu) / np.sqrt(mu + alpha * mu ** 2)
    params, bse = np.asarray(res.params)[:-1], np.asarray(res.bse)[:-1]
    p = 2 * stats.norm.sf(np.abs(params / bse))
    return Fit(["const", *d.X.columns], params, bse, p, Z975, n, float(res.llf),
               float(res.aic), 1 - float(res.llf) / float(null_llf), pearson, "pearson",
               False, converged, deviance=float(glm.deviance),
               pearson_chi2_per_df=float((pearson ** 2).sum() / (n - k)), alpha=alpha,
               alpha_se=float(np.asarray(res.bse)[-1]))


# --- log-rate models (spreg) -----------------------------------------------------------------


def fit_log_rate(d: Design, kind: str, w: W) -> Fit:
    """OLS / ML lag / ML error on the log rate with ``w`` (ids = the design's adcodes)."""
    import spreg

    ids = [int(i) for i in w.id_order]
    if ids != [int(a) for a in d.adcode]:
        raise ValueError("weights ids must equal the design's adcodes in order")
    y = d.log_rate.reshape(-1, 1)
    x = d.X.to_numpy()
    names = list(d.X.columns)
    n, k = len(y), x.shape[1] + 1
    # spreg's ML estimators print their name to stdout: silenced
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        if kind == "ols_log_rate":
            m = spreg.OLS(y, x, w=w, name_x=names, spat_diag=True, moran=True)
            diagnostics = ols_spatial_diagnostics(m, w)
            params = m.betas.ravel()
            bse = m.std_err
            p = np.array([t[1] for t in m.t_stat])
            q = float(stats.t.ppf(0.975, n - k))
            resid = m.u.ravel()
            pr2, spatial, sname, rtype = float(m.r2), None, None, "ols"
        elif kind == "ml_lag_log_rate":
            m = spreg.ML_Lag(y, x, w, name_x=names, method="full")
            params, bse = m.betas.ravel()[:-1], m.std_err[:-1]
            p = np.array([t[1] for t in m.z_stat])[:-1]
            q, resid, pr2 = Z975, m.u.ravel(), float(m.pr2)
            spatial = (float(m.rho), float(m.std_err[-1]), float(m.z_stat[-1][1]))
            sname, rtype = "rho", "lag_u"
        elif kind == "ml_error_log_rate":
            m = spreg.ML_Error(y, x, w, name_x=names, method="full")
            params, bse = m.betas.ravel()[:-1], m.std_err[:-1]
            p = np.array([t[1] for t in m.z_stat])[:-1]
            q, resid, pr2 = Z975, m.e_filtered.ravel(), float(m.pr2)
            spatial = (float(m.lam), float(m.std_err[-1]), float(m.z_stat[-1][1]))
            sname, rtype = "lambda", "error_filtered"
        else:
            raise ValueError(f"not a log-rate kind: {kind!r}")
    if kind != "ols_log_rate":
        diagnostics = None
    llf = float(m.logll)
    n_par = k + (1 if spatial else 0) + 1  # + error variance
    return Fit(["const", *names], np.asarray(params, float), np.asarray(bse, float).ravel(),
               np.asarray(p, float), q, n, llf, float(-2 * llf + 2 * n_par), pr2, resid, rtype,
               False, True, spatial_name=sname, spatial=spatial, ols_diagnostics=diagnostics)


#: spreg's residual tests of an OLS fit: column of ``model_fit`` → (attribute, index).
OLS_DIAGNOSTICS: dict[str, tuple[str, int]] = {  # keys: schema.OLS_DIAGNOSTIC_COLUMNS
    "lm_lag": ("lm_lag", 0), "lm_lag_p": ("lm_lag", 1),
    "lm_error": ("lm_error", 0), "lm_error_p": ("lm_error", 1),
    "robust_lm_lag": ("rlm_lag", 0), "robust_lm_lag_p": ("rlm_lag", 1),
    "robust_lm_error": ("rlm_error", 0), "robust_lm_error_p": ("rlm_error", 1),
    "lm_sarma": ("lm_sarma", 0), "lm_sarma_p": ("lm_sarma", 1),
}


if tuple(OLS_DIAGNOSTICS) != OLS_DIAGNOSTIC_COLUMNS:  # pragma: no cover - edit guard
    raise RuntimeError("OLS_DIAGNOSTICS must list the schema's OLS_DIAGNOSTIC_COLUMNS")


def ols_spatial_diagnostics(m, w: W) -> dict[str, float]:
    """Moran's I of the OLS residuals with its mean and variance *for regression residuals*
    (Cliff–Ord: E[I] = tr(MW)/(n − k), ``spreg.diagnostics_sp.MoranRes``; not −1/(n − 1),
    which holds for raw values only) and the LM-lag, LM-error, robust LM and SARMA tests of a
    ``spreg.OLS(..., w=w, spat_diag=True, moran=True)`` fit."""
    from spreg.diagnostics_sp import MoranRes

    mr = MoranRes(m, w, z=True)
    out = {"moran_i": float(mr.I), "expected_i": float(mr.eI), "variance_i": float(mr.vI),
           "z": float(mr.zI), "p_norm": float(mr.p_norm)}
    out.update({col: float(getattr(m, attr)[i]) for col, (attr, i) in OLS_DIAGNOSTICS.items()})
    return out


def fit(d: Design, w: W | None = None, *, summary: bool = True,
        start: np.ndarray | None = None) -> Fit:
    """Fit ``d.spec.kind`` on design ``d`` (``w`` needed for the log-rate kinds; ``start``
    warm-starts the negative binomial)."""
    kind = d.spec.kind
    if kind == "poisson_hc1":
        return fit_poisson(d, summary=summary)
    if kind == "negbin2":
        return fit_negbin(d, summary=summary, start=start)
    if w is None:
        raise ValueError(f"{kind} needs spatial weights")
    return fit_log_rate(d, kind, w)


def max_vif(d: Design) -> float:
    """Largest variance-inflation factor of the regressors (1.0 with a single regressor)."""
    x = d.X.to_numpy()
    if x.shape[1] < 2:
        return 1.0
    inv = np.linalg.inv(np.corrcoef(x, rowvar=False))
    return float(np.max(np.diag(inv)))


# --- tidy rows -------------------------------------------------------------------------------


def _spec_columns(spec: Spec) -> dict:
    p, matched = spec.od_period
    return {"specification": spec.spec_id, "specification_group": spec.group,
            "model_kind": spec.kind, "outcome_measure": spec.outcome, "side": spec.side,
            "period": spec.period, "sample": spec.sample, "covariate_set": spec.covariates,
            "main_exposure": spec.exposure, "exposure_column": spec.exposure_column,
            "exposure_period": p, "exposure_period_matched": matched,
            "offset_year": spec.offset_year, "is_main": spec == MAIN_SPEC}


def coefficient_rows(d: Design, f: Fit) -> list[dict]:
    """One row per term of a fit (z-scale results converted back to raw units)."""
    rows = []
    spec = d.spec
    for i, term in enumerate(f.terms):
        b, se, p = float(f.params[i]), float(f.bse[i]), float(f.pvalues[i])
        sd = d.sd.get(term, np.nan) if term != "const" else np.nan
        role = ("intercept" if term == "const" else
                "main_exposure" if term == spec.exposure else "covariate")
        scale = 1.0 if term == "const" else sd
        rows.append({**_spec_columns(spec), "term": term,
                     "term_column": spec.exposure_column if term == spec.exposure else term,
                     "term_role": role, "estimate": b / scale, "std_error": se / scale,
                     "ci_low": (b - f.ci_q * se) / scale, "ci_high": (b + f.ci_q * se) / scale,
                     "p_value": p, "regressor_sd": sd,
                     "irr_per_sd": np.exp(b) if role != "intercept" else np.nan,
                     "irr_ci_low": np.exp(b - f.ci_q * se) if role != "intercept" else np.nan,
                     "irr_ci_high": np.exp(b + f.ci_q * se) if role != "intercept" else np.nan,
                     "n": f.n, "robust_se": f.robust_se})
    extra = []
    if np.isfinite(f.alpha):
        extra.append(("alpha", "dispersion", f.alpha, f.alpha_se,
                      2 * stats.norm.sf(abs(f.alpha / f.alpha_se))))
    if f.spatial is not None:
        extra.append((f.spatial_name, "spatial", *f.spatial))
    for term, role, b, se, p in extra:
        rows.append({**_spec_columns(spec), "term": term, "term_column": term,
                     "term_role": role, "estimate": b, "std_error": se,
                     "ci_low": b - Z975 * se, "ci_high": b + Z975 * se, "p_value": p,
                     "regressor_sd": np.nan, "irr_per_sd": np.nan, "irr_ci_low": np.nan,
                     "irr_ci_high": np.nan, "n": f.n, "robust_se": f.robust_se})
    return rows


def fit_row(d: Design, f: Fit, w: W | None, permutations: int = MORAN_PERMUTATIONS,
            seed: int = SEED) -> dict:
    """The fit statistics of one specification, with the residual Moran's I (n = 31 only)."""
    moran = {"residual_moran_i": np.nan, "residual_moran_expected_i": np.nan,
             "residual_moran_p_sim": np.nan, "residual_moran_p_norm": np.nan}
    if w is not None and len(d.y) == len(w.id_order):
        r = pd.Series(f.residuals, index=d.adcode)
        m = global_moran(r, w, permutations=permutations, seed=seed).iloc[0]
        moran = {"residual_moran_i": float(m["moran_i"]),
                 "residual_moran_expected_i": float(m["expected_i"]),
                 "residual_moran_p_sim": float(m["p_sim"]),
                 "residual_moran_p_norm": float(m["p_norm"])}
    ols = {c: np.nan for c in OLS_DIAGNOSTICS}
    basis = "none"
    if np.isfinite(moran["residual_moran_i"]):
        basis = "raw-value moments (esda)"
    if f.ols_diagnostics is not None and np.isfinite(moran["residual_moran_i"]):
        od = f.ols_diagnostics
        if not np.isclose(od["moran_i"], moran["residual_moran_i"], rtol=0, atol=1e-9):
            raise RuntimeError(f"{d.spec.spec_id}: spreg and esda residual I differ")
        moran["residual_moran_expected_i"] = od["expected_i"]
        moran["residual_moran_p_norm"] = od["p_norm"]
        ols = {c: od[c] for c in OLS_DIAGNOSTICS}
        basis = "regression-residual moments (spreg)"
    row = _spec_columns(d.spec)
    row.pop("exposure_column")
    return {**row, "n": f.n, "n_params": len(f.terms) + (1 if np.isfinite(f.alpha) else 0)
            + (1 if f.spatial is not None else 0),
            "postings_total": int(d.y.sum()), "log_likelihood": f.llf, "aic": f.aic,
            "deviance": f.deviance, "pseudo_r2": f.pseudo_r2,
            "pearson_chi2_per_df": f.pearson_chi2_per_df, "alpha": f.alpha,
            "alpha_se": f.alpha_se,
            "spatial_parameter": f.spatial[0] if f.spatial is not None else np.nan,
            "spatial_parameter_p": f.spatial[2] if f.spatial is not None else np.nan,
            "max_vif": max_vif(d), "residual_type": f.residual_type, **moran,
            "residual_moran_norm_basis": basis, **ols, "converged": f.converged}


# --- specifications --------------------------------------------------------------------------


def specifications(counts: pd.DataFrame) -> list[Spec]:
    """Every specification, in a fixed order (see the module docstring)."""
    specs: list[Spec] = []
    for measure in MEASURES:
        side = side_of(measure)
        for exposure in SIDE_EXPOSURES[side]:
            for cov in COVARIATES[side]:
                for kind in COUNT_KINDS:
                    specs.append(Spec(measure, exposure, cov, kind))
    for measure in MEASURES:
        main = SIDE_EXPOSURES[side_of(measure)][0]
        for cov in COVARIATES[side_of(measure)]:
            for kind in COUNT_KINDS:
                specs.append(Spec(measure, main, cov, kind, "offset_2010", offset_year=2010))
                specs.append(Spec(measure, main, cov, kind, "without_largest",
                                  sample="without_largest"))
    for measure in PERIOD_MEASURES:
        m = MEASURES[measure]
        c = counts[(counts["source"] == m.source) & (counts["side"] == m.side)
                   & (counts["place_role"] == m.place_role)]
        totals = c.groupby("period")["postings_count"].sum()
        for period in CASE_PERIOD_OD:
            if totals.get(period, 0) < MIN_PERIOD_POSTINGS:
                continue
            offset = 2020 if period == "2010–2023" else 2010
            for cov in COVARIATES["missing"]:
                for kind in COUNT_KINDS:
                    specs.append(Spec(measure, "out_migration", cov, kind, "by_period",
                                      period=period, offset_year=offset))
    for measure in MEASURES:
        main = SIDE_EXPOSURES[side_of(measure)][0]
        for cov in COVARIATES[side_of(measure)]:
            for kind in SPATIAL_KINDS:
                specs.append(Spec(measure, main, cov, kind, "spatial"))
    ids = [s.spec_id for s in specs]
    if len(set(ids)) != len(ids):
        raise RuntimeError("duplicate specification ids")
    return specs


def loo_specifications(specs: list[Spec]) -> list[Spec]:
    """Specifications refitted leaving out each province: the core count models of every
    measure's main exposure (both covariate sets, both kinds)."""
    return [s for s in specs if s.group == "core" and s.kind in COUNT_KINDS
            and s.exposure == SIDE_EXPOSURES[s.side][0]]


def leave_one_out(d: Design, full: Fit) -> pd.DataFrame:
    """Refit ``d`` 31 times, each time without one province: the main exposure's IRR per SD."""
    spec = d.spec
    i = full.terms.index(spec.exposure)
    b_full = float(full.params[i])
    lo_full, hi_full = (b_full - full.ci_q * full.bse[i], b_full + full.ci_q * full.bse[i])
    start = np.r_[full.params, full.alpha] if spec.kind == "negbin2" else None
    rows = []
    for a in d.adcode:
        f = fit(d.drop([a]), summary=False, start=start)
        b, se = float(f.params[i]), float(f.bse[i])
        lo, hi = b - f.ci_q * se, b + f.ci_q * se
        rows.append({"specification": spec.spec_id, "model_kind": spec.kind,
                     "outcome_measure": spec.outcome, "side": spec.side,
                     "covariate_set": spec.covariates, "main_exposure": spec.exposure,
                     "exposure_column": spec.exposure_column, "left_out_adcode": int(a),
                     "n": f.n, "log_irr_per_sd": b, "std_error_per_sd": se,
                     "irr_per_sd": np.exp(b), "irr_ci_low": np.exp(lo),
                     "irr_ci_high": np.exp(hi), "p_value": float(f.pvalues[i]),
                     "ci_excludes_one": bool(lo > 0 or hi < 0),
                     "full_irr_per_sd": np.exp(b_full),
                     "full_ci_excludes_one": bool(lo_full > 0 or hi_full < 0),
                     "irr_ratio_to_full": np.exp(b - b_full), "converged": f.converged,
                     "is_main": spec == MAIN_SPEC})
    return pd.DataFrame(rows)


def specification_curve(coefficients: pd.DataFrame, fits: pd.DataFrame) -> pd.DataFrame:
    """One row per specification: the main exposure's IRR per SD (ratio per SD for log-rate
    models) with CI, ranked within each main exposure (1 = smallest)."""
    main = coefficients[coefficients["term_role"] == "main_exposure"].copy()
    main = main.merge(fits[["specification", "postings_total", "residual_moran_i",
                            "residual_moran_p_sim", "converged"]], on="specification",
                      validate="one_to_one")
    main["ci_excludes_one"] = (main["irr_ci_low"] > 1) | (main["irr_ci_high"] < 1)
    main["rank_within_exposure"] = (main.groupby("main_exposure")["irr_per_sd"]
                                    .rank(method="first").astype("int64"))
    cols = ["specification", "specification_group", "model_kind", "outcome_measure", "side",
            "period", "sample", "covariate_set", "main_exposure", "exposure_column",
            "exposure_period", "exposure_period_matched", "offset_year", "n", "postings_total",
            "irr_per_sd", "irr_ci_low", "irr_ci_high", "p_value", "ci_excludes_one",
            "rank_within_exposure", "residual_moran_i", "residual_moran_p_sim", "converged",
            "is_main"]
    return main[cols].sort_values(["main_exposure", "rank_within_exposure"],
                                  ignore_index=True)


@dataclass
class Results:
    """The tidy model tables."""

    coefficients: pd.DataFrame
    fits: pd.DataFrame
    loo: pd.DataFrame
    curve: pd.DataFrame


def run_models(exposures: pd.DataFrame, rates: pd.DataFrame, counts: pd.DataFrame, w: W, *,
               specs: list[Spec] | None = None, loo: bool = True,
               permutations: int = MORAN_PERMUTATIONS, seed: int = SEED,
               log: Callable[[str], None] | None = None) -> Results:
    """Fit every specification; returns the coefficient, fit, LOO and curve tables.

    ``w``: weights of the 31 provinces, ids = adcodes ascending
    (:func:`analysis.geo.province_weights`).
    """
    specs = specs if specs is not None else specifications(counts)
    coef_rows, fit_rows, loo_frames = [], [], []
    loo_ids = {s.spec_id for s in loo_specifications(specs)} if loo else set()
    for spec in specs:
        d = design(spec, exposures, rates, counts)
        f = fit(d, w)
        coef_rows += coefficient_rows(d, f)
        fit_rows.append(fit_row(d, f, w, permutations, seed))
        if spec.spec_id in loo_ids:
            loo_frames.append(leave_one_out(d, f))
    if log:
        log(f"[models] {len(specs)} specifications, {len(loo_ids)} refitted 31 times (LOO)")
    coefficients = pd.DataFrame(coef_rows)
    fits = pd.DataFrame(fit_rows)
    loo_frame = pd.concat(loo_frames, ignore_index=True) if loo_frames else pd.DataFrame()
    return Results(coefficients, fits, loo_frame, specification_curve(coefficients, fits))


def main_fit(exposures: pd.DataFrame, rates: pd.DataFrame, counts: pd.DataFrame,
             spec: Spec = MAIN_SPEC) -> tuple[Design, Fit]:
    """Design and fit of the headline specification (for notebooks and tests)."""
    d = design(spec, exposures, rates, counts)
    return d, fit(d)


__all__ = ["CASE_PERIOD_OD", "COUNT_KINDS", "COVARIATES", "MAIN_SPEC", "MEASURE_OD_PERIOD",
           "MIN_PERIOD_POSTINGS", "MODEL_KINDS", "MORAN_PERMUTATIONS", "SIDE_EXPOSURES",
           "SPATIAL_KINDS", "Design", "Fit", "Results", "Spec", "coefficient_rows", "design",
           "fit", "fit_log_rate", "fit_negbin", "fit_poisson", "fit_row", "leave_one_out",
           "loo_specifications", "main_fit", "max_vif", "outcome_counts", "run_models",
           "side_of", "specification_curve", "specifications"]
