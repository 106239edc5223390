"""`manage.py launch CODE PLAYER_ID [--game GAME_ID] [--mobile] [--currency C] [--deposit AMOUNT]`: start a
launch as the lobby page would.

A transfer-mode integration needs `--deposit AMOUNT` (currency units): the amount is moved into
the provider first and the launch happens only once that deposit is confirmed, as on the lobby
page. `--deposit 0` plays with what the provider already holds (e.g. after `manage.py transfer
CODE PLAYER_ID deposit AMOUNT`). Without `--deposit` the command refuses and says so.
"""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.models import Integration, WalletMode
from lobby.adapters import adapter_for_provider
from lobby.forms import amount_parse
from lobby.models import Device
from lobby.selectors import game_for_integration
from lobby.services import LaunchError, launch_start, play_wallet
from wallet.models import Player


class Command(BaseCommand):
    help = 'Start a game launch and print one JSON line: {"url", <the provider\'s token name>} (e.g. l_token, sessionId).'

    def add_arguments(self, parser):
        parser.add_argument("code", help="integration code")
        parser.add_argument("player_id", help="the player's external id")
        parser.add_argument("--game", help="game id in the integration's catalogue")
        parser.add_argument("--mobile", action="store_true", help="launch the mobile variant")
        parser.add_argument("--currency", help="wallet to play with (default: the player's first wallet)")
        parser.add_argument("--deposit", metavar="AMOUNT",
                            help="transfer mode only: amount (currency units, e.g. 12.50) to move into the provider "
                                 "before the launch; 0 plays with what it already holds")

    def handle(self, *args, code, player_id, game=None, mobile=False, currency=None, deposit=None, **options):
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
        units = self._deposit_units(integration, player, currency, deposit)
        try:
            result = launch_start(integration=integration, player=player, game=game_row,
                                  device=Device.MOBILE if mobile else Device.DESKTOP, currency=currency,
                                  deposit=units)
        except LaunchError as exc:
            raise CommandError(str(exc)) from exc
        adapter = adapter_for_provider(integration.provider)
        token_name = adapter.token_name if adapter else "token"
        line = {"url": result.url, token_name: result.token}
        if result.deposit is not None:
            line["deposit"] = {"id": result.deposit.pk, "transfer_id": result.deposit.transfer_id,
                               "state": result.deposit.state}
        self.stdout.write(json.dumps(line))

    def _deposit_units(self, integration, player, currency, deposit) -> int | None:
        if integration.mode != WalletMode.TRANSFER:
            if deposit is not None:
                raise CommandError(f"integration {integration.code} is seamless: --deposit is for transfer mode only")
            return None
        if deposit is None:
            raise CommandError(
                f"integration {integration.code} is in transfer mode: the provider plays with money moved into it "
                f"first. Pass --deposit AMOUNT to move it now (or move it with `manage.py transfer {integration.code} "
                f"{player.external_id} deposit AMOUNT` and pass --deposit 0).")
        try:
            wallet = play_wallet(player, currency)
            return amount_parse(deposit, currency=wallet.currency_id, digits=wallet.currency.digits)
        except LaunchError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(f"bad --deposit {deposit!r}: {' '.join(exc.messages)}") from exc
