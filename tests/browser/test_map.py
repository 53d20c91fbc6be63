"""End-to-end checks of the map in Debian's Chromium (fixtures: conftest.py): it draws
exactly the list's partnerships, with nothing from another site, by keyboard too."""

from __future__ import annotations

import re
from urllib.parse import urlencode, urlsplit

import pytest
from django.db.models import Q
from django.utils import translation
from playwright.sync_api import ConsoleMessage, Page, Route, expect

from partnerships.models import Partnership
from tests.browser.conftest import query as query_of
from tests.browser.conftest import result_total

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINES = ".leaflet-overlay-pane path.partnership-line"


def offline(page: Page, site: str) -> list[str]:
    """Abort every request to another host, as with the network off; returns their URLs."""
    host = urlsplit(site).netloc
    refused: list[str] = []

    def route(route: Route) -> None:
        if urlsplit(route.request.url).netloc == host:
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", route)
    return refused


def console(page: Page) -> list[str]:
    messages: list[str] = []

    def note(message: ConsoleMessage) -> None:
        messages.append(f"{message.type}: {message.text}")

    page.on("console", note)
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    return messages


def open_map(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator("#map")).to_have_attribute("data-state", "drawn", timeout=15_000)


def js_number(value: float) -> str:
    """A number as JavaScript's String() writes it (5, 5.5)."""
    return str(int(value)) if value == int(value) else str(value)


def unplaced(params: dict) -> int:
    queryset = Partnership.objects.published()
    if "german_state" in params:
        queryset = queryset.filter(german_partner__region__code=params["german_state"])
    if "status" in params:
        queryset = queryset.filter(status=params["status"])
    return queryset.filter(
        Q(german_partner__latitude__isnull=True) | Q(russian_partner__latitude__isnull=True)
    ).count()


@pytest.mark.parametrize(
    "params",
    [{"german_state": "DE-NW"}, {"german_state": "DE-NW", "status": "suspended"}, {}],
    ids=lambda p: urlencode(p) or "all",
)
def test_the_map_draws_exactly_the_lists_partnerships(page: Page, site, params):
    query = urlencode(params)
    page.goto(f"{site}/partnerships/?{query}")
    listed = result_total(page)
    assert listed > 0

    messages = console(page)
    refused = offline(page, site)
    open_map(page, f"{site}/map/?{query}")

    lines = page.locator(LINES)
    not_drawn = unplaced(params)
    expect(lines).to_have_count(listed - not_drawn)
    assert lines.count() + not_drawn == listed
    assert page.locator("#map").get_attribute("data-drawn-lines") == str(lines.count())
    assert page.locator("#map").get_attribute("data-unplaced") == str(not_drawn)
    assert page.locator("#map-count").get_attribute("data-total") == str(listed)
    assert page.locator(".leaflet-overlay-pane path.land").count() > 10
    assert not refused
    assert not [m for m in messages if "Refused to" in m or m.startswith("pageerror")]

    # "Show as list" leads back to the same filters.
    page.locator("#list-link").click()
    expect(page).to_have_url(re.compile(r"/partnerships/"))
    assert query_of(page) == {key: [value] for key, value in params.items()}
    assert result_total(page) == listed


def test_a_line_opens_its_record(page: Page, site):
    open_map(page, f"{site}/map/?q=Aachen")
    line = page.locator(LINES).first
    partnership = Partnership.objects.get(pk=line.get_attribute("data-partnership"))
    line.click(force=True)
    with translation.override("de"):  # the German page's links (no language prefix)
        url = partnership.get_absolute_url()
    link = page.locator(".leaflet-popup-content a").first
    expect(link).to_have_attribute("href", url)
    link.click()
    expect(page).to_have_url(f"{site}{url}")


def test_the_map_works_by_keyboard(page: Page, site):
    # Two towns far apart: neither is clustered with another.
    open_map(page, f"{site}/map/?q=Aachen&status=suspended")
    assert page.locator(LINES).count() == 1

    the_map = page.locator("#map")
    the_map.focus()
    expect(the_map).to_be_focused()
    page.wait_for_timeout(500)  # fitting the bounds may still be animated
    before = float(the_map.get_attribute("data-zoom"))
    page.keyboard.press("+")
    expect(the_map).to_have_attribute("data-zoom", js_number(before + 1))
    page.keyboard.press("-")
    expect(the_map).to_have_attribute("data-zoom", js_number(before))

    for _ in range(12):
        page.keyboard.press("Tab")
        focused = page.evaluate("() => document.activeElement.className")
        if "town-marker" in str(focused):
            break
    else:
        pytest.fail("Tab never reached a town")
    expect(page.locator(".town-marker:focus")).to_have_attribute("role", "button")
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    # The popup's first link, the town's own page, has the focus.
    expect(page.locator(".leaflet-popup-content a").first).to_be_focused()
    expect(popup.locator("ul a")).to_have_count(1)
    # Escape closes it and gives the focus back to the town.
    page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(page.locator(".town-marker:focus")).to_have_count(1)


def test_the_map_speaks_the_readers_language(page: Page, site):
    open_map(page, f"{site}/ru/map/?q=Aachen&status=suspended")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.locator(LINES).first.click(force=True)
    expect(page.locator(".leaflet-popup-content")).to_contain_text("Кострома")


def test_a_phone_sees_the_map_without_sideways_scrolling(page: Page, site):
    page.set_viewport_size({"width": 320, "height": 640})
    open_map(page, f"{site}/ru/map/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    box = page.locator("#map").bounding_box()
    assert box and box["height"] >= 300 and box["width"] <= 320
