"""State only: the integration model moved to core with its table, so no column changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_integration'),
        ("wallet", "0010_rare_row_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='account',
                    name='integration',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='accounts', to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='betticket',
                    name='integration',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='gametransaction',
                    name='integration',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, to='core.integration'),
                ),
                migrations.AlterField(
                    model_name='limitrefusal',
                    name='integration',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='core.integration'),
                ),
            ],
            database_operations=[],
        ),
    ]
