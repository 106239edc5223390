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
from tests.factories import PlayerFactory, UserFactory
from tests.lobby.sandbox_world import sandbox_world, signed_in
from wallet.models import Account

pytestmark = pytest.mark.django_db(transaction=True)


def _status(page: str) -> str:
    return re.search(r'id="sandbox-status">\s*(.*?)</div>', page, re.DOTALL).group(1)


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def _balance(player, currency) -> Decimal:
    return Decimal(Account.objects.get(player=player, currency_id=currency, kind="wallet").balance) / 100000


@pytest.fixture(autouse=True)
def _sandbox_on(settings):
    """A default install has the sandbox off (only `make run` turns it on): these tests turn it on."""
    settings.SANDBOX_ENABLED = True


@pytest.fixture
def world(live_server):
    return sandbox_world(live_server.url)


@pytest.fixture
def player_browser(world, live_server):
    client = signed_in(live_server.url)
    yield client
    client.close()


def test_onegaming_round_in_the_sandbox_moves_the_wallet(world, live_server, player_browser):
    launched = launch_start(integration=world.onegaming, player=world.player, currency="IDR")
    page = player_browser.get(launched.url).text
    assert "igPokerValidation → <strong>OK</strong>" in _status(page) and "1500.00 IDR" in page
    assert LaunchSession.objects.get(pk=launched.session.pk).validated_at is not None
    action = f"{live_server.url}/sandbox/onegaming/round"
    bet = player_browser.post(action, data={**_hidden(page), "game_id": "601", "amount": "25.50", "action": "bet"}).text
    assert "<strong>OK</strong>" in _status(bet) and "1474.50 IDR" in bet
    win = player_browser.post(action, data={**_hidden(bet), "action": "win"}).text
    assert "<strong>OK</strong>" in _status(win) and "1525.50 IDR" in win
    assert _balance(world.player, "IDR") == Decimal("1525.50")


def test_onegaming_win_is_twice_the_bet_really_placed_whatever_the_browser_sends(world, live_server, player_browser):
    launched = launch_start(integration=world.onegaming, player=world.player, currency="IDR")
    page = player_browser.get(launched.url).text
    action = f"{live_server.url}/sandbox/onegaming/round"
    bet = player_browser.post(action, data={**_hidden(page), "game_id": "301", "amount": "10", "action": "bet"}).text
    assert "1490.00 IDR" in bet
    forged = {**_hidden(bet), "bet": "1000000", "amount": "1000000", "player_id": "SOMEONE", "currency": "USD",
              "action": "win"}
    win = player_browser.post(action, data=forged).text
    assert "<strong>OK</strong>" in _status(win)
    assert _balance(world.player, "IDR") == Decimal("1510.00")
    assert _balance(world.player, "USD") == Decimal("100.00")


def test_onegaming_round_needs_the_signed_in_player_their_own_launch_and_a_csrf_token(world, live_server,
                                                                                      player_browser):
    launched = launch_start(integration=world.onegaming, player=world.player, currency="IDR")
    page = player_browser.get(launched.url).text
    action = f"{live_server.url}/sandbox/onegaming/round"
    fields = {**_hidden(page), "amount": "10", "action": "bet"}
    # Not signed in (and so no CSRF cookie): refused before any money moves.
    assert httpx.post(action, data=fields, timeout=30).status_code == 403
    # Signed in, but no CSRF token in the form.
    no_token = {k: v for k, v in fields.items() if k != "csrfmiddlewaretoken"}
    assert player_browser.post(action, data=no_token).status_code == 403
    # Another signed-in player replaying this player's launch.
    PlayerFactory(external_id="EVE0001", username="Eve", user=UserFactory(username="eve", password="eve-pass-1"))
    eve = signed_in(live_server.url, "eve", "eve-pass-1")
    eve_page = eve.get(launched.url).text  # the lobby page itself is the provider's, validated by bcode
    refused = eve.post(action, data={**fields, "csrfmiddlewaretoken": _hidden(eve_page)["csrfmiddlewaretoken"]})
    eve.close()
    assert refused.status_code == 403 and "NOT_YOUR_GAME" in refused.text
    assert _balance(world.player, "IDR") == Decimal("1500.00")


def test_onegaming_lobby_refuses_a_launch_with_a_wrong_bcode(world):
    launched = launch_start(integration=world.onegaming, player=world.player)
    page = httpx.get(re.sub(r"bcode=[^&]+", "bcode=00", launched.url), timeout=30).text
    assert "INVALID_SIGNATURE" in _status(page)


def test_onegaming_url_variant_through_the_sandbox(world):
    launched = launch_start(integration=world.onegaming, player=world.player, method="new_tab", device="mobile")
    assert "/sandbox/onegaming/lobby/mobile?" in launched.url
    assert "<strong>OK</strong>" in _status(httpx.get(launched.url, timeout=30).text)


def test_oppi_round_in_the_sandbox_moves_the_wallet(world, player_browser):
    launched = launch_start(integration=world.oppi, player=world.player, game=world.oppi_game, currency="USD")
    page = player_browser.get(launched.url).text
    assert "100.00 USD" in page
    bet = player_browser.post(launched.url, data={**_hidden(page), "amount": "2.5", "action": "bet"}).text
    assert "<strong>RS_OK</strong>" in _status(bet) and "97.50 USD" in bet
    lose = player_browser.post(launched.url, data={**_hidden(bet), "action": "lose"}).text
    assert "<strong>RS_OK</strong>" in _status(lose) and "97.50 USD" in lose
    assert _balance(world.player, "USD") == Decimal("97.50")
    listed = OppiClient(world.oppi).sessions(player_id="CLi3000001")
    assert [s["sessionId"] for s in listed["data"]] == [launched.token]


def test_oppi_payout_is_twice_the_bet_really_placed_and_only_for_the_launching_player(world, live_server,
                                                                                     player_browser):
    launched = launch_start(integration=world.oppi, player=world.player, game=world.oppi_game, currency="USD")
    page = player_browser.get(launched.url).text
    bet = player_browser.post(launched.url, data={**_hidden(page), "amount": "5", "action": "bet"}).text
    assert "95.00 USD" in bet
    assert httpx.post(launched.url, data={"action": "win"}, timeout=30).status_code == 403  # not signed in
    forged = {**_hidden(bet), "bet": str(10**12), "bet_txn": "x", "amount": "9999", "action": "win"}
    win = player_browser.post(launched.url, data=forged).text
    assert "<strong>RS_OK</strong>" in _status(win) and "105.00 USD" in win
    assert _balance(world.player, "USD") == Decimal("105.00")


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
