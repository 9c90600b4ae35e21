"""Notebooks are thin: they load tables, call builders and findings, say() and save.

Every figure is drawn by :mod:`analysis.plots`, every model is fitted by ``make data``; a
notebook holds no drawing code, no function or class of its own and no model fitting, and fits
in :data:`MAX_LINES` lines (markdown included).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.site.notebooks import notebook_sources

NOTEBOOKS = notebook_sources()
#: Longest notebook allowed, in lines of its jupytext ``.py`` source.
MAX_LINES = 250
#: Names whose method calls are drawing: pyplot and the figure / axes objects.
DRAWING_NAMES = frozenset({"plt", "ax", "axes", "fig", "figure"})
#: Packages a notebook must not import: drawing and model fitting belong in the package.
FORBIDDEN_IMPORTS = frozenset({"matplotlib", "seaborn", "statsmodels", "spreg", "esda",
                               "libpysal", "mapclassify"})
#: Calls that fit a model (``models.main_fit``, ``models.fit``, ``run_models`` …).
FITTING_CALLS = frozenset({"fit", "main_fit", "run_models", "fit_negbin", "fit_poisson",
                           "fit_log_rate", "leave_one_out", "added_variable"})


def violations(source: str) -> list[str]:
    """What makes ``source`` (a notebook's Python text) more than thin, one line each."""
    found = []
    lines = source.splitlines()
    if len(lines) > MAX_LINES:
        found.append(f"{len(lines)} lines (at most {MAX_LINES})")
    for node in ast.walk(ast.parse(source)):
        where = f"line {getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            found.append(f"{where}: defines a function")
        elif isinstance(node, ast.ClassDef):
            found.append(f"{where}: defines a class {node.name}")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [node.module or ""])
            for m in modules:
                if m.split(".")[0] in FORBIDDEN_IMPORTS:
                    found.append(f"{where}: imports {m}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and (owner.id in DRAWING_NAMES
                                                or owner.id.startswith("ax")):
                found.append(f"{where}: drawing call {owner.id}.{node.func.attr}()")
            if node.func.attr in FITTING_CALLS:
                found.append(f"{where}: fits a model ({node.func.attr}())")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in FITTING_CALLS):
            found.append(f"{where}: fits a model ({node.func.id}())")
    return found


@pytest.mark.parametrize("source", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin(source: Path):
    found = violations(source.read_text(encoding="utf-8"))
    assert not found, f"{source.name} is not thin:\n" + "\n".join(found)


def test_every_notebook_is_checked():
    assert len(NOTEBOOKS) >= 6
    assert "07_county_models" in {p.stem for p in NOTEBOOKS}
    assert "08_model_inference" in {p.stem for p in NOTEBOOKS}
    assert "06_prefecture_atlas" in {p.stem for p in NOTEBOOKS}
    assert all(p.suffix == ".py" for p in NOTEBOOKS)


@pytest.mark.parametrize("code, expected", [
    ("import matplotlib.pyplot as plt\n", "imports matplotlib.pyplot"),
    ("from statsmodels.api import GLM\n", "imports statsmodels.api"),
    ("import seaborn as sns\n", "imports seaborn"),
    ("fig, ax = plt.subplots()\n", "drawing call plt.subplots()"),
    ("ax.set_title('x')\n", "drawing call ax.set_title()"),
    ("ax2.text(0, 0, 'x')\n", "drawing call ax2.text()"),
    ("fig.suptitle('x')\n", "drawing call fig.suptitle()"),
    ("def f():\n    return 1\n", "defines a function"),
    ("g = lambda x: x\n", "defines a function"),
    ("class C:\n    pass\n", "defines a class C"),
    ("d, f = models.main_fit(e, r, c, spec)\n", "fits a model (main_fit())"),
    ("av = mv.added_variable(d, f)\n", "fits a model (added_variable())"),
    ("print('x')\n" * (MAX_LINES + 1), f"{MAX_LINES + 1} lines"),
])
def test_the_checker_can_fail(code, expected):
    found = violations(code)
    assert any(expected in v for v in found), (code, found)


def test_builder_calls_pass_the_checker():
    thin = ('fig, data = mf.spatial_models_figure(spatial)\n'
            'files = save_figure(fig, "04_spatial_models", data=data, **mf.spatial_models_text())\n'
            'say(find.residual_moran(fits, head).markdown())\n')
    assert violations(thin) == []
