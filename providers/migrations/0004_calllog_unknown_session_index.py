"""A small partial index for the admin's "unknown session" filter, built without blocking writes.

The call history is written by every callback: on PostgreSQL the index is built CONCURRENTLY
(outside a transaction, hence atomic = False) so that callbacks never wait on it.
"""

from django.db import migrations, models

INDEX = models.Index(condition=models.Q(session_unknown=True), fields=['created_at'],
                     name='calllog_unknown_session_time')


def index_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS calllog_unknown_session_time "
                              "ON providers_calllog (created_at) WHERE session_unknown")
    else:
        schema_editor.add_index(apps.get_model("providers", "CallLog"), INDEX)


def index_remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS calllog_unknown_session_time")
    else:
        schema_editor.remove_index(apps.get_model("providers", "CallLog"), INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('providers', '0003_calllog_session_unknown'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name='calllog', index=INDEX)],
            database_operations=[migrations.RunPython(index_add, index_remove)],
        ),
    ]
