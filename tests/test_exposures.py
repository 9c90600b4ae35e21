"""Tests of analysis.topics.models.exposures: the per-province exposure table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import pipeline, tables
from analysis.core.accounts import RowAccount
from analysis.core.step import CleanTable
from analysis.sources.left_behind.clean import DEFINITIONS
from analysis.topics.models.exposures import (
    INPUT_TABLES,
    LEFT_BEHIND,
    OD_PERIODS,
    exposure_sd,
    in_column,
    largest_provinces,
    out_column,
    province_exposures,
)
from analysis.vocab.provinces import MAINLAND31


@pytest.fixture(scope="module")
def inputs(processed) -> dict[str, pd.DataFrame]:
    return {name: tables.read(name, processed) for name in INPUT_TABLES}


@pytest.fixture(scope="module")
def exposures(inputs) -> pd.DataFrame:
    frame, account = province_exposures(inputs)
    account.check()
    return frame


def test_31_provinces_and_schema(exposures):
    assert len(exposures) == 31
    assert exposures["adcode"].tolist() == sorted(MAINLAND31)
    pipeline.validate(CleanTable("province_exposures", exposures, RowAccount("x")))
    complete = [c for c in exposures.columns
                if not c.startswith("left_behind_") and c != "urban_2020_share"]
    assert not exposures[complete].isna().any().any()
    # Xinjiang has no urban/rural split in the 2020 prefecture census
    assert exposures.loc[exposures["adcode"] == 650000, "urban_2020_share"].isna().all()
    assert exposures["urban_2020_share"].isna().sum() == 1


def test_migration_rates_copied_from_the_period_tables(exposures, inputs):
    mig = inputs["migration_by_province"].set_index(["period", "adcode"])
    ex = exposures.set_index("adcode")
    for period in OD_PERIODS[1:]:
        np.testing.assert_allclose(ex[out_column(period)],
                                   mig.loc[period]["out_migration_per_1000"].reindex(ex.index))
        np.testing.assert_allclose(ex[in_column(period)],
                                   mig.loc[period]["in_migration_per_1000"].reindex(ex.index))


def test_in_migration_1995_2000_recomputed_from_the_od_flows(exposures, processed):
    """Independent recomputation from migration_od: destination sums / 0.095 / population 2000."""
    od = tables.read("migration_od", processed)
    od = od[od["period"] == "1995–2000"]
    inflow = od.groupby("destination_adcode")["sample_count"].sum() / 0.095
    pop = tables.read("population_yearend", processed)
    pop2000 = pop[pop["year"] == 2000].set_index("adcode")["population_persons"]
    expected = (inflow.round() / pop2000 * 1000).reindex(sorted(MAINLAND31))
    got = exposures.set_index("adcode")[in_column("1995–2000")]
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy(), rtol=1e-6)


def test_hukou_share_recomputed_from_persons(exposures, inputs):
    hk = inputs["census_hukou_province"]
    for year in (2010, 2020):
        h = hk[hk["census_year"] == year].set_index("adcode").reindex(sorted(MAINLAND31))
        expected = h["other_province_persons"] / h["resident_population_persons"]
        np.testing.assert_allclose(
            exposures[f"other_province_hukou_{year}_share"].to_numpy(), expected.to_numpy())
    # 2020 census: Shanghai (10.48 M of 24.87 M) and Beijing (8.42 M of 21.89 M) have the
    # largest shares of residents with hukou in another province
    top = exposures.nlargest(2, "other_province_hukou_2020_share")["adcode"].tolist()
    assert top == [310000, 110000]
    sh = exposures.set_index("adcode").loc[310000, "other_province_hukou_2020_share"]
    assert sh == pytest.approx(10_479_652 / 24_870_895, abs=2e-3)


def test_left_behind_columns_never_mix_definitions(exposures, inputs):
    lb = inputs["left_behind_children"]
    ex = exposures.set_index("adcode")
    for column, (definition, source_ids, year) in LEFT_BEHIND.items():
        values = ex[column].dropna()
        assert len(values) >= 1
        for adcode, value in values.items():
            rows = lb[(lb["adcode"] == adcode) & (lb["persons"] == value)]
            assert len(rows) >= 1
            assert set(rows["definition_id"]) == {definition}, column
            assert set(rows["source_id"]) <= set(source_ids)
            assert set(rows["reference_year"]) == {year}
    # the partial coverage is visible: most provinces have no figure
    assert (exposures["left_behind_sources"] == "none").sum() >= 20
    sichuan = ex.loc[510000]
    assert sichuan["left_behind_acwf_2010_persons"] == 6_920_292  # 11.34 % of 61.03 M
    assert sichuan["left_behind_mca_2018_persons"] == 765_000
    assert "ACWF2013 (2010)" in sichuan["left_behind_sources"]


def _synthetic_left_behind(real: pd.DataFrame) -> pd.DataFrame:
    """Two definitions for the same province, with values that would be wrong if swapped."""
    base = real.iloc[:0].copy()
    rows = []
    for sid, definition, year, persons in (("ACWF2013", "acwf_rural_0_17_one_or_both_parents",
                                            2010, 1_000_000),
                                           ("MCA2016-prov", "mca_rural_under16_both_parents",
                                            2016, 111),
                                           ("MCA2018", "mca_rural_under16_both_parents",
                                            2018, 222)):
        rows.append({"source_id": sid, "publisher": "x", "reference_year": year,
                     "definition_id": definition, "definition": DEFINITIONS[definition],
                     "geography": "province", "adcode": 130000, "name_zh": "河北",
                     "value": float(persons), "unit": "persons", "persons": persons,
                     "persons_derived": False, "citation_url": "http://example.org",
                     "citation_status": "is_original",
                     "note": None})
    return pd.concat([base, pd.DataFrame(rows)], ignore_index=True).astype(real.dtypes.to_dict())


def test_left_behind_synthetic_fixture(inputs):
    fake = dict(inputs)
    fake["left_behind_children"] = _synthetic_left_behind(inputs["left_behind_children"])
    frame, account = province_exposures(fake)
    account.check()
    row = frame.set_index("adcode").loc[130000]
    assert row["left_behind_acwf_2010_persons"] == 1_000_000
    assert row["left_behind_mca_2016_persons"] == 111
    assert row["left_behind_mca_2018_persons"] == 222
    assert frame.drop(columns=list(LEFT_BEHIND)).set_index("adcode").drop(130000)[
        "left_behind_sources"].eq("none").all()
    # two figures of one definition and year for one province cannot be put in one column
    twice = pd.concat([fake["left_behind_children"], fake["left_behind_children"].iloc[[1]]],
                      ignore_index=True)
    with pytest.raises(ValueError, match="two figures"):
        province_exposures({**fake, "left_behind_children": twice})


def test_missing_province_raises(inputs):
    broken = dict(inputs)
    broken["census2020_province"] = inputs["census2020_province"].iloc[1:]
    with pytest.raises(ValueError, match="31 mainland provinces"):
        province_exposures(broken)


def test_largest_provinces_are_guangdong_shandong_henan(exposures):
    # 2020 census: Guangdong 126.0 M, Shandong 101.5 M, Henan 99.4 M
    assert largest_provinces(exposures) == [440000, 370000, 410000]
    assert exposures["largest_province"].sum() == 3


def test_standardise_and_sd(exposures):
    col = out_column("2005–2010")
    x = exposures[col].astype(float)
    z = (x - x.mean()) / exposure_sd(exposures, col)  # the z-score of an IRR "per SD"
    assert abs(z.mean()) < 1e-12
    assert z.std(ddof=1) == pytest.approx(1.0)
    assert exposure_sd(exposures, col) == pytest.approx(np.std(exposures[col], ddof=1))
    flat = exposures.assign(flat=1.0)
    with pytest.raises(ValueError, match="no spread"):
        exposure_sd(flat, "flat")
