"""Prefecture atlas (step ``topics.prefecture_hotspots``): postings per child at the
prefecture level, empirical-Bayes smoothed, with global Moran's I, local Moran and Getis–Ord
Gi* (FDR) on contiguity weights, their sensitivity to k-nearest-neighbour weights, and the
comparison with the province hot spots.

Inputs (earlier steps): ``prefecture_case_counts`` (postings and children per measure ×
prefecture unit, built by the case placement step), ``boundaries_prefecture`` (polygons) and
``hotspot_local`` (the province map).

Tables built (schemas and classes in :mod:`.schema`)
-----------------------------------------------------
``prefecture_hotspot_neighbours``
    the links of both weights choices for each unit set: queen contiguity with the component
    rule (:func:`analysis.stats.weights.prefecture_links`) and the
    :data:`~analysis.vocab.settings.PREFECTURE_KNN_K` nearest units.
``prefecture_hotspot_local``
    one row per (measure, unit): counts, children, raw and EB rates per 100,000 children
    (:func:`analysis.stats.hotspots.eb_rates`), the small-count flag (fewer than
    :data:`~analysis.vocab.settings.PREFECTURE_MIN_COUNT` postings), LISA and Gi* of the EB
    rate on the contiguity weights (FDR and unadjusted).
``prefecture_hotspot_global_moran``
    Moran's I of the raw and EB rates under both weights.
``prefecture_hotspot_sensitivity``
    each unit's Gi* and LISA labels under both weights and how they change.
``hotspot_level_comparison``
    each province's Gi* label on the province map against those of its units.

Measures: :data:`~.schema.PREFECTURE_MEASURES` present in ``prefecture_case_counts``. A unit
without children in the census year of a measure (the six Xinjiang corps cities without a 2010
leaf) is left out of that measure's map, and its weights are built on the units that remain.
"""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
from libpysal.weights import W

from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable
from analysis.stats import hotspots
from analysis.stats.weights import (
    COMPONENT_RULE,
    prefecture_knn_weights,
    prefecture_links,
    weights_from_links,
)
from analysis.topics.prefecture_hotspots.schema import (
    COMPONENT_LINK,
    FINER_ONLY,
    FLIPS,
    KNN,
    KNN_LINK,
    KNN_ONLY,
    NEITHER,
    NOTHING,
    PREFECTURE_MEASURES,
    QUEEN,
    QUEEN_LINK,
    QUEEN_ONLY,
    RATE_KINDS,
    SPLITS,
    STAYS,
    SURVIVES,
    VANISHES,
)
from analysis.vocab.basemaps import CHINA_ALBERS
from analysis.vocab.measures import CHILDREN_YEAR
from analysis.vocab.periods import HOTSPOT_ALL_PERIODS as POOLED
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import (
    ALPHA,
    COLD_SPOT,
    HOT_SPOT,
    NOT_SIGNIFICANT,
    PERMUTATIONS,
    PREFECTURE_KNN_K,
    PREFECTURE_MIN_COUNT,
    PREFECTURE_SENSITIVITY_PERMUTATIONS,
)

COUNTS = "prefecture_case_counts"
BOUNDARIES = "boundaries_prefecture"
PROVINCE_LOCAL = "hotspot_local"
NEEDS = (COUNTS, BOUNDARIES, PROVINCE_LOCAL)
PROVIDES = ("prefecture_hotspot_neighbours", "prefecture_hotspot_local",
            "prefecture_hotspot_global_moran", "prefecture_hotspot_sensitivity",
            "hotspot_level_comparison")

#: Columns of ``prefecture_case_counts`` (step ``topics.placement``) → the names used here.
INPUT_COLUMNS = {"measure": "measure", "row_kind": "row_kind",
                 "prefecture_code": "prefecture_adcode", "province_adcode": "adcode",
                 "postings_count": "postings_count",
                 "children_0_14_persons": "children_0_14_persons"}
#: ``row_kind`` of a prefecture row (the other kind, ``province_only``, holds the postings
#: known only at province level: not on the prefecture map).
PREFECTURE_ROW = "prefecture"

DROP_PROVINCE_ONLY = ("province_only row: postings known only at province level (not on the "
                      "prefecture map; their number is in province_only_postings)")
