"""The peer of the benchmark (issue 14): Datasette on SQLite, with sqlite-utils.

The tool a user would reach for instead of the registry: the same rows in a SQLite
database built the way a Datasette user builds one, served by Datasette, loaded with the
same workloads in the same run (``bench/run.py`` drives both and prints the ratios).

- ``ensure_venv()``: Datasette and sqlite-utils, pinned in ``bench/peer-requirements.txt``,
  in their own virtualenv ``bench/.peer-venv/`` (created when missing or when the
  requirements change; git-ignored);
- ``build_database()``: the registry's regions, municipalities and partnerships, read from
  the bench database in PostgreSQL (newline-delimited JSON, so types and NULLs survive),
  inserted with ``sqlite-utils insert``; then foreign keys, indexes on every filtered and
  faceted column, a full-text index (FTS5) over all name columns of a municipality, and
  ``ANALYZE`` -- all with the sqlite-utils command line;
- ``import_csv()``: the import workload, ``sqlite-utils insert --csv`` of the very file the
  registry's importer imports, into a fresh database, timed;
- ``Datasette``: ``datasette serve -i`` on a free port of 127.0.0.1, no caching
  (``default_cache_ttl 0``; Datasette keeps no pages), facets given time to finish;
- the addresses of each workload for Datasette, translated from the registry's;
- ``spellings()``: which spellings of a town each side finds.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".peer-venv"
REQUIREMENTS = BENCH / "peer-requirements.txt"
HOST = "127.0.0.1"
DB = "peer"  # the database file peer.db: Datasette serves it at /peer/
START_TIMEOUT = 60

# Datasette's settings: no HTTP caching, and the limits that would otherwise cut work
# short raised, so that Datasette computes what the registry computes (every facet,
# every count). Facet suggestions are off: the registry suggests none, and they would
# cost Datasette extra queries on every table page.
SETTINGS = {
    "default_cache_ttl": "0",
    "sql_time_limit_ms": "5000",
    "facet_time_limit_ms": "5000",
    "suggest_facets": "off",
    "default_page_size": "50",  # the registry's page size
    "max_csv_mb": "0",  # no cut-off for the CSV export of all rows
}
# Facets of each page, as close to the registry's own as the columns allow.
LIST_FACETS = ["german_state", "russian_region", "status", "kind", "since_year"]
SEARCH_FACETS = ["country", "region_id", "kind"]
INDEXES = {
    "partnerships": [
        "german_state",
        "russian_region",
        "status",
        "kind",
        "since_year",
        "german_partner_id",
        "russian_partner_id",
    ],
    "municipalities": ["country", "kind", "region_id", "name"],
}
FTS_COLUMNS = ["name", "name_de", "name_en", "name_ru", "gazetteer_names"]

# What is copied out of PostgreSQL: table -> query (published rows, as the public sees).
EXPORTS = {
    "regions": "SELECT id, code, country, kind, name_de, name_ru, name_en FROM partnerships_region",
    "municipalities": (
        "SELECT m.id, m.slug, m.name, m.name_de, m.name_en, m.name_ru, m.gazetteer_names, "
        "m.country, m.kind, m.region_id, m.official_code, m.latitude::float AS latitude, "
        "m.longitude::float AS longitude, m.website FROM partnerships_municipality m "
        "WHERE m.is_published ORDER BY m.id"
    ),
    # The Land and Russian region are copied onto each partnership, as a Datasette user
    # does to filter and facet a table by them (Datasette filters one table at a time).
    "partnerships": (
        "SELECT p.id, p.slug, p.german_partner_id, p.russian_partner_id, "
        "gr.code AS german_state, rr.code AS russian_region, p.kind, p.kind_wording, "
        "p.status, p.since_year, p.established_on, p.needs_verification, p.last_verified, "
        "p.notes FROM partnerships_partnership p "
        "JOIN partnerships_municipality g ON g.id = p.german_partner_id "
        "JOIN partnerships_municipality r ON r.id = p.russian_partner_id "
        "LEFT JOIN partnerships_region gr ON gr.id = g.region_id "
        "LEFT JOIN partnerships_region rr ON rr.id = r.region_id "
        "WHERE p.is_published AND g.is_published AND r.is_published ORDER BY p.id"
    ),
}
METADATA = {
    "databases": {
        DB: {
            "tables": {
                "regions": {"label_column": "name_de"},
                "municipalities": {"label_column": "name"},
                "partnerships": {"label_column": "slug"},
            }
        }
    }
}


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def tool(name: str) -> str:
    return str(VENV / "bin" / name)


# The virtualenv ---------------------------------------------------------------------------


def ensure_venv() -> dict[str, str]:
    """Create or refresh bench/.peer-venv/ with the pinned peer; return the tools' versions."""
    marker = VENV / ".installed"
    wanted = REQUIREMENTS.read_text(encoding="utf-8")
    if not marker.exists() or marker.read_text(encoding="utf-8") != wanted:
        log(f"installing the peer into {VENV.relative_to(BENCH.parent)} ({REQUIREMENTS.name}) ...")
        if not (VENV / "bin" / "python").exists():
            python = getattr(sys, "_base_executable", None) or sys.executable
            subprocess.run([python, "-m", "venv", str(VENV)], check=True)
        subprocess.run(
            [tool("python"), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        marker.write_text(wanted, encoding="utf-8")
    versions = {}
    for name in ("datasette", "sqlite-utils"):
        out = subprocess.run([tool(name), "--version"], capture_output=True, text=True, check=True)
        versions[name] = out.stdout.strip().rsplit(" ", 1)[-1]
    out = subprocess.run(
        [tool("python"), "-c", "import sqlite3; print(sqlite3.sqlite_version)"],
        capture_output=True,
        text=True,
        check=True,
    )
    versions["sqlite"] = out.stdout.strip()
    return versions


def sqlite_utils(*args: str) -> None:
    subprocess.run([tool("sqlite-utils"), *args], check=True, stdout=subprocess.DEVNULL)


# The database -----------------------------------------------------------------------------


def build_database(pg_url: str, workdir: Path) -> dict:
    """The registry's published rows in workdir/peer.db, as a Datasette user builds it."""
    import psycopg

    path = workdir / f"{DB}.db"
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    rows = {}
    with psycopg.connect(pg_url) as conn:
        for table, query in EXPORTS.items():
            dump = workdir / f"peer-{table}.json"
            rows[table] = 0
            with (
                dump.open("wb") as out,
                conn.cursor().copy(
                    f"COPY (SELECT row_to_json(t) FROM ({query}) t) TO STDOUT"  # noqa: S608 (our own query)
                ) as stream,
            ):
                for line in stream.rows():
                    out.write(line[0].encode("utf-8") + b"\n")
                    rows[table] += 1
    dumped = time.perf_counter() - started
    for table in EXPORTS:
        sqlite_utils("insert", str(path), table, str(workdir / f"peer-{table}.json"), "--nl",
                     "--pk", "id")  # fmt: skip
    sqlite_utils(
        "add-foreign-keys", str(path),
        "municipalities", "region_id", "regions", "id",
        "partnerships", "german_partner_id", "municipalities", "id",
        "partnerships", "russian_partner_id", "municipalities", "id",
    )  # fmt: skip
    for table, columns in INDEXES.items():
        for column in columns:
            sqlite_utils("create-index", str(path), table, column)
    sqlite_utils("enable-fts", str(path), "municipalities", *FTS_COLUMNS, "--fts5")
    sqlite_utils("analyze", str(path))
    metadata = workdir / "peer-metadata.json"
    metadata.write_text(json.dumps(METADATA), encoding="utf-8")
    return {
        "path": str(path),
        "rows": rows,
        "bytes": path.stat().st_size,
        "dump_seconds": dumped,
        "build_seconds": time.perf_counter() - started - dumped,
    }


def import_csv(csv_path: Path, workdir: Path) -> dict:
    """The import workload: ``sqlite-utils insert --csv`` of the file, into a fresh database."""
    target = workdir / "peer-import.db"
    target.unlink(missing_ok=True)
    with csv_path.open(encoding="utf-8") as handle:
        rows = sum(1 for _line in handle) - 1  # generated rows hold no line breaks
    started = time.perf_counter()
    sqlite_utils("insert", str(target), "partnerships", str(csv_path), "--csv")
    seconds = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return {
        "rows": rows,
        "seconds": seconds,
        "command": "sqlite-utils insert DB partnerships FILE.csv --csv",
    }


# The server -------------------------------------------------------------------------------


def get(port: int, path: str, timeout: float = 60) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class Datasette:
    """``datasette serve -i peer.db`` on 127.0.0.1, stopped at the end whatever happens."""

    def __init__(self, database: Path, metadata: Path, port: int, log_path: Path) -> None:
        self.database, self.metadata, self.port, self.log_path = database, metadata, port, log_path
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        settings = [part for key, value in SETTINGS.items() for part in ("--setting", key, value)]
        return [
            tool("datasette"),
            "serve",
            "-i",
            str(self.database),
            "--metadata",
            str(self.metadata),
            "--host",
            HOST,
            "--port",
            str(self.port),
            *settings,
        ]

    def start(self) -> None:
        self.log_file = self.log_path.open("ab")
        env = {k: v for k, v in os.environ.items() if not k.startswith("DATASETTE_")}
        self.process = subprocess.Popen(
            self.command(),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"datasette exited ({self.process.returncode}); see {self.log_path}"
                )
            with contextlib.suppress(OSError, http.client.HTTPException):
                if get(self.port, "/-/versions.json", timeout=2)[0] == 200:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"datasette did not answer in {START_TIMEOUT} s")

    def pids(self) -> set[int]:
        return {self.process.pid} if self.process else set()

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log_file.close()

    def __enter__(self) -> Datasette:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# Addresses --------------------------------------------------------------------------------


def facets(names: list[str]) -> list[tuple[str, str]]:
    return [("_facet", name) for name in names]


def list_path(registry_path: str) -> str:
    """The Datasette table page for a registry list address (same filters, facets)."""
    query = dict(parse_qsl(registry_path.split("?", 1)[1]))
    params = [(key, query[key]) for key in ("german_state", "status", "kind") if query.get(key)]
    if query.get("year_from"):
        params.append(("since_year__gte", query["year_from"]))
    return f"/{DB}/partnerships?" + urlencode(params + facets(LIST_FACETS))


def fts_query(term: str) -> str:
    """Each word of the term as an FTS5 prefix (``"nowo"*``): Datasette's search at its best
    (``_searchmode=raw``); the plain search box would match whole words only."""
    words = re.findall(r"\w+", term)
    return " ".join(f'"{word}"*' for word in words)


def search_path(term: str, *, page: bool = True) -> str:
    params = [("_search", fts_query(term)), ("_searchmode", "raw")]
    return f"/{DB}/municipalities?" + urlencode(params + (facets(SEARCH_FACETS) if page else []))


def registry_search_path(term: str) -> str:
    return "/municipalities/?" + urlencode({"q": term})


def row_paths(pg_url: str, table: str, count: int = 3000) -> list[tuple[str, str]]:
    """(registry address, Datasette address) of ``count`` rows in a fixed random order."""
    import psycopg

    pg_table, registry, peer_table = {
        "partnerships": ("partnerships_partnership", "partnerships", "partnerships"),
        "municipalities": ("partnerships_municipality", "municipalities", "municipalities"),
    }[table]
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            f"SELECT id, slug FROM {pg_table} WHERE is_published ORDER BY id"  # noqa: S608
        ).fetchall()
    random.Random(14).shuffle(rows)  # noqa: S311 (a fixed order, not a secret)
    return [
        (f"/{registry}/{quote(slug)}/", f"/{DB}/{peer_table}/{row_id}")
        for row_id, slug in rows[:count]
    ]


