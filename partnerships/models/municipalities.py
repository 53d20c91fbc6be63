"""Anything that can be a partner: towns, districts, city districts, rayons, whole regions."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships import search
from partnerships.models.base import PublishedQuerySet, Record
from partnerships.transcription import transcribe
from partnerships.vocabulary import LEVEL_OF_KIND, Country, MunicipalityKind

# AGS: 2 digits for a Land, 5 for a Kreis, 8 for a Gemeinde, 9 for an Amt/Gemeindeverband.
AGS_PATTERN = r"^([0-9]{2}|[0-9]{5}|[0-9]{8}|[0-9]{9})$"
# OKTMO: 8 digits for a municipal district or okrug, 11 for a settlement.
OKTMO_PATTERN = r"^([0-9]{8}|[0-9]{11})$"
QID_PATTERN = r"^Q[1-9][0-9]*$"


def search_rank(text: str, prefix: str = "") -> models.Expression:
    """How well a municipality (through ``prefix``, e.g. ``german_partner__``) matches.

    0: one of its names exactly as typed (case-insensitive, umlauts kept: "Münster" finds
    Münster before Munster); 1: a name equal after folding; 2: a folded name or one of its
    words starting with the query; 3: similar (pg_trgm word similarity); 4: no match.
    """
    plain = search.plain(text)
    keys = search.query_keys(text)
    if not keys:  # nothing searchable in the text ("!!!"): nothing matches
        return models.Value(4, output_field=models.IntegerField())
    key_field, names_field = f"{prefix}search_key", f"{prefix}search_names"
    exact_folded = models.Q()
    starts = models.Q()
    similar = models.Q()
    for key in keys:
        exact_folded |= models.Q(**{f"{key_field}__contains": search.frame([key])})
        starts |= models.Q(**{f"{key_field}__contains": search.SEPARATOR + key})
        starts |= models.Q(**{f"{key_field}__contains": " " + key})
        similar |= models.Q(**{f"{key_field}__trigram_word_similar": key})
    return models.Case(
        models.When(models.Q(**{f"{names_field}__contains": search.frame([plain])}), then=0),
        models.When(exact_folded, then=1),
        models.When(starts, then=2),
        models.When(similar, then=3),
        default=4,
        output_field=models.IntegerField(),
    )


def close_match(text: str, prefix: str = "") -> models.Q:
    """A name equal to the query, or a name (or a word of it) starting with it."""
    condition = models.Q(**{f"{prefix}search_names__contains": search.frame([search.plain(text)])})
    for key in search.query_keys(text):
        condition |= models.Q(**{f"{prefix}search_key__contains": search.SEPARATOR + key})
        condition |= models.Q(**{f"{prefix}search_key__contains": " " + key})
    return condition


def similar_match(text: str, prefix: str = "") -> models.Q:
    """A name similar to the query (pg_trgm word similarity): typos, odd transliterations."""
    condition = models.Q()
    for key in search.query_keys(text):
        condition |= models.Q(**{f"{prefix}search_key__trigram_word_similar": key})
    return condition


ANY_PROBE_ROWS = 1000


class NameOrigin(models.TextChoices):
    """Where a display name the registry filled in comes from (editors' names have none)."""

    GAZETTEER = "gazetteer", _("GeoNames gazetteer")
    TRANSCRIPTION = "transcription", _("transcription")


class MunicipalityQuerySet(PublishedQuerySet):
    def search(self, text: str):
        """Municipalities matching ``text`` however it is spelled, best match first.

        Cyrillic, German or English transliteration, with or without umlauts, exonyms and
        historic names all meet in the folded search key; a typo still finds the town
        through trigram similarity. Exact names come first, then prefixes, then the most
        similar names.
        """
        if not search.fold(text):
            return self.none()
        keys = search.query_keys(text)
        # Similar names only when nothing matches closely: "Stalingrad" should not also
        # list Kaliningrad, but "Wolgagrad" (a typo) must still find Wolgograd.
        close = self.filter(close_match(text))
        matches = close if self._any(close) else self.filter(similar_match(text))
        similarity = (
            models.functions.Greatest(
                *[TrigramWordSimilarity(models.Value(key), "search_key") for key in keys]
            )
            if len(keys) > 1
            else TrigramWordSimilarity(models.Value(keys[0]), "search_key")
        )
        return (
            matches.annotate(search_rank=search_rank(text), similarity=similarity)
            .annotate(
                kind_order=models.Case(
                    models.When(kind=MunicipalityKind.TOWN, then=0),
                    models.When(kind=MunicipalityKind.REGION, then=2),
                    default=1,
                ),
                name_length=models.functions.Length("name"),
            )
            .order_by("search_rank", "-similarity", "kind_order", "name_length", "name")
        )

    @staticmethod
    def _any(queryset) -> bool:
        """Whether ``queryset`` has a row, asked so that PostgreSQL uses the trigram indexes.

        ``exists()`` sends ``LIMIT 1``: PostgreSQL, expecting a few dozen matches, bets on
        meeting one early in a sequential scan and reads up to all 100,000 rows (30-130 ms;
        docs/PERFORMANCE.md). Counting at most ``ANY_PROBE_ROWS`` rows is planned as bitmap
        scans of the trigram indexes (about 1 ms).
        """
        return queryset.order_by()[:ANY_PROBE_ROWS].count() > 0

    def german(self):
        return self.filter(country=Country.GERMANY)

    def russian(self):
        return self.filter(country=Country.RUSSIA)


class Municipality(Record):
    """A German or Russian partner, identified by its official name and region.

    ``name`` is the official name in the municipality's own language (German for German
    ones, Cyrillic for Russian ones); the other names are the forms readers of each
    interface language expect. ``search_key`` and ``search_names`` are derived from all
    names (see ``partnerships.search``) and kept up to date on save.
    """

    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    kind = models.CharField(
        _("kind"), max_length=20, choices=MunicipalityKind.choices, default=MunicipalityKind.TOWN
    )
    region = models.ForeignKey(
        "partnerships.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="municipalities",
        help_text=_("The Land or federal subject; empty where the sources do not say."),
    )
    name = models.CharField(
        _("official name"),
        max_length=200,
        help_text=_("In the municipality's own language: German, or Russian in Cyrillic."),
    )
    name_de = models.CharField(_("German name"), max_length=200, blank=True)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    name_ru = models.CharField(_("Russian name"), max_length=200, blank=True)
    name_ru_origin = models.CharField(
        _("origin of the Russian name"),
        max_length=13,
        choices=NameOrigin.choices,
        blank=True,
        help_text=_(
            "Empty: given by an editor or a source (never overwritten). Gazetteer or "
            "transcription: filled by the registry and refreshed."
        ),
    )
    name_en_origin = models.CharField(
        _("origin of the English name"), max_length=13, choices=NameOrigin.choices, blank=True
    )
    geonames_id = models.PositiveIntegerField(
        _("GeoNames ID"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("The gazetteer entry, matched by country, coordinates and name."),
    )
    gazetteer_names = models.TextField(
        _("names in the gazetteer"),
        blank=True,
        editable=False,
        help_text=_("Every name GeoNames knows for it, in every script, one per line: searched."),
    )
    official_code = models.CharField(
        _("official code"),
        max_length=11,
        blank=True,
        help_text=_("AGS (Germany: 2, 5, 8 or 9 digits) or OKTMO (Russia: 8 or 11 digits)."),
    )
    wikidata_id = models.CharField(
        _("Wikidata ID"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(QID_PATTERN, _("A Wikidata ID looks like Q1017."))],
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    website = models.URLField(_("website"), blank=True)
    slug = models.SlugField(
        _("permalink"),
        max_length=120,
        unique=True,
        help_text=_("Part of the permanent address; never changes once published."),
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Shown publicly."))
    sources = models.TextField(
        _("sources"),
        blank=True,
        help_text=_("Where the names, codes and coordinates come from; shown publicly."),
    )
    search_key = models.TextField(editable=False, default="")
    search_names = models.TextField(editable=False, default="")
    # The gazetteer's names, folded like ``search_key``: the public search finds a town by
    # them ("Brunswick", "Кёльн"); the importers only ask about them ("did you mean …?"),
    # never match a file's spelling to one silently (GeoNames lists typos and codes too).
    gazetteer_key = models.TextField(editable=False, default="")

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "name", "region"],
                nulls_distinct=False,
                name="municipality_unique_name_in_region",
                violation_error_message=_("This region already has a municipality of this name."),
            ),
            models.UniqueConstraint(
                fields=["wikidata_id"],
                condition=~models.Q(wikidata_id=""),
                name="municipality_unique_wikidata_id",
                violation_error_message=_("Another municipality has this Wikidata ID."),
            ),
            models.CheckConstraint(
                condition=models.Q(wikidata_id="") | models.Q(wikidata_id__regex=QID_PATTERN),
                name="municipality_wikidata_id_format",
            ),
            models.CheckConstraint(
                condition=models.Q(official_code="")
                | models.Q(country=Country.GERMANY, official_code__regex=AGS_PATTERN)
                | models.Q(country=Country.RUSSIA, official_code__regex=OKTMO_PATTERN),
                name="municipality_official_code_format",
                violation_error_message=_(
                    "The official code must be an AGS (2, 5, 8 or 9 digits) for Germany "
                    "or an OKTMO (8 or 11 digits) for Russia."
                ),
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__isnull=True, longitude__isnull=True)
                | models.Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="municipality_coordinates_in_range",
                violation_error_message=_("Give both coordinates, within ±90 and ±180 degrees."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""),
                name="municipality_has_name",
            ),
        ]
        indexes = [
            models.Index(fields=["country", "kind"]),
            # The lists' order (partnerships by German, then Russian partner): the first page
            # reads 50 rows of this index instead of sorting every municipality.
            models.Index(fields=["name", "id"], name="municipality_name_order"),
            # Trigram index behind search: word similarity and |exact|/|prefix substring tests.
            GinIndex(
                fields=["search_key"], opclasses=["gin_trgm_ops"], name="municipality_search_trgm"
            ),
            GinIndex(
                fields=["search_names"], opclasses=["gin_trgm_ops"], name="municipality_names_trgm"
            ),
            GinIndex(
                fields=["gazetteer_key"],
                opclasses=["gin_trgm_ops"],
                name="municipality_gazetteer_trgm",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("partnerships:municipality-detail", kwargs={"slug": self.slug})

    @property
    def display_name(self) -> str:
        """The name in the reader's language: Cyrillic in Russian, exonyms in German."""
        language = (get_language() or "de")[:2]
        if language == "ru":
            preferred = [self.name_ru, self.name if self.country == Country.RUSSIA else ""]
        elif language == "en":
            preferred = [self.name_en, self.name_de]
        else:
            preferred = [self.name_de, self.name_en]
        return next((name for name in preferred if name), self.name)

    @property
    def level(self) -> str:
        return LEVEL_OF_KIND[self.kind]

    def all_names(self, alternative_names: list[str] | None = None) -> list[str]:
        if alternative_names is None:
            alternative_names = (
                [a.name for a in self.alternative_names.all()] if self.pk is not None else []
            )
        return names_in_order(self, alternative_names)

    def keep_as_alternative(self, old_name: str) -> None:
        """Keep a replaced name searchable as another spelling (an import changed it)."""
        if old_name and old_name not in self.all_names():
            AlternativeName.objects.get_or_create(
                municipality=self, name=old_name, defaults={"kind": AlternativeName.Kind.VARIANT}
            )

    def refresh_search(self, alternative_names: list[str] | None = None) -> None:
        names = self.all_names(alternative_names)
        self.search_key = search.search_key(names)
        self.search_names = search.search_names(names)
        self.gazetteer_key = search.search_key(self.gazetteer_names.splitlines())

    def save(self, *args, **kwargs) -> None:
        self.refresh_search()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key", "search_names"}
        super().save(*args, **kwargs)


def names_in_order(municipality, alternative_names: list[str]) -> list[str]:
    """All names of a municipality (or of an import's ``Place``), in the order searched:
    official, German, English, Russian, the alternative names, and for a German one the
    Russian transcription of its name (``partnerships.transcription``), so that a town is
    found as a Russian reader hears it even where GeoNames lacks it. The gazetteer's names
    are kept apart (``gazetteer_key``)."""
    names = [
        municipality.name,
        municipality.name_de,
        municipality.name_en,
        municipality.name_ru,
        *alternative_names,
    ]
    if municipality.country == Country.GERMANY:
        names.append(transcribe(municipality.name))
    return [name for name in names if name]


class AlternativeName(models.Model):
    """Another name a municipality is known by: historic, a spelling variant, an exonym."""

    history = HistoricalRecords()

    class Kind(models.TextChoices):
        HISTORIC = "historic", _("historic name")
        VARIANT = "variant", _("other spelling")
        EXONYM = "exonym", _("exonym")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="alternative_names",
        verbose_name=_("municipality"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.VARIANT)
    language = models.CharField(_("language"), max_length=2, blank=True)
    until_year = models.PositiveSmallIntegerField(
        _("official until"),
        null=True,
        blank=True,
        validators=[MinValueValidator(800), MaxValueValidator(2100)],
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("alternative name")
        verbose_name_plural = _("alternative names")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name"], name="alternative_name_unique_per_municipality"
            ),
            models.CheckConstraint(
                condition=models.Q(until_year__isnull=True)
                | models.Q(until_year__gte=800, until_year__lte=2100),
                name="alternative_name_until_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.municipality.save(update_fields=["search_key", "search_names"])

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        self.municipality.save(update_fields=["search_key", "search_names"])
        return result
