"""Backups that restore: backup_db, wipe the database, restore_db, every record is back.

pg_dump and pg_restore run in other processes: they see committed data only and cannot
see (or must not wait for) a test's transaction. The round trip therefore runs as a
transactional test, after which pytest-django empties every table. As in tests/browser/conftest.py,
the registry that conftest loads once per session is snapshotted when the module starts
and put back by a module-scoped fixture whose teardown runs after that flush, so the
tests that run later still see the starter data. The snapshot is every table's content
copied out with COPY (binary), not Django's serializer, so it comes back exactly (the
JSON serializer rounds timestamps to milliseconds) and without relying on the commands
under test; the teardown checks every row of every table against it.

The refusals (no dump, no --yes, no confirmation) happen before pg_restore touches the
database; those tests run in the usual rolled-back transaction and make sure pg_restore
is only ever asked to list the file, never to restore it.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.core.management.color import no_style
from django.db import connection, transaction

from partnerships.caching import current_generation
from partnerships.management.commands import backup_db, restore_db
from partnerships.models import (
    AlternativeName,
    Initiative,
    Municipality,
    Partnership,
    PartnershipSource,
    RegistryGeneration,
    StatusEvent,
)

# --- The registry's data (as in tests/browser/conftest.py) ---------------------------------------


@dataclass(frozen=True)
class Snapshot:
    tables: dict[str, bytes]  # table name -> COPY ... (FORMAT binary) output
    counts: dict[str, int]
    rows: dict[str, list[tuple]]


def data_models() -> list:
    """Every table's model, many-to-many tables (initiatives' partnerships) included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._base_manager.count() for model in data_models()}


def all_rows() -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order, with every column."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in data_models()
    }


def take_snapshot() -> Snapshot:
    """Every table of the database copied out as it is."""
    quote = connection.ops.quote_name
    tables: dict[str, bytes] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            with cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT binary)") as copy:
                tables[table] = b"".join(bytes(chunk) for chunk in copy)
    return Snapshot(tables, table_counts(), all_rows())


def restore_snapshot(snapshot: Snapshot) -> None:
    """Empty the tables and copy the snapshot back in, in one transaction.

    Django's foreign keys are DEFERRABLE INITIALLY DEFERRED, so the order of the tables
    does not matter; the sequences are then moved past the restored primary keys.
    """
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE " + ", ".join(quote(table) for table in snapshot.tables))
        for table, content in snapshot.tables.items():
            with cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT binary)") as copy:
                copy.write(content)
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)
    ContentType.objects.clear_cache()


@pytest.fixture(scope="module")
def registry_snapshot(django_db_setup, django_db_blocker) -> Iterator[Snapshot]:
    """The registry as the tests before left it (the starter data), put back afterwards.

    Module-scoped, so its teardown runs when pytest leaves this module, after the flush
    that ends a transactional test (pytest-django runs transactional tests after the
    others, so "this module" may be entered more than once; each time is snapshotted).
    """
    with django_db_blocker.unblock():
        assert Partnership.objects.count() == 120, "the starter data should be loaded by now"
        registry_snapshot = take_snapshot()
    yield registry_snapshot
    with django_db_blocker.unblock():
        if all_rows() != registry_snapshot.rows:
            restore_snapshot(registry_snapshot)
        assert all_rows() == registry_snapshot.rows, "the registry differs after the module"


@pytest.fixture
def no_lock_waits(monkeypatch) -> None:
    """pg_dump/pg_restore give up instead of hanging should a lock ever be held."""
    monkeypatch.setenv("PGOPTIONS", "-c lock_timeout=20s")


@pytest.fixture(scope="module")
def starter_dump(tmp_path_factory, django_db_setup, django_db_blocker) -> Path:
    """A backup of the starter registry, made once for the refusal tests."""
    path = tmp_path_factory.mktemp("dumps") / "starter.dump"
    with django_db_blocker.unblock():
        call_command("backup_db", output=str(path), stdout=io.StringIO())
    return path


@pytest.fixture
def pg_restore_never_restores(monkeypatch) -> list[list[str]]:
    """Let restore_db list a file but fail the test should it start a restore."""
    calls: list[list[str]] = []
    real_run = subprocess.run

    def run(args, *rest, **kwargs):
        calls.append(list(args))
        assert "--list" in args, f"pg_restore was asked to restore: {args}"
        return real_run(args, *rest, **kwargs)

    monkeypatch.setattr(restore_db.subprocess, "run", run)
    return calls


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def kaliningrad() -> dict:
    town = Municipality.objects.get(country="RU", name="Калининград")
    return {
        "names": (town.name, town.name_de, town.name_en, town.name_ru),
        "code": town.official_code,
        "wikidata": town.wikidata_id,
        "coordinates": (town.latitude, town.longitude),
        "slug": town.slug,
        "historic": sorted(
            town.alternative_names.filter(kind=AlternativeName.Kind.HISTORIC).values_list(
                "name", "language", "until_year"
            )
        ),
        "partners": sorted(
            Partnership.objects.filter(russian_partner=town).values_list(
                "german_partner__name", "status", "since_year"
            )
        ),
    }


