"""Fact-check rules on synthetic inputs: every evaluator, through the rule its claim names in
``claims.csv``, returns each verdict it can return (one synthetic case at least per verdict);
the county ``ecological_reading`` gives each of its four readings; the prefecture corridor
facts follow the atlas; and no evaluator's verdict is independent of its evidence (evidence
moved across the rule's threshold moves the verdict, on synthetic tables and on the real
evidence).

The expected verdicts are written from the rules' definitions (``rules.py`` docstring), never
read back from the code under test.
"""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import tables
from analysis.core import paths
from analysis.topics.factcheck import build as factcheck_step
from analysis.topics.factcheck import evaluators as ev
from analysis.topics.factcheck import rules
from analysis.topics.factcheck.build import read_claims
from analysis.vocab.factcheck import CANNOT_BE_TESTED, VERDICTS
from analysis.vocab.settings import HOT_SPOT

S, P, N, C = "supported", "partly supported", "not supported", CANNOT_BE_TESTED
YUNNAN, SICHUAN, FUJIAN, GUANGDONG, HENAN, TIANJIN, GUIZHOU = (
    530000, 510000, 350000, 440000, 410000, 120000, 520000)


@pytest.fixture(scope="module")
def claims() -> pd.DataFrame:
    return read_claims(paths.MANUAL / "claims.csv", paths.MANUAL / "claims_to_check.csv")


def claim_of(claims: pd.DataFrame, cid: str) -> tuple[str, dict[str, float]]:
    """The rule and parameters ``claims.csv`` gives claim ``cid`` (the tests use the reviewed
    rule, so a rule edited in the file is the rule tested)."""
    row = claims.set_index("claim_id").loc[cid]
    return row["rule"], rules.parse_parameters(row["rule_parameters"])


def verdict(claims: pd.DataFrame, cid: str, t: dict, **params: float) -> str:
    """The verdict claim ``cid``'s rule gives on the evidence its evaluator computes from
    ``t`` (parameters from ``claims.csv``, overridden by ``params``)."""
    rule, p = claim_of(claims, cid)
    p = {**p, **params}
    return rules.apply_rule(rule, ev.EVALUATORS[cid](t, p).facts, p)


# -- which verdicts each rule and each evaluator can return ------------------------------------

#: Verdicts each rule can return (from its definition in rules.py).
RULE_VERDICTS = {
    "not_observable": {C},
    "direction_concentration": {S, P, N},
    "figure_matches": {S, P, N},
    "share_in_named_places": {S, P, N},
    "trend_endpoints": {S, P, N, C},
    "count_at_least": {S, P, N},
}

#: Synthetic facts for every verdict of every rule: (rule, facts, params, expected verdict).
RULE_CASES = [
    ("not_observable", {}, {}, C),
    ("not_observable", {"postings_per_year": 1e9}, {}, C),
    ("direction_concentration", {"origins_named": 2, "destinations_named": 2,
                                 "origins_net_senders": 2, "destinations_net_receivers": 2,
                                 "lift_ci_low": 1.01}, {}, S),
    ("direction_concentration", {"origins_named": 2, "destinations_named": 2,
                                 "origins_net_senders": 2, "destinations_net_receivers": 2,
                                 "lift_ci_low": 1.0}, {}, P),
    ("direction_concentration", {"origins_named": 2, "destinations_named": 2,
                                 "origins_net_senders": 0, "destinations_net_receivers": 1,
                                 "lift_ci_low": 3.0}, {}, P),
    ("direction_concentration", {"origins_named": 2, "destinations_named": 2,
                                 "origins_net_senders": 0, "destinations_net_receivers": 0,
                                 "lift_ci_low": 3.0}, {}, N),
    ("figure_matches", {"value": 100.5, "claim_value": 100, "comparator_matches": True},
     {"tolerance": 0.01, "magnitude": 1.5}, S),
    ("figure_matches", {"value": 100.5, "claim_value": 100, "comparator_matches": False},
     {"tolerance": 0.01, "magnitude": 1.5}, P),
    ("figure_matches", {"value": 149, "claim_value": 100, "comparator_matches": True},
     {"tolerance": 0.01, "magnitude": 1.5}, P),
    ("figure_matches", {"value": 151, "claim_value": 100, "comparator_matches": True},
     {"tolerance": 0.01, "magnitude": 1.5}, N),
    ("figure_matches", {"value": 66, "claim_value": 100, "comparator_matches": True},
     {"tolerance": 0.01, "magnitude": 1.5}, N),
    ("share_in_named_places", {"places_named": 3, "places_checked": 3, "places_meeting": 3},
     {}, S),
    ("share_in_named_places", {"places_named": 3, "places_checked": 2, "places_meeting": 2},
     {}, P),
    ("share_in_named_places", {"places_named": 3, "places_checked": 0, "places_meeting": 0},
     {}, P),
    ("share_in_named_places", {"places_named": 3, "places_checked": 3, "places_meeting": 0},
     {}, N),
    ("trend_endpoints", {"endpoints_named": 2, "endpoints_checked": 2, "largest_miss": 0.02},
     {"tolerance": 0.02}, S),
    ("trend_endpoints", {"endpoints_named": 2, "endpoints_checked": 1, "largest_miss": 0.0},
     {"tolerance": 0.02}, P),
    ("trend_endpoints", {"endpoints_named": 2, "endpoints_checked": 2, "largest_miss": 0.021},
     {"tolerance": 0.02}, N),
    ("trend_endpoints", {"endpoints_named": 2, "endpoints_checked": 0, "largest_miss": 0.9},
     {"tolerance": 0.02}, C),
    ("count_at_least", {"count": 600, "claim_count": 600, "dated": True}, {}, S),
    ("count_at_least", {"count": 600, "claim_count": 600, "dated": False}, {}, P),
    ("count_at_least", {"count": 599, "claim_count": 600, "dated": True}, {}, N),
]


