"""Fuzzing the 1G endpoints: whatever arrives (random bytes, arbitrary JSON, envelopes with odd
fields, signed or not), the answer is HTTP 200, a JSON object whose `status` is one of the
spec's codes (section 5), and the ledger's invariants hold."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.onegaming.codes import Status
from tests.onegaming.wire import sign, stamp
from wallet.checks import ledger_violations

CALLS = ["balance", "bet", "result", "rollback", "transactions"]
STATUSES = {str(s) for s in Status}
FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# JSON literals written as text, so that forms json.dumps never makes (exponents, -0, huge
# integers, escapes of NUL and lone surrogates) reach the server too.
ODD_LITERALS = ["null", "true", "false", "0", "-0", "-1", "1e2", "1E-3", "1e999999999", "-0.0", "12.345",
                "100.00", "1" + "0" * 40, "1" + "0" * 5000, '"\\u0000"', '"\\ud800"', '"\\udfff\\ud800"', '""',
                '"12.50"', '"1e2"', '" 1"', '"-1"', '"\\u0661"', "[]", "{}", '[{"type":"bet"}]', '"CLi3000001"',
                '"IDR"', '"VND"', '"VND2"', "301", '"301"']
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3),
    max_leaves=8,
)
literals = st.sampled_from(ODD_LITERALS) | json_values.map(json.dumps)

FIELDS = ["player_id", "l_token", "currency", "game_id", "round_id", "txn_id", "txn_ticket", "amount", "type",
          "request_id", "datetime", "agent_code", "transactions"]
GOOD = {"player_id": '"CLi3000001"', "currency": '"IDR"', "game_id": "301", "round_id": '"R1"',
        "txn_id": '"B1"', "txn_ticket": '"T1"', "amount": '"10.00"', "agent_code": '"IGBO"'}


def _object(fields: dict[str, str]) -> str:
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in fields.items()) + "}"


@st.composite
def items(draw) -> str:
    """A `transactions` item: mostly well-formed, some fields odd or missing."""
    fields = {"type": json.dumps(draw(st.sampled_from(["bet", "result", "rollback", "lottery"])))}
    for name in ("player_id", "l_token", "currency", "game_id", "round_id", "txn_id", "txn_ticket", "amount"):
        choice = draw(st.integers(0, 9))
        if choice == 0:
            continue
        fields[name] = draw(literals) if choice == 1 else GOOD.get(name, '"x"')
    return _object(fields)


@st.composite
def envelopes(draw, token: str) -> bytes:
    """A body with a known agent and a fresh datetime, its other fields drawn from good and odd values."""
    good = {**GOOD, "request_id": '"fz"', "datetime": json.dumps(stamp()), "l_token": json.dumps(token)}
    fields: dict[str, str] = {}
    for name in FIELDS:
        choice = draw(st.integers(0, 7))
        if choice == 0:
            continue
        if name == "transactions":
            fields[name] = "[" + ",".join(draw(st.lists(items(), max_size=4))) + "]" if choice > 2 else draw(literals)
        elif choice == 1 and name not in ("agent_code", "datetime"):
            fields[name] = draw(literals)
        else:
            fields[name] = good.get(name, '"bet"')
    fields.update(draw(st.dictionaries(st.text(max_size=5), literals, max_size=2)))
    return _object(fields).encode()


def _assert_spec_answer(response) -> dict:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    answer = json.loads(response.content, parse_float=Decimal)
    assert isinstance(answer, dict) and answer["status"] in STATUSES
    for result in answer.get("results", []):
        assert result["status"] in STATUSES
    return answer


def _post(client, call: str, raw: bytes, *, signed: bool):
    signature = sign("s3cr3t-1g", raw) if signed else "0" * 64
    return client.post(f"/api/onegaming/{call}", data=raw, content_type="application/json",
                       HTTP_UG_DATA_SIGNATURE=signature)


@pytest.fixture
def token(onegaming, rich_player):
    from tests.onegaming.wire import launch

    return launch(onegaming, rich_player, token="fuzz-token").token


@FUZZ
@given(call=st.sampled_from(CALLS), raw=st.binary(max_size=200), signed=st.booleans())
def test_random_bytes(client, onegaming, rich_player, call, raw, signed):
    _assert_spec_answer(_post(client, call, raw, signed=signed))
    assert ledger_violations() == []


@FUZZ
@given(call=st.sampled_from(CALLS), body=json_values, signed=st.booleans())
def test_arbitrary_json(client, onegaming, rich_player, call, body, signed):
    raw = json.dumps(body).encode()
    _assert_spec_answer(_post(client, call, raw, signed=signed))
    assert ledger_violations() == []


@FUZZ
@given(data=st.data(), call=st.sampled_from(CALLS))
def test_signed_envelopes_with_odd_fields(client, onegaming, rich_player, token, data, call):
    raw = data.draw(envelopes(token))
    answer = _assert_spec_answer(_post(client, call, raw, signed=True))
    if call == "transactions" and answer["status"] == "OK":
        assert len(answer["results"]) == len(json.loads(raw)["transactions"])
    assert ledger_violations() == []


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.dictionaries(st.sampled_from(["agent_code", "player_id", "l_token", "bcode", "game_code"]),
                              st.text(max_size=20), max_size=5),
       method=st.sampled_from(["get", "post"]))
def test_ig_poker_validation_never_crashes(client, onegaming, rich_player, token, params, method):
    response = getattr(client, method)("/api/onegaming/igPokerValidation", params) if method == "get" else \
        client.post("/api/onegaming/igPokerValidation?" + "&".join(f"{k}=x" for k in params), params)
    assert response.status_code == 200
    answer = json.loads(response.content)
    assert isinstance(answer, dict) and answer["status"] in STATUSES
