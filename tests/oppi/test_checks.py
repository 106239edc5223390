"""Spec section 0 and 2: the checks before any business rule, each in its place in the order."""

from __future__ import annotations

import json
import time

import pytest

from providers.models import CallLog
from providers.oppi.codes import Status
from tests.oppi.conftest import bet_body, payout_body, reward_body, rollback_item

pytestmark = pytest.mark.django_db

BALANCE = {"sessionId": "sess-mikha-1", "playerId": "CLi3000001"}


def _ms(offset_s: float = 0) -> str:
    return str(time.time_ns() // 1_000_000 + int(offset_s * 1000))


@pytest.mark.parametrize("header", ["x-api-key", "x-timestamp", "x-signature"])
def test_missing_headers_when_any_header_is_absent(oppi_call, session, header):
    assert oppi_call("user/balance", BALANCE, drop=(header,))["status"] == Status.MISSING_HEADERS


def test_missing_headers_when_a_header_is_empty(oppi_call, session):
    assert oppi_call("user/balance", BALANCE, signature="")["status"] == Status.MISSING_HEADERS


def test_invalid_apikey_when_the_key_is_unknown(oppi_call, session):
    assert oppi_call("user/balance", BALANCE, api_key="nobody")["status"] == Status.INVALID_APIKEY


def test_invalid_apikey_when_the_key_belongs_to_another_provider(oppi_call, session, onegaming):
    onegaming.api_key = "1g-key"
    onegaming.save()
    assert oppi_call("user/balance", BALANCE, api_key="1g-key")["status"] == Status.INVALID_APIKEY


def test_merchant_not_active_when_integration_disabled_even_with_bad_signature(oppi_call, oppi, session):
    oppi.enabled = False
    oppi.save()
    assert oppi_call("user/balance", BALANCE, signature="00")["status"] == Status.MERCHANT_NOT_ACTIVE


def test_ip_restriction_when_caller_not_listed(oppi_call, oppi, session):
    oppi.allowed_ips = "10.0.0.7, 10.0.0.8"
    oppi.save()
    assert oppi_call("user/balance", BALANCE, remote_addr="10.0.0.9")["status"] == Status.IP_RESTRICTION
    assert oppi_call("user/balance", BALANCE, remote_addr="10.0.0.8")["status"] == Status.OK


def test_ip_restriction_comes_before_timestamp(oppi_call, oppi, session):
    oppi.allowed_ips = "10.0.0.7"
    oppi.save()
    answer = oppi_call("user/balance", BALANCE, timestamp="1", remote_addr="10.0.0.9")
    assert answer["status"] == Status.IP_RESTRICTION


@pytest.mark.parametrize("timestamp", [-305, +305, "abc", "-5", "12.5", "1700000000"])
def test_signature_expired_when_timestamp_outside_window_or_not_ms(oppi_call, session, timestamp):
    # Signed correctly over that timestamp: only the window refuses it. (1700000000 is seconds.)
    if isinstance(timestamp, int):
        timestamp = _ms(timestamp)
    assert oppi_call("user/balance", BALANCE, timestamp=timestamp)["status"] == Status.SIGNATURE_EXPIRED


@pytest.mark.parametrize("offset", [-290, 290])
def test_timestamp_within_window_is_accepted(oppi_call, session, offset):
    assert oppi_call("user/balance", BALANCE, timestamp=_ms(offset))["status"] == Status.OK  # computed at run time


def test_signature_expired_comes_before_signature(oppi_call, session):
    assert oppi_call("user/balance", BALANCE, timestamp=_ms(-1000), signature="f" * 64)["status"] == (
        Status.SIGNATURE_EXPIRED
    )


def test_signature_not_match_when_signed_with_another_secret(oppi_call, session):
    assert oppi_call("user/balance", BALANCE, secret="wrong")["status"] == Status.SIGNATURE_NOT_MATCH


def test_signature_not_match_when_body_differs_from_signed_bytes(oppi_call, oppi, session):
    from tests.oppi.conftest import spec_signature

    ts = _ms()
    signed = json.dumps(BALANCE).encode()  # with spaces: not the bytes we send
    sent = json.dumps(BALANCE, separators=(",", ":")).encode()
    answer = oppi_call.raw("user/balance", sent, timestamp=ts, signature=spec_signature(oppi.secret, signed, ts))
    assert answer["status"] == Status.SIGNATURE_NOT_MATCH


def test_signature_is_verified_over_raw_bytes_not_reserialised_json(oppi_call, session):
    body = b'{ "playerId" : "CLi3000001",\n "sessionId":"sess-mikha-1" }'
    assert oppi_call.raw("user/balance", body)["status"] == Status.OK


def test_signature_over_non_ascii_body(oppi_call, session):
    body = json.dumps({**BALANCE, "note": "Mikhaïl ✓"}, ensure_ascii=False).encode()
    assert oppi_call.raw("user/balance", body)["status"] == Status.OK


@pytest.mark.parametrize("raw", [b"not json", b"", b"[1,2]", b'"text"', b"\xff\xfe", b'{"a": NaN}'])
def test_incorrect_data_when_body_is_not_a_json_object(oppi_call, session, raw):
    assert oppi_call.raw("user/balance", raw)["status"] == Status.INCORRECT_DATA


@pytest.mark.parametrize(
    "path,body",
    [
        ("transaction/bet", bet_body(amount="100")),
        ("transaction/bet", bet_body(amount=True)),
        ("transaction/bet", bet_body(transactionId=17)),
        ("transaction/bet", bet_body(playerId={"id": 1})),
        ("transaction/payout", payout_body(isWin="true")),
        ("transaction/reward", reward_body(rewardedAmount=[5])),
        ("transaction/reward", reward_body(currency=5)),
        ("transaction/rollback", {"transactions": "b-1"}),
        ("transaction/rollback", {"transactions": ["b-1"]}),
        ("transaction/rollback", {"transactions": [rollback_item("rb", "b", refTransactionId=3)]}),
    ],
)
def test_incorrect_data_when_a_field_has_the_wrong_json_type(oppi_call, session, path, body):
    assert oppi_call(path, body)["status"] == Status.INCORRECT_DATA


def test_incorrect_data_comes_before_missing_fields(oppi_call, session):
    body = bet_body(transactionId=17)
    del body["amount"]
    assert oppi_call("transaction/bet", body)["status"] == Status.INCORRECT_DATA


@pytest.mark.parametrize("field", ["transactionId", "sessionId", "playerId", "gameId", "currency", "amount"])
def test_field_required_when_a_bet_field_is_missing(oppi_call, session, field):
    body = bet_body()
    del body[field]
    assert oppi_call("transaction/bet", body)["status"] == Status.FIELD_REQUIRED_OR_INVALID


@pytest.mark.parametrize("value", ["", "   ", None])
def test_field_required_when_a_field_is_empty_or_null(oppi_call, session, value):
    assert oppi_call("transaction/bet", bet_body(sessionId=value))["status"] == Status.FIELD_REQUIRED_OR_INVALID


@pytest.mark.parametrize("field", ["refTransactionId", "isWin"])
def test_field_required_when_a_payout_field_is_missing(oppi_call, session, field):
    body = payout_body()
    del body[field]
    assert oppi_call("transaction/payout", body)["status"] == Status.FIELD_REQUIRED_OR_INVALID


def test_field_required_when_reward_type_missing_but_currency_is_optional(oppi_call, session):
    body = reward_body()
    del body["rewardType"]
    assert oppi_call("transaction/reward", body)["status"] == Status.FIELD_REQUIRED_OR_INVALID
    assert oppi_call("transaction/reward", reward_body())["status"] == Status.OK  # no currency: fine


@pytest.mark.parametrize("body", [{}, {"transactions": []}, {"transactions": [rollback_item("rb", "")]}])
def test_field_required_when_rollback_has_no_items_or_an_empty_field(oppi_call, session, body):
    assert oppi_call("transaction/rollback", body)["status"] == Status.FIELD_REQUIRED_OR_INVALID


def test_field_required_comes_before_amount_checks(oppi_call, session):
    body = bet_body(amount=-5)
    del body["gameId"]
    assert oppi_call("transaction/bet", body)["status"] == Status.FIELD_REQUIRED_OR_INVALID


@pytest.mark.parametrize("literal", [b"12.5", b"100.0", b"1e2", b"1E+2", b"-1.5", b"0.0"])
def test_invalid_number_when_amount_is_not_a_json_integer(oppi_call, session, literal):
    body = json.dumps(bet_body(amount=999999)).encode().replace(b"999999", literal)
    assert oppi_call.raw("transaction/bet", body)["status"] == Status.INVALID_NUMBER


def test_invalid_number_for_reward_amount(oppi_call, session):
    body = json.dumps(reward_body(amount=999999)).encode().replace(b"999999", b"0.5")
    assert oppi_call.raw("transaction/reward", body)["status"] == Status.INVALID_NUMBER


@pytest.mark.parametrize("path,body", [
    ("transaction/bet", bet_body(amount=-1)),
    ("transaction/payout", payout_body(amount=-100)),
    ("transaction/reward", reward_body(amount=-1)),
    ("transaction/bet", bet_body(amount=10**30)),
])
def test_invalid_amount_when_negative_or_beyond_the_ledger(oppi_call, session, path, body):
    assert oppi_call(path, body)["status"] == Status.INVALID_AMOUNT


def test_every_call_lands_in_the_history_with_duration(oppi_call, oppi, session):
    oppi_call("transaction/bet", bet_body(txn="b-hist", amount=12345))
    oppi_call("user/balance", BALANCE, api_key="nobody")
    bet, refused = CallLog.objects.order_by("pk")
    assert (bet.provider, bet.direction, bet.endpoint, bet.status_code) == ("oppi", "in", "transaction/bet", "RS_OK")
    assert bet.integration_id == oppi.pk and bet.player_external_id == "CLi3000001" and bet.txn_id == "b-hist"
    assert bet.caller_ip == "127.0.0.1" and bet.http_status == 200 and bet.duration_ms > 0
    assert json.loads(bet.request_body)["amount"] == 12345
    assert json.loads(bet.response_body)["status"] == "RS_OK"
    assert refused.status_code == Status.INVALID_APIKEY and refused.integration_id is None


def test_history_keeps_the_integration_of_a_refused_signature(oppi_call, oppi, session):
    oppi_call("user/balance", BALANCE, secret="wrong")
    row = CallLog.objects.get()
    assert row.integration_id == oppi.pk and row.status_code == Status.SIGNATURE_NOT_MATCH


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_a_wrong_method_answers_http_200_rs_error_and_is_logged_when_not_post(client, method):
    from providers.models import CallLog

    response = getattr(client, method)("/api/oppi/transaction/bet")
    assert response.status_code == 200 and response.json() == {"status": "RS_ERROR"}
    assert CallLog.objects.get().status_code == "RS_ERROR"
