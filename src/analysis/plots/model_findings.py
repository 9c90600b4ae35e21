"""The computed findings notebook 04 states in prose, as small typed results.

Each function takes the views of :mod:`analysis.topics.models.views` (or a model table) and returns a
frozen dataclass of the numbers a sentence cites; its ``markdown()`` method writes that sentence
(numbers formatted here, never typed in the notebook). ``tests/test_model_findings.py`` checks
every field against the tables.

These are views of the model tables; they sit in :mod:`analysis.plots` next to the figures that
show the same numbers until the models topic has a ``views`` module of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.plots.style import label, province_names
from analysis.plots.text import ratio_with_ci
from analysis.topics.models import fit as models
from analysis.topics.models.exposures import LARGEST_N, largest_provinces
from analysis.topics.models.views import (
    OUTCOME_SHORT,
    left_behind_coverage,
    loo_summary,
    loo_view,
    moran_summary,
    spec_counts,
    spec_counts_by,
)
from analysis.vocab.measures import MEASURE_LABELS
from analysis.vocab.settings import ALPHA

#: The specifications shown in detail (leave-one-out and added-variable plots): key → spec.
#: The key names the figures (``04_loo_<key>``, ``04_added_variable_<key>``).
DETAIL_SPECS: dict[str, models.Spec] = {
    "headline": models.MAIN_SPEC,
    "wtt1002_family": models.Spec("lost_wtt1002_family", "out_migration", "adjusted", "negbin2"),
}
#: Provinces named as carrying most leverage on an added-variable slope.
TOP_LEVERAGE = 3


def _outcome_label(measure: str) -> str:
    return label(*MEASURE_LABELS[measure])


# --- section 1: exposures ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeriodMatching:
    """Which pooled outcomes have a migration period matching their years; ``table`` is
    :func:`analysis.topics.models.views.outcome_exposure_periods`."""

    outcomes: int
    matched: tuple[str, ...]
    earliest_period: str
    table: pd.DataFrame

    def markdown(self) -> str:
        return (f"Of the {self.outcomes} outcome measures, {len(self.matched)} have a migration "
                f"period that matches their years ({', '.join(self.matched)}); the others are "
                f"undated scrapes or losses before the first origin–destination table "
                f"({self.earliest_period}), and are modelled against a default period — "
                "a weaker test, flagged in every table (`exposure_period_matched`).")


def period_matching(periods: pd.DataFrame) -> PeriodMatching:
    """From :func:`analysis.topics.models.views.outcome_exposure_periods`."""
    matched = periods[periods["period_matched"]]
    return PeriodMatching(len(periods), tuple(matched["outcome_measure"]),
                          periods["exposure_period"].min(), periods)


@dataclass(frozen=True)
class ExposureRange:
    """Range, mean and SD of the headline exposure across the 31 provinces (per 1,000);
    ``table`` is :func:`analysis.topics.models.views.exposure_summary` (every regressor)."""

    period: str
    low: float
    high: float
    mean: float
    sd: float
    table: pd.DataFrame

    def markdown(self) -> str:
        return (f"The headline exposure, out-migration {self.period}, ranges from "
                f"{self.low:.0f} to {self.high:.0f} per 1,000 across the provinces (mean "
                f"{self.mean:.0f}); one standard deviation is **{self.sd:.1f} per 1,000**. "
                "The 1995–2000 rates are a rougher expansion on a different basis (see `basis`).")


def headline_exposure(summary: pd.DataFrame, spec: models.Spec = models.MAIN_SPEC
                      ) -> ExposureRange:
    """From :func:`analysis.topics.models.views.exposure_summary`: the row of ``spec``'s exposure."""
    row = summary.set_index("column").loc[spec.exposure_column]
    return ExposureRange(spec.od_period[0], row["min"], row["max"], row["mean"], row["sd"],
                         summary)


