"""Starting a game: the checks every launch shares, then the provider's adapter (lobby.adapters).

Seamless integrations launch at once. A transfer-mode integration launches only after the amount
the player chose has reached the provider's wallet (a deposit order of transfers.services that
is confirmed); a refused deposit opens nothing, and a deposit whose outcome is not known yet
opens nothing either and says so (the order resolves on its own: the money arrives at the
provider or comes back).
"""

from __future__ import annotations

import dataclasses
import time

from django.conf import settings

from core.models import Integration, LaunchMethod, WalletMode
from transfers.models import Direction, OrderState, TransferOrder
from transfers.services import TransferError, provider_balance_last_known
from transfers.start import transfer_start, withdraw_all
from wallet.models import Account, AccountKind, Player
from wallet.money import quantize_for

from .adapters import LaunchError, LaunchRequest, LaunchResult, adapter_for
from .models import Device, Game

__all__ = ["DepositPending", "DepositRequired", "LaunchError", "LaunchResult", "TransferBack", "launch_start",
           "money_back", "play_wallet", "provider_balances"]


class DepositRequired(LaunchError):
    """A transfer-mode launch needs an amount to move into the provider first."""


class DepositPending(LaunchError):
    """The deposit was sent but its outcome is not known yet; nothing was opened."""


def play_wallet(player: Player, currency: str | None) -> Account:
    """The wallet the player plays with: the one asked for, else the first one (by currency code)."""
    wallets = Account.objects.filter(player=player, kind=AccountKind.WALLET).select_related("currency")
    if currency:
        wallets = wallets.filter(currency_id=currency)
    wallet = wallets.order_by("currency_id").first()
    if wallet is None:
        raise LaunchError(f"You have no {currency} wallet." if currency else "You have no wallet to play with.")
    return wallet


def _money(units: int, wallet: Account) -> str:
    return f"{quantize_for(units, wallet.currency.digits)} {wallet.currency_id}"


def launch_start(
    *,
    integration: Integration,
    player: Player,
    game: Game | None = None,
    device: str = Device.DESKTOP,
    method: str | None = None,
    currency: str | None = None,
    deposit: int | None = None,
) -> LaunchResult:
    """Create the launch session and find the URL to send the player to (frame, redirect or new tab).

    `deposit` (ledger units) is for transfer-mode integrations only: the amount to move into the
    provider before the launch (0: play with what the provider already holds for the player).
    """
    if not integration.enabled:
        raise LaunchError("This game provider is not available right now.")
    if not player.is_enabled:
        raise LaunchError("Your account is disabled; please contact support.")
    if game is not None and not game.enabled:
        raise LaunchError("This game is not available right now.")
    adapter = adapter_for(integration)
    if not adapter.supports_mode(integration.mode):
        raise LaunchError("This game provider is not available right now.")
    transfer_mode = integration.mode == WalletMode.TRANSFER
    if deposit is not None and not transfer_mode:
        raise LaunchError("This provider plays from your wallet directly: there is nothing to deposit.")
    method = method if method in LaunchMethod.values else integration.launch_method
    device = device if device in Device.values else Device.DESKTOP
    wallet = play_wallet(player, currency)
    order = _deposit_first(integration, player, wallet, deposit) if transfer_mode else None
    try:
        result = adapter.launch(LaunchRequest(integration=integration, player=player, game=game, device=device,
                                              method=method, wallet=wallet))
    except LaunchError as exc:
        if order is None:
            raise
        raise LaunchError(f"{exc} Your deposit of {_money(order.amount, wallet)} is at the provider: "
                          "use “Back to my wallet” to take it back.") from exc
    return dataclasses.replace(result, deposit=order)


