"""A deterministic synthetic registry in the starter-data format (``partnerships-de-ru.csv``).

N partnerships between about N/2 German and N/2 Russian municipalities, built from a
fixed seed so that every run imports exactly the same file:

- German names from German syllables, umlauts and ß included (Großröhrsdorf, Bad Lübbenfeld,
  Neustadt an der Wörnitz), a few Landkreise, Ämter and Berlin/Hamburg districts;
- Russian names in Cyrillic (Новосольск, Верхнеозёрский район) with their German
  (Duden: Nowosolsk, Werchneosjorski) and English (BGN/PCGN-like: Novosolsk,
  Verkhneozyorskiy) transliterations: a town's first row carries the German spelling,
  later rows often the English one, as real sources do;
- spread over the real regions of ``partnerships/data/regions.csv`` (Länder by their
  German name, Russian regions by their German name or one of their Latin aliases),
  weighted roughly by population;
- kinds, statuses, years and sources mixed in the wording of real sources.

Names are kept unique after the search folding (``partnerships.spellings.fold``), so that
the importer's matcher never merges two generated towns.
"""

from __future__ import annotations

import csv
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from partnerships.spellings import fold  # noqa: E402

REGIONS_CSV = ROOT / "partnerships" / "data" / "regions.csv"
SEED = 20260601
# Bump when the generated data changes: a reused bench database is only reused for the same.
GENERATOR_VERSION = 1
SEARCH_TERMS = 3000  # towns named in Dataset.search_terms

COLUMNS = [
    "german_name",
    "german_state",
    "russian_name_latin",
    "russian_name_cyrillic",
    "russian_region",
    "kind",
    "since_year",
    "status",
    "source",
]

# Share of the population, roughly: where German partners are.
LAND_WEIGHTS = {
    "DE-NW": 18,
    "DE-BY": 13,
    "DE-BW": 11,
    "DE-NI": 8,
    "DE-HE": 6,
    "DE-SN": 4,
    "DE-RP": 4,
    "DE-BE": 3.5,
    "DE-SH": 3,
    "DE-BB": 2.5,
    "DE-ST": 2.2,
    "DE-TH": 2.1,
    "DE-HH": 1.8,
    "DE-MV": 1.6,
    "DE-SL": 1,
    "DE-HB": 0.7,
}
# Russian regions with many partnerships get more weight; all others weigh 1.
RUSSIAN_WEIGHTS = {
    "RU-MOS": 6,
    "RU-MOW": 4,
    "RU-SPE": 4,
    "RU-LEN": 4,
    "RU-KGD": 5,
    "RU-NIZ": 3,
    "RU-SVE": 3,
    "RU-KDA": 3,
    "RU-ROS": 3,
    "RU-TA": 3,
    "RU-SAM": 2,
    "RU-VGG": 2,
    "RU-NVS": 2,
    "RU-PSK": 2,
    "RU-NGR": 2,
    "RU-KR": 2,
    "RU-YAR": 2,
    "RU-TVE": 2,
}

# Source wording -> weight (all known to partnerships.vocabulary.KIND_WORDING).
KINDS = {
    "Städtepartnerschaft": 36,
    "Partnerschaft": 12,
    "twin town / sister city": 14,
    "Partnerstadt": 6,
    "twinned administrative body (Wikidata P190)": 4,
    "Städtefreundschaft": 9,
    "Freundschaft": 3,
    "Kooperation": 7,
    "Kontakt": 2,
    "Projektpartnerschaft": 3,
    "Partnerschaft (Agrar)": 1,
    "Partnerschaft (Region)": 3,
}
STATUSES = {
    "active": 30,
    "aktiv": 4,
    "suspended": 20,
    "ruht": 5,
    "auf Eis": 2,
    "inaktiv": 5,
    "dormant": 2,
    "beendet": 2,
    "ended": 1,
    "": 29,
}

