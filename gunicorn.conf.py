"""Gunicorn settings for the web service (`gunicorn -c gunicorn.conf.py config.wsgi`).

Every value can be overridden from the environment, so one image serves every deployment.
Sync workers: a callback holds one database connection for a few milliseconds and never waits
on another network peer, so threads or async workers would add nothing but contention.
"""

import os
import shutil

# A sync worker serves one request at a time, so it keeps one persistent database connection
# (CONN_MAX_AGE; as many connections as workers) instead of taking one from a pool and giving it
# back on every request: that round trip through the pool cost about 0.7 ms of CPU per callback,
# a fifth of it (docs/BENCHMARKS.md). Threaded servers (runserver) keep the pool (settings).
# After a PostgreSQL restart each worker's next request fails cleanly and reconnects.
os.environ.setdefault("DB_POOL", "false")
os.environ.setdefault("CONN_MAX_AGE", "600")  # reconnect every 10 minutes, not every minute

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "sync"
# A callback that takes longer than this is killed and answered 502 by the load balancer; the
# provider retries it and idempotency makes the retry safe.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycle workers now and then (jittered, so they don't all restart at once): bounds slow leaks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "1000"))
# Access log on stdout; the app's own JSON log lines carry the request id.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# Believe X-Forwarded-* only from the load balancers the app itself trusts (TRUSTED_PROXIES).
forwarded_allow_ips = os.environ.get("TRUSTED_PROXIES", "127.0.0.1") or "127.0.0.1"


def on_starting(server):
    """Prometheus multiprocess mode: start each deployment with an empty metrics directory."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    """A worker that exits takes its live gauges with it (prometheus_client multiprocess mode)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
