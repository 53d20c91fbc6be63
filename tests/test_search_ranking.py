"""The order a search lists towns in, the gazetteer's names, and a search that finds nothing.

Issue 11: a town matched as a whole name comes before its districts; the registry's own
names before the gazetteer's, and both before a merely similar name; junk lists nothing
but says so, with "did you mean …?" where a name comes close.
"""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection, transaction
from django.db.models import Value
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partnerships import spellings
from partnerships.models import Municipality, Partnership
from partnerships.models import municipalities as ranking
from partnerships.models.municipalities import search_rank
from tests.factories import MunicipalityFactory
from tests.town_spellings import GERMAN_TOWNS_IN_CYRILLIC

pytestmark = pytest.mark.django_db

# A few of the names GeoNames gives these towns, stored as refresh_gazetteer stores them.
GAZETTEER = {
    "Braunschweig": ["Brunswick", "Брауншвейг", "Brunsvicum"],
    "Hannover": ["Hanover", "Ганновер", "Hanovre"],
    "Aachen": ["Aix-la-Chapelle", "Aquisgrán", "Ахен"],
    "Köln": ["Cologne", "Кёльн", "Кельн"],
    "Neuss": ["Нойс", "Nuess"],
    "Bielefeld": ["Билефельд"],
    "Bremerhaven": ["Бремерхафен"],
    "Pforzheim": ["Пфорцхайм"],
    "Hildesheim": ["Хильдесхайм"],
    "Celle": ["Целле"],
    "Ingolstadt": ["Ингольштадт"],
    "Санкт-Петербург": ["St Petersburg", "Saint-Pétersbourg", "Питер"],
}
CITY, DISTRICT = "Санкт-Петербург", "Петроградский район (Санкт-Петербург)"
LANGUAGES = {"de": "", "ru": "/ru", "en": "/en"}


@pytest.fixture
def gazetteer():
    """Exactly these gazetteer names, whatever the starter data's refresh filled in."""
    Municipality.objects.update(gazetteer_key="")
    for name, names in GAZETTEER.items():
        updated = Municipality.objects.filter(name=name).update(
            gazetteer_key=spellings.search_key(names)
        )
        assert updated == 1, name


@pytest.fixture
def no_gazetteer():
    """Only the registry's own names: similarity decides, not a GeoNames variant."""
    Municipality.objects.update(gazetteer_key="")


def page(client, query, language="de", url="/municipalities/", **params):
    response = client.get(f"{LANGUAGES[language]}{url}", {"q": query, **params})
    assert response.status_code == 200
    return response


def listed(client, query, language="de"):
    return [m.name for m in page(client, query, language).context["object_list"]]


def ranks(query, *names):
    found = Municipality.objects.filter(name__in=names).annotate(rank=search_rank(query))
    return {m.name: m.rank for m in found}


# --- Done means (issue 11) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [("Brunswick", "Braunschweig"), ("Hanover", "Hannover"), ("Aix-la-Chapelle", "Aachen")],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_names_the_gazetteer_knows_find_the_german_town(
    client, gazetteer, query, expected, language
):
    assert listed(client, query, language)[:1] == [expected]


@pytest.mark.parametrize(
    "query",
    [
        "St. Petersburg",
        "St Petersburg",
        "Saint Petersburg",
        "Sankt Petersburg",
        "Санкт-Петербург",
        "Sankt-Peterburg",
        "Petersburg",
        "Petrograd",
    ],
)
@pytest.mark.parametrize("language", LANGUAGES)
def test_saint_petersburg_lists_the_city_before_its_district(client, gazetteer, query, language):
    assert listed(client, query, language)[:2] == [CITY, DISTRICT]


@pytest.mark.parametrize(("query", "expected"), GERMAN_TOWNS_IN_CYRILLIC)
def test_a_german_town_in_cyrillic_comes_first(client, gazetteer, query, expected):
    assert listed(client, query, "ru")[:1] == [expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Кёльн", "Köln"),
        ("Нойс", "Neuss"),
        ("Билефельд", "Bielefeld"),
        ("Бремерхафен", "Bremerhaven"),
        ("Пфорцхайм", "Pforzheim"),
        ("Хильдесхайм", "Hildesheim"),
        ("Ингольштадт", "Ingolstadt"),
        ("Гамбург", "Hamburg"),
    ],
)
def test_without_the_gazetteer_cyrillic_is_read_the_german_way(no_gazetteer, query, expected):
    assert [m.name for m in Municipality.objects.search(query)[:1]] == [expected]


def test_celle_in_cyrillic_lists_celle_before_zelenograd(client, gazetteer):
    names = listed(client, "Целле", "ru")
    assert names[0] == "Celle"
    # "sele" starts "selenograd": Зеленоград is still listed, after the whole name.
    assert names.index("Зеленоград") > 0


def test_ingolstadt_in_cyrillic_does_not_find_chemnitz(client, gazetteer):
    assert "Chemnitz" not in listed(client, "Ингольштадт", "ru")


# --- the ranking rule ------------------------------------------------------------------


