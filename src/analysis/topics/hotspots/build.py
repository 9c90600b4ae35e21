"""Hotspot statistics of the case postings: EB rates, Moran's I, LISA, Gi*, rank differences and
the comparison with the published geography (step ``derive.hotspots``).

Inputs (earlier steps): ``case_rates``, ``case_counts``, ``case_flows``, ``boundaries_ocha``,
``boundaries_cn_atlas``; the manual table ``published_figures_with_quotes.csv``.

Tables built
------------
``hotspot_neighbours``
    the spatial weights used, one row per directed link: queen contiguity of the 31 mainland
    provinces, and Hainan (no land neighbour) attached to its 2 nearest provinces by centroid
    distance in the equal-area projection (:func:`analysis.geo.province_weights`). Both basemaps
    give the same links (checked here), so the statistics do not depend on the basemap.
``hotspot_local``
    one row per (measure, period, adcode): postings, children aged 0–14, raw and global
    empirical-Bayes rates per 100,000 children, the small-count flag (fewer than
    :data:`~analysis.vocab.settings.MIN_COUNT` postings), the rank of the EB rate, local Moran
    (LISA) and Getis–Ord Gi* of the EB rate with seeded permutation p-values
    (:data:`~analysis.vocab.settings.PERMUTATIONS`, :data:`~analysis.vocab.seeds.SEED`),
    Benjamini–Hochberg FDR-adjusted p-values and labels after FDR and unadjusted. Measures are
    those of ``case_rates`` (the registry :mod:`analysis.vocab.measures`) pooled over all
    periods (``period = "all periods"``) and, for sources with years, by period (each
    measure's ``period_panels``).
``hotspot_global_moran``
    one row per (measure, period, rate kind): global Moran's I of the raw and of the EB rate.
``hotspot_lisa_sensitivity``
    one row per (pooled measure, adcode): the LISA cluster under each weights variant
    (queen, k nearest provinces, distance band) and how often it holds over weights × seeds.
``hotspot_source_destination``
    one row per (source, adcode) for the two sources with both places (reunions; adults
    searching): EB rate ranks on the lost and the destination side, their difference (positive
    = the province ranks higher as a place children are lost than as a place they are found:
    a net "source") and the flow balance.
``published_hotspot_comparison``, ``published_flow_comparison``
    Xin & Cai's regions and Wang et al.'s measures next to ours (:mod:`analysis.topics.hotspots.compare`).

The population at risk is a scale, not an incidence denominator: children aged 0–14 of the 2020
census for the 2021/2023 scrapes (uiuing, Juvenile-XI), of 2010 (estimate) for the 2016 scrape
(wtt1002), whose children went missing mostly before 2000 (each measure's ``children_year``).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import Queen, W

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.stats import hotspots
from analysis.stats.weights import distance_band_weights, prefecture_knn_weights, province_weights
from analysis.topics.hotspots import compare
from analysis.topics.hotspots.schema import (
    CHANGING,
    DISTANCE_WEIGHTS,
    ISLAND_LINK,
    NEVER,
    QUEEN_LINK,
    QUEEN_WEIGHTS,
    RATE_KINDS,
    SENSITIVITY_KNN,
    SENSITIVITY_SEEDS,
    SENSITIVITY_WEIGHTS,
    STABLE,
)
from analysis.vocab import measures
from analysis.vocab.basemaps import BASEMAPS, CHINA_ALBERS
from analysis.vocab.measures import CHILDREN_YEAR, MEASURES, PAIRS, PERIOD_PANELS
from analysis.vocab.periods import HOTSPOT_ALL_PERIODS as POOLED
from analysis.vocab.provinces import MAINLAND31
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import ALPHA, MIN_COUNT, PERMUTATIONS

#: Display labels of the measures (a view of the registry; notebooks 03 and 04 and
#: :mod:`analysis.hotspot_figures` read it here).
MEASURE_LABELS = measures.MEASURE_LABELS

#: Tables this step reads and builds.
NEEDS = (*(f"boundaries_{b}" for b in BASEMAPS), "case_rates", "case_counts", "case_flows")
PROVIDES = ("hotspot_neighbours", "hotspot_local", "hotspot_global_moran",
            "hotspot_lisa_sensitivity", "hotspot_source_destination",
            "published_hotspot_comparison", "published_flow_comparison")


# --- weights ---------------------------------------------------------------------------------


def weights(boundaries: dict[str, gpd.GeoDataFrame]) -> W:
    """The province weights (:func:`analysis.geo.province_weights`), checked to be the same on
    every basemap given (``{basemap: boundaries}``); raises ``ValueError`` otherwise."""
    ws = {b: province_weights(g) for b, g in sorted(boundaries.items())}
    first = next(iter(ws.values()))
    ref = {int(i): sorted(int(j) for j in first.neighbors[i]) for i in first.id_order}
    for b, w in ws.items():
        other = {int(i): sorted(int(j) for j in w.neighbors[i]) for i in w.id_order}
        if other != ref:
            diff = sorted(a for a in ref if ref[a] != other.get(a))
            raise ValueError(f"neighbours differ between basemaps ({b}) for adcodes {diff}")
    return first


def neighbours_table(w: W, gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row per directed link of ``w``: ``province_adcode``, ``neighbour_adcode``, ``rule`` (queen
    contiguity or the island rule)."""
    g = gdf[gdf["adcode"].isin(MAINLAND31)].to_crs(CHINA_ALBERS)
    g = g.assign(adcode=g["adcode"].astype("int64")).set_index("adcode").sort_index()
    queen = Queen.from_dataframe(g, use_index=True, silence_warnings=True)
    rows = []
    for i in w.id_order:
        for j in sorted(w.neighbors[i]):
            land = int(j) in {int(k) for k in queen.neighbors[i]}
            rows.append({"province_adcode": int(i), "neighbour_adcode": int(j),
                         "rule": QUEEN_LINK if land else ISLAND_LINK})
    return pd.DataFrame(rows)


