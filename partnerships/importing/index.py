"""The Matcher's rules over municipalities held in memory: matching for large files.

The ``Matcher`` asks the database for every name of every row. An import of a large file
instead loads the municipalities it can meet once (those of the regions the file names,
or of a whole country where a row names no region), with their search keys, and finds,
creates and enriches them in memory by the same rules (``matching.forms``, ``one``,
``knows``, ``is_historic``, ``unique_slug``, the kinds of names). Nothing is written here:
what a run creates and changes is kept on the ``Place`` objects, and the importer writes
it in bulk once every row has been accepted.

Each row's changes are journalled: a row that fails is undone, as a row's savepoint was,
so that the rows after it see the registry as if the row had not been in the file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import get_text_list
from django.utils.translation import gettext

from partnerships import spellings
from partnerships.importing.errors import RowError
from partnerships.importing.files import has_cyrillic
from partnerships.importing.matching import (
    ROLE,
    CloseNames,
    FieldChange,
    forms,
    german_kind,
    historic_names_of,
    is_historic,
    knows,
    one,
    russian_kind,
    unique_slug,
)
from partnerships.models import AlternativeName, Municipality, Region
from partnerships.models.municipalities import given_names, names_in_order
from partnerships.sql import grouped
from partnerships.vocabulary import Country

SEPARATOR = spellings.SEPARATOR
NAME_LENGTH = Municipality._meta.get_field("name").max_length


def check_field(model, field_name: str, value: str, column: str) -> None:
    """The model field's own validation of a value (Django's message), as a row error."""
    try:
        model._meta.get_field(field_name).clean(value, None)
    except ValidationError as error:
        raise RowError("; ".join(error.messages), column=column) from None


# Keys per query when loading by keys (``in_chunks``).
HISTORIC = AlternativeName.Kind.HISTORIC
VARIANT = AlternativeName.Kind.VARIANT


class Place:
    """A municipality as an import sees it: loaded from the registry, or new in this run.

    ``alternatives`` holds the (kind, name) of all its alternative names; ``additions``
    the fields of those this run adds; ``changed`` the fields this run changes.
    """

    __slots__ = (
        "additions",
        "alternatives",
        "changed",
        "country",
        "kind",
        "line",
        "name",
        "name_de",
        "name_en",
        "name_ru",
        "new",
        "pk",
        "region",
        "search_key",
        "search_names",
        "slug",
        "version",
    )

    def __init__(
        self,
        *,
        pk: int | None,
        country: str,
        name: str,
        region: Region | None,
        name_de: str = "",
        name_en: str = "",
        name_ru: str = "",
        kind: str = "",
        slug: str = "",
        version: int = 1,
        search_key: str = "",
        search_names: str = "",
    ) -> None:
        self.pk = pk
        self.new = pk is None
        self.country = country
        self.name = name
        self.region = region
        self.name_de = name_de
        self.name_en = name_en
        self.name_ru = name_ru
        self.kind = kind
        self.slug = slug
        self.version = version
        self.search_key = search_key
        self.search_names = search_names
        # Immutable (and empty ones shared): cheap to hold for many places, and to journal.
        self.alternatives: tuple[tuple[str, str], ...] = ()
        self.additions: tuple[dict[str, Any], ...] = ()
        self.changed: frozenset[str] = frozenset()
        self.line: int | None = None  # the first line of the file that created or changed it

    def __repr__(self) -> str:
        return f"<Place {self.pk or 'new'} {self.country} {self.name!r}>"

    @property
    def region_id(self) -> int | None:
        return self.region.pk if self.region is not None else None

    def alternative_names(self) -> list[str]:
        """The alternative names in the order the model lists them (kind, then name)."""
        return [name for _kind, name in sorted(self.alternatives)]

    def historic_names(self) -> list[str]:
        return [name for kind, name in self.alternatives if kind == HISTORIC]

    def all_names(self) -> list[str]:
        """As ``Municipality.all_names``: official, German, English, Russian, alternative."""
        return names_in_order(self, self.alternative_names())

    def given_names(self) -> list[str]:
        """``all_names`` without the Russian transcription of a German name."""
        return given_names(self, self.alternative_names())

    def refresh_search(self, fold=spellings.fold, plain=spellings.plain) -> None:
        """As ``Municipality.refresh_search`` (``fold``/``plain`` may be caches)."""
        names = self.all_names()
        self.search_key = spellings.search_key(names, fold)
        self.search_names = spellings.search_names(names, plain)

    def add_alternative(self, fields: dict[str, Any], new: bool = True) -> None:
        """An alternative name (AlternativeName fields); ``new``: one this run adds."""
        self.alternatives = (*self.alternatives, (fields["kind"], fields["name"]))
        if new:
            self.additions = (*self.additions, fields)

    def change(self, field_name: str) -> None:
        self.changed = self.changed | {field_name}

    # What a row may change on a place, taken before the row and put back should it fail.
    STATE = (
        "region",
        "name_de",
        "alternatives",
        "additions",
        "changed",
        "line",
        "search_key",
        "search_names",
    )

    def state(self) -> tuple:
        return tuple(getattr(self, name) for name in self.STATE)

    def restore(self, state: tuple) -> None:
        for name, value in zip(self.STATE, state, strict=True):
            setattr(self, name, value)


def segments(framed: str) -> list[str]:
    """The values of a ``|a|b|`` search field."""
    return [value for value in framed.split(spellings.SEPARATOR) if value]


class MunicipalityIndex:
    """Finds, creates and enriches municipalities in memory, by the Matcher's rules.

    Lookups mirror the Matcher's queries: by official name (exactly), then by a name as
    written (``search_names`` holds ``|name|``), then folded (``search_key`` holds
    ``|key|``); the three are dictionaries here, keyed by country.
    """

    def __init__(self, regions: Iterable[Region]) -> None:
        self.regions = {region.pk: region for region in regions}
        self.places: list[Place] = []
        self.new: list[Place] = []
        self.created = 0
        self.updated = 0
        # What the index created or changed for the current row (the importer resets it).
        self.log: list[FieldChange] = []
        self._by_name: dict[str, dict[str, list[Place]]] = defaultdict(dict)
        self._by_plain: dict[str, dict[str, list[Place]]] = defaultdict(dict)
        self._by_folded: dict[str, dict[str, list[Place]]] = defaultdict(dict)
        self._slugs: set[str] | None = None
        self._fold_cache: dict[str, str] = {}
        self._plain_cache: dict[str, str] = {}
        # The current row's journal: places it created, and the state of those it changed.
        self._row_new: list[Place] = []
        self._row_before: dict[int, tuple[Place, tuple]] = {}
        self._row_counts = (0, 0)
        # Names of new municipalities an editor confirmed (the admin preview's checkboxes).
        self.confirmed_names: set[str] = set()
        # New names refused as close to known ones: name -> the names it is close to.
        self.unconfirmed: dict[str, list[str]] = {}
        self._registry_names: dict[str, CloseNames] = {}

    # Loading -----------------------------------------------------------------------------

    def load(self, queryset: models.QuerySet) -> None:
        """The municipalities of ``queryset``, with their alternative names."""
        by_pk = {}
        regions = self.regions
        rows = (
            queryset.order_by()
            .values_list(
                "pk",
                "country",
                "name",
                "region_id",
                "name_de",
                "name_en",
                "name_ru",
                "kind",
                "slug",
                "version",
                "search_key",
                "search_names",
            )
            .iterator(chunk_size=10_000)
        )
        for pk, country, name, region_id, de, en, ru, kind, slug, version, key, names in rows:
            place = Place(
                pk=pk,
                country=country,
                name=name,
                region=regions.get(region_id) if region_id is not None else None,
                name_de=de,
                name_en=en,
                name_ru=ru,
                kind=kind,
                slug=slug,
                version=version,
                search_key=key,
                search_names=names,
            )
            by_pk[pk] = place
            self._add(place)
        alternatives = grouped(
            AlternativeName.objects.values_list("municipality_id", "kind", "name"),
            "municipality_id",
            list(by_pk),
        )
        for municipality_id, names in alternatives.items():
            by_pk[municipality_id].alternatives = names

    def _add(self, place: Place) -> None:
        self.places.append(place)
        self._by_name[place.country].setdefault(place.name, []).append(place)
        self._index(place)

    def _index(self, place: Place, remove: bool = False) -> None:
        for table, framed in (
            (self._by_plain[place.country], place.search_names),
            (self._by_folded[place.country], place.search_key),
        ):
            for value in segments(framed):
                if remove:
                    entries = table.get(value, [])
                    entries[:] = [p for p in entries if p is not place]
                else:
                    table.setdefault(value, []).append(place)

    def _reindex(self, place: Place) -> None:
        """After a change of its names: new search keys, indexed anew."""
        self._index(place, remove=True)
        place.refresh_search(self.fold, self.plain)
        self._index(place)

    def fold(self, text: str) -> str:
        folded = self._fold_cache.get(text)
        if folded is None:
            folded = self._fold_cache[text] = spellings.fold(text)
        return folded

    def plain(self, text: str) -> str:
        plain = self._plain_cache.get(text)
        if plain is None:
            plain = self._plain_cache[text] = spellings.plain(text)
        return plain

    # The journal of a row ----------------------------------------------------------------

    def begin_row(self) -> None:
        self.log = []
        self._row_new = []
        self._row_before = {}
        self._row_counts = (self.created, self.updated)

    def undo_row(self) -> None:
        """Forget what the current (failed) row created and changed."""
        for place, state in self._row_before.values():
            self._index(place, remove=True)
            place.restore(state)
            self._index(place)
        for place in reversed(self._row_new):  # the last ones added, in order
            self._index(place, remove=True)
            self._by_name[place.country][place.name].remove(place)
            self.places.pop()
            self.new.pop()
            if self._slugs is not None:
                self._slugs.discard(place.slug)
        self.created, self.updated = self._row_counts
        self.begin_row()

    def _touch(self, place: Place, line: int | None) -> None:
        """Keep the state of a place before the current row first changes it."""
        if id(place) not in self._row_before and not any(p is place for p in self._row_new):
            self._row_before[id(place)] = (place, place.state())
        if place.line is None:
            place.line = line

    # Lookups (the Matcher's find_*) ------------------------------------------------------

    def _in(self, table: dict[str, list[Place]], framed_field: str, value: str, country: str):
        """Places whose ``framed_field`` contains ``|value|``."""
        if value and spellings.SEPARATOR not in value:
            return table.get(value, [])
        framed = spellings.frame([value])  # unusual values: the substring test, as in SQL
        return [
            p for p in self.places if p.country == country and framed in getattr(p, framed_field)
        ]

    def by_spelling(self, country: str, region: Region | None, spelling: str) -> list[Place]:
        """Places with this exact name (case-insensitive), else this folded name."""
        region_id = region.pk if region is not None else None
        found = self._in(self._by_plain[country], "search_names", self.plain(spelling), country)
        if region_id is not None:
            found = [p for p in found if p.region_id == region_id]
        if found:
            return ordered(found)
        folded = self.fold(spelling)
        if not folded:
            return []
        found = self._in(self._by_folded[country], "search_key", folded, country)
        if region_id is not None:
            found = [p for p in found if p.region_id == region_id]
        if country == Country.GERMANY and not has_cyrillic(spelling):
            # A German town's search key also holds its name as a Russian reader writes it
            # (Валлингсроде for Vallingsrode), which folds away what tells German names
            # apart (V and F, ss and s): a name in Latin letters is matched by the names the
            # town is given, so that Fallingsrode in the same Land is another town.
            found = [p for p in found if folded in map(self.fold, p.given_names())]
        return ordered(found)

    def find_german(self, name: str, region: Region | None = None) -> Place | None:
        exact = self._by_name[Country.GERMANY].get(name, [])
        if region is not None:
            exact = [p for p in exact if p.region_id == region.pk]
        found = ordered(exact) or self.by_spelling(Country.GERMANY, region, name)
        return one(found, name)

    def find_russian(self, cyrillic: str, region: Region | None) -> Place | None:
        named = self._by_name[Country.RUSSIA].get(cyrillic, [])
        if region is not None:
            found = [p for p in named if p.region_id == region.pk]
            if not found:
                # A town first imported without its region gets it now.
                found = [p for p in named if p.region_id is None]
        else:
            found = list(named)
        return one(ordered(found), cyrillic)

    def find_any(self, spelling: str, country: str | None = None) -> Place | None:
        """A place by any of its names, in either country (German towns first)."""
        countries = [country] if country else [Country.GERMANY, Country.RUSSIA]
        for each in countries:
            found = self.by_spelling(each, None, spelling)
            if found:
                return one(found, spelling)
        return None

    def find_russian_by_latin(self, latin: str, region: Region | None) -> Place | None:
        """A Russian partner already known, by a Latin spelling of its name."""
        for form in forms(latin):  # also "Leningrad" for "Leningrad (Sankt Petersburg)"
            found = self.by_spelling(Country.RUSSIA, region, form)
            if found:
                return one(found, latin)
        return None

    # Creating and enriching ------------------------------------------------------------------

    def taken(self, slug: str) -> bool:
        if self._slugs is None:
            self._slugs = set(Municipality.objects.values_list("slug", flat=True))
        return slug in self._slugs

    def registry_names(self, country: str) -> CloseNames:
        """The names of every municipality of the country in the registry (``name (code)``)."""
        if country not in self._registry_names:
            # The gazetteer's names too: a file's "Aix-la-Chapelle" is asked about (Aachen),
            # never matched silently nor created as a new town.
            self._registry_names[country] = CloseNames(
                (f"{key}{gazetteer}", f"{name} ({code})" if code else name)
                for key, gazetteer, name, code in Municipality.objects.filter(country=country)
                .order_by("name")
                .values_list("search_key", "gazetteer_key", "name", "region__code")
            )
        return self._registry_names[country]

    def check_not_close(self, country: str, name: str, confirmed: bool) -> None:
        """No silent new towns: a new name close to a known one is refused, naming it.

        Only the registry's municipalities are compared (not those new in this file), so
        that the answer does not depend on the order of the rows.
        """
        if confirmed or not self.registry_names(country):
            return
        close = self.registry_names(country).find(name, self.fold)
        if close:
            self.unconfirmed.setdefault(name, close[:3])
            column = "german_name" if country == Country.GERMANY else "russian_name_cyrillic"
            raise RowError(
                gettext(
                    "'%(name)s' is not in the registry: did you mean %(close)s? Correct the "
                    "name, or, if it is a new municipality, confirm it (column confirm_new = "
                    "yes, or the checkbox in the preview)"
                )
                % {"name": name, "close": get_text_list(close[:3])},
                column=column,
            )

    def create(
        self,
        line: int,
        *,
        country: str,
        name: str,
        region: Region | None,
        confirmed: bool = False,
        searchable: bool = True,
        **fields,
    ) -> Place:
        """A new place; ``searchable=False``: its search keys later (``_reindex``), as the
        caller is about to give it another name (then they are built once, not twice)."""
        self.check_not_close(country, name, confirmed or name in self.confirmed_names)
        place = Place(pk=None, country=country, name=name, region=region, **fields)
        place.slug = unique_slug(name, region, self.taken)
        if len(name) > NAME_LENGTH or len(place.name_de) > NAME_LENGTH:
            # Django's own message for the field: validate as the row-by-row import did.
            Municipality(
                country=country, name=name, region=region, slug=place.slug, **fields
            ).full_clean()
        for fields in historic_names_of(country, name):
            place.add_alternative(fields)
        if searchable:
            place.refresh_search(self.fold, self.plain)
        place.line = line
        self._slugs.add(place.slug)
        self._add(place)
        self.new.append(place)
        self._row_new.append(place)
        self.created += 1
        self.log.append(FieldChange(ROLE[country], "", f"{name} (new municipality)"))
        return place

    def german(self, line: int, name: str, region: Region | None, confirmed: bool = False) -> Place:
        """The German partner of this name in this Land, created when new."""
        place = self.find_german(name, region)
        if place is None:
            place = self.create(
                line,
                confirmed=confirmed,
                country=Country.GERMANY,
                name=name,
                name_de=name,
                region=region,
                kind=german_kind(name),
            )
        elif self._fill_region(place, line, region):
            self.updated += 1
        return place

    def _fill_region(self, place: Place, line: int, region: Region | None) -> bool:
        """A known municipality without a region takes the row's; whether it did."""
        if region is None or place.region is not None:
            return False
        self._touch(place, line)
        place.region = region
        place.change("region")
        self.log.append(FieldChange(f"{ROLE[place.country]}.region", "", region.name_de))
        return True

    def russian(
        self,
        line: int,
        cyrillic: str,
        latin: str,
        region: Region | None,
        confirmed: bool = False,
    ) -> Place:
        """The Russian partner of this Cyrillic name in this region, created when new.

        As ``Matcher.russian``: a Latin spelling not yet known becomes the German name of
        a municipality without one, or an alternative name; a known historic name is
        never promoted to the current name.
        """
        place = self.find_russian(cyrillic, region)
        if place is None:
            place = self.create(
                line,
                confirmed=confirmed,
                country=Country.RUSSIA,
                name=cyrillic,
                region=region,
                kind=russian_kind(cyrillic),
                searchable=False,
            )
            if not (latin and not is_historic(place.historic_names(), latin, self.fold)):
                self._reindex(place)  # no German name comes: searchable now
        role = ROLE[Country.RUSSIA]
        changed = self._fill_region(place, line, region)
        if (
            latin
            and not place.name_de
            and not is_historic(place.historic_names(), latin, self.fold)
        ):
            check_field(Municipality, "name_de", latin, "russian_name_latin")
            self._touch(place, line)
            place.name_de = latin
            place.change("name_de")
            self._reindex(place)
            changed = True
            self.log.append(FieldChange(f"{role}.name_de", "", latin))
        elif latin and not knows(place.search_key, place.search_names, latin, self.fold):
            check_field(AlternativeName, "name", latin, "russian_name_latin")
            self._touch(place, line)
            place.add_alternative({"name": latin, "kind": VARIANT})
            place.change("search_key")
            self._reindex(place)
            self.updated += 1
            self.log.append(FieldChange(f"{role}.alternative_name", "", latin))
        if changed:
            self.updated += 1
        return place

    def changed_places(self) -> list[Place]:
        """The registry's municipalities this run changes (new ones are created whole)."""
        return [place for place in self.places if not place.new and place.changed]


def ordered(found: list[Place]) -> list[Place]:
    """In the model's order (by name), as the Matcher's queries return them."""
    if len(found) > 1:
        return sorted(found, key=lambda p: (p.name, p.pk or 0))
    return list(found)
