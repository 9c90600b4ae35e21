"""Steps declare what they need: the pipeline finds the step modules, orders them from their
NEEDS/PROVIDES, and refuses a step that reads an undeclared table or builds other tables than it
declares. The data manifest hashes every step module's code."""

from __future__ import annotations

import ast

import pandas as pd
import pytest

from analysis import pipeline
from analysis.__main__ import data_code
from analysis.core import paths, stamps
from analysis.core.accounts import RowAccount
from analysis.core.step import BuildContext, CleanTable, StepContractError, TableView
from analysis.pipeline import Step, discover, order_steps, plan, run_steps, step_name

PKG = paths.ROOT / "src" / "analysis"


def _step(name: str, needs: tuple[str, ...] = (), provides: tuple[str, ...] = (),
          build=None) -> Step:
    return Step(name, f"fake.{name}", needs, provides, build)


# ------------------------------------------------------------------ discovery and names


def test_every_module_with_build_and_provides_is_a_step():
    """Discovery agrees with an independent scan: every module under sources/ or topics/ whose
    source defines ``PROVIDES`` and ``def build`` at top level."""
    expected = set()
    for folder in ("sources", "topics"):
        for f in (PKG / folder).rglob("*.py"):
            text = f.read_text(encoding="utf-8")
            if "\ndef build(" in text and "\nPROVIDES" in text:
                expected.add(".".join(("analysis", *f.relative_to(PKG).with_suffix("").parts)))
    assert set(stamps.step_modules(PKG)) == expected
    assert len(expected) >= 13


def test_step_names_follow_one_rule():
    assert step_name("analysis.sources.population.clean") == "sources.population"
    assert step_name("analysis.sources.cases.uiuing") == "sources.cases.uiuing"
    assert step_name("analysis.topics.models.build") == "topics.models"
    steps = discover()
    assert all(name == step_name(step.module) for name, step in steps.items())
    assert set(steps) >= {  # the steps of today; a new room adds its own without editing this
        "sources.boundaries", "sources.cases.juvenilexi", "sources.cases.uiuing",
        "sources.cases.wtt1002", "sources.census_city", "sources.census_hukou",
        "sources.left_behind", "sources.migration_od", "sources.population", "topics.cases",
        "topics.factcheck", "topics.hotspots", "topics.models"}


def test_every_declared_table_has_a_schema_and_one_provider():
    from analysis.schemas import SCHEMAS

    steps = discover()
    made_by = pipeline.providers(steps)
    assert set(made_by) == set(SCHEMAS)  # every table is built by exactly one step
    for step in steps.values():
        assert set(step.needs) <= set(made_by), step.name
        assert not set(step.needs) & set(step.provides), step.name


