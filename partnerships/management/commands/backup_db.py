"""python manage.py backup_db [--output FILE | --dir DIR] : a pg_dump of the database.

Runs ``pg_dump -Fc`` (PostgreSQL's compressed custom format, read by ``pg_restore`` and
by ``python manage.py restore_db``) against the default database. Without ``--output``
the file is ``twinning-YYYYmmdd-HHMMSS.dump`` (UTC) in ``--dir``, by default ``backups/``
in the project. The dump is written under a temporary name and renamed when complete, so
a file with the final name is always a whole dump; it is readable by its owner only
(it holds editors' accounts). The password reaches pg_dump as PGPASSWORD, never on the
command line.

The pg_dump of the server's major version (``/usr/lib/postgresql/<major>/bin``) is used
when installed, else ``pg_dump`` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connections

DEFAULT_DIR = Path(settings.BASE_DIR) / "backups"
PREFIX = "twinning-"
SUFFIX = ".dump"


def server_major_version(alias: str = "default") -> int | None:
    """The PostgreSQL server's major version (15 for 15.18), or None when unreachable."""
    try:
        version = connections[alias].pg_version  # e.g. 150018
    except DatabaseError:
        return None
    return version // 10000 if version >= 100000 else version // 100


def postgres_tool(name: str, alias: str = "default") -> str:
    """The path of pg_dump/pg_restore matching the server's major version, else the PATH one."""
    major = server_major_version(alias)
    if major is not None:
        candidate = Path(f"/usr/lib/postgresql/{major}/bin/{name}")
        if os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise CommandError(f"{name} is not installed (apt-get install postgresql-client).")
    return found


def connection_args_env(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    """libpq command-line options and environment for the configured database.

    The password and TLS settings go into the environment (as for ``manage.py dbshell``);
    the options name host, port, user and database.
    """
    connection = connections[alias]
    settings_dict = connection.settings_dict
    if connection.vendor != "postgresql":
        raise CommandError(f"The {alias!r} database is not PostgreSQL.")
    _, extra_env = connection.client.settings_to_cmd_args_env(settings_dict, [])
    args = []
    if settings_dict.get("USER"):
        args.append(f"--username={settings_dict['USER']}")
    if settings_dict.get("HOST"):
        args.append(f"--host={settings_dict['HOST']}")
    if settings_dict.get("PORT"):
        args.append(f"--port={settings_dict['PORT']}")
    if settings_dict.get("NAME"):
        args.append(f"--dbname={settings_dict['NAME']}")
    # Never ask for a password on the terminal: a missing one is an error to report.
    env = {**os.environ, **(extra_env or {}), "PGCONNECT_TIMEOUT": "10"}
    return [*args, "--no-password"], env


def describe(alias: str = "default") -> str:
    """``name on host:port`` for messages (no password)."""
    settings_dict = connections[alias].settings_dict
    host = settings_dict.get("HOST") or "local socket"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"{settings_dict.get('NAME')!r} on {host}{port}"


def error_text(result: subprocess.CompletedProcess) -> str:
    message = (result.stderr or "").strip() or (result.stdout or "").strip()
    return message or f"exit status {result.returncode}"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value = size / 1024
    for unit in ("kB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class Command(BaseCommand):
    help = (
        "Back up the database with pg_dump -Fc (custom format, for restore_db / pg_restore). "
        "Default file: backups/twinning-YYYYmmdd-HHMMSS.dump (UTC)."
    )

    def add_arguments(self, parser) -> None:
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--output", "-o", metavar="FILE", help="The dump file to write.")
        target.add_argument(
            "--dir",
            metavar="DIR",
            help=f"Folder for a time-stamped dump (default: {DEFAULT_DIR}); created if missing.",
        )

    def handle(self, *args, **options) -> None:
        target = self.target(options)
        pg_dump = postgres_tool("pg_dump")
        connection_args, env = connection_args_env()

        descriptor, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
        )
        os.close(descriptor)
        try:
            result = subprocess.run(
                [pg_dump, "--format=custom", f"--file={temporary}", *connection_args],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise CommandError(f"pg_dump failed: {error_text(result)}")
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.sync_directory(target.parent)

        size = target.stat().st_size
        self.stdout.write(f"Backed up {describe()} to {target} ({human_size(size)}).")

    def target(self, options) -> Path:
        if options.get("output"):
            target = Path(options["output"]).expanduser().absolute()
            if not target.parent.is_dir():
                raise CommandError(f"The folder {target.parent} does not exist.")
            if target.is_dir():
                raise CommandError(f"{target} is a folder; give a file name or use --dir.")
            return target
        folder = Path(options.get("dir") or DEFAULT_DIR).expanduser().absolute()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"Cannot create {folder}: {error.strerror}") from error
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = folder / f"{PREFIX}{stamp}{SUFFIX}"
        if target.exists():
            raise CommandError(f"{target} already exists; try again in a second.")
        return target

    @staticmethod
    def sync_directory(folder: Path) -> None:
        """Make the rename durable (pg_dump has already synced the file itself)."""
        try:
            descriptor = os.open(folder, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(descriptor)
        except OSError:
            pass
        finally:
            os.close(descriptor)