# Search terms and spellings ---------------------------------------------------------------

# Words many rows share (whole words of generated names).
SHARED_WORDS = [
    "Bad", "Neu", "Alt", "Groß", "Klein", "Sankt", "Berlin", "Hamburg", "Landkreis", "Kreis",
    "Amt", "Main", "Oder", "Ruhr", "Harz", "Saale", "Rajon", "Rayon", "район", "Mitte",
]  # fmt: skip


def search_terms(russians, germans, count: int = 3000) -> list[str]:
    """Search terms for loads where nothing is cached: each address once.

    Generated towns in German transliteration, Cyrillic and English transliteration (which
    the registry's file often uses but does not store), German towns, words many rows share
    (Bad, Berlin, Rajon) and short prefixes (Nowo, Werch, Groß...) that match hundreds or
    thousands of rows. Fixed seed; no term twice.
    """
    rng = random.Random(1414)  # noqa: S311 (a fixed order, not a secret)
    prefixes: list[str] = []
    seen_prefix: set[str] = set()
    for name in (
        [r.german for r in russians] + [r.cyrillic for r in russians] + [g.name for g in germans]
    ):
        word = re.split(r"[ -]", name)[0]
        for length in (3, 4, 5, 6):
            prefix = word[:length]
            if len(prefix) == length and prefix.casefold() not in seen_prefix:
                seen_prefix.add(prefix.casefold())
                prefixes.append(prefix)
    rng.shuffle(prefixes)
    towns_ru = list(russians)
    rng.shuffle(towns_ru)
    towns_de = [g.name for g in germans]
    rng.shuffle(towns_de)
    kinds = ["german", "cyrillic", "english", "de", "prefix", "german", "cyrillic", "de", "prefix"]
    shared = list(SHARED_WORDS)
    terms: list[str] = []
    seen: set[str] = set()
    position = 0
    while len(terms) < count and (towns_ru or towns_de or prefixes):
        if shared and position % 20 == 0:
            term = shared.pop(0)
        else:
            kind = kinds[position % len(kinds)]
            if kind == "prefix" and prefixes:
                term = prefixes.pop()
            elif kind == "de" and towns_de:
                term = towns_de.pop()
            elif towns_ru:
                town = towns_ru.pop()
                term = {"german": town.german, "cyrillic": town.cyrillic}.get(kind, town.english)
            else:
                term = (towns_de or prefixes).pop()
        position += 1
        if term.casefold() not in seen:
            seen.add(term.casefold())
            terms.append(term)
    return terms


