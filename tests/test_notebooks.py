"""Executed notebooks: no errors, no typed-in numbers in prose, byte-identical figures."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import nbformat
import pytest

from analysis.core import paths
from analysis.site.notebooks import notebook_sources

NOTEBOOKS = notebook_sources()
#: Numbers that may stand in prose: years, periods, notebook numbers, "5+" ages, "1 %" survey names,
#: and small counts written as words elsewhere. Anything with a thousands separator, a decimal or a
#: percent sign must be computed.
TYPED_NUMBER = re.compile(r"\d{1,3}(,\d{3})+|\d+\.\d+|\d+\s?%(?! survey)")
#: Units of rates are not claims: "per 1,000", "per 100,000".
UNIT_PHRASE = re.compile(r"per 1(00)?,000")


def typed_numbers(text: str) -> list[str]:
    """Numbers in ``text`` that look like typed-in results."""
    return [m.group(0) for m in TYPED_NUMBER.finditer(UNIT_PHRASE.sub("per N", text))]


def _markdown_cells(source):
    import jupytext

    return [c.source for c in jupytext.read(source).cells if c.cell_type == "markdown"]


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_typed_numbers_in_notebook_prose(source):
    for text in _markdown_cells(source):
        found = typed_numbers(text)
        assert not found, f"{source.name}: typed number(s) in prose: {found}"


def test_typed_number_detector_can_fail():
    assert typed_numbers("124,837,153 people") == ["124,837,153"]
    assert typed_numbers("a share of 25.5") == ["25.5"]
    assert typed_numbers("42 %") == ["42 %"]
    assert typed_numbers("3,000 per 1,000") == ["3,000"]
    assert not typed_numbers("the 2020 census, 2005–2010, aged 5+, the 1 % survey, per 100,000")


@pytest.fixture(scope="module")
def executed(executed_notebooks):
    return {src.stem: nbformat.read(executed_notebooks / f"{src.stem}.ipynb", as_version=4)
            for src in NOTEBOOKS}


def test_every_notebook_executed_without_errors(executed):
    assert set(executed) == {p.stem for p in NOTEBOOKS}
    for name, nb in executed.items():
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert output.get("output_type") != "error", f"{name}: {output.get('ename')}"


def test_figures_named_by_their_notebook(executed):
    names = [p.stem for p in paths.FIGURES.glob("*.json")]
    assert names
    stems = {p.stem[:2]: p for p in NOTEBOOKS}
    for name in names:
        meta = json.loads((paths.FIGURES / f"{name}.json").read_text(encoding="utf-8"))
        assert name[:2] in stems, name
        assert meta["notebook"] == f"notebooks/{stems[name[:2]].name}"
        for key in ("title", "caption", "source", "alt_text"):
            assert meta[key].strip(), (name, key)
        for ext in ("png", "svg", "csv"):
            assert (paths.FIGURES / f"{name}.{ext}").exists(), (name, ext)


@pytest.mark.slow
def test_figures_are_byte_identical_across_rebuilds(executed, tmp_path):
    """Re-execute every notebook into a fresh figures folder; every file must match byte for byte."""
    env = dict(os.environ, LOSTGEN_FIGURES=str(tmp_path), MPLBACKEND="Agg")
    code = ("from analysis.site.notebooks import execute_all; import pathlib, sys; "
            "execute_all(log=lambda s: None)")
    # executed notebooks go to a temporary build folder too, so the real build stays untouched
    env["LOSTGEN_EXECUTED_NOTEBOOKS"] = str(tmp_path / "nb")
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-3000:]
    original = sorted(p.name for p in paths.FIGURES.iterdir() if p.suffix in
                      {".png", ".svg", ".csv", ".json"})
    rebuilt = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert rebuilt == original
    differ = [n for n in original if (tmp_path / n).read_bytes() != (paths.FIGURES / n).read_bytes()]
    assert not differ, f"figures differ between rebuilds: {differ}"
