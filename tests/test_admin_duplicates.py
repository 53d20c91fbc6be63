"""The admin's duplicate warning for a new municipality uses the importers' engine."""

import pytest
from django.urls import reverse

from partnerships.models import Municipality
from tests.editing import add_municipality

pytestmark = pytest.mark.django_db


def test_a_typo_of_a_known_town_is_asked_about_with_a_link(admin_client):
    response = add_municipality(admin_client, country="DE", name="Nuess", slug="nuess")
    assert response.status_code == 200
    neuss = Municipality.objects.get(name="Neuss")
    assert reverse("admin:partnerships_municipality_change", args=[neuss.pk]) in (
        response.content.decode()
    )
    assert not Municipality.objects.filter(slug="nuess").exists()


def test_a_town_of_the_other_country_is_not_a_duplicate(admin_client):
    # "Neuss" is German: a Russian municipality of a close name is not asked about.
    response = add_municipality(admin_client, country="RU", name="Нойсс", slug="noiss")
    assert response.status_code == 302
    assert Municipality.objects.filter(slug="noiss").exists()
