"""Importing dated status statements (``status-events-dated.csv``) as status events.

Each row is one dated statement of one source about one partnership: a founding event
(status empty: a treaty or agreement signed) or the status that holds from its date on.
Every statement is kept with its date, the date's precision and its source, as a
``StatusEvent`` that is not an editor's decision; the partnership's status, "status
since", founding year and conflicts then follow the rule of ``models.claims``. The same
statement is never recorded twice, so a second run changes nothing.
"""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext

from partnerships.importing.base import CREATED, UNCHANGED, Importer
from partnerships.importing.errors import Collector, RowError
from partnerships.models import Partnership, StatusEvent
from partnerships.models.claims import DatePrecision
from partnerships.vocabulary import Status, status_of

_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def parse_date(text: str, precision: str) -> tuple[datetime.date, str]:
    """``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``: the first day it names, and its precision."""
    match = _DATE.match(text.strip())
    if not match:
        raise RowError(
            gettext("'%(date)s' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)") % {"date": text},
            column="date",
        )
    year, month, day = (int(part) if part else None for part in match.groups())
    given = DatePrecision.DAY if day else DatePrecision.MONTH if month else DatePrecision.YEAR
    if precision and precision != given:
        raise RowError(
            gettext("the precision '%(precision)s' does not fit the date '%(date)s' (%(given)s)")
            % {"precision": precision, "date": text, "given": given},
            column="date_precision",
        )
    try:
        return datetime.date(year, month or 1, day or 1), str(given)
    except ValueError:  # a day or month that does not exist (Python's words are English)
        raise RowError(
            gettext("'%(date)s' is not a date: there is no such day or month") % {"date": text},
            column="date",
        ) from None


class StatusEventImporter(Importer):
    """One dated statement per row, for a partnership the registry holds."""

    name = "status events"
    columns = [
        "german_name",
        "russian_name_cyrillic",
        "status",
        "date",
        "date_precision",
        "event",
        "source",
    ]

    def describe(self, row: dict[str, str]) -> str:
        return f"{row.get('german_name', '')} – {row.get('russian_name_cyrillic', '')}"

    def partnership(self, german_name: str, russian_name: str) -> Partnership:
        return self.matcher.find_partnership(
            german_name, russian_name, columns=("german_name", "russian_name_cyrillic")
        )

    def status(self, text: str) -> str:
        if not text:
            return ""  # a founding event
        status = status_of(text)
        if status is None or status == Status.UNKNOWN:
            raise RowError(
                gettext("unknown status '%(status)s'") % {"status": text}, column="status"
            )
        return str(status)

    def import_row(self, row: dict[str, str]) -> str:
        errors = Collector()
        partnership = errors.check(
            self.partnership, row["german_name"], row["russian_name_cyrillic"]
        )
        status = errors.check(self.status, row["status"], default="")
        date, precision = errors.check(
            parse_date, row["date"], row["date_precision"], default=(None, "")
        )
        if not row["source"]:
            errors.errors.append(RowError(gettext("the source is missing"), column="source"))
        errors.raise_if_any()
        statement = {
            "partnership": partnership,
            "date": date,
            "date_precision": precision,
            "status": status,
            "note": row["event"],
            "source_url": row["source"],
            "by_editor": False,
        }
        existing = StatusEvent.objects.filter(**statement).first()
        if existing is not None:
            self.row_record_id = existing.pk
            return UNCHANGED
        event = StatusEvent(**statement)
        event.full_clean()
        event.save()  # the partnership's status, "since" and conflicts follow
        self.row_record_id = event.pk
        self.change("status_event", "", str(event))
        return CREATED
