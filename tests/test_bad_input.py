"""Bad query parameters never break a list or an export: 200, 400 with a message, or 404.

Property-based (Hypothesis) over every list page and its CSV export, then explicit
examples of the inputs readers and crawlers really send.
"""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from partnerships.filters import (
    InitiativeFilter,
    MunicipalityFilter,
    PartnershipFilter,
    SignatoryFilter,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "/partnerships/": PartnershipFilter,
    "/municipalities/": MunicipalityFilter,
    "/initiatives/": InitiativeFilter,
    "/signatories/": SignatoryFilter,
}
EXPORTS = {f"{url}export.csv": filterset for url, filterset in LISTS.items()}
ENDPOINTS = {**LISTS, **EXPORTS}

PAGING = ["page", "per_page", "sep"]
ALL_NAMES = sorted(
    {name for filterset in LISTS.values() for name in filterset.base_filters} | set(PAGING)
)
VALID_VALUES = [
    "",
    "1",
    "2",
    "25",
    "50",
    "100",
    "yes",
    "no",
    "DE",
    "RU",
    "DE-NW",
    "DE-BY",
    "RU-KGD",
    "RU-MOW",
    "active",
    "suspended",
    "unknown",
    "official",
    "friendship",
    "town",
    "district",
    "region",
    "school",
    "association",
    "municipality",
    "initiative",
    "name",
    "-name",
    "year",
    "-year",
    "german,-year",
    "founded",
    "organisation",
    "semicolon",
    "1990",
    "2005",
    "Köln",
    "Wolgograd",
    "Волгоград",
]

CONTROL = st.characters(min_codepoint=0, max_codepoint=31) | st.just("\x7f")
values = st.one_of(
    st.sampled_from(VALID_VALUES),
    st.text(max_size=40),
    st.text(alphabet=CONTROL, min_size=1, max_size=5),
    st.builds(lambda a, b: a + "\x00" + b, st.text(max_size=10), st.text(max_size=10)),
    st.text(alphabet=st.characters(min_codepoint=0x400, max_codepoint=0x4FF), max_size=30),
    st.text(alphabet=" !?.,;:-_*/\\|'\"()[]{}<>&%#+=~`^", min_size=1, max_size=8),
    st.builds(lambda char, n: char * n, st.characters(), st.integers(10_000, 10_240)),
    st.integers(4_300, 10_000).map(lambda n: "9" * n),
    st.integers().map(str),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=-3, max_value=1_000_001).map(str),
    st.floats().map(str),
    st.sampled_from(["²", "³", "¹", "①", "١", "٢٥", "𝟓", "½", "Ⅻ", "0x19", "1e3", " 25 ", "+1"]),
)


def parameters(filterset):
    names = st.one_of(
        st.sampled_from(sorted(filterset.base_filters) + PAGING),
        st.sampled_from(ALL_NAMES),
        st.text(min_size=1, max_size=20),
    )
    return st.dictionaries(
        names, st.one_of(values, st.lists(values, min_size=2, max_size=3)), max_size=6
    )


def given_names(params) -> set[str]:
    return {str(name) for name in params}


def names_of(filterset, field) -> set[str]:
    """How a message may name a filter: its parameter name or its label, in any language."""
    names = {field}
    for language in ("de", "en", "ru"):
        with translation.override(language):
            names.add(str(filterset.base_filters[field].label))
    return names


def assert_explains(content, filterset, errors, *, html):
    """Every invalid filter is named in the message, with what is wrong with it."""
    assert errors
    for field, messages in errors.items():
        names = names_of(filterset, field)
        if html:
            assert any(f"<li>{escape(name)}: " in content for name in names), (field, names)
            for message in messages:
                assert escape(message) in content
        else:
            assert any(f"{name}: " in content for name in names), (field, names)


def check_list_response(response, params):
    assert response.status_code in {200, 400, 404}, response.status_code
    if response.status_code == 400:
        error = response.context["error"]
        assert error.strip()
        content = response.content.decode()
        assert 'role="alert"' in content
        assert escape(error) in content
        filterset = response.context["filterset"]
        assert set(filterset.errors) <= given_names(params)
        if filterset.errors:
            assert_explains(content, type(filterset), filterset.errors, html=True)
    elif response.status_code == 404:
        assert "page" in params
    else:
        context = response.context
        assert len(context["object_list"]) <= context["per_page"]
        assert len(context["object_list"]) <= context["total"]


def check_export_response(response, params, filterset):
    assert response.status_code in {200, 400}, response.status_code
    if response.status_code == 400:
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        errors = filterset(QueryDict(urlencode(params, doseq=True))).errors
        assert set(errors) <= given_names(params)
        assert_explains(text, filterset, errors, html=False)
    else:
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\xef\xbb\xbf")
        assert len(body.splitlines()) >= 1


QUIET = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def make_test(url, filterset):
    def check(response, params):
        if url.endswith(".csv"):
            check_export_response(response, params, filterset)
        else:
            check_list_response(response, params)

    @QUIET
    @given(params=parameters(filterset))
    @example(params={"q": "!!!"})
    @example(params={"q": "–"})
    @example(params={"page": "²"})
    @example(params={"per_page": "²"})
    @example(params={"page": "1" * 5_000})
    @example(params={"page": ["1", "abc"], "sort": ["name", "bogus"]})
    def run(params):
        client = Client(raise_request_exception=False)
        check(client.get(url, params), params)

    return run


