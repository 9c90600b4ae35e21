"""Read side of the prefecture atlas: the tables of step ``topics.prefecture_hotspots`` as the
notebook and the figures use them, and the small computed summaries the notebook says.

Every number a sentence of notebook 06 cites comes from a function here (tested against the
tables in ``tests/test_prefecture_hotspots.py``); nothing here draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import tables
from analysis.topics.prefecture_hotspots.schema import (
    COMPONENT_LINK,
    FINER_ONLY,
    FLIPS,
    KNN,
    KNN_ONLY,
    LEVELS,
    PREFECTURE_MEASURES,
    QUEEN,
    QUEEN_ONLY,
    STAYS,
)
from analysis.vocab.measures import MEASURES
from analysis.vocab.provinces import crosswalk
from analysis.vocab.settings import ALPHA, COLD_SPOT, HOT_SPOT, PREFECTURE_MIN_COUNT

TABLES = ("prefecture_hotspot_local", "prefecture_hotspot_global_moran",
          "prefecture_hotspot_sensitivity", "hotspot_level_comparison",
          "prefecture_hotspot_neighbours")


def load(processed: Path | None = None) -> dict[str, pd.DataFrame]:
    """The atlas tables (:data:`TABLES`) by name, schema-checked (:func:`analysis.tables.read`)."""
    return {name: tables.read(name, processed) for name in TABLES}


def placed(counts: pd.DataFrame, local: pd.DataFrame) -> pd.DataFrame:
    """Postings of each atlas measure on the prefecture map and known only at province level.

    ``counts``: ``prefecture_case_counts`` (step ``topics.placement``). Columns: ``measure``,
    ``on_map_count`` (postings in the units of ``prefecture_hotspot_local``),
    ``province_only_count``, ``on_map_share`` (0–1 of the two).
    """
    rows = []
    for m in measures_of(local):
        c = counts[counts["measure"] == m]
        on_map = int(local.loc[local["measure"] == m, "postings_count"].sum())
        prov = int(c.loc[c["row_kind"] != "prefecture", "postings_count"].sum())
        rows.append({"measure": m, "on_map_count": on_map, "province_only_count": prov,
                     "on_map_share": on_map / (on_map + prov) if on_map + prov else 0.0})
    return pd.DataFrame(rows)


def placed_markdown(frame: pd.DataFrame) -> str:
    """One bullet per measure: postings on the prefecture map and left at province level."""
    return "\n".join(
        f"- {MEASURES[r.measure].short_en}: {r.on_map_count:,} postings on the map "
        f"({r.on_map_share:.0%}), {r.province_only_count:,} known only by province"
        for r in frame.itertuples(index=False))


def measures_of(local: pd.DataFrame) -> list[str]:
    """The measures of ``prefecture_hotspot_local`` in atlas order."""
    present = set(local["measure"])
    return [m for m in PREFECTURE_MEASURES if m in present]


@dataclass(frozen=True)
class Units:
    """The units of the atlas and the links the component rule added."""

    units: int
    small_count_units: int
    component_links: pd.DataFrame
    names: pd.Series

    def markdown(self) -> str:
        """One sentence on the units and the component rule."""
        pairs = self.component_links[
            self.component_links["prefecture_adcode"] < self.component_links["neighbour_adcode"]]
        joined = "; ".join(f"{self.names.loc[a]} – {self.names.loc[b]}"
                           for a, b in zip(pairs["prefecture_adcode"], pairs["neighbour_adcode"],
                                           strict=True))
        return (f"The map has **{self.units}** prefecture-level units with polygons and "
                f"children. Queen contiguity leaves islands, so the component rule added "
                f"{len(pairs)} links ({joined}). In the headline measure "
                f"{self.small_count_units} units have fewer than {PREFECTURE_MIN_COUNT} "
                "postings (hatched).")


def units(local: pd.DataFrame, neighbours: pd.DataFrame, measure: str) -> Units:
    """:class:`Units` of ``measure`` (its unit set: the 2020 or 2010 units)."""
    sel = local[local["measure"] == measure]
    year = int(sel["children_year"].iloc[0])
    links = neighbours[(neighbours["weights"] == QUEEN) & (neighbours["children_year"] == year)
                       & (neighbours["rule"] == COMPONENT_LINK)]
    names = sel.set_index("prefecture_adcode")["prefecture_name_zh"]
    return Units(len(sel), int(sel["small_count"].sum()), links.reset_index(drop=True), names)


def spot_counts(local: pd.DataFrame, sensitivity: pd.DataFrame) -> pd.DataFrame:
    """Gi* hot and cold spots (FDR) per measure under both weights, and how many stay.

    Columns: ``measure``, ``hot_queen``, ``cold_queen``, ``hot_knn``, ``cold_knn``,
    ``same_under_both``, ``contiguity_only``, ``knn_only``, ``opposite``.
    """
    rows = []
    for m in measures_of(local):
        s = sensitivity[sensitivity["measure"] == m]
        rows.append({"measure": m,
                     "hot_queen": int((s["gi_label_queen"] == HOT_SPOT).sum()),
                     "cold_queen": int((s["gi_label_queen"] == COLD_SPOT).sum()),
                     "hot_knn": int((s["gi_label_knn"] == HOT_SPOT).sum()),
                     "cold_knn": int((s["gi_label_knn"] == COLD_SPOT).sum()),
                     "same_under_both": int((s["gi_change"] == STAYS).sum()),
                     "contiguity_only": int((s["gi_change"] == QUEEN_ONLY).sum()),
                     "knn_only": int((s["gi_change"] == KNN_ONLY).sum()),
                     "opposite": int((s["gi_change"] == FLIPS).sum())})
    return pd.DataFrame(rows)


def moran_summary(moran: pd.DataFrame) -> pd.DataFrame:
    """Global Moran's I of the EB rate per measure: ``measure``, ``moran_i_queen``,
    ``p_sim_queen``, ``moran_i_knn``, ``p_sim_knn`` (atlas order)."""
    eb = moran[moran["rate_kind"] == "eb"]
    q = eb[eb["weights"] == QUEEN].set_index("measure")
    k = eb[eb["weights"] == KNN].set_index("measure")
    order = [m for m in PREFECTURE_MEASURES if m in q.index]
    return pd.DataFrame({"measure": order,
                         "moran_i_queen": q.loc[order, "moran_i"].to_numpy(),
                         "p_sim_queen": q.loc[order, "p_sim"].to_numpy(),
                         "moran_i_knn": k.loc[order, "moran_i"].to_numpy(),
                         "p_sim_knn": k.loc[order, "p_sim"].to_numpy()})


def moran_markdown(summary: pd.DataFrame) -> str:
    """One bullet per measure: Moran's I and its permutation p under both weights."""
    lines = []
    for r in summary.itertuples(index=False):
        verdict = "clustered" if r.p_sim_queen <= ALPHA and r.moran_i_queen > 0 else (
            "dispersed" if r.p_sim_queen <= ALPHA else "no significant autocorrelation")
        lines.append(f"- {MEASURES[r.measure].short_en}: I = {r.moran_i_queen:.3f} "
                     f"(p = {r.p_sim_queen:.4f}, {verdict}); KNN: I = {r.moran_i_knn:.3f} "
                     f"(p = {r.p_sim_knn:.4f})")
    return "\n".join(lines)


