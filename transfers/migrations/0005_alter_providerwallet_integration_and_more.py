"""State only: the integration model moved to core with its table, so no column changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_integration'),
        ("transfers", "0004_transfer_event_time_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='providerwallet',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='provider_wallets', to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='reconciliationdifference',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='differences', to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='reconciliationrun',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reconciliations', to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='transferorder',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='transfer_orders', to='core.integration'),
                ),
            ],
            database_operations=[],
        ),
    ]
