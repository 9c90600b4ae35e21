"""Build every table (``build_all``): find the steps, order them, run, validate, protect, write.

A **step** is a module under :mod:`analysis.sources` or :mod:`analysis.topics` that defines
``build(ctx: BuildContext) -> list[CleanTable]``, ``NEEDS`` (the tables it reads from
``ctx.tables``) and ``PROVIDES`` (the tables it builds). :func:`discover` finds them from the
source (:func:`analysis.core.stamps.step_modules`: a top-level ``build`` and ``PROVIDES``); a
step's name is its module path under ``analysis`` without a final ``.clean`` / ``.build``
(``sources.population``, ``sources.cases.uiuing``, ``topics.models``). :func:`order_steps` orders
them topologically from the declarations (a table nobody provides, two providers of one table or
a cycle is a :class:`StepContractError` naming the tables). While a step runs it sees the tables
built before it only through a read-only :class:`~analysis.core.step.TableView` restricted to its
``NEEDS``, and it must return exactly its ``PROVIDES``.

:func:`build_all` runs the steps, validates every table against its pandera schema
(``analysis.schemas``), checks that every row account balances, checks every table against the
personal strings the case steps gathered (``ctx.deny``), applies the disclosure rule and the
linkage gate to the published tables, and only then writes anything:
``data/processed/<table>.csv`` (UTF-8, ``\\n`` line ends; GeoDataFrames as ``.geojson``), the
row account ``<table>.rows.csv``, the internal tables in ``data/interim/``, the generated data
dictionaries and the deny-set ``data/interim/.deny.json`` (:mod:`analysis.privacy.denyset`). A
failure anywhere leaves the earlier good output untouched.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import graphlib
import importlib
import itertools
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

import pandas as pd
import pandera.errors

from analysis.core import paths, stamps
from analysis.core.errors import DataError
from analysis.core.fetch import registry
from analysis.core.step import BuildContext, CleanTable, StepContractError, TableView, is_geo
from analysis.tables import interim_beside, write_table

#: The package whose ``sources`` and ``topics`` hold the step modules.
PACKAGE_DIR = Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class Step:
    """A step module as the pipeline sees it: its name, module, declarations and ``build``."""

    name: str
    module: str
    needs: tuple[str, ...]
    provides: tuple[str, ...]
    build: Callable[..., list[CleanTable]]


def step_name(module: str) -> str:
    """``analysis.sources.population.clean`` → ``sources.population``;
    ``analysis.sources.cases.uiuing`` → ``sources.cases.uiuing``;
    ``analysis.topics.models.build`` → ``topics.models``."""
    rel = module.removeprefix("analysis.")
    room, _, last = rel.rpartition(".")
    return room if last in ("clean", "build") else rel


def _names(value: object, module: str, attr: str) -> tuple[str, ...]:
    if isinstance(value, str) or not all(isinstance(v, str) for v in value):
        raise StepContractError(f"{module}.{attr} must be a tuple of table names, not {value!r}")
    return tuple(value)


@cache
def discover() -> dict[str, Step]:
    """Every step of the package, by name (imports the step modules)."""
    steps = {}
    for module_name in stamps.step_modules(PACKAGE_DIR):
        module = importlib.import_module(module_name)
        needs = _names(getattr(module, "NEEDS", ()), module_name, "NEEDS")
        provides = _names(module.PROVIDES, module_name, "PROVIDES")
        steps[step_name(module_name)] = Step(step_name(module_name), module_name, needs,
                                             provides, module.build)
    return steps


def providers(steps: Mapping[str, Step]) -> dict[str, str]:
    """``{table: step providing it}``; two steps providing one table is an error."""
    out: dict[str, str] = {}
    for step in steps.values():
        for table in step.provides:
            if table in out:
                raise StepContractError(f"table {table!r} is provided by two steps: {out[table]} "
                                        f"and {step.name}")
            out[table] = step.name
    return out


def order_steps(steps: Mapping[str, Step], available: Iterable[str] = ()) -> list[str]:
    """Step names in an order where every step runs after the providers of its ``NEEDS``.

    Ties are broken alphabetically, level by level, so the order is deterministic. Tables in
    ``available`` (already built) need no provider among ``steps``.

    Raises
    ------
    StepContractError
        a step needs a table that no step provides (and that is not available), two steps
        provide one table, or the needs form a cycle (the message names its steps and tables).
    """
    made_by = providers(steps)
    available = set(available)
    graph: dict[str, set[str]] = {}
    for step in steps.values():
        deps = set()
        for table in step.needs:
            if table in made_by:
                deps.add(made_by[table])
            elif table not in available:
                raise StepContractError(f"step {step.name} needs table {table!r}, which no step "
                                        "provides (add it to the PROVIDES of the step module "
                                        "that builds it)")
        graph[step.name] = deps
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]  # [a, b, …, a]: each step provides a table the next one needs
        links = []
        for a, b in itertools.pairwise(cycle):
            tables = sorted(set(steps[b].needs) & set(steps[a].provides))
            links.append(f"{b} needs {', '.join(map(repr, tables))} from {a}")
        raise StepContractError("the steps' NEEDS form a cycle: " + "; ".join(links)) from None
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return order


def plan(names: Iterable[str] | None, steps: Mapping[str, Step],
         available: Iterable[str] = ()) -> list[Step]:
    """The steps to run for ``names`` (all steps for ``None``), in order: the named steps plus,
    transitively, the providers of every table they need that is not ``available`` yet."""
    available = set(available)
    if names is None:
        chosen = set(steps)
    else:
        names = list(names)
        unknown = [n for n in names if n not in steps]
        if unknown:
            raise StepContractError(f"unknown step(s) {unknown}; steps: {', '.join(sorted(steps))}")
        made_by = providers(steps)
        chosen, todo = set(), list(names)
        while todo:
            name = todo.pop()
            if name in chosen:
                continue
            chosen.add(name)
            todo += [made_by[t] for t in steps[name].needs
                     if t not in available and t in made_by]
    return [steps[n] for n in order_steps({n: steps[n] for n in chosen}, available)]


def validate(table: CleanTable, *, published: bool = False) -> pd.DataFrame:
    """Validate a table against its schema (all failures reported at once) and its account;
    ``published=True`` uses the schema of its published form (after disclosure control)."""
    from analysis.schemas import published_schema_for, schema_for

    schema = published_schema_for(table.name) if published else schema_for(table.name)
    frame = table.frame
    data = pd.DataFrame(frame.drop(columns="geometry")) if is_geo(frame) else frame
    try:
        schema.validate(data, lazy=True)
    except pandera.errors.SchemaErrors as exc:
        cases = exc.failure_cases.head(10).to_string()
        raise DataError(f"data/processed/{table.name}",
                        f"table fails its schema ({len(exc.failure_cases)} failure(s)):\n{cases}"
                        ) from None
    table.account.check()
    return frame


def check_min_records(tables: list[CleanTable], step: str) -> set[str]:
    """Refuse a raw file that parsed to fewer records than its registry entry's ``min_records``.

    For every registered raw file in the tables' row accounts, the records parsed
    (:meth:`RowAccount.parsed`; the largest count when several tables read the file) are compared
    with ``min_records`` of ``data/sources.toml``. Returns the registry ids seen.

    Raises
    ------
    DataError
        naming the file, the records parsed, the registered minimum and the row account.
    """
    entries = registry()
    seen: set[str] = set()
    for table in tables:
        for file_id in table.account.read:
            if file_id not in entries:
                continue  # an upstream table or a manual file, not a raw download
            seen.add(file_id)
            parsed = max(t.account.parsed(file_id) for t in tables if file_id in t.account.read)
            least = entries[file_id].min_records
            if parsed < least:
                acc = table.account
                raise DataError(file_id, (
                    f"parsed {parsed:,} record(s), fewer than the {least:,} its registry entry "
                    f"expects (min_records in data/sources.toml); step {step}, table "
                    f"{table.name}: read {acc.read[file_id]:,}, of which {acc.unparsable(file_id):,} "
                    "unparsable. The file is truncated or damaged: fetch it again (delete it and "
                    "run `make data`); if upstream really published a smaller file, lower "
                    "min_records after checking it."))
    return seen


def run_steps(steps: list[str] | None = None, ctx: BuildContext | None = None,
              *, log: Callable[[str], None] = print) -> dict[str, CleanTable]:
    """Run steps in memory and validate their tables; writes nothing.

    ``steps``: step names (see :func:`step_name`), default all; the providers of any table they
    need that ``ctx.tables`` does not hold yet are run too, first (:func:`plan`). Each step sees
    ``ctx.tables`` through a read-only :class:`TableView` of its ``NEEDS`` and must return
    exactly its ``PROVIDES`` (else :class:`StepContractError`); its tables are then added to
    ``ctx.tables`` and the personal strings it gathered are in ``ctx.deny``.

    After each step every raw file it read must have given at least its registered
    ``min_records`` (:func:`check_min_records`); a full run also requires every file with
    ``min_records > 0`` to appear in some row account.
    """
    ctx = ctx or BuildContext()
    every = discover()
    order_steps(every, ctx.tables)  # the whole graph is checked (missing provider, cycle)
    todo = plan(steps, every, ctx.tables)
    built: dict[str, CleanTable] = {}
    seen: set[str] = set()
    for step in todo:
        t0 = time.perf_counter()
        view = dataclasses.replace(ctx, tables=TableView(ctx.tables, step.needs, step.name))
        tables = list(step.build(view))
        names = [t.name for t in tables]
        if sorted(names) != sorted(step.provides):
            raise StepContractError(
                f"step {step.name} built {sorted(names)} but declares PROVIDES "
                f"{sorted(step.provides)}: a step builds exactly the tables it declares")
        for table in tables:
            validate(table)
        seen |= check_min_records(tables, step.name)
        for table in tables:
            built[table.name] = table
            ctx.tables[table.name] = table.frame
            log(f"[data] {table.account.summary()} ({len(table.frame)} rows)")
        log(f"[data] step {step.name} done in {time.perf_counter() - t0:.1f} s")
    if {s.name for s in todo} == set(every):
        unread = sorted(f for f, e in registry().items() if e.min_records > 0 and f not in seen)
        if unread:
            raise DataError(unread[0], f"registered with min_records > 0 but no step accounted "
                            f"for its rows ({len(unread)} such file(s): {', '.join(unread)}); "
                            "record it in a row account or set min_records = 0")
    return built


def check_privacy(built: dict[str, CleanTable], deny: Iterable[str]) -> None:
    """Refuse to write any table or row account that may hold personal data: a denied column
    name, or a cell holding one of the personal strings ``deny`` the case steps gathered
    (``ctx.deny``: names, posting ids, handles, phone numbers of the case files)."""
    from analysis.privacy.policy import assert_publishable
    from analysis.schemas import quantity_columns
    from analysis.vocab.cases import CATEGORIES, CATEGORY_BASES, SEXES, SIDES, SOURCES

    strings = frozenset(deny)
    vocabulary = {*SIDES, *CATEGORIES, *CATEGORY_BASES, *SEXES, *SOURCES}
    for table in built.values():
        frame = table.frame.drop(columns="geometry") if is_geo(table.frame) else table.frame
        assert_publishable(pd.DataFrame(frame), where=f"table {table.name}",
                           personal_strings=strings, vocabulary=vocabulary,
                           quantity_columns=quantity_columns(table.name))
        assert_publishable(table.account.to_frame(), where=f"row account of {table.name}",
                           personal_strings=strings, vocabulary=vocabulary)


def published_form(built: dict[str, CleanTable]) -> dict[str, CleanTable]:
    """The published tables of a build with the disclosure rule applied.

    Per-posting (internal) tables are left out. Every other table goes through
    :func:`analysis.privacy.disclosure.protect`; suppressed cells are counted as notes of its row account
    (``disclosure``) and the protected table is validated against its published schema.
    """
    from analysis.privacy.disclosure import THRESHOLD, protect
    from analysis.schemas import is_internal

    out: dict[str, CleanTable] = {}
    for name, table in built.items():
        if is_internal(name):
            continue
        frame, done = protect(table.frame)
        account = table.account
        if done.total:
            account = copy.deepcopy(table.account)
            account.note("disclosure", f"cells suppressed: fewer than {THRESHOLD} postings "
                         "crossing two or more attributes", done.primary)
            account.note("disclosure", "cells suppressed so that a suppressed cell cannot be "
                         "recovered from a total", done.secondary)
        published = CleanTable(name, frame, account)
        validate(published, published=True)
        out[name] = published
    return out


def check_linkage(built: dict[str, CleanTable], published: dict[str, CleanTable]) -> None:
    """Refuse to publish a table any row of which, crossing two or more attributes, matches
    exactly one posting (:func:`analysis.privacy.disclosure.linkage_attack`)."""
    from analysis.privacy.disclosure import linkage_attack, posting_attributes
    from analysis.privacy.policy import PrivacyError
    from analysis.schemas import is_internal
    from analysis.topics.cases.build import age_group_of, period_of

    records = [t.frame for n, t in built.items() if is_internal(n)]
    if not records:
        return
    postings = posting_attributes(pd.concat(records, ignore_index=True), period_of=period_of,
                                  age_group_of=age_group_of)
    for name, table in published.items():
        frame = table.frame.drop(columns="geometry") if is_geo(table.frame) else table.frame
        result = linkage_attack(name, pd.DataFrame(frame), postings)
        if result.violates:
            raise PrivacyError(f"table {name}: {result.rows_linked} row(s) crossing "
                               f"{result.attributes} attributes ({', '.join(result.shared)}) "
                               "match exactly one posting; it must not be published")


def _write_atomically(published: list[CleanTable], internal: list[CleanTable],
                      out_dir: Path, interim_dir: Path, deny: Iterable[str] = ()) -> None:
    """Write published tables and every row account into ``out_dir`` and the rows of internal
    tables into ``interim_dir``, each folder with its data dictionary, and the deny-set into
    ``interim_dir/.deny.json``. Everything goes to temporary folders first and is moved into
    place only when all writing succeeded; files of an earlier build that this build did not
    write (a table removed, or moved to the internal folder) are then deleted, so no stale
    per-posting table stays in a published folder."""
    from analysis.datadict import data_dictionary
    from analysis.privacy.denyset import DENY_FILE_NAME, write_deny

    staged: list[tuple[Path, Path]] = []
    with contextlib.ExitStack() as stack:
        def stage_dir(folder: Path) -> Path:
            # removed on any failure (and on SIGTERM, see analysis.__main__); a SIGKILL leaves
            # it for the next run to remove (the folder name carries this process's pid)
            folder.mkdir(parents=True, exist_ok=True)
            return Path(stack.enter_context(tempfile.TemporaryDirectory(
                dir=folder.parent, prefix=stamps.temp_dir_prefix(folder.name))))

        for folder, tables, kind in ((out_dir, published, "published"),
                                     (interim_dir, internal, "internal")):
            tmp = stage_dir(folder)
            for table in tables:
                files = write_table(table, tmp, account=kind == "published")
                staged += [(f, folder / f.name) for f in files]
            if kind == "internal":  # their row accounts (counts and reasons) are published
                for table in tables:
                    staged += [(f, out_dir / f.name)
                               for f in write_table(table, tmp, data=False)]
            readme = tmp / "README.md"
            readme.write_text(data_dictionary(tables, kind=kind,
                                              internal=internal if kind == "published" else ()),
                              encoding="utf-8")
            staged.append((readme, folder / "README.md"))
            if kind == "internal":  # the deny-set: internal only, never in a published folder
                staged.append((write_deny(deny, tmp / DENY_FILE_NAME), folder / DENY_FILE_NAME))
        for src, dst in staged:
            os.replace(src, dst)
    written = {dst for _, dst in staged}
    for folder in (out_dir, interim_dir):  # a table no longer built (or moved) must not linger
        for f in folder.iterdir():
            if f.is_file() and not f.name.startswith(".") and f not in written:
                f.unlink()


def build_all(steps: list[str] | None = None, *, out_dir: Path | None = None,
              interim_dir: Path | None = None, ctx: BuildContext | None = None,
              log: Callable[[str], None] = print) -> dict[str, CleanTable]:
    """Build, validate and write every table plus the data dictionaries.

    Everything is built and validated in memory first; the published tables pass the
    disclosure rule (:func:`published_form`) and the linkage gate (:func:`check_linkage`); then
    files are written to temporary folders and moved into place only when every step
    succeeded: published tables and every row account into ``out_dir`` (default
    ``data/processed``), internal per-posting tables and the deny-set (``.deny.json``) into
    ``interim_dir`` (default ``data/interim``, or ``interim`` beside ``out_dir``). The privacy
    check uses ``ctx.deny``, the personal strings the case steps gathered during this run.
    Returns the tables as built (before
    disclosure control), by name. Temporary folders are ``data/.processed-<pid>-*`` and
    ``data/.interim-<pid>-*``: removed on failure (and on SIGTERM); one left by a killed run is
    removed by the next.
    """
    from analysis.schemas import is_internal

    out_dir = out_dir or paths.PROCESSED
    interim_dir = interim_dir or interim_beside(out_dir)
    for folder in (out_dir, interim_dir):  # left by a killed earlier build
        stamps.remove_stale_temp_dirs(folder.parent, folder.name)
    ctx = ctx or BuildContext()
    built = run_steps(steps, ctx, log=log)
    check_privacy(built, ctx.deny)
    published = published_form(built)
    check_linkage(built, published)
    internal = [t for n, t in built.items() if is_internal(n)]
    _write_atomically(list(published.values()), internal, out_dir, interim_dir, ctx.deny)
    for name, table in published.items():
        cells = sum(v for (f, _), v in table.account.notes.items() if f == "disclosure")
        if cells:
            log(f"[data] {name}: {cells} cell(s) suppressed by the disclosure rule")
    log(f"[data] wrote {len(published)} published tables to {out_dir} and {len(internal)} "
        f"internal per-posting tables to {interim_dir}")
    return built


