"""1G lobby entry points (spec section 2): the URL a player is sent to, and the `/url` variants.

*(ours)* paths on the integration's 1G base URL (dialect.LOBBY_PATHS): `GET /lobby`, `/lobby/url`,
`/lobby/mobile`, `/lobby/mobile/url`, each with the query `agent_code, player_id, l_token,
bcode[, game_code]` (the mobile ones take no `game_code`). The `/url` variants answer
`{"status":"OK","url":"…"}`. `bcode` is encoded as dialect.BCODE_ENCODING says (base64, 44 characters: the
seed's `varchar(50)`), independently of the integration's `signature_encoding`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
from django.conf import settings

from lobby.models import Device, Integration
from providers.calllog import CallRecord, call_logged
from providers.models import Direction

from . import dialect
from .codes import Status
from .signing import HEX, bcode

# Seconds we wait for 1G's `/lobby/url` answer before telling the player to try again.
HTTP_TIMEOUT = getattr(settings, "ONEGAMING_HTTP_TIMEOUT", 10.0)


class LobbyUrlError(Exception):
    """1G did not give us a lobby URL (network error, HTTP error, or a non-OK status)."""


@dataclass(frozen=True)
class LobbyQuery:
    agent_code: str
    player_id: str
    username: str
    l_token: str
    game_code: str = ""

    def params(self, secret: str, *, mobile: bool, encoding: str = HEX) -> dict[str, str]:
        params = {
            "agent_code": self.agent_code,
            "player_id": self.player_id,
            "l_token": self.l_token,
            "bcode": bcode(secret, self.agent_code, self.player_id, self.username, encoding=encoding),
        }
        if self.game_code and not mobile:  # the mobile entry points take no game_code
            params["game_code"] = self.game_code
        return params


def entry_path(*, device: str, as_url: bool) -> str:
    return dialect.LOBBY_PATHS[(device == Device.MOBILE, as_url)]


def entry_url(*, integration: Integration, query: LobbyQuery, device: str, as_url: bool = False) -> str:
    """The full entry-point URL (HTML page, or the `/url` JSON variant) with its signed query."""
    base = integration.api_base_url.rstrip("/")
    params = query.params(integration.secret, mobile=device == Device.MOBILE,
                          encoding=dialect.bcode_encoding(integration.signature_encoding))
    return f"{base}{entry_path(device=device, as_url=as_url)}?{urlencode(params)}"


def lobby_url_fetch(*, integration: Integration, query: LobbyQuery, device: str) -> str:
    """Ask 1G for the lobby URL (`/lobby/url` or `/lobby/mobile/url`); logged as an outbound call."""
    url = entry_url(integration=integration, query=query, device=device, as_url=True)
    headers = {dialect.AGENT_HEADER: integration.agent_code}
    if integration.sub_agent:
        headers[dialect.SUB_AGENT_HEADER] = integration.sub_agent
    record = CallRecord(
        provider=integration.provider,
        endpoint=entry_path(device=device, as_url=True).lstrip("/"),
        direction=Direction.OUTBOUND,
        integration_id=integration.pk,
        player_external_id=query.player_id,
        request_body=query.params(integration.secret, mobile=device == Device.MOBILE,
                                  encoding=dialect.bcode_encoding(integration.signature_encoding)),
    )
    with call_logged(record):
        try:
            response = httpx.get(url, headers=headers, timeout=HTTP_TIMEOUT)
            record.http_status = response.status_code
            response.raise_for_status()
            answer = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            record.status_code = "HTTP_ERROR"
            raise LobbyUrlError(f"1G lobby did not answer: {exc.__class__.__name__}") from exc
        record.response_body = answer
        status = answer.get("status") if isinstance(answer, dict) else None
        record.status_code = str(status or "NO_STATUS")
        if status != Status.OK or not isinstance(answer.get("url"), str) or not answer["url"]:
            raise LobbyUrlError(f"1G lobby refused the launch ({status or 'no status'})")
        return answer["url"]
