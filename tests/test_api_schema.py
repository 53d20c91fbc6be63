"""The API fuzzed from its own OpenAPI schema (schemathesis, in-process, no network).

The schema is loaded through the WSGI application from ``/api/schema/`` (as a client
would read it); then every operation is called with parameters generated from it, valid
ones and invalid ones: no answer may be a server error, and every answer must conform to
the schema (a documented status code, the documented content type, a body of the
documented shape). Deterministic (``derandomize``) and bounded, so that it runs in the
ordinary suite.

schemathesis' own pytest loader (``schemathesis.pytest.from_fixture``) does not run
under pytest 9 (it sets ``node._nodeid``, which pytest 9 no longer has), so each
operation is a parametrized test of its own driving ``operation.as_strategy()`` with
Hypothesis, which also names the failing operation in the report.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from partnerships.models import Partnership, Signatory
from twinning.wsgi import application

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Every operation of the schema (test_the_schema_has_exactly_these_operations keeps the
# list complete).
OPERATIONS = [
    "/api/v1/partnerships/",
    "/api/v1/partnerships/{slug}/",
    "/api/v1/partnerships.geojson",
    "/api/v1/municipalities/",
    "/api/v1/municipalities/{slug}/",
    "/api/v1/municipalities.geojson",
    "/api/v1/initiatives/",
    "/api/v1/initiatives/{slug}/",
    "/api/v1/signatories/",
    "/api/v1/signatories/{id}/",
    "/api/v1/appeals/",
    "/api/v1/appeals/{slug}/",
]
EXAMPLES = 25


@pytest.fixture
def api_schema(db, settings):
    # Fuzzing is many requests from one address: not what the rate limit is tested for.
    settings.API_RATE = "1000000/m"
    # As Django's test client does: a request must not close the test's connection (and
    # with it the transaction that holds the starter data).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def test_the_schema_has_exactly_these_operations(api_schema):
    found = {
        (result.ok().method.upper(), result.ok().path) for result in api_schema.get_all_operations()
    }
    assert found == {("GET", path) for path in OPERATIONS}


# Valid parameters for every operation; invalid ones for those with query parameters (a
# detail's only parameter is its slug or id in the path, which takes anything up to the
# next slash: schemathesis finds nothing invalid to put there).
RUNS = [(path, GenerationMode.POSITIVE) for path in OPERATIONS] + [
    (path, GenerationMode.NEGATIVE) for path in OPERATIONS if "{" not in path
]


@pytest.mark.parametrize(("path", "mode"), RUNS)
def test_every_answer_conforms_to_the_schema(api_schema, path, mode):
    operation = api_schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case):
        case.call_and_validate(checks=CHECKS)

    fuzz()


def test_real_records_conform_to_the_schema(api_schema):
    """Generated slugs find nothing: one real record of each kind, and real filters."""
    signatory = Signatory.objects.published().first()
    partnership = Partnership.objects.get(slug="aachen--kostroma")
    calls = [
        ("/api/v1/partnerships/{slug}/", {"slug": partnership.slug}, None),
        ("/api/v1/municipalities/{slug}/", {"slug": "kostroma"}, None),
        ("/api/v1/initiatives/{slug}/", {"slug": partnership.initiatives.first().slug}, None),
        ("/api/v1/signatories/{id}/", {"id": signatory.pk}, None),
        ("/api/v1/appeals/{slug}/", {"slug": signatory.appeal.slug}, None),
        ("/api/v1/partnerships/", None, {"german_state": "DE-NW", "status": "suspended"}),
        ("/api/v1/partnerships/", None, {"q": "Калининград", "page_size": 3}),
        ("/api/v1/municipalities/", None, {"q": "Wolgograd", "modified_since": "2000-01-01"}),
        ("/api/v1/partnerships.geojson", None, {"status": "suspended"}),
        ("/api/v1/municipalities.geojson", None, {"country": "RU"}),
    ]
    for path, path_parameters, query in calls:
        case = api_schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call_and_validate(checks=CHECKS)
        assert response.status_code == 200, (path, path_parameters, query)
