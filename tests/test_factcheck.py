"""Fact-check: reviewed verdicts checked against their rules; every rule on synthetic evidence
(each verdict it can return); evaluators on synthetic tables; numbers recomputed from raw files."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import tables
from analysis.core import paths
from analysis.core.errors import DataError
from analysis.core.manual import SHA256SUMS
from analysis.core.step import BuildContext
from analysis.topics.factcheck import build as factcheck_step
from analysis.topics.factcheck import evaluators as ev
from analysis.topics.factcheck import rules
from analysis.topics.factcheck.build import read_claims
from analysis.vocab.factcheck import CANNOT_BE_TESTED, VERDICTS

S, P, N = "supported", "partly supported", "not supported"


@pytest.fixture(scope="module")
def fc(processed):
    return tables.read("fact_check", processed)


@pytest.fixture(scope="module")
def claims():
    return read_claims(paths.MANUAL / "claims.csv", paths.MANUAL / "claims_to_check.csv")


# -- the reviewed file and the real build ---------------------------------------------------

def test_every_claim_has_a_reviewed_verdict_and_evidence(fc, claims):
    assert list(fc["claim_id"]) == list(claims["claim_id"])
    assert list(fc["verdict"]) == list(claims["verdict"])
    assert fc["verdict"].isin(VERDICTS).all()
    assert (fc["evidence"].str.len() > 40).all()
    assert fc["reviewed_by"].str.len().gt(10).all()
    testable = fc[fc["verdict"] != CANNOT_BE_TESTED]
    assert testable["computed_value"].notna().all()
    assert testable["shown_in"].fillna("").str.len().gt(0).all()


def test_one_testability_rule_for_every_claim(claims):
    """'cannot be tested' exactly when the claim's quantity is not observed."""
    not_observed = claims["observable"] == "no"
    assert ((claims["verdict"] == CANNOT_BE_TESTED) == not_observed).all()
    assert ((claims["rule"] == "not_observable") == not_observed).all()
    # context numbers of untestable claims never read as evidence
    assert claims.loc[not_observed, "not_observable_because"].str.len().gt(0).all()


def test_untestable_evidence_is_labelled_context(fc):
    untestable = fc[(fc["verdict"] == CANNOT_BE_TESTED) & fc["computed_value"].notna()]
    assert len(untestable) >= 5
    assert untestable["evidence"].str.startswith("Context, not evidence").all()


def test_every_reviewed_verdict_is_what_its_rule_gives_on_the_real_evidence(processed, claims):
    t = {name: tables.read(name, processed) for name in factcheck_step.NEEDS}
    t["published_figures"] = pd.read_csv(paths.MANUAL / factcheck_step.PUBLISHED, dtype=str,
                                         keep_default_na=False)
    for claim in claims.to_dict("records"):
        e = ev.EVALUATORS[claim["claim_id"]](t, rules.parse_parameters(claim["rule_parameters"]))
        assert not hasattr(e, "verdict")
        computed = rules.apply_rule(claim["rule"], e.facts,
                                    rules.parse_parameters(claim["rule_parameters"]))
        assert computed == claim["verdict"], claim["claim_id"]


def test_a_verdict_its_rule_does_not_give_stops_the_build(processed, claims):
    t = {name: tables.read(name, processed) for name in factcheck_step.NEEDS}
    t["published_figures"] = pd.read_csv(paths.MANUAL / factcheck_step.PUBLISHED, dtype=str,
                                         keep_default_na=False)
    edited = claims.copy()
    edited.loc[edited["claim_id"] == "C16", "verdict"] = S
    with pytest.raises(rules.VerdictMismatch, match=r"C16.*'supported'.*'partly supported'"):
        ev.fact_check(edited, t)
    edited = claims.copy()
    edited.loc[edited["claim_id"] == "C05", "observable"] = "yes"
    with pytest.raises(rules.VerdictMismatch, match="C05: observable=yes but rule not_obs"):
        ev.fact_check(edited, t)


def test_article_links(fc):
    hellmann = fc[fc["article"] == "hellmann"]
    assert (hellmann["article_url"] == "https://escholarship.org/uc/item/49m314s1").all()
    assert fc.loc[fc["article"] == "essay", "article_url"].isna().all()


def test_no_mirror_host_is_cited(fc):
    published = pd.read_csv(paths.MANUAL / "published_figures_with_quotes.csv", dtype=str,
                            keep_default_na=False)
    hosts = {u.split("/")[2] for u in published["read_via_url"] if u.startswith("http")}
    text = " ".join(fc.astype(object).fillna("").map(str).to_numpy().ravel())
    assert hosts and not [h for h in hosts if h in text]


