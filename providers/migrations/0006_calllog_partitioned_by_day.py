"""The call history becomes a table partitioned by day on PostgreSQL; the kept money calls.

PostgreSQL, on an existing database with rows: the table is renamed aside (its indexes dropped,
its primary key and identity sequence renamed), the partitioned table is created by
django-postgres-extra's schema editor (primary key (id, created_at)), one partition per day from
the oldest row to CALL_HISTORY_PARTITIONS_AHEAD days ahead, the rows are copied, the identity
goes on from the old sequence (report marks count by id), the old table is dropped, and the
indexes are built last (deferred). One transaction: callbacks wait for the history table while it
runs (figures in docs/BENCHMARKS.md); on a fresh database it is instant. SQLite keeps its table.
Reversible (back to a plain table, rows kept).
"""

import datetime as dt
from types import SimpleNamespace

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from psqlextra.types import PostgresPartitioningMethod

COLUMNS = ("id", "created_at", "provider", "integration_id", "direction", "endpoint", "player_external_id", "txn_id",
           "request_id", "status_code", "http_status", "duration_ms", "caller_ip", "session_unknown", "request_body",
           "response_body")
AUTO_COMMENT = "psqlextra_auto_partitioned"  # the partitioning manager drops only partitions with it
NAME_FORMAT = "%Y_%m_%d"


def _partitioned(cursor, table):
    cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table])
    return cursor.fetchone() is not None


def _set_aside(cursor, qn, table, aside):
    """Rename `table` to `aside`, with its primary key and identity sequence; drop its other
    indexes (their names are the new table's)."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"ALTER TABLE {qn(table)} RENAME TO {qn(aside)}")
    cursor.execute("SELECT conname, contype FROM pg_constraint WHERE conrelid = to_regclass(%s) "
                   "AND contype IN ('p', 'c')", [aside])
    for name, kind in cursor.fetchall():
        new = aside + "_pkey" if kind == "p" else aside + name[len(table):] if name.startswith(table) else None
        if new:
            cursor.execute(f"ALTER TABLE {qn(aside)} RENAME CONSTRAINT {qn(name)} TO {qn(new)}")
    cursor.execute("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE i.indrelid = to_regclass(%s) AND NOT i.indisprimary", [aside])
    for (name,) in cursor.fetchall():
        cursor.execute(f"DROP INDEX {qn(name)}")
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {qn(aside + '_id_seq')}")
    return aside + "_id_seq" if sequence else None


def _copy(cursor, qn, source, target, old_sequence):
    columns = ", ".join(qn(c) for c in COLUMNS)
    cursor.execute(f"INSERT INTO {qn(target)} ({columns}) SELECT {columns} FROM {qn(source)}")
    # Ids go on above every id ever given (the report aggregates' marks count by id).
    cursor.execute(f"SELECT GREATEST(COALESCE((SELECT MAX(id) FROM {qn(source)}), 0), "
                   f"(SELECT CASE WHEN is_called THEN last_value ELSE last_value - 1 END FROM {qn(old_sequence)}))"
                   if old_sequence else f"SELECT COALESCE(MAX(id), 0) FROM {qn(source)}")
    top = cursor.fetchone()[0]
    if top and top > 0:
        cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [target, top])
    cursor.execute(f"DROP TABLE {qn(source)}")


def partition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    model = apps.get_model("providers", "CallLog")
    model._partitioning_meta = SimpleNamespace(method=PostgresPartitioningMethod.RANGE, key=["created_at"])
    table, qn = model._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        if _partitioned(cursor, table):
            return
        aside = _set_aside(cursor, qn, table, f"{table}_unpartitioned")
        schema_editor.create_partitioned_model(model)  # django-postgres-extra's schema editor
        cursor.execute(f"SELECT MIN(created_at), MAX(created_at) FROM {qn(table + '_unpartitioned')}")
        oldest, newest = cursor.fetchone()
        today = dt.datetime.now(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        day = min(today, oldest.astimezone(dt.UTC).replace(hour=0, minute=0, second=0, microsecond=0)) \
            if oldest else today
        last = max(today + dt.timedelta(days=max(0, int(getattr(settings, "CALL_HISTORY_PARTITIONS_AHEAD", 7)))),
                   newest or today)
        while day <= last:
            name = f"{table}_{day.strftime(NAME_FORMAT)}"
            cursor.execute(f"CREATE TABLE {qn(name)} PARTITION OF {qn(table)} FOR VALUES FROM (%s) TO (%s)",
                           [day, day + dt.timedelta(days=1)])
            cursor.execute(f"COMMENT ON TABLE {qn(name)} IS '{AUTO_COMMENT}'")
            day += dt.timedelta(days=1)
        _copy(cursor, qn, table + "_unpartitioned", table, aside)


def unpartition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    model = apps.get_model("providers", "CallLog")
    table, qn = model._meta.db_table, connection.ops.quote_name
    with connection.cursor() as cursor:
        if not _partitioned(cursor, table):
            return
        aside = _set_aside(cursor, qn, table, f"{table}_partitioned")
        schema_editor.create_model(model)
        _copy(cursor, qn, table + "_partitioned", table, aside)  # DROP TABLE takes the partitions along


class Migration(migrations.Migration):

    dependencies = [
        ('lobby', '0006_merge_20261129_1057'),
        ('providers', '0005_fewer_indexes_on_the_money_path'),
    ]

    operations = [
        migrations.CreateModel(
            name='KeptCall',
            fields=[
                ('id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('created_at', models.DateTimeField()),
                ('provider', models.CharField(choices=[('onegaming', '1Gaming'), ('oppi', 'Oppi Games')], max_length=16)),
                ('direction', models.CharField(choices=[('in', 'Provider → us'), ('out', 'Us → provider')], default='in', max_length=3)),
                ('endpoint', models.CharField(max_length=64)),
                ('player_external_id', models.CharField(blank=True, max_length=64, verbose_name='player id')),
                ('txn_id', models.CharField(blank=True, max_length=128, verbose_name='transaction id')),
                ('request_id', models.CharField(blank=True, max_length=128)),
                ('status_code', models.CharField(max_length=64)),
                ('http_status', models.PositiveSmallIntegerField(default=200)),
                ('duration_ms', models.FloatField(default=0)),
                ('caller_ip', models.GenericIPAddressField(blank=True, null=True)),
                ('session_unknown', models.BooleanField(default=False, verbose_name='unknown session')),
                ('request_body', models.TextField(blank=True)),
                ('response_body', models.TextField(blank=True)),
                ('kept_at', models.DateTimeField()),
                ('integration', models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, to='lobby.integration')),
            ],
            options={
                'verbose_name': 'kept money call',
                'ordering': ['-id'],
                'indexes': [models.Index(fields=['integration', 'txn_id'], name='keptcall_integration_txn')],
            },
        ),
        migrations.AlterModelOptions(name='calllog', options={'base_manager_name': 'objects', 'ordering': ['-id']}),
        migrations.RunPython(partition, unpartition),
    ]
