from django.db import migrations

from providers.reference import status_codes_load


def load_status_codes(apps, schema_editor):
    status_codes_load(apps.get_model("providers", "StatusCode"))


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]

    operations = [migrations.RunPython(load_status_codes, migrations.RunPython.noop)]
