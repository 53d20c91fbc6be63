"""Reading the registry as a visitor does: every public page, list page, search and export.

Shared by the modules that check what the public may and may not see (escaping, drafts,
private data, CSRF, malformed posts).
"""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils import translation

LISTS = ["/partnerships/", "/municipalities/", "/initiatives/", "/signatories/"]
EXPORTS = [f"{url}export.csv" for url in LISTS]
# The query repeated where it belongs: in links and form values, and in the search's own
# "Nothing matches “…”" (the reader's text, not a record's).
ECHOES = re.compile(r'(?:href|value)="[^"]*"|<span class="search-text">[^<]*</span>')
TOKEN_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def filterset_of(list_view, params):
    """The FilterSet a public list (``views.MunicipalityListView`` …) binds to ``params``:
    its ``qs`` is the rows the page, the export and the API show under them."""
    return list_view.filterset_class(params, queryset=list_view().get_queryset())


def de(record) -> str:
    """A record's address without a language prefix."""
    with translation.override("de"):
        return record.get_absolute_url()


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def admin_url(model, view, *args):
    return reverse(f"admin:partnerships_{model._meta.model_name}_{view}", args=args)


def csrf_token(client, url) -> str:
    """The form's token, read from the page as a browser would."""
    response = client.get(url)
    assert response.status_code == 200, url
    match = TOKEN_INPUT.search(body(response))
    assert match, f"{url} has no CSRF token"
    return match.group(1)


def every_list_page(client, url, params=None):
    """The list's pages, 100 rows each, as (address, html)."""
    params = {**(params or {}), "per_page": 100}
    number = 1
    while True:
        response = client.get(url, {**params, "page": number})
        assert response.status_code == 200, (url, params, response.status_code)
        yield f"{url}?page={number}", body(response)
        if number >= response.context["paginator"].num_pages:
            return
        number += 1


def public_texts(client, extra_pages, searches):
    """(address, text) of every public page, list page, search and export."""
    fixed = ["/", "/en/", "/ru/", "/about/", "/changes/", "/changes/feed.atom"]
    for url in [*fixed, *extra_pages]:
        response = client.get(url)
        assert response.status_code == 200, url
        yield url, body(response)
    for url in LISTS:
        yield from every_list_page(client, url)
        for query in searches:
            response = client.get(url, {"q": query})
            assert response.status_code == 200, (url, query)
            # The page repeats the query in the search box and its links: only the text counts.
            yield f"{url}?q={query}", ECHOES.sub("", body(response))
    for url in EXPORTS:
        yield url, body(client.get(url))
        for query in searches:
            yield f"{url}?q={query}", body(client.get(url, {"q": query}))


def assert_nowhere_public(client, secrets, extra_pages=(), searches=()) -> None:
    """None of the secrets is on a public page, also not when searched for."""
    found = [
        f"{secret!r} on {url}"
        for url, text in public_texts(client, extra_pages, searches)
        for secret in secrets
        if secret in text
    ]
    assert not found, "Shown to the public:\n" + "\n".join(found)
