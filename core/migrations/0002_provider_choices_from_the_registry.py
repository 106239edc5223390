
import core.registry
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_integration'),
    ]

    operations = [
        migrations.AlterField(
            model_name='integration',
            name='provider',
            field=models.CharField(choices=core.registry.provider_choices, max_length=16),
        ),
    ]
