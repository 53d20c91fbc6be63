"""The partnership and municipality pages: one query each, cached parts that stay right.

Each page reads its record and everything its article shows in one query
(``partnerships.selectors.partnership_page`` / ``municipality_page``), prepared once per
connection; the article is cached under the registry's generation, the site's header,
footer and the empty correction form per language (docs/PERFORMANCE.md).
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.caching import bump_generation
from partnerships.models import Municipality, Partnership
from tests.factories import (
    AlternativeNameFactory,
    InitiativeFactory,
    MunicipalityFactory,
    PartnershipFactory,
    PartnershipSourceFactory,
    RussianMunicipalityFactory,
    StatusEventFactory,
)

pytestmark = pytest.mark.django_db

PARTNERSHIP = "/partnerships/aachen--kostroma/"
MUNICIPALITY = "/municipalities/kaliningrad/"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def html(response) -> str:
    return CSRF.sub("", response.content.decode())


def page_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured.captured_queries], response


@pytest.fixture
def busy_partnership():
    """A partnership with a long history, several sources and initiatives."""
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    for n in range(3):
        StatusEventFactory(
            partnership=partnership, date=datetime.date(2019 + n, 1, 1), by_editor=False
        )
        PartnershipSourceFactory(partnership=partnership, url=f"https://example.org/{n}")
        InitiativeFactory(seat=partnership.german_partner).partnerships.add(partnership)
    return partnership


@pytest.fixture
def busy_municipality():
    """A municipality with many partners, other names and initiatives."""
    kaliningrad = Municipality.objects.get(slug="kaliningrad")
    for n in range(4):
        PartnershipFactory(russian_partner=kaliningrad)
        InitiativeFactory(seat=kaliningrad)
        AlternativeNameFactory(municipality=kaliningrad, name=f"Kaliningrad {n}")
    return kaliningrad


@pytest.mark.parametrize("prefix", ["", "/ru", "/en"])
def test_each_page_is_read_with_one_query(client, busy_partnership, busy_municipality, prefix):
    for url in (PARTNERSHIP, MUNICIPALITY):
        queries, response = page_queries(client, prefix + url)
        assert len(queries) == 1, queries
        assert "Teststadt" in html(response) or "example.org" in html(response)


def test_staff_read_the_page_with_one_query_too(admin_client):
    for url in (PARTNERSHIP, MUNICIPALITY):
        queries, _response = page_queries(admin_client, url)
        registry = [sql for sql in queries if "partnerships_" in sql or "_page" in sql]
        assert len(registry) == 1, queries  # the others are the editor's session and user


def test_the_query_is_prepared_once_per_connection(client, settings):
    settings.PREPARED_STATEMENTS = True
    queries, _response = page_queries(client, PARTNERSHIP)
    assert queries == ["EXECUTE partnership_page('aachen--kostroma')"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        assert "partnership_page" in {name for (name,) in cursor.fetchall()}


def test_without_prepared_statements_the_page_is_the_same(client, settings):
    settings.PREPARED_STATEMENTS = True
    prepared = {url: html(client.get(url)) for url in (PARTNERSHIP, MUNICIPALITY)}
    settings.PREPARED_STATEMENTS = False
    for url, page in prepared.items():
        queries, response = page_queries(client, url)
        assert queries[0].lstrip().startswith("SELECT json_build_object(")
        assert html(response) == page


def test_a_missing_or_hidden_record_answers_404_without_an_error(client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    partnership.german_partner.is_published = False
    partnership.german_partner.save()
    for url in (PARTNERSHIP, "/municipalities/aachen/", "/partnerships/no-such-pair/"):
        assert client.get(url).status_code == 404


def test_the_partners_follow_the_collation_of_the_readers_language(client):
    """Ordered in SQL by the names shown, collated as German sorts ("Ö" with "O", before
    "Z"; the database's own C collation would put it last)."""
    russian = RussianMunicipalityFactory(name="Сортоград", name_de="Sortograd", slug="sortograd")
    for name in ("Zwickau-Test", "Öhringen-Test", "Aalen-Test", "Oberhof-Test"):
        PartnershipFactory(german_partner=MunicipalityFactory(name=name), russian_partner=russian)
    content = html(client.get("/municipalities/sortograd/"))
    shown = re.findall(r">(\w+)-Test</a>", content)
    assert shown == ["Aalen", "Oberhof", "Öhringen", "Zwickau"]


def test_the_coordinates_keep_their_decimals(client):
    Municipality.objects.filter(slug="kaliningrad").update(
        latitude=Decimal("54.710000"), longitude=Decimal("20.510000")
    )
    assert "54,710000, 20,510000" in html(client.get(MUNICIPALITY))  # German decimal comma
    assert "54.710000, 20.510000" in html(client.get("/en" + MUNICIPALITY))


# --- with the caches on ----------------------------------------------------------------


@pytest.mark.usefixtures("page_cache")
def test_the_article_comes_from_the_cache_until_the_registry_changes(client):
    first = html(client.get(PARTNERSHIP))
    # A change that bypasses the signals: the cached article still shows the old notes.
    Partnership.objects.filter(slug="aachen--kostroma").update(notes="Neue Anmerkung")
    queries, response = page_queries(client, PARTNERSHIP)
    assert len(queries) == 1
    assert html(response) == first
    bump_generation()
    assert "Neue Anmerkung" in html(client.get(PARTNERSHIP))


@pytest.mark.usefixtures("page_cache")
def test_new_pages_are_built_and_equal_to_uncached_ones(client, settings):
    cached = [html(client.get(url)) for url in (PARTNERSHIP, MUNICIPALITY, PARTNERSHIP)]
    settings.PAGE_CACHE_SECONDS = 0
    uncached = [html(client.get(url)) for url in (PARTNERSHIP, MUNICIPALITY, PARTNERSHIP)]
    assert cached == uncached


@pytest.mark.usefixtures("page_cache")
def test_the_header_and_footer_are_cached_per_language(client):
    german = html(client.get(PARTNERSHIP))
    russian = html(client.get("/ru" + PARTNERSHIP))
    english = html(client.get("/en" + PARTNERSHIP))
    assert "Über die Daten" in german
    assert "О данных" in russian
    assert "About the data" in english
    # Each page's language links point at this very page.
    assert 'href="/en/partnerships/aachen--kostroma/"' in russian
    assert 'href="/ru/municipalities/kaliningrad/"' in html(client.get(MUNICIPALITY))


@pytest.mark.usefixtures("page_cache")
def test_the_cached_empty_form_never_hides_a_readers_input_or_errors(client):
    client.get(PARTNERSHIP)  # caches the empty fields of the correction form
    response = client.post(
        PARTNERSHIP + "suggest/", {"message": "", "source_url": "Meine Quelle", "website": ""}
    )
    assert response.status_code == 400
    content = html(response)
    assert 'value="Meine Quelle"' in content
    assert 'aria-invalid="true"' in content
    assert 'aria-invalid="true"' not in html(client.get(PARTNERSHIP))
