"""Fetch raw files from their pinned upstream URLs (pooch, sha256-checked) into ``data/raw/``.

Registry: ``data/sources.toml`` (one ``[[file]]`` per raw file: id, url, sha256, publisher,
licence, citation, caveats). Each file lands at ``data/raw/<path>``, the same relative path as in
the offline mirror.

Offline mirror: when ``$LOSTGEN_DATA_MIRROR`` names a folder laid out like ``data/raw`` (CI and
tests use ``../shared/data/raw``), files are copied from it instead of downloaded. Mirrored files are
hash-checked exactly like downloads.

Guarantees
----------
* pooch writes to a temporary file and moves it into place only after the sha256 matched, so a
  good file on disk is never replaced by a bad one;
* a raw file already on disk is verified, never re-downloaded over: if it does not match its
  registered sha256 the fetch stops with :class:`~analysis.core.errors.FetchError` (one line: the id,
  expected and actual sha256 and what to do) and the file is left as evidence;
* fetched files are made read-only (raw files are never modified after download).
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pooch

from analysis.core import paths
from analysis.core.errors import FetchError

# pooch logs "Downloading data from <url>" even when our downloader copies from the mirror;
# progress lines are printed by fetch_all instead.
pooch.get_logger().setLevel("WARNING")


@dataclass(frozen=True)
class RawFile:
    """One registry entry of ``data/sources.toml``."""

    id: str
    source: str
    path: str
    url: str
    sha256: str
    publisher: str
    original_table: str
    licence: str
    citation: str
    caveats: str
    #: Least number of records the build must parse from the file (rows read minus rows dropped
    #: as unparsable, per the row accounts); fewer fails the build (``analysis.tables``).
    #: 0: no cleaning step reads the file (documentation, or another copy of a table).
    min_records: int = 0


def registry(sources_toml: Path | None = None) -> dict[str, RawFile]:
    """All registered raw files, keyed by id (= path relative to ``data/raw``).

    Every entry must state ``min_records`` (an integer >= 0).
    """
    with open(sources_toml or paths.SOURCES_TOML, "rb") as fh:
        entries = tomllib.load(fh)["file"]
    files = {}
    for e in entries:
        n = e.get("min_records")
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise FetchError(f"sources.toml: entry {e.get('id')!r} must state min_records, the "
                             "least number of records the build must parse from the file "
                             f"(an integer >= 0; 0 if no cleaning step reads it), got {n!r}")
        f = RawFile(**e)
        if f.id in files:
            raise FetchError(f"sources.toml: duplicate id {f.id!r}")
        files[f.id] = f
    return files


def unregistered_files(mirror: Path, entries: dict[str, RawFile]) -> list[str]:
    """Files in ``mirror`` (relative POSIX paths, hidden files excepted) that no registry entry
    names, sorted."""
    known = {e.path for e in entries.values()}
    found = (f.relative_to(mirror).as_posix() for f in Path(mirror).rglob("*") if f.is_file())
    return sorted(f for f in found
                  if f not in known and not any(part.startswith(".") for part in f.split("/")))


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _mirror_downloader(mirror: Path, entry: RawFile):
    """A pooch downloader that copies ``mirror/<path>`` instead of fetching ``url``."""

    def download(url: str, output_file: str, pooch_obj: object, check_only: bool = False) -> bool:
        src = mirror / entry.path
        if not src.is_file():
            raise FetchError(
                f"{entry.id}: not in the mirror ({src} does not exist); unset "
                f"{paths.MIRROR_ENV} to download from {entry.url}, or fix the mirror path"
            )
        if check_only:
            return True
        shutil.copyfile(src, output_file)
        return True

    return download


def fetch_file(entry: RawFile, raw_dir: Path | None = None, *, mirror: Path | None = None) -> Path:
    """Fetch one raw file (download or mirror copy), verify its sha256, return its path.

    Raises
    ------
    FetchError
        on a hash mismatch (of the file on disk or of the fetched bytes), a file missing from the
        mirror, or an unreachable URL. The message names the id, both hashes and what to do.
    """
    raw_dir = raw_dir or paths.RAW
    target = raw_dir / entry.path
    if target.exists():
        actual = sha256_of(target)
        if actual != entry.sha256:
            raise FetchError(
                f"{entry.id}: sha256 mismatch for {target} on disk: expected {entry.sha256}, "
                f"got {actual}. The raw file was changed after download; delete it and run "
                "`make data` again to re-fetch it (or update data/sources.toml if upstream changed "
                "on purpose)."
            )
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    downloader = _mirror_downloader(mirror, entry) if mirror else None
    try:
        pooch.retrieve(url=entry.url, known_hash=f"sha256:{entry.sha256}", fname=target.name,
                       path=target.parent, downloader=downloader, progressbar=False)
    except FetchError:
        raise
    except ValueError as exc:  # pooch's hash mismatch
        origin = f"mirror {mirror}" if mirror else entry.url
        actual = _actual_hash_from_pooch(str(exc))
        raise FetchError(
            f"{entry.id}: sha256 mismatch for the file fetched from {origin}: expected "
            f"{entry.sha256}, got {actual}. Nothing was written to {target}. The upstream or mirror "
            "copy differs from the registered one: check the source, then update "
            "data/sources.toml only if the change is intended."
        ) from None
    except Exception as exc:  # network errors from requests, OSError, ...
        origin = f"mirror {mirror}" if mirror else entry.url
        raise FetchError(
            f"{entry.id}: could not fetch from {origin} ({type(exc).__name__}: {exc}). Check the "
            f"network, or set {paths.MIRROR_ENV} to a local copy laid out like data/raw."
        ) from None
    target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return target


def _actual_hash_from_pooch(message: str) -> str:
    import re

    hashes = re.findall(r"[0-9a-f]{64}", message)
    return hashes[-1] if hashes else "unknown"


def fetch_all(raw_dir: Path | None = None, *, mirror: Path | str | None = "env",
              ids: list[str] | None = None, verbose: bool = True) -> dict[str, Path]:
    """Fetch and verify every registered raw file (or only ``ids``).

    Parameters
    ----------
    raw_dir : destination root (default ``data/raw``)
    mirror : a folder laid out like ``data/raw``; ``"env"`` (default) reads
        ``$LOSTGEN_DATA_MIRROR``; ``None`` downloads from the URLs
    ids : restrict to these registry ids
    verbose : print one progress line per file (files in the mirror that the registry does not
        name are reported on one line in any case)

    Returns
    -------
    ``{id: path}`` of verified files.
    """
    mirror_dir = paths.mirror_dir() if mirror == "env" else (Path(mirror) if mirror else None)
    entries = registry()
    chosen = [entries[i] for i in ids] if ids else list(entries.values())
    if mirror_dir and mirror_dir.is_dir():
        unknown = unregistered_files(mirror_dir, entries)
        if unknown:  # reported, not an error: the mirror may hold files for later work
            print(f"[fetch] {len(unknown)} file(s) in the mirror {mirror_dir} are not registered "
                  f"in data/sources.toml (not fetched): {', '.join(unknown[:6])}"
                  f"{f' (+{len(unknown) - 6} more)' if len(unknown) > 6 else ''}", flush=True)
    out = {}
    for n, entry in enumerate(chosen, 1):
        existed = (Path(raw_dir or paths.RAW) / entry.path).exists()
        out[entry.id] = fetch_file(entry, raw_dir, mirror=mirror_dir)
        if verbose:
            how = "verified" if existed else ("copied from mirror" if mirror_dir else "downloaded")
            print(f"[fetch {n:2d}/{len(chosen)}] {entry.id}: {how}, sha256 ok", flush=True)
    return out


def raw_path(file_id: str, raw_dir: Path | None = None) -> Path:
    """Path of a registered raw file on disk, verified against its sha256.

    This is the way cleaning modules open raw files: a missing or changed file is a
    :class:`FetchError` naming the id and both hashes, never silently used.
    """
    entries = registry()
    if file_id not in entries:
        raise FetchError(f"{file_id!r} is not registered in data/sources.toml")
    entry = entries[file_id]
    target = (raw_dir or paths.RAW) / entry.path
    if not target.exists():
        raise FetchError(f"{file_id}: {target} is missing; run `make data` (or "
                         "`python -m analysis fetch`) first")
    actual = sha256_of(target)
    if actual != entry.sha256:
        raise FetchError(f"{file_id}: sha256 mismatch for {target}: expected {entry.sha256}, got "
                         f"{actual}. Delete the file and run `make data` to fetch it again.")
    return target
