"""Every admin page of every model loads for an editor, with a bounded number of queries."""

import datetime
import html
import re

import pytest
from django.contrib import admin

from partnerships.models import Partnership, StatusEvent
from partnerships.vocabulary import Status
from tests.editing import add_inline_row, change_form_data, record_status_change
from tests.factories import ClaimFactory, PartnershipFactory, StatusEventFactory, SuggestionFactory
from tests.public_pages import admin_url

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label == "partnerships"]
MAX_QUERIES = 20
# Suggestions come from the public only: the admin has no add page for them.
ADDABLE = [model for model in MODELS if model.__name__ != "Suggestion"]


def test_every_domain_model_is_in_the_admin():
    names = {model.__name__ for model in MODELS}
    assert names >= {
        "Region",
        "Municipality",
        "AlternativeName",
        "Partnership",
        "PartnershipSource",
        "StatusEvent",
        "Initiative",
        "Appeal",
        "Signatory",
    }


@pytest.mark.parametrize(
    ("view", "model"),
    [*(("changelist", model) for model in MODELS), *(("add", model) for model in ADDABLE)],
    ids=lambda value: getattr(value, "__name__", value),
)
def test_every_list_and_add_page_opens_within_the_query_budget(
    admin_client, view, model, django_assert_max_num_queries
):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(admin_url(model, view))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_change_page_opens_within_the_query_budget(
    admin_client, model, django_assert_max_num_queries
):
    obj = model.objects.order_by("pk").first()
    if obj is None:  # the starter data has no suggestion: make one
        obj = SuggestionFactory(
            record=Partnership.objects.first(), page_url="/partnerships/x/", message="Tippfehler"
        )
    assert obj is not None
    with django_assert_max_num_queries(MAX_QUERIES + 10):
        response = admin_client.get(admin_url(model, "change", obj.pk))
    assert response.status_code == 200


def test_changelists_show_the_starter_data(admin_client):
    from partnerships.models import Initiative, Municipality

    def count(model, **params):
        return admin_client.get(admin_url(model, "changelist"), params).context["cl"].result_count

    assert count(Partnership) == 120
    assert count(Municipality, country__exact="DE") == 108
    assert count(Municipality, country__exact="RU") == 95
    assert count(Initiative) == 154


def test_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = admin_url(Partnership, "changelist")
    with CaptureQueriesContext(connection) as few:
        admin_client.get(url, {"q": "Aachen"})
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)


