"""A partnership between one German and one Russian partner, its sources and status history."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships.models.base import PublishedQuerySet, Record
from partnerships.models.claims import (
    CLAIMED_FIELDS,
    DatePrecision,
    Statement,
    conflicts,
    derived_status,
    derived_values,
)
from partnerships.vocabulary import Country, PartnershipKind, Status

FIRST_YEAR = 1900
LAST_YEAR = 2100


# Fields the rule derives that the public sees: a change of one is recorded in the history.
PUBLIC_DERIVED_FIELDS = {"status", "status_since", "kind", "kind_wording", "since_year"}
DERIVED_REASON = "derived from its sources"


# What a partnership is, as conditions: the QuerySet methods below filter by them, and the
# public list's facets count them (``PartnershipFilter.facets``), so a facet's count and the
# list it leads to can never disagree.
ACTIVE = models.Q(status=Status.ACTIVE)
SUSPENDED = models.Q(status=Status.SUSPENDED)
UNVERIFIED = models.Q(needs_verification=True)
STATUS_DATED = models.Q(status_since__isnull=False)
# A status is known, but no dated statement says since when (an unknown status is neither
# dated nor undated).
STATUS_UNDATED = models.Q(status_since__isnull=True) & ~models.Q(status=Status.UNKNOWN)
NO_CONFLICTS = models.Q(conflicts=[])
CONFLICTS_REVIEWED = ~NO_CONFLICTS & models.Q(conflicts=models.F("conflicts_reviewed"))


def has_published_initiative() -> models.Exists:
    """A published initiative carries the partnership (the row is a partnership)."""
    return models.Exists(published_initiative_links().filter(partnership=models.OuterRef("pk")))


def published_initiative_links() -> models.QuerySet:
    """The links between partnerships and the published initiatives that carry them."""
    return Partnership.initiatives.through.objects.filter(initiative__is_published=True)


class PartnershipQuerySet(PublishedQuerySet):
    def published(self):
        """Published partnerships whose two partners are published too.

        Whether both partners are published is kept on the row (``partners_published``,
        maintained by the database), so this needs no join to the municipalities.
        """
        return self.filter(is_published=True, partners_published=True)

    def active(self):
        return self.filter(ACTIVE)

    def suspended(self):
        return self.filter(SUSPENDED)

    def unverified(self):
        """Partnerships whose only source is uncertain, for editors to confirm."""
        return self.filter(UNVERIFIED)

    def verified(self):
        return self.exclude(UNVERIFIED)

    def status_dated(self):
        """A dated statement says since when the status holds."""
        return self.filter(STATUS_DATED)

    def status_undated(self):
        """A status is known, but no dated statement says since when."""
        return self.filter(STATUS_UNDATED)

    def with_published_initiative(self):
        return self.filter(has_published_initiative())

    def without_published_initiative(self):
        return self.exclude(has_published_initiative())

    def with_unresolved_conflicts(self):
        """Partnerships whose sources disagree in a way no editor has reviewed yet."""
        return self.exclude(NO_CONFLICTS).exclude(conflicts=models.F("conflicts_reviewed"))

    def with_reviewed_conflicts(self):
        return self.filter(CONFLICTS_REVIEWED)

    def without_conflicts(self):
        return self.filter(NO_CONFLICTS)


class Partnership(Record):
    """A link between a German and a Russian municipality (one per pair of partners).

    ``status`` is the status of the latest ``StatusEvent`` (kept in step on every event
    save), or ``unknown`` while no source has said anything.
    """

    german_partner = models.ForeignKey(
        "partnerships.Municipality",
        verbose_name=_("German partner"),
        on_delete=models.PROTECT,
        related_name="partnerships_as_german",
        limit_choices_to={"country": Country.GERMANY},
    )
    russian_partner = models.ForeignKey(
        "partnerships.Municipality",
        verbose_name=_("Russian partner"),
        on_delete=models.PROTECT,
        related_name="partnerships_as_russian",
        limit_choices_to={"country": Country.RUSSIA},
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnershipKind.choices, default=PartnershipKind.OFFICIAL
    )
    kind_wording = models.CharField(
        _("wording of the source"),
        max_length=200,
        blank=True,
        help_text=_("How the source calls the link, e.g. 'Städtefreundschaft'. Shown publicly."),
    )
    since_year = models.PositiveSmallIntegerField(
        _("established (year)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
    )
    established_on = models.DateField(
        _("established on"), null=True, blank=True, help_text=_("The date of the treaty, if known.")
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.UNKNOWN,
        editable=False,
        help_text=_("Follows from the latest status event."),
    )
    status_since = models.DateField(
        _("status since"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "From when the current status holds, by the dated status events; empty when no "
            "dated statement says it. Shown publicly."
        ),
    )
    status_since_precision = models.CharField(
        _("precision of 'status since'"),
        max_length=5,
        choices=DatePrecision.choices,
        blank=True,
        editable=False,
    )
    conflicts = models.JSONField(
        _("conflicting sources"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("What the sources disagree on (for editors; kept up to date)."),
    )
    conflicts_reviewed = models.JSONField(
        _("conflicts reviewed"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("The conflicts as an editor last reviewed them."),
    )
    decided_fields = models.JSONField(
        _("decided by an editor"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Fields an editor has set: imported files never change them."),
    )
    needs_verification = models.BooleanField(
        _("unverified"),
        default=False,
        help_text=_(
            "Set while the only source is uncertain (such as the 2016 Wikidata extract); "
            "shown publicly as unconfirmed."
        ),
    )
    last_verified = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("When an editor last checked this partnership against a current source."),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Shown publicly."))
    slug = models.SlugField(
        _("permalink"),
        max_length=250,
        unique=True,
        blank=True,
        help_text=_("Made from the partners' permalinks when left empty; never changes later."),
    )

    # Copies of what the public lists filter and count by, kept on the row by the database
    # (triggers of migration 0013: on every insert or update of a partnership, and on a
    # change of a partner's publication, region or kind), so that a list, its facets and
    # a search need no join to the municipalities. Never written by Django: whatever an
    # instance holds, the trigger sets them from the partners on save.
    partners_published = models.BooleanField(
        _("both partners published"), default=False, editable=False
    )
    german_partner_region = models.ForeignKey(
        "partnerships.Region",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("region of the German partner"),
    )
    russian_partner_region = models.ForeignKey(
        "partnerships.Region",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        editable=False,
        related_name="+",
        verbose_name=_("region of the Russian partner"),
    )
    german_partner_kind = models.CharField(
        _("kind of the German partner"), max_length=20, blank=True, editable=False
    )
    russian_partner_kind = models.CharField(
        _("kind of the Russian partner"), max_length=20, blank=True, editable=False
    )

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["german_partner__name", "russian_partner__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        constraints = [
            models.UniqueConstraint(
                fields=["german_partner", "russian_partner"],
                name="partnership_unique_pair",
                violation_error_message=_("These two partners already have a partnership."),
            ),
            models.CheckConstraint(
                condition=~models.Q(german_partner=models.F("russian_partner")),
                name="partnership_two_partners",
            ),
            models.CheckConstraint(
                condition=models.Q(since_year__isnull=True)
                | models.Q(since_year__gte=FIRST_YEAR, since_year__lte=LAST_YEAR),
                name="partnership_since_year_range",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="partnership_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=PartnershipKind.values), name="partnership_kind_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["kind"]),
            # "Has an active partnership" (filters.has_active_partnership) reads the active
            # partnerships' partners from these, index only, per partner.
            *(
                models.Index(
                    fields=[partner],
                    condition=models.Q(
                        is_published=True, partners_published=True, status=Status.ACTIVE
                    ),
                    name=f"partnership_active_{partner[:2]}",
                )
                for partner in ("german_partner", "russian_partner")
            ),
            # The public lists' facet counts (``filters.FacetedFilterSet.counts``) read every
            # column they filter, group and count by from this index alone (an index-only
            # scan): a fifth of the table's pages, which a scan of the table itself had to
            # read again from outside PostgreSQL's cache on every request (docs/PERFORMANCE.md,
            # "seventh session"). A column the counts read must be in it.
            models.Index(
                fields=["german_partner_region", "russian_partner_region", "kind", "status"],
                include=[
                    "since_year",
                    "status_since",
                    "german_partner_kind",
                    "russian_partner_kind",
                    "needs_verification",
                    "id",
                ],
                condition=models.Q(is_published=True, partners_published=True),
                name="partnership_public_facets",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.german_partner} – {self.russian_partner}"

    def get_absolute_url(self) -> str:
        return reverse("partnerships:partnership-detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        errors = {}
        german = self.german_partner if self.german_partner_id else None
        russian = self.russian_partner if self.russian_partner_id else None
        if german is not None and german.country != Country.GERMANY:
            errors["german_partner"] = _("The German partner must be a municipality in Germany.")
        if russian is not None and russian.country != Country.RUSSIA:
            errors["russian_partner"] = _("The Russian partner must be a municipality in Russia.")
        if self.established_on and self.since_year and self.established_on.year != self.since_year:
            errors["established_on"] = _("The date does not fall in the year established.")
        if errors:
            raise ValidationError(errors)

    def clean_fields(self, exclude=None) -> None:
        self.assign_slug()
        super().clean_fields(exclude)

    @staticmethod
    def slug_of(german_slug: str, russian_slug: str) -> str:
        """The permalink of a partnership from its partners' (also for imports)."""
        return f"{german_slug}--{russian_slug}"[:250]

    def assign_slug(self) -> None:
        if not self.slug and self.german_partner_id and self.russian_partner_id:
            self.slug = self.slug_of(self.german_partner.slug, self.russian_partner.slug)

    def save(self, *args, **kwargs) -> None:
        self.assign_slug()
        if self.established_on and not self.since_year:
            self.since_year = self.established_on.year
        super().save(*args, **kwargs)

    def statements(self) -> list[Statement]:
        return [event.as_statement() for event in self.status_events.all()]

    def refresh_status(self) -> None:
        """Status, "status since", year and conflicts from the claims and status events.

        The rule is ``claims.derived_status`` / ``claims.derived_values``; written without
        a new version (what the sources say is not an edit of the record).
        """
        statements = self.statements()
        claims = [claim.as_said() for claim in self.claims.all()]
        status, since, precision = derived_status(statements)
        fields = {
            "status": status,
            "status_since": since,
            "status_since_precision": precision,
            "conflicts": conflicts(claims, statements, self.decided_values()),
        }
        for name, value in derived_values(claims, statements).items():
            if name not in self.decided_fields:
                fields[name] = value
        changed = {name: value for name, value in fields.items() if getattr(self, name) != value}
        if changed:
            for name, value in changed.items():
                setattr(self, name, value)
            if self.pk:
                if set(changed) & PUBLIC_DERIVED_FIELDS:
                    # What the public sees changed: harvesters follow updated_at
                    # (the API's modified_since), so it moves too.
                    self.updated_at = changed["updated_at"] = timezone.now()
                type(self).objects.filter(pk=self.pk).update(**changed)
                if set(changed) & PUBLIC_DERIVED_FIELDS:
                    # A history row of its own (no new version: nobody edited the record),
                    # and whatever else answers a save (the cached pages go stale).
                    self._change_reason = DERIVED_REASON
                    models.signals.post_save.send(
                        sender=type(self),
                        instance=self,
                        created=False,
                        update_fields=set(changed),
                        raw=False,
                        using=self._state.db,
                    )
                    del self._change_reason

    def decided_values(self) -> dict:
        return {name: getattr(self, name) for name in self.decided_fields}

    def decide(self, field_names) -> None:
        """An editor set these fields: files no longer change them."""
        decided = sorted({*self.decided_fields, *(f for f in field_names if f in CLAIMED_FIELDS)})
        self.decided_fields = decided

    @property
    def has_unresolved_conflicts(self) -> bool:
        return bool(self.conflicts) and self.conflicts != self.conflicts_reviewed


