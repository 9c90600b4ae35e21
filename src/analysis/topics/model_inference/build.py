"""Step ``topics.model_inference``: inference on the province models (issue 13).

Tables built (schemas in :mod:`analysis.topics.model_inference.schema`):

``model_period_panel_data``
    province × O–D wave: postings by wave of loss, children and out-migration of the wave
    (:mod:`analysis.topics.model_inference.panel`).
``model_period_panel`` / ``model_period_panel_loo``
    the period-matched panel (province and wave fixed effects, errors clustered by province;
    the declared headline :data:`~analysis.topics.model_inference.schema.PANEL_HEADLINE`), its
    designs and likelihoods side by side, the period split (one cross-section per wave) and the
    leave-one-province-out refits.
``model_specification_multiplicity``, ``model_specification_permutation``,
``model_specification_permutation_null``
    Holm / BH / min-p adjusted p-values of the 210 pooled specifications and the permutation
    test of the number of significant ones (:mod:`analysis.topics.model_inference.speccurve`).
``reunion_found_given_lost``
    P(found province | lost province) of the reunions with bootstrap intervals
    (:mod:`analysis.topics.model_inference.reunions`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.stats.weights import province_weights
from analysis.topics.model_inference import speccurve
from analysis.topics.model_inference.panel import fit_panel, panel_data
from analysis.topics.model_inference.reunions import found_given_lost
from analysis.topics.model_inference.schema import PANEL_RECORDS, SCHEMAS
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import BOOTSTRAP_REPLICATES, SPEC_CURVE_PERMUTATIONS

#: The models' inputs (as step ``topics.models`` reads them) and the tables of this step.
WEIGHTS_BASEMAP = "boundaries_ocha"
COUNTS = "case_counts_by_period"
NEEDS = ("province_exposures", "population_yearend", "case_rates", COUNTS, WEIGHTS_BASEMAP,
         "model_specification_curve", "case_flows", PANEL_RECORDS)
PROVIDES = tuple(SCHEMAS)


def _account(name: str, what: str, n: int) -> RowAccount:
    acc = RowAccount(name)
    acc.add_read(what, n)
    acc.add_kept(what, n)
    return acc


def _ordered(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(SCHEMAS[name].columns)]


def build(ctx: BuildContext, *, log: Callable[[str], None] = print) -> list[CleanTable]:
    """Build the inference tables from ``ctx.tables``."""
    t = ctx.tables
    t0 = time.perf_counter()
    exposures = t["province_exposures"]
    data, data_acc = panel_data(t[PANEL_RECORDS], exposures, t["population_yearend"])
    panel, loo = fit_panel(data, exposures)
    t1 = time.perf_counter()
    log(f"[model_inference] period panel fitted in {t1 - t0:.1f} s")
    curve = t["model_specification_curve"]
    w = province_weights(t[WEIGHTS_BASEMAP])
    multiplicity, summary, null = speccurve.run(
        curve, exposures, t["case_rates"], t[COUNTS], w, SPEC_CURVE_PERMUTATIONS, SEED, log=log)
    t2 = time.perf_counter()
    log(f"[model_inference] {SPEC_CURVE_PERMUTATIONS} permutations × {len(curve)} "
        f"specifications in {t2 - t1:.1f} s")
    reunions, reunion_acc = found_given_lost(t["case_flows"], BOOTSTRAP_REPLICATES, SEED)
    frames = {
        "model_period_panel_data": (data, data_acc),
        "model_period_panel": (panel, _account("model_period_panel", "specifications",
                                               len(panel))),
        "model_period_panel_loo": (loo, _account("model_period_panel_loo",
                                                 "leave-one-out refits", len(loo))),
        "model_specification_multiplicity": (multiplicity, _account(
            "model_specification_multiplicity", "specifications", len(multiplicity))),
        "model_specification_permutation": (summary, _account(
            "model_specification_permutation", "family × statistic", len(summary))),
        "model_specification_permutation_null": (null, _account(
            "model_specification_permutation_null", "permutation × family", len(null))),
        "reunion_found_given_lost": (reunions, reunion_acc),
    }
    return [CleanTable(name, _ordered(name, frame), acc) for name, (frame, acc) in frames.items()]
