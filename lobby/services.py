"""Starting a game: the checks every launch shares, then the provider's adapter (lobby.adapters)."""

from __future__ import annotations

from wallet.models import Account, AccountKind, Player

from .adapters import LaunchError, LaunchRequest, LaunchResult, adapter_for
from .models import Device, Game, Integration, LaunchMethod, WalletMode

__all__ = ["LaunchError", "LaunchResult", "launch_start"]


def _play_wallet(player: Player, currency: str | None) -> Account:
    """The wallet the player plays with: the one asked for, else the first one (by currency code)."""
    wallets = Account.objects.filter(player=player, kind=AccountKind.WALLET).select_related("currency")
    if currency:
        wallets = wallets.filter(currency_id=currency)
    wallet = wallets.order_by("currency_id").first()
    if wallet is None:
        raise LaunchError(f"You have no {currency} wallet." if currency else "You have no wallet to play with.")
    return wallet


def launch_start(
    *,
    integration: Integration,
    player: Player,
    game: Game | None = None,
    device: str = Device.DESKTOP,
    method: str | None = None,
    currency: str | None = None,
) -> LaunchResult:
    """Create the launch session and find the URL to send the player to (frame, redirect or new tab)."""
    if not integration.enabled:
        raise LaunchError("This game provider is not available right now.")
    if not player.is_enabled:
        raise LaunchError("Your account is disabled; please contact support.")
    if game is not None and not game.enabled:
        raise LaunchError("This game is not available right now.")
    adapter = adapter_for(integration)
    if not adapter.supports_mode(integration.mode):
        raise LaunchError("This game provider is not available right now.")
    if integration.mode != WalletMode.SEAMLESS:
        # Seamless launch path: a transfer-mode lobby opens only after a deposit (lobby.transfer_launch).
        raise LaunchError("This provider plays with money moved into it first: choose an amount to take in.")
    method = method if method in LaunchMethod.values else integration.launch_method
    device = device if device in Device.values else Device.DESKTOP
    wallet = _play_wallet(player, currency)
    return adapter.launch(LaunchRequest(integration=integration, player=player, game=game, device=device,
                                        method=method, wallet=wallet))
