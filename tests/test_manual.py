"""Manual tables: every reviewed copy is pinned in data/raw/manual/SHA256SUMS (the one place),
equals the curated bytes, and a changed, unpinned or malformed input is a clear error."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from analysis.core import paths
from analysis.core.manual import SHA256SUMS, ManualTableError, read_sha256sums, verify_manual
from analysis.core.step import BuildContext

CURATED = paths.ROOT.parent / "shared" / "data" / "curated"
#: The manual folder holds tables, their .md notes and the pin file.
TABLES = sorted(p for p in paths.MANUAL.iterdir()
                if p.is_file() and p.suffix != ".md" and p.name != SHA256SUMS)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_every_manual_table_is_pinned_once_and_matches():
    pins = read_sha256sums(paths.MANUAL / SHA256SUMS)
    assert len(TABLES) >= 4
    assert sorted(pins) == [p.name for p in TABLES]  # no table unpinned, no stale pin
    for table in TABLES:
        assert _sha256(table) == pins[table.name], table.name
        assert verify_manual(table) == table


def test_every_note_carries_its_pinned_hash():
    pins = read_sha256sums(paths.MANUAL / SHA256SUMS)
    for table in TABLES:
        note = table.with_suffix(".md")
        assert note.is_file(), f"{table.name} has no .md review note"
        assert pins[table.name] in note.read_text(encoding="utf-8"), note.name


def test_manual_copies_are_the_curated_bytes():
    if not CURATED.is_dir():
        pytest.skip("no shared curated folder on this machine")
    for table in TABLES:
        curated = CURATED / table.name
        if curated.is_file():
            assert table.read_bytes() == curated.read_bytes(), table.name
    for name in ("left_behind_children_by_province_partial.csv",
                 "published_figures_with_quotes.csv"):
        assert (CURATED / name).read_bytes() == (paths.MANUAL / name).read_bytes()


#: Manual tables written by the project itself (reviews), not copies of a shared file.
PROJECT_AUTHORED = ("claims.csv",)


def test_the_mirrors_sha256sums_agree_with_ours():
    listing = CURATED.parent / "SHA256SUMS"
    if not listing.is_file():
        pytest.skip("no shared SHA256SUMS on this machine")
    theirs = {line.split()[1].removeprefix("curated/"): line.split()[0]
              for line in listing.read_text(encoding="utf-8").splitlines()
              if line.strip() and "curated/" in line}
    ours = read_sha256sums(paths.MANUAL / SHA256SUMS)
    # the project's own reviewed file has no shared counterpart; every other pin does
    assert sorted(set(ours) - set(theirs)) == sorted(PROJECT_AUTHORED)
    for name, digest in ours.items():
        if name not in PROJECT_AUTHORED:
            assert theirs.get(name) == digest, name


def test_no_manual_hash_is_pinned_in_code():
    """SHA256SUMS is the one place: no source file repeats a manual table's hash."""
    pins = set(read_sha256sums(paths.MANUAL / SHA256SUMS).values())
    for source in (paths.ROOT / "src").rglob("*.py"):
        found = set(re.findall(r"[0-9a-f]{64}", source.read_text(encoding="utf-8")))
        assert not found & pins, f"{source.name} pins a manual hash: use SHA256SUMS"


def _copy_manual(tmp_path: Path) -> Path:
    for p in paths.MANUAL.iterdir():
        shutil.copy(p, tmp_path / p.name)
    return tmp_path


@pytest.mark.parametrize("name", [p.name for p in TABLES])
def test_a_changed_manual_table_is_a_clear_error(tmp_path, name):
    folder = _copy_manual(tmp_path)
    target = folder / name
    expected = _sha256(target)
    target.write_bytes(target.read_bytes() + b"\n")  # one byte more
    actual = _sha256(target)
    with pytest.raises(ManualTableError) as exc:
        BuildContext(manual_dir=folder).manual(name)
    msg = str(exc.value)
    assert f"data/raw/manual/{name}" in msg
    assert f"expected {expected}" in msg and f"actual {actual}" in msg
    assert "review the change" in msg and "sha256sum" in msg


def test_an_unpinned_manual_table_is_refused(tmp_path):
    folder = _copy_manual(tmp_path)
    (folder / "new_table.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ManualTableError, match=r"new_table\.csv.*not pinned"):
        BuildContext(manual_dir=folder).manual("new_table.csv")
    (folder / SHA256SUMS).unlink()
    with pytest.raises(ManualTableError, match="pin file is missing"):
        BuildContext(manual_dir=folder).manual(TABLES[0].name)


@pytest.mark.parametrize("line", ["abc  x.csv", f"{'0' * 64} x.csv", f"{'A' * 64}  x.csv",
                                  f"{'0' * 64}  dir/x.csv"])
def test_a_malformed_pin_line_names_its_line(tmp_path, line):
    (tmp_path / SHA256SUMS).write_text(f"{'1' * 64}  ok.csv\n{line}\n", encoding="utf-8")
    with pytest.raises(ManualTableError, match="row 2"):
        read_sha256sums(tmp_path / SHA256SUMS)


def test_a_file_pinned_twice_is_refused(tmp_path):
    (tmp_path / SHA256SUMS).write_text(f"{'1' * 64}  a.csv\n{'2' * 64} *a.csv\n",
                                       encoding="utf-8")
    with pytest.raises(ManualTableError, match="listed twice"):
        read_sha256sums(tmp_path / SHA256SUMS)


def test_sha256sum_binary_marker_and_comments_are_read(tmp_path):
    (tmp_path / SHA256SUMS).write_text(f"# pins\n\n{'1' * 64} *a.csv\n{'2' * 64}  b c.tsv\n",
                                       encoding="utf-8")
    assert read_sha256sums(tmp_path / SHA256SUMS) == {"a.csv": "1" * 64, "b c.tsv": "2" * 64}
