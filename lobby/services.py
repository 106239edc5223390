"""Starting a game: the launch session a provider will later name, and where to send the player."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from wallet.models import Account, AccountKind, Player

from .models import Device, Game, Integration, LaunchMethod, LaunchSession, Provider

# *(ours)* A 1G l_token must be used (validated by 1G) within this time after the click.
ONEGAMING_START_TTL = dt.timedelta(seconds=getattr(settings, "ONEGAMING_START_TTL_SECONDS", 15 * 60))
# *(ours)* An Oppi session idles out after 30 minutes (spec oppi.md section 2).
OPPI_SESSION_TTL = dt.timedelta(seconds=getattr(settings, "OPPI_SESSION_TTL_SECONDS", 30 * 60))


class LaunchError(Exception):
    """A launch that cannot start; the message is safe to show to the player."""


@dataclass(frozen=True)
class LaunchResult:
    url: str
    token: str  # the 1G l_token or the Oppi sessionId
    method: str
    session: LaunchSession


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
    method = method if method in LaunchMethod.values else integration.launch_method
    device = device if device in Device.values else Device.DESKTOP
    wallet = _play_wallet(player, currency)
    if integration.provider == Provider.ONEGAMING:
        return _onegaming_launch(integration, player, game, device, method, wallet)
    if integration.provider == Provider.OPPI:
        return _oppi_launch(integration, player, game, device, method, wallet)
    raise LaunchError("Unknown game provider.")


def _onegaming_launch(integration, player, game, device, method, wallet) -> LaunchResult:
    from providers.onegaming.launch import (
        LobbyQuery,
        LobbyUrlError,
        entry_url,
        lobby_url_fetch,
    )

    now = timezone.now()
    session = LaunchSession.objects.create(
        token=str(uuid.uuid4()), integration=integration, player=player, game=game, currency=wallet.currency,
        device=device, method=method, created_at=now, expires_at=now + ONEGAMING_START_TTL,
    )
    query = LobbyQuery(agent_code=integration.agent_code, player_id=player.external_id, username=player.username,
                       l_token=session.token, game_code=game.game_id if game else "")
    if method == LaunchMethod.NEW_TAB:
        # A new tab gets the URL 1G hands out (`/url` variant); frames and redirects use the
        # HTML entry point directly, which saves a round trip (spec section 2, the seed's three ways).
        try:
            url = lobby_url_fetch(integration=integration, query=query, device=device)
        except LobbyUrlError as exc:
            raise LaunchError(f"The game lobby could not be opened: {exc}") from exc
    else:
        url = entry_url(integration=integration, query=query, device=device)
    session.url = url[:1000]
    session.save(update_fields=["url"])
    return LaunchResult(url=url, token=session.token, method=method, session=session)


def _oppi_launch(integration, player, game, device, method, wallet) -> LaunchResult:
    from providers.oppi.client import OppiClient, OppiClientError

    if game is None:
        raise LaunchError("Choose a game to play.")
    try:
        answer = OppiClient(integration).game_url(
            game_id=game.game_id, player_id=player.external_id, player_name=player.username,
            balance=wallet.balance,  # ledger units are Oppi's x100000 scale
            currency=wallet.currency_id,
        )
    except OppiClientError as exc:
        raise LaunchError(f"The game could not be opened: {exc}") from exc
    now = timezone.now()
    try:
        with transaction.atomic():
            session = LaunchSession.objects.create(
                token=str(answer.session_id), integration=integration, player=player, game=game,
                currency=wallet.currency, device=device, method=method, url=str(answer.game_url)[:1000],
                created_at=now, expires_at=now + OPPI_SESSION_TTL,
            )
    except IntegrityError as exc:  # Oppi handed out a sessionId we already hold
        raise LaunchError("The game could not be opened: the provider reused a session id.") from exc
    return LaunchResult(url=answer.game_url, token=session.token, method=method, session=session)
