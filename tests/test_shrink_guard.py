"""Cleaning refuses to shrink silently: every raw file states ``min_records`` in the registry and a
file that parses to fewer (truncated, emptied) stops the build naming the file and both counts,
even when its new sha256 was registered (as after an upstream update). Unknown mirror files are
reported on one line."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.core import paths
from analysis.core.errors import AccountError, DataError, FetchError
from analysis.core.fetch import fetch_all, registry, unregistered_files
from analysis.core.step import BuildContext
from analysis.pipeline import run_steps
from analysis.sources.cases import uiuing as cu
from analysis.sources.cases.common import SALT_ENV


def test_every_registry_entry_states_min_records_and_the_real_build_meets_it(processed):
    """Files with min_records > 0 are exactly the raw files the row accounts read, and the real
    build parses at least that many records from each."""
    accounts = pd.concat([pd.read_csv(f) for f in processed.glob("*.rows.csv")])
    reads = accounts[accounts["kind"] == "read"].groupby("source_file")["rows"].max()
    entries = registry()
    for file_id, entry in entries.items():
        if entry.min_records:
            assert reads.get(file_id, 0) >= entry.min_records, file_id
        else:
            assert file_id not in reads.index, f"{file_id} is read: state its min_records"
    assert {f for f in reads.index if f in entries} == {f for f, e in entries.items()
                                                        if e.min_records}


def test_an_entry_without_min_records_is_refused(tmp_path):
    text = paths.SOURCES_TOML.read_text(encoding="utf-8")
    broken = tmp_path / "sources.toml"
    broken.write_text(text.replace("min_records = 630\n", "", 1), encoding="utf-8")
    with pytest.raises(FetchError, match=r"bbhj_juvenilexi_spider/bbhj.sql.*must state min_records"):
        registry(broken)


@pytest.fixture
def uiuing_raw(raw_data, tmp_path, monkeypatch, place_tables):
    """A writable copy of the raw files of step sources.cases.uiuing and of the registry; returns
    a function that damages one file and re-registers its new sha256 (the hash check passes, as
    after an upstream update), then gives the step's build context (holding the table it
    needs, so only the step itself runs)."""
    raw = tmp_path / "raw"
    for file_id in (cu.MISSING_ID, cu.MI_ID, cu.SUCCESS_ID):
        (raw / file_id).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(paths.RAW / file_id, raw / file_id)
    toml = tmp_path / "sources.toml"
    shutil.copyfile(paths.SOURCES_TOML, toml)
    monkeypatch.setattr(paths, "SOURCES_TOML", toml)
    monkeypatch.setenv(SALT_ENV, "test-salt")

    def damage(file_id: str, content: bytes) -> BuildContext:
        target = raw / file_id
        old = hashlib.sha256(target.read_bytes()).hexdigest()
        target.write_bytes(content)
        new = hashlib.sha256(content).hexdigest()
        toml.write_text(toml.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
        ctx = BuildContext(raw_dir=raw, tables=dict(place_tables))
        ctx.raw(file_id)  # the new hash is registered: the sha256 check passes
        return ctx

    return damage


def _records_in(text: str) -> int:
    """Independent count of the whole records in a JSON-lines-like array (one per line)."""
    n = 0
    for line in text.splitlines():
        try:
            json.loads(line.strip().lstrip("[").rstrip(",").rstrip("]"))
        except json.JSONDecodeError:
            continue
        n += 1
    return n


@pytest.mark.parametrize("file_id", [cu.MISSING_ID, cu.MI_ID])
def test_truncated_case_file_stops_the_build_naming_file_and_counts(uiuing_raw, file_id):
    data = (paths.RAW / file_id).read_bytes()
    half = data[: len(data) // 2]
    ctx = uiuing_raw(file_id, half)
    least = registry()[file_id].min_records
    with pytest.raises(DataError) as err:
        run_steps(["sources.cases.uiuing"], ctx, log=lambda s: None)
    msg = str(err.value)
    parsed = _records_in(half.decode("utf-8", errors="ignore"))
    assert 0 < parsed < least
    assert msg.startswith(f"file {file_id}: parsed {parsed:,} record(s), fewer than the "
                          f"{least:,} its registry entry expects")
    assert "min_records" in msg and "\n" not in msg


@pytest.mark.parametrize("file_id", [cu.MISSING_ID, cu.MI_ID])
def test_empty_case_file_is_an_error_in_the_build_and_in_a_direct_call(uiuing_raw, file_id):
    ctx = uiuing_raw(file_id, b"")
    with pytest.raises(AccountError, match=rf"{re.escape(file_id)}: read 0 rows"):
        run_steps(["sources.cases.uiuing"], ctx, log=lambda s: None)
    with pytest.raises(AccountError, match=rf"{re.escape(file_id)}: read 0 rows"):
        cu.build(ctx)  # called directly: no 0-row table either


def test_file_cut_inside_its_first_record_is_an_error_in_a_direct_call(tmp_path, raw_data,
                                                                        monkeypatch, places):
    """A file cut before its first record ends is one unparsable "record": nothing parsed, so
    even a direct call of the cleaning function refuses it (no silently shrunken table)."""
    monkeypatch.setenv(SALT_ENV, "test-salt")
    first = (paths.RAW / cu.MI_ID).read_text(encoding="utf-8").splitlines()[0]
    mi = tmp_path / "mi.json"
    mi.write_text(first[: len(first) // 2], encoding="utf-8")
    with pytest.raises(AccountError, match=r"mi\.json: none of its 1 row\(s\) could be parsed"):
        cu.clean_missing(paths.RAW / cu.MISSING_ID, mi, places)


def test_case_file_cut_inside_a_character_is_a_clear_error(tmp_path):
    path = tmp_path / "Missing.json"
    head = b'[{"name": "'
    path.write_bytes(head + "张".encode()[:-1])  # the last character lost its last byte
    with pytest.raises(DataError, match=rf"Missing\.json: not UTF-8 at byte {len(head)} of "
                                        rf"{len(head) + 2}"):
        cu.read_text(path)


# ------------------------------------------------------------------ unknown mirror files


def test_unknown_mirror_files_are_reported_on_one_line(tmp_path, raw_data, capsys):
    file_id = "nbs_migration_od/2005.json"
    mirror = tmp_path / "mirror"
    (mirror / file_id).parent.mkdir(parents=True)
    shutil.copyfile(paths.RAW / file_id, mirror / file_id)
    for extra in ("nbs_migration_od/2025.json", "new_source/table.csv", ".DS_Store"):
        (mirror / extra).parent.mkdir(parents=True, exist_ok=True)
        (mirror / extra).write_text("x")
    out = fetch_all(tmp_path / "raw", mirror=mirror, ids=[file_id], verbose=False)
    assert list(out) == [file_id]
    lines = capsys.readouterr().out.splitlines()
    assert lines == [f"[fetch] 2 file(s) in the mirror {mirror} are not registered in "
                     "data/sources.toml (not fetched): nbs_migration_od/2025.json, "
                     "new_source/table.csv"]
    (mirror / "nbs_migration_od" / "2025.json").unlink()
    shutil.rmtree(mirror / "new_source")
    fetch_all(tmp_path / "raw2", mirror=mirror, ids=[file_id], verbose=False)
    assert capsys.readouterr().out == ""


def test_the_real_mirror_lists_only_files_that_really_are_unregistered(mirror):
    entries = registry()
    unknown = unregistered_files(mirror, entries)
    assert all((Path(mirror) / f).is_file() for f in unknown)
    assert not {f for f in unknown} & {e.path for e in entries.values()}
    listed = {p.relative_to(mirror).as_posix() for p in Path(mirror).rglob("*") if p.is_file()}
    assert listed - set(unknown) <= {e.path for e in entries.values()}