# --- inputs: counts and children per measure × period ---------------------------------------


def measure_inputs(rates: pd.DataFrame, counts: pd.DataFrame, account: RowAccount
                   ) -> pd.DataFrame:
    """Postings and children per (measure, period, adcode): pooled rows from ``case_rates`` and
    period rows from ``case_counts`` (summed over categories and over the periods of a panel).

    Returns ``measure, period, source, side, place_role, adcode, postings_count,
    children_0_14_persons, children_year``; every row of the inputs is accounted for.
    """
    parts = []
    account.add_read("case_rates", len(rates))
    for measure, m in MEASURES.items():
        source, side, role = m.source, m.side, m.place_role
        r = rates[rates["measure"] == measure].sort_values("adcode")
        year = CHILDREN_YEAR[measure]
        parts.append(pd.DataFrame({
            "measure": measure, "period": POOLED, "source": source, "side": side,
            "place_role": role, "adcode": r["adcode"].astype("int64").to_numpy(),
            "postings_count": r["postings_count"].astype("int64").to_numpy(),
            "children_0_14_persons": r[f"children_0_14_{year}_persons"].astype("int64")
            .to_numpy(),
            "children_year": year}))
    account.add_kept("case_rates", int(rates["measure"].isin(MEASURES).sum()))
    account.drop("case_rates", "measure not mapped", int((~rates["measure"].isin(MEASURES)).sum()))
    children = {m: parts[k].set_index("adcode")["children_0_14_persons"]
                for k, m in enumerate(MEASURES)}
    account.add_read("case_counts", len(counts))
    used = pd.Series(False, index=counts.index)
    for measure, panels in PERIOD_PANELS.items():
        m = MEASURES[measure]
        source, side, role = m.source, m.side, m.place_role
        sel = counts[(counts["source"] == source) & (counts["side"] == side)
                     & (counts["place_role"] == role)]
        for label, periods in panels:
            rows = sel[sel["period"].isin(periods)]
            used[rows.index] = True
            n = rows.groupby("adcode")["postings_count"].sum().reindex(sorted(MAINLAND31),
                                                                       fill_value=0)
            parts.append(pd.DataFrame({
                "measure": measure, "period": label, "source": source, "side": side,
                "place_role": role, "adcode": n.index.astype("int64"),
                "postings_count": n.to_numpy().astype("int64"),
                "children_0_14_persons": children[measure].reindex(n.index).to_numpy(),
                "children_year": CHILDREN_YEAR[measure]}))
    account.add_kept("case_counts", int(used.sum()))
    account.drop("case_counts", "no period panel (counted in the pooled rows of case_rates)",
                 int((~used).sum()))
    out = pd.concat(parts, ignore_index=True)
    out["children_year"] = out["children_year"].astype("int64")
    return out