DROP_MEASURE = "measure not mapped by the prefecture atlas"
DROP_NO_POLYGON = "unit without a polygon in boundaries_prefecture (not mapped)"
DROP_NO_CHILDREN = "unit without children aged 0–14 in the census year of the measure"


# --- inputs ------------------------------------------------------------------------------------


def measure_inputs(counts: pd.DataFrame, polygons: pd.DataFrame, account: RowAccount
                   ) -> pd.DataFrame:
    """Postings and children per (measure, unit) of the atlas, every input row accounted for.

    Only ``row_kind == "prefecture"`` rows are mapped. Returns ``measure, prefecture_adcode,
    prefecture_name_zh, adcode, postings_count, children_0_14_persons, children_year``, sorted
    by measure (atlas order) and unit.
    """
    missing = [c for c in INPUT_COLUMNS if c not in counts.columns]
    if missing:
        raise ValueError(f"{COUNTS} lacks column(s) {missing}")
    c = counts[list(INPUT_COLUMNS)].rename(columns=INPUT_COLUMNS)
    account.add_read(COUNTS, len(c))
    province_only = c["row_kind"] != PREFECTURE_ROW
    account.drop(COUNTS, DROP_PROVINCE_ONLY, int(province_only.sum()))
    c = c[~province_only]
    mapped = c["measure"].isin(PREFECTURE_MEASURES)
    account.drop(COUNTS, DROP_MEASURE, int((~mapped).sum()))
    c = c[mapped]
    has_polygon = c["prefecture_adcode"].astype("int64").isin(
        polygons["prefecture_adcode"].astype("int64"))
    account.drop(COUNTS, DROP_NO_POLYGON, int((~has_polygon).sum()))
    c = c[has_polygon]
    children = pd.to_numeric(c["children_0_14_persons"], errors="coerce")
    no_children = children.isna() | (children <= 0)
    account.drop(COUNTS, DROP_NO_CHILDREN, int(no_children.sum()))
    c = c[~no_children]
    account.add_kept(COUNTS, len(c))
    names = polygons.set_index("prefecture_adcode")["prefecture_name_zh"]
    out = pd.DataFrame({
        "measure": c["measure"].astype(str).to_numpy(),
        "prefecture_adcode": c["prefecture_adcode"].astype("int64").to_numpy(),
        "adcode": c["adcode"].astype("int64").to_numpy(),
        "postings_count": c["postings_count"].astype("int64").to_numpy(),
        "children_0_14_persons": children[~no_children].round().astype("int64").to_numpy(),
    })
    out["prefecture_name_zh"] = out["prefecture_adcode"].map(names).astype(str)
    out["children_year"] = out["measure"].map(CHILDREN_YEAR).astype("int64")
    order = {m: k for k, m in enumerate(PREFECTURE_MEASURES)}
    out = out.sort_values(["measure", "prefecture_adcode"],
                          key=lambda s: s.map(order) if s.name == "measure" else s,
                          ignore_index=True)
    return out[["measure", "prefecture_adcode", "prefecture_name_zh", "adcode",
                "postings_count", "children_0_14_persons", "children_year"]]


# --- weights -----------------------------------------------------------------------------------


def unit_weights(polygons: gpd.GeoDataFrame, ids: list[int]
                 ) -> tuple[dict[str, W], pd.DataFrame]:
    """Both weights choices on the units ``ids`` of ``polygons``: ``{QUEEN: W, KNN: W}`` and
    their links (``weights, prefecture_adcode, neighbour_adcode, rule, distance_km``)."""
    g = polygons[polygons["prefecture_adcode"].isin(ids)]
    links = prefecture_links(g)
    queen = weights_from_links(links, sorted(ids))
    knn = prefecture_knn_weights(g, k=PREFECTURE_KNN_K)
    q = pd.DataFrame({"weights": QUEEN, "prefecture_adcode": links["unit"],
                      "neighbour_adcode": links["neighbour"],
                      "rule": np.where(links["rule"] == COMPONENT_RULE, COMPONENT_LINK,
                                       QUEEN_LINK),
                      "distance_km": links["distance_km"]})
    cent = _centroids_km(g)
    rows = [(i, j) for i in knn.id_order for j in knn.neighbors[i]]
    k = pd.DataFrame({"weights": KNN, "prefecture_adcode": [i for i, _ in rows],
                      "neighbour_adcode": [j for _, j in rows], "rule": KNN_LINK,
                      "distance_km": [float(np.hypot(*(cent[i] - cent[j]))) for i, j in rows]})
    return {QUEEN: queen, KNN: knn}, pd.concat([q, k], ignore_index=True)


