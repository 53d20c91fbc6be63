"""Recent changes to published records, for the public page and its Atom feed.

Read from the history that django-simple-history keeps for every model. Only records that
are published now appear, and only what the public may see: what changed and when, never
who (editors' names and addresses stay in the admin).

A partnership's status is not edited on the partnership: it follows from its status
events (``Partnership.refresh_status``), which an editor records with the admin action
or the inline, or an import writes in bulk. So a status change is listed from the status
events' history, one entry per event recorded ("status changed to suspended on 30 March
2022"), with the event's date at its precision and its source; the partnership's own
history rows that differ only in the derived status fields are not listed again.
"""

from __future__ import annotations

import bisect
import datetime
import heapq
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, pgettext
from django.utils.translation import gettext_lazy as _

from partnerships.models import Initiative, Municipality, Partnership, Signatory, StatusEvent
from partnerships.models.claims import DatePrecision

CHANGE_KIND = {"+": _("added"), "~": _("changed"), "-": _("removed")}
# Fields the public does not need to see in a list of what changed.
INTERNAL_FIELDS = {
    "version",
    "updated_at",
    "created_at",
    "search_key",
    "search_names",
    "name_ru_origin",
    "name_en_origin",
    "gazetteer_names",
    "gazetteer_key",
    "conflicts",
    "conflicts_reviewed",
    "decided_fields",
}
# A date shown at the precision its source gives (templates/partnerships/_date.html
# does the same in the templates).
DATE_FORMATS = {
    DatePrecision.DAY: "DATE_FORMAT",
    DatePrecision.MONTH: "YEAR_MONTH_FORMAT",
    DatePrecision.YEAR: "Y",
}
# Languages that write a month's name in lower case within a date, but whose month names
# Django translates capitalised, as for a calendar's heading: Russian writes "март 2022 г."
# as it writes "30 марта 2022 г." (its DATE_FORMAT already gives the lower-case form).
MONTHS_IN_LOWER_CASE = {"ru"}


def partial_date(date: datetime.date | None, precision: str) -> str:
    """The date in the reader's language, cut to its precision: "30 March 2022",
    "April 2022" or "2022"; empty when there is no date."""
    if date is None:
        return ""
    text = date_format(date, DATE_FORMATS.get(precision, "DATE_FORMAT"))
    if precision == DatePrecision.MONTH and get_language() in MONTHS_IN_LOWER_CASE:
        text = text[:1].lower() + text[1:]
    return text


@dataclass(frozen=True)
class StatusNews:
    """What a status event says, for the list of changes: the new status (empty for a
    founding event), from when, and its source."""

    status: str
    status_label: str
    date: datetime.date | None
    precision: str
    source: str

    @property
    def source_host(self) -> str:
        """The source's host name ("example.org"), to name the link."""
        try:
            return urlsplit(self.source).hostname or ""
        except ValueError:  # an address that does not parse ("http://[")
            return ""

    @property
    def text(self) -> str:
        """One sentence in the reader's language ("status changed to suspended on 30 March
        2022", "... in April 2022"); for the page and the feed."""
        when = partial_date(self.date, self.precision)
        values = {"status": self.status_label, "date": when}
        # "in April 2022" and "in 2022" read differently in German ("im April 2022",
        # "im Jahr 2022"): the precision is the translation's context.
        if not self.status:
            if not when:
                return gettext("founded (treaty signed)")
            if self.precision == DatePrecision.MONTH:
                return pgettext("month", "founded (treaty signed) in %(date)s") % values
            if self.precision == DatePrecision.YEAR:
                return pgettext("year", "founded (treaty signed) in %(date)s") % values
            return gettext("founded (treaty signed) on %(date)s") % values
        if not when:
            return gettext("status changed to %(status)s (date not given)") % values
        if self.precision == DatePrecision.MONTH:
            return pgettext("month", "status changed to %(status)s in %(date)s") % values
        if self.precision == DatePrecision.YEAR:
            return pgettext("year", "status changed to %(status)s in %(date)s") % values
        return gettext("status changed to %(status)s on %(date)s") % values


@dataclass(frozen=True)
class RecentChange:
    when: datetime.datetime
    kind: str
    what: str
    title: str
    url: str
    fields: tuple[str, ...]
    status: StatusNews | None = None
    key: str = ""


