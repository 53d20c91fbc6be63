"""Corrections from the public: the "suggest a correction" form on every detail page.

Covers: an anonymous reader's suggestion is stored for the editors (status new, pointing to
the record) and changes nothing public; the honeypot discards bots silently; the rate limit
answers 429; drafts answer 404; invalid input answers 400; CSRF is enforced; the sender's
e-mail address stays with the editors; the admin lists suggestions and its actions set the
status with a history entry.
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import translation

from partnerships.models import Appeal, Initiative, Municipality, Partnership, Suggestion
from tests.factories import InitiativeFactory, MunicipalityFactory, PartnershipFactory

pytestmark = pytest.mark.django_db

MESSAGE = "Die Partnerschaft ruht seit dem Ratsbeschluss vom 3. März 2022 (Zitronenfalter-Test)."
EMAIL = "leserin.geheim@example.org"
NAME = "Erika Zitronenfalter"
PUBLIC_LISTS = [
    "/",
    "/about/",
    "/partnerships/",
    "/municipalities/",
    "/initiatives/",
    "/signatories/",
]
EXPORTS = [
    "/partnerships/export.csv",
    "/municipalities/export.csv",
    "/initiatives/export.csv",
    "/signatories/export.csv",
]
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def partnership():
    return Partnership.objects.get(slug="aachen--kostroma")


def records() -> dict[str, object]:
    return {
        "partnership": Partnership.objects.get(slug="aachen--kostroma"),
        "municipality": Municipality.objects.get(slug="aachen"),
        "initiative": Initiative.objects.published().order_by("pk").first(),
        "appeal": Appeal.objects.get(slug="drf-solidarity-appeal-2020"),
    }


def page_of(record) -> str:
    """The record's address without language prefix (requests leave a language active)."""
    with translation.override("de"):
        return record.get_absolute_url()


def suggest_url(record) -> str:
    return page_of(record) + "suggest/"


def post(client, record, prefix: str = "", headers=None, **data):
    payload = {"message": MESSAGE, "source_url": "", "sender_name": "", "sender_email": ""}
    payload.update(data)
    return client.post(prefix + suggest_url(record), payload, **(headers or {}))


def text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def without_csrf(content: str) -> str:
    """A page's HTML without its per-request CSRF token, so two renderings compare equal."""
    return CSRF_INPUT.sub("", content)


def everything_public(client, record) -> str:
    """The record's page and the public lists and exports, in all three languages."""
    pages = []
    for prefix in ["", "/ru", "/en"]:
        for url in [page_of(record), suggest_url(record), *PUBLIC_LISTS]:
            response = client.get(prefix + url)
            assert response.status_code == 200, f"{prefix}{url}"
            pages.append(text(response))
    pages.extend(text(client.get(url)) for url in EXPORTS)
    return "\n".join(pages)


# --- storing a suggestion -------------------------------------------------------------


def test_an_anonymous_suggestion_is_stored_for_the_editors(client, partnership):
    page = page_of(partnership)
    before = without_csrf(text(client.get(page)))
    version = partnership.version

    response = post(client, partnership, source_url="https://www.aachen.de/rat", sender_name=NAME)

    assert response.status_code == 303
    assert response["Location"] == page + "?suggested=1"
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Suggestion.Status.NEW
    assert suggestion.record == partnership
    assert suggestion.content_type == ContentType.objects.get_for_model(Partnership)
    assert suggestion.object_id == partnership.pk
    assert suggestion.page_url == page
    assert suggestion.message == MESSAGE
    assert suggestion.source_url == "https://www.aachen.de/rat"
    assert suggestion.sender_name == NAME
    assert suggestion.history.count() == 1

    # Nothing public changes: the record, its page, the lists and exports.
    partnership.refresh_from_db()
    assert partnership.version == version
    assert without_csrf(text(client.get(page))) == before
    public = everything_public(client, partnership)
    assert "Zitronenfalter" not in public
    assert "aachen.de/rat" not in public


