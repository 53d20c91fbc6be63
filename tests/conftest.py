"""Shared fixtures: the real starter data is loaded once per test session.

Every test that uses the database sees the 120 starter partnerships; each test runs in
a transaction that is rolled back, so tests may change or delete what they like.
"""

import datetime
from pathlib import Path

import pytest
from django.core.management import call_command

STARTER = Path(__file__).resolve().parent.parent / "partnerships" / "data" / "starter"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_starter_data", verbosity=0)


@pytest.fixture
def starter_file():
    def path(name: str) -> Path:
        return STARTER / name

    return path


@pytest.fixture
def empty_registry(db):
    """The database without the starter data (regions and the 2020 appeal stay)."""
    from partnerships.models import Initiative, Municipality, Partnership, Signatory

    Signatory.objects.all().delete()
    Initiative.objects.all().delete()
    Partnership.objects.all().delete()
    Municipality.objects.all().delete()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Cached pages and region choices are keyed by the registry's generation, which a
    test's rollback resets: start every test with empty caches so nothing cached by another
    test is served (and the correction form's rate limit, which counts in the same cache,
    starts at zero)."""
    from django.core.cache import cache

    from partnerships.filters import _region_choices

    cache.clear()
    _region_choices.cache_clear()
    yield
    cache.clear()
    _region_choices.cache_clear()


@pytest.fixture
def page_cache(settings):
    """Public pages cached as in production (the test settings switch the cache off)."""
    settings.PAGE_CACHE_SECONDS = 300


@pytest.fixture
def upload_dir(tmp_path, settings):
    """Uploads waiting for an editor's confirmation go to a directory of the test's own."""
    settings.IMPORT_UPLOAD_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


# --- clients: the public and an editor ----------------------------------------------------
# ``admin_client`` (pytest-django) is the superuser's.


@pytest.fixture
def anonymous():
    """A visitor: errors answer as the public sees them (500 page) instead of raising."""
    from django.test import Client

    return Client(raise_request_exception=False)


@pytest.fixture
def editor(db, monkeypatch):
    """A member of the editors' group, made as production makes one (``create_editor``).

    Names and address are found nowhere else, so a test can look for them on public pages.
    """
    from django.contrib.auth.models import User

    monkeypatch.setenv("EDITOR_PASSWORD", EDITOR_PASSWORD)
    call_command("create_editor", "redakteurin-zitrone", email="zitrone.privat@example.org")
    user = User.objects.get(username="redakteurin-zitrone")
    user.first_name, user.last_name = "Zitrona", "Redaktionsgeheim"
    user.save()
    return user


EDITOR_PASSWORD = "a-long-Editor-passphrase-42"


@pytest.fixture
def editor_client(editor):
    from django.test import Client

    client = Client()
    client.force_login(editor)
    return client


# --- drafts ---------------------------------------------------------------------------------


@pytest.fixture
def secret_drafts(db):
    """Draft records of every kind, each with a name found nowhere else."""
    from partnerships.models import Appeal, Partnership
    from tests.factories import (
        AppealFactory,
        InitiativeFactory,
        MunicipalityFactory,
        PartnershipFactory,
        RussianMunicipalityFactory,
        SignatoryFactory,
    )

    draft_town = MunicipalityFactory(
        name="Zitronenfalterhausen",
        name_en="Brimstonebutterflyton",
        slug="zitronenfalterhausen",
        is_published=False,
    )
    public_town = MunicipalityFactory(name="Offenbachtal", slug="offenbachtal")
    public_russian = RussianMunicipalityFactory(
        name="Открытоград", name_de="Otkrytograd", slug="otkrytograd"
    )
    # A published partnership with a draft partner, and a draft partnership.
    hidden_by_partner = PartnershipFactory(
        german_partner=draft_town,
        russian_partner=public_russian,
        kind_wording="",
        notes="Geheimvermerk Eins",
    )
    draft_partnership = PartnershipFactory(
        german_partner=public_town,
        russian_partner=public_russian,
        kind_wording="Geheimwortlaut",
        is_published=False,
    )
    public_partnership = Partnership.objects.get(slug="aachen--kostroma")
    draft_initiative = InitiativeFactory(
        name="Geheimverein Zitronenfalter e.V.",
        seat=public_town,
        contact_email="geheimverein@example.org",
        slug="geheimverein",
        is_published=False,
    )
    draft_initiative.partnerships.add(public_partnership)
    draft_appeal = AppealFactory(
        title="Geheimer Aufruf Zitronenfalter",
        date=datetime.date(2019, 1, 1),
        publisher="Geheimherausgeber",
        slug="geheimer-aufruf",
        is_published=False,
    )
    SignatoryFactory(
        appeal=draft_appeal, person_name="Ulla Aufrufgeheim", organisation="Stadt Offenbachtal"
    )
    SignatoryFactory(
        appeal=Appeal.objects.get(slug="drf-solidarity-appeal-2020"),
        person_name="Dora Entwurfsunterschrift",
        organisation="Stadt Offenbachtal",
        is_published=False,
    )
    return {
        "draft_town": draft_town,
        "public_town": public_town,
        "public_russian": public_russian,
        "hidden_by_partner": hidden_by_partner,
        "draft_partnership": draft_partnership,
        "public_partnership": public_partnership,
        "draft_initiative": draft_initiative,
        "draft_appeal": draft_appeal,
    }
