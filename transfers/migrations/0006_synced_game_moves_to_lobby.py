"""The games sync's per-game state moved to the lobby with its table (lobby 0010): state only here,
and its content type (so its permissions and the groups holding them) follows it."""

from django.db import migrations


def content_type_move(apps, schema_editor):
    """Renamed on a database made before the move; on a fresh one the roles migration may have
    made both already, and the stale one is removed."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    old = ContentType.objects.filter(app_label="transfers", model="syncedgame")
    if ContentType.objects.filter(app_label="lobby", model="syncedgame").exists():
        old.delete()
    else:
        old.update(app_label="lobby")


def content_type_move_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="transfers", model="syncedgame").exists():
        ContentType.objects.filter(app_label="lobby", model="syncedgame").update(app_label="transfers")


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("lobby", "0012_synced_game_moves_to_lobby"),
        ("transfers", "0005_alter_providerwallet_integration_and_more"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SyncedGame")],
            database_operations=[],
        ),
        migrations.RunPython(content_type_move, content_type_move_back),
    ]
