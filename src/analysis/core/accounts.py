"""Row accounts: every cleaning step says what it read, kept and dropped (with a reason).

A :class:`RowAccount` balances or raises: ``rows_read == rows_kept + sum(dropped)``. Besides
drops, an account can carry *notes*: counted events that did not remove a row (a date set to
missing, a place left unmatched), so a reader sees every defect that was handled.

An account also refuses an input that gave no parsable row (:meth:`RowAccount.check`); the
least number of records each raw file must give is checked against the registry by
:func:`analysis.pipeline.check_min_records`.

Written next to each table as ``<table>.rows.csv`` with columns
``table, source_file, kind, reason, rows`` where ``kind`` is one of ``read``, ``kept``,
``dropped`` or ``note``.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pandas as pd

from analysis.core.errors import AccountError

ACCOUNT_COLUMNS = ["table", "source_file", "kind", "reason", "rows"]
#: Drop reasons starting with this word mean "the row could not be parsed at all" (e.g.
#: ``unparsable JSON``): such rows do not count as records parsed (:meth:`RowAccount.parsed`).
UNPARSABLE_PREFIX = "unparsable"


@dataclass
class RowAccount:
    """Bookkeeping of one table built from one or more raw files.

    Attributes
    ----------
    table : name of the output table
    read : rows read per source file (``{source_file: n}``)
    kept : rows kept per source file
    dropped : rows dropped per ``(source_file, reason)``
    notes : counted defects that did not drop a row, per ``(source_file, reason)``
    """

    table: str
    read: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    notes: Counter = field(default_factory=Counter)

    def add_read(self, source_file: str, n: int) -> None:
        """Record ``n`` rows read from ``source_file``."""
        self.read[source_file] += int(n)

    def add_kept(self, source_file: str, n: int) -> None:
        """Record ``n`` rows of ``source_file`` kept in the output table."""
        self.kept[source_file] += int(n)

    def drop(self, source_file: str, reason: str, n: int = 1) -> None:
        """Record ``n`` rows of ``source_file`` dropped for ``reason`` (``n`` may be 0)."""
        if n < 0:
            raise ValueError("cannot drop a negative number of rows")
        if n:
            self.dropped[(source_file, reason)] += int(n)

    def note(self, source_file: str, reason: str, n: int = 1) -> None:
        """Record ``n`` rows of ``source_file`` that were kept but had a defect handled."""
        if n:
            self.notes[(source_file, reason)] += int(n)

    def dropped_total(self, source_file: str | None = None) -> int:
        """Rows dropped, for one source file or all of them."""
        return sum(n for (f, _), n in self.dropped.items() if source_file in (None, f))

    def unparsable(self, source_file: str) -> int:
        """Rows of ``source_file`` dropped because they could not be parsed at all (reasons
        starting with :data:`UNPARSABLE_PREFIX`)."""
        return sum(n for (f, r), n in self.dropped.items()
                   if f == source_file and r.startswith(UNPARSABLE_PREFIX))

    def parsed(self, source_file: str) -> int:
        """Records parsed from ``source_file``: rows read minus rows dropped as unparsable (what
        the registry's ``min_records`` is compared with)."""
        return self.read[source_file] - self.unparsable(source_file)

    def check(self) -> RowAccount:
        """Raise :class:`AccountError` unless read = kept + dropped for every source file, and
        every source file gave at least one parsable row (an empty input, or one whose every
        row is unparsable, e.g. a truncated one-line JSON array, is an error)."""
        files = set(self.read) | set(self.kept) | {f for f, _ in self.dropped}
        problems = []
        for f in sorted(files):
            r, k, d = self.read[f], self.kept[f], self.dropped_total(f)
            if r != k + d:
                problems.append(f"{f}: read {r} != kept {k} + dropped {d} (does not balance)")
            elif r == 0:
                problems.append(f"{f}: read 0 rows (an empty or truncated input is an error)")
            elif self.parsed(f) == 0:
                problems.append(f"{f}: none of its {r} row(s) could be parsed (all dropped as "
                                "unparsable: the file is truncated or damaged)")
        if problems:
            raise AccountError(f"row account of table {self.table!r}: "
                               + "; ".join(problems))
        return self

    def to_frame(self) -> pd.DataFrame:
        """Tidy account, one line per (file, kind, reason), ordered read → kept → dropped → note."""
        rows = []
        for f in sorted(self.read):
            rows.append((self.table, f, "read", "", self.read[f]))
        for f in sorted(self.kept):
            rows.append((self.table, f, "kept", "", self.kept[f]))
        for (f, reason), n in sorted(self.dropped.items()):
            rows.append((self.table, f, "dropped", reason, n))
        for (f, reason), n in sorted(self.notes.items()):
            rows.append((self.table, f, "note", reason, n))
        return pd.DataFrame(rows, columns=ACCOUNT_COLUMNS).astype({"rows": "int64"})

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> RowAccount:
        """Rebuild an account from :meth:`to_frame` output (e.g. a ``.rows.csv``)."""
        tables = frame["table"].unique()
        if len(tables) != 1:
            raise ValueError(f"expected one table in the account, got {list(tables)}")
        acc = cls(table=str(tables[0]))
        for r in frame.itertuples(index=False):
            reason = "" if pd.isna(r.reason) else str(r.reason)
            if r.kind == "read":
                acc.add_read(r.source_file, r.rows)
            elif r.kind == "kept":
                acc.add_kept(r.source_file, r.rows)
            elif r.kind == "dropped":
                acc.drop(r.source_file, reason, r.rows)
            elif r.kind == "note":
                acc.note(r.source_file, reason, r.rows)
            else:
                raise ValueError(f"unknown account kind {r.kind!r}")
        return acc

    def summary(self) -> str:
        """One line for progress output: ``table: read N, kept K, dropped D``."""
        r, k = sum(self.read.values()), sum(self.kept.values())
        return f"{self.table}: read {r}, kept {k}, dropped {self.dropped_total()}"


def summary_table(accounts: list[RowAccount]) -> pd.DataFrame:
    """One line per (table, source file): read, recovered, deduplicated, dropped (other reasons),
    kept, and defects handled in kept rows.

    ``recovered`` counts notes whose reason starts with "recovered"; ``deduplicated`` counts drops
    whose reason mentions "duplicate"; ``dropped_other`` is every other drop; ``notes`` the kept
    rows with a handled defect (one row may carry several).

    Returns
    -------
    DataFrame ``table, source_file, read, recovered, deduplicated, dropped_other, kept,
    notes`` (counts), in the order given.
    """
    rows = []
    for acc in accounts:
        for f in acc.read:
            dup = sum(n for (g, r), n in acc.dropped.items() if g == f and "duplicate" in r)
            rec = sum(n for (g, r), n in acc.notes.items() if g == f
                      and r.startswith("recovered"))
            notes = sum(n for (g, _), n in acc.notes.items() if g == f)
            rows.append({"table": acc.table, "source_file": f, "read": acc.read[f],
                         "recovered": rec, "deduplicated": dup,
                         "dropped_other": acc.dropped_total(f) - dup, "kept": acc.kept[f],
                         "notes": notes})
    return pd.DataFrame(rows)


def reasons_table(accounts: list[RowAccount]) -> pd.DataFrame:
    """Every drop and note reason with its count: ``table, source_file, kind, reason, rows``."""
    frames = [a.to_frame() for a in accounts]
    out = pd.concat(frames, ignore_index=True)
    return out[out["kind"].isin(["dropped", "note"])].reset_index(drop=True)