def test_status_event_inline_sets_the_status(admin_client):
    partnership = Partnership.objects.get(german_partner__name="Aachen")
    url, data = change_form_data(admin_client, partnership)
    add_inline_row(
        data,
        "status_events",
        date="2025-06-01",
        date_precision="day",
        status=Status.ENDED,
        note="Ratsbeschluss",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    partnership.refresh_from_db()
    assert partnership.status == Status.ENDED
    assert StatusEvent.objects.filter(partnership=partnership, note="Ratsbeschluss").exists()


# --- editors' worklists: undated status, conflicting sources ---------------------------


def changelist(client, **params):
    return client.get(admin_url(Partnership, "changelist"), params)


@pytest.fixture
def disputed():
    """A partnership whose sources disagree on the kind, the year and the status."""
    partnership = PartnershipFactory(kind_wording="Städtepartnerschaft")
    ClaimFactory(
        partnership=partnership,
        source="https://www.stadt.example/partner",
        kind="official",
        kind_wording="Städtepartnerschaft",
        since_year=1991,
    )
    ClaimFactory(
        partnership=partnership,
        source="https://de.wikipedia.org/wiki/Liste",
        kind="friendship",
        kind_wording="Städtefreundschaft",
        since_year=1989,
    )
    for status, source in [
        (Status.SUSPENDED, "https://a.example/"),
        (Status.ACTIVE, "https://b.example/"),
    ]:
        StatusEventFactory(
            partnership=partnership,
            status=status,
            date=datetime.date(2022, 3, 1),
            date_precision="month",
            by_editor=False,
            source_url=source,
        )
    partnership.refresh_from_db()
    partnership.refresh_status()
    assert partnership.has_unresolved_conflicts
    return partnership


def test_the_undated_worklist_is_status_undated(admin_client):
    undated = PartnershipFactory()
    StatusEventFactory(partnership=undated, status=Status.SUSPENDED, date=None, by_editor=False)
    dated = PartnershipFactory()
    StatusEventFactory(partnership=dated, date=datetime.date(2022, 3, 30), by_editor=False)
    listed = changelist(admin_client, status_since="undated").context["cl"]
    pks = set(listed.queryset.values_list("pk", flat=True))
    assert pks == set(Partnership.objects.status_undated().values_list("pk", flat=True))
    assert undated.pk in pks and dated.pk not in pks
    dated_pks = changelist(admin_client, status_since="dated").context["cl"].queryset
    assert dated.pk in set(dated_pks.values_list("pk", flat=True))


def test_the_conflict_worklist_flags_and_lists_the_disputed(admin_client, disputed):
    response = changelist(admin_client, conflicts="unresolved")
    pks = set(response.context["cl"].queryset.values_list("pk", flat=True))
    assert pks == set(Partnership.objects.with_unresolved_conflicts().values_list("pk", flat=True))
    assert disputed.pk in pks
    text = response.content.decode()
    assert 'class="conflict-flag"' in text
    assert "Status" in text  # the status column carries "since" beneath it
    assert "März 2022" in text


def test_the_change_page_shows_each_conflict_with_its_sources(admin_client, disputed):
    page = admin_client.get(admin_url(Partnership, "change", disputed.pk))
    text = html_text(page.content.decode())
    for shown in [
        "Freundschaft (https://de.wikipedia.org/wiki/Liste)",
        "offizielle Partnerschaft (Partnerschaftsvertrag) (https://www.stadt.example/partner)",
        "1989 (https://de.wikipedia.org/wiki/Liste)",
        "Status, Stand März 2022",
        "ruht (https://a.example/)",
        "aktiv (https://b.example/)",
        "Noch nicht geprüft.",
    ]:
        assert shown in text, shown
    assert "[[" not in text  # no raw JSON


def test_marking_conflicts_reviewed_takes_them_off_the_worklist(admin_client, disputed):
    versions = disputed.history.count()
    data = {"action": "mark_conflicts_reviewed", "_selected_action": [disputed.pk]}
    assert admin_client.post(admin_url(Partnership, "changelist"), data).status_code == 302
    disputed.refresh_from_db()
    assert disputed.conflicts_reviewed == disputed.conflicts
    assert not disputed.has_unresolved_conflicts
    assert disputed.history.count() == versions + 1
    assert disputed.history.latest().history_user.username == "admin"
    unresolved = changelist(admin_client, conflicts="unresolved").context["cl"].queryset
    assert disputed.pk not in set(unresolved.values_list("pk", flat=True))
    reviewed = changelist(admin_client, conflicts="reviewed").context["cl"].queryset
    assert disputed.pk in set(reviewed.values_list("pk", flat=True))


def test_a_field_the_editor_changes_is_protected_from_files(admin_client, disputed):
    """The editor sets the kind; the sources still say otherwise, the kind stays."""
    url, data = change_form_data(admin_client, disputed)
    data["kind"] = "contact"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")
    disputed.refresh_from_db()
    assert "kind" in disputed.decided_fields
    assert "since_year" not in disputed.decided_fields
    disputed.refresh_status()
    disputed.refresh_from_db()
    assert disputed.kind == "contact"
    page = admin_client.get(url).content.decode()
    assert "Von der Redaktion festgelegt" in page or "decided by an editor" in page.lower()


def html_text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment)).replace("  ", " ")