@dataclass(frozen=True)
class LeftBehind:
    """Provinces with any partial left-behind figure; ``table``: one row per column (one
    definition and source) with the provinces named."""

    with_any: int
    provinces: int
    table: pd.DataFrame

    def markdown(self) -> str:
        return (f"Only **{self.with_any} of {self.provinces}** provinces have any provincial "
                "left-behind figure: "
                + "; ".join(f"{r.column} {r.provinces} ({r.provinces_named})"
                            for r in self.table.itertuples())
                + ". Too few, and too unlike each other, to model: the migration rates stand "
                  "in for them.")


def left_behind(exposures: pd.DataFrame) -> LeftBehind:
    """From ``province_exposures`` (:func:`analysis.topics.models.views.left_behind_coverage`)."""
    name_en = province_names("en")
    lb = left_behind_coverage(exposures)
    lb["provinces_named"] = [", ".join(name_en[a] for a in adcodes) for adcodes in lb["adcodes"]]
    return LeftBehind(int((exposures["left_behind_sources"] != "none").sum()), len(exposures),
                      lb.drop(columns="adcodes"))


# --- section 2: headline and every outcome ----------------------------------------------------


def headline_markdown(head: pd.Series, spec: models.Spec = models.MAIN_SPEC) -> str:
    """The headline sentence from :func:`analysis.topics.models.views.headline`."""
    text = (f"Headline (`{spec.spec_id}`): one standard deviation more out-migration "
            f"({head['regressor_sd']:.1f} per 1,000) goes with postings per child **×"
            f"{ratio_with_ci(head['irr'], head['irr_low'], head['irr_high'])}** (95 % CI; p = "
            f"{head['p_value']:.2f}; n = {head['n']} provinces, {head['postings_total']:,} "
            "postings).")
    if head["ci_status"] == "includes 1":
        return text + (" The interval includes 1: the headline model finds **no clear "
                       "province-level association** between out-migration and families' "
                       "missing-child postings.")
    return text + f" The interval lies {head['ci_status']}: a province-level association."


def same_model_markdown(by_outcome: pd.DataFrame, kind: str = "negbin2",
                        covariates: str = "adjusted") -> str:
    """One bullet per outcome: the ratio per SD of one model (default NB2, adjusted) from
    :func:`analysis.topics.models.views.irr_by_outcome`."""
    sel = by_outcome[(by_outcome["model_kind"] == kind)
                     & (by_outcome["covariate_set"] == covariates)].set_index("outcome_measure")
    lines = [f"* {_outcome_label(o)} vs {r.main_exposure.replace('_', '-')} {r.exposure_period}: "
             f"×{ratio_with_ci(r.irr, r.irr_low, r.irr_high)} per SD"
             f"{'' if r.exposure_period_matched else ' (period not matched)'}"
             for o, r in sel.iterrows()]
    return "The same model (NB2, adjusted) for every outcome:\n\n" + "\n".join(lines)


# --- section 3: residual autocorrelation and spatial models ----------------------------------


@dataclass(frozen=True)
class ResidualMoran:
    """How many fits have significant residual Moran's I (permutation p < ``alpha``):
    ``by_kind`` maps a model kind to (significant, fits); ``core_*`` sum the count kinds;
    ``table`` is :func:`analysis.topics.models.views.moran_summary` at ``alpha``."""

    alpha: float
    core_significant: int
    core_fits: int
    by_kind: dict[str, tuple[int, int]]
    headline_i: float
    headline_p: float
    table: pd.DataFrame

    def markdown(self) -> str:
        ols, lag, err = (self.by_kind[k] for k in ("ols_log_rate", "ml_lag_log_rate",
                                                   "ml_error_log_rate"))
        return (f"Residual Moran's I is significant (permutation p < {self.alpha}) in "
                f"**{self.core_significant} of {self.core_fits}** core count models and in "
                f"{ols[0]} of {ols[1]} OLS log-rate models, but in {lag[0]} of {lag[1]} spatial "
                f"lag and {err[0]} of {err[1]} spatial error models: the spatial models absorb "
                f"the autocorrelation. The headline model's residual I is {self.headline_i:.2f} "
                f"(p = {self.headline_p:.3f}).")


