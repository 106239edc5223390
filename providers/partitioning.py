"""The call history's daily partitions (PostgreSQL) and its retention (both databases).

PostgreSQL: `providers_calllog` is partitioned by range on `created_at`, one partition per UTC day
named `providers_calllog_YYYY_MM_DD`. django-postgres-extra's partitioning manager plans which
days to create (today and CALL_HISTORY_PARTITIONS_AHEAD days ahead); every day wholly older than
CALL_HISTORY_RETENTION_DAYS is dropped. Both are applied without blocking callbacks:
- a day is created as a plain table and ATTACHed (providers/day_partitions.py);
- a day leaves by DETACH PARTITION ... CONCURRENTLY, then DROP of the detached table; before that,
  its money calls (transaction id that reached the ledger) are copied to KeptCall.
An INSERT whose day has no partition (the beat task stopped for a week) creates that day and
inserts again (`insert_healing`, providers/day_partitions.py): a call's row is never lost to a
missing partition.

SQLite keeps one plain table: retention copies the money calls and deletes the old rows.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from . import day_partitions
from .day_partitions import AUTO_COMMENT, DAY, NAME_FORMAT, day_name, day_start
from .models import CallLog, KeptCall, StatusCode

logger = logging.getLogger(__name__)

DELETE_BATCH = 5_000  # SQLite: rows deleted per statement
COLUMNS = ("id", "created_at", "provider", "integration_id", "direction", "endpoint", "player_external_id", "txn_id",
           "request_id", "status_code", "http_status", "duration_ms", "caller_ip", "session_unknown", "request_body",
           "response_body")


@dataclass
class MaintainResult:
    created: list[str] = field(default_factory=list)  # partitions created
    dropped: list[str] = field(default_factory=list)  # partitions dropped (PostgreSQL)
    kept: int = 0  # money calls copied to KeptCall
    deleted: int = 0  # rows deleted (SQLite)
    # Seconds spent copying money calls, detaching (CONCURRENTLY) and dropping partitions.
    seconds: dict[str, float] = field(default_factory=lambda: {"keep": 0.0, "detach": 0.0, "drop": 0.0})


def partitioned() -> bool:
    """Is the call history a partitioned table here (PostgreSQL after the migration)?"""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [_table()])
        return cursor.fetchone() is not None


def retention_days() -> int:
    return int(getattr(settings, "CALL_HISTORY_RETENTION_DAYS", 90) or 0)


def maintain(*, now: dt.datetime | None = None) -> MaintainResult:
    """Create the days ahead, then drop (or delete, on SQLite) what is past the retention, keeping
    the money calls. Idempotent; safe to run at any time. The beat task's body."""
    now = now or timezone.now()
    result = MaintainResult()
    if partitioned():
        _finish_interrupted(result)
        manager = _manager(now)
        plan = manager.plan(skip_delete=True)
        for partition in plan.creations:
            if _create(partition.start_datetime):
                result.created.append(day_name(partition.start_datetime))
        if retention_days():
            for name in _past_retention(now):
                _drop(name, result, now=now)
    elif retention_days():
        _delete_old(now - dt.timedelta(days=retention_days()), result, now=now)
    if result.created or result.dropped or result.deleted:
        logger.info("call history: created %s, dropped %s, kept %d money calls, deleted %d rows",
                    result.created, result.dropped, result.kept, result.deleted)
    return result


def ensure_partitions(since: dt.datetime, until: dt.datetime) -> list[str]:
    """Create every day's partition from `since` to `until` (bulk loads of past days). No-op off
    PostgreSQL."""
    if not partitioned():
        return []
    created = []
    day = day_start(since)
    while day <= until:
        if _create(day):
            created.append(day_name(day))
        day += DAY
    return created


def day_ready(value: dt.datetime) -> bool:
    """Can a call-history row of `value` go in without its day being created first (day_partitions)?"""
    return day_partitions.day_ready(value, table=_table())


