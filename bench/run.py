"""The registry's benchmark (issue 6): import, public pages under load, CSV export.

    .venv/bin/python bench/run.py [--partnerships N] [--duration S] [--connections C]
                                  [--keep-db] [--reuse-db] [--workers W] [--output FILE]
                                  [--no-peer] [--peer-connections C]

(``make bench`` runs it with the defaults: 100,000 partnerships, 15 s per endpoint, 16
connections.) One run:

1. creates the database ``twinning_bench`` on the project's own cluster (twinning.localdb),
   or the database named by ``BENCH_DATABASE_URL`` (its name must contain "bench": it is
   dropped and created anew), and migrates it;
2. writes a deterministic synthetic registry of N partnerships (``bench/generate.py``) in the
   starter-data format and imports it through the registry's own importer, timed;
3. serves it with gunicorn (``gunicorn.conf.py``) under production settings on 127.0.0.1;
4. loads the partnership list (three filters), the name search (Latin and Cyrillic), a
   partnership page and ``/healthz`` with wrk, at C connections, D seconds each;
5. downloads the CSV export of all N partnerships from a one-worker gunicorn, with its time
   to first byte and the worker's memory growth, next to PostgreSQL's own COPY of the
   export query;
6. side by side with the peer (issue 14, ``--no-peer`` leaves it out): the same rows in
   SQLite, served by Datasette (``bench/peer.py``, its own virtualenv), and the same
   workloads on a fresh gunicorn and on Datasette at ``--peer-connections`` (8): filtered
   list with facets, search, partnership and municipality pages (a new address on every
   request), the same list page again, the spellings each side finds, the CSV export; the
   import of the same file by ``sqlite-utils insert --csv``; the ratios with the targets;
7. prints the figures with their targets (PASS/MISS) and EXPLAIN (ANALYZE, BUFFERS) of the
   list, search and export queries, and writes the same to ``bench/results-latest.md``.

Traffic goes to 127.0.0.1 only. The database is dropped at the end unless ``--keep-db``;
``--reuse-db`` reuses a kept database that holds exactly the same generated data (the
import is then not measured).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import generate  # noqa: E402  (bench/generate.py)
import peer  # noqa: E402  (bench/peer.py: Datasette and sqlite-utils, the peer of issue 14)
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402
from psycopg.conninfo import conninfo_to_dict, make_conninfo  # noqa: E402

HOST = "127.0.0.1"  # loopback only: the benchmark never talks to another address
DB_NAME = "twinning_bench"
LIST_PATH = "/partnerships/?german_state=DE-BY&status=active&kind=official"
EXPORT_PATH = "/partnerships/export.csv"
HEADERS = {"X-Forwarded-Proto": "https", "Accept-Language": "de"}
HEALTH_TIMEOUT = 90  # seconds gunicorn may take to answer /healthz
WARMUP_SECONDS = 2
MB = 1024 * 1024

# What wrk loads, in this order: name -> (page, mode). Modes:
# "same": the same address again and again (what the cache of whole pages serves);
# "built": a parameter the filters ignore is appended, so the page is built for every
#   request, while its counts come from the count cache (as for another page or sorting
#   of filters someone asked for before);
# "cold": every request a filter combination or search of its own (bench/report.lua with
#   a list of addresses), so nothing is cached: counts, facets and page are all computed.
LOADS = {
    "baseline": ("baseline", "same"),
    "list": ("list", "same"),
    "list_built": ("list", "built"),
    "list_cold": ("list", "cold"),
    "search_latin": ("search_latin", "same"),
    "search_latin_built": ("search_latin", "built"),
    "search_latin_cold": ("search_latin", "cold"),
    "search_cyrillic": ("search_cyrillic", "same"),
    "search_cyrillic_built": ("search_cyrillic", "built"),
    "search_cyrillic_cold": ("search_cyrillic", "cold"),
    "detail": ("detail", "same"),
    # One reader at a time: the latency of a page without queueing behind others.
    "list_cold_1": ("list", "cold"),
    "search_latin_cold_1": ("search_latin", "cold"),
    "search_cyrillic_cold_1": ("search_cyrillic", "cold"),
}
SINGLE = {"list_cold_1", "search_latin_cold_1", "search_cyrillic_cold_1"}  # 1 connection
# Where in its list of addresses a "cold" load starts, and its warm-up: (load, warm-up) as
# fractions of the list, so that no load meets an address an earlier one asked for.
COLD_OFFSETS = {"many": (0.0, 0.45), "single": (0.6, 0.9)}
MODES = {
    "same": "same address repeated",
    "built": "page built, counts cached",
    "cold": "nothing cached",
}

# The side-by-side loads against the peer (issue 14), each at --peer-connections for both
# servers, the registry's run first, then Datasette's: key -> (label, mode).
PEER_LOADS = {
    "list_cold": ("filtered list with facets (Land × status × kind × year)", "cold"),
    "search_cold": ("search by a town's name", "cold"),
    "partnership_cold": ("partnership page", "cold"),
    "municipality_cold": ("municipality page", "cold"),
    "list_same": ("the same list page again (page cache)", "same"),
}
# Targets of issue 14 (ratios against Datasette in the same run).
PEER_LIST_FACTOR, PEER_LIST_P95_MS = 3, 300
PEER_SEARCH_FACTOR, PEER_SEARCH_P95_MS = 1, 200
PEER_PAGE_FACTOR = 1.5
PEER_IMPORT_FACTOR = 1
PEER_EXPORT_COPY_FACTOR = 1.5

# Targets of issue 6.
LIST_P95_MS = 200
LIST_BASELINE_SHARE = 1 / 8
SEARCH_P95_MS = 100
EXPORT_COPY_FACTOR = 3
EXPORT_FIRST_BYTE_S = 1.0
EXPORT_MEMORY_MB = 50
IMPORT_ROWS_PER_S = 5000


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# The database ----------------------------------------------------------------------------


class BenchDatabase:
    """The dedicated database: created anew (or reused), dropped at the end unless kept."""

    def __init__(self) -> None:
        url = os.environ.get("BENCH_DATABASE_URL", "").strip()
        if url:
            params = conninfo_to_dict(url)
            self.name = params.get("dbname") or ""
            if "bench" not in self.name:
                sys.exit(
                    f"BENCH_DATABASE_URL names the database {self.name!r}: the benchmark drops "
                    "and recreates it, so its name must contain 'bench'."
                )
            self.url = url
        else:
            from twinning import localdb

            with contextlib.redirect_stdout(sys.stderr):  # stdout carries the report only
                localdb.start()
            self.name = DB_NAME
            self.url = f"postgres://postgres@{HOST}:{localdb.port()}/{DB_NAME}"
            params = conninfo_to_dict(self.url)
        self.admin = make_conninfo(**{**params, "dbname": "postgres"})

    def _admin(self) -> psycopg.Connection:
        return psycopg.connect(self.admin, autocommit=True)

    def comment(self) -> str | None:
        with self._admin() as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                [self.name],
            ).fetchone()
        return None if row is None else (row[0] or "")

    def recreate(self) -> None:
        with self._admin() as conn:
            name = sql.Identifier(self.name)
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(
                sql.SQL(
                    "CREATE DATABASE {} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                    "LC_CTYPE 'C.UTF-8' TEMPLATE template0"
                ).format(name)
            )

    def mark(self, fingerprint: str) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                    sql.Identifier(self.name), sql.Literal(fingerprint)
                )
            )

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )

    def vacuum_analyze(self) -> float:
        started = time.perf_counter()
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute("VACUUM (ANALYZE)")
        return time.perf_counter() - started

    def server_facts(self) -> dict[str, str]:
        with psycopg.connect(self.url) as conn:
            facts = {"version": conn.execute("SELECT version()").fetchone()[0]}
            for setting in ("shared_buffers", "work_mem", "max_connections", "jit"):
                facts[setting] = conn.execute(f"SHOW {setting}").fetchone()[0]
            facts["size"] = conn.execute(
                "SELECT pg_size_pretty(pg_database_size(current_database()))"
            ).fetchone()[0]
        return facts


# Subprocesses: Django steps and management commands --------------------------------------


def django_env(database_url: str, **extra: str) -> dict[str, str]:
    drop = {"DEBUG", "DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URL", "REDIS_URL", "PORT"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in drop and not k.startswith("GUNICORN_") and k != "WEB_CONCURRENCY"
    }
    env.update(DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="twinning.settings")
    env.update(extra)
    return env


def production_env(database_url: str, secret_key: str, port: int, **extra: str) -> dict[str, str]:
    return django_env(
        database_url,
        PRODUCTION="1",
        SECRET_KEY=secret_key,
        ALLOWED_HOSTS=HOST,
        GUNICORN_BIND=f"{HOST}:{port}",
        **extra,
    )


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def django_task(*args: str, env: dict[str, str]) -> dict:
    result = subprocess.run(
        [sys.executable, str(BENCH / "django_tasks.py"), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after the last ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return sorted(found)


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _sep, rest = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            values[key] = int(rest.split()[0]) * 1024
    return values


class Gunicorn:
    """gunicorn with gunicorn.conf.py on 127.0.0.1, stopped at the end whatever happens."""

    def __init__(self, env: dict[str, str], port: int, log_path: Path) -> None:
        self.env, self.port, self.log_path = env, port, log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.log_file = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "gunicorn.conf.py",
                "twinning.wsgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + HEALTH_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _body = get(self.port, "/healthz", timeout=2)
                if status == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {HEALTH_TIMEOUT} s")

    def log_since(self, offset: int) -> str:
        self.log_file.flush()
        with self.log_path.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode(errors="replace")

    def workers(self) -> list[int]:
        return children(self.process.pid) if self.process else []

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()  # graceful: the master stops its workers
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log_file.close()

    def __enter__(self) -> Gunicorn:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def get(port: int, path: str, timeout: float = 30) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path, headers=HEADERS)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# wrk -------------------------------------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0:
        sys.exit("wrk is missing: sudo apt-get install -y wrk")
    log("installing wrk with apt-get ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True, stdout=subprocess.DEVNULL)
    return shutil.which("wrk") or sys.exit("apt-get installed no wrk")


def wrk(
    port: int,
    path: str,
    *,
    seconds: float,
    connections: int,
    threads: int,
    mode: str = "same",
    paths_file: Path | None = None,
    offset: int = 0,
) -> dict:
    """wrk with bench/report.lua in one of the LOADS modes ("cold" reads ``paths_file``)."""
    script_args = {
        "same": [],
        "built": ["--", "unique"],
        "cold": ["--", "paths", str(paths_file), str(offset), str(threads)],
    }[mode]
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(int(seconds), 1)}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "report.lua"),
        f"http://{HOST}:{port}{path}",
        *script_args,
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 120, check=True
    )
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line.removeprefix("BENCH_JSON "))
    raise RuntimeError(f"wrk printed no figures:\n{result.stdout}\n{result.stderr}")


# Other work on the machine ----------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu() -> dict[int, tuple[float, str]]:
    """CPU seconds used so far and the command line, per process."""
    result = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # Fields after "(comm)": state ppid ... utime is the 12th, stime the 13th.
        result[int(entry.name)] = ((int(stat[11]) + int(stat[12])) / CLOCK_TICKS, cmdline.strip())
    return result


class CpuWatch:
    """How much CPU other processes (not gunicorn, wrk, our database sessions) used meanwhile.

    The machine may be shared (other test suites, other databases on the same cluster):
    the figures are only comparable when this stays near zero. Processes that start and
    end within the window are not seen, so this is a lower bound.
    """

    def __init__(self, ours: set[int], database: str) -> None:
        self.ours, self.database = ours | {os.getpid()}, database

    def __enter__(self) -> CpuWatch:
        self.started, self.before = time.monotonic(), process_cpu()
        return self

    def __exit__(self, *exc) -> None:
        seconds = time.monotonic() - self.started
        after = process_cpu()
        others: dict[str, float] = {}
        for pid, (cpu, cmdline) in after.items():
            if pid not in self.before or self._ours(pid, cmdline):
                continue
            used = cpu - self.before[pid][0]
            if used > 0:
                others[cmdline[:80]] = others.get(cmdline[:80], 0) + used
        self.other_cpus = sum(others.values()) / seconds if seconds else 0.0
        self.top = sorted(others.items(), key=lambda item: -item[1])[:3]

    def _ours(self, pid: int, cmdline: str) -> bool:
        return (
            pid in self.ours
            or cmdline.startswith("wrk ")
            or f" {self.database} " in f" {cmdline} "  # postgres: user DATABASE host(port)
        )


# The export ------------------------------------------------------------------------------


@dataclass
class ExportRun:
    seconds: float = 0.0
    first_byte: float = 0.0
    first_row: float = 0.0
    rows: int = 0
    bytes: int = 0
    status: int = 0
    rss_before: int = 0
    peak_rss: int = 0
    hwm_before: int = 0
    hwm_after: int = 0
    samples: list[int] = field(default_factory=list)

    @property
    def growth(self) -> int:
        peak = max(self.peak_rss, self.hwm_after if self.hwm_after > self.hwm_before else 0)
        return max(peak - self.rss_before, 0)


def measure_export(port: int, worker: int) -> ExportRun:
    """Download the whole CSV, reading the stream, while sampling the worker's RSS."""
    run = ExportRun()
    status = proc_status(worker)
    run.rss_before, run.hwm_before = status["VmRSS"], status["VmHWM"]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError, KeyError):
                run.samples.append(proc_status(worker)["VmRSS"])
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    conn = http.client.HTTPConnection(HOST, port, timeout=120)
    newlines = 0
    try:
        started = time.perf_counter()
        conn.request("GET", EXPORT_PATH, headers=HEADERS)
        response = conn.getresponse()
        run.status = response.status
        while True:
            block = response.read1(256 * 1024)
            if not block:
                break
            now = time.perf_counter()
            if not run.bytes:
                run.first_byte = now - started
            run.bytes += len(block)
            if newlines < 2:
                newlines += block.count(b"\n")
                if newlines >= 2:  # the header line and the first partnership
                    run.first_row = now - started
            else:
                newlines += block.count(b"\n")
        run.seconds = time.perf_counter() - started
    finally:
        conn.close()
        stop.set()
        sampler.join()
    run.rows = max(newlines - 1, 0)
    with contextlib.suppress(OSError, KeyError):
        run.hwm_after = proc_status(worker)["VmHWM"]
    run.peak_rss = max(run.samples, default=run.rss_before)
    return run


