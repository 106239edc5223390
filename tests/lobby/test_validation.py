"""GET /api/onegaming/igPokerValidation: every answer of spec section 2.3."""

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.utils import timezone

from lobby.models import LaunchSession
from lobby.services import launch_start
from providers.models import CallLog
from providers.onegaming.signing import bcode as app_bcode
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from tests.onegaming.wire import bcode

URL = "/api/onegaming/igPokerValidation"
pytestmark = pytest.mark.django_db


def test_bcode_follows_the_seed_example_formula():
    # Seed: agent_code "IGBO" + player_id "CLi3000001" + username "Mikha", HMAC-SHA256 with secret_key, hex.
    expected = hmac.new(b"s3cr3t-1g", b"IGBOCLi3000001Mikha", hashlib.sha256).hexdigest()
    assert app_bcode("s3cr3t-1g", "IGBO", "CLi3000001", "Mikha") == expected
    assert len(expected) == 64 and expected == expected.lower()


@pytest.fixture
def launched(onegaming, rich_player):
    return launch_start(integration=onegaming, player=rich_player, currency="IDR")


def _query(integration, player, token, **overrides):
    params = {
        "agent_code": integration.agent_code,
        "player_id": player.external_id,
        "l_token": token,
        "bcode": bcode(integration.secret, integration.agent_code, player.external_id, player.username),
    }
    return {**params, **overrides}


def _ask(client, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response


def test_ok_answers_player_currency_and_balance_with_currency_digits(client, onegaming, rich_player, launched):
    response = _ask(client, _query(onegaming, rich_player, launched.token))
    assert response.json() == {"status": "OK", "player_id": "CLi3000001", "username": "Mikha", "currency": "IDR",
                               "balance": 1500.0}
    assert b'"balance":1500.00' in response.content  # a JSON number with the currency's two digits
    session = LaunchSession.objects.get(pk=launched.session.pk)
    assert session.validated_at is not None


def test_ok_uses_the_wallet_chosen_at_launch(client, onegaming, rich_player):
    launched = launch_start(integration=onegaming, player=rich_player, currency="USD")
    body = _ask(client, _query(onegaming, rich_player, launched.token)).json()
    assert (body["currency"], body["balance"]) == ("USD", 100.0)


def test_invalid_partner_when_agent_unknown(client, onegaming, rich_player, launched):
    body = _ask(client, _query(onegaming, rich_player, launched.token, agent_code="NOPE")).json()
    assert body == {"status": "INVALID_PARTNER"}


def test_invalid_partner_when_integration_disabled(client, onegaming, rich_player, launched):
    onegaming.enabled = False
    onegaming.save()
    assert _ask(client, _query(onegaming, rich_player, launched.token)).json()["status"] == "INVALID_PARTNER"


def test_invalid_partner_when_caller_ip_not_allowed(client, onegaming, rich_player, launched):
    onegaming.allowed_ips = "10.1.1.1"
    onegaming.save()
    assert _ask(client, _query(onegaming, rich_player, launched.token)).json()["status"] == "INVALID_PARTNER"


def test_invalid_signature_when_bcode_wrong(client, onegaming, rich_player, launched):
    params = _query(onegaming, rich_player, launched.token, bcode="0" * 64)
    assert _ask(client, params).json() == {"status": "INVALID_SIGNATURE"}


def test_bcode_is_checked_only_when_sent(client, onegaming, rich_player, launched):
    # Revised spec 2.3: only l_token is guaranteed; a missing (or empty) bcode is not checked.
    params = _query(onegaming, rich_player, launched.token)
    del params["bcode"]
    assert _ask(client, params).json()["status"] == "OK"
    assert _ask(client, {**params, "bcode": ""}).json()["status"] == "OK"


def test_invalid_token_when_unknown(client, onegaming, rich_player, launched):
    body = _ask(client, _query(onegaming, rich_player, "7d3f3c8e-0000-4000-8000-000000000000")).json()
    assert body == {"status": "INVALID_TOKEN"}


def test_invalid_token_when_it_belongs_to_another_player(client, onegaming, rich_player, launched):
    other = PlayerFactory(external_id="CLi3000009", username="Other")
    funded_wallet(other, "IDR", "5.00")
    body = _ask(client, _query(onegaming, other, launched.token)).json()
    assert body["status"] == "INVALID_TOKEN"


def test_invalid_token_when_player_unknown(client, onegaming, rich_player, launched):
    body = _ask(client, _query(onegaming, rich_player, launched.token, player_id="GHOST")).json()
    assert body["status"] == "INVALID_TOKEN"


def test_token_expired_when_never_used_before_its_start_deadline(client, onegaming, rich_player, launched):
    past = timezone.now() - dt.timedelta(minutes=16)
    LaunchSession.objects.filter(pk=launched.session.pk).update(created_at=past, expires_at=past + dt.timedelta(minutes=15))
    assert _ask(client, _query(onegaming, rich_player, launched.token)).json() == {"status": "TOKEN_EXPIRED"}


def test_user_disabled(client, onegaming, rich_player, launched):
    rich_player.is_enabled = False
    rich_player.save()
    assert _ask(client, _query(onegaming, rich_player, launched.token)).json() == {"status": "USER_DISABLED"}


def test_invalid_method_for_post(client, onegaming, rich_player, launched):
    response = client.post(URL + "?" + "&".join(f"{k}={v}" for k, v in _query(onegaming, rich_player,
                                                                                launched.token).items()))
    assert response.status_code == 200 and response.json() == {"status": "INVALID_METHOD"}


def test_each_check_lands_in_the_status_history_without_the_bcode(client, onegaming, rich_player, launched):
    _ask(client, _query(onegaming, rich_player, launched.token))
    _ask(client, _query(onegaming, rich_player, launched.token, bcode="bad"))
    rows = list(CallLog.objects.filter(endpoint="igPokerValidation").order_by("id"))
    assert [r.status_code for r in rows] == ["OK", "INVALID_SIGNATURE"]
    assert rows[0].integration_id == onegaming.pk and rows[0].player_external_id == "CLi3000001"
    assert json.loads(rows[1].request_body)["bcode"] == "***"
