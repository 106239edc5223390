"""State only: the integration model moved to core with its table, so no column changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_integration'),
        ("lobby", "0008_issue25_currency_and_credentials"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='launchsession',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='launches', to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='game',
                    name='integration',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='games', to='core.integration'),
                ),
            ],
            database_operations=[],
        ),
    ]
