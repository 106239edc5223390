# The actor index only where there is an actor (staff movements; game transfers have none), and
# no pattern-ops index on the idempotency key (looked up by equality only, through its unique
# index): two fewer indexes written per game transfer.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

ACTOR_INDEX = "wallet_transfer_actor_id_7ca87169"
KEY_LIKE_INDEX = "wallet_transfer_key_27325295_like"  # PostgreSQL only


def drop(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(f"DROP INDEX IF EXISTS {quote(ACTOR_INDEX)}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {quote(KEY_LIKE_INDEX)}")


def recreate(apps, schema_editor):
    quote = schema_editor.quote_name
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(ACTOR_INDEX)} ON wallet_transfer (actor_id)")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {quote(KEY_LIKE_INDEX)} ON wallet_transfer "
                              "(key varchar_pattern_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ('wallet', '0007_fewer_indexes_on_the_money_path'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Only the index goes (Django's AlterField would also drop and re-add the foreign key).
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='transfer',
                    name='actor',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[migrations.RunPython(drop, recreate)],
        ),
        migrations.AddIndex(
            model_name='transfer',
            index=models.Index(condition=models.Q(('actor__isnull', False)), fields=['actor'], name='transfer_actor'),
        ),
    ]
