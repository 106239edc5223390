"""Fuzzing the five Oppi callbacks with hypothesis: whatever the body and headers, the answer is
HTTP 200, a JSON object whose status is one of the spec's, nothing unexpected is logged, the
call lands in the history and the ledger stays consistent.

Bodies range from random bytes through random JSON to valid calls with one or two fields
replaced by odd values (empty, NUL, lone surrogates, huge or fractional numbers, wrong types),
signed correctly most of the time so they reach the body checks and the business rules. Each
example runs in a savepoint rolled back afterwards, so every example starts from the same
wallet: a bet, a payout and a reward already applied.
"""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from providers.models import CallLog
from providers.oppi.codes import Status
from tests.oppi.conftest import GAME, SESSION, spec_signature
from wallet.checks import ledger_violations

pytestmark = pytest.mark.django_db

SPEC_STATUSES = {s.value for s in Status}
PATHS = ["user/balance", "transaction/bet", "transaction/payout", "transaction/reward", "transaction/rollback"]
IDS = ["f-bet", "f-pay", "f-rew", "f-1", "f-2", "rb-1"]
ODD_TEXT = ["", " ", "\x00", "a\x00b", "\ud800", "x\udfff", "é✓𝄞", "t" * 129, "g" * 65, "IDR", "USD", "idr",
            SESSION, "CLi3000001", "NOBODY", GAME]
ODD_NUMBERS = [0, -0, -1, 1, 10**15, 10**15 + 1, 2**63, -(2**63) - 1, 10**50, 1.5, -0.5, 1e2, 1e300]

leaves = st.one_of(
    st.none(), st.booleans(), st.sampled_from(ODD_TEXT), st.sampled_from(ODD_NUMBERS),
    st.integers(min_value=-(10**20), max_value=10**20), st.text(max_size=12),
    st.floats(allow_nan=False, allow_infinity=False),
)
json_values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=8)
ids = st.sampled_from(IDS + ["f-3", "f-4", "f-5"])
amounts = st.one_of(st.integers(0, 2000), st.integers(0, 2000), st.integers(0, 2_000_00000))
sessions = st.sampled_from([SESSION] * 8 + ["other-sess", "nope"])
players = st.sampled_from(["CLi3000001"] * 8 + ["OTHER1", "NOBODY"])
games = st.sampled_from([GAME] * 8 + ["oppi-dice"])
currencies = st.sampled_from(["IDR"] * 8 + ["USD", "EUR"])
FIELDS = {
    "user/balance": {"sessionId": sessions, "playerId": players},
    "transaction/bet": {"transactionId": ids, "sessionId": sessions, "playerId": players, "gameId": games,
                        "currency": currencies, "amount": amounts},
    "transaction/payout": {"transactionId": ids, "refTransactionId": ids, "sessionId": sessions, "playerId": players,
                           "gameId": games, "currency": currencies, "amount": amounts, "isWin": st.booleans()},
    "transaction/reward": {"transactionId": ids, "refTransactionId": st.sampled_from(["j-1", "j-2", "f-bet"]),
                           "sessionId": sessions, "rewardType": st.just("jackpot"), "playerId": players,
                           "gameId": games, "rewardedAmount": amounts},
}
ROLLBACK_ITEM = {"transactionId": st.sampled_from(["rb-1", "rb-2", "f-1"]), "refTransactionId": ids,
                 "sessionId": sessions, "playerId": players, "gameId": games}


@st.composite
def near_valid(draw, fields: dict) -> dict:
    """A valid object of these fields, then (sometimes) a field dropped or given an odd value."""
    value = {name: draw(strategy) for name, strategy in fields.items()}
    if "rewardedAmount" in value and draw(st.booleans()):
        value["currency"] = draw(currencies)
    names = sorted(fields)
    for _ in range(draw(st.sampled_from([0, 0, 0, 0, 1, 1, 2]))):
        name = draw(st.sampled_from(names))
        if draw(st.integers(0, 3)):
            value[name] = draw(st.one_of(leaves, leaves, json_values))
        else:
            value.pop(name, None)
    if not draw(st.integers(0, 4)):
        value[draw(st.text(max_size=6))] = draw(json_values)  # an extra field
    return value


