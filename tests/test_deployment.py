"""Deployment files: docker-compose.yml, Dockerfile, docker/entrypoint.sh, gunicorn.conf.py.

No Docker engine and no database are needed: the files are parsed and checked for the
properties the deployment relies on.
"""

import gc
import os
import re
import runpy
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"
GUNICORN_CONF = ROOT / "gunicorn.conf.py"
DOCKERIGNORE = ROOT / ".dockerignore"

GUNICORN_ENV = (
    "GUNICORN_BIND",
    "PORT",
    "GUNICORN_WORKERS",
    "WEB_CONCURRENCY",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_GRACEFUL_TIMEOUT",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_MAX_REQUESTS",
    "GUNICORN_MAX_REQUESTS_JITTER",
    "FORWARDED_ALLOW_IPS",
    "GUNICORN_LOG_LEVEL",
)


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whether written as a mapping or a list."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)")


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's variable substitution: ${VAR}, $VAR, ${VAR:-default}, ${VAR:?error}, $$."""

    def replace(match: re.Match) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1) or match.group(4)
        operator, argument = match.group(2), match.group(3)
        current = env.get(name)
        unset = current is None or (current == "" and operator in (":-", ":?"))
        if operator in ("-", ":-") and unset:
            return argument
        if operator in ("?", ":?") and unset:
            raise KeyError(f"{name}: {argument}")
        return current or ""

    return _VARIABLE.sub(replace, value)


def instructions(text: str) -> list[tuple[str, str]]:
    """Dockerfile instructions as (KEYWORD, arguments), continuation lines joined."""
    result: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue  # comment lines inside a continued instruction are dropped
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        full = pending + stripped
        pending = ""
        keyword, _, arguments = full.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


@pytest.fixture(scope="module")
def dockerfile() -> list[tuple[str, str]]:
    return instructions(DOCKERFILE.read_text())


def shell_commands(path: Path) -> list[str]:
    """The script's non-blank lines without comments (the shebang counts as a comment)."""
    lines = []
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            lines.append(stripped)
    return lines


def line_index(lines: list[str], pattern: str) -> int:
    for index, line in enumerate(lines):
        if re.search(pattern, line):
            return index
    raise AssertionError(f"no line matches {pattern!r}")


@pytest.fixture
def gunicorn_settings(monkeypatch):
    """Run gunicorn.conf.py as gunicorn does, in an environment without overrides."""
    for name in GUNICORN_ENV:
        monkeypatch.delenv(name, raising=False)

    def load(**env: str) -> dict:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(GUNICORN_CONF))

    return load


# --- docker-compose.yml ----------------------------------------------------------------


def test_compose_defines_db_and_web(services):
    assert {"db", "web"} <= set(services)


def test_db_runs_postgres_16(services):
    assert str(services["db"]["image"]).startswith("postgres:16")


def test_db_healthcheck_runs_pg_isready_for_user_and_database(services):
    healthcheck = services["db"]["healthcheck"]
    test = healthcheck["test"]
    command = test if isinstance(test, str) else " ".join(test)
    assert "pg_isready" in command
    assert re.search(r"-U\s+\S*POSTGRES_USER", command)
    assert re.search(r"-d\s+\S*POSTGRES_DB", command)
    for key in ("interval", "timeout", "retries"):
        assert key in healthcheck, key
    assert int(healthcheck["retries"]) >= 1


def test_db_keeps_its_data_in_a_named_volume(compose, services):
    mounts = [str(volume).split(":") for volume in services["db"].get("volumes", [])]
    data = [mount for mount in mounts if len(mount) >= 2 and mount[1] == "/var/lib/postgresql/data"]
    assert data, "no volume is mounted at /var/lib/postgresql/data"
    assert data[0][0] in (compose.get("volumes") or {}), "the data volume is not declared"