def test_every_rule_has_a_case_for_every_verdict_it_can_return():
    assert set(RULE_VERDICTS) == set(rules.RULES)
    covered: dict[str, set[str]] = {}
    for rule, _, _, expected in RULE_CASES:
        covered.setdefault(rule, set()).add(expected)
    assert covered == RULE_VERDICTS


@pytest.mark.parametrize(("rule", "facts", "params", "expected"), RULE_CASES)
def test_rule_cases(rule, facts, params, expected):
    assert rules.apply_rule(rule, facts, params) == expected


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3), st.floats(0, 3), st.floats(1, 1e6),
       st.floats(1, 1e6), st.booleans(), st.integers(0, 4), st.integers(0, 4),
       st.floats(0, 1), st.integers(0, 2000))
def test_rules_return_only_the_verdicts_they_declare(senders, receivers, low, value, claim,
                                                     matches, checked, meeting, miss, count):
    """Random facts: each rule returns one of its declared verdicts, and the threshold
    comparisons are the ones its definition states."""
    facts = {"origins_named": 3, "destinations_named": 3, "origins_net_senders": senders,
             "destinations_net_receivers": receivers, "lift_ci_low": low, "value": value,
             "claim_value": claim, "comparator_matches": matches, "places_named": 4,
             "places_checked": checked, "places_meeting": min(meeting, checked),
             "endpoints_named": 2, "endpoints_checked": min(checked, 2), "largest_miss": miss,
             "count": count, "claim_count": 600, "dated": matches}
    params = {"tolerance": 0.05, "magnitude": 1.5}
    for rule, allowed in RULE_VERDICTS.items():
        assert rules.apply_rule(rule, facts, params) in allowed
    ratio = value / claim
    expected_figure = (N if not 1 / 1.5 <= ratio <= 1.5 else
                       S if matches and abs(ratio - 1) <= 0.05 else P)
    assert rules.figure_matches(facts, params) == expected_figure
    assert (rules.count_at_least(facts, params) == N) == (count < 600)
    assert (rules.direction_concentration(facts, params) == S) == (
        senders == 3 and receivers == 3 and low > 1)


# -- every evaluator: the verdicts it can return through its claim's rule ----------------------

#: The verdicts each evaluator, through its claim's rule, can return; each is reached by a
#: synthetic case below (``test_every_evaluator_is_tested_for_each_verdict`` checks the list).
EVALUATOR_VERDICTS = {
    "incidence": {C},
    "source_destination": {S, P, N},
    "henan_guangdong_share": {C},
    "left_behind_risk": {C},
    "sixty_one_million": {S, P, N},
    "migrant_workers": {S, P, N},
    "big_city_share": {S, P, N},
    # the start point of the trend (the 1980s) is never in the tables: one endpoint of two is
    # checked, so supported is out of reach and "cannot be tested" needs no checked endpoint
    "urban_share": {P, N},
    "published_only.<locals>.evaluate": {C},
    "boys_and_girls": {C},
    "young_children": {C},
    "since_the_1980s": {C},
    "reunions": {S, P, N},
}
def test_the_evaluator_list_is_every_evaluator():
    assert {f.__qualname__ for f in ev.EVALUATORS.values()} == set(EVALUATOR_VERDICTS)


# C04 -----------------------------------------------------------------------------------------

def _flows(pairs) -> dict[str, pd.DataFrame]:
    rows = [{"source": "uiuing_success", "lost_adcode": a, "destination_adcode": b,
             "flow_count": n, "same_province": a == b} for a, b, n in pairs]
    return {"case_flows": pd.DataFrame(rows)}