def residual_moran(fits: pd.DataFrame, head: pd.Series, alpha: float = ALPHA
                   ) -> ResidualMoran:
    """From the ``model_fit`` table (:func:`analysis.topics.models.views.moran_summary` at ``alpha``)
    and the headline row (:func:`analysis.topics.models.views.headline`)."""
    moran = moran_summary(fits, alpha=alpha)
    core = moran[moran["model_kind"].isin(models.COUNT_KINDS)]
    by_kind = {r.model_kind: (int(r.significant), int(r.fits)) for r in moran.itertuples()}
    return ResidualMoran(alpha, int(core["significant"].sum()), int(core["fits"].sum()), by_kind,
                         float(head["residual_moran_i"]), float(head["residual_moran_p_sim"]),
                         moran)


@dataclass(frozen=True)
class ModelRatios:
    """One outcome's adjusted ratios per SD by model kind: ``irr``, ``low``, ``high`` and the
    spatial parameter (ρ, λ) and lag total, each a ``{model_kind: value}`` mapping."""

    irr: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    spatial_parameter: dict[str, float]
    lag_total_irr: float

    def with_ci(self, kind: str) -> str:
        return ratio_with_ci(self.irr[kind], self.low[kind], self.high[kind])


@dataclass(frozen=True)
class SpatialVsOls:
    """Compared like for like with OLS on the same log rates: in how many outcome × covariate
    combinations each spatial model moves the ratio per SD toward 1 (smaller |log ratio|),
    in how many an interval excluding 1 under OLS includes it under the error model, and the
    ratios of the headline outcome and of the 2016 families' scrape (adjusted)."""

    combinations: int
    toward_one_lag: int
    toward_one_error: int
    verdict_lost_under_error: int
    headline: ModelRatios
    families_2016: ModelRatios

    def markdown(self) -> str:
        h, f = self.headline, self.families_2016
        return (f"Compared like for like with OLS on the same log rates, the spatial lag model "
                f"moves the ratio per SD toward 1 in **{self.toward_one_lag} of "
                f"{self.combinations}** outcome × covariate combinations and the spatial error "
                f"model in **{self.toward_one_error} of {self.combinations}**; in "
                f"{self.verdict_lost_under_error} combination(s) an interval that excluded 1 "
                f"under OLS includes it under the error model. For the headline outcome "
                f"(adjusted): NB ×{h.irr['negbin2']:.2f}, OLS ×{h.irr['ols_log_rate']:.2f}, lag "
                f"×{h.irr['ml_lag_log_rate']:.2f} (ρ = "
                f"{h.spatial_parameter['ml_lag_log_rate']:.2f}; total with spill-over "
                f"×{h.lag_total_irr:.2f}), error ×{h.irr['ml_error_log_rate']:.2f} (λ = "
                f"{h.spatial_parameter['ml_error_log_rate']:.2f}). For the 2016 families' "
                f"scrape: NB ×{f.with_ci('negbin2')}, error model "
                f"×{f.with_ci('ml_error_log_rate')}.")


def _model_ratios(spatial: pd.DataFrame, outcome: str) -> ModelRatios:
    rows = spatial[(spatial["outcome_measure"] == outcome)
                   & (spatial["covariate_set"] == "adjusted")].set_index("model_kind")
    return ModelRatios(rows["irr"].to_dict(), rows["irr_low"].to_dict(),
                       rows["irr_high"].to_dict(), rows["spatial_parameter"].to_dict(),
                       float(rows.loc["ml_lag_log_rate", "lag_total_irr"]))


