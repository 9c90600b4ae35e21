"""Integration: the built data/processed/ on the real mirrored data."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import tables
from analysis.schemas import SCHEMAS
from analysis.vocab.provinces import MAINLAND31

#: Tables keyed by province that are partial by nature (documented in their schemas).
PARTIAL = {"left_behind_children", "county_left_behind_check"}
#: Tables with one row per prefecture (adcode = the prefecture code).
PREFECTURE_TABLES = {"census_city_prefecture", "census_prefecture", "prefecture_hotspot_local",
                     "prefecture_hotspot_sensitivity"}
#: Tables with one row per county-level unit, or per province and 全国 (census_county room).
COUNTY_TABLES = {"census_county", "census_county_units", "census_county_crosswalk",
                 "census_county_province_check", "county_exposures",
                 "county_model_added_variable", "county_model_residuals"}


def _built(processed):
    return sorted(p.name.removesuffix(".rows.csv") for p in processed.glob("*.rows.csv"))


def test_every_step_table_is_built_and_has_a_schema(processed):
    built = _built(processed)
    assert built, "no tables built"
    assert set(built) <= set(SCHEMAS)
    for step_table in ("population_yearend", "census2020_province", "census_hukou_province",
                       "migration_od", "migration_by_province", "left_behind_children",
                       "boundaries_ocha", "boundaries_cn_atlas"):
        assert step_table in built


def test_every_table_validates_on_read_and_its_account_balances(processed):
    for name in _built(processed):
        frame = tables.read(name, processed)
        assert len(frame) > 0, name
        acc = tables.read_account(name, processed).check()
        assert sum(acc.kept.values()) > 0, name


def test_province_tables_hold_exactly_the_31_mainland_provinces(processed):
    checked = 0
    for name in _built(processed):
        if (name in PARTIAL | PREFECTURE_TABLES | COUNTY_TABLES
                or name.startswith("boundaries")):
            continue
        frame = tables.read(name, processed)
        if "adcode" not in frame.columns:
            continue
        keys = [c for c in SCHEMAS[name].unique or [] if c != "adcode"]
        groups = frame.groupby(keys) if keys else [((), frame)]
        for key, g in groups:
            assert sorted(g["adcode"]) == sorted(MAINLAND31), (name, key)
        checked += 1
    assert checked >= 4


def test_published_national_totals_are_reproduced(processed):
    hukou = tables.read("census_hukou_province", processed)
    by_year = hukou.groupby("census_year")["other_province_persons"].sum()
    assert by_year[2020] == 124_837_153
    assert by_year[2010] == 85_876_337
    pop = tables.read("census2020_province", processed)
    assert pop["population_persons"].sum() == 1_409_778_724  # 1,411,778,724 − 2,000,000 military


def test_migration_flows_balance(processed):
    od = tables.read("migration_od", processed)
    byp = tables.read("migration_by_province", processed)
    for period, g in od.groupby("period"):
        p = byp[byp["period"] == period].set_index("adcode")
        out = g.groupby("origin_adcode")["sample_count"].sum()
        inn = g.groupby("destination_adcode")["sample_count"].sum()
        assert (p["out_sample_count"] == out.reindex(p.index)).all(), period
        assert (p["in_sample_count"] == inn.reindex(p.index)).all(), period


def test_data_dictionary_documents_every_table_and_column(processed):
    """Published tables in data/processed/README.md, internal ones in data/interim/README.md
    (and listed, by their row accounts, in the published one)."""
    from analysis.schemas import is_internal
    from analysis.tables import interim_beside

    text = (processed / "README.md").read_text(encoding="utf-8")
    internal_text = (interim_beside(processed) / "README.md").read_text(encoding="utf-8")
    for name in _built(processed):
        doc = internal_text if is_internal(name) else text
        assert f"## `{name}`" in doc, name
        for col in SCHEMAS[name].columns:
            assert f"| `{col}` |" in doc, (name, col)
        if is_internal(name):
            assert f"| `{name}` |" in text and f"## `{name}`" not in text, name
    assert "not verified" in text
    assert "INTERNAL, never publish" in internal_text


@pytest.mark.parametrize("name", ["census_hukou_province", "migration_by_province"])
def test_processed_csv_is_utf8_with_unix_newlines(processed, name):
    raw = (processed / f"{name}.csv").read_bytes()
    raw.decode("utf-8")
    assert b"\r\n" not in raw
    assert pd.read_csv(processed / f"{name}.csv").shape[0] > 0