def test_step_modules_have_no_hand_kept_list():
    """``analysis.pipeline`` names no step module: the order comes from the declarations."""
    source = (PKG / "pipeline.py").read_text(encoding="utf-8")
    strings = {n.value for n in ast.walk(ast.parse(source))
               if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert not strings & set(stamps.step_modules(PKG))
    assert not hasattr(pipeline, "STEP_MODULES")


# ------------------------------------------------------------------ ordering


def test_real_order_puts_every_provider_first():
    steps = discover()
    order = order_steps(steps)
    made_by = pipeline.providers(steps)
    position = {n: i for i, n in enumerate(order)}
    for step in steps.values():
        for table in step.needs:
            assert position[made_by[table]] < position[step.name], (step.name, table)
    # the hidden dependencies the declarations made visible
    assert position["sources.census_city"] < position["sources.cases.uiuing"]
    assert position["topics.models"] < position["topics.factcheck"]  # model_coefficients


def test_order_is_deterministic_and_alphabetical_within_a_level():
    steps = {"b": _step("b", provides=("tb",)), "a": _step("a", provides=("ta",)),
             "c": _step("c", needs=("ta", "tb"), provides=("tc",))}
    assert order_steps(steps) == ["a", "b", "c"]


def test_missing_provider_names_the_table():
    steps = {"a": _step("a", needs=("nowhere",), provides=("ta",))}
    with pytest.raises(StepContractError, match=r"step a needs table 'nowhere', which no step "
                                                r"provides"):
        order_steps(steps)
    assert order_steps(steps, available={"nowhere"}) == ["a"]


def test_cycle_names_its_steps_and_tables():
    steps = {"a": _step("a", needs=("tb",), provides=("ta",)),
             "b": _step("b", needs=("ta",), provides=("tb",)),
             "c": _step("c", provides=("tc",))}
    with pytest.raises(StepContractError, match="form a cycle") as err:
        order_steps(steps)
    msg = str(err.value)
    assert "a needs 'tb' from b" in msg and "b needs 'ta' from a" in msg and "c " not in msg


def test_two_providers_of_one_table_are_refused():
    steps = {"a": _step("a", provides=("t",)), "b": _step("b", provides=("t",))}
    with pytest.raises(StepContractError, match="'t' is provided by two steps: a and b"):
        order_steps(steps)


def test_plan_adds_the_providers_of_what_is_not_built_yet():
    steps = discover()
    assert [s.name for s in plan(["sources.census_hukou"], steps)] == [
        "sources.population", "sources.census_hukou"]
    done = {"population_yearend", "census2020_province"}
    assert [s.name for s in plan(["sources.census_hukou"], steps, done)] == [
        "sources.census_hukou"]
    with pytest.raises(StepContractError, match=r"unknown step\(s\) \['population'\]"):
        plan(["population"], steps)


# ------------------------------------------------------------------ run-time checks


def test_table_view_is_read_only_and_restricted_to_needs():
    tables = {"a": pd.DataFrame({"x": [1]}), "b": pd.DataFrame({"x": [2]})}
    view = TableView(tables, ("a", "c"), "topics.demo")
    assert view["a"] is tables["a"] and "a" in view and "c" not in view
    assert view.get("c") is None and list(view) == ["a"] and len(view) == 1
    for read in (lambda: view["b"], lambda: "b" in view, lambda: view.get("b")):
        with pytest.raises(StepContractError, match=r"step topics.demo reads table 'b', which "
                                                    r"is not in its NEEDS \(a, c\)"):
            read()
    with pytest.raises(TypeError):
        view["a"] = tables["b"]  # type: ignore[index]


def _fake_run(monkeypatch, step: Step, ctx: BuildContext) -> dict[str, CleanTable]:
    monkeypatch.setattr(pipeline, "discover", lambda: {step.name: step})
    monkeypatch.setattr(pipeline, "validate", lambda table: table.frame)
    monkeypatch.setattr(pipeline, "registry", dict)  # no raw file to account for
    return run_steps([step.name], ctx, log=lambda s: None)


def _table(name: str) -> CleanTable:
    acc = RowAccount(name)
    acc.add_read("x", 1)
    acc.add_kept("x", 1)
    return CleanTable(name, pd.DataFrame({"v": [1]}), acc)


def test_a_step_reading_an_undeclared_table_fails(monkeypatch):
    def build(ctx):
        ctx.tables["secret"]
        return [_table("out")]

    ctx = BuildContext(tables={"secret": pd.DataFrame(), "declared": pd.DataFrame()})
    step = _step("topics.demo", needs=("declared",), provides=("out",), build=build)
    with pytest.raises(StepContractError, match="reads table 'secret'"):
        _fake_run(monkeypatch, step, ctx)


def test_a_step_must_build_exactly_what_it_provides(monkeypatch):
    ctx = BuildContext()
    extra = _step("topics.demo", provides=("out",), build=lambda c: [_table("out"), _table("x")])
    with pytest.raises(StepContractError, match=r"built \['out', 'x'\] but declares PROVIDES "
                                                r"\['out'\]"):
        _fake_run(monkeypatch, extra, ctx)
    short = _step("topics.demo", provides=("out", "y"), build=lambda c: [_table("out")])
    with pytest.raises(StepContractError, match="declares PROVIDES"):
        _fake_run(monkeypatch, short, ctx)


def test_a_step_that_keeps_its_contract_adds_its_tables(monkeypatch):
    seen = {}

    def build(ctx):
        seen["needs"] = dict(ctx.tables)
        ctx.deny.add("某某")
        return [_table("out")]

    ctx = BuildContext(tables={"in": pd.DataFrame({"a": [1]}), "other": pd.DataFrame()})
    built = _fake_run(monkeypatch, _step("topics.demo", ("in",), ("out",), build), ctx)
    assert list(built) == ["out"] and "out" in ctx.tables
    assert list(seen["needs"]) == ["in"] and ctx.deny == {"某某"}


# ------------------------------------------------------------------ the data manifest


def test_data_manifest_hashes_every_step_module_and_its_imports():
    files = {f.relative_to(PKG).as_posix() for f in data_code()}
    for module in stamps.step_modules(PKG):
        rel = "/".join(module.split(".")[1:]) + ".py"
        assert rel in files, rel
    # imported by step modules only (not by the pipeline): still hashed
    for rel in ("sources/cases/common.py", "topics/models/fit.py", "stats/hotspots.py",
                "sources/census_city/schema.py"):
        assert rel in files, rel
    # never imported by the data build: not hashed (editing them does not rebuild the tables)
    assert "figures.py" not in files and "site/report.py" not in files
