"""County count models: specifications declared here, fitted with :mod:`analysis.stats.count_models`.

Ecological models across county units (harmonised 2010–2020, ``county_exposures``): postings
per unit (``county_case_counts``) with offset log(children 0–14, 2010), NB2, province fixed
effects (or none), errors clustered by 2020 prefecture. The two exposures of
:data:`analysis.vocab.county_exposures.MODEL_EXPOSURES` (out-migration share 2010, child sex
ratio 0–4 2010) are in the same model; the adjusted specifications add the controls of
:data:`~analysis.vocab.county_exposures.MODEL_CONTROLS`. Every regressor is z-scored over the
units of its fit, so each IRR is per SD.

Units used: every harmonised unit with all regressors and a positive child count. In the
fixed-effect fits the units of a province without any posting are left out: the province's
dummy would go to −∞ and they carry no within-province information (counted in
``county_model_fit.n_units_dropped_fe``).

The headline (:data:`~analysis.topics.county_models.schema.HEADLINE`) is declared in the schema
module, before any fit; every specification is reported.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd

from analysis.stats.count_models import (
    CountFit,
    added_variable,
    design_matrix,
    fit_negbin2,
    fit_poisson,
    fit_zinb,
    group_mean,
    irr_ci,
)
from analysis.stats.hotspots import global_moran
from analysis.stats.weights import prefecture_weights
from analysis.topics.county_models.schema import CLUSTER, COUNTY_MODEL_MEASURES, COUNTY_SPECS, HEADLINE
from analysis.vocab.basemaps import CHINA_ALBERS
from analysis.vocab.county_exposures import MODEL_CONTROLS, MODEL_EXPOSURES
from analysis.vocab.settings import MORAN_PERMUTATIONS

#: Column of the offset population (children 0–14 of 2010).
OFFSET_COLUMN = "age_0_14_2010_persons"


@dataclass(frozen=True)
class CountySpec:
    """One county model: outcome measure × specification."""

    measure: str
    spec: str

    @property
    def fe(self) -> bool:
        """Province fixed effects."""
        return self.spec.startswith("fe_")

    @property
    def terms(self) -> list[str]:
        """Regressors (exposures, then controls when adjusted)."""
        controls = list(MODEL_CONTROLS) if self.spec.endswith("_adjusted") else []
        return [*MODEL_EXPOSURES, *controls]


def specifications() -> list[CountySpec]:
    """Every county model, in table order (measure, then :data:`COUNTY_SPECS` order)."""
    return [CountySpec(m, s) for m in COUNTY_MODEL_MEASURES for s in COUNTY_SPECS]


@dataclass(frozen=True)
class Data:
    """The rows of one fit: frame (one row per unit), counts, design, offset, clusters."""

    frame: pd.DataFrame
    y: np.ndarray
    X: pd.DataFrame
    offset: np.ndarray
    groups: np.ndarray
    sd: dict[str, float]
    dropped_fe: int


def model_frame(exposures: pd.DataFrame, postings: pd.Series) -> pd.DataFrame:
    """``county_exposures`` joined with one measure's postings per unit (0 where none).

    ``postings``: postings per ``harmonised_code`` (index). Units of ``postings`` that are not
    in ``exposures`` raise (no posting is dropped silently).
    """
    extra = sorted(set(postings.index) - set(exposures["harmonised_code"]))
    if extra:
        raise ValueError(f"postings of units not in county_exposures: {extra[:5]}")
    f = exposures.copy()
    f["postings"] = f["harmonised_code"].map(postings).fillna(0).astype("int64")
    return f


def data_for(frame: pd.DataFrame, spec: CountySpec,
             exclude_adcode: int | None = None) -> Data:
    """The complete cases of ``spec`` (all regressors, children > 0), FE-dropping applied."""
    cols = [*spec.terms, OFFSET_COLUMN]
    f = frame.dropna(subset=cols)
    f = f[f[OFFSET_COLUMN].astype(float) > 0]
    if exclude_adcode is not None:
        f = f[f["adcode"] != exclude_adcode]
    dropped = 0
    if spec.fe:
        has = f.groupby("adcode")["postings"].transform("sum") > 0
        dropped = int((~has).sum())
        f = f[has]
    f = f.reset_index(drop=True)
    X, sd = design_matrix(f, spec.terms, fe="adcode" if spec.fe else None)
    return Data(frame=f, y=f["postings"].to_numpy(float), X=X,
                offset=np.log(f[OFFSET_COLUMN].to_numpy(float)),
                groups=f["prefecture_code"].to_numpy(), sd=sd, dropped_fe=dropped)


def _rows(spec: CountySpec, d: Data, fit: CountFit) -> list[dict]:
    rows = []
    for t in spec.terms:
        b, se, p = fit.coef(t)
        irr, lo, hi = irr_ci(b, se)
        rows.append({"measure": spec.measure, "spec": spec.spec, "term": t,
                     "term_role": "exposure" if t in MODEL_EXPOSURES else "control",
                     "irr": irr, "ci_low": lo, "ci_high": hi, "p": p, "sd": d.sd[t],
                     "n_units": fit.n, "n_postings": int(d.y.sum()), "fe": spec.fe,
                     "cluster": CLUSTER, "alpha": fit.alpha, "converged": fit.converged,
                     "is_headline": (spec.measure, spec.spec) == HEADLINE})
    return rows


@dataclass(frozen=True)
class Results:
    """The tables of :func:`run_models`."""

    estimates: pd.DataFrame
    fits: pd.DataFrame
    sensitivity: pd.DataFrame
    added_variable: pd.DataFrame
    residuals: pd.DataFrame


def run_models(exposures: pd.DataFrame, postings: dict[str, pd.Series], *,
               loo: bool = True, log: Callable[[str], None] = print) -> Results:
    """Fit every specification of every measure, and the sensitivity checks.

    Parameters
    ----------
    exposures : ``county_exposures``
    postings : measure id → postings per ``harmonised_code``
    loo : run the leave-one-province-out refits (31 per measure)
    """
    est, fits, sens, av, res = [], [], [], [], []
    for spec in specifications():
        frame = model_frame(exposures, postings[spec.measure])
        d = data_for(frame, spec)
        fit = fit_negbin2(d.y, d.X, d.offset, d.groups)
        est.extend(_rows(spec, d, fit))
        rmean = group_mean(fit.pearson, d.groups)
        fits.append({"measure": spec.measure, "spec": spec.spec, "n_units": fit.n,
                     "n_units_dropped_fe": d.dropped_fe, "n_postings": int(d.y.sum()),
                     "n_clusters": fit.n_clusters, "zero_share": float((d.y == 0).mean()),
                     "alpha": fit.alpha, "llf": fit.llf, "aic": fit.aic,
                     "converged": fit.converged, "residual_prefectures_count": len(rmean)})
        log(f"[county_models] {spec.measure} {spec.spec}: n = {fit.n}, "
            f"postings = {int(d.y.sum())}")
        pref_adcode = d.frame.groupby("prefecture_code")["adcode"].first()
        counts = d.frame.groupby("prefecture_code").size()
        res.append(pd.DataFrame({"measure": spec.measure, "spec": spec.spec,
                                 "prefecture_code": rmean.index.astype("int64"),
                                 "adcode": pref_adcode.reindex(rmean.index).to_numpy(int),
                                 "units_count": counts.reindex(rmean.index).to_numpy(int),
                                 "mean_pearson_residual": rmean.to_numpy(float)}))
        if spec.spec != "fe_adjusted":
            continue
        for t in MODEL_EXPOSURES:
            a = added_variable(d.y, d.X, fit, t)
            av.append(a.assign(measure=spec.measure, term=t,
                               harmonised_code=d.frame["harmonised_code"].to_numpy(),
                               adcode=d.frame["adcode"].to_numpy(), slope=a.attrs["slope"]))
        checks: list[tuple[str, int | None, CountFit, int]] = [
            ("poisson", None, fit_poisson(d.y, d.X, d.offset, d.groups), fit.n),
            ("zinb", None, fit_zinb(d.y, d.X, d.offset, d.groups, start=fit), fit.n)]
        sending = frame[frame[MODEL_EXPOSURES[0]] >= 0]
        ds = data_for(sending, spec)
        fs = fit_negbin2(ds.y, ds.X, ds.offset, ds.groups)
        checks.append(("sending_only", None, fs, fs.n))
        if loo:
            for a in sorted(d.frame["adcode"].unique()):
                dl = data_for(frame, spec, exclude_adcode=int(a))
                # start from the full fit; the left-out province's dummy is gone (if it was
                # the reference, Newton moves the others; a failed start falls back to BFGS)
                keep = [i for i, c in enumerate(d.X.columns) if c in set(dl.X.columns)]
                st = np.r_[fit.params[keep], fit.alpha] if len(keep) == dl.X.shape[1] else None
                fl = fit_negbin2(dl.y, dl.X, dl.offset, None, start=st)
                checks.append(("loo_province", int(a), fl, fl.n))
        for check, left_out, f, n in checks:
            for t in MODEL_EXPOSURES:
                b, se, p = f.coef(t)
                irr, lo, hi = irr_ci(b, se)
                if check == "loo_province":  # point estimates only: the range is reported
                    lo = hi = p = float("nan")
                if not f.converged:  # nothing published from a fit that did not converge
                    irr = lo = hi = p = float("nan")
                sens.append({"measure": spec.measure, "check": check,
                             "left_out_adcode": left_out, "term": t, "irr": irr, "ci_low": lo,
                             "ci_high": hi, "p": p, "n_units": n, "aic": f.aic,
                             "converged": f.converged})
    sens_f = pd.DataFrame(sens)
    sens_f["left_out_adcode"] = sens_f["left_out_adcode"].astype("Int64")
    av_f = pd.concat(av, ignore_index=True)[
        ["measure", "term", "harmonised_code", "adcode", "exposure_resid", "outcome_resid",
         "weight", "slope"]]
    return Results(estimates=pd.DataFrame(est), fits=pd.DataFrame(fits), sensitivity=sens_f,
                   added_variable=av_f, residuals=pd.concat(res, ignore_index=True))


#: Alternative of the residual Moran test: no direction is expected before the fit.
RESIDUAL_ALTERNATIVE = "two-sided"


def residual_moran(residuals: pd.DataFrame, polygons: gpd.GeoDataFrame, *,
                   permutations: int = MORAN_PERMUTATIONS) -> pd.DataFrame:
    """Moran's I of the prefecture means of the Pearson residuals, per measure × spec.

    Weights: queen contiguity of the prefecture polygons that hold residuals, with the
    component rule that joins islands and island groups to their nearest units
    (:func:`analysis.stats.weights.prefecture_weights`, the weights of the prefecture atlas),
    row-standardised. Test: :func:`analysis.stats.hotspots.global_moran` with esda's
    **two-sided** alternative (seeded permutations). Null: the prefecture means are
    exchangeable over the map — any arrangement of them as likely as the observed one.
    Residuals of a fitted model are not exactly exchangeable (they share the fitted
    coefficients, and fixed effects centre them within provinces), so the p-value is an
    approximation; I is compared with the permutation mean, not with −1/(n−1).

    Returns
    -------
    DataFrame: ``measure``, ``spec``, ``residual_moran_i``, ``residual_moran_mean_sim``,
    ``residual_moran_p_two_sided``, ``residual_moran_prefectures_count``.
    """
    poly = polygons.to_crs(CHINA_ALBERS)
    rows = []
    cache: dict[tuple[int, ...], object] = {}
    for (m, sp), g in residuals.groupby(["measure", "spec"], sort=False):
        sub = poly[poly["prefecture_adcode"].isin(g["prefecture_code"])]
        vals = g.set_index("prefecture_code")["mean_pearson_residual"]
        vals = vals[vals.index.isin(sub["prefecture_adcode"])]
        ids = tuple(sorted(int(a) for a in sub["prefecture_adcode"]))
        if ids not in cache:
            cache[ids] = prefecture_weights(sub, "prefecture_adcode")
        r = global_moran(vals, cache[ids], permutations=permutations, measure=m,
                         alternative=RESIDUAL_ALTERNATIVE).iloc[0]
        rows.append({"measure": m, "spec": sp, "residual_moran_i": float(r["moran_i"]),
                     "residual_moran_mean_sim": float(r["mean_i_sim"]),
                     "residual_moran_p_two_sided": float(r["p_sim"]),
                     "residual_moran_prefectures_count": int(r["n"])})
    return pd.DataFrame(rows)
