"""Names from the GeoNames gazetteer: matching, Russian names, search, the public pages.

The session fixture loads the starter data through ``load_starter_data``, whose last step
is the gazetteer refresh: the starter municipalities arrive matched.
"""

from decimal import Decimal

import pytest
from django.core.management import call_command

from partnerships import gazetteer, spellings
from partnerships.models import Municipality, Region
from partnerships.models.municipalities import NameOrigin
from tests.factories import MunicipalityFactory
from tests.town_spellings import GERMAN_TOWNS_IN_CYRILLIC

pytestmark = pytest.mark.django_db


def get(name: str) -> Municipality:
    return Municipality.objects.get(name=name)


# --- matching ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "geonames_id"),
    [("Köln", 2886242), ("Neuss", 2864118), ("Aachen", 3247449), ("Москва", 524901)],
)
def test_starter_towns_have_their_geonames_id(name, geonames_id):
    assert get(name).geonames_id == geonames_id


def test_a_town_is_matched_by_the_name_without_its_qualifier_or_its_district_part():
    assert get("Halle (Saale)").geonames_id == 2911522
    assert get("Schwedt/Oder").geonames_id == 2834629
    assert get("Berlin-Spandau").geonames_id == 7290252


def test_districts_laender_and_places_without_coordinates_are_not_matched():
    # Kreis Düren has a representative point next to the town Düren: still not the town.
    assert get("Kreis Düren").latitude is not None
    assert get("Kreis Düren").geonames_id is None
    assert get("Kreis Pinneberg").geonames_id is None
    assert get("Land Brandenburg").geonames_id is None
    assert get("Amt Zarrentin").geonames_id is None


def test_no_two_municipalities_share_an_entry():
    """A city district is not its city: "Wolgograd (Stadtbezirk Krasnoarmejskij)" is a name
    of Volgograd's Krasnoarmeysky district, and Petrogradsky's bracket names its city."""
    ids = list(Municipality.objects.exclude(geonames_id=None).values_list("geonames_id", flat=True))
    assert len(ids) == len(set(ids)) == 181
    assert get("Красноармейский район (Волгоград)").geonames_id is None
    assert get("Волгоград").geonames_id == 472757


def test_a_namesake_far_away_is_not_matched():
    # "Köln" in Bavaria: the name is GeoNames' Köln, the place is 450 km from it.
    namesake = MunicipalityFactory(
        name="Köln",
        region=Region.objects.get(code="DE-BY"),
        latitude=Decimal("48.137"),
        longitude=Decimal("11.575"),
    )
    gazetteer.refresh(Municipality.objects.filter(pk=namesake.pk))
    namesake.refresh_from_db()
    assert namesake.geonames_id is None
    assert namesake.gazetteer_names == ""
    assert (namesake.name_ru, namesake.name_ru_origin) == ("Кёльн", NameOrigin.TRANSCRIPTION)


def test_a_place_near_a_gazetteer_entry_of_another_name_is_not_matched():
    near_cologne = MunicipalityFactory(
        name="Nirgendwo", latitude=Decimal("50.94"), longitude=Decimal("6.96")
    )
    gazetteer.refresh(Municipality.objects.filter(pk=near_cologne.pk))
    near_cologne.refresh_from_db()
    assert near_cologne.geonames_id is None


def test_an_entry_matches_a_place_only_within_its_distance():
    entry = gazetteer.Entry(1, "Testdorf", "DE", 50.0, 8.0, 800, ("Testdorf",))
    large = gazetteer.Entry(2, "Großstadt", "DE", 52.0, 8.0, 900_000, ("Großstadt",))
    places = gazetteer.Gazetteer([entry, large])
    # 0.1 degree of latitude is 11 km, 0.2 are 22 km.
    assert places.match("DE", 50.1, 8.0, ["Testdorf"]) == entry
    assert places.match("DE", 50.2, 8.0, ["Testdorf"]) is None
    assert places.match("DE", 50.1, 8.0, ["Anderswo"]) is None
    assert places.match("RU", 50.1, 8.0, ["Testdorf"]) is None
    assert places.match("DE", 52.2, 8.0, ["Großstadt"]) == large  # a city: 30 km


# --- the gazetteer's names -----------------------------------------------------------


def test_the_gazetteer_names_are_kept_but_codes_and_machine_romanizations_are_not():
    names = get("Köln").gazetteer_names.splitlines()
    assert {"Cologne", "Colonia Agrippina", "Кёльн", "Кельн", "ケルン"} <= set(names)
    assert "CGN" not in names  # an airport code
    assert "koln" not in names and "ke long" not in names  # machine romanizations