C04_CASES = [
    # both directions hold and the corridor carries far more than the destinations' share
    ([(YUNNAN, FUJIAN, 200), (SICHUAN, GUANGDONG, 200), (FUJIAN, YUNNAN, 5),
      (HENAN, GUANGDONG, 20), (HENAN, TIANJIN, 300), (TIANJIN, HENAN, 250)], S),
    # direction holds, concentration does not (the origins send the same share as everyone)
    ([(YUNNAN, FUJIAN, 50), (YUNNAN, HENAN, 150), (SICHUAN, GUANGDONG, 50),
      (SICHUAN, HENAN, 150), (HENAN, FUJIAN, 100), (HENAN, GUANGDONG, 100),
      (FUJIAN, TIANJIN, 10), (GUANGDONG, TIANJIN, 10)], P),
    # only the origins are net senders: partly, however concentrated
    ([(YUNNAN, FUJIAN, 100), (SICHUAN, FUJIAN, 100), (FUJIAN, TIANJIN, 300),
      (GUANGDONG, TIANJIN, 300), (HENAN, GUANGDONG, 5)], P),
    # the reverse direction: no named province goes the claimed way
    ([(FUJIAN, YUNNAN, 10), (GUANGDONG, SICHUAN, 10)], N),
]


@pytest.mark.parametrize(("pairs", "expected"), C04_CASES)
def test_c04_corridor(claims, pairs, expected):
    assert verdict(claims, "C04", _flows(pairs)) == expected


def test_c04_verdict_moves_when_the_corridor_grows(claims):
    """The same flows with more pairs on the corridor cross the lift threshold."""
    base = [(YUNNAN, HENAN, 150), (SICHUAN, HENAN, 150), (HENAN, TIANJIN, 600),
            (HENAN, FUJIAN, 50), (HENAN, GUANGDONG, 50), (FUJIAN, TIANJIN, 10),
            (GUANGDONG, TIANJIN, 10)]
    # lift (40 / 340) / (140 / 1,060) = 0.89, then (600 / 900) / (700 / 1,620) = 1.54
    weak = _flows([*base, (YUNNAN, FUJIAN, 20), (SICHUAN, GUANGDONG, 20)])
    strong = _flows([*base, (YUNNAN, FUJIAN, 300), (SICHUAN, GUANGDONG, 300)])
    assert ev.source_destination(weak, {}).facts["lift"] == pytest.approx(
        (40 / 340) / (140 / 1060))
    assert ev.source_destination(strong, {}).facts["lift"] == pytest.approx(
        (600 / 900) / (700 / 1620))
    assert (verdict(claims, "C04", weak), verdict(claims, "C04", strong)) == (P, S)


def _atlas(lost_rows, found_rows, hot) -> dict[str, pd.DataFrame]:
    """``prefecture_case_counts`` rows ``(province, row_kind, postings)`` per end and
    ``prefecture_hotspot_local`` hot spots ``(measure, province)``, plus a cold prefecture."""
    counts = [{"measure": m, "province_adcode": a, "row_kind": k, "postings_count": n}
              for m, rows in (("lost_uiuing_success", lost_rows),
                              ("found_uiuing_success", found_rows)) for a, k, n in rows]
    local = [{"measure": m, "adcode": a, "gi_label": HOT_SPOT} for m, a in hot]
    local.append({"measure": "lost_uiuing_success", "adcode": YUNNAN,
                  "gi_label": "Not significant"})
    return {"prefecture_case_counts": pd.DataFrame(counts),
            "prefecture_hotspot_local": pd.DataFrame(local)}


ORIGINS, DESTINATIONS = [YUNNAN, SICHUAN], [FUJIAN, GUANGDONG]


def test_prefecture_corridor_without_the_atlas_gives_nothing():
    assert ev.prefecture_corridor({}, ORIGINS, DESTINATIONS) == {}
    e = ev.source_destination(_flows(C04_CASES[0][0]), {})
    assert "Below the province" not in e.evidence
    assert "origins_hot_spots" not in e.facts


def test_prefecture_corridor_hot_spots_inside_the_named_provinces():
    t = _atlas([(YUNNAN, "prefecture", 30), (SICHUAN, "province_only", 10),
                (HENAN, "prefecture", 99)],
               [(FUJIAN, "prefecture", 8), (GUANGDONG, "province_only", 2)],
               [("lost_uiuing_success", YUNNAN), ("lost_uiuing_success", SICHUAN),
                ("found_uiuing_success", FUJIAN)])
    out = ev.prefecture_corridor(t, ORIGINS, DESTINATIONS)
    assert out["origins_prefecture_placed_share"] == pytest.approx(30 / 40)
    assert out["destinations_prefecture_placed_share"] == pytest.approx(8 / 10)
    assert (out["origins_hot_spots"], out["origins_hot_spots_in_named"]) == (2, 2)
    assert (out["destinations_hot_spots"], out["destinations_hot_spots_in_named"]) == (1, 1)
    assert "75.0% of the 40 reunited children who went missing" in out["text"]