# --- The round trip ----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_backup_wipe_restore_finds_every_record(tmp_path, registry_snapshot, no_lock_waits):
    counts = table_counts()
    assert counts == registry_snapshot.counts
    assert counts["partnerships.Partnership"] == 120
    assert counts["partnerships.Municipality"] == 203
    assert counts["partnerships.Initiative"] == 154
    for label in (
        "partnerships.StatusEvent",
        "partnerships.PartnershipSource",
        "partnerships.AlternativeName",
        "partnerships.Initiative_partnerships",
        "partnerships.HistoricalPartnership",
        "partnerships.HistoricalMunicipality",
        "partnerships.Signatory",
        "partnerships.Region",
        "auth.Group",
    ):
        assert counts[label] > 0, label
    rows = all_rows()
    town = kaliningrad()
    assert town["names"][:3] == ("Калининград", "Kaliningrad", "Kaliningrad")
    assert ("Königsberg", "de", 1946) in town["historic"]
    assert ("Кёнигсберг", "ru", 1946) in town["historic"]
    assert town["partners"], "Kaliningrad has German partners"
    aachen_code = Municipality.objects.get(country="DE", name="Aachen").official_code
    assert aachen_code == "05334002"

    dump = tmp_path / "registry.dump"
    out = io.StringIO()
    call_command("backup_db", output=str(dump), stdout=out)
    assert dump.read_bytes()[:5] == b"PGDMP", "not a custom-format dump"
    assert str(dump) in out.getvalue()
    assert os.stat(dump).st_mode & 0o077 == 0, "the dump must be private to its owner"
    assert [path.name for path in tmp_path.iterdir()] == ["registry.dump"]

    # Wipe: every table of every app, the editors' group and content types included.
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    assert set(table_counts().values()) == {0}

    out = io.StringIO()
    call_command("restore_db", str(dump), yes=True, stdout=out)
    assert "Restored" in out.getvalue()

    assert table_counts() == counts
    restored = all_rows()
    generation = "partnerships.RegistryGeneration"
    for label, expected in rows.items():
        if label != generation:
            assert restored[label] == expected, f"{label} differs after the restore"
    # The generation goes past the dump's and the replaced one's: nothing cached under a
    # number seen before is served (pages, region choices).
    (dumped,) = [value for _pk, value in rows[generation]]
    assert current_generation() == dumped + 1
    assert kaliningrad() == town
    assert Municipality.objects.get(country="DE", name="Aachen").official_code == "05334002"
    assert Partnership.objects.filter(status_events__isnull=False).exists()
    assert StatusEvent.objects.count() == counts["partnerships.StatusEvent"]
    assert PartnershipSource.objects.count() == counts["partnerships.PartnershipSource"]
    assert Initiative.objects.filter(partnerships__isnull=False).exists()

    RegistryGeneration.objects.update(value=dumped + 1000)
    call_command("restore_db", str(dump), yes=True, stdout=io.StringIO())
    assert current_generation() == dumped + 1001

    # The restored database works: extensions and indexes (search), sequences (inserts).
    found = Municipality.objects.search("Königsberg")
    assert found[0].name == "Калининград"
    extra = AlternativeName.objects.create(
        municipality=Municipality.objects.get(country="DE", name="Aachen"), name="Aix-la-Chapelle"
    )
    assert extra.pk > max(row[0] for row in rows["partnerships.AlternativeName"])


# --- backup_db -------------------------------------------------------------------------


@pytest.mark.django_db
def test_backup_into_a_folder_names_the_file_by_time(tmp_path):
    folder = tmp_path / "new" / "backups"
    out = io.StringIO()
    call_command("backup_db", dir=str(folder), stdout=out)
    files = list(folder.iterdir())
    assert len(files) == 1
    assert re.fullmatch(r"twinning-\d{8}-\d{6}\.dump", files[0].name)
    assert files[0].read_bytes()[:5] == b"PGDMP"
    message = out.getvalue()
    assert str(files[0]) in message
    assert re.search(r"\(\d+(\.\d)? (bytes|kB|MB|GB)\)", message), message


