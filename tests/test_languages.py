"""Nothing leaks: every public page in /ru/ speaks Russian, every page in /en/ English.

Each public page (home, the lists with filters, every detail page of every kind, the
appeal, the signatories, about, the recent changes and their feed, the correction form,
a 400 and a 404) is read as a reader reads it: its visible text and the texts of
``title``, ``aria-label``, ``placeholder`` and ``alt``. Two kinds of text are not the
interface and are taken out first:

* names, which legitimately appear in their own language: the official names and other
  names of municipalities, initiatives' names and seats, signatories' names, the
  sources' own wording and addresses (``data_strings``);
* text an element marks as another language (``lang="de"`` around a German official
  name on a Russian page).

What is left must not contain a German interface string (/ru/ and /en/) or a Russian one
(/en/). The German interface strings are the German catalogue's translations
(``locale/de/LC_MESSAGES/django.po``, fuzzy entries excluded) and the vocabularies' German
labels, cut at placeholders, markup and punctuation into fragments of at least four
characters, minus, message by message, what the same message says in the reader's language
too ("Status" in English) and a few names every language writes alike ("OKTMO"); plus
German data that has a translation (region names, the appeal's German texts, a role, an
organisation as named) and German month names. The Russian list is built the same way.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import dates, translation

from partnerships import views, vocabulary
from partnerships.changes import partial_date
from partnerships.models import (
    AlternativeName,
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    Signatory,
    StatusEvent,
)
from partnerships.models.appeals import Participation
from partnerships.models.claims import DatePrecision
from tests.factories import MunicipalityFactory, RussianMunicipalityFactory
from tests.public_pages import filterset_of

pytestmark = pytest.mark.django_db

LOCALE = Path(__file__).resolve().parent.parent / "locale"
APPEAL_URL = "/appeals/drf-solidarity-appeal-2020/"
# Fragments shorter than this are words that also occur inside names ("von", "bis").
MIN_FRAGMENT = 4


# --- the catalogues -----------------------------------------------------------------


def _unquote(line: str) -> str:
    return line[line.index('"') + 1 : line.rindex('"')].encode().decode("unicode_escape")


def _po_text(raw: str) -> str:
    # unicode_escape reads the UTF-8 bytes as Latin-1: put them back together.
    return raw.encode("latin-1").decode("utf-8")


@cache
def catalogue(language: str) -> dict[tuple[str, str], tuple[str, list[str]]]:
    """``(context, msgid) -> (msgid_plural, [msgstr, ...])`` of the project's catalogue
    (fuzzy and untranslated entries left out)."""
    entries: dict[tuple[str, str], tuple[str, list[str]]] = {}
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        if any(line.startswith("#,") and "fuzzy" in line for line in lines):
            continue
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) ", line)
            if match:
                current = match.group(1)
                fields[current] = ""
            if current is not None and '"' in line:
                fields[current] += _po_text(_unquote(line))
        msgid = fields.get("msgid", "")
        translations = [value for key, value in sorted(fields.items()) if key.startswith("msgstr")]
        if msgid and any(translations):
            key = (fields.get("msgctxt", ""), msgid)
            entries[key] = (fields.get("msgid_plural", ""), [t for t in translations if t])
    return entries


SPLIT = re.compile(r"%\(\w+\)[sdi]|%[sdi]|<[^>]*>|\{\{.*?\}\}|[\n\"“”„«»():;!?·|/]")


def fragments(text: str) -> set[str]:
    """A text cut at placeholders, markup and punctuation into the phrases a page shows."""
    found = set()
    for piece in SPLIT.split(text):
        piece = piece.strip(" \t.,–-'")
        if len(piece) >= MIN_FRAGMENT and re.search(r"[^\W\d_]", piece):
            found.add(piece)
    return found


def vocabulary_labels(language: str) -> dict[tuple[str, str], str]:
    """Every choice label of the vocabularies in ``language``, by its choice."""
    kinds = [
        value
        for value in vars(vocabulary).values()
        if isinstance(value, type) and hasattr(value, "choices") and hasattr(value, "labels")
    ]
    with translation.override(language):
        return {
            (kind.__name__, member.value): str(member.label)
            for kind in [*kinds, Participation]
            for member in kind
        }


def month_names(language: str, reader: str) -> set[str]:
    """``language``'s month names that the reader's language spells otherwise ("Juni")."""

    def names(of: str) -> set[str]:
        with translation.override(of):
            tables = (dates.MONTHS, dates.MONTHS_ALT)
            return {str(name) for table in tables for name in table.values()}

    return names(language) - names(reader)


# Written alike in every language of the interface: names of codes, sources and formats,
# and the German sources' word for "suspended", which "About the data" quotes to explain it.
SHARED_NAMES = {"AGS", "OKTMO", "Wikidata", "GeoNames", "Wikipedia", "Excel", "UTF-8", "ruht"}


def _own_words(fragment: str, readers_text: str, reader: str) -> bool:
    """Whether the reader's text of the same message uses ``fragment`` too ("Status" in
    English; an English label starts in lower case where the page capitalises it)."""
    spellings = {fragment}
    if reader == "en":
        spellings.add(fragment[:1].lower() + fragment[1:])
    return any(
        re.search(rf"(?<!\w){re.escape(spelling)}(?!\w)", readers_text) for spelling in spellings
    )


@cache
def interface_strings(language: str, reader: str) -> frozenset[str]:
    """The interface strings of ``language`` that a page in ``reader``'s language must not
    show: per message of the catalogue and per label of the vocabularies, the fragments of
    its ``language`` text that its text in the reader's language (the English original,
    or the reader's translation; the English original where that is missing) does not use.

    Compared message by message, never against the reader's catalogue as a whole: a
    translation that keeps German words ("район (Landkreis/Kreis)") is itself a leak."""
    own = catalogue(language)
    readers = catalogue(reader) if reader != "en" else {}
    pairs = []
    for key, (plural, texts) in own.items():
        english = f"{key[1]} {plural}"
        readers_text = english if reader == "en" else " ".join(readers.get(key, ("", [english]))[1])
        pairs += [(text, readers_text) for text in texts]
    labels, readers_labels = vocabulary_labels(language), vocabulary_labels(reader)
    pairs += [(label, readers_labels[choice]) for choice, label in labels.items()]
    found = set()
    for text, readers_text in pairs:
        for fragment in fragments(text):
            if fragment not in SHARED_NAMES and not _own_words(fragment, readers_text, reader):
                found.add(fragment)
    return frozenset(found | month_names(language, reader))


def german_data(reader: str) -> set[str]:
    """German texts of records that have a translation for ``reader``."""
    found = set()
    for region in Region.objects.all():
        if region.name_de != getattr(region, f"name_{reader}"):
            found.add(region.name_de)
    for appeal in Appeal.objects.published():
        for field in ("title", "publisher", "summary", "full_text"):
            if getattr(appeal, f"{field}_{reader}"):
                found |= {line for line in getattr(appeal, field).splitlines() if line}
    for signatory in Signatory.objects.published():
        if getattr(signatory, f"role_{reader}"):
            found.add(signatory.role)
        if signatory.organisation and (
            getattr(signatory, f"organisation_{reader}")
            or signatory.municipality_id
            or signatory.initiative_id
        ):
            found.add(signatory.organisation)
    return found


def russian_data() -> set[str]:
    found = set(Region.objects.values_list("name_ru", flat=True))
    for appeal in Appeal.objects.published():
        found |= {appeal.title_ru, appeal.publisher_ru, appeal.summary_ru, appeal.full_text_ru}
    for signatory in Signatory.objects.published():
        found |= {signatory.role_ru, signatory.organisation_ru}
    return {text for text in found if text}


def pattern(strings) -> re.Pattern:
    """Any of ``strings`` as a whole phrase (also with a capital first letter)."""
    variants = set()
    for text in strings:
        variants |= {text, text[:1].upper() + text[1:]}
    alternatives = "|".join(re.escape(text) for text in sorted(variants, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


# --- what a reader reads ------------------------------------------------------------

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")


class ReadableText(HTMLParser):
    """The text of a page in its own language: elements marked as another language
    (``lang``), scripts and styles left out."""

    def __init__(self, language: str) -> None:
        super().__init__(convert_charrefs=True)
        self.language = language
        self.stack: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    @property
    def skipping(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        lang = (attributes.get("lang") or "").split("-")[0]
        skip = (
            self.skipping
            or tag in ("script", "style")
            or (bool(lang) and lang != self.language and tag != "html")
        )
        if not skip:
            self.parts += [attributes[name] for name in READ_ATTRIBUTES if attributes.get(name)]
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_endtag(self, tag):
        for position in range(len(self.stack) - 1, -1, -1):
            if self.stack[position][0] == tag:
                del self.stack[position:]
                return

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def readable_text(content: bytes, language: str) -> str:
    parser = ReadableText(language)
    parser.feed(content.decode())
    parser.close()
    return " ".join(" ".join(parser.parts).split())


@cache
def data_strings() -> tuple[str, ...]:
    """Names and quoted source texts: shown as they are in every language."""
    names = set()
    for municipality in Municipality.objects.all():
        names |= {municipality.name, municipality.name_de, municipality.name_en}
        names |= {municipality.name_ru}
    names |= set(AlternativeName.objects.values_list("name", flat=True))
    for initiative in Initiative.objects.all():
        names |= {initiative.name, initiative.seat_name}
    names |= set(Signatory.objects.values_list("person_name", flat=True))
    names |= set(Partnership.objects.values_list("kind_wording", flat=True))
    for source in PartnershipSource.objects.all():
        names |= {source.url, source.citation}
    # What a source says about an event, as the source file words it (English).
    names |= set(StatusEvent.objects.values_list("note", flat=True))
    return tuple(sorted((name for name in names if name), key=len, reverse=True))


ADDRESS = re.compile(r"\b(?:https?://|mailto:|www\.)\S+")


def without_data(text: str) -> str:
    """``text`` without names, quoted source texts and web addresses."""
    for name in data_strings():
        if name in text:
            text = text.replace(name, " ¦ ")
    return ADDRESS.sub(" ¦ ", text)


# --- every public page --------------------------------------------------------------

LIST_PAGES = [
    ("/partnerships/", {}),
    ("/partnerships/", {"page": 2}),
    ("/partnerships/", {"status": "suspended", "kind": "official"}),
    ("/partnerships/", {"german_state": "DE-BY", "sort": "-russian"}),
    ("/partnerships/", {"russian_region": "RU-KGD", "level": "region"}),
    ("/partnerships/", {"has_initiative": "yes", "unverified": "no", "sort": "status"}),
    ("/partnerships/", {"status_dated": "undated", "year_from": 1990}),
    ("/partnerships/", {"q": "Wolgograd"}),
    ("/municipalities/", {}),
    ("/municipalities/", {"country": "RU", "kind": "region", "sort": "region"}),
    ("/municipalities/", {"region": "DE-BY"}),
    ("/municipalities/", {"kind": "district", "has_active": "no"}),
    ("/municipalities/", {"q": "Kaliningrad"}),
    ("/initiatives/", {}),
    ("/initiatives/", {"kind": "school", "sort": "-founded"}),
    ("/initiatives/", {"region": "DE-NW"}),
    ("/signatories/", {}),
    ("/signatories/", {"participation": "supporter"}),
    ("/signatories/", {"organisation_kind": "municipality", "land": "DE-NW"}),
]


def public_pages() -> list[tuple[str, dict, int]]:
    """(address without language prefix, query, expected status) of every public page."""
    with translation.override("de"):  # the default language's addresses have no prefix
        return _public_pages()


def _public_pages() -> list[tuple[str, dict, int]]:
    pages = [("/", {}, 200), ("/about/", {}, 200), ("/changes/", {}, 200)]
    pages += [(url, params, 200) for url, params in LIST_PAGES]
    pages += [("/partnerships/", {"status": "bogus"}, 400), ("/nowhere/", {}, 404)]
    pages += [("/municipalities/no-such-town/", {}, 404), (APPEAL_URL, {}, 200)]
    for model in (Partnership, Municipality, Initiative):
        pages += [(record.get_absolute_url(), {}, 200) for record in model.objects.published()]
    for model in (Partnership, Municipality, Initiative, Appeal):
        record = model.objects.published().order_by("pk").first()
        pages.append((record.get_absolute_url() + "suggest/", {}, 200))
    return pages


def read(client, language: str, url: str, params: dict, status: int) -> str:
    response = client.get(f"/{language}{url}", params)
    assert response.status_code == status, (language, url, params)
    return without_data(readable_text(response.content, language))


def leaks(client, language: str, forbidden: dict[str, re.Pattern], pages=None) -> dict:
    """Per kind of forbidden string and per page (every public page and the feed unless
    ``pages`` is given), the strings the page shows; only pages that show any."""
    texts = {
        f"/{language}{url} {params or ''}": read(client, language, url, params, status)
        for url, params, status in (public_pages() if pages is None else pages)
    }
    if pages is None:
        feed = client.get(f"/{language}/changes/feed.atom")
        texts[f"/{language}/changes/feed.atom"] = without_data(
            readable_text(feed.content, language)
        )
    found = {}
    for kind, regex in forbidden.items():
        for page, text in texts.items():
            hits = sorted(set(regex.findall(text)))
            if hits:
                found.setdefault(kind, {})[page] = hits
    return found


def german_for(reader: str) -> re.Pattern:
    return pattern(interface_strings("de", reader) | german_data(reader))


def russian_for_english() -> re.Pattern:
    return pattern(interface_strings("ru", "en") | russian_data())


def test_the_lists_of_interface_strings_are_long_and_precise():
    """The lists hold the whole German and Russian interface, but not what the reader's
    language says alike."""
    german_ru, german_en = interface_strings("de", "ru"), interface_strings("de", "en")
    russian_en = interface_strings("ru", "en")
    assert len(german_ru) > 500 and len(german_en) > 500 and len(russian_en) > 500
    for expected in ["Partnerschaften", "Partnerschaftsregister", "Kreis", "Juni", "Status"]:
        assert any(expected in text for text in german_ru), expected
    assert "Stadt oder Gemeinde" in german_ru | german_en
    assert "Stadtbezirk" in german_ru | german_en
    assert "Партнёрства" in russian_en or "Партнерства" in russian_en
    # Shared by the languages, so never a leak: the codes and brands the interfaces name.
    for shared in ["OKTMO", "Wikidata", "Status"]:
        assert shared not in german_en, shared


def test_no_russian_page_shows_a_german_interface_string(client):
    assert leaks(client, "ru", {"German": german_for("ru")}) == {}


def test_no_english_page_shows_a_german_or_russian_interface_string(client):
    """And, stronger than the Russian list: after the names, no Cyrillic letter at all."""
    forbidden = {
        "German": german_for("en"),
        "Russian": russian_for_english(),
        "Cyrillic": re.compile(r"[А-Яа-яЁё][А-Яа-яЁё\w -]*"),
    }
    assert leaks(client, "en", forbidden) == {}


# --- the check can fail -------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "leak"),
    [
        ("ru", "Partnerschaften"),  # an interface string left in German
        ("ru", "Stadt oder Gemeinde"),  # a vocabulary label
        ("ru", "Nordrhein-Westfalen"),  # a region's German name
        ("en", "Oblast Kaliningrad"),
        ("en", "Juni"),  # a German month name
        ("en", "Stadt Köln"),  # an organisation as named, where a translation exists
        ("en", "Oberbürgermeisterin"),  # a role, where a translation exists
    ],
)
def test_the_german_lists_hold_each_kind_of_leak(language, leak):
    assert german_for(language).search(f"Köln · {leak} · 2020")


def test_the_russian_list_holds_each_kind_of_leak():
    for leak in ["Партнёрства", "Калининградская область", "обер-бургомистр", "июня"]:
        assert russian_for_english().search(f"Cologne · {leak} · 2020"), leak


def test_a_russian_translation_with_german_in_brackets_is_found(client, monkeypatch):
    """The leak of issue 11 put back: "район (Landkreis/Kreis)" on the Russian pages."""
    from django.utils.translation import trans_real

    russian = trans_real.translation("ru")
    original = russian.gettext

    def gettext(message):
        return "район (Landkreis/Kreis)" if message == "district" else original(message)

    monkeypatch.setattr(russian, "gettext", gettext)
    pages = [("/municipalities/", {"kind": "district"}, 200)]
    found = leaks(client, "ru", {"German": german_for("ru")}, pages)
    assert "Kreis" in next(iter(found["German"].values()))


def test_a_region_named_in_german_on_a_russian_page_is_found(client, monkeypatch):
    monkeypatch.setattr(Region, "localized_name", property(lambda region: region.name_de))
    found = leaks(client, "ru", {"German": german_for("ru")}, [("/partnerships/", {}, 200)])
    assert "Nordrhein-Westfalen" in next(iter(found["German"].values()))


# --- CSV and order ------------------------------------------------------------------


def csv_records(response) -> list[dict[str, str]]:
    raw = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(raw, newline="")))


@pytest.mark.parametrize(
    ("language", "nrw", "kaliningrad", "status", "kind"),
    [
        ("en", "North Rhine-Westphalia", "Kaliningrad Oblast", "suspended", "town or municipality"),
        ("ru", "Северный Рейн — Вестфалия", "Калининградская область", None, None),
        ("de", "Nordrhein-Westfalen", "Oblast Kaliningrad", None, "Stadt oder Gemeinde"),
    ],
)
def test_the_csv_names_regions_and_labels_in_the_readers_language(
    client, language, nrw, kaliningrad, status, kind
):
    prefix = "" if language == "de" else f"/{language}"
    rows = csv_records(client.get(f"{prefix}/partnerships/export.csv"))
    aachen = next(row for row in rows if row["permalink"].endswith("/aachen--kostroma/"))
    assert aachen["german_land"] == nrw
    assert aachen["german_land_iso"] == "DE-NW"  # codes stay as they are
    assert aachen["status"] == "suspended"
    with translation.override(language):
        assert aachen["status_label"] == str(vocabulary.Status.SUSPENDED.label)
    if status:
        assert aachen["status_label"] == status
    if kind:
        assert aachen["german_partner_kind_label"] == kind
    assert aachen["german_partner_kind"] == "town"
    region_rows = [row for row in rows if row["russian_region_iso"] == "RU-KGD"]
    assert region_rows and {row["russian_region"] for row in region_rows} == {kaliningrad}
    towns = csv_records(client.get(f"{prefix}/municipalities/export.csv", {"region": "RU-KGD"}))
    assert {row["region"] for row in towns} == {kaliningrad}


def test_the_csv_header_is_the_same_in_every_language(client):
    headers = {
        prefix: client.get(f"{prefix}/partnerships/export.csv").streaming_content
        for prefix in ("", "/ru", "/en")
    }
    first_lines = {
        prefix: next(iter(content)).splitlines()[0] for prefix, content in headers.items()
    }
    assert len(set(first_lines.values())) == 1


def german_partner_names(client, language: str, params: dict | None = None) -> list[str]:
    prefix = "" if language == "de" else f"/{language}"
    response = client.get(f"{prefix}/partnerships/", {"per_page": 100, **(params or {})})
    names = [p.german_partner.display_name for p in response.context["object_list"]]
    page = 2
    while page <= response.context["paginator"].num_pages:
        response = client.get(
            f"{prefix}/partnerships/", {"per_page": 100, "page": page, **(params or {})}
        )
        names += [p.german_partner.display_name for p in response.context["object_list"]]
        page += 1
    return names


def neighbours(names: list[str], name: str) -> tuple[str, str]:
    """The names before and after ``name`` in the list."""
    position = names.index(name)
    return names[position - 1], names[position + 1]


def test_in_english_bavaria_sorts_under_b_and_brandenburg_under_b(client):
    with translation.override("en"):
        names = german_partner_names(client, "en")
    assert "Bavaria" in names and "Brandenburg" in names
    before, after = neighbours(names, "Bavaria")
    assert before[0] in "AB" and after[0] == "B", (before, after)
    assert names.index("Bavaria") < names.index("Brandenburg") < names.index("Cologne")
    assert not any(name.startswith(("Freistaat", "Land ")) for name in names)


def collation_key(language: str):
    """An approximation of the ICU collation's first level, enough to check an order:
    spaces before punctuation before letters and digits, letters without their accents
    and case ("Ä" with "A", "ё" with "е"). Ties keep the list's order (sorted is stable)."""

    def base(char: str) -> str:
        return unicodedata.normalize("NFKD", char.casefold())[:1].replace("ё", "е")

    def key(name: str) -> list[tuple[int, str]]:
        return [
            (0, "") if char.isspace() else (2, base(char)) if char.isalnum() else (1, char)
            for char in name
        ]

    return key


