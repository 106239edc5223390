from django.db import migrations

from lobby.reference import ONEGAMING_GAMES


def load_catalogue(apps, schema_editor):
    Game = apps.get_model("lobby", "Game")
    for order, (category, game_id, brand, game_type) in enumerate(ONEGAMING_GAMES):
        Game.objects.update_or_create(
            provider="onegaming",
            integration=None,
            game_id=game_id,
            defaults={"name": f"{brand} {category.title()}", "category": category, "brand": brand,
                      "game_type": game_type, "sort_order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("lobby", "0002_initial")]

    operations = [migrations.RunPython(load_catalogue, migrations.RunPython.noop)]
