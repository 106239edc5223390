"""Profile one provider's bet callback in-process (no HTTP server): SQL statements per call and a
cProfile of N calls, through the production WSGI application (config.wsgi: the callback paths'
own middleware list), without an HTTP server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_backoffice \\
        .venv/bin/python bench/profile_bet.py [onegaming|oppi] [N]

Needs a database prepared by bench/seamless.py (its players, sessions and integrations).
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECRET_KEY", "bench-" + "x" * 50)
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()
import seamless as bench  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from config.wsgi import application  # noqa: E402


def request_of(line: str) -> tuple[str, dict, bytes]:
    parts = line.split("\t")
    n = int(parts[1])
    headers = {parts[2 + 2 * k]: parts[3 + 2 * k] for k in range(n)}
    return parts[0], headers, parts[2 + 2 * n].encode()


def backend_cpu_seconds() -> float:
    """CPU (user + system) of this connection's PostgreSQL backend so far, from /proc (same host)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def database_counters() -> tuple[int, int]:
    """Buffer hits + reads of this database so far (a CPU-free measure of the database's work)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT blks_hit + blks_read, xact_commit FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()


def main() -> None:
    if os.environ.get("PROFILE_NO_CALLLOG"):  # what the history row costs: the calls write none
        import providers.calllog

        providers.calllog._insert_row = lambda *args, **kwargs: None
    provider = sys.argv[1] if len(sys.argv) > 1 else "onegaming"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    make = bench.onegaming_bets if provider == "onegaming" else bench.oppi_bets
    tag = uuid.uuid4().hex[:6]
    # Signed one by one: a 1G bet's `datetime` must stay within 10 s of the clock.
    lines = [make(f"prof{tag}-{i}", 1, 50, False)[0] for i in range(20)]

    def post(line: str) -> dict:
        path, headers, body = request_of(line)
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "testserver", "SERVER_PORT": "80",
                   "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http", "REMOTE_ADDR": "127.0.0.1",
                   "wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body)),
                   "CONTENT_TYPE": "application/json",
                   **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}}
        chunks = application(environ, lambda status, response_headers, exc_info=None: None)
        try:
            return json.loads(b"".join(chunks))
        finally:
            getattr(chunks, "close", lambda: None)()

    for line in lines[:10]:  # warm-up: imports, connection, caches
        post(line)
    with CaptureQueriesContext(connection) as queries:
        answer = post(lines[10])
    print("answer:", answer)
    print(f"{len(queries.captured_queries)} statements:")
    for q in queries.captured_queries:
        print(f"  {q['time']}s  {(q['sql'] or '<not composable>')[:220]}")
    backend = backend_cpu_seconds()
    counters = database_counters()
    cpu = 0.0
    for start in range(0, n, 100):  # signed per chunk, untimed: a 1G body's datetime must stay fresh
        chunk = make(f"prof{tag}-cpu-{start}", min(100, n - start), 500, False)
        cpu_started = time.process_time()
        for line in chunk:
            post(line)
        cpu += time.process_time() - cpu_started
    app_ms = cpu / n * 1000
    db_ms = (backend_cpu_seconds() - backend) / n * 1000
    blocks, commits = (b - a for a, b in zip(counters, database_counters(), strict=True))
    print(f"without the profiler: {app_ms:.2f} ms CPU per call (app), {db_ms:.2f} ms (database backend), "
          f"{blocks / n:.1f} buffer accesses and {commits / n:.2f} commits per call")
    if os.environ.get("PROFILE_SKIP"):
        return
    profiler = cProfile.Profile(time.process_time) if os.environ.get("PROFILE_CPU") else cProfile.Profile()
    elapsed = 0.0
    for start in range(0, n, 100):  # signed per chunk, outside the profile
        chunk = make(f"prof{tag}-p{start}", min(100, n - start), 500, False)
        started = time.perf_counter()
        profiler.enable()
        for line in chunk:
            post(line)
        profiler.disable()
        elapsed += time.perf_counter() - started
    print(f"{n} calls in {elapsed:.2f}s: {elapsed / n * 1000:.2f} ms per call")
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_LINES", "45")))


if __name__ == "__main__":
    main()