# --- statistics ------------------------------------------------------------------------------


def _rank(values: np.ndarray) -> np.ndarray:
    """1 = highest; ties share the lowest rank (``method="min"``)."""
    return pd.Series(values).rank(ascending=False, method="min").to_numpy().astype("int64")


def local_table(inputs: pd.DataFrame, w: W, permutations: int = PERMUTATIONS,
                seed: int = SEED) -> pd.DataFrame:
    """The ``hotspot_local`` table (see the module docstring) from :func:`measure_inputs`."""
    parts = []
    keys = inputs[["measure", "period"]].drop_duplicates()
    for measure, period in keys.itertuples(index=False):
        sel = inputs[(inputs["measure"] == measure) & (inputs["period"] == period)]
        s = sel.set_index("adcode")
        eb = hotspots.eb_rates(s["postings_count"], s["children_0_14_persons"], w,
                               min_count=MIN_COUNT)
        y = eb.set_index("adcode")["eb_per_100k"]
        kw = {"permutations": permutations, "seed": seed, "alpha": ALPHA}
        lisa = hotspots.local_moran(y, w, fdr=True, **kw)
        lisa_raw = hotspots.local_moran(y, w, fdr=False, **kw)
        gi = hotspots.getis_ord(y, w, fdr=True, **kw)
        gi_raw = hotspots.getis_ord(y, w, fdr=False, **kw)
        frame = s.reindex(eb["adcode"]).reset_index()[
            ["measure", "period", "source", "side", "place_role", "adcode", "postings_count",
             "children_0_14_persons", "children_year"]]
        frame["raw_per_100k"] = eb["raw_per_100k"].to_numpy()
        frame["eb_per_100k"] = eb["eb_per_100k"].to_numpy()
        frame["small_count"] = eb["small_count"].to_numpy()
        frame["eb_rank"] = _rank(eb["eb_per_100k"].to_numpy())
        frame["neighbors_count"] = lisa["n_neighbors"].to_numpy()
        frame["lisa_z"] = lisa["z"].to_numpy()
        frame["lisa_lag_z"] = lisa["lag_z"].to_numpy()
        frame["lisa_local_i"] = lisa["local_i"].to_numpy()
        frame["lisa_quadrant"] = lisa["quadrant"].to_numpy()
        frame["lisa_p_sim"] = lisa["p_sim"].to_numpy()
        frame["lisa_p_adjusted"] = lisa["p_adjusted"].to_numpy()
        frame["lisa_cluster"] = lisa["cluster"].to_numpy()
        frame["lisa_cluster_unadjusted"] = lisa_raw["cluster"].to_numpy()
        frame["gi_g"] = gi["g"].to_numpy()
        frame["gi_z"] = gi["z"].to_numpy()
        frame["gi_p_norm"] = gi["p_norm"].to_numpy()
        frame["gi_p_sim"] = gi["p_sim"].to_numpy()
        frame["gi_p_adjusted"] = gi["p_adjusted"].to_numpy()
        frame["gi_label"] = gi["label"].to_numpy()
        frame["gi_label_unadjusted"] = gi_raw["label"].to_numpy()
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


def global_table(local: pd.DataFrame, w: W, permutations: int = PERMUTATIONS,
                 seed: int = SEED) -> pd.DataFrame:
    """The ``hotspot_global_moran`` table: Moran's I of the raw and the EB rate of every
    (measure, period) of ``local``."""
    rows = []
    for (measure, period), g in local.groupby(["measure", "period"], sort=False):
        for kind in RATE_KINDS:
            y = g.set_index("adcode")[f"{kind}_per_100k"]
            res = hotspots.global_moran(y, w, permutations=permutations, seed=seed,
                                        measure=measure).iloc[0].to_dict()
            rows.append({"measure": measure, "period": period, "rate_kind": kind,
                         "provinces_count": int(res["n"]), "moran_i": res["moran_i"],
                         "expected_i": res["expected_i"], "moran_z": res["z_norm"],
                         "p_norm": res["p_norm"], "p_sim": res["p_sim"],
                         "mean_i_sim": res["mean_i_sim"],
                         "permutations_count": int(res["permutations"]),
                         "seed": int(res["seed"])})
    return pd.DataFrame(rows)


