"""Shared fixtures: the real starter data is loaded once per test session.

Every test that uses the database sees the 120 starter partnerships; each test runs in
a transaction that is rolled back, so tests may change or delete what they like.
"""

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
    test's rollback resets: start every test with empty caches so nothing cached by
    another test is served."""
    from django.core.cache import cache

    from partnerships.filters import _region_choices

    cache.clear()
    _region_choices.cache_clear()
    yield
    cache.clear()
    _region_choices.cache_clear()
