"""The published-geography comparison: curated figures read correctly, our measures recomputed
from case_flows by plain pandas, malformed curated tables rejected with file, row and column."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import tables
from analysis.core.errors import DataError
from analysis.core.manual import SHA256SUMS, read_sha256sums
from analysis.topics.hotspots import compare
from analysis.vocab.provinces import MAINLAND31, to_adcodes

MANUAL = Path(__file__).resolve().parents[1] / "data" / "raw" / "manual"
CURATED = Path(__file__).resolve().parents[2] / "shared" / "data" / "curated"
FILE = "published_figures_with_quotes.csv"
IDS = sorted(MAINLAND31)
NAMED8 = {410000, 320000, 370000, 350000, 130000, 510000, 440000, 340000}
IMPORTERS = {410000, 130000, 370000, 120000, 110000, 500000, 350000, 440000}


@pytest.fixture(scope="module")
def published() -> pd.DataFrame:
    return compare.read_published(MANUAL / FILE)


@pytest.fixture(scope="module")
def t(processed):
    return {n: tables.read(n, processed) for n in
            ("case_flows", "published_flow_comparison", "published_hotspot_comparison",
             "hotspot_local")}


# --- the curated copy ------------------------------------------------------------------------

def test_manual_copy_is_byte_identical_and_documented():
    data = (MANUAL / FILE).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest in (MANUAL / FILE.replace(".csv", ".md")).read_text(encoding="utf-8")
    assert read_sha256sums(MANUAL / SHA256SUMS)[FILE] == digest
    if (CURATED / FILE).exists():
        assert data == (CURATED / FILE).read_bytes()


def test_papers_are_cited_by_their_doi(published):
    p = published.set_index("figure")
    assert p.loc["xin_cai_suppliers", "citation_url"] == "https://doi.org/10.18063/ijps.v4i2.817"
    wang = p.drop("xin_cai_suppliers")
    assert (wang["citation_url"] == "https://doi.org/10.1038/s41893-018-0065-5").all()
    assert (p["citation_status"] == "confirmed").all()
    assert "source_url" not in published.columns
    assert f"doi:{compare.XIN_CAI_DOI}" in compare.XIN_CAI_CITATION
    assert f"doi:{compare.WANG_DOI}" in compare.WANG_CITATION


def test_a_citation_other_than_the_doi_is_refused(tmp_path):
    frame = pd.read_csv(MANUAL / FILE, dtype=str, keep_default_na=False)
    idx = frame.index[frame["definition"].str.contains("trafficked out")][0]
    frame.loc[idx, "original_url"] = "https://www.nature.com/articles/s41893-018-0065-5"
    with pytest.raises(DataError, match="DOI") as exc:
        compare.read_published(_write(tmp_path, frame))
    assert exc.value.column == "original_url" and exc.value.row == idx + 2
    frame.loc[idx, "original_url"] = "https://chinaqna.com/a/38995"  # the press summary read
    with pytest.raises(DataError, match="host of the copy read"):
        compare.read_published(_write(tmp_path, frame))


def test_a_context_only_figure_is_never_evidence(tmp_path):
    frame = pd.read_csv(MANUAL / FILE, dtype=str, keep_default_na=False)
    idx = frame.index[frame["definition"].str.contains("records analysed")][0]
    frame.loc[idx, ["reliability", "original_url", "original_url_status"]] = ["C", "", "unknown"]
    with pytest.raises(DataError, match="context, never evidence") as exc:
        compare.read_published(_write(tmp_path, frame))
    assert exc.value.column == "reliability" and exc.value.row == idx + 2
    frame.loc[idx, "reliability"] = "B"  # grade B, original unknown: still not the DOI
    with pytest.raises(DataError, match="DOI"):
        compare.read_published(_write(tmp_path, frame))


def test_flow_comparison_cites_the_doi(t):
    fc = t["published_flow_comparison"]
    assert set(fc["citation_url"]) == {"https://doi.org/10.1038/s41893-018-0065-5"}
    assert set(fc["citation_status"]) == {"confirmed"}


def test_published_figures(published):
    p = published.set_index("figure")
    assert compare.published_value(published, "wang_records") == 22531
    assert compare.published_value(published, "wang_within_province") == pytest.approx(58.2)
    assert compare.published_value(published, "wang_named8_out") == pytest.approx(66.3)
    assert compare.published_value(published, "wang_named8_in") == pytest.approx(52.9)
    assert set(compare.published_provinces(published, "wang_named8_out")) == NAMED8
    assert set(compare.published_provinces(published, "wang_named8_in")) == NAMED8
    assert set(compare.published_provinces(published, "wang_net_importers")) == IMPORTERS
    assert p.loc["xin_cai_suppliers", "reliability"].startswith("A")
    assert (p.drop("xin_cai_suppliers")["reliability"].str[0] == "B").all()


def test_xin_cai_constant_matches_the_curated_row(published):
    """The constant's supplier region = row 88's provinces; its buyer regions = the
    provinces named in row 88's note ("destinations: central (…), east (…), southeast (…)")."""
    suppliers = compare.XIN_CAI_REGIONS["southwest"]
    assert compare.XIN_CAI_REGIONS["southwest"][0] == compare.SUPPLIER
    assert set(suppliers[1]) == set(compare.published_provinces(published,
                                                                "xin_cai_suppliers"))
    raw = pd.read_csv(MANUAL / FILE, dtype=str, keep_default_na=False)
    note = raw.loc[raw["definition"].str.contains("supplier"), "note"].iloc[0]
    named = dict(re.findall(r"(\w+) \(([^)]*)\)", note))
    assert set(named) == {"central", "east", "southeast"}
    for region, provinces in named.items():
        expected = set(to_adcodes([s.strip() for s in provinces.split(",")]))
        assert set(compare.XIN_CAI_REGIONS[region][1]) == expected, region
    frame = compare.xin_cai_frame()
    assert frame["adcode"].tolist() == IDS
    assert (frame["xin_cai_region"] != compare.NO_REGION).sum() == 10


