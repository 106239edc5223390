"""Spec audit of the 1G lobby (onegaming.md sections 1 and 2): igPokerValidation's check order,
odd query values, balances with the currency's digits; launch sessions and entry-point headers."""

import datetime as dt
import json
import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import respx
from django.utils import timezone

from lobby.models import LaunchSession
from lobby.services import launch_start
from providers.models import CallLog
from tests.conftest import funded_wallet
from tests.factories import GameFactory, OneGamingIntegrationFactory, PlayerFactory
from tests.onegaming.wire import bcode

URL = "/api/onegaming/igPokerValidation"
OG_BASE = "https://1g.example.test"
pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(onegaming, rich_player):
    return launch_start(integration=onegaming, player=rich_player, currency="IDR")


def _query(integration, player, token, **overrides):
    params = {"agent_code": integration.agent_code, "player_id": player.external_id, "l_token": token,
              "bcode": bcode(integration.secret, integration.agent_code, player.external_id, player.username)}
    return {**params, **overrides}


def _status(client, params) -> str:
    response = client.get(URL, params)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return response.json()["status"]


def _expire(session):
    past = timezone.now() - dt.timedelta(minutes=16)
    LaunchSession.objects.filter(pk=session.pk).update(created_at=past, expires_at=past + dt.timedelta(minutes=15))


# --- check order: partner → token → player → bcode → expiry → disabled ----------------------------------


def test_unknown_agent_beats_a_bad_bcode_and_token(client, onegaming, rich_player, launched):
    assert _status(client, _query(onegaming, rich_player, "nope", agent_code="NOPE", bcode="x")) == "INVALID_PARTNER"


def test_unknown_token_beats_a_bad_bcode(client, onegaming, rich_player, launched):
    # Revised spec 2.3 / issue 8: the l_token is judged first, so player ids cannot be enumerated.
    assert _status(client, _query(onegaming, rich_player, "nope", bcode="0" * 64)) == "INVALID_TOKEN"


def test_bad_bcode_beats_an_expired_token_and_a_disabled_player(client, onegaming, rich_player, launched):
    _expire(launched.session)
    rich_player.is_enabled = False
    rich_player.save()
    assert _status(client, _query(onegaming, rich_player, launched.token, bcode="0" * 64)) == "INVALID_SIGNATURE"


def test_unknown_token_beats_a_disabled_player(client, onegaming, rich_player, launched):
    rich_player.is_enabled = False
    rich_player.save()
    assert _status(client, _query(onegaming, rich_player, str(uuid.uuid4()))) == "INVALID_TOKEN"


def test_expired_token_beats_a_disabled_player(client, onegaming, rich_player, launched):
    _expire(launched.session)
    rich_player.is_enabled = False
    rich_player.save()
    assert _status(client, _query(onegaming, rich_player, launched.token)) == "TOKEN_EXPIRED"


def test_bcode_of_another_player_is_invalid_signature(client, onegaming, rich_player, launched):
    other = PlayerFactory(external_id="CLi3000009", username="Other")
    wrong = bcode(onegaming.secret, onegaming.agent_code, other.external_id, other.username)
    assert _status(client, _query(onegaming, rich_player, launched.token, bcode=wrong)) == "INVALID_SIGNATURE"


def test_token_of_another_integration_is_invalid_token(client, onegaming, rich_player):
    elsewhere = OneGamingIntegrationFactory(agent_code="OTHER", secret="other-secret")
    foreign = launch_start(integration=elsewhere, player=rich_player)
    assert _status(client, _query(onegaming, rich_player, foreign.token)) == "INVALID_TOKEN"


def test_token_still_good_for_a_lobby_reload_while_in_use(client, onegaming, rich_player, launched):
    assert _status(client, _query(onegaming, rich_player, launched.token)) == "OK"
    assert _status(client, _query(onegaming, rich_player, launched.token)) == "OK"


# --- odd query values never crash ---------------------------------------------------------------------


@pytest.mark.parametrize("name,value,status", [
    ("bcode", "é", "INVALID_SIGNATURE"), ("bcode", "\u00ff" * 64, "INVALID_SIGNATURE"),
    ("bcode", "a\x00b", "INVALID_SIGNATURE"), ("agent_code", "IG\x00BO", "INVALID_PARTNER"),
    ("player_id", "CLi\x00", "INVALID_TOKEN"), ("l_token", "tok\x00en", "INVALID_TOKEN"),
    ("l_token", "x" * 500, "INVALID_TOKEN"), ("player_id", "\u2603" * 100, "INVALID_TOKEN"),
])
def test_odd_query_values_answer_a_status(client, onegaming, rich_player, launched, name, value, status):
    assert _status(client, _query(onegaming, rich_player, launched.token, **{name: value})) == status
    assert CallLog.objects.filter(endpoint="igPokerValidation", status_code=status).count() == 1


