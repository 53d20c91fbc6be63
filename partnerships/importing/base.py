"""What every importer shares: reading a file, atomicity, dry runs and the report.

An import is all or nothing. Every row runs in one transaction (each in a savepoint, so
that one bad row does not hide the errors of the next); if any row is rejected, or the
run is a dry run, the transaction is rolled back and the report says what would have
happened, row by row. Running the same file twice creates and changes nothing the second
time. The command line and the admin run exactly this code.

An importer may instead check every row in memory first and write in bulk afterwards
(``import_rows``; the partnership importer does, for files of up to ``MAX_ROWS`` rows):
the guarantees and the report are the same.

The report's messages (problems, notices, conflicts) are written in the language ``run`` is
given: the admin passes the editor's, everything else (the command line, scripts, tests)
gets English. Column names and values are quoted as the file has them.
"""

from __future__ import annotations

import contextvars
import gc
import hashlib
import io
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import translation
from django.utils.translation import gettext
from simple_history.utils import get_history_model_for_model
from tqdm import tqdm

from partnerships.caching import bump_generation
from partnerships.importing.errors import FileError, RowError, RowErrors
from partnerships.importing.files import MAX_FILE_BYTES, MAX_ROWS, read_table
from partnerships.importing.matching import FieldChange, Matcher
from partnerships.models.base import StaleRecordError

__all__ = [
    "CREATED",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "REJECTED",
    "UNCHANGED",
    "UPDATED",
    "FieldChange",
    "FileFormat",
    "ImportReport",
    "Importer",
    "Problem",
    "RowResult",
]

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
PROGRESS_FROM_ROWS = 500
MAX_LISTED_PROBLEMS = 50
CHANGE_REASON_LENGTH = 100
# The language of a report's messages where the caller names none.
REPORT_LANGUAGE = "en"


@dataclass(slots=True)
class Problem:
    line: int
    column: str | None
    reason: str

    def __str__(self) -> str:
        # The command line's form (``summary``); the admin shows line, column and reason apart.
        where = f"line {self.line}" + (f", column {self.column!r}" if self.column else "")
        return f"{where}: {self.reason}"


@dataclass(slots=True)
class RowResult:
    """What one row of the file did (or would do): its outcome and the changes in detail."""

    line: int
    outcome: str
    label: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # The record the row matched, and (for an update) the version the changes apply to.
    record_id: int | None = None
    version: int | None = None

    def key(self) -> list[Any]:
        return [
            self.line,
            self.outcome,
            self.record_id if self.outcome != CREATED else None,
            self.version,
            [[c.field, c.old, c.new] for c in self.changes],
            [[p.column, p.reason] for p in self.problems],
        ]


@dataclass
class ImportReport:
    """Counts per outcome, every row's result, problems with line and column, side effects."""

    source: str
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    # Where sources in the file (or the file and the registry) disagree: both lines, both values.
    conflicts: list[str] = field(default_factory=list)
    # New municipalities refused as close to known ones (name -> those names), to confirm.
    unconfirmed_new: dict[str, list[str]] = field(default_factory=dict)
    municipalities_created: int = 0
    municipalities_updated: int = 0
    # Set when the file cannot be read at all (encoding, format, columns, size).
    file_error: str | None = None
    encoding: str = ""
    format: str = ""

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

    def fingerprint(self) -> str:
        """A digest of everything the import does, row by row, and to which versions.

        Two runs of the same file have the same fingerprint exactly when they would make
        the same changes on top of the same record versions: the admin confirms an import
        only if the real run matches the preview the editor saw.
        """
        content = [self.file_error, self.format, [row.key() for row in self.rows]]
        encoded = json.dumps(content, ensure_ascii=False, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()

    def summary(self) -> str:
        """The report as the command line prints it (its own words in English; the admin
        shows the report's parts instead)."""
        lines = [
            f"{self.source}: created {self.counts[CREATED]}, updated {self.counts[UPDATED]}, "
            f"unchanged {self.counts[UNCHANGED]}, rejected {self.rejected}",
        ]
        lines += [f"  note: {notice}" for notice in self.notices]
        lines += [f"  conflict: {conflict}" for conflict in self.conflicts]
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


@dataclass(frozen=True)
class FileFormat:
    """A layout of the file an importer understands, mapped onto the importer's columns.

    ``signature`` tells the layout apart (all these columns are in the header);
    ``convert`` turns a row of the file into a row in the importer's columns, and
    ``file_columns`` names the file's column for each of the importer's columns, so that
    problems point at the column as the file calls it. ``notice`` is marked for translation
    (``gettext_noop``) and reported in the run's language.
    """

    name: str
    columns: tuple[str, ...]
    signature: frozenset[str] = frozenset()
    convert: Callable[[dict[str, str]], dict[str, str]] | None = None
    file_columns: dict[str, str] = field(default_factory=dict)
    notice: str = ""

    def file_column(self, column: str | None) -> str | None:
        return self.file_columns.get(column, column) if column else column


# History: every record an import saves carries why ("import FILE") --------------------------

_change_reason: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "import_change_reason", default=None
)
_history_user: contextvars.ContextVar[Any] = contextvars.ContextVar(
    "import_history_user", default=None
)


