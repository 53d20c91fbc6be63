"""Editors' names and addresses, readers' addresses and initiatives' contacts stay private.

The history knows who changed what, but no public page says so; a correction's sender
is never shown; an initiative's contact address is on its own page only.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from partnerships.models import Municipality, Partnership, Suggestion
from partnerships.vocabulary import InitiativeKind, Status
from tests.editing import record_status_change
from tests.factories import InitiativeFactory
from tests.public_pages import admin_url, assert_nowhere_public, body, de

pytestmark = pytest.mark.django_db


def test_no_editor_name_or_address_is_public(editor_client, editor, anonymous):
    superuser = User.objects.create_superuser(
        "oberredakteur-geheim", "ober.geheim@example.org", "a-long-Super-passphrase-42"
    )
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    response = record_status_change(
        editor_client, [partnership], status=Status.SUSPENDED, date="2022-03-03"
    )
    assert response.status_code == 302
    entry = partnership.history.latest("history_date")
    assert entry.history_user == editor  # the history knows who
    superuser_client = Client()
    superuser_client.force_login(superuser)
    superuser_client.post(
        admin_url(Partnership, "changelist"),
        {"action": "mark_verified", "_selected_action": [partnership.pk]},
    )
    assert "Ratsbeschluss" in body(anonymous.get(de(partnership)))
    assert "Aachen" in body(anonymous.get("/changes/"))
    secrets = [
        editor.username,
        editor.email,
        editor.last_name,
        superuser.username,
        superuser.email,
        "admin@example.com",
    ]
    assert_nowhere_public(
        anonymous, secrets, [de(partnership), de(partnership) + "suggest/"], ["Aachen"]
    )


def test_a_suggestion_s_sender_is_never_public(anonymous):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    response = anonymous.post(
        de(partnership) + "suggest/",
        {
            "message": "Die Partnerschaft ruht seit 2022.",
            "sender_name": "Lena Leserin-Privat",
            "sender_email": "lena.leserin.privat@example.org",
        },
    )
    assert response.status_code == 303
    thanks = anonymous.get(response["Location"])
    assert thanks.status_code == 200
    assert Suggestion.objects.get().sender_email == "lena.leserin.privat@example.org"
    assert_nowhere_public(
        anonymous,
        ["lena.leserin.privat", "Lena Leserin-Privat", "Die Partnerschaft ruht seit 2022."],
        [response["Location"], de(partnership) + "suggest/"],
        ["Leserin", "Aachen"],
    )


def test_an_initiative_s_contact_address_is_only_on_its_own_page(anonymous, secret_drafts):
    aachen = Municipality.objects.get(slug="aachen")
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    initiative = InitiativeFactory(
        name="Freundeskreis Aachen-Kostroma Test e.V.",
        kind=InitiativeKind.ASSOCIATION,
        seat=aachen,
        contact_email="info@freundeskreis-kontakttest.example",
        slug="freundeskreis-kontakttest",
    )
    initiative.partnerships.add(partnership)
    page = body(anonymous.get(de(initiative)))
    assert 'href="mailto:info@freundeskreis-kontakttest.example"' in page
    elsewhere = [de(aachen), de(partnership), de(initiative) + "suggest/"]
    for url in elsewhere:
        assert "Freundeskreis Aachen-Kostroma Test" in body(anonymous.get(url)), url
    # A published initiative's role address: only on its page. A draft's: nowhere.
    assert_nowhere_public(
        anonymous,
        ["freundeskreis-kontakttest.example", "geheimverein@example.org"],
        elsewhere,
        ["Freundeskreis Aachen-Kostroma", "Aachen", "Geheimverein"],
    )
    assert anonymous.get(de(secret_drafts["draft_initiative"])).status_code == 404
