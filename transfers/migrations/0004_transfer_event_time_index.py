"""An index on the transfer events' time, for their retention (transfers/retention.py).

Built without blocking the transfer wallet's writes on PostgreSQL (CONCURRENTLY, outside a
transaction, hence atomic = False)."""

from django.db import migrations, models

INDEX = models.Index(fields=["created_at"], name="transfer_event_time")


def index_add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX CONCURRENTLY IF NOT EXISTS transfer_event_time "
                              "ON transfers_transferevent (created_at)")
    else:
        schema_editor.add_index(apps.get_model("transfers", "TransferEvent"), INDEX)


def index_remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS transfer_event_time")
    else:
        schema_editor.remove_index(apps.get_model("transfers", "TransferEvent"), INDEX)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('transfers', '0003_needs_attention'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name='transferevent', index=INDEX)],
            database_operations=[migrations.RunPython(index_add, index_remove)],
        ),
    ]
