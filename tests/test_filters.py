"""The lists' FilterSets (partnerships/filters.py): what a facet's count promises.

Next to each option of a facet stands the number of results the list would show if that
option were chosen, under the other filters. ``counts()`` computes every facet in one
grouped query; these tests compare each number with the list itself, asked with that
option chosen, on the starter data.
"""

import pytest
from django.http import QueryDict

from partnerships.selectors import municipality_filterset, partnership_filterset

pytestmark = pytest.mark.django_db

PARTNERSHIP_FILTERS = [
    "",
    "german_state=DE-NW",
    "german_state=DE-NW&status=suspended",
    "german_state=DE-NI&status=unknown&kind=official",
    "status=suspended&kind=official&year_from=1990",
    "russian_region=RU-KGD&status=suspended",
    "german_state=DE-NW&russian_region=RU-KGD&status=active&kind=friendship",
    "level=district&status=suspended",
    "has_initiative=yes&german_state=DE-NI",
    "status_dated=dated&kind=official",
    "q=Wolgograd",
    "q=Kaliningrad&status=suspended",
    "q=zzzz&german_state=DE-BY",
    "german_state=DE-HB&status=ended&kind=contact",  # nothing
]
MUNICIPALITY_FILTERS = [
    "",
    "country=RU",
    "country=DE&region=DE-NW",
    "q=Nowo",
    "q=Stadt&country=DE&kind=town",
    "has_active=yes&country=DE",
    "region=RU-KGD&has_active=no",
]


def chosen(params: str, name: str, value: str) -> QueryDict:
    data = QueryDict(params, mutable=True)
    data[name] = value
    return data


def assert_counts_are_the_lists(select, params: str):
    filterset = select(QueryDict(params))
    total, counts = filterset.counts()
    assert total == filterset.qs.count()
    checked = 0
    for name in filterset.facets:
        choices = filterset.filters[name].extra["choices"]
        for value, _label in choices() if callable(choices) else choices:
            expected = select(chosen(params, name, str(value))).qs.count()
            assert counts[name].get(str(value), 0) == expected, (params, name, value)
            checked += expected
    assert checked or not total  # a list with results has counts to compare


@pytest.mark.parametrize("params", PARTNERSHIP_FILTERS)
def test_every_partnership_facet_counts_what_choosing_it_would_list(params):
    assert_counts_are_the_lists(partnership_filterset, params)


@pytest.mark.parametrize("params", MUNICIPALITY_FILTERS)
def test_every_municipality_facet_counts_what_choosing_it_would_list(params):
    assert_counts_are_the_lists(municipality_filterset, params)


def test_the_facets_are_counted_in_one_query(django_assert_num_queries):
    filterset = partnership_filterset(
        QueryDict("german_state=DE-NW&status=suspended&kind=official")
    )
    assert filterset.is_valid()
    with django_assert_num_queries(1):
        filterset.counts()


def test_an_active_condition_facet_is_counted_in_a_query_of_its_own(django_assert_num_queries):
    # "level" is counted as conditions: chosen, its options are counted without it
    filterset = partnership_filterset(QueryDict("german_state=DE-NW&level=town"))
    assert filterset.is_valid()
    with django_assert_num_queries(2):
        total, counts = filterset.counts()
    assert counts["level"]["town"] == total
