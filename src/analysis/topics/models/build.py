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
``model_added_variable``
    one row per specification × province for the headline specification's counterpart of
    every outcome (core NB2, adjusted, the side's main exposure;
    :func:`analysis.topics.models.views.side_headline_specs`): the added-variable (partial-regression)
    data of the main exposure (:func:`analysis.topics.models.views.added_variable`), whose weighted
    slope equals the model's coefficient (Frisch–Waugh–Lovell).

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
from analysis.topics.models.fit import Spec, design, fit, loo_specifications, run_models, specifications
from analysis.topics.models.views import added_variable, side_headline_specs

#: Basemap whose polygons give the contiguity weights (both basemaps give the same 68 pairs).
WEIGHTS_BASEMAP = "boundaries_ocha"

#: Tables this step reads and builds.
#: Postings by case period: ``case_counts_by_period`` (place × period, published exact), not
#: ``case_counts`` (place × category × period, small cells suppressed on disk), so the
#: by-period fits can be reproduced from the published tables.
COUNTS = "case_counts_by_period"
NEEDS = (*INPUT_TABLES, WEIGHTS_BASEMAP, COUNTS, "case_rates")
PROVIDES = ("province_exposures", "model_coefficients", "model_fit", "model_loo",
            "model_specification_curve", "model_added_variable")


def build(ctx: BuildContext, *, log: Callable[[str], None] = print) -> list[CleanTable]:
    """Build the exposure and model tables from ``ctx.tables``."""
    t0 = time.perf_counter()
    exposures, ex_acc = province_exposures(ctx.tables)
    w = province_weights(ctx.tables[WEIGHTS_BASEMAP])
    counts = ctx.tables[COUNTS]
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
    av = added_variable_table(exposures, ctx.tables["case_rates"], counts, specs)
    av_acc = RowAccount("model_added_variable")
    av_acc.add_read("specification × province", len(av))
    av_acc.add_kept("specification × province", len(av))
    frames = {"model_coefficients": res.coefficients, "model_fit": res.fits,
              "model_loo": res.loo, "model_specification_curve": res.curve,
              "model_added_variable": av}
    accounts["model_loo"] = loo_acc
    accounts["model_added_variable"] = av_acc
    return [CleanTable("province_exposures", exposures, ex_acc),
            *(CleanTable(name, _in_schema_order(name, frame), accounts[name])
              for name, frame in frames.items())]


def added_variable_table(exposures: pd.DataFrame, rates: pd.DataFrame, counts: pd.DataFrame,
                         specs: list[Spec]) -> pd.DataFrame:
    """The ``model_added_variable`` rows of the specifications in ``specs`` that are a
    headline counterpart (:func:`analysis.topics.models.views.side_headline_specs`), in ``specs`` order.

    Each is fitted with the same :func:`analysis.topics.models.fit.design` and
    :func:`analysis.topics.models.fit.fit`
    as in :func:`analysis.topics.models.fit.run_models` (deterministic: the same coefficients as
    ``model_coefficients``); ``slope`` and ``coefficient`` repeat on every row of a
    specification. Empty (with the columns) when ``specs`` holds none of them.
    """
    wanted = {s.spec_id for s in side_headline_specs()}
    frames = []
    for spec in specs:
        if spec.spec_id not in wanted:
            continue
        d = design(spec, exposures, rates, counts)
        av = added_variable(d, fit(d))
        frames.append(av.assign(specification=spec.spec_id, outcome_measure=spec.outcome,
                                main_exposure=spec.exposure, model_kind=spec.kind,
                                covariate_set=spec.covariates, slope=av.attrs["slope"],
                                coefficient=av.attrs["coefficient"]))
    columns = ["specification", "outcome_measure", "main_exposure", "model_kind",
               "covariate_set", "adcode", "exposure_resid", "outcome_resid", "weight",
               "postings_count", "slope", "coefficient"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _in_schema_order(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the columns in the order of its schema (missing ones raise)."""
    from analysis.topics.models.schema import SCHEMAS

    return frame[list(SCHEMAS[name].columns)]
