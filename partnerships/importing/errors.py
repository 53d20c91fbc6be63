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


class RowErrors(Exception):
    """Every problem of one row at once (so that an editor corrects a row in one go)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(error.reason for error in errors))
        self.errors = errors


class Collector:
    """Runs a row's checks one after the other and keeps every ``RowError`` they raise.

    ``check(function, *args)`` returns the function's answer, or ``default`` when it
    raised; ``raise_if_any()`` ends the row with all of them.
    """

    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def check(self, function, *args, default=None):
        try:
            return function(*args)
        except RowError as error:
            self.errors.append(error)
            return default
        except RowErrors as errors:
            self.errors += errors.errors
            return default

    def raise_if_any(self) -> None:
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise RowErrors(self.errors)
