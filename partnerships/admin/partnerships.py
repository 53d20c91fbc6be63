"""Admin for partnerships, their sources and status events."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from partnerships.admin import actions, imports
from partnerships.admin.base import RegistryAdmin, RegistryInline, VersionedAdmin
from partnerships.models import Initiative, Partnership, PartnershipSource, StatusEvent


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
class PartnershipAdmin(VersionedAdmin):
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
        actions.NotVerifiedFilter,
        "is_published",
        ("german_partner__region", admin.RelatedOnlyFieldListFilter),
    ]
    actions = [
        actions.record_status_change,
        actions.mark_verified,
        actions.publish,
        actions.unpublish,
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

    def get_urls(self):
        # import/: upload a file, preview every row, confirm (partnerships/admin/imports.py).
        return imports.urls(self) + super().get_urls()


@admin.register(StatusEvent)
class StatusEventAdmin(RegistryAdmin):
    list_display = ["partnership", "date", "status", "source_url", "recorded_at"]
    list_filter = ["status"]
    list_select_related = ["partnership__german_partner", "partnership__russian_partner"]
    search_fields = ["partnership__german_partner__name", "partnership__russian_partner__name"]
    autocomplete_fields = ["partnership"]


@admin.register(PartnershipSource)
class PartnershipSourceAdmin(RegistryAdmin):
    list_display = ["partnership", "url", "citation"]
    list_select_related = ["partnership__german_partner", "partnership__russian_partner"]
    search_fields = ["url", "citation"]
    autocomplete_fields = ["partnership"]
