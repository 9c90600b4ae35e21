"""Case aggregates: recounted independently from the record tables and the raw JSON."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd
import pytest

from analysis import tables
from analysis.vocab.cases import age_group_of, period_of
from analysis.vocab.measures import MEASURES
from analysis.vocab.provinces import MAINLAND31, try_adcode


@pytest.fixture(scope="module")
def t(processed):
    names = ["case_counts", "case_counts_by_period", "case_rates", "case_flows",
             "case_composition", "case_coverage_by_year", "case_category_counts",
             "case_sex_counts",
             "case_records_uiuing_missing", "case_records_uiuing_success",
             "case_records_wtt1002", "case_records_juvenilexi", "case_places_wtt1002_family",
             "census2020_province"]
    return {n: tables.read(n, processed) for n in names}


def test_periods_and_age_groups_at_the_edges():
    years = pd.Series([1979, 1980, 1989, 1990, 2009, 2010, 2023, None], dtype="Int64")
    assert list(period_of(years)) == ["before 1980", "1980–1989", "1980–1989", "1990–1999",
                                      "2000–2009", "2010–2023", "2010–2023", "unknown"]
    ages = pd.Series([0, 1, 2, 3, 5, 6, 11, 12, 17, 18, None], dtype="Int64")
    assert list(age_group_of(ages)) == ["under 1", "1–2", "1–2", "3–5", "3–5", "6–11", "6–11",
                                        "12–17", "12–17", "18 and over", "unknown"]


def test_counts_are_zero_filled_over_31_provinces(t):
    keys = ["source", "side", "place_role", "category", "period"]
    sizes = t["case_counts"].groupby(keys).size()
    assert (sizes == 31).all()
    for _, g in t["case_counts"].groupby(keys):
        assert sorted(g["adcode"]) == sorted(MAINLAND31)


def test_lost_counts_recounted_from_the_records(t):
    for name in ("case_records_uiuing_missing", "case_records_wtt1002",
                 "case_records_juvenilexi", "case_records_uiuing_success"):
        rec = t[name]
        expected = Counter(int(a) for a in rec["lost_adcode_province"].dropna()
                           if int(a) in MAINLAND31)
        c = t["case_counts_by_period"]  # exact: case_counts has suppressed cells
        src = rec["source"].iloc[0]
        got = c[(c["source"] == src) & (c["place_role"] == "lost")].groupby("adcode")[
            "postings_count"].sum()
        assert {a: n for a, n in got.items() if n} == dict(expected), name


def test_uiuing_missing_rates_recounted_from_raw_json(t, raw_data):
    """A second, simpler count: one record per line in both raw files (neither is valid JSON as
    a whole), posting id and address_id found by regex, Missing.json first, then the mi.json
    postings not in it; codes mapped to provinces."""
    folder = raw_data / "bbhj_uiuing_findbaby"
    seen: set[str] = set()
    codes: list[str] = []
    for fname, id_pattern in (("Missing.json", r'"n_id": "(\d+)"'),
                              ("mi.json", r'view\.aspx\?id=(\d+)"')):
        for line in (folder / fname).read_text(encoding="utf-8").splitlines():
            pid = re.search(id_pattern, line)
            if not pid or pid.group(1) in seen:
                continue
            seen.add(pid.group(1))
            code = re.search(r'"address_id": "(\d*)"', line)
            codes.append(code.group(1) if code else "")
    assert len(seen) == 3092
    recount = Counter(try_adcode(c) for c in codes)
    rates = t["case_rates"]
    got = rates[rates["measure"] == "lost_uiuing_missing"].set_index("adcode")["postings_count"]
    diff = {a: (int(got.get(a, 0)), recount.get(a, 0)) for a in MAINLAND31
            if got.get(a, 0) != recount.get(a, 0)}
    assert not diff, diff


def test_rates_recomputed(t):
    rates = t["case_rates"]
    children = t["census2020_province"].set_index("adcode")["children_0_14_persons"]
    for measure in MEASURES:
        r = rates[rates["measure"] == measure].set_index("adcode")
        assert len(r) == 31
        expected = r["postings_count"] / children.reindex(r.index) * 100_000
        assert (r["postings_per_100k_children_2020"] - expected).abs().max() < 1e-9
        assert r["share_of_measure"].sum() == pytest.approx(1.0)


def test_family_places_pass_through_unchanged(t):
    fam = t["case_places_wtt1002_family"].set_index("adcode")["lost_postings_count"]
    r = t["case_rates"]
    got = r[r["measure"] == "lost_wtt1002_family"].set_index("adcode")["postings_count"]
    assert (got.reindex(fam.index) == fam).all()


def test_reunion_flows_match_the_pairs(t):
    rec = t["case_records_uiuing_success"]
    both = rec.dropna(subset=["lost_adcode_province", "current_or_found_adcode_province"])
    both = both[both["lost_adcode_province"].isin(MAINLAND31)
                & both["current_or_found_adcode_province"].isin(MAINLAND31)]
    flows = t["case_flows"]
    f = flows[flows["source"] == "uiuing_success"]
    assert f["flow_count"].sum() == len(both)
    pair = Counter(zip(both["lost_adcode_province"], both["current_or_found_adcode_province"],
                       strict=True))
    top = f.sort_values("flow_count", ascending=False).iloc[0]
    assert pair[(top["lost_adcode"], top["destination_adcode"])] == top["flow_count"]
    assert (f["same_province"] == (f["lost_adcode"] == f["destination_adcode"])).all()


def test_one_attribute_totals_equal_record_counts(t):
    """The exact one-attribute tables add up to every record; the suppressed composition
    (category × sex × age) never shows more than the records hold."""
    comp = t["case_composition"]
    for name in ("case_records_uiuing_missing", "case_records_wtt1002",
                 "case_records_juvenilexi", "case_records_uiuing_success"):
        rec = t[name]
        src = rec["source"].iloc[0]
        for table, col in (("case_category_counts", "category"), ("case_sex_counts", "sex")):
            got = t[table][t[table]["source"] == src].set_index(col)["postings_count"]
            assert got.to_dict() == rec[col].value_counts().to_dict(), (name, table)
        years = t["case_coverage_by_year"]
        assert years.loc[years["source"] == src, "postings_count"].sum() == len(rec)
        known = rec["missing_year"].dropna().astype(int).value_counts()
        cov = years[(years["source"] == src) & years["missing_year"].notna()]
        assert cov.set_index(cov["missing_year"].astype(int))["postings_count"].to_dict() \
            == known.to_dict()
        assert comp.loc[comp["source"] == src, "postings_count"].sum() <= len(rec)


def test_accounts_balance(processed):
    for name in ("case_counts", "case_counts_by_period", "case_rates", "case_flows",
                 "case_composition", "case_coverage_by_year", "case_category_counts",
                 "case_sex_counts"):
        tables.read_account(name, processed).check()
