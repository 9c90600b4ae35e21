"""Schemas of the hotspot statistics and the published-geography comparison (step
``derive.hotspots``)."""

from __future__ import annotations

import pandera.pandas as pa

from analysis.vocab.cases import PLACE_ROLES
from analysis.vocab.citations import STATUSES, doi_url
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
from analysis.vocab.measures import CHILDREN_YEAR, FLOW_SOURCES, MEASURES, PERIOD_PANELS
from analysis.vocab.periods import HOTSPOT_ALL_PERIODS as POOLED
from analysis.vocab.seeds import SEED
from analysis.vocab.settings import (
    ALPHA,
    CLUSTER_LABELS,
    COLD_SPOT,
    HOT_SPOT,
    ISLAND_K,
    LOCAL_ALTERNATIVE,
    MIN_COUNT,
    NOT_SIGNIFICANT,
    PERMUTATIONS,
    QUADRANTS,
)
from analysis.vocab.studies import (
    FLOW_SCOPES,
    NO_REGION,
    WANG_DOI,
    WANG_STUDY,
    XIN_CAI_DOI,
    XIN_CAI_REGIONS,
)
from analysis.vocab.wording import HOTSPOT_TABLE_CAVEAT as _CAVEAT

#: Rates tested and mapped: the raw postings rate and its empirical-Bayes smoothed version.
RATE_KINDS = ("raw", "eb")
#: ``rule`` of a ``hotspot_neighbours`` link: a shared boundary, or the island rule.
QUEEN_LINK = "queen contiguity"
ISLAND_LINK = f"island rule: {ISLAND_K} nearest provinces by centroid distance"

#: Weights variants of the LISA sensitivity table (``hotspot_lisa_sensitivity``): the project's
#: queen contiguity (Hainan joined to its ISLAND_K nearest; rook contiguity gives the same links
#: on both basemaps, so it is not a separate variant), k nearest provinces by centroid distance
#: for each k of SENSITIVITY_KNN, and a distance band (binary, centroids within the smallest
#: distance that leaves no province without a neighbour).
SENSITIVITY_KNN = (4, 5, 6)
QUEEN_WEIGHTS, DISTANCE_WEIGHTS = "queen", "distance_band"
SENSITIVITY_WEIGHTS = (QUEEN_WEIGHTS, *(f"knn{k}" for k in SENSITIVITY_KNN), DISTANCE_WEIGHTS)
#: Permutation seeds of each weights variant (the first is the project's SEED).
SENSITIVITY_SEEDS = tuple(SEED + k for k in range(10))
#: Stability class of a province's LISA cluster over the weights × seed variants.
STABLE = "stable member"
CHANGING = "member in some variants"
NEVER = "never in a cluster"
STABILITY = (STABLE, CHANGING, NEVER)

_PERIODS = [POOLED, *sorted({p for panels in PERIOD_PANELS.values() for p, _ in panels})]
_LISA = [*CLUSTER_LABELS.values(), NOT_SIGNIFICANT]
_GI = [HOT_SPOT, COLD_SPOT, NOT_SIGNIFICANT]
_INFERENCE = (f"Seeded permutation tests ({PERMUTATIONS} permutations, seed {SEED}; p-values of "
              f"esda's '{LOCAL_ALTERNATIVE}' alternative); LISA by conditional permutation, Gi* by "
              "total randomisation on a separate random stream; local tests controlled with the "
              f"Benjamini–Hochberg false-discovery rate at {ALPHA} over the 31 provinces of each "
              "map. Weights: hotspot_neighbours.")


def _rank(description: str) -> pa.Column:
    return pa.Column("int64", pa.Check.in_range(1, 31), description=description,
                     metadata={"unit": "rank (1 = highest of 31)"})


def _measure() -> pa.Column:
    return text_column("rate measure (see case_rates)", isin=list(MEASURES))


def _period() -> pa.Column:
    return text_column(f"period of the year the child went missing ('{POOLED}' = pooled)",
                       isin=_PERIODS)


_SOURCE_FLOWS = text_column("flow source: uiuing_success (reunions: lost → found) or "
                            "wtt1002_data (adults searching: lost → living now)",
                            isin=list(FLOW_SOURCES))

