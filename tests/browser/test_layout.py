"""Every public page on a phone and a desktop, in every language, in Debian's Chromium.

Nothing may be wider than the screen (the page would scroll sideways), and the strict
Content Security Policy must not have refused anything (Chromium logs "Refused to …").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Browser, Page, expect

from partnerships.models import Appeal, Initiative, Partnership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("de", "ru", "en")
PHONE = {"width": 390, "height": 844}
SMALL_PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


def public_addresses(language: str) -> list[str]:
    """One address of every kind of public page (a filtered list, too) in ``language``."""
    partnership = Partnership.objects.published().order_by("pk").first()
    municipality = partnership.russian_partner
    initiative = Initiative.objects.published().order_by("pk").first()
    appeal = Appeal.objects.filter(is_published=True).order_by("pk").first()
    with translation.override(language):
        return [
            reverse("partnerships:home"),
            reverse("partnerships:about"),
            reverse("partnerships:changes"),
            reverse("partnerships:statistics"),
            reverse("partnerships:map"),
            reverse("partnerships:partnership-list"),
            reverse("partnerships:partnership-list") + "?status=suspended&german_state=DE-NW",
            partnership.get_absolute_url(),
            reverse("partnerships:partnership-suggest", args=[partnership.slug]),
            reverse("partnerships:municipality-list"),
            municipality.get_absolute_url(),
            reverse("partnerships:initiative-list"),
            initiative.get_absolute_url(),
            reverse("partnerships:signatory-list"),
            appeal.get_absolute_url(),
            reverse("partnerships:municipality-list") + "?q=zzzzqx",
        ]


@pytest.fixture
def screen(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page of the size the test is parametrised with, collecting console messages."""
    context = browser.new_context(viewport=request.param)
    page = context.new_page()
    page.console_messages = []  # type: ignore[attr-defined]
    page.on("console", lambda message: page.console_messages.append(message.text))
    yield page
    context.close()


def overflow(page: Page) -> dict:
    """How wide the page is against the screen, and the first elements that stick out."""
    return page.evaluate(
        """() => ({
            width: document.documentElement.scrollWidth,
            screen: window.innerWidth,
            wide: [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .slice(0, 3)
                .map(e => e.tagName.toLowerCase() + '.' + e.className),
        })"""
    )


def visit_every_page(page: Page, site: str, language: str) -> list[str]:
    """Open every public page; the problems found, one line each."""
    problems = []
    for address in public_addresses(language):
        page.console_messages.clear()
        response = page.goto(site + address)
        page.wait_for_load_state("networkidle")
        if response is None or response.status != 200:
            problems.append(f"{address}: answered {response and response.status}")
        measured = overflow(page)
        if measured["width"] > measured["screen"]:
            problems.append(f"{address}: {measured['width']} px wide on {measured['screen']}")
            problems.append(f"    sticking out: {measured['wide']}")
        refused = [text for text in page.console_messages if "Refused to" in text]
        problems.extend(f"{address}: {text}" for text in refused)
    return problems


@pytest.mark.parametrize("screen", [PHONE], indirect=True, ids=["390px"])
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_public_page_is_wider_than_a_phone_or_refused_by_the_csp(screen, site, language):
    assert visit_every_page(screen, site, language) == []


@pytest.mark.parametrize("screen", [SMALL_PHONE, DESKTOP], indirect=True, ids=["320px", "1280px"])
def test_the_russian_pages_fit_a_small_phone_and_a_desktop(screen, site):
    """Russian labels are the longest; 320 px is the narrowest screen the registry supports."""
    assert visit_every_page(screen, site, "ru") == []


@pytest.mark.parametrize("screen", [PHONE], indirect=True, ids=["390px"])
def test_on_a_phone_the_results_come_first_and_the_filters_wait_behind_a_disclosure(screen, site):
    page = screen
    page.goto(site + reverse("partnerships:partnership-list") + "?status=suspended")
    panel = page.locator("details.filter-panel")
    expect(panel).not_to_have_attribute("open", "")
    expect(page.locator("#id_german_state")).to_be_hidden()
    # The closed disclosure says that a filter is set.
    expect(panel.locator("summary .active-filters")).to_contain_text("1")
    # The first result is within the first screen, with its status visible on the card.
    first_card = page.locator("table.cards tbody tr").first
    assert first_card.bounding_box()["y"] < PHONE["height"]
    status = first_card.locator(".status")
    expect(status).to_be_visible()
    assert status.bounding_box()["x"] + status.bounding_box()["width"] <= PHONE["width"]
    # The disclosure opens without JavaScript's help (a plain <details>).
    panel.locator("summary").click()
    expect(page.locator("#id_german_state")).to_be_visible()


@pytest.mark.parametrize("screen", [DESKTOP], indirect=True, ids=["1280px"])
def test_on_a_desktop_the_filters_stand_open_beside_the_results(screen, site):
    page = screen
    page.goto(site + reverse("partnerships:partnership-list"))
    expect(page.locator("#id_german_state")).to_be_visible()
    filters = page.locator("details.filter-panel").bounding_box()
    results = page.locator("#results").bounding_box()
    assert filters["x"] + filters["width"] <= results["x"]
    # "Skip to results" (shown when it has the keyboard's focus) leads past the filters.
    skip = page.locator("a.skip[href='#results']")
    skip.focus()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("#results")).to_be_focused()


@pytest.mark.parametrize("screen", [SMALL_PHONE], indirect=True, ids=["320px"])
def test_a_long_town_name_in_a_heading_breaks_instead_of_widening_the_page(screen, site):
    from tests.factories import PartnershipFactory

    partnership = PartnershipFactory(
        german_partner__name="Niederwerchneschtschitogradshausen",
        russian_partner__name_de="Werchneschtschitogradskoje-Nowoselskoje",
        russian_partner__name_en="Verkhneshchitogradskoye-Novoselskoye",
    )
    for language in LANGUAGES:
        with translation.override(language):
            address = partnership.get_absolute_url()
        screen.goto(site + address)
        assert overflow(screen)["width"] <= SMALL_PHONE["width"], (language, overflow(screen))
