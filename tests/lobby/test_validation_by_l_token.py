"""igPokerValidation under the revised spec (onegaming.md 2.3) and issue 8: the launch is found by
`l_token` alone; `agent_code`, `player_id`, `bcode` and a sub-agent are checked only when sent;
the l_token is judged before anything that could tell player ids apart; the history row never
holds the l_token. bcodes come from hmac/hashlib (tests/onegaming/wire.py)."""

import json

import pytest

from core.models import SignatureEncoding, WalletMode
from lobby.models import LaunchSession
from lobby.services import launch_start
from providers.models import CallLog
from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from tests.onegaming.wire import bcode

URL = "/api/onegaming/igPokerValidation"
UNKNOWN_TOKEN = "7d3f3c8e-0000-4000-8000-000000000000"
pytestmark = pytest.mark.django_db


@pytest.fixture
def launched(onegaming, rich_player):
    return launch_start(integration=onegaming, player=rich_player, currency="IDR")


@pytest.fixture
def other_player(db):
    other = PlayerFactory(external_id="CLi3000009", username="Other")
    funded_wallet(other, "IDR", "5.00")
    return other


def _ask(client, params, **headers) -> dict:
    response = client.get(URL, params, **headers)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    return response.json()


def _bcode(integration, player, encoding="hex"):
    return bcode(integration.secret, integration.agent_code, player.external_id, player.username, encoding)


def test_l_token_alone_opens_the_lobby(client, launched):
    assert _ask(client, {"l_token": launched.token}) == {
        "status": "OK", "player_id": "CLi3000001", "username": "Mikha", "currency": "IDR", "balance": 1500.0}
    assert LaunchSession.objects.get(pk=launched.session.pk).validated_at is not None


def test_a_missing_or_empty_l_token_is_invalid_token(client, onegaming, rich_player, launched):
    full = {"agent_code": "IGBO", "player_id": "CLi3000001", "bcode": _bcode(onegaming, rich_player)}
    assert _ask(client, full)["status"] == "INVALID_TOKEN"
    assert _ask(client, {**full, "l_token": ""})["status"] == "INVALID_TOKEN"


@pytest.mark.parametrize("sent", [("agent_code",), ("player_id",), ("bcode",), ("agent_code", "bcode"),
                                  ("player_id", "bcode"), ("agent_code", "player_id")])
def test_each_optional_parameter_is_checked_when_sent_and_right(client, onegaming, rich_player, launched, sent):
    values = {"agent_code": "IGBO", "player_id": "CLi3000001", "bcode": _bcode(onegaming, rich_player)}
    assert _ask(client, {"l_token": launched.token, **{k: values[k] for k in sent}})["status"] == "OK"


@pytest.mark.parametrize("name,value,status", [
    ("agent_code", "NOPE", "INVALID_PARTNER"),
    ("player_id", "CLi3000009", "INVALID_TOKEN"),
    ("player_id", "GHOST", "INVALID_TOKEN"),
    ("bcode", "0" * 64, "INVALID_SIGNATURE"),
    ("sub_agent", "SUB2", "INVALID_PARTNER"),
])
def test_a_wrong_optional_parameter_answers_its_status(client, onegaming, rich_player, other_player, launched,
                                                       name, value, status):
    onegaming.sub_agent = "SUB1"
    onegaming.save()
    assert _ask(client, {"l_token": launched.token, name: value})["status"] == status


def test_a_wrong_sub_agent_header_is_invalid_partner(client, onegaming, launched):
    onegaming.sub_agent = "SUB1"
    onegaming.save()
    assert _ask(client, {"l_token": launched.token}, HTTP_UG_SUB_AGENT="SUB2")["status"] == "INVALID_PARTNER"
    assert _ask(client, {"l_token": launched.token}, HTTP_UG_SUB_AGENT="SUB1")["status"] == "OK"


@pytest.mark.parametrize("change", ["disabled", "ip"])
def test_the_launchs_integration_must_be_enabled_and_allow_the_caller(client, onegaming, launched, change):
    if change == "disabled":
        onegaming.enabled = False
    else:
        onegaming.allowed_ips = "10.1.1.1"
    onegaming.save()
    assert _ask(client, {"l_token": launched.token})["status"] == "INVALID_PARTNER"


def test_player_ids_cannot_be_enumerated_without_a_live_token(client, onegaming, rich_player, other_player, launched):
    # Issue 8: an unknown player and a known one with a wrong bcode answered differently before.
    answers = {
        _ask(client, {"agent_code": "IGBO", "player_id": player_id, "l_token": UNKNOWN_TOKEN, "bcode": "0" * 64})["status"]
        for player_id in ("CLi3000001", "CLi3000009", "GHOST")
    }
    assert answers == {"INVALID_TOKEN"}
    # With a live token, another player's id (known or not) is INVALID_TOKEN too, before any bcode check.
    for player_id in ("CLi3000009", "GHOST"):
        params = {"agent_code": "IGBO", "player_id": player_id, "l_token": launched.token, "bcode": "0" * 64}
        assert _ask(client, params)["status"] == "INVALID_TOKEN"


