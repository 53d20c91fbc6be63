"""Admin for partnerships, their sources and status events.

Editors' worklists on the changelist: partnerships whose status no dated source dates
("status undated") and those whose sources disagree in a way nobody has reviewed yet
("conflicting sources"). The change page lists each conflict with every value and its
source; the action "Mark conflicting sources as reviewed" takes them off the worklist.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from partnerships.admin import actions, imports, reconciliation
from partnerships.admin.base import (
    EMPTY,
    RegistryAdmin,
    RegistryInline,
    VersionedAdmin,
    https_by_default,
)
from partnerships.changes import partial_date
from partnerships.models import Initiative, Partnership, PartnershipSource, StatusEvent
from partnerships.models.claims import DatePrecision
from partnerships.vocabulary import PartnershipKind, Status


class PartnershipSourceInline(RegistryInline):
    model = PartnershipSource
    extra = 1


def status_event_label(event: StatusEvent) -> str:
    """ "30 March 2022: suspended", at the precision of the date; "founded" for a founding
    event; marked when it comes from a file rather than from an editor."""
    when = partial_date(event.date, event.date_precision) or gettext("date not given")
    what = event.get_status_display() if event.status else gettext("founded (treaty signed)")
    label = f"{when}: {what}"
    if not event.by_editor:
        label += " · " + gettext("from an imported file")
    return label


FOUNDED = "founded"


class StatusEventForm(forms.ModelForm):
    """A status event; "founded (treaty signed)" is a choice of its own.

    The model stores a founding event as an empty status. Offered as the empty choice, it
    would be preselected in every new row: an editor who forgot to choose a status would
    record a founding event. So the empty choice means "not chosen" and is refused.
    """

    status = forms.ChoiceField(label=_("new status"))

    class Meta:
        model = StatusEvent
        fields = ["date", "date_precision", "status", "note", "source_url"]
        formfield_callback = https_by_default
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2, "cols": 28}),
            # A plain input: the admin's URL widget puts a full-length link above it.
            "source_url": forms.URLInput(attrs={"size": 28}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            ("", "---------"),
            (FOUNDED, gettext("founded (treaty signed)")),
            *Status.choices,
        ]
        if self.instance.pk is not None and not self.instance.status:
            self.initial["status"] = FOUNDED

    def clean_status(self) -> str:
        status = self.cleaned_data["status"]
        return "" if status == FOUNDED else status


class StatusEventInline(RegistryInline):
    """Status events in one narrow row each, so that the table fits a 1280 px screen."""

    model = StatusEvent
    form = StatusEventForm
    extra = 1
    # Whether an event comes from a file (not an editor's decision) is in its row's label.
    fields = ["date", "date_precision", "status", "note", "source_url"]
    row_label = staticmethod(status_event_label)


class InitiativeInline(RegistryInline):
    model = Initiative.partnerships.through
    extra = 0
    autocomplete_fields = ["initiative"]
    verbose_name = _("initiative")
    verbose_name_plural = _("initiatives carrying this partnership")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("initiative")

    def row_label(self, obj) -> str:
        return obj.initiative.name


class VerificationFilter(admin.SimpleListFilter):
    """Partnerships whose only source is uncertain, for editors to confirm."""

    title = _("verification")
    parameter_name = "verification"

    def lookups(self, request, model_admin):
        return [("unverified", _("unverified")), ("verified", _("verified"))]

    def queryset(self, request, queryset):
        if self.value() == "unverified":
            return queryset.unverified()
        if self.value() == "verified":
            return queryset.verified()
        return queryset


class StatusDateFilter(admin.SimpleListFilter):
    """Worklist: a status is known, but no dated statement says since when."""

    # The admin shows "By <title>" ("Nach …", "По …"): the title's own translation context.
    title = pgettext_lazy("filter title", "date of the status")
    parameter_name = "status_since"

    def lookups(self, request, model_admin):
        return [("undated", _("undated (worklist)")), ("dated", _("dated"))]

    def queryset(self, request, queryset):
        if self.value() == "undated":
            return queryset.status_undated()
        if self.value() == "dated":
            return queryset.status_dated()
        return queryset


class ConflictFilter(admin.SimpleListFilter):
    """Worklist: the sources disagree and no editor has reviewed the disagreement yet."""

    title = pgettext_lazy("filter title", "conflicting sources")
    parameter_name = "conflicts"

    def lookups(self, request, model_admin):
        return [
            ("unresolved", _("not reviewed (worklist)")),
            ("reviewed", _("reviewed")),
            ("none", _("none")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "unresolved":
            return queryset.with_unresolved_conflicts()
        if self.value() == "reviewed":
            return queryset.with_reviewed_conflicts()
        if self.value() == "none":
            return queryset.without_conflicts()
        return queryset


# What the sources disagree on, for the change page (Partnership.conflicts) ------------

CONFLICT_FIELDS = {
    "kind": _("kind"),
    "since_year": _("established (year)"),
}


def conflict_field_label(name: str, precisions: dict[datetime.date, str]) -> str:
    """ "kind", "since_year", "status" (undated statements) or "status 2022-03-30" (the
    statements of that date, shown at their precision), in the editor's language."""
    if name in CONFLICT_FIELDS:
        return str(CONFLICT_FIELDS[name])
    if name == "status":
        return gettext("status (undated statements)")
    if name.startswith("status "):
        day = name.removeprefix("status ")
        try:
            date = datetime.date.fromisoformat(day)
        except ValueError:
            return name
        when = partial_date(date, precisions.get(date, DatePrecision.DAY))
        return gettext("status as of %(date)s") % {"date": when}
    return name