# Results ---------------------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "**MISS**")


def ms(value: float) -> str:
    return f"{value:,.1f} ms"


def machine_facts() -> dict[str, str]:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{total / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "python": platform.python_version(),
    }


LABELS = {
    "list": "list, 3 filters",
    "search_latin": "search, Latin",
    "search_cyrillic": "search, Cyrillic",
    "detail": "partnership page",
    "baseline": "trivial view `/healthz` (one `SELECT 1`)",
}


def render(results: dict) -> str:
    args, facts, pg = results["args"], results["machine"], results["postgres"]
    loads, imp, export, copy = (
        results["load"],
        results["import"],
        results["export"],
        results["copy"],
    )
    baseline = loads["baseline"]["rps"]
    lines = [
        f"# Benchmark results ({results['finished']})",
        "",
        f"Command: `{results['command']}` — {args['partnerships']:,} partnerships, "
        f"{args['duration']} s per endpoint, {args['connections']} connections, wrk with "
        f"{results['wrk_threads']} threads; gunicorn {results['workers']} workers "
        f"(`gunicorn.conf.py`, production settings). Whole run: {results['run_seconds']:.0f} s.",
        "",
        f"Machine: {facts['nproc']} CPUs ({facts['cpu']}), {facts['memory']} memory, "
        f"Linux {facts['kernel']}, Python {facts['python']}; {pg['version'].split(' on ')[0]} "
        f"(shared_buffers {pg['shared_buffers']}, work_mem {pg['work_mem']}, jit {pg['jit']}, off on the registry's connections); "
        f"bench database {pg['size']}. Server, database and load generator share the machine.",
        "",
        f"Data: {results['sample']['partnerships']:,} partnerships, "
        f"{results['sample']['german']:,} German and {results['sample']['russian']:,} Russian "
        f"municipalities (the file: {results['expected'][0]:,}, {results['expected'][1]:,}, "
        f"{results['expected'][2]:,}); search for {results['search']['latin']!r} / "
        f"{results['search']['cyrillic']!r}; detail page `{results['paths']['detail']}`.",
        "",
        *(render_peer(results) if results.get("peer") else []),
        "## The registry's own figures (issue 6)" if results.get("peer") else "",
        "",
        "| figure | measured | target | result |",
        "| --- | --- | --- | --- |",
    ]
    if imp.get("reused"):
        lines.append("| import | not measured (database reused) | ≥ 5,000 rows/s | n/a |")
    else:
        rate = imp["rows"] / imp["seconds"]
        files = (
            f", {imp['files']} files of ≤ {imp['rows_per_file']:,} rows" if imp["files"] > 1 else ""
        )
        lines.append(
            f"| import (`PartnershipImporter().run`) | {rate:,.0f} rows/s "
            f"({imp['rows']:,} rows in {imp['seconds']:,.1f} s{files}) "
            f"| ≥ {IMPORT_ROWS_PER_S:,} rows/s | {verdict(rate >= IMPORT_ROWS_PER_S)} |"
        )
    for key in ("list_cold", "list_built", "list"):
        lst, how = loads[key], MODES[LOADS[key][1]]
        lines += [
            f"| list, 3 filters + facets ({how}): p95 at {args['connections']} connections "
            f"| {ms(lst['p95_ms']) if lst['requests'] else 'no request finished'} "
            f"| < {LIST_P95_MS} ms | {verdict(bool(lst['requests']) and lst['p95_ms'] < LIST_P95_MS)} |",
            f"| list ({how}): throughput vs. trivial view | {lst['rps']:,.1f} req/s = 1/"
            f"{baseline / max(lst['rps'], 0.01):,.1f} of {baseline:,.0f} req/s | ≥ 1/8 "
            f"({baseline * LIST_BASELINE_SHARE:,.1f} req/s) "
            f"| {verdict(lst['rps'] >= baseline * LIST_BASELINE_SHARE)} |",
        ]
    for key in (
        "search_latin_cold",
        "search_cyrillic_cold",
        "search_latin_built",
        "search_cyrillic_built",
        "search_latin",
        "search_cyrillic",
    ):
        script = "Latin" if "latin" in key else "Cyrillic"
        label = f"{script}, {MODES[LOADS[key][1]]}"
        p95, done = loads[key]["p95_ms"], loads[key]["requests"]
        lines.append(
            f"| search ({label}): p95 at {args['connections']} connections "
            f"| {ms(p95) if done else 'no request finished'} "
            f"| < {SEARCH_P95_MS} ms | {verdict(bool(done) and p95 < SEARCH_P95_MS)} |"
        )
    for key in ("search_latin_cold_1", "search_cyrillic_cold_1"):
        script = "Latin" if "latin" in key else "Cyrillic"
        p95, done = loads[key]["p95_ms"], loads[key]["requests"]
        lines.append(
            f"| search ({script}, nothing cached): p95 at 1 connection (one reader, no "
            f"queueing) | {ms(p95) if done else 'no request finished'} "
            f"| < {SEARCH_P95_MS} ms | {verdict(bool(done) and p95 < SEARCH_P95_MS)} |"
        )
    single = loads["list_cold_1"]
    lines.append(
        f"| list, 3 filters + facets (nothing cached): p95 at 1 connection (one reader) "
        f"| {ms(single['p95_ms']) if single['requests'] else 'no request finished'} "
        f"| (< {LIST_P95_MS} ms at {args['connections']} connections) "
        f"| {verdict(bool(single['requests']) and single['p95_ms'] < LIST_P95_MS)} |"
    )
    complete = export["rows"] == results["sample"]["partnerships"] and export["status"] == 200
    ratio = export["seconds"] / copy["seconds"]
    lines += [
        f"| CSV export of all rows: total | {export['seconds']:,.2f} s "
        f"({export['rows'] / export['seconds']:,.0f} rows/s, {export['bytes'] / MB:,.1f} MB"
        f"{'' if complete else ', INCOMPLETE: ' + str(export['rows']) + ' rows'}) "
        f"= {ratio:,.1f}× COPY ({copy['seconds']:,.2f} s, "
        f"{copy['rows'] / copy['seconds']:,.0f} rows/s) | ≤ {EXPORT_COPY_FACTOR}× COPY "
        f"| {verdict(complete and ratio <= EXPORT_COPY_FACTOR)} |",
        f"| CSV export: first byte (first row) | {export['first_byte'] * 1000:,.0f} ms "
        f"({export['first_row'] * 1000:,.0f} ms) | < {EXPORT_FIRST_BYTE_S:g} s "
        f"| {verdict(export['first_byte'] < EXPORT_FIRST_BYTE_S)} |",
        f"| CSV export: worker memory growth (peak RSS − RSS before) "
        f"| {export['growth'] / MB:,.1f} MB (RSS before {export['rss_before'] / MB:,.0f} MB) "
        f"| < {EXPORT_MEMORY_MB} MB | {verdict(export['growth'] < EXPORT_MEMORY_MB * MB)} |",
        "",
        f"Load per endpoint ({args['connections']} connections, {args['duration']} s each, "
        "same run; latencies as wrk measures them, closed loop):",
        "",
        "| endpoint | path | req/s | p50 | p95 | p99 | max | errors | worker restarts "
        "| others' CPU | target |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    targets = {
        "list": f"p95 < {LIST_P95_MS} ms, ≥ 1/8 of baseline",
        "search_latin": f"p95 < {SEARCH_P95_MS} ms",
        "search_cyrillic": f"p95 < {SEARCH_P95_MS} ms",
        "detail": "—",
        "baseline": "— (reference)",
    }
    for key, (page, mode) in LOADS.items():
        r = loads[key]
        errors = sum(r["errors"].values())
        label = LABELS[page] + ("" if mode == "same" else f", {MODES[mode]}")
        if key in SINGLE:
            label += ", 1 connection"
        path = f"`{results['paths'][page]}`"
        if mode == "built":
            path = f"`{results['paths'][page]}{'&' if '?' in results['paths'][page] else '?'}_=<n>`"
        elif mode == "cold":
            cold = results["cold_paths"][page]
            start, warm = COLD_OFFSETS["single" if key in SINGLE else "many"]
            slice_size = int(cold["count"] * ((warm - start) % 1.0))
            path = f"{r['requests']:,} of {cold['count']:,} addresses like {cold['example']}"
            if r["requests"] > slice_size:
                path += f" (more than the {slice_size:,} set aside: some were asked twice)"
        lines.append(
            f"| {label} | {path} | {r['rps']:,.1f} | {ms(r['p50_ms'])} "
            f"| {ms(r['p95_ms'])} | {ms(r['p99_ms'])} | {ms(r['max_ms'])} | {errors} "
            f"| {r['restarts']} | {r['other_cpus']:.2f} | {targets[page]} |"
        )
    lines += [
        "",
        "Modes. *same address repeated*: what the cache of whole pages serves. *page built, "
        "counts cached*: wrk appends `_=<thread>-<n>`, a parameter the filters ignore, so the "
        "page cache never answers and the page is built for every request, while the total "
        "and the facet counts come from the count cache (as for another page, sorting or "
        "language of filters asked for before). *nothing cached*: every request asks for "
        "a filter combination (list: Land × status × kind × established-from) or a search "
        "term (a generated town) of its own, so counts, facets and page are all computed, as "
        "for a reader's first visit; the warm-up used other addresses of the same kind.",
        "",
        "worker restarts: gunicorn recycles a worker after `max_requests` (see "
        "`gunicorn.conf.py`) requests; a new worker loads Django again (about 0.5 s of CPU "
        "on this machine).",
        "",
        f"others' CPU: CPUs used meanwhile by processes outside the benchmark (of "
        f"{facts['nproc']}; a lower bound). The figures compare across runs only when it "
        "stays near 0.",
    ]
    lines += [
        "",
        "Export details: one-worker gunicorn (same configuration otherwise), warm database "
        f"cache; RSS sampled every 50 ms ({len(export['samples'])} samples) plus VmHWM; "
        f"HTTP status {export['status']}; others' CPU {export['other_cpus']:.2f}. COPY: `COPY (<the export's SQL>) TO STDOUT WITH "
        f"(FORMAT csv)` read by psycopg into a null sink, best of "
        f"{len(copy['all_seconds'])} ({', '.join(f'{s:.2f}' for s in copy['all_seconds'])} s), "
        f"{copy['bytes'] / MB:,.1f} MB.",
    ]
    if not imp.get("reused"):
        lines += [
            "",
            f"Import: rows {', '.join(f'{k} {v:,}' for k, v in imp['counts'].items())}; "
            f"municipalities created {imp['municipalities_created']:,}, "
            f"updated {imp['municipalities_updated']:,}; seconds per file: "
            f"{', '.join(f'{x:.1f}' for x in imp['seconds_per_file'])}; then `VACUUM (ANALYZE)` "
            f"({results['vacuum_seconds']:.1f} s, not counted).",
        ]
    lines += ["", "## Queries of one request (warm, no concurrency)", ""]
    explain = results["explain"]
    for key, page in explain["pages"].items():
        total = sum(q["ms"] for q in page["queries"])
        lines += [
            f"### {LABELS[key]}: `{page['path']}`",
            "",
            f"One request through Django's test client with nothing cached: "
            f"{page['request_ms']:,.1f} ms, {len(page['queries'])} queries, {total:,.1f} ms in "
            f"the database. Built again with its counts cached (own address): "
            f"{page['built_ms']:,.1f} ms, {page['built_queries']} queries. The same address "
            f"asked for again: {page['repeated_ms']:,.1f} ms, {page['repeated_queries']} "
            "queries.",
            "",
            "| # | ms | query |",
            "| --- | --- | --- |",
        ]
        for number, query in enumerate(page["queries"], 1):
            text = " ".join(query["sql"].split())
            short = text if len(text) <= 160 else text[:157] + "..."
            lines.append(f"| {number} | {query['ms']:,.1f} | `{short.replace('|', '¦')}` |")
        lines.append("")
        for number, query in enumerate(page["queries"], 1):
            if "plan" in query:
                lines += [
                    f"Query {number} ({query['ms']:,.1f} ms):",
                    "",
                    "```sql",
                    query["sql"],
                    "```",
                    "",
                    "```",
                    query["plan"],
                    "```",
                    "",
                ]
    lines += [
        "### CSV export query",
        "",
        "```sql",
        explain["export"]["sql"],
        "```",
        "",
        "```",
        explain["export"]["plan"],
        "```",
        "",
    ]
    return "\n".join(lines)