def test_the_detail_page_thanks_the_sender(client, partnership):
    response = post(client, partnership, prefix="/en", sender_email=EMAIL)
    assert response["Location"] == "/en" + page_of(partnership) + "?suggested=1"
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "Thank you! Your suggestion has been sent to the editors." in text(thanks)
    assert 'role="status"' in text(thanks)
    assert "Zitronenfalter" not in text(thanks)
    assert "Thank you!" not in text(client.get("/en" + page_of(partnership)))


@pytest.mark.parametrize("kind", ["partnership", "municipality", "initiative", "appeal"])
def test_every_kind_of_record_takes_suggestions(client, kind):
    record = records()[kind]
    response = post(client, record)
    assert response.status_code == 303
    assert response["Location"] == page_of(record) + "?suggested=1"
    suggestion = Suggestion.objects.get()
    assert suggestion.record == record
    assert suggestion.page_url == page_of(record)


def test_the_public_cannot_set_the_status_or_the_page(client, partnership):
    post(client, partnership, status="accepted", page_url="/evil/", editor_note="ok", object_id=1)
    suggestion = Suggestion.objects.get()
    assert suggestion.status == Suggestion.Status.NEW
    assert suggestion.page_url == page_of(partnership)
    assert suggestion.editor_note == ""
    assert suggestion.record == partnership


def test_the_form_has_its_own_page(client, partnership):
    response = client.get("/en" + suggest_url(partnership))
    assert response.status_code == 200
    content = text(response)
    assert "<h1>Suggest a correction</h1>" in content
    assert f'action="/en{suggest_url(partnership)}"' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_other_methods_are_not_allowed(client, partnership):
    assert client.head(suggest_url(partnership)).status_code == 200
    assert client.put(suggest_url(partnership)).status_code == 405
    assert client.delete(suggest_url(partnership)).status_code == 405


# --- spam protection --------------------------------------------------------------------


def test_a_filled_honeypot_is_discarded_but_looks_like_success(client, partnership):
    genuine = post(client, partnership)
    Suggestion.objects.all().delete()

    bot = post(client, partnership, website="https://cheap-pills.example")

    assert bot.status_code == genuine.status_code == 303
    assert bot["Location"] == genuine["Location"]
    assert not Suggestion.objects.exists()


def test_a_bot_is_not_told_about_invalid_fields_either(client, partnership):
    response = post(client, partnership, message="", website="spam")
    assert response.status_code == 303
    assert not Suggestion.objects.exists()


def test_the_honeypot_is_hidden_from_people(client, partnership):
    content = text(client.get(page_of(partnership)))
    match = re.search(r'<div class="hp"[^>]*>.*?</div>', content, re.DOTALL)
    assert match, "the form has no honeypot"
    honeypot = match.group(0)
    assert 'aria-hidden="true"' in honeypot
    field = re.search(r"<input[^>]*>", honeypot).group(0)
    assert 'name="website"' in field
    assert 'tabindex="-1"' in field
    assert 'autocomplete="off"' in field


def test_the_sixth_post_within_the_window_answers_429(client, partnership):
    for number in range(5):
        response = post(client, partnership, message=f"Korrektur Nummer {number}")
        assert response.status_code == 303, number
    assert Suggestion.objects.count() == 5

    response = post(client, partnership, prefix="/en", message="Korrektur Nummer 6")

    assert response.status_code == 429
    assert "Too many suggestions have been sent from your connection" in text(response)
    assert int(response["Retry-After"]) > 0
    assert Suggestion.objects.count() == 5
    # Reading is not limited; another address may still send.
    assert client.get(page_of(partnership)).status_code == 200
    assert client.get(suggest_url(partnership)).status_code == 200
    other = post(client, partnership, headers={"REMOTE_ADDR": "203.0.113.9"})
    assert other.status_code == 303
    assert Suggestion.objects.count() == 6