def test_an_own_name_ranks_before_the_same_name_in_the_gazetteer(client, gazetteer):
    Municipality.objects.filter(name="Celle").update(
        gazetteer_key=spellings.search_key(["Целле", "Hannover"])
    )
    assert ranks("Hannover", "Hannover", "Celle") == {
        "Hannover": ranking.EXACT,
        "Celle": ranking.GAZETTEER_EXACT,
    }
    assert listed(client, "Hannover") == ["Hannover", "Celle"]


def test_a_gazetteer_name_ranks_before_a_merely_similar_own_name(gazetteer):
    Municipality.objects.filter(name="Celle").update(
        gazetteer_key=spellings.search_key(["Целле", "Wolgagrad"])
    )
    assert ranks("Wolgagrad", "Celle", "Волгоград") == {
        "Celle": ranking.GAZETTEER_EXACT,
        "Волгоград": ranking.SIMILAR,
    }
    assert Municipality.objects.search("Wolgagrad")[0].name == "Celle"


def test_a_whole_name_ranks_before_the_same_words_in_a_longer_name(gazetteer):
    assert ranks("St. Petersburg", CITY, DISTRICT) == {
        CITY: ranking.EXACT_FOLDED,
        DISTRICT: ranking.WORD_STARTS,
    }


def test_at_equal_strength_the_town_comes_before_its_district(gazetteer):
    assert ranks("Petersburg", CITY, DISTRICT) == {
        CITY: ranking.WORD_STARTS,
        DISTRICT: ranking.WORD_STARTS,
    }
    assert [m.name for m in Municipality.objects.search("Petersburg")] == [CITY, DISTRICT]
    volgograd = [m.name for m in Municipality.objects.search("Wolgograd")]
    assert volgograd == ["Волгоград", "Красноармейский район (Волгоград)"]


def test_the_partnership_list_puts_the_citys_partnerships_first(client, gazetteer):
    rows = page(client, "St. Petersburg", url="/partnerships/").context["object_list"]
    partners = [p.russian_partner.name for p in rows]
    city = Partnership.objects.published().filter(russian_partner__name=CITY).count()
    assert city >= 2 and DISTRICT in partners
    assert partners == [CITY] * city + [DISTRICT] * (len(partners) - city)


# --- the minimum similarity ------------------------------------------------------------

JUNK = ["zzzz", "qwerty", "xxxxxxx"]


@pytest.mark.parametrize("query", JUNK)
@pytest.mark.parametrize("language", LANGUAGES)
def test_junk_lists_nothing_and_says_so(client, gazetteer, query, language):
    response = page(client, query, language)
    assert response.context["total"] == 0
    assert response.context["unmatched"].text == query
    assert not Municipality.objects.search(query).exists()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Wolgagrad", "Волгоград"),
        ("Kaliningrat", "Калининград"),
        ("Duesseldorff", "Düsseldorf"),
        ("Petersbrug", CITY),
        ("Braunschwieg", "Braunschweig"),
        ("Hamburk", "Hamburg"),
    ],
)
def test_typos_are_still_listed(client, no_gazetteer, query, expected):
    assert listed(client, query)[:1] == [expected]


def similarity(function, query, name):
    key = spellings.query_keys(query)[0]
    municipality = Municipality.objects.filter(name=name).annotate(
        value=function(Value(key), "search_key")
    )
    return municipality.get().value


def test_the_threshold_lies_between_a_typo_and_a_part_of_a_name(no_gazetteer):
    """ "Wolgagrad" resembles Wolgograd as a whole word; "Duisubrg" shares half its
    trigrams with Duisburg (enough for the index) but not the word: it is only suggested."""
    from django.contrib.postgres.search import TrigramStrictWordSimilarity, TrigramWordSimilarity

    typo = similarity(TrigramStrictWordSimilarity, "Wolgagrad", "Волгоград")
    part = similarity(TrigramStrictWordSimilarity, "Duisubrg", "Duisburg")
    assert part < ranking.LISTED_SIMILARITY <= typo
    assert similarity(TrigramWordSimilarity, "Duisubrg", "Duisburg") >= 0.5


def test_the_threshold_decides(client, no_gazetteer, monkeypatch):
    """The tests above could fail: lower the threshold and "Duisubrg" is listed, raise it
    and "Wolgagrad" is not."""
    assert listed(client, "Duisubrg") == []
    assert listed(client, "Wolgagrad")[:1] == ["Волгоград"]
    monkeypatch.setattr(ranking, "LISTED_SIMILARITY", 0.3)
    assert listed(client, "Duisubrg")[:1] == ["Duisburg"]
    monkeypatch.setattr(ranking, "LISTED_SIMILARITY", 0.6)
    assert listed(client, "Wolgagrad") == []


def test_a_short_key_only_finds_a_name_equal_to_it(client, no_gazetteer, monkeypatch):
    """ "zzzz" folds to "s": as a prefix it found 44 starter towns before (issue 11)."""
    assert spellings.query_keys("zzzz") == ["s"]
    assert listed(client, "zzzz") == []
    monkeypatch.setattr(spellings, "MIN_FUZZY_LENGTH", 1)
    assert len(listed(client, "zzzz")) >= 40


