"""The benchmark's steps that run inside Django, against the bench database.

``bench/run.py`` runs this file in a subprocess with ``DATABASE_URL`` pointing at the
bench database (the same settings module as ``manage.py``), one step per call, and reads
the step's result as JSON from stdout (Django's logs go to stderr):

    python bench/django_tasks.py import FILE      # the real importer, timed
    python bench/django_tasks.py sample           # a partnership slug, counts
    python bench/django_tasks.py cold_paths       # list addresses, each a filter combination
    python bench/django_tasks.py copy             # PostgreSQL's COPY of the export query
    python bench/django_tasks.py write_floor      # the import's writes alone, rolled back
    python bench/django_tasks.py explain LATIN CYRILLIC
                                                  # every query of the list and search
                                                  # pages, timed, with EXPLAIN ANALYZE
    python bench/django_tasks.py profile PATH     # cProfile of one page (by hand, to stderr)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twinning.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from psycopg import ClientCursor  # noqa: E402

from partnerships import exports, selectors  # noqa: E402
from partnerships.importing.bulk import indexes_built_after  # noqa: E402
from partnerships.importing.files import MAX_ROWS  # noqa: E402
from partnerships.importing.partnerships import PartnershipImporter, table_groups  # noqa: E402
from partnerships.models import Municipality, Partnership  # noqa: E402

LIST_QUERY = "german_state=DE-BY&status=active&kind=official"


def split(path: Path, rows_per_file: int) -> list[Path]:
    """The file in parts of at most ``rows_per_file`` rows, each with the header."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    if len(rows) <= rows_per_file:
        return [path]
    parts = []
    for number, start in enumerate(range(0, len(rows), rows_per_file), 1):
        part = path.with_name(f"{path.stem}-{number:02d}{path.suffix}")
        part.write_text(header + "".join(rows[start : start + rows_per_file]), encoding="utf-8")
        parts.append(part)
    return parts


def do_import(path: str) -> dict:
    """Import the file through the registry's own importer, exactly as the command does.

    The importer refuses files of more than MAX_ROWS rows ("split it into smaller
    files"): a larger file is imported in parts, one after the other, as an editor would.
    Only the importer's ``run`` is timed.
    """
    parts = split(Path(path), MAX_ROWS)
    seconds, rows, counts = 0.0, 0, {}
    created = updated = 0
    per_file = []
    for part in parts:
        started = time.perf_counter()
        report = PartnershipImporter().run(part, progress=False)
        elapsed = time.perf_counter() - started
        seconds += elapsed
        per_file.append(elapsed)
        print(f"  {part.name}: {len(report.rows):,} rows in {elapsed:.1f} s", file=sys.stderr)
        if not report.committed:
            return {"ok": False, "summary": report.summary()[:2000], "file": part.name}
        rows += len(report.rows)
        for outcome, count in report.counts.items():
            counts[outcome] = counts.get(outcome, 0) + count
        created += report.municipalities_created
        updated += report.municipalities_updated
    return {
        "seconds": seconds,
        "rows": rows,
        "ok": True,
        "files": len(parts),
        "rows_per_file": MAX_ROWS,
        "seconds_per_file": per_file,
        "counts": counts,
        "municipalities_created": created,
        "municipalities_updated": updated,
    }


