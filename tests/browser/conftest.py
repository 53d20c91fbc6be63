"""Fixtures of the end-to-end checks in Debian's Chromium (Playwright) against the live test server.

The live server answers from another thread, so these tests need committed data and run
as transactional tests: after each one pytest-django empties every table. The starter data
that conftest loads once per session is therefore snapshotted (after conftest has loaded
it) and put back whenever a test finds the registry incomplete, and once more after the
module, so the tests that run later in the session see the same registry as before.

Interface texts are not asserted (translations change); elements are found by id, role,
rel or ISO code, and numbers are compared with the database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, connections
from playwright.sync_api import Page, expect

from partnerships.models import Partnership

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
BOM = b"\xef\xbb\xbf"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# --- Browser -------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _django_beside_playwright(playwright) -> Iterator[None]:
    """Let Django use the database while Playwright's event loop runs in this thread.

    Playwright's sync API keeps an event loop running in the main thread from its start
    until the end of the session. Django then refuses database access from this thread
    (SynchronousOnlyOperation) unless DJANGO_ALLOW_ASYNC_UNSAFE is set; the queries are
    synchronous and in the test's own thread, so that is safe. With a running loop,
    Django's per-thread connections are other objects than the ones pytest-django closes
    before it drops the test database, so they are closed here, before Playwright stops.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield
        connections.close_all()


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    """Debian's Chromium; Playwright's own browser download is not available here."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install chromium, or deselect -m 'not browser'"
        )
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture
def page(page: Page, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The page; when the test fails, a full-page screenshot goes to test-results/.

    pytest-playwright records each phase's report on the item (``rep_call``). With
    ``--screenshot=only-on-failure`` on the command line the plugin takes its own
    screenshot, so this one is skipped.
    """
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is None or not report.failed or request.config.getoption("--screenshot") != "off":
        return
    folder = Path(request.config.getoption("--output")).absolute()
    folder.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    page.screenshot(path=folder / f"{name}.png", full_page=True)


# --- The registry's data ---------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    data: str
    counts: dict[str, int]


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model._base_manager.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


def restore(snapshot: Snapshot) -> None:
    """Empty every table, then load the snapshot with its own primary keys."""
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    connection.creation.deserialize_db_from_string(snapshot.data)
    # The rows keep their primary keys: move the sequences past them for later inserts.
    models = apps.get_models(include_auto_created=True)
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="session")
def registry_snapshot(django_db_setup, django_db_blocker) -> Snapshot:
    """The registry as conftest's django_db_setup leaves it (migrations + starter data)."""
    with django_db_blocker.unblock():
        assert Partnership.objects.exists(), "the starter data should be loaded by now"
        return Snapshot(connection.creation.serialize_db_to_string(), table_counts())


@pytest.fixture(scope="module", autouse=True)
def _registry_restored_after_module(registry_snapshot, django_db_blocker) -> Iterator[None]:
    """Runs after the last test's flush, so later tests find the starter data again."""
    yield
    with django_db_blocker.unblock():
        if table_counts() != registry_snapshot.counts:
            restore(registry_snapshot)


@pytest.fixture
def site(live_server, registry_snapshot) -> str:
    """The live server's address, with the full starter data in the database."""
    if table_counts() != registry_snapshot.counts:
        restore(registry_snapshot)
        assert table_counts() == registry_snapshot.counts
    return live_server.url


# --- Helpers -------------------------------------------------------------------------


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def result_total(page: Page) -> int:
    """The number of results that #result-count announces (its first number)."""
    match = re.match(r"\s*(\d+)", page.locator("#result-count").inner_text())
    assert match, page.locator("#result-count").inner_text()
    return int(match.group(1))


def row_links(page: Page) -> list[str | None]:
    links = page.locator("table tbody tr td:first-child a")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def follow(page: Page, link, url: re.Pattern[str]) -> None:
    """Click a link and wait until the new page has loaded completely."""
    link.click()
    expect(page).to_have_url(url)
    page.wait_for_load_state()
