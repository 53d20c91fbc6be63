"""Admin for initiatives."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partnerships.admin.base import VersionedAdmin
from partnerships.models import Initiative


@admin.register(Initiative)
class InitiativeAdmin(VersionedAdmin):
    list_display = ["name", "kind", "seat_display", "founded_year", "is_published"]
    list_filter = ["kind", "is_published"]
    list_select_related = ["seat"]
    search_fields = ["name", "seat_name", "seat__name", "description"]
    autocomplete_fields = ["seat", "partnerships"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("seat"), ordering="seat_name")
    def seat_display(self, obj: Initiative) -> str:
        return str(obj.seat) if obj.seat else obj.seat_name
