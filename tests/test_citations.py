"""Citations a newsroom can use: nothing published (processed tables, figure data and captions,
executed notebooks, the report) names a host recorded as ``read_via_url`` in any curated table
(every file of ``data/raw/manual/`` with a ``read_via_url`` column, found by reading the headers,
and the shared curated copies), and every published citation is a curated ``original_url`` or a
DOI — and the scans can fail."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import DataError
from analysis.topics.hotspots import compare
from analysis.vocab.citations import (
    check_hosts,
    citation,
    doi_url,
    host,
    host_keys,
    is_context_only,
)

CURATED = paths.ROOT.parent / "shared" / "data" / "curated"
#: Suffixes of curated tables (comma- or tab-separated).
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}
#: Text files that are published: their suffixes.
TEXT_SUFFIXES = {".csv", ".json", ".geojson", ".md", ".html", ".ipynb", ".svg", ".txt", ".css"}
DOI_PATTERN = re.compile(r"(?:doi:\s*|doi\.org/)(10\.\d{4,9}/[^\s,;)\"'<>]+)", re.IGNORECASE)


def cited_tables(*folders: Path) -> dict[str, pd.DataFrame]:
    """Every table (``*.csv``, ``*.tsv``) in ``folders`` whose header has a ``read_via_url``
    column, keyed ``'<folder name>/<file name>'``; missing folders are skipped."""
    found = {}
    for folder in folders:
        if not folder.is_dir():
            continue
        for f in sorted(folder.iterdir()):
            sep = TABLE_SUFFIXES.get(f.suffix)
            if sep is None or not f.is_file():
                continue
            header = pd.read_csv(f, sep=sep, dtype=str, nrows=0).columns
            if "read_via_url" in header:
                found[f"{folder.name}/{f.name}"] = pd.read_csv(f, sep=sep, dtype=str,
                                                               keep_default_na=False)
    return found


@pytest.fixture(scope="module")
def curated() -> dict[str, pd.DataFrame]:
    """The curated tables that record a copy read: the reviewed manual copies and, when the
    shared folder is here, the shared curated copies."""
    return cited_tables(paths.MANUAL, CURATED)


@pytest.fixture(scope="module")
def read_via_hosts(curated) -> dict[str, set[str]]:
    """Spelling of a mirror host → the hosts it stands for, from both curated tables."""
    keys: dict[str, set[str]] = {}
    for frame in curated.values():
        for url in frame["read_via_url"]:
            for k in host_keys(url):
                keys.setdefault(k, set()).add(host(url))
    return keys


@pytest.fixture(scope="module")
def originals(curated) -> set[str]:
    return {u.strip() for frame in curated.values() for u in frame["original_url"] if u.strip()}


def leaks(root: Path, keys: dict[str, set[str]]) -> list[str]:
    """``'<file>: <host>'`` for every published text file under ``root`` naming a host."""
    found = []
    for f in sorted(root.rglob("*")):
        if not f.is_file() or f.suffix not in TEXT_SUFFIXES:
            continue
        text = f.read_text(encoding="utf-8", errors="replace").lower()
        found += [f"{f.relative_to(root)}: {k}" for k in sorted(keys) if k in text]
    return found


# --- the rule, on synthetic input ---------------------------------------------------------------

def test_hosts_and_their_spellings():
    assert host("http://218.28.6.71:81/Qikan/x?id=1") == "218.28.6.71:81"
    assert host("chinaqna.com/a/38995 (press summary)") == "chinaqna.com"
    assert host("") == ""
    assert host_keys("http://m.orobotics.cn/a") == {"m.orobotics.cn", "orobotics.cn"}
    assert host_keys("http://www.51borro.com/p") == {"www.51borro.com", "51borro.com"}
    assert host_keys("http://218.28.6.71:81/p") == {"218.28.6.71:81", "218.28.6.71"}
    assert doi_url("doi:10.1/x") == doi_url("10.1/x") == "https://doi.org/10.1/x"


def test_citation_rules():
    assert citation("http://www.gov.cn/a", "reconstructed", "http://spam.example/a", file="f",
                    row=2) == ("http://www.gov.cn/a", "reconstructed")
    assert citation("", "unknown", "http://spam.example/a", file="f", row=2) == (None, "unknown")
    with pytest.raises(DataError, match="host of the copy read"):
        citation("http://m.spam.example/a", "confirmed", "http://www.spam.example/a",
                 file="f", row=2)
    assert is_context_only("C (low)", "unknown")
    assert not is_context_only("C (low)", "reconstructed")
    assert not is_context_only("B", "unknown")
    check_hosts(["http://www.gov.cn/a", None], ["http://spam.example/a", ""], file="f")
    with pytest.raises(DataError, match=r"spam\.example"):
        check_hosts(["http://m.spam.example/b"], ["http://www.spam.example/a"], file="f")


def test_leak_scan_can_fail(tmp_path, read_via_hosts):
    key = sorted(read_via_hosts)[0]
    (tmp_path / "clean.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    assert leaks(tmp_path, read_via_hosts) == []
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "fig.json").write_text(f'{{"source": "read at {key.upper()}"}}',
                                               encoding="utf-8")
    assert leaks(tmp_path, read_via_hosts) == [f"sub/fig.json: {key}"]


def test_cited_tables_are_found_by_their_header(tmp_path):
    (tmp_path / "a.csv").write_text("x,read_via_url\n1,http://m.spam.example/a\n",
                                    encoding="utf-8")
    (tmp_path / "b.tsv").write_text("x\tread_via_url\n1,\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("x,source_url\n1,http://spam.example/a\n", encoding="utf-8")
    (tmp_path / "d.md").write_text("read_via_url\n", encoding="utf-8")
    found = cited_tables(tmp_path, tmp_path / "missing")
    assert sorted(found) == [f"{tmp_path.name}/a.csv", f"{tmp_path.name}/b.tsv"]
    assert list(found[f"{tmp_path.name}/a.csv"]["read_via_url"]) == ["http://m.spam.example/a"]


def test_every_manual_table_with_a_copy_read_is_scanned(curated):
    """Discovered, not listed: the manual tables with a ``read_via_url`` column are the two
    tables of published figures today, and each has the three citation columns."""
    manual = {k.split("/", 1)[1] for k in curated if k.startswith(f"{paths.MANUAL.name}/")}
    assert {"left_behind_children_by_province_partial.csv",
            "published_figures_with_quotes.csv"} <= manual
    for name, frame in curated.items():
        assert {"original_url", "original_url_status", "read_via_url"} <= set(frame.columns), name


def test_the_curated_tables_do_record_mirrors(read_via_hosts, curated):
    hosts = set().union(*read_via_hosts.values())
    assert len(hosts) >= 20  # 24 when written: afdelivr.top, orobotics.cn, chinaqna.com, ...
    assert {"chinaqna.com", "web-test.accscience.com", "www.afdelivr.top"} <= hosts
    for frame in curated.values():
        assert {"original_url", "original_url_status", "read_via_url"} <= set(frame.columns)


# --- the real build -----------------------------------------------------------------------------

def test_no_processed_table_names_a_read_via_host(processed, read_via_hosts):
    """Every published table (``data/processed/*.csv``, and every other text file there)."""
    assert len(list(processed.glob("*.csv"))) >= 20
    assert leaks(processed, read_via_hosts) == []


def test_no_figure_data_or_caption_names_a_read_via_host(read_via_hosts):
    """Every figure's caption and source (``figures/*.json``), chart data and SVG text."""
    assert len(list(paths.FIGURES.glob("*.json"))) >= 20
    assert leaks(paths.FIGURES, read_via_hosts) == []


def test_no_vocabulary_cites_a_read_via_host(read_via_hosts):
    """The texts published figures and pages are written from (source lines, articles,
    citations, wording) name no mirror host, whatever the build last wrote."""
    src = paths.ROOT / "src" / "analysis"
    assert leaks(src / "vocab", read_via_hosts) == []
    texts = [f for f in src.rglob("*.py")
             if any(k in f.read_text(encoding="utf-8").lower() for k in read_via_hosts)]
    assert not [str(f.relative_to(src)) for f in texts]


def test_no_executed_notebook_names_a_read_via_host(executed_notebooks, read_via_hosts):
    assert len(list(executed_notebooks.glob("*.ipynb"))) >= 5
    assert leaks(executed_notebooks, read_via_hosts) == []


@pytest.fixture(scope="module")
def report_dir(executed_notebooks, tmp_path_factory) -> Path:
    """The real ``report/`` (``make all`` built it), or a fresh copy when it is missing."""
    real = paths.ROOT / "report"
    if (real / "index.html").is_file():
        return real
    from analysis.site.report import build_report

    return build_report(tmp_path_factory.mktemp("report"), log=lambda s: None).parent


def test_no_report_page_names_a_read_via_host(report_dir, read_via_hosts):
    assert len(list(report_dir.rglob("*.html"))) >= 5
    assert leaks(report_dir, read_via_hosts) == []


def test_every_published_citation_is_an_original_or_a_doi(processed, originals):
    """Every ``citation_url`` cell of every processed table is a curated ``original_url`` or a
    DOI link; the tables of published figures do cite."""
    cited: dict[str, list[str]] = {}
    for f in sorted(processed.glob("*.csv")):
        if f.name.endswith(".rows.csv"):
            continue
        frame = pd.read_csv(f, dtype=str, keep_default_na=False)
        if "citation_url" in frame.columns:
            cited[f.stem] = [u for u in frame["citation_url"] if u]
            assert "citation_status" in frame.columns, f.name
    assert {"left_behind_children", "published_flow_comparison"} <= set(cited)
    for table, urls in cited.items():
        assert urls, table
        bad = [u for u in urls if u not in originals and not u.startswith("https://doi.org/")]
        assert not bad, f"{table}: not an original_url nor a DOI: {bad[:3]}"


def test_every_doi_published_is_a_curated_original(executed_notebooks, report_dir, originals):
    """The DOIs in figure captions, notebooks and the report are the curated papers' DOIs, and
    both papers are cited by DOI in the figures that use them."""
    dois = {u.removeprefix("https://doi.org/") for u in originals if "doi.org/" in u}
    assert dois == {compare.XIN_CAI_DOI, compare.WANG_DOI}
    for root in (paths.FIGURES, executed_notebooks, report_dir):
        for f in root.rglob("*"):
            if f.is_file() and f.suffix in TEXT_SUFFIXES:
                text = f.read_text(encoding="utf-8", errors="replace")
                seen = {d.rstrip(".") for d in DOI_PATTERN.findall(text)}
                assert seen <= dois, f"{f.name}: DOI(s) {seen - dois} not in the curated tables"
    wang = (paths.FIGURES / "03_wang_comparison.json").read_text(encoding="utf-8")
    assert compare.WANG_DOI in wang
    for basemap in ("ocha", "cn_atlas"):
        xc = (paths.FIGURES / f"03_published_comparison_{basemap}.json").read_text(
            encoding="utf-8")
        assert compare.XIN_CAI_DOI in xc
