"""Database constraints hold for every write path; clean() explains them to editors."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from partnerships.models import Municipality, Partnership
from partnerships.spellings import fold, frame
from partnerships.vocabulary import Status
from tests.factories import (
    MunicipalityFactory,
    PartnershipFactory,
    RussianMunicipalityFactory,
    StatusEventFactory,
)

pytestmark = pytest.mark.django_db


def violates(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        MunicipalityFactory(**fields)


@pytest.mark.parametrize("code", ["1234", "ABCDEFGH", "1234567890"])
def test_ags_format_is_a_database_constraint(code):
    violates(official_code=code)


def test_valid_codes_are_accepted():
    assert MunicipalityFactory(official_code="05334002").pk
    assert RussianMunicipalityFactory(official_code="27701000001").pk


def test_oktmo_format_differs_from_ags():
    with pytest.raises(IntegrityError), transaction.atomic():
        RussianMunicipalityFactory(official_code="123456789")


@pytest.mark.parametrize("qid", ["1017", "Q0", "q1017", "Q12a"])
def test_a_malformed_wikidata_id_is_refused(qid):
    violates(wikidata_id=qid)


def test_no_two_municipalities_share_a_wikidata_id():
    MunicipalityFactory(wikidata_id="Q999999999")
    violates(wikidata_id="Q999999999")


def test_coordinates_must_be_in_range_and_paired():
    violates(latitude=91, longitude=10)
    violates(latitude=50, longitude=None)


def test_same_name_twice_in_one_region_is_refused():
    MunicipalityFactory(name="Neustadt", slug="neustadt-1")
    violates(name="Neustadt", slug="neustadt-2")


def test_same_name_in_another_region_is_fine():
    MunicipalityFactory(name="Neustadt", slug="neustadt-1")
    from tests.factories import region

    assert MunicipalityFactory(name="Neustadt", slug="neustadt-2", region=region("DE-BY")).pk


def test_one_partnership_per_pair():
    partnership = PartnershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Partnership.objects.create(
            german_partner=partnership.german_partner,
            russian_partner=partnership.russian_partner,
            slug="another",
        )


def test_since_year_range_is_a_database_constraint():
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnershipFactory(since_year=1800)


def test_partners_must_be_one_german_and_one_russian():
    german = MunicipalityFactory()
    partnership = Partnership(german_partner=german, russian_partner=MunicipalityFactory())
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert "russian_partner" in error.value.message_dict
    partnership = Partnership(german_partner=RussianMunicipalityFactory(), russian_partner=german)
    with pytest.raises(ValidationError) as error:
        partnership.full_clean()
    assert set(error.value.message_dict) >= {"german_partner", "russian_partner"}


def test_status_follows_the_latest_dated_event():
    import datetime

    partnership = PartnershipFactory()
    assert partnership.status == Status.UNKNOWN
    StatusEventFactory(
        partnership=partnership, status=Status.ACTIVE, date=datetime.date(2021, 5, 1)
    )
    StatusEventFactory(
        partnership=partnership, status=Status.SUSPENDED, date=datetime.date(2022, 3, 10)
    )
    # An older event recorded later does not override the newer decision.
    StatusEventFactory(
        partnership=partnership, status=Status.ACTIVE, date=datetime.date(2019, 1, 1)
    )
    partnership.refresh_from_db()
    assert partnership.status == Status.SUSPENDED


def test_published_leaves_out_drafts():
    draft = PartnershipFactory(is_published=False)
    shown = PartnershipFactory()
    published = set(Partnership.objects.published())
    assert shown in published
    assert draft not in published


def test_search_key_follows_alternative_names():
    municipality = MunicipalityFactory(name="Chemnitz-Test", slug="chemnitz-test")
    municipality.alternative_names.create(name="Karl-Marx-Stadt-Test", kind="historic")
    municipality.refresh_from_db()
    assert frame([fold("Karl-Marx-Stadt-Test")]) in municipality.search_key
    assert frame([fold("Chemnitz-Test")]) in municipality.search_key


def test_database_speaks_utf8_and_trigrams_see_cyrillic():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_encoding")
        assert cursor.fetchone()[0] == "UTF8"
        cursor.execute("SELECT show_trgm('Москва')")
        assert len(cursor.fetchone()[0]) >= 5
        cursor.execute("SELECT similarity('Москва', 'Масква')")
        assert cursor.fetchone()[0] > 0.3


def test_municipality_display_name_follows_language():
    from django.utils import translation

    kaliningrad = Municipality.objects.get(name="Калининград")
    with translation.override("ru"):
        assert kaliningrad.display_name == "Калининград"
    with translation.override("de"):
        assert kaliningrad.display_name == "Kaliningrad"


def test_a_choice_label_is_in_the_readers_language_and_an_unknown_value_is_shown_as_is():
    from django.utils import translation

    partnership = Partnership(status="suspended", kind="official")
    with translation.override("de"):
        german = partnership.get_status_display()
    with translation.override("ru"):
        russian = partnership.get_status_display()
    with translation.override("en"):
        english = partnership.get_status_display()
    assert len({german, russian, english}) == 3
    assert english == "suspended"
    partnership.status = "not-a-status"
    assert partnership.get_status_display() == "not-a-status"