@pytest.mark.parametrize("language", ["de", "ru", "en"])
def test_lists_sort_by_the_name_shown_with_the_languages_collation(client, language):
    prefix = "" if language == "de" else f"/{language}"
    with translation.override(language):
        names = german_partner_names(client, language)
        municipalities = client.get(f"{prefix}/municipalities/", {"per_page": 100})
        shown = [m.display_name for m in municipalities.context["object_list"]]
        by_region = client.get(f"{prefix}/municipalities/", {"per_page": 100, "sort": "region"})
        regions = [m.region.localized_name for m in by_region.context["object_list"] if m.region]
    assert names == sorted(names, key=collation_key(language))
    assert shown == sorted(shown, key=collation_key(language))
    assert regions == sorted(regions, key=collation_key(language))


def shown_municipalities(client, prefix: str) -> list[str]:
    names, page, last = [], 1, 1
    while page <= last:
        response = client.get(f"{prefix}/municipalities/", {"per_page": 100, "page": page})
        names += [m.display_name for m in response.context["object_list"]]
        last, page = response.context["paginator"].num_pages, page + 1
    return names


def test_umlauts_and_yo_sort_as_the_language_sorts(client):
    """The database's own collation (C.UTF-8) would put "Ö" after "Z" and "Ё" before "А"."""
    MunicipalityFactory(name="Ölsnitz", name_en="Ölsnitz", name_ru="Эльсниц", slug="oelsnitz")
    RussianMunicipalityFactory(name="Ёлкино", name_de="Jolkino", name_en="Yolkino", slug="yolkino")
    with translation.override("de"):
        names = shown_municipalities(client, "")
    before, after = neighbours(names, "Ölsnitz")
    assert before[0] in "OÖ" and after[0] in "OÖP", (before, after)
    with translation.override("ru"):
        names = shown_municipalities(client, "/ru")
    before, after = neighbours(names, "Ёлкино")
    assert before[0] in "ДЕЁ" and after[0] in "ЕЁЖЗ", (before, after)


