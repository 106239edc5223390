"""launch_start and `manage.py launch` for both providers (providers faked at the HTTP boundary)."""

import json
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from django.core.management import CommandError, call_command

from lobby.models import LaunchMethod, LaunchSession
from lobby.services import LaunchError, launch_start
from providers.models import CallLog
from providers.onegaming.signing import bcode
from providers.oppi.signing import sign as oppi_sign
from tests.factories import GameFactory

pytestmark = pytest.mark.django_db
OG_BASE = "https://1g.example.test"
OPPI_BASE = "https://oppi.example.test"


def _query(url):
    parts = urlsplit(url)
    return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_onegaming_frame_launch_points_at_the_desktop_lobby_with_a_signed_query(onegaming, rich_player):
    onegaming.api_base_url = OG_BASE + "/"
    result = launch_start(integration=onegaming, player=rich_player, game=None, device="desktop", method="iframe")
    path, query = _query(result.url)
    assert result.url.startswith(OG_BASE + "/lobby?")
    assert path == "/lobby"
    assert query == {"agent_code": "IGBO", "player_id": "CLi3000001", "l_token": result.token,
                     "bcode": bcode("s3cr3t-1g", "IGBO", "CLi3000001", "Mikha", encoding="base64")}
    assert len(query["bcode"]) <= 50  # seed: "After Encrypted | bcode varchar(50)"
    session = LaunchSession.objects.get(token=result.token)
    assert (session.player, session.integration, session.currency_id, session.method) == (
        rich_player, onegaming, "IDR", "iframe")
    assert 14 * 60 < (session.expires_at - session.created_at).total_seconds() <= 15 * 60
    assert session.url == result.url


def test_onegaming_launch_with_a_game_sends_game_code(onegaming, rich_player):
    game = GameFactory(integration=onegaming, game_id="601", provider="onegaming")
    result = launch_start(integration=onegaming, player=rich_player, game=game)
    assert _query(result.url)[1]["game_code"] == "601"


def test_onegaming_mobile_lobby_takes_no_game_code(onegaming, rich_player):
    game = GameFactory(integration=onegaming, game_id="601", provider="onegaming")
    result = launch_start(integration=onegaming, player=rich_player, game=game, device="mobile", method="redirect")
    path, query = _query(result.url)
    assert path == "/lobby/mobile" and "game_code" not in query


@respx.mock
def test_onegaming_new_tab_asks_1g_for_the_url(onegaming, rich_player):
    route = respx.get(f"{OG_BASE}/lobby/url").mock(
        return_value=httpx.Response(200, json={"status": "OK", "url": "https://play.1g.example.test/t/abc"}))
    result = launch_start(integration=onegaming, player=rich_player, method=LaunchMethod.NEW_TAB)
    assert result.url == "https://play.1g.example.test/t/abc"
    sent = route.calls.last.request
    assert sent.headers["UG-Agent"] == "IGBO"
    assert parse_qs(sent.url.query.decode())["l_token"] == [result.token]
    assert CallLog.objects.filter(endpoint="lobby/url", direction="out", status_code="OK").exists()


@respx.mock
def test_onegaming_mobile_url_variant(onegaming, rich_player):
    respx.get(f"{OG_BASE}/lobby/mobile/url").mock(
        return_value=httpx.Response(200, json={"status": "OK", "url": "https://m.1g.example.test/x"}))
    result = launch_start(integration=onegaming, player=rich_player, device="mobile", method="new_tab")
    assert result.url == "https://m.1g.example.test/x"


@respx.mock
@pytest.mark.parametrize("answer", [httpx.Response(200, json={"status": "INVALID_PARTNER"}),
                                    httpx.Response(502, text="bad gateway"),
                                    httpx.ConnectTimeout("slow")])
def test_onegaming_url_failure_is_a_launch_error(onegaming, rich_player, answer):
    route = respx.get(f"{OG_BASE}/lobby/url")
    route.mock(side_effect=answer) if isinstance(answer, Exception) else route.mock(return_value=answer)
    with pytest.raises(LaunchError):
        launch_start(integration=onegaming, player=rich_player, method="new_tab")