def spatial_vs_ols(spatial: pd.DataFrame) -> SpatialVsOls:
    """From :func:`analysis.topics.models.views.spatial_comparison`."""
    keys = ["outcome_measure", "covariate_set"]
    wide = spatial.pivot_table(index=keys, columns="model_kind", values="irr", sort=False)
    log_ols = np.abs(np.log(wide["ols_log_rate"]))
    toward = {k: int((np.abs(np.log(wide[k])) < log_ols).sum())
              for k in ("ml_lag_log_rate", "ml_error_log_rate")}
    status = spatial.pivot_table(index=keys, columns="model_kind", values="ci_status",
                                 aggfunc="first", sort=False)
    lost = int(((status["ols_log_rate"] != "includes 1")
                & (status["ml_error_log_rate"] == "includes 1")).sum())
    return SpatialVsOls(len(wide), toward["ml_lag_log_rate"], toward["ml_error_log_rate"], lost,
                        _model_ratios(spatial, models.MAIN_SPEC.outcome),
                        _model_ratios(spatial, DETAIL_SPECS["wtt1002_family"].outcome))


# --- section 4: robustness --------------------------------------------------------------------


@dataclass(frozen=True)
class LeaveOneOut:
    """The leave-one-province-out refits: ``summary`` (:func:`analysis.topics.models.views.loo_summary`)
    and ``views`` (:func:`analysis.topics.models.views.loo_view` of each :data:`DETAIL_SPECS` key)."""

    summary: pd.DataFrame
    views: dict[str, pd.DataFrame]

    @property
    def flippable(self) -> pd.DataFrame:
        """Refitted specifications whose verdict one omitted province changes."""
        return self.summary[self.summary["verdict_changes"] > 0]

    def _of(self, key: str) -> pd.Series:
        return self.summary.set_index("specification").loc[DETAIL_SPECS[key].spec_id]

    def markdown(self) -> str:
        head, fam = self.views["headline"], self.views["wtt1002_family"]
        flip = self.flippable
        return (f"Headline: without any one province the ratio per SD stays between "
                f"**{head['irr_per_sd'].min():.2f}** (without {head.iloc[0]['province']}) and "
                f"**{head['irr_per_sd'].max():.2f}** (without {head.iloc[-1]['province']}); "
                f"{self._of('headline')['verdict_changes']} omission(s) change whether the "
                f"interval excludes 1. The 2016 families' scrape stays between "
                f"{fam['irr_per_sd'].min():.2f} and {fam['irr_per_sd'].max():.2f}, its interval "
                f"excluding 1 in {int((fam['ci_status'] != 'includes 1').sum())} of {len(fam)} "
                f"refits (most influential: {self._of('wtt1002_family')['most_influential']}). "
                f"Across all {len(self.summary)} refitted specifications, a single province "
                f"changes the verdict in **{len(flip)}**: "
                + "; ".join(f"{r.outcome_measure} ({r.model_kind}, {r.covariate_set}) by "
                            f"{r.verdict_changed_by}" for r in flip.itertuples()) + ".")


def loo_refits(loo: pd.DataFrame) -> LeaveOneOut:
    """From the ``model_loo`` table (English province names)."""
    name_en = province_names("en")
    return LeaveOneOut(loo_summary(loo, name_en),
                       {k: loo_view(loo, s.spec_id, name_en) for k, s in DETAIL_SPECS.items()})


@dataclass(frozen=True)
class Robustness:
    """Variants of the adjusted model whose interval excludes 1, per outcome
    (``{outcome: (excluding, variants)}``), and the largest provinces left out in one."""

    largest: tuple[str, ...]
    excluding_one: dict[str, tuple[int, int]]

    def markdown(self) -> str:
        return (f"The {LARGEST_N} largest provinces left out: {', '.join(self.largest)}. "
                "Variants whose interval excludes 1, per outcome: "
                + "; ".join(f"{o} {n} of {total}" for o, (n, total) in self.excluding_one.items())
                + ".")


