"""Licences and credit of the outputs: code MIT, figures and tables CC BY 4.0 with every upstream
source's licence stated, a valid CITATION.cff, and the credit line in every figure's JSON and on
every report page."""

from __future__ import annotations

import json

import pytest
import yaml

from analysis.core import paths
from analysis.core.fetch import registry
from analysis.vocab.credits import CREDIT_LINE, CREDIT_LINE_ZH, OUTPUT_LICENCE


def test_code_and_output_licences_exist():
    assert "MIT License" in (paths.ROOT / "LICENSE").read_text(encoding="utf-8")
    cc = (paths.ROOT / "LICENSES" / "CC-BY-4.0.txt").read_text(encoding="utf-8")
    assert cc.startswith("Creative Commons Attribution 4.0 International")
    assert "Section 3 – License Conditions." in cc


def test_every_upstream_source_has_its_licence_stated_beside_ours():
    note = (paths.ROOT / "LICENSE-outputs.md").read_text(encoding="utf-8")
    assert OUTPUT_LICENCE in note
    sources = {file_id.split("/")[0] for file_id in registry()}
    missing = sorted(s for s in sources if f"`{s}`" not in note)
    assert not missing, f"LICENSE-outputs.md does not state the licence of {missing}"
    for licence in ("GPL-3.0", "none stated"):  # the case scrapes' terms are explained
        assert licence in note


def test_citation_file_is_valid_cff():
    cff = yaml.safe_load((paths.ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"].startswith("1.2")
    for key in ("message", "title", "authors", "license", "version"):
        assert cff.get(key), key
    assert all("name" in a or "family-names" in a for a in cff["authors"])


def test_every_figure_json_carries_the_credit_line():
    metas = sorted(paths.FIGURES.glob("*.json"))
    assert len(metas) >= 40
    for path in metas:
        meta = json.loads(path.read_text(encoding="utf-8"))
        expected = CREDIT_LINE_ZH if meta.get("lang") == "zh" else CREDIT_LINE
        assert meta.get("credit") == expected, path.name
        assert meta.get("licence") == OUTPUT_LICENCE, path.name


def test_every_report_page_shows_the_credit_and_licence():
    report = paths.ROOT / "report"
    if not (report / "index.html").exists():
        pytest.skip("report not built (make report)")
    pages = sorted(report.rglob("*.html"))
    assert len(pages) >= 8
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert CREDIT_LINE in text, page.name
        assert "licence.html" in text, page.name
    assert (report / "CC-BY-4.0.txt").is_file()
