"""`manage.py launch CODE PLAYER_ID [--game GAME_ID] [--mobile]`: start a launch as the lobby page would."""

import json

from django.core.management.base import BaseCommand, CommandError

from lobby.adapters import adapter_for_provider
from lobby.models import Device, Integration
from lobby.selectors import game_for_integration
from lobby.services import LaunchError, launch_start
from wallet.models import Player


class Command(BaseCommand):
    help = 'Start a game launch and print one JSON line: {"url", "l_token"} (1G) or {"url", "sessionId"} (Oppi).'

    def add_arguments(self, parser):
        parser.add_argument("code", help="integration code")
        parser.add_argument("player_id", help="the player's external id")
        parser.add_argument("--game", help="game id in the integration's catalogue")
        parser.add_argument("--mobile", action="store_true", help="launch the mobile variant")
        parser.add_argument("--currency", help="wallet to play with (default: the player's first wallet)")

    def handle(self, *args, code, player_id, game=None, mobile=False, currency=None, **options):
        integration = Integration.objects.filter(code=code).first()
        if integration is None:
            raise CommandError(f"no integration with code {code!r}")
        player = Player.objects.filter(external_id=player_id).first()
        if player is None:
            raise CommandError(f"no player with id {player_id!r}")
        game_row = None
        if game:
            game_row = game_for_integration(integration=integration, game_id=game)
            if game_row is None:
                raise CommandError(f"game {game!r} is not in the catalogue of {code}")
        try:
            result = launch_start(integration=integration, player=player, game=game_row,
                                  device=Device.MOBILE if mobile else Device.DESKTOP, currency=currency)
        except LaunchError as exc:
            raise CommandError(str(exc)) from exc
        adapter = adapter_for_provider(integration.provider)
        token_name = adapter.token_name if adapter else "token"
        self.stdout.write(json.dumps({"url": result.url, token_name: result.token}))
