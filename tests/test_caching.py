"""Cached public list pages never outlive the data they show."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from partnerships.caching import current_generation
from partnerships.models import Initiative, Partnership
from tests.import_files import PARTNERSHIP_HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache")]

URL = "/partnerships/?status=suspended"


def test_a_repeated_page_comes_from_the_cache():
    client = Client()
    first = client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(URL)
    assert second.status_code == 200
    assert second.content == first.content
    assert len(queries) == 1  # only the registry's generation is read


def test_any_change_invalidates_the_cached_pages():
    client = Client()
    before = current_generation()
    assert "aachen--kostroma" in client.get(URL).content.decode()
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    partnership.is_published = False
    partnership.save()
    assert current_generation() > before
    assert "aachen--kostroma" not in client.get(URL).content.decode()


def test_many_to_many_changes_invalidate_too():
    before = current_generation()
    Initiative.objects.first().partnerships.clear()
    assert current_generation() > before


def test_languages_and_addresses_are_cached_apart():
    client = Client()
    german = client.get(URL).content.decode()
    russian = client.get(f"/ru{URL}").content.decode()
    assert german != russian
    assert 'lang="ru"' in russian


def test_editors_always_get_a_fresh_page(admin_client):
    admin_client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        admin_client.get(URL)
    assert len(queries) > 3


def test_errors_are_not_cached(monkeypatch):
    from partnerships.views import PartnershipListView

    calls = []
    render = PartnershipListView.render_list

    def counting(self, request):
        calls.append(request.get_full_path())
        return render(self, request)

    monkeypatch.setattr(PartnershipListView, "render_list", counting)
    client = Client()
    assert client.get("/partnerships/?page=abc").status_code == 400
    assert client.get("/partnerships/?page=abc").status_code == 400
    assert len(calls) == 2
    client.get(URL)
    client.get(URL)
    assert len(calls) == 3  # the good page was built once


def test_an_import_invalidates_the_cached_pages(tmp_path):
    """Importers write in bulk (no save signals): they raise the generation themselves."""
    from partnerships.importing.partnerships import PartnershipImporter

    client = Client()
    assert "Teststadt" not in client.get("/partnerships/").content.decode()
    before = current_generation()
    data = tmp_path / "new.csv"
    data.write_text(
        PARTNERSHIP_HEADER
        + "Aaa-Teststadt,Hessen,Testograd,Тестоград,Oblast Kaluga,Partnerschaft,1990,,"
        "https://example.org/a\n",
        encoding="utf-8",
    )
    report = PartnershipImporter().run(data)
    assert report.ok, report.summary()
    assert current_generation() > before
    assert "Aaa-Teststadt" in client.get("/partnerships/").content.decode()


def count_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]


def test_other_pages_and_sortings_of_the_same_filters_reuse_the_counts():
    client = Client()
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        sorted_page = client.get(URL + "&sort=-year")
    assert sorted_page.status_code == 200
    assert count_queries(queries) == []
    with CaptureQueriesContext(connection) as queries:
        client.get("/partnerships/?status=active")
    assert count_queries(queries)  # other filters are counted


def test_cached_counts_are_recounted_after_a_change():
    client = Client()
    before = client.get(URL).context["total"]
    partnership = Partnership.objects.published().filter(status="suspended").first()
    partnership.is_published = False
    partnership.save()
    after = client.get(URL + "&sort=-year")
    assert after.context["total"] == before - 1
    facets = {facet.name: facet for facet in after.context["facets"]}
    suspended = [o for o in facets["status"].options if o.value == "suspended"]
    assert suspended[0].count == before - 1


def test_the_page_says_how_counts_are_kept():
    page = Client().get("/en" + URL).content.decode()
    assert "Counts are taken once after each change to the registry" in page
    assert "nach jeder Änderung am Register einmal gezählt" in Client().get(URL).content.decode()
