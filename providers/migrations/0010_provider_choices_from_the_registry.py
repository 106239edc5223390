
import core.registry
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("providers", "0009_alter_calllog_integration"),
    ]

    operations = [
        migrations.AlterField(
            model_name='calllog',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
        migrations.AlterField(
            model_name='keptcall',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
        migrations.AlterField(
            model_name='statuscode',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
    ]
