"""Errors an importer reports for one row of a file."""

from __future__ import annotations


class RowError(Exception):
    """A row that cannot be imported: where (column) and why (the message)."""

    def __init__(self, reason: str, column: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.column = column


class FileError(Exception):
    """A file that cannot be read at all (encoding, missing columns, too large)."""
