"""Build every table (``build_all``): run the steps, validate, protect, write.

Each step module (``analysis.sources.<source>.clean`` and friends, ``analysis.topics.<topic>.build``)
exposes ``build(ctx: BuildContext) -> list[CleanTable]``. :func:`build_all` runs the steps in
:data:`STEPS` order (later steps may use tables of earlier ones through ``ctx.tables``), validates
every table against its pandera schema (``analysis.schemas``), checks that every row account
balances, applies the disclosure rule and the linkage gate to the published tables, and only then
writes anything: ``data/processed/<table>.csv`` (UTF-8, ``\\n`` line ends; GeoDataFrames as
``.geojson``), the row account ``<table>.rows.csv``, the internal tables in ``data/interim/`` and
the generated data dictionaries. A failure anywhere leaves the earlier good output untouched.
"""

from __future__ import annotations

import contextlib
import copy
import importlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pandera.errors

from analysis.core import paths, stamps
from analysis.core.errors import DataError
from analysis.core.fetch import registry
from analysis.core.step import BuildContext, CleanTable, is_geo
from analysis.tables import interim_beside, write_table

#: Steps, in build order (a step may read the tables of the steps before it): step name → module.
STEP_MODULES: dict[str, str] = {
    "population": "analysis.sources.population.clean",
    "census_hukou": "analysis.sources.census_hukou.clean",
    "migration_od": "analysis.sources.migration_od.clean",
    "census_city": "analysis.sources.census_city.clean",
    "left_behind": "analysis.sources.left_behind.clean",
    "boundaries": "analysis.sources.boundaries.clean",
    "cases_uiuing": "analysis.sources.cases.uiuing",
    "cases_wtt1002": "analysis.sources.cases.wtt1002",
    "cases_juvenilexi": "analysis.sources.cases.juvenilexi",
    "derive.cases": "analysis.topics.cases.build",
    "derive.hotspots": "analysis.topics.hotspots.build",
    "derive.models": "analysis.topics.models.build",
    "derive.factcheck": "analysis.topics.factcheck.build",
}
STEPS: list[str] = list(STEP_MODULES)


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
    """Run cleaning steps in memory and validate their tables; writes nothing.

    After each step every raw file it read must have given at least its registered
    ``min_records`` (:func:`check_min_records`); a full run also requires every file with
    ``min_records > 0`` to appear in some row account.
    """
    ctx = ctx or BuildContext()
    built: dict[str, CleanTable] = {}
    seen: set[str] = set()
    for step in steps or STEPS:
        t0 = time.perf_counter()
        module = importlib.import_module(STEP_MODULES[step])
        tables = list(module.build(ctx))
        for table in tables:
            validate(table)
        seen |= check_min_records(tables, step)
        for table in tables:
            built[table.name] = table
            ctx.tables[table.name] = table.frame
            log(f"[data] {table.account.summary()} ({len(table.frame)} rows)")
        log(f"[data] step {step} done in {time.perf_counter() - t0:.1f} s")
    if steps is None or list(steps) == STEPS:
        unread = sorted(f for f, e in registry().items() if e.min_records > 0 and f not in seen)
        if unread:
            raise DataError(unread[0], f"registered with min_records > 0 but no step accounted "
                            f"for its rows ({len(unread)} such file(s): {', '.join(unread)}); "
                            "record it in a row account or set min_records = 0")
    return built


def check_privacy(built: dict[str, CleanTable]) -> None:
    """Refuse to write any table or row account that may hold personal data (names, posting
    ids, handles, phone numbers of the raw case files, or a denied column name)."""
    from analysis.privacy.policy import assert_publishable, raw_personal_strings
    from analysis.sources.cases.common import CATEGORIES, CATEGORY_BASES, SEXES, SIDES, SOURCES

    strings = raw_personal_strings()
    vocabulary = {*SIDES, *CATEGORIES, *CATEGORY_BASES, *SEXES, *SOURCES}
    from analysis.schemas import quantity_columns

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

    records = [t.frame for n, t in built.items() if is_internal(n)]
    if not records:
        return
    postings = posting_attributes(pd.concat(records, ignore_index=True))
    for name, table in published.items():
        frame = table.frame.drop(columns="geometry") if is_geo(table.frame) else table.frame
        result = linkage_attack(name, pd.DataFrame(frame), postings)
        if result.violates:
            raise PrivacyError(f"table {name}: {result.rows_linked} row(s) crossing "
                               f"{result.attributes} attributes ({', '.join(result.shared)}) "
                               "match exactly one posting; it must not be published")


def _write_atomically(published: list[CleanTable], internal: list[CleanTable],
                      out_dir: Path, interim_dir: Path) -> None:
    """Write published tables and every row account into ``out_dir`` and the rows of internal
    tables into ``interim_dir``, each folder with its data dictionary. Everything goes to
    temporary folders first and is moved into place only when all writing succeeded; files of
    an earlier build that this build did not write (a table removed, or moved to the internal
    folder) are then deleted, so no stale per-posting table stays in a published folder."""
    from analysis.datadict import data_dictionary

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
    ``data/processed``), internal per-posting tables into ``interim_dir`` (default
    ``data/interim``, or ``interim`` beside ``out_dir``). Returns the tables as built (before
    disclosure control), by name. Temporary folders are ``data/.processed-<pid>-*`` and
    ``data/.interim-<pid>-*``: removed on failure (and on SIGTERM); one left by a killed run is
    removed by the next.
    """
    from analysis.schemas import is_internal

    out_dir = out_dir or paths.PROCESSED
    interim_dir = interim_dir or interim_beside(out_dir)
    for folder in (out_dir, interim_dir):  # left by a killed earlier build
        stamps.remove_stale_temp_dirs(folder.parent, folder.name)
    built = run_steps(steps, ctx, log=log)
    check_privacy(built)
    published = published_form(built)
    check_linkage(built, published)
    internal = [t for n, t in built.items() if is_internal(n)]
    _write_atomically(list(published.values()), internal, out_dir, interim_dir)
    for name, table in published.items():
        cells = sum(v for (f, _), v in table.account.notes.items() if f == "disclosure")
        if cells:
            log(f"[data] {name}: {cells} cell(s) suppressed by the disclosure rule")
    log(f"[data] wrote {len(published)} published tables to {out_dir} and {len(internal)} "
        f"internal per-posting tables to {interim_dir}")
    return built