def test_prefecture_corridor_hot_spots_outside_the_named_provinces():
    t = _atlas([(YUNNAN, "prefecture", 5), (SICHUAN, "prefecture", 5)],
               [(FUJIAN, "province_only", 4)],
               [("lost_uiuing_success", GUIZHOU), ("lost_uiuing_success", GUIZHOU),
                ("found_uiuing_success", HENAN)])
    out = ev.prefecture_corridor(t, ORIGINS, DESTINATIONS)
    assert (out["origins_hot_spots"], out["origins_hot_spots_in_named"]) == (2, 0)
    assert (out["destinations_hot_spots"], out["destinations_hot_spots_in_named"]) == (1, 0)
    assert out["destinations_prefecture_placed_share"] == 0.0
    assert "2 in Guizhou), 0 in Yunnan or Sichuan" in out["text"]


def test_prefecture_corridor_with_no_reunions_at_one_end():
    t = _atlas([(HENAN, "prefecture", 5)], [(FUJIAN, "prefecture", 4)], [])
    out = ev.prefecture_corridor(t, ORIGINS, DESTINATIONS)
    assert np.isnan(out["origins_prefecture_placed_share"])
    assert out["origins_hot_spots"] == 0
    assert "no reunited child went missing in Yunnan or Sichuan" in out["text"]
    assert "0 hot spots on the map of where reunited children went missing (none)" in out["text"]


def test_the_prefecture_atlas_never_decides_the_c04_verdict(claims):
    """The rule reads the province flows; hot spots placed anywhere leave the verdict."""
    for pairs, expected in C04_CASES:
        for hot in ([("lost_uiuing_success", YUNNAN)], [("lost_uiuing_success", GUIZHOU)]):
            t = {**_flows(pairs), **_atlas([(YUNNAN, "prefecture", 5)],
                                           [(FUJIAN, "prefecture", 5)], hot)}
            assert verdict(claims, "C04", t) == expected


# C07 -----------------------------------------------------------------------------------------

def _acwf(persons: float) -> dict[str, pd.DataFrame]:
    return {"left_behind_children": pd.DataFrame(
        [{"source_id": "ACWF2013", "geography": "national", "persons": persons},
         {"source_id": "MCA2016", "geography": "national", "persons": 9_020_000.0}])}


C07_CASES = [
    (61_300_000, 1, S),   # same definition, within the claim's 1 % precision
    (61_300_000, 0, P),   # the number matches, the definition does not
    (64_000_000, 1, P),   # same definition, off by 5 %: neither precise nor far
    (30_000_000, 1, N),   # off by more than the factor 1.5
    (95_000_000, 0, N),
]


@pytest.mark.parametrize(("persons", "matches", "expected"), C07_CASES)
def test_c07_sixty_one_million(claims, persons, matches, expected):
    assert verdict(claims, "C07", _acwf(persons), comparator_matches=matches) == expected


def test_c07_needs_the_national_acwf_row():
    t = {"left_behind_children": _acwf(1.0)["left_behind_children"].iloc[1:]}
    with pytest.raises(KeyError, match="ACWF2013"):
        ev.sixty_one_million(t, {"claim_value": 61e6})


# C08 -----------------------------------------------------------------------------------------

def _nbs(value: float, grade: str = "A", status: str = "unknown") -> dict[str, pd.DataFrame]:
    return {"published_figures": pd.DataFrame(
        [{"topic": "migrant_workers", "reference_year": "2020", "definition": "农民工 total",
          "value": str(value), "reliability": grade,
          "original_url": "" if status == "unknown" else "https://www.stats.gov.cn/x",
          "original_url_status": status}]),
        "census_hukou_province": pd.DataFrame(
            {"census_year": [2010, 2010, 2020], "hukou_elsewhere_persons": [100, 50, 400]})}


C08_CASES = [(260e6, 1, S), (250e6, 0, P), (300e6, 1, P), (150e6, 1, N), (400e6, 0, N)]


@pytest.mark.parametrize(("value", "matches", "expected"), C08_CASES)
def test_c08_migrant_workers(claims, value, matches, expected):
    assert verdict(claims, "C08", _nbs(value), comparator_matches=matches) == expected


def test_c08_grade_c_without_original_is_never_evidence():
    params = {"claim_value": 250e6}
    with pytest.raises(ValueError, match="context only"):
        ev.migrant_workers(_nbs(250e6, grade="C (aggregator)"), params)
    ok = ev.migrant_workers(_nbs(250e6, grade="C (aggregator)", status="reconstructed"), params)
    assert ok.facts["census_away_2010"] == 150.0
    assert "https://www.stats.gov.cn/x, reconstructed" in ok.evidence


