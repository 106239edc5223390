import json
import uuid

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from wallet import services
from wallet.models import Currency, Player
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
        parser.add_argument("--password", help="also create or reset the player's lobby sign-in (never a staff "
                                               "account's, nor another account that happens to share the name)")

    def handle(self, *args, **o):
        enabled = False if o["disabled"] else (True if o["enabled"] else None)
        if o["deposit"] is not None and not o["currency"]:
            raise CommandError("--deposit needs a --currency (the first one is credited)")
        if o["password"]:
            # Judged before anything is written, so a refusal leaves no half-made player.
            self._sign_in_check(o["player_id"], o["username"])
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
            self._sign_in_set(player, o["password"])
        player.refresh_from_db()
        balances = {a.currency_id: str(from_units(a.balance)) for a in player.accounts.filter(kind="wallet")}
        self.stdout.write(json.dumps({"player_id": player.external_id, "username": player.username,
                                      "enabled": player.is_enabled, "created": created, "deposited": deposited,
                                      "balances": balances}))

    @staticmethod
    def _sign_in_check(player_id: str, username: str | None) -> None:
        """Refuse a sign-in that would reuse or change an account other than the player's own.

        The player's own sign-in is the user linked to it, and only if that user is not staff.
        Without one, a new user named after the player is made; a name already taken (in any
        letter case) by a staff account or any other account is refused, never taken over.
        """
        player = Player.objects.filter(external_id=(player_id or "").strip()).select_related("user").first()
        if player is not None and player.user is not None:
            if player.user.is_staff or player.user.is_superuser:
                raise CommandError(
                    f"player {player.external_id} is linked to the staff account {player.user.get_username()!r}; "
                    "a player's sign-in never changes a staff account. Unlink it in the admin first.")
            return
        name = (username or (player.username if player else "") or "").lower()
        taken = get_user_model().objects.filter(username__iexact=name).first() if name else None
        if taken is None:
            return
        what = "a staff account" if taken.is_staff or taken.is_superuser else "another account"
        raise CommandError(
            f"the sign-in name {taken.get_username()!r} belongs to {what}; a player's sign-in never reuses or "
            "changes another account. Choose another --username for the player.")

    @staticmethod
    def _sign_in_set(player: Player, password: str) -> None:
        """Set the player's own sign-in (made if missing); `_sign_in_check` has passed."""
        user_model = get_user_model()
        with transaction.atomic():
            player = Player.objects.select_for_update().get(pk=player.pk)
            user = player.user
            if user is None:
                user = user_model(username=player.username.lower())
            if user.is_staff or user.is_superuser:  # checked before; a link made meanwhile is refused all the same
                raise CommandError(f"player {player.external_id} is linked to a staff account; not changed")
            user.set_password(password)
            try:
                with transaction.atomic():
                    user.save()
            except IntegrityError as exc:  # the name was taken since the check: still never taken over
                raise CommandError(f"the sign-in name {user.get_username()!r} was just taken; not changed") from exc
            if player.user_id != user.pk:
                player.user = user
                player.save(update_fields=["user"])
