"""The static report: every image and link resolves; opened in headless Chromium with no console
errors; screenshots saved to test-artifacts/."""

from __future__ import annotations

import json
import os
import re
import shutil
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from analysis.core import paths
from analysis.site.report import build_report

ARTIFACTS = paths.ROOT / "test-artifacts"


class _Refs(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key) and tag in ("img", "a", "link", "script"):
                self.refs.append((tag, a[key]))


def _local_refs(page: Path) -> list[tuple[str, Path]]:
    parser = _Refs()
    parser.feed(page.read_text(encoding="utf-8"))
    out = []
    for tag, ref in parser.refs:
        url = urlparse(ref)
        if url.scheme in ("http", "https"):
            if tag != "a":  # citations may link out; resources must be local
                raise AssertionError(f"{page.name}: remote {tag} {ref} (the report must work "
                                     "offline)")
            continue
        if url.scheme == "data" or ref.startswith("#"):
            continue
        out.append((tag, (page.parent / unquote(url.path)).resolve()))
    return out


@pytest.fixture(scope="module")
def report(executed_notebooks, tmp_path_factory) -> Path:
    """The report built from the current figures, notebooks and tables (``make report`` builds
    the real one; the test builds its own copy so it never depends on stale output)."""
    out = tmp_path_factory.mktemp("report")
    return build_report(out, log=lambda s: None).parent


def test_index_has_a_card_per_figure(report):
    html = (report / "index.html").read_text(encoding="utf-8")
    names = [p.stem for p in paths.FIGURES.glob("*.json")]
    assert names
    for name in names:
        assert f'id="{name}"' in html, name
        meta = json.loads((paths.FIGURES / f"{name}.json").read_text(encoding="utf-8"))
        assert meta["title"] in unescape(html), name


def test_every_local_link_and_image_resolves(report):
    pages = sorted(report.rglob("*.html"))
    assert len(pages) >= 5
    checked = 0
    for page in pages:
        for tag, target in _local_refs(page):
            assert target.exists(), f"{page.relative_to(report)}: broken {tag} → {target}"
            checked += 1
    assert checked > 50


def test_notebook_pages_hide_code(report):
    for page in (report / "notebooks").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "import matplotlib" not in text, page.name
        assert re.search(r"<img", text), f"{page.name}: no figures rendered"


def _chrome():
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium and chromedriver (.ci/run installs them)")
        pytest.skip("chromium / chromedriver not installed (apt-get install chromium "
                    "chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1600",
                "--allow-file-access-from-files"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(driver), options=opts)


@pytest.fixture(scope="module")
def browser():
    drv = _chrome()
    yield drv
    drv.quit()


def _open(browser, page: Path) -> dict:
    browser.get(page.as_uri())
    state = browser.execute_script("""
        const imgs = Array.from(document.images);
        return {
          images: imgs.length,
          broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
          links: Array.from(document.querySelectorAll('a[href]')).map(a => a.href),
          title: document.title,
        };""")
    state["console"] = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    return state


def test_index_in_headless_chromium(report, browser):
    state = _open(browser, report / "index.html")
    assert state["images"] >= len(list(paths.FIGURES.glob("*.json")))
    assert not state["broken"], state["broken"]
    assert not state["console"], state["console"]
    for href in state["links"]:
        url = urlparse(href)
        if url.scheme == "file":
            assert Path(unquote(url.path)).exists(), href
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "report_index.png"))
    assert (ARTIFACTS / "report_index.png").stat().st_size > 10_000


def test_a_notebook_page_in_headless_chromium(report, browser):
    pages = sorted((report / "notebooks").glob("*.html"))
    assert pages
    for page in pages:
        state = _open(browser, page)
        assert not state["broken"], (page.name, state["broken"])
        assert not state["console"], (page.name, state["console"])
    browser.save_screenshot(str(ARTIFACTS / "report_notebook.png"))


def test_fact_check_page_shows_every_claim_and_links_its_article(report):
    """Every row of the published fact_check.csv is on the page with its reviewed verdict; every
    article with a known address is linked from each of its claims (mirror hosts: see
    tests/test_citations.py, which scans the report)."""
    import pandas as pd

    table = pd.read_csv(paths.PROCESSED / "fact_check.csv", keep_default_na=False)
    page = (report / "factcheck.html").read_text(encoding="utf-8")
    rows = dict(re.findall(r'<tr id="(C\d+)">(.*?)</tr>', page, flags=re.S))
    assert sorted(rows) == sorted(table["claim_id"]), "claims on the page != claims in the table"
    for claim in table.itertuples():
        cell = unescape(rows[claim.claim_id])
        assert f"<strong>{claim.verdict}</strong>" in cell, claim.claim_id
        links = re.findall(r'class="article" href="([^"]+)"', cell)
        assert links == ([claim.article_url] if claim.article_url else []), claim.claim_id
    n_shown = sum(int(n) for n in re.findall(r": (\d+)(?: · |</p>)", page.split('class="counts"')[1]
                                               .split("</p>")[0] + "</p>"))
    assert n_shown == len(table)


def test_other_pages_in_headless_chromium(report, browser):
    for name in ("data.html", "sources.html", "methodology.html", "factcheck.html"):
        state = _open(browser, report / name)
        assert not state["console"], (name, state["console"])
        assert state["title"]