class PartnershipSource(models.Model):
    """A source for a partnership: an address, a citation, or both."""

    history = HistoricalRecords(no_db_index=["partnership"])  # read by id and date only

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="sources", verbose_name=_("partnership")
    )
    url = models.URLField(_("address"), max_length=500, blank=True)
    citation = models.CharField(
        _("citation"),
        max_length=500,
        blank=True,
        help_text=_("For a source without an address, or what the address is."),
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(url="", citation=""), name="source_has_url_or_citation"
            ),
            models.UniqueConstraint(
                fields=["partnership", "url", "citation"], name="source_unique_per_partnership"
            ),
        ]

    def __str__(self) -> str:
        return " ".join(part for part in [self.url, self.citation] if part)


class StatusEvent(models.Model):
    """A dated change of a partnership's status: suspended, resumed, ended, confirmed."""

    history = HistoricalRecords(no_db_index=["partnership"])  # read by id and date only

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.CASCADE,
        related_name="status_events",
        verbose_name=_("partnership"),
    )
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        help_text=_("Date of the council decision or of the source; empty if the source has none."),
    )
    date_precision = models.CharField(
        _("precision"),
        max_length=5,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("Whether the source gives the day, only the month or only the year."),
    )
    status = models.CharField(
        _("new status"),
        max_length=10,
        choices=Status.choices,
        blank=True,
        help_text=_("Empty for a founding event (a treaty or agreement signed)."),
    )
    note = models.TextField(_("note"), blank=True, help_text=_("Shown publicly."))
    by_editor = models.BooleanField(
        _("editor's decision"),
        default=True,
        help_text=_(
            "Recorded by an editor: outranks what imported sources say. "
            "Off for statements taken from files."
        ),
    )
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = [models.F("date").asc(nulls_first=True), "recorded_at", "pk"]
        verbose_name = _("status event")
        verbose_name_plural = _("status events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[*Status.values, ""]),
                name="status_event_status_valid",
            ),
        ]

    def __str__(self) -> str:
        what = self.get_status_display() if self.status else _("founded")
        return f"{self.date or '?'}: {what}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.partnership.refresh_status()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.partnership.refresh_status()
        return result

    def as_statement(self) -> Statement:
        return Statement(
            self.date, self.date_precision, self.status, self.by_editor, self.source_url
        )
