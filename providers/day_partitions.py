"""Day partitions of a table partitioned by range on `created_at` (PostgreSQL): one day's
partition created without blocking inserts, and an INSERT that heals a missing day.

The bottom of the call history: the model (providers/models.py, ORM inserts) and the raw
callback insert (providers/calllog.py, through providers/partitioning.py) both use it, and it
imports neither: the table is always passed in.

A day is created as a plain table and ATTACHed (SHARE UPDATE EXCLUSIVE on the parent: inserts go
on), never `CREATE TABLE ... PARTITION OF` (ACCESS EXCLUSIVE). An INSERT whose day has no
partition (the beat task stopped for a week) creates that day and inserts again: a row is never
lost to a missing partition.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

DAY = dt.timedelta(days=1)
NAME_FORMAT = "%Y_%m_%d"  # digits only: %b would depend on the locale
# Comment django-postgres-extra's manager puts on (and requires of) the partitions it may drop.
AUTO_COMMENT = "psqlextra_auto_partitioned"


def day_start(value: dt.datetime) -> dt.datetime:
    """Midnight UTC of `value`'s day (a naive value is taken as UTC)."""
    value = value.astimezone(dt.UTC) if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
    return value.replace(hour=0, minute=0, second=0, microsecond=0)


def day_name(day: dt.datetime) -> str:
    return day.strftime(NAME_FORMAT)


def day_table(parent: str, day: dt.datetime) -> str:
    """The partition of `parent` that holds `day` (`<parent>_YYYY_MM_DD`)."""
    return f"{parent}_{day_name(day)}"


def day_create(parent: str, day: dt.datetime) -> bool:
    """Create one day's partition of `parent` unless it exists: a plain table like the parent,
    ATTACHed (its indexes are built on the empty table by ATTACH). False when it was there already."""
    day = day_start(day)
    name = day_table(parent, day)
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_inherits WHERE inhrelid = to_regclass(%s)", [name])
        if cursor.fetchone():
            return False
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {qn(name)} (LIKE {qn(parent)} INCLUDING DEFAULTS "
                       f"INCLUDING CONSTRAINTS INCLUDING STORAGE)")
        cursor.execute(f"COMMENT ON TABLE {qn(name)} IS '{AUTO_COMMENT}'")
        cursor.execute(f"ALTER TABLE {qn(parent)} ATTACH PARTITION {qn(name)} FOR VALUES FROM (%s) TO (%s)",
                       [day, day + DAY])
    return True


@contextmanager
def inserting():
    """Wrap an INSERT into a day-partitioned table: when its day has no partition (and no
    transaction of the caller's would be broken by the failure), raise MissingPartition."""
    in_atomic = connection.in_atomic_block
    try:
        if in_atomic and connection.vendor == "postgresql":
            with transaction.atomic():  # a savepoint: the caller's transaction survives the failure
                yield
        else:
            yield
    except DatabaseError as exc:
        if not _no_partition(exc):
            raise
        raise MissingPartition() from exc


class MissingPartition(Exception):
    pass


_days_ready: set[tuple[str, dt.date]] = set()  # (table, day) whose partition this process saw


def day_ready(value: dt.datetime, *, table: str) -> bool:
    """Can a row of `value` go into `table` without its day being created first? (Always where the
    table is not partitioned.) For writers that cannot heal a missing day inside their statement
    (a history row written with a call's money): one catalogue look-up per day, table and process."""
    day = day_start(value)
    if (table, day.date()) in _days_ready or connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL OR NOT EXISTS (SELECT 1 FROM pg_partitioned_table "
                       "WHERE partrelid = to_regclass(%s))", [day_table(table, day), table])
        ready = cursor.fetchone()[0]
    if ready:
        _days_ready.add((table, day.date()))
    return ready


def days_ready_forget() -> None:
    """Partitions are being dropped: look again before trusting a day."""
    _days_ready.clear()


def insert_healing(insert, created_at_values, *, table: str) -> object:
    """Run `insert()` (inside a transaction: in a savepoint); if its row had no partition of
    `table`, create the days of `created_at_values` and run it once more."""
    try:
        with inserting():
            return insert()
    except MissingPartition:
        for value in {day_start(v) for v in created_at_values if v is not None}:
            day_create(table, value)
    try:
        with inserting():
            return insert()
    except MissingPartition as again:
        raise again.__cause__ from None


def _no_partition(exc: BaseException) -> bool:
    """PostgreSQL's refusal of a row no partition takes (SQLSTATE 23514, "no partition of relation
    ... found for row")."""
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == "23514" and "no partition" in str(cause)
