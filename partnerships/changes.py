"""Recent changes to published records, for the public page and its Atom feed.

Read from the history that django-simple-history keeps for every model. Only records that
are published now appear, and only what the public may see: what changed and when, never
who (editors' names and addresses stay in the admin).
"""

from __future__ import annotations

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


def _changes(model, limit: int, related: tuple[str, ...]) -> list[Change]:
    published = model.objects.published()
    entries = list(
        model.history.filter(id__in=published.values("pk")).order_by("-history_date")[:limit]
    )
    current = published.select_related(*related).in_bulk({entry.id for entry in entries})
    changes = []
    for entry in entries:
        record = current.get(entry.id)
        if record is None:
            continue
        fields: tuple[str, ...] = ()
        if entry.history_type == "~" and entry.prev_record is not None:
            delta = entry.diff_against(entry.prev_record)
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
