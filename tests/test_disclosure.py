"""Disclosure control: the rule on synthetic tables, the suppression of the real published tables
recounted independently from the internal records, and the linkage attack on the real data —
which must pass on what is published and fail when a per-posting table is put back."""

from __future__ import annotations

import itertools
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis import pipeline, tables
from analysis.core import paths
from analysis.core.accounts import RowAccount
from analysis.core.step import CleanTable
from analysis.privacy import disclosure
from analysis.privacy.disclosure import (
    SUPPRESSED,
    THRESHOLD,
    attribute_count,
    linkage_attack,
    posting_attributes,
    protect,
    rule_applies,
)
from analysis.privacy.policy import PrivacyError
from analysis.schemas import SCHEMAS, is_internal

#: the per-posting record tables (internal, keyed by record_key); the other internal table,
#: case_places_wtt1002_family_records, holds places only (no person attribute)
RECORD_TABLES = [n for n in SCHEMAS if is_internal(n) and "record_key" in SCHEMAS[n].columns]


def _grid(values: list[int]) -> pd.DataFrame:
    """place × sex × period counts (2 attributes crossed with the place)."""
    keys = list(itertools.product([110000, 120000], ["male", "female"], ["p1", "p2", "p3"]))
    assert len(keys) == len(values)
    frame = pd.DataFrame(keys, columns=["adcode", "sex", "period"])
    frame["postings_count"] = values
    return frame


# --------------------------------------------------------------------------------------------
# the rule, on synthetic tables


def test_attribute_count_counts_person_attributes_and_extra_places():
    assert attribute_count(["adcode", "postings_count"]) == 0
    assert attribute_count(["adcode", "period", "postings_count"]) == 1
    assert attribute_count(["lost_adcode", "destination_adcode", "flow_count"]) == 1
    assert attribute_count(["adcode", "category", "period"]) == 2
    assert attribute_count(["category", "sex", "age_group"]) == 3
    assert not rule_applies(["adcode", "period", "postings_count"])
    assert not rule_applies(["origin_adcode", "destination_adcode", "period", "sample_count"])
    assert rule_applies(["adcode", "category", "period", "postings_count"])


def test_small_cells_crossing_two_attributes_are_suppressed_and_marked():
    frame = _grid([0, 1, 7, 9, 12, 30, 4, 8, 20, 6, 11, 5])
    out, done = protect(frame)
    assert list(out.columns) == [*frame.columns, SUPPRESSED]
    assert len(out) == len(frame)  # marked, never dropped
    small = frame["postings_count"].between(1, THRESHOLD - 1)
    assert out.loc[small, SUPPRESSED].all()
    assert out.loc[small, "postings_count"].isna().all()
    assert out.loc[frame["postings_count"] == 0, "postings_count"].eq(0).all()  # zeros stay
    assert done.primary == int(small.sum())
    assert done.total == int(out[SUPPRESSED].sum())
    kept = ~out[SUPPRESSED]
    assert (out.loc[kept, "postings_count"] == frame.loc[kept, "postings_count"]).all()


def test_a_place_with_one_attribute_stays_exact():
    frame = pd.DataFrame({"adcode": [110000, 120000], "period": ["p1", "p1"],
                          "postings_count": [1, 2]})
    out, done = protect(frame)
    assert done.total == 0
    pd.testing.assert_frame_equal(out, frame)


def _lone_suppressed_groups(frame: pd.DataFrame, count: str) -> list[tuple]:
    """Groups along one dimension holding exactly one suppressed cell beside a non-zero
    published one (so the suppressed value could be recovered from the total)."""
    dims = [*disclosure.attribute_columns(frame.columns), *disclosure.place_columns(frame.columns)]
    keys = [c for c in frame.columns if c not in (count, SUPPRESSED)
            and frame[c].dtype.kind != "f"]
    bad = []
    for dim in dims:
        others = [k for k in keys if k != dim]
        for key, g in frame.groupby(others, dropna=False):
            n_sup = int(g[SUPPRESSED].sum())
            open_nonzero = (~g[SUPPRESSED] & (g[count].fillna(0) > 0)).sum()
            if n_sup == 1 and open_nonzero > 0:
                bad.append((dim, key))
    return bad


