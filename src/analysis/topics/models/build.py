"""Step ``derive.models``: the exposure table and the model tables (see :mod:`analysis.topics.models.fit`).

Tables built (schemas in :mod:`analysis.topics.models.schema`):

``province_exposures``
    one row per mainland province (31): migration rates of every O–D period, other-province
    hukou shares 2010/2020, partial left-behind figures (one column per definition and source),
    children 0–14, urban share, schooling, sex ratio, population (:mod:`analysis.topics.models.exposures`).
``model_coefficients``
    one row per specification × term: estimate per raw unit, SE, 95 % CI, p, IRR per SD with CI,
    n, model kind, outcome, robust-SE flag.
``model_fit``
    one row per specification: n, log-likelihood, AIC, deviance, pseudo-R², NB α, spatial ρ/λ,
    max VIF, residual Moran's I with permutation and normal p-values.
``model_loo``
    leave-one-province-out refits (31 rows per specification) of the core count models of each
    measure's main exposure: the IRR per SD without each province.
``model_specification_curve``
    one row per specification: the main exposure's IRR per SD with CI, ranked within each main
    exposure; its row count is the number of specifications.

Needs the tables of ``population``, ``census_hukou``, ``migration_od``, ``census_city``,
``left_behind``, ``boundaries`` and ``derive.cases``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.stats.weights import province_weights
from analysis.topics.models.exposures import INPUT_TABLES, province_exposures
from analysis.topics.models.fit import loo_specifications, run_models, specifications

#: Basemap whose polygons give the contiguity weights (both basemaps give the same 68 pairs).
WEIGHTS_BASEMAP = "boundaries_ocha"

#: Tables this step reads and builds.
NEEDS = (*INPUT_TABLES, WEIGHTS_BASEMAP, "case_counts", "case_rates")
PROVIDES = ("province_exposures", "model_coefficients", "model_fit", "model_loo",
            "model_specification_curve")


def build(ctx: BuildContext, *, log: Callable[[str], None] = print) -> list[CleanTable]:
    """Build the exposure and model tables from ``ctx.tables``."""
    t0 = time.perf_counter()
    exposures, ex_acc = province_exposures(ctx.tables)
    w = province_weights(ctx.tables[WEIGHTS_BASEMAP])
    counts = ctx.tables["case_counts"]
    specs = specifications(counts)
    res = run_models(exposures, ctx.tables["case_rates"], counts, w, specs=specs, log=log)
    log(f"[models] fitted in {time.perf_counter() - t0:.1f} s")

    n_specs = len(specs)
    not_converged = int((~res.fits["converged"]).sum())
    accounts = {}
    for name in ("model_coefficients", "model_fit", "model_specification_curve"):
        acc = RowAccount(name)
        acc.add_read("specifications", n_specs)
        acc.add_kept("specifications", n_specs)
        acc.note("specifications", "fit did not converge (kept, flagged converged = False)",
                 not_converged)
        accounts[name] = acc
    loo_acc = RowAccount("model_loo")
    n_loo = len(loo_specifications(specs)) * 31
    loo_acc.add_read("leave-one-out refits", n_loo)
    loo_acc.add_kept("leave-one-out refits", len(res.loo))
    loo_acc.drop("leave-one-out refits", "refit missing", n_loo - len(res.loo))
    loo_acc.note("leave-one-out refits", "refit did not converge (kept, flagged)",
                 int((~res.loo["converged"]).sum()))
    frames = {"model_coefficients": res.coefficients, "model_fit": res.fits,
              "model_loo": res.loo, "model_specification_curve": res.curve}
    accounts["model_loo"] = loo_acc
    return [CleanTable("province_exposures", exposures, ex_acc),
            *(CleanTable(name, _in_schema_order(name, frame), accounts[name])
              for name, frame in frames.items())]


def _in_schema_order(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns in the order of its schema (missing ones raise)."""
    from analysis.topics.models.schema import SCHEMAS

    return frame[list(SCHEMAS[name].columns)]