# C09 -----------------------------------------------------------------------------------------

def _cities(bj, sh, gz, sz) -> dict[str, pd.DataFrame]:
    """Municipal other-province shares (None: no row) and, per Guangdong city, (other province,
    other county) persons out of 100 residents (None: no county rows)."""
    counties = [{"census_year": 2020, "prefecture_code": code, "population_persons": 100.0,
                 "hukou_elsewhere_other_province_persons": v[0],
                 "hukou_elsewhere_other_county_persons": v[1]}
                for code, v in ((440100, gz), (440300, sz)) if v is not None]
    munis = [(a, s) for a, s in ((110000, bj), (310000, sh)) if s is not None]
    return {"census_hukou_province": pd.DataFrame(
        {"census_year": 2020, "adcode": [a for a, _ in munis],
         "other_province_share": [s for _, s in munis]}),
        "census_county": pd.DataFrame(counties, columns=[
            "census_year", "prefecture_code", "population_persons",
            "hukou_elsewhere_other_province_persons", "hukou_elsewhere_other_county_persons"])}


C09_CASES = [
    ((0.31, 0.4, (30, 5), (35, 0)), S),        # every lower bound at or above 30 %
    ((0.31, 0.4, (20, 20), (35, 0)), P),       # Guangzhou's bounds straddle 30 %
    ((0.31, None, (30, 0), (35, 0)), P),       # Shanghai has no data: unchecked
    ((0.31, 0.2, (30, 0), (35, 0)), P),        # Shanghai checked and below
    ((0.1, 0.2, (10, 10), (5, 20)), N),        # every upper bound below
]


@pytest.mark.parametrize(("cities", "expected"), C09_CASES)
def test_c09_big_city_share(claims, cities, expected):
    assert verdict(claims, "C09", _cities(*cities)) == expected


def test_c09_verdict_moves_with_one_city_across_the_threshold(claims):
    below = verdict(claims, "C09", _cities(0.31, 0.4, (29.9, 0), (35, 0)))
    above = verdict(claims, "C09", _cities(0.31, 0.4, (30.1, 0), (35, 0)))
    assert (below, above) == (P, S)


# C10 -----------------------------------------------------------------------------------------

def _urban(s2010: float, s2020: float) -> dict[str, pd.DataFrame]:
    rows = [{"census_year": y, "adcode": a, "population_covered_persons": w,
             "urban_coverage_share": 1.0, "population_coverage_share": 1.0, "urban_share": s}
            for y, s in ((2010, s2010), (2020, s2020)) for a, w in ((110000, 100.0),
                                                                     (120000, 300.0))]
    return {"census_city_province": pd.DataFrame(rows)}


C10_CASES = [
    (0.50, 0.60, P),     # 54 % in 2014 exactly: the end point holds, the start is unchecked
    (0.515, 0.615, P),   # 55.5 %: within the 2-point tolerance
    (0.55, 0.65, N),     # 59 % in 2014: misses by 5 points
    (0.30, 0.40, N),
]


@pytest.mark.parametrize(("s2010", "s2020", "expected"), C10_CASES)
def test_c10_urban_share(claims, s2010, s2020, expected):
    assert verdict(claims, "C10", _urban(s2010, s2020)) == expected


def test_c10_interpolates_population_weighted():
    rows = _urban(0.5, 0.6)["census_city_province"]
    rows.loc[(rows["census_year"] == 2010) & (rows["adcode"] == 110000), "urban_share"] = 0.1
    e = ev.urban_share({"census_city_province": rows}, {"end_year": 2014, "end_share": 0.54})
    share_2010 = (0.1 * 100 + 0.5 * 300) / 400
    assert e.computed_value == pytest.approx(round(share_2010 + (0.6 - share_2010) * 0.4, 4))


# C16 -----------------------------------------------------------------------------------------

def _reunions(years, per_row=400) -> dict[str, pd.DataFrame]:
    return {"case_coverage_by_year": pd.DataFrame(
        {"source": ["uiuing_success"] * len(years) + ["uiuing_missing"],
         "missing_year": [*years, 2010.0],
         "postings_count": [per_row] * len(years) + [10_000]})}


C16_CASES = [([2005.0, 2010.0], 300, S), ([None, None], 300, P), ([None], 599, N),
             ([2010.0], 599, N)]


@pytest.mark.parametrize(("years", "per_row", "expected"), C16_CASES)
def test_c16_reunions(claims, years, per_row, expected):
    assert verdict(claims, "C16", _reunions(years, per_row)) == expected


# claims that cannot be tested: the verdict follows the testability rule; the context moves ----