# German names ------------------------------------------------------------------------------

DE_STARTS = [
    "Alt", "Am", "Ans", "Ber", "Bie", "Bo", "Brü", "Bü", "Dach", "Del", "Dür", "Eber", "Eich",
    "Ems", "Er", "Falk", "Frei", "Frö", "Gar", "Gei", "Glü", "Gö", "Greven", "Hal", "Ham",
    "Hei", "Her", "Hö", "Il", "Ingel", "Kal", "Kö", "Kreuz", "Lan", "Lau", "Lie", "Lü", "Mar",
    "Mei", "Mö", "Mün", "Nie", "Nord", "Ober", "Oster", "Pful", "Qued", "Rat", "Reut", "Rö",
    "Ro", "Saal", "Schö", "Schwa", "Sie", "Stein", "Sü", "Tann", "Tü", "Über", "Unter", "Val",
    "Wal", "Wei", "Wer", "Wie", "Wü", "Zell", "Zwei", "Ahr", "Bären", "Fürs", "Grä", "Jü",
    "Kä", "Mäh", "Nä", "Sä", "Tä", "Wä", "Blan", "Drei", "Els", "Fal", "Hil", "Loh", "Mar",
]  # fmt: skip
DE_MIDDLES = [
    "", "", "", "", "ben", "bers", "den", "der", "ders", "el", "en", "ens", "er", "ger", "hel",
    "ken", "lin", "lings", "mer", "nitz", "ren", "ring", "sel", "ter", "wes", "zen", "ös",
    "über", "ach", "ling", "ke", "rö", "hof", "stet", "lob", "dorf",
]  # fmt: skip
DE_ENDS = [
    "au", "bach", "berg", "born", "brück", "bruch", "büttel", "burg", "dorf", "feld", "furt",
    "hagen", "hain", "hausen", "heim", "hofen", "holz", "horst", "hütte", "ingen", "kirchen",
    "lage", "leben", "lohe", "münde", "mühl", "ow", "rode", "roda", "stadt", "stedt", "stein",
    "tal", "walde", "weiler", "werder", "witz", "zell", "garten", "höhe", "grün", "fließ",
    "städt", "büren", "schlag", "haßlach", "hall", "sloh", "wede",
]  # fmt: skip
DE_PREFIXES = ["Bad", "Neu", "Alt", "Groß", "Klein", "Sankt"]
DE_GLUED_PREFIXES = ["Neu", "Alt", "Groß", "Klein", "Hohen", "Nieder", "Ober"]
DE_VOWELS = set("aeiouyäöü")
DE_AFFIXES = [
    "am Main", "an der Oder", "an der Wörnitz", "im Allgäu", "in der Oberpfalz", "am Harz",
    "an der Ruhr", "ob der Tauber", "im Schwarzwald", "am See", "an der Saale", "vor der Höhe",
]  # fmt: skip
DE_DISTRICT_STEMS = ["Mitte", "Nord", "Süd", "Ost", "West", "Altstadt", "Hafen", "Heide"]

# Russian names: Cyrillic syllables, transliterated below -----------------------------------

RU_PREFIXES = [
    "Ново", "Старо", "Верхне", "Нижне", "Красно", "Бело", "Черно", "Северо", "Южно", "Усть-",
    "Больше", "Мало", "Светло", "Зелено", "Перво", "Горно", "Круто",
]  # fmt: skip
RU_ROOTS = [
    "сол", "дар", "вол", "жел", "шах", "чер", "кам", "лип", "берёз", "сосн", "яр", "щук",
    "ключ", "хол", "озёр", "бор", "гор", "луг", "рек", "камыш", "тих", "ясн", "жар", "звен",
    "медв", "волж", "дон", "ок", "кур", "сыр", "ель", "хвой", "цвет", "чист", "юр", "мир",
    "слав", "влад", "ждан", "лес", "поль", "бобр", "журав", "заозёр", "подгор", "сев", "тавр",
    "ряз", "вишн", "кедр", "ольх", "рыб", "соб", "птич", "щит", "шум", "ёлк", "ивн", "явор",
]  # fmt: skip
RU_LINKS = ["", "", "", "", "о", "е", "ов", "ин", "ян", "ан", "ец", "уш"]
RU_TOWN_ENDS = [
    "ск", "овск", "инск", "ево", "ово", "ино", "град", "горск", "поль", "ка", "ов", "ёв",
    "ец", "ое", "ая", "ский", "ники", "ичи", "ень", "уйск", "ельск", "озёрск", "гощь",
]  # fmt: skip
RU_RAYON_ENDS = ["ский район", "овский район", "инский район", "ёвский район"]

