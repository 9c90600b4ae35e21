"""The computed findings notebook 03 states in prose, as small typed results.

Each function takes processed tables (``hotspot_local``, ``hotspot_global_moran``,
``hotspot_lisa_sensitivity``, ``hotspot_source_destination``, ``hotspot_neighbours``, ``case_flows``,
``published_hotspot_comparison``, ``published_flow_comparison``) and returns a frozen dataclass
of the numbers a sentence cites; its ``markdown()`` method writes the sentence. Province names
in prose are English. ``tests/test_hotspot_findings.py`` checks the fields against the tables.

These are views of the hotspot and comparison tables; they sit in :mod:`analysis.plots` next
to the maps that show the same numbers until those topics have ``views`` modules of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.plots.hotspot_maps import DEST_CAVEAT, LOST_MEASURES, RATE_COLUMNS, map_rows
from analysis.plots.style import province_names
from analysis.plots.text import number_word, province_list
from analysis.stats import hotspots
from analysis.topics.hotspots import compare
from analysis.topics.hotspots.build import ALPHA, MEASURE_LABELS, PERMUTATIONS, POOLED, QUEEN_LINK
from analysis.topics.hotspots.schema import (
    CHANGING,
    SENSITIVITY_SEEDS,
    SENSITIVITY_WEIGHTS,
    STABLE,
)
from analysis.topics.migration.views import with_names
from analysis.vocab.provinces import crosswalk
from analysis.vocab.seeds import SEED

#: Provinces named as the highest rates of a measure.
TOP_N = 5
#: Size of a measure's "top" group compared across sources (the eight highest EB rates, as in
#: the ``*_top8`` columns of ``published_hotspot_comparison``).
TOP_GROUP = compare.TOP_N
#: The lost-side measures with enough postings to compare their top groups.
LARGE_LOST_MEASURES = LOST_MEASURES[:4]
#: Largest inter-provincial reunion flows drawn and summed.
N_FLOWS = 20
#: Adcode of Hainan, the island province linked to its nearest provinces.
HAINAN = 460000


def _name(adcode: int) -> str:
    return str(province_names("en").loc[int(adcode)])


@dataclass(frozen=True)
class ProvinceRate:
    """One province's EB rate per 100,000 children, raw rate and postings."""

    adcode: int
    eb_per_100k: float
    raw_per_100k: float
    postings_count: int


def _rate(row: pd.Series | tuple) -> ProvinceRate:
    return ProvinceRate(int(row.adcode), float(row.eb_per_100k), float(row.raw_per_100k),
                        int(row.postings_count))


