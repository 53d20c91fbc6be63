"""Production settings, security headers, health check, error pages, read replica, logs."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, connections
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import translation

ROOT = Path(__file__).resolve().parent.parent


def production_env(**extra) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        PRODUCTION="1",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="registry.example.org",
        DJANGO_SETTINGS_MODULE="twinning.settings",
    )
    env.update(extra)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_silent_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_debug():
    result = manage("check", env=production_env(DEBUG="1"))
    assert result.returncode != 0
    assert "DEBUG must be off" in result.stderr


def test_production_logs_are_json_lines():
    code = "import logging; logging.getLogger('twinning.test').warning('registry up')"
    result = manage("shell", "-c", code, env=production_env())
    lines = [line for line in result.stderr.splitlines() if "registry up" in line]
    assert lines, result.stderr
    record = json.loads(lines[-1])
    assert record["message"] == "registry up"
    assert record["level"] == "WARNING"
    assert record["logger"] == "twinning.test"


PUBLIC = [
    "/",
    "/partnerships/",
    "/ru/municipalities/",
    "/partnerships/export.csv",
    "/partnerships/no-such-partnership/",
    "/admin/login/",
    "/healthz",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC)
def test_security_headers_are_on_every_response(url):
    response = Client().get(url)
    csp = response["Content-Security-Policy"]
    assert "object-src 'none'" in csp
    assert "base-uri 'none'" in csp
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_healthz_checks_the_database(monkeypatch):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}

    def broken_cursor(*args, **kwargs):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("de", "Etwas ist schiefgelaufen"),
        ("ru", "Что-то пошло не так"),
        ("en", "Something went wrong"),
    ],
)
def test_the_500_page_is_friendly_in_each_language(language, text):
    from django.views.defaults import server_error

    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert text in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "text"), [("", "Nicht gefunden"), ("/ru", "Не найдено"), ("/en", "Not found")]
)
def test_the_404_page_is_friendly_in_each_language(prefix, text):
    response = Client().get(f"{prefix}/partnerships/no-such-partnership/")
    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.django_db(databases=["default", "replica"])
def test_public_reads_go_to_the_replica_when_configured(settings):
    from partnerships.models import Partnership
    from twinning.routers import ReplicaRouter

    router = ReplicaRouter()
    assert router.db_for_read(Partnership) is None  # no replica configured
    settings.USE_REPLICA = True
    assert router.db_for_write(Partnership) == "default"
    from django.contrib.auth.models import User

    assert router.db_for_read(User) == "default"  # sessions and users stay on the primary
    with CaptureQueriesContext(connections["replica"]) as replica:
        # Outside the test's transaction, as a web request is.
        connections["default"].in_atomic_block, saved = (
            False,
            connections["default"].in_atomic_block,
        )
        try:
            assert router.db_for_read(Partnership) == "replica"
            count = Partnership.objects.published().count()
        finally:
            connections["default"].in_atomic_block = saved
    assert count == 120
    assert any("partnerships_partnership" in q["sql"] for q in replica.captured_queries)
    # Inside a transaction (an editor's save, an import) reads stay on the primary.
    assert router.db_for_read(Partnership) == "default"


def style_sources(response) -> list[str]:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return directives["style-src"].split()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url", ["/", "/partnerships/", "/ru/statistics/", "/en/map/", "/about/", "/nothing-here/"]
)
def test_public_pages_allow_no_inline_style_or_script(url):
    response = Client().get(url)
    assert style_sources(response) == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/login/", "/ru/admin/login/"])
def test_only_the_admin_may_use_inline_styles(url):
    response = Client().get(url)
    assert style_sources(response) == ["'self'", "'unsafe-inline'"]
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"
