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
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnerships.models import StatusEvent
from partnerships.models.claims import DatePrecision
from partnerships.vocabulary import Status

VERIFICATION_PERIOD = datetime.timedelta(days=2 * 365)


class StatusChangeForm(forms.Form):
    """One status change for the selected partnerships, as a council decision records it.

    No status is preselected: the editor chooses one (a default would be recorded by
    whoever submits without looking).
    """

    status = forms.ChoiceField(
        label=capfirst(_("new status")),
        choices=[("", "---------"), *[c for c in Status.choices if c[0] != Status.UNKNOWN]],
    )
    date = forms.DateField(
        label=capfirst(_("date of the decision")),
        help_text=_(
            "The date of the council decision or of the source. If the source gives only "
            "the month or the year, enter any day of it and choose the precision."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_precision = forms.ChoiceField(
        label=capfirst(_("precision")),
        choices=DatePrecision.choices,
        initial=DatePrecision.DAY,
        required=False,  # not given: the day (as before the precision was asked)
        help_text=_("Whether the source gives the day, only the month or only the year."),
    )
    note = forms.CharField(
        label=capfirst(_("note")),
        help_text=_("Shown publicly."),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )
    source_url = forms.URLField(
        label=capfirst(_("source")),
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 60}),
    )

    def clean(self):
        cleaned = super().clean()
        precision = cleaned["date_precision"] = cleaned.get("date_precision") or DatePrecision.DAY
        date = cleaned.get("date")
        if date is None:
            return cleaned
        # A month or a year counts from its first day (models/claims.py).
        if precision == DatePrecision.MONTH:
            date = date.replace(day=1)
        elif precision == DatePrecision.YEAR:
            date = date.replace(month=1, day=1)
        if date > timezone.localdate():
            self.add_error("date", _("The date lies in the future."))
        else:
            cleaned["date"] = date
        return cleaned


@admin.action(description=_("Record a status change (suspended, resumed, ended …)"))
def record_status_change(modeladmin, request, queryset):
    """Ask for the decision's date, note and source, then add one event per partnership."""
    if "apply" in request.POST:
        form = StatusChangeForm(request.POST)
        if form.is_valid():
            with transaction.atomic():
                for partnership in queryset.select_related(None).select_for_update():
                    # The status it derives gets a history row of its own (refresh_status).
                    StatusEvent.objects.create(partnership=partnership, **form.cleaned_data)
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
        "adminform": helpers.AdminForm(
            form, [(None, {"fields": list(form.fields)})], {}, model_admin=modeladmin
        ),
        "changelist_url": request.get_full_path(),
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "media": modeladmin.media,
    }
    return TemplateResponse(request, "admin/partnerships/partnership/status_change.html", context)


@admin.action(description=_("Mark conflicting sources as reviewed"))
def mark_conflicts_reviewed(modeladmin, request, queryset):
    """The editor has looked at what the sources disagree on: off the worklist, until the
    sources say something new. Saved record by record, so the history shows who did it."""
    count = 0
    with transaction.atomic():
        for partnership in queryset.select_related(None).select_for_update():
            if partnership.has_unresolved_conflicts:
                partnership.conflicts_reviewed = partnership.conflicts
                partnership.save()
                count += 1
    modeladmin.message_user(
        request,
        ngettext(
            "Marked the conflicting sources of %(count)d partnership as reviewed.",
            "Marked the conflicting sources of %(count)d partnerships as reviewed.",
            count,
        )
        % {"count": count},
        messages.SUCCESS,
    )


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
    "mark_conflicts_reviewed",
    "mark_verified",
    "publish",
    "record_status_change",
    "unpublish",
]