@contextmanager
def history_context(reason: str, user: Any = None) -> Iterator[None]:
    """Within this block, history entries carry this change reason (and user, if unknown)."""
    reason_token = _change_reason.set(reason[:CHANGE_REASON_LENGTH])
    user_token = _history_user.set(user)
    try:
        yield
    finally:
        _change_reason.reset(reason_token)
        _history_user.reset(user_token)


def history_defaults(model: type[models.Model]) -> dict[str, Any]:
    """The user and change reason for ``bulk_create_with_history`` and its kin.

    Bulk writes create their history without the signal that ``mark_imported`` answers,
    so they get what it would give: the request's editor (django-simple-history's
    middleware) or else the importing user, and the change reason of ``history_context``.
    """
    if not hasattr(model, "history"):
        return {}  # a model without history: the claims of sources
    user = get_history_model_for_model(model).get_default_history_user(model())
    if user is None:
        given = _history_user.get()
        user = given if given is not None and getattr(given, "pk", None) else None
    return {"default_user": user, "default_change_reason": _change_reason.get() or ""}


def mark_imported(sender, history_instance, **kwargs) -> None:
    reason = _change_reason.get()
    if reason and not history_instance.history_change_reason:
        history_instance.history_change_reason = reason
    user = _history_user.get()
    if user is not None and getattr(user, "pk", None) and history_instance.history_user is None:
        history_instance.history_user = user


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Within this block, no cyclic garbage collection (reference counting frees as usual).

    An import holds a few objects per row of the file (the report, the records planned)
    while it creates millions of short-lived ones: each collection of the oldest
    generation walks everything held, and took a third of a large import's time.

    Afterwards, what the block allocated and still holds joins the oldest generation
    directly (``gc.freeze`` moves every tracked object to the permanent generation,
    ``gc.unfreeze`` back into the oldest): otherwise the first collection after the block
    walks all of it once more (seconds, for a large file), for nothing. Not where the
    process froze objects itself (a server may, to share memory with its workers).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


# The importer --------------------------------------------------------------------------------


