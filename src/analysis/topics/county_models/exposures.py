"""County exposure table: one row per harmonised 2010–2020 county unit, and the left-behind check.

:func:`county_exposures` sums the leaves of ``census_county`` per harmonised unit of
``census_county_crosswalk`` and census year, then takes the ratios of
:data:`analysis.vocab.county_exposures.COUNTY_EXPOSURES` (formulas stated there and in the
schema). A sum is missing when any leaf of the unit has the value missing (nothing is filled);
a ratio is missing when its sum is missing or its denominator is 0.

:func:`left_behind_check` aggregates the left-behind proxy (children 0–14 per adult 20–49) to
provinces (leaves summed) and ranks it against the partial ACWF/MCA provincial figures of
``left_behind_children``: left-behind children ÷ children aged 0–14 of the province in the
census nearest to the figure's reference year; Spearman's ρ with its n per source.
"""

from __future__ import annotations

import pandas as pd

from analysis.core.accounts import RowAccount
from analysis.stats.count_models import spearman
from analysis.vocab.county_exposures import BY_ID, COUNTY_EXPOSURES

TABLE = "county_exposures"
CHECK_TABLE = "county_left_behind_check"

#: Summed census columns per year (persons), before the ratios.
_SUMS = ("population_persons", "hukou_registered_persons",
         "hukou_elsewhere_other_province_persons", "hukou_elsewhere_other_county_persons",
         "age_0_14_persons", "age_20_49_persons", "age_0_4_male_persons",
         "age_0_4_female_persons", "urban_persons", "college_or_above_persons",
         "agriculture_occupation_sample_persons", "employed_sample_persons")


