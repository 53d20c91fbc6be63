"""No link or redirect of the registry leads to another site, and a forged Host is refused."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tests.public_pages import body

pytestmark = pytest.mark.django_db

OFF_SITE = re.compile(r"""(?:href|action)\s*=\s*["']?\s*(?://|/\\|https?:)""", re.I)


@pytest.mark.parametrize(
    "path",
    ["//evil.example/", "//evil.example/en/partnerships/"],
)
def test_the_language_switch_never_links_to_another_site(anonymous, path):
    """A path starting with // must not turn the language links into //evil.example/... ."""
    response = anonymous.get("/", PATH_INFO=path)
    assert response.status_code == 404
    html = body(response)
    off_site = [href for href in re.findall(r'href="([^"]*)"', html) if "evil.example" in href]
    assert off_site == [], path
    assert not OFF_SITE.search(html), path


def test_no_redirect_leads_to_another_site(anonymous, admin_user):
    for data in [{"language": "en", "next": "//evil.example/"}, {"language": "en"}]:
        response = anonymous.post("/i18n/setlang/", data, HTTP_REFERER="https://evil.example/x")
        assert response.status_code == 302
        assert "evil.example" not in response["Location"]
    login = reverse("admin:login")
    for target in ["//evil.example/", "https://evil.example/", "/\\evil.example/"]:
        client = Client()
        response = client.post(
            f"{login}?next={quote(target)}",
            {"username": admin_user.username, "password": "password", "next": target},
        )
        assert response.status_code == 302
        assert "evil.example" not in response["Location"], target


def test_a_forged_host_header_is_refused(anonymous):
    """Permalinks and export addresses are built from the Host header: only allowed hosts."""
    for url in ["/partnerships/aachen--kostroma/", "/partnerships/export.csv"]:
        assert anonymous.get(url, HTTP_HOST="evil.example").status_code == 400
