"""The benchmark's "import's writes alone" (``bench/django_tasks.py write_floor``, issue 14).

It empties the importer's tables inside a transaction, writes their rows back as a first
load does and rolls back. These tests pin the two things its figure depends on: it writes
every row the import stored (no table left out, the indexes set aside and built again), and
it leaves the database exactly as it found it.
"""

import importlib.util
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partnerships.importing import bulk
from partnerships.importing.partnerships import PartnershipImporter, table_groups
from tests.import_files import PARTNERSHIP_HEADER as HEADER
from tests.import_files import run_import

pytestmark = pytest.mark.django_db

TASKS = Path(__file__).resolve().parent.parent / "bench" / "django_tasks.py"


@pytest.fixture(scope="module")
def tasks():
    spec = importlib.util.spec_from_file_location("bench_django_tasks", TASKS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tables() -> list[str]:
    return [model._meta.db_table for group in table_groups() for model in group]


def contents() -> dict[str, tuple[int, str]]:
    """Each table's row count and a digest of all its rows, in key order."""
    found = {}
    with connection.cursor() as cursor:
        for table in [*tables(), "partnerships_alternativename"]:
            cursor.execute(
                f"SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t.id), '')) "  # noqa: S608
                f"FROM {connection.ops.quote_name(table)} AS t"
            )
            found[table] = cursor.fetchone()
    return found


def indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
            "WHERE indrelid = ANY(%s::regclass[]) ORDER BY 1",
            [tables()],
        )
        return cursor.fetchall()


def test_the_writes_alone_write_every_stored_row_as_a_first_load_and_leave_no_trace(
    tasks, monkeypatch
):
    monkeypatch.setattr(bulk, "BULK_FROM_ROWS", 1)  # the starter data's tables count as few
    text = "".join(
        f"Bodenlauf {n},Hessen,Wtoraja {n},Вторая {n},Oblast Kaluga,Partnerschaft,1990,ruht,"
        f"https://example.org/bodenlauf/{n}\n"
        for n in range(150)
    )
    report = run_import(PartnershipImporter(), HEADER + text)
    assert report.committed, report.summary()
    with connection.cursor() as cursor:
        # The import's foreign key checks are deferred to a commit the test never makes;
        # the benchmark runs the task after the import committed.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    before, indexes_before = contents(), indexes()

    with CaptureQueriesContext(connection) as queries:
        result = tasks.write_floor()

    assert result["tables"] == len(tables()) == 9
    assert result["rows"] == before["partnerships_partnership"][0]
    assert result["rows_written"] == sum(before[table][0] for table in tables())
    assert set(result["parts"]) >= {f"COPY {table}" for table in tables()}
    statements = [query["sql"] for query in queries]
    assert any(s.startswith("DROP INDEX") and "municipality_search_trgm" in s for s in statements)
    assert any(s.startswith("CREATE INDEX municipality_search_trgm") for s in statements)
    assert contents() == before
    assert indexes() == indexes_before
