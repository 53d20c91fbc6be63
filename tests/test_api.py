"""The open-data API (issue 13): the HTML lists' rows, harvesting, ETags, CORS, limits.

1. Every list answers exactly the rows of its HTML page under the same parameters (all
   pages of both; the selector's rows, the page's rows and the page's links).
2. Drafts appear nowhere: lists, details, GeoJSON, nor as a record's partner or seat.
3. Bad parameters answer 400 with a JSON message, never 500.
4. The cursor walks every row once; modified_since follows the changes.
5. ETag and 304; CORS for GET; the rate limit; GeoJSON; the schema and its documentation.
"""

from __future__ import annotations

import base64
import datetime
import functools
import hashlib
import json
import re
import time
from urllib.parse import quote, urlencode

import django_ratelimit.core
import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from partnerships import selectors, views
from partnerships.models import (
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Signatory,
)
from partnerships.vocabulary import OrganisationKind, Status
from tests.factories import (
    InitiativeFactory,
    MunicipalityFactory,
    PartnershipFactory,
    RussianMunicipalityFactory,
    StatusEventFactory,
)
from tests.public_pages import filterset_of

pytestmark = pytest.mark.django_db

API = "/api/v1/"
SELECTORS = {
    "partnerships": selectors.partnership_filterset,
    "municipalities": functools.partial(filterset_of, views.MunicipalityListView),
    "initiatives": functools.partial(filterset_of, views.InitiativeListView),
    "signatories": functools.partial(filterset_of, views.SignatoryListView),
}
# The lists whose rows link to a detail page of their own (signatories have none).
DETAIL_LINK = {
    "partnerships": re.compile(r'<td class="card-title"><a href="/partnerships/([^/"]+)/">'),
    "municipalities": re.compile(r'<td class="card-title"><a href="/municipalities/([^/"]+)/">'),
    "initiatives": re.compile(r'<td class="card-title"><a href="/initiatives/([^/"]+)/">'),
}


@pytest.fixture
def api():
    return Client()


def get_json(client: Client, url: str, status: int = 200, **headers) -> dict:
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.content[:500])
    assert response["Content-Type"].startswith(("application/json", "application/geo+json"))
    return json.loads(response.content)


def harvest(client: Client, url: str) -> list[dict]:
    """Every row of an API list, following ``next`` to the end."""
    rows, pages = [], 0
    while url:
        page = get_json(client, url)
        rows += page["results"]
        url, pages = page["next"], pages + 1
        assert pages < 1000
    return rows


def api_ids(client: Client, resource: str, params: str, page_size: int = 7) -> list[int]:
    joiner = "&" if params else ""
    rows = harvest(client, f"{API}{resource}/?{params}{joiner}page_size={page_size}")
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), "a row on two pages"
    return ids


def html_rows(client: Client, resource: str, params: str) -> tuple[set[int], set[str]]:
    """The ids of every row of every page of the HTML list, and the slugs its rows link."""
    ids: set[int] = set()
    slugs: set[str] = set()
    number = 1
    while True:
        query = f"{params}&per_page=100&page={number}" if params else f"per_page=100&page={number}"
        response = client.get(f"/{resource}/?{query}")
        assert response.status_code == 200, response.content[:300]
        ids |= {row.pk for row in response.context["object_list"]}
        if resource in DETAIL_LINK:
            slugs |= set(DETAIL_LINK[resource].findall(response.content.decode()))
        if number >= response.context["paginator"].num_pages:
            return ids, slugs
        number += 1