def test_the_rate_limit_counts_every_post_of_one_address(client, partnership):
    """Bots and invalid posts count too: the limit is per address, whatever is posted."""
    for _ in range(3):
        post(client, partnership, website="spam")
    for _ in range(2):
        assert post(client, partnership, message="").status_code == 400
    assert post(client, partnership).status_code == 429
    assert not Suggestion.objects.exists()


def test_the_429_page_is_translated(client, partnership):
    for _ in range(5):
        post(client, partnership)
    german = post(client, partnership)
    russian = post(client, partnership, prefix="/ru")
    assert german.status_code == russian.status_code == 429
    assert "Too many suggestions" not in text(german)
    assert "Too many suggestions" not in text(russian)
    assert '<html lang="ru">' in text(russian)


# --- drafts and bad input ---------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: PartnershipFactory(is_published=False),
        lambda: MunicipalityFactory(slug="geheimstadt", is_published=False),
        lambda: InitiativeFactory(slug="verborgen", is_published=False),
    ],
    ids=["partnership", "municipality", "initiative"],
)
def test_a_draft_records_suggest_url_answers_404(client, admin_client, make):
    draft = make()
    assert client.get(suggest_url(draft)).status_code == 404
    assert post(client, draft).status_code == 404
    assert admin_client.get(suggest_url(draft)).status_code == 404
    assert not Suggestion.objects.exists()
    # Staff previewing the draft see no form that would lead to a 404.
    assert "suggest/" not in text(admin_client.get(page_of(draft)))


def test_a_draft_appeal_and_unknown_slugs_answer_404(client):
    appeal = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    Appeal.objects.filter(pk=appeal.pk).update(is_published=False)
    assert post(client, appeal).status_code == 404
    assert client.post("/partnerships/no-such-thing/suggest/", {"message": "x"}).status_code == 404
    assert client.post("/municipalities/export.csv/suggest/", {"message": "x"}).status_code == 404
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "error"),
    [
        ({"message": ""}, "message", "This field is required."),
        ({"message": "   "}, "message", "This field is required."),
        ({"message": "x" * 10_000}, "message", "at most 4000 characters"),
        ({"source_url": "not a url at all"}, "source_url", "Enter a valid URL."),
        ({"source_url": "javascript:alert(1)"}, "source_url", "Enter a valid URL."),
        ({"sender_email": "nobody-at-example"}, "sender_email", "Enter a valid email address."),
        ({"sender_name": "n" * 201}, "sender_name", "at most 200 characters"),
        ({"message": "NUL\x00byte"}, "message", "Null characters are not allowed."),
    ],
    ids=["empty", "blank", "10kB", "bad-url", "js-url", "bad-email", "long-name", "nul"],
)
def test_invalid_input_answers_400_with_the_error(client, partnership, data, field, error):
    response = post(client, partnership, prefix="/en", **data)
    assert response.status_code == 400
    content = text(response)
    assert error in content
    assert "The suggestion was not sent." in content
    assert response.context["suggestion_form"].errors[field]
    assert 'aria-invalid="true"' in content
    assert "<footer" in content  # the site's own page, extending base.html
    assert not Suggestion.objects.exists()


def test_the_invalid_form_keeps_what_was_typed(client, partnership):
    response = post(client, partnership, source_url="kaputt", sender_name=NAME)
    assert response.status_code == 400
    content = text(response)
    assert MESSAGE in content
    assert f'value="{NAME}"' in content


def test_a_source_without_scheme_means_https(client, partnership):
    post(client, partnership, source_url="www.aachen.de/rat")
    assert Suggestion.objects.get().source_url == "https://www.aachen.de/rat"


def test_a_post_without_csrf_token_is_refused(partnership):
    client = Client(enforce_csrf_checks=True)
    response = post(client, partnership)
    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_a_post_with_the_pages_csrf_token_is_accepted(partnership):
    client = Client(enforce_csrf_checks=True)
    page = text(client.get(page_of(partnership)))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = post(client, partnership, csrfmiddlewaretoken=token)
    assert response.status_code == 303
    assert Suggestion.objects.count() == 1