# The peer: Datasette side by side (issue 14) ----------------------------------------------


def peer_workloads(pg_url: str, dataset, cold_paths: dict, workdir: Path) -> dict:
    """The addresses of each side-by-side load, the registry's and Datasette's, in files."""
    terms = peer.search_terms(dataset.russian_towns, dataset.german_towns)
    partnerships = peer.row_paths(pg_url, "partnerships")
    municipalities = peer.row_paths(pg_url, "municipalities")
    addresses = {
        "list_cold": (cold_paths["list"], [peer.list_path(p) for p in cold_paths["list"]]),
        "search_cold": (
            [peer.registry_search_path(term) for term in terms],
            [peer.search_path(term) for term in terms],
        ),
        "partnership_cold": ([r for r, _d in partnerships], [d for _r, d in partnerships]),
        "municipality_cold": ([r for r, _d in municipalities], [d for _r, d in municipalities]),
        "list_same": ([LIST_PATH], [peer.list_path(LIST_PATH)]),
    }
    files = {}
    for key, sides in addresses.items():
        for side, paths in zip(("registry", "datasette"), sides, strict=True):
            files[key, side] = workdir / f"peer-{key}-{side}.txt"
            files[key, side].write_text("\n".join(paths) + "\n", encoding="utf-8")
    return {
        "addresses": addresses,
        "files": files,
        "terms": terms,
        "spellings": peer.spelling_cases(pg_url, generate.transliterate),
    }


