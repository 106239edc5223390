"""Helpers for the lost-connection tests: end this process's own PostgreSQL session from another
connection, as a server restart does (the app finds out at its next statement)."""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection


@pytest.fixture
def pool_emptied_after():
    """A session ended under the app stays in the connection pool until a statement finds out; a
    call whose history row went with its money may send none after the loss. Empty the pool after
    the test so that the next test starts on live connections."""
    yield
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()


def own_backend_terminate() -> None:
    pid = connection.connection.info.backend_pid
    cfg = connection.settings_dict
    with psycopg.connect(host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432, user=cfg["USER"] or "postgres",
                         password=cfg["PASSWORD"] or None, dbname=cfg["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
