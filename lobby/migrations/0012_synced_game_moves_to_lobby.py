"""The games sync's per-game state moves here from transfers with its table (transfers_syncedgame):
state only; transfers 0004 ends the move and carries the content type."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("lobby", "0011_provider_choices_from_the_registry"),
        ("transfers", "0005_alter_providerwallet_integration_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SyncedGame',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('last_seen_at', models.DateTimeField(blank=True, null=True)),
                        ('removed_by_sync', models.BooleanField(default=False)),
                        ('game', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='sync_state', to='lobby.game')),
                    ],
                    options={
                        'db_table': 'transfers_syncedgame',
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
