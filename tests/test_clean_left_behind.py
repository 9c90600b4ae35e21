"""Tests of analysis.sources.left_behind.clean: real curated table and small synthetic fixtures."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import DataError
from analysis.core.manual import SHA256SUMS, read_sha256sums
from analysis.core.step import BuildContext, CleanTable
from analysis.pipeline import validate
from analysis.sources.left_behind import clean as lb
from analysis.tables import read, write_table
from analysis.vocab.citations import host

ACWF = "acwf_rural_0_17_one_or_both_parents"
MCA = "mca_rural_under16_both_parents"
MANUAL = paths.MANUAL / lb.MANUAL_FILE
SHA256 = "c489c19cc6ef05dd8825ea9008920d7ccf20912cb8054691e992fed8a90c919b"
HEADER = ("source_id,publisher,reference_year,definition,geography,name_zh,value,unit,note,"
          "cited_via_url,original_url,original_url_status,read_via_url\n")
#: the citation cells of a synthetic row: copy read, original, status, read via
CITE = "http://mirror.example/p,http://www.gov.cn/p,reconstructed,http://mirror.example/p"
ACWF_NAT = ('ACWF2013,ACWF,2010,"rural 0-17, one or both parents",national,全国,61025500,persons,'
            f",{CITE}\n")


def row(cells: str, cite: str = CITE) -> str:
    """One synthetic data line: ``cells`` up to ``unit``, an empty note, the citation cells."""
    return f"{cells},,{cite}\n"



@pytest.fixture(scope="module")
def table() -> CleanTable:
    built = lb.build(BuildContext())
    assert len(built) == 1
    validate(built[0])
    return built[0]


def write(tmp_path: Path, body: str, encoding: str = "utf-8") -> Path:
    p = tmp_path / lb.MANUAL_FILE
    p.write_bytes((HEADER + body).encode(encoding))
    return p


# --- the reviewed copy ---------------------------------------------------------------------------

def test_manual_copy_is_the_reviewed_bytes():
    assert hashlib.sha256(MANUAL.read_bytes()).hexdigest() == SHA256
    assert read_sha256sums(paths.MANUAL / SHA256SUMS)[lb.MANUAL_FILE] == SHA256
    doc = MANUAL.with_suffix(".md").read_text(encoding="utf-8")
    assert SHA256 in doc
    for source in ["ACWF2013", "MCA2016", "MCA2016-prov", "MCA2018", "AGG2016"]:
        assert source in doc
    curated = paths.ROOT.parent / "shared" / "data" / "curated" / lb.MANUAL_FILE
    if curated.exists():
        assert curated.read_bytes() == MANUAL.read_bytes()


# --- real data -----------------------------------------------------------------------------------

def test_account_balances_with_reasons(table):
    acc = table.account
    assert sum(acc.read.values()) == 18 == len(pd.read_csv(MANUAL))
    assert sum(acc.kept.values()) == 10 == len(table.frame)
    reasons = {r: n for (_, r), n in acc.dropped.items()}
    assert reasons == {lb.DROP_GEOGRAPHIES["group"]: 3, lb.DROP_GEOGRAPHIES["region"]: 3,
                       lb.DROP_SOURCES["AGG2016"]: 2}
    notes = {r: n for (_, r), n in acc.notes.items()}
    assert notes[lb.NOTE_PCT] == 2 and notes[lb.NOTE_DERIVED] == 2


def test_published_national_figures(table):
    nat = table.frame[table.frame["geography"] == "national"].set_index("source_id")
    assert nat.loc["ACWF2013", "persons"] == 61_025_500
    assert nat.loc["ACWF2013", "definition_id"] == ACWF
    assert nat.loc["MCA2016", "persons"] == 9_020_000
    assert nat.loc["MCA2018", "persons"] == 6_970_000
    assert nat["adcode"].isna().all()
    # published: 697万 is 22.7 % below 902万
    assert round(6_970_000 / 9_020_000 - 1, 3) == -0.227


def test_sichuan_share_converted_to_persons(table):
    f = table.frame
    row = f[(f["source_id"] == "ACWF2013") & (f["adcode"] == 510000)].iloc[0]
    assert row["unit"] == "share_of_national_total"
    assert row["value"] == pytest.approx(0.1134)
    assert row["persons_derived"]
    assert row["persons"] == round(0.1134 * 61_025_500) == 6_920_292
    assert abs(row["persons"] - 6.92e6) < 5_000
    henan = f[(f["source_id"] == "ACWF2013") & (f["adcode"] == 410000)].iloc[0]
    assert henan["persons"] == 6_548_036
    # Guizhou published in persons: 5.15 % of the ACWF national figure, as the source says
    gz = f[(f["source_id"] == "ACWF2013") & (f["adcode"] == 520000)].iloc[0]
    assert gz["persons"] == 3_142_800 and not gz["persons_derived"]
    assert round(gz["persons"] / 61_025_500 * 100, 2) == 5.15


def test_no_row_mixes_definitions(table):
    f = table.frame
    assert set(f["definition_id"]) == {ACWF, MCA}
    assert f.groupby("source_id")["definition_id"].nunique().max() == 1
    assert (f.loc[f["source_id"].str.startswith("ACWF"), "definition_id"] == ACWF).all()
    assert (f.loc[f["source_id"].str.startswith("MCA"), "definition_id"] == MCA).all()
    assert "AGG2016" not in set(f["source_id"])
    # every derived persons value uses the national total of its own definition
    for _, r in f[f["persons_derived"]].iterrows():
        total = f[(f["geography"] == "national") & (f["source_id"] == r["source_id"])
                  & (f["definition_id"] == r["definition_id"])]["persons"].iloc[0]
        assert r["persons"] == round(r["value"] * total)


def test_figures_for_one_definition_and_refuses_mixing(table):
    acwf = lb.figures_for(ACWF, table.frame)
    assert set(acwf["definition_id"]) == {ACWF} and len(acwf) == 4
    mca_nat = lb.figures_for(MCA, table.frame, geography="national")
    assert sorted(mca_nat["persons"].tolist()) == [6_970_000, 9_020_000]
    with pytest.raises(ValueError, match="refusing to mix"):
        lb.figures_for([ACWF, MCA], table.frame)
    with pytest.raises(ValueError, match="unknown definition_id"):
        lb.figures_for("any_left_behind", table.frame)
    assert len(lb.figures_for([ACWF, ACWF], table.frame)) == 4


def test_schema_rejects_mixed_definitions(table):
    mixed = table.frame.copy()
    mixed.loc[mixed["source_id"] == "MCA2018", "definition_id"] = [ACWF, MCA]
    with pytest.raises(DataError, match="definitions mixed"):
        validate(CleanTable(table.name, mixed, table.account))
    relabelled = table.frame.copy()
    relabelled.loc[relabelled["source_id"] == "MCA2018", "definition_id"] = ACWF
    relabelled.loc[relabelled["source_id"] == "MCA2018", "definition"] = lb.DEFINITIONS[ACWF]
    with pytest.raises(DataError, match="definitions mixed"):
        validate(CleanTable(table.name, relabelled, table.account))


def test_schema_rejects_derivation_from_other_definition(table):
    bad = table.frame.copy()
    i = bad.index[(bad["source_id"] == "ACWF2013") & (bad["adcode"] == 510000)][0]
    bad.loc[i, "persons"] = round(0.1134 * 9_020_000)  # share × the MCA total: wrong
    with pytest.raises(DataError, match="same source"):
        validate(CleanTable(table.name, bad, table.account))


def test_written_csv_round_trips(table, tmp_path):
    write_table(table, tmp_path)
    back = read(table.name, tmp_path)
    assert len(back) == 10
    assert back["persons"].astype("Int64").equals(table.frame["persons"])
    assert back["adcode"].isna().sum() == 3
    assert back["note"].isna().sum() == table.frame["note"].isna().sum() == 3
    assert len(lb.figures_for(MCA, back)) == 6


# --- synthetic fixtures --------------------------------------------------------------------------

def test_share_without_same_definition_total_stays_missing(tmp_path):
    body = (ACWF_NAT
            + row('MCA2016,MCA,2016,"children <16, both parents",national,全国,9020000,persons')
            + row("MCA2018,MCA,2018,same as MCA2016,province,四川,10.0,pct_of_national_total"))
    t = lb.clean_left_behind(write(tmp_path, body))
    mca = t.frame[t.frame["source_id"] == "MCA2018"].iloc[0]
    assert mca["value"] == pytest.approx(0.10)
    assert pd.isna(mca["persons"]) and not mca["persons_derived"]
    validate(t)


def test_non_numeric_value_names_row_and_column(tmp_path):
    body = ACWF_NAT + row("ACWF2013,ACWF,2010,same as above,province,四川,11.3x,"
                          "pct_of_national_total")
    with pytest.raises(DataError, match=r"row 3, column 'value'") as exc:
        lb.clean_left_behind(write(tmp_path, body))
    assert lb.MANUAL_FILE in str(exc.value)


def test_missing_column(tmp_path):
    p = tmp_path / lb.MANUAL_FILE
    p.write_text(HEADER.replace("value,", "amount,") + ACWF_NAT, encoding="utf-8")
    with pytest.raises(DataError, match="column 'value'"):
        lb.clean_left_behind(p)


def test_not_utf8(tmp_path):
    body = ACWF_NAT + row("ACWF2013,ACWF,2010,same as above,province,四川,1,persons")
    with pytest.raises(DataError, match="not UTF-8"):
        lb.clean_left_behind(write(tmp_path, body, encoding="gb18030"))


def test_unknown_unit_source_province_and_definition(tmp_path):
    cases = {
        "unit": ACWF_NAT + row("ACWF2013,A,2010,same as above,province,四川,3,permille"),
        "source_id": ACWF_NAT + row("UNICEF2018,U,2018,same as above,province,四川,3,persons"),
        "name_zh": ACWF_NAT + row("ACWF2013,A,2010,same as above,province,火星,3,persons"),
        "definition": ACWF_NAT + row('ACWF2013,A,2010,"children <16, both",province,四川,3,'
                                     "persons"),
        "geography": ACWF_NAT + row("ACWF2013,A,2010,same as above,national,四川,3,persons"),
    }
    for column, body in cases.items():
        with pytest.raises(DataError, match=rf"row 3, column '{column}'"):
            lb.clean_left_behind(write(tmp_path, body))


def test_build_reads_from_ctx_manual(tmp_path):
    with pytest.raises(DataError, match="manual table is missing"):
        lb.build(BuildContext(manual_dir=tmp_path))
    p = write(tmp_path, ACWF_NAT)
    with pytest.raises(DataError, match="SHA256SUMS"):  # not pinned: refused
        lb.build(BuildContext(manual_dir=tmp_path))
    digest = hashlib.sha256(p.read_bytes()).hexdigest()
    (tmp_path / SHA256SUMS).write_text(f"{digest}  {lb.MANUAL_FILE}\n", encoding="utf-8")
    (t,) = lb.build(BuildContext(manual_dir=tmp_path))
    assert t.frame["persons"].tolist() == [61_025_500]


# --- citations ------------------------------------------------------------------------------------

def test_real_table_cites_originals_never_the_copy_read(table):
    """Every kept figure cites the curated original_url (with its status); no cited host is a
    host the curated table records as read_via_url."""
    raw = pd.read_csv(MANUAL, dtype=str, keep_default_na=False)
    via_hosts = {host(u) for u in raw["read_via_url"] if u}
    assert via_hosts  # the table does record mirrors
    originals = set(raw["original_url"]) - {""}
    f = table.frame
    assert f["citation_url"].notna().all()
    assert set(f["citation_url"]) <= originals
    assert not {host(u) for u in f["citation_url"]} & via_hosts
    nat = f[f["geography"] == "national"].set_index("source_id")
    assert nat.loc["ACWF2013", "citation_url"].startswith("http://www.gov.cn/")
    assert nat.loc["ACWF2013", "citation_status"] == "reconstructed"
    assert nat.loc["MCA2016", "citation_status"] == "is_original"
    assert "www.xinhuanet.com" in nat.loc["MCA2018", "citation_url"]
    assert not any("via" in c for c in f.columns)


def test_unknown_original_is_said_not_replaced_by_the_mirror(tmp_path):
    body = row("ACWF2013,ACWF,2010,rural 0-17 one or both parents,national,全国,61025500,"
               "persons", cite="http://mirror.example/p,,unknown,http://mirror.example/p")
    t = lb.clean_left_behind(write(tmp_path, body))
    assert pd.isna(t.frame.at[0, "citation_url"])
    assert t.frame.at[0, "citation_status"] == "unknown"
    validate(t)
    bad = t.frame.copy()
    bad.at[0, "citation_url"] = "http://mirror.example/p"  # a fallback to the copy read
    with pytest.raises(DataError, match="citation_url"):
        validate(CleanTable(t.name, bad, t.account))


@pytest.mark.parametrize(("cite", "column", "message"), [
    ("u,http://www.gov.cn/p,guessed,", "original_url_status", "not one of"),
    ("u,http://www.gov.cn/p,unknown,http://m.example/p", "original_url", "says unknown"),
    ("u,,confirmed,http://m.example/p", "original_url", "empty"),
    ("u,www.gov.cn/p,confirmed,", "original_url", "http"),
    ("u,http://www.mirror.example/a,reconstructed,http://mirror.example/b", "original_url",
     "host of the copy read"),
    ("u,http://www.gov.cn/p,is_original,http://m.example/p", "read_via_url", "is_original"),
])
def test_inconsistent_citation_cells_name_row_and_column(tmp_path, cite, column, message):
    body = ACWF_NAT + row("ACWF2013,ACWF,2010,same as above,province,四川,1,persons", cite=cite)
    with pytest.raises(DataError, match=rf"row 3, column '{column}'.*{message}"):
        lb.clean_left_behind(write(tmp_path, body))


def test_citation_at_a_host_another_row_read_via_is_refused(tmp_path):
    """Row 2 cites a host that row 3 records as the copy read: refused for the whole table."""
    body = (row("ACWF2013,ACWF,2010,rural 0-17 one or both parents,national,全国,61025500,"
                "persons", cite="u,http://spam.example/a,reconstructed,http://other.example/a")
            + row("ACWF2013,ACWF,2010,same as above,province,四川,1,persons",
                  cite="u,http://www.gov.cn/b,reconstructed,http://spam.example/b"))
    with pytest.raises(DataError, match=r"spam\.example, a host recorded as read_via_url"):
        lb.clean_left_behind(write(tmp_path, body))
