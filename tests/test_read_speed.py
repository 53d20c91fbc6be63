"""The read paths without cache (issue 14): what they rely on stays right.

A partnership row keeps copies of what the lists filter and count by (both partners
published, their regions and kinds; migration 0013's triggers). Every kind of write must
keep them equal to the partners' own values: a partner (un)published, moved to another
region or given another kind, a partnership given another partner, Django's saves with
whatever an instance holds, queryset updates and the importer's COPY.
"""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.importing.partnerships import PartnershipImporter
from partnerships.models import Municipality, Partnership, Region
from partnerships.selectors import partnership_filterset
from partnerships.vocabulary import MunicipalityKind
from tests.factories import MunicipalityFactory, PartnershipFactory, RussianMunicipalityFactory
from tests.import_files import PARTNERSHIP_HEADER, run_import

pytestmark = pytest.mark.django_db

COPIED = ["partners_published", "german_partner_region_id", "russian_partner_region_id"]
COPIED += ["german_partner_kind", "russian_partner_kind"]


def expected(partnership: Partnership) -> dict:
    partnership = Partnership.objects.get(pk=partnership.pk)
    german = Municipality.objects.get(pk=partnership.german_partner_id)
    russian = Municipality.objects.get(pk=partnership.russian_partner_id)
    return {
        "partners_published": german.is_published and russian.is_published,
        "german_partner_region_id": german.region_id,
        "russian_partner_region_id": russian.region_id,
        "german_partner_kind": german.kind,
        "russian_partner_kind": russian.kind,
    }


def assert_copies_right(*partnerships: Partnership) -> None:
    for partnership in partnerships:
        stored = Partnership.objects.filter(pk=partnership.pk).values(*COPIED).get()
        assert stored == expected(partnership), partnership


def test_every_partnership_of_the_starter_data_holds_its_partners_values():
    wrong = [p for p in Partnership.objects.all() if Partnership.objects.filter(
        pk=p.pk).values(*COPIED).get() != expected(p)]  # fmt: skip
    assert not wrong
    assert Partnership.objects.count() > 100


def test_a_new_partnership_takes_its_partners_values():
    partnership = PartnershipFactory()
    assert_copies_right(partnership)
    assert Partnership.objects.published().filter(pk=partnership.pk).exists()


@pytest.mark.parametrize("how", ["save", "update"])
def test_a_partner_unpublished_and_published_again(how):
    partnership = PartnershipFactory()
    other = PartnershipFactory(german_partner=partnership.german_partner)
    german = partnership.german_partner
    for published in (False, True):
        if how == "save":
            german.refresh_from_db()
            german.is_published = published
            german.save()
        else:
            Municipality.objects.filter(pk=german.pk).update(is_published=published)
        assert_copies_right(partnership, other)
        public = Partnership.objects.published().filter(pk__in=[partnership.pk, other.pk])
        assert public.count() == (2 if published else 0)


def test_a_partner_moved_to_another_region_or_of_another_kind():
    partnership = PartnershipFactory()
    russian = partnership.russian_partner
    russian.region = Region.objects.get(code="RU-MOS")
    russian.kind = MunicipalityKind.RAYON
    russian.save()
    assert_copies_right(partnership)
    Municipality.objects.filter(pk=partnership.german_partner_id).update(
        region=Region.objects.get(code="DE-BY"), kind=MunicipalityKind.DISTRICT
    )
    assert_copies_right(partnership)
    found = partnership_filterset({"german_state": "DE-BY", "russian_region": "RU-MOS"}).qs
    assert partnership in found
    assert partnership not in partnership_filterset({"german_state": "DE-NW"}).qs
    assert partnership in partnership_filterset({"level": "district"}).qs


def test_a_partnership_given_another_partner():
    partnership = PartnershipFactory()
    elsewhere = RussianMunicipalityFactory(region=Region.objects.get(code="RU-SPE"))
    partnership.russian_partner = elsewhere
    partnership.save()
    assert_copies_right(partnership)
    Partnership.objects.filter(pk=partnership.pk).update(
        german_partner=MunicipalityFactory(is_published=False)
    )
    assert_copies_right(partnership)
    assert not Partnership.objects.published().filter(pk=partnership.pk).exists()


def test_a_save_cannot_write_stale_copies():
    """Django writes every field on save: an instance read before a partner changed (or
    built by hand) must not put the old values back."""
    partnership = PartnershipFactory()
    stale = Partnership.objects.get(pk=partnership.pk)
    Municipality.objects.filter(pk=partnership.german_partner_id).update(is_published=False)
    stale.partners_published = True
    stale.german_partner_region_id = None
    stale.notes = "edited"
    stale.save()
    assert_copies_right(partnership)


def test_the_importers_copy_path_sets_the_copies():
    rows = "".join(
        f"Lesestadt {n},Hessen,Lesograd {n},Лесоград {n},Oblast Kaluga,Partnerschaft,"
        f"1990,aktiv,https://example.org/read/{n}\n"
        for n in range(40)
    )
    report = run_import(PartnershipImporter(), PARTNERSHIP_HEADER + rows, "read.csv")
    assert report.ok, report.summary()
    imported = list(Partnership.objects.filter(german_partner__name__startswith="Lesestadt "))
    assert len(imported) == 40
    assert_copies_right(*imported)
    hessen, kaluga = Region.objects.get(code="DE-HE"), Region.objects.get(code="RU-KLU")
    assert {(p.german_partner_region_id, p.russian_partner_region_id) for p in imported} == {
        (hessen.pk, kaluga.pk)
    }
    assert all(p.partners_published for p in imported)


def test_the_copies_are_not_kept_in_the_history():
    history = Partnership.history.model
    names = {field.name for field in history._meta.get_fields()}
    assert not names & {"partners_published", "german_partner_region", "russian_partner_kind"}