SCHEMAS = {
    "hotspot_neighbours": pa.DataFrameSchema(
        {
            "province_adcode": adcode_column("province (adcode)"),
            "neighbour_adcode": adcode_column("adcode of a neighbour"),
            "rule": text_column("why the two are neighbours", isin=[QUEEN_LINK, ISLAND_LINK]),
        },
        strict=True, ordered=True, **one_row_per("province_adcode", "neighbour_adcode"),
        description="Spatial weights of the hotspot statistics: one row per directed neighbour "
                    "link of the 31 mainland provinces (binary; row-standardised for Moran).",
        metadata={"sources": ["boundaries_ocha", "boundaries_cn_atlas"],
                  "notes": "Queen contiguity (a shared boundary point), computed on the OCHA "
                           "polygons; Hainan has no land neighbour and is linked to its 2 "
                           "nearest provinces by centroid distance in the Albers equal-area "
                           "projection (Guangxi, Guangdong), symmetrically. Both basemaps give "
                           "the same links (checked by the build)."},
    ),
    "hotspot_local": pa.DataFrameSchema(
        {
            "measure": _measure(),
            "period": _period(),
            "source": text_column("scrape", isin=sorted({m.source for m in MEASURES.values()})),
            "side": text_column("side of the postings",
                                isin=sorted({m.side for m in MEASURES.values()})),
            "place_role": text_column("lost or current_or_found", isin=list(PLACE_ROLES)),
            "adcode": adcode_column(),
            "postings_count": count_column("postings with this place"),
            "children_0_14_persons": persons_column("children aged 0–14 (scale of the rate)"),
            "children_year": pa.Column("int64", pa.Check.isin(sorted(set(
                CHILDREN_YEAR.values()))), description="year of the children count (2020 "
                "census; 2010 estimate)", metadata={"unit": "year"}),
            "raw_per_100k": rate_column("postings per 100,000 children aged 0–14",
                                        "per 100,000 children"),
            "eb_per_100k": rate_column("global empirical-Bayes (Marshall) smoothed rate: the "
                                       "rate mapped and tested", "per 100,000 children"),
            "small_count": flag_column(f"fewer than {MIN_COUNT} postings (rate unreliable; marked "
                                 "on maps)"),
            "eb_rank": _rank("rank of the EB rate"),
            "neighbors_count": count_column("neighbours in the weights"),
            "lisa_z": float_column("standardised EB rate (z)", "standard deviations"),
            "lisa_lag_z": float_column("neighbours' mean of z (row-standardised lag)",
                                 "standard deviations"),
            "lisa_local_i": float_column("local Moran's I_i", "unitless"),
            "lisa_quadrant": text_column("Moran scatterplot quadrant",
                                         isin=list(QUADRANTS.values())),
            "lisa_p_sim": p_column("directed conditional-permutation pseudo p-value of I_i (esda "
                              "alternative 'directed': one-sided, in the tail I_i falls in)"),
            "lisa_p_adjusted": p_column("Benjamini–Hochberg adjusted p-value of I_i"),
            "lisa_cluster": text_column("LISA cluster after FDR control", isin=_LISA),
            "lisa_cluster_unadjusted": text_column(f"LISA cluster at p_sim ≤ {ALPHA} without "
                                                   "multiple-test control", isin=_LISA),
            "gi_g": float_column("Getis–Ord G_i* (share of the total in the neighbourhood)",
                           "share (0-1)", ge=0, le=1),
            "gi_z": float_column("Getis–Ord G_i* z-score (binary weights with self-weight 1)",
                           "standard deviations"),
            "gi_p_norm": p_column("two-sided normal p-value of the Gi* z-score"),
            "gi_p_sim": p_column("directed total-randomisation permutation pseudo p-value of G_i* "
                            "(all values permuted, own seed stream; not the LISA's draws)"),
            "gi_p_adjusted": p_column("Benjamini–Hochberg adjusted p-value of G_i* (from p_sim)"),
            "gi_label": text_column("hot / cold spot after FDR control", isin=_GI),
            "gi_label_unadjusted": text_column(f"hot / cold spot at p_sim ≤ {ALPHA} without "
                                               "multiple-test control", isin=_GI),
        },
        strict=True, ordered=True, **one_row_per("measure", "period", "adcode"),
        description="Local hotspot statistics of the EB-smoothed postings rate, one row per "
                    "measure × period × province.",
        metadata={"sources": ["case_rates", "case_counts", "census2020_province",
                              "census_city_province", "hotspot_neighbours"],
                  "notes": f"Pooled rows (period '{POOLED}') for every measure; period rows "
                           "for lost_uiuing_missing (2000–2009, 2010–2023) and the wtt1002 "
                           "adults (before 1980, 1980s, 1990s, 2000–2023). Children: 2020 "
                           "census for uiuing and Juvenile-XI, 2010 estimate for wtt1002. "
                           + _INFERENCE + " " + _CAVEAT},
    ),
    "hotspot_global_moran": pa.DataFrameSchema(
        {
            "measure": _measure(),
            "period": _period(),
            "rate_kind": text_column("raw or eb (empirical-Bayes smoothed) rate",
                                     isin=list(RATE_KINDS)),
            "provinces_count": count_column("provinces (31)"),
            "moran_i": float_column("global Moran's I (row-standardised weights)", "unitless"),
            "expected_i": float_column("E[I] = −1/(n−1)", "unitless"),
            "moran_z": float_column("z-score of I under normality", "standard deviations"),
            "p_norm": p_column("two-sided normal p-value of I"),
            "p_sim": p_column("directed permutation pseudo p-value of I (esda alternative "
                        "'directed': one-sided, in the tail the observed I falls in)"),
            "mean_i_sim": float_column("mean I over the permutations", "unitless"),
            "permutations_count": count_column("permutations"),
            "seed": pa.Column("int64", description="seed of the permutations",
                              metadata={"unit": "seed"}),
        },
        strict=True, ordered=True, **one_row_per("measure", "period", "rate_kind"),
        description="Global Moran's I of the raw and the EB postings rate per measure and "
                    "period.",
        metadata={"sources": ["hotspot_local", "hotspot_neighbours"],
                  "notes": _INFERENCE + " " + _CAVEAT},
    ),
    "hotspot_lisa_sensitivity": pa.DataFrameSchema(
        {
            "measure": _measure(),
            "adcode": adcode_column(),
            "lisa_cluster": text_column("published LISA cluster (hotspot_local: queen weights, "
                                        f"seed {SEED}, FDR)", isin=_LISA),
            **{f"cluster_{w}": text_column(f"LISA cluster (FDR) under the {w} weights, seed "
                                           f"{SEED}", isin=_LISA)
               for w in SENSITIVITY_WEIGHTS},
            "seeds_same_share": float_column(f"share of the {len(SENSITIVITY_SEEDS)} seeds that give "
                                       "lisa_cluster on the queen weights", "share (0-1)",
                                       ge=0, le=1),
            "variants_count": count_column("weights × seed variants"),
            "same_cluster_share": float_column("share of all variants that give lisa_cluster",
                                         "share (0-1)", ge=0, le=1),
            "modal_cluster": text_column("the significant cluster the province is in most "
                                         "often over the variants ('Not significant' if never)",
                                         isin=_LISA),
            "modal_cluster_share": float_column("share of variants in which the province is in "
                                          "modal_cluster (0 if never significant)",
                                          "share (0-1)", ge=0, le=1),
            "stability": text_column(f"'{STABLE}': in modal_cluster in every variant; "
                                     f"'{CHANGING}': in some only; '{NEVER}'",
                                     isin=list(STABILITY)),
        },
        strict=True, ordered=True, **one_row_per("measure", "adcode"),
        description="How stable each province's LISA cluster (pooled EB rate) is to the "
                    "spatial weights and the permutation seed: its cluster under each weights "
                    "variant and the share of weights × seed variants that agree.",
        metadata={"sources": ["hotspot_local", "boundaries_ocha"],
                  "notes": f"Weights: {', '.join(SENSITIVITY_WEIGHTS)} (queen = the project's "
                           f"weights, Hainan joined to its {ISLAND_K} nearest provinces; knn<k> "
                           "= k nearest provinces by centroid distance in the equal-area "
                           "projection; distance_band = centroids within the smallest distance "
                           "that leaves no province without a neighbour), all row-standardised; "
                           f"seeds {SENSITIVITY_SEEDS[0]}–{SENSITIVITY_SEEDS[-1]}, "
                           f"{PERMUTATIONS} conditional permutations each, Benjamini–Hochberg "
                           f"FDR at {ALPHA} over the 31 provinces. " + _CAVEAT},
    ),
    "hotspot_source_destination": pa.DataFrameSchema(
        {
            "source": _SOURCE_FLOWS,
            "adcode": adcode_column(),
            "lost_postings_count": count_column("records lost in the province"),
            "destination_postings_count": count_column("records found / living in the "
                                                       "province"),
            "lost_eb_per_100k": rate_column("EB rate, lost side", "per 100,000 children"),
            "destination_eb_per_100k": rate_column("EB rate, destination side",
                                                   "per 100,000 children"),
            "lost_eb_rank": _rank("rank of the lost-side EB rate"),
            "destination_eb_rank": _rank("rank of the destination-side EB rate"),
            "rank_difference": pa.Column("int64", pa.Check.in_range(-30, 30),
                                         description="destination rank − lost rank: positive "
                                         "= ranks higher as a place lost than as a destination "
                                         "(net source), negative = net destination",
                                         metadata={"unit": "ranks"}),
            "out_flow_count": count_column("lost here, destination in another province"),
            "in_flow_count": count_column("destination here, lost in another province"),
            "within_flow_count": count_column("lost and destination in this province"),
            "net_inflow_count": pa.Column("int64", description="in_flow_count − "
                                          "out_flow_count", metadata={"unit": "count"}),
            "net_importer": flag_column("in_flow_count > out_flow_count"),
        },
        strict=True, ordered=True, **one_row_per("source", "adcode"),
        description="Net source vs destination provinces: EB-rate ranks of the lost and the "
                    "destination side and the flow balance of the two paired sources.",
        metadata={"sources": ["hotspot_local", "case_flows"], "notes": _CAVEAT},
    ),
    "published_hotspot_comparison": pa.DataFrameSchema(
        {
            "source": _SOURCE_FLOWS,
            "adcode": adcode_column(),
            "xin_cai_region": text_column("Xin & Cai hotspot region",
                                          isin=[*XIN_CAI_REGIONS, NO_REGION]),
            "xin_cai_role": text_column("role Xin & Cai give the region", isin=sorted(
                {v[0] for v in XIN_CAI_REGIONS.values()} | {NO_REGION})),
            "wang_named8": flag_column("one of Wang et al.'s eight provinces (66.3 % out, 52.9 % in)"),
            "wang_net_importer": flag_column("net importer in Wang et al."),
            "lost_eb_rank": _rank("our lost-side EB-rate rank"),
            "lost_top8": flag_column("lost_eb_rank ≤ 8"),
            "lost_gi_label": text_column("our lost-side Gi* label after FDR", isin=_GI),
            "lost_gi_label_unadjusted": text_column("our lost-side Gi* label, unadjusted",
                                                    isin=_GI),
            "destination_eb_rank": _rank("our destination-side EB-rate rank"),
            "destination_top8": flag_column("destination_eb_rank ≤ 8"),
            "destination_gi_label": text_column("our destination-side Gi* label after FDR",
                                                isin=_GI),
            "destination_gi_label_unadjusted": text_column("our destination-side Gi* label, "
                                                           "unadjusted", isin=_GI),
            "out_flow_count": count_column("lost here, destination elsewhere"),
            "in_flow_count": count_column("destination here, lost elsewhere"),
            "within_flow_count": count_column("lost and destination here"),
            "net_inflow_count": pa.Column("int64", description="in − out",
                                          metadata={"unit": "count"}),
            "net_importer": flag_column("ours: in_flow_count > out_flow_count"),
            "agrees_net_importer": flag_column("our net_importer equals Wang et al.'s"),
        },
        strict=True, ordered=True, **one_row_per("source", "adcode"),
        description="Province by province: Xin & Cai's court-verdict hotspot regions and Wang "
                    "et al.'s lists next to our lost-side and destination-side hot spots.",
        metadata={"sources": ["published_figures_with_quotes.csv", "hotspot_local",
                              "case_flows"],
                  "notes": f"Xin & Cai, IJPS 4(2), doi:{XIN_CAI_DOI} (sentencing "
                           "documents 2014–2016): regions as a constant in analysis.vocab.studies. "
                           f"Wang et al. 2018, Nature Sustainability 1:254–260, doi:{WANG_DOI} "
                           "(grade B: figures read in a press summary of the paper). "
                           + _CAVEAT},
    ),
    "published_flow_comparison": pa.DataFrameSchema(
        {
            "study": text_column("published study", isin=[WANG_STUDY]),
            "measure": text_column("measure", isin=[
                "records_count", "within_province_share", "named8_out_share",
                "named8_in_share", "top8_out_share", "top8_in_share",
                "top8_out_overlap_count", "top8_in_overlap_count", "net_importer_count",
                "net_importer_overlap_count"]),
            "source": _SOURCE_FLOWS,
            "flow_scope": text_column("inter-provincial pairs only, or all pairs",
                                      isin=list(FLOW_SCOPES)),
            "published_value": float_column("the study's figure (shares 0–1)", "share or count",
                                      nullable=True),
            "our_value": float_column("the same measure from our flows", "share or count", ge=0),
            "unit": text_column("share (0–1) or count", isin=["share", "count"]),
            "provinces": text_column("provinces the measure is about (English, '; '; empty if none)",
                                     nullable=True),
            "definition": text_column("how our value is computed"),
            "citation_url": text_column("the study's DOI link (never the press summary the "
                                        "figures were read from)",
                                        isin=[doi_url(WANG_DOI)]),
            "citation_status": text_column("how sure citation_url is (original_url_status of "
                                           "the curated table)", isin=list(STATUSES)),
        },
        strict=True, ordered=True, **one_row_per("measure", "source", "flow_scope"),
        description="Wang et al. 2018's network measures next to the same measures computed "
                    "from our lost → destination flows.",
        metadata={"sources": ["published_figures_with_quotes.csv", "case_flows"],
                  "notes": f"Wang et al. 2018, doi:{WANG_DOI}, used 22,531 province-level "
                           "records of cases they classed as trafficking for illegal adoption "
                           "(figures read in a press summary of the paper, grade B); ours are "
                           "reunions (2021 scrape) and adults searching (2016 scrape), all kinds "
                           "of loss. " + _CAVEAT},
    ),
}
