"""Calls we make to Oppi (spec section 1): launch a game, list sessions.

Every request is signed over the exact bytes sent (compact JSON; without a body, the text
dialect.EMPTY_BODY_SIGNED_AS: the empty string, or `""` if Oppi's sandbox wants that) and lands
in the status-code history as an outbound call. Never call this inside a database transaction:
it waits on the network.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from core.models import Integration
from lobby.models import LaunchSession
from providers.calllog import CallRecord, call_logged
from providers.models import Direction

from . import dialect
from .codes import Status
from .registration import PROVIDER
from .signing import canonical_body, sign


class OppiClientError(Exception):
    """Oppi could not be reached, answered badly, or refused; the message says which."""

    def __init__(self, message: str, *, status: str = ""):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class GameUrlAnswer:
    game_url: str
    session_id: str


def _game_url_problem(answer: dict) -> str | None:
    """What makes a /game/url answer unusable: we send the player to gameUrl and store sessionId."""
    if urlsplit(answer["gameUrl"]).scheme not in ("http", "https"):
        return "with a gameUrl that is not an http(s) URL"
    if len(answer["sessionId"]) > LaunchSession._meta.get_field("token").max_length:
        return "with a sessionId longer than we can store"
    return None


class OppiClient:
    def __init__(self, integration: Integration, *, http: httpx.Client | None = None):
        if not integration.api_base_url:
            raise OppiClientError(f"integration {integration.code} has no Oppi base URL")
        self.integration = integration
        self.base_url = integration.api_base_url.rstrip("/")
        self._http = http

    # --- the calls ---------------------------------------------------------------------------

    def game_url(self, *, game_id: str, player_id: str, player_name: str, balance: int,
                 currency: str) -> GameUrlAnswer:
        """Start a game: `balance` in ledger units, sent on Oppi's x100000 scale."""
        payload = {
            "gameId": str(game_id),
            "playerId": str(player_id),
            "playerName": player_name,
            "balance": dialect.amount_to_wire(balance),
            "currency": currency,
        }
        answer = self._call("POST", "/game/url", payload=payload, player_id=str(player_id),
                            required=("gameUrl", "sessionId"), check=_game_url_problem)
        return GameUrlAnswer(game_url=answer["gameUrl"], session_id=answer["sessionId"])

    def sessions(self, *, page: int = 1, limit: int = 20, player_id: str | None = None,
                 game_id: str | None = None) -> dict:
        """Oppi's list of sessions, as it answers it (signed with an empty body)."""
        params: dict[str, str | int] = {"page": page, "limit": limit}
        if player_id:
            params["playerId"] = player_id
        if game_id:
            params["gameId"] = game_id
        return self._call("GET", "/game/sessions", params=params, player_id=player_id or "")

    # --- plumbing ----------------------------------------------------------------------------

    def _headers(self, signed: bytes) -> dict[str, str]:
        timestamp = str(dialect.now_ms())
        return {
            "x-api-key": self.integration.api_key,
            "x-timestamp": timestamp,
            "x-signature": sign(self.integration.secret, signed, timestamp),
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def _call(self, method: str, path: str, *, payload: dict | None = None, params: dict | None = None,
              player_id: str = "", required: tuple[str, ...] = (), check=None) -> dict:
        """Send, record, and return Oppi's RS_OK answer, which must carry `required` as non-empty
        strings and pass `check` (a function naming the answer's problem, or None)."""
        body = canonical_body(payload) if payload is not None else b""
        record = CallRecord(provider=PROVIDER, endpoint=path.lstrip("/"), direction=Direction.OUTBOUND,
                            integration_id=self.integration.pk, player_external_id=player_id,
                            request_body=payload if payload is not None else params, http_status=0)
        with call_logged(record):
            try:
                answer = self._send(method, path, body, params, record)
            except OppiClientError as error:
                record.status_code = record.status_code or error.status or "CLIENT_ERROR"
                raise
            record.response_body = answer
            status = answer.get("status")
            if not isinstance(status, str) or not status:
                record.status_code = "BAD_ANSWER"
                raise OppiClientError(f"Oppi {path} answered without a status")
            record.status_code = status
            if status != Status.OK:
                raise OppiClientError(f"Oppi {path} answered {status!r}", status=status)
            missing = [name for name in required if not isinstance(answer.get(name), str) or not answer[name]]
            problem = f"without {' and '.join(missing)}" if missing else check(answer) if check else None
            if problem:
                # The history says the answer was unusable, not a plain RS_OK.
                record.status_code = "BAD_ANSWER"
                raise OppiClientError(f"Oppi {path} answered RS_OK {problem}", status=Status.OK)
            return answer

    def _send(self, method: str, path: str, body: bytes, params: dict | None, record: CallRecord) -> dict:
        url = f"{self.base_url}{path}"
        timeout = httpx.Timeout(dialect.READ_TIMEOUT_S, connect=dialect.CONNECT_TIMEOUT_S)
        http = self._http or httpx.Client(timeout=timeout)
        try:
            # A request without a body is signed over dialect.EMPTY_BODY_SIGNED_AS and sends none.
            signed = body if body else dialect.EMPTY_BODY_SIGNED_AS
            response = http.request(method, url, content=body or None, params=params, headers=self._headers(signed),
                                    timeout=timeout)
        except httpx.TimeoutException as exc:
            record.status_code = "TIMEOUT"
            raise OppiClientError(f"Oppi {path} did not answer in time ({type(exc).__name__})") from exc
        except httpx.HTTPError as exc:
            record.status_code = "NETWORK_ERROR"
            raise OppiClientError(f"Oppi {path} could not be reached: {exc}") from exc
        finally:
            if self._http is None:
                http.close()
        record.http_status = response.status_code
        record.response_body = response.text
        if response.status_code != 200:
            record.status_code = f"HTTP_{response.status_code}"
            raise OppiClientError(f"Oppi {path} answered HTTP {response.status_code}: {response.text[:200]}")
        try:
            answer = response.json()
        except ValueError as exc:
            record.status_code = "BAD_ANSWER"
            raise OppiClientError(f"Oppi {path} answered something that is not JSON") from exc
        if not isinstance(answer, dict):
            record.status_code = "BAD_ANSWER"
            raise OppiClientError(f"Oppi {path} answered JSON that is not an object")
        return answer
