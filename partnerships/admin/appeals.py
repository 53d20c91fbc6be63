"""Admin for appeals and their signatories."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from partnerships.admin.base import RegistryInline, VersionedAdmin
from partnerships.models import Appeal, Signatory


class SignatoryInline(RegistryInline):
    model = Signatory
    extra = 1
    autocomplete_fields = ["municipality", "initiative"]
    fields = [
        "person_name",
        "role",
        "organisation",
        "organisation_kind",
        "municipality",
        "initiative",
        "is_published",
    ]


@admin.register(Appeal)
class AppealAdmin(VersionedAdmin):
    list_display = ["title", "date", "publisher", "signatory_count", "is_published"]
    search_fields = ["title", "publisher", "summary"]
    inlines = [SignatoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_signatories=Count("signatories"))

    @admin.display(description=_("signatories"), ordering="n_signatories")
    def signatory_count(self, obj: Appeal) -> int:
        return obj.n_signatories


@admin.register(Signatory)
class SignatoryAdmin(VersionedAdmin):
    list_display = [
        "person_name",
        "role",
        "organisation",
        "organisation_kind",
        "municipality",
        "appeal",
        "is_published",
    ]
    list_filter = ["organisation_kind", "appeal", "is_published"]
    list_select_related = ["municipality", "appeal", "initiative"]
    search_fields = ["person_name", "organisation", "municipality__name", "initiative__name"]
    autocomplete_fields = ["municipality", "initiative"]
