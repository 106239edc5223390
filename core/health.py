"""`GET /healthz`: what a load balancer and an orchestrator ask before sending traffic."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

PROBE_TIMEOUT_SECONDS = 2


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis() -> str:
    import redis

    redis.Redis.from_url(settings.REDIS_URL, socket_timeout=PROBE_TIMEOUT_SECONDS,
                         socket_connect_timeout=PROBE_TIMEOUT_SECONDS).ping()
    return "ok"


def _broker() -> str:
    """The Celery broker answers a connection (one try, short timeout: a health probe must not hang)."""
    from celery import current_app

    with current_app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
    return "ok"


def healthz(request):
    """200 when the database answers, and Redis and the Celery broker where configured; 503 otherwise.

    Without a broker (the embedded default) tasks run in-process and there is nothing to probe.
    """
    probes = {"database": _database}
    if settings.REDIS_URL:
        probes["redis"] = _redis
    if settings.CELERY_BROKER_URL:
        probes["broker"] = _broker
    checks = {}
    for name, probe in probes.items():
        try:
            checks[name] = probe()
        except Exception as exc:  # report, never raise
            checks[name] = f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
