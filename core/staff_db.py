"""Staff reads cannot starve callbacks (issue 24).

StaffDatabaseMiddleware: every request under STAFF_PATH_PREFIXES (the admin, its report pages and
the dashboard) runs its statements under STAFF_STATEMENT_TIMEOUT_MS; a page whose query hits it
answers 503 with a message saying so and how to narrow the page, instead of holding a core for
minutes while callbacks wait. Provider callbacks never pass here (their own middleware stack,
config/wsgi.py) and keep the server's default.

StaffReadRouter: with DATABASE_REPLICA_URL set, the ORM reads of staff GET requests (lists,
searches, detail pages, reports) go to the replica (the "replica" alias); writes, POSTs (actions,
forms) and sign-in data (sessions, users, devices, lockouts) stay on the primary.
"""

from __future__ import annotations

import contextvars
import logging

from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError, OperationalError, connections, router
from django.shortcuts import render

log = logging.getLogger(__name__)
REPLICA = "replica"
# Apps whose tables staff pages read in bulk; sign-in and session tables are read on the primary
# (a replica a few seconds behind must not sign a user out).
REPLICA_READ_APPS = frozenset({"wallet", "providers", "transfers", "reports", "lobby", "audit", "core"})
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("staff_read_alias", default=None)


def read_alias(model) -> str:
    """The alias staff reads of this model go to."""
    return router.db_for_read(model) or "default"


def is_staff_path(path: str) -> bool:
    return path.startswith(tuple(getattr(settings, "STAFF_PATH_PREFIXES", ("/admin/",))))


def is_query_canceled(exc: BaseException) -> bool:
    """A statement stopped by statement_timeout (SQLSTATE 57014)."""
    cause = exc.__cause__ or exc
    return getattr(cause, "sqlstate", None) == "57014"


class StaffReadRouter:
    def db_for_read(self, model, **hints):
        alias = _read_alias.get()
        if alias and model._meta.app_label in REPLICA_READ_APPS:
            return alias
        return None

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica is a copy of the primary: the same rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _timeout_set(alias: str, milliseconds: int) -> None:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('statement_timeout', %s, false)", [f"{int(milliseconds)}ms"])


def _timeout_reset(alias: str) -> None:
    connection = connections[alias]
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    except DatabaseError:  # a broken connection: closed, so no pooled connection keeps the limit
        log.warning("could not reset statement_timeout on %s; closing the connection", alias)
        connection.close()


class StaffDatabaseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_staff_path(request.path):
            return self.get_response(request)
        replica = REPLICA in settings.DATABASES and request.method in ("GET", "HEAD")
        token = _read_alias.set(REPLICA if replica else None)
        timeout = int(getattr(settings, "STAFF_STATEMENT_TIMEOUT_MS", 0) or 0)
        aliases = ["default", REPLICA] if replica else ["default"]
        try:
            if timeout:
                for alias in aliases:
                    _timeout_set(alias, timeout)
            return self.get_response(request)
        finally:
            _read_alias.reset(token)
            if timeout:
                for alias in aliases:
                    _timeout_reset(alias)

    def process_exception(self, request, exception):
        if not (is_staff_path(request.path) and isinstance(exception, OperationalError)
                and is_query_canceled(exception)):
            return None
        seconds = int(getattr(settings, "STAFF_STATEMENT_TIMEOUT_MS", 0) or 0) / 1000
        log.warning("staff page stopped by statement_timeout: %s", request.get_full_path())
        context = {**admin.site.each_context(request), "title": "This page took too long",
                   "seconds": f"{seconds:g}", "path": request.get_full_path()}
        return render(request, "admin/statement_timeout.html", context, status=503)
