"""Fact-check: every claim covered, verdict rules on synthetic tables, numbers recomputed."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis import tables
from analysis.core import paths
from analysis.core.errors import DataError
from analysis.core.manual import SHA256SUMS
from analysis.core.step import BuildContext
from analysis.topics.factcheck import build as factcheck_step
from analysis.topics.factcheck.build import read_claims
from analysis.topics.factcheck.evaluators import VERDICTS, henan_guangdong_share, source_destination
from analysis.vocab.provinces import MAINLAND31


@pytest.fixture(scope="module")
def fc(processed):
    return tables.read("fact_check", processed)


def test_every_claim_has_a_verdict_and_evidence(fc, processed):
    claims = pd.read_csv(processed.parent / "raw" / "manual" / "claims_to_check.csv")
    assert list(fc["claim_id"]) == list(claims["claim_id"])
    assert fc["verdict"].isin(VERDICTS).all()
    assert (fc["evidence"].str.len() > 40).all()
    testable = fc[fc["verdict"] != "cannot be tested with public data"]
    assert testable["computed_value"].notna().all()
    assert testable["shown_in"].fillna("").str.len().gt(0).all()


def test_census_numbers_recomputed_from_the_raw_file(fc, raw_data):
    """C08: the 2010 total equals the 全国 row of the raw census table, read independently."""
    lines = (raw_data / "nbs_census2010_hukou_elsewhere" / "population.txt").read_text(
        encoding="utf-8").splitlines()
    national = next(line.split() for line in lines if line.startswith("全国"))
    c08 = fc.set_index("claim_id").loc["C08"]
    assert c08["computed_value"] == float(national[1])
    assert f"{int(national[1]):,}" in c08["evidence"]


def test_beijing_share_recomputed(fc, processed):
    h = tables.read("census_hukou_province", processed)
    row = h[(h["census_year"] == 2020) & (h["adcode"] == 110000)].iloc[0]
    share = row["other_province_persons"] / row["resident_population_persons"]
    assert f"{share:.1%}" in fc.set_index("claim_id").loc["C09", "evidence"]


def _flows(pairs):
    rows = [{"source": "uiuing_success", "lost_adcode": a, "destination_adcode": b,
             "flow_count": n, "same_province": a == b} for a, b, n in pairs]
    return {"case_flows": pd.DataFrame(rows)}


def test_direction_claim_supported_and_refuted_on_synthetic_flows():
    yunnan, sichuan, fujian, guangdong = 530000, 510000, 350000, 440000
    good = _flows([(yunnan, fujian, 10), (sichuan, guangdong, 10), (fujian, yunnan, 1)])
    assert source_destination(good).verdict == "supported"
    bad = _flows([(fujian, yunnan, 10), (guangdong, sichuan, 10)])
    assert source_destination(bad).verdict == "not supported"


def _rates(henan, guangdong, other):
    rows = []
    for measure in ("lost_uiuing_missing", "lost_wtt1002_family"):
        for a in MAINLAND31:
            n = henan if a == 410000 else guangdong if a == 440000 else other
            rows.append({"measure": measure, "adcode": a, "postings_count": n})
    return {"case_rates": pd.DataFrame(rows)}


def test_majority_claim_rules():
    assert henan_guangdong_share(_rates(500, 500, 10)).verdict == "supported"
    assert henan_guangdong_share(_rates(100, 90, 10)).verdict == "partly supported"
    assert henan_guangdong_share(_rates(1, 1, 10)).verdict == "not supported"


def test_a_changed_claims_copy_is_refused(tmp_path):
    """The step reads the claims through BuildContext.manual, which checks SHA256SUMS."""
    shutil.copy(paths.MANUAL / SHA256SUMS, tmp_path / SHA256SUMS)
    p = tmp_path / "claims_to_check.csv"
    p.write_text('"claim_id","article","claim","quoted_words","what_could_test_it"\n',
                 encoding="utf-8")
    with pytest.raises(DataError, match="sha256 mismatch"):
        factcheck_step.build(BuildContext(manual_dir=tmp_path))


def test_a_claims_copy_without_a_column_is_refused(tmp_path):
    p = tmp_path / "claims_to_check.csv"
    p.write_text('"claim_id","article","claim","quoted_words"\nC01,a,b,c\n', encoding="utf-8")
    with pytest.raises(DataError, match="what_could_test_it"):
        read_claims(p)
