"""What every admin page of the registry shares: URL fields, no lost edits, history."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db import models
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

# An address typed without a scheme means https (Django 6's default, chosen now).
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


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
    formfield_overrides = URL_FIELDS