def test_secondary_suppression_protects_a_lone_cell_from_its_total():
    # one small cell (2) in a row of large ones: its value would follow from the row total
    frame = _grid([2, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20])
    out, done = protect(frame)
    assert done.primary == 1
    assert done.secondary >= 1
    assert _lone_suppressed_groups(out, "postings_count") == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 12), min_size=12, max_size=12))
def test_protect_on_random_tables(values):
    """Whatever the counts: every cell of 1–4 is suppressed, published cells are exact, no lone
    suppressed cell remains in any group, and the table keeps its rows."""
    frame = _grid(values)
    out, _ = protect(frame)
    small = frame["postings_count"].between(1, THRESHOLD - 1)
    assert out.loc[small, SUPPRESSED].all()
    published = ~out[SUPPRESSED]
    assert (out.loc[published, "postings_count"].astype(int)
            == frame.loc[published, "postings_count"]).all()
    assert _lone_suppressed_groups(out, "postings_count") == []


def test_the_attack_finds_a_unique_match_and_only_that():
    postings = pd.DataFrame({"posting": [0, 1, 2], "adcode": [110000, 110000, 120000],
                             "sex": ["male", "female", "male"], "period": ["p1", "p1", "p1"]})
    published = pd.DataFrame({"adcode": [110000, 120000], "sex": ["male", "male"],
                              "period": ["p1", "p1"], "postings_count": [1, 1]})
    result = linkage_attack("t", published, postings)
    assert result.rows_linked == 2 and result.violates
    protected, _ = protect(published)
    assert not linkage_attack("t", protected, postings).violates
    one_attribute = published.drop(columns="sex")
    assert not linkage_attack("t", one_attribute, postings).violates  # allowed: place × period


# --------------------------------------------------------------------------------------------
# the real data


@pytest.fixture(scope="module")
def records(processed) -> dict[str, pd.DataFrame]:
    return {n: tables.read(n, processed) for n in RECORD_TABLES}


@pytest.fixture(scope="module")
def postings(records) -> pd.DataFrame:
    from analysis.topics.cases.build import age_group_of, period_of

    return posting_attributes(pd.concat(list(records.values()), ignore_index=True),
                              period_of=period_of, age_group_of=age_group_of)


def _published_csvs() -> list:
    folders = [paths.PROCESSED, paths.ROOT / "report" / "data"]
    return sorted(f for d in folders if d.is_dir() for f in d.glob("*.csv")
                  if not f.name.endswith(".rows.csv"))


def test_record_tables_live_only_in_the_internal_folder(processed, records):
    assert len(records) == 4
    for name in RECORD_TABLES:
        assert (paths.INTERIM / f"{name}.csv").is_file()
        assert not (processed / f"{name}.csv").exists()
        assert not (paths.ROOT / "report" / "data" / f"{name}.csv").exists()
    for f in _published_csvs():
        header = f.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
        assert "record_key" not in header, f
    ignored = subprocess.run(["git", "check-ignore", "-q", str(paths.INTERIM / "x.csv")],
                             cwd=paths.ROOT).returncode
    assert ignored == 0, "data/interim/ must be git-ignored"


def test_no_published_row_links_to_one_posting(postings):
    files = _published_csvs()
    assert len(files) >= 25
    checked = 0
    for f in files:
        result = linkage_attack(f.stem, pd.read_csv(f), postings)
        assert not result.violates, (f"{f}: {result.rows_linked} rows crossing "
                                     f"{result.attributes} attributes match one posting")
        checked += result.attributes >= 2
    assert checked >= 2  # case_counts and case_composition were really attacked


@pytest.mark.parametrize("name", RECORD_TABLES)
def test_the_attack_fails_when_a_record_table_is_put_back(name, postings, tmp_path):
    """Today's per-posting tables (as the project published them before) are caught."""
    shutil.copy(paths.INTERIM / f"{name}.csv", tmp_path / f"{name}.csv")
    frame = pd.read_csv(tmp_path / f"{name}.csv")
    result = linkage_attack(name, frame, postings)
    assert result.violates
    # even without the (secret-salted) record key, most postings are unique on their fields
    without_key = linkage_attack(name, frame.drop(columns="record_key"), postings)
    assert without_key.violates


