"""What a search page costs, whatever the term (issue 14): a fixed number of queries for a
name, a prefix many towns share, a typo and junk, and no query that reads every row.

docs/PERFORMANCE.md ("2026-12-03: search") has the figures at 100,000 partnerships.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.models import Municipality
from partnerships.sql import bounded_count
from tests.factories import MunicipalityFactory

pytestmark = pytest.mark.django_db

TERMS = ["Köln", "Волгоград", "Neu", "Nowo", "Wolgagrad", "Duisubrg", "zzzz"]


def page_queries(client, url, term) -> list[str]:
    """The queries of a page built anew, besides the registry's generation: read once per
    request, it keys the page and count caches and the region choices."""
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"q": term})
    assert response.status_code == 200
    queries = [query["sql"] for query in captured.captured_queries]
    generation = [sql for sql in queries if '"partnerships_registrygeneration"' in sql]
    assert len(generation) == 1
    return [sql for sql in queries if sql not in generation]


@pytest.fixture
def uncached(client):
    page_queries(client, "/municipalities/", "Köln")  # the process reads the region ids once
    return client


@pytest.mark.parametrize("term", TERMS[:-1])
def test_a_municipality_search_page_runs_three_queries(uncached, term):
    # whether anything matches closely; the total and every facet in one grouped query; the
    # page (or, when nothing is listed, the names that come close)
    assert len(page_queries(uncached, "/municipalities/", term)) == 3


@pytest.mark.parametrize("term", TERMS)
def test_a_municipality_search_filters_by_the_names_not_by_a_subquery(uncached, term):
    # ``id IN (SELECT id FROM municipality ...)`` is joined by reading every row; the
    # names suggested for a search that lists nothing are picked from a bounded subquery
    for sql in page_queries(uncached, "/municipalities/", term):
        assert 'IN (SELECT U0."id"' not in sql or "LIMIT 1000)" in sql


@pytest.mark.parametrize("term", TERMS)
def test_a_partnership_search_page_runs_three_queries(uncached, term):
    # the towns matched and ranked; the total and every facet in one grouped query; the page
    queries = page_queries(uncached, "/partnerships/", term)
    assert len(queries) == 3
    # the towns are matched and ranked in one query, without asking first whether any
    # matches closely
    assert not [sql for sql in queries if "COUNT(*)" in sql and "LIMIT 1000" in sql]


def test_the_close_matches_are_counted_up_to_the_bound():
    ids = [MunicipalityFactory(name=name).pk for name in ["Neustadt", "Neuburg", "Neuhaus"]]
    close = Municipality.objects.filter(pk__in=ids)
    assert [bounded_count(close, bound) for bound in (1, 2, 3, 10)] == [1, 2, 3, 3]
    assert bounded_count(Municipality.objects.none(), 10) == 0


@pytest.mark.parametrize(
    "term", ["Stalingrad", "Wolgagrad", "Neu", "Köln", "Санкт-Петербург", "Au", "zzzz", "!!!"]
)
def test_the_ranks_read_in_one_query_are_the_searchs(term):
    expected: dict[int, set[int]] = {}
    found = Municipality.objects.search(term)
    if not found.query.is_empty():  # nothing can match: no ranks either
        for pk, rank, kind in found.values_list("pk", "search_rank", "kind_order"):
            expected.setdefault(rank * 3 + kind, set()).add(pk)
    ranks = Municipality.objects.search_ranks(term)
    assert list(ranks) == sorted(ranks)
    assert {rank: set(pks) for rank, pks in ranks.items()} == expected


@pytest.mark.parametrize("term", TERMS[:-1])
def test_a_search_computes_the_order_of_the_page_only(uncached, monkeypatch, term):
    """The facet counts filter by the search without ordering by it (``counting``): the
    ranks and similarities are built once per request, for the rows the page lists."""
    from partnerships import filters

    orders = []
    original = filters.in_search_order
    monkeypatch.setattr(
        filters, "in_search_order", lambda *a, **k: orders.append(a[1]) or original(*a, **k)
    )
    page_queries(uncached, "/municipalities/", term)
    assert orders == [term]
    ranked = []
    least = filters.models.functions.Least
    monkeypatch.setattr(
        filters.models.functions, "Least", lambda *a, **k: ranked.append(a) or least(*a, **k)
    )
    page_queries(uncached, "/partnerships/", term)
    assert len(ranked) == 1
