"""The lobby's adapter for 1G (spec section 2): an `l_token` session, then the signed entry point."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.utils import timezone

from core.models import LaunchMethod, WalletMode
from lobby.adapters import LaunchError, LaunchRequest, LaunchResult, ProviderAdapter
from lobby.models import Device
from lobby.sessions import session_open, session_url_set

from .launch import LobbyQuery, LobbyUrlError, entry_url, lobby_url_fetch
from .masking import CREDENTIALS
from .registration import PROVIDER

# *(ours)* A 1G l_token must be used (validated by 1G) within this time after the click.
START_TTL = dt.timedelta(seconds=settings.ONEGAMING_START_TTL_SECONDS)


class OneGamingAdapter(ProviderAdapter):
    provider = PROVIDER
    token_name = "l_token"
    credentials = CREDENTIALS
    short_name = "1G"
    has_lobby = True
    # A transfer-mode account launches the same lobby; the lobby deposits before calling launch().
    wallet_modes = frozenset({WalletMode.SEAMLESS, WalletMode.TRANSFER})

    def opens_game(self, device: str) -> bool:
        # The mobile entry points take no game_code: the player lands in 1G's lobby.
        return device != Device.MOBILE

    def launch(self, request: LaunchRequest) -> LaunchResult:
        integration, player = request.integration, request.player
        game = request.game if self.opens_game(request.device) else None  # never claim a game 1G won't open
        now = timezone.now()
        session = session_open(request, token=str(uuid.uuid4()), game=game, now=now, expires_at=now + START_TTL)
        query = LobbyQuery(agent_code=integration.agent_code, player_id=player.external_id, username=player.username,
                           l_token=session.token, game_code=game.game_id if game else "")
        if request.method == LaunchMethod.NEW_TAB:
            # A new tab gets the URL 1G hands out (`/url` variant); frames and redirects use the
            # HTML entry point directly, which saves a round trip (spec section 2, the seed's three ways).
            try:
                url = lobby_url_fetch(integration=integration, query=query, device=request.device)
            except LobbyUrlError as exc:
                raise LaunchError(f"The game lobby could not be opened: {exc}") from exc
        else:
            url = entry_url(integration=integration, query=query, device=request.device)
        session_url_set(session, url)
        return LaunchResult(url=url, token=session.token, method=request.method, session=session)
