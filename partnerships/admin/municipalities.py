"""Admin for regions, municipalities and their alternative names."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from partnerships.admin.base import RegistryAdmin, RegistryInline, VersionedAdmin, VersionedForm
from partnerships.importing.matching import close_municipalities
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


class MunicipalityForm(VersionedForm):
    """Warns before a second record of a town is made under another spelling."""

    confirm_new = forms.BooleanField(
        label=_("This is a different municipality"),
        required=False,
        help_text=_("Tick only if the municipalities named above are not this one."),
    )

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None or cleaned.get("confirm_new"):
            return cleaned
        names = [cleaned.get(f) for f in ("name", "name_de", "name_en", "name_ru")]
        duplicates = possible_duplicates([n for n in names if n], cleaned.get("country"))
        if duplicates:
            links = format_html_join(
                ", ",
                '<a href="{}" target="_blank">{} ({})</a>',
                (
                    (
                        reverse("admin:partnerships_municipality_change", args=[m.pk]),
                        m.name,
                        m.region.code if m.region else "?",
                    )
                    for m in duplicates
                ),
            )
            self.add_error(
                None,
                format_html(
                    "{} {}",
                    _("The registry already has a municipality of this name:"),
                    links,
                ),
            )
            self.add_error("confirm_new", _("Check the existing record first."))
        return cleaned


def possible_duplicates(names: list[str], country: str | None = None) -> list[Municipality]:
    """Municipalities with one of these names in any spelling, or a name close to one.

    The importers' engine (``importing.matching.close_municipalities``): what an import
    refuses as "did you mean …?", the admin asks about too.
    """
    return close_municipalities(names, country)[:10]


@admin.register(Municipality)
class MunicipalityAdmin(VersionedAdmin):
    form = MunicipalityForm
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            fieldsets = [*fieldsets, (_("Duplicate check"), {"fields": ["confirm_new"]})]
        return fieldsets

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