def robustness(robust: pd.DataFrame, exposures: pd.DataFrame) -> Robustness:
    """From :func:`analysis.topics.models.views.robustness_by_outcome` and ``province_exposures``."""
    name_en = province_names("en")
    per = (robust.assign(excl=robust["ci_status"] != "includes 1")
           .groupby("outcome_measure", sort=False)["excl"].agg(["sum", "size"]))
    return Robustness(tuple(name_en[a] for a in largest_provinces(exposures)),
                      {o: (int(r["sum"]), int(r["size"])) for o, r in per.iterrows()})


def by_period_markdown(periods_fit: pd.DataFrame, spec: models.Spec = models.MAIN_SPEC) -> str:
    """The period-by-period sentence from :func:`analysis.topics.models.views.by_period`: every period
    of ``spec``'s outcome (NB2, adjusted), and how many of all period fits exclude 1."""
    recent = periods_fit[(periods_fit["outcome_measure"] == spec.outcome)
                         & (periods_fit["model_kind"] == "negbin2")
                         & (periods_fit["covariate_set"] == "adjusted")].set_index("period")
    return ("Families' postings (2021 scrape), adjusted NB: "
            + "; ".join(f"children missing {p} vs out-migration {r.exposure_period} "
                        f"×{ratio_with_ci(r.irr, r.irr_low, r.irr_high)} "
                        f"({r.postings_total:,} postings)" for p, r in recent.iterrows())
            + f". Over all period fits, {int((periods_fit['ci_status'] != 'includes 1').sum())} "
              f"of {len(periods_fit)} intervals exclude 1.")


def hukou_markdown(hk: pd.DataFrame, head: pd.Series) -> str:
    """The hukou-share sentence from :func:`analysis.topics.models.views.hukou_adjustment`."""
    return (f"Adjusting for urban share and schooling changes the direction of the hukou-share "
            f"association in **{int(hk['direction_flips'].sum())} of {len(hk)}** outcome × "
            f"exposure × model combinations; the largest variance-inflation factor of these "
            f"models is {hk['max_vif_adjusted'].min():.1f}–{hk['max_vif_adjusted'].max():.1f} "
            "(above 5 is usually read as strong collinearity). The hukou-share coefficients are "
            "not interpretable as separate associations; the out-migration models (largest VIF "
            f"{head['max_vif']:.1f}) are less affected.")


# --- section 5: the specification curve -------------------------------------------------------


@dataclass(frozen=True)
class SpecCurve:
    """Counts of the specification curve (:func:`analysis.topics.models.views.spec_counts`), per outcome
    (``{outcome: (excluding 1, total)}`` in :data:`~analysis.topics.models.views.OUTCOME_SHORT` order)
    and the outcome with the largest share excluding 1 (ties: first by id)."""

    counts: dict[str, int]
    by_outcome: dict[str, tuple[int, int]]
    strongest: str

    def markdown(self) -> str:
        c = self.counts
        return (f"**{c['excludes_one']} of {c['total']}** specifications have a 95 % interval "
                f"that excludes 1 ({c['above']} above, {c['below']} below). If there were no "
                f"association at all, about {c['expected_by_chance']} would by chance alone — a "
                "yardstick only, because the specifications share data and are far from "
                "independent. By outcome: "
                + "; ".join(f"{o} {n} of {total}" for o, (n, total) in self.by_outcome.items())
                + ".")


def spec_curve(curve: pd.DataFrame) -> SpecCurve:
    """From the ``model_specification_curve`` table."""
    by_out = (spec_counts_by(curve, "outcome_measure").set_index("outcome_measure")
              .reindex(list(OUTCOME_SHORT)).reset_index())
    by_out["share"] = by_out["excludes_one"] / by_out["total"]
    strongest = by_out.sort_values(["share", "outcome_measure"], ascending=[False, True]).iloc[0]
    return SpecCurve(spec_counts(curve),
                     {r.outcome_measure: (int(r.excludes_one), int(r.total))
                      for r in by_out.itertuples()},
                     strongest["outcome_measure"])


# --- section 6: added-variable plots ----------------------------------------------------------


