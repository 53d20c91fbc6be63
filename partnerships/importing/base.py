"""What every importer shares: reading a CSV, atomicity, dry runs and the report.

An import is all or nothing. Every row runs in one transaction (each in a savepoint, so
that one bad row does not hide the errors of the next); if any row is rejected, or the
run is a dry run, the transaction is rolled back and the report says what would have
happened. Running the same file twice creates and changes nothing the second time.
"""

from __future__ import annotations

import csv
import io
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, ClassVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from tqdm import tqdm

from partnerships.importing.errors import FileError, RowError
from partnerships.importing.matching import Matcher

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"
MAX_FILE_BYTES = 20 * 1024 * 1024
PROGRESS_FROM_ROWS = 500
MAX_LISTED_PROBLEMS = 50


@dataclass
class Problem:
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """Counts per outcome (rows), problems with their line and column, side effects."""

    source: str
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    municipalities_created: int = 0
    municipalities_updated: int = 0

    @property
    def rejected(self) -> int:
        return len({problem.line for problem in self.problems})

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run

    @property
    def changed_anything(self) -> bool:
        return bool(
            self.counts[CREATED]
            or self.counts[UPDATED]
            or self.municipalities_created
            or self.municipalities_updated
        )

    def summary(self) -> str:
        lines = [
            f"{self.source}: created {self.counts[CREATED]}, updated {self.counts[UPDATED]}, "
            f"unchanged {self.counts[UNCHANGED]}, rejected {self.rejected}",
        ]
        if self.municipalities_created or self.municipalities_updated:
            lines.append(
                f"  municipalities: created {self.municipalities_created}, "
                f"updated {self.municipalities_updated}"
            )
        lines += [f"  {problem}" for problem in self.problems[:MAX_LISTED_PROBLEMS]]
        if len(self.problems) > MAX_LISTED_PROBLEMS:
            lines.append(f"  ... and {len(self.problems) - MAX_LISTED_PROBLEMS} more")
        if self.problems:
            lines.append(
                f"Nothing was imported: {self.rejected} row(s) rejected. "
                "Correct them and import the file again."
            )
        elif self.dry_run:
            lines.append("Dry run: nothing was written.")
        elif not self.changed_anything:
            lines.append("Nothing to do: the registry already holds this file.")
        return "\n".join(lines)


def read_rows(
    data: bytes, required: list[str]
) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]], int]:
    """Decode a CSV file (UTF-8 with or without BOM, ``,`` or ``;``) into numbered rows."""
    if len(data) > MAX_FILE_BYTES:
        raise FileError(f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    if b"\x00" in data:
        raise FileError("the file contains NUL bytes: is it really a CSV file?")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileError(
            f"the file is not UTF-8 (byte {error.start}); save it as 'CSV UTF-8' and try again"
        ) from error
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in required if name not in header]
    if missing:
        raise FileError(f"missing column(s): {', '.join(missing)}")
    reader.fieldnames = header
    total = max(text.count("\n") - 1, 0)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for row in reader:
            extra = row.pop(None, None)
            if extra:
                raise FileError(f"line {reader.line_num} has more cells than the header")
            yield reader.line_num, {key: (value or "").strip() for key, value in row.items()}

    return header, rows(), total


class Importer:
    """Base class: subclasses name their columns and import one row at a time."""

    name: ClassVar[str] = "rows"
    columns: ClassVar[list[str]] = []
    # Model field -> file column, so that validation errors name the file's column.
    field_columns: ClassVar[dict[str, str]] = {}

    def __init__(self) -> None:
        self.matcher: Matcher | None = None

    def import_row(self, row: dict[str, str]) -> str:
        """Import one row; return CREATED, UPDATED or UNCHANGED, or raise RowError."""
        raise NotImplementedError

    def run(
        self, file: str | Path | IO[bytes], *, dry_run: bool = False, progress: bool | None = None
    ) -> ImportReport:
        label = Path(file).name if isinstance(file, str | Path) else getattr(file, "name", "upload")
        report = ImportReport(source=str(label), dry_run=dry_run)
        try:
            data = Path(file).read_bytes() if isinstance(file, str | Path) else file.read()
            _, rows, total = read_rows(data, self.columns)
            with transaction.atomic():
                self.matcher = Matcher()
                show = sys.stderr.isatty() and total >= PROGRESS_FROM_ROWS
                for line, row in tqdm(
                    rows,
                    total=total,
                    disable=not (show if progress is None else progress),
                    desc=self.name,
                    unit="row",
                ):
                    self._import_one(line, row, report)
                report.municipalities_created = self.matcher.created
                report.municipalities_updated = self.matcher.updated
                if not report.committed:
                    transaction.set_rollback(True)
        except FileError as error:
            report.problems.append(Problem(line=1, column=None, reason=str(error)))
        return report

    def _import_one(self, line: int, row: dict[str, str], report: ImportReport) -> None:
        counts = (self.matcher.created, self.matcher.updated)
        try:
            with transaction.atomic():
                report.counts[self.import_row(row)] += 1
        except RowError as error:
            report.problems.append(Problem(line, error.column, error.reason))
        except ValidationError as error:
            for column, messages in _validation_messages(error):
                column = self.field_columns.get(column, column) if column else None
                report.problems.append(Problem(line, column, "; ".join(messages)))
        except DatabaseError as error:
            report.problems.append(Problem(line, None, f"rejected by the database: {error}"))
        else:
            return
        # The row's savepoint was rolled back: so are its municipalities.
        self.matcher.created, self.matcher.updated = counts


def _validation_messages(error: ValidationError) -> list[tuple[str | None, list[str]]]:
    if hasattr(error, "error_dict"):
        return [
            (None if key == "__all__" else key, [str(m) for e in errors for m in e.messages])
            for key, errors in error.error_dict.items()
        ]
    return [(None, [str(message) for message in error.messages])]


def parse_year(value: str, column: str, low: int, high: int) -> int | None:
    if not value:
        return None
    if not value.isdigit() or not low <= int(value) <= high:
        raise RowError(f"{value!r} is not a year between {low} and {high}", column=column)
    return int(value)


def split_sources(value: str) -> list[str]:
    return [part.strip() for part in value.split(" | ") if part.strip()]