def test_census_numbers_recomputed_from_the_raw_file(fc, raw_data):
    """C08: the 2010 census context equals the 全国 row of the raw census table."""
    lines = (raw_data / "nbs_census2010_hukou_elsewhere" / "population.txt").read_text(
        encoding="utf-8").splitlines()
    national = next(line.split() for line in lines if line.startswith("全国"))
    assert f"{int(national[1]):,}" in fc.set_index("claim_id").loc["C08", "evidence"]


def test_beijing_share_recomputed(fc, processed):
    h = tables.read("census_hukou_province", processed)
    row = h[(h["census_year"] == 2020) & (h["adcode"] == 110000)].iloc[0]
    share = row["other_province_persons"] / row["resident_population_persons"]
    assert f"{share:.1%}" in fc.set_index("claim_id").loc["C09", "evidence"]


def test_corridor_counts_recomputed_from_the_flow_table(fc, processed):
    f = tables.read("case_flows", processed)
    f = f[(f["source"] == "uiuing_success") & ~f["same_province"].astype(bool)]
    src, dst = f["lost_adcode"].isin([530000, 510000]), f["destination_adcode"].isin(
        [350000, 440000])
    lift = (f.loc[src & dst, "flow_count"].sum() / f.loc[src, "flow_count"].sum()) / (
        f.loc[dst, "flow_count"].sum() / f["flow_count"].sum())
    assert fc.set_index("claim_id").loc["C04", "computed_value"] == pytest.approx(lift, abs=1e-4)


# -- rules: every verdict each rule can return ------------------------------------------------

def test_not_observable_rule():
    assert rules.apply_rule("not_observable", {}, {}) == CANNOT_BE_TESTED


@pytest.mark.parametrize(("senders", "receivers", "low", "verdict"), [
    (2, 2, 1.2, S), (2, 2, 0.9, P), (1, 2, 1.5, P), (0, 1, 1.5, P), (0, 0, 2.0, N)])
def test_direction_concentration_rule(senders, receivers, low, verdict):
    facts = {"origins_named": 2, "destinations_named": 2, "origins_net_senders": senders,
             "destinations_net_receivers": receivers, "lift_ci_low": low}
    assert rules.direction_concentration(facts, {}) == verdict


@pytest.mark.parametrize(("value", "matches", "verdict"), [
    (102, True, S), (102, False, P), (140, True, P), (60, True, N), (200, False, N)])
def test_figure_matches_rule(value, matches, verdict):
    facts = {"value": value, "claim_value": 100, "comparator_matches": matches}
    assert rules.figure_matches(facts, {"tolerance": 0.05, "magnitude": 1.5}) == verdict


@pytest.mark.parametrize(("checked", "meeting", "verdict"), [
    (4, 4, S), (2, 2, P), (4, 3, P), (2, 0, N), (0, 0, P)])
def test_share_in_named_places_rule(checked, meeting, verdict):
    facts = {"places_named": 4, "places_checked": checked, "places_meeting": meeting}
    assert rules.share_in_named_places(facts, {}) == verdict


def test_share_rule_refuses_impossible_counts():
    with pytest.raises(rules.RuleError, match="meeting ≤ checked ≤ named"):
        rules.share_in_named_places({"places_named": 2, "places_checked": 3,
                                     "places_meeting": 1}, {})


@pytest.mark.parametrize(("checked", "miss", "verdict"), [
    (2, 0.01, S), (1, 0.01, P), (1, 0.05, N), (0, 0.0, CANNOT_BE_TESTED)])
def test_trend_endpoints_rule(checked, miss, verdict):
    facts = {"endpoints_named": 2, "endpoints_checked": checked, "largest_miss": miss}
    assert rules.trend_endpoints(facts, {"tolerance": 0.02}) == verdict


@pytest.mark.parametrize(("count", "dated", "verdict"), [
    (700, True, S), (700, False, P), (500, True, N), (500, False, N)])
def test_count_at_least_rule(count, dated, verdict):
    assert rules.count_at_least({"count": count, "claim_count": 600, "dated": dated},
                                {}) == verdict


