"""The lobby's adapter for Oppi (spec oppi.md section 1): ask `/game/url`, keep its `sessionId`."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lobby.adapters import LaunchError, LaunchRequest, LaunchResult, ProviderAdapter
from lobby.sessions import session_open

from .client import OppiClient, OppiClientError
from .masking import CREDENTIALS
from .registration import PROVIDER

# *(ours)* An Oppi session idles out after 30 minutes (spec oppi.md section 2).
SESSION_TTL = dt.timedelta(seconds=settings.OPPI_SESSION_TTL_SECONDS)


class OppiAdapter(ProviderAdapter):
    provider = PROVIDER
    token_name = "sessionId"
    credentials = CREDENTIALS

    def launch(self, request: LaunchRequest) -> LaunchResult:
        integration, player, game, wallet = request.integration, request.player, request.game, request.wallet
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
                session = session_open(request, token=str(answer.session_id), url=str(answer.game_url), now=now,
                                       expires_at=now + SESSION_TTL)
        except IntegrityError as exc:  # Oppi handed out a sessionId we already hold
            raise LaunchError("The game could not be opened: the provider reused a session id.") from exc
        return LaunchResult(url=answer.game_url, token=session.token, method=request.method, session=session)