# (list, query string, whether it must find something): the issue's own example, codes,
# ranges, and a search in Cyrillic and in Latin letters.
SAME_ROWS = [
    ("partnerships", "german_state=DE-NW&status=suspended", True),
    ("partnerships", "status=active", True),
    ("partnerships", "kind=friendship&year_from=1990", False),
    ("partnerships", "status_dated=undated&level=town", False),
    ("partnerships", "q=Калининград", True),
    ("partnerships", "q=Kaliningrad", True),
    ("partnerships", "q=Wolgograd&russian_region=RU-VGG", True),
    ("partnerships", "", True),
    ("municipalities", "country=RU&has_active=yes", True),
    ("municipalities", "q=Волгоград", True),
    ("municipalities", "q=Wolgograd", True),
    ("municipalities", "region=DE-NW&kind=town", True),
    ("initiatives", "kind=school", True),
    ("initiatives", "q=Jaroslawl", True),
    ("initiatives", "q=Калининград", False),
    ("initiatives", "region=DE-NW", True),
    ("signatories", "participation=supporter", True),
    ("signatories", "q=Reker", True),
    ("signatories", "land=DE-NW&organisation_kind=municipality", True),
    ("signatories", "q=Кёльн", False),
]


@pytest.mark.parametrize(("resource", "params", "finds"), SAME_ROWS)
def test_an_api_list_holds_exactly_the_rows_of_the_html_list(api, resource, params, finds):
    expected = set(SELECTORS[resource](QueryDict(params)).qs.values_list("pk", flat=True))
    found = api_ids(api, resource, params)
    assert set(found) == expected
    page_ids, page_slugs = html_rows(api, resource, params)
    assert set(found) == page_ids
    if resource in DETAIL_LINK:
        model = {"partnerships": Partnership, "municipalities": Municipality}.get(
            resource, Initiative
        )
        slugs = set(model.objects.filter(pk__in=found).values_list("slug", flat=True))
        assert slugs == page_slugs
    if finds:
        assert found


def test_the_issue_s_example_is_the_suspended_partnerships_of_north_rhine_westphalia(api):
    rows = harvest(api, f"{API}partnerships/?german_state=DE-NW&status=suspended")
    assert rows
    assert {row["german_land_iso"] for row in rows} == {"DE-NW"}
    assert {row["status"] for row in rows} == {"suspended"}
    assert "aachen--kostroma" in {row["slug"] for row in rows}


# --- the fields ----------------------------------------------------------------------


def test_a_partnership_carries_its_codes_sources_and_dated_status(api):
    row = get_json(api, f"{API}partnerships/aachen--kostroma/")
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    assert row["id"] == partnership.pk
    assert row["permalink"] == "http://testserver/partnerships/aachen--kostroma/"
    assert row["api_url"] == "http://testserver/api/v1/partnerships/aachen--kostroma/"
    assert row["german_partner"] == "Aachen"
    assert row["german_land_iso"] == "DE-NW"
    assert row["german_ags"] == partnership.german_partner.official_code
    assert row["russian_partner_cyrillic"] == "Кострома"
    assert row["russian_region_iso"] == "RU-KOS"
    assert row["russian_oktmo"] == partnership.russian_partner.official_code
    assert row["status"] == partnership.status == Status.SUSPENDED
    assert row["status_since"] and row["status_since_precision"]
    assert row["status_events"], "the dated events"
    assert {"date", "date_precision", "status", "note", "source"} <= set(row["status_events"][0])
    sources = list(PartnershipSource.objects.filter(partnership=partnership).order_by("pk"))
    assert [source["url"] or source["citation"] for source in row["sources"]] == [
        source.url or source.citation for source in sources
    ]
    assert row["updated_at"].endswith("Z")
    for editor_field in ("conflicts", "decided_fields", "version", "is_published", "by_editor"):
        assert editor_field not in row


