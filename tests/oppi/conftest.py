"""Fixtures for Oppi's wallet API: a launched session, a catalogue game and a signing caller."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time

import pytest
from django.utils import timezone

from lobby.models import LaunchSession
from tests.factories import GameFactory

SESSION = "sess-mikha-1"
GAME = "oppi-crash"


def spec_signature(secret: str, body: bytes, timestamp: str) -> str:
    """The spec's formula written out independently: hex HMAC-SHA256(secret, body + "|" + ts)."""
    return hmac.new(secret.encode("utf-8"), body + b"|" + timestamp.encode("ascii"), hashlib.sha256).hexdigest()


class OppiCaller:
    """Plays Oppi: signs a body like Oppi does and posts it to our callback."""

    def __init__(self, client, integration):
        self.client = client
        self.integration = integration

    def raw(self, path: str, body: bytes, *, timestamp: str | None = None, api_key: str | None = None,
            secret: str | None = None, signature: str | None = None, drop: tuple[str, ...] = (),
            remote_addr: str = "127.0.0.1"):
        ts = timestamp if timestamp is not None else str(time.time_ns() // 1_000_000)
        headers = {
            "x-api-key": api_key if api_key is not None else self.integration.api_key,
            "x-timestamp": ts,
            "x-signature": signature if signature is not None else spec_signature(
                secret or self.integration.secret, body, ts),
        }
        headers = {k: v for k, v in headers.items() if k not in drop}
        response = self.client.post(f"/api/oppi/{path}", data=body, content_type="application/json",
                                    headers=headers, REMOTE_ADDR=remote_addr)
        assert response.status_code == 200, response.content
        return response.json()

    def __call__(self, path: str, payload, **kw):
        body = json.dumps(payload, separators=(",", ":")).encode() if not isinstance(payload, bytes) else payload
        return self.raw(path, body, **kw)


@pytest.fixture
def oppi_call(client, oppi):
    return OppiCaller(client, oppi)


@pytest.fixture
def oppi_game(oppi):
    return GameFactory(integration=oppi, game_id=GAME, name="Crash")


def launch(integration, player, token: str = SESSION, currency: str = "IDR", idle: dt.timedelta | None = None):
    now = timezone.now()
    seen = now - idle if idle else now
    return LaunchSession.objects.create(
        token=token, integration=integration, player=player, currency_id=currency, created_at=seen,
        expires_at=seen + dt.timedelta(hours=1), last_seen_at=seen,
    )


@pytest.fixture
def session(oppi, rich_player, oppi_game):
    return launch(oppi, rich_player)


def bet_body(txn: str = "b-1", amount=1_000_00000, **over) -> dict:
    body = {"transactionId": txn, "sessionId": SESSION, "playerId": "CLi3000001", "gameId": GAME,
            "currency": "IDR", "amount": amount}
    body.update(over)
    return body


def payout_body(txn: str = "p-1", ref: str = "b-1", amount=0, is_win=False, **over) -> dict:
    body = {"transactionId": txn, "refTransactionId": ref, "sessionId": SESSION, "playerId": "CLi3000001",
            "gameId": GAME, "currency": "IDR", "amount": amount, "isWin": is_win}
    body.update(over)
    return body


def reward_body(txn: str = "r-1", ref: str = "jackpot-1", amount=500_00000, **over) -> dict:
    body = {"transactionId": txn, "refTransactionId": ref, "sessionId": SESSION, "rewardType": "jackpot",
            "playerId": "CLi3000001", "gameId": GAME, "rewardedAmount": amount}
    body.update(over)
    return body


def rollback_item(txn: str, ref: str, **over) -> dict:
    item = {"transactionId": txn, "refTransactionId": ref, "sessionId": SESSION, "playerId": "CLi3000001",
            "gameId": GAME}
    item.update(over)
    return item
