"""What every registry record shares: publication state and timestamps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PublishedQuerySet(models.QuerySet):
    """Public vs editor data is decided here: every public view starts from ``published()``."""

    def published(self):
        return self.filter(is_published=True)


class Record(models.Model):
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Only published records are shown to the public; drafts are for editors."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True