@respx.mock
def test_oppi_launch_sends_a_signed_game_url_call_and_stores_the_session(oppi, rich_player):
    game = GameFactory(integration=oppi, game_id="oppi-crash")
    route = respx.post(f"{OPPI_BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://games.oppi.example.test/s/1", "sessionId": "S-1"}))
    result = launch_start(integration=oppi, player=rich_player, game=game, currency="USD", method="redirect")
    assert (result.url, result.token, result.method) == ("https://games.oppi.example.test/s/1", "S-1", "redirect")
    sent = route.calls.last.request
    assert json.loads(sent.content) == {"gameId": "oppi-crash", "playerId": "CLi3000001", "playerName": "Mikha",
                                        "balance": 10000000, "currency": "USD"}
    assert sent.headers["x-signature"] == oppi_sign("s3cr3t-oppi", sent.content, sent.headers["x-timestamp"])
    session = LaunchSession.objects.get(integration=oppi, token="S-1")
    assert (session.player, session.game, session.currency_id) == (rich_player, game, "USD")


@respx.mock
def test_oppi_refusal_is_a_launch_error_and_stores_nothing(oppi, rich_player):
    game = GameFactory(integration=oppi, game_id="oppi-crash")
    respx.post(f"{OPPI_BASE}/game/url").mock(return_value=httpx.Response(200, json={"status": "RS_ERROR"}))
    with pytest.raises(LaunchError):
        launch_start(integration=oppi, player=rich_player, game=game)
    assert not LaunchSession.objects.exists()


def test_oppi_launch_needs_a_game(oppi, rich_player):
    with pytest.raises(LaunchError, match="game"):
        launch_start(integration=oppi, player=rich_player)


def test_disabled_player_cannot_launch(onegaming, disabled_player):
    with pytest.raises(LaunchError, match="disabled"):
        launch_start(integration=onegaming, player=disabled_player)


def test_disabled_integration_cannot_launch(onegaming, rich_player):
    onegaming.enabled = False
    with pytest.raises(LaunchError):
        launch_start(integration=onegaming, player=rich_player)


def test_launch_without_a_wallet_in_the_currency(onegaming, rich_player):
    with pytest.raises(LaunchError, match="EUR"):
        launch_start(integration=onegaming, player=rich_player, currency="EUR")


# --- manage.py launch ----------------------------------------------------------------------


def _launch(*args):
    out = StringIO()
    call_command("launch", *args, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_launch_command_prints_url_and_l_token_for_1g(onegaming, rich_player):
    GameFactory(integration=onegaming, game_id="601", provider="onegaming")
    printed = _launch("og-test", "CLi3000001", "--game", "601")
    assert set(printed) == {"url", "l_token"}
    assert LaunchSession.objects.filter(token=printed["l_token"], game__game_id="601").exists()
    assert "game_code=601" in printed["url"]


def test_launch_command_mobile(onegaming, rich_player):
    printed = _launch("og-test", "CLi3000001", "--mobile")
    assert "/lobby/mobile?" in printed["url"]


@respx.mock
def test_launch_command_prints_url_and_session_id_for_oppi(oppi, rich_player):
    GameFactory(integration=oppi, game_id="oppi-dice")
    respx.post(f"{OPPI_BASE}/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://games.oppi.example.test/s/2", "sessionId": "S-2"}))
    assert _launch("oppi-test", "CLi3000001", "--game", "oppi-dice") == {
        "url": "https://games.oppi.example.test/s/2", "sessionId": "S-2"}


@pytest.mark.parametrize("args, message", [
    (["nope", "CLi3000001"], "no integration"),
    (["og-test", "NOPE"], "no player"),
    (["og-test", "CLi3000001", "--game", "999"], "not in the catalogue"),
])
def test_launch_command_refuses_bad_input(onegaming, rich_player, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("launch", *args, stdout=StringIO())