def test_the_field_names_are_the_csv_headers_where_the_csv_has_them(api):
    export = api.get("/partnerships/export.csv")
    header = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()[0]
    row = get_json(api, f"{API}partnerships/aachen--kostroma/")
    labels = {"german_land", "russian_region"} | {h for h in header.split(",") if "label" in h}
    # Names in the reader's language are left out: the API says codes.
    assert set(header.split(",")) - labels <= set(row)
    municipality = get_json(api, f"{API}municipalities/aachen/")
    for field in ("region_iso", "official_code", "ags", "oktmo", "wikidata_id", "geonames_id"):
        assert field in municipality
    assert municipality["ags"] == municipality["official_code"]
    assert municipality["oktmo"] is None
    assert municipality["wikidata_id"] == "Q1017"
    kostroma = get_json(api, f"{API}municipalities/kostroma/")
    assert kostroma["oktmo"] == kostroma["official_code"] and kostroma["ags"] is None


def test_municipalities_keep_their_editors_provenance_notes_and_initiatives_their_address(api):
    aachen = Municipality.objects.get(slug="aachen")
    aachen.sources = "Provenienz nur für die Redaktion"
    aachen.save()
    initiative = InitiativeFactory(seat=aachen, contact_email="info@verein.example")
    assert "Provenienz" not in api.get(f"{API}municipalities/aachen/").content.decode()
    assert "verein.example" not in api.get(f"{API}initiatives/{initiative.slug}/").content.decode()


# --- drafts --------------------------------------------------------------------------


@pytest.fixture
def drafts(db):
    german = MunicipalityFactory(slug="entwurfstadt", is_published=False)
    russian = RussianMunicipalityFactory(slug="chernovik")
    published_russian = RussianMunicipalityFactory(slug="opublikovan")
    draft_partnership = PartnershipFactory(
        german_partner=MunicipalityFactory(slug="sichtbar"),
        russian_partner=published_russian,
        is_published=False,
    )
    with_draft_partner = PartnershipFactory(german_partner=german, russian_partner=russian)
    draft_initiative = InitiativeFactory(slug="geheimverein", is_published=False, seat=german)
    draft_initiative.partnerships.add(Partnership.objects.get(slug="aachen--kostroma"))
    carrying = InitiativeFactory(slug="traeger", seat=german)
    carrying.partnerships.add(draft_partnership, Partnership.objects.get(slug="aachen--kostroma"))
    appeal = Appeal.objects.published().get()
    draft_signatory = Signatory.objects.create(
        appeal=appeal, person_name="Erika Entwurf", organisation="Stadt X", is_published=False
    )
    for_draft_town = Signatory.objects.create(
        appeal=appeal,
        person_name="Max Sichtbar",
        municipality=german,
        organisation_kind=OrganisationKind.MUNICIPALITY,
    )
    draft_appeal = Appeal.objects.create(
        title="Entwurf",
        date=datetime.date(2024, 1, 1),
        publisher="X",
        slug="entwurf-appell",
        is_published=False,
    )
    of_draft_appeal = Signatory.objects.create(
        appeal=draft_appeal, person_name="Olga Entwurf", organisation="Y"
    )
    return {
        "municipalities": [german],
        "partnerships": [draft_partnership, with_draft_partner],
        "initiatives": [draft_initiative],
        "signatories": [draft_signatory, of_draft_appeal],
        "appeals": [draft_appeal],
        "carrying": carrying,
        "for_draft_town": for_draft_town,
    }


def test_a_draft_appears_in_no_list_no_detail_and_no_geojson(api, drafts):
    for resource in ("partnerships", "municipalities", "initiatives", "signatories", "appeals"):
        listed = {row["id"] for row in harvest(api, f"{API}{resource}/?page_size=1000")}
        for draft in drafts[resource]:
            assert draft.pk not in listed, (resource, draft)
            key = draft.pk if resource == "signatories" else draft.slug
            assert api.get(f"{API}{resource}/{key}/").status_code == 404, (resource, draft)
    lines = get_json(api, f"{API}partnerships.geojson")["features"]
    drawn = {f["properties"]["id"] for f in lines if f["properties"]["kind"] == "partnership"}
    towns = {f["properties"]["id"] for f in lines if f["properties"]["kind"] == "municipality"}
    points = {
        f["properties"]["id"] for f in get_json(api, f"{API}municipalities.geojson")["features"]
    }
    for draft in drafts["partnerships"]:
        assert draft.pk not in drawn
    for draft in drafts["municipalities"]:
        assert draft.pk not in towns | points