@dataclass
class Spelling:
    category: str
    query: str
    stored: str  # the name as the registry holds it
    municipality_id: int | None  # None: any result will do (prefixes)
    slug: str | None
    target: bool = True  # False: shown, but not a spelling the target asks for (typos)


def _swap(word: str) -> str:
    """Two letters in the middle swapped: a typo."""
    i = len(word) // 2
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :] if len(word) > 4 else word


def spelling_cases(pg_url: str, transliterate) -> list[Spelling]:
    """Spellings of towns of the bench data, two of each kind, as readers type them."""
    import psycopg

    with psycopg.connect(pg_url) as conn:
        rows = conn.execute(
            "SELECT id, slug, name, name_de, name_en, country FROM partnerships_municipality "
            "WHERE is_published ORDER BY id"
        ).fetchall()
    rng = random.Random(2014)  # noqa: S311 (a fixed choice, not a secret)
    rng.shuffle(rows)
    single = [r for r in rows if not re.search(r"[ -]", r[2])]
    ru = [r for r in single if r[5] == "RU"]
    de = [r for r in single if r[5] == "DE"]
    cases: list[Spelling] = []

    def add(category: str, pool, make, n: int = 2) -> None:
        found = 0
        for row in pool:
            query = make(row)
            if not query or (
                query == row[2]
                and category not in {"Cyrillic as stored", "German spelling as stored"}
            ):
                continue
            cases.append(Spelling(category, query, row[2], row[0], row[1], "typo" not in category))
            found += 1
            if found == n:
                return

    def english(row):
        en = transliterate(row[2], german=False)
        stored = {row[2].casefold(), (row[3] or "").casefold(), (row[4] or "").casefold()}
        return en if en.casefold() not in stored else None

    add("Cyrillic as stored", ru, lambda r: r[2])
    add("German spelling as stored", ru, lambda r: r[3] or None)
    add("English spelling of a town stored in German (Volgograd for Wolgograd)", ru, english)
    add("Cyrillic ё written е", [r for r in ru if "ё" in r[2]], lambda r: r[2].replace("ё", "е"))
    add("Cyrillic in lower case", ru, lambda r: r[2].lower())
    add("umlaut as ae/oe/ue (Muenchen)", [r for r in de if re.search("[äöü]", r[2])],
        lambda r: r[2].replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))  # fmt: skip
    add("umlaut dropped (Munchen)", [r for r in de if re.search("[äöü]", r[2])],
        lambda r: r[2].replace("ä", "a").replace("ö", "o").replace("ü", "u"))  # fmt: skip
    add("ß as ss (Grossbach)", [r for r in de if "ß" in r[2]], lambda r: r[2].replace("ß", "ss"))
    add("hyphen typed as a space (Berlin Mitte)", [r for r in rows if "-" in r[2]],
        lambda r: r[2].replace("-", " "))  # fmt: skip
    add("a typo (two letters swapped)", ru, lambda r: _swap(r[3] or r[2]))
    for prefix in ("Nowo", "Novo", "Ново", "Groß", "Werchne", "Verkhne"):
        cases.append(
            Spelling("short prefix (Nowo…, Novo…, Groß…)", prefix, prefix + "…", None, None)
        )
    return cases