def test_db_is_created_with_utf8_and_a_utf8_locale(services):
    args = environment(services["db"]).get("POSTGRES_INITDB_ARGS", "")
    assert "--encoding=UTF8" in args
    assert "--locale=C.UTF-8" in args


def test_db_credentials_are_set(services):
    env = environment(services["db"])
    for name in ("POSTGRES_DB", "POSTGRES_USER", "POSTGRES_PASSWORD"):
        assert env.get(name), name


def test_web_is_built_here_and_waits_for_a_healthy_db(services):
    web = services["web"]
    build = web["build"]
    context = build if isinstance(build, str) else build.get("context", ".")
    assert context in (".", "./")
    assert web["depends_on"]["db"]["condition"] == "service_healthy"


def test_web_runs_in_production_mode_and_is_reachable(services):
    web = services["web"]
    env = environment(web)
    assert env.get("DEBUG") == "0"
    assert env.get("ALLOWED_HOSTS")
    assert "8000:8000" in [str(port) for port in web.get("ports", [])]
    assert web.get("restart") == "unless-stopped"


def test_web_requires_a_secret_key(services):
    env = environment(services["web"])
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    with pytest.raises(KeyError, match="SECRET_KEY"):
        interpolate(env["SECRET_KEY"], {})
    assert interpolate(env["SECRET_KEY"], {"SECRET_KEY": "s3cret"}) == "s3cret"


@pytest.mark.parametrize(
    "shell_env",
    [
        {"POSTGRES_PASSWORD": "pw"},
        {"POSTGRES_PASSWORD": "other-pw", "POSTGRES_USER": "alice", "POSTGRES_DB": "registry"},
    ],
)
def test_database_url_matches_the_db_service(services, shell_env):
    db_env = {
        key: interpolate(value, shell_env) for key, value in environment(services["db"]).items()
    }
    url = urlsplit(interpolate(environment(services["web"])["DATABASE_URL"], shell_env))
    assert url.scheme in ("postgres", "postgresql")
    assert url.hostname == "db"
    assert url.port in (None, 5432)
    assert url.username == db_env["POSTGRES_USER"]
    assert url.password == db_env["POSTGRES_PASSWORD"]
    assert url.path == "/" + db_env["POSTGRES_DB"]


# --- start-up: compose -> Dockerfile -> entrypoint -> gunicorn ----------------------------


def test_web_starts_through_the_entrypoint(services, dockerfile):
    web = services["web"]
    for key in ("command", "entrypoint"):
        if key in web:  # an override must still go through the entrypoint
            assert "entrypoint.sh" in str(web[key]), key
    starts = [args for keyword, args in dockerfile if keyword in ("CMD", "ENTRYPOINT")]
    assert starts, "the Dockerfile has no CMD or ENTRYPOINT"
    assert any("docker/entrypoint.sh" in args for args in starts)


def test_entrypoint_migrates_then_execs_gunicorn():
    lines = shell_commands(ENTRYPOINT)
    assert lines[0].startswith("set -e"), "the script must stop on errors"
    migrate = line_index(lines, r"manage\.py migrate\b.*--noinput")
    gunicorn = line_index(lines, r"^exec gunicorn\b")
    assert migrate < gunicorn
    assert gunicorn == len(lines) - 1, "gunicorn must be the script's last command"
    assert "-c gunicorn.conf.py" in lines[gunicorn]
    assert "twinning.wsgi:application" in lines[gunicorn]


def test_entrypoint_loads_starter_data_only_on_request():
    lines = shell_commands(ENTRYPOINT)
    load = line_index(lines, r"manage\.py load_starter_data")
    guard = line_index(lines, r"LOAD_STARTER_DATA")
    assert guard < load < line_index(lines, r"^exec gunicorn\b")
    assert line_index(lines, r"manage\.py migrate\b") < load


