import json

from django.core.management.base import BaseCommand, CommandError

from core.models import Integration
from lobby.integrations import IntegrationError, game_upsert


class Command(BaseCommand):
    help = "Add or update a game in an integration's catalogue."

    def add_arguments(self, parser):
        parser.add_argument("code", help="integration code")
        parser.add_argument("game_id")
        parser.add_argument("--name", required=True)
        parser.add_argument("--category", default=None)
        parser.add_argument("--brand", default=None)
        parser.add_argument("--disabled", action="store_true")

    def handle(self, *args, **o):
        integration = Integration.objects.filter(code=o["code"]).first()
        if integration is None:
            raise CommandError(f"no integration with code {o['code']!r}")
        try:
            game, created = game_upsert(integration=integration, game_id=o["game_id"], name=o["name"],
                                        category=o["category"], brand=o["brand"], enabled=not o["disabled"])
        except IntegrationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"integration": integration.code, "game_id": game.game_id, "name": game.name,
                                      "category": game.category, "enabled": game.enabled, "created": created}))
