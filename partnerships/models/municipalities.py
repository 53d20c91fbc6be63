"""Anything that can be a partner: towns, districts, city districts, rayons, whole regions."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import TrigramStrictWordSimilarity
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.lookups import GreaterThanOrEqual
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from partnerships import spellings
from partnerships.models.base import PublishedQuerySet, Record
from partnerships.sql import bounded_count
from partnerships.transcription import transcribe
from partnerships.vocabulary import Country, MunicipalityKind

# AGS: 2 digits for a Land, 5 for a Kreis, 8 for a Gemeinde, 9 for an Amt/Gemeindeverband.
AGS_PATTERN = r"^([0-9]{2}|[0-9]{5}|[0-9]{8}|[0-9]{9})$"
# OKTMO: 8 digits for a municipal district or okrug, 11 for a settlement.
OKTMO_PATTERN = r"^([0-9]{8}|[0-9]{11})$"
QID_PATTERN = r"^Q[1-9][0-9]*$"


# How well a municipality matches a query, best first (``search_rank``). A name of its own
# (official, German, English, Russian, alternative: ``search_key``/``search_names``) ranks
# before a name only the gazetteer knows (``gazetteer_key``) of the same strength; a whole
# name before a name that only starts with the query, before a word inside a longer name
# (the district "Петроградский район (Санкт-Петербург)" holds the city's name as words).
EXACT, EXACT_FOLDED, GAZETTEER_EXACT = 0, 1, 2
STARTS, GAZETTEER_STARTS, WORD_STARTS, GAZETTEER_WORD_STARTS = 3, 4, 5, 6
SIMILAR, GAZETTEER_SIMILAR, NO_MATCH = 7, 8, 9

# A name merely similar to the query is listed when it resembles it as a whole word:
# strict word similarity (pg_trgm) of at least LISTED_SIMILARITY. Typos pass ("Wolgagrad"
# 0.54, "Kaliningrat" 0.71); junk does not ("qwerty" 0.15 at best). A name of which only a
# part resembles the query (word similarity of at least 0.5, the connection's
# pg_trgm.word_similarity_threshold, which the trigram indexes answer) is not listed but
# offered as "did you mean …?" ("Duisubrg": Duisburg, word similarity 0.56, strict 0.38).
# Measured on 821 one-letter typos of the starter towns' names and 798 made-up words, with
# the gazetteer's names: at 0.4, 86 % of the typos list their town and 3 % of the made-up
# words list anything; at 0.5, 72 % and 1 %; at 0.3, 94 % and 8 % (before, own names at
# word similarity 0.5 alone: 84 % and 6 %).
LISTED_SIMILARITY = 0.4

OWN, GAZETTEER = "search_key", "gazetteer_key"


# Where a folded key may stand in ``search_key`` or ``gazetteer_key`` (``|name|name|``), as
# regular expressions: a name of its own, the start of a name, the start of a name or of a
# word in it. The trigram indexes answer them; one expression covers all forms of a query.
WHOLE, NAME_START, WORD_START = (r"\|", r"\|"), (r"\|", ""), ("[| ]", "")
WORD = ("[| ]", "[| ]")  # a whole word of a name
_NOT_IN_KEY = re.compile(r"[^a-z0-9 ]")


def _at(field: str, keys: list[str], where: tuple[str, str]) -> models.Q:
    """One of ``keys`` in ``field`` at ``where`` (nothing if there are no keys)."""
    if not keys:
        return models.Q()
    before, after = where
    # Folded keys hold only a-z, digits and spaces; anything else would be escaped.
    alternatives = "|".join(_NOT_IN_KEY.sub(lambda m: "\\" + m.group(), key) for key in keys)
    return models.Q(**{f"{field}__regex": f"{before}({alternatives}){after}"})


def _similar(field: str, keys: list[str], *, listed: bool) -> models.Q:
    """A name in ``field`` word-similar to a key (what the trigram index answers); with
    ``listed``, also similar enough as a whole word to be listed."""
    condition = models.Q()
    for key in keys:
        similar = models.Q(**{f"{field}__trigram_word_similar": key})
        if listed:
            strict = TrigramStrictWordSimilarity(models.Value(key), field)
            similar &= models.Q(GreaterThanOrEqual(strict, LISTED_SIMILARITY))
        condition |= similar
    return condition


def search_rank(text: str, prefix: str = "") -> models.Expression:
    """How well a municipality (through ``prefix``, e.g. ``german_partner__``) matches.

    EXACT: one of its names exactly as typed (case-insensitive, umlauts kept: "Münster"
    finds Münster before Munster); EXACT_FOLDED: a name equal after folding; then a name of
    the gazetteer equal after folding; a name starting with the query (own, gazetteer); a
    word inside a longer name starting with it (own, gazetteer); a name similar enough to be
    listed (own, gazetteer); NO_MATCH.
    """
    keys = spellings.query_keys(text)
    if not keys:  # nothing searchable in the text ("!!!"): nothing matches
        return models.Value(NO_MATCH, output_field=models.IntegerField())
    fuzzy = [key for key in keys if spellings.fuzzy(key)]
    own, gazetteer = f"{prefix}{OWN}", f"{prefix}{GAZETTEER}"
    plain = spellings.frame([spellings.plain(text)])
    tiers = [
        (EXACT, models.Q(**{f"{prefix}search_names__contains": plain})),
        (EXACT_FOLDED, _at(own, keys, WHOLE)),
        (GAZETTEER_EXACT, _at(gazetteer, fuzzy, WHOLE)),
        (STARTS, _at(own, fuzzy, NAME_START)),
        (GAZETTEER_STARTS, _at(gazetteer, fuzzy, NAME_START)),
        (WORD_STARTS, _at(own, fuzzy, WORD_START)),
        (GAZETTEER_WORD_STARTS, _at(gazetteer, fuzzy, WORD_START)),
        (SIMILAR, _similar(own, fuzzy, listed=True)),
        (GAZETTEER_SIMILAR, _similar(gazetteer, fuzzy, listed=True)),
    ]
    return models.Case(
        *[models.When(condition, then=rank) for rank, condition in tiers if condition],
        default=NO_MATCH,
        output_field=models.IntegerField(),
    )


def close_match(text: str, prefix: str = "") -> models.Q:
    """A name (own or the gazetteer's) equal to the query, or one or a word of it starting
    with it. A key too short to be searched fuzzily only finds an own name equal to it."""
    keys = spellings.query_keys(text)
    fuzzy = [key for key in keys if spellings.fuzzy(key)]
    short = [key for key in keys if not spellings.fuzzy(key)]
    plain = spellings.frame([spellings.plain(text)])
    return (
        models.Q(**{f"{prefix}search_names__contains": plain})
        | _at(f"{prefix}{OWN}", short, WHOLE)
        | _at(f"{prefix}{OWN}", fuzzy, WORD_START)
        | _at(f"{prefix}{GAZETTEER}", fuzzy, WORD_START)
    )


def similar_match(text: str, prefix: str = "", *, listed: bool = True) -> models.Q:
    """A name (own or the gazetteer's) similar to the query: typos, odd transliterations.

    With ``listed`` (the default) only names similar enough to be listed; without, also
    those only suggested ("did you mean …?"). Empty when the query is too short. The
    conditions the trigram indexes answer stand on their own, ANDed with the stricter
    ones, so that PostgreSQL plans them as one BitmapOr of index scans.
    """
    keys = [key for key in spellings.query_keys(text) if spellings.fuzzy(key)]
    own, gazetteer = f"{prefix}{OWN}", f"{prefix}{GAZETTEER}"
    candidates = _similar(own, keys, listed=False) | _similar(gazetteer, keys, listed=False)
    if not listed or not candidates:
        return candidates
    return candidates & (_similar(own, keys, listed=True) | _similar(gazetteer, keys, listed=True))


def search_similarity(text: str, prefix: str = "") -> models.Expression:
    """How similar the closest of its names (own or the gazetteer's) is to the query, as a
    whole word (pg_trgm strict word similarity, 0 to 1)."""
    keys = spellings.query_keys(text) or [""]
    similarities = [
        TrigramStrictWordSimilarity(models.Value(key), f"{prefix}{field}")
        for key in keys
        for field in (OWN, GAZETTEER)
    ]
    return models.functions.Greatest(*similarities)


def kind_order(prefix: str = "") -> models.Expression:
    """Towns before districts and other units, whole regions last."""
    return models.Case(
        models.When(**{f"{prefix}kind": MunicipalityKind.TOWN}, then=0),
        models.When(**{f"{prefix}kind": MunicipalityKind.REGION}, then=2),
        default=1,
        output_field=models.IntegerField(),
    )


@dataclass(frozen=True)
class SearchMatch:
    """What the municipalities a search finds satisfy, and whether they match closely (a
    name equal to the query or starting with it) or are merely similar (typos)."""

    condition: models.Q
    close: bool
    # At least ANY_PROBE_ROWS municipalities match closely (a word or prefix many share).
    many: bool = False


def in_search_order(
    queryset, text: str, name: str | models.Expression = "name", *, similarity: bool = True
):
    """``queryset`` (of municipalities) ordered as the search ranks them: by strength of the
    match, then similarity, towns before their districts, shorter names first, then by
    ``name``.

    Without ``similarity`` (for ``SearchMatch.many``: a thousand or more close matches)
    the similarity is not computed: within a rank, names holding the query as a whole word
    come first ("Neu Kätal" before "Neuertal"), then towns, then shorter names. Computing
    the similarity for every row cost a word many towns share most of its page (8,800
    rayons: 117 of 150 ms); one regular expression per row costs a few milliseconds.
    """
    if similarity:
        closeness, whole_word = search_similarity(text), models.Value(0)
    else:
        closeness = models.Value(1.0)
        whole_word = models.Case(
            models.When(_at(OWN, spellings.query_keys(text), WORD), then=0),
            default=1,
            output_field=models.IntegerField(),
        )
    return queryset.annotate(
        search_rank=search_rank(text),
        similarity=closeness,
        whole_word=whole_word,
        kind_order=kind_order(),
        name_length=models.functions.Length("name"),
    ).order_by("search_rank", "-similarity", "whole_word", "kind_order", "name_length", name, "pk")


ANY_PROBE_ROWS = 1000


class NameOrigin(models.TextChoices):
    """Where a display name the registry filled in comes from (editors' names have none)."""

    GAZETTEER = "gazetteer", _("GeoNames gazetteer")
    TRANSCRIPTION = "transcription", _("transcription")


class MunicipalityQuerySet(PublishedQuerySet):
    def search(self, text: str):
        """Municipalities matching ``text`` however it is spelled, best match first.

        Cyrillic, German or English transliteration, with or without umlauts, exonyms,
        historic names and the gazetteer's names all meet in the folded keys; a typo still
        finds the town through trigram similarity. The order is ``search_rank``'s: exact
        names, then names starting with the query, then words inside longer names, then
        similar names; a registry's own name before the gazetteer's; towns before their
        districts.
        """
        match = self.search_match(text)
        if match is None:
            return self.none()
        return in_search_order(self.filter(match.condition), text, similarity=not match.many)

    def search_match(self, text: str) -> SearchMatch | None:
        """What a municipality matching ``text`` satisfies (asks once whether anything
        here matches closely); None if nothing can match.

        A list filters by the condition itself, which the trigram indexes answer, rather
        than by ``pk IN (the search)``: PostgreSQL joins such a subquery of the same table
        by reading all 100,000 rows (80-120 ms per facet count; docs/PERFORMANCE.md).
        """
        if not spellings.query_keys(text):
            return None
        # Similar names only when nothing matches closely: "Stalingrad" should not also
        # list Kaliningrad, but "Wolgagrad" (a typo) must still find Wolgograd.
        close = close_match(text)
        found = bounded_count(self.filter(close), ANY_PROBE_ROWS)
        if found:
            return SearchMatch(close, close=True, many=found >= ANY_PROBE_ROWS)
        similar = similar_match(text)
        if not similar:  # too short to be similar to anything ("zzzz" is "s")
            return None
        return SearchMatch(similar, close=False)

    def search_ranks(self, text: str) -> dict[int, list[int]]:
        """The ids of the municipalities ``search`` finds, by rank (the strength of the match
        × 3 + towns before districts before regions), best first.

        One query, without ``search``'s question whether anything matches closely: it reads
        the close and the similar names together and keeps the similar ones only if no name
        matches closely (a close match ranks before ``SIMILAR``, a merely similar one not).
        """
        if not spellings.query_keys(text):
            return {}
        condition = close_match(text)
        similar = similar_match(text)
        if similar:
            condition |= similar
        rows = list(
            self.filter(condition)
            .annotate(search_rank=search_rank(text), kind_order=kind_order())
            .order_by()
            .values_list("pk", "search_rank", "kind_order")
        )
        if any(rank < SIMILAR for _pk, rank, _kind in rows):
            rows = [row for row in rows if row[1] < SIMILAR]
        by_rank: dict[int, list[int]] = {}
        for pk, rank, kind in rows:
            by_rank.setdefault(rank * 3 + kind, []).append(pk)
        return dict(sorted(by_rank.items()))

    def search_outcome(self, text: str, limit: int = 3) -> tuple[bool, list[Municipality]]:
        """Whether the search finds anything among these municipalities, and if not, up to
        ``limit`` names close to ``text`` ("did you mean …?"), closest first.

        One query, for a page that lists nothing: a name listed by ``search`` is sorted
        first and answers the first question; otherwise the rows are names word-similar to
        the query (what the trigram index answers) but not similar enough to be listed.
        """
        candidates = close_match(text)
        similar = similar_match(text, listed=False)
        if similar:
            candidates |= similar
        found = close_match(text)
        listed = similar_match(text)
        if listed:
            found |= listed
        bounded = self.filter(candidates).order_by().values("pk")[:ANY_PROBE_ROWS]
        rows = list(
            self.filter(pk__in=bounded)
            .annotate(
                found=models.Case(
                    models.When(found, then=True),
                    default=False,
                    output_field=models.BooleanField(),
                ),
                similarity=search_similarity(text),
                kind_order=kind_order(),
            )
            .order_by("-found", "-similarity", "kind_order", "name", "pk")[:limit]
        )
        if rows and rows[0].found:
            return True, []
        return False, rows

    def german(self):
        return self.filter(country=Country.GERMANY)

    def russian(self):
        return self.filter(country=Country.RUSSIA)


class Municipality(Record):
    """A German or Russian partner, identified by its official name and region.

    ``name`` is the official name in the municipality's own language (German for German
    ones, Cyrillic for Russian ones); the other names are the forms readers of each
    interface language expect. ``search_key`` and ``search_names`` are derived from all
    names (see ``partnerships.spellings``) and kept up to date on save.
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
        self.search_key = spellings.search_key(names)
        self.search_names = spellings.search_names(names)
        self.gazetteer_key = spellings.search_key(self.gazetteer_names.splitlines())

    def save(self, *args, **kwargs) -> None:
        self.refresh_search()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "search_key", "search_names"}
        super().save(*args, **kwargs)


def given_names(municipality, alternative_names: list[str]) -> list[str]:
    """The names a municipality is given (or an import's ``Place``): official, German,
    English, Russian, the alternative names; not the transcription ``names_in_order`` adds."""
    names = [
        municipality.name,
        municipality.name_de,
        municipality.name_en,
        municipality.name_ru,
        *alternative_names,
    ]
    return [name for name in names if name]


def names_in_order(municipality, alternative_names: list[str]) -> list[str]:
    """All names of a municipality (or of an import's ``Place``), in the order searched:
    its given names (``given_names``), and for a German one the Russian transcription of
    its name (``partnerships.transcription``), so that a town is found as a Russian reader
    hears it even where GeoNames lacks it. The gazetteer's names are kept apart
    (``gazetteer_key``)."""
    names = given_names(municipality, alternative_names)
    if municipality.country == Country.GERMANY:
        names += [name for name in [transcribe(municipality.name or "")] if name]
    return names


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
