"""The editorial workflow: roles, history and restore, status changes, no lost edits,
duplicate warnings, verification, login lockout, recent changes."""

import datetime
import html
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnerships.models import Municipality, Partnership
from partnerships.models.base import StaleRecordError
from partnerships.vocabulary import Status
from tests.conftest import EDITOR_PASSWORD
from tests.editing import (
    add_inline_row,
    add_municipality,
    change_form_data,
    record_status_change,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:partnerships_partnership_changelist"


def test_create_editor_makes_a_staff_member_of_the_editors_group(editor):
    assert editor.is_staff and not editor.is_superuser
    assert editor.groups.filter(name="Editors").exists()
    assert editor.check_password("a-long-Editor-passphrase-42")


def test_create_editor_refuses_a_weak_password(monkeypatch):
    monkeypatch.setenv("EDITOR_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("create_editor", "weak")
    assert not User.objects.filter(username="weak").exists()


def test_editors_group_may_add_and_change_but_not_delete(editor):
    perms = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    assert {"add_partnership", "change_partnership", "change_suggestion"} <= perms
    assert not any(code.startswith("delete_") for code in perms)
    assert editor.has_perm("partnerships.change_municipality")
    assert not editor.has_perm("partnerships.delete_partnership")


def test_editors_cannot_delete_even_through_the_admin(editor_client):
    partnership = Partnership.objects.first()
    url = reverse("admin:partnerships_partnership_delete", args=[partnership.pk])
    assert editor_client.post(url, {"post": "yes"}).status_code == 403
    assert Partnership.objects.filter(pk=partnership.pk).exists()
    changelist = editor_client.get(reverse(CHANGELIST))
    assert (
        "delete_selected"
        not in changelist.context["action_form"].fields["action"].choices.__repr__()
    )


def test_an_admin_change_is_recorded_with_its_editor_and_can_be_restored(editor_client, editor):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    old_notes = partnership.notes
    url, data = change_form_data(editor_client, partnership, notes="Ruht seit März 2022.")
    assert editor_client.post(url, data).status_code == 302
    latest = partnership.history.latest()
    assert latest.history_user == editor
    assert latest.notes == "Ruht seit März 2022."
    delta = latest.diff_against(latest.prev_record)
    assert "notes" in delta.changed_fields
    # The history page lists it; restoring the previous version brings the old text back.
    history = editor_client.get(
        reverse("admin:partnerships_partnership_history", args=[partnership.pk])
    )
    assert history.status_code == 200
    assert editor.username in history.content.decode()
    revert_url = reverse(
        "admin:partnerships_partnership_simple_history",
        args=[partnership.pk, latest.prev_record.history_id],
    )
    page = editor_client.get(revert_url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    _url, data = change_form_data(editor_client, partnership)
    data.update(
        {"notes": form.initial["notes"], "version_seen": form.fields["version_seen"].initial}
    )
    response = editor_client.post(revert_url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    partnership.refresh_from_db()
    assert partnership.notes == old_notes


def test_the_second_of_two_concurrent_saves_is_refused(editor_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    url, first = change_form_data(editor_client, partnership, notes="Erste Fassung")
    _url, second = change_form_data(editor_client, partnership, notes="Zweite Fassung")
    assert editor_client.post(url, first).status_code == 302
    refused = editor_client.post(url, second)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "Someone else saved this record" in text or "jemand" in text.lower()
    assert url in text  # a link to the newer version
    partnership.refresh_from_db()
    assert partnership.notes == "Erste Fassung"


def test_the_model_refuses_a_save_of_a_stale_copy():
    first = Partnership.objects.get(slug="aachen--kostroma")
    second = Partnership.objects.get(pk=first.pk)
    first.notes = "A"
    first.save()
    second.notes = "B"
    with pytest.raises(StaleRecordError):
        second.save()
    first.refresh_from_db()
    assert first.notes == "A"


def test_status_change_action_records_a_dated_event_shown_publicly(editor_client):
    client = Client()
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    other = Partnership.objects.get(slug="dortmund--rostov-na-donu")
    data = {
        "action": "record_status_change",
        "_selected_action": [partnership.pk, other.pk],
    }
    form_page = editor_client.post(reverse(CHANGELIST), data)
    assert form_page.status_code == 200
    assert "date" in form_page.context["form"].fields
    applied = record_status_change(
        editor_client,
        [partnership, other],
        status=Status.ENDED,
        date="2023-05-11",
        date_precision="day",
        note="Ratsbeschluss vom 11. Mai 2023",
        source_url="https://example.org/ratsbeschluss",
    )
    assert applied.status_code == 302
    for p in (partnership, other):
        p.refresh_from_db()
        assert p.status == Status.ENDED
        event = p.status_events.get(date=datetime.date(2023, 5, 11))
        assert event.source_url == "https://example.org/ratsbeschluss"
    page = client.get("/en/partnerships/aachen--kostroma/").content.decode()
    assert "Ratsbeschluss vom 11. Mai 2023" in page
    assert 'datetime="2023-05-11"' in page
    # The action is recorded in each partnership's history.
    assert partnership.history.count() >= 2


def test_status_change_needs_date_and_source(editor_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    response = record_status_change(
        editor_client,
        [partnership],
        status=Status.ACTIVE,
        date="2999-01-01",
        date_precision="day",
        note="",
        source_url="not a url",
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date", "note", "source_url"}
    partnership.refresh_from_db()
    assert partnership.status == Status.SUSPENDED


def test_bulk_mark_verified_is_recorded_for_each_record(editor_client, editor):
    overdue = reverse(CHANGELIST) + "?verified_within=overdue"
    listed = editor_client.get(overdue).context["cl"].result_count
    assert listed == Partnership.objects.count()  # nothing verified yet in the starter data
    picks = list(Partnership.objects.filter(needs_verification=True)[:3])
    data = {"action": "mark_verified", "_selected_action": [p.pk for p in picks]}
    assert editor_client.post(reverse(CHANGELIST), data).status_code == 302
    for p in picks:
        p.refresh_from_db()
        assert p.last_verified == timezone.localdate()
        assert not p.needs_verification
        assert p.history.latest().history_user == editor
    assert editor_client.get(overdue).context["cl"].result_count == listed - 3


def test_unpublish_action_hides_a_partnership_from_the_public(editor_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    data = {"action": "unpublish", "_selected_action": [partnership.pk]}
    editor_client.post(reverse(CHANGELIST), data)
    assert Client().get(partnership.get_absolute_url()).status_code == 404
    assert partnership.history.latest().is_published is False


def test_adding_a_town_under_another_spelling_warns_and_links(editor_client):
    town = {"country": "RU", "name": "Petrosawodsk", "slug": "petrosawodsk-2"}
    response = add_municipality(editor_client, **town)
    assert response.status_code == 200
    text = response.content.decode()
    assert set(response.context["adminform"].form.errors) == {"__all__", "confirm_new"}
    existing = Municipality.objects.get(name="Петрозаводск")
    assert reverse("admin:partnerships_municipality_change", args=[existing.pk]) in text
    assert not Municipality.objects.filter(slug="petrosawodsk-2").exists()
    assert add_municipality(editor_client, **town, confirm_new="on").status_code == 302
    assert Municipality.objects.filter(slug="petrosawodsk-2").exists()


def test_login_is_locked_after_repeated_failures(client, editor, settings):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": editor.username, "password": "wrong"})
    locked = client.post(url, {"username": editor.username, "password": EDITOR_PASSWORD})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode() or "fehlgeschlagen" in (
        locked.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_recent_changes_page_and_feed_show_published_changes_without_editors(editor_client, editor):
    client = Client()
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    url, data = change_form_data(editor_client, partnership, notes="Neue Notiz")
    editor_client.post(url, data)
    page = client.get("/en/changes/").content.decode()
    assert partnership.get_absolute_url().join(["/en", ""]) in page or "aachen--kostroma" in page
    assert editor.username not in page and editor.email not in page
    feed = client.get("/changes/feed.atom")
    assert feed["Content-Type"].startswith("application/atom+xml")
    assert "aachen--kostroma" in feed.content.decode()
    assert editor.username not in feed.content.decode()
    # A draft's changes stay out.
    partnership.refresh_from_db()
    partnership.is_published = False
    partnership.save()
    assert "aachen--kostroma" not in client.get("/en/changes/").content.decode()
    assert re.search(r"<entry>", feed.content.decode())


def _edit_notes(partnerships, text):
    for partnership in partnerships:
        partnership.refresh_from_db()
        partnership.notes = text
        partnership.save()


def test_recent_changes_run_the_same_queries_however_many_changes_they_list(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    published = list(Partnership.objects.published().order_by("pk")[:12])
    _edit_notes(published[:2], "Erste Notiz")
    client.get("/en/changes/")  # the language and templates are loaded
    with CaptureQueriesContext(connection) as few:
        client.get("/en/changes/")
    _edit_notes(published, "Zweite Notiz")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/en/changes/")
    assert len(many) == len(few)
    notes = str(Partnership._meta.get_field("notes").verbose_name)
    assert page.content.decode().count(notes) >= 12  # each change names the changed field


# --- status changes on the recent changes and in the feed ----------------------------


def changes_entry(page: str, slug: str) -> str:
    """The first entry of /changes/ that links to this partnership and is a status change."""
    for entry in re.findall(r"<li>(.*?)</li>", page, re.DOTALL):
        if f"/partnerships/{slug}/" in entry and "status-news" in entry:
            return entry
    raise AssertionError(f"no status change of {slug} listed")


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("", "Status geändert zu beendet am 30. März 2022"),
        ("/ru", "статус изменён на «прекращено» 30 марта 2022 г."),
        ("/en", "status changed to ended on March 30, 2022"),
    ],
    ids=["de", "ru", "en"],
)
def test_a_status_change_by_the_action_is_listed_with_date_and_source(
    editor_client, editor, prefix, expected
):
    """It used to appear nowhere: the status is not an editable field, so the history's
    diff of the partnership was empty and the entry was skipped."""
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    response = record_status_change(
        editor_client, [partnership], status=Status.ENDED, date="2022-03-30"
    )
    assert response.status_code == 302
    page = Client().get(f"{prefix}/changes/").content.decode()
    entry = changes_entry(page, "aachen--kostroma")
    assert expected in html_text(entry)
    assert 'href="https://example.org/beschluss"' in entry and "example.org" in entry
    assert editor.username not in page and editor.email not in page


def html_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize(
    ("precision", "date", "stored", "en", "de"),
    [
        ("month", "2022-04-17", datetime.date(2022, 4, 1), "in April 2022", "im April 2022"),
        ("year", "2022-04-17", datetime.date(2022, 1, 1), "in 2022", "im Jahr 2022"),
    ],
)
def test_a_status_change_is_dated_at_its_precision(editor_client, precision, date, stored, en, de):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    record_status_change(
        editor_client, [partnership], status=Status.ACTIVE, date=date, date_precision=precision
    )
    event = partnership.status_events.get(status=Status.ACTIVE)
    assert (event.date, event.date_precision) == (stored, precision)
    partnership.refresh_from_db()
    assert (partnership.status_since, partnership.status_since_precision) == (stored, precision)
    assert en in html_text(
        changes_entry(Client().get("/en/changes/").content.decode(), "aachen--kostroma")
    )
    assert de in html_text(
        changes_entry(Client().get("/changes/").content.decode(), "aachen--kostroma")
    )


def test_the_feed_carries_the_status_change_with_date_and_source(editor_client, editor):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    record_status_change(editor_client, [partnership], status=Status.ENDED, date="2022-03-30")
    feed = Client().get("/en/changes/feed.atom").content.decode()
    entries = re.findall(r"<entry>(.*?)</entry>", feed, re.DOTALL)
    entry = next(e for e in entries if "Kostroma" in e and "#status-event-" in e)
    assert "status changed to ended on March 30, 2022" in entry
    assert "https://example.org/beschluss" in entry
    event = partnership.status_events.get(status=Status.ENDED)
    assert f"#status-event-{event.pk}</id>" in entry
    assert editor.username not in feed
    german = Client().get("/changes/feed.atom").content.decode()
    assert "Status geändert zu beendet am 30. März 2022" in german


def test_a_status_change_in_the_inline_is_listed_and_versioned(editor_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    versions = partnership.history.count()
    url, data = change_form_data(editor_client, partnership)
    add_inline_row(
        data,
        "status_events",
        date="2024-05-02",
        date_precision="day",
        status=Status.ACTIVE,
        note="Wieder aufgenommen",
        source_url="https://example.org/wieder",
    )
    response = editor_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    partnership.refresh_from_db()
    assert partnership.status == Status.ACTIVE
    assert partnership.status_since == datetime.date(2024, 5, 2)
    # The status the events give is in the partnership's history, as after the action.
    latest = partnership.history.latest()
    assert latest.status == Status.ACTIVE
    assert partnership.history.count() == versions + 2
    entry = changes_entry(Client().get("/en/changes/").content.decode(), "aachen--kostroma")
    assert "status changed to active on May 2, 2024" in html_text(entry)


def test_status_events_written_by_an_import_are_listed(db):
    """Imports write status events in bulk, history rows included, not by an editor."""
    from simple_history.utils import bulk_create_with_history

    from partnerships.models import StatusEvent

    partnership = Partnership.objects.get(slug="aachen--kostroma")
    bulk_create_with_history(
        [
            StatusEvent(
                partnership=partnership,
                status="",
                date=datetime.date(2005, 6, 12),
                date_precision="day",
                by_editor=False,
                source_url="https://www.aachen.de/vertrag",
            ),
            StatusEvent(
                partnership=partnership,
                status=Status.SUSPENDED,
                date=datetime.date(2022, 3, 1),
                date_precision="month",
                by_editor=False,
                source_url="https://www.aachen.de/rat",
            ),
        ],
        StatusEvent,
        default_change_reason="import status-events.csv",
    )
    page = html_text(Client().get("/en/changes/").content.decode())
    assert "founded (treaty signed) on June 12, 2005" in page
    assert "status changed to suspended in March 2022" in page


def test_a_status_change_of_a_draft_is_not_listed(editor_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    partnership.is_published = False
    partnership.save()
    record_status_change(editor_client, [partnership], status=Status.ENDED, date="2022-03-30")
    assert partnership.status_events.filter(status=Status.ENDED).exists()
    page = Client().get("/en/changes/").content.decode()
    assert "status changed to ended on March 30, 2022" not in html_text(page)


def test_recent_changes_run_the_same_queries_however_many_status_changes_they_list(
    editor_client,
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    published = list(Partnership.objects.published().order_by("pk")[:12])
    record_status_change(editor_client, published[:1], status=Status.ENDED, date="2022-03-30")
    client.get("/en/changes/")
    with CaptureQueriesContext(connection) as few:
        client.get("/en/changes/")
    record_status_change(editor_client, published, status=Status.ACTIVE, date="2023-01-02")
    with CaptureQueriesContext(connection) as many:
        page = client.get("/en/changes/")
    assert len(many) == len(few)
    assert html_text(page.content.decode()).count("status changed to active on") == 12