def compare(args, threads: int, database, secret_key: str, workdir: Path, work: dict,
            servers: list) -> dict:  # fmt: skip
    """The same loads on a fresh gunicorn (nothing cached) and on Datasette, alternately."""
    port, peer_port = free_port(), free_port()
    extra = {"GUNICORN_WORKERS": str(args.workers)} if args.workers else {}
    registry = Gunicorn(
        production_env(database.url, secret_key, port, **extra), port, workdir / "gunicorn-peer.log"
    )
    datasette = peer.Datasette(
        workdir / f"{peer.DB}.db",
        workdir / "peer-metadata.json",
        peer_port,
        workdir / "datasette.log",
    )
    servers += [registry, datasette]
    connections = args.peer_connections
    sides = {
        "registry": (port, lambda: {registry.process.pid, *registry.workers()}, get),
        "datasette": (peer_port, datasette.pids, peer.get),
    }
    log(f"side by side: a fresh gunicorn on {HOST}:{port}, Datasette on {HOST}:{peer_port} ...")
    with registry, datasette:
        for pair in work["addresses"].values():
            for (side, (side_port, _pids, fetch)), paths in zip(sides.items(), pair, strict=True):
                status, body = fetch(side_port, paths[-1])  # not in a measured slice
                if status != 200:
                    raise RuntimeError(f"{side} {paths[-1]} answered {status}: {body[:300]!r}")
        loads: dict[str, dict] = {"registry": {}, "datasette": {}}
        for key, (_label, mode) in PEER_LOADS.items():
            for index, (side, (side_port, pids, _fetch)) in enumerate(sides.items()):
                paths = work["addresses"][key][index]
                options = {"connections": connections, "threads": min(threads, connections),
                           "mode": mode}  # fmt: skip
                if mode == "cold":
                    options["paths_file"] = work["files"][key, side]
                    wrk(side_port, paths[0], seconds=WARMUP_SECONDS, **options,
                        offset=int(len(paths) * COLD_OFFSETS["many"][1]))  # fmt: skip
                    options["offset"] = int(len(paths) * COLD_OFFSETS["many"][0])
                else:
                    wrk(side_port, paths[0], seconds=WARMUP_SECONDS, **options)
                log(f"wrk {side} {key}: {paths[0]} ({MODES[mode]}, {connections} conn.) ...")
                with CpuWatch(pids(), database.name) as watch:
                    result = wrk(side_port, paths[0], seconds=args.duration, **options)
                result["other_cpus"] = watch.other_cpus
                loads[side][key] = result
                log(
                    f"  {result['rps']:,.1f} req/s, p95 {result['p95_ms']:,.1f} ms, errors "
                    f"{sum(result['errors'].values())}, other processes used "
                    f"{watch.other_cpus:.2f} CPUs"
                )
        log("spellings: which does each side find? ...")
        spellings = peer.check_spellings(work["spellings"], port, get, peer_port)
        log(
            f"  spellings found: registry {spellings['registry']}/{spellings['total']}, "
            f"Datasette {spellings['datasette']}/{spellings['total']}"
        )
        log("Datasette's CSV export of all rows ...")
        export = peer.measure_export(peer_port)
        log(f"  {export['rows']:,} rows in {export['seconds']:.2f} s")
        export["labels"] = peer.measure_export(peer_port, peer.EXPORT_LABELS_PATH)
        log(f"  with the partners' names (_labels=on): {export['labels']['seconds']:.2f} s")
    return {
        "loads": loads,
        "spellings": spellings,
        "export": export,
        "connections": connections,
        "settings": peer.SETTINGS,
        "command": " ".join(
            Path(part).name if "/" in part else part for part in datasette.command()
        ),
        "addresses": {
            key: {
                side: {"count": len(paths), "example": paths[0]}
                for side, paths in zip(("registry", "datasette"), pair, strict=True)
            }
            for key, pair in work["addresses"].items()
        },
        "terms": work["terms"][:40],
    }