VOWELS = set("аеёиоуыэюяь ъ-")
RU_VOWELS = set("аеёиоуыэюя")

DE_TRANSLIT = {
    "а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch",
    "з": "s", "и": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch",
    "ш": "sch", "щ": "schtsch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja",
}  # fmt: skip
EN_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
DE_RAYON = {"район": "Rajon"}
EN_RAYON = {"район": "Rayon"}


def _translit_word(word: str, table: dict[str, str], german: bool) -> str:
    lower = word.lower()
    out: list[str] = []
    for i, char in enumerate(lower):
        before = lower[i - 1] if i else " "
        after = lower[i + 1] if i + 1 < len(lower) else " "
        if char == "е" and (before in VOWELS):
            out.append("je" if german else "ye")
        elif german and char == "с" and before in "аеёиоуыэюя" and after in "аеёиоуыэюя":
            out.append("ss")  # Duden: с between vowels is ss (Nowosibirsk, but Ussolje)
        elif char == "й" and before in "иы" and after == " ":
            out.append("" if german else "y")  # -ский: -ski (Duden) / -skiy (English)
        elif char == "й":
            out.append("i" if german else "y")
        else:
            out.append(table.get(char, char))
    return "".join(out)


def transliterate(cyrillic: str, *, german: bool) -> str:
    table = DE_TRANSLIT if german else EN_TRANSLIT
    rayon = DE_RAYON if german else EN_RAYON
    words = []
    for word in cyrillic.split(" "):
        if word in rayon:
            words.append(rayon[word])
            continue
        parts = [_translit_word(part, table, german) for part in word.split("-")]
        words.append("-".join(part[:1].upper() + part[1:] for part in parts))
    return " ".join(words)


# Regions -----------------------------------------------------------------------------------

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


@dataclass(frozen=True)
class Region:
    code: str
    country: str
    spellings: tuple[str, ...]  # how files name it: German name first, then Latin aliases


