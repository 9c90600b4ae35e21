"""Migration atlas: the tidy frames behind notebook 01's maps (hukou share, out-migration, flows).

Pure functions on processed tables (pass them in, or let them be read with
:func:`analysis.tables.read`). Province display names come from the crosswalk.
"""

from __future__ import annotations

import pandas as pd

from analysis import tables
from analysis.vocab.provinces import crosswalk


def with_names(frame: pd.DataFrame, on: str = "adcode", prefix: str = "") -> pd.DataFrame:
    """Add ``<prefix>name_en`` and ``<prefix>name_zh`` (short Chinese) for the adcodes in ``on``."""
    names = crosswalk()[["adcode", "name_en", "name_zh_short"]].rename(
        columns={"adcode": on, "name_en": f"{prefix}name_en", "name_zh_short": f"{prefix}name_zh"})
    return frame.merge(names, on=on, how="left", validate="many_to_one")


def hukou_other_province(census_year: int = 2020, hukou: pd.DataFrame | None = None
                         ) -> pd.DataFrame:
    """Residents whose hukou is registered in another province, by province of residence.

    Returns
    -------
    ``adcode, name_en, name_zh, other_province_persons, resident_population_persons,
    other_province_share`` (0–1), sorted by share, descending.
    """
    hukou = tables.read("census_hukou_province") if hukou is None else hukou
    cols = ["adcode", "other_province_persons", "resident_population_persons",
            "other_province_share"]
    out = hukou.loc[hukou["census_year"] == census_year, cols]
    return with_names(out).sort_values("other_province_share", ascending=False,
                                       ignore_index=True)


def out_migration(period: str = "2005–2010", by_province: pd.DataFrame | None = None
                  ) -> pd.DataFrame:
    """Out-migration to other provinces by origin province for one five-year period.

    Returns
    -------
    ``adcode, name_en, name_zh, out_sample_count, out_estimate_persons,
    at_risk_origin_sample_count, out_migration_per_1000`` sorted by rate, descending.
    """
    by_province = tables.read("migration_by_province") if by_province is None else by_province
    cols = ["adcode", "out_sample_count", "out_estimate_persons", "at_risk_origin_sample_count",
            "out_migration_per_1000"]
    sel = by_province.loc[by_province["period"] == period, cols]
    if sel.empty:
        raise ValueError(f"no migration rows for period {period!r}; periods: "
                         f"{sorted(by_province['period'].unique())}")
    return with_names(sel).sort_values("out_migration_per_1000", ascending=False,
                                       ignore_index=True)


def top_flows(period: str = "2015–2020", n: int = 20, od: pd.DataFrame | None = None
              ) -> pd.DataFrame:
    """The ``n`` largest inter-provincial flows of a period (by sample count; ties by adcodes).

    Returns
    -------
    ``rank, origin_adcode, origin_name_en, destination_adcode, destination_name_en,
    sample_count, estimate_persons, share_of_all_interprovincial`` (0–1, of the period's total).
    """
    od = tables.read("migration_od") if od is None else od
    sel = od.loc[od["period"] == period]
    total = sel["sample_count"].sum()
    top = sel.sort_values(["sample_count", "origin_adcode", "destination_adcode"],
                          ascending=[False, True, True]).head(n).copy()
    top["share_of_all_interprovincial"] = top["sample_count"] / total
    top.insert(0, "rank", range(1, len(top) + 1))
    top = with_names(top, on="origin_adcode", prefix="origin_")
    top = with_names(top, on="destination_adcode", prefix="destination_")
    cols = ["rank", "origin_adcode", "origin_name_en", "origin_name_zh", "destination_adcode",
            "destination_name_en", "destination_name_zh", "sample_count", "estimate_persons",
            "share_of_all_interprovincial"]
    return top[cols].reset_index(drop=True)
