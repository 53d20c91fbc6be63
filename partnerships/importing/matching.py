"""Finding the registry's municipality for a name however it is spelled.

One code path for every importer (and for the admin's duplicate warning): a German
municipality is its name in its Land; a Russian municipality is its Cyrillic name in
its federal subject. Any other spelling (German or English transliteration, historic
names, umlauts or not) is matched through the folded search key of
``partnerships.search`` and, when new, kept as an alternative name, so that Petrozavodsk
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
from rapidfuzz.distance import DamerauLevenshtein

from partnerships import search
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
class Change:
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
        raise RowError(f"{spelling!r} is ambiguous: {where}")
    return found[0] if found else None


def knows(search_key: str, search_names: str, spelling: str, fold=search.fold) -> bool:
    """Whether a spelling is one of the names behind these search keys (also "Old (Current)").

    ``fold`` is ``search.fold`` (or a cache of it).
    """
    return (
        any(search.frame([fold(form)]) in search_key for form in forms(spelling))
        or search.frame([search.plain(spelling)]) in search_names
    )


def is_historic(historic_names: list[str], spelling: str, fold=search.fold) -> bool:
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
    raise RowError(f"no free permalink for {name!r}")


class Matcher:
    """Resolves regions and municipalities for one import run (with a per-run cache)."""

    def __init__(self) -> None:
        self._regions: dict[tuple[str, str], Region] = {}
        for region in Region.objects.all():
            for spelling in region.spellings():
                self._regions[(region.country, search.plain(spelling))] = region
        self.created = 0
        self.updated = 0
        # What the matcher created or changed for the current row (the importer resets it).
        self.log: list[Change] = []

    # Regions -----------------------------------------------------------------------------

    def regions(self) -> list[Region]:
        """All regions (of both countries)."""
        return list({region.pk: region for region in self._regions.values()}.values())

    def region(self, text: str, country: str, column: str) -> Region | None:
        """The region a source names (German or English wording); unknown text is an error."""
        if not text.strip():
            return None
        region = self._regions.get((country, search.plain(text)))
        if region is None:
            raise RowError(f"unknown region {text!r}", column=column)
        return region

    # Lookups -----------------------------------------------------------------------------

    @staticmethod
    def _by_spelling(queryset, spelling: str) -> list[Municipality]:
        """Municipalities with this exact name (case-insensitive), else this folded name."""
        plain = search.plain(spelling)
        exact = list(queryset.filter(search_names__contains=search.frame([plain])))
        if exact:
            return exact
        folded = search.fold(spelling)
        if not folded:
            return []
        return list(queryset.filter(search_key__contains=search.frame([folded])))

    def find_german(self, name: str, region: Region | None = None) -> Municipality | None:
        queryset = Municipality.objects.german()
        exact = queryset.filter(name=name)
        if region is not None:
            exact = exact.filter(region=region)
        found = list(exact) or self._by_spelling(
            queryset.filter(region=region) if region else queryset, name
        )
        return self._one(found, name)

    def find_russian(self, cyrillic: str, region: Region | None) -> Municipality | None:
        queryset = Municipality.objects.russian().filter(name=cyrillic)
        if region is not None:
            found = list(queryset.filter(region=region))
            if not found:
                # A town first imported without its region gets it now.
                found = list(queryset.filter(region__isnull=True))
        else:
            found = list(queryset)
        return self._one(found, cyrillic)

    def find_russian_by_latin(self, latin: str, region: Region | None) -> Municipality | None:
        """A Russian partner already in the registry, by a Latin spelling of its name."""
        queryset = Municipality.objects.russian()
        if region is not None:
            queryset = queryset.filter(region=region)
        for form in self._forms(latin):  # also "Leningrad" for "Leningrad (Sankt Petersburg)"
            found = self._by_spelling(queryset, form)
            if found:
                return self._one(found, latin)
        return None

    def find_any(self, spelling: str, country: str | None = None) -> Municipality | None:
        """A municipality by any of its names (German towns first)."""
        queryset = Municipality.objects.all()
        if country:
            queryset = queryset.filter(country=country)
        found = self._by_spelling(queryset, spelling)
        if len({m.country for m in found}) > 1:
            found = [m for m in found if m.country == Country.GERMANY]
        return self._one(found, spelling)

    _one = staticmethod(one)

    # Creating and enriching --------------------------------------------------------------

    def create(self, *, country: str, name: str, region: Region | None, **fields) -> Municipality:
        municipality = Municipality(country=country, name=name, region=region, **fields)
        municipality.slug = unique_slug(
            name, region, lambda slug: Municipality.objects.filter(slug=slug).exists()
        )
        municipality.full_clean()
        municipality.save()
        for fields in historic_names_of(country, name):
            AlternativeName.objects.get_or_create(
                municipality=municipality, name=fields.pop("name"), defaults=fields
            )
        municipality.refresh_from_db()
        self.created += 1
        self.log.append(Change(ROLE[country], "", f"{name} (new municipality)"))
        return municipality

    def german(self, name: str, region: Region | None) -> Municipality:
        """The German partner of this name in this Land, created when new."""
        municipality = self.find_german(name, region)
        if municipality is None:
            municipality = self.create(
                country=Country.GERMANY,
                name=name,
                name_de=name,
                region=region,
                kind=german_kind(name),
            )
        elif region is not None and municipality.region_id is None:
            municipality.region = region
            municipality.save()
            self.updated += 1
            self.log.append(Change(f"{ROLE[Country.GERMANY]}.region", "", region.name_de))
        return municipality

    def russian(self, cyrillic: str, latin: str, region: Region | None) -> Municipality:
        """The Russian partner of this Cyrillic name in this region, created when new.

        A Latin spelling not yet known becomes the German name of a new municipality, or
        an alternative name of an existing one; a known historic name is never promoted
        to the current name (Königsberg stays historic for Калининград).
        """
        municipality = self.find_russian(cyrillic, region)
        if municipality is None:
            municipality = self.create(
                country=Country.RUSSIA, name=cyrillic, region=region, kind=russian_kind(cyrillic)
            )
        changed = False
        role = ROLE[Country.RUSSIA]
        if region is not None and municipality.region_id is None:
            municipality.region = region
            changed = True
            self.log.append(Change(f"{role}.region", "", region.name_de))
        if latin and not municipality.name_de and not self.is_historic(municipality, latin):
            municipality.name_de = latin
            changed = True
            self.log.append(Change(f"{role}.name_de", "", latin))
        elif latin and not self.knows(municipality, latin):
            AlternativeName.objects.create(
                municipality=municipality, name=latin, kind=AlternativeName.Kind.VARIANT
            )
            municipality.refresh_from_db()
            self.updated += 1
            self.log.append(Change(f"{role}.alternative_name", "", latin))
        if changed:
            municipality.save()
            self.updated += 1
        return municipality

    _forms = staticmethod(forms)

    def is_historic(self, municipality: Municipality, spelling: str) -> bool:
        return is_historic(
            [
                a.name
                for a in municipality.alternative_names.all()
                if a.kind == AlternativeName.Kind.HISTORIC
            ],
            spelling,
        )

    def knows(self, municipality: Municipality, spelling: str) -> bool:
        """Whether a spelling is one of the municipality's names (also "Old (Current)")."""
        return knows(municipality.search_key, municipality.search_names, spelling)

    def keep_as_alternative(self, municipality: Municipality, old_name: str) -> None:
        """Keep a replaced name searchable as an alternative spelling."""
        if old_name and old_name not in municipality.all_names():
            AlternativeName.objects.get_or_create(
                municipality=municipality, name=old_name, defaults={"kind": "variant"}
            )


