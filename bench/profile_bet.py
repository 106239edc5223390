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


def main() -> None:
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
        print(f"  {q['time']}s  {q['sql'][:220]}")
    bodies = [make(f"prof{tag}-cpu-{i}", 1, 50, False)[0] for i in range(20, n + 20)]
    cpu_started = time.process_time()
    for line in bodies:
        post(line)
    print(f"without the profiler: {(time.process_time() - cpu_started) / n * 1000:.2f} ms CPU per call")
    bodies = [make(f"prof{tag}-{i}", 1, 50, False)[0] for i in range(20, n + 20)]
    profiler = cProfile.Profile(time.process_time) if os.environ.get("PROFILE_CPU") else cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for line in bodies:
        post(line)
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"{n} calls in {elapsed:.2f}s: {elapsed / n * 1000:.2f} ms per call")
    pstats.Stats(profiler).sort_stats(os.environ.get("PROFILE_SORT", "cumulative")).print_stats(int(os.environ.get("PROFILE_LINES", "45")))


if __name__ == "__main__":
    main()
