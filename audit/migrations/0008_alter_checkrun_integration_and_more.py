"""State only: the integration model moved to core with its table, so no column changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0007_historical_accept_bets_in_other_currency"),
        ('core', '0001_integration'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='checkrun',
                    name='integration',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='historicalaccount',
                    name='integration',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='historicalgame',
                    name='integration',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='core.integration'),
                ),
            ],
            database_operations=[],
        ),
    ]