def _deposit_first(integration: Integration, player: Player, wallet: Account, amount: int | None) -> TransferOrder | None:
    """Move `amount` into the provider and return the confirmed order; LaunchError otherwise."""
    if amount is None:
        raise DepositRequired("Choose how much to take into this game provider first.")
    if amount < 0:
        raise LaunchError("The amount must not be negative.")
    if amount == 0:
        held = provider_balance_last_known(integration=integration, player=player, currency=wallet.currency_id)
        if not held:
            raise LaunchError("Choose an amount above zero: the provider holds nothing of yours yet.")
        return None
    if amount > wallet.balance:
        raise LaunchError(f"You have only {_money(wallet.balance, wallet)}.")
    try:
        order = transfer_start(integration=integration, player=player, currency=wallet.currency_id,
                               direction=Direction.DEPOSIT, amount=amount, reason="lobby launch")
    except TransferError as exc:
        raise LaunchError(f"The deposit was refused: {exc}. Nothing was opened.") from exc
    order = _order_settled(order)
    if order.state == OrderState.CONFIRMED:
        return order
    if order.state == OrderState.FAILED:
        why = order.last_status or order.last_error or "refused"
        raise LaunchError(f"The provider refused the deposit of {_money(amount, wallet)} ({why}). "
                          "The money is back in your wallet; nothing was opened.")
    raise DepositPending(
        f"We could not confirm the deposit of {_money(amount, wallet)} with the provider yet "
        f"(transfer {order.transfer_id}). The money is set aside, not lost: it reaches your balance there or "
        "comes back to your wallet once the provider's records tell us which. Nothing was opened; "
        "look at your balances again in a few minutes.")


IN_PROGRESS = (OrderState.CREATED, OrderState.RESERVED, OrderState.SENDING)


def _pause() -> None:
    time.sleep(0.25)


def _order_settled(order: TransferOrder) -> TransferOrder:
    """With a real broker a worker sends the deposit: wait a little (LOBBY_DEPOSIT_WAIT_SECONDS)
    for it to be confirmed or failed. In-process tasks have already settled it (or found it
    unknown, which only the provider's records will change), so this returns at once."""
    deadline = time.monotonic() + settings.LOBBY_DEPOSIT_WAIT_SECONDS
    while order.state in IN_PROGRESS and time.monotonic() < deadline:
        _pause()
        order = TransferOrder.objects.get(pk=order.pk)
    return order


@dataclasses.dataclass(frozen=True)
class TransferBack:
    """What "Back to my wallet" did for one currency: a message fit for the player, and whether it went well."""

    currency: str
    ok: bool
    message: str
    order: TransferOrder | None = None


def provider_balances(*, integration: Integration, player: Player) -> list[dict]:
    """The player's last known balances at a transfer-mode provider, one per currency opened there."""
    rows = []
    for wallet in Account.objects.filter(player=player, kind=AccountKind.WALLET).select_related("currency"):
        units = provider_balance_last_known(integration=integration, player=player, currency=wallet.currency_id)
        if units is not None:
            rows.append({"currency": wallet.currency_id, "balance": quantize_for(units, wallet.currency.digits)})
    return sorted(rows, key=lambda row: row["currency"])


def money_back(*, integration: Integration, player: Player) -> list[TransferBack]:
    """"Back to my wallet": withdraw everything the provider holds for the player, per currency."""
    if integration.mode != WalletMode.TRANSFER:
        raise LaunchError("This provider plays from your wallet directly: there is nothing to take back.")
    wallets = Account.objects.filter(player=player, kind=AccountKind.WALLET).select_related("currency")
    opened = {row["currency"] for row in provider_balances(integration=integration, player=player)}
    results = [_back_one(integration, player, w) for w in wallets.order_by("currency_id") if w.currency_id in opened]
    return results or [TransferBack(currency="", ok=True, message="The provider holds nothing of yours.")]


def _back_one(integration: Integration, player: Player, wallet: Account) -> TransferBack:
    currency = wallet.currency_id
    try:
        order = withdraw_all(integration=integration, player=player, currency=currency)
    except TransferError as exc:
        return TransferBack(currency, False, f"{currency}: nothing moved: {exc}.")
    if order is None:
        return TransferBack(currency, True, f"{currency}: the provider holds nothing of yours.")
    amount = _money(order.amount, wallet)
    if order.state == OrderState.CONFIRMED:
        return TransferBack(currency, True, f"{amount} is back in your wallet.", order)
    if order.state == OrderState.FAILED:
        why = order.last_status or order.last_error or "refused"
        return TransferBack(currency, False, f"The provider refused to give back {amount} ({why}); "
                                             "it is still there. Please try again.", order)
    return TransferBack(currency, False, f"We asked for {amount} back but could not confirm it yet "
                                         f"(transfer {order.transfer_id}); it reaches your wallet once the "
                                         "provider's records confirm it.", order)