def test_backups_go_to_the_projects_backups_folder_by_default():
    expected = Path(__file__).resolve().parent.parent / "backups"
    assert backup_db.DEFAULT_DIR.resolve() == expected


@pytest.mark.django_db
def test_backup_reports_pg_dumps_error_and_leaves_no_file(tmp_path, monkeypatch):
    connection.ensure_connection()
    assert connection.pg_version  # cached: the binary is chosen before the name changes
    monkeypatch.setitem(connection.settings_dict, "NAME", "no_such_database_for_backup")
    with pytest.raises(CommandError, match=r"pg_dump failed: .*no_such_database_for_backup"):
        call_command("backup_db", output=str(tmp_path / "x.dump"))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_backup_passes_the_password_in_the_environment_only(tmp_path, monkeypatch):
    seen: dict = {}

    def run(args, *rest, env=None, **kwargs):
        seen.update(args=list(args), env=env)
        target = next(arg for arg in args if arg.startswith("--file="))
        Path(target.removeprefix("--file=")).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "s3cret-pass")
    monkeypatch.setattr(backup_db.subprocess, "run", run)
    call_command("backup_db", output=str(tmp_path / "x.dump"), stdout=io.StringIO())
    assert "s3cret-pass" not in " ".join(seen["args"])
    assert seen["env"]["PGPASSWORD"] == "s3cret-pass"
    settings_dict = connection.settings_dict
    assert f"--dbname={settings_dict['NAME']}" in seen["args"]
    assert f"--host={settings_dict['HOST']}" in seen["args"]
    assert f"--port={settings_dict['PORT']}" in seen["args"]
    assert "--format=custom" in seen["args"]


@pytest.mark.django_db
def test_pg_dump_matches_the_server_version(monkeypatch):
    major = connection.pg_version // 10000
    versioned = Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")
    expected = str(versioned) if versioned.exists() else shutil.which("pg_dump")
    assert backup_db.postgres_tool("pg_dump") == expected
    monkeypatch.setattr(backup_db, "server_major_version", lambda alias="default": 99)
    assert backup_db.postgres_tool("pg_dump") == shutil.which("pg_dump")


def test_backup_refuses_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("backup_db", output=str(tmp_path / "missing" / "x.dump"))


# --- restore_db refusals -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [b"", b"this is not a dump\n", b"--\n-- PostgreSQL database dump\n--\nSELECT 1;\n"],
    ids=["empty", "text", "plain-sql"],
)
def test_restore_refuses_a_file_that_is_not_a_dump(tmp_path, content, pg_restore_never_restores):
    counts = table_counts()
    path = tmp_path / "backup.dump"
    path.write_bytes(content)
    with pytest.raises(CommandError, match=r"not a custom-format dump \(pg_dump -Fc\)"):
        call_command("restore_db", str(path), yes=True)
    assert len(pg_restore_never_restores) == 1
    assert table_counts() == counts


@pytest.mark.django_db
def test_restore_refuses_to_run_inside_a_transaction(starter_dump, pg_restore_never_restores):
    """Inside a transaction pg_restore would wait forever for that transaction's locks."""
    with pytest.raises(CommandError, match="inside a database transaction"):
        call_command("restore_db", str(starter_dump), yes=True)
    assert [call[1] for call in pg_restore_never_restores] == ["--list"]


@pytest.mark.django_db
def test_restore_refuses_a_missing_file(tmp_path, pg_restore_never_restores):
    with pytest.raises(CommandError, match="is not a file"):
        call_command("restore_db", str(tmp_path / "nothing.dump"), yes=True)
    assert pg_restore_never_restores == []


@pytest.mark.django_db
def test_restore_refuses_without_yes_when_not_on_a_terminal(
    starter_dump, monkeypatch, pg_restore_never_restores
):
    counts = table_counts()
    monkeypatch.setattr("sys.stdin", io.StringIO("yes\n"))
    monkeypatch.setattr("builtins.input", lambda prompt="": pytest.fail("asked on no terminal"))
    with pytest.raises(CommandError, match="without --yes: this replaces the database's content"):
        call_command("restore_db", str(starter_dump))
    assert table_counts() == counts


@pytest.mark.django_db
@pytest.mark.parametrize("answer", ["", "n", "no", "y"])
def test_restore_on_a_terminal_asks_and_stops_unless_confirmed(
    starter_dump, monkeypatch, pg_restore_never_restores, answer
):
    counts = table_counts()
    prompts: list[str] = []

    def ask(prompt: str = "") -> str:
        prompts.append(prompt)
        return answer

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", ask)
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore_db", str(starter_dump))
    assert len(prompts) == 1
    assert "replaces the database's content" in prompts[0]
    assert "yes" in prompts[0]
    assert table_counts() == counts
