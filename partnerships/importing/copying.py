"""New records and their history, written with PostgreSQL's COPY.

``bulk_create_with_history`` builds a model instance for every record and for every
history row, and Django prepares each of their values for an INSERT: for a file of a
hundred thousand rows that was most of an import's time. ``copy_with_history`` writes
the same rows with psycopg's ``cursor.copy()``: each record's fields as ``Model(**values)``
and ``bulk_create`` would store them (defaults, ``auto_now``/``auto_now_add`` as the
time of writing), and for each record the history row ``bulk_history_create`` would add
("+", the change reason, the editor, the time).

The keys are taken from the table's own sequence before writing (``nextval``, as an
INSERT takes them), so that the history rows and the rows that refer to the new records
can name them. The writes run in the caller's transaction; the database's constraints
(unique names, slugs, foreign keys at commit) apply as to any INSERT, and their errors
are Django's (``IntegrityError``, a ``DatabaseError``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import JsonbBinaryDumper
from simple_history.utils import get_history_model_for_model

# The fields simple-history adds to a history model (besides the tracked ones).
HISTORY_FIELDS = {
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user",
}
# The values of these come after the tracked fields in a history row.
HISTORY_COLUMNS = ["history_date", "history_change_reason", "history_type", "history_user"]
BATCH_SIZE = 2000


class Plan:
    """How the rows of one model are written: columns, and where each value comes from."""

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta = model._meta
        self.model = model
        self.fields = tuple(fields)
        pk = meta.pk
        given = {name: position for position, name in enumerate(self.fields)}
        unknown = set(given) - {field.attname for field in meta.concrete_fields}
        if unknown or pk.attname in given:
            raise ValueError(f"not fields of {model.__name__} to give: {sorted(unknown)}")
        # A row of the table: the key, then every other concrete field. Each value comes
        # from the caller's tuple, is the time of writing (auto_now, auto_now_add), or is
        # the field's default.
        columns = [pk]
        constants: list[Any] = []
        sources: list[int] = []
        auto = [
            field
            for field in meta.concrete_fields
            if field is not pk
            and field.attname not in given
            and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        ]
        self.stamps = range(len(auto))
        stamp_at = len(self.fields)  # the stamps follow the given values, then the constants
        constant_at = stamp_at + len(auto)
        for field in meta.concrete_fields:
            if field is pk:
                continue
            columns.append(field)
            if field.attname in given:
                sources.append(given[field.attname])
            elif field in auto:
                sources.append(stamp_at + auto.index(field))  # pre_save: timezone.now()
            elif field.has_default() and callable(field.default):
                raise ValueError(f"{model.__name__}.{field.name}: a default computed per record")
            else:
                sources.append(constant_at + len(constants))
                constants.append(field.get_default())  # what Model() gives it
        self.columns = columns
        self.constants = tuple(constants)
        self.pick = itemgetter(*sources) if len(sources) > 1 else lambda row: (row[sources[0]],)
        self.table = meta.db_table
        self.history = self._history_plan()

    def _history_plan(self) -> tuple[type[models.Model], list[str], itemgetter] | tuple[()]:
        """The history table's columns and, per column, where its value is in a record row."""
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True) or not hasattr(
            self.model, "history"
        ):
            return ()  # a model without history (the claims of sources): the records only
        history_model = get_history_model_for_model(self.model)
        tracked = history_model.tracked_fields
        own = {field.name for field in history_model._meta.concrete_fields}
        if own != {field.name for field in tracked} | HISTORY_FIELDS or hasattr(
            history_model, "history_relation"
        ):
            return None  # a history model with fields of its own: bulk_create_with_history
        at = {field.attname: position for position, field in enumerate(self.columns)}
        get = history_model._meta.get_field
        columns = [get(field.name).column for field in tracked]
        return history_model, columns, itemgetter(*(at[field.attname] for field in tracked))

    def record_rows(self, rows: Sequence[tuple], pks: Sequence[int]) -> list[tuple]:
        """The table's rows: each ``auto_now(_add)`` field its own ``timezone.now()``."""
        pick, constants, now, stamps = self.pick, self.constants, timezone.now, self.stamps
        return [
            (pk, *pick((*row, *[now() for _stamp in stamps], *constants)))
            for pk, row in zip(pks, rows, strict=True)
        ]


_plans: dict[tuple[type[models.Model], tuple[str, ...]], Plan] = {}


def plan_for(model: type[models.Model], fields: Sequence[str]) -> Plan:
    key = (model, tuple(fields))
    if key not in _plans:
        _plans[key] = Plan(model, fields)
    return _plans[key]


def copy_with_history(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple],
    *,
    default_user: Any = None,
    default_change_reason: str = "",
) -> list[int]:
    """Create one record per row (the values of ``fields``, by attname) with its history.

    Takes the user and change reason as ``bulk_create_with_history`` does
    (``base.history_defaults``); returns the new records' keys, in the order of ``rows``.
    """
    if not rows:
        return []
    plan = plan_for(model, fields)
    with connection.cursor() as cursor:
        # The sequence is looked up once: as an argument of nextval, the lookup (a stable
        # function) would run again for every key, at five times the cost of the keys.
        cursor.execute(
            "SELECT nextval(sequence) FROM CAST(pg_get_serial_sequence(%s, %s) AS regclass)"
            " AS sequence, generate_series(1, %s)",
            [connection.ops.quote_name(plan.table), plan.columns[0].column, len(rows)],
        )
        pks = sorted(pk for (pk,) in cursor.fetchall())  # in the order an INSERT takes them
        records = plan.record_rows(rows, pks)
        write(cursor, plan.table, [field.column for field in plan.columns], records)
        if not plan.history:
            return pks

        history_model, history_columns, pick = plan.history
        if default_user is None:
            default_user = history_model.get_default_history_user(model())
        user_id = default_user.pk if default_user is not None else None
        get = history_model._meta.get_field
        reason, now = default_change_reason, timezone.now
        write(
            cursor,
            history_model._meta.db_table,
            [*history_columns, *(get(name).column for name in HISTORY_COLUMNS)],
            ((*pick(record), now(), reason, "+", user_id) for record in records),
        )
    return pks


class EmptyFirstJsonbDumper(JsonbBinaryDumper):
    """jsonb for COPY: an empty list (most records' conflicts) without asking json.dumps."""

    EMPTY_LIST = b"\x01[]"

    def dump(self, obj):
        if isinstance(obj, list) and not obj:
            return self.EMPTY_LIST
        return super().dump(obj)


def write(cursor, table: str, columns: list[str], rows: Iterable[tuple]) -> None:
    """COPY the rows into these columns of the table, in PostgreSQL's binary format.

    The binary format takes each value as the column's type (asked of the table) without
    writing it as text first: timestamps, above all, cost far less.
    """
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT attname, atttypid FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        [quote(table)],
    )
    types = dict(cursor.fetchall())
    statement = f"COPY {quote(table)} ({', '.join(map(quote, columns))}) FROM STDIN (FORMAT BINARY)"
    with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
        copy.cursor.adapters.register_dumper(None, EmptyFirstJsonbDumper)
        copy.set_types([types[column] for column in columns])
        for row in rows:
            copy.write_row(row)