def spot_markdown(counts: pd.DataFrame) -> str:
    """One bullet per measure: hot and cold spots under both weights and how many stay."""
    return "\n".join(
        f"- {MEASURES[r.measure].short_en}: {r.hot_queen} hot and {r.cold_queen} cold spots on "
        f"contiguity, {r.hot_knn} hot and {r.cold_knn} cold on KNN; {r.same_under_both} the "
        f"same under both, {r.contiguity_only} on contiguity only, {r.knn_only} on KNN only"
        for r in counts.itertuples(index=False))


def level_counts(levels: pd.DataFrame) -> pd.DataFrame:
    """Provinces per level class (:data:`~.schema.LEVELS`) and measure (wide, zeros filled)."""
    order = [m for m in PREFECTURE_MEASURES if m in set(levels["measure"])]
    return (levels.groupby(["measure", "level_status"]).size().unstack(fill_value=0)
            .reindex(index=order, columns=list(LEVELS), fill_value=0).reset_index())


def level_markdown(levels: pd.DataFrame, measure: str) -> str:
    """Which province hot/cold spots survive, split or vanish at the prefecture level, and
    how many provinces have prefecture spots only at the finer level, for ``measure``."""
    sel = levels[levels["measure"] == measure]
    names = crosswalk().set_index("adcode")["name_en"]
    parts = []
    for status in LEVELS[:4]:
        rows = sel[sel["level_status"] == status]
        who = ", ".join(f"{names.loc[a]} ({lab.lower()})" if status != FINER_ONLY else
                        f"{names.loc[a]} ({h} hot, {c} cold)"
                        for a, lab, h, c in zip(rows["adcode"], rows["province_gi_label"],
                                                rows["prefectures_hot_count"],
                                                rows["prefectures_cold_count"], strict=True))
        parts.append(f"*{status}* {len(rows)}" + (f" — {who}" if who else ""))
    return (f"**{MEASURES[measure].short_en}** — provinces by what happens to their Gi* label "
            "at the prefecture level: " + "; ".join(parts) + ".")


__all__ = [
    "TABLES",
    "Units",
    "level_counts",
    "level_markdown",
    "load",
    "measures_of",
    "moran_markdown",
    "moran_summary",
    "placed",
    "placed_markdown",
    "spot_counts",
    "spot_markdown",
    "units",
]