def test_entrypoint_is_valid_and_executable():
    assert ENTRYPOINT.read_text().startswith("#!/bin/sh")
    assert os.access(ENTRYPOINT, os.X_OK)
    shell = shutil.which("sh")
    assert shell is not None
    result = subprocess.run([shell, "-n", str(ENTRYPOINT)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# --- Dockerfile ----------------------------------------------------------------------


def test_dockerfile_builds_on_python_311(dockerfile):
    images = [args.split()[0] for keyword, args in dockerfile if keyword == "FROM"]
    assert images, "no FROM"
    assert images[-1].startswith("python:3.11")


def test_dockerfile_runs_as_a_non_root_user(dockerfile):
    users = [(index, args) for index, (keyword, args) in enumerate(dockerfile) if keyword == "USER"]
    assert users, "no USER instruction"
    index, user = users[-1]
    assert user.split(":")[0] not in ("root", "0")
    cmd = max(i for i, (keyword, _) in enumerate(dockerfile) if keyword in ("CMD", "ENTRYPOINT"))
    assert index < cmd


def test_dockerfile_installs_pinned_dependencies(dockerfile):
    runs = " ".join(args for keyword, args in dockerfile if keyword == "RUN")
    assert "pip install" in runs
    assert "-c constraints.txt" in runs
    assert "pyproject.toml" in runs


def test_dockerfile_collects_static_files_with_a_build_only_key(dockerfile):
    steps = [args for keyword, args in dockerfile if keyword == "RUN" and "collectstatic" in args]
    assert steps, "collectstatic is not run at build time"
    assert "--noinput" in steps[0]
    assert "SECRET_KEY=" in steps[0]
    # The dummy key must not end up in the image's environment.
    persistent = " ".join(args for keyword, args in dockerfile if keyword in ("ENV", "ARG"))
    assert "SECRET_KEY" not in persistent


def test_dockerfile_exposes_port_8000(dockerfile):
    ports = [port for keyword, args in dockerfile if keyword == "EXPOSE" for port in args.split()]
    assert "8000" in ports or "8000/tcp" in ports


def test_dockerignore_keeps_local_state_out_but_not_the_app():
    patterns = {
        line.strip().lstrip("/").rstrip("/")
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    for excluded in (".venv", ".localdb", ".git", "staticfiles"):
        assert excluded in patterns, excluded
    assert "**/__pycache__" in patterns or "__pycache__" in patterns
    for needed in ("docker", "gunicorn.conf.py", "manage.py", "twinning", "partnerships"):
        assert needed not in patterns, needed


# --- gunicorn.conf.py ----------------------------------------------------------------


def test_gunicorn_serves_port_8000_with_threaded_workers_by_default(gunicorn_settings):
    settings = gunicorn_settings()
    assert settings["bind"] == "0.0.0.0:8000"
    # One worker more than the CPUs: more would only share them (docs/PERFORMANCE.md).
    assert settings["workers"] == min(settings["_cpu_count"]() + 1, 8)
    assert settings["timeout"] == 30
    assert settings["graceful_timeout"] >= 1
    assert settings["accesslog"] == "-"
    assert settings["max_requests"] >= 10000
    assert settings["max_requests_jitter"] >= settings["max_requests"] // 4  # not all at once
    assert settings["forwarded_allow_ips"]
    # Streaming exports must not be cut by the worker timeout: not the sync worker class.
    assert settings["worker_class"] == "gthread"
    # A worker takes a connection only when it can answer it, and keeps none open after
    # the answer: requests wait for the first free worker, not behind a busy one.
    assert settings["threads"] == settings["worker_connections"] == 1
    assert settings["keepalive"] == 0


def test_gunicorn_with_keep_alive_turned_on_keeps_one_idle_connection_per_worker(
    gunicorn_settings,
):
    settings = gunicorn_settings(GUNICORN_KEEPALIVE="5", GUNICORN_THREADS="2")
    assert settings["keepalive"] == 5
    assert settings["threads"] == 2
    assert settings["worker_connections"] == 3


def test_gunicorn_reads_the_environment(gunicorn_settings):
    settings = gunicorn_settings(
        GUNICORN_BIND="127.0.0.1:9000", GUNICORN_WORKERS="3", FORWARDED_ALLOW_IPS="10.0.0.0/8"
    )
    assert settings["bind"] == "127.0.0.1:9000"
    assert settings["workers"] == 3
    assert settings["forwarded_allow_ips"] == "10.0.0.0/8"


def test_gunicorn_port_and_web_concurrency(gunicorn_settings):
    settings = gunicorn_settings(PORT="8123", WEB_CONCURRENCY="4")
    assert settings["bind"] == "0.0.0.0:8123"
    assert settings["workers"] == 4


@pytest.mark.parametrize("value", ["0", "-2", "many"])
def test_gunicorn_rejects_invalid_worker_counts(gunicorn_settings, value):
    with pytest.raises(ValueError, match="GUNICORN_WORKERS"):
        gunicorn_settings(GUNICORN_WORKERS=value)


def test_gunicorn_accepts_every_setting_in_the_file(gunicorn_settings):
    """Gunicorn silently ignores unknown names, so a misspelt setting would go unnoticed."""
    from gunicorn.config import Config

    config = Config()
    settings = {
        name: value
        for name, value in gunicorn_settings().items()
        if not name.startswith("_")
        and name.islower()
        and not callable(value)
        and not hasattr(value, "__file__")  # imported modules
    }
    unknown = set(settings) - set(config.settings)
    assert not unknown, f"not gunicorn settings: {sorted(unknown)}"
    for name, value in settings.items():
        config.set(name, value)  # runs gunicorn's validators
    assert config.address  # the bind address parses
    assert config.workers == settings["workers"]


# --- backups ---------------------------------------------------------------------------


def backup_script(service: dict) -> str:
    """The backup service's shell script as compose hands it to ``sh -c`` ($$ -> $)."""
    entrypoint = service.get("entrypoint")
    command = service["command"]
    assert entrypoint in (["/bin/sh", "-c"], ["sh", "-c"]), entrypoint
    script = command[0] if isinstance(command, list) else command
    # No compose variables in the script: every $ is written $$ (a literal $).
    assert interpolate(script, {}) == script.replace("$$", "$")
    return script.replace("$$", "$")


def test_backup_service_dumps_the_db_into_a_volume(compose, services):
    backup = services["backup"]
    assert backup["image"] == services["db"]["image"], "pg_dump must match the server"
    assert backup["depends_on"]["db"]["condition"] == "service_healthy"
    assert backup.get("restart") == "unless-stopped"
    mounts = [str(volume).split(":") for volume in backup.get("volumes", [])]
    target = environment(backup)["BACKUP_DIR"]
    volume = [mount[0] for mount in mounts if len(mount) >= 2 and mount[1] == target]
    assert volume, f"no volume is mounted at {target}"
    assert volume[0] == "backups"
    assert volume[0] in (compose.get("volumes") or {}), "the backups volume is not declared"
    db_volumes = [str(v).split(":")[0] for v in services["db"].get("volumes", [])]
    assert volume[0] not in db_volumes, "backups must not live in the database's volume"
    assert re.search(r"\bpg_dump -Fc\b", backup_script(backup))


def test_backup_defaults_daily_keeping_fourteen(services):
    env = environment(services["backup"])
    assert interpolate(env["BACKUP_INTERVAL_SECONDS"], {}) == "86400"
    assert interpolate(env["BACKUP_KEEP"], {}) == "14"
    shell = {"BACKUP_INTERVAL_SECONDS": "3600", "BACKUP_KEEP": "7", "POSTGRES_PASSWORD": "pw"}
    assert interpolate(env["BACKUP_INTERVAL_SECONDS"], shell) == "3600"
    assert interpolate(env["BACKUP_KEEP"], shell) == "7"


@pytest.mark.parametrize(
    "shell_env",
    [
        {"POSTGRES_PASSWORD": "pw"},
        {"POSTGRES_PASSWORD": "other-pw", "POSTGRES_USER": "alice", "POSTGRES_DB": "registry"},
    ],
)
def test_backup_connects_to_the_db_service_with_the_password_in_the_environment(
    services, shell_env
):
    db_env = {
        key: interpolate(value, shell_env) for key, value in environment(services["db"]).items()
    }
    backup = services["backup"]
    env = {key: interpolate(value, shell_env) for key, value in environment(backup).items()}
    assert env["PGHOST"] == "db"
    assert env.get("PGPORT", "5432") == "5432"
    assert env["PGUSER"] == db_env["POSTGRES_USER"]
    assert env["PGDATABASE"] == db_env["POSTGRES_DB"]
    assert env["PGPASSWORD"] == db_env["POSTGRES_PASSWORD"]
    with pytest.raises(KeyError, match="POSTGRES_PASSWORD"):
        interpolate(environment(backup)["PGPASSWORD"], {})
    # The password is never written into the command line.
    assert "PASSWORD" not in backup_script(backup)
    assert "PASSWORD" not in str(backup.get("entrypoint"))


def test_backup_script_is_valid_shell(services):
    shell = shutil.which("sh")
    assert shell is not None
    result = subprocess.run(
        [shell, "-n", "-c", backup_script(services["backup"])], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


STUB_PG_DUMP = """#!/bin/sh
# Records its arguments, writes a fake dump to --file; fails on call $STUB_FAIL_ON.
n=$(( $(cat "$STUBS/pg_dump.count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$STUBS/pg_dump.count"
echo "$*" >> "$STUBS/pg_dump.log"
for arg in "$@"; do case "$arg" in --file=*) out="${arg#--file=}" ;; esac; done
printf 'PGDMP %s' "$n" > "$out"
[ "$n" != "$STUB_FAIL_ON" ] || { echo "pg_dump: error: connection failed" >&2; exit 1; }
"""
STUB_DATE = """#!/bin/sh
# One second later on every call.
n=$(( $(cat "$STUBS/date.count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$STUBS/date.count"
printf '20250101-%06d\\n' "$n"
"""
STUB_SLEEP = """#!/bin/sh
# Records the interval and returns at once; on call $STUB_STOP_AFTER stops the script.
n=$(( $(cat "$STUBS/sleep.count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$STUBS/sleep.count"
echo "$1" >> "$STUBS/sleep.log"
[ "$n" -lt "$STUB_STOP_AFTER" ] || kill -TERM "$PPID"
"""


def test_backup_loop_writes_dumps_and_keeps_the_newest(services, tmp_path):
    """The script itself, with pg_dump, date and sleep replaced by stubs (no Docker needed).

    Four rounds, the second pg_dump fails: dumps 1, 3 and 4 are written, the failed one
    leaves no file, and with BACKUP_KEEP=2 only 3 and 4 remain.
    """
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, text in (("pg_dump", STUB_PG_DUMP), ("date", STUB_DATE), ("sleep", STUB_SLEEP)):
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    backups = tmp_path / "backups"
    env = {
        "PATH": f"{stubs}:{os.environ['PATH']}",
        "STUBS": str(stubs),
        "STUB_FAIL_ON": "2",
        "STUB_STOP_AFTER": "4",
        "BACKUP_DIR": str(backups),
        "BACKUP_INTERVAL_SECONDS": "3600",
        "BACKUP_KEEP": "2",
    }
    script = backup_script(services["backup"])
    result = subprocess.run(
        ["sh", "-c", script], env=env, capture_output=True, text=True, timeout=30
    )

    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in backups.iterdir()) == [
        "twinning-20250101-000003.dump",
        "twinning-20250101-000004.dump",
    ]
    assert (backups / "twinning-20250101-000004.dump").read_text() == "PGDMP 4"
    calls = (stubs / "pg_dump.log").read_text().splitlines()
    assert len(calls) == 4
    assert all(call.startswith("-Fc ") for call in calls)
    assert (stubs / "sleep.log").read_text().split() == ["3600"] * 4
    assert "pg_dump failed" in result.stderr
    assert "removed twinning-20250101-000001.dump" in result.stdout
    assert oct(backups.stat().st_mode & 0o777) == oct(0o700)


@pytest.mark.parametrize(("name", "value"), [("BACKUP_KEEP", "0"), ("BACKUP_KEEP", "many")])
def test_backup_loop_refuses_bad_settings(services, tmp_path, name, value):
    env = {
        "PATH": os.environ["PATH"],
        "BACKUP_DIR": str(tmp_path / "backups"),
        "BACKUP_INTERVAL_SECONDS": "3600",
        "BACKUP_KEEP": "2",
        name: value,
    }
    result = subprocess.run(
        ["sh", "-c", backup_script(services["backup"])],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "BACKUP_KEEP" in result.stderr
    assert not (tmp_path / "backups").exists()


def test_a_stream_longer_than_the_worker_timeout_is_served_whole(tmp_path):
    """With gunicorn.conf.py, a response streaming for 6 s survives a 3 s timeout.

    A sync worker would be killed after 3 s and the reader would get a cut file after
    "200 OK" (docs/PERFORMANCE.md). The timeout is 3 s, not 1 s: a gthread worker tells
    the arbiter it is alive about once a second, so a 1 s timeout killed it on a loaded
    CI machine even though it was streaming.
    """
    gunicorn = shutil.which("gunicorn") or str(Path(os.sys.executable).with_name("gunicorn"))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **{k: v for k, v in os.environ.items() if k not in GUNICORN_ENV},
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_TIMEOUT": "3",
        "PYTHONPATH": str(ROOT),
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [gunicorn, "-c", str(GUNICORN_CONF), "tests.apps.slow_stream:application"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        body = None
        deadline = time.monotonic() + 30
        while body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as reply:
                    body = reply.read().decode()
                    connection = reply.headers["Connection"]
            except (ConnectionError, urllib.error.URLError):
                assert server.poll() is None, (tmp_path / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 30 s"
                time.sleep(0.1)  # polling for the port to open, not synchronising on it
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert body == "".join(f"line {n}\n" for n in range(8))
    assert connection == "close"  # no keep-alive (gunicorn.conf.py)
    assert "WORKER TIMEOUT" not in (tmp_path / "gunicorn.log").read_text()


def test_a_new_worker_loads_the_templates_and_languages_before_its_first_request(monkeypatch):
    """gunicorn's ``post_worker_init`` compiles every public template and reads the three
    catalogs, so that the first readers after a deploy do not wait for it."""
    from django.template import engines
    from django.utils.translation import trans_real

    loader = engines["django"].engine.template_loaders[0]
    loader.reset()
    monkeypatch.setattr(trans_real, "_translations", {})
    hooks = runpy.run_path(str(GUNICORN_CONF))
    hooks["post_worker_init"](worker=None)
    compiled = set(loader.get_template_cache)
    assert {"base.html", "partnerships/partnership_list.html", "partnerships/home.html"} <= compiled
    assert not [name for name in compiled if name.startswith("admin/")]
    assert {"de", "ru", "en"} <= set(trans_real._translations)


def test_a_new_worker_freezes_what_it_loaded_and_collects_young_garbage_less_often():
    """After the warm-up the garbage collector no longer walks the objects loaded so far,
    and collects the first generation after 10,000 new objects, not 700."""
    from partnerships import warmup

    threshold = gc.get_threshold()
    try:
        hooks = runpy.run_path(str(GUNICORN_CONF))
        hooks["post_worker_init"](worker=None)
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == warmup.GC_THRESHOLDS == (10_000, 10, 10)
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
