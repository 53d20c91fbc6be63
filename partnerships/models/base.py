"""What every registry record shares: publication state and timestamps."""

from __future__ import annotations

import functools

from django.db import models, transaction
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

DERIVED_FROM_PARTNERS = [
    "partners_published",
    "german_partner_region",
    "russian_partner_region",
    "german_partner_kind",
    "russian_partner_kind",
]


class NotInHistory:
    """What a history row answers for the columns it does not keep: nothing (``None``), the
    same in every version, so that comparing two versions field by field finds no change."""


for _name in ["partners_published", "german_partner_kind", "russian_partner_kind"]:
    setattr(NotInHistory, _name, None)
for _name in ["german_partner_region", "russian_partner_region"]:
    setattr(NotInHistory, f"{_name}_id", None)


class PublishedQuerySet(models.QuerySet):
    """Public vs editor data is decided here: every public view starts from ``published()``."""

    def published(self):
        return self.filter(is_published=True)


class StaleRecordError(Exception):
    """A save based on a version of the record that someone else has since changed."""


# The fields a history table keeps without the index the record's table has on them.
HISTORY_NOT_INDEXED = ["slug", "region", "geonames_id", "german_partner", "russian_partner"]


@functools.cache
def choice_labels(field: models.Field) -> dict:
    """A choice field's labels by value (lazy, translated when shown), built once."""
    return dict(field.flatchoices)


class Record(models.Model):
    is_published = models.BooleanField(
        _("published"),
        default=True,
        help_text=_("Only published records are shown to the public; drafts are for editors."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(
        _("version"),
        default=1,
        editable=False,
        help_text=_("Raised on every save; a save based on an older version is refused."),
    )

    objects = PublishedQuerySet.as_manager()

    # Who changed what, when, and the difference: every record keeps its history. The
    # columns the database copies from a partnership's partners (``Partnership``) are no
    # edit of the record and are not kept. A history table is read by record (``id``) and
    # date, never by slug, partner, region or GeoNames id: those copies of the record's
    # indexes would only slow every write (an import of 100,000 rows, issue 14).
    history = HistoricalRecords(
        inherit=True,
        excluded_fields=DERIVED_FROM_PARTNERS,
        bases=[NotInHistory, models.Model],
        no_db_index=HISTORY_NOT_INDEXED,
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        """Save, refusing to overwrite a newer version (optimistic locking).

        The conditional UPDATE of the version locks the row until the transaction ends,
        so of two concurrent saves of the same version exactly one succeeds.
        """
        if self._state.adding or self.pk is None:
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            moved = (
                type(self)
                ._base_manager.filter(pk=self.pk, version=self.version)
                .update(version=models.F("version") + 1)
            )
            if not moved:
                raise StaleRecordError(
                    f"{self._meta.verbose_name} {self.pk} was changed by someone else "
                    f"since version {self.version}"
                )
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
            super().save(*args, **kwargs)

    def _get_FIELD_display(self, field):
        """``get_<field>_display()`` from labels built once per field: Django's own builds
        the dictionary of all the field's choices, translating every label, on each call
        (a list page's 50 rows asked it 100 times: some 550 translations per page)."""
        value = getattr(self, field.attname)
        try:
            label = choice_labels(field).get(value, value)
        except TypeError:  # an unhashable value: Django's way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
