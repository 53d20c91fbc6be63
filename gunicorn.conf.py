"""Gunicorn settings for the container (``gunicorn -c gunicorn.conf.py twinning.wsgi:application``).

Every value can be overridden from the environment:

GUNICORN_BIND           address to listen on (default ``0.0.0.0:$PORT``, PORT defaulting to 8000)
GUNICORN_WORKERS        worker processes (also read: WEB_CONCURRENCY); default CPUs + 1, at most 8
GUNICORN_THREADS        threads per worker (default 1): the ``gthread`` worker class, see below
GUNICORN_TIMEOUT        seconds a worker may stay silent before it is restarted (default 30)
GUNICORN_GRACEFUL_TIMEOUT  seconds workers get to finish requests on shutdown/restart (default 30)
GUNICORN_KEEPALIVE      seconds to keep idle keep-alive connections open (default 0: none, see below)
GUNICORN_MAX_REQUESTS   requests after which a worker is recycled (default 20000, 0 = never)
GUNICORN_MAX_REQUESTS_JITTER  random extra requests, so workers do not all restart at once
                        (default 10000)
FORWARDED_ALLOW_IPS     proxies trusted for X-Forwarded-Proto (default 127.0.0.1,::1; ``*`` = any)
GUNICORN_LOG_LEVEL      gunicorn's log level (default info)

Each worker holds its own database pool (DB_POOL_MAX connections, default 8), so
workers x DB_POOL_MAX must stay below PostgreSQL's max_connections (100 by default).

Why ``gthread``: a sync worker's timeout runs while it streams a response, so a CSV export
that takes longer than the timeout was cut off after its "200 OK" header (a truncated file,
docs/PERFORMANCE.md). A gthread worker keeps telling the arbiter it is alive while its
threads work, so an export streams as long as the reader reads; the timeout still restarts a
worker that hangs.

Why one thread, one connection at a time and no keep-alive: a worker then takes a new
connection only when it has answered the last one, so a request waits in the listening
socket's queue for the first free worker (as with sync workers). With two threads and
keep-alive, each worker kept the connections it had accepted: at 8 connections the five
workers served 194, 38, 30, 205 and 158 requests of one load, the requests on a crowded
worker shared its one interpreter lock, and the list's p95 was 250-530 ms depending on how
the connections happened to land. One connection at a time, alternated with the old
settings three times: p95 401/532/501 -> 375/285/325 ms for the list, 266/292 -> 160/174 ms
for the search (docs/PERFORMANCE.md, "fourth session"). The readers' own
connections are held by the proxy in front (the TLS terminator), not by a worker.
A client that sends nothing for 5 s is dropped, as a sync worker would drop it.
The price: every request opens a connection. For the cheapest page, the same list page
from the page cache, that is a quarter of its rate at 8 connections (about 530 against
720 req/s; p95 21-24 ms either way). GUNICORN_KEEPALIVE=5 keeps one idle connection per
worker instead: the cached page's rate as before, the list's p95 ~375 ms, the search's
190-215 ms (same docs).

Why recycle rarely, with a wide jitter: a new worker loads Django again and starts with an
empty page cache, and workers that reach ``max_requests`` together leave no one to answer
(measured in docs/PERFORMANCE.md: 1000 + 100 cost a quarter of the throughput).
"""

import os

MAX_DEFAULT_WORKERS = 8


def _env_int(name: str, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _cpu_count() -> int:
    """CPUs this process may run on (honours cpusets such as ``docker run --cpuset-cpus``)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not available on every platform
        return os.cpu_count() or 1


def default_workers() -> int:
    """One worker more than the CPUs, not gunicorn's usual 2 x CPUs + 1.

    A request here is CPU work (Python, and PostgreSQL on the same CPUs), so workers beyond
    the CPUs only share them: every request in flight gets slower, and the tail with it. On
    two CPUs at 8 connections, three workers against five served the list at the same or a
    higher rate (+7-11 %) with a p95 lower by 25-63 ms in each of seven alternated rounds
    (docs/PERFORMANCE.md, "sixth session"). The price: a worker is busy for the whole of a
    CSV export (2.5 s at 100,000 rows, milliseconds at the registry's real size), so fewer
    exports at once hold every worker; GUNICORN_WORKERS raises it where that matters.
    """
    return min(_cpu_count() + 1, MAX_DEFAULT_WORKERS)


bind = os.environ.get("GUNICORN_BIND", "").strip() or (
    f"0.0.0.0:{_env_int('PORT', 8000, minimum=1)}"  # a container listens on all interfaces
)
workers = _env_int(
    "GUNICORN_WORKERS", _env_int("WEB_CONCURRENCY", default_workers(), minimum=1), minimum=1
)
worker_class = "gthread"
threads = _env_int("GUNICORN_THREADS", 1, minimum=1)
timeout = _env_int("GUNICORN_TIMEOUT", 30, minimum=1)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30, minimum=1)
keepalive = _env_int("GUNICORN_KEEPALIVE", 0)
# Without keep-alive a worker holds no more connections than it has threads to answer them
# (see above). With keep-alive turned on it may also keep one idle connection: more would
# pin readers to a busy worker again, none would close every connection at once.
worker_connections = threads if keepalive == 0 else threads + 1
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 10000)

forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Logs go to the container's stdout/stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The heartbeat file lives in memory: /dev/shm avoids stalls on the container's overlay
# filesystem. Elsewhere (no /dev/shm) gunicorn's default temporary directory is used.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108


def post_worker_init(worker) -> None:
    """A new worker compiles the public templates and reads the three languages' catalogs
    before its first request instead of during it: a fresh worker spent about 0.8 s of CPU
    on its first pages (docs/PERFORMANCE.md), which readers after a deploy or a worker's
    recycling waited for. It then freezes what it loaded for the garbage collector
    (``partnerships.warmup.settle_garbage_collector``)."""
    from django.conf import settings

    if not settings.configured:  # an application other than the registry's (tests)
        return
    from partnerships.warmup import warm_up

    warm_up()