def sensitivity_weights(w: W, gdf: gpd.GeoDataFrame) -> dict[str, W]:
    """The weights variants of ``hotspot_lisa_sensitivity`` (:data:`~.schema.SENSITIVITY_WEIGHTS`):
    the project's weights ``w`` and, from the polygons ``gdf``, k nearest provinces and the
    distance band, all on the 31 mainland provinces."""
    g = gdf[gdf["adcode"].isin(MAINLAND31)]
    out = {QUEEN_WEIGHTS: w}
    out |= {f"knn{k}": prefecture_knn_weights(g, "adcode", k=k) for k in SENSITIVITY_KNN}
    out[DISTANCE_WEIGHTS] = distance_band_weights(g, "adcode")
    if list(out) != list(SENSITIVITY_WEIGHTS):
        raise ValueError(f"weights variants {list(out)} differ from {SENSITIVITY_WEIGHTS}")
    return out


def lisa_sensitivity(local: pd.DataFrame, weights: dict[str, W],
                     seeds: tuple[int, ...] = SENSITIVITY_SEEDS,
                     permutations: int = PERMUTATIONS) -> pd.DataFrame:
    """The ``hotspot_lisa_sensitivity`` table: for each pooled measure of ``local``
    (``hotspot_local``), the LISA cluster of each province under every weights × seed variant
    (:func:`analysis.stats.hotspots.lisa_variants`) and its stability
    (:func:`analysis.stats.hotspots.cluster_stability`)."""
    pooled = local[local["period"] == POOLED]
    parts = []
    for measure, g in pooled.groupby("measure", sort=False):
        g = g.set_index("adcode").sort_index()
        y = g["eb_per_100k"]
        var = hotspots.lisa_variants(y, weights, seeds, permutations=permutations)
        main = g["lisa_cluster"]
        check = var[(var["weights"] == QUEEN_WEIGHTS) & (var["seed"] == SEED)]
        if not np.array_equal(check.set_index("adcode")["cluster"].reindex(main.index), main):
            raise ValueError(f"{measure}: the queen / seed {SEED} variant differs from "
                             "hotspot_local")
        stab = hotspots.cluster_stability(var, main).set_index("adcode")
        at_seed = var[var["seed"] == SEED].pivot(index="adcode", columns="weights",
                                                 values="cluster")
        queen = var[var["weights"] == QUEEN_WEIGHTS]
        seeds_same = (queen.assign(same=queen["cluster"].to_numpy()
                                   == main.reindex(queen["adcode"]).to_numpy())
                      .groupby("adcode")["same"].mean())
        frame = pd.DataFrame({"measure": measure, "adcode": main.index.astype("int64"),
                              "lisa_cluster": main.to_numpy()})
        for wname in weights:
            frame[f"cluster_{wname}"] = at_seed[wname].reindex(main.index).to_numpy()
        frame["seeds_same_share"] = seeds_same.reindex(main.index).to_numpy()
        for c in ("variants_count", "same_cluster_share", "modal_cluster",
                  "modal_cluster_share"):
            frame[c] = stab[c].reindex(main.index).to_numpy()
        share = frame["modal_cluster_share"].to_numpy()
        frame["stability"] = np.select([share >= 1, share > 0], [STABLE, CHANGING], NEVER)
        parts.append(frame)
    out = pd.concat(parts, ignore_index=True)
    out["variants_count"] = out["variants_count"].astype("int64")
    return out


def source_destination(local: pd.DataFrame, flows: pd.DataFrame) -> pd.DataFrame:
    """The ``hotspot_source_destination`` table: lost vs destination EB-rate ranks and the flow
    balance of each flow source (see the module docstring)."""
    pooled = local[local["period"] == POOLED]
    parts = []
    for source, (lost_m, dest_m) in PAIRS.items():
        lost = pooled[pooled["measure"] == lost_m].set_index("adcode").sort_index()
        dest = pooled[pooled["measure"] == dest_m].set_index("adcode").sort_index()
        frame = pd.DataFrame({
            "source": source, "adcode": lost.index.astype("int64"),
            "lost_postings_count": lost["postings_count"].to_numpy(),
            "destination_postings_count": dest["postings_count"].to_numpy(),
            "lost_eb_per_100k": lost["eb_per_100k"].to_numpy(),
            "destination_eb_per_100k": dest["eb_per_100k"].to_numpy(),
            "lost_eb_rank": lost["eb_rank"].to_numpy(),
            "destination_eb_rank": dest["eb_rank"].to_numpy(),
        })
        frame["rank_difference"] = frame["destination_eb_rank"] - frame["lost_eb_rank"]
        bal = compare.flow_balance(flows, source)
        frame = frame.merge(bal[["adcode", "out_flow_count", "in_flow_count",
                                 "within_flow_count", "net_inflow_count", "net_importer"]],
                            on="adcode", how="left", validate="one_to_one")
        parts.append(frame)
    return pd.concat(parts, ignore_index=True)


