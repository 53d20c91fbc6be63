"""Admin for corrections suggested by the public.

Suggestions arrive only through the public form, so editors cannot add them here; what the
sender wrote stays as sent. Editors set the status (and a note) and correct the record
itself; the actions save each suggestion one by one so the history records who decided.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnerships.admin.base import RegistryAdmin
from partnerships.models import Suggestion


def _set_status(modeladmin, request, queryset, status: str, message) -> None:
    count = 0
    with transaction.atomic():
        for suggestion in queryset.select_for_update():
            if suggestion.status != status:
                suggestion.status = status
                suggestion.save()  # one history entry per suggestion, with the editor
                count += 1
    modeladmin.message_user(request, message(count) % {"count": count}, messages.SUCCESS)


@admin.action(description=_("Mark as accepted"), permissions=["change"])
def mark_accepted(modeladmin, request, queryset):
    _set_status(
        modeladmin,
        request,
        queryset,
        Suggestion.Status.ACCEPTED,
        lambda n: ngettext(
            "Marked %(count)d suggestion as accepted.",
            "Marked %(count)d suggestions as accepted.",
            n,
        ),
    )


@admin.action(description=_("Mark as rejected"), permissions=["change"])
def mark_rejected(modeladmin, request, queryset):
    _set_status(
        modeladmin,
        request,
        queryset,
        Suggestion.Status.REJECTED,
        lambda n: ngettext(
            "Marked %(count)d suggestion as rejected.",
            "Marked %(count)d suggestions as rejected.",
            n,
        ),
    )


@admin.register(Suggestion)
class SuggestionAdmin(RegistryAdmin):
    list_display = ["created_at", "status", "page_link", "message_excerpt", "sender"]
    list_display_links = ["created_at"]
    list_filter = ["status"]
    search_fields = ["message", "page_url"]
    date_hierarchy = "created_at"
    actions = [mark_accepted, mark_rejected]
    fields = [
        "created_at",
        "page_link",
        "record_link",
        "message",
        "source_link",
        "sender_name",
        "sender_email",
        "status",
        "editor_note",
    ]
    # What the reader sent stays as sent: the editor sets only the status and a note.
    readonly_fields = [name for name in fields if name not in ("status", "editor_note")]

    def has_add_permission(self, request) -> bool:
        """Suggestions come from the public form only."""
        return False

    @admin.display(description=_("page"), ordering="page_url")
    def page_link(self, obj: Suggestion):
        return format_html('<a href="{}">{}</a>', obj.page_url, obj.page_url)

    @admin.display(description=_("what should be corrected"))
    def message_excerpt(self, obj: Suggestion) -> str:
        return Truncator(obj.message).chars(80)

    @admin.display(description=_("sender"))
    def sender(self, obj: Suggestion) -> str:
        parts = [obj.sender_name, f"<{obj.sender_email}>" if obj.sender_email else ""]
        return " ".join(part for part in parts if part) or "–"

    @admin.display(description=_("source"))
    def source_link(self, obj: Suggestion):
        if not obj.source_url:
            return "–"
        return format_html(
            '<a href="{}" rel="nofollow noopener noreferrer">{}</a>', obj.source_url, obj.source_url
        )

    @admin.display(description=_("record"))
    def record_link(self, obj: Suggestion):
        """The record in the admin, where editors make the correction."""
        record = obj.record
        if record is None:
            return _("(deleted)")
        opts = record._meta
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        except NoReverseMatch:
            return str(record)
        return format_html('<a href="{}">{}: {}</a>', url, opts.verbose_name, record)
