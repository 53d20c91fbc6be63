"""The lists' filters in the API: the HTML lists' own FilterSets over their own rows.

``ListFilterBackend`` binds the view's FilterSet (``filterset_class``, e.g.
``PartnershipFilter``) to the request's query string over the rows the view lists
(``selectors.listed_partnerships()`` …), exactly as the page and the CSV export do: the
same parameters give the same rows, and an invalid one answers 400 with the form's messages.
Only ``modified_since`` is the API's own (harvesting, not browsing). The OpenAPI
parameters are read from the same FilterSets, so the schema lists what the pages accept.
"""

from __future__ import annotations

import datetime
import re

from django import forms
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from partnerships.filters import SearchField, YearField

MODIFIED_SINCE = "modified_since"
# Parameters of the FilterSets the API does not document: its order is the cursor's.
UNDOCUMENTED = {"sort"}
# "+02:00" arrives as " 02:00" when the client did not encode the plus sign.
UNENCODED_PLUS = re.compile(r" (\d{2}(?::?\d{2})?)$")


class InvalidQuery(ValidationError):
    """A parameter the API cannot use: 400 with ``detail`` and, per parameter, ``errors``."""

    def __init__(self, errors: dict[str, list[str]], detail: str | None = None):
        super().__init__(
            {"detail": detail or _("Some parameters could not be used."), "errors": errors}
        )


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    return {
        field: [str(message) for message in messages] for field, messages in form.errors.items()
    }


def modified_since(params: QueryDict) -> datetime.datetime | None:
    """``modified_since`` as an aware datetime: ISO 8601, a date (its midnight) or a date
    and time; without an offset, UTC. None when absent; InvalidQuery when unusable."""
    raw = params.get(MODIFIED_SINCE, "")
    if raw == "":
        return None
    text = UNENCODED_PLUS.sub(r"+\1", raw.strip())
    try:
        moment = parse_datetime(text)
        if moment is None:
            day = parse_date(text)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time())
        if moment is not None:
            if timezone.is_naive(moment):
                moment = moment.replace(tzinfo=datetime.UTC)
            # Out of range once in UTC (year 1 with a positive offset) is an error too.
            moment = moment.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        message = _(
            "Give a date or a date and time in ISO 8601, e.g. 2026-12-01 or "
            "2026-12-01T08:30:00Z (the plus sign of an offset encoded as %2B)."
        )
        raise InvalidQuery({MODIFIED_SINCE: [message]})
    return moment


class ListFilterBackend(BaseFilterBackend):
    """A list's rows: the view's FilterSet (``filterset_class``) over the rows it lists
    (``get_queryset()``, the HTML list's selector), then ``modified_since``.

    A view without a FilterSet (appeals) keeps its rows. Details are not filtered: they are
    looked up in ``get_queryset()`` (published records).
    """

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", "list") != "list":
            return queryset
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            filterset = filterset_class(request.query_params, queryset=queryset)
            if not filterset.is_valid():
                raise InvalidQuery(
                    form_errors(filterset.form), _("Some filters could not be used.")
                )
            queryset = filterset.qs
        since = modified_since(request.query_params)
        if since is not None:
            queryset = queryset.filter(updated_at__gte=since)
        return queryset

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = []
        filterset_class = getattr(view, "filterset_class", None)
        if filterset_class is not None:
            with translation.override("en"):
                parameters += filterset_parameters(filterset_class(QueryDict()))
        if not getattr(view, "harvest", True):
            return parameters
        parameters.append(
            query_parameter(
                MODIFIED_SINCE,
                {"type": "string"},
                "Only records changed at or after this instant (their updated_at): an "
                "ISO 8601 date (2026-12-01, from midnight UTC) or date and time "
                "(2026-12-01T08:30:00Z; without an offset, UTC).",
            )
        )
        return parameters


def query_parameter(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


def filterset_parameters(filterset) -> list[dict]:
    """A FilterSet's filters as OpenAPI query parameters, read from its form's fields."""
    parameters = []
    for name, field in filterset.form.fields.items():
        if name in UNDOCUMENTED:
            continue
        schema: dict = {"type": "string"}
        if isinstance(field, forms.ChoiceField):
            schema["enum"] = [str(value) for value, _label in field.choices if value != ""]
        elif isinstance(field, YearField):
            schema = {"type": "integer", "minimum": field.min_value, "maximum": field.max_value}
        elif isinstance(field, SearchField):
            schema["maxLength"] = field.max_length
        description = f"{field.label}: the filter of the HTML list."
        if name == "q":
            description = (
                "Search by name, in Cyrillic or Latin letters, as the list's search box "
                "(at most 100 characters)."
            )
        parameters.append(query_parameter(name, schema, description))
    return parameters
