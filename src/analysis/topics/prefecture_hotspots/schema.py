"""Schemas of the prefecture atlas (step ``topics.prefecture_hotspots``) and the room's own
vocabulary: the measures mapped, the two weights choices, the sensitivity and level classes."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.columns import (
    adcode_column,
    count_column,
    flag_column,
    float_column,
    one_row_per,
    p_column,
    persons_column,
    rate_column,
    text_column,
)
from analysis.vocab.measures import MEASURES
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import (
    ALPHA,
    CLUSTER_LABELS,
    COLD_SPOT,
    HOT_SPOT,
    ISLAND_K,
    NOT_SIGNIFICANT,
    PERMUTATIONS,
    PREFECTURE_KNN_K,
    PREFECTURE_MIN_COUNT,
    PREFECTURE_SENSITIVITY_PERMUTATIONS,
    QUADRANTS,
)
from analysis.vocab.wording import HOTSPOT_TABLE_CAVEAT as _CAVEAT

#: Measures of the atlas: every lost-side measure (where the child went missing) and where
#: reunited children were found — the two sides issue 12 asks for, in registry order.
PREFECTURE_MEASURES: tuple[str, ...] = tuple(
    m.id for m in MEASURES.values()
    if m.place_role == "lost" or (m.side == "found" and m.place_role == "current_or_found"))

#: The two weights choices: contiguity (the main run) and k nearest neighbours (sensitivity).
QUEEN, KNN = "queen", f"knn{PREFECTURE_KNN_K}"
WEIGHTS_KINDS = (QUEEN, KNN)
#: ``rule`` of a link in ``prefecture_hotspot_neighbours``.
QUEEN_LINK = "queen contiguity"
COMPONENT_LINK = (f"component rule: {ISLAND_K} nearest pairs by centroid distance joining an "
                  "island or island group")
KNN_LINK = f"{PREFECTURE_KNN_K} nearest units by centroid distance"
RATE_KINDS = ("raw", "eb")

#: Sensitivity classes of a unit's Gi* (or LISA) label, contiguity vs KNN weights.
STAYS = "same under both"
QUEEN_ONLY = "contiguity only"
KNN_ONLY = "KNN only"
FLIPS = "opposite labels"
NEITHER = "neither"
SENSITIVITY = (STAYS, QUEEN_ONLY, KNN_ONLY, FLIPS, NEITHER)

#: Level comparison classes of a province (its Gi* label on the province map vs the Gi* labels
#: of its prefectures on the prefecture map, same measure, FDR).
SURVIVES = "survives"            # province hot (cold); ≥ half its prefectures the same kind
SPLITS = "splits"                # province hot (cold); some prefectures the same kind, but < half
#                                  or some of the opposite kind
VANISHES = "vanishes"            # province hot (cold); no prefecture of that kind
FINER_ONLY = "finer level only"  # province not significant; ≥ 1 prefecture hot or cold
NOTHING = "neither level"        # province not significant; no prefecture significant
LEVELS = (SURVIVES, SPLITS, VANISHES, FINER_ONLY, NOTHING)

_LISA = [*CLUSTER_LABELS.values(), NOT_SIGNIFICANT]
_GI = [HOT_SPOT, COLD_SPOT, NOT_SIGNIFICANT]
_INFERENCE = (f"Seeded permutation tests ({PERMUTATIONS} permutations on the contiguity weights, "
              f"{PREFECTURE_SENSITIVITY_PERMUTATIONS} on the KNN weights; seed {SEED}); local "
              f"tests controlled with the Benjamini–Hochberg false-discovery rate at {ALPHA} "
              "over the units of each map. Weights: prefecture_hotspot_neighbours.")


def _measure() -> pa.Column:
    return text_column("rate measure (analysis.vocab.measures)", isin=list(PREFECTURE_MEASURES))


def _unit(description: str = "prefecture-level unit (GB/T 2260, 2020; census_prefecture)"
          ) -> pa.Column:
    return pa.Column("int64", pa.Check.in_range(110100, 659999), description=description,
                     metadata={"unit": "adcode"})


def _weights() -> pa.Column:
    return text_column(f"weights: {QUEEN} (contiguity, component rule) or {KNN} "
                       f"({PREFECTURE_KNN_K} nearest)", isin=list(WEIGHTS_KINDS))


def _year() -> pa.Column:
    return pa.Column("int64", pa.Check.isin([2010, 2020]), description="census year of the "
                     "children count (the units with children that year)",
                     metadata={"unit": "year"})


SCHEMAS = {
    "prefecture_hotspot_neighbours": pa.DataFrameSchema(
        {
            "weights": _weights(),
            "children_year": _year(),
            "prefecture_adcode": _unit(),
            "neighbour_adcode": _unit("a neighbour of the unit"),
            "rule": text_column("why the two are neighbours",
                                isin=[QUEEN_LINK, COMPONENT_LINK, KNN_LINK]),
            "distance_km": float_column("distance between the two centroids (CHINA_ALBERS)", "km",
                                        ge=0),
        },
        strict=True, ordered=True,
        **one_row_per("weights", "children_year", "prefecture_adcode", "neighbour_adcode"),
        description="Spatial weights of the prefecture atlas: one row per directed link, for "
                    "each weights choice and each unit set (the units with children in the "
                    "census year of a measure). Binary; row-standardised for Moran's I.",
        metadata={"sources": ["boundaries_prefecture", "prefecture_case_counts"],
                  "notes": f"{QUEEN}: queen contiguity of the polygons; Sansha (the South China "
                           f"Sea islands) has no neighbour and Hainan island is cut off from the "
                           f"mainland, so each such component is joined by its {ISLAND_K} "
                           "closest centroid pairs (analysis.stats.weights.prefecture_links). "
                           f"{KNN}: the {PREFECTURE_KNN_K} nearest centroids (not symmetric)."},
    ),
    "prefecture_hotspot_local": pa.DataFrameSchema(
        {
            "measure": _measure(),
            "prefecture_adcode": _unit(),
            "prefecture_name_zh": text_column("name of the unit (2020)"),
            "adcode": adcode_column("province of the unit"),
            "postings_count": count_column("postings placed in the unit"),
            "children_0_14_persons": persons_column("children aged 0–14 of the unit (scale of "
                                                    "the rate; census of children_year)"),
            "children_year": _year(),
            "raw_per_100k": rate_column("postings per 100,000 children aged 0–14",
                                        "per 100,000 children"),
            "eb_per_100k": rate_column("global empirical-Bayes (Marshall) smoothed rate: the "
                                       "rate mapped and tested", "per 100,000 children"),
            "small_count": flag_column(f"fewer than {PREFECTURE_MIN_COUNT} postings (rate "
                                       "unreliable; hatched on maps)"),
            "eb_rank": pa.Column("int64", pa.Check.ge(1), description="rank of the EB rate",
                                 metadata={"unit": "rank (1 = highest)"}),
            "neighbors_count": count_column("neighbours in the contiguity weights"),
            "lisa_z": float_column("standardised EB rate (z)", "standard deviations"),
            "lisa_lag_z": float_column("neighbours' mean of z (row-standardised lag)",
                                       "standard deviations"),
            "lisa_local_i": float_column("local Moran's I_i", "unitless"),
            "lisa_quadrant": text_column("Moran scatterplot quadrant",
                                         isin=list(QUADRANTS.values())),
            "lisa_p_sim": p_column("directed conditional-permutation pseudo p-value of I_i"),
            "lisa_p_adjusted": p_column("Benjamini–Hochberg adjusted p-value of I_i"),
            "lisa_cluster": text_column("LISA cluster after FDR control", isin=_LISA),
            "lisa_cluster_unadjusted": text_column("LISA cluster at p ≤ α without FDR control",
                                                   isin=_LISA),
            "gi_g": float_column("Getis–Ord G_i* (share of the total in the neighbourhood)",
                           "share (0-1)", ge=0, le=1),
            "gi_z": float_column("Getis–Ord z-score", "standard deviations"),
            "gi_p_norm": p_column("two-sided normal p-value of the z-score"),
            "gi_p_sim": p_column("directed total-randomisation permutation pseudo p-value of G_i*"),
            "gi_p_adjusted": p_column("Benjamini–Hochberg adjusted p-value (of gi_p_sim)"),
            "gi_label": text_column("Gi* hot/cold spot after FDR control", isin=_GI),
            "gi_label_unadjusted": text_column("Gi* label at p ≤ α without FDR control",
                                               isin=_GI),
        },
        strict=True, ordered=True, **one_row_per("measure", "prefecture_adcode"),
        description="Prefecture atlas: postings per 100,000 children aged 0–14 per "
                    "prefecture-level unit, raw and empirical-Bayes smoothed, with local Moran "
                    "and Getis–Ord Gi* on the contiguity weights. One row per (measure, unit).",
        metadata={"sources": ["prefecture_case_counts", "boundaries_prefecture"],
                  "notes": f"{_CAVEAT} {_INFERENCE} Units without children in the census year "
                           "of a measure (the Xinjiang corps cities founded after 2010, for "
                           "the 2010 measures) are left out of that measure's map and weights."},
    ),
    "prefecture_hotspot_global_moran": pa.DataFrameSchema(
        {
            "weights": _weights(),
            "measure": _measure(),
            "rate_kind": text_column("rate tested: raw or eb", isin=list(RATE_KINDS)),
            "units_count": count_column("units of the map"),
            "moran_i": float_column("global Moran's I (row-standardised weights)", "unitless"),
            "expected_i": float_column("E[I] = −1/(n−1)", "unitless"),
            "moran_z": float_column("z-score of I under normality", "standard deviations"),
            "p_norm": p_column("two-sided normal p-value"),
            "p_sim": p_column("directed permutation pseudo p-value"),
            "mean_i_sim": float_column("mean I over the permutations", "unitless"),
            "permutations_count": count_column("permutations"),
            "seed": pa.Column("int64", pa.Check.eq(SEED), description="permutation seed",
                              metadata={"unit": "seed"}),
        },
        strict=True, ordered=True, **one_row_per("weights", "measure", "rate_kind"),
        description="Global Moran's I of the prefecture rates (raw and EB) under both weights "
                    "choices. One row per (weights, measure, rate kind).",
        metadata={"sources": ["prefecture_hotspot_local", "prefecture_hotspot_neighbours"],
                  "notes": f"{_CAVEAT} {_INFERENCE}"},
    ),
    "prefecture_hotspot_sensitivity": pa.DataFrameSchema(
        {
            "measure": _measure(),
            "prefecture_adcode": _unit(),
            "adcode": adcode_column("province of the unit"),
            "gi_label_queen": text_column("Gi* label (FDR), contiguity weights", isin=_GI),
            "gi_label_knn": text_column(f"Gi* label (FDR), {KNN} weights", isin=_GI),
            "gi_z_knn": float_column(f"Gi* z-score, {KNN} weights", "standard deviations"),
            "gi_p_adjusted_knn": p_column(f"BH-adjusted Gi* p-value, {KNN} weights"),
            "gi_change": text_column("Gi* label: same under both weights, one only, opposite "
                                     "or neither", isin=list(SENSITIVITY)),
            "lisa_cluster_queen": text_column("LISA cluster (FDR), contiguity", isin=_LISA),
            "lisa_cluster_knn": text_column(f"LISA cluster (FDR), {KNN}", isin=_LISA),
            "lisa_p_adjusted_knn": p_column(f"BH-adjusted LISA p-value, {KNN} weights"),
            "lisa_change": text_column("LISA cluster: same, one only, different or neither",
                                       isin=list(SENSITIVITY)),
        },
        strict=True, ordered=True, **one_row_per("measure", "prefecture_adcode"),
        description="Sensitivity of the prefecture hot spots to the weights: each unit's Gi* "
                    "and LISA labels under contiguity and under k nearest neighbours. One row "
                    "per (measure, unit).",
        metadata={"sources": ["prefecture_hotspot_local", "prefecture_hotspot_neighbours"],
                  "notes": f"{_CAVEAT} {_INFERENCE} '{FLIPS}': significant under both but of "
                           "the other kind (for LISA: another cluster)."},
    ),
    "hotspot_level_comparison": pa.DataFrameSchema(
        {
            "measure": _measure(),
            "adcode": adcode_column(),
            "province_gi_label": text_column("Gi* label (FDR) of the province on the "
                                             "province map (hotspot_local, all periods)",
                                             isin=_GI),
            "province_eb_per_100k": rate_column("EB rate of the province (hotspot_local)",
                                                "per 100,000 children"),
            "prefectures_count": count_column("units of the province on the prefecture map"),
            "prefectures_hot_count": count_column("of which Gi* hot spots (FDR)"),
            "prefectures_cold_count": count_column("of which Gi* cold spots (FDR)"),
            "same_kind_share": float_column("share of the province's units with the province's own "
                                            "label (0 when the province is not significant)",
                                            "share (0-1)", ge=0, le=1),
            "level_status": text_column("what happens to the province's label at the finer "
                                        "level", isin=list(LEVELS)),
        },
        strict=True, ordered=True, **one_row_per("measure", "adcode"),
        description="Province hot spots against prefecture hot spots (the modifiable-areal-unit "
                    "problem): one row per (measure, province).",
        metadata={"sources": ["hotspot_local", "prefecture_hotspot_local"],
                  "notes": f"{_CAVEAT} Gi* labels after FDR control on both maps. "
                           f"'{SURVIVES}': the province is a hot (cold) spot and at least half "
                           f"its units are too; '{SPLITS}': some are, but fewer than half, or "
                           f"some are of the opposite kind; '{VANISHES}': none is; "
                           f"'{FINER_ONLY}': the province is not significant but at least one "
                           f"of its units is; '{NOTHING}': neither."},
    ),
}
