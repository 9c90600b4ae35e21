"""Pinned sha256 of the reviewed hand-transcribed tables under ``data/raw/manual/``.

No URL serves these tables, so the project keeps reviewed copies (each with a ``.md`` note) and
pins their bytes in **one** committed file, ``data/raw/manual/SHA256SUMS``, in the format of
``sha256sum`` (``<64 hex digits><two spaces><file name>``), so ``cd data/raw/manual && sha256sum
-c SHA256SUMS`` checks them by hand too.

:func:`verify_manual` is the one check; :meth:`analysis.core.step.BuildContext.manual` calls it, so
every cleaning step that reads a manual table gets a verified path or a
:class:`ManualTableError` naming the file, the pinned and the actual hash and what to do.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis.core.errors import DataError
from analysis.core.fetch import sha256_of

#: Name of the pin file inside the manual folder.
SHA256SUMS = "SHA256SUMS"
#: One line of ``sha256sum`` output: hash, space, space or ``*`` (binary mode), file name.
_LINE = re.compile(r"^(?P<digest>[0-9a-f]{64}) [ *](?P<name>[^/\\]+)$")
#: What to do after an intended change of a manual table.
_HOW_TO_ACCEPT = ("review the change against its source (the curated table in the shared data "
                  "mirror), update the file's .md note, then record the new hash: "
                  "`cd data/raw/manual && sha256sum {name}` and replace its line in SHA256SUMS")


class ManualTableError(DataError):
    """A manual table is missing from ``SHA256SUMS`` or its bytes differ from the pinned hash."""


def _label(path: Path) -> str:
    return f"data/raw/manual/{path.name}"


def read_sha256sums(path: Path) -> dict[str, str]:
    """Parse a ``SHA256SUMS`` file.

    Parameters
    ----------
    path : the ``SHA256SUMS`` file (UTF-8, one ``sha256sum`` line per file)

    Returns
    -------
    ``{file name: lower-case hex sha256}``.

    Raises
    ------
    ManualTableError
        the file is missing, a line is malformed or a file is listed twice (naming the line).
    """
    label = _label(path)
    if not path.is_file():
        raise ManualTableError(label, "the pin file is missing: it lists the sha256 of every "
                                      "reviewed manual table and is committed with them")
    pins: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            raise ManualTableError(label, f"not a sha256sum line: {line!r} (expected 64 "
                                          "lower-case hex digits, two spaces, a file name)",
                                   row=number)
        name = m["name"]
        if name in pins:
            raise ManualTableError(label, f"{name} is listed twice", row=number)
        pins[name] = m["digest"]
    return pins


def verify_manual(path: Path) -> Path:
    """Check a manual table against its pinned hash in the ``SHA256SUMS`` next to it.

    Parameters
    ----------
    path : a file in the manual folder (``data/raw/manual/<name>`` or a test folder)

    Returns
    -------
    ``path``, unchanged, when its sha256 equals the pinned one.

    Raises
    ------
    ManualTableError
        ``SHA256SUMS`` is missing or malformed, the file is not pinned, or its sha256 differs;
        the message names the file, the expected and the actual hash and what to do.
    """
    pins = read_sha256sums(path.parent / SHA256SUMS)
    label = _label(path)
    actual = sha256_of(path)
    if path.name not in pins:
        raise ManualTableError(label, f"not pinned in data/raw/manual/{SHA256SUMS} (actual "
                                      f"sha256 {actual}): a manual table is read only after "
                                      "review; " + _HOW_TO_ACCEPT.format(name=path.name))
    expected = pins[path.name]
    if actual != expected:
        raise ManualTableError(label, f"sha256 mismatch: expected {expected} (pinned in "
                                      f"data/raw/manual/{SHA256SUMS}), actual {actual}. The "
                                      "table changed since it was reviewed; "
                                      + _HOW_TO_ACCEPT.format(name=path.name))
    return path


__all__ = ["SHA256SUMS", "ManualTableError", "read_sha256sums", "verify_manual"]