def _coverage(per_year_missing: int, decades: tuple[int, int, int]) -> pd.DataFrame:
    return pd.DataFrame({
        "source": ["uiuing_missing"] * 11 + ["wtt1002_data"] * 3,
        "missing_year": [*range(2010, 2021), 1975, 1985, 1995],
        "postings_count": [per_year_missing] * 11 + list(decades)})


def _composition(boys_abducted: int, girls_abducted: int, young_given: int,
                 old_given: int) -> pd.DataFrame:
    rows = [("uiuing_missing", "abducted", "male", "3–5", boys_abducted),
            ("uiuing_missing", "abducted", "female", "6–11", girls_abducted),
            ("uiuing_missing", "given_away", "female", "under 1", young_given),
            ("uiuing_missing", "given_away", "male", "12–17", old_given),
            ("wtt1002_data", "abandoned", "female", "unknown", 7)]
    return pd.DataFrame(rows, columns=["source", "category", "sex", "age_group",
                                       "postings_count"])


def _county(c06_low: float, c06_high: float, c13_low: float = 0.9, c13_high: float = 1.2
            ) -> dict[str, pd.DataFrame]:
    """County model estimates (fe_adjusted) and a converged sending-only check."""
    est = [{"measure": m, "spec": "fe_adjusted", "term": t, "irr": (lo + hi) / 2,
            "ci_low": lo, "ci_high": hi, "n_units": 2000}
           for m, t, lo, hi in (
               ("lost_uiuing_missing", "out_migration_2010_share", c06_low, c06_high),
               ("found_uiuing_success", "child_sex_ratio_2010_boys_per_100_girls", c13_low,
                c13_high),
               ("lost_uiuing_missing", "child_sex_ratio_2010_boys_per_100_girls", 1.1, 1.3))]
    sens = [{"measure": "lost_uiuing_missing", "check": "sending_only",
             "term": "out_migration_2010_share", "irr": 1.0, "ci_low": 0.9, "ci_high": 1.1,
             "n_units": 1500, "converged": True}]
    return {"county_model_estimates": pd.DataFrame(est),
            "county_model_sensitivity": pd.DataFrame(sens)}


def _rates(henan: int, guangdong: int, rest: int) -> pd.DataFrame:
    return pd.DataFrame([{"measure": m, "adcode": a, "postings_count": n}
                         for m in ("lost_uiuing_missing", "lost_wtt1002_family")
                         for a, n in ((HENAN, henan), (GUANGDONG, guangdong), (YUNNAN, rest))])


UNTESTABLE = {
    # claim: (evaluator's tables for two different data sets, fact that must differ)
    "C01": (lambda k: {"case_coverage_by_year": _coverage(10 * k, (10, 30, 15))},
            "postings_per_year"),
    "C05": (lambda k: {"case_rates": _rates(10 * k, 10, 100)}, "henan_guangdong_share"),
    "C06": (lambda k: _county(0.8, 0.9) if k == 1 else _county(1.1, 1.2), "county_reading_0"),
    "C13": (lambda k: {"case_composition": _composition(5 * k, 5, 6, 6),
                       **_county(0.8, 0.9, 0.9 * k, 1.2 * k)}, "boys_share_abducted"),
    "C14": (lambda k: {"case_composition": _composition(5, 5, 6 * k, 6)},
            "under_six_share_given_away"),
    "C15": (lambda k: {"case_coverage_by_year": _coverage(10, (10, 30 * k, 15))},
            "ratio_1980s_1970s"),
}


@pytest.mark.parametrize("cid", sorted(UNTESTABLE))
def test_untestable_claims_give_context_that_moves_and_a_fixed_verdict(claims, cid):
    """A claim whose quantity is not observed is 'cannot be tested' whatever its context
    numbers say (the testability rule), but the numbers are computed from the data."""
    tables_for, fact = UNTESTABLE[cid]
    one, two = (ev.EVALUATORS[cid](tables_for(k), claim_of(claims, cid)[1]) for k in (1, 3))
    assert one.facts[fact] != two.facts[fact]
    assert one.evidence != two.evidence
    for e in (one, two):
        assert e.evidence.startswith("Context, not evidence")
        got = rules.apply_rule(claim_of(claims, cid)[0], e.facts, claim_of(claims, cid)[1])
        assert got == C


def test_claims_without_data_have_no_facts(claims):
    for cid in ("C11", "C12", "C17"):
        e = ev.EVALUATORS[cid]({}, {})
        assert e.facts == {} and e.computed_value is None
        assert rules.apply_rule(claim_of(claims, cid)[0], e.facts, {}) == C


def test_boys_share_hidden_below_the_disclosure_threshold():
    few = ev.boys_and_girls({"case_composition": _composition(4, 11, 6, 6)}, {})
    assert "boys_share_abducted" not in few.facts
    assert "abducted not shown (a cell of fewer than 5)" in few.evidence
    enough = ev.boys_and_girls({"case_composition": _composition(15, 5, 6, 6)}, {})
    assert enough.facts["boys_share_abducted"] == pytest.approx(0.75)
    assert enough.computed_value == pytest.approx(0.75)


