"""The leaf vocabulary (``analysis.vocab``): one registry of measures, one home per concept, and
schemas that load no cleaning or modelling code.

* importing ``analysis.schemas`` in a fresh interpreter loads neither statsmodels, esda, spreg
  nor libpysal, nor any cleaning, build, fit or view module;
* schema and vocabulary modules import nothing of the project but ``analysis.core`` and
  ``analysis.vocab`` (function-level imports included);
* adding one :class:`~analysis.vocab.measures.Measure` entry is the only edit needed: a fresh
  interpreter that inserts one entry into the registry's source sees it in every table builder,
  schema, model specification and view;
* the caveats and the source lines are worded in one module and composed, never sliced;
* one significance rule, ``p ≤ α``.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.vocab import cases, measures, periods, settings, wording
from analysis.vocab.measures import MEASURES, REGISTRY, Measure

PACKAGE = Path(analysis.__file__).parent


def _run(code: str) -> str:
    """Run ``code`` in a fresh interpreter (this checkout's package); returns its stdout."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, env=env, check=False)
    assert out.returncode == 0, out.stderr
    return out.stdout


def _project_imports(path: Path) -> set[str]:
    """Every ``analysis.*`` module ``path`` imports, at any level (function bodies included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n for n in names if n == "analysis" or n.startswith("analysis.")}
    return found


def _schema_modules() -> list[Path]:
    return sorted([*PACKAGE.glob("sources/*/schema.py"), *PACKAGE.glob("topics/*/schema.py")])


# --- the contract layer ----------------------------------------------------------------------


def test_importing_the_schemas_loads_no_model_or_cleaning_code():
    loaded = json.loads(_run("import json, sys\nimport analysis.schemas\n"
                             "print(json.dumps(sorted(sys.modules)))"))
    heavy = [m for m in loaded if m.split(".")[0] in {"statsmodels", "esda", "spreg", "libpysal"}]
    assert heavy == []
    project = [m for m in loaded if m.startswith("analysis.")]
    steps = [m for m in project
             if m.rsplit(".", 1)[-1] in {"clean", "build", "fit", "compare", "evaluators",
                                         "exposures", "views", "common", "uiuing", "wtt1002",
                                         "juvenilexi"}]
    assert steps == []
    allowed = ("analysis.core", "analysis.vocab", "analysis.schemas", "analysis.sources",
               "analysis.topics")
    assert all(m.startswith(allowed) for m in project), project
    rooms = [m for m in project if m.startswith(("analysis.sources.", "analysis.topics."))]
    assert all(m.endswith(".schema") or m.count(".") == 2 for m in rooms), rooms
    assert {"analysis.topics.models.schema", "analysis.topics.hotspots.schema",
            "analysis.sources.cases.schema"} <= set(project)


@pytest.mark.parametrize("path", _schema_modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_schema_modules_import_only_core_and_vocab(path):
    bad = sorted(m for m in _project_imports(path)
                 if not m.startswith(("analysis.core", "analysis.vocab")))
    assert bad == [], f"{path.relative_to(PACKAGE)} imports {bad}"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("vocab/*.py")), ids=lambda p: p.name)
def test_vocab_is_a_leaf(path):
    bad = sorted(m for m in _project_imports(path)
                 if not m.startswith(("analysis.core", "analysis.vocab")))
    assert bad == [], f"vocab/{path.name} imports {bad}"


# --- the measure registry ---------------------------------------------------------------------


def test_registry_views_are_computed_from_the_entries():
    labels, short, years = measures.MEASURE_LABELS, measures.OUTCOME_SHORT, measures.CHILDREN_YEAR
    assert list(MEASURES) == [m.id for m in REGISTRY]
    assert labels == {m.id: (m.label_en, m.label_zh) for m in REGISTRY}
    assert short == {m.id: (m.short_en, m.short_zh) for m in REGISTRY}
    assert years == {m.id: m.children_year for m in REGISTRY}
    assert list(measures.PERIOD_PANELS) == [m.id for m in REGISTRY if m.period_panels]
    assert measures.MEASURE_OD_PERIOD["lost_uiuing_missing"][:2] == ("2005–2010", True)
    # flow pairs: one lost-side and one destination-side measure per source, sorted by source
    assert measures.PAIRS == {"uiuing_success": ("lost_uiuing_success", "found_uiuing_success"),
                              "wtt1002_data": ("lost_wtt1002_data", "current_wtt1002_data")}
    assert measures.FLOW_SOURCES == ("uiuing_success", "wtt1002_data")
    # maps: the lost side first, each side in registry order
    assert measures.MAP_MEASURES == [
        "lost_uiuing_missing", "lost_wtt1002_family", "lost_wtt1002_data",
        "lost_uiuing_success", "lost_juvenilexi", "current_wtt1002_data",
        "found_uiuing_success"]
    lost = measures.LOST_MEASURES
    assert lost == measures.MAP_MEASURES[:5]
    assert [m.model_side for m in REGISTRY] == [
        "missing" if m.id.startswith("lost_") else "found_current" for m in REGISTRY]


def test_every_consumer_reads_the_registry_views():
    from analysis.topics.cases import build as case_build
    from analysis.topics.hotspots import build as hot_build
    from analysis.topics.hotspots import compare
    from analysis.topics.models import fit
    from analysis.topics.models import views as model_views

    assert case_build.MEASURES is MEASURES
    assert hot_build.MEASURES is MEASURES
    assert hot_build.MEASURE_LABELS is measures.MEASURE_LABELS
    assert hot_build.PERIOD_PANELS is measures.PERIOD_PANELS
    assert hot_build.CHILDREN_YEAR is measures.CHILDREN_YEAR
    assert hot_build.PAIRS is measures.PAIRS
    assert compare.FLOW_SOURCES is measures.FLOW_SOURCES
    assert fit.MEASURES is MEASURES
    assert fit.MEASURE_OD_PERIOD is measures.MEASURE_OD_PERIOD
    assert fit.PERIOD_MEASURES is measures.PERIOD_MEASURES
    assert model_views.MEASURES is MEASURES
    assert model_views.OUTCOME_SHORT is measures.OUTCOME_SHORT


def test_the_figures_of_the_plots_layer_list_the_registry_measures():
    """The maps and notebook findings read the registry's own lists (no copy to keep in step)."""
    from analysis.plots import hotspot_findings, hotspot_maps

    assert hotspot_maps.MAP_MEASURES is measures.MAP_MEASURES
    assert hotspot_maps.LOST_MEASURES is measures.LOST_MEASURES
    assert hotspot_findings.MEASURE_LABELS is measures.MEASURE_LABELS


def _entry(**overrides) -> Measure:
    fields = {"id": "lost_test", "source": "uiuing_missing", "side": "lost",
              "place_role": "lost", "description": "d", "label_en": "e", "label_zh": "中",
              "short_en": "s", "short_zh": "短", "children_year": 2020,
              "od_period": "2005–2010", "od_period_matched": True, "od_period_why": "w"}
    return Measure(**{**fields, **overrides})


@pytest.mark.parametrize("field, value", [
    ("source", "uiuing"), ("side", "searching"), ("place_role", "home"),
    ("children_year", 2015), ("od_period", "2005-2010"),
    ("period_panels", (("1990s", ("1990s",)),)), ("period_panels", (("empty", ()),))])
def test_a_wrong_entry_is_refused_naming_the_field(field, value):
    with pytest.raises(ValueError, match=field if field != "period_panels" else "panel"):
        _entry(**{field: value})


def test_duplicate_ids_and_ambiguous_pairs_are_refused():
    with pytest.raises(ValueError, match="registered twice"):
        measures._index((*REGISTRY, _entry(id="lost_uiuing_missing")))
    with pytest.raises(ValueError, match="ambiguous"):
        measures._pairs((*REGISTRY, _entry(id="lost_uiuing_success_2", source="uiuing_success",
                                           side="found")))
    with pytest.raises(ValueError, match="unknown measure"):
        measures.model_side("lost_nowhere")


ADD_ONE_MEASURE = """
import json, sys, importlib.util
from pathlib import Path
import analysis.vocab

path = Path(analysis.vocab.__file__).parent / "measures.py"
src = path.read_text(encoding="utf-8")
marker = "REGISTRY: tuple[Measure, ...] = (\\n"
assert src.count(marker) == 1
entry = '''    Measure(
    id="lost_uiuing_missing_test", source="uiuing_missing", side="lost", place_role="lost",
    description="test measure", label_en="Test measure", label_zh="测试",
    short_en="Test", short_zh="测", children_year=2020,
    od_period="2000–2005", od_period_matched=True, od_period_why="test why",
    period_panels=(("2010–2023", ("2010–2023",)),), modelled_by_period=True),
'''
spec = importlib.util.spec_from_loader("analysis.vocab.measures", loader=None,
                                       origin=str(path))
module = importlib.util.module_from_spec(spec)
module.__file__ = str(path)
sys.modules["analysis.vocab.measures"] = module
exec(compile(src.replace(marker, marker + entry), str(path), "exec"), module.__dict__)
analysis.vocab.measures = module

import numpy as np
import pandas as pd
from analysis.core.accounts import RowAccount
from analysis.schemas import SCHEMAS
from analysis.topics.cases import build as case_build
from analysis.topics.hotspots import build as hot_build
from analysis.topics.models import fit
from analysis.topics.models import views
from analysis.plots import model_figures
from analysis.plots import hotspot_maps
from analysis.vocab.cases import PERIOD_LABELS
from analysis.vocab.provinces import MAINLAND31

NEW = "lost_uiuing_missing_test"
keys = {(m.source, m.side, m.place_role) for m in module.MEASURES.values()}
counts = pd.DataFrame([
    {"source": s, "side": d, "place_role": r, "category": "unknown", "period": p,
     "adcode": a, "postings_count": 200}
    for s, d, r in sorted(keys) for p in PERIOD_LABELS for a in MAINLAND31])
children = pd.Series(100_000, index=list(MAINLAND31))
rates = case_build.case_rates(counts, children, children)
inputs = hot_build.measure_inputs(rates, counts, RowAccount("hotspot_local"))
specs = fit.specifications(counts)

def allowed(table, column):
    return list(SCHEMAS[table].columns[column].checks[0].statistics["allowed_values"])

print(json.dumps({
    "case_rates": sorted(rates["measure"].unique()),
    "case_rates_schema": allowed("case_rates", "measure"),
    "hotspot_inputs": sorted(set(inputs["measure"] + " " + inputs["period"])),
    "hotspot_schema": allowed("hotspot_local", "measure"),
    "hotspot_periods": allowed("hotspot_local", "period"),
    "labels": hot_build.MEASURE_LABELS.get(NEW),
    "model_schema": allowed("model_fit", "outcome_measure"),
    "spec_groups": sorted({s.group for s in specs if s.outcome == NEW}),
    "od_period": fit.Spec(NEW, "out_migration", "none", "negbin2").od_period,
    "short": views.OUTCOME_SHORT.get(NEW),
    "indicator_rows": [r[3] for r in model_figures.spec_indicator_rows()],
    "exposure_periods": views.outcome_exposure_periods()["outcome_measure"].tolist(),
    "map_measures": module.MAP_MEASURES,
}, ensure_ascii=False))
"""


def test_adding_a_measure_is_one_registry_entry():
    new = "lost_uiuing_missing_test"
    got = json.loads(_run(ADD_ONE_MEASURE))
    for key in ("case_rates", "case_rates_schema", "hotspot_schema", "model_schema",
                "indicator_rows", "exposure_periods", "map_measures"):
        assert new in got[key], key
    assert f"{new} {periods.HOTSPOT_ALL_PERIODS}" in got["hotspot_inputs"]
    assert f"{new} 2010–2023" in got["hotspot_inputs"]
    assert got["labels"] == ["Test measure", "测试"]
    assert got["short"] == ["Test", "测"]
    assert got["od_period"] == ["2000–2005", True]
    assert got["spec_groups"] == ["by_period", "core", "offset_2010", "spatial",
                                  "without_largest"]
    assert got["map_measures"][0] == new  # inserted first: the registry order is the map order


# --- periods ------------------------------------------------------------------------------------


def test_od_periods_are_named_once():
    from analysis.sources.migration_od import schema as od_schema
    from analysis.topics.models import exposures

    assert periods.OD_PERIODS == ("1995–2000", "2000–2005", "2005–2010", "2010–2015",
                                  "2015–2020")
    assert exposures.OD_PERIODS is periods.OD_PERIODS
    assert od_schema.SCHEMAS["migration_od"].columns["period"].checks[0].statistics[
        "allowed_values"] == list(periods.OD_PERIODS)
    assert exposures.out_column("2005–2010") == "out_migration_2005_2010_per_1000"
    with pytest.raises(ValueError, match="unknown O–D period"):
        periods.od_period_key("2005-2010")


def test_the_two_pooled_labels_are_what_the_tables_publish():
    from analysis.topics.hotspots import compare
    from analysis.topics.models import fit

    assert compare.POOLED == periods.HOTSPOT_ALL_PERIODS == "all periods"
    assert fit.Spec("lost_juvenilexi", "out_migration", "none", "negbin2").period \
        == periods.MODEL_ALL_PERIODS == "pooled"


def test_case_periods_and_age_groups():
    years = pd.Series([1979, 1980, 1999, 2023, 2024, np.nan])
    assert cases.period_of(years).tolist() == ["before 1980", "1980–1989", "1990–1999",
                                               "2010–2023", "unknown", "unknown"]
    ages = pd.Series([0, 2, 17, 18, np.nan])
    assert cases.age_group_of(ages).tolist() == ["under 1", "1–2", "12–17", "18 and over",
                                                 "unknown"]
    assert set(periods.CASE_PERIOD_OD) == {p[0] for p in cases.CASE_PERIODS}


def test_main_specification_is_defined_once_and_round_trips():
    from analysis.topics.models import fit
    from analysis.topics.models.schema import MAIN_SPECIFICATION

    assert fit.MAIN_SPEC.spec_id == MAIN_SPECIFICATION
    for spec in (fit.MAIN_SPEC,
                 fit.Spec("current_wtt1002_data", "in_migration", "none", "ml_lag_log_rate",
                          "spatial"),
                 fit.Spec("lost_wtt1002_data", "out_migration", "adjusted", "poisson_hc1",
                          "by_period", "1990–1999", 2010, "all")):
        assert fit.Spec.from_id(spec.spec_id) == spec
    with pytest.raises(ValueError, match="not a specification id"):
        fit.Spec.from_id("core|negbin2|lost_uiuing_missing")


# --- significance -------------------------------------------------------------------------------


def test_one_significance_rule():
    assert settings.significant(settings.ALPHA) and not settings.significant(0.0501)
    p = np.array([0.01, settings.ALPHA, 0.2, np.nan])
    assert settings.significant(p).tolist() == [True, True, False, False]


def test_residual_moran_summary_counts_p_equal_to_alpha_as_significant():
    from analysis.topics.models.views import moran_summary

    fits = pd.DataFrame({"model_kind": ["negbin2"] * 3,
                         "specification_group": ["core"] * 3,
                         "residual_moran_p_sim": [settings.ALPHA, 0.2, 0.001]})
    row = moran_summary(fits).iloc[0]
    assert (row["fits"], row["significant"]) == (3, 2)


def test_unadjusted_local_labels_use_the_same_rule():
    from analysis.stats import hotspots

    p = np.array([0.01, settings.ALPHA, 0.06])
    _, _, decided = hotspots._decide(p, settings.ALPHA, fdr=False, two_sided=False)
    assert decided.tolist() == [True, True, False]


# --- wording ------------------------------------------------------------------------------------

#: Phrases of the caveats and source lines: written in analysis/vocab/wording.py only.
PHRASES = ("not verified abductions", "not verified\nabductions", "postings on a volunteer",
           "postings on the volunteer", "volunteer missing-child platform",
           "Destinations are known only for children who were found or adults",
           "Lost Generation analysis")


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """Non-docstring string constants of a module (f-string parts included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.body and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in docs]


def test_caveats_and_source_lines_are_worded_in_one_module():
    home = PACKAGE / "vocab" / "wording.py"
    elsewhere = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == home:
            continue
        for line, text in _string_literals(path):
            hits = [p for p in PHRASES if p.lower() in text.lower()]
            if hits:
                elsewhere.append(f"{path.relative_to(PACKAGE)}:{line}: {hits}")
    assert elsewhere == []
    assert any(PHRASES[0] in text for _, text in _string_literals(home))


def test_source_lines_are_composed_from_parts():
    assert wording.source_line("NBS, 2020 census") == \
        "Source: NBS, 2020 census; Lost Generation analysis."
    line = wording.CASE_RATE_SOURCE_LINE
    assert line == f"Source: {wording.CASE_DATA}; {wording.CHILDREN_DATA}; {wording.ANALYSIS}."
    for bad in ((), ("NBS.",), ("NBS;",), ("",), ("NBS ",)):
        with pytest.raises(ValueError):
            wording.source_line(*bad)


def test_model_and_case_source_lines_end_with_the_analysis():
    from analysis.topics.cases import views as case_views
    from analysis.topics.models import views as model_views

    case_line, model_line = case_views.SOURCE_LINE, model_views.SOURCE
    assert case_line == f"Source: {wording.CASE_DATA}; {wording.ANALYSIS}."
    assert model_line == (f"Source: {wording.CASE_DATA}. {wording.MODEL_DATA}. "
                          f"{wording.MODEL_ANALYSIS}.")
    assert model_line.endswith("Lost Generation analysis (statsmodels, PySAL spreg).")
    assert model_line.count("Lost Generation analysis") == 1
    assert case_views.CAVEAT == wording.CAVEAT and wording.CAVEAT in wording.MODEL_CAVEAT