class Importer:
    """Base class: subclasses name their columns and import one row at a time."""

    name: ClassVar[str] = "rows"
    columns: ClassVar[list[str]] = []
    # Model field -> file column, so that validation errors name the file's column.
    field_columns: ClassVar[dict[str, str]] = {}
    # Other layouts the importer reads (such as the registry's own export), tried first.
    other_formats: ClassVar[list[FileFormat]] = []

    def __init__(self) -> None:
        self.matcher: Matcher | None = None
        self.file_format: FileFormat | None = None
        # Filled by import_row for the row being imported.
        self.row_changes: list[FieldChange] = []
        self.row_record_id: int | None = None
        self.row_version: int | None = None

    def import_row(self, row: dict[str, str]) -> str:
        """Import one row; return CREATED, UPDATED or UNCHANGED, or raise RowError."""
        raise NotImplementedError

    def describe(self, row: dict[str, str]) -> str:
        """What a row is about, as the file says it (for the row-by-row report)."""
        return ""

    def own_format(self) -> FileFormat:
        return FileFormat(name=self.name, columns=tuple(self.columns))

    def detect_format(self, header: list[str]) -> FileFormat:
        present = set(header)
        for candidate in self.other_formats:
            if candidate.signature <= present:
                return self._check_columns(candidate, present)
        return self._check_columns(self.own_format(), present)

    @staticmethod
    def _check_columns(file_format: FileFormat, present: set[str]) -> FileFormat:
        missing = [name for name in file_format.columns if name not in present]
        if missing:
            raise FileError(
                gettext("missing column(s): %(columns)s") % {"columns": ", ".join(missing)}
            )
        return file_format

    def run(
        self,
        file: str | Path | IO[bytes],
        *,
        dry_run: bool = False,
        progress: bool | None = None,
        reason: str | None = None,
        user: Any = None,
        language: str = REPORT_LANGUAGE,
    ) -> ImportReport:
        """Import a file (a path, or a binary file object with a ``name``).

        ``reason`` is the change reason recorded in the history of every saved record
        (``import FILE`` unless given); ``user`` is recorded as the editor where the
        request does not say who it is. ``language`` is the language of the report's
        messages (and of Django's validation messages in it): English unless given.
        """
        with translation.override(language):
            return self._run(file, dry_run=dry_run, progress=progress, reason=reason, user=user)

    def _run(
        self,
        file: str | Path | IO[bytes],
        *,
        dry_run: bool,
        progress: bool | None,
        reason: str | None,
        user: Any,
    ) -> ImportReport:
        label = Path(file).name if isinstance(file, str | Path) else getattr(file, "name", "upload")
        label = Path(str(label or "upload")).name
        report = ImportReport(source=label, dry_run=dry_run)
        with cyclic_gc_paused():
            try:
                data = Path(file).read_bytes() if isinstance(file, str | Path) else file.read()
                table = read_table(data, label)
                report.encoding = table.encoding
                report.notices += table.notices
                self.file_format = self.detect_format(table.header)
                report.format = self.file_format.name
                if self.file_format.notice:
                    report.notices.append(gettext(self.file_format.notice))
                convert = self.file_format.convert or (lambda row: row)
                rows = [(line, convert(row)) for line, row in table.rows]
                del table
                show = sys.stderr.isatty() and len(rows) >= PROGRESS_FROM_ROWS
                with transaction.atomic(), history_context(reason or f"import {label}", user):
                    self.import_rows(rows, report, progress=show if progress is None else progress)
                    if not report.committed:
                        transaction.set_rollback(True)
                    elif report.changed_anything:
                        # Bulk writes send no save signals: make cached public pages stale here.
                        bump_generation()
            except FileError as error:
                report.file_error = str(error)
                report.problems.append(Problem(line=1, column=None, reason=str(error)))
        return report

    def import_rows(
        self, rows: list[tuple[int, dict[str, str]]], report: ImportReport, *, progress: bool
    ) -> None:
        """Import the rows one by one, each in a savepoint (subclasses may do it in bulk)."""
        self.matcher = Matcher()
        for line, row in tqdm(rows, disable=not progress, desc=self.name, unit="row"):
            self._import_one(line, row, report)
        report.municipalities_created = self.matcher.created
        report.municipalities_updated = self.matcher.updated

    def _import_one(self, line: int, row: dict[str, str], report: ImportReport) -> None:
        matcher = self.matcher
        counts = (matcher.created, matcher.updated)
        matcher.log = []
        self.row_changes, self.row_record_id, self.row_version = [], None, None
        try:
            with transaction.atomic():
                outcome = self.import_row(row)
        except (RowError, RowErrors, ValidationError, StaleRecordError, DatabaseError) as error:
            self.reject(line, row, error, report)
            # The row's savepoint was rolled back: so are its municipalities.
            matcher.created, matcher.updated = counts
            matcher.forget()
        else:
            self.accept(line, row, outcome, matcher.log, report)

    def accept(
        self,
        line: int,
        row: dict[str, str],
        outcome: str,
        log: list[FieldChange],
        report: ImportReport,
    ) -> None:
        """Report a row as imported (``log``: what the matcher did for it)."""
        report.counts[outcome] += 1
        report.rows.append(
            RowResult(
                line=line,
                outcome=outcome,
                label=self.describe(row),
                changes=[*self.row_changes, *log],
                record_id=self.row_record_id,
                version=self.row_version if outcome == UPDATED else None,
            )
        )

    def reject(self, line: int, row: dict[str, str], error: Exception, report: ImportReport):
        """Report a row as rejected: where (column) and why, as the error says."""
        problems = self.problems(line, error)
        report.problems += problems
        report.rows.append(
            RowResult(line=line, outcome=REJECTED, label=self.describe(row), problems=problems)
        )

    def problems(self, line: int, error: Exception) -> list[Problem]:
        if isinstance(error, RowError):
            return [Problem(line, self.file_format.file_column(error.column), error.reason)]
        if isinstance(error, RowErrors):
            return [problem for one in error.errors for problem in self.problems(line, one)]
        if isinstance(error, ValidationError):
            problems = []
            for column, messages in _validation_messages(error):
                column = self.field_columns.get(column, column) if column else None
                problems.append(
                    Problem(line, self.file_format.file_column(column), "; ".join(messages))
                )
            return problems
        if isinstance(error, StaleRecordError):
            reason = gettext("changed by someone else meanwhile: %(error)s") % {"error": error}
            return [Problem(line, None, reason)]
        reason = gettext("rejected by the database: %(error)s") % {"error": error}
        return [Problem(line, None, reason)]

    def change(self, field_name: str, old: Any, new: Any) -> None:
        """Note one change the current row makes (shown old -> new in the report)."""
        self.row_changes.append(FieldChange(field_name, _text(old), _text(new)))


def _text(value: Any) -> str:
    return "" if value is None else str(value)


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
        raise RowError(
            gettext("'%(value)s' is not a year between %(low)s and %(high)s")
            % {"value": value, "low": low, "high": high},
            column=column,
        )
    return int(value)


def split_sources(value: str) -> list[str]:
    return [part.strip() for part in value.split(" | ") if part.strip()]


def read_bytes(data: bytes, name: str) -> IO[bytes]:
    """An in-memory file with a name (the name tells CSV from XLSX and labels the report)."""
    buffer = io.BytesIO(data)
    buffer.name = name
    return buffer
