"""State only: the integration model moved to core with its table, so no column changes."""

from django.db import migrations


def content_type_move(apps, schema_editor):
    """The model's content type (so its permissions, and the groups holding them) follows it to core.

    On a database made before the move only the lobby's exists: it is renamed. On a fresh database
    the roles migration (audit 0002) already made both: the lobby's, now stale, is removed."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="lobby", model="integration")
    if ContentType.objects.filter(app_label="core", model="integration").exists():
        old.delete()
    else:
        old.update(app_label="core")


def content_type_move_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="lobby", model="integration").exists():
        ContentType.objects.filter(app_label="core", model="integration").update(app_label="lobby")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ("audit", "0008_alter_checkrun_integration_and_more"),
        ("lobby", "0009_alter_launchsession_integration_and_more"),
        ("providers", "0009_alter_calllog_integration"),
        ("reports", "0004_alter_dailygamestat_integration_and_more"),
        ("transfers", "0005_alter_providerwallet_integration_and_more"),
        ("wallet", "0011_alter_account_integration_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Integration',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_move_back),
    ]