def _title(record) -> str:
    """The record's current public title (never a name it had while it was a draft)."""
    if isinstance(record, Partnership):
        return f"{record.german_partner.display_name} – {record.russian_partner.display_name}"
    if isinstance(record, Municipality):
        return record.display_name
    if isinstance(record, Signatory):
        return str(record)  # the person, or for an unnamed supporter the organisation
    return record.name


def _previous_records(model, entries) -> dict[int, object]:
    """Per changed entry, the history row before it (``prev_record``), in one query.

    Asking each entry for its ``prev_record`` would cost one query per change listed.
    """
    changed = [entry for entry in entries if entry.history_type == "~"]
    if not changed:
        return {}
    rows = model.history.filter(
        id__in={entry.id for entry in changed},
        history_date__lt=max(entry.history_date for entry in changed),
    ).order_by("id", "history_date", "history_id")
    by_record: dict[int, list] = {}
    for row in rows:
        by_record.setdefault(row.id, []).append(row)
    previous = {}
    for entry in changed:
        earlier = by_record.get(entry.id, [])
        position = bisect.bisect_left([row.history_date for row in earlier], entry.history_date)
        if position:
            previous[entry.history_id] = earlier[position - 1]
    return previous


def _changes(model, limit: int, related: tuple[str, ...]) -> list[RecentChange]:
    published = model.objects.published()
    entries = list(
        model.history.filter(id__in=published.values("pk")).order_by("-history_date")[:limit]
    )
    current = published.select_related(*related).in_bulk({entry.id for entry in entries})
    previous = _previous_records(model, entries)
    changes = []
    for entry in entries:
        record = current.get(entry.id)
        if record is None:
            continue
        fields: tuple[str, ...] = ()
        prev_record = previous.get(entry.history_id)
        if entry.history_type == "~" and prev_record is not None:
            # Only editable fields are compared: a partnership's derived status fields
            # (status, status since) are not, and its status events report them.
            delta = entry.diff_against(prev_record)
            fields = tuple(
                str(model._meta.get_field(name).verbose_name)
                for name in delta.changed_fields
                if name not in INTERNAL_FIELDS
            )
            if not fields:
                continue
        changes.append(
            RecentChange(
                when=entry.history_date,
                kind=str(CHANGE_KIND[entry.history_type]),
                what=str(model._meta.verbose_name),
                title=_title(record),
                url=record.get_absolute_url(),
                fields=fields,
            )
        )
    return changes


def _status_changes(limit: int) -> list[RecentChange]:
    """The status events recorded lately for published partnerships, newest first.

    One entry per event recorded (admin action, inline or import: all of them write a
    history row "+"), with the event as it stands now (an editor's later correction of
    its date or source shows); an event deleted since is not listed. Two queries.
    """
    events = StatusEvent.objects.filter(partnership__in=Partnership.objects.published())
    entries = list(
        StatusEvent.history.filter(history_type="+", id__in=events.values("pk"))
        .order_by("-history_date")
        .only("history_id", "history_date", "id")[:limit]
    )
    current = events.select_related(
        "partnership__german_partner", "partnership__russian_partner"
    ).in_bulk({entry.id for entry in entries})
    changes = []
    what = str(Partnership._meta.verbose_name)
    for entry in entries:
        event = current.get(entry.id)
        if event is None:
            continue
        partnership = event.partnership
        changes.append(
            RecentChange(
                when=entry.history_date,
                kind=str(_("status changed")),
                what=what,
                title=_title(partnership),
                url=partnership.get_absolute_url(),
                fields=(),
                status=StatusNews(
                    status=event.status,
                    status_label=event.get_status_display() if event.status else "",
                    date=event.date,
                    precision=event.date_precision,
                    source=event.source_url,
                ),
                key=f"status-event-{event.pk}",
            )
        )
    return changes


def recent_changes(limit: int = 50) -> list[RecentChange]:
    """The latest changes across partnerships (their status events included),
    municipalities, initiatives, signatories."""
    sources = [
        (Partnership, ("german_partner", "russian_partner")),
        (Municipality, ()),
        (Initiative, ()),
        (Signatory, ()),
    ]
    merged = heapq.merge(
        *[_changes(model, limit, related) for model, related in sources],
        _status_changes(limit),
        key=lambda change: change.when,
        reverse=True,
    )
    return list(merged)[:limit]
