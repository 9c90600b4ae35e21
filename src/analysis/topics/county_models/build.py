"""Step ``topics.county_models``: county exposures, the left-behind check and the county models.

Tables built (schemas in :mod:`analysis.topics.county_models.schema`):

``county_exposures``
    one row per harmonised 2010–2020 county unit: the exposures and controls of
    :data:`analysis.vocab.county_exposures.COUNTY_EXPOSURES` (formulas in the data dictionary).
``county_left_behind_check``
    the left-behind proxy aggregated to provinces against the partial ACWF/MCA figures
    (Spearman's ρ with its n).
``county_model_estimates``, ``county_model_fit``, ``county_model_sensitivity``,
``county_model_added_variable``, ``county_model_residuals``
    the NB2 county models of :mod:`analysis.topics.county_models.fit` (lost and found side,
    with and without province fixed effects), their Poisson / zero-inflated / leave-one-
    province-out checks, within-province added-variable data and prefecture residuals.

Needs ``census_county``, ``census_county_crosswalk``, ``left_behind_children``,
``county_case_counts`` (postings per measure × harmonised unit, step ``topics.placement``) and
``boundaries_prefecture`` (the polygons of the residual Moran test).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd
from threadpoolctl import threadpool_limits

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.topics.county_models.exposures import county_exposures, left_behind_check
from analysis.topics.county_models.fit import residual_moran, run_models, specifications
from analysis.topics.county_models.schema import COUNTY_MODEL_MEASURES, SCHEMAS

#: Table of postings per measure × harmonised county unit and its columns.
COUNTS = "county_case_counts"
COUNT_MEASURE, COUNT_UNIT, COUNT_POSTINGS = "measure", "county_code", "postings_count"

#: Prefecture polygons of the residual Moran test (step ``sources.prefecture_boundaries``).
POLYGONS = "boundaries_prefecture"

NEEDS = ("census_county", "census_county_crosswalk", "left_behind_children", COUNTS, POLYGONS)
PROVIDES = ("county_exposures", "county_left_behind_check", "county_model_estimates",
            "county_model_fit", "county_model_sensitivity", "county_model_added_variable",
            "county_model_residuals")


def postings_by_measure(counts: pd.DataFrame) -> dict[str, pd.Series]:
    """Postings per harmonised unit of each county-model measure (from ``county_case_counts``)."""
    out = {}
    for m in COUNTY_MODEL_MEASURES:
        rows = counts[counts[COUNT_MEASURE] == m]
        if rows.empty:
            raise ValueError(f"{COUNTS} has no rows of measure {m!r}")
        out[m] = rows.groupby(COUNT_UNIT)[COUNT_POSTINGS].sum().astype("int64")
    return out


def _ordered(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(SCHEMAS[name].columns)].reset_index(drop=True)


def _account(name: str, what: str, n: int) -> RowAccount:
    acc = RowAccount(name)
    acc.add_read(what, n)
    acc.add_kept(what, n)
    return acc


def build(ctx: BuildContext, *, log: Callable[[str], None] = print) -> list[CleanTable]:
    """Build the county exposure and model tables from ``ctx.tables``."""
    t0 = time.perf_counter()
    t = ctx.tables
    exposures, ex_acc = county_exposures(t["census_county"], t["census_county_crosswalk"])
    check, ch_acc = left_behind_check(t["census_county"], t["left_behind_children"])
    postings = postings_by_measure(t[COUNTS])
    # one BLAS thread: the fits are many small problems, and on a shared two-core machine
    # OpenBLAS's threads make each SVD tens of times slower (measured: 0.26 s vs 0.006 s)
    with threadpool_limits(limits=1, user_api="blas"):
        res = run_models(exposures, postings, log=log)
    fits = res.fits
    moran = residual_moran(res.residuals, t[POLYGONS])
    fits = fits.merge(moran, on=["measure", "spec"], how="left", validate="1:1")
    fits["residual_moran_prefectures_count"] = fits[
        "residual_moran_prefectures_count"].astype("Int64")
    log(f"[county_models] fitted in {time.perf_counter() - t0:.1f} s")
    n_specs = len(specifications())
    est_acc = _account("county_model_estimates", "specification × term", len(res.estimates))
    fit_acc = _account("county_model_fit", "specifications", n_specs)
    for acc, what, frame in ((est_acc, "specification × term", res.estimates),
                             (fit_acc, "specifications", fits)):
        acc.note(what, "fit did not converge (kept, flagged converged = False)",
                 int((~frame["converged"]).sum()))
    sens_acc = _account("county_model_sensitivity", "check × term", len(res.sensitivity))
    sens_acc.note("check × term", "fit did not converge (kept, flagged)",
                  int((~res.sensitivity["converged"]).sum()))
    av_acc = _account("county_model_added_variable", "measure × exposure × unit",
                      len(res.added_variable))
    r_acc = _account("county_model_residuals", "measure × prefecture", len(res.residuals))
    return [CleanTable("county_exposures", _ordered("county_exposures", exposures), ex_acc),
            CleanTable("county_left_behind_check", _ordered("county_left_behind_check", check),
                       ch_acc),
            CleanTable("county_model_estimates", _ordered("county_model_estimates",
                                                          res.estimates), est_acc),
            CleanTable("county_model_fit", _ordered("county_model_fit", fits), fit_acc),
            CleanTable("county_model_sensitivity", _ordered("county_model_sensitivity",
                                                            res.sensitivity), sens_acc),
            CleanTable("county_model_added_variable",
                       _ordered("county_model_added_variable", res.added_variable), av_acc),
            CleanTable("county_model_residuals", _ordered("county_model_residuals",
                                                          res.residuals), r_acc)]
