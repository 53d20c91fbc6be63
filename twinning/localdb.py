"""The project's own PostgreSQL cluster, for machines where ``DATABASE_URL`` is unset.

``python -m twinning.localdb start|stop|status|url`` runs a cluster in ``.localdb/``
(git-ignored) with the machine's PostgreSQL binaries (Debian package ``postgresql``,
installed with apt-get when missing). It is initialised with UTF-8 and the ``C.UTF-8``
locale, because under the C locale pg_trgm treats Cyrillic letters as non-word
characters and trigram search on Russian names would find nothing. As root the server
runs as the ``postgres`` system user: PostgreSQL refuses to run as root.

Starting twice is harmless; the data directory survives restarts. The port is chosen
once (the first free one from 54329 on) and kept in ``.localdb/port``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALDB = ROOT / ".localdb"
DATA = LOCALDB / "data"
PORT_FILE = LOCALDB / "port"
LOG = LOCALDB / "server.log"
DB_NAME = "twinning"
FIRST_PORT = 54329


def _bindir() -> Path | None:
    """The newest installed PostgreSQL's bin directory, or None."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    return Path(candidates[-1]).parent if candidates else None


def _ensure_binaries() -> Path:
    bindir = _bindir()
    if bindir:
        return bindir
    if os.geteuid() != 0:
        sys.exit("PostgreSQL is not installed: run `sudo apt-get install -y postgresql` first.")
    print("localdb: installing PostgreSQL with apt-get ...", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        [
            "apt-get",
            "-o",
            "DPkg::Lock::Timeout=300",
            "install",
            "-y",
            "-qq",
            "postgresql",
            "postgresql-contrib",
        ],
        check=True,
        env=env,
    )
    # Debian's package creates and starts a "main" cluster of its own; ours is separate.
    bindir = _bindir()
    if not bindir:
        sys.exit("localdb: apt-get installed no PostgreSQL server")
    return bindir


def _as_server_user(cmd: list[str]) -> list[str]:
    """Run ``cmd`` as the postgres system user when we are root."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _make_reachable_for_postgres() -> None:
    """As root, let the postgres user reach .localdb (traverse-only on each parent)."""
    if os.geteuid() != 0:
        return
    pg = pwd.getpwnam("postgres")
    LOCALDB.mkdir(exist_ok=True)
    os.chown(LOCALDB, pg.pw_uid, pg.pw_gid)
    for parent in LOCALDB.parents:
        mode = parent.stat().st_mode
        if not mode & 0o001:
            os.chmod(parent, mode | 0o001)


def _free_port() -> int:
    for port in range(FIRST_PORT, FIRST_PORT + 100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    sys.exit("localdb: no free port between 54329 and 54428")


def port() -> int:
    if PORT_FILE.exists():
        return int(PORT_FILE.read_text().strip())
    return FIRST_PORT


def url() -> str:
    return f"postgres://postgres@127.0.0.1:{port()}/{DB_NAME}"


def _running(bindir: Path) -> bool:
    if not (DATA / "PG_VERSION").exists():
        return False
    result = subprocess.run(
        _as_server_user([str(bindir / "pg_ctl"), "-D", str(DATA), "status"]),
        capture_output=True,
    )
    return result.returncode == 0


def start() -> None:
    bindir = _ensure_binaries()
    _make_reachable_for_postgres()
    LOCALDB.mkdir(exist_ok=True)
    if not (DATA / "PG_VERSION").exists():
        PORT_FILE.write_text(f"{_free_port()}\n")
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(DATA),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if _running(bindir):
        print(f"localdb: already running on port {port()}")
        return
    if os.geteuid() == 0:
        shutil.chown(LOCALDB, "postgres", "postgres")
        if LOG.exists():
            shutil.chown(LOG, "postgres", "postgres")
    options = f"-p {port()} -c listen_addresses=127.0.0.1 -c unix_socket_directories={LOCALDB}"
    subprocess.run(
        _as_server_user(
            [str(bindir / "pg_ctl"), "-D", str(DATA), "-l", str(LOG), "-o", options, "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _create_database(bindir)
    print(f"localdb: running on port {port()} ({url()})")


def _create_database(bindir: Path) -> None:
    psql = [str(bindir / "psql"), "-h", "127.0.0.1", "-p", str(port()), "-U", "postgres", "-tA"]
    # pg_ctl -w has waited until the server accepts connections.
    exists = subprocess.run(
        [*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"],  # noqa: S608 (constant)
        capture_output=True,
        text=True,
        check=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run(
            [
                *psql,
                "-c",
                f"CREATE DATABASE {DB_NAME} ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def stop() -> None:
    bindir = _bindir()
    if bindir and _running(bindir):
        subprocess.run(
            _as_server_user([str(bindir / "pg_ctl"), "-D", str(DATA), "-m", "fast", "stop"]),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print("localdb: stopped")
    else:
        print("localdb: not running")


def status() -> int:
    bindir = _bindir()
    running = bool(bindir) and _running(bindir)
    print(f"localdb: {'running' if running else 'stopped'} ({url()})")
    return 0 if running else 3


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        start()
    elif command == "stop":
        stop()
    elif command == "url":
        print(url())
    elif command == "status":
        return status()
    else:
        print("usage: python -m twinning.localdb start|stop|status|url", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
