"""The lists' FilterSets (partnerships/filters.py): what a facet's count promises.

Next to each option of a facet stands the number of results the list would show if that
option were chosen, under the other filters. ``counts()`` computes every facet in one
grouped query; these tests compare each number with the list itself, asked with that
option chosen, on the starter data, and through the list pages.
"""

import functools
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import Count
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from partnerships import views
from partnerships.filters import PartnershipFilter, _region_codes, region_ids
from partnerships.models import Municipality, Partnership, Region
from partnerships.selectors import partnership_filterset
from tests.factories import PartnershipFactory
from tests.public_pages import filterset_of

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
    assert_counts_are_the_lists(functools.partial(filterset_of, views.MunicipalityListView), params)


def read_regions(filterset) -> None:
    """What a process reads once (region ids), or once per registry generation (codes)."""
    region_ids()
    _region_codes(filterset.generation)


def test_the_facets_are_counted_in_one_query_that_joins_no_region_table():
    filterset = partnership_filterset(
        QueryDict("german_state=DE-NW&status=suspended&kind=official")
    )
    assert filterset.is_valid()
    read_regions(filterset)
    with CaptureQueriesContext(connection) as queries:
        filterset.counts()
    assert len(queries) == 1
    # grouped by the partners' region ids, which the process maps to codes
    assert '"partnerships_region"' not in queries[0]["sql"]


@pytest.mark.parametrize("params", ["", "level=town&unverified=no", "has_initiative=yes"])
def test_each_condition_facets_options_are_built_once_per_count(monkeypatch, params):
    """A condition facet (``has_initiative``: an EXISTS per partnership) is built once and
    serves both the shared count and its own, whether it is chosen or not."""
    built = []
    for name, path in PartnershipFilter.facets.items():
        if callable(path):
            monkeypatch.setitem(
                PartnershipFilter.facets,
                name,
                lambda filterset, name=name, path=path: built.append(name) or path(filterset),
            )
    filterset = partnership_filterset(QueryDict(params))
    before = filterset.counts()
    assert sorted(built) == sorted(n for n, p in PartnershipFilter.facets.items() if callable(p))
    assert before[0] == filterset.qs.count()


def test_a_region_code_an_editor_corrects_is_counted_under_the_new_code():
    def land_counts() -> dict[str, int]:
        return partnership_filterset(QueryDict("status=active")).counts()[1]["german_state"]

    before = land_counts()
    assert before["DE-NW"]
    region = Region.objects.get(code="DE-NW")
    region.code = "DE-NRW"
    region.save()  # raises the registry's generation
    after = land_counts()
    assert after["DE-NRW"] == before["DE-NW"]
    assert "DE-NW" not in after


def test_an_active_condition_facet_is_counted_in_a_query_of_its_own(django_assert_num_queries):
    # "level" is counted as conditions: chosen, its options are counted without it
    filterset = partnership_filterset(QueryDict("german_state=DE-NW&level=town"))
    assert filterset.is_valid()
    read_regions(filterset)
    with django_assert_num_queries(2):
        total, counts = filterset.counts()
    assert counts["level"]["town"] == total


# --- the facets of the list pages ------------------------------------------------------


def facet(response, name):
    return next(f for f in response.context["facets"] if f.name == name)


def published_partnerships():
    return Partnership.objects.published().filter(
        german_partner__is_published=True, russian_partner__is_published=True
    )


def test_status_facet_counts_match_the_database_under_a_land_filter(client):
    response = client.get("/partnerships/", {"german_state": "DE-NW"})
    options = {o.value: o.count for o in facet(response, "status").options}
    expected = {
        row["status"]: row["n"]
        for row in published_partnerships()
        .filter(german_partner__region__code="DE-NW")
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
    }
    assert options == expected
    assert sum(options.values()) == response.context["total"] == 23
    en = client.get("/en/partnerships/", {"german_state": "DE-NW"}).content.decode()
    for value, count in expected.items():
        assert f'<option value="{value}">{value} ({count})</option>' in en


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/partnerships/", {"german_state": "DE-NW"}),
        ("/partnerships/", {"q": "Moskau"}),
        ("/partnerships/", {"status": "suspended", "sort": "-year"}),
        ("/municipalities/", {"country": "RU"}),
        ("/municipalities/", {"q": "Nowgorod"}),
        ("/initiatives/", {"region": "DE-NW"}),
        ("/signatories/", {}),
    ],
)
def test_the_count_of_each_facet_option_is_the_total_it_gives(client, url, params):
    response = client.get(url, params)
    checked = 0
    for each in response.context["facets"]:
        for option in each.options:
            chosen = client.get(url, {**params, each.name: option.value})
            assert chosen.status_code == 200
            assert chosen.context["total"] == option.count, (each.name, option.value)
            checked += 1
    assert checked >= 2


def test_the_has_initiative_facet_counts_no_draft_initiative(anonymous, secret_drafts):
    """The facet's number must be the number of rows its link gives."""
    partnership = PartnershipFactory(
        german_partner=secret_drafts["public_town"],
        russian_partner=Municipality.objects.get(slug="kostroma"),
    )
    secret_drafts["draft_initiative"].partnerships.add(partnership)  # its only initiative: a draft
    response = anonymous.get("/partnerships/")
    counts = {option.value: option.count for option in facet(response, "has_initiative").options}
    for value in ["yes", "no"]:
        rows = anonymous.get("/partnerships/", {"has_initiative": value}).context["total"]
        assert counts.get(value, 0) == rows, value


# Region choices across workers ---------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


def rename_region_in_another_process(code: str, name: str) -> None:
    """What another gunicorn worker does when an editor renames a region there: a process
    of its own saves it through the ORM and commits (its signals fire there only)."""
    db = connection.settings_dict
    url = f"postgres://{quote(db['USER'] or '')}:{quote(db['PASSWORD'] or '')}@"
    url += f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "twinning.test_settings"}
    env["PGOPTIONS"] = "-c lock_timeout=20s"  # fail rather than wait, should a lock be held
    script = (
        "from partnerships.models import Region\n"
        f"region = Region.objects.get(code={code!r})\n"
        f"region.name_de = {name!r}\n"
        "region.save()\n"
    )
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def german_land_choices() -> dict[str, str]:
    with translation.override("de"):
        filterset = PartnershipFilter(QueryDict(""), queryset=Partnership.objects.none())
        return dict(filterset.form.fields["german_state"].choices)


def test_a_region_an_editor_renames_in_another_worker_is_shown_renamed_here():
    """Each worker keeps the region choices it read; a rename saved by another worker (a
    process whose signals this one never hears) shows here from the next page on, as the
    choices follow the registry's generation that the rename raised."""
    original = Region.objects.get(code="DE-BY").name_de
    assert german_land_choices()["DE-BY"] == original
    rename_region_in_another_process("DE-BY", "Freistaat Bayern")
    try:
        assert german_land_choices()["DE-BY"] == "Freistaat Bayern"
    finally:
        rename_region_in_another_process("DE-BY", original)
    assert german_land_choices()["DE-BY"] == original