def _centroids_km(g: gpd.GeoDataFrame) -> dict[int, np.ndarray]:
    """Centroid (km, CHINA_ALBERS) of each unit of ``g``."""
    c = g.to_crs(CHINA_ALBERS).geometry.centroid
    return {int(a): np.array([x, y]) / 1000 for a, x, y in
            zip(g["prefecture_adcode"], c.x, c.y, strict=True)}


# --- statistics --------------------------------------------------------------------------------


def _rank(values: np.ndarray) -> np.ndarray:
    """1 = highest; ties share the lowest rank."""
    return pd.Series(values).rank(ascending=False, method="min").to_numpy().astype("int64")


def local_tests(y: pd.Series, w: W, permutations: int, seed: int = SEED,
                unadjusted: bool = True) -> pd.DataFrame:
    """LISA and Gi* of ``y`` (index = unit ids of ``w``), with FDR labels and, if
    ``unadjusted``, the labels at p ≤ α without FDR control (a second seeded run of each test;
    the sensitivity run skips it: only its FDR labels are published)."""
    kw = {"permutations": permutations, "seed": seed, "alpha": ALPHA}
    lisa = hotspots.local_moran(y, w, fdr=True, **kw)
    gi = hotspots.getis_ord(y, w, fdr=True, **kw)
    lisa_raw = hotspots.local_moran(y, w, fdr=False, **kw) if unadjusted else lisa
    gi_raw = hotspots.getis_ord(y, w, fdr=False, **kw) if unadjusted else gi
    return pd.DataFrame({
        "prefecture_adcode": lisa["adcode"].to_numpy(),
        "neighbors_count": lisa["n_neighbors"].to_numpy(),
        "lisa_z": lisa["z"].to_numpy(), "lisa_lag_z": lisa["lag_z"].to_numpy(),
        "lisa_local_i": lisa["local_i"].to_numpy(), "lisa_quadrant": lisa["quadrant"].to_numpy(),
        "lisa_p_sim": lisa["p_sim"].to_numpy(), "lisa_p_adjusted": lisa["p_adjusted"].to_numpy(),
        "lisa_cluster": lisa["cluster"].to_numpy(),
        "lisa_cluster_unadjusted": lisa_raw["cluster"].to_numpy(),
        "gi_g": gi["g"].to_numpy(), "gi_z": gi["z"].to_numpy(),
        "gi_p_norm": gi["p_norm"].to_numpy(), "gi_p_sim": gi["p_sim"].to_numpy(),
        "gi_p_adjusted": gi["p_adjusted"].to_numpy(), "gi_label": gi["label"].to_numpy(),
        "gi_label_unadjusted": gi_raw["label"].to_numpy(),
    })


def change(queen: pd.Series, knn: pd.Series) -> np.ndarray:
    """Sensitivity class of each pair of labels (contiguity, KNN): :data:`~.schema.STAYS`,
    ``QUEEN_ONLY``, ``KNN_ONLY``, ``FLIPS`` (both significant, different labels) or ``NEITHER``."""
    q, k = np.asarray(queen, dtype=object), np.asarray(knn, dtype=object)
    sq, sk = q != NOT_SIGNIFICANT, k != NOT_SIGNIFICANT
    return np.select([sq & sk & (q == k), sq & sk, sq, sk], [STAYS, FLIPS, QUEEN_ONLY, KNN_ONLY],
                     NEITHER)


