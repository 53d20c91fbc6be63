"""Recent changes name every record, an unnamed supporter of the appeal included."""

import pytest
from django.test import Client

from partnerships.models import Signatory

pytestmark = pytest.mark.django_db


def test_an_unnamed_supporter_is_listed_by_its_organisation():
    supporter = Signatory.objects.get(person_name="")
    assert supporter.organisation
    supporter.source_url = "https://example.org/unterstuetzung"
    supporter.save()  # the latest change
    page = Client().get("/changes/").content.decode()
    assert supporter.organisation in page