# --- malformed input --------------------------------------------------------------------------

def _write(tmp_path: Path, frame: pd.DataFrame) -> Path:
    p = tmp_path / FILE
    frame.to_csv(p, index=False)
    return p


def test_missing_column_names_file_row_and_column(tmp_path):
    frame = pd.read_csv(MANUAL / FILE, dtype=str, keep_default_na=False)
    p = _write(tmp_path, frame.drop(columns=["name_zh"]))
    with pytest.raises(DataError) as exc:
        compare.read_published(p)
    assert exc.value.column == "name_zh" and exc.value.row == 1 and FILE in exc.value.file


def test_non_numeric_value_names_the_row(tmp_path):
    frame = pd.read_csv(MANUAL / FILE, dtype=str, keep_default_na=False)
    idx = frame.index[frame["definition"].str.contains("within one province")][0]
    frame.loc[idx, "value"] = "58,2%"
    with pytest.raises(DataError) as exc:
        compare.read_published(_write(tmp_path, frame))
    assert exc.value.column == "value" and exc.value.row == idx + 2


def test_unknown_province_and_missing_figure(tmp_path):
    frame = pd.read_csv(MANUAL / FILE, dtype=str, keep_default_na=False)
    idx = frame.index[frame["definition"].str.contains("net importing")][0]
    frame.loc[idx, "name_zh"] = "河南;火星"
    with pytest.raises(DataError) as exc:
        compare.read_published(_write(tmp_path, frame))
    assert exc.value.column == "name_zh" and exc.value.row == idx + 2
    frame = pd.read_csv(MANUAL / FILE, dtype=str, keep_default_na=False)
    frame = frame[~frame["definition"].str.contains("trafficked in")]
    with pytest.raises(DataError, match="trafficked in"):
        compare.read_published(_write(tmp_path, frame))


# --- our measures, recomputed by plain pandas ------------------------------------------------

def test_flow_balance_on_a_synthetic_table():
    flows = pd.DataFrame({"source": "uiuing_success",
                          "lost_adcode": [520000, 520000, 350000, 110000],
                          "destination_adcode": [350000, 520000, 350000, 350000],
                          "flow_count": [10, 3, 4, 2], "same_province": [False, True, True,
                                                                         False]})
    bal = compare.flow_balance(flows, "uiuing_success").set_index("adcode")
    assert len(bal) == 31
    assert bal.loc[520000, ["out_flow_count", "in_flow_count", "within_flow_count"]].tolist() \
        == [10, 0, 3]
    assert bal.loc[350000, ["out_flow_count", "in_flow_count", "within_flow_count"]].tolist() \
        == [0, 12, 4]
    assert bal.loc[350000, "net_importer"] and not bal.loc[520000, "net_importer"]
    assert bal["lost_count"].sum() == bal["destination_count"].sum() == 19
    with pytest.raises(ValueError):
        compare.flow_balance(flows, "wtt1002_data")


