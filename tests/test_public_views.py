"""The public pages as a reader uses them: through the test client, in all three languages.

Covers: every page answers; drafts stay hidden from the public and show a banner to
editors; the partnership page shows what it promises; facet counts, sorting and paging
agree with the database; names come in the reader's language; search finds towns in
any spelling; and the number of queries does not grow with the data.
"""

import datetime
import html
import re
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import formats, translation
from django.utils.html import escape

from partnerships.models import (
    Initiative,
    Municipality,
    Partnership,
    Signatory,
)
from partnerships.vocabulary import Status
from tests.factories import (
    AlternativeNameFactory,
    InitiativeFactory,
    MunicipalityFactory,
    PartnershipFactory,
    PartnershipSourceFactory,
    RussianMunicipalityFactory,
    StatusEventFactory,
)
from tests.public_pages import de
from tests.town_spellings import FIRST_RESULT

pytestmark = pytest.mark.django_db

LANGUAGE_PREFIXES = ["", "/ru", "/en"]
APPEAL_URL = "/appeals/drf-solidarity-appeal-2020/"
DRAFT_BANNER = "Draft: not visible to the public."
LISTS = ["/partnerships/", "/municipalities/", "/initiatives/", "/signatories/"]


def public_partnerships():
    return Partnership.objects.published().filter(
        german_partner__is_published=True, russian_partner__is_published=True
    )


def text_of(response) -> str:
    return response.content.decode()


def heading(response) -> str:
    match = re.search(r"<h1>(.*?)</h1>", text_of(response), re.DOTALL)
    assert match, "the page has no <h1>"
    return html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def all_rows(client, url, params=None):
    """Every object of a list, walking through all pages of 100."""
    rows, page = [], 1
    while True:
        response = client.get(url, {**(params or {}), "per_page": 100, "page": page})
        if response.status_code == 404:
            return rows
        assert response.status_code == 200
        rows += response.context["object_list"]
        if page >= response.context["paginator"].num_pages:
            return rows
        page += 1