@pytest.mark.parametrize("language", ["de", "en", "ru"])
def test_the_order_of_the_shown_names_has_its_index(language):
    """Migration 0012's indexes are written in SQL: they must stay what ``shown_name``
    asks for, or every list sorts all municipalities again."""
    with translation.override(language), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = filterset_of(views.MunicipalityListView, QueryDict()).qs[:50].explain()
    assert f"municipality_shown_name_{language}" in plan


@pytest.mark.parametrize("language", ["de", "en", "ru"])
def test_the_land_filter_lists_the_laender_by_their_shown_name(client, language):
    prefix = "" if language == "de" else f"/{language}"
    response = client.get(f"{prefix}/partnerships/")
    facet = next(f for f in response.context["facets"] if f.name == "german_state")
    labels = [option.label for option in facet.options]
    with translation.override(language):
        expected = [
            region.localized_name
            for region in Region.objects.filter(code__in=[option.value for option in facet.options])
        ]
    assert sorted(labels, key=collation_key(language)) == labels
    assert sorted(expected, key=collation_key(language)) == labels


# --- what issue 11 found, one by one -------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/ru", "/en"])
def test_provenance_notes_are_for_editors_only(client, admin_client, prefix):
    novgorod = Municipality.objects.get(slug="velikiy-novgorod")
    assert "until 14 June 1999" in novgorod.sources
    page = client.get(f"{prefix}/municipalities/velikiy-novgorod/").content.decode()
    for note in ["until 14 June 1999", "hflabs/city", "qid: real_partnerships.csv"]:
        assert note not in page
    assert f'href="{prefix}/about/"' in page  # the sources are cited in general terms
    editor_page = admin_client.get(f"{prefix}/municipalities/velikiy-novgorod/")
    assert "hflabs/city" in editor_page.content.decode()


