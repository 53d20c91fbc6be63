"""A first load builds its tables' indexes once (issue 14): the schema ends as it began.

When a file writes many rows into tables that hold few (``importing.bulk``), the importer
drops their secondary indexes and foreign keys, writes, and creates them again in the same
transaction. These tests make "many" mean one row, and pin that the tables end with the
same indexes and constraints, that a row breaking a foreign key still refuses the whole
import, and that an ordinary file never drops anything. The test database holds the starter
data (about 200 municipalities, 120 partnerships): a first load here is a file of 250 rows.
"""

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.importing import bulk
from partnerships.importing.partnerships import PartnershipImporter
from partnerships.models import Claim, Municipality, Partnership, PartnershipSource, StatusEvent
from tests.import_files import PARTNERSHIP_HEADER as HEADER
from tests.import_files import run_import

pytestmark = pytest.mark.django_db

FIRST_LOAD = 250  # rows: more than the starter data's municipalities and partnerships

TABLES = [
    model._meta.db_table
    for model in bulk.with_history(Municipality, Partnership, PartnershipSource, StatusEvent)
]


def run(rows: int):
    text = "".join(
        f"Erstladung {n},Hessen,Pervaja {n},Первая {n},Oblast Kaluga,Partnerschaft,1990,ruht,"
        f"https://example.org/erstladung/{n}\n"
        for n in range(rows)
    )
    with CaptureQueriesContext(connection) as queries:
        report = run_import(PartnershipImporter(), HEADER + text)
    return report, [query["sql"] for query in queries]


def schema() -> list[tuple]:
    """Every index and constraint of the importer's tables, as PostgreSQL prints them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) "
            "UNION ALL SELECT conname, pg_get_constraintdef(oid) || ' ' || condeferrable::text "
            "|| condeferred::text || convalidated::text "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) ORDER BY 1, 2",
            [TABLES, TABLES],
        )
        return cursor.fetchall()


@pytest.fixture
def first_load(monkeypatch):
    monkeypatch.setattr(bulk, "BULK_FROM_ROWS", 1)


def test_a_first_load_builds_the_indexes_once_and_leaves_the_schema_as_it_was(first_load):
    before = schema()
    assert any("gin_trgm_ops" in definition for _name, definition in before)
    report, sql = run(FIRST_LOAD)
    assert report.committed, report.summary()
    dropped = [statement for statement in sql if statement.startswith("DROP INDEX")]
    assert any("municipality_search_trgm" in statement for statement in dropped)
    assert any("DROP CONSTRAINT" in statement for statement in sql)
    assert schema() == before
    assert (
        Partnership.objects.filter(german_partner__name__startswith="Erstladung").count()
        == FIRST_LOAD
    )
    events = StatusEvent.objects.filter(partnership__german_partner__name__startswith="Erstladung")
    assert events.count() == FIRST_LOAD


def refused_when_after_writing(monkeypatch, statement: str) -> str:
    """A first load whose partnerships' writing ends with ``statement`` (a row the indexes
    and keys set aside let in): refused as a whole, the schema as before; its summary."""
    before = schema()
    write = PartnershipImporter._write_partnerships

    def and_then(self):
        write(self)
        with connection.cursor() as cursor:
            cursor.execute(statement)

    monkeypatch.setattr(PartnershipImporter, "_write_partnerships", and_then)
    report, _sql = run(FIRST_LOAD)
    assert not report.committed
    assert "rejected by the database, nothing was imported" in report.summary()
    assert not Municipality.objects.filter(name__startswith="Erstladung").exists()
    assert schema() == before
    return report.summary()


def test_a_row_breaking_a_foreign_key_still_refuses_the_whole_first_load(first_load, monkeypatch):
    """With the keys dropped the database takes the row; adding them back refuses it."""
    summary = refused_when_after_writing(
        monkeypatch,
        "INSERT INTO partnerships_partnershipsource (partnership_id, url, citation) "
        "VALUES (2147483647, 'https://example.org/none', '')",
    )
    assert "partnerships_partnershipsource" in summary


def test_a_duplicate_that_the_unique_indexes_set_aside_would_let_in_refuses_the_first_load(
    first_load, monkeypatch
):
    """With the unique indexes set aside the database takes a second row of a slug;
    building the index again refuses it, and with it the whole import."""
    dropped = bulk.drop

    def and_noted(model_classes):
        statements = dropped(model_classes)
        assert any("partnerships_partnership_slug_key" in s for s in statements) or not any(
            model is Partnership for model in model_classes
        )
        return statements

    monkeypatch.setattr(bulk, "drop", and_noted)
    summary = refused_when_after_writing(
        monkeypatch,
        "UPDATE partnerships_partnership SET slug = 'erstladung-doppelt' "
        "WHERE id IN (SELECT id FROM partnerships_partnership ORDER BY id DESC LIMIT 2)",
    )
    assert "erstladung-doppelt" in summary


def test_an_ordinary_file_keeps_the_indexes():
    report, sql = run(3)
    assert report.committed, report.summary()
    assert not [statement for statement in sql if "DROP " in statement]


def test_a_table_holding_more_rows_than_the_file_keeps_its_indexes(first_load):
    held = Partnership.objects.count()
    assert bulk.worth_setting_aside(Partnership, held)
    assert not bulk.worth_setting_aside(Partnership, held - 1)


def test_a_first_load_that_a_reader_keeps_from_its_tables_writes_with_their_indexes(
    first_load, monkeypatch
):
    """Another session reads the status events in an open transaction: the load waits
    ``LOCK_WAIT`` for the partnerships' group of tables (not until that reader ends, with
    every new reader queued behind it), writes them with their indexes in place, and still
    builds the municipalities' indexes once."""
    monkeypatch.setattr(bulk, "LOCK_WAIT", "200ms")
    with connection.cursor() as cursor:  # a load that waited regardless fails, not hangs
        cursor.execute("SET lock_timeout = '10s'")
    before = schema()
    params = connection.settings_dict
    with psycopg.connect(
        dbname=params["NAME"],
        host=params["HOST"],
        port=params["PORT"],
        user=params["USER"],
        password=params["PASSWORD"],
    ) as reader:
        reader.execute("SELECT count(*) FROM partnerships_statusevent")  # an open transaction
        report, sql = run(FIRST_LOAD)
        reader.rollback()
    assert report.committed, report.summary()
    assert sum("set_config('lock_timeout', '200ms', true)" in statement for statement in sql) == 2
    # Built again after writing: the municipalities' indexes, none of the partnerships'.
    built = {statement.split()[2] for statement in sql if statement.startswith("CREATE INDEX")}
    assert "municipality_search_trgm" in built
    assert "partnership_public_facets" not in built
    group = [
        model._meta.db_table
        for model in bulk.with_history(Partnership, PartnershipSource, StatusEvent, Claim)
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = ANY(%s)", [group])
        assert not built & {name for (name,) in cursor.fetchall()}
    assert schema() == before
    events = StatusEvent.objects.filter(partnership__german_partner__name__startswith="Erstladung")
    assert events.count() == FIRST_LOAD
