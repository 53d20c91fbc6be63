"""What every admin page of the registry shares: URL fields, no lost edits, history."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from partnerships.changes import partial_date

# An address typed without a scheme means https (Django 6's default, chosen now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


def https_by_default(db_field, **kwargs):
    """``formfield_callback`` of a ModelForm of our own: ``URL_FIELDS`` outside the admin."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


# Bookkeeping every save changes: not worth a line in the history's list of changes.
UNLISTED_HISTORY_FIELDS = {"version", "updated_at", "created_at", "search_key", "search_names"}
IMPORT_REASON_PREFIX = "import "  # partnerships/importing/base.py: reason or f"import {label}"
EMPTY = "–"
# Dates shown at the precision their source gives ("April 2022"): the field that says it.
PRECISION_OF = {"status_since": "status_since_precision", "date": "date_precision"}


def history_value(field: models.Field, value) -> str:
    """A field's value as an editor reads it in the history: labels of choices, "–" for
    nothing, yes/no, dates in the admin's language, long texts shortened."""
    if value is None or value == "" or value == []:
        return EMPTY
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        # Structured data (a partnership's conflicts): how many, the details are on the page.
        return ngettext("%(count)d entry", "%(count)d entries", len(value)) % {"count": len(value)}
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    return Truncator(formats.localize(value)).chars(100)


def related(record, field: models.ForeignKey):
    """The object a history row's foreign key points to; its key if it is gone."""
    try:
        return getattr(record, field.name)
    except ObjectDoesNotExist:
        return getattr(record, field.attname)


def history_changes(newer, older) -> list[dict[str, str]]:
    """What differs between two history rows of a record, field by field, named by the
    fields' (translated) names.

    Unlike django-simple-history's ``diff_against``, which compares editable fields only,
    this names the fields the registry derives too (a partnership's status and "status
    since", its conflicts), so a status change shows in the history.
    """
    changes = []
    for field in newer.instance_type._meta.concrete_fields:
        if field.name in UNLISTED_HISTORY_FIELDS or field.primary_key:
            continue
        old, new = getattr(older, field.attname), getattr(newer, field.attname)
        if old == new:
            continue
        if isinstance(field, models.ForeignKey):
            old, new = related(older, field), related(newer, field)
        if field.name in PRECISION_OF:
            precision = PRECISION_OF[field.name]
            old = partial_date(old, getattr(older, precision, "")) or EMPTY
            new = partial_date(new, getattr(newer, precision, "")) or EMPTY
        changes.append(
            {
                "field": capfirst(field.verbose_name),
                "old": history_value(field, old),
                "new": history_value(field, new),
            }
        )
    return changes


def history_reason(record) -> str:
    """Why a version was made: the reason given, the file an import read, or "–"."""
    reason = record.history_change_reason or ""
    if reason.startswith(IMPORT_REASON_PREFIX):
        return gettext("Import of %(file)s") % {"file": reason[len(IMPORT_REASON_PREFIX) :]}
    return reason or EMPTY


class VersionedForm(forms.ModelForm):
    """Carries the version the editor started from; a save based on an older one is refused.

    When two editors open the same record and both save, the second save fails with a
    message and a link to the newer version instead of silently overwriting it.
    """

    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # The version stored now: restoring an old version from the history edits
            # the current record, so that is the version the editor is looking at.
            model = type(self.instance)
            current = model._base_manager.filter(pk=self.instance.pk).values_list(
                "version", flat=True
            )
            self.fields["version_seen"].initial = current.first()

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None:
            return cleaned
        seen = cleaned.get("version_seen")
        current = (
            type(instance)._base_manager.filter(pk=instance.pk).values_list("version", flat=True)
        )
        current = current.first()
        if seen is None or current is None or seen != current:
            url = reverse(
                f"admin:{instance._meta.app_label}_{instance._meta.model_name}_change",
                args=[instance.pk],
            )
            raise forms.ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _(
                        "Someone else saved this record while you were editing it "
                        "(your version {seen}, now {current}). Your changes were not saved."
                    ).format(seen=seen, current=current),
                    url,
                    _("Open the newer version"),
                ),
                code="stale",
            )
        # Save exactly on top of the version the editor saw (the model re-checks it).
        instance.version = seen
        return cleaned


class RegistryAdmin(SimpleHistoryAdmin):
    """Base admin: history with restore, https by default, no hard delete for editors."""

    formfield_overrides = URL_FIELDS
    # The history list with translated column titles, "–" for no reason or no editor,
    # an import named by its file and every changed field named.
    object_history_list_template = "admin/partnerships/object_history_list.html"

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        """Per history row on the page: what changed against the row before, and why."""
        records = list(historical_records)
        # The oldest row on the page is compared with the row before it (on the next page).
        before = records[-1].prev_record if records else None
        for newer, older in zip(records, [*records[1:], before], strict=True):
            newer.reason_display = history_reason(newer)
            if older is not None and newer.history_type != "+":
                newer.history_delta_changes = history_changes(newer, older)

    def has_delete_permission(self, request, obj=None) -> bool:
        """Only superusers delete; editors unpublish or end records instead."""
        return request.user.is_superuser and super().has_delete_permission(request, obj)


class VersionedAdmin(RegistryAdmin):
    """Admin of a versioned record: the change form carries the version it was read at."""

    form = VersionedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            fieldsets.append((None, {"fields": ["version_seen"], "classes": ["hidden"]}))
        return fieldsets


class RegistryInline(admin.TabularInline):
    """A tabular inline whose rows are labelled by ``row_label`` (the record's name).

    Django labels a saved row with ``str()`` of its record, which for the automatic
    through model of a many-to-many field is "Initiative_partnerships object (30)".
    """

    formfield_overrides = URL_FIELDS
    template = "admin/partnerships/edit_inline/tabular.html"

    def row_label(self, obj) -> str:
        return str(obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        label = self.row_label

        class LabelledFormSet(formset):
            def _construct_form(self, i, **kwargs):
                form = super()._construct_form(i, **kwargs)
                if form.instance.pk is not None:
                    form.row_label = label(form.instance)
                return form

        return LabelledFormSet