def test_rules_name_a_missing_fact_or_parameter():
    with pytest.raises(rules.RuleError, match="needs the fact 'lift_ci_low'"):
        rules.direction_concentration({"origins_named": 2, "destinations_named": 2,
                                       "origins_net_senders": 2,
                                       "destinations_net_receivers": 2}, {})
    with pytest.raises(rules.RuleError, match="needs the parameter 'magnitude'"):
        rules.figure_matches({"value": 1, "claim_value": 1, "comparator_matches": True}, {})
    with pytest.raises(rules.RuleError, match="unknown verdict rule"):
        rules.apply_rule("vibes", {}, {})


def test_parameters_parse():
    assert rules.parse_parameters("tolerance=0.05; magnitude=1.5") == {"tolerance": 0.05,
                                                                       "magnitude": 1.5}
    assert rules.parse_parameters("") == {} and rules.parse_parameters(float("nan")) == {}
    with pytest.raises(rules.RuleError, match="not key=number"):
        rules.parse_parameters("tolerance")


# -- evaluators on synthetic tables: the facts follow the data ---------------------------------

YUNNAN, SICHUAN, FUJIAN, GUANGDONG, HENAN = 530000, 510000, 350000, 440000, 410000


def _flows(pairs):
    rows = [{"source": "uiuing_success", "lost_adcode": a, "destination_adcode": b,
             "flow_count": n, "same_province": a == b} for a, b, n in pairs]
    return {"case_flows": pd.DataFrame(rows)}


def _c04(pairs) -> str:
    e = ev.source_destination(_flows(pairs), {})
    return rules.direction_concentration(e.facts, {})


def test_corridor_verdicts_follow_the_flows():
    # concentrated corridor, big enough for the interval to exclude 1
    assert _c04([(YUNNAN, FUJIAN, 200), (SICHUAN, GUANGDONG, 200), (FUJIAN, YUNNAN, 5),
                 (HENAN, GUANGDONG, 20), (HENAN, 120000, 300), (120000, HENAN, 250)]) == S
    # direction holds, but origins send to destinations no more than everyone does
    assert _c04([(YUNNAN, FUJIAN, 50), (YUNNAN, HENAN, 150), (SICHUAN, GUANGDONG, 50),
                 (SICHUAN, HENAN, 150), (HENAN, FUJIAN, 100), (HENAN, GUANGDONG, 100),
                 (FUJIAN, 120000, 10), (GUANGDONG, 120000, 10)]) == P
    assert _c04([(FUJIAN, YUNNAN, 10), (GUANGDONG, SICHUAN, 10)]) == N


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=6, max_size=6))
def test_corridor_lift_matches_a_direct_count(counts):
    pairs = list(zip([YUNNAN, SICHUAN, HENAN, YUNNAN, FUJIAN, HENAN],
                     [FUJIAN, GUANGDONG, FUJIAN, HENAN, HENAN, 120000], counts, strict=True))
    f = _flows(pairs)["case_flows"]
    lift, low, high = ev.corridor_lift(f, [YUNNAN, SICHUAN], [FUJIAN, GUANGDONG])
    c = np.array(counts, dtype=float)
    direct = ((c[0] + c[1]) / (c[0] + c[1] + c[3])) / ((c[0] + c[1] + c[2]) / c.sum())
    assert lift == pytest.approx(direct)
    assert low <= high


def _coverage(success_years):
    return {"case_coverage_by_year": pd.DataFrame(
        {"source": "uiuing_success", "missing_year": success_years,
         "postings_count": [400] * len(success_years)})}


def test_reunion_count_rule_reads_dates_and_count_from_the_data():
    undated = ev.reunions(_coverage([None, None]), {"claim_count": 600})
    assert rules.count_at_least(undated.facts, {}) == P
    dated = ev.reunions(_coverage([2005.0, 2010.0]), {"claim_count": 600})
    assert rules.count_at_least(dated.facts, {}) == S
    few = ev.reunions(_coverage([None]), {"claim_count": 600})
    assert rules.count_at_least(few.facts, {}) == N


def _hukou(bj, sh, gz, sz):
    """Municipal shares (bj, sh) and, per Guangdong city, (other province, other county)
    persons of two districts of 100 residents each."""
    counties = [{"census_year": 2020, "prefecture_code": code, "population_persons": 100.0,
                 "hukou_elsewhere_other_province_persons": op / 2,
                 "hukou_elsewhere_other_county_persons": oc / 2}
                for code, (op, oc) in ((440100, gz), (440300, sz)) for _ in range(2)]
    return {"census_hukou_province": pd.DataFrame(
        {"census_year": 2020, "adcode": [110000, 310000], "other_province_share": [bj, sh]}),
        "census_county": pd.DataFrame(counties)}


