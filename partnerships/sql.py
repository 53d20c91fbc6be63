"""SQL the ORM does not say by itself: keys as one array parameter, rows read in chunks
of keys, rows counted up to a bound, rows read raw. Nothing here knows the registry's models."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connections, models

# Keys per query of ``in_chunks``.
LOAD_CHUNK = 20_000


def chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class AnyOf(models.Lookup):
    """``column = ANY(%s)``: the keys as one array parameter, whatever their number.

    As ``__in`` each key would be a parameter of its own (ten thousand placeholders cost
    more to build than the query to run); PostgreSQL hashes the array once per query (it
    is a constant of the plan). A condition of its own: ``filter(AnyOf(F("id"), ids))``.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        array_type = self.lhs.output_field.rel_db_type(connection)  # bigint for keys
        return f"{lhs} = ANY(%s::{array_type}[])", [*params, list(self.rhs)]


def grouped(queryset: models.QuerySet, key: str, values: list[int]) -> dict[int, tuple]:
    """``values_list`` rows whose first column is ``key``, grouped by it (rest of the row)."""
    groups: dict[int, list] = defaultdict(list)
    for owner, *rest in in_chunks(queryset, key, values):
        groups[owner].append(tuple(rest))
    return {owner: tuple(rows) for owner, rows in groups.items()}


def in_chunks(queryset: models.QuerySet, key: str, values: list[int]) -> Iterable:
    """The rows of ``queryset`` whose ``key`` is one of ``values`` (in no particular order).

    Each query reads one table by keys already in memory: its plan does not depend on the
    planner's statistics (which lag behind right after a large import), and each chunk is
    one array parameter (ten thousand placeholders of an ``IN (...)`` cost more to build
    than the query costs to run).
    """
    for chunk in chunks(values, LOAD_CHUNK):
        yield from queryset.filter(AnyOf(models.F(key), chunk)).order_by()


def bounded_count(queryset: models.QuerySet, bound: int) -> int:
    """How many rows ``queryset`` has, counted up to ``bound``.

    The rows come from a materialized common table expression, which PostgreSQL plans for
    all of its rows, and reading stops after ``bound`` of them. As ``LIMIT`` on the query
    itself, PostgreSQL expecting more than ``bound`` rows bets on meeting them early in a
    sequential scan: a search for a word 2,500 names share ("Landkreis") read 39,000 rows
    in 80 ms instead of answering from the trigram indexes' bitmap in 8 ms
    (docs/PERFORMANCE.md). Expecting many more rows it still plans the sequential scan,
    which stops as early as before.
    """
    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # ``none()``
        return 0
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(
            f"WITH found AS MATERIALIZED ({sql}) "  # noqa: S608 (the ORM's own SQL)
            "SELECT COUNT(*) FROM (SELECT 1 FROM found LIMIT %s) bounded",
            [*params, bound],
        )
        return cursor.fetchone()[0]


def fetch_rows(queryset: models.QuerySet) -> list[tuple]:
    """The rows of a ``values_list`` queryset as the database gives them, without Django's
    per-value converters: a list's facet counts read a thousand groups of a dozen counts
    (the converters alone cost about a third of the Python side of ``counts``)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # ``none()``: a search nothing can match
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