def test_a_draft_is_never_named_by_a_published_record(api, drafts):
    carrying = get_json(api, f"{API}initiatives/{drafts['carrying'].slug}/")
    assert carrying["partnerships"] == ["aachen--kostroma"]
    assert carrying["seat_id"] is None and carrying["seat"] is None
    signatory = get_json(api, f"{API}signatories/{drafts['for_draft_town'].pk}/")
    assert signatory["municipality"] is None and signatory["municipality_id"] is None
    partnership = get_json(api, f"{API}partnerships/aachen--kostroma/")
    published = Initiative.objects.published().filter(partnerships__slug="aachen--kostroma")
    assert partnership["initiatives"] == published.count()


# --- bad parameters ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("partnerships/?status=bogus", "status"),
        ("partnerships/?german_state=XX-YY", "german_state"),
        ("partnerships/?year_from=abc", "year_from"),
        ("municipalities/?q=" + quote("a\x00b"), "q"),
        ("municipalities/?q=" + "x" * 101, "q"),
        ("initiatives/?kind=nonsense", "kind"),
        ("signatories/?land=RU-MOW", "land"),
        ("partnerships/?modified_since=yesterday", "modified_since"),
        ("appeals/?modified_since=2026-13-45", "modified_since"),
        ("municipalities/?modified_since=" + quote("0001-01-01T00:00:00+05:00"), "modified_since"),
        ("partnerships/?cursor=garbage", "cursor"),
        ("partnerships/?cursor=" + base64.urlsafe_b64encode(b'["x", 1]').decode(), "cursor"),
        (
            "partnerships/?cursor=" + base64.urlsafe_b64encode(b'["2026-01-01", -1]').decode(),
            "cursor",
        ),
        ("partnerships/?page_size=0", "page_size"),
        ("partnerships/?page_size=5000", "page_size"),
        ("partnerships/?page_size=%C2%B2", "page_size"),
        ("partnerships.geojson?status=bogus", "status"),
        ("municipalities.geojson?country=XX", "country"),
    ],
)
def test_a_bad_parameter_answers_400_with_a_json_message(api, url, parameter):
    response = api.get(API + url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert body["detail"]
    assert body["errors"][parameter] and all(body["errors"][parameter])


def test_a_missing_record_answers_404_in_json(api):
    body = get_json(api, f"{API}partnerships/no-such-partnership/", status=404)
    assert body["detail"]
    assert api.get(f"{API}signatories/999999999/").status_code == 404
    assert get_json(api, f"{API}signatories/1.5/", status=404)["detail"]


# --- cursor and modified_since -------------------------------------------------------


def test_the_cursor_walks_every_row_once(api):
    ids = api_ids(api, "partnerships", "", page_size=7)
    assert sorted(ids) == sorted(Partnership.objects.published().values_list("pk", flat=True))
    assert len(ids) == 120
    municipalities = api_ids(api, "municipalities", "", page_size=50)
    assert set(municipalities) == set(Municipality.objects.published().values_list("pk", flat=True))


def test_pages_are_in_the_order_of_the_last_change_and_a_page_size_holds(api):
    page = get_json(api, f"{API}partnerships/?page_size=25")
    assert len(page["results"]) == 25
    keys = [(row["updated_at"], row["id"]) for row in page["results"]]
    assert keys == sorted(keys)
    assert "cursor=" in page["next"] and "page_size=25" in page["next"]


def test_modified_since_returns_only_what_changed_and_a_change_shows_up(api):
    since = timezone.now()
    url = f"{API}partnerships/?modified_since={quote(since.isoformat())}"
    assert harvest(api, url) == []
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    partnership.notes = "Ein Redakteur hat nachgetragen."
    partnership.save()
    changed = harvest(api, url)
    assert [row["id"] for row in changed] == [partnership.pk]
    assert changed[0]["notes"] == "Ein Redakteur hat nachgetragen."
    # Its municipalities, initiatives and the other lists did not change.
    for resource in ("municipalities", "initiatives", "signatories", "appeals"):
        assert harvest(api, f"{API}{resource}/?modified_since={quote(since.isoformat())}") == []


def test_a_municipality_an_editor_changes_shows_up_in_the_next_harvest(api):
    since = timezone.now()
    kostroma = Municipality.objects.get(slug="kostroma")
    kostroma.website = "https://gradkostroma.example/"
    kostroma.save()
    # "Z" and "+00:00" alike; an unencoded "+" (a space) is understood as the offset's sign.
    for stamp in (
        since.astimezone(datetime.UTC).isoformat().replace("+00:00", "Z"),
        since.astimezone(datetime.UTC).isoformat().replace("+00:00", " 00:00"),
    ):
        rows = harvest(api, f"{API}municipalities/?{urlencode({'modified_since': stamp})}")
        assert [row["slug"] for row in rows] == ["kostroma"]


def test_a_status_event_recorded_through_the_admin_shows_up(api, admin_client):
    """An editor adds a status event on the partnership's admin page: the partnership is
    saved with it, so its updated_at moves and the next harvest has it."""
    since = timezone.now()
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    StatusEventFactory(partnership=partnership, status=Status.ENDED, date=datetime.date(2026, 5, 1))
    partnership.refresh_from_db()
    partnership.save()  # what the admin's change form does with the record of its inlines
    rows = harvest(api, f"{API}partnerships/?modified_since={quote(since.isoformat())}")
    assert [(row["id"], row["status"]) for row in rows] == [(partnership.pk, "ended")]
    assert rows[0]["status_events"][-1]["status"] == "ended"


def test_modified_since_takes_a_date(api):
    tomorrow = (timezone.now() + datetime.timedelta(days=1)).date().isoformat()
    assert harvest(api, f"{API}partnerships/?modified_since={tomorrow}") == []
    assert len(harvest(api, f"{API}partnerships/?modified_since=2000-01-01&page_size=1000")) == 120


def test_modified_since_combines_with_the_list_filters(api):
    since = timezone.now()
    for slug in ("aachen--kostroma", "berlin--moskva"):
        partnership = Partnership.objects.get(slug=slug)
        partnership.save()
    rows = harvest(
        api,
        f"{API}partnerships/?status=suspended&german_state=DE-NW&modified_since={quote(since.isoformat())}",
    )
    assert [row["slug"] for row in rows] == ["aachen--kostroma"]


# --- ETag and 304 --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"{API}partnerships/?status=suspended",
        f"{API}partnerships/aachen--kostroma/",
        f"{API}municipalities.geojson?country=RU",
        f"{API}partnerships.geojson",
        f"{API}appeals/",
    ],
)
def test_an_unchanged_answer_is_304_and_a_change_gives_a_new_etag(
    api, url, django_assert_max_num_queries
):
    first = api.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"')
    assert "no-cache" in first["Cache-Control"]
    with django_assert_max_num_queries(1):  # the registry's generation, nothing else
        again = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again["ETag"] == etag and again.content == b""
    partnership = Partnership.objects.get(slug="berlin--moskva")
    partnership.notes = "geändert"
    partnership.save()
    changed = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_the_etag_depends_on_the_address(api):
    assert (
        api.get(f"{API}partnerships/")["ETag"] != api.get(f"{API}partnerships/?page_size=5")["ETag"]
    )