def test_the_gazetteer_names_are_folded_apart_from_the_registrys_own():
    """The public search reads ``gazetteer_key``; the importers match on ``search_key`` only,
    so a file's "Nuess" (a GeoNames name of Neuss, and a typo) is not silently Neuss."""
    neuss, braunschweig = get("Neuss"), get("Braunschweig")
    assert spellings.frame([spellings.fold("Nuess")]) in neuss.gazetteer_key
    assert spellings.frame([spellings.fold("Nuess")]) not in neuss.search_key
    assert spellings.frame([spellings.fold("Brunswick")]) in braunschweig.gazetteer_key
    stored = braunschweig.gazetteer_key
    braunschweig.refresh_search()  # what save() computes
    assert braunschweig.gazetteer_key == stored


def test_a_name_of_another_municipality_is_not_taken_from_the_gazetteer():
    # GeoNames lists the oblast's name among the city's, and Kaliningrad among Sovetsk's.
    assert "Воронежская область" not in get("Воронеж").gazetteer_names.splitlines()
    assert list(Municipality.objects.search("Воронежская область")) == [get("Воронежская область")]
    assert "Sovetsk i Kaliningrad oblast" not in get("Советск").gazetteer_names
    assert "Tilsit" in get("Советск").gazetteer_names.splitlines()
    assert Municipality.objects.search("Kaliningrat").first() == get("Калининград")


def test_the_gazetteer_names_are_not_on_the_public_page(client):
    page = client.get(get("Köln").get_absolute_url())
    assert page.status_code == 200
    assert "Colonia Agrippina" not in page.content.decode()


# --- Russian names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "russian"),
    [
        ("Köln", "Кёльн"),
        ("Neuss", "Нойс"),
        ("Pforzheim", "Пфорцхайм"),
        ("Celle", "Целле"),
        ("Stuttgart", "Штутгарт"),
        ("Chemnitz", "Хемниц"),
        ("Aachen", "Ахен"),
        # Traditional names of large cities.
        ("Hamburg", "Гамбург"),
        ("Hannover", "Ганновер"),
        ("Braunschweig", "Брауншвейг"),
        ("Halle (Saale)", "Галле"),
        # Smaller towns keep the transcription's Х.
        ("Herne", "Херне"),
        ("Hemer", "Хемер"),
    ],
)
def test_german_towns_get_their_russian_name_from_the_gazetteer(name, russian):
    municipality = get(name)
    assert (municipality.name_ru, municipality.name_ru_origin) == (russian, NameOrigin.GAZETTEER)


@pytest.mark.parametrize(
    ("name", "russian"),
    [
        ("Sassnitz", "Засниц"),  # in GeoNames, but without a Russian name
        ("Bad Homburg vor der Höhe", "Бад-Хомбург-фор-дер-Хёэ"),  # only "Бад-Хомбург" there
        ("Berlin-Mitte", "Берлин-Митте"),
        ("Kreis Pinneberg", "Район Пиннеберг"),
        ("Rems-Murr-Kreis", "Район Ремс-Мурр"),
        ("Amt Zarrentin", "Амт Царрентин"),
        # A whole Land: the registry's Russian name of the Land.
        ("Land Niedersachsen", "Земля Нижняя Саксония"),
        ("Freistaat Bayern", "Свободное государство Бавария"),
    ],
)
def test_others_get_the_transcription(name, russian):
    municipality = get(name)
    assert (municipality.name_ru, municipality.name_ru_origin) == (
        russian,
        NameOrigin.TRANSCRIPTION,
    )


def test_every_german_partner_has_a_russian_name_and_russian_ones_keep_theirs():
    assert not Municipality.objects.german().filter(name_ru="").exists()
    assert not Municipality.objects.russian().exclude(name_ru_origin="").exists()


def test_the_russian_name_closest_to_the_transcription_is_chosen():
    def entry(population, *names):
        return gazetteer.Entry(1, "X", "DE", 50.0, 8.0, population, names)

    # Only Russian letters: the Serbian, Ukrainian and Kazakh forms are not candidates.
    assert gazetteer.closest(entry(5_000, "Келн", "Кӧльн", "Кёльн"), "Кёльн") == "Кёльн"
    assert gazetteer.closest(entry(5_000, "Кјолн", "Кїльн"), "Кёльн") == ""
    # A tie goes to the longer name (double consonants): Галле, not Хале.
    assert gazetteer.closest(entry(5_000, "Хале", "Галле"), "Халле") == "Галле"
    # Traditional forms only for large cities.
    assert gazetteer.closest(entry(50_000, "Гамбург", "Хамбург"), "Хамбург") == "Хамбург"
    assert gazetteer.closest(entry(500_000, "Гамбург", "Хамбург"), "Хамбург") == "Гамбург"
    # A name that is not a rendering of this one (more than a third differs) is not taken.
    assert gazetteer.closest(entry(5_000, "Оффенбах"), "Оффенбах-ам-Майн") == ""


