"""The editors' admin for every record of the registry.

Changelists select and prefetch what ``list_display`` shows, so a page runs a fixed
number of queries whatever the number of rows.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from partnerships.models import (
    AlternativeName,
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    Signatory,
    StatusEvent,
)

# An address typed without a scheme means https (Django 6's default, chosen now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class RegistryAdmin(admin.ModelAdmin):
    formfield_overrides = URL_FIELDS


class RegistryInline(admin.TabularInline):
    formfield_overrides = URL_FIELDS


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
class MunicipalityAdmin(RegistryAdmin):
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


class PartnershipSourceInline(RegistryInline):
    model = PartnershipSource
    extra = 1


class StatusEventInline(RegistryInline):
    model = StatusEvent
    extra = 1
    fields = ["date", "status", "note", "source_url"]


class InitiativeInline(RegistryInline):
    model = Initiative.partnerships.through
    extra = 0
    autocomplete_fields = ["initiative"]
    verbose_name = _("initiative")
    verbose_name_plural = _("initiatives carrying this partnership")


class VerificationFilter(admin.SimpleListFilter):
    """Partnerships whose only source is uncertain, for editors to confirm."""

    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("unverified", _("unverified")), ("verified", _("verified"))]

    def queryset(self, request, queryset):
        if self.value() == "unverified":
            return queryset.filter(needs_verification=True)
        if self.value() == "verified":
            return queryset.filter(needs_verification=False)
        return queryset


@admin.register(Partnership)
class PartnershipAdmin(RegistryAdmin):
    list_display = [
        "__str__",
        "german_region",
        "russian_region",
        "kind",
        "since_year",
        "status",
        "needs_verification",
        "last_verified",
        "is_published",
    ]
    list_filter = [
        "status",
        "kind",
        VerificationFilter,
        "is_published",
        ("german_partner__region", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = [
        "german_partner__region",
        "russian_partner__region",
    ]
    search_fields = [
        "german_partner__name",
        "german_partner__name_en",
        "russian_partner__name",
        "russian_partner__name_de",
        "russian_partner__name_en",
        "kind_wording",
    ]
    autocomplete_fields = ["german_partner", "russian_partner"]
    readonly_fields = ["status", "created_at", "updated_at"]
    inlines = [StatusEventInline, PartnershipSourceInline, InitiativeInline]
    fieldsets = [
        (None, {"fields": ["german_partner", "russian_partner", "kind", "kind_wording"]}),
        (_("History"), {"fields": ["since_year", "established_on", "status"]}),
        (_("Verification"), {"fields": ["needs_verification", "last_verified", "notes"]}),
        (_("Publication"), {"fields": ["is_published", "slug"]}),
        (_("Record"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("Land"), ordering="german_partner__region__code")
    def german_region(self, obj: Partnership):
        return obj.german_partner.region

    @admin.display(description=_("Russian region"), ordering="russian_partner__region__code")
    def russian_region(self, obj: Partnership):
        return obj.russian_partner.region

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.refresh_status()


@admin.register(Initiative)
class InitiativeAdmin(RegistryAdmin):
    list_display = ["name", "kind", "seat_display", "founded_year", "is_published"]
    list_filter = ["kind", "is_published"]
    list_select_related = ["seat"]
    search_fields = ["name", "seat_name", "seat__name", "description"]
    autocomplete_fields = ["seat", "partnerships"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("seat"), ordering="seat_name")
    def seat_display(self, obj: Initiative) -> str:
        return str(obj.seat) if obj.seat else obj.seat_name


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
class AppealAdmin(RegistryAdmin):
    list_display = ["title", "date", "publisher", "signatory_count", "is_published"]
    search_fields = ["title", "publisher", "summary"]
    inlines = [SignatoryInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_signatories=Count("signatories"))

    @admin.display(description=_("signatories"), ordering="n_signatories")
    def signatory_count(self, obj: Appeal) -> int:
        return obj.n_signatories


@admin.register(Signatory)
class SignatoryAdmin(RegistryAdmin):
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


@admin.register(StatusEvent)
class StatusEventAdmin(RegistryAdmin):
    list_display = ["partnership", "date", "status", "source_url", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["partnership__german_partner", "partnership__russian_partner"]
    search_fields = ["partnership__german_partner__name", "partnership__russian_partner__name"]
    autocomplete_fields = ["partnership"]


@admin.register(AlternativeName)
class AlternativeNameAdmin(RegistryAdmin):
    list_display = ["name", "kind", "language", "until_year", "municipality"]
    list_filter = ["kind", "language"]
    list_select_related = ["municipality"]
    search_fields = ["name", "municipality__name"]
    autocomplete_fields = ["municipality"]


@admin.register(PartnershipSource)
class PartnershipSourceAdmin(RegistryAdmin):
    list_display = ["partnership", "url", "citation"]
    list_select_related = ["partnership__german_partner", "partnership__russian_partner"]
    search_fields = ["url", "citation"]
    autocomplete_fields = ["partnership"]
