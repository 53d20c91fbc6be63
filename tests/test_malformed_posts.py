"""Oversized or malformed posts to the correction form answer 400 or 413, never 500."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.test import Client

from partnerships.models import Partnership, Suggestion
from tests.public_pages import csrf_token, de

pytestmark = pytest.mark.django_db

TEN_MB = 10 * 1024 * 1024
FORM = "application/x-www-form-urlencoded"
BOUNDARY = "----registry-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


def multipart(fields: dict[str, str]) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


MALFORMED = {
    "10 MB message, urlencoded": (FORM, b"message=" + b"A" * TEN_MB),
    "10 MB message, multipart": (MULTIPART, multipart({"message": "A" * TEN_MB})),
    "10 MB of one unnamed field": (FORM, b"x" * TEN_MB),
    "message over 4000 characters": (FORM, b"message=" + b"A" * 4001),
    "NUL in the message": (FORM, b"message=Tipp%00fehler"),
    "raw NUL in the body": (FORM, b"message=Tipp\x00fehler"),
    "NUL in the name": (FORM, b"message=Tippfehler&sender_name=Er%00ika"),
    "NUL in the e-mail address": (FORM, b"message=Tippfehler&sender_email=a%00@example.org"),
    "NUL in the source": (FORM, b"message=Tippfehler&source_url=https://exa%00mple.org/"),
    "NUL in a field name": (FORM, b"mess%00age=Tippfehler"),
    "NUL in the message, multipart": (MULTIPART, multipart({"message": "Tipp\x00fehler"})),
    "5000 fields": (FORM, "&".join(f"f{i}=x" for i in range(5000)).encode()),
    "broken multipart": (MULTIPART, f"--{BOUNDARY}\r\nContent-Disposition: form-da".encode()),
    "multipart without boundary": ("multipart/form-data", b"message=Tippfehler"),
    "multipart with a bad boundary": ("multipart/form-data; boundary=\x00", b"--\x00\r\n"),
    "JSON instead of a form": ("application/json", b'{"message": "Tippfehler"}'),
    "empty body": (FORM, b""),
}


@pytest.mark.parametrize("case", list(MALFORMED))
@pytest.mark.parametrize("enforce_csrf", [False, True], ids=["no-csrf-check", "csrf-check"])
def test_a_malformed_suggestion_is_refused_with_400_or_413(case, enforce_csrf):
    content_type, data = MALFORMED[case]
    client = Client(enforce_csrf_checks=enforce_csrf, raise_request_exception=False)
    url = de(Partnership.objects.get(slug="aachen--kostroma")) + "suggest/"
    extra = {}
    if enforce_csrf:
        extra["headers"] = {"X-CSRFToken": csrf_token(client, url)}
    response = client.post(url, data, content_type=content_type, **extra)
    assert response.status_code in {400, 413}, (case, response.status_code)
    assert not Suggestion.objects.exists()


def test_odd_but_wellformed_bytes_do_not_break_the_form(anonymous):
    """Invalid UTF-8 is decoded with replacement characters; control characters are text."""
    url = de(Partnership.objects.get(slug="aachen--kostroma")) + "suggest/"
    odd = [
        b"message=%FF%FE%C0%AF%ED%A0%80",
        b"message=\xff\xfe\xc0\xaf",
        b"%FF=%FF",
        b"message=%01%02%03%1b%7f",
        b"message=%E2%80%AE%E2%80%8B",
    ]
    for data in odd:
        caches["default"].clear()
        response = anonymous.post(url, data, content_type=FORM)
        assert response.status_code in {303, 400}, (data, response.status_code)