def measure_tables(sel: pd.DataFrame, ws: dict[str, W], permutations: int = PERMUTATIONS,
                   sensitivity_permutations: int = PREFECTURE_SENSITIVITY_PERMUTATIONS,
                   seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The local rows, global Moran rows and sensitivity rows of one measure.

    ``sel``: the :func:`measure_inputs` rows of one measure (ids = the ids of both ``ws``).
    """
    measure = str(sel["measure"].iloc[0])
    s = sel.set_index("prefecture_adcode")
    wq, wk = ws[QUEEN], ws[KNN]
    eb = hotspots.eb_rates(s["postings_count"], s["children_0_14_persons"], wq,
                           min_count=PREFECTURE_MIN_COUNT)
    ids = eb["adcode"].astype("int64").to_numpy()
    local = s.reindex(ids).reset_index()
    local["raw_per_100k"] = eb["raw_per_100k"].to_numpy()
    local["eb_per_100k"] = eb["eb_per_100k"].to_numpy()
    local["small_count"] = eb["small_count"].to_numpy()
    local["eb_rank"] = _rank(eb["eb_per_100k"].to_numpy())
    y = pd.Series(eb["eb_per_100k"].to_numpy(), index=ids)
    tests = local_tests(y, wq, permutations, seed)
    local = local.merge(tests, on="prefecture_adcode", validate="one_to_one")
    knn = local_tests(y, wk, sensitivity_permutations, seed, unadjusted=False)
    sens = pd.DataFrame({
        "measure": measure, "prefecture_adcode": ids, "adcode": local["adcode"].to_numpy(),
        "gi_label_queen": local["gi_label"].to_numpy(), "gi_label_knn": knn["gi_label"].to_numpy(),
        "gi_z_knn": knn["gi_z"].to_numpy(), "gi_p_adjusted_knn": knn["gi_p_adjusted"].to_numpy(),
        "lisa_cluster_queen": local["lisa_cluster"].to_numpy(),
        "lisa_cluster_knn": knn["lisa_cluster"].to_numpy(),
        "lisa_p_adjusted_knn": knn["lisa_p_adjusted"].to_numpy()})
    sens.insert(7, "gi_change", change(sens["gi_label_queen"], sens["gi_label_knn"]))
    sens["lisa_change"] = change(sens["lisa_cluster_queen"], sens["lisa_cluster_knn"])
    rows = []
    for kind, w, perms in ((QUEEN, wq, permutations), (KNN, wk, sensitivity_permutations)):
        for rate in RATE_KINDS:
            v = pd.Series(local[f"{rate}_per_100k"].to_numpy(), index=ids)
            r = hotspots.global_moran(v, w, permutations=perms, seed=seed,
                                      measure=measure).iloc[0]
            rows.append({"weights": kind, "measure": measure, "rate_kind": rate,
                         "units_count": int(r["n"]), "moran_i": float(r["moran_i"]),
                         "expected_i": float(r["expected_i"]), "moran_z": float(r["z_norm"]),
                         "p_norm": float(r["p_norm"]), "p_sim": float(r["p_sim"]),
                         "mean_i_sim": float(r["mean_i_sim"]),
                         "permutations_count": int(r["permutations"]), "seed": int(r["seed"])})
    return local, pd.DataFrame(rows), sens


LOCAL_COLUMNS = ["measure", "prefecture_adcode", "prefecture_name_zh", "adcode",
                 "postings_count", "children_0_14_persons", "children_year", "raw_per_100k",
                 "eb_per_100k", "small_count", "eb_rank", "neighbors_count", "lisa_z",
                 "lisa_lag_z", "lisa_local_i", "lisa_quadrant", "lisa_p_sim", "lisa_p_adjusted",
                 "lisa_cluster", "lisa_cluster_unadjusted", "gi_g", "gi_z", "gi_p_norm",
                 "gi_p_sim", "gi_p_adjusted", "gi_label", "gi_label_unadjusted"]


# --- levels ------------------------------------------------------------------------------------


def level_status(label: str, same_share: float, hot: int, cold: int) -> str:
    """Class of a province (:data:`~.schema.LEVELS`) from its own Gi* label, the share of its
    units with that label and its numbers of hot and cold units."""
    if label == NOT_SIGNIFICANT:
        return FINER_ONLY if hot + cold > 0 else NOTHING
    opposite = cold if label == HOT_SPOT else hot
    same = hot if label == HOT_SPOT else cold
    if same == 0:
        return VANISHES
    return SURVIVES if same_share >= 0.5 and opposite == 0 else SPLITS


def level_comparison(province: pd.DataFrame, local: pd.DataFrame) -> pd.DataFrame:
    """``hotspot_level_comparison``: one row per (measure of ``local``, province of
    ``province`` = ``hotspot_local`` pooled rows of that measure)."""
    rows = []
    for measure, units in local.groupby("measure", sort=False):
        prov = province[(province["measure"] == measure) & (province["period"] == POOLED)]
        for r in prov.sort_values("adcode").itertuples(index=False):
            u = units[units["adcode"] == r.adcode]
            hot = int((u["gi_label"] == HOT_SPOT).sum())
            cold = int((u["gi_label"] == COLD_SPOT).sum())
            n = len(u)
            same = hot if r.gi_label == HOT_SPOT else cold if r.gi_label == COLD_SPOT else 0
            share = same / n if n else 0.0
            rows.append({"measure": measure, "adcode": int(r.adcode),
                         "province_gi_label": r.gi_label,
                         "province_eb_per_100k": float(r.eb_per_100k), "prefectures_count": n,
                         "prefectures_hot_count": hot, "prefectures_cold_count": cold,
                         "same_kind_share": float(share),
                         "level_status": level_status(r.gi_label, share, hot, cold)})
    return pd.DataFrame(rows)


# --- step --------------------------------------------------------------------------------------


def _passthrough(name: str, source: str, n: int) -> RowAccount:
    acc = RowAccount(name)
    acc.add_read(source, n)
    acc.add_kept(source, n)
    return acc


def build(ctx: BuildContext) -> list[CleanTable]:
    """Step ``topics.prefecture_hotspots`` (after the placement and boundaries steps)."""
    t0 = time.perf_counter()
    polygons = ctx.tables[BOUNDARIES]
    local_acc = RowAccount("prefecture_hotspot_local")
    inputs = measure_inputs(ctx.tables[COUNTS], polygons, local_acc)
    cache: dict[tuple[int, ...], tuple[dict[str, W], pd.DataFrame]] = {}
    link_parts, locals_, globals_, sens = [], [], [], []
    for measure in [m for m in PREFECTURE_MEASURES if m in set(inputs["measure"])]:
        sel = inputs[inputs["measure"] == measure]
        ids = tuple(sorted(int(a) for a in sel["prefecture_adcode"]))
        if ids not in cache:
            cache[ids] = unit_weights(polygons, list(ids))
            link_parts.append(cache[ids][1].assign(
                children_year=int(sel["children_year"].iloc[0])))
        ws, _ = cache[ids]
        loc, glob, sen = measure_tables(sel, ws)
        locals_.append(loc)
        globals_.append(glob)
        sens.append(sen)
    links = pd.concat(link_parts, ignore_index=True).drop_duplicates(
        ["weights", "children_year", "prefecture_adcode", "neighbour_adcode"])
    links = links[["weights", "children_year", "prefecture_adcode", "neighbour_adcode", "rule",
                   "distance_km"]].sort_values(
        ["weights", "children_year", "prefecture_adcode", "neighbour_adcode"], ignore_index=True)
    local = pd.concat(locals_, ignore_index=True)[LOCAL_COLUMNS]
    glob = pd.concat(globals_, ignore_index=True)
    sen = pd.concat(sens, ignore_index=True)
    province = ctx.tables[PROVINCE_LOCAL]
    levels = level_comparison(province, local)
    nb_acc = _passthrough("prefecture_hotspot_neighbours", BOUNDARIES, len(polygons))
    lvl_acc = RowAccount("hotspot_level_comparison")
    pooled = province[province["period"] == POOLED]
    used = pooled["measure"].isin(set(local["measure"]))
    lvl_acc.add_read(f"{PROVINCE_LOCAL} (all periods)", len(pooled))
    lvl_acc.add_kept(f"{PROVINCE_LOCAL} (all periods)", int(used.sum()))
    lvl_acc.drop(f"{PROVINCE_LOCAL} (all periods)", "measure not on the prefecture map",
                 int((~used).sum()))
    elapsed = time.perf_counter() - t0
    glob.attrs["step_seconds"] = elapsed
    return [CleanTable("prefecture_hotspot_neighbours", links, nb_acc),
            CleanTable("prefecture_hotspot_local", local, local_acc.check()),
            CleanTable("prefecture_hotspot_global_moran", glob,
                       _passthrough("prefecture_hotspot_global_moran",
                                    "prefecture_hotspot_local", len(local))),
            CleanTable("prefecture_hotspot_sensitivity", sen,
                       _passthrough("prefecture_hotspot_sensitivity",
                                    "prefecture_hotspot_local", len(local))),
            CleanTable("hotspot_level_comparison", levels, lvl_acc)]
