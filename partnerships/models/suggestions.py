"""Corrections suggested by the public, for editors to review."""

from __future__ import annotations

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Suggestion(models.Model):
    """A correction someone sent from a public page; never published automatically.

    It points to the record whose page it was sent from. The sender's contact address is
    optional and only ever shown to editors.
    """

    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    page_url = models.CharField(_("page"), max_length=300)
    message = models.TextField(_("what should be corrected"), max_length=4000)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    sender_name = models.CharField(_("name"), max_length=200, blank=True)
    sender_email = models.EmailField(
        _("e-mail address"), blank=True, help_text=_("Only editors see it; never published.")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NEW
    )
    editor_note = models.TextField(_("editor's note"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suggested correction")
        verbose_name_plural = _("suggested corrections")
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["new", "accepted", "rejected"]),
                name="suggestion_status_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.page_url}: {self.message[:60]}"