# --- the change page: inline rows with names, a founding event, narrow rows --------------


def test_inline_rows_are_labelled_with_names(admin_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    StatusEventFactory(
        partnership=partnership, status="", date=datetime.date(2005, 6, 12), by_editor=False
    )
    text = admin_client.get(admin_url(Partnership, "change", partnership.pk)).content.decode()
    assert "Initiative_partnerships object" not in text

    def labels(group: str) -> list[str]:
        fieldset = re.search(rf'id="{group}-group".*?</fieldset>', text, re.DOTALL).group(0)
        found = re.findall(r'<td class="original">\s*<p>\s*(.*?)\s*</p>', fieldset, re.DOTALL)
        return [html.unescape(label) for label in found]

    assert sorted(labels("Initiative_partnerships")) == sorted(
        initiative.name for initiative in partnership.initiatives.all()
    )
    assert "12. Juni 2005: gegründet (Vertrag unterzeichnet) · aus einer importierten Datei" in (
        labels("status_events")
    )


def test_a_founding_event_is_a_choice_of_its_own_never_preselected(admin_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    page = admin_client.get(admin_url(Partnership, "change", partnership.pk))
    extra = page.context["inline_admin_formsets"][0].formset.forms[-1]
    assert extra["status"].value() in (None, "")
    assert ("founded", "gegründet (Vertrag unterzeichnet)") in [
        (value, str(label)) for value, label in extra.fields["status"].choices
    ]
    url, data = change_form_data(admin_client, partnership)
    add_inline_row(data, "status_events", date="2005-06-12", date_precision="day", status="founded")
    assert admin_client.post(url, data).status_code == 302
    event = partnership.status_events.get(date=datetime.date(2005, 6, 12))
    assert event.status == "" and event.by_editor
    # A row with a date but no status chosen is refused, not saved as a founding event.
    url, data = change_form_data(admin_client, partnership)
    add_inline_row(data, "status_events", date="2006-01-01", date_precision="day")
    assert admin_client.post(url, data).status_code == 200
    assert not partnership.status_events.filter(date=datetime.date(2006, 1, 1)).exists()


# --- the history of a record --------------------------------------------------------


def test_the_history_names_reasons_editors_and_changed_fields(admin_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    record_status_change(admin_client, [partnership], status=Status.ENDED, date="2022-03-30")
    response = admin_client.get(admin_url(Partnership, "history", partnership.pk))
    text = html.unescape(response.content.decode())
    assert "None" not in text
    for title in [
        "Version",
        "Datum und Uhrzeit",
        "Aktion",
        "Geändert von",
        "Grund",
        "Was sich geändert hat",
    ]:
        assert f">{title}</th>" in text, title
    assert "Import von partnerships-de-ru.csv" in text
    assert "Status:</strong> ruht\xa0→ beendet" in text
    assert "Status seit:</strong> –\xa0→ 30. März 2022" in text
    english = admin_client.get(
        admin_url(Partnership, "history", partnership.pk), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "None" not in english.content.decode()


def test_the_status_change_form_looks_like_the_admin_and_preselects_nothing(admin_client):
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    url = admin_url(Partnership, "changelist")
    response = admin_client.post(
        url + "?status__exact=suspended",
        {"action": "record_status_change", "_selected_action": [partnership.pk]},
    )
    text = response.content.decode()
    form = response.context["form"]
    assert form["status"].value() in (None, "")
    assert form.fields["status"].required
    assert form.fields["status"].choices[0] == ("", "---------")
    assert '<option value="" selected>---------</option>' in text
    assert 'name="date_precision"' in text
    assert 'class="form-row' in text and 'class="submit-row"' in text
    assert f'<a href="{url}?status__exact=suspended" class="closelink">Abbrechen</a>' in text
    refused = record_status_change(admin_client, [partnership], date="2022-03-30")
    assert refused.status_code == 200
    assert set(refused.context["form"].errors) == {"status"}
