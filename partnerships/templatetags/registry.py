"""Template helpers of the public pages."""

from __future__ import annotations

import html

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.encoding import iri_to_uri
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, gettext_noop, override

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


# The column names each cell repeats for a phone's card (data-label).
ROW_LABELS = {
    "kind_label": gettext_noop("Kind"),
    "since_label": gettext_noop("Since"),
    "status_label": gettext_noop("Status"),
    "status_since_label": gettext_noop("Status since"),
}

# One row of the partnership list (partnerships/partnership_list.html): the partners link to
# the partnership; on a phone each cell is a card's line, named by its data-label.
PARTNERSHIP_ROW = """
        <tr>
          <td class="card-title"><a href="{url}">{german}</a><br><small>{german_region}</small></td>
          <td class="card-title"><a href="{url}">{russian}</a><br><small>{russian_region}</small></td>
          <td data-label="{kind_label}">{kind}{unverified}</td>
          <td data-label="{since_label}">{since}</td>
          <td data-label="{status_label}" class="card-status"><span class="status status-{status}">{status_text}</span></td>
          <td data-label="{status_since_label}">{status_since}</td>
        </tr>
      """


@register.simple_tag
def partnership_rows(partnerships) -> str:
    """The partnership list's table rows, one per partnership.

    A tag rather than a loop in the template, as ``facet_options``: as template nodes the
    fifty rows of a page took ~8 ms to render, a sixth of an uncached list request (every
    dotted name tries a dictionary look-up first). Each value is escaped as Django's
    ``escape`` does it (``html.escape``), without the lazy-string check ``format_html``
    makes per value; the labels once per page (docs/PERFORMANCE.md)."""
    labels = {key: html.escape(gettext(label)) for key, label in ROW_LABELS.items()}
    unverified = f' <span class="unverified">{html.escape(gettext("unverified"))}</span>'
    rows = [
        PARTNERSHIP_ROW.format(
            **labels,
            url=html.escape(partnership.get_absolute_url()),
            german=html.escape(partnership.german_partner.display_name),
            german_region=html.escape(_region_name(partnership.german_partner)),
            russian=html.escape(partnership.russian_partner.display_name),
            russian_region=html.escape(_region_name(partnership.russian_partner)),
            kind=html.escape(partnership.get_kind_display()),
            unverified=unverified if partnership.needs_verification else "",
            since="–" if partnership.since_year is None else localize(partnership.since_year),
            status=html.escape(partnership.status),
            status_text=html.escape(partnership.get_status_display()),
            status_since=partial_date_element(
                partnership.status_since, partnership.status_since_precision
            ),
        )
        for partnership in partnerships
    ]
    return mark_safe("".join(rows))  # noqa: S308 (every value escaped above)


def _region_name(municipality) -> str:
    region = municipality.region
    return "" if region is None else region.localized_name