def sample() -> dict:
    published = Partnership.objects.published()
    total = published.count()
    # A partnership from the middle of the table, with its sources and status events.
    middle = published.order_by("pk")[total // 2]
    return {
        "partnerships": total,
        "municipalities": Municipality.objects.count(),
        "german": Municipality.objects.german().count(),
        "russian": Municipality.objects.russian().count(),
        "detail_slug": middle.slug,
    }


def export_queryset():
    """The export's query, built exactly as PartnershipExportView builds it (no filters):
    the cells of every column, which the export has PostgreSQL write as CSV (COPY)."""
    filterset = selectors.partnership_filterset(QueryDict(""))
    assert filterset.is_valid()
    return exports.cells_partnerships(filterset.qs, "http://127.0.0.1:8000/")


def export_sql() -> str:
    """The export's SQL with its parameters bound by the driver, as the server sees it."""
    sql, params = export_queryset().query.sql_with_params()
    connection.ensure_connection()
    return ClientCursor(connection.connection).mogrify(sql, params)


def copy(runs: int = 3) -> dict:
    """PostgreSQL's own COPY of the export's rows into a null sink (best of ``runs``)."""
    sql = export_sql()
    timings, rows, size = [], 0, 0
    for _run in range(runs):
        rows = size = 0
        started = time.perf_counter()
        statement = f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)"
        with connection.cursor() as cursor, cursor.cursor.copy(statement) as stream:
            for block in stream:
                size += len(block)
                rows += bytes(block).count(b"\n")
        timings.append(time.perf_counter() - started)
    return {"seconds": min(timings), "all_seconds": timings, "rows": rows, "bytes": size}


def write_floor() -> dict:
    """The import's writes alone, without its Python: what an import costs PostgreSQL.

    The rows the import stored are read out of its tables (binary COPY, into memory), the
    tables emptied, and the rows written back in one transaction as the importer writes a
    first load: group by group (``table_groups``), with COPY, the indexes and foreign keys
    set aside and built after (``bulk.indexes_built_after``), the partnerships' trigger
    firing. Then the transaction is rolled back: the database is as before. No checking,
    matching or merging, no Python building rows, no commit: a floor under any import of
    the same rows that stays all or nothing (one transaction, so one server process).
    """
    groups = table_groups()
    tables = [model._meta.db_table for group in groups for model in group]
    quote = connection.ops.quote_name
    rows: dict[str, bytes] = {}
    counts: dict[str, int] = {}
    seconds: dict[str, float] = {}
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {quote(table)}")  # noqa: S608
            (counts[table],) = cursor.fetchone()
            with raw.copy(f"COPY {quote(table)} TO STDOUT (FORMAT binary)") as stream:
                rows[table] = b"".join(bytes(block) for block in stream)
        # CASCADE: the tables referring to these (alternative names, initiatives' links)
        # are emptied too; the rollback below brings every one of them back.
        cursor.execute(f"TRUNCATE {', '.join(quote(table) for table in tables)} CASCADE")
        started = time.perf_counter()
        for group in groups:
            group_started = time.perf_counter()
            with indexes_built_after(group, counts[group[0]._meta.db_table]):
                for model in group:
                    table = model._meta.db_table
                    copied = time.perf_counter()
                    with raw.copy(f"COPY {quote(table)} FROM STDIN (FORMAT binary)") as stream:
                        stream.write(rows[table])
                    seconds[f"COPY {table}"] = time.perf_counter() - copied
            seconds[f"group {group[0]._meta.db_table}"] = time.perf_counter() - group_started
        total = time.perf_counter() - started
        transaction.set_rollback(True)
    return {
        "seconds": total,
        "rows": counts[groups[1][0]._meta.db_table],
        "rows_written": sum(counts.values()),
        "tables": len(tables),
        "bytes": sum(len(block) for block in rows.values()),
        "parts": seconds,
    }


class QueryLog:
    """Every query a request runs, with its parameters and its time (execute_wrapper)."""

    def __init__(self) -> None:
        self.queries: list[dict] = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append(
                {"sql": sql, "params": params, "ms": (time.perf_counter() - started) * 1000}
            )