def test_an_unexpected_failure_is_unknown_error_not_a_500(client, onegaming, rich_player, launched, monkeypatch):
    from providers.onegaming import validation

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(validation, "token_fresh", boom)
    response = client.get(URL, _query(onegaming, rich_player, launched.token))
    assert response.status_code == 200 and response.json() == {"status": "UNKNOWN_ERROR"}
    assert CallLog.objects.get().status_code == "UNKNOWN_ERROR"


# --- balances with the currency's digits (spec section 6) ---------------------------------------------


@pytest.mark.parametrize("currency,amount,rendered", [
    ("VND", "150000", b'"balance":150000}'), ("VND2", "150.5", b'"balance":150.500}'),
    ("USD", "0.1", b'"balance":0.10}'),
])
def test_ok_balance_has_the_currency_digits(client, onegaming, currency, amount, rendered):
    player = PlayerFactory(external_id="VN1", username="Linh")
    funded_wallet(player, currency, amount)
    launched = launch_start(integration=onegaming, player=player, currency=currency)
    response = client.get(URL, _query(onegaming, player, launched.token))
    assert response.json()["status"] == "OK" and response.json()["currency"] == currency
    assert rendered in response.content


# --- launch (spec 2.1, 2.2; section 1 headers) -------------------------------------------------------


def test_launch_session_binds_a_uuid_to_player_integration_game_and_device(onegaming, rich_player):
    game = GameFactory(integration=onegaming, game_id="601", provider="onegaming")
    result = launch_start(integration=onegaming, player=rich_player, game=game, device="desktop", method="redirect")
    assert str(uuid.UUID(result.token)) == result.token
    session = LaunchSession.objects.get(token=result.token)
    assert (session.integration, session.player, session.game, session.device) == (
        onegaming, rich_player, game, "desktop")
    # 1G's mobile entry takes no game_code: a mobile launch binds no game (issue 13).
    mobile = launch_start(integration=onegaming, player=rich_player, game=game, device="mobile", method="redirect")
    assert (mobile.session.game, mobile.session.device) == (None, "mobile")
    assert dt.timedelta(minutes=14) < session.expires_at - session.created_at <= dt.timedelta(minutes=15)


def test_each_launch_gets_its_own_l_token(onegaming, rich_player):
    tokens = {launch_start(integration=onegaming, player=rich_player).token for _ in range(3)}
    assert len(tokens) == 3


@respx.mock
@pytest.mark.parametrize("sub_agent", ["SUB1", ""])
def test_lobby_url_call_sends_ug_agent_and_sub_agent_when_set(onegaming, rich_player, sub_agent):
    onegaming.sub_agent = sub_agent
    onegaming.save()
    route = respx.get(f"{OG_BASE}/lobby/url").mock(
        return_value=httpx.Response(200, json={"status": "OK", "url": "https://play.1g.example.test/t"}))
    game = GameFactory(integration=onegaming, game_id="601", provider="onegaming")
    result = launch_start(integration=onegaming, player=rich_player, game=game, method="new_tab")
    sent = route.calls.last.request
    assert sent.headers["UG-Agent"] == "IGBO"
    assert sent.headers.get("UG-Sub-Agent") == (sub_agent or None)
    query = {k: v[0] for k, v in parse_qs(urlsplit(str(sent.url)).query).items()}
    assert query == {"agent_code": "IGBO", "player_id": "CLi3000001", "l_token": result.token, "game_code": "601",
                     "bcode": bcode("s3cr3t-1g", "IGBO", "CLi3000001", "Mikha", "base64")}
    assert "bcode" not in json.loads(CallLog.objects.get().request_body) or \
        json.loads(CallLog.objects.get().request_body)["bcode"] == "***"


@respx.mock
@pytest.mark.parametrize("answer", [{"status": "OK"}, {"status": "OK", "url": ""}, ["OK"], {"url": "https://x"}])
def test_lobby_url_answer_without_a_usable_url_is_a_launch_error(onegaming, rich_player, answer):
    from lobby.services import LaunchError

    respx.get(f"{OG_BASE}/lobby/url").mock(return_value=httpx.Response(200, json=answer))
    with pytest.raises(LaunchError):
        launch_start(integration=onegaming, player=rich_player, method="new_tab")


@pytest.mark.django_db
@pytest.mark.parametrize("accept", ["application/xml", "text/html", "*/*"])
def test_validation_answers_json_whatever_the_accept_header_says(client, accept):
    response = client.get("/api/onegaming/igPokerValidation?agent_code=NOPE", HTTP_ACCEPT=accept)
    assert response.status_code == 200 and response.json()["status"] == "INVALID_PARTNER"