# --- step ------------------------------------------------------------------------------------


def _simple_account(name: str, inputs: dict[str, int]) -> RowAccount:
    acc = RowAccount(name)
    for file, n in inputs.items():
        acc.add_read(file, n)
        acc.add_kept(file, n)
    return acc


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``derive.hotspots`` (after ``boundaries`` and ``derive.cases``)."""
    bounds = {b: ctx.tables[f"boundaries_{b}"] for b in BASEMAPS}
    w = weights(bounds)
    nb = neighbours_table(w, bounds["ocha"])
    nb_acc = RowAccount("hotspot_neighbours")
    n_units = len(bounds["ocha"])
    nb_acc.add_read("boundaries_ocha", n_units)
    nb_acc.add_kept("boundaries_ocha", len(MAINLAND31))
    nb_acc.drop("boundaries_ocha", "not one of the 31 mainland provinces (no statistics)",
                n_units - len(MAINLAND31))

    local_acc = RowAccount("hotspot_local")
    inputs = measure_inputs(ctx.tables["case_rates"], ctx.tables["case_counts"], local_acc)
    local = local_table(inputs, w)
    glob = global_table(local, w)
    glob_acc = _simple_account("hotspot_global_moran", {"hotspot_local": len(local)})
    sens = lisa_sensitivity(local, sensitivity_weights(w, bounds["ocha"]))
    sens_acc = RowAccount("hotspot_lisa_sensitivity")
    n_pooled = int((local["period"] == POOLED).sum())
    sens_acc.add_read("hotspot_local", len(local))
    sens_acc.add_kept("hotspot_local", n_pooled)
    sens_acc.drop("hotspot_local", "period row (the sensitivity is of the pooled maps)",
                  len(local) - n_pooled)

    flows = ctx.tables["case_flows"]
    sd = source_destination(local, flows)
    sd_acc = RowAccount("hotspot_source_destination")
    pooled = local[local["period"] == POOLED]
    used = pooled["measure"].isin([m for pair in PAIRS.values() for m in pair])
    sd_acc.add_read("hotspot_local (all periods)", len(pooled))
    sd_acc.add_kept("hotspot_local (all periods)", int(used.sum()))
    sd_acc.drop("hotspot_local (all periods)", "measure without a destination side",
                int((~used).sum()))

    published = compare.read_published(ctx.manual("published_figures_with_quotes.csv"))
    hc = compare.hotspot_comparison(local, flows, published)
    hc_acc = RowAccount("published_hotspot_comparison")
    hc_acc.add_read("hotspot_local (all periods)", len(pooled))
    hc_acc.add_kept("hotspot_local (all periods)", int(used.sum()))
    hc_acc.drop("hotspot_local (all periods)", "measure without a destination side",
                int((~used).sum()))
    fc = compare.flow_comparison(flows, published)
    fc_acc = RowAccount("published_flow_comparison")
    in_sources = flows["source"].isin(compare.FLOW_SOURCES)
    fc_acc.add_read("case_flows", len(flows))
    fc_acc.add_kept("case_flows", int(in_sources.sum()))
    fc_acc.drop("case_flows", "source not compared", int((~in_sources).sum()))
    fc_acc.add_read("published_figures_with_quotes.csv", len(published))
    fc_acc.add_kept("published_figures_with_quotes.csv", len(published))
    return [CleanTable("hotspot_neighbours", nb, nb_acc),
            CleanTable("hotspot_local", local, local_acc),
            CleanTable("hotspot_global_moran", glob, glob_acc),
            CleanTable("hotspot_lisa_sensitivity", sens, sens_acc),
            CleanTable("hotspot_source_destination", sd, sd_acc),
            CleanTable("published_hotspot_comparison", hc, hc_acc),
            CleanTable("published_flow_comparison", fc, fc_acc)]