def test_big_city_facts_follow_the_shares():
    params = {"threshold": 0.3}
    every = ev.big_city_share(_hukou(0.4, 0.35, (80, 10), (70, 0)), params)
    assert every.facts == {"places_named": 4, "places_checked": 4, "places_meeting": 4}
    assert rules.share_in_named_places(every.facts, {}) == S
    # Guangzhou: 25 % other province, 55 % with other county: the bounds straddle 30 %
    straddle = ev.big_city_share(_hukou(0.4, 0.35, (50, 60), (70, 0)), params)
    assert straddle.facts["places_checked"] == 3
    assert rules.share_in_named_places(straddle.facts, {}) == P
    assert "Guangzhou 25.0%–55.0%" in straddle.evidence
    none = ev.big_city_share(_hukou(0.1, 0.2, (10, 20), (10, 10)), params)
    assert rules.share_in_named_places(none.facts, {}) == N


def test_city_bounds_recomputed_from_the_county_table(fc, processed):
    c = tables.read("census_county", processed)
    sz = c[(c["census_year"] == 2020) & (c["prefecture_code"] == 440300)]
    low = sz["hukou_elsewhere_other_province_persons"].sum() / sz["population_persons"].sum()
    assert f"Shenzhen {low:.1%}" in fc.set_index("claim_id").loc["C09", "evidence"]


def _urban(s2010, s2020):
    rows = [{"census_year": y, "adcode": 110000, "population_covered_persons": 100.0,
             "urban_coverage_share": 1.0, "population_coverage_share": 1.0,
             "urban_share": s} for y, s in ((2010, s2010), (2020, s2020))]
    return {"census_city_province": pd.DataFrame(rows)}


def test_urban_trend_facts_follow_the_shares():
    params = {"end_year": 2014, "end_share": 0.54, "tolerance": 0.02}
    close = ev.urban_share(_urban(0.50, 0.60), params)
    assert close.facts["largest_miss"] == pytest.approx(0.0)
    assert rules.trend_endpoints(close.facts, params) == P
    far = ev.urban_share(_urban(0.30, 0.40), params)
    assert rules.trend_endpoints(far.facts, params) == N


def _published(value, grade="A"):
    return {"published_figures": pd.DataFrame(
        [{"topic": "migrant_workers", "reference_year": "2020", "definition": "农民工 total",
          "value": str(value), "reliability": grade, "original_url": "",
          "original_url_status": "unknown"}]),
        "census_hukou_province": pd.DataFrame(
            {"census_year": [2010, 2020], "hukou_elsewhere_persons": [1, 2]})}


def test_migrant_worker_comparator_follows_the_figure():
    params = {"claim_value": 250e6, "tolerance": 0.1, "magnitude": 1.5, "comparator_matches": 1}
    assert rules.figure_matches(ev.migrant_workers(_published(255e6), params).facts,
                                params) == S
    assert rules.figure_matches(ev.migrant_workers(_published(300e6), params).facts,
                                params) == P
    assert rules.figure_matches(ev.migrant_workers(_published(50e6), params).facts,
                                params) == N
    with pytest.raises(ValueError, match="grade C"):
        ev.migrant_workers(_published(255e6, grade="C (low)"), params)


def test_untestable_evaluators_still_compute_from_the_data():
    """C01–C03 and C15 show context numbers that move with the data."""
    cov = pd.DataFrame({"source": ["uiuing_missing"] * 11 + ["wtt1002_data"] * 3,
                        "missing_year": [*range(2010, 2021), 1975, 1985, 1995],
                        "postings_count": [10] * 11 + [10, 30, 15]})
    e = ev.incidence({"case_coverage_by_year": cov}, {"claim_value": 70000})
    assert e.computed_value == pytest.approx(10.0)
    e15 = ev.since_the_1980s({"case_coverage_by_year": cov}, {})
    assert e15.facts["ratio_1980s_1970s"] == pytest.approx(3.0)
    assert e15.facts["ratio_1990s_1980s"] == pytest.approx(0.5)


# -- the reviewed file's guards ----------------------------------------------------------------

def test_a_changed_claims_copy_is_refused(tmp_path):
    """The step reads the claims through BuildContext.manual, which checks SHA256SUMS."""
    shutil.copy(paths.MANUAL / SHA256SUMS, tmp_path / SHA256SUMS)
    for name in ("claims_to_check.csv", "published_figures_with_quotes.csv"):
        shutil.copy(paths.MANUAL / name, tmp_path / name)
    text = (paths.MANUAL / "claims.csv").read_text(encoding="utf-8")
    (tmp_path / "claims.csv").write_text(text.replace('"partly supported"', '"supported"', 1),
                                         encoding="utf-8")
    with pytest.raises(DataError, match="sha256 mismatch"):
        factcheck_step.build(BuildContext(manual_dir=tmp_path))


