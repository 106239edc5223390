"""Oppi spec sections 0 and 2, the checks before any business rule, rule by rule on
providers/oppi/parsing.py itself (written to kill its mutants): headers, key, merchant, IP,
timestamp window, signature, then the body (JSON object and types, required fields, amounts).

Expected values come from the spec (/work/shared/spec/oppi.md) and the dialect's documented
choices; signatures are computed with the spec's formula (tests/oppi/conftest.spec_signature),
never with the code under test. The clock is fixed (dialect.now_ms patched): no timing margins.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from providers.oppi import dialect, parsing
from providers.oppi.codes import Status
from providers.oppi.parsing import Parsed, Refused
from tests.oppi.conftest import spec_signature

NOW_MS = 1_764_000_000_000
WINDOW_MS = 300 * 1000  # spec section 0: 300 seconds either way
BODY = b'{"sessionId":"s-1","playerId":"p-1"}'


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(dialect, "now_ms", lambda: NOW_MS)
    return NOW_MS


def headers(integration, body=BODY, *, ts=None, key=None, sig=None):
    ts = str(NOW_MS) if ts is None else ts
    return {
        "x-api-key": integration.api_key if key is None else key,
        "x-timestamp": ts,
        "x-signature": spec_signature(integration.secret, body, ts) if sig is None else sig,
    }


def verify_refused(status, integration_expected, **kwargs):
    kwargs.setdefault("raw_body", BODY)
    kwargs.setdefault("remote_ip", "127.0.0.1")
    with pytest.raises(Refused) as caught:
        parsing.verify(**kwargs)
    assert caught.value.status == status, caught.value.status
    assert caught.value.integration == integration_expected
    return caught.value


# --- headers, key, merchant, IP, clock, signature (spec section 2, in that order) ---------------

def test_a_call_with_every_check_passing_gives_its_integration(oppi, clock):
    assert parsing.verify(headers=headers(oppi), raw_body=BODY, remote_ip="10.0.0.1") == oppi


def test_surrounding_spaces_of_the_headers_are_ignored(oppi, clock):
    h = {name: f"  {value} " for name, value in headers(oppi).items()}
    assert parsing.verify(headers=h, raw_body=BODY, remote_ip=None) == oppi


@pytest.mark.parametrize("missing", ["x-api-key", "x-timestamp", "x-signature"])
@pytest.mark.parametrize("how", ["absent", "empty", "blank"])
def test_missing_header_is_missing_headers_before_anything_else(oppi, clock, missing, how):
    h = headers(oppi, key="unknown-key")  # also an unknown key: the header check comes first
    if how == "absent":
        del h[missing]
    else:
        h[missing] = "" if how == "empty" else "   "
    verify_refused(Status.MISSING_HEADERS, None, headers=h)


@pytest.mark.parametrize("key", ["unknown-key", "oppi-auth-key\x00", "oppi-auth\tkey", "\x07oppi-auth-key",
                                 "k" * 101, "OPPI-AUTH-KEY"])
def test_unknown_key_is_invalid_apikey_without_an_integration(oppi, clock, key):
    verify_refused(Status.INVALID_APIKEY, None, headers=headers(oppi, key=key))


@pytest.mark.django_db
def test_key_of_the_longest_storable_length_is_looked_up(clock):
    from tests.factories import OppiIntegrationFactory

    integration = OppiIntegrationFactory(code="oppi-long", api_key="k" * 100, secret="long-key-secret")
    assert parsing.verify(headers=headers(integration), raw_body=BODY, remote_ip=None) == integration


@pytest.mark.django_db
def test_key_of_another_provider_is_invalid_apikey(clock):
    from tests.factories import OneGamingIntegrationFactory

    other = OneGamingIntegrationFactory(code="1g-same-key", api_key="shared-key", secret="x")
    verify_refused(Status.INVALID_APIKEY, None, headers=headers(other))


def test_disabled_integration_is_merchant_not_active_even_from_a_foreign_ip(oppi, clock):
    oppi.enabled = False
    oppi.allowed_ips = "10.9.9.9"
    oppi.save()
    verify_refused(Status.MERCHANT_NOT_ACTIVE, oppi, headers=headers(oppi, sig="0" * 64), remote_ip="1.2.3.4")


def test_caller_outside_the_allowed_ips_is_ip_restriction_before_the_clock(oppi, clock):
    oppi.allowed_ips = "10.0.0.1, 10.0.0.2"
    oppi.save()
    verify_refused(Status.IP_RESTRICTION, oppi, headers=headers(oppi, ts="1"), remote_ip="10.0.0.3")
    verify_refused(Status.IP_RESTRICTION, oppi, headers=headers(oppi), remote_ip=None)
    assert parsing.verify(headers=headers(oppi), raw_body=BODY, remote_ip="10.0.0.2") == oppi


@pytest.mark.parametrize("delta", [0, WINDOW_MS, -WINDOW_MS, 1, -1])
def test_timestamp_within_three_hundred_seconds_either_way_is_accepted(oppi, clock, delta):
    assert parsing.verify(headers=headers(oppi, ts=str(NOW_MS + delta)), raw_body=BODY, remote_ip=None) == oppi


@pytest.mark.parametrize("delta", [WINDOW_MS + 1, -WINDOW_MS - 1, 10**9, -NOW_MS])
def test_timestamp_beyond_three_hundred_seconds_is_signature_expired(oppi, clock, delta):
    verify_refused(Status.SIGNATURE_EXPIRED, oppi, headers=headers(oppi, ts=str(NOW_MS + delta)))


@pytest.mark.parametrize("ts", [
    "1764000000000.0", "+1764000000000", "-1764000000000", "1764000000000ms", "1.764e12", "abc",
    "\uff11\uff17\uff16\uff14\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff10",  # full-width digits
    "\u0661\u0667\u0666\u0664\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0660",  # Arabic-Indic digits
    "0" * 4 + str(NOW_MS),  # 17 digits: longer than a time in milliseconds, even if its value is now
    "9" * 5000,
])
def test_timestamp_that_is_not_a_millisecond_count_is_signature_expired(oppi, clock, ts):
    sig = spec_signature(oppi.secret, BODY, ts) if ts.isascii() else "0" * 64
    verify_refused(Status.SIGNATURE_EXPIRED, oppi, headers=headers(oppi, ts=ts, sig=sig))


def test_timestamp_of_sixteen_digits_with_leading_zeros_is_read_as_its_value(oppi, clock):
    ts = "000" + str(NOW_MS)
    assert len(ts) == 16
    assert parsing.verify(headers=headers(oppi, ts=ts), raw_body=BODY, remote_ip=None) == oppi


def test_body_too_large_is_refused_after_the_clock_and_before_the_signature(oppi, clock):
    verify_refused(Status.INCORRECT_DATA, oppi, headers=headers(oppi, sig="0" * 64), raw_body=None)
    verify_refused(Status.SIGNATURE_EXPIRED, oppi, headers=headers(oppi, ts="1"), raw_body=None)


@pytest.mark.parametrize("change", ["other body", "other timestamp", "other secret", "prefix", "one char"])
def test_signature_not_over_this_body_and_timestamp_with_this_secret_is_not_match(oppi, clock, change):
    ts = str(NOW_MS)
    good = spec_signature(oppi.secret, BODY, ts)
    sig = {
        "other body": spec_signature(oppi.secret, BODY + b" ", ts),
        "other timestamp": spec_signature(oppi.secret, BODY, str(NOW_MS + 1)),
        "other secret": spec_signature("another-secret", BODY, ts),
        "prefix": good[:32],
        "one char": good[:-1] + ("0" if good[-1] != "0" else "1"),
    }[change]
    verify_refused(Status.SIGNATURE_NOT_MATCH, oppi, headers=headers(oppi, sig=sig))


def test_signature_in_upper_case_hex_is_accepted(oppi, clock):
    # dialect.SIGNATURE_HEX_ANY_CASE (ours): the hex is compared without case.
    sig = spec_signature(oppi.secret, BODY, str(NOW_MS)).upper()
    assert parsing.verify(headers=headers(oppi, sig=sig), raw_body=BODY, remote_ip=None) == oppi


def test_verify_request_reads_the_headers_and_the_callers_address(oppi, clock, rf):
    oppi.allowed_ips = "10.0.0.7"
    oppi.save()
    request = rf.post("/api/oppi/user/balance", data=BODY, content_type="application/json",
                      headers=headers(oppi), REMOTE_ADDR="10.0.0.7")
    assert parsing.verify_request(request, BODY) == oppi
    request = rf.post("/api/oppi/user/balance", data=BODY, content_type="application/json",
                      headers=headers(oppi), REMOTE_ADDR="10.0.0.8")
    with pytest.raises(Refused) as caught:
        parsing.verify_request(request, BODY)
    assert caught.value.status == Status.IP_RESTRICTION


def test_refused_carries_status_integration_and_the_status_text(oppi):
    error = Refused(Status.SIGNATURE_EXPIRED, oppi)
    assert (error.status, error.integration, error.args) == (Status.SIGNATURE_EXPIRED, oppi, ("RS_ERROR_SIGNATURE_EXPIRED",))
    assert Refused(Status.MISSING_HEADERS).integration is None


# --- the body: JSON object of the right types, required fields, amounts (spec section 2) --------

BET = {"transactionId": "b-1", "sessionId": "s-1", "playerId": "p-1", "gameId": "g-1", "currency": "IDR",
       "amount": 1234567}


def dumps(value) -> bytes:
    import json

    return json.dumps(value).encode()


def parse_refused(status, raw, fields=dialect.BET_FIELDS):
    with pytest.raises(Refused) as caught:
        parsing.parse_object(raw, fields)
    assert caught.value.status == status, caught.value.status


def test_bet_body_gives_its_fields_and_the_amount_in_ledger_units():
    parsed = parsing.parse_object(dumps(BET | {"extra": "ignored", "isWin": None}), dialect.BET_FIELDS)
    assert parsed == Parsed(fields=BET, units={"amount": 1234567})  # 12.34567 on the x100000 scale


def test_reward_body_amount_is_rewarded_amount_and_currency_is_optional():
    body = {"transactionId": "r-1", "refTransactionId": "j-1", "sessionId": "s-1", "rewardType": "jackpot",
            "playerId": "p-1", "gameId": "g-1", "rewardedAmount": 500}
    parsed = parsing.parse_object(dumps(body | {"currency": None}), dialect.REWARD_FIELDS)
    assert parsed == Parsed(fields=body, units={"rewardedAmount": 500})


def test_payout_body_keeps_is_win_false_and_a_zero_amount():
    body = {"transactionId": "p-1", "refTransactionId": "b-1", "sessionId": "s-1", "playerId": "p-1",
            "gameId": "g-1", "currency": "IDR", "amount": 0, "isWin": False}
    parsed = parsing.parse_object(dumps(body), dialect.PAYOUT_FIELDS)
    assert parsed.fields == body and parsed.units == {"amount": 0}


@pytest.mark.parametrize("raw", [b"", b"not json", b"\xff\xfe", b'{"a": NaN}', b'{"a": Infinity}',
                                 b'{"a": -Infinity}', b'{"a": 1', b"[]", b'"text"', b"12", b"null",
                                 b"[" * 200_000 + b"]" * 200_000])
def test_body_that_is_not_a_json_object_is_incorrect_data(raw):
    parse_refused(Status.INCORRECT_DATA, raw)


@pytest.mark.parametrize("name, bad", [
    ("transactionId", 12), ("sessionId", True), ("playerId", ["p"]), ("gameId", {}), ("currency", 1.5),
    ("amount", "1000"), ("amount", True), ("amount", [1]),
])
def test_field_of_the_wrong_json_type_is_incorrect_data(name, bad):
    parse_refused(Status.INCORRECT_DATA, dumps(BET | {name: bad}))


def test_wrong_type_wins_over_a_missing_field():
    body = {k: v for k, v in BET.items() if k != "playerId"} | {"amount": "12"}
    parse_refused(Status.INCORRECT_DATA, dumps(body))


def test_boolean_field_must_be_a_json_boolean():
    body = {"transactionId": "p-1", "refTransactionId": "b-1", "sessionId": "s-1", "playerId": "p-1",
            "gameId": "g-1", "currency": "IDR", "amount": 0}
    for bad in (0, 1, "false", "true"):
        parse_refused(Status.INCORRECT_DATA, dumps(body | {"isWin": bad}), dialect.PAYOUT_FIELDS)


# A blank string amount is a type error, not a missing field (the previous test): not listed here.
@pytest.mark.parametrize(("name", "value"), [
    (name, value) for name in BET for value in ("absent", None, "", "   ")
    if not (name == "amount" and value in ("", "   "))
])
def test_required_field_absent_null_or_blank_is_field_required_or_invalid(name, value):
    body = {k: v for k, v in BET.items() if k != name}
    if value != "absent":
        body[name] = value
    parse_refused(Status.FIELD_REQUIRED_OR_INVALID, dumps(body))


def test_optional_field_may_be_absent_or_null_but_not_unstorable():
    body = {"transactionId": "r-1", "refTransactionId": "j-1", "sessionId": "s-1", "rewardType": "bonus",
            "playerId": "p-1", "gameId": "g-1", "rewardedAmount": 1}
    assert parsing.parse_object(dumps(body), dialect.REWARD_FIELDS).fields == body
    parse_refused(Status.FIELD_REQUIRED_OR_INVALID, dumps(body | {"currency": "C" * 9}), dialect.REWARD_FIELDS)
    parse_refused(Status.FIELD_REQUIRED_OR_INVALID, dumps(body | {"currency": "ID\x00"}), dialect.REWARD_FIELDS)


@pytest.mark.parametrize("name, longest", [("transactionId", 128), ("sessionId", 128), ("playerId", 64),
                                           ("gameId", 64), ("currency", 8)])
def test_string_field_up_to_its_column_is_taken_and_longer_is_field_required_or_invalid(name, longest):
    assert parsing.parse_object(dumps(BET | {name: "x" * longest}), dialect.BET_FIELDS).fields[name] == "x" * longest
    parse_refused(Status.FIELD_REQUIRED_OR_INVALID, dumps(BET | {name: "x" * (longest + 1)}))


@pytest.mark.parametrize("raw_value", [rb'"a\u0000b"', rb'"\ud800"', rb'"x\udfff"'])
def test_string_field_we_cannot_store_is_field_required_or_invalid(raw_value):
    raw = b'{"transactionId": ' + raw_value + b', "sessionId": "s-1", "playerId": "p-1", "gameId": "g-1", ' \
          b'"currency": "IDR", "amount": 1}'
    parse_refused(Status.FIELD_REQUIRED_OR_INVALID, raw)


@pytest.mark.parametrize("amount", ["12.5", "100.0", "1e2", "1E+2", "0.0"])
def test_amount_that_is_not_a_json_integer_is_invalid_number(amount):
    raw = dumps(BET)[:-1].replace(b'"amount": 1234567', b'"amount": ' + amount.encode()) + b"}"
    assert amount.encode() in raw
    parse_refused(Status.INVALID_NUMBER, raw)


@pytest.mark.parametrize("amount", ["-1", "-100000", "1000000000000001", "1" + "0" * 40, "9" * 41, "9" * 5000])
def test_amount_negative_or_beyond_the_ledger_is_invalid_amount(amount):
    raw = dumps(BET).replace(b'"amount": 1234567', b'"amount": ' + amount.encode())
    parse_refused(Status.INVALID_AMOUNT, raw)


def test_amount_of_the_ledgers_ceiling_is_taken():
    raw = dumps(BET).replace(b'"amount": 1234567', b'"amount": 1000000000000000')  # 10^10 whole units
    assert parsing.parse_object(raw, dialect.BET_FIELDS).units == {"amount": 10**15}


def test_amount_checks_come_after_the_required_fields():
    body = {k: v for k, v in BET.items() if k != "gameId"} | {"amount": -5}
    parse_refused(Status.FIELD_REQUIRED_OR_INVALID, dumps(body))


def test_long_integer_literals_are_read_as_a_huge_value_of_their_sign():
    assert parsing.parse_json(b'{"a": ' + b"1" * 40 + b"}") == {"a": int("1" * 40)}
    assert parsing.parse_json(b'{"a": -' + b"1" * 39 + b"}") == {"a": -int("1" * 39)}
    assert parsing.parse_json(b'{"a": ' + b"7" * 41 + b"}") == {"a": 10**40}
    assert parsing.parse_json(b'{"a": -' + b"7" * 40 + b"}") == {"a": -(10**40)}
    assert parsing.parse_json(b'{"a": ' + b"9" * 5000 + b"}") == {"a": 10**40}


def test_numbers_with_a_fraction_or_exponent_are_exact_decimals():
    value = parsing.parse_json(b'{"a": 12.50, "b": 1e2, "c": [true, null, "x"]}')
    assert value == {"a": Decimal("12.50"), "b": Decimal("1e2"), "c": [True, None, "x"]}
    assert type(value["a"]) is Decimal and str(value["a"]) == "12.50" and type(value["b"]) is Decimal


# --- rollback: {"transactions": [item, ...]}, every item checked before any is applied ----------

ITEM = {"transactionId": "rb-1", "refTransactionId": "b-1", "sessionId": "s-1", "playerId": "p-1", "gameId": "g-1"}


def rollback_refused(status, raw):
    with pytest.raises(Refused) as caught:
        parsing.parse_rollback(raw)
    assert caught.value.status == status, caught.value.status


def test_rollback_gives_each_item_with_its_known_fields_in_order():
    second = ITEM | {"transactionId": "rb-2", "refTransactionId": "p-1"}
    parsed = parsing.parse_rollback(dumps({"transactions": [ITEM | {"extra": 1, "amount": None}, second]}))
    assert parsed == [Parsed(fields=ITEM, units={}), Parsed(fields=second, units={})]


@pytest.mark.parametrize("raw", [b"[]", b'"x"', b"null", b"not json", b'{"transactions": {"a": 1}}',
                                 b'{"transactions": "rb-1"}', b'{"transactions": 1}', b'{"transactions": [1]}',
                                 b'{"transactions": [null]}', b'{"transactions": [[]]}'])
def test_rollback_that_is_not_an_object_with_a_list_of_objects_is_incorrect_data(raw):
    rollback_refused(Status.INCORRECT_DATA, raw)


def test_rollback_item_field_of_the_wrong_type_is_incorrect_data_even_after_a_good_item():
    rollback_refused(Status.INCORRECT_DATA, dumps({"transactions": [ITEM, ITEM | {"playerId": 7}]}))


@pytest.mark.parametrize("raw", [b"{}", b'{"transactions": null}', b'{"transactions": []}'])
def test_rollback_without_items_is_field_required_or_invalid(raw):
    rollback_refused(Status.FIELD_REQUIRED_OR_INVALID, raw)


@pytest.mark.parametrize("name", list(ITEM))
def test_rollback_item_missing_a_field_is_field_required_or_invalid_even_after_a_good_item(name):
    rollback_refused(Status.FIELD_REQUIRED_OR_INVALID,
                     dumps({"transactions": [ITEM, {k: v for k, v in ITEM.items() if k != name}]}))
    rollback_refused(Status.FIELD_REQUIRED_OR_INVALID, dumps({"transactions": [ITEM | {name: " "}]}))


def test_rollback_item_with_a_reference_longer_than_stored_is_field_required_or_invalid():
    assert parsing.parse_rollback(dumps({"transactions": [ITEM | {"refTransactionId": "r" * 120}]}))
    rollback_refused(Status.FIELD_REQUIRED_OR_INVALID, dumps({"transactions": [ITEM | {"refTransactionId": "r" * 121}]}))


@pytest.fixture
def lookup_cache_on(settings):
    from providers import lookups

    settings.CALLBACK_LOOKUP_CACHE_SECONDS = 600  # as in production: integrations read once per worker
    lookups.clear()
    yield
    lookups.clear()


@pytest.mark.django_db
def test_with_the_lookup_cache_on_each_key_still_finds_its_own_integration(oppi, clock, lookup_cache_on):
    from tests.factories import OppiIntegrationFactory

    second = OppiIntegrationFactory(code="oppi-second", api_key="second-key", secret="second-secret")
    verify_refused(Status.INVALID_APIKEY, None, headers=headers(oppi, key="unknown-key"))  # a miss is cached too
    assert parsing.verify(headers=headers(oppi), raw_body=BODY, remote_ip=None) == oppi
    assert parsing.verify(headers=headers(second), raw_body=BODY, remote_ip=None) == second
    assert parsing.verify(headers=headers(oppi), raw_body=BODY, remote_ip=None) == oppi
    verify_refused(Status.INVALID_APIKEY, None, headers=headers(oppi, key="unknown-key"))
