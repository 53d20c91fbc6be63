"""Finding the registry's municipality for a name however it is spelled.

One code path for every importer (and for the admin's duplicate warning): a German
municipality is its name in its Land; a Russian municipality is its Cyrillic name in
its federal subject. Any other spelling (German or English transliteration, historic
names, umlauts or not) is matched through the folded search key of
``partnerships.spellings`` and, when new, kept as an alternative name, so that Petrozavodsk
and Petrosawodsk stay one town.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from anyascii import anyascii
from django.utils.text import slugify
from django.utils.translation import gettext
from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from partnerships import spellings
from partnerships.importing.errors import RowError
from partnerships.models import AlternativeName, Municipality, Region
from partnerships.vocabulary import Country, MunicipalityKind

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
_PARENTHESIS = re.compile(r"\s*\(([^)]*)\)\s*$")
_SLUG_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


@cache
def shipped_historic_names() -> dict[tuple[str, str], list[dict[str, str]]]:
    """Historic names of the starter data's towns (``data/historic_names.csv``)."""
    names: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    with (DATA_DIR / "historic_names.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            names[(row["country"], row["name_in_file"])].append(row)
    return dict(names)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One change an import makes to a record: the field (or what was added), old and new."""

    field: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.field}: {self.old or '–'} → {self.new or '–'}"


ROLE = {Country.GERMANY: "german_partner", Country.RUSSIA: "russian_partner"}


def german_kind(name: str) -> str:
    """The kind of a German partner, as its name says it."""
    if name.startswith("Land "):
        return MunicipalityKind.REGION
    if name.startswith("Amt "):
        return MunicipalityKind.ASSOCIATION
    if "kreis" in name.casefold():
        return MunicipalityKind.DISTRICT
    if name.startswith(("Berlin-", "Bezirk ")):
        return MunicipalityKind.CITY_DISTRICT
    return MunicipalityKind.TOWN


def russian_kind(cyrillic: str) -> str:
    """The kind of a Russian partner, as its Cyrillic name says it."""
    name = cyrillic.casefold()
    if name.endswith(("область", "край", "автономный округ")) or name.startswith("республика"):
        return MunicipalityKind.REGION
    if "административный округ" in name or ("район" in name and "(" in name):
        return MunicipalityKind.CITY_DISTRICT
    if "район" in name:
        return MunicipalityKind.RAYON
    return MunicipalityKind.TOWN


# The rules, shared by the Matcher (against the database) and by the in-memory
# ``MunicipalityIndex`` of ``partnerships.importing.index`` (large files) ---------------------


def forms(spelling: str) -> list[str]:
    """The spelling, and for "Leningrad (Sankt Petersburg)" also "Leningrad"."""
    match = _PARENTHESIS.search(spelling)
    return [spelling, spelling[: match.start()]] if match else [spelling]


def one(found: list, spelling: str):
    """The one municipality found, None for none; more than one is an error."""
    if len(found) > 1:
        where = ", ".join(f"{m.name} ({m.region.code if m.region else '?'})" for m in found)
        raise RowError(
            gettext("'%(name)s' is ambiguous: %(candidates)s")
            % {"name": spelling, "candidates": where}
        )
    return found[0] if found else None


def knows(search_key: str, search_names: str, spelling: str, fold=spellings.fold) -> bool:
    """Whether a spelling is one of the names behind these search keys (also "Old (Current)").

    ``fold`` is ``spellings.fold`` (or a cache of it).
    """
    return (
        any(spellings.frame([fold(form)]) in search_key for form in forms(spelling))
        or spellings.frame([spellings.plain(spelling)]) in search_names
    )


def is_historic(historic_names: list[str], spelling: str, fold=spellings.fold) -> bool:
    """Whether a spelling (or its "Old" in "Old (Current)") is one of these historic names."""
    if not historic_names:
        return False
    historic = {fold(name) for name in historic_names}
    return any(fold(form) in historic for form in forms(spelling))


def historic_names_of(country: str, name: str) -> list[dict[str, str]]:
    """The shipped historic names a new municipality receives, as AlternativeName fields."""
    return [
        {
            "name": row["historic_name"],
            "kind": AlternativeName.Kind.HISTORIC,
            "language": row["language"],
            "until_year": int(row["until_year"]) if row["until_year"] else None,
            "note": row["note"],
        }
        for row in shipped_historic_names().get((country, name), [])
    ]


def unique_slug(name: str, region: Region | None, taken) -> str:
    base = slugify(anyascii(name.translate(_SLUG_UMLAUTS)))[:100] or "municipality"
    if not taken(base):
        return base
    candidates = [f"{base}-{region.code.lower()}"] if region is not None else []
    for candidate in itertools.chain(candidates, (f"{base}-{n}" for n in range(2, 100))):
        if not taken(candidate):
            return candidate
    raise RowError(gettext("no free permalink for '%(name)s'") % {"name": name})


class Matcher:
    """Resolves regions and municipalities for one import run: the one matching engine.

    Lookups run on a ``MunicipalityIndex`` of the registry (``importing.index``), loaded
    once per run, by the same rules the partnership importer applies to large files; the
    answers are the registry's ``Municipality`` records.
    """

    def __init__(self) -> None:
        self._regions: dict[tuple[str, str], Region] = {}
        for region in Region.objects.all():
            for spelling in region.spellings():
                self._regions[(region.country, spellings.plain(spelling))] = region
        self._index = None
        self._records: dict[int, Municipality] = {}
        self.created = 0
        self.updated = 0
        # What the matcher created or changed for the current row (the importer resets it).
        self.log: list[FieldChange] = []

    # Regions -----------------------------------------------------------------------------

    def regions(self) -> list[Region]:
        """All regions (of both countries)."""
        return list({region.pk: region for region in self._regions.values()}.values())

    def region(self, text: str, country: str, column: str) -> Region | None:
        """The region a source names (German or English wording); unknown text is an error."""
        if not text.strip():
            return None
        region = self._regions.get((country, spellings.plain(text)))
        if region is None:
            raise RowError(gettext("unknown region '%(region)s'") % {"region": text}, column=column)
        return region

    # Lookups -----------------------------------------------------------------------------

    @property
    def index(self):
        if self._index is None:
            from partnerships.importing.index import MunicipalityIndex

            self._index = MunicipalityIndex(self.regions())
            self._index.load(Municipality.objects.all())
        return self._index

    def _record(self, place) -> Municipality | None:
        if place is None:
            return None
        if place.pk not in self._records:
            self._records[place.pk] = Municipality.objects.select_related("region").get(pk=place.pk)
        return self._records[place.pk]

    def forget(self) -> None:
        """Records a failed row may have changed in memory are read again when next asked."""
        self._records.clear()

    def find_german(self, name: str, region: Region | None = None) -> Municipality | None:
        return self._record(self.index.find_german(name, region))

    def find_russian(self, cyrillic: str, region: Region | None) -> Municipality | None:
        return self._record(self.index.find_russian(cyrillic, region))

    def find_any(self, spelling: str, country: str | None = None) -> Municipality | None:
        """A municipality by any of its names (German towns first)."""
        return self._record(self.index.find_any(spelling, country))

    def knows(self, municipality: Municipality, spelling: str) -> bool:
        """Whether a spelling is one of the municipality's names (also "Old (Current)")."""
        return knows(municipality.search_key, municipality.search_names, spelling)

    def find_partnership(self, german_name: str, russian_name: str, *, columns: tuple[str, str]):
        """The one partnership of the German partner of this name with a Russian partner of
        this spelling (any the registry knows); ``columns`` name them in the file."""
        from partnerships.models import Partnership

        german = self.find_german(german_name)
        if german is None:
            raise RowError(
                gettext("no German partner '%(name)s'") % {"name": german_name},
                column=columns[0],
            )
        candidates = [
            partnership
            for partnership in Partnership.objects.filter(german_partner=german).select_related(
                "russian_partner"
            )
            if self.knows(partnership.russian_partner, russian_name)
        ]
        if len(candidates) != 1:
            if candidates:
                reason = gettext(
                    "more than one partnership %(german)s – %(russian)s in the registry"
                )
            else:
                reason = gettext("no partnership %(german)s – %(russian)s in the registry")
            raise RowError(
                reason % {"german": german_name, "russian": russian_name}, column=columns[1]
            )
        return candidates[0]


# Close spellings: a name new to the registry that is nearly one it knows ---------------------

# A folded name within this many edits of a known one is "close" (longer names allow more).
CLOSE_EDITS = ((6, 1), (12, 2), (10_000, 3))


def max_edits(key: str) -> int:
    return next(edits for length, edits in CLOSE_EDITS if len(key) <= length)


class CloseNames:
    """The folded names of a set of places, to find those close to a new spelling.

    Close means a folded name equal to the spelling's, or within ``max_edits`` edits of it
    (Damerau-Levenshtein: "Nuess" is one transposition from "Neuss"). rapidfuzz compares
    a spelling with every name in C: a file of a few hundred rows against a registry of a
    hundred thousand places takes a second or two.
    """

    def __init__(self, candidates: Iterable[tuple[str, object]]) -> None:
        self.names: list[str] = []
        self.owners: list[object] = []
        for framed, item in candidates:
            for name in framed.split(spellings.SEPARATOR):
                if name:
                    self.names.append(name)
                    self.owners.append(item)

    def __bool__(self) -> bool:
        return bool(self.names)

    def find(self, spelling: str, fold=spellings.fold) -> list:
        """The places with a name close to this spelling, closest first."""
        key = fold(spelling)
        if not key or not self.names:
            return []
        limit = max_edits(key)
        found = process.extract(
            key,
            self.names,
            scorer=DamerauLevenshtein.distance,
            score_cutoff=limit,
            limit=None,
        )
        best: dict[int, tuple[int, str, object]] = {}
        for _name, distance, position in found:
            item = self.owners[position]
            if id(item) not in best or distance < best[id(item)][0]:
                best[id(item)] = (distance, str(item), item)
        return [item for _distance, _label, item in sorted(best.values(), key=lambda b: b[:2])]


def close_municipalities(names: Iterable[str], country: str | None = None) -> list[Municipality]:
    """Municipalities of the registry with a name close to one of these (the admin's check)."""
    queryset = Municipality.objects.all()
    if country:
        queryset = queryset.filter(country=country)
    candidates = [
        (municipality.search_key + municipality.gazetteer_key, municipality)
        for municipality in queryset.select_related("region").only(
            "pk", "name", "search_key", "gazetteer_key", "region__code", "country"
        )
    ]
    close = CloseNames(candidates)
    found: dict[int, Municipality] = {}
    for name in names:
        for municipality in close.find(name):
            found.setdefault(municipality.pk, municipality)
    return list(found.values())