@pytest.mark.parametrize("query", ["qwerty", "xxxxxxx"])
def test_junk_is_kept_out_by_the_index_threshold(client, no_gazetteer, monkeypatch, query):
    """Nothing shares half the trigrams of "qwerty" or "xxxxxxx": with a lower word
    similarity threshold for the index, and none for listing, they would list towns."""
    assert listed(client, query) == []
    monkeypatch.setattr(ranking, "LISTED_SIMILARITY", 0.0)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL pg_trgm.word_similarity_threshold = 0.2")
        assert listed(client, query)


# --- nothing matches: "did you mean …?" ------------------------------------------------

# The search text is marked as the reader's own words: it is no name from the registry.
SEARCH_TEXT = '<span class="search-text">{}</span>'
NOTHING = {
    "de": f"Keine Treffer für „{SEARCH_TEXT}“.",
    "ru": f"По запросу «{SEARCH_TEXT}» ничего не найдено.",
    "en": f"Nothing matches “{SEARCH_TEXT}”.",
}
DID_YOU_MEAN = {"de": "Meinten Sie:", "ru": "Возможно, вы имели в виду:", "en": "Did you mean:"}


def unmatched_html(response) -> str:
    match = re.search(r'<div class="unmatched">(.*?)</div>', response.content.decode(), re.S)
    assert match, "the page does not say that nothing matches"
    return match.group(1)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("url", ["/municipalities/", "/partnerships/"])
def test_did_you_mean_offers_the_closest_names(client, no_gazetteer, language, url):
    response = page(client, "Duisubrg", language, url)
    assert response.context["total"] == 0
    text = unmatched_html(response)
    assert NOTHING[language].format("Duisubrg") in text
    with translation.override(language):
        shown = Municipality.objects.get(name="Duisburg").display_name
    link = f'<a href="?{urlencode({"q": shown})}">{shown}</a>'
    assert f"{DID_YOU_MEAN[language]} {link}?" in text
    followed = client.get(f"{LANGUAGES[language]}{url}", {"q": shown})
    assert followed.context["total"] >= 1


@pytest.mark.parametrize("language", LANGUAGES)
def test_junk_gets_no_suggestions(client, gazetteer, language):
    text = unmatched_html(page(client, "zzzz", language))
    assert NOTHING[language].format("zzzz") in text
    assert DID_YOU_MEAN[language] not in text and "<a " not in text


def test_the_suggestions_are_the_closest_published_names(gazetteer):
    found, suggestions = Municipality.objects.published().search_outcome("Hanu")
    assert not found
    assert [m.name for m in suggestions] == ["Hanau", "Hannover"]
    Municipality.objects.filter(name__in=["Hanau", "Hannover"]).update(is_published=False)
    assert Municipality.objects.published().search_outcome("Hanu") == (False, [])


def test_a_name_filtered_out_is_not_nothing_matching(client, gazetteer):
    response = page(client, "Köln", country="RU")
    assert response.context["total"] == 0
    assert response.context["unmatched"] is None
    assert "Keine Kommune entspricht diesen Filtern." in response.content.decode()


def test_the_search_text_is_escaped(client, gazetteer):
    text = unmatched_html(page(client, '<b>"x"</b>', "en"))
    assert "&lt;b&gt;&quot;x&quot;&lt;/b&gt;" in text and "<b>" not in text


# --- a fixed number of queries ---------------------------------------------------------


def queries(client, url, query):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": query})
    assert response.status_code == 200
    return len(captured), response.context["total"]


@pytest.mark.parametrize("url", ["/municipalities/", "/partnerships/"])
def test_a_search_that_lists_nothing_runs_no_more_queries(client, no_gazetteer, url):
    queries(client, url, "Köln")  # the process reads the regions once
    close, close_total = queries(client, url, "Köln")
    similar, similar_total = queries(client, url, "Wolgagrad")
    suggested, suggested_total = queries(client, url, "Duisubrg")
    junk, junk_total = queries(client, url, "zzzz")
    assert close_total and similar_total and not suggested_total and not junk_total
    assert close == similar == suggested
    assert junk <= close


def test_among_very_many_close_matches_a_whole_word_still_comes_first(monkeypatch):
    # Past ANY_PROBE_ROWS close matches the similarity is not computed (SearchMatch.many);
    # a name holding the query as a word still ranks before a shorter one merely starting
    # with it. Two rows stand for the thousand here.
    monkeypatch.setattr(ranking, "ANY_PROBE_ROWS", 2)
    longer = MunicipalityFactory(name="Neu Kätalhausen", name_de="Neu Kätalhausen")
    shorter = MunicipalityFactory(name="Neuerbach", name_de="Neuerbach")
    found = Municipality.objects.filter(pk__in=[longer.pk, shorter.pk])
    assert found.search_match("Neu").many
    assert list(found.search("Neu")) == [longer, shorter]