def insert_healing(insert, created_at_values) -> object:
    """Run `insert()`, an INSERT into the call history; if its day had no partition, create the
    days of `created_at_values` and run it once more (providers/day_partitions.py)."""
    return day_partitions.insert_healing(insert, created_at_values, table=_table())


# --- PostgreSQL -----------------------------------------------------------------------------


def _table() -> str:
    return CallLog._meta.db_table


def _manager(now: dt.datetime):
    """django-postgres-extra's partitioning manager for the call history: plans the days from
    today to CALL_HISTORY_PARTITIONS_AHEAD ahead (the days to drop: _past_retention)."""
    from psqlextra.partitioning import (
        PostgresCurrentTimePartitioningStrategy,
        PostgresPartitioningConfig,
        PostgresPartitioningManager,
        PostgresTimePartitionSize,
    )

    class Strategy(PostgresCurrentTimePartitioningStrategy):
        def get_start_datetime(self) -> dt.datetime:
            return now.astimezone(dt.UTC)

    ahead = max(0, int(getattr(settings, "CALL_HISTORY_PARTITIONS_AHEAD", 7)))
    strategy = Strategy(size=PostgresTimePartitionSize(days=1), count=ahead + 1, name_format=NAME_FORMAT)
    return PostgresPartitioningManager([PostgresPartitioningConfig(model=CallLog, strategy=strategy)])


def _past_retention(now: dt.datetime) -> list[str]:
    """The day partitions whose whole day is older than the retention, oldest first. Read from the
    catalogue through django-postgres-extra's introspection, not from the manager's deletion plan:
    that one walks back day by day from the retention's edge and stops at the first day with no
    partition, so a quiet day (no call, no partition) would keep everything older for good. Only
    partitions bearing the manager's comment (made by the migration or this module) ever go."""
    edge = now - dt.timedelta(days=retention_days())
    with connection.cursor() as cursor:
        table = connection.introspection.get_partitioned_table(cursor, _table())
    names = []
    for partition in table.partitions if table else []:
        try:
            day = dt.datetime.strptime(partition.name, NAME_FORMAT).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
        if partition.comment == AUTO_COMMENT and day + DAY <= edge:
            names.append((day, partition.full_name))
    return [name for _, name in sorted(names)]


def _create(day: dt.datetime) -> bool:
    return day_partitions.day_create(_table(), day)


def _drop(name: str, result: MaintainResult, *, now: dt.datetime) -> None:
    """Keep the partition's money calls, detach it without blocking inserts, drop it."""
    qn = connection.ops.quote_name
    day_partitions.days_ready_forget()  # only old days go, but a row written with money must never miss its day
    started = time.perf_counter()
    result.kept += _keep_money_calls(qn(name), "TRUE", [], now=now)
    detached = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.in_atomic_block:  # CONCURRENTLY cannot run in a transaction (tests, shells)
            cursor.execute(f"ALTER TABLE {qn(_table())} DETACH PARTITION {qn(name)}")
        else:
            cursor.execute(f"ALTER TABLE {qn(_table())} DETACH PARTITION {qn(name)} CONCURRENTLY")
        dropped = time.perf_counter()
        cursor.execute(f"DROP TABLE {qn(name)}")
    result.seconds["keep"] += detached - started
    result.seconds["detach"] += dropped - detached
    result.seconds["drop"] += time.perf_counter() - dropped
    result.dropped.append(name)


