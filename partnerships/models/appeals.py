"""Appeals such as the German-Russian Forum's 2020 letter, and who signed them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerships.models.base import PublishedQuerySet, Record
from partnerships.vocabulary import OrganisationKind


class Appeal(Record):
    """A public appeal that representatives of municipalities and initiatives signed."""

    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(_("date"))
    publisher = models.CharField(_("publisher"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    full_text = models.TextField(_("full text"), blank=True)
    url = models.URLField(_("address"), max_length=500, blank=True)
    slug = models.SlugField(_("permalink"), max_length=120, unique=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%Y})"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:appeal-detail", kwargs={"slug": self.slug})


class SignatoryQuerySet(PublishedQuerySet):
    def published(self):
        """Published signatures of a published appeal."""
        return self.filter(is_published=True, appeal__is_published=True)


class Signatory(Record):
    """A person who signed an appeal, on behalf of a municipality, initiative or organisation."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("appeal")
    )
    person_name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role or title"), max_length=200, blank=True)
    organisation_kind = models.CharField(
        _("kind of organisation"),
        max_length=20,
        choices=OrganisationKind.choices,
        default=OrganisationKind.MUNICIPALITY,
    )
    municipality = models.ForeignKey(
        "partnerships.Municipality",
        verbose_name=_("on behalf of municipality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatories",
    )
    initiative = models.ForeignKey(
        "partnerships.Initiative",
        verbose_name=_("on behalf of initiative"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="signatories",
    )
    organisation = models.CharField(
        _("organisation as named"),
        max_length=300,
        blank=True,
        help_text=_("The organisation as the signature names it, e.g. 'Stadt Köln'."),
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)

    objects = SignatoryQuerySet.as_manager()

    class Meta:
        ordering = ["appeal", "person_name"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        constraints = [
            models.UniqueConstraint(
                fields=["appeal", "person_name", "organisation"],
                name="signatory_unique_per_appeal",
            ),
            models.CheckConstraint(
                condition=models.Q(municipality__isnull=False)
                | models.Q(initiative__isnull=False)
                | ~models.Q(organisation=""),
                name="signatory_on_behalf_of_someone",
                violation_error_message=_(
                    "Say on whose behalf: a municipality, an initiative or a named organisation."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.person_name

    @property
    def public_municipality(self):
        """The municipality signed for, if the public may see it."""
        municipality = self.municipality
        return municipality if municipality is not None and municipality.is_published else None

    @property
    def public_initiative(self):
        """The initiative signed for, if the public may see it."""
        initiative = self.initiative
        return initiative if initiative is not None and initiative.is_published else None

    def get_absolute_url(self) -> str:
        query = urlencode({"q": self.person_name})
        return f"{reverse('partnerships:signatory-list')}?{query}"