def harmonised_sums(county: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Census counts summed per (harmonised unit, census year).

    Returns
    -------
    DataFrame with ``harmonised_code``, ``census_year``, ``leaves_count`` and the columns of
    :data:`_SUMS` (persons; NaN when any leaf is missing the value).
    """
    cw = crosswalk[["census_year", "code", "harmonised_code"]]
    merged = county.merge(cw, left_on=["census_year", "county_code"],
                          right_on=["census_year", "code"], how="left", validate="1:1")
    if merged["harmonised_code"].isna().any():
        bad = merged.loc[merged["harmonised_code"].isna(), "county_code"].tolist()[:5]
        raise ValueError(f"census_county leaves without a crosswalk row: {bad}")
    keys = ["harmonised_code", "census_year"]
    vals = merged[list(_SUMS)].astype(float)
    sums = vals.groupby([merged[k] for k in keys]).sum()
    gaps = vals.isna().groupby([merged[k] for k in keys]).any()
    out = sums.mask(gaps)
    out["leaves_count"] = merged.groupby(keys).size()
    return out.reset_index()


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    den = den.astype(float)
    return (num.astype(float) / den.where(den > 0)).astype(float)


def county_exposures(county: pd.DataFrame, crosswalk: pd.DataFrame
                     ) -> tuple[pd.DataFrame, RowAccount]:
    """One row per harmonised unit: ids, child populations and every county exposure.

    Parameters
    ----------
    county : ``census_county``
    crosswalk : ``census_county_crosswalk``

    Returns
    -------
    (frame, account): columns ``harmonised_code``, ``harmonised_name_zh``, ``prefecture_code``
    (2020 prefecture, the cluster), ``adcode``, ``population_2010_persons``,
    ``population_2020_persons``, ``age_0_14_2010_persons``, ``age_0_14_2020_persons`` and the
    ids of :data:`COUNTY_EXPOSURES`; sorted by ``harmonised_code``.
    """
    units = (crosswalk[["harmonised_code", "harmonised_name_zh", "harmonised_prefecture_code",
                        "harmonised_adcode"]]
             .drop_duplicates("harmonised_code").sort_values("harmonised_code")
             .rename(columns={"harmonised_prefecture_code": "prefecture_code",
                              "harmonised_adcode": "adcode"}).reset_index(drop=True))
    sums = harmonised_sums(county, crosswalk)
    y10 = sums[sums["census_year"] == 2010].set_index("harmonised_code")
    y20 = sums[sums["census_year"] == 2020].set_index("harmonised_code")
    out = units.set_index("harmonised_code")
    out["population_2010_persons"] = y10["population_persons"]
    out["population_2020_persons"] = y20["population_persons"]
    out["age_0_14_2010_persons"] = y10["age_0_14_persons"]
    out["age_0_14_2020_persons"] = y20["age_0_14_persons"]
    by_year = {2010: y10.reindex(out.index), 2020: y20.reindex(out.index)}
    formulas = {
        "out_migration_2010_share": lambda d: _ratio(
            d["hukou_registered_persons"] - d["population_persons"],
            d["hukou_registered_persons"]),
        "in_migrant_2020_share": lambda d: _ratio(
            d["hukou_elsewhere_other_province_persons"]
            + d["hukou_elsewhere_other_county_persons"], d["population_persons"]),
        "in_migrant_other_province_2020_share": lambda d: _ratio(
            d["hukou_elsewhere_other_province_persons"], d["population_persons"]),
        "children_per_adult_2010_ratio": lambda d: _ratio(d["age_0_14_persons"],
                                                          d["age_20_49_persons"]),
        "children_per_adult_2020_ratio": lambda d: _ratio(d["age_0_14_persons"],
                                                          d["age_20_49_persons"]),
        "child_sex_ratio_2010_boys_per_100_girls": lambda d: 100 * _ratio(
            d["age_0_4_male_persons"], d["age_0_4_female_persons"]),
        "child_sex_ratio_2020_boys_per_100_girls": lambda d: 100 * _ratio(
            d["age_0_4_male_persons"], d["age_0_4_female_persons"]),
        "urban_2010_share": lambda d: _ratio(d["urban_persons"], d["population_persons"]),
        "college_2010_share": lambda d: _ratio(d["college_or_above_persons"],
                                               d["population_persons"]),
        "farm_occupation_2010_share": lambda d: _ratio(
            d["agriculture_occupation_sample_persons"], d["employed_sample_persons"]),
    }
    if set(formulas) != set(BY_ID):  # pragma: no cover
        raise RuntimeError("every county exposure needs one formula")
    for e in COUNTY_EXPOSURES:
        out[e.id] = formulas[e.id](by_year[e.year]).astype(float)
    out = out.reset_index()
    for c in ("population_2010_persons", "population_2020_persons", "age_0_14_2010_persons",
              "age_0_14_2020_persons"):
        out[c] = out[c].round().astype("Int64")
    acc = RowAccount(TABLE)
    acc.add_read("census_county_crosswalk harmonised units", len(out))
    acc.add_kept("census_county_crosswalk harmonised units", len(out))
    for e in COUNTY_EXPOSURES:
        acc.note("census_county_crosswalk harmonised units",
                 f"{e.id} missing (no leaf of {e.year}, a leaf's value missing, or denominator 0)",
                 int(out[e.id].isna().sum()))
    return out, acc


def _province_sums(county: pd.DataFrame, year: int) -> pd.DataFrame:
    c = county[county["census_year"] == year]
    return c.groupby("adcode")[["age_0_14_persons", "age_20_49_persons"]].sum(min_count=1)


def left_behind_check(county: pd.DataFrame, left_behind: pd.DataFrame
                      ) -> tuple[pd.DataFrame, RowAccount]:
    """Rank agreement of the left-behind proxy with the published provincial figures.

    For each ``source_id`` of ``left_behind_children`` with province rows in persons: the proxy
    Σ age_0_14 ÷ Σ age_20_49 over the province's leaves, and the published rate left-behind
    persons ÷ Σ age_0_14 (children 0–14 of the census year nearest the reference year: 2010
    for reference years up to 2015, else 2020; the definitions' age ranges, 0–17 or under 16,
    differ from 0–14, so the rate is a scale, not a share); Spearman's ρ between the two over
    the provinces the source covers.

    Returns
    -------
    (frame, account): one row per source × province with ``source_id``, ``definition_id``,
    ``reference_year``, ``census_year``, ``adcode``, the proxy and the published rate, their
    ranks (1 = highest) within the source, and the source's ``provinces_count`` (n),
    ``spearman_rho`` and ``p_value`` (two-sided, scipy; NaN when n < 3) on every row.
    """
    lb = left_behind[(left_behind["geography"] == "province")]
    acc = RowAccount(CHECK_TABLE)
    acc.add_read("left_behind_children province rows", len(lb))
    usable = lb[lb["persons"].notna()]
    acc.drop("left_behind_children province rows", "no figure in persons", len(lb) - len(usable))
    acc.add_kept("left_behind_children province rows", len(usable))
    frames = []
    for source_id, g in usable.groupby("source_id", sort=True):
        ref = int(g["reference_year"].iloc[0])
        year = 2010 if ref <= 2015 else 2020
        prov = _province_sums(county, year)
        adc = g["adcode"].astype(int).to_numpy()
        children = prov["age_0_14_persons"].reindex(adc).to_numpy(float)
        proxy = prov["age_0_14_persons"].reindex(adc).to_numpy(float) / prov[
            "age_20_49_persons"].reindex(adc).to_numpy(float)
        rate = g["persons"].astype(float).to_numpy() / children
        rho, p, n = spearman(proxy, rate)
        frames.append(pd.DataFrame({
            "source_id": source_id, "definition_id": str(g["definition_id"].iloc[0]),
            "reference_year": ref, "census_year": year, "adcode": adc,
            "proxy_children_per_adult_ratio": proxy,
            "left_behind_per_child_ratio": rate,
            "proxy_rank": pd.Series(proxy).rank(ascending=False).to_numpy(float),
            "left_behind_rank": pd.Series(rate).rank(ascending=False).to_numpy(float),
            "provinces_count": n, "spearman_rho": rho, "p_value": p}))
    frame = pd.concat(frames, ignore_index=True).sort_values(["source_id", "adcode"])
    frame["provinces_count"] = frame["provinces_count"].astype("int64")
    frame["adcode"] = frame["adcode"].astype("int64")
    return frame.reset_index(drop=True), acc
