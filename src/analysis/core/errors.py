"""Exceptions that name what went wrong and where (file, row, column), in one line."""

from __future__ import annotations

from pathlib import Path


class AnalysisError(Exception):
    """Base class of every error this package raises on purpose."""


class FetchError(AnalysisError):
    """A raw file could not be fetched or failed its sha256 check."""


class DataError(AnalysisError):
    """A raw input is malformed: the message names the file and, where known, row and column.

    Parameters
    ----------
    file : path of the offending input (shown relative to the repository when possible)
    message : what is wrong and, ideally, what to do
    row : 1-based row (line) number in the file as a person would count it, if known
    column : column name in the raw file, if known
    """

    def __init__(self, file: str | Path, message: str, *, row: int | None = None,
                 column: str | None = None) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        where = [f"file {self.file}"]
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}")


class UnknownProvinceError(AnalysisError):
    """One or more place names or codes could not be mapped to a province adcode."""

    def __init__(self, unknown: list[str], context: str = "") -> None:
        self.unknown = sorted(set(unknown))
        shown = ", ".join(repr(u) for u in self.unknown[:20])
        more = f" (+{len(self.unknown) - 20} more)" if len(self.unknown) > 20 else ""
        prefix = f"{context}: " if context else ""
        super().__init__(
            f"{prefix}{len(self.unknown)} unknown province name(s)/code(s): {shown}{more}. "
            "Add the spelling to analysis.vocab.provinces if it is a real province."
        )


class AccountError(AnalysisError):
    """A row account does not balance (rows read != rows kept + rows dropped), or a source file
    gave no parsable row (an empty or truncated input)."""
