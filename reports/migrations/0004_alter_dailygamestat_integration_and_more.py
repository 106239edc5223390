"""State only: the integration model moved to core with its table, so no column changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_integration'),
        ("reports", "0003_dailycallstat_unauthenticated"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='dailygamestat',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='dailyplayeractivity',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.integration'),
                ),
            ],
            database_operations=[],
        ),
    ]
