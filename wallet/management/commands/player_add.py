import json
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from wallet import services
from wallet.models import Currency
from wallet.money import AmountError, from_units, to_units


class Command(BaseCommand):
    help = "Create a player with wallets, or update one (add wallets, deposit, enable/disable)."

    def add_arguments(self, parser):
        parser.add_argument("player_id")
        parser.add_argument("--username")
        parser.add_argument("--currency", action="append", default=[], help="repeat for several wallets")
        parser.add_argument("--deposit", help="amount credited to the first --currency wallet (every run)")
        state = parser.add_mutually_exclusive_group()
        state.add_argument("--disabled", action="store_true")
        state.add_argument("--enabled", action="store_true")
        parser.add_argument("--password", help="also create or reset the player's lobby sign-in")

    def handle(self, *args, **o):
        enabled = False if o["disabled"] else (True if o["enabled"] else None)
        if o["deposit"] is not None and not o["currency"]:
            raise CommandError("--deposit needs a --currency (the first one is credited)")
        try:
            units = None
            if o["deposit"] is not None:
                # Parse before writing anything, so a bad amount leaves no half-made player.
                currency = Currency.objects.filter(code=o["currency"][0].upper()).first()
                units = to_units(o["deposit"], digits=currency.digits if currency else 2)
                if units == 0:
                    raise CommandError("--deposit must be more than zero")
            player, wallets, created = services.player_upsert(
                external_id=o["player_id"], username=o["username"], currencies=o["currency"], enabled=enabled,
                reason="player_add command",
            )
            deposited = None
            if units is not None:
                wallet = wallets[0]
                services.wallet_deposit(wallet=wallet, amount=units, key=f"command-deposit:{uuid.uuid4()}",
                                        memo="player_add --deposit")
                deposited = str(from_units(units))
        except (services.LedgerError, AmountError) as exc:
            raise CommandError(str(exc)) from exc
        if o["password"]:
            user_model = get_user_model()
            user = player.user or user_model.objects.filter(username=player.username.lower()).first()
            if user is None:
                user = user_model(username=player.username.lower())
            user.set_password(o["password"])
            user.save()
            if player.user_id != user.pk:
                player.user = user
                player.save(update_fields=["user"])
        player.refresh_from_db()
        balances = {a.currency_id: str(from_units(a.balance)) for a in player.accounts.filter(kind="wallet")}
        self.stdout.write(json.dumps({"player_id": player.external_id, "username": player.username,
                                      "enabled": player.is_enabled, "created": created, "deposited": deposited,
                                      "balances": balances}))
