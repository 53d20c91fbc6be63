"""Admin for regions, municipalities and their alternative names."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from partnerships.admin.base import RegistryAdmin, RegistryInline, VersionedAdmin
from partnerships.models import AlternativeName, Municipality, Region


@admin.register(Region)
class RegionAdmin(RegistryAdmin):
    list_display = ["code", "name_de", "name_ru", "name_en", "kind", "country"]
    list_filter = ["country", "kind"]
    search_fields = ["code", "name_de", "name_ru", "name_en", "aliases"]
    ordering = ["code"]


class AlternativeNameInline(RegistryInline):
    model = AlternativeName
    extra = 1


@admin.register(Municipality)
class MunicipalityAdmin(VersionedAdmin):
    list_display = [
        "name",
        "name_de",
        "name_en",
        "country",
        "kind",
        "region",
        "official_code",
        "wikidata_id",
        "partnership_count",
        "is_published",
    ]
    list_filter = ["country", "kind", "is_published", ("region", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["region"]
    search_fields = ["name", "name_de", "name_en", "name_ru", "alternative_names__name", "slug"]
    autocomplete_fields = ["region"]
    inlines = [AlternativeNameInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["country", "kind", "region", "name", "name_de", "name_en", "name_ru"]}),
        (
            _("Identifiers and place"),
            {"fields": ["official_code", "wikidata_id", "latitude", "longitude", "website"]},
        ),
        (_("Public text"), {"fields": ["notes", "sources"]}),
        (_("Publication"), {"fields": ["is_published", "slug"]}),
        (_("Record"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_partnerships=Count("partnerships_as_german", distinct=True)
                + Count("partnerships_as_russian", distinct=True)
            )
        )

    @admin.display(description=_("partnerships"), ordering="n_partnerships")
    def partnership_count(self, obj: Municipality) -> int:
        return obj.n_partnerships

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # Alternative names are part of the search key.
        form.instance.save(update_fields=["search_key", "search_names"])


@admin.register(AlternativeName)
class AlternativeNameAdmin(RegistryAdmin):
    list_display = ["name", "kind", "language", "until_year", "municipality"]
    list_filter = ["kind", "language"]
    list_select_related = ["municipality"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]
