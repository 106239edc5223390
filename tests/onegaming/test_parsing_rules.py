"""1G spec section 3 and "Parties and money", the reading of a callback body, rule by rule on
providers/onegaming/parsing.py itself (pure functions, no database; written to kill its mutants).

Every expected value is written out from the spec (/work/shared/spec/onegaming.md) or from the
dialect choices documented in providers/onegaming/dialect.py, never computed by the code under test.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal

import pytest

from providers.onegaming import parsing
from providers.onegaming.codes import Status
from providers.onegaming.parsing import Refused

UTC = dt.UTC
JAKARTA = dt.timezone(dt.timedelta(hours=7))


def refused(status: Status, fn, *args, **kwargs):
    with pytest.raises(Refused) as caught:
        fn(*args, **kwargs)
    assert caught.value.status == status, caught.value.status
    return caught.value


# --- body: a JSON object of readable text (section 3: "body is a JSON object", INVALID_SYNTAX) ---

def test_body_is_a_json_object_with_exact_numbers():
    body = parsing.body_parse(b'{"amount": 12.50, "game_id": 301, "ok": true, "none": null, "list": [1, "a"]}')
    assert body == {"amount": Decimal("12.50"), "game_id": 301, "ok": True, "none": None, "list": [1, "a"]}
    assert type(body["amount"]) is Decimal and str(body["amount"]) == "12.50"
    assert type(body["game_id"]) is int


def test_body_integer_literals_stay_exact_integers_up_to_a_thousand_digits():
    thousand = "9" * 1000
    body = parsing.body_parse(f'{{"n": {thousand}, "m": -{"1" * 999}}}'.encode())
    assert type(body["n"]) is int and body["n"] == 10**1000 - 1
    assert type(body["m"]) is int and body["m"] == -int("1" * 999)


def test_body_longer_integer_literals_are_read_as_exact_decimals_never_a_crash():
    # Python refuses int() of more than 4300 digits; such a literal must not crash the parser.
    body = parsing.body_parse(('{"n": 1' + "0" * 5000 + "}").encode())
    assert body["n"] == Decimal("1e5000") and type(body["n"]) is Decimal
    body = parsing.body_parse(('{"n": ' + "7" * 1001 + "}").encode())
    assert type(body["n"]) is Decimal and body["n"] == Decimal("7" * 1001)


@pytest.mark.parametrize("raw", [
    b"", b"not json", b"[1, 2]", b'"text"', b"12", b"null", b"\xff\xfe{}", b'{"a": 1',
    b'{"a": NaN}', b'{"a": Infinity}', b'{"a": -Infinity}',
])
def test_body_that_is_not_a_json_object_is_invalid_syntax(raw):
    refused(Status.INVALID_SYNTAX, parsing.body_parse, raw)


def test_body_nested_beyond_the_parser_is_invalid_syntax_not_a_crash():
    refused(Status.INVALID_SYNTAX, parsing.body_parse, b'{"a": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")


def test_body_nested_deeper_than_we_can_walk_for_unreadable_text_is_invalid_syntax():
    # Deep enough that walking it (two frames per level) passes the recursion limit, shallow
    # enough that json itself (one frame per level) still reads it.
    depth = sys.getrecursionlimit() * 3 // 4
    raw = b'{"a": ' + b"[" * depth + b"]" * depth + b"}"
    assert json.loads(raw)  # the parser reads it: only the walk can fail
    refused(Status.INVALID_SYNTAX, parsing.body_parse, raw)


@pytest.mark.parametrize("raw", [
    rb'{"player_id": "a\u0000b"}',          # NUL in a value
    rb'{"a\u0000": 1}',                      # NUL in a key
    rb'{"player_id": "\ud800"}',             # lone high surrogate, first of the range
    rb'{"player_id": "x\udbff"}',            # lone high surrogate, last
    rb'{"player_id": "\udc00y"}',            # lone low surrogate, first
    rb'{"player_id": "\udfff"}',             # lone low surrogate, last of the range
    rb'{"transactions": [{"txn_id": "\u0000"}]}',   # inside a batch item
    rb'{"a": {"b": {"c": "\ud800"}}}',       # nested objects
    rb'{"a": [[["\u0000"]]]}',               # nested lists
    rb'{"a": [{"\udfff": 1}]}',              # a key inside a list
])
def test_body_with_text_we_cannot_store_is_invalid_syntax(raw):
    refused(Status.INVALID_SYNTAX, parsing.body_parse, raw)


def test_body_with_text_just_outside_the_surrogate_range_or_a_proper_pair_is_readable():
    body = parsing.body_parse(rb'{"a": "\ud7ff\ue000", "b": ["\ud83d\ude00"], "c": {"d": "\u00e9"}}')
    assert body == {"a": "\ud7ff\ue000", "b": ["\U0001F600"], "c": {"d": "é"}}


# --- datetime ("Parties and money": ISO 8601 with or without a zone, or epoch milliseconds) ---

@pytest.mark.parametrize("text, expected", [
    ("2026-11-22T01:15:02.120Z", dt.datetime(2026, 11, 22, 1, 15, 2, 120000, tzinfo=UTC)),
    ("2026-11-22t01:15:02z", dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)),
    ("2026-11-22T01:15:02,5Z", dt.datetime(2026, 11, 22, 1, 15, 2, 500000, tzinfo=UTC)),
    ("2026-11-22T01:15:02.123456789Z", dt.datetime(2026, 11, 22, 1, 15, 2, 123456, tzinfo=UTC)),
    ("2026-11-22T08:15:02+07:00", dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)),
    ("2026-11-22T08:15:02+0700", dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)),
    ("2026-11-22T08:15:02+07", dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)),
    ("2026-11-21T23:15:02-02:00", dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)),
    ("  2026-11-22 01:15:02.1 ", dt.datetime(2026, 11, 22, 1, 15, 2, 100000, tzinfo=UTC)),
])
def test_datetime_text_names_this_moment(text, expected):
    parsed = parsing.datetime_parse(text)
    assert parsed == expected and parsed.tzinfo is not None


def test_datetime_text_with_a_zone_keeps_its_offset():
    parsed = parsing.datetime_parse("2026-11-22T08:15:02+07:00", time_zone="America/New_York")
    assert parsed.utcoffset() == dt.timedelta(hours=7)


def test_datetime_without_a_zone_is_read_in_the_integrations_time_zone():
    parsed = parsing.datetime_parse("2026-11-22 08:15:02", time_zone="Asia/Jakarta")
    assert parsed == dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)
    assert parsed.utcoffset() == dt.timedelta(hours=7)


@pytest.mark.parametrize("time_zone", ["", "UTC", "No/Such_Zone", "../../etc/passwd", "/abs"])
def test_datetime_without_a_zone_is_read_in_utc_by_default_or_when_the_zone_is_unusable(time_zone):
    parsed = parsing.datetime_parse("2026-11-22T01:15:02", time_zone=time_zone)
    assert parsed == dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)
    assert parsed.utcoffset() == dt.timedelta(0)


def test_datetime_without_a_zone_defaults_to_utc():
    parsed = parsing.datetime_parse("2026-11-22T01:15:02")
    assert parsed == dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)


@pytest.mark.parametrize("value, expected", [
    (0, dt.datetime(1970, 1, 1, tzinfo=UTC)),
    (1_764_000_000_123, dt.datetime(2025, 11, 24, 16, 0, 0, 123000, tzinfo=UTC)),
    (-1_000, dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=UTC)),
])
def test_datetime_json_integer_is_unix_epoch_in_milliseconds(value, expected):
    assert parsing.datetime_parse(value) == expected


@pytest.mark.parametrize("value", [
    "2026-11-22", "2026-11-22T01:15", "20261122T011502Z", "1764000000000", "2026-13-01T00:00:00Z",
    "2026-11-22T25:00:00Z", "2026-11-22T01:15:02+99:00", "2026-11-22T01:15:02.Z", "",
    True, False, 1764000000.5, Decimal("1764000000000"), None, [], {}, 10**20, -(10**20),
])
def test_datetime_anything_else_is_invalid_syntax(value):
    refused(Status.INVALID_SYNTAX, parsing.datetime_parse, value)


NOW = dt.datetime(2026, 11, 22, 1, 15, 2, tzinfo=UTC)


@pytest.mark.parametrize("offset, stale", [
    (dt.timedelta(0), False),
    (dt.timedelta(seconds=10), False),
    (-dt.timedelta(seconds=10), False),
    (dt.timedelta(seconds=10, microseconds=1), True),
    (-dt.timedelta(seconds=10, microseconds=1), True),
    (dt.timedelta(hours=1), True),
])
def test_ten_second_window_either_way(offset, stale):
    assert parsing.datetime_stale(NOW + offset, now=NOW) is stale


def test_datetime_of_year_one_with_an_offset_is_stale():
    year_one = dt.datetime(1, 1, 1, tzinfo=dt.timezone(dt.timedelta(hours=5)))
    assert parsing.datetime_stale(year_one, now=NOW) is True


def test_datetime_check_refuses_a_stale_one_with_request_timeout_and_takes_a_fresh_one():
    assert parsing.datetime_check("2026-11-22T01:15:09Z", now=NOW) is None
    refused(Status.REQUEST_TIMEOUT, parsing.datetime_check, "2026-11-22T01:15:13Z", now=NOW)
    refused(Status.REQUEST_TIMEOUT, parsing.datetime_check, "2026-11-22T01:14:51Z", now=NOW)
    refused(Status.INVALID_SYNTAX, parsing.datetime_check, "yesterday", now=NOW)


def test_datetime_check_reads_a_zoneless_time_in_the_integrations_zone():
    assert parsing.datetime_check("2026-11-22 08:15:02", now=NOW, time_zone="Asia/Jakarta") is None
    refused(Status.REQUEST_TIMEOUT, parsing.datetime_check, "2026-11-22 01:15:02", now=NOW, time_zone="Asia/Jakarta")


# --- required fields (INVALID_SYNTAX) and types (INVALID_TYPES) ----------------------------------

def test_required_field_missing_or_null_is_invalid_syntax_but_present_falsy_values_pass():
    assert parsing.required_check({"a": 0, "b": "", "c": False}, ("a", "b", "c")) is None
    refused(Status.INVALID_SYNTAX, parsing.required_check, {"a": 1}, ("a", "b"))
    refused(Status.INVALID_SYNTAX, parsing.required_check, {"a": 1, "b": None}, ("a", "b"))
    refused(Status.INVALID_SYNTAX, parsing.required_check, {"a": None, "b": 1}, ("a", "b"))


@pytest.mark.parametrize("value, expected", [("CLi3000001", "CLi3000001"), (301, "301"), (0, "0"), (-5, "-5"),
                                             ("x" * 128, "x" * 128)])
def test_id_is_a_string_or_a_json_integer_meaning_the_same_string(value, expected):
    assert parsing.id_parse(value) == expected


@pytest.mark.parametrize("value", [True, False, "", "x" * 129, 1.5, Decimal("12"), Decimal("12.0"), [], {}, ["a"]])
def test_id_of_another_type_empty_or_longer_than_stored_is_invalid_types(value):
    refused(Status.INVALID_TYPES, parsing.id_parse, value)


def test_id_length_limit_is_the_given_one():
    assert parsing.id_parse("g" * 64, max_length=64) == "g" * 64
    refused(Status.INVALID_TYPES, parsing.id_parse, "g" * 65, max_length=64)
    refused(Status.INVALID_TYPES, parsing.id_parse, 10**64, max_length=64)  # 65 digits


def test_text_is_a_non_empty_string_within_its_length():
    assert parsing.text_parse("IDR", max_length=16) == "IDR"
    assert parsing.text_parse("C" * 16, max_length=16) == "C" * 16
    for value in ("", "C" * 17, 12, None, True, ["IDR"]):
        refused(Status.INVALID_TYPES, parsing.text_parse, value, max_length=16)


@pytest.mark.parametrize("request_id", ["r-1", 17, 0, ""])
def test_request_id_is_a_string_or_an_integer(request_id):
    assert parsing.common_check({"request_id": request_id}) is None


@pytest.mark.parametrize("request_id", [True, False, None, 1.5, Decimal("1"), [], {}])
def test_request_id_of_another_type_is_invalid_types(request_id):
    refused(Status.INVALID_TYPES, parsing.common_check, {"request_id": request_id})


def test_request_id_missing_is_invalid_types():
    refused(Status.INVALID_TYPES, parsing.common_check, {})


# --- amounts ("Parties and money": exact decimals, at most the currency's digits, never negative) -

@pytest.mark.parametrize("value, currency, units", [
    ("12.50", "IDR", 12_50000), (Decimal("12.5"), "IDR", 12_50000), (12, "IDR", 12_00000),
    ("12.500", "IDR", 12_50000),                       # trailing zeros are not digits that count
    ("0.01", "USD", 1000), ("7", "VND", 7_00000), (Decimal("1E+2"), "VND", 100_00000),
    ("1.234", "VND2", 1_23400), (Decimal("0.001"), "VND2", 100),
    ("1.25", "XYZ", 1_25000),                          # outside the table: two digits
    ("10000000000", "IDR", 10**15),                    # the ledger's ceiling, 10^10 whole units
    (Decimal("1.000"), "VND", 1_00000),
])
def test_amount_is_read_exactly_in_ledger_units(value, currency, units):
    assert parsing.amount_parse(value, currency=currency, positive=True) == units


@pytest.mark.parametrize("value, currency", [
    ("12.345", "IDR"), (Decimal("12.345"), "IDR"), ("12.5", "VND"), (Decimal("0.1"), "VND"),
    ("1.2345", "VND2"), ("1.234", "XYZ"), ("1.000000000000000000000000000001", "IDR"),
])
def test_amount_with_more_fractional_digits_than_the_currency_is_invalid_types(value, currency):
    refused(Status.INVALID_TYPES, parsing.amount_parse, value, currency=currency, positive=False)


@pytest.mark.parametrize("value", [
    "-1", "+1", " 1", "1 ", "1e2", "1E2", "12.", ".5", "1.2.3", "", "abc", "\u0661\u0660", "0x10", "1_000",
    -1, Decimal("-0"), Decimal("-0.00"), Decimal("-12.5"), Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity"),
    True, False, 12.5, None, [], {}, Decimal("1e19"), Decimal("1e999999999"), 10**30,
    "10000000000.01", "10000000001", Decimal("10000000000.01"),
])
def test_amount_that_is_not_an_exact_non_negative_decimal_within_the_ledger_is_invalid_types(value):
    refused(Status.INVALID_TYPES, parsing.amount_parse, value, currency="IDR", positive=False)


def test_amount_zero_is_refused_for_a_bet_and_taken_for_a_result():
    for zero in (0, "0", "0.00", Decimal("0.0")):
        refused(Status.INVALID_TYPES, parsing.amount_parse, zero, currency="IDR", positive=True)
        assert parsing.amount_parse(zero, currency="IDR", positive=False) == 0


@pytest.mark.parametrize("zero, currency", [("0.000", "IDR"), ("0.00", "VND"), (Decimal("0.000"), "VND"),
                                            (Decimal("0E-9"), "VND2"), ("0.0000", "XYZ")])
def test_a_lost_result_of_zero_written_with_trailing_zeros_is_zero(zero, currency):
    # Dialect: trailing zeros are not fractional digits ("12.500" is 12.5 for IDR); so "0.000"
    # is 0 whatever the currency's digits, and a loss sent so is recorded, not refused.
    assert parsing.amount_parse(zero, currency=currency, positive=False) == 0
    refused(Status.INVALID_TYPES, parsing.amount_parse, zero, currency=currency, positive=True)


# --- one call: required fields first, then types (spec 3.1 - 3.4) ------------------------------

BET = {"player_id": "CLi3000001", "l_token": "tok-1", "currency": "IDR", "game_id": 301, "round_id": "rd-1",
       "txn_id": "t-1", "txn_ticket": "tk-1", "amount": "12.50"}
RESULT = {k: v for k, v in BET.items() if k != "l_token"} | {"amount": 0}
ROLLBACK = {"player_id": "CLi3000001", "currency": "IDR", "game_id": "301", "txn_id": "rb-1", "txn_ticket": "tk-1"}
BALANCE = {"player_id": 3000001, "currency": "IDR"}


def test_bet_is_parsed_into_its_fields():
    call = parsing.call_parse("bet", dict(BET))
    assert call == parsing.WalletCall(call="bet", player_id="CLi3000001", currency="IDR", txn_id="t-1",
                                      txn_ticket="tk-1", game_id="301", round_id="rd-1", l_token="tok-1",
                                      amount=12_50000)


def test_result_is_parsed_into_its_fields_and_may_be_zero():
    call = parsing.call_parse("result", dict(RESULT))
    assert (call.call, call.player_id, call.currency, call.game_id, call.round_id, call.txn_id, call.txn_ticket,
            call.amount, call.l_token) == ("result", "CLi3000001", "IDR", "301", "rd-1", "t-1", "tk-1", 0, "")


def test_rollback_is_parsed_into_its_fields():
    call = parsing.call_parse("rollback", dict(ROLLBACK) | {"amount": "oops", "round_id": ["ignored"]})
    assert (call.call, call.player_id, call.currency, call.game_id, call.txn_id, call.txn_ticket,
            call.round_id, call.amount) == ("rollback", "CLi3000001", "IDR", "301", "rb-1", "tk-1", "", 0)


def test_balance_is_parsed_into_player_and_currency():
    call = parsing.call_parse("balance", dict(BALANCE))
    assert (call.call, call.player_id, call.currency, call.txn_id, call.game_id) == (
        "balance", "3000001", "IDR", "", "")


@pytest.mark.parametrize("call, fields", [("bet", BET), ("result", RESULT), ("rollback", ROLLBACK), ("balance", BALANCE)])
def test_each_required_field_missing_or_null_is_invalid_syntax(call, fields):
    optional = {"rollback": ("currency", "game_id")}.get(call, ())  # issue 22: taken from the bet
    for name in (n for n in fields if n not in optional):
        body = {k: v for k, v in fields.items() if k != name}
        refused(Status.INVALID_SYNTAX, parsing.call_parse, call, body)
        refused(Status.INVALID_SYNTAX, parsing.call_parse, call, body | {name: None})


def test_missing_field_wins_over_a_bad_type():
    body = {k: v for k, v in BET.items() if k != "txn_id"} | {"amount": "-1", "player_id": True}
    refused(Status.INVALID_SYNTAX, parsing.call_parse, "bet", body)


@pytest.mark.parametrize("name, bad", [
    ("player_id", True), ("player_id", ""), ("player_id", "p" * 129), ("l_token", 1.5), ("l_token", "t" * 129),
    ("currency", 12), ("currency", ""), ("currency", "C" * 17), ("game_id", "g" * 65), ("game_id", []),
    ("round_id", "r" * 129), ("round_id", {}), ("txn_id", "x" * 129), ("txn_id", False),
    ("txn_ticket", "k" * 129), ("txn_ticket", Decimal("1")), ("amount", "-1"), ("amount", 0), ("amount", "12.345"),
])
def test_bet_field_of_the_wrong_type_or_length_is_invalid_types(name, bad):
    refused(Status.INVALID_TYPES, parsing.call_parse, "bet", dict(BET) | {name: bad})


def test_ids_up_to_where_they_are_stored_are_taken():
    call = parsing.call_parse("bet", dict(BET) | {"game_id": "g" * 64, "round_id": "r" * 128, "txn_id": "x" * 128,
                                                  "txn_ticket": "k" * 128, "l_token": "t" * 128,
                                                  "player_id": "p" * 128, "currency": "C" * 16})
    assert (len(call.game_id), len(call.round_id), len(call.txn_id), len(call.txn_ticket), len(call.l_token),
            len(call.player_id), len(call.currency)) == (64, 128, 128, 128, 128, 128, 16)


def test_result_amount_must_be_a_non_negative_amount_of_the_currency():
    refused(Status.INVALID_TYPES, parsing.call_parse, "result", dict(RESULT) | {"amount": "-0.01"})
    # Issue 22 point 9: a result with more fraction digits than the wire table is owed money, taken
    # exactly while the ledger holds it (5 digits), refused only beyond.
    assert parsing.call_parse("result", dict(RESULT) | {"amount": "1.5", "currency": "VND"}).amount == 1_50000
    assert parsing.call_parse("result", dict(RESULT) | {"amount": "0.00001", "currency": "IDR"}).amount == 1
    refused(Status.INVALID_TYPES, parsing.call_parse, "result", dict(RESULT) | {"amount": "0.000001", "currency": "IDR"})
    assert parsing.call_parse("result", dict(RESULT) | {"amount": "1.5", "currency": "VND2"}).amount == 1_50000


def test_fingerprint_of_a_bet_or_result_is_player_currency_game_round_ticket_and_amount():
    # Spec 3.2 rule 1: the fields that make two calls with one txn_id the same call.
    call = parsing.call_parse("bet", dict(BET))
    assert call.fingerprint_fields() == {"player_id": "CLi3000001", "currency": "IDR", "game_id": "301",
                                         "round_id": "rd-1", "txn_ticket": "tk-1", "amount": 12_50000}
    assert parsing.call_parse("result", dict(RESULT)).fingerprint_fields() == {
        "player_id": "CLi3000001", "currency": "IDR", "game_id": "301", "round_id": "rd-1", "txn_ticket": "tk-1",
        "amount": 0}


def test_fingerprint_of_a_rollback_is_player_and_ticket():
    assert parsing.call_parse("rollback", dict(ROLLBACK)).fingerprint_fields() == {
        "player_id": "CLi3000001", "txn_ticket": "tk-1"}


# --- batches (spec 3.5) -------------------------------------------------------------------------

def test_batch_items_are_the_transactions_list():
    items = [dict(BET, type="bet"), dict(ROLLBACK, type="rollback")]
    assert parsing.batch_items({"transactions": items}) == items
    assert len(parsing.batch_items({"transactions": [{}] * 500})) == 500


@pytest.mark.parametrize("transactions", [{"type": "bet"}, "bet", 1, [1], [{}, []], [None], [{}, "x"]])
def test_batch_that_is_not_a_list_of_objects_is_invalid_types(transactions):
    refused(Status.INVALID_TYPES, parsing.batch_items, {"transactions": transactions})


@pytest.mark.parametrize("count", [0, 501])
def test_batch_empty_or_above_five_hundred_items_is_invalid_syntax(count):
    refused(Status.INVALID_SYNTAX, parsing.batch_items, {"transactions": [{}] * count})


@pytest.mark.parametrize("kind", ["bet", "result", "rollback"])
def test_batch_item_type_names_its_call(kind):
    fields = {"bet": BET, "result": RESULT, "rollback": ROLLBACK}[kind]
    call = parsing.item_parse(dict(fields, type=kind))
    assert call.call == kind and call.txn_id == fields["txn_id"]


@pytest.mark.parametrize("kind", ["balance", "transactions", "BET", "Bet", "", None, 1, ["bet"]])
def test_batch_item_of_an_unknown_type_is_invalid_syntax(kind):
    item = dict(BET, type=kind)
    refused(Status.INVALID_SYNTAX, parsing.item_parse, item)


def test_batch_item_without_a_type_is_invalid_syntax():
    refused(Status.INVALID_SYNTAX, parsing.item_parse, dict(BET))


def test_batch_item_missing_a_field_is_invalid_syntax_and_a_bad_one_invalid_types():
    refused(Status.INVALID_SYNTAX, parsing.item_parse, {k: v for k, v in BET.items() if k != "l_token"} | {"type": "bet"})
    refused(Status.INVALID_TYPES, parsing.item_parse, dict(BET, type="bet", amount=0))


def test_refused_carries_its_status():
    error = Refused(Status.INVALID_TYPES)
    assert error.status == Status.INVALID_TYPES and error.args == (Status.INVALID_TYPES,)