@st.composite
def bodies(draw, path: str) -> bytes:
    kind = draw(st.sampled_from(["call"] * 6 + ["json", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "json":
        value = draw(json_values)
    elif path == "transaction/rollback":
        items = draw(st.lists(st.one_of(near_valid(ROLLBACK_ITEM), near_valid(ROLLBACK_ITEM), json_values),
                              min_size=draw(st.sampled_from([0, 1, 1, 1])), max_size=4))
        value = {"transactions": items} if draw(st.integers(0, 9)) else {"transactions": draw(json_values)}
    else:
        value = draw(near_valid(FIELDS[path]))
    text = json.dumps(value, ensure_ascii=draw(st.booleans()), separators=draw(st.sampled_from([(",", ":"), None])))
    return text.encode("utf-8", "surrogatepass")  # a lone surrogate unescaped is invalid UTF-8: so be it


header_text = st.text(alphabet=st.characters(max_codepoint=255), max_size=20)


@st.composite
def headers_for(draw, integration, body: bytes) -> dict:
    ts = str(time.time_ns() // 1_000_000 + draw(st.sampled_from([0] * 8 + [-400_000, 400_000])))
    good = {"x-api-key": integration.api_key, "x-timestamp": ts,
            "x-signature": spec_signature(integration.secret, body, ts)}
    if draw(st.integers(0, 6)):  # mostly signed right, to reach the body checks and rules
        return good
    headers = {}
    for name, value in good.items():
        choice = draw(st.sampled_from(["keep", "drop", "random"]))
        if choice == "keep":
            headers[name] = value
        elif choice == "random":
            headers[name] = draw(header_text)
    return headers


@pytest.fixture
def table(oppi_call, oppi, rich_player, session):
    """A bet with a payout and a reward already applied; another player with a session."""
    from tests.conftest import funded_wallet
    from tests.factories import PlayerFactory
    from tests.oppi.conftest import bet_body, launch, payout_body, reward_body

    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "1.00")
    launch(oppi, other, token="other-sess")
    assert oppi_call("transaction/bet", bet_body(txn="f-bet", amount=1000))["status"] == "RS_OK"
    assert oppi_call("transaction/payout", payout_body(txn="f-pay", ref="f-bet", amount=700, is_win=True))[
        "status"] == "RS_OK"
    assert oppi_call("transaction/reward", reward_body(txn="f-rew", ref="j-1", amount=300))["status"] == "RS_OK"
    return oppi


def _check(response, path: str, *, method: str = "post") -> None:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    answer = json.loads(response.content)
    assert isinstance(answer, dict) and answer["status"] in SPEC_STATUSES, answer
    if method != "post":
        assert answer == {"status": "RS_ERROR"}
    elif path == "transaction/rollback" and "data" in answer:
        assert all(item["status"] in SPEC_STATUSES and "transactionId" in item for item in answer["data"])
        assert answer["status"] == ("RS_OK" if all(i["status"] == "RS_OK" for i in answer["data"]) else "RS_ERROR")
    else:
        assert answer["status"] != "RS_ERROR", answer  # only an unexpected failure answers that
    assert isinstance(answer.get("balance", 0), int)


# A deeper run by hand: OPPI_FUZZ_EXAMPLES=2000 pytest tests/oppi/test_fuzz.py
EXAMPLES = int(os.environ.get("OPPI_FUZZ_EXAMPLES", "75"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@FUZZ
@given(data=st.data())
def test_fuzzed_calls_always_get_a_spec_answer(client, table, caplog, data):
    calls = data.draw(st.lists(st.sampled_from(PATHS), min_size=1, max_size=3))
    caplog.clear()
    with caplog.at_level(logging.WARNING), transaction.atomic():
        logged_before, moved_money = CallLog.objects.count(), False
        for path in calls:
            body = data.draw(bodies(path))
            headers = data.draw(headers_for(table, body))
            response = client.post(f"/api/oppi/{path}", data=body, content_type="application/json",
                                   headers=headers)
            _check(response, path)
            moved_money = moved_money or b'"RS_OK"' in response.content
        assert CallLog.objects.count() == logged_before + len(calls)  # every call in the history
        if moved_money:  # (the ledger check is the slow part: skip it when nothing can have moved)
            assert ledger_violations() == []
        transaction.set_rollback(True)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]


@settings(max_examples=max(EXAMPLES // 2, 40), deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), raw_headers=st.dictionaries(
    st.sampled_from(["x-api-key", "x-timestamp", "x-signature", "accept", "content-type", "x-forwarded-for"]),
    header_text, max_size=6), method=st.sampled_from(["post", "post", "get", "put", "patch", "delete", "options"]))
def test_fuzzed_headers_and_methods_always_get_a_spec_answer(client, table, caplog, path, raw_headers, method):
    caplog.clear()
    body = json.dumps({"sessionId": SESSION, "playerId": "CLi3000001"}).encode()
    with caplog.at_level(logging.WARNING), transaction.atomic():
        if method == "get":
            response = client.get(f"/api/oppi/{path}", headers=raw_headers)
        else:
            response = getattr(client, method)(f"/api/oppi/{path}", data=body, content_type="application/json",
                                               headers=raw_headers)
        _check(response, path, method=method)
        transaction.set_rollback(True)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