def test_flow_comparison_recomputed(t):
    fc = t["published_flow_comparison"].set_index(["measure", "source", "flow_scope"])
    flows = t["case_flows"]
    for source in ("uiuing_success", "wtt1002_data"):
        f = flows[flows["source"] == source]
        total = f["flow_count"].sum()
        same = f["lost_adcode"] == f["destination_adcode"]
        inter = f[~same]
        assert fc.loc[("records_count", source, "all"), "our_value"] == total
        assert fc.loc[("within_province_share", source, "all"), "our_value"] == pytest.approx(
            f.loc[same, "flow_count"].sum() / total, abs=1e-12)
        assert fc.loc[("within_province_share", source, "all"), "published_value"] == \
            pytest.approx(0.582)
        for scope, frame in (("all", f), ("inter-provincial", inter)):
            out_share = frame.loc[frame["lost_adcode"].isin(NAMED8), "flow_count"].sum() / \
                frame["flow_count"].sum()
            in_share = frame.loc[frame["destination_adcode"].isin(NAMED8), "flow_count"].sum() \
                / frame["flow_count"].sum()
            assert fc.loc[("named8_out_share", source, scope), "our_value"] == pytest.approx(
                out_share, abs=1e-12)
            assert fc.loc[("named8_in_share", source, scope), "our_value"] == pytest.approx(
                in_share, abs=1e-12)
            by_origin = frame.groupby("lost_adcode")["flow_count"].sum()
            top = by_origin.sort_values(ascending=False, kind="stable")
            # ties: our table breaks them by adcode; compare the top-8 sum (tie-invariant)
            assert fc.loc[("top8_out_share", source, scope), "our_value"] == pytest.approx(
                top.head(8).sum() / frame["flow_count"].sum(), abs=1e-12)
        into = inter.groupby("destination_adcode")["flow_count"].sum()
        outof = inter.groupby("lost_adcode")["flow_count"].sum()
        net = into.reindex(IDS, fill_value=0) - outof.reindex(IDS, fill_value=0)
        ours = set(net[net > 0].index)
        row = fc.loc[("net_importer_count", source, "inter-provincial")]
        assert row["our_value"] == len(ours) and row["published_value"] == 8
        assert fc.loc[("net_importer_overlap_count", source, "inter-provincial"),
                      "our_value"] == len(ours & IMPORTERS)


def test_wtt1002_adults_reproduce_wang(t):
    """Real data: the 2016 adults-searching pairs reproduce Wang et al.'s within-province share
    to one percentage point and all eight of their net importers."""
    fc = t["published_flow_comparison"].set_index(["measure", "source", "flow_scope"])
    row = fc.loc[("within_province_share", "wtt1002_data", "all")]
    assert abs(row["our_value"] - row["published_value"]) < 0.01
    assert fc.loc[("net_importer_overlap_count", "wtt1002_data", "inter-provincial"),
                  "our_value"] == 8


def test_hotspot_comparison_table(t):
    hc, local = t["published_hotspot_comparison"], t["hotspot_local"]
    xc = compare.xin_cai_frame().set_index("adcode")
    pooled = local[local["period"] == compare.POOLED]
    for source, (lost_m, dest_m) in {"uiuing_success": ("lost_uiuing_success",
                                                        "found_uiuing_success"),
                                     "wtt1002_data": ("lost_wtt1002_data",
                                                      "current_wtt1002_data")}.items():
        h = hc[hc["source"] == source].set_index("adcode").reindex(IDS)
        assert h["xin_cai_region"].tolist() == xc.loc[IDS, "xin_cai_region"].tolist()
        assert h["wang_named8"].tolist() == [a in NAMED8 for a in IDS]
        assert h["wang_net_importer"].tolist() == [a in IMPORTERS for a in IDS]
        lost = pooled[pooled["measure"] == lost_m].set_index("adcode").reindex(IDS)
        dest = pooled[pooled["measure"] == dest_m].set_index("adcode").reindex(IDS)
        assert h["lost_gi_label"].tolist() == lost["gi_label"].tolist()
        assert h["destination_gi_label_unadjusted"].tolist() == \
            dest["gi_label_unadjusted"].tolist()
        assert h["lost_top8"].tolist() == (lost["eb_rank"] <= 8).tolist()
        assert (h["agrees_net_importer"] == (h["net_importer"] == h["wang_net_importer"])).all()
        assert np.array_equal(h["net_inflow_count"], h["in_flow_count"] - h["out_flow_count"])
