"""The deny-set: the personal strings of the case files (children's names, posting ids, volunteer
handles, phone and ID-card numbers), gathered by the case steps while their records are in
memory (``BuildContext.deny``) and kept for the exits that run after the build.

``make data`` persists the set at the end of the build into ``data/interim/.deny.json``
(:func:`write_deny`): internal, git-ignored, readable by the owner only, never copied into a
published folder, tracked by the data manifest (deleted or edited → ``make data`` rebuilds).
:func:`read_deny` loads it for :func:`analysis.privacy.policy.raw_personal_strings`, so a figure
save or a test never parses ``data/raw/`` or imports cleaning code.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from analysis.core import paths, stamps
from analysis.core.errors import AnalysisError

#: File name of the persisted deny-set inside the internal folder (``data/interim``).
DENY_FILE_NAME = ".deny.json"
_ABOUT = ("INTERNAL, never publish: personal strings of the Baby Come Home case files, gathered "
          "by `make data` for the privacy scan of every published table, figure and notebook")


class DenySetError(AnalysisError):
    """The persisted deny-set is missing or unreadable: nothing may be published until
    ``make data`` has written it (fail closed)."""


def deny_file(interim_dir: Path | None = None) -> Path:
    """Where the deny-set is kept: ``<interim_dir>/.deny.json`` (default ``data/interim``)."""
    return Path(interim_dir or paths.INTERIM) / DENY_FILE_NAME


def write_deny(strings: Iterable[str], path: Path) -> Path:
    """Write the deny-set to ``path`` atomically (sorted JSON, so an unchanged build writes the
    same bytes; mode 0600 from the temporary file). Returns ``path``."""
    stamps.write_json_atomic(path, {"about": _ABOUT, "strings": sorted(set(strings))})
    return Path(path)


def read_deny(path: Path) -> frozenset[str]:
    """The strings of a deny-set file.

    Raises
    ------
    DenySetError
        the file is missing, unreadable, not a deny-set or holds no string — with the command
        that writes it (``make data``).
    """
    path = Path(path)
    where = stamps.relative_name(path, paths.ROOT)
    if not path.is_file():
        raise DenySetError(f"{where} does not exist: run `make data` first (the build gathers the "
                           "personal strings of the case files that every published table, figure "
                           "and notebook is scanned for; nothing is published without them)")
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        strings = payload["strings"]
        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings):
            raise TypeError("strings is not a list of text")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DenySetError(f"{where} is unreadable ({type(exc).__name__}): run `make data` to "
                           "write it again") from None
    if not strings:
        raise DenySetError(f"{where} holds no personal string (written by a build without the "
                           "case steps?): run `make data`")
    return frozenset(strings)