def streamed(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


# --- every public page answers -------------------------------------------------------


def detail_urls():
    initiative = Initiative.objects.published().order_by("slug").first()
    return [
        "/partnerships/aachen--kostroma/",
        "/municipalities/kaliningrad/",
        f"/initiatives/{initiative.slug}/",
        APPEAL_URL,
    ]


@pytest.mark.parametrize("prefix", LANGUAGE_PREFIXES, ids=["de", "ru", "en"])
def test_every_public_page_answers_in_every_language(client, prefix):
    urls = ["/", "/about/", *LISTS, *detail_urls()]
    for url in urls:
        response = client.get(prefix + url)
        assert response.status_code == 200, f"{prefix}{url} answered {response.status_code}"
        assert f'<html lang="{prefix.strip("/") or "de"}">' in text_of(response)


def test_the_published_detail_pages_carry_no_draft_banner(client):
    for url in detail_urls():
        assert DRAFT_BANNER not in text_of(client.get("/en" + url))


# --- drafts --------------------------------------------------------------------------


class Draft(NamedTuple):
    record: object
    list_url: str
    listed: int  # how many records the list shows
    name: str  # found nowhere else in the registry


def draft_partnership():
    return PartnershipFactory(
        is_published=False,
        german_partner=MunicipalityFactory(name="Entwurfshausen", slug="entwurfshausen"),
        russian_partner=RussianMunicipalityFactory(
            name="Черновоград", name_de="Tschernowograd", slug="chernovograd"
        ),
    )


def draft_municipality():
    return MunicipalityFactory(name="Geheimstadt", slug="geheimstadt", is_published=False)


def draft_initiative():
    return InitiativeFactory(name="Verborgener Verein e.V.", slug="verborgen", is_published=False)


DRAFTS = {
    "partnership": (draft_partnership, "/partnerships/", 120, "Entwurfshausen"),
    "municipality": (draft_municipality, "/municipalities/", 203, "Geheimstadt"),
    "initiative": (draft_initiative, "/initiatives/", 154, "Verborgener"),
}


@pytest.fixture(params=DRAFTS)
def draft(request):
    """A draft of each kind of record that has a public list."""
    make, list_url, listed, name = DRAFTS[request.param]
    return Draft(make(), list_url, listed, name)


@pytest.fixture
def hidden_partner_partnership():
    """A published partnership whose Russian partner is still a draft."""
    german = Municipality.objects.get(slug="aachen")
    russian = RussianMunicipalityFactory(
        name="Скрытоград", name_de="Skrytograd", slug="skrytograd", is_published=False
    )
    return PartnershipFactory(german_partner=german, russian_partner=russian)


def test_a_draft_is_hidden_from_the_public(client, draft):
    url = de(draft.record)
    for prefix in LANGUAGE_PREFIXES:
        assert client.get(prefix + url).status_code == 404
    rows = all_rows(client, draft.list_url)
    assert draft.record.pk not in {row.pk for row in rows}
    assert len(rows) == type(draft.record).objects.published().count() == draft.listed
    assert client.get(draft.list_url, {"q": draft.name}).context["total"] == 0
    export = streamed(client.get(draft.list_url + "export.csv"))
    assert url not in export
    assert draft.name not in export


def test_staff_see_a_draft_with_the_banner(admin_client, draft):
    response = admin_client.get("/en" + de(draft.record))
    assert response.status_code == 200
    assert DRAFT_BANNER in text_of(response)
    assert draft.name in text_of(response)


def test_a_draft_initiative_is_not_listed_on_the_partnership_page(client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    InitiativeFactory(name="Verborgener Verein e.V.", is_published=False).partnerships.add(
        partnership
    )
    content = text_of(client.get(partnership.get_absolute_url()))
    assert "Verborgener Verein" not in content
    assert "Anne-Frank-Gymnasium Aachen" in content


def test_a_partnership_with_a_draft_partner_is_hidden_from_the_lists(
    client, hidden_partner_partnership
):
    partnership = hidden_partner_partnership
    assert client.get(partnership.get_absolute_url()).status_code == 404
    rows = all_rows(client, "/partnerships/")
    assert partnership.pk not in {p.pk for p in rows}
    assert len(rows) == 120
    assert client.get("/partnerships/", {"q": "Skrytograd"}).context["total"] == 0
    export = streamed(client.get("/partnerships/export.csv"))
    assert "Скрытоград" not in export
    assert partnership.slug not in export
    aachen = text_of(client.get("/municipalities/aachen/"))
    assert "Skrytograd" not in aachen
    assert "Скрытоград" not in aachen


def test_a_partnership_with_a_draft_partner_is_not_on_the_home_page(
    client, hidden_partner_partnership
):
    """The home page's "latest changes" and counts agree with the public list."""
    response = client.get("/")
    content = text_of(response)
    assert hidden_partner_partnership.get_absolute_url() not in content
    assert "Skrytograd" not in content
    assert response.context["counts"]["partnerships"] == public_partnerships().count() == 120


def test_a_partnership_with_a_draft_partner_is_not_on_an_initiative_page(
    client, hidden_partner_partnership
):
    initiative = Initiative.objects.published().order_by("slug").first()
    initiative.partnerships.add(hidden_partner_partnership)
    content = text_of(client.get(initiative.get_absolute_url()))
    assert hidden_partner_partnership.get_absolute_url() not in content
    assert "Skrytograd" not in content


def test_an_active_partnership_with_a_draft_partner_does_not_count_as_active(
    client, hidden_partner_partnership
):
    """has_active must agree with what the municipality's page shows."""
    german = MunicipalityFactory(name="Einsamhausen", slug="einsamhausen")
    partnership = PartnershipFactory(
        german_partner=german, russian_partner=hidden_partner_partnership.russian_partner
    )
    StatusEventFactory(partnership=partnership, status=Status.ACTIVE)
    page = client.get(german.get_absolute_url())
    assert page.context["partnerships"] == []
    response = client.get("/municipalities/", {"q": "Einsamhausen", "has_active": "yes"})
    assert response.context["total"] == 0


# --- the partnership page ------------------------------------------------------------


def test_the_partnership_page_shows_partners_kind_year_status_initiatives(client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    response = client.get("/en/partnerships/aachen--kostroma/")
    content = text_of(response)
    assert heading(response) == "Aachen – Kostroma"
    assert 'href="/en/municipalities/aachen/"' in content
    assert 'href="/en/municipalities/kostroma/"' in content
    assert "Кострома" in content  # the official name next to the English one
    assert "official partnership (twinning treaty)" in content
    assert partnership.since_year  # the earliest year a source gives
    assert f"<dd>{partnership.since_year}</dd>" in content
    assert "Last verified" in content and "not yet" in content
    initiatives = list(partnership.initiatives.published())
    assert len(initiatives) == 3
    for initiative in initiatives:
        assert escape(initiative.name) in content
        assert f'href="/en/initiatives/{initiative.slug}/"' in content
    for source in partnership.sources.all():
        assert escape(source.url or source.citation) in content


def test_the_status_timeline_lists_every_event_with_its_source(client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    StatusEventFactory(partnership=partnership, status=Status.SUSPENDED, date=None)
    added = StatusEventFactory(
        partnership=partnership,
        status=Status.ACTIVE,
        date=datetime.date(2024, 5, 2),
        note="Resumed after a council vote.",
        source_url="https://example.org/aachen-resumes",
    )
    content = text_of(client.get("/en/partnerships/aachen--kostroma/"))
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', content, re.DOTALL).group(1)
    events = list(partnership.status_events.all())
    assert len(events) >= 2
    entries = re.findall(r"<li>(.*?)</li>", timeline, re.DOTALL)
    assert len(entries) == len(events)
    for entry, event in zip(entries, events, strict=True):
        if event.source_url:
            assert f'href="{escape(event.source_url)}"' in entry
        assert f"status-{event.status or 'founded'}" in entry
    entry = entries[[event.pk for event in events].index(added.pk)]
    assert 'datetime="2024-05-02"' in entry
    assert "Resumed after a council vote." in entry
    assert "date not given" in entries[0]  # undated statements first


def test_the_partnership_page_shows_the_last_verification(client):
    Partnership.objects.filter(slug="aachen--kostroma").update(
        last_verified=datetime.date(2024, 3, 15)
    )
    content = text_of(client.get("/en/partnerships/aachen--kostroma/"))
    with translation.override("en"):
        shown = formats.date_format(datetime.date(2024, 3, 15), "DATE_FORMAT")
    assert f"<dt>Last verified</dt><dd>{shown}</dd>" in content


# --- facets --------------------------------------------------------------------------


def facet(response, name):
    return next(f for f in response.context["facets"] if f.name == name)


# --- sorting and paging --------------------------------------------------------------


def test_sorted_by_year_descending_the_newest_come_first(client):
    response = client.get("/partnerships/", {"sort": "-year", "per_page": 100})
    years = [p.since_year for p in response.context["object_list"]]
    known = [year for year in years if year is not None]
    in_db = sorted(
        public_partnerships().filter(since_year__isnull=False).values_list("since_year", flat=True),
        reverse=True,
    )
    # Unknown years stay together at one end, wherever the database orders NULLs.
    unknown = [None] * (len(years) - len(known))
    assert years in (unknown + known, known + unknown)
    assert known == in_db[: len(known)]
    assert len(known) >= 20
    assert response.context["total"] == 120
    ascending = client.get("/partnerships/", {"sort": "year", "per_page": 100})
    known_up = [p.since_year for p in ascending.context["object_list"] if p.since_year]
    assert known_up == sorted(known_up)


def test_page_two_of_25_shows_rows_26_to_50(client):
    page_two = client.get("/partnerships/", {"per_page": 25, "page": 2})
    everything = client.get("/partnerships/", {"per_page": 100})
    assert [p.pk for p in page_two.context["object_list"]] == [
        p.pk for p in everything.context["object_list"][25:50]
    ]
    assert (
        page_two.context["page_obj"].start_index(),
        page_two.context["page_obj"].end_index(),
    ) == (26, 50)
    assert "26–50" in text_of(page_two)


@pytest.mark.parametrize(
    ("url", "sort"),
    [
        ("/partnerships/", "-year"),
        ("/partnerships/", "status"),
        ("/partnerships/", "kind"),
        ("/municipalities/", "kind"),
        ("/municipalities/", "region"),
        ("/initiatives/", "kind"),
        ("/initiatives/", "founded"),
    ],
)
def test_paging_through_a_sorted_list_shows_every_row_once(client, url, sort):
    """Sorting on a column with ties must still give a stable order for paging."""
    seen, page = [], 1
    while True:
        response = client.get(url, {"sort": sort, "per_page": 25, "page": page})
        seen += [o.pk for o in response.context["object_list"]]
        if page == response.context["paginator"].num_pages:
            break
        page += 1
    total = response.context["total"]
    assert len(seen) == total
    assert len(set(seen)) == total, f"{total - len(set(seen))} rows shown twice, as many never"


def pagination_link(response, rel):
    match = re.search(rf'<a href="([^"]+)" rel="{rel}">', text_of(response))
    assert match, f"no {rel} link"
    return parse_qs(urlsplit(html.unescape(match.group(1))).query)


def test_next_and_previous_keep_the_other_parameters(client):
    response = client.get(
        "/partnerships/", {"status": "unknown", "sort": "german", "per_page": 25, "page": 2}
    )
    assert response.context["paginator"].num_pages == 4
    following = pagination_link(response, "next")
    previous = pagination_link(response, "prev")
    common = {"status": ["unknown"], "sort": ["german"], "per_page": ["25"]}
    assert following == {**common, "page": ["3"]}
    assert previous == {**common, "page": ["1"]}
    assert client.get("/partnerships/", {**common, "page": 3}).status_code == 200


def test_the_last_page_has_no_next_link_and_the_first_no_previous(client):
    first = text_of(client.get("/partnerships/", {"per_page": 50}))
    last = text_of(client.get("/partnerships/", {"per_page": 50, "page": 3}))
    assert 'rel="prev"' not in first and 'rel="next"' in first
    assert 'rel="next"' not in last and 'rel="prev"' in last


def list_row(response, name: str) -> list[str]:
    """The cells of the list row naming ``name``, tags inside a cell kept."""
    row = next(
        r for r in re.findall(r"<tr>(.*?)</tr>", response.content.decode(), re.S) if name in r
    )
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


def test_a_list_row_shows_each_cell_as_the_reader_reads_it(client):
    """Partners with their regions, the kind marked unverified, no year as a dash, the
    status and since when, at the precision of its source; every cell named for a phone."""
    german = MunicipalityFactory(name="Zettelstadt", region=None)
    partnership = PartnershipFactory(
        german_partner=german,
        kind="friendship",
        needs_verification=True,
        since_year=None,
        status=Status.SUSPENDED,
        status_since=datetime.date(2022, 3, 1),
        status_since_precision="month",
    )
    url = partnership.get_absolute_url()
    russian = partnership.russian_partner
    cells = list_row(client.get("/ru/partnerships/", {"q": "Zettelstadt"}), "Zettelstadt")
    assert cells == [
        f'<a href="/ru{url}">Zettelstadt</a><br><small></small>',
        f'<a href="/ru{url}">{russian.name}</a><br><small>Калининградская область</small>',
        'дружественные связи <span class="unverified">не подтверждено</span>',
        "–",
        '<span class="status status-suspended">приостановлено</span>',
        '<time datetime="2022-03">март 2022 г.</time>',
    ]
    page = client.get("/ru/partnerships/", {"q": "Zettelstadt"}).content.decode()
    for label in ("Тип", "С года", "Статус", "Статус действует с"):
        assert f'data-label="{label}"' in page


# --- names in the reader's language --------------------------------------------------


def test_a_russian_town_is_named_in_cyrillic_on_the_russian_pages(client):
    kaliningrad = Municipality.objects.get(slug="kaliningrad")
    assert (kaliningrad.name, kaliningrad.name_en) == ("Калининград", "Kaliningrad")
    assert heading(client.get("/ru/municipalities/kaliningrad/")) == "Калининград"
    assert heading(client.get("/en/municipalities/kaliningrad/")) == "Kaliningrad (Калининград)"
    assert heading(client.get("/municipalities/kaliningrad/")) == "Kaliningrad (Калининград)"


def test_a_german_town_has_its_english_exonym_on_the_english_pages(client):
    assert Municipality.objects.get(slug="koeln").name_en == "Cologne"
    assert heading(client.get("/en/municipalities/koeln/")) == "Cologne (Köln)"
    assert heading(client.get("/municipalities/koeln/")) == "Köln"
    assert heading(client.get("/en/partnerships/koeln--volgograd/")) == "Cologne – Volgograd"
    # On /ru/ the German town in Cyrillic (its Russian name from the gazetteer).
    assert heading(client.get("/ru/partnerships/koeln--volgograd/")) == "Кёльн – Волгоград"


# --- search --------------------------------------------------------------------------


@pytest.mark.parametrize(("query", "expected"), FIRST_RESULT)
def test_search_finds_a_town_in_any_spelling_first(client, query, expected):
    response = client.get("/municipalities/", {"q": query})
    assert response.status_code == 200
    rows = response.context["object_list"]
    assert rows, f"nothing found for {query!r}"
    assert rows[0].name == expected, [m.name for m in rows[:5]]


def test_searching_partnerships_by_a_russian_partner_in_german(client):
    response = client.get("/partnerships/", {"q": "Wolgograd"})
    expected = set(
        public_partnerships()
        .filter(russian_partner__slug="volgograd")
        .values_list("slug", flat=True)
    )
    assert "koeln--volgograd" in expected and len(expected) >= 3
    slugs = [p.slug for p in response.context["object_list"]]
    assert set(slugs[: len(expected)]) == expected
    assert 'href="/partnerships/koeln--volgograd/"' in text_of(response)


# --- a fixed number of queries -------------------------------------------------------


def queries_of(client, url, params=None, *, consume=False):
    client.get(url, params or {})  # the worker reads the regions once per generation
    cache.clear()  # the page and its counts built anew
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params or {})
        if consume:
            body = streamed(response)
    assert response.status_code == 200
    return len(captured), (body if consume else response)


@pytest.mark.parametrize("url", LISTS)
def test_a_list_runs_the_same_queries_for_every_page_size(client, url):
    if url == "/signatories/":
        add_signatories(120)
    small, small_page = queries_of(client, url, {"per_page": 25})
    large, large_page = queries_of(client, url, {"per_page": 100})
    assert len(small_page.context["object_list"]) == 25
    assert len(large_page.context["object_list"]) == 100
    assert small == large


@pytest.mark.parametrize(
    ("url", "few", "many"),
    [
        ("/partnerships/", {"kind": "contact"}, {"kind": "official"}),
        ("/municipalities/", {"kind": "rayon"}, {"kind": "town"}),
        ("/initiatives/", {"kind": "church"}, {"kind": "association"}),
        ("/initiatives/", {"kind": "church"}, {}),
    ],
)
def test_a_list_runs_the_same_queries_for_few_and_many_rows(client, url, few, many):
    few_count, few_page = queries_of(client, url, {**few, "per_page": 100})
    many_count, many_page = queries_of(client, url, {**many, "per_page": 100})
    assert few_page.context["total"] <= 4
    assert len(many_page.context["object_list"]) >= 59
    assert few_count == many_count


def add_signatories(number):
    appeal = Signatory.objects.get(person_name="Henriette Reker").appeal
    cologne = Municipality.objects.get(slug="koeln")
    initiative = Initiative.objects.published().order_by("slug").first()
    Signatory.objects.bulk_create(
        Signatory(
            appeal=appeal,
            person_name=f"Person {n:03}",
            organisation=f"Organisation {n}",
            municipality=cologne if n % 2 else None,
            initiative=None if n % 2 else initiative,
        )
        for n in range(number)
    )


def test_the_signatory_list_runs_the_same_queries_for_few_and_many_rows(client):
    few, few_page = queries_of(client, "/signatories/", {"per_page": 100})
    add_signatories(99)
    many, many_page = queries_of(client, "/signatories/", {"per_page": 100})
    # The starter data: one signatory and one supporter.
    assert (few_page.context["total"], many_page.context["total"]) == (2, 101)
    assert few == many


@pytest.mark.parametrize(
    ("url", "few"),
    [
        ("/partnerships/export.csv", {"kind": "friendship"}),
        ("/municipalities/export.csv", {"kind": "rayon"}),
        ("/initiatives/export.csv", {"kind": "foundation"}),
    ],
)
def test_an_export_runs_the_same_queries_for_few_and_many_rows(client, url, few):
    few_count, few_body = queries_of(client, url, few, consume=True)
    many_count, many_body = queries_of(client, url, {}, consume=True)
    assert len(few_body.splitlines()) - 1 <= 5
    assert len(many_body.splitlines()) - 1 >= 120
    assert few_count == many_count


@pytest.mark.parametrize(
    ("url", "params", "rows"),
    [
        ("/partnerships/export.csv", {"kind": "friendship"}, 5),
        ("/partnerships/export.csv", {}, 120),
        ("/municipalities/export.csv", {}, 203),
        ("/initiatives/export.csv", {}, 154),
    ],
)
def test_an_export_reads_its_rows_with_one_query(client, url, params, rows):
    response = client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        body = streamed(response)
    assert len(body.splitlines()) == rows + 1
    assert len(captured) == 1


def test_the_signatory_export_runs_the_same_queries_for_few_and_many_rows(client):
    url = "/signatories/export.csv"
    few_count, few_body = queries_of(client, url, consume=True)
    add_signatories(60)
    many_count, many_body = queries_of(client, url, consume=True)
    assert (len(few_body.splitlines()), len(many_body.splitlines())) == (3, 63)
    assert few_count == many_count


def test_the_partnership_page_runs_the_same_queries_however_long_its_history(client):
    url = "/partnerships/aachen--kostroma/"
    before, _ = queries_of(client, url)
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    for n, status in enumerate([Status.ACTIVE, Status.DORMANT, Status.SUSPENDED, Status.ENDED]):
        StatusEventFactory(
            partnership=partnership,
            status=status,
            date=datetime.date(2020 + n, 1, 1),
            source_url=f"https://example.org/event-{n}",
        )
        PartnershipSourceFactory(partnership=partnership, url=f"https://example.org/source-{n}")
        InitiativeFactory(seat=partnership.german_partner).partnerships.add(partnership)
    after, response = queries_of(client, url)
    assert text_of(response).count("https://example.org/event-") == 4
    assert text_of(response).count("https://example.org/source-") >= 4
    assert before == after


def test_the_municipality_page_runs_the_same_queries_however_many_partners(client):
    url = "/municipalities/kaliningrad/"
    before, _ = queries_of(client, url)
    kaliningrad = Municipality.objects.get(slug="kaliningrad")
    for n in range(4):
        PartnershipFactory(russian_partner=kaliningrad)
        InitiativeFactory(seat=kaliningrad)
        AlternativeNameFactory(municipality=kaliningrad, name=f"Kaliningrad {n}")
    after, response = queries_of(client, url)
    assert text_of(response).count("Teststadt") >= 4
    assert before == after


def test_the_initiative_page_runs_the_same_queries_however_many_partnerships(client):
    initiative = InitiativeFactory(seat=Municipality.objects.get(slug="aachen"))
    url = initiative.get_absolute_url()
    before, _ = queries_of(client, url)
    initiative.partnerships.add(*PartnershipFactory.create_batch(4))
    after, response = queries_of(client, url)
    assert text_of(response).count("Teststadt") >= 4
    assert before == after


# --- "status since": the list's column, filters and sorting; the page's timeline ---------


@pytest.fixture
def status_dates():
    """Three partnerships of one town: status since a day, a month, and undated."""
    town = MunicipalityFactory(name="Datumsstadt", slug="datumsstadt")
    day, month, undated = (PartnershipFactory(german_partner=town) for _ in range(3))
    StatusEventFactory(
        partnership=day,
        status=Status.ENDED,
        date=datetime.date(2022, 3, 30),
        date_precision="day",
        by_editor=False,
    )
    StatusEventFactory(
        partnership=month,
        status=Status.SUSPENDED,
        date=datetime.date(2019, 4, 1),
        date_precision="month",
        by_editor=False,
    )
    StatusEventFactory(partnership=undated, status=Status.SUSPENDED, date=None, by_editor=False)
    for partnership in (day, month, undated):
        partnership.refresh_from_db()
    return day, month, undated


@pytest.mark.parametrize(
    ("prefix", "day", "month"),
    [
        ("", "30. März 2022", "April 2019"),
        ("/ru", "30 марта 2022 г.", "апрель 2019 г."),
        ("/en", "March 30, 2022", "April 2019"),
    ],
    ids=["de", "ru", "en"],
)
def test_the_list_shows_status_since_at_its_precision(client, status_dates, prefix, day, month):
    response = client.get(f"{prefix}/partnerships/", {"q": "Datumsstadt", "sort": "status_since"})
    content = text_of(response)
    rows = re.findall(r"<tr>(.*?)</tr>", content.split("<tbody>")[1], re.DOTALL)
    assert len(rows) == 3
    assert f'<time datetime="2019-04">{month}</time>' in rows[0]
    assert f'<time datetime="2022-03-30">{day}</time>' in rows[1]
    assert "<time" not in rows[2]  # undated: the cell stays empty
    descending = client.get(
        f"{prefix}/partnerships/", {"q": "Datumsstadt", "sort": "-status_since"}
    )
    assert [p.pk for p in descending.context["object_list"]] == [
        p.pk for p in (status_dates[0], status_dates[1], status_dates[2])
    ]


def test_the_undated_filter_is_status_undated(client, status_dates):
    response = client.get("/partnerships/", {"status_dated": "undated", "per_page": 100})
    assert response.status_code == 200
    expected = set(public_partnerships().status_undated().values_list("pk", flat=True))
    assert {
        p.pk for p in all_rows(client, "/partnerships/", {"status_dated": "undated"})
    } == expected
    assert status_dates[2].pk in expected
    dated = {p.pk for p in all_rows(client, "/partnerships/", {"status_dated": "dated"})}
    assert dated == set(
        public_partnerships().filter(status_since__isnull=False).values_list("pk", flat=True)
    )
    options = {
        o.value: o.count for o in facet(client.get("/partnerships/"), "status_dated").options
    }
    assert options == {"dated": len(dated), "undated": len(expected)}


def test_the_status_since_years_filter(client, status_dates):
    day, month, _undated = status_dates
    params = {"q": "Datumsstadt"}
    found = client.get("/partnerships/", {**params, "status_since_from": 2020})
    assert [p.pk for p in found.context["object_list"]] == [day.pk]
    found = client.get("/partnerships/", {**params, "status_since_to": 2019})
    assert [p.pk for p in found.context["object_list"]] == [month.pk]
    found = client.get(
        "/partnerships/", {**params, "status_since_from": 2019, "status_since_to": 2022}
    )
    assert {p.pk for p in found.context["object_list"]} == {day.pk, month.pk}
    assert client.get("/partnerships/", {"status_since_from": "zwei"}).status_code == 400
    assert 'name="status_since_from"' in text_of(client.get("/partnerships/"))


def test_the_page_shows_status_since_and_every_event_at_its_precision(client, status_dates):
    _day, month, undated = status_dates
    StatusEventFactory(
        partnership=month, status="", date=datetime.date(1991, 1, 1), date_precision="year"
    )
    content = text_of(client.get(f"/en{month.get_absolute_url()}"))
    assert '<dt>Status since</dt><dd><time datetime="2019-04">April 2019</time></dd>' in content
    timeline = re.search(r'<ol class="timeline">(.*?)</ol>', content, re.DOTALL).group(1)
    entries = re.findall(r"<li>(.*?)</li>", timeline, re.DOTALL)
    assert len(entries) == 2
    assert '<time datetime="1991">1991</time>' in entries[0]
    assert "founded (treaty signed)" in entries[0]
    assert '<time datetime="2019-04">April 2019</time>' in entries[1]
    assert "status-suspended" in entries[1]
    german = text_of(client.get(f"/partnerships/{undated.slug}/"))
    assert "<dt>Status seit</dt><dd>keine datierte Quelle</dd>" in german


def test_a_municipality_row_shows_each_cell_as_the_reader_reads_it(client):
    """The name the reader reads with the official name after it where they differ (in its
    own language), the country, the region or a dash, the kind; every cell named for a phone."""
    russian = RussianMunicipalityFactory(name="Зеттельград", name_de="Settelgrad")
    german = MunicipalityFactory(name="Zettelstadt", region=None)
    page = client.get("/municipalities/", {"q": "Zettel"})
    assert list_row(page, "Settelgrad") == [
        f'<a href="{russian.get_absolute_url()}">Settelgrad</a> '
        '<small lang="ru">Зеттельград</small>',
        "Russland",
        "Oblast Kaliningrad",
        "Stadt oder Gemeinde",
    ]
    assert list_row(page, "Zettelstadt") == [
        f'<a href="{german.get_absolute_url()}">Zettelstadt</a>',
        "Deutschland",
        "–",
        "Stadt oder Gemeinde",
    ]
    for label in ("Staat", "Region", "Art"):
        assert f'data-label="{label}"' in page.content.decode()