def test_young_children_share_follows_the_ages():
    e = ev.young_children({"case_composition": _composition(5, 5, 18, 6)}, {})
    assert e.facts["under_six_share_given_away"] == pytest.approx(0.75)


def test_henan_guangdong_share_is_the_larger_of_the_two_measures():
    rates = _rates(30, 20, 50)
    rates.loc[(rates["measure"] == "lost_wtt1002_family") & (rates["adcode"] == YUNNAN),
              "postings_count"] = 450
    e = ev.henan_guangdong_share({"case_rates": rates}, {})
    assert e.facts["henan_guangdong_share"] == pytest.approx(0.5)


# the county ecological reading: one test per reading -----------------------------------------

def test_reading_consistent():
    assert ev.ecological_reading(1.05, 1.3, "above") == ev.CONSISTENT
    assert ev.ecological_reading(0.7, 0.95, "below") == ev.CONSISTENT


def test_reading_not_consistent():
    assert ev.ecological_reading(0.82, 0.93, "above") == ev.NOT_CONSISTENT
    assert ev.ecological_reading(1.01, 1.2, "below") == ev.NOT_CONSISTENT


def test_reading_no_association():
    assert ev.ecological_reading(0.9, 1.1, "above") == ev.NO_ASSOCIATION
    assert ev.ecological_reading(1.0, 1.2, "above") == ev.NO_ASSOCIATION  # touches 1
    assert ev.ecological_reading(float("nan"), 1.2, "below") == ev.NO_ASSOCIATION


def test_reading_no_prediction():
    assert ev.ecological_reading(1.1, 1.3, None) == ev.NO_PREDICTION
    with pytest.raises(ValueError, match="predicted"):
        ev.ecological_reading(1.1, 1.3, "up")


@settings(max_examples=100, deadline=None)
@given(st.floats(0.1, 3), st.floats(0.01, 2), st.sampled_from(["above", "below"]))
def test_reading_is_the_side_of_one_the_interval_lies_on(low, width, predicted):
    high = low + width
    got = ev.ecological_reading(low, high, predicted)
    side = "above" if low > 1 else "below" if high < 1 else None
    assert got == (ev.NO_ASSOCIATION if side is None else
                   ev.CONSISTENT if side == predicted else ev.NOT_CONSISTENT)
    assert ev.READING_SIGN[got] == (0 if side is None else 1 if side == predicted else -1)


def test_county_evidence_reads_estimates_and_converged_checks():
    t = _county(0.8, 0.9, 1.05, 1.4)
    rows = ev.county_evidence(t["county_model_estimates"], t["county_model_sensitivity"])
    assert list(rows["claim_id"]) == ["C06", "C06", "C13", "C13"]
    assert list(rows["reading"]) == [ev.NOT_CONSISTENT, ev.NO_ASSOCIATION, ev.CONSISTENT,
                                     ev.NO_PREDICTION]
    assert rows.loc[1, "n_units"] == 1500  # the sending-only check
    sens = t["county_model_sensitivity"].assign(converged=False)
    rows = ev.county_evidence(t["county_model_estimates"], sens, "C06")
    assert len(rows) == 2 and np.isnan(rows.loc[1, "irr"])
    assert rows.loc[1, "reading"] == ev.NO_ASSOCIATION


def test_left_behind_risk_facts_follow_the_county_and_province_models():
    e = ev.left_behind_risk(_county(0.8, 0.9), {})
    assert e.facts["county_reading_0"] == -1.0 and e.facts["county_reading_1"] == 0.0
    assert e.computed_value == pytest.approx(0.85)
    assert "ecologically not consistent with the claim" in e.evidence
    coef = pd.DataFrame([{"is_main": True, "term_role": "main_exposure", "irr_per_sd": 1.4,
                          "model_kind": "nb2", "outcome_measure": "lost_uiuing_missing",
                          "n": 31, "term": "out_migration", "exposure_period": "2005–2010",
                          "irr_ci_low": 1.1, "irr_ci_high": 1.8}])
    province_only = ev.left_behind_risk({"model_coefficients": coef}, {})
    assert province_only.facts == {"province_irr_per_sd": 1.4}
    assert province_only.computed_value == 1.4
    assert "ecologically consistent with the claim" in province_only.evidence
    assert ev.left_behind_risk({}, {}).facts == {}


# the lists above are complete ----------------------------------------------------------------

