"""The lobby's adapter: a launch session whose token rides in the game URL as `tw_ticket`."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import urlencode

from django.utils import timezone

from lobby.adapters import LaunchError, LaunchRequest, LaunchResult, ProviderAdapter
from lobby.masking import CredentialRule
from lobby.sessions import session_open

from .registration import PROVIDER


class ThirdWaveAdapter(ProviderAdapter):
    provider = PROVIDER
    token_name = "tw_ticket"
    short_name = "TW"
    credentials = CredentialRule(query_params=frozenset({"tw_ticket"}), token_keys=frozenset({"session"}))

    def launch(self, request: LaunchRequest) -> LaunchResult:
        if request.game is None:
            raise LaunchError("Choose a game to play.")
        now = timezone.now()
        token = secrets.token_urlsafe(24)
        url = f"{request.integration.api_base_url}/play?" + urlencode({"game": request.game.game_id, "tw_ticket": token})
        session = session_open(request, token=token, url=url, now=now, expires_at=now + dt.timedelta(minutes=30))
        return LaunchResult(url=url, token=token, method=request.method, session=session)
