"""Recent changes to published records, for the public page and its Atom feed.

Read from the history that django-simple-history keeps for every model. Only records that
are published now appear, and only what the public may see: what changed and when, never
who (editors' names and addresses stay in the admin).
"""

from __future__ import annotations

import bisect
import datetime
import heapq
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from partnerships.models import Initiative, Municipality, Partnership, Signatory

CHANGE_KIND = {"+": _("added"), "~": _("changed"), "-": _("removed")}
# Fields the public does not need to see in a list of what changed.
INTERNAL_FIELDS = {"version", "updated_at", "created_at", "search_key", "search_names"}


@dataclass(frozen=True)
class Change:
    when: datetime.datetime
    kind: str
    what: str
    title: str
    url: str
    fields: tuple[str, ...]


def _title(record) -> str:
    """The record's current public title (never a name it had while it was a draft)."""
    if isinstance(record, Partnership):
        return f"{record.german_partner.display_name} – {record.russian_partner.display_name}"
    if isinstance(record, Municipality):
        return record.display_name
    if isinstance(record, Signatory):
        return record.person_name
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


def _changes(model, limit: int, related: tuple[str, ...]) -> list[Change]:
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
            delta = entry.diff_against(prev_record)
            fields = tuple(
                str(model._meta.get_field(name).verbose_name)
                for name in delta.changed_fields
                if name not in INTERNAL_FIELDS
            )
            if not fields:
                continue
        changes.append(
            Change(
                when=entry.history_date,
                kind=str(CHANGE_KIND[entry.history_type]),
                what=str(model._meta.verbose_name),
                title=_title(record),
                url=record.get_absolute_url(),
                fields=fields,
            )
        )
    return changes


def recent_changes(limit: int = 50) -> list[Change]:
    """The latest changes across partnerships, municipalities, initiatives, signatories."""
    sources = [
        (Partnership, ("german_partner", "russian_partner")),
        (Municipality, ()),
        (Initiative, ()),
        (Signatory, ()),
    ]
    merged = heapq.merge(
        *[_changes(model, limit, related) for model, related in sources],
        key=lambda change: change.when,
        reverse=True,
    )
    return list(merged)[:limit]
