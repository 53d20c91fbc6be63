"""Search finds a town however its name is spelled, best match first, through the index."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from partnerships import spellings
from partnerships.models import Municipality, Partnership
from partnerships.spellings import query_keys
from tests.factories import MunicipalityFactory
from tests.town_spellings import FIRST_RESULT

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("query", "expected"), FIRST_RESULT)
def test_each_spelling_finds_the_right_town_first(query, expected):
    first = Municipality.objects.search(query).first()
    assert first is not None, f"{query!r} found nothing"
    assert first.name == expected


def test_exact_name_beats_folded_name():
    assert [m.name for m in Municipality.objects.search("Munster")[:2]] == ["Munster", "Münster"]
    assert [m.name for m in Municipality.objects.search("Münster")[:2]] == ["Münster", "Munster"]


def test_nonsense_finds_nothing():
    assert not Municipality.objects.search("Xyzzyqwrt").exists()
    assert not Municipality.objects.search("  ").exists()
    assert not Municipality.objects.search("!!!").exists()


def test_cyrillic_query_is_also_read_the_german_way():
    assert query_keys("Гамбург") == ["gamburg", "hamburg"]
    assert query_keys("Hamburg") == ["hamburg"]


@pytest.mark.parametrize(
    ("query", "german"),
    [
        ("Кёльн", "koln"),  # ё is ö; the soft sign is not written
        ("Дюссельдорф", "duseldorf"),  # ю is ü
        ("Нойс", "neus"),  # ой is eu
        ("Пфорцхайм", "pforsheim"),  # ай is ei, х starting -heim is h
        ("Хильдесхайм", "hildesheim"),  # Х at the start is H
        ("Бремерхафен", "bremerhafen"),
        ("Ингольштадт", "ingolstadt"),  # шт is st
        ("Мюнхен", "munchen"),  # х inside a word stays ch
    ],
)
def test_the_german_reading_of_a_cyrillic_query(query, german):
    keys = query_keys(query)
    assert keys[0] == spellings.fold(query)  # the query's own fold comes first
    assert keys[-1] == german


def test_st_saint_and_sankt_are_one_word():
    forms = {"st petersburg", "sankt petersburg", "saint petersburg"}
    for query in ("St. Petersburg", "Saint Petersburg", "Sankt Petersburg"):
        assert set(query_keys(query)) == forms
    assert set(query_keys("Санкт-Петербург")) == {
        "sankt peterburg",
        "st peterburg",
        "saint peterburg",
    }
    assert query_keys("St") == ["st"]  # not a name on its own
    assert query_keys("Karl-Marx-Stadt") == ["karl marks stadt"]


def test_a_short_name_is_found_only_whole():
    au = MunicipalityFactory(name="Au")
    assert list(Municipality.objects.search("Au")) == [au]
    assert not Municipality.objects.search("A").exists()  # not a prefix of everything


def test_partnership_search_finds_the_partnerships_of_a_town():
    from partnerships.selectors import partnership_filterset

    found = list(partnership_filterset({"q": "Stalingrad"}).qs)
    expected = Partnership.objects.filter(russian_partner__name="Волгоград")
    assert {p.pk for p in found} == set(expected.values_list("pk", flat=True))
    assert any(p.german_partner.name == "Köln" for p in found)


def test_close_matches_hide_merely_similar_names():
    names = [m.name for m in Municipality.objects.search("Stalingrad")]
    assert names == ["Волгоград"]  # Kaliningrad is trigram-similar, but not a match


def test_search_query_uses_the_trigram_index():
    """With sequential scans disabled the planner can only answer through the GIN index;
    the plan naming it shows that the query's conditions are indexable."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Municipality.objects.search("Wolgograd").explain()
    assert "Bitmap Index Scan on municipality_search_trgm" in plan
    assert "Bitmap Index Scan on municipality_gazetteer_trgm" in plan
    assert "Seq Scan" not in plan


def test_a_similar_name_is_found_through_both_trigram_indexes():
    Municipality.objects.update(gazetteer_key="")  # no GeoNames variant matches closely
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Municipality.objects.search("Wolgagrad").explain()
    assert "search_key %> 'volgagrad'" in plan  # the similar names, not the close ones
    assert "Bitmap Index Scan on municipality_search_trgm" in plan
    assert "Bitmap Index Scan on municipality_gazetteer_trgm" in plan
    assert "Seq Scan" not in plan


@pytest.mark.django_db
def test_a_search_page_decides_close_or_similar_matches_once(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/municipalities/", {"q": "Moskau"})
    assert page.status_code == 200
    probes = [q["sql"] for q in queries.captured_queries if "LIMIT 1000" in q["sql"]]
    assert len(probes) == 1  # not once more for each facet
