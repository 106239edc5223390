"""Spec section 3, the checks before any rule: method, syntax, partner, signature, datetime,
required fields, types; every answer HTTP 200 with request_id, every call in the history."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.models import WalletMode
from providers.models import CallLog
from tests.onegaming.wire import dumps, envelope, sign
from wallet.models import GameTransaction

CALLS = ["balance", "bet", "result", "rollback", "transactions"]


def _nothing_moved(rich_player):
    assert not GameTransaction.objects.exists()
    assert rich_player.accounts.get(currency="IDR").balance == 1500_00000


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("method", ["get", "put", "patch", "delete", "options"])
def test_invalid_method_when_not_post(client, onegaming, call, method):
    response = getattr(client, method)(f"/api/onegaming/{call}")
    assert response.status_code == 200
    assert response.json() == {"status": "INVALID_METHOD"}
    assert CallLog.objects.get().status_code == "INVALID_METHOD"


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", b'{"a": NaN}'])
def test_invalid_syntax_when_body_is_not_a_json_object(wire, raw):
    assert wire.post("bet", raw=raw)["status"] == "INVALID_SYNTAX"


def test_invalid_partner_when_agent_unknown(wire, bet_fields, rich_player):
    wire.agent = "NOBODY"
    assert wire.bet(**bet_fields())["status"] == "INVALID_PARTNER"
    _nothing_moved(rich_player)


@pytest.mark.parametrize("agent_code", [None, 12, ""])
def test_invalid_partner_when_agent_code_missing_or_not_text(wire, agent_code):
    raw = dumps({"agent_code": agent_code, "request_id": "r", "datetime": "2026-01-01T00:00:00Z"})
    assert wire.post("balance", raw=raw)["status"] == "INVALID_PARTNER"


def test_invalid_partner_when_integration_disabled(wire, onegaming, bet_fields):
    onegaming.enabled = False
    onegaming.save()
    assert wire.bet(**bet_fields())["status"] == "INVALID_PARTNER"


def test_invalid_partner_when_integration_in_transfer_mode(wire, onegaming, bet_fields):
    onegaming.mode = WalletMode.TRANSFER
    onegaming.save()
    assert wire.bet(**bet_fields())["status"] == "INVALID_PARTNER"


def test_invalid_partner_when_caller_ip_not_allowed(wire, onegaming, bet_fields):
    onegaming.allowed_ips = "10.1.1.1, 10.1.1.2"
    onegaming.save()
    assert wire.bet(**bet_fields())["status"] == "INVALID_PARTNER"
    assert wire.post("bet", bet_fields(), REMOTE_ADDR="10.1.1.2")["status"] == "OK"


@pytest.mark.parametrize("signature", ["", "deadbeef", sign("another-secret", b"{}")])
def test_invalid_signature_when_signature_wrong(wire, bet_fields, rich_player, signature):
    assert wire.post("bet", bet_fields(), signature=signature)["status"] == "INVALID_SIGNATURE"
    _nothing_moved(rich_player)


def test_signature_is_over_the_exact_bytes(wire, bet_fields):
    raw = json.dumps(envelope(bet_fields()), indent=3).encode()
    assert wire.post("bet", raw=raw)["status"] == "OK"
    tampered = raw.replace(b'"100.00"', b'"1.00"')
    assert wire.post("bet", raw=tampered, signature=sign(wire.secret, raw))["status"] == "INVALID_SIGNATURE"


def test_signature_accepts_uppercase_hex(wire, bet_fields):
    raw = dumps(envelope(bet_fields()))
    assert wire.post("bet", raw=raw, signature=sign(wire.secret, raw).upper())["status"] == "OK"


# The clock is frozen (`clock`): the app and the stamps read the same instant, so the window's edge
# can be tested to the millisecond on a loaded machine.
@pytest.mark.parametrize("offset", [-10.001, 10.001, -11, 11, -3600])
def test_request_timeout_when_datetime_outside_ten_seconds(wire, bet_fields, rich_player, clock, offset):
    answer = wire.post("bet", bet_fields(), offset_seconds=offset)
    assert answer["status"] == "REQUEST_TIMEOUT"
    _nothing_moved(rich_player)


@pytest.mark.parametrize("offset", [-10, -8, 0, 8, 10])
def test_datetime_within_window_is_accepted(wire, bet_fields, clock, offset):
    assert wire.post("bet", bet_fields(), offset_seconds=offset)["status"] == "OK"


def test_request_timeout_then_rollback_stops_the_late_original(wire, bet_fields, rich_player, clock):
    assert wire.post("bet", bet_fields(), offset_seconds=-30)["status"] == "REQUEST_TIMEOUT"
    rollback = wire.rollback(player_id="CLi3000001", currency="IDR", game_id=301, txn_id="RB1", txn_ticket="T1")
    assert rollback["status"] == "TXN_DOES_NOT_EXIST"
    late = wire.bet(**bet_fields())
    assert late["status"] == "TXN_ROLLED_BACK" and late["balance"] == Decimal("1500.00")


@pytest.mark.parametrize("value", ["yesterday", "2026-11-22", "2026-11-22T01:15", "1700000000000", 1.7e12, None])
def test_invalid_syntax_when_datetime_missing_or_unreadable(wire, bet_fields, value):
    body = envelope(bet_fields())
    body["datetime"] = value
    if value is None:
        del body["datetime"]
    assert wire.post("bet", raw=dumps(body))["status"] == "INVALID_SYNTAX"


BET_FIELDS = ["request_id", "player_id", "l_token", "currency", "game_id", "round_id", "txn_id", "txn_ticket", "amount"]


@pytest.mark.parametrize("missing", BET_FIELDS)
def test_invalid_syntax_when_a_required_field_is_missing(wire, bet_fields, rich_player, missing):
    assert wire.post("bet", bet_fields(), drop=(missing,))["status"] == "INVALID_SYNTAX"
    _nothing_moved(rich_player)


@pytest.mark.parametrize("field,value", [
    ("amount", "abc"), ("amount", "-1.00"), ("amount", -1), ("amount", "1.001"), ("amount", True),
    ("amount", [1]), ("amount", "1e3"), ("amount", " 1"), ("amount", 0), ("amount", "0.00"),
    ("player_id", ["CLi3000001"]), ("txn_id", True), ("txn_ticket", {"a": 1}), ("game_id", 3.5),
    ("currency", 5), ("l_token", ""), ("request_id", {"r": 1}),
])
def test_invalid_types_when_a_field_has_the_wrong_type(wire, bet_fields, rich_player, field, value):
    assert wire.bet(**bet_fields(**{field: value}))["status"] == "INVALID_TYPES"
    _nothing_moved(rich_player)


def test_invalid_types_when_float_amount_has_more_digits_than_currency(wire, bet_fields):
    # JSON number with three fractional digits for IDR (two digits).
    raw = dumps(envelope(bet_fields())).replace(b'"100.00"', b"100.005")
    assert wire.post("bet", raw=raw)["status"] == "INVALID_TYPES"


def test_checks_run_in_the_spec_order(wire, bet_fields, clock):
    # Unknown agent beats a bad signature; a bad signature beats a stale datetime; the window
    # beats a missing field; a missing field beats a bad type.
    wire.agent = "NOBODY"
    assert wire.post("bet", bet_fields(), signature="x", offset_seconds=-60)["status"] == "INVALID_PARTNER"
    wire.agent = "IGBO"
    assert wire.post("bet", bet_fields(), signature="x", offset_seconds=-60)["status"] == "INVALID_SIGNATURE"
    assert wire.post("bet", bet_fields(), offset_seconds=-60, drop=("amount",))["status"] == "REQUEST_TIMEOUT"
    assert wire.post("bet", bet_fields(amount="x"), drop=("txn_id",))["status"] == "INVALID_SYNTAX"


@pytest.mark.parametrize("call", CALLS)
def test_every_answer_echoes_request_id(wire, call):
    body = envelope({})
    body["request_id"] = "echo-me"
    answer = wire.post(call, raw=dumps(body))
    assert answer["request_id"] == "echo-me"
    assert answer["status"] == "INVALID_SYNTAX"  # required call fields missing


def test_request_id_echoed_as_sent_when_an_integer(wire):
    answer = wire.balance(player_id="nobody", currency="IDR", request_id=42)
    assert answer["request_id"] == 42


@pytest.mark.parametrize("call", CALLS)
def test_every_call_lands_in_the_history(wire, bet_fields, call):
    wire.post(call, bet_fields(), signature="bad")
    wire.post(call, raw=b"nonsense")
    rows = list(CallLog.objects.order_by("id"))
    assert [(r.endpoint, r.status_code, r.http_status) for r in rows] == [
        (call, "INVALID_SIGNATURE", 200), (call, "INVALID_SYNTAX", 200)
    ]
    assert rows[0].integration_id is not None and rows[1].integration_id is None
    assert all(r.duration_ms > 0 for r in rows)


def test_history_row_of_a_bet_names_player_txn_and_request(wire, bet_fields, onegaming):
    answer = wire.bet(**bet_fields())
    row = CallLog.objects.get()
    assert (row.integration_id, row.endpoint, row.player_external_id, row.txn_id, row.request_id, row.status_code) == (
        onegaming.pk, "bet", "CLi3000001", "B1", answer["request_id"], "OK"
    )
    assert row.caller_ip == "127.0.0.1"
    assert '"balance": "1400.00"' in row.response_body or '"balance": 1400.0' in row.response_body


def test_unknown_error_when_something_unexpected_fails(wire, bet_fields, rich_player, monkeypatch):
    from wallet import gameplay

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(gameplay, "bet_place", boom)
    answer = wire.bet(**bet_fields())
    assert answer["status"] == "UNKNOWN_ERROR" and answer["request_id"]
    assert CallLog.objects.get().status_code == "UNKNOWN_ERROR"
    _nothing_moved(rich_player)


def test_balance_is_rendered_as_an_exact_json_number(wire, rich_player):
    wire.balance(player_id="CLi3000001", currency="IDR")
    assert b'"balance":1500.00' in wire.last_response.content
    assert wire.last_response["Content-Type"].startswith("application/json")


def test_queries_per_bet_stay_low(wire, bet_fields, rich_player, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the game account's id cached, as in a running process
        wire.bet(**bet_fields(txn_id="warm", txn_ticket="warm"))
    with CaptureQueriesContext(connection) as queries:
        assert wire.bet(**bet_fields())["status"] == "OK"
    # 14 statements (5 before the money transaction, 8 in it, the history row) + the savepoint pair.
    print(f"queries per bet: {len(queries)}")
    assert len(queries) <= 16
    with CaptureQueriesContext(connection) as queries:
        assert wire.bet(**bet_fields())["status"] == "OK"  # replay
    assert len(queries) <= 6


def test_openapi_schema_describes_the_callbacks(client):
    schema = client.get("/api/schema", HTTP_ACCEPT="application/json").json()
    for call in CALLS:
        operation = schema["paths"][f"/api/onegaming/{call}"]["post"]
        assert any(p["name"] == "UG-Data-Signature" and p["in"] == "header" for p in operation["parameters"])
        assert "requestBody" in operation and "200" in operation["responses"]
    assert "options" not in schema["paths"]["/api/onegaming/bet"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/onegaming/bet/", "/api/onegaming/bets", "/api/onegaming/"])
def test_an_unknown_path_answers_http_200_unknown_error_and_is_logged_when_misconfigured(client, path):
    from providers.models import CallLog

    response = client.post(path, b"{}", content_type="application/json")
    assert response.status_code == 200 and response.json() == {"status": "UNKNOWN_ERROR"}
    assert CallLog.objects.get().status_code == "UNKNOWN_ERROR"
