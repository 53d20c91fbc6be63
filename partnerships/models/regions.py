"""German Länder and Russian federal subjects, with their ISO 3166-2 codes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships.vocabulary import Country, RegionKind


class RegionQuerySet(models.QuerySet):
    def for_country(self, country: str):
        return self.filter(country=country)


class Region(models.Model):
    """A first-level subdivision: one of the 16 Länder or of Russia's federal subjects.

    Shipped with the project (data migration from ``partnerships/data/regions.csv``,
    codes checked against pycountry).
    """

    history = HistoricalRecords()

    code = models.CharField(
        _("ISO 3166-2 code"), max_length=6, unique=True, help_text=_("For example DE-BY or RU-KGD.")
    )
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=RegionKind.choices)
    name_de = models.CharField(_("German name"), max_length=100)
    name_ru = models.CharField(_("Russian name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100)
    aliases = models.TextField(
        _("other spellings"),
        blank=True,
        help_text=_("Spellings found in sources, separated by ' | '; used by the importers."),
    )

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["country", "name_de"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^(DE|RU)-[A-Z]{2,3}$")
                & models.Q(code__startswith=models.F("country")),
                name="region_code_iso_3166_2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.localized_name} ({self.code})"

    @staticmethod
    def name_field(language: str | None = None) -> str:
        """The field of the name in ``language`` (the reader's language by default), for
        queries that show, sort or export the name the reader sees."""
        language = (language or get_language() or "de")[:2]
        return {"ru": "name_ru", "en": "name_en"}.get(language, "name_de")

    @property
    def localized_name(self) -> str:
        return getattr(self, self.name_field()) or self.name_de

    def spellings(self) -> list[str]:
        extra = [alias.strip() for alias in self.aliases.split("|")]
        return [s for s in [self.name_de, self.name_en, self.name_ru, self.code, *extra] if s]
