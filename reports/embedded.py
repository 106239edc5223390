"""Without a Celery worker (the embedded default, `make run`): a background thread in the web
process refreshes the report aggregates every REPORTS_EMBEDDED_REFRESH_EVERY seconds.

Started by the first report page or dashboard a process serves; the refresh itself never runs
inside a request (issue 24: a backlog refresh in a page request took minutes at size). With a
broker, celery beat refreshes instead and the setting defaults to 0 (off).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection

log = logging.getLogger(__name__)
_started = threading.Event()
_lock = threading.Lock()


def ensure_ticker() -> bool:
    every = float(getattr(settings, "REPORTS_EMBEDDED_REFRESH_EVERY", 0) or 0)
    if every <= 0 or _started.is_set():
        return False
    with _lock:
        if _started.is_set():
            return False
        _started.set()
        threading.Thread(target=_run, args=(every,), name="reports-refresh", daemon=True).start()
    return True


def _run(every: float) -> None:
    from . import aggregation

    stop = threading.Event()
    while True:
        try:
            aggregation.refresh()
            aggregation.catch_up()
        except Exception:  # noqa: BLE001 - a failed refresh is retried at the next tick
            log.exception("report aggregate refresh failed")
        finally:
            connection.close()
            close_old_connections()
        stop.wait(every)
