"""Attacked in tests: the registry under hostile data and hostile requests.

1. Script and HTML stored in every public text field come out escaped on every public page,
   in the Atom feed and in the admin (and the escaped form is there, so the data was shown).
2. The CSV exports neutralise cells that a spreadsheet would read as a formula.
3. Every form refuses a POST without a CSRF token.
4. The public reaches no draft, no admin page and no editor data.
5. Editors cannot delete anything.
6. Contact addresses appear only where they are meant to.
7. No query string makes a public page fail (Hypothesis).
8. Oversized or malformed posts to the correction form answer 400 or 413, never 500.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from urllib.parse import quote
from xml.sax.saxutils import escape as xml_escape

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerships.models import (
    AlternativeName,
    Appeal,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    Region,
    Signatory,
    StatusEvent,
    Suggestion,
)
from partnerships.vocabulary import Country, InitiativeKind, OrganisationKind, Status

pytestmark = pytest.mark.django_db

# --- payloads ---------------------------------------------------------------------------------

# Every classic in one string: a script, an attribute break-out, a <title> break-out and a
# template expression that must stay text.
ATTACK = (
    '<script>alert(1)</script>"><img src=x onerror=alert(1)></title><svg onload=alert(1)>{{ 7*7 }}'
)
# What must never reach a page unescaped.
RAW = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>"]
JS_LINK = re.compile(
    r"""(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:""", re.I
)
JS_URL = "javascript:alert(1)"
# URL fields hold addresses that try to break out of the href attribute.
BREAKOUT_URL = 'https://example.org/"><img src=x onerror=alert(1)>'


def payload(marker: str) -> str:
    """The attack followed by a marker naming the field (short: searches allow 100 chars)."""
    return f"{ATTACK} {marker}"


def assert_no_raw_payload(text: str, where: str) -> None:
    for fragment in RAW:
        assert fragment not in text, f"{where}: unescaped {fragment!r}"
    match = JS_LINK.search(text)
    assert match is None, f"{where}: clickable javascript: link {match.group(0)!r}"


def assert_shown_escaped(text: str, markers, where: str, *, xml: bool = False) -> None:
    """The field's payload is on the page, escaped (the data was rendered, and safely)."""
    for marker in markers:
        value = payload(marker)
        forms = {escape(value), xml_escape(value)} if xml else {escape(value)}
        assert any(form in text for form in forms), f"{where}: {marker} not shown (escaped)"


def de(record) -> str:
    """A record's address without a language prefix."""
    with translation.override("de"):
        return record.get_absolute_url()


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    """The correction form's rate limit counts in the cache: start and leave it empty."""
    caches["default"].clear()
    yield
    caches["default"].clear()


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


# --- 1. stored script and HTML ---------------------------------------------------------------


@pytest.fixture
def evil(db):
    """One published record of every kind whose every text field carries the attack."""
    german = Municipality.objects.create(
        country=Country.GERMANY,
        region=Region.objects.get(code="DE-NW"),
        name=payload("Mname"),
        name_de=payload("Mde"),
        name_en=payload("Men"),
        name_ru=payload("Mru"),
        notes=f"{payload('Mnotes')}\n{JS_URL}",
        sources=f"{payload('Msources')}\n{JS_URL}",
        website=BREAKOUT_URL,
        slug="evil-de",
    )
    AlternativeName.objects.create(
        municipality=german, name=payload("Alt"), kind=AlternativeName.Kind.HISTORIC
    )
    russian = Municipality.objects.create(
        country=Country.RUSSIA,
        region=Region.objects.get(code="RU-KGD"),
        name=payload("Rname"),
        name_de=payload("Rde"),
        name_en=payload("Ren"),
        name_ru=payload("Rru"),
        notes=payload("Rnotes"),
        slug="evil-ru",
    )
    partnership = Partnership.objects.create(
        german_partner=german,
        russian_partner=russian,
        kind_wording=payload("Pwording"),
        notes=f"{payload('Pnotes')}\n{JS_URL}",
    )
    PartnershipSource.objects.create(
        partnership=partnership, url=BREAKOUT_URL, citation=payload("Citation")
    )
    StatusEvent.objects.create(
        partnership=partnership,
        status=Status.SUSPENDED,
        date=datetime.date(2022, 3, 1),
        note=payload("Event"),
        source_url=BREAKOUT_URL,
    )
    initiative = Initiative.objects.create(
        name=payload("Iname"),
        kind=InitiativeKind.ASSOCIATION,
        seat_name=payload("Iseat"),
        description=f"{payload('Idescription')}\n{JS_URL}",
        sources=f"{payload('Isources')}\n{JS_URL}\n{BREAKOUT_URL}",
        contact_email='evil"><img src=x onerror=alert(1)>@example.org',
        website=BREAKOUT_URL,
        slug="evil-initiative",
    )
    initiative.partnerships.add(partnership)
    seated = Initiative.objects.create(
        name=payload("I2name"), kind=InitiativeKind.SCHOOL, seat=german, slug="evil-school"
    )
    appeal = Appeal.objects.create(
        title=payload("Atitle"),
        date=datetime.date(1990, 1, 1),  # the oldest appeal: the home page shows it
        publisher=payload("Apublisher"),
        summary=f"{payload('Asummary')}\n{JS_URL}",
        full_text=f"{payload('Afull')}\n\n{JS_URL}",
        url=BREAKOUT_URL,
        slug="evil-appeal",
    )
    signatory = Signatory.objects.create(
        appeal=appeal,
        person_name=payload("Sname"),
        role=payload("Srole"),
        organisation=payload("Sorg"),
        organisation_kind=OrganisationKind.MUNICIPALITY,
        municipality=german,
        source_url=BREAKOUT_URL,
    )
    suggestion = Suggestion.objects.create(
        record=partnership,
        page_url=de(partnership),
        message=payload("Sugmessage"),
        sender_name=payload("Sugname"),
        sender_email="hostile.reader@example.org",
        source_url=BREAKOUT_URL,
    )
    return {
        "german": german,
        "russian": russian,
        "partnership": partnership,
        "initiative": initiative,
        "seated": seated,
        "appeal": appeal,
        "signatory": signatory,
        "suggestion": suggestion,
    }


def test_the_searched_payloads_fit_the_search_box():
    assert all(len(payload(marker)) <= 100 for marker, _shown in LIST_SEARCH.values())


def public_detail_pages(evil) -> dict[str, list[str]]:
    """Each detail page (and its correction form) with the fields it must show."""
    pages = {
        de(evil["german"]): [
            # The provenance notes (Msources) are for editors only: the admin shows them.
            *["Mname", "Mde", "Men", "Mru", "Alt", "Mnotes"],
            *["Rde", "I2name"],
        ],
        de(evil["russian"]): ["Rname", "Rde", "Ren", "Rru", "Rnotes", "Mde"],
        de(evil["partnership"]): [
            *["Mde", "Rde", "Mname", "Rname", "Pwording", "Pnotes"],
            *["Event", "Citation", "Iname"],
        ],
        de(evil["initiative"]): ["Iname", "Iseat", "Idescription", "Isources", "Mde", "Rde"],
        de(evil["seated"]): ["I2name", "Mde"],
        de(evil["appeal"]): [
            *["Atitle", "Apublisher", "Asummary", "Afull"],
            *["Sname", "Srole", "Sorg"],
        ],
    }
    suggest = {
        de(evil["partnership"]) + "suggest/": ["Mde", "Rde"],
        de(evil["german"]) + "suggest/": ["Mde"],
        de(evil["initiative"]) + "suggest/": ["Iname"],
        de(evil["appeal"]) + "suggest/": ["Atitle"],
    }
    other_languages = {
        "/en" + de(evil["german"]): ["Men", "Mname"],
        "/ru" + de(evil["german"]): ["Mru", "Mname"],
        "/en" + de(evil["partnership"]): ["Men", "Ren"],
        "/ru" + de(evil["partnership"]): ["Mru", "Rru"],
    }
    return {**pages, **suggest, **other_languages}


LIST_MARKERS = {
    "/partnerships/": ["Mde", "Rde"],
    "/municipalities/": ["Mde", "Mname", "Rde", "Rname"],
    "/initiatives/": ["Iname", "Iseat", "I2name", "Mde"],
    "/signatories/": ["Sname", "Srole", "Sorg"],
}
# What to type into each list's search box to find a hostile record, and what it then shows.
LIST_SEARCH = {
    "/partnerships/": ("Mde", ["Mde", "Rde"]),
    "/municipalities/": ("Mde", ["Mde", "Mname"]),
    "/initiatives/": ("Iname", ["Iname", "Iseat"]),
    "/signatories/": ("Sname", ["Sname", "Srole", "Sorg"]),
}


def every_list_page(client, url, params=None):
    """The list's pages, 100 rows each, as (address, html)."""
    params = {**(params or {}), "per_page": 100}
    number = 1
    while True:
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200, (url, params, response.status_code)
        yield f"{url}?page={number}", body(response)
        if number >= response.context["paginator"].num_pages:
            return
        number += 1


def test_stored_payloads_are_escaped_on_every_detail_page(anonymous, evil):
    for url, markers in public_detail_pages(evil).items():
        response = anonymous.get(url)
        assert response.status_code == 200, url
        html = body(response)
        assert_no_raw_payload(html, url)
        assert_shown_escaped(html, markers, url)
        assert "{{ 7*7 }}" in html, f"{url}: the template expression was evaluated"


@pytest.mark.parametrize("url", list(LIST_MARKERS))
def test_stored_payloads_are_escaped_in_every_list(anonymous, evil, url):
    pages = dict(every_list_page(anonymous, url))
    for address, html in pages.items():
        assert_no_raw_payload(html, address)
    assert_shown_escaped("".join(pages.values()), LIST_MARKERS[url], url)


@pytest.mark.parametrize("url", list(LIST_SEARCH))
def test_stored_payloads_are_escaped_when_searched_for(anonymous, evil, url):
    """Searching for the payload itself: the results and the echoed search box are safe."""
    marker, shown = LIST_SEARCH[url]
    query = payload(marker)
    response = anonymous.get(url, {"q": query})
    assert response.status_code == 200
    html = body(response)
    assert_no_raw_payload(html, f"{url}?q=")
    assert_shown_escaped(html, shown, f"{url}?q=")
    assert f'value="{escape(query)}"' in html  # the search box echoes the query, escaped


def test_stored_payloads_are_escaped_on_the_home_page(anonymous, evil):
    html = body(anonymous.get("/"))
    assert_no_raw_payload(html, "/")
    assert_shown_escaped(html, ["Mde", "Rde", "Atitle"], "/")


def test_stored_payloads_are_escaped_in_the_recent_changes_and_the_feed(anonymous, evil):
    html = body(anonymous.get("/changes/"))
    assert_no_raw_payload(html, "/changes/")
    assert_shown_escaped(html, ["Mde", "Rde", "Iname", "I2name", "Sname"], "/changes/")
    response = anonymous.get("/changes/feed.atom")
    assert response.status_code == 200
    feed = body(response)
    assert_no_raw_payload(feed, "feed")
    assert_shown_escaped(feed, ["Mde", "Iname", "Sname"], "feed", xml=True)


EXPORT_MARKERS = {
    "/partnerships/export.csv": ["Mname", "Rname", "Rde", "Pwording"],
    "/municipalities/export.csv": ["Mname", "Mde", "Men", "Mru"],
    "/initiatives/export.csv": ["Iname", "Iseat", "Isources"],
    "/signatories/export.csv": ["Atitle", "Sname", "Srole", "Sorg"],
}


@pytest.mark.parametrize("url", list(EXPORT_MARKERS))
def test_stored_payloads_in_an_export_are_plain_text_never_html(anonymous, evil, url):
    """A CSV is no HTML: the text stays as stored, but the browser must never render it."""
    response = anonymous.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    cells = {cell for row in csv.reader(io.StringIO(body(response))) for cell in row}
    for marker in EXPORT_MARKERS[url]:
        assert any(payload(marker) in cell for cell in cells), marker


def test_a_javascript_address_is_refused_by_every_url_field():
    """The URL fields are the only ones rendered as links: validation refuses javascript:."""
    fields = [
        (Municipality, "website"),
        (Initiative, "website"),
        (Appeal, "url"),
        (Signatory, "source_url"),
        (PartnershipSource, "url"),
        (StatusEvent, "source_url"),
        (Suggestion, "source_url"),
    ]
    for model, name in fields:
        field = model._meta.get_field(name)
        for value in [JS_URL, " JavaScript:alert(1)", "data:text/html,<script>alert(1)</script>"]:
            with pytest.raises(ValidationError):
                field.clean(value, None)
            # The admin's and the public form's field (an address without scheme = https).
            with pytest.raises(ValidationError):
                field.formfield(assume_scheme="https").clean(value)


def test_javascript_in_a_text_field_never_becomes_a_link(anonymous, evil):
    """Notes, descriptions and an initiative's source lines are text, not addresses."""
    for url in [de(evil["german"]), de(evil["partnership"]), de(evil["initiative"])]:
        html = body(anonymous.get(url))
        assert JS_URL in html  # shown as text
        assert_no_raw_payload(html, url)


def admin_url(model, view, *args):
    return reverse(f"admin:partnerships_{model._meta.model_name}_{view}", args=args)


def admin_pages(evil) -> dict[str, list[str]]:
    """Admin changelists, searches, change and history pages with the fields they show."""
    g, p, i, a, s = (
        evil[k] for k in ["german", "partnership", "initiative", "appeal", "signatory"]
    )
    alternative = g.alternative_names.get()
    source = p.sources.get()
    event = p.status_events.get()
    suggestion = evil["suggestion"]
    return {
        admin_url(Municipality, "changelist"): ["Mname", "Mde", "Men"],
        admin_url(Municipality, "change", g.pk): [
            *["Mname", "Mde", "Men", "Mru", "Mnotes", "Msources", "Alt"],
        ],
        admin_url(Municipality, "history", g.pk): ["Mde"],
        admin_url(AlternativeName, "changelist"): ["Alt"],
        admin_url(AlternativeName, "change", alternative.pk): ["Alt"],
        admin_url(Partnership, "changelist"): ["Mde", "Rde"],
        admin_url(Partnership, "change", p.pk): ["Pwording", "Pnotes", "Event", "Citation"],
        admin_url(Partnership, "history", p.pk): ["Mde", "Rde"],
        admin_url(PartnershipSource, "changelist") + "?q=Citation": ["Citation"],
        admin_url(PartnershipSource, "change", source.pk): ["Citation"],
        admin_url(StatusEvent, "changelist") + "?q=Mname": ["Mde"],
        admin_url(StatusEvent, "change", event.pk): ["Event"],
        admin_url(Initiative, "changelist"): ["Iname", "Iseat", "I2name"],
        admin_url(Initiative, "change", i.pk): ["Iname", "Iseat", "Idescription", "Isources"],
        admin_url(Appeal, "changelist"): ["Atitle", "Apublisher"],
        admin_url(Appeal, "change", a.pk): [
            *["Atitle", "Apublisher", "Asummary", "Afull", "Sname", "Srole", "Sorg"],
        ],
        admin_url(Signatory, "changelist"): ["Sname", "Srole", "Sorg"],
        admin_url(Signatory, "change", s.pk): ["Sname", "Srole", "Sorg"],
        admin_url(Suggestion, "changelist"): ["Sugname"],
        admin_url(Suggestion, "change", suggestion.pk): ["Sugmessage", "Sugname"],
    }


def test_stored_payloads_are_escaped_in_the_admin(admin_client, evil):
    for url, markers in admin_pages(evil).items():
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = body(response)
        assert_no_raw_payload(html, url)
        assert_shown_escaped(html, markers, url)
    # The suggestion list shows the start of the message.
    html = body(admin_client.get(admin_url(Suggestion, "changelist")))
    assert escape(payload("Sugmessage")[:60]) in html


@pytest.mark.parametrize(
    "model", [Municipality, Partnership, Initiative, Appeal, Signatory, Suggestion]
)
def test_an_admin_search_for_a_payload_is_escaped(admin_client, evil, model):
    response = admin_client.get(admin_url(model, "changelist"), {"q": ATTACK})
    assert response.status_code == 200
    html = body(response)
    assert_no_raw_payload(html, f"{model.__name__} search")
    assert escape(ATTACK) in html  # echoed in the search box and the result count


# --- 1. reflected script and HTML ------------------------------------------------------------

REFLECTED_PARAMS = ["q", "sort", "page", "per_page", "status", "country", "sep", "suggested"]


@pytest.mark.parametrize("url", list(LIST_MARKERS))
def test_a_reflected_parameter_is_escaped(anonymous, url):
    for name in REFLECTED_PARAMS:
        response = anonymous.get(url, {name: ATTACK, "utm": ATTACK})
        assert response.status_code in {200, 400}, (url, name)
        html = body(response)
        assert_no_raw_payload(html, f"{url}?{name}=")
        if name in {"q", "sort"}:  # the search box and the error message repeat the value
            assert escape(ATTACK) in html, (url, name)


def test_a_raw_query_string_and_path_are_escaped(anonymous, evil):
    raw = 'q="><img src=x onerror=alert(1)>&sort=<script>alert(1)</script>&x=</title><svg onload=alert(1)>'
    for url in ["/", "/changes/", "/about/", "/municipalities/", de(evil["german"])]:
        response = anonymous.get(url, QUERY_STRING=raw)
        assert response.status_code in {200, 400}
        assert_no_raw_payload(body(response), url)
    for path in ["/<script>alert(1)</script>/", "/municipalities/x<svg onload=alert(1)>/"]:
        response = anonymous.get(path)
        assert response.status_code == 404
        assert_no_raw_payload(body(response), path)


# --- 1. links and redirects to other sites ---------------------------------------------------

OFF_SITE = re.compile(r"""(?:href|action)\s*=\s*["']?\s*(?://|/\\|https?:)""", re.I)


@pytest.mark.parametrize(
    "path",
    ["//evil.example/", "//evil.example/en/partnerships/"],
)
def test_the_language_switch_never_links_to_another_site(anonymous, path):
    """A path starting with // must not turn the language links into //evil.example/... ."""
    response = anonymous.get("/", PATH_INFO=path)
    assert response.status_code == 404
    html = body(response)
    off_site = [href for href in re.findall(r'href="([^"]*)"', html) if "evil.example" in href]
    assert off_site == [], path
    assert not OFF_SITE.search(html), path


def test_no_redirect_leads_to_another_site(anonymous, admin_user):
    for data in [{"language": "en", "next": "//evil.example/"}, {"language": "en"}]:
        response = anonymous.post("/i18n/setlang/", data, HTTP_REFERER="https://evil.example/x")
        assert response.status_code == 302
        assert "evil.example" not in response["Location"]
    login = reverse("admin:login")
    for target in ["//evil.example/", "https://evil.example/", "/\\evil.example/"]:
        client = Client()
        response = client.post(
            f"{login}?next={quote(target)}",
            {"username": admin_user.username, "password": "password", "next": target},
        )
        assert response.status_code == 302
        assert "evil.example" not in response["Location"], target


def test_a_forged_host_header_is_refused(anonymous):
    """Permalinks and export addresses are built from the Host header: only allowed hosts."""
    for url in ["/partnerships/aachen--kostroma/", "/partnerships/export.csv"]:
        assert anonymous.get(url, HTTP_HOST="evil.example").status_code == 400


# --- 2. formulas in the CSV exports ----------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
FORMULAS = [
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=cmd|' /C calc'!A0",
    "\r=cmd|' /C calc'!A0",
]


@pytest.fixture
def formulas(db):
    """Published records whose exported text cells start like a formula."""
    records = []
    for index, formula in enumerate(FORMULAS):
        german = Municipality.objects.create(
            country=Country.GERMANY,
            region=Region.objects.get(code="DE-BY"),
            name=formula,
            name_de=formula,
            name_en=formula,
            name_ru=formula,
            slug=f"formula-de-{index}",
        )
        russian = Municipality.objects.create(
            country=Country.RUSSIA,
            region=Region.objects.get(code="RU-MOW"),
            name=formula,
            name_de=formula,
            name_en=formula,
            slug=f"formula-ru-{index}",
        )
        partnership = Partnership.objects.create(
            german_partner=german, russian_partner=russian, kind_wording=formula
        )
        PartnershipSource.objects.create(partnership=partnership, citation=formula)
        initiative = Initiative.objects.create(
            name=formula,
            kind=InitiativeKind.OTHER,
            seat_name=formula,
            sources=formula,
            slug=f"formula-initiative-{index}",
        )
        initiative.partnerships.add(partnership)
        appeal = Appeal.objects.create(
            title=formula,
            date=datetime.date(2021, 1, 1),
            publisher=formula,
            slug=f"formula-appeal-{index}",
        )
        Signatory.objects.create(
            appeal=appeal, person_name=formula, role=formula, organisation=formula
        )
        records.append(partnership)
    return records


EXPORTS = [
    "/partnerships/export.csv",
    "/municipalities/export.csv",
    "/initiatives/export.csv",
    "/signatories/export.csv",
]


@pytest.mark.parametrize("separator", [None, "semicolon"])
@pytest.mark.parametrize("url", EXPORTS)
def test_no_exported_cell_starts_like_a_formula(anonymous, formulas, url, separator):
    params = {"sep": separator} if separator else {}
    response = anonymous.get(url, params)
    assert response.status_code == 200
    text = body(response).removeprefix("\ufeff")
    delimiter = ";" if separator else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    cells = [cell for row in rows for cell in row]
    dangerous = [cell for cell in cells if cell.startswith(FORMULA_PREFIXES)]
    assert dangerous == []
    for formula in FORMULAS:
        # Every formula was exported, as text behind an apostrophe.
        assert "'" + formula in cells, (url, formula)


# --- 3. CSRF ---------------------------------------------------------------------------------

TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def csrf_token(client, url) -> str:
    """The form's token, read from the page as a browser would."""
    response = client.get(url)
    assert response.status_code == 200, url
    match = TOKEN_INPUT.search(body(response))
    assert match, f"{url} has no CSRF token"
    return match.group(1)


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


def test_the_import_page_exists(admin_client):
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


# --- 4. no draft reaches the public ----------------------------------------------------------


@pytest.fixture
def drafts(db):
    """Draft records of every kind, each with a name found nowhere else."""
    nw, kgd = Region.objects.get(code="DE-NW"), Region.objects.get(code="RU-KGD")
    draft_town = Municipality.objects.create(
        country=Country.GERMANY,
        region=nw,
        name="Zitronenfalterhausen",
        name_de="Zitronenfalterhausen",
        name_en="Brimstonebutterflyton",
        slug="zitronenfalterhausen",
        is_published=False,
    )
    public_town = Municipality.objects.create(
        country=Country.GERMANY, region=nw, name="Offenbachtal", slug="offenbachtal"
    )
    public_russian = Municipality.objects.create(
        country=Country.RUSSIA,
        region=kgd,
        name="Открытоград",
        name_de="Otkrytograd",
        slug="otkrytograd",
    )
    # A published partnership with a draft partner, and a draft partnership.
    hidden_by_partner = Partnership.objects.create(
        german_partner=draft_town, russian_partner=public_russian, notes="Geheimvermerk Eins"
    )
    draft_partnership = Partnership.objects.create(
        german_partner=public_town,
        russian_partner=public_russian,
        kind_wording="Geheimwortlaut",
        is_published=False,
    )
    public_partnership = Partnership.objects.get(slug="aachen--kostroma")
    draft_initiative = Initiative.objects.create(
        name="Geheimverein Zitronenfalter e.V.",
        kind=InitiativeKind.ASSOCIATION,
        seat=public_town,
        contact_email="geheimverein@example.org",
        slug="geheimverein",
        is_published=False,
    )
    draft_initiative.partnerships.add(public_partnership)
    draft_appeal = Appeal.objects.create(
        title="Geheimer Aufruf Zitronenfalter",
        date=datetime.date(2019, 1, 1),
        publisher="Geheimherausgeber",
        slug="geheimer-aufruf",
        is_published=False,
    )
    Signatory.objects.create(
        appeal=draft_appeal, person_name="Ulla Aufrufgeheim", organisation="Stadt Offenbachtal"
    )
    appeal_2020 = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    Signatory.objects.create(
        appeal=appeal_2020,
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
LISTS = ["/partnerships/", "/municipalities/", "/initiatives/", "/signatories/"]
# The query repeated where it belongs: in links and form values, and in the search's own
# "Nothing matches “…”" (the reader's text, not a record's).
ECHOES = re.compile(r'(?:href|value)="[^"]*"|<span class="search-text">[^<]*</span>')
SEARCHES = ["Zitronenfalterhausen", "Brimstonebutterflyton", "Geheimverein", "Aufrufgeheim", "Dora"]


def public_texts(client, extra_pages, searches):
    """(address, text) of every public page, list page, search and export."""
    fixed = ["/", "/en/", "/ru/", "/about/", "/changes/", "/changes/feed.atom"]
    for url in [*fixed, *extra_pages]:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, body(response)
    for url in LISTS:
        yield from every_list_page(client, url)
        for query in searches:
            response = client.get(url, {"q": query})
            assert response.status_code == 200, (url, query)
            # The page repeats the query in the search box and its links: only the text counts.
            yield f"{url}?q={query}", ECHOES.sub("", body(response))
    for url in EXPORTS:
        yield url, body(client.get(url))
        for query in searches:
            yield f"{url}?q={query}", body(client.get(url, {"q": query}))


def assert_nowhere_public(client, secrets, extra_pages=(), searches=()) -> None:
    """None of the secrets is on a public page, also not when searched for."""
    found = [
        f"{secret!r} on {url}"
        for url, text in public_texts(client, extra_pages, searches)
        for secret in secrets
        if secret in text
    ]
    assert not found, "Shown to the public:\n" + "\n".join(found)


def test_a_draft_answers_404_to_the_public(anonymous, drafts):
    for key in ["draft_town", "hidden_by_partner", "draft_partnership", "draft_initiative"]:
        url = de(drafts[key])
        for prefix in ["", "/en", "/ru"]:
            assert anonymous.get(prefix + url).status_code == 404, prefix + url
            assert anonymous.get(prefix + url + "suggest/").status_code == 404, url
        response = anonymous.post(url + "suggest/", {"message": "Hallo"})
        assert response.status_code == 404
    assert anonymous.get(de(drafts["draft_appeal"])).status_code == 404
    assert not Suggestion.objects.exists()


def test_a_published_partnership_with_a_draft_partner_answers_404(anonymous, drafts):
    assert drafts["hidden_by_partner"].is_published
    assert anonymous.get(de(drafts["hidden_by_partner"])).status_code == 404


def test_staff_see_the_draft_with_a_banner(admin_client, drafts):
    """The control experiment: the drafts exist and render for editors."""
    response = admin_client.get(de(drafts["draft_initiative"]))
    assert response.status_code == 200
    assert "Geheimverein" in body(response)


def test_drafts_appear_on_no_public_page(anonymous, drafts):
    pages = [
        de(drafts["public_town"]),
        de(drafts["public_russian"]),
        de(drafts["public_partnership"]),
        de(Municipality.objects.get(slug="aachen")),
        de(Appeal.objects.get(slug="drf-solidarity-appeal-2020")),
    ]
    assert_nowhere_public(anonymous, DRAFT_SECRETS, pages, SEARCHES)


def test_the_has_initiative_facet_counts_no_draft_initiative(anonymous, drafts):
    """The facet's number must be the number of rows its link gives."""
    partnership = Partnership.objects.create(
        german_partner=drafts["public_town"],
        russian_partner=Municipality.objects.get(slug="kostroma"),
    )
    drafts["draft_initiative"].partnerships.add(partnership)  # its only initiative: a draft
    response = anonymous.get("/partnerships/")
    facet = next(f for f in response.context["facets"] if f.name == "has_initiative")
    counts = {option.value: option.count for option in facet.options}
    for value in ["yes", "no"]:
        rows = anonymous.get("/partnerships/", {"has_initiative": value}).context["total"]
        assert counts.get(value, 0) == rows, value


def test_a_signatory_of_a_draft_appeal_is_not_in_the_recent_changes(anonymous, drafts):
    """The signatory list hides signatures of a draft appeal; /changes/ must hide them too."""
    assert_nowhere_public(anonymous, ["Ulla Aufrufgeheim"], searches=["Aufrufgeheim"])


def test_a_draft_municipality_is_not_named_as_a_published_initiative_s_seat(anonymous, drafts):
    Initiative.objects.create(
        name="Offener Freundeskreis",
        kind=InitiativeKind.ASSOCIATION,
        seat=drafts["draft_town"],
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


def test_a_draft_is_not_named_for_a_published_signatory(anonymous, drafts):
    """A signature on behalf of a draft municipality or initiative must not name it."""
    appeal = Appeal.objects.get(slug="drf-solidarity-appeal-2020")
    Signatory.objects.create(
        appeal=appeal, person_name="Paula Vertretend", municipality=drafts["draft_town"]
    )
    Signatory.objects.create(
        appeal=appeal,
        person_name="Quentin Vertretend",
        organisation_kind=OrganisationKind.INITIATIVE,
        initiative=drafts["draft_initiative"],
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
    initiative = Initiative.objects.create(
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


# --- 4 and 5. the admin: closed to the public, no deletions by editors ----------------------

HISTORY_VERSION_ROUTE = r"^([^/]+)/history/([^/]+)/$"


def sample_pk(model):
    obj = model._default_manager.order_by("pk").first()
    return obj.pk if obj is not None else 1


def every_admin_url() -> list[str]:
    """Every address of the admin: each model's pages (import included) and the site's."""
    urls = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        pk = sample_pk(model)
        history = getattr(model, "history", None)
        version = history.order_by("pk").values_list("pk", flat=True).first() if history else 1
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if route == HISTORY_VERSION_ROUTE:
                path = f"{pk}/history/{version or 1}/"
            else:
                assert not route.startswith("^"), f"an admin address this test cannot fill: {route}"
                path = re.sub(r"<(?:\w+:)?\w+>", str(pk), route)
            urls.append(base + path)
    content_type = ContentType.objects.get_for_model(Partnership)
    urls += [
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:password_change_done"),
        reverse("admin:autocomplete") + "?app_label=partnerships&model_name=partnership"
        "&field_name=partnerships&term=a",
        reverse("admin:jsi18n"),
        reverse("admin:view_on_site", args=[content_type.pk, sample_pk(Partnership)]),
        *[
            reverse("admin:app_list", args=[label])
            for label in {m._meta.app_label for m in admin.site._registry}
        ],
        reverse("admin:index") + "no-such-page/",
    ]
    return urls


def test_the_admin_url_list_covers_the_import_and_every_model():
    urls = every_admin_url()
    assert admin_url(Partnership, "import") in urls
    for model in admin.site._registry:
        opts = model._meta
        for view in ["changelist", "add", "change", "history", "delete"]:
            name = f"admin:{opts.app_label}_{opts.model_name}_{view}"
            args = [] if view in {"changelist", "add"} else [sample_pk(model)]
            assert reverse(name, args=args) in urls


def test_no_admin_page_answers_the_public(anonymous):
    login = reverse("admin:login")
    for url in every_admin_url():
        for prefix in ["", "/en", "/ru"]:
            address = prefix + url if prefix and url.startswith("/admin/") else url
            response = anonymous.get(address)
            assert response.status_code == 302, (address, response.status_code)
            location = response["Location"]
            assert location.startswith((login, "/en" + login, "/ru" + login)) or (
                url == reverse("admin:logout") and location.endswith("/admin/")
            ), (address, location)
    assert anonymous.get(login).status_code == 200  # the one page the public may see


def test_the_public_cannot_post_to_the_admin(anonymous, drafts):
    partnership = drafts["public_partnership"]
    version, count = partnership.version, Partnership.objects.count()
    posts = [
        (admin_url(Partnership, "delete", partnership.pk), {"post": "yes"}),
        (admin_url(Partnership, "change", partnership.pk), {"notes": "gefälscht"}),
        (admin_url(Partnership, "changelist"), {"action": "unpublish", "_selected_action": [1]}),
        (admin_url(Municipality, "add"), {"name": "Gefälscht"}),
        (admin_url(Partnership, "import"), {"confirm": "1", "token": "x" * 43}),
    ]
    for url, data in posts:
        response = anonymous.post(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))
    partnership.refresh_from_db()
    assert (partnership.version, Partnership.objects.count()) == (version, count)
    assert not Municipality.objects.filter(name="Gefälscht").exists()


@pytest.fixture
def editor(db, monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "a-long-Editor-passphrase-42")
    call_command("create_editor", "redakteurin-zitrone", email="zitrone.privat@example.org")
    user = User.objects.get(username="redakteurin-zitrone")
    user.first_name, user.last_name = "Zitrona", "Redaktionsgeheim"
    user.save()
    return user


@pytest.fixture
def editor_client(editor):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    return client


def some_object(model):
    """An object of every admin model, made where the starter data has none."""
    obj = model._default_manager.order_by("pk").first()
    if obj is None and model is Suggestion:
        obj = Suggestion.objects.create(
            record=Partnership.objects.first(), page_url="/x/", message="Tippfehler"
        )
    return obj


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_an_editor_cannot_delete(editor_client, model):
    obj = some_object(model)
    pk = obj.pk if obj is not None else 1
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[pk])
    assert editor_client.get(url).status_code == 403
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    response = editor_client.get(changelist)
    if response.status_code == 200:
        assert 'value="delete_selected"' not in body(response)
        editor_client.post(
            changelist, {"action": "delete_selected", "_selected_action": [pk], "post": "yes"}
        )
    else:
        assert response.status_code == 403  # not the editors' business at all (auth, axes)
    if obj is not None:
        assert model._default_manager.filter(pk=obj.pk).exists()


def test_an_editor_s_change_forms_offer_no_inline_deletion(editor_client):
    """Inline rows (sources, events, names, signatories) cannot be deleted either."""
    for model in admin.site._registry:
        if model._meta.app_label != "partnerships":
            continue
        obj = some_object(model)
        response = editor_client.get(admin_url(model, "change", obj.pk))
        assert response.status_code == 200, model
        for inline in response.context["inline_admin_formsets"]:
            if inline.formset.model._meta.auto_created:
                continue  # a many-to-many link: removing it is a change of the record
            assert not inline.formset.can_delete, (model.__name__, inline.formset.model)


def test_the_editors_group_has_no_delete_permission(editor):
    assert editor.is_staff and not editor.is_superuser
    assert not [p for p in editor.get_all_permissions() if ".delete_" in p]


# --- 4 and 6. editors' data and contact addresses --------------------------------------------


def test_no_editor_name_or_address_is_public(editor_client, editor, anonymous):
    superuser = User.objects.create_superuser(
        "oberredakteur-geheim", "ober.geheim@example.org", "a-long-Super-passphrase-42"
    )
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    response = editor_client.post(
        admin_url(Partnership, "changelist"),
        {
            "action": "record_status_change",
            "_selected_action": [partnership.pk],
            "apply": "1",
            "status": Status.SUSPENDED,
            "date": "2022-03-03",
            "note": "Ratsbeschluss",
            "source_url": "https://example.org/beschluss",
        },
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


def test_an_initiative_s_contact_address_is_only_on_its_own_page(anonymous, drafts):
    aachen = Municipality.objects.get(slug="aachen")
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    initiative = Initiative.objects.create(
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
    assert anonymous.get(de(drafts["draft_initiative"])).status_code == 404


# --- 7. fuzzed query strings -----------------------------------------------------------------


# Every public address: fixed pages, lists, exports, a detail page of each kind, the
# correction forms and the three language prefixes ({initiative}: a published one's slug).
DETAILS = [
    "/partnerships/aachen--kostroma/",
    "/municipalities/aachen/",
    "/initiatives/{initiative}/",
    "/appeals/drf-solidarity-appeal-2020/",
]
PUBLIC_URLS = [
    "/",
    "/en/",
    "/ru/",
    "/about/",
    "/changes/",
    "/changes/feed.atom",
    "/healthz",
    *LISTS,
    *EXPORTS,
    *DETAILS,
    *[url + "suggest/" for url in DETAILS],
    "/en/partnerships/",
    "/ru/municipalities/export.csv",
    "/en" + DETAILS[0],
    "/ru" + DETAILS[2] + "suggest/",
]
# These two read the history on every request (about 100 queries) and ignore the query
# string: fewer examples keep the file fast.
SLOW = {"/changes/", "/changes/feed.atom"}


KNOWN_KEYS = [
    "q",
    "page",
    "per_page",
    "sort",
    "sep",
    "status",
    "kind",
    "country",
    "region",
    "german_state",
    "year_from",
    "year_to",
    "has_initiative",
    "suggested",
    "format",
    "next",
    "language",
]
CONTROL = st.characters(min_codepoint=0, max_codepoint=31) | st.just("\x7f")
texts = st.one_of(
    st.sampled_from(["", "1", "-1", "0", "50", "semicolon", "yes", "DE", "Köln", "Волгоград"]),
    st.text(max_size=30),
    st.text(alphabet=CONTROL, min_size=1, max_size=5),
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
    st.text(alphabet=st.characters(min_codepoint=0x400, max_codepoint=0x4FF), max_size=30),
    st.builds(lambda char, n: char * n, st.characters(), st.integers(10_000, 10_240)),
    st.integers(4_300, 10_000).map(lambda n: "9" * n),
)
# Percent-encodings that decode to nothing sensible: lone %, bad hex, NUL, CR/LF, invalid and
# overlong UTF-8, a right-to-left override, truncated sequences.
JUNK = st.sampled_from(
    [
        *["%", "%%", "%z", "%zz", "%0", "%00", "%0d%0a", "%ff", "%FF%FE", "%C0%AF", "%C0%80"],
        *["%E2%80%AE", "%D0", "%F0%9F", "%ED%A0%80", "+", "&", "&&", "=", "==", ";", "?"],
        *["[]", "%5B%5D", "\x00", "\x7f", "\xff", "%25", "%2525", "#", "/", ".."],
    ]
)


def raw_utf8(text: str) -> str:
    """The UTF-8 bytes unencoded, as a careless client sends them (WSGI strings are latin-1)."""
    return text.encode("utf-8").decode("latin-1")


encoded = st.one_of(
    texts.map(lambda text: quote(text, safe="")),
    texts.map(raw_utf8),
    st.lists(JUNK, min_size=1, max_size=6).map("".join),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), encoded)
pairs = st.one_of(
    st.tuples(keys, encoded).map("=".join),
    encoded,  # a key without "="
    # A key repeated with several values.
    st.builds(
        lambda key, values: "&".join(f"{key}={value}" for value in values),
        st.sampled_from(KNOWN_KEYS),
        st.lists(encoded, min_size=2, max_size=5),
    ),
)
query_strings = st.lists(pairs, max_size=8).map("&".join)

FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FINE = {200, 301, 302, 400, 404}


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_no_query_string_breaks_a_public_page(anonymous, url):
    initiative = Initiative.objects.published().order_by("pk").first()
    url = url.format(initiative=initiative.slug)
    assert anonymous.get(url).status_code == 200, url

    @settings(FUZZ, max_examples=5 if url in SLOW else 25)
    @given(query=query_strings)
    def run(query):
        response = anonymous.get(url, QUERY_STRING=query)
        assert response.status_code in FINE, (url, query[:200], response.status_code)
        if response.streaming:  # an export fails, if at all, while it streams
            b"".join(response.streaming_content)

    run()


# --- 8. oversized and malformed posts to the correction form ---------------------------------

TEN_MB = 10 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
BOUNDARY = "----registry-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(fields: dict[str, str]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


MALFORMED = {
    "10 MB message, urlencoded": (FORM, b"message=" + b"A" * TEN_MB),
    "10 MB message, multipart": (MULTIPART, multipart({"message": "A" * TEN_MB})),
    "10 MB of one unnamed field": (FORM, b"x" * TEN_MB),
    "message over 4000 characters": (FORM, b"message=" + b"A" * 4001),
    "NUL in the message": (FORM, b"message=Tipp%00fehler"),
    "raw NUL in the body": (FORM, b"message=Tipp\x00fehler"),
    "NUL in the name": (FORM, b"message=Tippfehler&sender_name=Er%00ika"),
    "NUL in the e-mail address": (FORM, b"message=Tippfehler&sender_email=a%00@example.org"),
    "NUL in the source": (FORM, b"message=Tippfehler&source_url=https://exa%00mple.org/"),
    "NUL in a field name": (FORM, b"mess%00age=Tippfehler"),
    "NUL in the message, multipart": (MULTIPART, multipart({"message": "Tipp\x00fehler"})),
    "5000 fields": (FORM, "&".join(f"f{i}=x" for i in range(5000)).encode()),
    "broken multipart": (MULTIPART, f"--{BOUNDARY}\r\nContent-Disposition: form-da".encode()),
    "multipart without boundary": ("multipart/form-data", b"message=Tippfehler"),
    "multipart with a bad boundary": ("multipart/form-data; boundary=\x00", b"--\x00\r\n"),
    "JSON instead of a form": ("application/json", b'{"message": "Tippfehler"}'),
    "empty body": (FORM, b""),
}


@pytest.mark.parametrize("case", list(MALFORMED))
@pytest.mark.parametrize("enforce_csrf", [False, True], ids=["no-csrf-check", "csrf-check"])
def test_a_malformed_suggestion_is_refused_with_400_or_413(case, enforce_csrf):
    content_type, data = MALFORMED[case]
    client = Client(enforce_csrf_checks=enforce_csrf, raise_request_exception=False)
    url = de(Partnership.objects.get(slug="aachen--kostroma")) + "suggest/"
    extra = {}
    if enforce_csrf:
        extra["headers"] = {"X-CSRFToken": csrf_token(client, url)}
    response = client.post(url, data, content_type=content_type, **extra)
    assert response.status_code in {400, 413}, (case, response.status_code)
    assert not Suggestion.objects.exists()


def test_odd_but_wellformed_bytes_do_not_break_the_form(anonymous):
    """Invalid UTF-8 is decoded with replacement characters; control characters are text."""
    url = de(Partnership.objects.get(slug="aachen--kostroma")) + "suggest/"
    odd = [
        b"message=%FF%FE%C0%AF%ED%A0%80",
        b"message=\xff\xfe\xc0\xaf",
        b"%FF=%FF",
        b"message=%01%02%03%1b%7f",
        b"message=%E2%80%AE%E2%80%8B",
    ]
    for data in odd:
        caches["default"].clear()
        response = anonymous.post(url, data, content_type=FORM)
        assert response.status_code in {303, 400}, (data, response.status_code)