@pytest.mark.parametrize("url", list(ENDPOINTS))
def test_no_query_string_breaks_a_page(url, db):
    make_test(url, ENDPOINTS[url])()


# --- explicit examples ---------------------------------------------------------------

TEN_KB = "Wolgograd " * 1024


@pytest.fixture
def anonymous():
    return Client(raise_request_exception=False)


def bad_request(response):
    assert response.status_code == 400
    content = response.content.decode()
    assert 'role="alert"' in content
    assert escape(response.context["error"]) in content
    return response


@pytest.mark.parametrize("url", list(LISTS))
@pytest.mark.parametrize("number", ["abc", "0", "-1", "1.5", "1,000", "²", "①", "1" * 5_000])
def test_a_page_number_that_is_not_a_whole_number_from_1_is_a_bad_request(anonymous, url, number):
    response = bad_request(anonymous.get("/en" + url, {"page": number}))
    assert "page number" in response.context["error"]


@pytest.mark.parametrize("url", list(LISTS))
def test_a_page_beyond_the_last_is_not_found(anonymous, url):
    assert anonymous.get(url, {"page": "999999"}).status_code == 404
    last = anonymous.get(url, {"per_page": 25}).context["paginator"].num_pages
    assert anonymous.get(url, {"per_page": 25, "page": last}).status_code == 200
    assert anonymous.get(url, {"per_page": 25, "page": last + 1}).status_code == 404


@pytest.mark.parametrize("url", list(LISTS))
@pytest.mark.parametrize("size", ["7", "0", "-25", "1000", "twenty", "25.0", "²", "9" * 5_000])
def test_a_page_size_that_is_not_offered_is_a_bad_request(anonymous, url, size):
    response = bad_request(anonymous.get("/en" + url, {"per_page": size}))
    assert "25, 50, 100" in response.context["error"]


def assert_invalid_filter(response, url, field):
    """400, and the message names the field (by name or label) and says what is wrong."""
    assert response.status_code == 400
    filterset = ENDPOINTS[url]
    if url.endswith(".csv"):
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        assert_explains(response.content.decode(), filterset, {field: []}, html=False)
    else:
        bad_request(response)
        errors = response.context["filterset"].errors
        assert field in errors
        assert_explains(response.content.decode(), filterset, errors, html=True)


@pytest.mark.parametrize("url", list(ENDPOINTS))
def test_an_unknown_sort_key_is_a_bad_request(anonymous, url):
    response = anonymous.get("/en" + url, {"sort": "bogus"})
    assert_invalid_filter(response, url, "sort")
    assert "bogus" in response.content.decode()


@pytest.mark.parametrize("url", ["/partnerships/", "/partnerships/export.csv"])
@pytest.mark.parametrize("name", ["year_from", "year_to"])
@pytest.mark.parametrize("year", ["99999999999999999999", "-1", "1899", "2101", "soon", "1e3"])
def test_a_year_out_of_range_is_a_bad_request(anonymous, url, name, year):
    assert_invalid_filter(anonymous.get("/en" + url, {name: year}), url, name)


@pytest.mark.parametrize("url", list(ENDPOINTS))
@pytest.mark.parametrize(
    "query", [TEN_KB, "x" * 101, "with\x00nul", "tab\there", "line\nbreak", "\x1b[31m"]
)
def test_an_overlong_or_control_character_search_is_a_bad_request(anonymous, url, query):
    assert_invalid_filter(anonymous.get("/en" + url, {"q": query}), url, "q")


@pytest.mark.parametrize("url", list(ENDPOINTS))
@pytest.mark.parametrize("query", ["!!!", "–", "...", "???", "'", "x" * 100, "  Köln  "])
def test_an_odd_but_allowed_search_answers(anonymous, url, query):
    """A search of only punctuation folds to nothing; the page must still answer."""
    response = anonymous.get(url, {"q": query})
    assert response.status_code == 200
    if url.endswith(".csv"):
        assert b"".join(response.streaming_content).startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize("url", list(ENDPOINTS))
def test_an_unknown_parameter_is_ignored(anonymous, url):
    plain = anonymous.get(url)
    extra = anonymous.get(url, {"utm_source": "newsletter", "fbclid": "x\x00y", "": "?"})
    assert plain.status_code == extra.status_code == 200
    if url.endswith(".csv"):
        assert b"".join(extra.streaming_content) == b"".join(plain.streaming_content)
    else:
        assert extra.context["total"] == plain.context["total"]


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/partnerships/", {"status": "bogus"}, "status"),
        ("/partnerships/", {"german_state": "RU-KGD"}, "german_state"),
        ("/partnerships/", {"level": "planet"}, "level"),
        ("/municipalities/", {"country": "FR"}, "country"),
        ("/municipalities/", {"has_active": "maybe"}, "has_active"),
        ("/initiatives/", {"region": "XX-YY"}, "region"),
        ("/signatories/", {"organisation_kind": "army"}, "organisation_kind"),
        ("/signatories/export.csv", {"land": "RU-KGD"}, "land"),
    ],
)
def test_an_invalid_filter_names_the_field_in_the_message(anonymous, url, params, field):
    response = anonymous.get("/en" + url, params)
    assert_invalid_filter(response, url, field)
    if not url.endswith(".csv"):
        assert response.context["error"] == (
            "Some filters could not be used; see the messages below."
        )
