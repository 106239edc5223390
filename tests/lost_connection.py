"""Helpers for the lost-connection tests: end this process's own PostgreSQL session from another
connection, as a server restart does (the app finds out at its next statement)."""

from __future__ import annotations

import psycopg
from django.db import connection


def own_backend_terminate() -> None:
    pid = connection.connection.info.backend_pid
    cfg = connection.settings_dict
    with psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres",
                         password=cfg["PASSWORD"] or None, dbname=cfg["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