@pytest.mark.parametrize(
    ("prefix", "label"), [("", "Oblast"), ("/ru", "область"), ("/en", "oblast")]
)
def test_a_whole_region_is_named_by_its_kind(client, prefix, label):
    page = client.get(f"{prefix}/municipalities/kaliningradskaya-oblast/").content.decode()
    subtitle = re.search(r'<p class="subtitle">(.*?)</p>', page, re.DOTALL).group(1)
    assert subtitle.startswith(label + " ·")
    assert "федеральная земля" not in page and "whole Land" not in page


@pytest.mark.parametrize(
    ("prefix", "absent"),
    [
        ("/ru", ["Oberbürgermeisterin", "Stadt Köln", "(Stadt/Gemeinde)", "Landkreis/Kreis"]),
        ("/en", ["Oberbürgermeisterin", "Stadt Köln", "(Stadt/Gemeinde)", "Landkreis/Kreis"]),
    ],
)
def test_the_named_leaks_are_gone(client, prefix, absent):
    pages = [
        APPEAL_URL,
        "/signatories/",
        "/municipalities/?kind=district",
        "/municipalities/?kind=town",
        "/municipalities/kreis-pinneberg/",
    ]
    for url in pages:
        page = client.get(prefix + url).content.decode()
        for text in absent:
            assert text not in page, (url, text)