def test_an_editors_russian_name_survives_a_refresh():
    cologne = get("Köln")
    cologne.name_ru, cologne.name_ru_origin = "Кельн", ""
    cologne.save()
    counts = gazetteer.refresh()
    cologne.refresh_from_db()
    assert (cologne.name_ru, cologne.name_ru_origin) == ("Кельн", "")
    assert cologne.geonames_id == 2886242
    assert counts.changed == 0


def test_a_filled_in_name_is_refreshed():
    cologne = get("Köln")
    cologne.name_ru = "Колония"
    cologne.save()
    gazetteer.refresh()
    cologne.refresh_from_db()
    assert (cologne.name_ru, cologne.name_ru_origin) == ("Кёльн", NameOrigin.GAZETTEER)


def warendorf() -> Municipality:
    return MunicipalityFactory(
        name="Warendorf", latitude=Decimal("51.9539"), longitude=Decimal("7.9933")
    )


def test_stale_search_keys_are_brought_up_to_date():
    """Keys stored before the transcription or the gazetteer's names were added."""
    hatten = get("Hatten")
    expected = (hatten.search_key, hatten.search_names, hatten.gazetteer_key)
    assert spellings.frame([spellings.fold("Хаттен")]) in hatten.search_key
    Municipality.objects.filter(pk=hatten.pk).update(
        search_key="|haten|", search_names="|hatten|", gazetteer_key=""
    )
    assert gazetteer.refresh().changed == 1
    hatten.refresh_from_db()
    assert (hatten.search_key, hatten.search_names, hatten.gazetteer_key) == expected


def test_a_new_town_gets_its_names_from_the_command(capsys):
    town = warendorf()
    assert town.name_ru == "" and town.geonames_id is None
    # Its transcription is searched from the start.
    assert list(Municipality.objects.search("Варендорф")) == [town]
    call_command("refresh_gazetteer")
    assert "1 changed" in capsys.readouterr().out
    town.refresh_from_db()
    assert town.geonames_id is not None
    assert (town.name_ru, town.name_ru_origin) == ("Варендорф", NameOrigin.GAZETTEER)
    assert list(Municipality.objects.search("Варендорф")) == [town]


def test_the_refresh_is_idempotent_and_a_dry_run_saves_nothing(capsys):
    call_command("refresh_gazetteer")
    assert "0 changed, 203 unchanged" in capsys.readouterr().out
    get("Köln").save()  # a save keeps the names
    town = warendorf()
    call_command("refresh_gazetteer", "--dry-run")
    assert "1 changed" in capsys.readouterr().out
    town.refresh_from_db()
    assert town.geonames_id is None


def test_a_second_load_of_the_starter_data_changes_no_name(capsys):
    call_command("load_starter_data")
    out = capsys.readouterr().out
    assert "203 municipalities: 181 matched in GeoNames, 85 Russian names" in out
    assert "23 transcribed; 0 changed, 203 unchanged" in out


# --- search --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        *GERMAN_TOWNS_IN_CYRILLIC,
        ("Hanover", "Hannover"),
        ("Brunswick", "Braunschweig"),  # names only the gazetteer knows
        ("Aix-la-Chapelle", "Aachen"),
        ("Ганновер", "Hannover"),
        ("Ханновер", "Hannover"),
        ("Засниц", "Sassnitz"),  # no Russian name in GeoNames: the transcription
        ("Пиннеберг", "Pinneberg"),
    ],
)
def test_names_in_every_language_find_the_german_town_first(query, expected):
    first = Municipality.objects.search(query).first()
    assert first is not None, f"{query!r} found nothing"
    assert first.name == expected


def test_ingolstadt_in_cyrillic_does_not_find_chemnitz():
    assert "Chemnitz" not in [m.name for m in Municipality.objects.search("Ингольштадт")]


def test_celle_in_cyrillic_finds_celle_before_zelenograd():
    # "Целле" folds to "sele", a prefix of "selenograd": Зеленоград is still listed, but
    # after Celle, whose whole name matches (the ranking of "Search in any spelling").
    found = [m.name for m in Municipality.objects.search("Целле")]
    assert found[0] == "Celle"
    assert "Зеленоград" not in found[:1]


# --- the public pages ----------------------------------------------------------------


def test_the_russian_pages_show_german_partners_in_cyrillic(client):
    page = client.get("/ru/partnerships/", {"q": "Ганновер"})
    assert "Ганновер" in page.content.decode()
    heading = client.get("/ru/municipalities/koeln/").content.decode()
    assert "<h1>Кёльн" in heading
    listing = client.get("/ru/municipalities/", {"q": "Pinneberg"}).content.decode()
    assert "Район Пиннеберг" in listing and "Пиннеберг" in listing


def test_the_about_page_credits_geonames(client):
    for prefix, words in [("", "Ortsverzeichnis GeoNames"), ("/ru", "справочника GeoNames")]:
        page = client.get(f"{prefix}/about/").content.decode()
        assert words in page
        assert 'href="https://www.geonames.org/"' in page
        assert "CC BY 4.0" in page
