from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('providers', '0002_status_codes'),
    ]

    operations = [
        # A constant default: PostgreSQL adds the column without rewriting the history table.
        migrations.AddField(
            model_name='calllog',
            name='session_unknown',
            field=models.BooleanField(default=False, verbose_name='unknown session'),
        ),
    ]