# Close spellings: a name new to the registry that is nearly one it knows ---------------------

# A folded name within this many edits of a known one is "close" (longer names allow more).
CLOSE_EDITS = ((6, 1), (12, 2), (10_000, 3))


def max_edits(key: str) -> int:
    return next(edits for length, edits in CLOSE_EDITS if len(key) <= length)


def close_to(spelling: str, candidates: Iterable[tuple[str, object]]) -> list:
    """The candidates (``(search_key, item)``) one of whose names is close to this spelling.

    Close means a folded name equal to the spelling's, or within ``max_edits`` edits of it
    (Damerau-Levenshtein: "Nuess" is one transposition from "Neuss"). Closest first.
    """
    key = search.fold(spelling)
    if not key:
        return []
    limit = max_edits(key)
    found: dict[int, tuple[int, str, object]] = {}
    for framed, item in candidates:
        for name in framed.split(search.SEPARATOR):
            if not name or abs(len(name) - len(key)) > limit:
                continue
            distance = DamerauLevenshtein.distance(key, name, score_cutoff=limit)
            if distance <= limit:
                best = found.get(id(item))
                if best is None or distance < best[0]:
                    found[id(item)] = (distance, str(item), item)
    return [item for _distance, _name, item in sorted(found.values(), key=lambda f: f[:2])]


def close_municipalities(names: Iterable[str], country: str | None = None) -> list[Municipality]:
    """Municipalities of the registry with a name close to one of these (the admin's check)."""
    queryset = Municipality.objects.all()
    if country:
        queryset = queryset.filter(country=country)
    candidates = [
        (municipality.search_key, municipality)
        for municipality in queryset.select_related("region").only(
            "pk", "name", "search_key", "region__code", "country"
        )
    ]
    found: dict[int, Municipality] = {}
    for name in names:
        for municipality in close_to(name, candidates):
            found.setdefault(municipality.pk, municipality)
    return list(found.values())
