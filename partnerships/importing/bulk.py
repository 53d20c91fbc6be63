"""A first load: many rows into tables that hold few, their indexes built once (issue 14).

PostgreSQL's own advice for populating a database ("Populating a Database" in its
manual: remove indexes, remove foreign key constraints): building an index once over all
rows costs a fraction of updating it row by row, and adding a foreign key checks every row
in one query instead of one deferred check per row at commit. Measured on the bench's
100,000 rows (docs/PERFORMANCE.md, "sixth session"): the municipalities 9.0 s with their
indexes updated row by row, 3.4 s loaded and then indexed; the whole import 33-39 s
before, 25-30 s after.

``indexes_built_after`` does this for a group of the importer's tables (the municipalities
and their history; the partnerships, their sources, status events, claims and histories),
but only where the file writes at least ``BULK_FROM_ROWS`` rows into the group's first
table and at least as many as it already holds: a first load, or one that doubles the
registry. Then building the indexes anew costs less than updating them. The price:
dropping an index takes an ACCESS EXCLUSIVE lock on its table until the import ends, so
readers of those tables wait for the import (for a first load, nobody reads them yet). An
editor's file of a few hundred rows never takes that lock. Nor does a first load that cannot
have it within ``LOCK_WAIT`` (a reader holds the table): it writes with the indexes in place.

Everything happens in the import's transaction: a refused import is rolled back with its
indexes and constraints as they were. Only the primary keys stay. The unique indexes and
constraints are built again like the others (by the tables' lock, no other session writes
meanwhile), and building one fails on a duplicate and refuses the import, as a COPY meeting
the duplicate would have; a foreign key added back checks every row and refuses the import
if one row breaks it, as the deferred check at commit did. A unique constraint that a
foreign key refers to stays.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from django.db import OperationalError, connection, models, transaction

# Fewer rows than this are written with the indexes in place, whatever the table holds.
BULK_FROM_ROWS = 10_000
# How long a first load waits for the tables' locks before it writes with the indexes in
# place instead. Dropping an index waits for every reader of its table, and while it waits
# every new reader queues behind it: without a bound, one long reader (an export, a report)
# would stall the public pages for as long as it ran.
LOCK_WAIT = "2s"


def worth_setting_aside(model: type[models.Model], new_rows: int) -> bool:
    """Whether ``new_rows`` new rows are many for ``model``'s table (see the module)."""
    if new_rows < BULK_FROM_ROWS:
        return False
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        # Counted only up to the number of new rows: a large table is not read through.
        cursor.execute(f"SELECT count(*) FROM (SELECT FROM {table} LIMIT %s) AS t", [new_rows + 1])  # noqa: S608
        (held,) = cursor.fetchone()
    return held <= new_rows


def with_history(*model_classes: type[models.Model]) -> list[type[models.Model]]:
    """The models and their history models (django-simple-history), in that order."""
    result = []
    for model in model_classes:
        result.append(model)
        history = getattr(model, "history", None)
        if history is not None:
            result.append(history.model)
    return result


@contextmanager
def indexes_built_after(model_classes: list[type[models.Model]], new_rows: int) -> Iterator[None]:
    """Within this block, write ``new_rows`` rows into the tables of ``model_classes``
    (the first is the one counted): without their secondary indexes and foreign keys if
    the rows are many for it (``worth_setting_aside``) and the tables' locks are had soon
    (``set_aside``), created again when the block ends.

    If the block raises, nothing is created again here: the caller's transaction (or
    savepoint) is rolled back, and with it the dropped indexes come back.
    """
    statements = set_aside(model_classes) if worth_setting_aside(model_classes[0], new_rows) else []
    yield
    if not statements:
        return
    with connection.cursor() as cursor:
        # The memory the indexes of the first measurement were built with, for this
        # transaction only (the default, 64 MB, makes a trigram index spill to disk).
        cursor.execute("SELECT set_config('maintenance_work_mem', '256MB', true)")
        for statement in statements:
            cursor.execute(statement)


def set_aside(model_classes: list[type[models.Model]]) -> list[str]:
    """``drop``, if the tables' locks are had within ``LOCK_WAIT``; else nothing is dropped
    (and nothing is returned): the rows are written with the indexes in place."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:  # undone if a lock is not had
            cursor.execute("SELECT current_setting('lock_timeout')")
            (before,) = cursor.fetchone()
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [LOCK_WAIT])
            statements = drop(model_classes)
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [before])
    except OperationalError as error:
        if isinstance(error.__cause__, psycopg.errors.LockNotAvailable):
            return []
        raise
    return statements


def drop(model_classes: list[type[models.Model]]) -> list[str]:
    """Drop the tables' indexes but the primary keys, their unique constraints that no
    foreign key refers to, and their foreign keys; return the statements that create them
    again."""
    tables = [model._meta.db_table for model in model_classes]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT index_class.relname, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class index_class ON index_class.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "ORDER BY i.indrelid, index_class.relname",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint c WHERE contype = 'u' AND conrelid = ANY(%s::regclass[]) "
            "AND NOT EXISTS (SELECT FROM pg_constraint f WHERE f.contype = 'f' "
            "AND f.conindid = c.conindid) "
            "ORDER BY conrelid, conname",
            [tables],
        )
        unique = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY conrelid, conname",
            [tables],
        )
        foreign_keys = cursor.fetchall()
        for table, name, _definition in [*foreign_keys, *unique]:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
    # Indexes and unique constraints first: a foreign key added back checks its rows
    # through them.
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
        for table, name, definition in [*unique, *foreign_keys]
    ]
