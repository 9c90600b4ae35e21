"""The findings notebook 03 states (analysis.plots.hotspot_findings) and the comparison figures
(analysis.plots.comparison_figures), against the tables and on synthetic frames."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from analysis import geo, tables
from analysis.plots import comparison_figures as cf
from analysis.plots import hotspot_findings as find
from analysis.plots import hotspot_maps as hm
from analysis.stats import hotspots
from analysis.topics.cases import views as casebook
from analysis.vocab.provinces import MAINLAND31, crosswalk


@pytest.fixture(scope="module")
def t(processed):
    return {n: tables.read(n, processed) for n in (
        "hotspot_local", "hotspot_global_moran", "hotspot_source_destination",
        "hotspot_neighbours", "case_flows", "published_hotspot_comparison",
        "published_flow_comparison")}


def test_lost_rates(t):
    rows = hm.map_rows(t["hotspot_local"], "lost_uiuing_missing")
    r = find.lost_rates(rows)
    assert r.postings == int(rows["postings_count"].sum())
    eb = [p.eb_per_100k for p in r.highest]
    assert len(eb) == find.TOP_N and eb == sorted(eb, reverse=True)
    assert eb[0] == rows["eb_per_100k"].max()
    counts = rows.set_index("adcode")["postings_count"]
    assert all(counts[a] < hotspots.MIN_COUNT for a in r.small)
    shift = abs(r.largest_correction.raw_per_100k - r.largest_correction.eb_per_100k)
    assert shift == pytest.approx((rows["raw_per_100k"] - rows["eb_per_100k"]).abs().max())
    assert f"**{r.postings:,}** children" in r.markdown()


def test_source_agreement(t):
    local = t["hotspot_local"]
    a = find.source_agreement(local)
    for m in find.LARGE_LOST_MEASURES:
        top = set(hm.map_rows(local, m).nsmallest(find.TOP_GROUP, "eb_rank")["adcode"])
        assert set(a.in_every_top) <= top
    assert list(a.correlations.columns) == hm.LOST_MEASURES
    assert (a.correlations.to_numpy().diagonal() == 1).all()
    assert "top eight of all four large" in a.markdown()


def test_destinations(t):
    local = t["hotspot_local"]
    found = hm.map_rows(local, "found_uiuing_success")
    now = hm.map_rows(local, "current_wtt1002_data")
    d = find.destinations(found, now)
    assert d.reunions == found["postings_count"].sum()
    assert [p.postings_count for p in d.adults_most] == sorted(
        now["postings_count"].nlargest(find.TOP_N), reverse=True)
    assert d.markdown().startswith(hm.DEST_CAVEAT)


def test_net_extremes_on_a_synthetic_frame():
    frame = pd.DataFrame({"source": "uiuing_success", "adcode": [110000, 120000, 130000, 140000],
                          "rank_difference": [3, -7, 3, 0]})
    e = find.net_extremes(frame, "uiuing_success", n=2)
    assert e.net_sources == ((130000, 3), (110000, 3))  # ties by adcode, strongest first
    assert e.net_destinations == ((120000, -7), (140000, 0))
    assert e.markdown() == ("**Reunions** — strongest net sources: Hebei (+3), Beijing (+3); "
                            "strongest net destinations: Tianjin (-7), Shanxi (+0).")


def test_global_moran(t):
    g = find.global_moran(t["hotspot_global_moran"], t["hotspot_neighbours"])
    assert g.links == len(t["hotspot_neighbours"])
    assert len(g.hainan_neighbours) == geo.ISLAND_K
    assert len(g.measures) == 7
    assert g.significant == sum(p <= g.alpha for _, _, p in g.measures)
    assert "at the 5 % level" in g.markdown()
    synthetic = find.GlobalMoran(140, (440000,), (("lost_juvenilexi", 0.3, 0.01),
                                                  ("lost_uiuing_missing", 0.1, 0.2)))
    assert synthetic.significant == 1 and "**1** show" in synthetic.markdown()


def test_local_spots(t):
    spots = find.local_spots(t["hotspot_local"])
    assert len(spots) == 7
    for s in spots:
        assert not set(s.hot) & set(s.cold)
        assert set(s.hot) <= set(MAINLAND31) and s.tests == 31
    none = find.LocalSpots("lost_juvenilexi", 31, (), (), (510000,), (), ())
    assert "No province is a significant Gi* hot or cold spot" in none.markdown()
    assert "hot Sichuan; cold none" in none.markdown()
    some = find.LocalSpots("lost_juvenilexi", 31, (510000,), (), (510000, 520000), (), ())
    assert "hot spots Sichuan" in some.markdown() and "hot Guizhou;" in some.markdown()


def test_reunion_flows(t):
    flows = t["case_flows"]
    r = find.reunion_flows(flows)
    reunions = flows[flows["source"] == "uiuing_success"]
    between = reunions[reunions["lost_adcode"] != reunions["destination_adcode"]]
    assert r.reunions == reunions["flow_count"].sum()
    assert r.between_provinces == between["flow_count"].sum()
    region = crosswalk().set_index("adcode")["region"].to_dict()
    west_east = sum(f for o, d, f in zip(between["lost_adcode"], between["destination_adcode"],
                                         between["flow_count"], strict=True)
                    if region[o] == "West" and region[d] == "East")
    assert r.west_to_east == west_east <= r.between_regions <= r.between_provinces
    assert len(r.top) == find.N_FLOWS
    assert r.top["flow_count"].is_monotonic_decreasing
    assert not (r.top["lost_adcode"] == r.top["destination_adcode"]).any()


def test_xin_cai(t):
    hot_cmp = t["published_hotspot_comparison"]
    x = find.xin_cai(hot_cmp, t["hotspot_local"])
    xc = hot_cmp[hot_cmp["source"] == "uiuing_success"]
    assert x.suppliers == int((xc["xin_cai_role"] == "supplier").sum())
    assert x.suppliers_in_families_top <= x.suppliers
    assert set(x.buyers_net_importers) <= set(xc.loc[xc["net_importer"], "adcode"])
    assert "source" not in x.table and "name_en" in x.table
    assert f"of the {x.suppliers} south-western provinces" in x.markdown()


def test_wang_comparison_reads_every_value_it_cites(t):
    fc = t["published_flow_comparison"]
    w = find.wang_comparison(fc)

    def ours(measure, source, scope="all"):
        sel = fc[(fc["measure"] == measure) & (fc["source"] == source)
                 & (fc["flow_scope"] == scope)]
        assert len(sel) == 1
        return sel["our_value"].iloc[0]

    assert w.within_adults == ours("within_province_share", "wtt1002_data")
    assert w.out_reunions.inter_provincial == ours("named8_out_share", "uiuing_success",
                                                   "inter-provincial")
    assert w.net_importers_reunions == round(ours("net_importer_count", "uiuing_success",
                                                  "inter-provincial"))
    text = w.markdown()
    assert text.count("\n* ") == 4 and f"{w.within_published:.1%}" in text
    with pytest.raises(KeyError):
        find.wang_comparison(fc[fc["measure"] != "named8_in_share"])


def test_platform_category_is_explicit():
    frame = pd.DataFrame({"lost_gi_label": [hotspots.HOT_SPOT, "x", "x", "x"],
                          "lost_gi_label_unadjusted": [hotspots.HOT_SPOT, hotspots.HOT_SPOT,
                                                       "x", "x"],
                          "lost_top8": [True, True, True, False]})
    assert cf.platform_category(frame, "lost").tolist() == [cf.HOT_FDR, cf.HOT_UNADJUSTED,
                                                            cf.TOP8, cf.OTHER]
    assert list(cf.PLATFORM_COLOURS) == [cf.HOT_FDR, cf.HOT_UNADJUSTED, cf.TOP8, cf.OTHER]


def test_wang_bars_colour_each_series_by_name(t):
    bars = cf.wang_bar_data(t["published_flow_comparison"])
    assert set(bars["series"]) == set(cf.WANG_COLOURS)
    assert len(bars) == 3 * len(cf.WANG_MEASURES)
    fig, data = cf.wang_comparison_figure(t["published_flow_comparison"])
    assert data.equals(bars) and len(fig.axes[0].patches) == len(bars)
    plt.close(fig)
    extra = t["published_flow_comparison"].copy()
    extra.loc[extra["source"] == "wtt1002_data", "source"] = "juvenilexi"
    with pytest.raises(KeyError, match=casebook.SOURCE_LABELS["juvenilexi"]):
        cf.wang_comparison_figure(extra)


# --- Gi* decision and LISA sensitivity (issue 13 item 5) ---------------------------------------


def test_gi_decision_against_a_row_by_row_count(t):
    """Every count of the Gi* decision recomputed by a plain loop over the pooled rows."""
    local = t["hotspot_local"]
    pooled = local[local["period"] == find.POOLED]
    d = find.gi_decision(local)
    agree = confirmed = clusters = outliers = gi_only = gi_spots = equal = 0
    for r in pooled.itertuples():
        pair = (r.gi_label, r.lisa_cluster)
        same = pair in {(hotspots.HOT_SPOT, "High-High"), (hotspots.COLD_SPOT, "Low-Low"),
                        (hotspots.NOT_SIGNIFICANT, hotspots.NOT_SIGNIFICANT)}
        agree += same
        is_cluster = r.lisa_cluster in ("High-High", "Low-Low")
        clusters += is_cluster
        confirmed += is_cluster and same
        outliers += r.lisa_cluster in ("High-Low", "Low-High")
        gi_spots += r.gi_label != hotspots.NOT_SIGNIFICANT
        gi_only += (r.gi_label != hotspots.NOT_SIGNIFICANT
                    and r.lisa_cluster == hotspots.NOT_SIGNIFICANT)
        equal += r.gi_p_sim == r.lisa_p_sim
    assert (d.tests, d.maps) == (len(pooled), pooled["measure"].nunique()) == (217, 7)
    assert (d.agree, d.lisa_clusters, d.lisa_confirmed, d.lisa_outliers, d.gi_spots,
            d.gi_only, d.equal_p) == (agree, clusters, confirmed, outliers, gi_spots, gi_only,
                                      equal)
    # the point of the fix: the two tests no longer share their p-values row for row
    assert d.equal_p < d.tests / 2
    text = d.markdown()
    assert "kept, with its own inference" in text and "total randomisation" in text
    assert f"**{agree} of {len(pooled)}**" in text and f"**{gi_only}**" in text
    assert "directed p-values" in text


def _sens_rows(measure: str, rows: list[tuple]) -> pd.DataFrame:
    """Synthetic ``hotspot_lisa_sensitivity`` rows: (adcode, published, per-weights clusters
    at the project's seed, seeds_same_share, modal cluster, modal share)."""
    from analysis.topics.hotspots.schema import CHANGING, NEVER, SENSITIVITY_WEIGHTS, STABLE

    out = []
    for adcode, pub, per_w, seeds, modal, share in rows:
        row = {"measure": measure, "adcode": adcode, "lisa_cluster": pub}
        row |= {f"cluster_{w}": c for w, c in zip(SENSITIVITY_WEIGHTS, per_w, strict=True)}
        row |= {"seeds_same_share": seeds, "variants_count": 50,
                "same_cluster_share": share if modal == pub else 1 - share,
                "modal_cluster": modal, "modal_cluster_share": share,
                "stability": STABLE if share >= 1 else CHANGING if share > 0 else NEVER}
        out.append(row)
    return pd.DataFrame(out)


NS, HH = hotspots.NOT_SIGNIFICANT, "High-High"


def test_lisa_stability_when_members_change():
    """Two stable members, two that depend on the weights, one minority member, one province
    whose published label flips with the seed: the sentence names each group and calls the
    cluster a south-west region."""
    sens = _sens_rows("lost_uiuing_success", [
        (500000, HH, [HH] * 5, 1.0, HH, 1.0),                   # Chongqing: stable
        (510000, HH, [HH] * 5, 1.0, HH, 1.0),                   # Sichuan: stable
        (520000, HH, [HH, NS, HH, HH, HH], 1.0, HH, 0.8),       # Guizhou: not under knn4
        (530000, NS, [NS, HH, HH, HH, HH], 1.0, HH, 0.8),       # Yunnan: not under queen
        (430000, NS, [NS, NS, NS, NS, "Low-High"], 0.9, "Low-High", 0.2),  # Hunan: minority
        (110000, NS, [NS] * 5, 1.0, NS, 0.0),                   # Beijing: never
    ])
    (s,) = find.lisa_stability(sens)
    assert s.published == ((500000, HH), (510000, HH), (520000, HH))
    assert s.stable == ((500000, HH), (510000, HH))
    assert s.changing == ((520000, HH, 0.8), (530000, HH, 0.8), (430000, "Low-High", 0.2))
    assert s.most == s.changing[:2]
    assert s.seed_changes == ((430000, NS, 0.9),)
    assert s.summary() == ("a High-High cluster in the south-west (Chongqing, Sichuan in every "
                           "variant, with Guizhou, Yunnan depending on the weights and seed)")
    text = s.markdown()
    assert "in the same cluster in every variant: Chongqing (High-High), Sichuan (High-High)" in text
    assert "Guizhou (High-High, 80%), Yunnan (High-High, 80%); in fewer: Hunan." in text
    assert "Beijing" not in text and "seed alone changes the label of Hunan" in text


def test_lisa_stability_without_a_stable_member():
    sens = _sens_rows("lost_uiuing_missing", [
        (510000, NS, [NS, HH, HH, HH, HH], 1.0, HH, 0.76),
        (460000, NS, [NS, NS, "Low-High", NS, "Low-High"], 1.0, "Low-High", 0.44),
        (110000, NS, [NS] * 5, 1.0, NS, 0.0)])
    (s,) = find.lisa_stability(sens)
    assert s.stable == () and s.published == ()
    assert s.summary() == ("High-High in most variants but not all: Sichuan (the south-west), "
                           "no stable cluster")
    empty = find.lisa_stability(_sens_rows("lost_juvenilexi", [(110000, NS, [NS] * 5, 1.0, NS,
                                                                 0.0)]))[0]
    assert "no LISA cluster to report" in empty.markdown()


def test_region_phrase():
    assert find.region_phrase((500000, 510000)) == "the south-west"
    assert find.region_phrase((460000, 540000)) == "South China and the south-west"
    codes = [a for c in find.GEOGRAPHIC_REGIONS.values() for a in c]
    assert sorted(codes) == sorted(MAINLAND31)  # each mainland province in exactly one region


@pytest.fixture(scope="module")
def sensitivity(processed):
    return tables.read("hotspot_lisa_sensitivity", processed)


def test_lisa_stability_on_the_built_table(sensitivity, t):
    """Against the table: stable members are in the same significant cluster under every
    weights matrix and every seed on queen; published clusters equal hotspot_local's; the
    reunions' lost side keeps Chongqing and Sichuan (the audit's robust pair)."""
    weights = [c for c in sensitivity if c.startswith("cluster_")]
    local = t["hotspot_local"]
    for s in find.lisa_stability(sensitivity):
        g = sensitivity[sensitivity["measure"] == s.measure].set_index("adcode")
        for a, kind in s.stable:
            assert kind != NS and (g.loc[a, weights] == kind).all()
            assert g.loc[a, "modal_cluster_share"] == 1
            if g.loc[a, "lisa_cluster"] == kind:  # published and stable: every seed agrees
                assert g.loc[a, "seeds_same_share"] == 1 == g.loc[a, "same_cluster_share"]
        for a, kind, share in s.changing:
            assert 0 < share < 1 and g.loc[a, "modal_cluster"] == kind
        rows = hm.map_rows(local, s.measure)
        assert set(s.published) == {(int(r.adcode), r.lisa_cluster) for r in rows.itertuples()
                                    if r.lisa_cluster != NS}
        assert {a for a, _ in s.stable}.isdisjoint(a for a, _, _ in s.changing)
    reunions = next(s for s in find.lisa_stability(sensitivity)
                    if s.measure == "lost_uiuing_success")
    assert {(500000, HH), (510000, HH)} <= set(reunions.stable)


def test_membership_figure_draws_exactly_its_rows(sensitivity):
    from analysis.plots import hotspot_sensitivity as hs
    from analysis.privacy.policy import assert_publishable

    fig, data = hs.membership_figure(sensitivity)
    expected = sensitivity[sensitivity["modal_cluster_share"] > 0]  # ever in a cluster
    assert len(data) == len(expected)
    assert set(zip(data["measure"], data["adcode"], strict=True)) == set(
        zip(expected["measure"], expected["adcode"], strict=True))
    assert len(fig.axes[0].patches) == len(data) * 5  # one cell per weights matrix
    assert_publishable(data, where="03_lisa_sensitivity")
    text = hs.membership_text()
    assert "directed p-values" in text["caption"] and "Baby Come Home" in text["caption"]
    plt.close(fig)


def test_local_test_captions_name_their_inference():
    from analysis.plots import hotspot_sensitivity as hs

    ocha = geo.load_boundaries("ocha")
    gi = hs.local_test_text("03_gistar", ocha)["caption"]
    lisa = hs.local_test_text("03_lisa_clusters", ocha)["caption"]
    assert "total-randomisation" in gi and "conditional" not in gi
    assert "conditional permutations" in lisa
    assert all("directed p ≤" in c and "directed alternative" in c for c in (gi, lisa))
