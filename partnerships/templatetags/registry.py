"""Template helpers of the public pages."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.encoding import iri_to_uri
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, override

from partnerships.changes import partial_date
from partnerships.models.claims import DatePrecision
from partnerships.vocabulary import MunicipalityKind

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict[str, object]]:
    """The current page in each interface language (the language is part of the URL).

    The address the request was resolved to is reversed in each language, with its query
    string (what ``translate_url`` does, without resolving the address once per language).
    A page that does not exist (a 404, or "//host/..." that would read as another site's
    address) links to each language's home page instead.
    """
    request = context["request"]
    current = get_language()
    match = request.resolver_match
    try:
        match = match or resolve(request.path_info)
    except Resolver404:
        match = resolve(reverse("partnerships:home"))
        query = ""
    else:
        query = request.META.get("QUERY_STRING", "")
    suffix = f"?{iri_to_uri(query)}" if query else ""
    links = []
    for code, name in settings.LANGUAGES:
        with override(code):
            try:
                url = reverse(match.view_name, args=match.args, kwargs=match.kwargs) + suffix
            except NoReverseMatch:  # an address without a name: the same one
                url = "/" + request.get_full_path().lstrip("/")
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


@register.filter
def sort_toggle(current: str | None, key: str) -> str:
    """The sort value a column header links to: ascending first, then descending."""
    return f"-{key}" if current == key else key


@register.filter
def web_url(value: str) -> str:
    """The address if it is an http(s) link, else nothing (never a javascript: link)."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else ""


@register.filter
def kind_label(municipality) -> str:
    """A municipality's kind in the reader's language. A whole region is named by its
    region's kind ("oblast", "krai", "Land"), not by the category of both countries."""
    if municipality.kind == MunicipalityKind.REGION and municipality.region is not None:
        return municipality.region.get_kind_display()
    return municipality.get_kind_display()


# The machine-readable form of a date at its precision (``<time datetime>``).
ISO_FORMATS = {DatePrecision.YEAR: "%Y", DatePrecision.MONTH: "%Y-%m"}


@register.simple_tag
def partial_date_element(date, precision: str) -> str:
    """A date at the precision its source gives, as a ``<time>`` element: "30 March 2022",
    "April 2022" or "2022" (``changes.partial_date``); nothing when there is no date.

    A tag rather than an included template: a list shows fifty of them per page."""
    if not date:
        return ""
    iso = date.strftime(ISO_FORMATS.get(precision, "%Y-%m-%d"))
    return format_html('<time datetime="{}">{}</time>', iso, partial_date(date, precision))


@register.simple_tag
def facet_options(facet) -> str:
    """A facet's ``<option>`` elements: "label (count)", the chosen one selected.

    A tag rather than a loop in the template: the Russian-region facet alone has some 85
    options, and as template nodes they were a fifth of a list page's rendering."""
    return format_html_join(
        "",
        '<option value="{}"{}>{} ({})</option>',
        (
            (option.value, " selected" if option.selected else "", option.label, option.count)
            for option in facet.options
        ),
    )
