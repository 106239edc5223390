"""Indexes for the admin's exact-id searches and the player page's latest calls (issue 24).

Partial (only rows that carry the id; `errors` only failed calls), so calls without one write
nothing more, and built CONCURRENTLY on PostgreSQL (atomic = False) so callbacks never wait on
them (see 0004).
"""

from django.db import migrations, models

ERROR_CODES = ["OK", "RS_OK"]
INDEXES = [
    models.Index(fields=["txn_id"], condition=~models.Q(txn_id=""), name="calllog_txn"),
    models.Index(fields=["player_external_id", "created_at"], condition=~models.Q(player_external_id=""),
                 name="calllog_player_time"),
    models.Index(fields=["request_id"], condition=~models.Q(request_id=""), name="calllog_request"),
    models.Index(fields=["id"], condition=~models.Q(status_code__in=ERROR_CODES), name="calllog_errors"),
]
SQL = {
    "calllog_txn": "(txn_id) WHERE NOT (txn_id = '')",
    "calllog_player_time": "(player_external_id, created_at) WHERE NOT (player_external_id = '')",
    "calllog_request": "(request_id) WHERE NOT (request_id = '')",
    "calllog_errors": "(id) WHERE NOT (status_code IN ('OK', 'RS_OK'))",
}


def indexes_add(apps, schema_editor):
    model = apps.get_model("providers", "CallLog")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {index.name} "
                                  f"ON providers_calllog {SQL[index.name]}")
        else:
            schema_editor.add_index(model, index)


def indexes_remove(apps, schema_editor):
    model = apps.get_model("providers", "CallLog")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {index.name}")
        else:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("providers", "0005_fewer_indexes_on_the_money_path"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="calllog", index=index) for index in INDEXES],
            database_operations=[migrations.RunPython(indexes_add, indexes_remove)],
        ),
    ]
