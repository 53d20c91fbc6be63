"""The public never sees unpublished data: no draft, and no name a record had as a draft.

A draft answers 404, appears on no public page, list, search, export or feed, and is not
named by the published records that point to it (a partner, a seat, a signatory).
"""

from __future__ import annotations

import pytest

from partnerships.models import Appeal, Municipality, Suggestion
from partnerships.vocabulary import InitiativeKind, OrganisationKind
from tests.factories import InitiativeFactory, SignatoryFactory
from tests.public_pages import assert_nowhere_public, body, de

pytestmark = pytest.mark.django_db


DRAFT_SECRETS = [
    "Zitronenfalterhausen",
    "zitronenfalterhausen",
    "Brimstonebutterflyton",
    "Geheimvermerk",
    "Geheimwortlaut",
    "offenbachtal--otkrytograd",
    "Geheimverein",
    "geheimverein",
    "Geheimer Aufruf",
    "geheimer-aufruf",
    "Geheimherausgeber",
    "Dora Entwurfsunterschrift",
]
SEARCHES = ["Zitronenfalterhausen", "Brimstonebutterflyton", "Geheimverein", "Aufrufgeheim", "Dora"]


def test_a_draft_answers_404_to_the_public(anonymous, secret_drafts):
    for key in ["draft_town", "hidden_by_partner", "draft_partnership", "draft_initiative"]:
        url = de(secret_drafts[key])
        for prefix in ["", "/en", "/ru"]:
            assert anonymous.get(prefix + url).status_code == 404, prefix + url
            assert anonymous.get(prefix + url + "suggest/").status_code == 404, url
        response = anonymous.post(url + "suggest/", {"message": "Hallo"})
        assert response.status_code == 404
    assert anonymous.get(de(secret_drafts["draft_appeal"])).status_code == 404
    assert not Suggestion.objects.exists()


def test_a_published_partnership_with_a_draft_partner_answers_404(anonymous, secret_drafts):
    assert secret_drafts["hidden_by_partner"].is_published
    assert anonymous.get(de(secret_drafts["hidden_by_partner"])).status_code == 404


def test_staff_see_the_draft_with_a_banner(admin_client, secret_drafts):
    """The control experiment: the secret_drafts exist and render for editors."""
    response = admin_client.get(de(secret_drafts["draft_initiative"]))
    assert response.status_code == 200
    assert "Geheimverein" in body(response)


def test_drafts_appear_on_no_public_page(anonymous, secret_drafts):
    pages = [
        de(secret_drafts["public_town"]),
        de(secret_drafts["public_russian"]),
        de(secret_drafts["public_partnership"]),
        de(Municipality.objects.get(slug="aachen")),
        de(Appeal.objects.get(slug="drf-solidarity-appeal-2020")),
    ]
    assert_nowhere_public(anonymous, DRAFT_SECRETS, pages, SEARCHES)


def test_a_signatory_of_a_draft_appeal_is_not_in_the_recent_changes(anonymous, secret_drafts):
    """The signatory list hides signatures of a draft appeal; /changes/ must hide them too."""
    assert_nowhere_public(anonymous, ["Ulla Aufrufgeheim"], searches=["Aufrufgeheim"])


def test_a_draft_municipality_is_not_named_as_a_published_initiative_s_seat(
    anonymous, secret_drafts
):
    InitiativeFactory(
        name="Offener Freundeskreis",
        kind=InitiativeKind.ASSOCIATION,
        seat=secret_drafts["draft_town"],
        slug="offener-freundeskreis",
    )
    initiative_page = "/initiatives/offener-freundeskreis/"
    assert "Offener Freundeskreis" in body(anonymous.get(initiative_page))
    assert_nowhere_public(
        anonymous,
        ["Zitronenfalterhausen", "Brimstonebutterflyton"],
        [initiative_page],
        ["Zitronenfalterhausen", "Brimstonebutterflyton"],
    )


def test_a_draft_is_not_named_for_a_published_signatory(anonymous, secret_drafts):
    """A signature on behalf of a draft municipality or initiative must not name it."""
    appeal = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    SignatoryFactory(
        appeal=appeal, person_name="Paula Vertretend", municipality=secret_drafts["draft_town"]
    )
    SignatoryFactory(
        appeal=appeal,
        person_name="Quentin Vertretend",
        organisation_kind=OrganisationKind.INITIATIVE,
        initiative=secret_drafts["draft_initiative"],
    )
    assert "Paula Vertretend" in body(anonymous.get("/signatories/", {"q": "Vertretend"}))
    assert_nowhere_public(
        anonymous,
        ["Zitronenfalterhausen", "Brimstonebutterflyton", "Geheimverein", "geheimverein"],
        [de(appeal)],
        ["Zitronenfalterhausen", "Geheimverein"],
    )


def test_the_recent_changes_show_no_title_a_record_had_as_a_draft(anonymous, db):
    """An initiative drafted under a working title and published under another name."""
    initiative = InitiativeFactory(
        name="Arbeitstitel Vertraulich",
        kind=InitiativeKind.ASSOCIATION,
        seat_name="Köln",
        slug="arbeitstitel",
        is_published=False,
    )
    initiative.name = "Deutsch-Russischer Freundeskreis Köln-Neu"
    initiative.is_published = True
    initiative.save()
    changes = body(anonymous.get("/changes/"))
    assert "Deutsch-Russischer Freundeskreis Köln-Neu" in changes
    assert_nowhere_public(anonymous, ["Arbeitstitel Vertraulich"], searches=["Arbeitstitel"])
