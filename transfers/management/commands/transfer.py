"""`manage.py transfer CODE PLAYER_ID deposit|withdraw AMOUNT [--currency C]`."""

import json
import re

from django.core.management.base import BaseCommand, CommandError

from transfers.services import TransferError, client_for
from transfers.start import transfer_start
from wallet.models import Account, AccountKind, Player
from wallet.money import AmountError, to_units

from ._common import transfer_integration

# Plain decimal notation only: no sign, exponent, spaces, thousands separators or "NaN".
AMOUNT = re.compile(r"[0-9]+(\.[0-9]+)?")


class Command(BaseCommand):
    help = ('Start a transfer-mode transfer (AMOUNT in currency units), wait for it when tasks run in-process, '
            'and print one JSON line: {"id", "transfer_id", "state"}.')

    def add_arguments(self, parser):
        parser.add_argument("code", help="integration code (an integration in transfer mode)")
        parser.add_argument("player_id", help="the player's external id")
        parser.add_argument("direction", help="deposit (wallet -> provider) or withdraw (provider -> wallet)")
        parser.add_argument("amount", help="amount in currency units, e.g. 12.50")
        parser.add_argument("--currency", help="wallet currency (default: the player's first wallet)")

    def handle(self, *args, code, player_id, direction, amount, currency=None, **options):
        if direction not in ("deposit", "withdraw"):
            raise CommandError(f"direction must be deposit or withdraw, not {direction!r}")
        integration = transfer_integration(code)
        player = Player.objects.filter(external_id=player_id).first()
        if player is None:
            raise CommandError(f"no player with id {player_id!r}")
        wallets = Account.objects.filter(player=player, kind=AccountKind.WALLET).order_by("pk")
        wallet = wallets.filter(currency_id=currency.upper()).first() if currency else wallets.first()
        if wallet is None:
            raise CommandError(f"player {player_id!r} has no {currency.upper() + ' ' if currency else ''}wallet")
        if not AMOUNT.fullmatch(amount):
            raise CommandError(f"not an amount: {amount!r} (write it like 12.50)")
        try:
            units = to_units(amount, digits=client_for(integration).amount_digits(wallet.currency_id))
        except AmountError as exc:
            raise CommandError(f"bad amount {amount!r}: {exc}") from exc
        if units <= 0:
            raise CommandError("the amount must be above zero")
        try:
            order = transfer_start(integration=integration, player=player, currency=wallet.currency_id,
                                   direction=direction, amount=units, reason="manage.py transfer")
        except TransferError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({"id": order.pk, "transfer_id": order.transfer_id, "state": order.state}))
