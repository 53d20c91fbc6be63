"""The map of partnerships: its GeoJSON holds exactly the filtered list, and it needs
nothing from another site (vendored Leaflet, a basemap of our own)."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partnerships import selectors
from partnerships.maps import point
from partnerships.models import Municipality, Partnership
from tests.factories import PartnershipFactory, RussianMunicipalityFactory

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
BASEMAP = VENDOR / "world-atlas" / "europe-russia.geojson"
GEOJSON_URL = reverse("partnerships:partnership-geojson")
MAP_URL = reverse("partnerships:map")

FILTERS = [
    {},
    {"german_state": "DE-NW", "status": "suspended"},
    {"german_state": "DE-BY"},
    {"status": "active"},
    {"q": "Wolgograd"},
    {"q": "Кёльн"},
    {"kind": "official", "year_from": "1990", "year_to": "2000"},
    {"level": "town", "has_initiative": "yes"},
    {"russian_region": "RU-KGD", "sort": "-year"},
]


def geojson(params: dict, client: Client | None = None):
    response = (client or Client()).get(GEOJSON_URL, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def lines(collection: dict) -> list[dict]:
    return [f for f in collection["features"] if f["geometry"]["type"] == "LineString"]


def towns(collection: dict) -> list[dict]:
    return [f for f in collection["features"] if f["geometry"]["type"] == "Point"]


def listed(params: dict) -> list[Partnership]:
    return list(selectors.partnership_filterset(QueryDict(urlencode(params))).qs)


def placed(partnership: Partnership) -> bool:
    return (
        partnership.german_partner.latitude is not None
        and partnership.russian_partner.latitude is not None
    )


# --- The GeoJSON holds exactly the list ----------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("params", FILTERS, ids=lambda p: urlencode(p) or "all")
def test_the_lines_and_the_unplaced_make_the_lists_count(params):
    rows = listed(params)
    collection = geojson(params)
    drawn = lines(collection)

    assert len(drawn) + collection["unplaced"] == len(rows) == collection["total"]
    assert collection["drawn"] == len(drawn)
    assert sorted(f["properties"]["id"] for f in drawn) == sorted(p.pk for p in rows if placed(p))
    assert collection["unplaced"] == sum(not placed(p) for p in rows)


@pytest.mark.django_db
def test_filters_really_narrow_the_map():
    everything = geojson({})["total"]
    some = geojson({"german_state": "DE-NW", "status": "suspended"})["total"]
    assert 0 < some < everything == Partnership.objects.published().count()


@pytest.mark.django_db
def test_a_line_links_the_partners_and_opens_the_record():
    partnership = Partnership.objects.published().get(slug="aachen--kostroma")
    (line,) = [
        f for f in lines(geojson({"q": "Aachen"})) if f["properties"]["id"] == partnership.pk
    ]
    german, russian = partnership.german_partner, partnership.russian_partner
    assert line["geometry"]["coordinates"] == [
        [round(float(german.longitude), 4), round(float(german.latitude), 4)],
        [round(float(russian.longitude), 4), round(float(russian.latitude), 4)],
    ]
    properties = line["properties"]
    assert properties["url"] == partnership.get_absolute_url()
    assert properties["german"] == german.display_name
    assert properties["russian"] == russian.display_name
    assert properties["status"] == partnership.status
    assert properties["status_label"] == partnership.get_status_display()
    assert properties["kind_label"] == partnership.get_kind_display()
    assert properties["since_year"] == partnership.since_year
    assert Client().get(properties["url"]).status_code == 200


@pytest.mark.django_db
def test_labels_and_names_follow_the_readers_language():
    client = Client()
    response = client.get("/ru" + GEOJSON_URL, {"q": "Aachen"})
    line = lines(json.loads(response.content))[0]["properties"]
    assert line["russian"] == "Кострома"
    assert re.search("[а-я]", line["status_label"])
    assert line["url"].startswith("/ru/partnerships/")


@pytest.mark.django_db
def test_each_town_is_one_point_counting_its_partnerships_shown():
    params = {"german_state": "DE-NW"}
    rows = listed(params)
    points = towns(geojson(params))
    ids = [f["properties"]["id"] for f in points]
    assert len(ids) == len(set(ids))
    for feature in points:
        town = Municipality.objects.get(pk=feature["properties"]["id"])
        assert town.latitude is not None
        assert feature["properties"]["url"] == town.get_absolute_url()
        assert feature["properties"]["count"] == sum(
            town.pk in (p.german_partner_id, p.russian_partner_id) for p in rows
        )
    partners = {
        town.pk
        for p in rows
        for town in (p.german_partner, p.russian_partner)
        if town.latitude is not None
    }
    assert set(ids) == partners


@pytest.mark.django_db
def test_no_draft_appears_on_the_map():
    draft = Partnership.objects.published().get(slug="aachen--kostroma")
    draft.is_published = False
    draft.save()
    hidden_partner = RussianMunicipalityFactory(
        is_published=False, latitude=Decimal("55.0"), longitude=Decimal("40.0")
    )
    with_hidden_partner = PartnershipFactory(russian_partner=hidden_partner)
    with_hidden_partner.german_partner.latitude = Decimal("51.0")
    with_hidden_partner.german_partner.longitude = Decimal("7.0")
    with_hidden_partner.german_partner.save()

    collection = geojson({})
    shown = {f["properties"]["id"] for f in lines(collection)}
    assert draft.pk not in shown
    assert with_hidden_partner.pk not in shown
    assert hidden_partner.pk not in {f["properties"]["id"] for f in towns(collection)}
    assert collection["total"] == Partnership.objects.published().count()


@pytest.mark.django_db
def test_a_partner_without_coordinates_is_counted_not_drawn():
    partnership = PartnershipFactory()  # factory towns have no coordinates
    collection = geojson({"q": partnership.german_partner.name})
    assert partnership.pk not in {f["properties"]["id"] for f in lines(collection)}
    assert collection["unplaced"] >= 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"status": "nonsense"},
        {"year_from": "soon"},
        {"german_state": "XX-00"},
        {"q": "a\x01b"},
        {"q": "x" * 101},
        {"sort": "secret"},
    ],
)
def test_bad_filters_answer_400_with_the_forms_errors(params):
    response = Client().get(GEOJSON_URL, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    body = json.loads(response.content)
    assert set(body["errors"]) == set(params)


@pytest.mark.django_db
def test_the_geojson_takes_one_query_whatever_the_size(django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        assert geojson({"status": "active"})["total"]


@pytest.mark.django_db
def test_a_cached_answer_keeps_its_content_type(settings):
    settings.PAGE_CACHE_SECONDS = 300
    client = Client()
    first = client.get(GEOJSON_URL, {"status": "suspended"})
    with CaptureQueriesContext(connection) as queries:
        second = client.get(GEOJSON_URL, {"status": "suspended"})
    assert len(queries) == 1  # the registry's generation only
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"] == "application/geo+json"


def test_a_russian_place_beyond_the_antimeridian_lies_east_of_180():
    assert point(Decimal("64.73"), Decimal("177.51"), "RU") == [177.51, 64.73]
    assert point(Decimal("65.85"), Decimal("-170.1"), "RU") == [189.9, 65.85]
    assert point(Decimal("50.7753"), Decimal("6.08389"), "DE") == [6.0839, 50.7753]


# --- The page ------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_asks_for_the_geojson_of_its_own_filters():
    params = {"german_state": "DE-NW", "status": "suspended"}
    query = urlencode(params)
    response = Client().get(MAP_URL, params)
    assert response.status_code == 200
    html = response.content.decode()
    amp = query.replace("&", "&amp;")
    assert f'data-geojson-url="{GEOJSON_URL}?{amp}"' in html
    assert f'href="{reverse("partnerships:partnership-list")}?{amp}"' in html
    assert 'data-basemap-url="/static/vendor/world-atlas/europe-russia.geojson"' in html
    total = len(listed(params))
    assert response.context["total"] == total
    assert f'data-total="{total}"' in html
    assert 'id="id_status"' in html and 'value="suspended" selected' in html


@pytest.mark.django_db
def test_the_page_has_no_inline_script_or_style():
    html = Client().get(MAP_URL).content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts and all("src=" in tag for tag in scripts)
    assert "<style" not in html
    assert " style=" not in html


@pytest.mark.django_db
def test_the_page_loads_nothing_from_another_site():
    html = Client().get("/en" + MAP_URL).content.decode()
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not re.match(r"(https?:)?//", url), url


@pytest.mark.django_db
def test_a_bad_filter_on_the_page_answers_400_with_the_message():
    response = Client().get(MAP_URL, {"year_from": "soon"})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


# --- Vendored files ------------------------------------------------------------------


PINNED = {"leaflet": "1.9.4", "leaflet.markercluster": "1.5.3", "world-atlas": "2.0.2"}


def test_package_json_pins_exact_versions_and_the_lock_file_holds_them():
    package = json.loads((ROOT / "package.json").read_text())
    assert package["dependencies"] == PINNED
    assert all(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in package["devDependencies"].values())
    lock = json.loads((ROOT / "package-lock.json").read_text())
    for name, version in {**PINNED, **package["devDependencies"]}.items():
        entry = lock["packages"][f"node_modules/{name}"]
        assert entry["version"] == version
        assert entry["integrity"].startswith("sha512-")
    assert "node_modules" in (ROOT / ".gitignore").read_text()


@pytest.mark.parametrize(
    ("folder", "files"),
    [
        ("leaflet", ["leaflet.js", "leaflet.css", "images/layers.png", "images/marker-icon.png"]),
        (
            "leaflet.markercluster",
            ["leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css"],
        ),
        ("world-atlas", ["europe-russia.geojson"]),
    ],
)
def test_vendored_files_are_there_with_their_licence(folder, files):
    for name in files:
        assert (VENDOR / folder / name).stat().st_size > 0, name
    licence = (VENDOR / folder / "LICENSE").read_text()
    assert re.search(r"Copyright|public domain", licence)


def test_the_vendored_versions_are_the_pinned_ones():
    assert f"Leaflet {PINNED['leaflet']}" in (VENDOR / "leaflet" / "leaflet.js").read_text()[:300]
    assert (VENDOR / "leaflet.markercluster" / "VERSION").read_text().split() == [
        "leaflet.markercluster",
        PINNED["leaflet.markercluster"],
    ]
    assert PINNED["world-atlas"] in (VENDOR / "world-atlas" / "LICENSE").read_text()
    assert "Natural Earth" in (VENDOR / "world-atlas" / "LICENSE").read_text()


def test_the_basemap_covers_europe_and_russia_cut_at_the_antimeridian():
    assert BASEMAP.stat().st_size < 1_500_000
    basemap = json.loads(BASEMAP.read_text())
    assert basemap["type"] == "FeatureCollection"
    names = {f["properties"]["name"] for f in basemap["features"]}
    assert {"Germany", "Russia", "Poland", "Ukraine", "Kazakhstan"} <= names
    east = -180.0
    for feature in basemap["features"]:
        assert feature["geometry"]["type"] == "MultiPolygon"
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                assert ring[0] == ring[-1] and len(ring) >= 4
                longitudes = [x for x, _y in ring]
                assert max(longitudes) - min(longitudes) <= 180, feature["properties"]["name"]
                assert all(-25 <= x <= 191 and 34 <= y <= 82 for x, y in ring)
                if feature["properties"]["name"] == "Russia":
                    east = max(east, *longitudes)
    assert east > 180  # Chukotka lies east of the antimeridian, next to the rest of Russia