def explain_sql(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def unique(path: str, tag: str) -> str:
    """The address with a parameter the filters ignore: a page cache cannot answer it."""
    return f"{path}{'&' if '?' in path else '?'}_={tag}"


def timed_get(client: Client, path: str) -> tuple[float, QueryLog]:
    log = QueryLog()
    started = time.perf_counter()
    with connection.execute_wrapper(log):
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return (time.perf_counter() - started) * 1000, log


def cold_paths() -> dict:
    """Partnership list addresses, each a filter combination of its own (3 or 4 filters).

    Every German Land x status x kind x "established from" (none or one of seven years), in
    a fixed shuffled order: the "nothing cached" loads of the benchmark ask for each once.
    """
    import itertools
    import random

    from partnerships.models import Region
    from partnerships.vocabulary import Country, PartnershipKind, Status

    lands = Region.objects.for_country(Country.GERMANY).order_by("code")
    combinations = list(
        itertools.product(
            lands.values_list("code", flat=True),
            Status.values,
            PartnershipKind.values,
            ["", "1960", "1970", "1980", "1990", "2000", "2005", "2010"],
        )
    )
    random.Random(6).shuffle(combinations)  # noqa: S311 (a fixed order, not a secret)
    paths = []
    for land, status, kind, year in combinations:
        query = f"german_state={land}&status={status}&kind={kind}"
        paths.append(f"/partnerships/?{query}" + (f"&year_from={year}" if year else ""))
    return {"paths": paths}


def page_queries(path: str) -> dict:
    """Build a page with nothing cached, every query logged and explained; then time it
    built with its counts cached, and the same address asked for twice (``repeated``).

    The built requests carry an address of their own, so that a cache of whole pages does
    not answer.
    """
    from django.core.cache import cache

    client = Client(headers={"x-forwarded-proto": "https"})
    timed_get(client, unique(path, "warm"))
    cache.clear()
    total_ms, log = timed_get(client, unique(path, "explain"))
    built_ms, built_log = timed_get(client, unique(path, "built"))
    timed_get(client, path)
    repeated_ms, repeated_log = timed_get(client, path)
    queries = []
    for query in log.queries:
        entry = {
            "ms": query["ms"],
            "sql": ClientCursor(connection.connection).mogrify(query["sql"], query["params"]),
        }
        if query["sql"].lstrip().upper().startswith("SELECT"):
            entry["plan"] = explain_sql(query["sql"], query["params"])
        queries.append(entry)
    return {
        "path": path,
        "request_ms": total_ms,
        "queries": queries,
        "built_ms": built_ms,
        "built_queries": len(built_log.queries),
        "repeated_ms": repeated_ms,
        "repeated_queries": len(repeated_log.queries),
    }


def explain(latin: str, cyrillic: str) -> dict:
    from urllib.parse import urlencode

    pages = {
        "list": page_queries(f"/partnerships/?{LIST_QUERY}"),
        "search_latin": page_queries(f"/municipalities/?{urlencode({'q': latin})}"),
        "search_cyrillic": page_queries(f"/municipalities/?{urlencode({'q': cyrillic})}"),
    }
    # The export's one query, as the brief asks for it: QuerySet.explain from Django.
    export_plan = export_queryset().explain(analyze=True, buffers=True)
    return {"pages": pages, "export": {"sql": export_sql(), "plan": export_plan}}


def profile(path: str, requests: int = 20) -> dict:
    """Where one page's time goes: cProfile over ``requests`` warm requests (each built)."""
    import cProfile
    import io
    import pstats

    client = Client(headers={"x-forwarded-proto": "https"})
    for number in range(3):
        client.get(unique(path, f"warm{number}"))
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for number in range(requests):
        client.get(unique(path, str(number)))
    profiler.disable()
    elapsed = (time.perf_counter() - started) / requests * 1000
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(
        os.environ.get("PROFILE_SORT", "cumulative")
    ).print_stats(40)
    return {"path": path, "ms_per_request_profiled": elapsed, "stats": out.getvalue()}


def main(argv: list[str]) -> int:
    command, args = argv[1], argv[2:]
    if command == "import":
        result = do_import(args[0])
    elif command == "sample":
        result = sample()
    elif command == "cold_paths":
        result = cold_paths()
    elif command == "copy":
        result = copy()
    elif command == "write_floor":
        result = write_floor()
    elif command == "explain":
        result = explain(args[0], args[1])
    elif command == "profile":
        result = profile(args[0])
        print(result.pop("stats"), file=sys.stderr)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    json.dump(result, sys.stdout, ensure_ascii=False, default=str)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