def test_an_error_carries_no_etag(api):
    assert not api.get(f"{API}partnerships/?status=bogus").has_header("ETag")


# --- CORS and the rate limit ---------------------------------------------------------


def test_any_site_may_read_the_api_but_not_the_pages(api):
    response = api.get(f"{API}partnerships/", HTTP_ORIGIN="https://elsewhere.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    preflight = api.options(
        f"{API}partnerships/",
        HTTP_ORIGIN="https://elsewhere.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
    )
    assert preflight.status_code == 200
    methods = {m.strip() for m in preflight["Access-Control-Allow-Methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    assert "if-none-match" in preflight["Access-Control-Allow-Headers"]
    page = api.get("/partnerships/", HTTP_ORIGIN="https://elsewhere.example")
    assert not page.has_header("Access-Control-Allow-Origin")


def test_the_api_is_read_only(api):
    for method in (api.post, api.put, api.patch, api.delete):
        assert method(f"{API}partnerships/aachen--kostroma/").status_code in (405, 415)


class FrozenClock:
    """``time`` for django-ratelimit at one instant: a period cannot end during a test."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


def test_a_client_over_the_rate_limit_gets_429_in_json(api, settings, monkeypatch):
    monkeypatch.setattr(django_ratelimit.core, "time", FrozenClock(time.time()))
    settings.API_RATE = "3/m"
    for _ in range(3):
        assert api.get(f"{API}appeals/").status_code == 200
    limited = api.get(f"{API}appeals/")
    assert limited.status_code == 429
    assert limited["Content-Type"] == "application/json"
    assert json.loads(limited.content)["detail"]
    assert int(limited["Retry-After"]) > 0
    # Another client address is counted apart.
    assert api.get(f"{API}appeals/", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_a_client_limited_in_the_last_second_of_a_period_is_told_to_retry(
    api, settings, monkeypatch
):
    """django-ratelimit's time left is in whole seconds, 0 in a period's last second: the
    429 still says when to retry (it had no Retry-After, which failed a CI run)."""
    settings.API_RATE = "1/m"
    monkeypatch.setattr(django_ratelimit.core, "time", FrozenClock(time.time()))
    assert api.get(f"{API}appeals/").status_code == 200  # the period's one request
    # The test client's address; django-ratelimit staggers each key's periods.
    window_end = django_ratelimit.core._get_window("127.0.0.1", 60)
    monkeypatch.setattr(django_ratelimit.core, "time", FrozenClock(window_end + 0.5))
    limited = api.get(f"{API}appeals/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) == 1


# --- GeoJSON -------------------------------------------------------------------------


@pytest.mark.parametrize("params", ["", "german_state=DE-NW", "status=suspended", "q=Wolgograd"])
def test_the_partnerships_geojson_draws_a_line_for_each_row_of_the_list(api, params):
    expected = set(
        selectors.partnership_filterset(QueryDict(params)).qs.values_list("pk", flat=True)
    )
    response = api.get(f"{API}partnerships.geojson?{params}")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    lines = [f for f in collection["features"] if f["geometry"]["type"] == "LineString"]
    assert collection["total"] == len(expected) == collection["drawn"] + collection["unplaced"]
    assert len(lines) == collection["drawn"]
    assert {line["properties"]["id"] for line in lines} <= expected
    unplaced = selectors.partnership_filterset(QueryDict(params)).qs.filter(
        german_partner__latitude__isnull=False, russian_partner__latitude__isnull=False
    )
    assert {line["properties"]["id"] for line in lines} == set(
        unplaced.values_list("pk", flat=True)
    )


@pytest.mark.parametrize("params", ["", "country=RU", "region=DE-NW&kind=town", "q=Калининград"])
def test_the_municipalities_geojson_has_a_point_for_each_placed_row(api, params):
    rows = filterset_of(views.MunicipalityListView, QueryDict(params)).qs
    placed = set(rows.filter(latitude__isnull=False).values_list("pk", flat=True))
    collection = get_json(api, f"{API}municipalities.geojson?{params}")
    features = collection["features"]
    assert {f["geometry"]["type"] for f in features} <= {"Point"}
    assert {f["properties"]["id"] for f in features} == placed
    assert collection["total"] == rows.count() == collection["drawn"] + collection["unplaced"]
    aachen = next((f for f in features if f["properties"]["slug"] == "aachen"), None)
    if aachen is not None:
        longitude, latitude = aachen["geometry"]["coordinates"]
        assert 5 < longitude < 7 and 50 < latitude < 51


# --- queries -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource", ["partnerships", "municipalities", "initiatives", "signatories"]
)
def test_a_page_costs_the_same_queries_whatever_its_size(
    api, resource, django_assert_max_num_queries
):
    api.get(f"{API}{resource}/?page_size=1")  # region ids are read once per process
    with django_assert_max_num_queries(6):
        api.get(f"{API}{resource}/?page_size=1000")


# --- the schema and its documentation ------------------------------------------------


def test_the_schema_is_valid_openapi_3_without_warnings():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular warned while generating the schema"
    paths = set(schema["paths"])
    for resource in ("partnerships", "municipalities", "initiatives", "signatories", "appeals"):
        assert f"/api/v1/{resource}/" in paths
    assert {"/api/v1/partnerships.geojson", "/api/v1/municipalities.geojson"} <= paths
    parameters = {p["name"] for p in schema["paths"]["/api/v1/partnerships/"]["get"]["parameters"]}
    assert {"german_state", "status", "q", "modified_since", "cursor", "page_size"} <= parameters


def test_the_schema_is_served_as_json_and_yaml(api):
    assert api.get("/api/schema/").status_code == 200
    response = api.get("/api/schema/?format=json")
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert json.loads(response.content)["openapi"].startswith("3.")


def test_the_documentation_is_self_hosted_without_inline_script(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert scripts and all("src=" in tag for tag in scripts)
    assert re.findall(r"""(?:src|href)="([^"]+)""", page)
    for address in re.findall(r"""(?:src|href)="([^"]+)""", page):
        assert address.startswith("/"), f"{address} is not served by the registry"
        assert api.get(address).status_code == 200, address
    script = api.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    # The site's policy; the template's one inline <style> is allowed by its hash only.
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy + ";"
    assert "unsafe-inline" not in policy
    for block in re.findall(r"<style>(.*?)</style>", page, re.S):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy


def test_a_status_event_saved_on_its_own_moves_the_partnership_s_updated_at(api):
    since = timezone.now()
    partnership = Partnership.objects.get(slug="berlin--moskva")
    StatusEventFactory(partnership=partnership, status=Status.ENDED, date=datetime.date(2026, 5, 1))
    rows = harvest(api, f"{API}partnerships/?modified_since={quote(since.isoformat())}")
    assert [row["id"] for row in rows] == [partnership.pk]


def test_messages_are_in_the_client_s_language_and_values_are_codes(api):
    german = get_json(api, f"{API}partnerships/?status=bogus", status=400)
    english = get_json(api, f"{API}partnerships/?status=bogus", 400, HTTP_ACCEPT_LANGUAGE="en")
    russian = get_json(api, f"{API}partnerships/?status=bogus", 400, HTTP_ACCEPT_LANGUAGE="ru")
    assert german["detail"] != english["detail"] != russian["detail"]
    assert english["detail"] == "Some filters could not be used."
    rows = [
        get_json(api, f"{API}partnerships/aachen--kostroma/", HTTP_ACCEPT_LANGUAGE=language)
        for language in ("de", "en", "ru")
    ]
    assert rows[0] == rows[1] == rows[2]
    assert rows[0]["status"] == "suspended"
    first = api.get(f"{API}partnerships/aachen--kostroma/", HTTP_ACCEPT_LANGUAGE="en")
    assert first["Content-Language"] == "en"
    assert "Accept-Language" in first["Vary"]