def check(ok: bool) -> str:
    return "✓" if ok else "✗"


def rate(load: dict) -> str:
    if not load["requests"]:
        return "no request finished"
    return f"{load['rps']:,.1f} req/s (p95 {ms(load['p95_ms'])}, p99 {ms(load['p99_ms'])})"


def render_peer(results: dict) -> list[str]:
    """The side-by-side table of issue 14: the registry against Datasette, same run."""
    p = results["peer"]
    ours, theirs = p["loads"]["registry"], p["loads"]["datasette"]

    def ratio(key: str) -> float:
        return ours[key]["rps"] / max(theirs[key]["rps"], 0.01)

    rows = []
    key = "list_cold"
    rows.append((
        PEER_LOADS[key][0], rate(ours[key]), rate(theirs[key]), f"{ratio(key):,.2f}×",
        f"≥ {PEER_LIST_FACTOR}× and p95 < {PEER_LIST_P95_MS} ms",
        ratio(key) >= PEER_LIST_FACTOR and ours[key]["p95_ms"] < PEER_LIST_P95_MS,
    ))  # fmt: skip
    key = "search_cold"
    rows.append((
        PEER_LOADS[key][0], rate(ours[key]), rate(theirs[key]), f"{ratio(key):,.2f}×",
        f"≥ {PEER_SEARCH_FACTOR}× and p95 < {PEER_SEARCH_P95_MS} ms",
        ratio(key) >= PEER_SEARCH_FACTOR and ours[key]["p95_ms"] < PEER_SEARCH_P95_MS,
    ))  # fmt: skip
    sp = p["spellings"]
    missed = [c for c in sp["cases"] if not c["datasette"] and c["target"]]
    rows.append((
        "spellings of a town found", f"{sp['registry']}/{sp['total']}",
        f"{sp['datasette']}/{sp['total']}",
        f"{sum(c['registry'] for c in missed)} of the {len(missed)} Datasette misses",
        "every spelling Datasette misses", all(c["registry"] for c in missed),
    ))  # fmt: skip
    for key in ("partnership_cold", "municipality_cold"):
        rows.append((
            PEER_LOADS[key][0] + " (a new one on every request)", rate(ours[key]),
            rate(theirs[key]) + " (row page)", f"{ratio(key):,.2f}×", f"≥ {PEER_PAGE_FACTOR}×",
            ratio(key) >= PEER_PAGE_FACTOR,
        ))  # fmt: skip
    imp, theirs_imp = results["import"], p["import"]
    theirs_rate = theirs_imp["rows"] / theirs_imp["seconds"]
    if imp.get("reused"):
        rows.append(("import of the same CSV", "not measured (database reused)",
                     f"{theirs_rate:,.0f} rows/s (sqlite-utils)", "—",
                     f"≥ {PEER_IMPORT_FACTOR}×", None))  # fmt: skip
    else:
        ours_rate = imp["rows"] / imp["seconds"]
        rows.append((
            "import of the same CSV", f"{ours_rate:,.0f} rows/s",
            f"{theirs_rate:,.0f} rows/s (sqlite-utils)", f"{ours_rate / theirs_rate:,.2f}×",
            f"≥ {PEER_IMPORT_FACTOR}× (matching spellings)", ours_rate >= theirs_rate,
        ))  # fmt: skip
        floor = results.get("write_floor")
        if floor:
            floor_rate = floor["rows"] / floor["seconds"]
            rows.append((
                "the import's writes alone (its stored rows by COPY, indexes built after, "
                "one transaction; no Python)",
                f"{floor_rate:,.0f} rows/s ({floor['seconds']:,.1f} s, "
                f"{floor['rows_written']:,} rows in {floor['tables']} tables)",
                f"{theirs_rate:,.0f} rows/s ({theirs_imp['seconds']:,.1f} s)",
                f"{floor_rate / theirs_rate:,.2f}×", "— (the floor under the import)", None,
            ))  # fmt: skip
    export, copy, theirs_export = results["export"], results["copy"], p["export"]
    copy_ratio = export["seconds"] / copy["seconds"]
    complete = (
        export["rows"] == results["sample"]["partnerships"]
        and theirs_export["rows"] == results["sample"]["partnerships"]
    )
    rows.append((
        "CSV export of all rows", f"{export['seconds']:,.2f} s",
        f"{theirs_export['seconds']:,.2f} s (COPY: {copy['seconds']:,.2f} s; Datasette with "
        f"the partners' names: {theirs_export['labels']['seconds']:,.2f} s)"
        + ("" if complete else f" — rows: {export['rows']:,} / {theirs_export['rows']:,}"),
        f"{copy_ratio:,.2f}× COPY", f"≤ {PEER_EXPORT_COPY_FACTOR}× COPY",
        complete and copy_ratio <= PEER_EXPORT_COPY_FACTOR,
    ))  # fmt: skip
    key = "list_same"
    rows.append((
        PEER_LOADS[key][0], rate(ours[key]), rate(theirs[key]), f"{ratio(key):,.1f}×",
        f"p95 < {LIST_P95_MS} ms (issue 6), no regression", ours[key]["p95_ms"] < LIST_P95_MS,
    ))  # fmt: skip
    versions = p["versions"]
    lines = [
        f"## Side by side: Datasette {versions['datasette']} (sqlite-utils "
        f"{versions['sqlite-utils']}, SQLite {versions['sqlite']}) on the same rows",
        "",
        f"Same run, same machine, {p['connections']} connections, {results['args']['duration']} s "
        "per load after a 2 s warm-up, the registry (a fresh gunicorn: nothing cached) first, "
        "then Datasette; every request a filter combination, search term or row of its own "
        "unless said otherwise. ratio = the registry's req/s ÷ Datasette's (for the export: "
        "the registry's time ÷ PostgreSQL's COPY).",
        "",
        "| workload | this registry | Datasette | ratio | target | |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for label, ours_text, theirs_text, ratio_text, target, ok in rows:
        mark = "n/a" if ok is None else check(ok)
        lines.append(
            f"| {label} | {ours_text} | {theirs_text} | {ratio_text} | {target} | {mark} |"
        )
    lines += [
        "",
        f"spellings found: registry {sp['registry']}/{sp['total']}, "
        f"Datasette {sp['datasette']}/{sp['total']}",
        "",
        "| spelling | typed | the registry holds | registry | Datasette |",
        "| --- | --- | --- | --- | --- |",
    ]
    for case in sp["cases"]:
        note = "" if case["target"] else " (shown, not part of the target)"
        lines.append(
            f"| {case['category']}{note} | {case['query']} | {case['stored']} "
            f"| {check(case['registry'])} | {check(case['datasette'])} |"
        )
    db = p["database"]
    addresses = p["addresses"]
    lines += [
        "",
        "Addresses (registry / Datasette), first of each list:",
        "",
    ]
    for key, (label, mode) in PEER_LOADS.items():
        a = addresses[key]
        done = (ours[key]["requests"], theirs[key]["requests"])
        lines.append(
            f"- {label} ({MODES[mode]}; {done[0]:,} / {done[1]:,} requests of "
            f"{a['registry']['count']:,} addresses): `{a['registry']['example']}` / "
            f"`{a['datasette']['example']}`"
        )
    lines += [
        f"- CSV export: `{EXPORT_PATH}` / `{p['export']['path']}` "
        f"({theirs_export['rows']:,} rows, {theirs_export['bytes'] / MB:,.1f} MB) and "
        f"`{theirs_export['labels']['path']}` ({theirs_export['labels']['rows']:,} rows, "
        f"{theirs_export['labels']['bytes'] / MB:,.1f} MB, the partners' names next to their ids)",
        "",
        f"The peer's database: {db['rows']['partnerships']:,} partnerships, "
        f"{db['rows']['municipalities']:,} municipalities, {db['rows']['regions']:,} regions "
        f"copied from the bench database ({db['bytes'] / MB:,.1f} MB, built with sqlite-utils in "
        f"{db['build_seconds']:,.1f} s: foreign keys, an index on every filtered column, FTS5 "
        f"over {', '.join(peer.FTS_COLUMNS)}). Served by `{p['command']}`. Search: FTS5 "
        'prefix query per word (`_searchmode=raw`, `"word"*`). Import: '
        f"`{p['import']['command']}`, {p['import']['rows']:,} rows in "
        f"{p['import']['seconds']:,.2f} s, into a fresh database.",
        "",
    ]
    return lines


# The run ---------------------------------------------------------------------------------


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partnerships", type=int, default=100_000, metavar="N")
    parser.add_argument("--duration", type=float, default=15, metavar="S", help="per endpoint")
    parser.add_argument("--connections", type=int, default=16, metavar="C")
    parser.add_argument("--keep-db", action="store_true", help="do not drop the database")
    parser.add_argument(
        "--reuse-db",
        action="store_true",
        help="reuse a kept database holding the same generated data (import not measured)",
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers (default: gunicorn.conf.py)"
    )
    parser.add_argument("--threads", type=int, default=None, help="wrk threads (default: CPUs)")
    parser.add_argument(
        "--peer",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure Datasette and sqlite-utils side by side (bench/peer.py; default: on)",
    )
    parser.add_argument(
        "--peer-connections",
        type=int,
        default=8,
        metavar="C",
        help="connections of the side-by-side loads against the peer (default: 8)",
    )
    parser.add_argument("--output", type=Path, default=BENCH / "results-latest.md")
    args = parser.parse_args(argv)
    if args.partnerships < 10:
        parser.error("--partnerships must be at least 10")
    if args.connections < 1 or args.peer_connections < 1 or args.duration <= 0:
        parser.error("--connections and --duration must be positive")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up on kill, too
    started = time.perf_counter()
    ensure_wrk()
    peer_versions = peer.ensure_venv() if args.peer else None
    threads = max(1, min(args.threads or os.cpu_count() or 1, args.connections))
    database = BenchDatabase()
    fingerprint = (
        f"twinning bench: generator {generate.GENERATOR_VERSION}, seed {generate.SEED}, "
        f"{args.partnerships} partnerships"
    )
    results: dict = {
        "args": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "command": " ".join([".venv/bin/python bench/run.py", *argv]),
        "machine": machine_facts(),
        "wrk_threads": threads,
    }
    secret_key = secrets.token_urlsafe(60)
    servers: list = []  # gunicorn and Datasette, stopped at the end
    with tempfile.TemporaryDirectory(prefix="twinning-bench-") as tmp:
        workdir = Path(tmp)
        try:
            reuse = args.reuse_db and database.comment() == fingerprint
            env = django_env(database.url)
            dataset_path = workdir / "partnerships-bench.csv"
            log(f"generating {args.partnerships:,} partnerships (seed {generate.SEED}) ...")
            dataset = generate.write(dataset_path, args.partnerships)
            if reuse:
                log(f"reusing database {database.name} ({fingerprint})")
                manage("migrate", "--noinput", "-v", "0", env=env)
                results["import"] = {"reused": True}
                results["vacuum_seconds"] = 0.0
            else:
                log(f"creating database {database.name} and migrating ...")
                database.recreate()
                manage("migrate", "--noinput", "-v", "0", env=env)
                log(
                    f"importing {dataset.rows:,} rows through PartnershipImporter "
                    f"({dataset.germans:,} German, {dataset.russians:,} Russian partners) ..."
                )
                imported = django_task("import", str(dataset_path), env=env)
                if not imported["ok"]:
                    raise RuntimeError(f"the import failed:\n{imported['summary']}")
                log(f"imported in {imported['seconds']:.1f} s ({imported['files']} file(s))")
                results["import"] = imported
                log("the import's writes alone (its stored rows written again, rolled back) ...")
                results["write_floor"] = django_task("write_floor", env=env)
                log(f"written in {results['write_floor']['seconds']:.1f} s")
                results["vacuum_seconds"] = database.vacuum_analyze()
                database.mark(fingerprint)
            results["postgres"] = database.server_facts()
            sample = django_task("sample", env=env)
            results["sample"] = sample
            expected = (args.partnerships, dataset.germans, dataset.russians)
            found = (sample["partnerships"], sample["german"], sample["russian"])
            if found != expected:
                log(f"WARNING: the database holds {found} partnerships/German/Russian, "
                    f"the file {expected}")  # fmt: skip
            results["expected"] = expected
            results["search"] = {"latin": dataset.search_latin, "cyrillic": dataset.search_cyrillic}
            paths = {
                "baseline": "/healthz",
                "list": LIST_PATH,
                "search_latin": "/municipalities/?" + urlencode({"q": dataset.search_latin}),
                "search_cyrillic": "/municipalities/?" + urlencode({"q": dataset.search_cyrillic}),
                "detail": f"/partnerships/{quote(sample['detail_slug'])}/",
            }
            results["paths"] = paths
            cold_paths = {
                "list": django_task("cold_paths", env=env)["paths"],
                "search_latin": [
                    "/municipalities/?" + urlencode({"q": latin})
                    for latin, _cyrillic in dataset.search_terms
                ],
                "search_cyrillic": [
                    "/municipalities/?" + urlencode({"q": cyrillic})
                    for _latin, cyrillic in dataset.search_terms
                ],
            }
            cold_files = {}
            for page, addresses in cold_paths.items():
                cold_files[page] = workdir / f"cold-{page}.txt"
                cold_files[page].write_text("\n".join(addresses) + "\n", encoding="utf-8")
            results["cold_paths"] = {
                page: {"count": len(addresses), "example": f"`{addresses[0]}`"}
                for page, addresses in cold_paths.items()
            }

            if args.peer:
                log("the peer: the same rows in SQLite (sqlite-utils), and its import ...")
                results["peer"] = {"versions": peer_versions}
                results["peer"]["database"] = peer.build_database(database.url, workdir)
                results["peer"]["import"] = peer.import_csv(dataset_path, workdir)
                log(
                    f"  built in {results['peer']['database']['build_seconds']:.1f} s; "
                    f"sqlite-utils insert --csv: {results['peer']['import']['rows']:,} rows in "
                    f"{results['peer']['import']['seconds']:.2f} s"
                )
                peer_files = peer_workloads(database.url, dataset, cold_paths, workdir)

            log("collectstatic (production settings) ...")
            port = free_port()
            extra = {"GUNICORN_WORKERS": str(args.workers)} if args.workers else {}
            prod = production_env(database.url, secret_key, port, **extra)
            manage("collectstatic", "--noinput", "-v", "0", env=prod)

            log(f"starting gunicorn on {HOST}:{port} ...")
            server = Gunicorn(prod, port, workdir / "gunicorn.log")
            servers.append(server)
            with server:
                for path in paths.values():
                    status, body = get(port, path)
                    if status != 200:
                        raise RuntimeError(f"{path} answered {status}: {body[:300]!r}")
                results["workers"] = len(server.workers())
                load = {}
                for key, (page, mode) in LOADS.items():
                    connections = 1 if key in SINGLE else args.connections
                    log(f"wrk {key}: {paths[page]} ({MODES[mode]}, {connections} conn.) ...")
                    options = {
                        "connections": connections,
                        "threads": min(threads, connections),
                        "mode": mode,
                    }
                    if mode == "cold":
                        options["paths_file"] = cold_files[page]
                        count = len(cold_paths[page])
                        start, warm = COLD_OFFSETS["single" if key in SINGLE else "many"]
                        wrk(port, paths[page], seconds=WARMUP_SECONDS, **options,
                            offset=int(count * warm))  # fmt: skip
                        options["offset"] = int(count * start)
                    else:
                        wrk(port, paths[page], seconds=WARMUP_SECONDS, **options)
                    ours = {server.process.pid, *server.workers()}
                    log_offset = server.log_path.stat().st_size
                    with CpuWatch(ours, database.name) as watch:
                        load[key] = wrk(port, paths[page], seconds=args.duration, **options)
                    load[key]["other_cpus"] = watch.other_cpus
                    load[key]["restarts"] = server.log_since(log_offset).count(
                        "Autorestarting worker"
                    )
                    load[key]["other_top"] = watch.top
                    log(
                        f"  {load[key]['rps']:,.1f} req/s, p95 {load[key]['p95_ms']:,.1f} ms, "
                        f"errors {sum(load[key]['errors'].values())}, other processes used "
                        f"{watch.other_cpus:.2f} CPUs"
                        + (f" (mostly {watch.top[0][0]!r})" if watch.top else "")
                    )
                results["load"] = load

            log("COPY of the export query (best of 3) ...")
            results["copy"] = django_task("copy", env=env)

            log("CSV export from a one-worker gunicorn ...")
            port = free_port()
            single = production_env(database.url, secret_key, port, GUNICORN_WORKERS="1")
            server = Gunicorn(single, port, workdir / "gunicorn-export.log")
            servers.append(server)
            with server:
                (worker,) = server.workers()
                # Warm the worker: a page, and a small export through the same code.
                get(port, LIST_PATH)
                get(port, EXPORT_PATH + "?german_state=DE-HB")
                with CpuWatch({server.process.pid, worker}, database.name) as watch:
                    run = measure_export(port, worker)
            results["export"] = {
                **run.__dict__,
                "growth": run.growth,
                "other_cpus": watch.other_cpus,
            }
            log(
                f"  {run.rows:,} rows in {run.seconds:.2f} s, first byte "
                f"{run.first_byte * 1000:.0f} ms, memory +{run.growth / MB:.1f} MB"
            )

            if args.peer:
                results["peer"].update(
                    compare(args, threads, database, secret_key, workdir, peer_files, servers)
                )

            log("EXPLAIN (ANALYZE, BUFFERS) of the list, search and export queries ...")
            results["explain"] = django_task(
                "explain", dataset.search_latin, dataset.search_cyrillic, env=env
            )
            results["run_seconds"] = time.perf_counter() - started
            results["finished"] = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
            report = render(results)
            print(report)
            args.output.write_text(report + "\n", encoding="utf-8")
            (args.output.with_suffix(".json")).write_text(
                json.dumps(results, ensure_ascii=False, indent=1, default=str) + "\n",
                encoding="utf-8",
            )
            log(f"written to {args.output} (and {args.output.with_suffix('.json').name})")
        except BaseException:
            for server in servers:
                log_path = server.log_path
                if log_path.exists():
                    tail = log_path.read_text(errors="replace").splitlines()[-30:]
                    name = type(server).__name__
                    print("\n".join([f"--- {name} log (last lines) ---", *tail]), file=sys.stderr)
            raise
        finally:
            for server in servers:
                server.stop()
            if args.keep_db:
                log(f"keeping database {database.name} ({database.url})")
            else:
                database.drop()
                log(f"dropped database {database.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
