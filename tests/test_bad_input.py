"""Bad query parameters never break a public page: 200, 400 with a message, or 404.

Property-based (Hypothesis) over every public page, with hostile filter parameters and raw
query strings; a list or export must then also name what is wrong. Then explicit examples
of the inputs readers and crawlers really send.
"""

from urllib.parse import quote, urlencode

import pytest
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
from partnerships.models import Initiative

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
    """``params``: the query as the view read it."""
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
    """``params``: the query as the view read it."""
    assert response.status_code in {200, 400}, response.status_code
    if response.status_code == 400:
        assert response["Content-Type"] == "text/plain; charset=utf-8"
        text = response.content.decode()
        errors = filterset(params).errors
        assert set(errors) <= given_names(params)
        assert_explains(text, filterset, errors, html=False)
    else:
        body = b"".join(response.streaming_content)
        assert body.startswith(b"\xef\xbb\xbf")
        assert len(body.splitlines()) >= 1


# --- every public page under fuzzed query strings ----------------------------------------
# One fuzzer, two kinds of input: parameters the filters know with hostile values (above),
# and raw query strings a careless or hostile client sends (bad percent-encodings, control
# characters, raw UTF-8, keys without values, repeated keys).

# Every public address: fixed pages, lists, exports, a detail page of each kind, the
# correction forms and the three language prefixes ({initiative}: a published one's slug).
DETAILS = [
    "/partnerships/aachen--kostroma/",
    "/municipalities/aachen/",
    "/initiatives/{initiative}/",
    "/appeals/drf-solidarity-appeal-2020/",
]
PUBLIC_URLS = [
    "/",
    "/en/",
    "/ru/",
    "/about/",
    "/changes/",
    "/changes/feed.atom",
    "/healthz",
    *ENDPOINTS,
    *DETAILS,
    *[url + "suggest/" for url in DETAILS],
    "/en/partnerships/",
    "/ru/municipalities/export.csv",
    "/en" + DETAILS[0],
    "/ru" + DETAILS[2] + "suggest/",
]
# These two read the history on every request (about 100 queries) and ignore the query
# string: fewer examples keep the file fast.
SLOW = {"/changes/", "/changes/feed.atom"}

KNOWN_KEYS = [*ALL_NAMES, "kind", "format", "next", "language"]
texts = st.one_of(
    st.sampled_from(["", "1", "-1", "0", "50", "semicolon", "yes", "DE", "Köln", "Волгоград"]),
    st.text(max_size=30),
    st.text(alphabet=CONTROL, min_size=1, max_size=5),
    st.builds(lambda a, b: f"{a}\x00{b}", st.text(max_size=8), st.text(max_size=8)),
    st.text(alphabet=st.characters(min_codepoint=0x400, max_codepoint=0x4FF), max_size=30),
    st.builds(lambda char, n: char * n, st.characters(), st.integers(10_000, 10_240)),
    st.integers(4_300, 10_000).map(lambda n: "9" * n),
)
# Percent-encodings that decode to nothing sensible: lone %, bad hex, NUL, CR/LF, invalid and
# overlong UTF-8, a right-to-left override, truncated sequences.
JUNK = st.sampled_from(
    [
        *["%", "%%", "%z", "%zz", "%0", "%00", "%0d%0a", "%ff", "%FF%FE", "%C0%AF", "%C0%80"],
        *["%E2%80%AE", "%D0", "%F0%9F", "%ED%A0%80", "+", "&", "&&", "=", "==", ";", "?"],
        *["[]", "%5B%5D", "\x00", "\x7f", "\xff", "%25", "%2525", "#", "/", ".."],
    ]
)


def raw_utf8(text: str) -> str:
    """The UTF-8 bytes unencoded, as a careless client sends them (WSGI strings are latin-1)."""
    return text.encode("utf-8").decode("latin-1")


encoded = st.one_of(
    texts.map(lambda text: quote(text, safe="")),
    texts.map(raw_utf8),
    st.lists(JUNK, min_size=1, max_size=6).map("".join),
)
keys = st.one_of(st.sampled_from(KNOWN_KEYS), encoded)
pairs = st.one_of(
    st.tuples(keys, encoded).map("=".join),
    encoded,  # a key without "="
    # A key repeated with several values.
    st.builds(
        lambda key, values: "&".join(f"{key}={value}" for value in values),
        st.sampled_from(KNOWN_KEYS),
        st.lists(encoded, min_size=2, max_size=5),
    ),
)
raw_query_strings = st.lists(pairs, max_size=8).map("&".join)


def query_strings(filterset=None):
    """Raw query strings, and for a list or an export also its filters' parameters."""
    if filterset is None:
        return raw_query_strings
    return st.one_of(
        parameters(filterset).map(lambda params: urlencode(params, doseq=True)),
        raw_query_strings,
    )


FUZZ = settings(
    max_examples=25,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
FINE = {200, 301, 302, 400, 404}


def examples_for(url: str) -> int:
    if url in SLOW:
        return 5
    return 85 if url in ENDPOINTS else 25


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_no_query_string_breaks_a_public_page(anonymous, url):
    """Any page: an answer, never a 500. A list or export: a 400 names what is wrong."""
    initiative = Initiative.objects.published().order_by("pk").first()
    url = url.format(initiative=initiative.slug)
    assert anonymous.get(url).status_code == 200, url
    endpoint = url.removeprefix("/en").removeprefix("/ru")
    filterset = ENDPOINTS.get(endpoint)

    @settings(FUZZ, max_examples=examples_for(endpoint))
    @given(query=query_strings(filterset))
    @example(query="q=!!!")
    @example(query=urlencode({"q": "–"}))
    @example(query=urlencode({"page": "²"}))
    @example(query=urlencode({"per_page": "²"}))
    @example(query="page=" + "1" * 5_000)
    @example(query="page=1&page=abc&sort=name&sort=bogus")
    def run(query):
        response = anonymous.get(url, QUERY_STRING=query)
        assert response.status_code in FINE, (url, query[:200], response.status_code)
        params = response.wsgi_request.GET
        if filterset is None:
            if response.streaming:  # an export fails, if at all, while it streams
                b"".join(response.streaming_content)
        elif endpoint.endswith(".csv"):
            check_export_response(response, params, filterset)
        else:
            check_list_response(response, params)

    run()


# --- explicit examples ---------------------------------------------------------------

TEN_KB = "Wolgograd " * 1024


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
