"""Admin actions on partnerships: record a status change, mark as verified, publish.

Each action saves the selected partnerships one by one (not with a bulk UPDATE) so that
every change is versioned and recorded in the history with the editor's name.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnerships.models import StatusEvent
from partnerships.vocabulary import Status

VERIFICATION_PERIOD = datetime.timedelta(days=2 * 365)


class StatusChangeForm(forms.Form):
    """One status change for the selected partnerships, as a council decision records it."""

    status = forms.ChoiceField(
        label=_("new status"), choices=[c for c in Status.choices if c[0] != Status.UNKNOWN]
    )
    date = forms.DateField(
        label=_("date of the decision"),
        help_text=_("The date of the council decision or of the source (YYYY-MM-DD)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}))
    source_url = forms.URLField(label=_("source"), assume_scheme="https")

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date lies in the future."))
        return date


@admin.action(description=_("Record a status change (suspended, resumed, ended …)"))
def record_status_change(modeladmin, request, queryset):
    """Ask for the decision's date, note and source, then add one event per partnership."""
    if "apply" in request.POST:
        form = StatusChangeForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                for partnership in queryset.select_related(None).select_for_update():
                    StatusEvent.objects.create(partnership=partnership, **form.cleaned_data)
                    partnership.save()  # new version and history entry, status included
            count = queryset.count()
            modeladmin.message_user(
                request,
                ngettext(
                    "Recorded the status change for %(count)d partnership.",
                    "Recorded the status change for %(count)d partnerships.",
                    count,
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return None
    else:
        form = StatusChangeForm()
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Record a status change"),
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/partnerships/partnership/status_change.html", context)


@admin.action(description=_("Mark as verified today"))
def mark_verified(modeladmin, request, queryset):
    today = timezone.localdate()
    with transaction.atomic():
        for partnership in queryset.select_related(None).select_for_update():
            partnership.last_verified = today
            partnership.needs_verification = False
            partnership.save()
    modeladmin.message_user(
        request,
        ngettext(
            "%(count)d partnership marked as verified.",
            "%(count)d partnerships marked as verified.",
            queryset.count(),
        )
        % {"count": queryset.count()},
        messages.SUCCESS,
    )


@admin.action(description=_("Publish"))
def publish(modeladmin, request, queryset):
    _set_published(queryset, True)


@admin.action(description=_("Unpublish (make draft)"))
def unpublish(modeladmin, request, queryset):
    _set_published(queryset, False)


def _set_published(queryset, value: bool) -> None:
    with transaction.atomic():
        for record in queryset.select_related(None).select_for_update():
            if record.is_published != value:
                record.is_published = value
                record.save()


class NotVerifiedFilter(admin.SimpleListFilter):
    """Partnerships nobody has checked against a current source for two years (or ever)."""

    title = _("last verified")
    parameter_name = "verified_within"

    def lookups(self, request, model_admin):
        return [("overdue", _("not in the last two years")), ("recent", _("in the last two years"))]

    def queryset(self, request, queryset):
        cutoff = timezone.localdate() - VERIFICATION_PERIOD
        if self.value() == "overdue":
            return queryset.filter(Q(last_verified__isnull=True) | Q(last_verified__lt=cutoff))
        if self.value() == "recent":
            return queryset.filter(last_verified__gte=cutoff)
        return queryset


__all__ = [
    "NotVerifiedFilter",
    "mark_verified",
    "publish",
    "record_status_change",
    "unpublish",
]