def conflict_value_label(field: str, value: str) -> str:
    if field == "kind":
        return str(dict(PartnershipKind.choices).get(value, value))
    if field.startswith("status"):
        return str(dict(Status.choices).get(value, value))
    return value


def conflicts_html(conflicts: list[dict], precisions: dict[datetime.date, str]):
    """The conflicts as a list: per field, each value with the source that gives it."""
    if not conflicts:
        return EMPTY
    items = []
    for conflict in conflicts:
        field = conflict.get("field", "")
        values = format_html_join(
            "",
            "<li>{} <small>({})</small></li>",
            (
                (
                    conflict_value_label(field, value),
                    source or gettext("the status that holds now"),
                )
                for value, source in conflict.get("values", [])
            ),
        )
        items.append(
            format_html(
                "<li><strong>{}</strong><ul>{}</ul></li>",
                conflict_field_label(field, precisions),
                values,
            )
        )
    return format_html(
        '<ul class="conflicts">{}</ul>', format_html_join("", "{}", ((i,) for i in items))
    )


@admin.register(Partnership)
class PartnershipAdmin(VersionedAdmin):
    # The worklists' columns (status and its date, conflicts) first: the list is wider
    # than a 1280 px screen and scrolls sideways.
    list_display = [
        "__str__",
        "status_with_date",
        "conflict_flag",
        "kind",
        "since_year",
        "german_region",
        "russian_region",
        "needs_verification",
        "last_verified",
        "is_published",
    ]
    list_filter = [
        "status",
        StatusDateFilter,
        ConflictFilter,
        "kind",
        VerificationFilter,
        actions.NotVerifiedFilter,
        "is_published",
        ("german_partner__region", admin.RelatedOnlyFieldListFilter),
    ]
    actions = [
        actions.record_status_change,
        actions.mark_conflicts_reviewed,
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
    readonly_fields = [
        "status",
        "status_since_display",
        "conflicts_display",
        "decided_display",
        "created_at",
        "updated_at",
    ]
    inlines = [StatusEventInline, PartnershipSourceInline, InitiativeInline]
    # partnership/change_list.html with a link to the reconciliation with Wikidata.
    change_list_template = "admin/partnerships/reconciliation_change_list.html"

    class Media:
        css = {"all": ["css/admin.css"]}

    fieldsets = [
        (None, {"fields": ["german_partner", "russian_partner", "kind", "kind_wording"]}),
        (
            _("History"),
            {"fields": ["since_year", "established_on", "status", "status_since_display"]},
        ),
        (
            _("Sources disagree"),
            {
                "fields": ["conflicts_display", "decided_display"],
                "description": _(
                    "What the imported sources say differently. The registry shows the value "
                    "the rule derives; a field you change here is yours: files no longer change it."
                ),
            },
        ),
        (_("Verification"), {"fields": ["needs_verification", "last_verified", "notes"]}),
        (_("Publication"), {"fields": ["is_published", "slug"]}),
        (_("Record"), {"classes": ["collapse"], "fields": ["created_at", "updated_at"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.conflicts:
            # Nothing the sources disagree on: the section stays folded.
            fieldsets = [
                (name, {**options, "classes": ["collapse"]})
                if "conflicts_display" in options["fields"]
                else (name, options)
                for name, options in fieldsets
            ]
        return fieldsets

    @admin.display(description=_("Land"), ordering="german_partner__region__code")
    def german_region(self, obj: Partnership):
        return obj.german_partner.region

    @admin.display(description=_("Russian region"), ordering="russian_partner__region__code")
    def russian_region(self, obj: Partnership):
        return obj.russian_partner.region

    @admin.display(description=_("status since"), ordering="status_since")
    def status_since_display(self, obj: Partnership) -> str:
        return partial_date(obj.status_since, obj.status_since_precision) or EMPTY

    @admin.display(description=_("status"), ordering="status")
    def status_with_date(self, obj: Partnership):
        """The status and, beneath it, since when (one column: the list is wide enough)."""
        since = partial_date(obj.status_since, obj.status_since_precision)
        if not since:
            return obj.get_status_display()
        return format_html(
            "{}<br><small>{}</small>",
            obj.get_status_display(),
            gettext("since %(date)s") % {"date": since},
        )

    @admin.display(description=_("conflicts"))
    def conflict_flag(self, obj: Partnership):
        """A warning while the sources disagree and nobody has reviewed it."""
        if not obj.conflicts:
            return ""
        if not obj.has_unresolved_conflicts:
            return gettext("reviewed")
        count = len(obj.conflicts)
        return format_html(
            '<span class="conflict-flag" title="{}">⚠ {}</span>',
            ngettext(
                "The sources disagree on %(count)d point; not reviewed yet.",
                "The sources disagree on %(count)d points; not reviewed yet.",
                count,
            )
            % {"count": count},
            count,
        )

    @admin.display(description=_("conflicting sources"))
    def conflicts_display(self, obj: Partnership):
        if not obj.conflicts:
            return EMPTY
        # Dated statements give the precision of their date (day, month or year).
        precisions = {event.date: event.date_precision for event in obj.status_events.all()}
        html = conflicts_html(obj.conflicts, precisions)
        state = (
            gettext("Not reviewed yet.")
            if obj.has_unresolved_conflicts
            else gettext("Reviewed by an editor.")
        )
        return format_html("{}<p>{}</p>", html, state)

    @admin.display(description=_("decided by an editor"))
    def decided_display(self, obj: Partnership) -> str:
        names = [str(Partnership._meta.get_field(name).verbose_name) for name in obj.decided_fields]
        return ", ".join(names) or EMPTY

    def save_model(self, request, obj, form, change) -> None:
        # A field the editor set (kind, wording, year) is theirs: files no longer change it.
        obj.decide(form.changed_data)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        # What the status events saved with the form derive (status, "since", conflicts):
        # a history row of its own when the public sees a change (Partnership.refresh_status).
        form.instance.refresh_status()

    def get_urls(self):
        # import/: upload a file, preview every row, confirm (partnerships/admin/imports.py);
        # wikidata/: the reconciliation with Wikidata (partnerships/admin/reconciliation.py).
        return imports.urls(self) + reconciliation.urls(self) + super().get_urls()


@admin.register(StatusEvent)
class StatusEventAdmin(RegistryAdmin):
    list_display = [
        "partnership",
        "date",
        "date_precision",
        "status",
        "by_editor",
        "source_url",
        "recorded_at",
    ]
    list_filter = ["status", "by_editor", "date_precision"]
    list_select_related = ["partnership__german_partner", "partnership__russian_partner"]
    search_fields = ["partnership__german_partner__name", "partnership__russian_partner__name"]
    autocomplete_fields = ["partnership"]


@admin.register(PartnershipSource)
class PartnershipSourceAdmin(RegistryAdmin):
    list_display = ["partnership", "url", "citation"]
    list_select_related = ["partnership__german_partner", "partnership__russian_partner"]
    search_fields = ["url", "citation"]
    autocomplete_fields = ["partnership"]
