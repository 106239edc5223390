
import core.registry
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("lobby", "0010_delete_integration"),
    ]

    operations = [
        migrations.AlterField(
            model_name='game',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
    ]
