"""Every admin page of every model loads for an editor, with a bounded number of queries."""

import pytest
from django.contrib import admin
from django.urls import reverse

from partnerships.models import Partnership, StatusEvent
from partnerships.vocabulary import Status

pytestmark = pytest.mark.django_db

MODELS = [model for model in admin.site._registry if model._meta.app_label == "partnerships"]
MAX_QUERIES = 20
# Suggestions come from the public only: the admin has no add page for them.
ADDABLE = [model for model in MODELS if model.__name__ != "Suggestion"]


def admin_url(model, view, *args):
    return reverse(f"admin:partnerships_{model._meta.model_name}_{view}", args=args)


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


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_changelist_loads_with_bounded_queries(admin_client, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", ADDABLE, ids=lambda m: m.__name__)
def test_add_page_loads(admin_client, model, django_assert_max_num_queries):
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_change_page_loads(admin_client, model, django_assert_max_num_queries):
    obj = model.objects.order_by("pk").first()
    if obj is None:  # the starter data has no suggestion: make one
        from partnerships.models import Suggestion

        obj = Suggestion.objects.create(
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
    url = admin_url(Partnership, "change", partnership.pk)
    page = admin_client.get(url)
    form = page.context["adminform"].form
    data = {
        key: value
        for key, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    data.update(
        german_partner=partnership.german_partner_id,
        russian_partner=partnership.russian_partner_id,
        since_year=partnership.since_year or "",
        version_seen=partnership.version,
    )
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = management.initial["TOTAL_FORMS"]
        data[f"{prefix}-INITIAL_FORMS"] = management.initial["INITIAL_FORMS"]
        for index, inline_form in enumerate(formset.formset.initial_forms):
            for name, field in inline_form.fields.items():
                value = inline_form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                if value is not None:
                    data[f"{prefix}-{index}-{name}"] = value
    events = "status_events"
    total = int(data[f"{events}-TOTAL_FORMS"])
    data[f"{events}-TOTAL_FORMS"] = total + 1
    data[f"{events}-{total}-date"] = "2025-06-01"
    data[f"{events}-{total}-status"] = Status.ENDED
    data[f"{events}-{total}-note"] = "Ratsbeschluss"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    partnership.refresh_from_db()
    assert partnership.status == Status.ENDED
    assert StatusEvent.objects.filter(partnership=partnership, note="Ratsbeschluss").exists()
