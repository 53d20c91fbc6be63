"""Groups that carry partnership work: associations, schools, churches, foundations."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.models.base import PublishedQuerySet, Record
from partnerships.vocabulary import InitiativeKind


class InitiativeQuerySet(PublishedQuerySet):
    pass


class Initiative(Record):
    """An association, school, church, foundation or other group carrying partnerships."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=InitiativeKind.choices)
    seat = models.ForeignKey(
        "partnerships.Municipality",
        verbose_name=_("seat"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        help_text=_("The municipality where the group is based, if it is in the registry."),
    )
    seat_name = models.CharField(
        _("seat as written"),
        max_length=200,
        blank=True,
        help_text=_("The place as the source writes it; used where it is not in the registry."),
    )
    partnerships = models.ManyToManyField(
        "partnerships.Partnership",
        verbose_name=_("partnerships"),
        related_name="initiatives",
        blank=True,
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    founded_year = models.PositiveSmallIntegerField(
        _("founded (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    description = models.TextField(_("description"), blank=True, help_text=_("Shown publicly."))
    contact_email = models.EmailField(
        _("contact address"),
        blank=True,
        help_text=_("A role address such as info@…, never a private person's; shown publicly."),
    )
    sources = models.TextField(_("sources"), blank=True, help_text=_("One address per line."))
    slug = models.SlugField(_("permalink"), max_length=120, unique=True)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        constraints = [
            models.UniqueConstraint(
                fields=["name", "seat_name"], name="initiative_unique_name_per_seat"
            ),
            models.CheckConstraint(
                condition=models.Q(founded_year__isnull=True)
                | models.Q(founded_year__gte=1800, founded_year__lte=2100),
                name="initiative_founded_year_range",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=InitiativeKind.values), name="initiative_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:initiative-detail", kwargs={"slug": self.slug})

    @property
    def public_seat(self):
        """The seat's record if the public may see it (a draft seat shows as written)."""
        seat = self.seat
        return seat if seat is not None and seat.is_published else None

    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]