def queries_of(client, path: str, params: dict) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_filters_and_facets_join_no_municipality(client, settings):
    settings.PAGE_CACHE_SECONDS = 0
    params = {"german_state": "DE-NW", "status": "active", "level": "town"}
    queries = queries_of(client, "/partnerships/", params)
    counts = [sql for sql in queries if "COUNT(" in sql]
    assert counts
    assert not [sql for sql in counts if "partnerships_municipality" in sql]


def test_a_partnership_search_tests_each_name_once(client, settings):
    """The names are matched and ranked in the municipality table; the partnerships are
    picked and ranked by their partners' ids, not by testing the names per partnership."""
    settings.PAGE_CACHE_SECONDS = 0
    queries = queries_of(client, "/partnerships/", {"q": "Wolgograd"})
    on_partnerships = [sql for sql in queries if 'FROM "partnerships_partnership"' in sql]
    assert on_partnerships
    name_tests = [" LIKE ", " ~ ", "%>"]  # substring, regular expression, similarity
    assert not [sql for sql in on_partnerships if any(test in sql for test in name_tests)]


@pytest.mark.parametrize("kind", ["partnership", "municipality"])
def test_a_detail_page_takes_one_query_once_its_article_is_cached(client, settings, kind):
    settings.PAGE_CACHE_SECONDS = 300
    partnership = Partnership.objects.published().get(slug="aachen--kostroma")
    record = partnership if kind == "partnership" else partnership.german_partner
    url = record.get_absolute_url()
    built = queries_of(client, url, {})
    assert len(built) <= 4
    assert len(queries_of(client, url, {})) == 1  # the record with the registry's generation
    record.notes = "Neu geprüft"
    record.save()
    again = client.get(url)
    assert "Neu geprüft" in again.content.decode()


@pytest.mark.parametrize(
    ("setting", "value"),
    [("jit", "off"), ("max_parallel_workers_per_gather", "0"), ("random_page_cost", "1.1")],
)
def test_the_registrys_connections_plan_for_short_queries_on_data_in_memory(setting, value):
    """No JIT and no parallel workers for a web request, and an index read priced as a read
    from memory: with PostgreSQL's default of 4, a list of ~900 partnerships joined its
    partners by reading all 100,000 municipalities (docs/PERFORMANCE.md)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {setting}")
        assert cursor.fetchone()[0] == value


@pytest.mark.parametrize("language", ["de", "ru", "en"])
@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/partnerships/", '"partnerships_partnership"."status_since"'),
        ("/municipalities/", '"partnerships_municipality"."name_ru"'),
        ("/municipalities/?q=Moskau", '"partnerships_municipality"."name_ru"'),
    ],
)
def test_a_list_page_reads_only_the_columns_its_rows_show(client, settings, language, path, shown):
    """``selectors.list_rows``: no coordinates, notes, sources, codes or timestamps,
    and no query per row for a column left out (a page of 100 asks what a page of 25 asks)."""
    settings.PAGE_CACHE_SECONDS = 0
    prefix = "" if language == "de" else f"/{language}"
    joiner = "&" if "?" in path else "?"
    asked = {}
    client.get(f"{prefix}{path}{joiner}per_page=50")  # what is read once per generation
    for size in (25, 100):
        cache.clear()  # the counts, too, are asked again
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{prefix}{path}{joiner}per_page={size}")
        assert response.status_code == 200
        asked[size] = [query["sql"] for query in queries]
    assert len(asked[100]) == len(asked[25])
    table = shown.split(".")[0]
    (page,) = [
        sql for sql in asked[100] if sql.startswith(f'SELECT {table}."id", ') and " LIMIT " in sql
    ]
    selected = page.removeprefix("SELECT ").split(" FROM ")[0]  # what the rows read
    left_out = ["latitude", "notes", "sources", "created_at", "official_code", "wikidata_id"]
    for column in left_out:
        assert f'."{column}"' not in selected, column
    assert shown in selected


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"german_state": "DE-NW"},
        {"german_state": "DE-BY", "status": "active", "kind": "official", "year_from": "1990"},
        {"russian_region": "RU-MOS", "status": "suspended", "year_to": "2000"},
        {"level": "town", "status_dated": "undated", "unverified": "yes"},
        {"has_initiative": "yes", "kind": "friendship", "status_dated": "dated"},
    ],
    ids=["none", "one", "four", "three", "conditions", "initiative"],
)
def test_the_lists_facet_counts_read_only_columns_of_the_facet_index(client, settings, params):
    """Every count of the partnership list, with any facets chosen, reads only columns that
    ``partnership_public_facets`` holds (or its condition implies), and only the partnerships
    that condition admits: PostgreSQL can answer it from that index alone (an index-only
    scan; docs/PERFORMANCE.md, "seventh session")."""
    settings.PAGE_CACHE_SECONDS = 0
    counts = [sql for sql in queries_of(client, "/partnerships/", params) if "COUNT(" in sql]
    assert counts
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(a.attname), pg_get_expr(i.indpred, i.indrelid) FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indexrelid = 'partnership_public_facets'::regclass GROUP BY i.indpred, "
            "i.indrelid"
        )
        held, condition = cursor.fetchone()
    assert condition == "(is_published AND partners_published)"
    table = '"partnerships_partnership".'
    for sql in counts:
        read = set(re.findall(re.escape(table) + r'"(\w+)"', sql))
        assert read, sql
        assert read <= {*held, "is_published", "partners_published"}, read - set(held)
        where = sql.split(' FROM "partnerships_partnership" WHERE ', 1)[1]
        assert where.startswith(f'({table}"is_published" AND {table}"partners_published"')
