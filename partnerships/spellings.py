"""Spelling-insensitive search keys for names of places.

The same town is written in Cyrillic, in German transliteration (Nischni Nowgorod),
in English transliteration (Nizhny Novgorod), with or without umlauts (Düsseldorf,
Dusseldorf, Duesseldorf). ``fold`` maps all of these onto one Latin key: the
transliteration of Cyrillic comes from anyascii; the folding rules below then merge
the German and English conventions for the same Russian sound. The key is lossy on
purpose: it only needs to bring spellings of one name together, and a trigram
similarity over the key (pg_trgm) absorbs what is left, typos included.

A municipality stores ``search_key``: the folded forms of all its names, each framed
by ``|`` so that exact and prefix matches are substring tests the trigram index serves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from anyascii import anyascii

SEPARATOR = "|"

# German umlaut spellings first, so that "ue" from "Duesseldorf" and "ü" meet.
_UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})
_DIGRAPHS_DE = [("ae", "a"), ("oe", "o"), ("ue", "u")]
# Transliteration variants, most specific first. Left: German or English spelling of a
# Russian sound; right: the common form.
_FOLDS = [
    ("shch", "sh"),  # щ (English)
    ("schtsch", "sh"),  # щ (German)
    ("tsch", "ch"),  # ч (German)  -> like English "ch"
    ("sch", "sh"),  # ш, ж (German)
    ("zh", "sh"),  # ж (English)
    ("kh", "ch"),  # х (English); German writes "ch"
    ("ts", "z"),  # ц (English); German writes "z"
    ("tz", "z"),
    ("x", "ks"),
    ("ck", "k"),
    ("z", "s"),  # з (English z, German s); ц has become z above and folds along
    ("w", "v"),  # в (German w)
    ("j", "y"),  # й, я, ю (German j, English y)
    ("y", "i"),  # ы, й and the y of я/ю/ё
    ("ph", "f"),
]
_NON_WORD = re.compile(r"[^a-z0-9]+")
_DOUBLE = re.compile(r"([a-z])\1+")


def fold(text: str) -> str:
    """Return the spelling-insensitive key of one name (lowercase a-z, digits, spaces)."""
    text = unicodedata.normalize("NFC", text or "").casefold().translate(_UMLAUTS)
    text = anyascii(text).lower()
    text = _NON_WORD.sub(" ", text)
    for old, new in _DIGRAPHS_DE:
        text = text.replace(old, new)
    for old, new in _FOLDS:
        text = text.replace(old, new)
    text = _DOUBLE.sub(r"\1", text)
    return " ".join(text.split())


def plain(text: str) -> str:
    """Case-folded name with spaces normalised: for exact matches that keep umlauts."""
    return " ".join(unicodedata.normalize("NFC", text or "").casefold().split())


def frame(values: Iterable[str]) -> str:
    """Join distinct non-empty values as ``|a|b|`` (exact match = contains ``|q|``)."""
    distinct = dict.fromkeys(values)
    distinct.pop("", None)
    return f"{SEPARATOR}{SEPARATOR.join(distinct)}{SEPARATOR}" if distinct else ""


def search_key(names: Iterable[str], fold=fold) -> str:
    """The ``search_key`` of a municipality with these names (``fold`` may be a cache)."""
    return frame(fold(name) for name in names)


def search_names(names: Iterable[str], plain=plain) -> str:
    """The ``search_names`` of a municipality with these names (``plain`` may be a cache)."""
    return frame(plain(name) for name in names)


_CYRILLIC = re.compile(r"[\u0400-\u04ff]")

# A key shorter than this only finds a name equal to it: as a prefix or a similar name it
# would match almost anything ("zzzz" folds to "s", a prefix of 44 starter towns).
MIN_FUZZY_LENGTH = 3

# A German name written in Russian letters, read back the German way (the reverse of
# ``partnerships.transcription``): ё/ю are ö/ü (Кёльн, Дюссельдорф), ай/ой are ei/eu
# (Пфорцхайм, Нойс), шт/шп are st/sp (Ингольштадт), the soft and hard signs are not
# written (Билефельд). Г and Х are H at the start of a word (Гамбург, Хильдесхайм, the
# older and the newer rendering) and Х is H where a German compound's part begins
# (Бремерхафен); elsewhere Х stays ch (Мюнхен, Бохум).
_GERMAN_LETTERS = [
    ("ё", "ö"),
    ("ю", "ü"),
    ("ай", "ei"),
    ("ой", "eu"),
    ("шт", "st"),
    ("шп", "sp"),
    ("ь", ""),
    ("ъ", ""),
]
_GERMAN_H = re.compile(
    r"\b[гх]|х(?=айм|аузен|аус|афен|оф|орст|аген|ольц|айн|ютте)", flags=re.IGNORECASE
)
# "St. Petersburg", "Saint Petersburg", "Sankt Petersburg", "Санкт-Петербург": one word,
# written in any of its forms in the names (the city has "sankt", its district "saint",
# a German town "St."). Tried only before another word: "st" alone is no name.
_SAINT = re.compile(r"(?<![a-z0-9])(st|sankt|saint)(?= [a-z0-9])")
_SAINT_FORMS = ("st", "sankt", "saint")


def german_reading(text: str) -> str:
    """A Cyrillic name read as the Russian rendering of a German one (see above)."""
    text = _GERMAN_H.sub("h", unicodedata.normalize("NFC", text).casefold())
    for russian, german in _GERMAN_LETTERS:
        text = text.replace(russian, german)
    return text


def query_keys(text: str) -> list[str]:
    """The folded forms a query is searched under, the query's own fold first.

    A German town written in Cyrillic follows Russian conventions (Гамбург, Кёльн,
    Хильдесхайм), so a Cyrillic query is also tried read the German way
    (``german_reading``). "St.", "Saint" and "Sankt" before a name are one word: the
    query is also tried with the other two.
    """
    key = fold(text)
    if not key:
        return []
    keys = [key]
    if _CYRILLIC.search(text):
        keys.append(fold(german_reading(text)))
    for variant in list(keys):
        if _SAINT.search(variant):
            keys += [_SAINT.sub(form, variant) for form in _SAINT_FORMS]
    return list(dict.fromkeys(key for key in keys if key))


def fuzzy(key: str) -> bool:
    """Whether a key is long enough to be searched as a prefix or a similar name."""
    return len(key.replace(" ", "")) >= MIN_FUZZY_LENGTH