def synthetic_cases():
    """Every synthetic case above as ``(claim, tables, parameter overrides, verdict)``."""
    yield from (("C04", _flows(pairs), {}, v) for pairs, v in C04_CASES)
    yield from (("C07", _acwf(n), {"comparator_matches": m}, v) for n, m, v in C07_CASES)
    yield from (("C08", _nbs(x), {"comparator_matches": m}, v) for x, m, v in C08_CASES)
    yield from (("C09", _cities(*c), {}, v) for c, v in C09_CASES)
    yield from (("C10", _urban(a, b), {}, v) for a, b, v in C10_CASES)
    yield from (("C16", _reunions(y, n), {}, v) for y, n, v in C16_CASES)
    for cid, (tables_for, _) in UNTESTABLE.items():
        yield from ((cid, tables_for(k), {}, C) for k in (1, 3))
    yield from ((cid, {}, {}, C) for cid in ("C11", "C12", "C17"))


def test_every_evaluator_is_tested_for_each_verdict(claims):
    """Every evaluator, through its claim's rule, reaches on the synthetic cases every verdict
    it can return (:data:`EVALUATOR_VERDICTS`), and only those."""
    got: dict[str, set[str]] = {}
    for cid, t, overrides, expected in synthetic_cases():
        v = verdict(claims, cid, t, **overrides)
        assert v == expected, cid
        got.setdefault(ev.EVALUATORS[cid].__qualname__, set()).add(v)
    assert got == EVALUATOR_VERDICTS


# no evaluator's verdict is independent of its evidence ---------------------------------------

def test_no_evaluator_writes_a_verdict():
    """Evaluators return evidence only: the module names no verdict except through the
    vocabulary (for the rule text of 'cannot be tested'), and Evidence has no verdict."""
    tree = ast.parse(inspect.getsource(ev))
    literals = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)
                and isinstance(n.value, str)}
    assert not literals & set(VERDICTS)
    assert "verdict" not in {f for f in ev.Evidence.__dataclass_fields__}


#: For each rule with a threshold: facts moved just past it, away from the verdict given.
def _across(rule: str, facts: dict, params: dict) -> list[dict]:
    f = dict(facts)
    if rule == "direction_concentration":
        return [f | {"lift_ci_low": 1.5, "origins_net_senders": f["origins_named"],
                     "destinations_net_receivers": f["destinations_named"]},
                f | {"origins_net_senders": 0, "destinations_net_receivers": 0}]
    if rule == "figure_matches":
        claim = f["claim_value"]
        return [f | {"value": claim * (params["magnitude"] + 0.01)},
                f | {"value": claim, "comparator_matches": not f["comparator_matches"]}]
    if rule == "share_in_named_places":
        return [f | {"places_checked": f["places_named"], "places_meeting": f["places_named"]},
                f | {"places_checked": f["places_named"], "places_meeting": 0}]
    if rule == "trend_endpoints":
        return [f | {"largest_miss": params["tolerance"] + 0.01},
                f | {"largest_miss": 0.0, "endpoints_checked": f["endpoints_named"]}]
    if rule == "count_at_least":
        return [f | {"count": f["claim_count"] - 1}, f | {"dated": not f["dated"]}]
    raise AssertionError(f"no perturbation for rule {rule}")


@pytest.fixture(scope="module")
def real_tables(processed) -> dict[str, pd.DataFrame]:
    t = {name: tables.read(name, processed) for name in factcheck_step.NEEDS}
    t["published_figures"] = pd.read_csv(paths.MANUAL / factcheck_step.PUBLISHED, dtype=str,
                                         keep_default_na=False)
    return t


def test_real_evidence_moved_across_the_threshold_moves_the_verdict(claims, real_tables):
    """On the real evidence of every testable claim, facts moved past the rule's threshold
    give another verdict than the reviewed one: the verdict depends on the evidence."""
    testable = claims[claims["rule"] != "not_observable"]
    assert len(testable) >= 6
    for claim in testable.to_dict("records"):
        params = rules.parse_parameters(claim["rule_parameters"])
        e = ev.EVALUATORS[claim["claim_id"]](real_tables, params)
        assert rules.apply_rule(claim["rule"], e.facts, params) == claim["verdict"]
        moved = {rules.apply_rule(claim["rule"], f, params)
                 for f in _across(claim["rule"], e.facts, params)}
        assert moved - {claim["verdict"]}, claim["claim_id"]


def test_untestable_claims_are_untestable_because_of_the_claim_not_the_evidence(claims):
    """The only rule whose verdict ignores the evidence is the testability rule, and only a
    claim whose quantity is not observed names it (with the reason why)."""
    for _, facts, params, _ in RULE_CASES:
        assert rules.not_observable(facts, params) == C
    not_observed = claims["observable"] == "no"
    assert ((claims["rule"] == "not_observable") == not_observed).all()
    assert claims.loc[not_observed, "not_observable_because"].str.len().gt(0).all()