def test_the_build_refuses_a_linkable_table(records, postings):
    """The gate at the write exit raises for a published table that links (here: a record
    table presented as published)."""
    built = {n: CleanTable(n, f, RowAccount(n)) for n, f in records.items()}
    fake = {"case_records_leak": CleanTable("case_records_leak",
                                                   records[RECORD_TABLES[0]],
                                                   RowAccount("x"))}
    with pytest.raises(PrivacyError, match="match exactly one posting"):
        pipeline.check_linkage(built, fake)


def _independent_counts(records: dict[str, pd.DataFrame],
                        family: pd.DataFrame | None = None) -> pd.DataFrame:
    """case_counts recomputed from the records in a second, simpler way (no zero fill); the
    places-only family table (``case_places_wtt1002_family``: no dates, no category) added as
    it is."""
    from analysis.vocab.cases import period_of

    parts = []
    if family is not None:
        parts.append(pd.DataFrame({
            "source": "wtt1002_family", "side": "lost", "place_role": "lost",
            "category": "unknown", "period": "unknown",
            "adcode": family["adcode"].astype(int)}).loc[
                lambda f: f.index.repeat(family["lost_postings_count"].to_numpy())])
    for frame in records.values():
        for role, col in (("lost", "lost_adcode_province"),
                          ("current_or_found", "current_or_found_adcode_province")):
            f = frame[frame[col].notna()]
            parts.append(pd.DataFrame({
                "source": f["source"], "side": f["side"], "place_role": role,
                "category": f["category"], "period": period_of(f["missing_year"]),
                "adcode": f[col].astype(int)}))
    return (pd.concat(parts).groupby(["source", "side", "place_role", "category", "period",
                                      "adcode"]).size().rename("true_count").reset_index())


def test_every_small_cell_of_case_counts_is_suppressed(processed, records):
    published = pd.read_csv(processed / "case_counts.csv")
    truth = _independent_counts(records, pd.read_csv(processed /
                                                     "case_places_wtt1002_family.csv"))
    keys = ["source", "side", "place_role", "category", "period", "adcode"]
    merged = published.merge(truth, on=keys, how="left")
    merged["true_count"] = merged["true_count"].fillna(0).astype(int)
    small = merged["true_count"].between(1, THRESHOLD - 1)
    assert small.sum() > 50
    assert merged.loc[small, SUPPRESSED].all()
    assert merged.loc[small, "postings_count"].isna().all()
    shown = ~merged[SUPPRESSED]
    assert (merged.loc[shown, "postings_count"] == merged.loc[shown, "true_count"]).all()
    assert _lone_suppressed_groups(published, "postings_count") == []
    account = tables.read_account("case_counts", processed)
    noted = sum(n for (f, _), n in account.notes.items() if f == "disclosure")
    assert noted == int(published[SUPPRESSED].sum())


def test_every_published_table_crossing_two_attributes_is_protected(processed):
    crossing = 0
    for f in sorted(processed.glob("*.csv")):
        if f.name.endswith(".rows.csv"):
            continue
        frame = pd.read_csv(f)
        if rule_applies(frame.columns):
            crossing += 1
            assert SUPPRESSED in frame.columns, f.name
            (count,) = disclosure.count_columns(frame.columns)
            values = frame[count].dropna()
            assert not values.between(1, THRESHOLD - 1).any(), f.name
            assert frame.loc[frame[SUPPRESSED], count].isna().all(), f.name
    assert crossing >= 2


def test_totals_over_one_attribute_stay_exact(processed, records):
    """Suppression never changes a total: place × period postings are published exact."""
    by_period = pd.read_csv(processed / "case_counts_by_period.csv")
    truth = _independent_counts(records, pd.read_csv(
        processed / "case_places_wtt1002_family.csv")).groupby(
        ["source", "side", "place_role", "period", "adcode"])["true_count"].sum()
    merged = by_period.set_index(["source", "side", "place_role", "period", "adcode"])
    merged = merged.join(truth).fillna({"true_count": 0})
    np.testing.assert_array_equal(merged["postings_count"].to_numpy(),
                                  merged["true_count"].to_numpy())
