"""Building signed 1G callbacks for tests: a fresh `datetime`, a real UG-Data-Signature.

Signatures are computed here from the spec's formula (hmac/hashlib), never with the app's
signing helper, so that the tests are an independent oracle.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import uuid
from decimal import Decimal

from django.utils import timezone

from lobby.models import LaunchSession

AGENT = "IGBO"
SECRET = "s3cr3t-1g"


def hmac_sha256(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def sign(secret: str, body: bytes, encoding: str = "hex") -> str:
    """Spec section 1: HMAC-SHA256(secret_key, exact body bytes), hex (lowercase) or base64."""
    digest = hmac_sha256(secret, body)
    return digest.hex() if encoding == "hex" else base64.b64encode(digest).decode()


def bcode(secret: str, agent_code: str, player_id: str, username: str, encoding: str = "hex") -> str:
    """Spec section 1: HMAC-SHA256(secret_key, agent_code + player_id + username), encoded."""
    return sign(secret, f"{agent_code}{player_id}{username}".encode(), encoding)


def stamp(offset_seconds: float = 0) -> str:
    moment = timezone.now() + dt.timedelta(seconds=offset_seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def envelope(fields: dict, *, agent: str = AGENT, offset_seconds: float = 0) -> dict:
    return {"agent_code": agent, "request_id": f"req-{uuid.uuid4().hex[:12]}", "datetime": stamp(offset_seconds),
            **fields}


def dumps(body) -> bytes:
    return json.dumps(body, default=str).encode()


class OneGamingWire:
    """A 1G caller: `wire.bet(...)` posts a signed bet and returns the parsed answer."""

    def __init__(self, client, *, agent: str = AGENT, secret: str = SECRET, encoding: str = "hex"):
        self.client = client
        self.agent = agent
        self.secret = secret
        self.encoding = encoding
        self.last_response = None
        self.last_request_id = None

    def post(self, call: str, fields: dict | None = None, *, raw: bytes | None = None, signature: str | None = None,
             offset_seconds: float = 0, drop: tuple[str, ...] = (), **extra) -> dict:
        if raw is None:
            body = envelope(fields or {}, agent=self.agent, offset_seconds=offset_seconds)
            for name in drop:
                body.pop(name, None)
            self.last_request_id = body.get("request_id")
            raw = dumps(body)
        sig = sign(self.secret, raw, self.encoding) if signature is None else signature
        self.last_response = self.client.post(f"/api/onegaming/{call}", data=raw, content_type="application/json",
                                              HTTP_UG_DATA_SIGNATURE=sig, **extra)
        assert self.last_response.status_code == 200
        return json.loads(self.last_response.content, parse_float=Decimal)

    def balance(self, **fields) -> dict:
        return self.post("balance", fields)

    def bet(self, **fields) -> dict:
        return self.post("bet", fields)

    def result(self, **fields) -> dict:
        return self.post("result", fields)

    def rollback(self, **fields) -> dict:
        return self.post("rollback", fields)

    def transactions(self, items: list, **fields) -> dict:
        return self.post("transactions", {"transactions": items, **fields})


def launch(integration, player, *, token: str | None = None, minutes_valid: int = 15, age_minutes: int = 0,
           last_seen_minutes_ago: int | None = None) -> LaunchSession:
    """An l_token as the lobby would create it (created `age_minutes` ago)."""
    now = timezone.now()
    created = now - dt.timedelta(minutes=age_minutes)
    return LaunchSession.objects.create(
        token=token or str(uuid.uuid4()), integration=integration, player=player, created_at=created,
        expires_at=created + dt.timedelta(minutes=minutes_valid),
        last_seen_at=None if last_seen_minutes_ago is None else now - dt.timedelta(minutes=last_seen_minutes_ago),
    )


class FrozenClock:
    """Our clock for a test: `django.utils.timezone.now` answers `now` until moved."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)