# --- privacy and the editors' side ------------------------------------------------------


def test_the_senders_email_never_appears_on_public_pages(client, partnership):
    assert post(client, partnership, sender_email=EMAIL, sender_name=NAME).status_code == 303
    assert Suggestion.objects.get().sender_email == EMAIL
    public = everything_public(client, partnership)
    assert EMAIL not in public
    assert "leserin.geheim" not in public
    assert NAME not in public
    thanks = text(client.get(page_of(partnership) + "?suggested=1"))
    assert EMAIL not in thanks


def test_the_admin_lists_suggestions_with_the_sender(admin_client, client, partnership):
    post(client, partnership, sender_email=EMAIL, sender_name=NAME)
    changelist = reverse("admin:partnerships_suggestion_changelist")
    content = text(admin_client.get(changelist))
    assert EMAIL in content
    assert NAME in content
    assert page_of(partnership) in content
    assert "Ratsbeschluss" in content  # the message's excerpt

    def count(**params) -> int:
        return admin_client.get(changelist, params).context["cl"].result_count

    assert count(status__exact="new") == 1
    assert count(status__exact="accepted") == 0
    assert count(q="Ratsbeschluss") == 1
    assert count(q="nichts-dergleichen") == 0

    suggestion = Suggestion.objects.get()
    change = text(
        admin_client.get(reverse("admin:partnerships_suggestion_change", args=[suggestion.pk]))
    )
    record_admin = reverse("admin:partnerships_partnership_change", args=[partnership.pk])
    assert record_admin in change
    assert EMAIL in change


def test_the_accept_and_reject_actions_set_the_status_with_history(admin_client, client):
    partnership = records()["partnership"]
    version = partnership.version
    post(client, partnership)
    post(client, records()["municipality"])
    first, second = Suggestion.objects.order_by("pk")
    changelist = reverse("admin:partnerships_suggestion_changelist")

    response = admin_client.post(
        changelist, {"action": "mark_accepted", "_selected_action": [first.pk]}, follow=True
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == Suggestion.Status.ACCEPTED
    assert second.status == Suggestion.Status.NEW
    latest = first.history.first()
    assert latest.status == "accepted"
    assert latest.history_user is not None
    assert first.history.count() == 2

    admin_client.post(changelist, {"action": "mark_rejected", "_selected_action": [second.pk]})
    second.refresh_from_db()
    assert second.status == Suggestion.Status.REJECTED
    # Accepting a suggestion does not change the record: editors correct it themselves.
    partnership.refresh_from_db()
    assert partnership.version == version


def test_editors_cannot_add_suggestions_in_the_admin(admin_client):
    response = admin_client.get(reverse("admin:partnerships_suggestion_add"))
    assert response.status_code == 403


# --- the form on every detail page ------------------------------------------------------


@pytest.mark.parametrize("kind", ["partnership", "municipality", "initiative", "appeal"])
def test_every_public_detail_page_contains_the_suggest_form(client, kind):
    record = records()[kind]
    content = text(client.get("/en" + page_of(record)))
    form = re.search(r"<details>.*?</details>", content, re.DOTALL)
    assert form, "no <details> element with the form"
    form = form.group(0)
    assert "<summary>Suggest a correction</summary>" in form
    assert f'<form method="post" action="/en{suggest_url(record)}">' in form
    assert 'name="csrfmiddlewaretoken"' in form
    for name in ["message", "source_url", "sender_name", "sender_email", "website"]:
        field = re.search(rf'<(?:input|textarea)[^>]*name="{name}"[^>]*>', form)
        assert field, f"no field {name}"
        field_id = re.search(r'id="([^"]+)"', field.group(0)).group(1)
        assert f'<label for="{field_id}">' in form, f"{name} has no label"
    assert f'href="/en{suggest_url(record)}"' in form  # and its own page
