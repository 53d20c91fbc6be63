"""Script and HTML in stored data or in a request never reach a page unescaped.

Every public text field carries an attack; it comes out escaped on every public page, in
every list and search, in the Atom feed and in the admin (and the escaped form is there, so
the data was shown). A ``javascript:`` address is refused by every URL field and shown as
text where it sits in a text field. Reflected parameters and paths are escaped too.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from xml.sax.saxutils import escape as xml_escape

import pytest
from django.core.exceptions import ValidationError
from django.utils.html import escape

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
from tests.public_pages import admin_url, body, de, every_list_page

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


def names_of_a_town(marker: str) -> dict[str, str]:
    """A municipality's four names, each the attack, marked e.g. Mname, Mde, Men and Mru."""
    return {
        "name": payload(f"{marker}name"),
        **{f"name_{language}": payload(marker + language) for language in ("de", "en", "ru")},
    }


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


def escaped_page(client, url, markers, params=None, *, xml: bool = False) -> str:
    """The page answers, with no payload unescaped and each marked payload shown escaped."""
    response = client.get(url, params or {})
    assert response.status_code == 200, url
    text = body(response)
    assert_no_raw_payload(text, url)
    assert_shown_escaped(text, markers, url, xml=xml)
    return text


# --- stored script and HTML ------------------------------------------------------------------


@pytest.fixture
def evil(db):
    """One published record of every kind whose every text field carries the attack."""
    german = Municipality.objects.create(
        country=Country.GERMANY,
        region=Region.objects.get(code="DE-NW"),
        **names_of_a_town("M"),
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
        **names_of_a_town("R"),
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


def test_stored_payloads_are_escaped_on_every_detail_page(anonymous, evil):
    for url, markers in public_detail_pages(evil).items():
        html = escaped_page(anonymous, url, markers)
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
    html = escaped_page(anonymous, url, shown, {"q": query})
    assert f'value="{escape(query)}"' in html  # the search box echoes the query, escaped


def test_stored_payloads_are_escaped_on_the_home_page(anonymous, evil):
    escaped_page(anonymous, "/", ["Mde", "Rde", "Atitle"])


def test_stored_payloads_are_escaped_in_the_recent_changes_and_the_feed(anonymous, evil):
    escaped_page(anonymous, "/changes/", ["Mde", "Rde", "Iname", "I2name", "Sname"])
    escaped_page(anonymous, "/changes/feed.atom", ["Mde", "Iname", "Sname"], xml=True)


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
        escaped_page(admin_client, url, markers)
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


# --- reflected script and HTML ---------------------------------------------------------------

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
