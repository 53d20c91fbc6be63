"""Every form refuses a POST without a valid CSRF token (and accepts one with it)."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from partnerships.models import Municipality, Partnership, Suggestion
from tests.public_pages import admin_url, csrf_token, de

pytestmark = pytest.mark.django_db


def guarded_posts(partnership) -> list[tuple[str, str, dict, bool]]:
    """(what, address, data, needs login) of every form an attacker would like to submit."""
    csv_file = SimpleUploadedFile(
        "partnerships.csv", b"german_name,german_state\nK\xc3\xb6ln,NW\n", "text/csv"
    )
    return [
        ("suggestion", de(partnership) + "suggest/", {"message": "Tippfehler im Namen"}, False),
        ("admin login", reverse("admin:login"), {"username": "admin", "password": "x"}, False),
        (
            "admin change form",
            admin_url(Partnership, "change", partnership.pk),
            {"kind_wording": "gefälscht", "notes": "gefälscht"},
            True,
        ),
        ("admin add form", admin_url(Municipality, "add"), {"name": "Gefälscht"}, True),
        ("admin import upload", admin_url(Partnership, "import"), {"file": csv_file}, True),
        (
            "admin action",
            admin_url(Partnership, "changelist"),
            {"action": "publish", "_selected_action": [partnership.pk]},
            True,
        ),
        ("admin logout", reverse("admin:logout"), {}, True),
    ]


def test_the_import_page_a_forged_upload_would_target_exists(admin_client):
    assert admin_client.get(admin_url(Partnership, "import")).status_code == 200


def test_every_form_refuses_a_post_without_a_csrf_token(admin_user):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    version = partnership.version
    for what, url, data, needs_login in guarded_posts(partnership):
        client = Client(enforce_csrf_checks=True)
        if needs_login:
            client.force_login(admin_user)
        response = client.post(url, data)
        assert response.status_code == 403, (what, "no cookie", response.status_code)
        # With the CSRF cookie a browser has (from any form page) but no token or a wrong one.
        csrf_token(client, de(partnership) + "suggest/")
        assert django_settings.CSRF_COOKIE_NAME in client.cookies
        response = client.post(url, data)
        assert response.status_code == 403, (what, "no token", response.status_code)
        response = client.post(url, {**data, "csrfmiddlewaretoken": "x" * 64})
        assert response.status_code == 403, (what, "wrong token", response.status_code)
    partnership.refresh_from_db()
    assert partnership.version == version
    assert not Suggestion.objects.exists()
    assert not Municipality.objects.filter(name="Gefälscht").exists()


def test_the_same_forms_accept_a_post_with_the_token(admin_user):
    """The control experiment: the 403s above are CSRF, not something else."""
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    client = Client(enforce_csrf_checks=True)
    page = de(partnership) + "suggest/"
    token = csrf_token(client, page)
    response = client.post(page, {"message": "Tippfehler im Namen", "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    login = reverse("admin:login")
    token = csrf_token(client, login)
    response = client.post(
        login,
        {"username": admin_user.username, "password": "password", "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    change = admin_url(Partnership, "change", partnership.pk)
    token = csrf_token(client, change)
    response = client.post(change, {"csrfmiddlewaretoken": token})
    assert response.status_code == 200  # the form with its errors, not a CSRF refusal