def test_a_token_shared_by_two_integrations_needs_the_agent_code(client, onegaming, rich_player, launched):
    elsewhere = OneGamingIntegrationFactory(agent_code="OTHER", secret="other-secret")
    LaunchSession.objects.create(token=launched.token, integration=elsewhere, player=rich_player,
                                 created_at=launched.session.created_at, expires_at=launched.session.expires_at)
    assert _ask(client, {"l_token": launched.token})["status"] == "INVALID_TOKEN"
    assert _ask(client, {"l_token": launched.token, "agent_code": "IGBO"})["status"] == "OK"


@pytest.mark.parametrize("signature_encoding", [SignatureEncoding.HEX, SignatureEncoding.BASE64])
def test_bcode_in_either_encoding_whatever_the_signature_encoding(client, onegaming, rich_player, launched,
                                                                   signature_encoding):
    # Issue 22: the bcode we send is base64 (the seed's varchar(50)), so the bcode no longer follows
    # the signature's setting; a received one is taken in either encoding, the whole digest compared.
    onegaming.signature_encoding = signature_encoding
    onegaming.save()
    params = {"l_token": launched.token, "player_id": "CLi3000001", "agent_code": "IGBO"}
    assert _ask(client, {**params, "bcode": _bcode(onegaming, rich_player, "hex")})["status"] == "OK"
    assert _ask(client, {**params, "bcode": _bcode(onegaming, rich_player, "base64")})["status"] == "OK"
    assert _ask(client, {**params, "bcode": _bcode(onegaming, rich_player, "base64")[:40]})["status"] == \
        "INVALID_SIGNATURE"


def test_hex_bcode_in_upper_case_is_accepted_but_not_a_prefix(client, onegaming, rich_player, launched):
    good = _bcode(onegaming, rich_player)
    assert _ask(client, {"l_token": launched.token, "bcode": good.upper()})["status"] == "OK"
    assert _ask(client, {"l_token": launched.token, "bcode": good[:-1]})["status"] == "INVALID_SIGNATURE"


def test_the_launch_url_carries_a_bcode_in_the_integrations_encoding(onegaming, rich_player):
    from urllib.parse import parse_qs, urlsplit

    onegaming.signature_encoding = SignatureEncoding.BASE64
    onegaming.save()
    launched = launch_start(integration=onegaming, player=rich_player, currency="IDR", method="iframe")
    query = {k: v[0] for k, v in parse_qs(urlsplit(launched.url).query).items()}
    assert query["bcode"] == _bcode(onegaming, rich_player, "base64")


def test_a_transfer_mode_launch_validates_like_any_other(client, onegaming, launched):
    onegaming.mode = WalletMode.TRANSFER
    onegaming.save()
    assert _ask(client, {"l_token": launched.token})["status"] == "OK"


def test_the_history_row_never_holds_the_l_token(client, onegaming, rich_player, launched):
    _ask(client, {"l_token": launched.token, "agent_code": "IGBO", "bcode": _bcode(onegaming, rich_player)})
    _ask(client, {"l_token": launched.token, "bcode": "0" * 64})
    rows = list(CallLog.objects.filter(endpoint="igPokerValidation").order_by("id"))
    assert [r.status_code for r in rows] == ["OK", "INVALID_SIGNATURE"]
    for row in rows:
        assert row.txn_id == ""
        assert row.player_external_id == "CLi3000001" and row.integration_id == onegaming.pk
        assert launched.token not in f"{row.txn_id} {row.request_body} {row.response_body} {row.request_id}"
        assert json.loads(row.request_body)["l_token"] == "***"


def test_check_order_partner_token_player_bcode_expiry_disabled(client, onegaming, rich_player, launched):
    import datetime as dt

    from django.utils import timezone

    past = timezone.now() - dt.timedelta(days=2)
    LaunchSession.objects.filter(pk=launched.session.pk).update(created_at=past, expires_at=past)
    rich_player.is_enabled = False
    rich_player.save()
    base = {"l_token": launched.token}
    assert _ask(client, {**base, "agent_code": "NOPE", "player_id": "X", "bcode": "x"})["status"] == "INVALID_PARTNER"
    assert _ask(client, {"l_token": UNKNOWN_TOKEN, "player_id": "X", "bcode": "x"})["status"] == "INVALID_TOKEN"
    assert _ask(client, {**base, "player_id": "X", "bcode": "x"})["status"] == "INVALID_TOKEN"
    assert _ask(client, {**base, "bcode": "x"})["status"] == "INVALID_SIGNATURE"
    assert _ask(client, base)["status"] == "TOKEN_EXPIRED"
    LaunchSession.objects.filter(pk=launched.session.pk).update(created_at=timezone.now(),
                                                                expires_at=timezone.now() + dt.timedelta(minutes=5))
    assert _ask(client, base)["status"] == "USER_DISABLED"
