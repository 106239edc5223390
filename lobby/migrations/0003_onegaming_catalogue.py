from django.db import migrations

from lobby.reference import catalogue_load


def load_catalogue(apps, schema_editor):
    catalogue_load(apps.get_model("lobby", "Game"))


class Migration(migrations.Migration):
    dependencies = [("lobby", "0002_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
