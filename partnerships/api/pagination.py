"""Cursor pages over ``(updated_at, id)``: walk everything, then follow the changes.

A list's pages are ordered by the time of the last change, then by id (unique: every row
has one place). The cursor names the last row of a page; the next page starts after it
(keyset pagination: ``updated_at > t OR (updated_at = t AND id > n)``), so a page costs
the same at the start and the end of 100,000 rows, and a row changed during a walk moves
to its end instead of shifting the pages. The order is the harvest's, not the HTML
list's (which sorts by name): the rows are the same, their order is not.
"""

from __future__ import annotations

import base64
import datetime
import json
import re

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from rest_framework.pagination import BasePagination
from rest_framework.response import Response

from partnerships.api.filters import InvalidQuery, query_parameter

MAX_ID = 2**63 - 1
WHOLE_NUMBER = re.compile(r"[0-9]{1,4}")


def encode_cursor(updated_at: datetime.datetime, pk: int) -> str:
    raw = json.dumps([updated_at.astimezone(datetime.UTC).isoformat(), pk])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    """The position a cursor names; ValueError for anything this API did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        moment = datetime.datetime.fromisoformat(moment)
        if moment.tzinfo is None or type(pk) is not int or not 0 <= pk <= MAX_ID:
            raise ValueError(cursor)
        return moment.astimezone(datetime.UTC), pk
    except (TypeError, ValueError, UnicodeError, OverflowError, RecursionError) as error:
        raise ValueError(cursor) from error


class HarvestCursorPagination(BasePagination):
    """``?cursor=`` (from ``next``) and ``?page_size=`` (1 to 1,000; 100 by default)."""

    page_size = 100
    max_page_size = 1000
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"

    def paginate_queryset(self, queryset: QuerySet, request, view=None) -> list:
        self.request = request
        size = self.get_page_size(request)
        queryset = queryset.order_by("updated_at", "pk")
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is not None:
            try:
                moment, pk = decode_cursor(cursor)
            except ValueError:
                message = _("This cursor is not valid: follow the next link of a page.")
                raise InvalidQuery({self.cursor_query_param: [message]}) from None
            # The first condition lets PostgreSQL read the (updated_at, id) index from t on.
            queryset = queryset.filter(updated_at__gte=moment).filter(
                Q(updated_at__gt=moment) | Q(pk__gt=pk)
            )
        rows = list(queryset[: size + 1])
        self.next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            self.next_cursor = encode_cursor(rows[-1].updated_at, rows[-1].pk)
        return rows

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= self.max_page_size:
            message = _("The page size must be a whole number from 1 to %(most)s.") % {
                "most": self.max_page_size
            }
            raise InvalidQuery({self.page_size_query_param: [message]})
        return int(raw)

    def get_next_link(self) -> str | None:
        if self.next_cursor is None:
            return None
        # From the decoded parameters: the raw query string may hold unencoded UTF-8.
        params = self.request.query_params.copy()
        params[self.cursor_query_param] = self.next_cursor
        return f"{self.request.build_absolute_uri(self.request.path)}?{params.urlencode()}"

    def get_paginated_response(self, data) -> Response:
        return Response({"next": self.get_next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["next", "results"],
            "properties": {
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": "The next page; null on the last one.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            query_parameter(
                self.cursor_query_param,
                {"type": "string"},
                "Where the page starts: take it from the previous page's next link.",
            ),
            query_parameter(
                self.page_size_query_param,
                {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
                f"Rows per page (default {self.page_size}).",
            ),
        ]


__all__ = ["HarvestCursorPagination", "decode_cursor", "encode_cursor"]