@pytest.mark.parametrize(
    ("prefix", "date"),
    [("", "30. April 2020"), ("/ru", "30 апреля 2020"), ("/en", "April 30, 2020")],
)
def test_dates_are_written_in_the_readers_language(client, prefix, date):
    assert date in client.get(prefix + APPEAL_URL).content.decode()


@pytest.mark.parametrize("month", range(1, 13))
def test_a_month_is_written_the_same_way_in_every_date_of_a_language(month):
    """English writes every month out (Django's own format abbreviates some: "Feb. 25",
    "March 30"); Russian writes a month in lower case also where a date names only the
    month ("март 2022 г.", as "30 марта 2022 г.")."""
    day = datetime.date(2022, month, 25)
    with translation.override("en"):
        english = str(dates.MONTHS[month])
        assert partial_date(day, DatePrecision.DAY) == f"{english} 25, 2022"
        assert partial_date(day, DatePrecision.MONTH) == f"{english} 2022"
    with translation.override("ru"):
        in_a_date = partial_date(day, DatePrecision.DAY)
        alone = partial_date(day, DatePrecision.MONTH)
        assert in_a_date == f"25 {dates.MONTHS_ALT[month]} 2022 г."
        assert alone == f"{str(dates.MONTHS[month]).lower()} 2022 г."
        assert alone[0].islower() and in_a_date.split()[1].islower()
    with translation.override("de"):
        german = str(dates.MONTHS[month])
        assert partial_date(day, DatePrecision.DAY) == f"25. {german} 2022"
        assert partial_date(day, DatePrecision.MONTH) == f"{german} 2022"
        assert german[0].isupper()  # a noun in German, capitalised everywhere