def load_regions(path: Path = REGIONS_CSV) -> list[Region]:
    """The real regions, with the unambiguous Latin spellings the importer understands."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    owners: dict[str, set[str]] = {}
    for row in rows:
        for spelling in _spellings(row):
            owners.setdefault(spelling.casefold(), set()).add(row["code"])
    regions = []
    for row in rows:
        unique = tuple(s for s in _spellings(row) if len(owners[s.casefold()]) == 1)
        regions.append(Region(row["code"], row["country"], unique or (row["name_de"],)))
    return regions


def _spellings(row: dict[str, str]) -> list[str]:
    if row["country"] == "DE":
        return [row["name_de"]]  # German Länder by their German name, as German sources do
    aliases = [a.strip() for a in row["aliases"].split("|") if a.strip()]
    return [row["name_de"], *[a for a in aliases if not _CYRILLIC.search(a)]]


# The generator -----------------------------------------------------------------------------


@dataclass
class German:
    name: str
    land: Region


@dataclass
class Russian:
    cyrillic: str
    german: str
    english: str
    region: Region


def _joined(rng: random.Random, syllables: list[list[str]], vowels: set[str]) -> str:
    """Syllables, one from each list, never two vowels across a joint (no "Süöshall")."""
    name = ""
    for choices in syllables:
        while True:
            part = rng.choice(choices)
            if not (name and part and name[-1].lower() in vowels and part[0] in vowels):
                break
        name += part
    return name[:1].upper() + name[1:].lower() if name[:1].islower() else name


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


class Generator:
    def __init__(self, seed: int = SEED) -> None:
        self.rng = random.Random(seed)  # noqa: S311 (reproducible test data, not security)
        regions = load_regions()
        self.lands = [r for r in regions if r.country == "DE"]
        self.russian_regions = [r for r in regions if r.country == "RU"]
        self._folded: set[str] = set()

    def _unique(self, name: str) -> bool:
        key = fold(name)
        if not key or key in self._folded:
            return False
        self._folded.add(key)
        return True

    # German -------------------------------------------------------------------------------

    def german_name(self, land: Region) -> str:
        rng = self.rng
        stem = _joined(rng, [DE_STARTS, DE_MIDDLES, DE_ENDS], DE_VOWELS)
        roll = rng.random()
        if land.code in {"DE-BE", "DE-HH"} and roll < 0.5:
            city = "Berlin" if land.code == "DE-BE" else "Hamburg"
            return (
                f"{city}-{stem}"
                if rng.random() < 0.7
                else f"{city}-{rng.choice(DE_DISTRICT_STEMS)}-{stem}"
            )
        if roll < 0.05:
            return f"Landkreis {stem}"
        if roll < 0.07:
            return f"Kreis {stem}"
        if roll < 0.085:
            return f"Amt {stem}"
        if roll < 0.30:
            if rng.random() < 0.5:
                return f"{rng.choice(DE_PREFIXES)} {stem}"
            return rng.choice(DE_GLUED_PREFIXES) + stem.lower()
        if roll < 0.36:
            return f"{stem} {rng.choice(DE_AFFIXES)}"
        return stem

    def germans(self, count: int) -> list[German]:
        lands = {r.code: r for r in self.lands}
        result: list[German] = []
        while len(result) < count:
            land = lands[_weighted(self.rng, LAND_WEIGHTS)]
            name = self.german_name(land)
            if self._unique(name):
                result.append(German(name, land))
        return result

    # Russian ------------------------------------------------------------------------------

    def cyrillic_name(self) -> str:
        rng = self.rng
        parts = [RU_ROOTS, RU_LINKS, RU_RAYON_ENDS if rng.random() < 0.09 else RU_TOWN_ENDS]
        if rng.random() < 0.35:
            parts.insert(0, RU_PREFIXES)
        name = _joined(rng, parts, RU_VOWELS)
        return "-".join(part[:1].upper() + part[1:] for part in name.split("-"))

    def russians(self, count: int) -> list[Russian]:
        weights = {r.code: RUSSIAN_WEIGHTS.get(r.code, 1) for r in self.russian_regions}
        regions = {r.code: r for r in self.russian_regions}
        result: list[Russian] = []
        while len(result) < count:
            cyrillic = self.cyrillic_name()
            german = transliterate(cyrillic, german=True)
            english = transliterate(cyrillic, german=False)
            # The Cyrillic name and both transliterations must not meet another town's.
            keys = {fold(cyrillic), fold(german), fold(english)}
            if not all(keys) or keys & self._folded:
                continue
            self._folded |= keys
            region = regions[_weighted(self.rng, weights)]
            result.append(Russian(cyrillic, german, english, region))
        return result

    # Partnerships -------------------------------------------------------------------------

    def pairs(self, partnerships: int, germans: int, russians: int) -> list[tuple[int, int]]:
        """Unique (German, Russian) index pairs; every municipality has at least one."""
        rng = self.rng
        g_slots = [i % germans for i in range(partnerships)]
        r_slots = [i % russians for i in range(partnerships)]
        rng.shuffle(g_slots)
        rng.shuffle(r_slots)
        seen: set[tuple[int, int]] = set()
        pairs = []
        for g, r in zip(g_slots, r_slots, strict=True):
            while (g, r) in seen:
                r = rng.randrange(russians)
            seen.add((g, r))
            pairs.append((g, r))
        return pairs

    def source(self, german: German, russian: Russian, wording: str) -> str:
        rng = self.rng
        slug = re.sub(r"[^a-z0-9]+", "-", fold(german.name)).strip("-")
        wikidata = (
            f"Wikidata P190 Q{rng.randrange(1000, 9_999_999)}↔Q{rng.randrange(1000, 9_999_999)}"
            " (2016 crawl)"
        )
        if "P190" in wording:
            return wikidata
        sources = [f"https://www.{slug}.de/partnerstaedte"]
        if rng.random() < 0.3:
            sources.append(f"https://de.rbth.com/articles/{rng.randrange(2005, 2024)}/{slug}")
        if rng.random() < 0.15:
            sources.append(wikidata)
        return " | ".join(sources)

    def rows(self, partnerships: int) -> list[dict[str, str]]:
        germans = self.germans(max(partnerships // 2, 1))
        russians = self.russians(max(partnerships - partnerships // 2, 1))
        seen_russian: set[int] = set()
        rows = []
        for g, r in self.pairs(partnerships, len(germans), len(russians)):
            german, russian = germans[g], russians[r]
            if r not in seen_russian:
                latin = russian.german  # a town's first row: German sources, German spelling
                seen_russian.add(r)
            else:
                latin = russian.english if self.rng.random() < 0.5 else russian.german
            wording = _weighted(self.rng, KINDS)
            year = str(self.rng.randrange(1955, 2022)) if self.rng.random() < 0.6 else ""
            rows.append(
                {
                    "german_name": german.name,
                    "german_state": german.land.spellings[0],
                    "russian_name_latin": latin,
                    "russian_name_cyrillic": russian.cyrillic,
                    "russian_region": self.rng.choice(russian.region.spellings),
                    "kind": wording,
                    "since_year": year,
                    "status": _weighted(self.rng, STATUSES),
                    "source": self.source(german, russian, wording),
                }
            )
        self.germans_list, self.russians_list = germans, russians
        return rows


@dataclass
class Dataset:
    path: Path
    rows: int
    germans: int
    russians: int
    # A Russian town of the file, for the search benchmark (German spelling and Cyrillic).
    search_latin: str
    search_cyrillic: str
    # More towns of the file, spread over it, for searches that no cache has seen.
    search_terms: list[tuple[str, str]]
    # Every generated town (for the peer's search terms and spellings, bench/peer.py).
    german_towns: list[German] = field(default_factory=list, repr=False)
    russian_towns: list[Russian] = field(default_factory=list, repr=False)


def write(path: Path, partnerships: int, seed: int = SEED) -> Dataset:
    generator = Generator(seed)
    rows = generator.rows(partnerships)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    # A town (not a rayon) in the middle of the list, whose name is a single word.
    towns = [r for r in generator.russians_list if " " not in r.cyrillic and "-" not in r.cyrillic]
    target = towns[len(towns) // 2]
    step = max(len(towns) // SEARCH_TERMS, 1)
    terms = [(town.german, town.cyrillic) for town in towns[::step][:SEARCH_TERMS]]
    return Dataset(
        path=path,
        rows=len(rows),
        germans=len(generator.germans_list),
        russians=len(generator.russians_list),
        search_latin=target.german,
        search_cyrillic=target.cyrillic,
        search_terms=terms,
        german_towns=generator.germans_list,
        russian_towns=generator.russians_list,
    )


if __name__ == "__main__":  # python bench/generate.py N OUT.csv: just the file
    info = write(Path(sys.argv[2]), int(sys.argv[1]))
    print(info)
