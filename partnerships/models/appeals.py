"""Appeals such as the German-Russian Forum's 2020 letter, and who signed them."""

from __future__ import annotations

from typing import NamedTuple
from urllib.parse import urlencode

from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from partnerships.models.base import PublishedQuerySet, Record
from partnerships.vocabulary import OrganisationKind

# The language an appeal and its signatures are recorded in first (the letters are
# German); English and Russian are the translations beside it.
ORIGINAL_LANGUAGE = "de"


def reader_language() -> str:
    return (get_language() or ORIGINAL_LANGUAGE)[:2]


class InLanguage(NamedTuple):
    """A text as shown to the reader, and the language it is in (for ``lang``)."""

    text: str
    language: str

    def __str__(self) -> str:
        return self.text


class Appeal(Record):
    """A public appeal that representatives of municipalities and initiatives signed.

    Title, publisher, summary and full text are kept in German (as published) and in
    English and Russian: each reader sees them in the interface's language
    (``in_language``).
    """

    title = models.CharField(_("title"), max_length=300, help_text=_("In German, as published."))
    title_en = models.CharField(_("title in English"), max_length=300, blank=True)
    title_ru = models.CharField(_("title in Russian"), max_length=300, blank=True)
    date = models.DateField(_("date"))
    publisher = models.CharField(_("publisher"), max_length=200, help_text=_("In German."))
    publisher_en = models.CharField(_("publisher in English"), max_length=200, blank=True)
    publisher_ru = models.CharField(_("publisher in Russian"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("In German; shown publicly."))
    summary_en = models.TextField(_("summary in English"), blank=True)
    summary_ru = models.TextField(_("summary in Russian"), blank=True)
    full_text = models.TextField(_("full text"), blank=True, help_text=_("In German."))
    full_text_en = models.TextField(_("full text in English"), blank=True)
    full_text_ru = models.TextField(_("full text in Russian"), blank=True)
    url = models.URLField(
        _("address"), max_length=500, blank=True, help_text=_("Where the letter is published.")
    )
    reported_signatories = models.PositiveIntegerField(
        _("signatories reported"),
        null=True,
        blank=True,
        help_text=_(
            "The publisher reports more than this many signatories (the 2020 appeal: 100); "
            "the page says how many of them the registry records."
        ),
    )
    slug = models.SlugField(_("permalink"), max_length=120, unique=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")

    def __str__(self) -> str:
        return f"{self.localized_title} ({self.date:%Y})"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:appeal-detail", kwargs={"slug": self.slug})

    def in_language(self, field: str) -> InLanguage:
        """``field`` (title, publisher, summary, full_text) in the reader's language.

        Where no translation is recorded yet, the German original is shown, marked as
        German, rather than nothing.
        """
        language = reader_language()
        if language != ORIGINAL_LANGUAGE:
            translated = getattr(self, f"{field}_{language}", "")
            if translated:
                return InLanguage(translated, language)
        return InLanguage(getattr(self, field), ORIGINAL_LANGUAGE)

    @property
    def localized_title(self) -> InLanguage:
        return self.in_language("title")

    @property
    def localized_publisher(self) -> InLanguage:
        return self.in_language("publisher")

    @property
    def localized_summary(self) -> InLanguage:
        return self.in_language("summary")

    @property
    def localized_full_text(self) -> InLanguage:
        return self.in_language("full_text")


class SignatoryQuerySet(PublishedQuerySet):
    def published(self):
        """Published signatures of a published appeal."""
        return self.filter(is_published=True, appeal__is_published=True)


class Participation(models.TextChoices):
    """How someone took part in an appeal: signed it, or publicly supported it."""

    SIGNATORY = "signatory", _("signatory")
    SUPPORTER = "supporter", _("supporter (not a signatory)")


# How a source's role cell says that an organisation supported the appeal without
# signing it ("unterstützt den Aufruf (Unterstützer, nicht Unterzeichner)").
SUPPORTER_WORDING = ("unterstützt", "unterstützer", "supporter", "supports", "поддерж")


def participation_of(role: str) -> str:
    """Supporter where the role says the appeal was supported, not signed."""
    folded = role.casefold()
    return (
        Participation.SUPPORTER
        if any(word in folded for word in SUPPORTER_WORDING)
        else Participation.SIGNATORY
    )


class Signatory(Record):
    """A person who signed an appeal, on behalf of a municipality, initiative or
    organisation; or an organisation that supported it publicly without signing.

    Role and organisation are kept as the source gives them (German) and in English and
    Russian. A reader sees the role in the interface's language only (a role is a word
    of the language, not a name: untranslated, it is left out); the organisation in the
    reader's language, else as the linked municipality's or initiative's public name,
    else as named (``localized_organisation``).
    """

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("appeal")
    )
    participation = models.CharField(
        _("participation"),
        max_length=10,
        choices=Participation.choices,
        default=Participation.SIGNATORY,
        help_text=_("A supporter backed the appeal publicly but is not among its signatories."),
    )
    person_name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("The person who signed; empty for an organisation that supports it."),
    )
    role = models.CharField(
        _("role or title"),
        max_length=200,
        blank=True,
        help_text=_("In German, as the source gives it (e.g. 'Oberbürgermeisterin')."),
    )
    role_en = models.CharField(_("role in English"), max_length=200, blank=True)
    role_ru = models.CharField(_("role in Russian"), max_length=200, blank=True)
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
        help_text=_(
            "The organisation as the signature names it, e.g. 'Stadt Köln' (shown in German). "
            "English and Russian pages show its translation, else the linked municipality's "
            "or initiative's name."
        ),
    )
    organisation_en = models.CharField(_("organisation in English"), max_length=300, blank=True)
    organisation_ru = models.CharField(_("organisation in Russian"), max_length=300, blank=True)
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
                condition=~models.Q(person_name="")
                | models.Q(participation=Participation.SUPPORTER),
                name="signatory_has_a_name",
                violation_error_message=_(
                    "A signatory needs a name; only a supporter may be unnamed."
                ),
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
        return self.person_name or self.organisation

    @property
    def is_supporter(self) -> bool:
        return self.participation == Participation.SUPPORTER

    @property
    def localized_role(self) -> str:
        """The role in the reader's language; empty where it is not translated yet."""
        language = reader_language()
        if language == ORIGINAL_LANGUAGE:
            return self.role
        return getattr(self, f"role_{language}", "")

    @property
    def localized_organisation(self) -> InLanguage:
        """On whose behalf, in the reader's language: in German as the signature names it
        ("Stadt Köln"); in English and Russian the recorded translation, else the linked
        municipality's or initiative's public name ("Cologne", "Кёльн"), else as named
        (an organisation's own name, marked as German)."""
        language = reader_language()
        if language == ORIGINAL_LANGUAGE and self.organisation:
            return InLanguage(self.organisation, ORIGINAL_LANGUAGE)
        translated = getattr(self, f"organisation_{language}", "")
        if translated:
            return InLanguage(translated, language)
        if self.public_municipality is not None:
            return InLanguage(self.public_municipality.display_name, "")
        if self.public_initiative is not None:
            return InLanguage(self.public_initiative.name, "")
        return InLanguage(self.organisation, ORIGINAL_LANGUAGE if self.organisation else "")

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
        query = urlencode({"q": self.person_name or self.organisation})
        return f"{reverse('partnerships:signatory-list')}?{query}"