def ranked(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    """The ``n`` highest EB rates of one map's rows (:func:`~analysis.plots.hotspot_maps.map_rows`)
    with province names: the table shown beside a rate map."""
    return with_names(rows[RATE_COLUMNS]).sort_values("eb_rank").head(n)


@dataclass(frozen=True)
class LostRates:
    """The headline lost-side map: postings, the national rate, the highest EB rates, the
    provinces with fewer than ``min_count`` postings and the largest smoothing correction."""

    postings: int
    national_per_100k: float
    highest: tuple[ProvinceRate, ...]
    small: tuple[int, ...]
    min_count: int
    largest_correction: ProvinceRate

    def markdown(self) -> str:
        b = self.largest_correction
        return (f"Families posted **{self.postings:,}** children as missing in the 31 "
                f"provinces, {self.national_per_100k:.2f} per 100,000 children nationally. The "
                "highest EB rates are in "
                + ", ".join(f"{_name(r.adcode)} ({r.eb_per_100k:.2f}; {r.postings_count:,} "
                            "postings)" for r in self.highest)
                + f". {len(self.small)} provinces have fewer than {self.min_count} postings "
                f"({province_list(self.small)}); the largest correction by smoothing is in "
                f"{_name(b.adcode)} (raw {b.raw_per_100k:.2f}, EB {b.eb_per_100k:.2f}, from "
                f"{b.postings_count:,} postings).")


def lost_rates(rows: pd.DataFrame) -> LostRates:
    """From one map's rows (``hotspot_local``, one measure, pooled)."""
    small = rows[rows["small_count"]]
    shrink = (rows["raw_per_100k"] - rows["eb_per_100k"]).abs()
    national = rows["postings_count"].sum() / rows["children_0_14_persons"].sum() * 1e5
    return LostRates(int(rows["postings_count"].sum()), float(national),
                     tuple(_rate(r) for r in rows.sort_values("eb_rank").head(TOP_N).itertuples()),
                     tuple(int(a) for a in small["adcode"]), hotspots.MIN_COUNT,
                     _rate(rows.loc[shrink.idxmax()]))


@dataclass(frozen=True)
class SourceAgreement:
    """Provinces in the top group of every large lost-side measure, and the Spearman rank
    correlations of the EB rates between all lost-side measures (``correlations``)."""

    in_every_top: tuple[int, ...]
    correlations: pd.DataFrame

    @property
    def off_diagonal(self) -> np.ndarray:
        c = self.correlations
        return c.where(~np.eye(len(c), dtype=bool)).to_numpy()

    def markdown(self) -> str:
        return (f"Provinces in the top {number_word(TOP_GROUP)} of all "
                f"{number_word(len(LARGE_LOST_MEASURES))} large lost-side measures: "
                f"**{province_list(self.in_every_top)}**. Rank correlations of the EB rates "
                f"between sources range from {np.nanmin(self.off_diagonal):.2f} to "
                f"{np.nanmax(self.off_diagonal):.2f}.")


def source_agreement(local: pd.DataFrame) -> SourceAgreement:
    """From ``hotspot_local`` (pooled rows of :data:`LOST_MEASURES`)."""
    tops = {m: set(map_rows(local, m).nsmallest(TOP_GROUP, "eb_rank")["adcode"])
            for m in LARGE_LOST_MEASURES}
    corr = pd.DataFrame({m: map_rows(local, m).set_index("adcode")["eb_per_100k"]
                         for m in LOST_MEASURES}).corr(method="spearman")
    return SourceAgreement(tuple(sorted(set.intersection(*tops.values()))), corr)


@dataclass(frozen=True)
class Destinations:
    """Reunions (found side) and adults searching (where they live now): totals, the highest
    found-side EB rates and the provinces where most adults searching live."""

    reunions: int
    found_highest: tuple[ProvinceRate, ...]
    adults: int
    adults_most: tuple[ProvinceRate, ...]

    def markdown(self) -> str:
        return (f"{DEST_CAVEAT}. Of **{self.reunions:,}** reunions, the highest EB rates of "
                "found children per child population are in "
                + ", ".join(f"{_name(r.adcode)} ({r.eb_per_100k:.2f}; {r.postings_count:,})"
                            for r in self.found_highest)
                + f". Adults searching (**{self.adults:,}**) live mostly in "
                + ", ".join(f"{_name(r.adcode)} ({r.postings_count:,})" for r in self.adults_most)
                + ".")


def destinations(found: pd.DataFrame, now: pd.DataFrame) -> Destinations:
    """From the map rows of ``found_uiuing_success`` and ``current_wtt1002_data``."""
    return Destinations(int(found["postings_count"].sum()),
                        tuple(_rate(r) for r in found.nsmallest(TOP_N, "eb_rank").itertuples()),
                        int(now["postings_count"].sum()),
                        tuple(_rate(r) for r in now.nlargest(TOP_N, "postings_count").itertuples()))


#: The flow sources with both places: source → what its records are, in prose.
FLOW_SOURCES = {"uiuing_success": "reunions", "wtt1002_data": "adults searching"}


@dataclass(frozen=True)
class NetExtremes:
    """The strongest net sources and net destinations of one flow source: ``(adcode,
    destination rank − lost rank)``, strongest first."""

    source: str
    net_sources: tuple[tuple[int, int], ...]
    net_destinations: tuple[tuple[int, int], ...]

    def markdown(self) -> str:
        return (f"**{FLOW_SOURCES[self.source].capitalize()}** — strongest net sources: "
                + ", ".join(f"{_name(a)} ({d:+d})" for a, d in self.net_sources)
                + "; strongest net destinations: "
                + ", ".join(f"{_name(a)} ({d:+d})" for a, d in self.net_destinations) + ".")


def net_extremes(source_dest: pd.DataFrame, source: str, n: int = TOP_N) -> NetExtremes:
    """From ``hotspot_source_destination``: the ``n`` largest and smallest rank differences
    of ``source`` (ties by adcode)."""
    s = source_dest[source_dest["source"] == source]
    order = s.sort_values(["rank_difference", "adcode"], kind="stable")
    pairs = [(int(r.adcode), int(r.rank_difference)) for r in order.itertuples()]
    return NetExtremes(source, tuple(pairs[-n:][::-1]), tuple(pairs[:n]))


@dataclass(frozen=True)
class GlobalMoran:
    """Global Moran's I of the pooled EB rates: the weights (links, Hainan's neighbours), the
    permutations and seed, and per measure ``(measure, I, permutation p)``."""

    links: int
    hainan_neighbours: tuple[int, ...]
    measures: tuple[tuple[str, float, float], ...]
    alpha: float = ALPHA

    @property
    def significant(self) -> int:
        """Measures with permutation p ≤ α."""
        return sum(p <= self.alpha for _, _, p in self.measures)

    def markdown(self) -> str:
        return (f"The weights hold {self.links} directed links; Hainan is linked to "
                f"{province_list(self.hainan_neighbours)}. Permutations: {PERMUTATIONS:,}, seed "
                f"{SEED}. Of the {len(self.measures)} pooled measures, **{self.significant}** "
                "show significant positive spatial autocorrelation of the EB rate at the "
                f"{self.alpha * 100:g} % level:\n\n"
                + "\n".join(f"* {MEASURE_LABELS[m][0]}: I = {i:.3f} (directed permutation p = "
                            f"{p:.4f})"
                            for m, i, p in self.measures))


def global_moran(moran: pd.DataFrame, neighbours: pd.DataFrame) -> GlobalMoran:
    """From ``hotspot_global_moran`` (pooled, EB rate) and ``hotspot_neighbours``."""
    island = neighbours[neighbours["rule"] != QUEEN_LINK]
    hainan = sorted(int(a) for a in island.loc[island["province_adcode"] == HAINAN,
                                               "neighbour_adcode"])
    pm = moran[(moran["period"] == POOLED) & (moran["rate_kind"] == "eb")]
    return GlobalMoran(len(neighbours), tuple(hainan),
                       tuple((r.measure, float(r.moran_i), float(r.p_sim))
                             for r in pm.itertuples()))


def moran_table(moran: pd.DataFrame) -> pd.DataFrame:
    """Moran's I and its directed permutation p (column ``p_directed``) by measure and period,
    raw and EB rates side by side."""
    return (moran.rename(columns={"p_sim": "p_directed"})
            .pivot_table(index=["measure", "period"], columns="rate_kind",
                         values=["moran_i", "p_directed"]).round(4))


@dataclass(frozen=True)
class LocalSpots:
    """Gi* hot and cold spots of one pooled measure after FDR control and without it, and its
    LISA High-High clusters after FDR (adcodes in table order)."""

    measure: str
    tests: int
    hot: tuple[int, ...]
    cold: tuple[int, ...]
    hot_unadjusted: tuple[int, ...]
    cold_unadjusted: tuple[int, ...]
    high_high: tuple[int, ...]
    alpha: float = ALPHA

    def markdown(self) -> str:
        text = f"**{MEASURE_LABELS[self.measure][0]}.** "
        if not self.hot and not self.cold:
            text += ("No province is a significant Gi* hot or cold spot after false-discovery-rate "
                     f"control. Unadjusted (directed p ≤ {self.alpha}, not corrected for {self.tests} "
                     f"tests, so not evidence on its own): hot {province_list(self.hot_unadjusted)}; "
                     f"cold {province_list(self.cold_unadjusted)}.")
        else:
            only_hot = sorted(set(self.hot_unadjusted) - set(self.hot))
            only_cold = sorted(set(self.cold_unadjusted) - set(self.cold))
            text += (f"Significant after FDR control: hot spots {province_list(self.hot)}; cold "
                     f"spots {province_list(self.cold)}. Significant only without the control: "
                     f"hot {province_list(only_hot)}; cold {province_list(only_cold)}.")
        return text + f" LISA High-High clusters after FDR: {province_list(self.high_high)}."


def local_spots(local: pd.DataFrame) -> list[LocalSpots]:
    """One :class:`LocalSpots` per pooled measure of ``hotspot_local``, in table order."""
    out = []
    for m in local.loc[local["period"] == POOLED, "measure"].unique():
        sel = map_rows(local, m)

        def where(col: str, value: str, sel: pd.DataFrame = sel) -> tuple[int, ...]:
            return tuple(int(a) for a in sel.loc[sel[col] == value, "adcode"])

        out.append(LocalSpots(m, len(sel), where("gi_label", hotspots.HOT_SPOT),
                              where("gi_label", hotspots.COLD_SPOT),
                              where("gi_label_unadjusted", hotspots.HOT_SPOT),
                              where("gi_label_unadjusted", hotspots.COLD_SPOT),
                              where("lisa_cluster", "High-High")))
    return out


#: Gi* label ↔ the LISA cluster of the same direction (outliers have no Gi* counterpart).
GI_LISA_MATCH = {hotspots.HOT_SPOT: "High-High", hotspots.COLD_SPOT: "Low-Low",
                 hotspots.NOT_SIGNIFICANT: hotspots.NOT_SIGNIFICANT}


@dataclass(frozen=True)
class GiDecision:
    """How Gi* (kept, tested by total randomisation) compares with the LISA (conditional
    permutation) over every pooled province test of ``hotspot_local``, after FDR control.

    ``agree``: tests with the same verdict (Gi* hot spot and LISA High-High, cold spot and
    Low-Low, or neither significant); ``equal_p``: tests whose two directed p-values are equal;
    ``lisa_clusters``: LISA High-High / Low-Low after FDR, ``lisa_confirmed`` of them a Gi* spot
    of the same direction; ``lisa_outliers``: LISA High-Low / Low-High after FDR (no Gi*
    counterpart); ``gi_only``: Gi* hot or cold spots where the LISA flags nothing."""

    tests: int
    maps: int
    equal_p: int
    agree: int
    gi_spots: int
    lisa_clusters: int
    lisa_confirmed: int
    lisa_outliers: int
    gi_only: int

    def markdown(self) -> str:
        return (f"**Decision on Gi\\*: kept, with its own inference.** Gi\\* is tested by total "
                "randomisation (all 31 rates permuted over the map, the province's own "
                "included), no longer by the LISA's conditional permutation, under which the "
                "two directed p-values were equal row for row and could not confirm each other; "
                f"now {self.equal_p} of the {self.tests} pooled tests ({self.maps} maps × 31 "
                "provinces) have equal directed p-values. The tests ask different questions: "
                "Gi\\* whether a province's neighbourhood total (itself included) is extreme, "
                "the LISA whether its neighbours are extreme given its own rate. After FDR "
                f"control they give the same verdict in **{self.agree} of {self.tests}** tests. "
                f"{self.lisa_confirmed} of the {self.lisa_clusters} LISA High-High or Low-Low "
                f"clusters are also Gi\\* hot or cold spots of the same direction "
                f"({self.lisa_outliers} LISA outliers, which Gi\\* cannot flag); Gi\\* adds "
                f"**{self.gi_only}** hot or cold spots the LISA does not flag (of its "
                f"{self.gi_spots}). Because its null permutes the province's own rate too, one "
                "extreme province can make its neighbourhood significant: those Gi\\*-only "
                "spots are a second reading of the map, not confirmed clusters.")


def gi_decision(local: pd.DataFrame) -> GiDecision:
    """From ``hotspot_local`` (pooled rows)."""
    p = local[local["period"] == POOLED]
    lisa, gi = p["lisa_cluster"], p["gi_label"]
    clusters = lisa.isin(["High-High", "Low-Low"])
    outliers = ~clusters & (lisa != hotspots.NOT_SIGNIFICANT)
    same = gi.map(GI_LISA_MATCH) == lisa
    return GiDecision(len(p), p["measure"].nunique(),
                      int((p["gi_p_sim"] == p["lisa_p_sim"]).sum()), int(same.sum()),
                      int((gi != hotspots.NOT_SIGNIFICANT).sum()), int(clusters.sum()),
                      int((clusters & same).sum()), int(outliers.sum()),
                      int(((gi != hotspots.NOT_SIGNIFICANT)
                           & (lisa == hotspots.NOT_SIGNIFICANT)).sum()))


#: The traditional geographic regions of China (七大地理分区), used to name a cluster whose
#: members change ("a south-west cluster"); the NBS regions of the crosswalk are broader.
GEOGRAPHIC_REGIONS: dict[str, tuple[int, ...]] = {
    "North China": (110000, 120000, 130000, 140000, 150000),
    "the north-east": (210000, 220000, 230000),
    "East China": (310000, 320000, 330000, 340000, 350000, 360000, 370000),
    "Central China": (410000, 420000, 430000),
    "South China": (440000, 450000, 460000),
    "the south-west": (500000, 510000, 520000, 530000, 540000),
    "the north-west": (610000, 620000, 630000, 640000, 650000),
}
#: Share of the weights × seed variants from which a changing member counts as "most".
MOST = 0.5


def region_phrase(adcodes: tuple[int, ...]) -> str:
    """``"the south-west"`` if every province is in one geographic region
    (:data:`GEOGRAPHIC_REGIONS`), else the regions joined (``"South China and the
    south-west"``), in the order of the table."""
    found = [r for r, codes in GEOGRAPHIC_REGIONS.items() if set(adcodes) & set(codes)]
    return " and ".join(found)


@dataclass(frozen=True)
class LisaStability:
    """The LISA clusters of one pooled measure under every weights × seed variant
    (``hotspot_lisa_sensitivity``): the published members ``(adcode, cluster)`` (queen
    weights, the project's seed, FDR), the stable members (in the same cluster in every
    variant), the changing ones ``(adcode, modal cluster, share of variants)`` by share, and
    the provinces whose published label changes with the seed alone on the queen weights
    ``(adcode, published label, share of seeds that reproduce it)``."""

    measure: str
    variants: int
    published: tuple[tuple[int, str], ...]
    stable: tuple[tuple[int, str], ...]
    changing: tuple[tuple[int, str, float], ...]
    seed_changes: tuple[tuple[int, str, float], ...]

    @property
    def most(self) -> tuple[tuple[int, str, float], ...]:
        """Changing members in at least :data:`MOST` of the variants."""
        return tuple(c for c in self.changing if c[2] >= MOST)

    def summary(self) -> str:
        """Per cluster type: the region, the stable members and those that depend on the
        weights or seed (empty if no province is in a cluster in most variants)."""
        parts = []
        for kind in ("High-High", "Low-Low", "High-Low", "Low-High"):
            core = [a for a, k in self.stable if k == kind]
            maybe = [a for a, k, _ in self.most if k == kind]
            if not core and not maybe:
                continue
            where = region_phrase(tuple(core + maybe))
            if not core:
                parts.append(f"{kind} in most variants but not all: {province_list(maybe)} "
                             f"({where}), no stable cluster")
                continue
            text = f"a {kind} cluster in {where} ({province_list(core)} in every variant"
            if maybe:
                text += f", with {province_list(maybe)} depending on the weights and seed"
            parts.append(text + ")")
        return "; ".join(parts)

    def markdown(self) -> str:
        def listed(items: tuple, with_share: bool) -> str:
            if not items:
                return "none"
            return ", ".join(f"{_name(i[0])} ({i[1]}{f', {i[2]:.0%}' if with_share else ''})"
                             for i in items)

        few = [a for a, _, s in self.changing if s < MOST]
        text = (f"**{MEASURE_LABELS[self.measure][0]}.** Published LISA clusters (queen weights, "
                f"seed {SEED}, FDR): {listed(self.published, False)}. Over {self.variants} "
                f"variants ({len(SENSITIVITY_WEIGHTS)} weights × {len(SENSITIVITY_SEEDS)} "
                f"seeds), in the same cluster in every variant: {listed(self.stable, False)}; "
                f"in at least {MOST:.0%} of them: {listed(self.most, True)}; in fewer: "
                f"{province_list(few)}.")
        if self.seed_changes:
            text += (" On the queen weights the seed alone changes the label of "
                     + ", ".join(f"{_name(a)} (published: {k}; the same in {s:.0%} of the "
                                 "seeds)" for a, k, s in self.seed_changes) + ".")
        summary = self.summary()
        text += (f" Read: {summary}." if summary else
                 " No province is in a cluster in most variants: no LISA cluster to report.")
        return text


def lisa_stability(sensitivity: pd.DataFrame) -> list[LisaStability]:
    """One :class:`LisaStability` per measure of ``hotspot_lisa_sensitivity``, in table order
    (changing members by share of variants, then adcode)."""
    out = []
    for m, g in sensitivity.groupby("measure", sort=False):
        pub = g[g["lisa_cluster"] != hotspots.NOT_SIGNIFICANT]
        stable = g[g["stability"] == STABLE]
        changing = g[g["stability"] == CHANGING].sort_values(
            ["modal_cluster_share", "adcode"], ascending=[False, True], kind="stable")
        seeds = g[g["seeds_same_share"] < 1]
        out.append(LisaStability(
            str(m), int(g["variants_count"].iloc[0]),
            tuple((int(r.adcode), str(r.lisa_cluster)) for r in pub.itertuples()),
            tuple((int(r.adcode), str(r.modal_cluster)) for r in stable.itertuples()),
            tuple((int(r.adcode), str(r.modal_cluster), float(r.modal_cluster_share))
                  for r in changing.itertuples()),
            tuple((int(r.adcode), str(r.lisa_cluster), float(r.seeds_same_share))
                  for r in seeds.itertuples())))
    return out


@dataclass(frozen=True)
class ReunionFlows:
    """Reunions with both provinces known: how many crossed a provincial border, between
    regions and from the West to the East, and the ``top`` largest inter-provincial flows
    (``case_flows`` rows with English names, largest first; ties by adcodes)."""

    reunions: int
    between_provinces: int
    between_regions: int
    west_to_east: int
    top: pd.DataFrame

    def markdown(self) -> str:
        first = self.top.iloc[0]
        return (f"{DEST_CAVEAT}. Of {self.reunions:,} reunions with both provinces known, "
                f"{self.between_provinces:,} ({self.between_provinces / self.reunions:.0%}) "
                f"crossed a provincial border, and {self.between_regions:,} crossed between "
                f"regions — {self.west_to_east:,} of them from the West to the East. The "
                f"{len(self.top)} largest flows carry "
                f"{self.top['flow_count'].sum() / self.between_provinces:.0%} of "
                "inter-provincial reunions; the largest is "
                f"**{first.lost_name_en} → {first.destination_name_en}** "
                f"({first.flow_count:,}).")


def reunion_flows(flows: pd.DataFrame, n: int = N_FLOWS) -> ReunionFlows:
    """From ``case_flows`` (source ``uiuing_success``); regions from the province crosswalk."""
    reunions = flows[flows["source"] == "uiuing_success"]
    between = reunions[~reunions["same_province"]].sort_values(
        ["flow_count", "lost_adcode", "destination_adcode"], ascending=[False, True, True],
        kind="stable")
    top = between.head(n).copy()
    name_en = province_names("en")
    top["lost_name_en"] = top["lost_adcode"].map(name_en)
    top["destination_name_en"] = top["destination_adcode"].map(name_en)
    region = crosswalk().set_index("adcode")["region"]
    lost, dest = between["lost_adcode"].map(region), between["destination_adcode"].map(region)
    return ReunionFlows(int(reunions["flow_count"].sum()), int(between["flow_count"].sum()),
                        int(between.loc[lost != dest, "flow_count"].sum()),
                        int(between.loc[(lost == "West") & (dest == "East"), "flow_count"].sum()),
                        top)


# --- the published geography -----------------------------------------------------------------


@dataclass(frozen=True)
class XinCaiComparison:
    """Xin & Cai's regions against the platform (reunions, 2021 scrape, unless named)."""

    suppliers: int
    suppliers_in_lost_top: tuple[int, ...]
    lost_hot_spots: tuple[int, ...]
    suppliers_in_families_top: int
    buyers: int
    buyers_in_found_top: tuple[int, ...]
    buyers_net_importers: tuple[int, ...]
    buyers_net_importers_adults: int
    found_hot_spots: tuple[int, ...]
    table: pd.DataFrame

    def markdown(self) -> str:
        return (f"**Supplier region (south-west).** In the reunion records, "
                f"{len(self.suppliers_in_lost_top)} of the {self.suppliers} south-western "
                f"provinces are in the top {number_word(TOP_GROUP)} by lost-side EB rate "
                f"({province_list(self.suppliers_in_lost_top)}), and the Gi* hot spots of the "
                f"lost side after FDR are {province_list(self.lost_hot_spots)}. In the families' "
                f"postings (2021 scrape) {self.suppliers_in_families_top} of them are in the top "
                f"{number_word(TOP_GROUP)}. **Buyer regions (centre, east, south-east).** "
                f"{len(self.buyers_in_found_top)} of the {self.buyers} buyer provinces are in "
                f"the top {number_word(TOP_GROUP)} by the reunions' found-side EB rate "
                f"({province_list(self.buyers_in_found_top)}); "
                f"{len(self.buyers_net_importers)} are net importers of reunited children "
                f"({province_list(self.buyers_net_importers)}), and "
                f"{self.buyers_net_importers_adults} are net importers of adults searching. "
                f"Found-side Gi* hot spots after FDR: {province_list(self.found_hot_spots)}.")


def xin_cai(hot_cmp: pd.DataFrame, local: pd.DataFrame) -> XinCaiComparison:
    """From ``published_hotspot_comparison`` and ``hotspot_local``; ``table`` is the reunion
    rows with English names (the table shown)."""
    xc = hot_cmp[hot_cmp["source"] == "uiuing_success"].copy()
    xc.insert(2, "name_en", xc["adcode"].map(province_names("en")))
    buyer_roles = [compare.BUYER, compare.BOTH]
    suppliers = xc[xc["xin_cai_role"] == compare.SUPPLIER]
    buyers = xc[xc["xin_cai_role"].isin(buyer_roles)]
    adults = hot_cmp[hot_cmp["source"] == "wtt1002_data"]
    families_top = set(map_rows(local, "lost_uiuing_missing").nsmallest(TOP_GROUP, "eb_rank")
                       ["adcode"])

    def codes(frame: pd.DataFrame, mask: pd.Series) -> tuple[int, ...]:
        return tuple(int(a) for a in frame.loc[mask, "adcode"])

    return XinCaiComparison(
        len(suppliers), codes(suppliers, suppliers["lost_top8"]),
        codes(xc, xc["lost_gi_label"] == hotspots.HOT_SPOT),
        len(families_top & set(suppliers["adcode"])), len(buyers),
        codes(buyers, buyers["destination_top8"]), codes(buyers, buyers["net_importer"]),
        int(adults.loc[adults["xin_cai_role"].isin(buyer_roles), "net_importer"].sum()),
        codes(xc, xc["destination_gi_label"] == hotspots.HOT_SPOT), xc.drop(columns=["source"]))


@dataclass(frozen=True)
class OurShares:
    """One of our shares of a flow source on all pairs and on inter-provincial pairs only."""

    all_pairs: float
    inter_provincial: float


@dataclass(frozen=True)
class WangComparison:
    """Wang et al.'s published network figures next to ours (``published_flow_comparison``):
    adults searching (2016 scrape, ``wtt1002_data``) and reunions (2021, ``uiuing_success``)."""

    within_published: float
    within_adults: float
    within_reunions: float
    out_published: float
    out_adults: OurShares
    out_reunions: OurShares
    in_published: float
    in_adults: OurShares
    in_reunions: OurShares
    top_out_overlap_adults: int
    top_in_overlap_adults: int
    top_out_overlap_reunions: int
    top_in_overlap_reunions: int
    reunions_top_origins: str
    net_importers_published: int
    net_importer_overlap_adults: int
    net_importer_overlap_reunions: int
    net_importers_adults: int
    net_importers_reunions: int

    def markdown(self) -> str:
        def pair(s: OurShares) -> str:
            return f"{s.all_pairs:.1%} (all pairs) / {s.inter_provincial:.1%} (inter-provincial)"

        def short(s: OurShares) -> str:
            return f"{s.all_pairs:.1%} / {s.inter_provincial:.1%}"

        top = number_word(TOP_GROUP)
        return (f"* **Within one province**: Wang et al. {self.within_published:.1%}; adults "
                f"searching {self.within_adults:.1%}; reunions {self.within_reunions:.1%}.\n"
                f"* **Eight provinces' share of children trafficked out**: Wang et al. "
                f"{self.out_published:.1%}; adults searching {pair(self.out_adults)}; reunions "
                f"{short(self.out_reunions)}.\n"
                f"* **Same eight, share trafficked in**: Wang et al. {self.in_published:.1%}; "
                f"adults searching {short(self.in_adults)}; reunions {short(self.in_reunions)}.\n"
                f"* **Our own top {top} (all pairs)**: for adults searching, "
                f"{self.top_out_overlap_adults} of the {top} largest origins and "
                f"{self.top_in_overlap_adults} of the {top} largest destinations are Wang et "
                f"al.'s {top}; for reunions {self.top_out_overlap_reunions} and "
                f"{self.top_in_overlap_reunions}. The reunions' largest origins are "
                f"{self.reunions_top_origins}.\n"
                f"* **Net importers**: of Wang et al.'s {self.net_importers_published}, "
                f"{self.net_importer_overlap_adults} are net importers among adults searching and "
                f"{self.net_importer_overlap_reunions} among reunions (ours: adults "
                f"{self.net_importers_adults} net importers, reunions "
                f"{self.net_importers_reunions}).")


def wang_comparison(flow_cmp: pd.DataFrame) -> WangComparison:
    """From ``published_flow_comparison``; ``KeyError`` names a missing (measure, source,
    scope) row."""
    keyed = flow_cmp.set_index(["measure", "source", "flow_scope"])

    def ours(measure: str, source: str, scope: str = "all") -> float:
        return float(keyed.loc[(measure, source, scope), "our_value"])

    def published(measure: str, scope: str = "all") -> float:
        return float(keyed.loc[(measure, "wtt1002_data", scope), "published_value"])

    def shares(measure: str, source: str) -> OurShares:
        return OurShares(ours(measure, source), ours(measure, source, "inter-provincial"))

    def count(measure: str, source: str, scope: str = "all") -> int:
        return round(ours(measure, source, scope))

    adults, reunions, inter = "wtt1002_data", "uiuing_success", "inter-provincial"
    return WangComparison(
        published("within_province_share"), ours("within_province_share", adults),
        ours("within_province_share", reunions),
        published("named8_out_share"), shares("named8_out_share", adults),
        shares("named8_out_share", reunions),
        published("named8_in_share"), shares("named8_in_share", adults),
        shares("named8_in_share", reunions),
        count("top8_out_overlap_count", adults), count("top8_in_overlap_count", adults),
        count("top8_out_overlap_count", reunions), count("top8_in_overlap_count", reunions),
        str(keyed.loc[("top8_out_share", reunions, "all"), "provinces"]),
        round(published("net_importer_count", inter)),
        count("net_importer_overlap_count", adults, inter),
        count("net_importer_overlap_count", reunions, inter),
        count("net_importer_count", adults, inter), count("net_importer_count", reunions, inter))
