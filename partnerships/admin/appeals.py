"""Admin for appeals and their signatories and supporters.

Texts an editor enters in German (an appeal's title, summary and full text, a role, an
organisation as named) have their English and Russian translations beside them; the
public pages show each reader the translation (``partnerships/models/appeals.py``).
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from partnerships.admin.base import RegistryInline, VersionedAdmin
from partnerships.models import Appeal, Signatory
from partnerships.models.appeals import Participation


class SignatoryInline(RegistryInline):
    model = Signatory
    extra = 1
    autocomplete_fields = ["municipality", "initiative"]
    fields = [
        "participation",
        "person_name",
        "role",
        "role_en",
        "role_ru",
        "organisation",
        "organisation_en",
        "organisation_ru",
        "organisation_kind",
        "municipality",
        "initiative",
        "is_published",
    ]


class UntranslatedFilter(admin.SimpleListFilter):
    """Signatures whose role or organisation English or Russian readers cannot read yet:
    an untranslated role is left out on those pages, an organisation shown as named."""

    title = _("By translation")
    parameter_name = "untranslated"

    def lookups(self, request, model_admin):
        return [("yes", _("role or organisation not translated"))]

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        role = (
            ~Q(role="") & Q(participation=Participation.SIGNATORY) & (Q(role_en="") | Q(role_ru=""))
        )
        organisation = (
            ~Q(organisation="")
            & Q(municipality__isnull=True, initiative__isnull=True)
            & (Q(organisation_en="") | Q(organisation_ru=""))
        )
        return queryset.filter(role | organisation)


@admin.register(Appeal)
class AppealAdmin(VersionedAdmin):
    list_display = ["title", "date", "publisher", "signatory_count", "is_published"]
    search_fields = ["title", "title_en", "title_ru", "publisher", "summary"]
    inlines = [SignatoryInline]
    fieldsets = [
        (None, {"fields": ["title", "date", "publisher", "url", "reported_signatories", "slug"]}),
        (_("Summary and text in German"), {"fields": ["summary", "full_text"]}),
        (_("In English"), {"fields": ["title_en", "summary_en", "full_text_en"]}),
        (_("In Russian"), {"fields": ["title_ru", "summary_ru", "full_text_ru"]}),
        (_("Publication"), {"fields": ["is_published"]}),
    ]

    def get_queryset(self, request):
        signed = Q(signatories__participation=Participation.SIGNATORY)
        return (
            super()
            .get_queryset(request)
            .annotate(n_signatories=Count("signatories", filter=signed))
        )

    @admin.display(description=_("signatories"), ordering="n_signatories")
    def signatory_count(self, obj: Appeal) -> int:
        return obj.n_signatories


@admin.register(Signatory)
class SignatoryAdmin(VersionedAdmin):
    list_display = [
        "__str__",
        "participation",
        "role",
        "organisation",
        "organisation_kind",
        "municipality",
        "appeal",
        "is_published",
    ]
    list_filter = [
        "participation",
        UntranslatedFilter,
        "organisation_kind",
        "appeal",
        "is_published",
    ]
    list_select_related = ["municipality", "appeal", "initiative"]
    search_fields = [
        "person_name",
        "organisation",
        "organisation_en",
        "organisation_ru",
        "municipality__name",
        "initiative__name",
    ]
    autocomplete_fields = ["municipality", "initiative"]
