"""The sandbox provider against a live server: launches validated by HTTP, rounds on our callbacks."""

import re
import time
from decimal import Decimal

import httpx
import pytest

from lobby.models import LaunchSession
from lobby.services import launch_start
from providers.oppi.client import OppiClient
from providers.oppi.signing import sign as oppi_sign
from tests.lobby.sandbox_world import sandbox_world
from wallet.models import Account

pytestmark = pytest.mark.django_db(transaction=True)


def _status(page: str) -> str:
    return re.search(r'id="sandbox-status">\s*(.*?)</div>', page, re.DOTALL).group(1)


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def _balance(player, currency) -> Decimal:
    return Decimal(Account.objects.get(player=player, currency_id=currency, kind="wallet").balance) / 100000


@pytest.fixture
def world(live_server):
    return sandbox_world(live_server.url)


def test_onegaming_round_in_the_sandbox_moves_the_wallet(world, live_server):
    launched = launch_start(integration=world.onegaming, player=world.player, currency="IDR")
    page = httpx.get(launched.url, timeout=30).text
    assert "igPokerValidation → <strong>OK</strong>" in _status(page) and "1500.00 IDR" in page
    assert LaunchSession.objects.get(pk=launched.session.pk).validated_at is not None
    action = f"{live_server.url}/sandbox/onegaming/round"
    bet = httpx.post(action, data={**_hidden(page), "game_id": "601", "amount": "25.50", "action": "bet"},
                     timeout=30).text
    assert "<strong>OK</strong>" in _status(bet) and "1474.50 IDR" in bet
    win = httpx.post(action, data={**_hidden(bet), "action": "win"}, timeout=30).text
    assert "<strong>OK</strong>" in _status(win) and "1525.50 IDR" in win
    assert _balance(world.player, "IDR") == Decimal("1525.50")


def test_onegaming_lobby_refuses_a_launch_with_a_wrong_bcode(world):
    launched = launch_start(integration=world.onegaming, player=world.player)
    page = httpx.get(re.sub(r"bcode=[0-9a-f]+", "bcode=00", launched.url), timeout=30).text
    assert "INVALID_SIGNATURE" in _status(page)


def test_onegaming_url_variant_through_the_sandbox(world):
    launched = launch_start(integration=world.onegaming, player=world.player, method="new_tab", device="mobile")
    assert "/sandbox/onegaming/lobby/mobile?" in launched.url
    assert "<strong>OK</strong>" in _status(httpx.get(launched.url, timeout=30).text)


def test_oppi_round_in_the_sandbox_moves_the_wallet(world):
    launched = launch_start(integration=world.oppi, player=world.player, game=world.oppi_game, currency="USD")
    page = httpx.get(launched.url, timeout=30).text
    assert "100.00 USD" in page
    bet = httpx.post(launched.url, data={**_hidden(page), "amount": "2.5", "action": "bet"}, timeout=30).text
    assert "<strong>RS_OK</strong>" in _status(bet) and "97.50 USD" in bet
    lose = httpx.post(launched.url, data={**_hidden(bet), "action": "lose"}, timeout=30).text
    assert "<strong>RS_OK</strong>" in _status(lose) and "97.50 USD" in lose
    assert _balance(world.player, "USD") == Decimal("97.50")
    listed = OppiClient(world.oppi).sessions(player_id="CLi3000001")
    assert [s["sessionId"] for s in listed["data"]] == [launched.token]


def test_oppi_sandbox_checks_the_signature(world, live_server):
    body = b'{"gameId":"oppi-crash","playerId":"CLi3000001","playerName":"Mikha","balance":1,"currency":"USD"}'
    headers = {"x-api-key": "demo-oppi-key", "x-timestamp": "1", "x-signature": oppi_sign("wrong", body, "1")}
    answer = httpx.post(f"{live_server.url}/sandbox/oppi/game/url", content=body, headers=headers, timeout=30).json()
    assert answer["status"] == "RS_ERROR_SIGNATURE_EXPIRED"
    ts = str(int(time.time() * 1000))
    headers.update({"x-timestamp": ts, "x-signature": oppi_sign("wrong", body, ts)})
    answer = httpx.post(f"{live_server.url}/sandbox/oppi/game/url", content=body, headers=headers, timeout=30).json()
    assert answer["status"] == "RS_ERROR_SIGNATURE_NOT_MATCH"


@pytest.mark.django_db
def test_the_sandbox_refuses_to_serve_when_disabled_as_in_production(client, settings):
    settings.SANDBOX_ENABLED = False
    assert client.get("/sandbox/onegaming/lobby").status_code == 404
    assert client.post("/sandbox/oppi/game/url", b"{}", content_type="application/json").status_code == 404


def test_production_settings_turn_the_sandbox_off_by_default():
    import subprocess
    import sys

    code = "import django; django.setup(); from django.conf import settings; print(settings.SANDBOX_ENABLED)"
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "false", "SECRET_KEY": "x" * 50, "PATH": ""}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
