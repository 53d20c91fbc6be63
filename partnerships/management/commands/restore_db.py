"""python manage.py restore_db FILE [--yes] : put a backup_db / pg_dump -Fc dump back.

Replaces the content of the default database with the dump's:
``pg_restore --clean --if-exists --no-owner --single-transaction``. Everything the dump
holds is dropped and recreated in one transaction, so a failed restore changes nothing.
Objects that are not in the dump (e.g. tables of a newer migration) are left alone: run
``manage.py migrate`` after restoring an older backup.

The file is checked first (``pg_restore --list``): anything but a custom-format dump is
refused before the database is touched. On a terminal the command asks for confirmation;
elsewhere it refuses to run without ``--yes``. Stop the web server (or expect its requests
to wait or fail) while restoring. Afterwards Django's connections and its connection pool
are closed, so nothing in this process reuses a connection that saw the old tables.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

from partnerships.caching import bump_generation, current_generation
from partnerships.management.commands.backup_db import (
    connection_args_env,
    describe,
    error_text,
    postgres_tool,
)


def close_connections() -> None:
    """Close every Django connection and every psycopg pool of this process."""
    connections.close_all()
    for connection in connections.all(initialized_only=True):
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()


class Command(BaseCommand):
    help = (
        "Restore the database from a backup_db / pg_dump -Fc file. "
        "This replaces the database's content."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", metavar="FILE", help="A custom-format dump (pg_dump -Fc).")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Do not ask for confirmation (required when not run on a terminal).",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["file"]).expanduser().absolute()
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        pg_restore = postgres_tool("pg_restore")
        self.check_dump(pg_restore, path)
        self.confirm(path, options["yes"])
        if connections["default"].in_atomic_block:
            # pg_restore would wait forever for the locks this transaction holds.
            raise CommandError(
                "restore_db cannot run inside a database transaction "
                "(in tests: pytest.mark.django_db(transaction=True))."
            )

        generation = self.generation()
        connection_args, env = connection_args_env()
        # Django's own connections must not hold locks on the tables about to be dropped.
        close_connections()
        try:
            result = subprocess.run(
                [
                    pg_restore,
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *connection_args,
                    str(path),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
        finally:
            # The tables were recreated: no connection that knew the old ones is reused.
            close_connections()
            self.clear_caches()
        if result.returncode != 0:
            raise CommandError(
                f"pg_restore failed; the database is unchanged: {error_text(result)}"
            )
        # Cached pages and choices are keyed by the generation: past the one replaced, so
        # that no worker and no shared cache serves what it kept under a number seen before.
        bump_generation(above=generation)
        self.stdout.write(f"Restored {describe()} from {path}.")

    def check_dump(self, pg_restore: str, path: Path) -> None:
        """Refuse anything pg_restore cannot read as an archive (plain SQL, other files)."""
        result = subprocess.run(
            [pg_restore, "--list", str(path)], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise CommandError(
                f"{path} is not a custom-format dump (pg_dump -Fc): {error_text(result)}"
            )

    def confirm(self, path: Path, yes: bool) -> None:
        if yes:
            return
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(
                f"Refusing to restore {path} without --yes: this replaces the database's "
                f"content ({describe()})."
            )
        answer = input(
            f"This replaces the database's content ({describe()}) with {path}.\n"
            "Type 'yes' to continue: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Restore cancelled; the database is unchanged.")

    @staticmethod
    def generation() -> int:
        """The live registry's generation (0 for a database without the registry's tables)."""
        try:
            return current_generation()
        except DatabaseError:
            return 0

    @staticmethod
    def clear_caches() -> None:
        """Per-process caches keyed by primary keys that the dump may have changed."""
        from django.apps import apps

        if apps.is_installed("django.contrib.contenttypes"):
            from django.contrib.contenttypes.models import ContentType

            ContentType.objects.clear_cache()