@dataclass(frozen=True)
class AddedVariable:
    """The added-variable rows of one specification (``model_added_variable``): ``rows`` has
    ``adcode, exposure_resid, outcome_resid, weight, postings_count`` (31 provinces, by adcode);
    ``slope`` is the weighted slope and ``coefficient`` the model's (log ratio per SD)."""

    spec: models.Spec
    rows: pd.DataFrame
    slope: float
    coefficient: float

    def top_leverage(self, n: int = TOP_LEVERAGE) -> list[str]:
        """English names of the ``n`` provinces with most leverage on the slope (weight ×
        squared partial exposure; ties by adcode)."""
        name_en = province_names("en")
        lev = self.rows.assign(leverage=self.rows["weight"] * self.rows["exposure_resid"] ** 2)
        top = lev.sort_values(["leverage", "adcode"], ascending=[False, True]).head(n)
        return [name_en[a] for a in top["adcode"]]


#: Columns of an added-variable plot's rows (and of its chart data, with the province name).
ADDED_VARIABLE_COLUMNS = ["adcode", "exposure_resid", "outcome_resid", "weight", "postings_count"]


def added_variable_rows(table: pd.DataFrame, spec: models.Spec) -> AddedVariable:
    """The rows of ``spec`` in the ``model_added_variable`` table; ``ValueError`` unless there
    are 31 with one slope."""
    sel = table[table["specification"] == spec.spec_id].sort_values("adcode")
    if len(sel) != 31 or sel["slope"].nunique() != 1:
        raise ValueError(f"model_added_variable: {len(sel)} rows of {spec.spec_id}, expected 31 "
                         "with one slope")
    return AddedVariable(spec, sel[ADDED_VARIABLE_COLUMNS].reset_index(drop=True),
                         float(sel["slope"].iloc[0]), float(sel["coefficient"].iloc[0]))


def slopes_markdown(avs: dict[str, AddedVariable]) -> str:
    """Slope of each plot against the model coefficient, six decimals."""
    return ("Slope of each plot vs the model coefficient (log ratio per SD): "
            + "; ".join(f"{k} {a.slope:.6f} vs {a.coefficient:.6f}" for k, a in avs.items()))


def leverage_markdown(avs: dict[str, AddedVariable]) -> str:
    """The provinces with most leverage on each slope."""
    return ("Provinces with the most leverage on the slope (weight × squared partial exposure): "
            + "; ".join(f"{k}: {', '.join(a.top_leverage())}" for k, a in avs.items()) + ".")


# --- section 7: in numbers --------------------------------------------------------------------


def closing_markdown(head: pd.Series, curve: SpecCurve, moran: ResidualMoran,
                     loo: LeaveOneOut, periods: PeriodMatching) -> str:
    """The closing paragraph: the notebook's numbers in one place."""
    c = curve.counts
    strongest_n, strongest_total = curve.by_outcome[curve.strongest]
    verdict = ("includes 1" if head["ci_status"] == "includes 1"
               else "lies " + head["ci_status"])
    undated = ("" if curve.strongest in periods.matched
               else ", an undated source modelled against a default period")
    return (f"In numbers: n = {head['n']} provinces; **{c['excludes_one']} of {c['total']}** "
            f"specification intervals exclude 1, against about {c['expected_by_chance']} "
            f"expected by chance if there were no association; the headline interval "
            f"({ratio_with_ci(head['irr'], head['irr_low'], head['irr_high'])}) {verdict}; "
            f"residual spatial autocorrelation is significant in {moran.core_significant} of "
            f"{moran.core_fits} core count models; a single province changes the verdict in "
            f"{len(loo.flippable)} of {len(loo.summary)} refitted specifications. The outcome "
            f"with the most intervals excluding 1 is {_outcome_label(curve.strongest)} "
            f"({strongest_n} of {strongest_total}){undated}. Public data can say whether "
            "platform postings are more common per child where more people leave; they cannot "
            "say that left-behind children are the ones most at risk.")
