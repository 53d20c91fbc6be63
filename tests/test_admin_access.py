"""The admin is closed to the public, and editors cannot delete anything.

Unpublishing is the workflow, so no editor may delete a record, an inline row or a list of
records; the public reaches no admin page other than the login and can post to none.
"""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from partnerships.models import Municipality, Partnership, Suggestion
from tests.factories import SuggestionFactory
from tests.public_pages import admin_url, body

pytestmark = pytest.mark.django_db

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


def test_the_public_cannot_post_to_the_admin(anonymous, secret_drafts):
    partnership = secret_drafts["public_partnership"]
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


def some_object(model):
    """An object of every admin model, made where the starter data has none."""
    obj = model._default_manager.order_by("pk").first()
    if obj is None and model is Suggestion:
        obj = SuggestionFactory(
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