def _finish_interrupted(result: MaintainResult) -> None:
    """A run stopped half-way: finish a pending DETACH, and drop a day already detached (after
    keeping its money calls again: the copy is idempotent)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                       "WHERE i.inhparent = to_regclass(%s) AND i.inhdetachpending", [_table()])
        pending = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                       "WHERE n.nspname = current_schema() AND c.relkind = 'r' AND NOT c.relispartition "
                       "AND c.relname ~ %s AND obj_description(c.oid, 'pg_class') = %s",
                       [f"^{_table()}_[0-9]{{4}}_[0-9]{{2}}_[0-9]{{2}}$", AUTO_COMMENT])
        orphans = [row[0] for row in cursor.fetchall()]
    for name in pending:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {qn(_table())} DETACH PARTITION {qn(name)} FINALIZE")
        orphans.append(name)
    for name in orphans:
        result.kept += _keep_money_calls(qn(name), "TRUE", [], now=timezone.now())
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {qn(name)}")
        result.dropped.append(name)


# --- both databases -------------------------------------------------------------------------


def _money_sources() -> list[tuple[str, str, str]]:
    """(table, integration column, transaction id column) of every record of money a provider
    transaction id reaches: the seamless game transactions and, where installed, transfer orders."""
    sources = []
    for label, id_field in (("wallet.GameTransaction", "external_id"), ("transfers.TransferOrder", "transfer_id")):
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        sources.append((model._meta.db_table, model._meta.get_field("integration").column,
                        model._meta.get_field(id_field).column))
    return sources


def _keep_money_calls(source_sql: str, condition: str, params: list, *, now: dt.datetime) -> int:
    """Copy the calls of `source_sql` (a table) matching `condition` that moved money into KeptCall;
    a call kept already stays as it is. Returns the rows copied.

    A call moved money when its answer was its provider's success code (the status catalogue) and
    a transaction id it carried reached the ledger of its integration (a batch call carries its
    items' ids joined by commas: any one of them). Refusals, and calls refused before
    authentication, never answer success: they are never kept, whatever id they name."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in COLUMNS)
    selected = ", ".join(f"c.{qn(c)}" for c in COLUMNS)
    if connection.vendor == "postgresql":
        # A single id: the unique (integration, id) index, one probe (the planner knows it is
        # unique whatever its statistics). A batch's ids: the same index with = ANY.
        batch = "m.{txn} = ANY(string_to_array(c.txn_id, ','))"
    else:
        batch = "instr(',' || c.txn_id || ',', ',' || m.{txn} || ',') > 0"
    money = " OR ".join(
        f"(strpos_or_instr AND EXISTS (SELECT 1 FROM {qn(table)} m WHERE m.{qn(integration)} = c.integration_id "
        f"AND m.{qn(txn)} = c.txn_id)) OR (NOT strpos_or_instr AND EXISTS (SELECT 1 FROM {qn(table)} m "
        f"WHERE m.{qn(integration)} = c.integration_id AND {batch.format(txn=qn(txn))}))"
        for table, integration, txn in _money_sources())
    single = "strpos(c.txn_id, ',') = 0" if connection.vendor == "postgresql" else "instr(c.txn_id, ',') = 0"
    money = money.replace("strpos_or_instr", single)
    success = (f"EXISTS (SELECT 1 FROM {qn(StatusCode._meta.db_table)} s WHERE s.provider = c.provider "
               f"AND s.code = c.status_code AND s.is_success)")
    sql = (f"INSERT INTO {qn(KeptCall._meta.db_table)} ({columns}, kept_at) SELECT {selected}, %s "
           f"FROM {source_sql} c WHERE ({condition}) AND c.txn_id <> '' AND c.integration_id IS NOT NULL "
           f"AND {success} AND ({money or 'FALSE'}) ON CONFLICT (id) DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])
        return max(cursor.rowcount, 0)


def _delete_old(cutoff: dt.datetime, result: MaintainResult, *, now: dt.datetime) -> None:
    """SQLite (or a history not yet partitioned): keep the money calls, delete older rows in batches."""
    qn = connection.ops.quote_name
    table = qn(_table())
    result.kept += _keep_money_calls(table, "c.created_at < %s", [cutoff], now=now)
    while True:
        with transaction.atomic():
            ids = list(CallLog.objects.filter(created_at__lt=cutoff).order_by().values_list("pk", flat=True)
                       [:DELETE_BATCH])
            if ids:
                CallLog.objects.filter(pk__in=ids).delete()
        result.deleted += len(ids)
        if len(ids) < DELETE_BATCH:
            return