def _write(tmp_path, frame):
    p = tmp_path / "claims.csv"
    frame.to_csv(p, index=False)
    return p


def test_claims_file_errors_name_row_and_column(tmp_path, claims):
    bad = claims.copy()
    bad.loc[3, "verdict"] = "probably"
    with pytest.raises(DataError, match=r"row 5.*verdict"):
        read_claims(_write(tmp_path, bad))
    bad = claims.copy()
    bad.loc[0, "reviewed_by"] = ""
    with pytest.raises(DataError, match=r"row 2.*reviewed_by"):
        read_claims(_write(tmp_path, bad))
    bad = claims.copy()
    bad.loc[1, "claim"] = "something else"
    with pytest.raises(DataError, match=r"row 3.*claim"):
        read_claims(_write(tmp_path, bad), paths.MANUAL / "claims_to_check.csv")
    with pytest.raises(DataError, match="rule"):
        read_claims(_write(tmp_path, claims.drop(columns="rule")))


# -- the county and prefecture evidence (notebook 05) ------------------------------------------

def test_c04_review_reason_agrees_with_the_prefecture_atlas(processed, claims):
    """The reviewed reason of C04 says most of the corridor's reunions are placed only at
    province level, most lost-side hot spots lie outside Yunnan and Sichuan and the found-side
    ones in Fujian: the atlas, recomputed here from its two tables, must say so too."""
    counts = tables.read("prefecture_case_counts", processed)
    local = tables.read("prefecture_hotspot_local", processed)
    reason = claims.set_index("claim_id").loc["C04", "verdict_reason"]
    assert "most of the corridor's reunions are placed only at province level" in reason
    for measure, provinces in (("lost_uiuing_success", ev.C04_ORIGINS),
                               ("found_uiuing_success", ev.C04_DESTINATIONS)):
        c = counts[(counts["measure"] == measure) & counts["province_adcode"].isin(provinces)]
        placed = c.loc[c["row_kind"] == "prefecture", "postings_count"].sum()
        assert placed < c["postings_count"].sum() / 2, measure
    hot = local[local["gi_label"] == "Hot spot"]
    lost = hot[hot["measure"] == "lost_uiuing_success"]
    assert "most of the prefecture hot spots of where found children went missing lie " \
           "outside Yunnan and Sichuan" in reason
    assert lost["adcode"].isin(ev.C04_ORIGINS).sum() < len(lost) / 2
    found = hot[hot["measure"] == "found_uiuing_success"]
    assert "those of where they were found lie in Fujian" in reason
    assert len(found) and (found["adcode"] == 350000).all()


def test_county_evidence_figure_draws_every_county_row(processed):
    import matplotlib.pyplot as plt

    from analysis.plots import factcheck_figures as ff

    county = ev.county_evidence(tables.read("county_model_estimates", processed),
                                tables.read("county_model_sensitivity", processed))
    assert list(county["claim_id"]) == [c for c, *_ in ev.COUNTY_EVIDENCE]
    fig, data = ff.county_evidence_figure(county)
    assert list(data.columns) == ff.COUNTY_COLUMNS
    assert data[["irr", "ci_low", "ci_high"]].equals(county[["irr", "ci_low", "ci_high"]])
    ax = fig.axes[0]
    drawn = sorted(float(x) for c in ax.containers for x in c.lines[0].get_xdata())
    assert drawn == pytest.approx(sorted(county["irr"].dropna()))
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == list(data["row"])
    n = county["n_units"].astype(int)
    caption = ff.county_evidence_text(county)["caption"]
    assert f"{n.min():,}–{n.max():,} county units" in caption
    assert "not verified abductions" in caption
    plt.close(fig)


def test_county_evidence_figure_data_is_committed(processed):
    """figures/05_county_evidence.csv is what the builder gives on the built tables."""
    published = pd.read_csv(paths.FIGURES / "05_county_evidence.csv")
    county = ev.county_evidence(tables.read("county_model_estimates", processed),
                                tables.read("county_model_sensitivity", processed))
    assert list(published["reading"]) == list(county["reading"])
    assert published["irr"].to_numpy() == pytest.approx(county["irr"].to_numpy(), rel=5e-3)