def check_spellings(
    cases: list[Spelling], registry_port: int, registry_get, peer_port: int
) -> dict:
    """Does each side find the town (its link on the registry's first page; the row among
    Datasette's FTS matches, on any page)? For prefixes: any town starting so."""
    results = []
    for case in cases:
        status, body = registry_get(registry_port, registry_search_path(case.query))
        html = body.decode("utf-8", errors="replace")
        if case.slug:
            registry = status == 200 and f'href="/municipalities/{case.slug}/"' in html
        else:
            registry = status == 200 and bool(re.search(r'href="/municipalities/[^/"?]+/"', html))
        params = [("_search", fts_query(case.query)), ("_searchmode", "raw"), ("_size", "1")]
        if case.municipality_id is not None:
            params.append(("id", str(case.municipality_id)))
        status, body = get(peer_port, f"/{DB}/municipalities.json?" + urlencode(params))
        peer = status == 200 and bool(json.loads(body).get("rows"))
        results.append({**case.__dict__, "registry": registry, "datasette": peer})
    return {
        "cases": results,
        "registry": sum(r["registry"] for r in results),
        "datasette": sum(r["datasette"] for r in results),
        "total": len(results),
        "missed_by_datasette_found_by_registry": sum(
            r["registry"] and not r["datasette"] for r in results if r["target"]
        ),
        "missed_by_datasette": sum(not r["datasette"] for r in results if r["target"]),
    }


# The export -------------------------------------------------------------------------------

EXPORT_PATH = f"/{DB}/partnerships.csv?_stream=on"
# The same with the partners' names next to their ids, as the registry's export holds them.
EXPORT_LABELS_PATH = f"/{DB}/partnerships.csv?_stream=on&_labels=on"


def measure_export(port: int, path: str = EXPORT_PATH) -> dict:
    """Datasette's streamed CSV of the whole partnerships table, read to the end."""
    conn = http.client.HTTPConnection(HOST, port, timeout=600)
    size = newlines = 0
    first_byte = 0.0
    try:
        started = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        status = response.status
        while True:
            block = response.read1(256 * 1024)
            if not block:
                break
            if not size:
                first_byte = time.perf_counter() - started
            size += len(block)
            newlines += block.count(b"\n")
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    return {
        "status": status,
        "seconds": seconds,
        "first_byte": first_byte,
        "bytes": size,
        "rows": max(newlines - 1, 0),
        "path": path,
    }
