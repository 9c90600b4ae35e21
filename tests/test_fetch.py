"""Registry and hash-checked fetch: mirror copies, tampered files, missing files, clear errors."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.core.errors import FetchError
from analysis.core.fetch import RawFile, fetch_all, fetch_file, raw_path, registry, sha256_of

SHARED_SUMS = paths.ROOT / ".." / "shared" / "data" / "SHA256SUMS"


def test_registry_is_complete_and_pinned():
    reg = registry()
    assert len(reg) == 31  # 27 + the four census_county_2010_2020 files
    for fid, e in reg.items():
        assert fid == e.path
        assert e.url.startswith("https://raw.githubusercontent.com/")
        commit = e.url.split("/")[5]
        assert len(commit) == 40 and all(c in "0123456789abcdef" for c in commit), e.url
        assert len(e.sha256) == 64
        for field in ("publisher", "original_table", "licence", "citation", "caveats"):
            assert getattr(e, field).strip(), f"{fid}: empty {field}"


def test_registry_hashes_match_the_mirror_checksums():
    if not SHARED_SUMS.exists():
        pytest.skip("no shared SHA256SUMS")
    sums = dict(reversed(line.split()) for line in SHARED_SUMS.read_text().splitlines())
    for fid, e in registry().items():
        assert sums[f"raw/{fid}"] == e.sha256


def test_every_raw_file_verifies(raw_data):
    for fid, e in registry().items():
        assert sha256_of(raw_path(fid)) == e.sha256


def _entry(tmp_path: Path, content: bytes, name: str = "src/file.csv") -> tuple[RawFile, Path]:
    mirror = tmp_path / "mirror"
    (mirror / name).parent.mkdir(parents=True)
    (mirror / name).write_bytes(content)
    entry = RawFile(id=name, source="src", path=name, url="https://example.invalid/file.csv",
                    sha256=hashlib.sha256(content).hexdigest(), publisher="p", original_table="t",
                    licence="l", citation="c", caveats="")
    return entry, mirror


def test_mirror_copy_is_verified_and_read_only(tmp_path):
    entry, mirror = _entry(tmp_path, b"a,b\n1,2\n")
    out = fetch_file(entry, tmp_path / "raw", mirror=mirror)
    assert out.read_bytes() == b"a,b\n1,2\n"
    assert not out.stat().st_mode & 0o222, "fetched raw files must be read-only"


def test_tampered_mirror_file_fails_and_writes_nothing(tmp_path):
    entry, mirror = _entry(tmp_path, b"a,b\n1,2\n")
    (mirror / entry.path).write_bytes(b"a,b\n1,3\n")  # one byte changed
    with pytest.raises(FetchError) as err:
        fetch_file(entry, tmp_path / "raw", mirror=mirror)
    msg = str(err.value)
    assert entry.id in msg and entry.sha256 in msg
    assert hashlib.sha256(b"a,b\n1,3\n").hexdigest() in msg
    assert "\n" not in msg
    assert not (tmp_path / "raw" / entry.path).exists()


def test_tampered_file_on_disk_is_reported_and_kept(tmp_path):
    entry, mirror = _entry(tmp_path, b"good")
    raw = tmp_path / "raw"
    target = fetch_file(entry, raw, mirror=mirror)
    target.chmod(0o644)
    target.write_bytes(b"bad!")
    with pytest.raises(FetchError, match="sha256 mismatch"):
        fetch_file(entry, raw, mirror=mirror)
    assert target.read_bytes() == b"bad!", "the evidence is not overwritten silently"


def test_good_file_is_not_replaced_by_a_bad_mirror(tmp_path):
    entry, mirror = _entry(tmp_path, b"good")
    raw = tmp_path / "raw"
    target = fetch_file(entry, raw, mirror=mirror)
    (mirror / entry.path).write_bytes(b"evil")
    assert fetch_file(entry, raw, mirror=mirror) == target
    assert target.read_bytes() == b"good"


def test_missing_from_mirror_names_the_file(tmp_path):
    entry, mirror = _entry(tmp_path, b"x")
    (mirror / entry.path).unlink()
    with pytest.raises(FetchError, match=r"src/file.csv: not in the mirror"):
        fetch_file(entry, tmp_path / "raw", mirror=mirror)


def test_unreachable_url_is_a_clear_error(tmp_path):
    entry, _ = _entry(tmp_path, b"x")
    with pytest.raises(FetchError, match=r"could not fetch from https://example\.invalid"):
        fetch_file(entry, tmp_path / "raw", mirror=None)


def test_raw_path_refuses_an_unregistered_id():
    with pytest.raises(FetchError, match="not registered"):
        raw_path("nope/nothing.csv")


def test_fetch_all_from_the_real_mirror_into_a_fresh_folder(tmp_path, mirror):
    ids = ["nbs_census2010_hukou_elsewhere/population.txt", "nbs_migration_od/2005.json"]
    out = fetch_all(tmp_path, mirror=mirror, ids=ids, verbose=False)
    assert sorted(out) == sorted(ids)
    for fid in ids:
        assert sha256_of(out[fid]) == registry()[fid].sha256


def test_cli_data_fails_on_tampered_raw_file_and_keeps_good_output(tmp_path, mirror, processed):
    """A one-byte change to a raw file makes `python -m analysis data` fail with the sha256
    message, and data/processed/ keeps its earlier good output."""
    root = tmp_path / "repo"
    shutil.copytree(paths.ROOT / "src", root / "src")
    (root / "data").mkdir()
    shutil.copy(paths.SOURCES_TOML, root / "data" / "sources.toml")
    shutil.copytree(paths.MANUAL, root / "data" / "raw" / "manual")
    shutil.copytree(processed, root / "data" / "processed")
    before = {p.name: p.read_bytes() for p in (root / "data" / "processed").iterdir()}
    env = {"LOSTGEN_ROOT": str(root), "LOSTGEN_DATA_MIRROR": str(mirror),
           "PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"}
    ok = subprocess.run([sys.executable, "-m", "analysis", "fetch"], env=env, cwd=root,
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr
    victim = root / "data" / "raw" / "nbs_census2010_hukou_elsewhere" / "population.txt"
    victim.chmod(0o644)
    data = bytearray(victim.read_bytes())
    data[100] = (data[100] + 1) % 256
    victim.write_bytes(bytes(data))
    res = subprocess.run([sys.executable, "-m", "analysis", "data", "--force"], env=env,
                         cwd=root, capture_output=True, text=True)
    assert res.returncode == 1
    assert "sha256 mismatch" in res.stderr and "nbs_census2010_hukou_elsewhere" in res.stderr
    assert registry()["nbs_census2010_hukou_elsewhere/population.txt"].sha256 in res.stderr
    after = {p.name: p.read_bytes() for p in (root / "data" / "processed").iterdir()}
    assert after == before
