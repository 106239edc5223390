
import core.registry
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0008_alter_checkrun_integration_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalgame',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
        migrations.AlterField(
            model_name='historicalintegration',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
        migrations.AlterField(
            model_name='historicalstatuscode',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
    ]
