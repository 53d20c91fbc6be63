"""End-to-end checks of the public lists in Debian's Chromium (fixtures: conftest.py)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from partnerships.changes import StatusNews
from partnerships.models import Municipality, Partnership, Region
from tests.browser.conftest import BOM, follow, query, result_total, row_links

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- Tests ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "slug"),
    [
        ("Волгоград", "Волгоград", "volgograd"),
        ("Nizhny Novgorod", "Нижний Новгород", "nizhniy-novgorod"),
        ("Nischni Nowgorod", "Нижний Новгород", "nizhniy-novgorod"),
    ],
)
def test_search_from_home_page_finds_town_in_any_spelling(page: Page, site, text, name, slug):
    town = Municipality.objects.get(name=name)
    assert town.slug == slug
    page.goto(f"{site}/")
    expect(page.locator("html")).to_have_attribute("lang", "de")

    box = page.locator("#home-q")
    expect(box).to_have_attribute("type", "search")
    box.fill(text)
    page.locator("form[role=search]").filter(has=box).locator("[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/municipalities/\?"))
    assert query(page)["q"] == [text]
    expect(page.locator("#id_q")).to_have_value(text)
    first = page.locator("table tbody tr").first.get_by_role("link")
    expect(first).to_have_attribute("href", f"/municipalities/{slug}/")
    expect(first).to_have_text(town.name_de)  # German interface: Wolgograd, Nischni Nowgorod

    first.click()
    expect(page).to_have_url(f"{site}/municipalities/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(town.name_de)


def test_two_filters_combine_and_counts_agree(page: Page, site):
    expected = Partnership.objects.filter(
        german_partner__region__code="DE-NW", status="suspended"
    ).count()
    in_land = Partnership.objects.filter(german_partner__region__code="DE-NW").count()
    assert 0 < expected < in_land

    page.goto(f"{site}/partnerships/")
    land = page.locator("#id_german_state")
    expect(land.locator("option[value='DE-NW']")).to_have_text(re.compile(rf"\({in_land}\)$"))
    land.select_option("DE-NW")
    page.locator("#id_status").select_option("suspended")
    page.locator("form.filters [type=submit]").click()

    expect(page).to_have_url(re.compile(r"status=suspended"))
    params = query(page)
    assert params["german_state"] == ["DE-NW"]
    assert params["status"] == ["suspended"]

    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(expected)
    expect(page.locator("#result-count")).to_have_text(re.compile(rf"^\s*{expected}\D"))
    assert result_total(page) == rows.count() == expected

    # Each facet counts under the other filters: both selected options show the total.
    expect(page.locator("#id_german_state")).to_have_value("DE-NW")
    expect(page.locator("#id_status")).to_have_value("suspended")
    expect(page.locator("#id_status option:checked")).to_have_text(re.compile(rf"\({expected}\)$"))
    expect(page.locator("#id_german_state option:checked")).to_have_text(
        re.compile(rf"\({expected}\)$")
    )
    expect(rows.locator(".status")).to_have_count(expected)
    expect(rows.locator(".status.status-suspended")).to_have_count(expected)
    land_name = Region.objects.get(code="DE-NW").name_de  # German interface
    expect(rows.locator("td:nth-child(1) small")).to_have_text([land_name] * expected)


def test_paging_forward_and_back_keeps_the_filters(page: Page, site):
    total = Partnership.objects.filter(kind="official").count()
    assert total > 25

    page.goto(f"{site}/partnerships/?per_page=25&kind=official")
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(25)
    assert result_total(page) == total
    expect(page.locator("a[rel=prev]")).to_have_count(0)
    page.wait_for_load_state()
    first_page = row_links(page)

    follow(page, page.locator("a[rel=next]"), re.compile(r"[?&]page=2(&|$)"))
    params = query(page)
    assert params["page"] == ["2"]
    assert params["kind"] == ["official"]
    assert params["per_page"] == ["25"]
    expect(page.locator("#result-count")).to_contain_text("26–50")
    expect(page.locator("#id_kind")).to_have_value("official")
    expect(rows).to_have_count(25)
    second_page = row_links(page)
    assert not set(first_page) & set(second_page)

    follow(page, page.locator("a[rel=prev]"), re.compile(r"[?&]page=1(&|$)"))
    params = query(page)
    assert params["kind"] == ["official"]
    assert params["per_page"] == ["25"]
    expect(rows).to_have_count(25)
    expect(page.locator("a[rel=prev]")).to_have_count(0)
    assert row_links(page) == first_page


def test_csv_download_holds_the_filtered_rows(page: Page, site):
    expected = Partnership.objects.filter(status="suspended").count()
    page.goto(f"{site}/partnerships/?status=suspended")
    expect(page.locator("#result-count")).to_have_text(re.compile(rf"^\s*{expected}\D"))

    link = page.locator(".export a[href*='export.csv']:not([href*='semicolon'])")
    expect(link).to_have_count(1)
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".csv")
    assert "semicolon" not in download.suggested_filename

    raw = Path(download.path()).read_bytes()
    assert raw.startswith(BOM)
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    assert reader.fieldnames is not None
    assert {"german_partner", "russian_partner_cyrillic", "status"} <= set(reader.fieldnames)
    assert len(rows) == result_total(page) == expected
    assert {row["status"] for row in rows} == {"suspended"}
    assert any(row["russian_partner_cyrillic"] == "Калининград" for row in rows)


def test_language_switch_keeps_page_and_filter(page: Page, site):
    expected = Partnership.objects.filter(status="suspended").count()
    assert Partnership.objects.filter(
        status="suspended", russian_partner__name="Калининград"
    ).exists()
    languages = page.locator("nav.languages")

    def check(language: str, path: str, kaliningrad: str, other: str) -> None:
        expect(page).to_have_url(f"{site}{path}?status=suspended")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("#id_status")).to_have_value("suspended")
        expect(page.locator("table tbody tr")).to_have_count(expected)
        assert result_total(page) == expected
        table = page.locator("table tbody")
        expect(table.get_by_role("link", name=kaliningrad, exact=True).first).to_be_visible()
        expect(table.get_by_role("link", name=other, exact=True)).to_have_count(0)
        expect(languages.locator("a[aria-current=true]")).to_have_text(language.upper())

    page.goto(f"{site}/partnerships/?status=suspended")
    check("de", "/partnerships/", "Kaliningrad", "Калининград")

    languages.get_by_role("link", name="RU", exact=True).click()
    check("ru", "/ru/partnerships/", "Калининград", "Kaliningrad")

    languages.get_by_role("link", name="EN", exact=True).click()
    check("en", "/en/partnerships/", "Kaliningrad", "Калининград")

    languages.get_by_role("link", name="DE", exact=True).click()
    check("de", "/partnerships/", "Kaliningrad", "Калининград")


def test_the_partnership_list_fits_a_phone(page: Page, site):
    """The list has more columns than a phone is wide: each row becomes a card, so
    neither the page nor the table scrolls sideways, and every column stays readable."""
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{site}/partnerships/?sort=-status_since")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("element => element.scrollWidth <= element.clientWidth")
    expect(page.locator("table thead th")).to_have_count(6)  # … status, status since
    since = page.locator("table.cards tbody tr").first.locator("td").nth(5)
    expect(since).to_be_visible()
    assert since.bounding_box()["x"] + since.bounding_box()["width"] <= 390


def test_an_editor_records_a_status_change_that_the_public_sees(page: Page, site):
    from django.contrib.auth.models import User

    User.objects.create_superuser("browser-editor", "b@example.org", "a-long-Browser-pass-42")
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{site}/admin/login/")
    page.fill("#id_username", "browser-editor")
    page.fill("#id_password", "a-long-Browser-pass-42")
    page.locator("[type=submit]").click()
    page.wait_for_load_state()

    # The change page with its status-event inline fits a 1280 px screen.
    page.goto(f"{site}/admin/partnerships/partnership/{partnership.pk}/change/")
    expect(page.locator("#status_events-group")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.goto(f"{site}/admin/partnerships/partnership/?q=Kostroma")
    page.locator(f"input.action-select[value='{partnership.pk}']").check()
    page.locator("select[name=action]").select_option("record_status_change")
    page.locator("button[name=index]").click()
    page.wait_for_load_state()
    expect(page.locator("#id_status")).to_have_value("")  # nothing preselected
    expect(page.locator(".submit-row a.closelink")).to_have_attribute(
        "href", re.compile(r"/admin/partnerships/partnership/")
    )
    page.locator("#id_status").select_option("ended")
    page.fill("#id_date", "2022-03-30")
    page.locator("#id_date_precision").select_option("day")
    page.fill("#id_note", "Ratsbeschluss")
    page.fill("#id_source_url", "https://example.org/beschluss")
    page.locator(".submit-row [type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("ul.messagelist li.success")).to_have_count(1)

    page.goto(f"{site}/en/changes/")
    entry = page.locator("ol.changes li").filter(has=page.locator(".status-news")).first
    event = partnership.status_events.get(note="Ratsbeschluss")
    with translation.override("en"):
        news = StatusNews(
            event.status, event.get_status_display(), event.date, "day", event.source_url
        )
        expect(entry.locator(".status-news")).to_have_text(news.text)
    expect(entry.locator("a[href='https://example.org/beschluss']")).to_have_count(1)
    expect(page.locator("body")).not_to_contain_text("browser-editor")
