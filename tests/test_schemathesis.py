"""Schemathesis against the app's own OpenAPI description of both providers' callbacks (issue 11,
hostile input): for every 1G and Oppi callback operation in /api/schema, requests generated from
the schema (valid ones and, for the POST bodies, schema-violating ones) get HTTP 200 JSON whose
`status` (and each batch item's) is one of that provider's spec statuses (tests/spec_statuses.py);
never a 5xx, never another HTTP status.

Schemathesis only generates: each case is sent in-process through Django's test client. Most
cases are signed the way the provider signs (the spec's formulas, hmac here) with the test
integration's keys, and some get a known player, session and a fresh `datetime`, so that they pass
the envelope checks and reach the body checks and the money rules; the rest stay as generated
(unsigned garbage: the refusals); a third also gets a catalogue game and amounts the currency can
hold. The ledger is checked afterwards. Examples are few per operation
(CI budget); `SCHEMATHESIS_EXAMPLES=500` explores more.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests import spec_statuses
from tests.onegaming.wire import launch as onegaming_launch
from tests.oppi.conftest import GAME, SESSION
from tests.oppi.conftest import launch as oppi_launch
from wallet.checks import ledger_violations

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "40"))
# The callback operations (docs operations.md, "Callback endpoints"), written out: a path missing
# from the schema fails the test instead of being skipped silently.
ONEGAMING_POSTS = ["/api/onegaming/balance", "/api/onegaming/bet", "/api/onegaming/result", "/api/onegaming/rollback",
                   "/api/onegaming/transactions"]
OPPI_POSTS = ["/api/oppi/user/balance", "/api/oppi/transaction/bet", "/api/oppi/transaction/payout",
              "/api/oppi/transaction/reward", "/api/oppi/transaction/rollback"]
VALIDATION = "/api/onegaming/igPokerValidation"
AGENT, SECRET_1G = "IGBO", "s3cr3t-1g"
API_KEY, SECRET_OPPI = "oppi-auth-key", "s3cr3t-oppi"
PLAYER = "CLi3000001"
L_TOKEN = "lt-schemathesis-1"

_schema = {}


@pytest.fixture
def schema(client):
    if "document" not in _schema:
        response = client.get("/api/schema", HTTP_ACCEPT="application/json")
        assert response.status_code == 200
        _schema["document"] = schemathesis.openapi.from_dict(response.json())
    return _schema["document"]


@pytest.fixture
def world(onegaming, oppi, rich_player):
    from lobby.models import Game

    Game.objects.create(integration=oppi, provider="oppi", game_id=GAME, name="Crash", enabled=True)
    onegaming_launch(onegaming, rich_player, token=L_TOKEN, minutes_valid=600)
    oppi_launch(oppi, rich_player)
    yield
    assert ledger_violations() == []


def _cases(operation):
    return st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))


def _fuzz(operation, send) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much, HealthCheck.data_too_large])
    @given(case=_cases(operation), signed=st.sampled_from([True, True, True, False]), known=st.integers(0, 2))
    def run(case, signed, known):
        send(case, signed, known)

    run()


def _raw(body) -> bytes:
    if isinstance(body, (bytes, bytearray)):
        return bytes(body)
    return json.dumps(body, separators=(",", ":")).encode()


def _answer(response, statuses: frozenset, what: str) -> dict:
    assert response.status_code == 200, f"{what}: HTTP {response.status_code} {response.content[:300]!r}"
    answer = json.loads(response.content)
    assert isinstance(answer, dict) and answer.get("status") in statuses, f"{what}: {answer!r}"
    return answer


def _plausible(body: dict, amount_fields: tuple[str, ...], scale: int) -> dict:
    """Level 2: a catalogue game and amounts the currency can hold, so the money rules run too."""
    out = dict(body)
    for name in amount_fields:
        value = out.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = round(abs(value) % 1000, 2) if scale == 2 else int(abs(value)) % 10**8
    return out


def _stamp() -> str:
    return timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z")


@pytest.mark.parametrize("path", ONEGAMING_POSTS)
def test_onegaming_callbacks_answer_spec_statuses_to_schema_generated_requests(client, schema, world, path):
    def send(case, signed, known):
        body = case.body
        if signed and isinstance(body, dict):
            body = {**body, "agent_code": AGENT}
            if known:
                body.update({"datetime": _stamp(), "player_id": PLAYER, "currency": "IDR", "l_token": L_TOKEN})
            if known == 2:
                body = _plausible({**body, "game_id": "301"}, ("amount",), 2)
        raw = _raw(body) if body is not None else b""
        headers = {k: v for k, v in (case.headers or {}).items() if isinstance(v, str)}
        if signed:
            headers["UG-Data-Signature"] = hmac.new(SECRET_1G.encode(), raw, hashlib.sha256).hexdigest()
            headers.pop("UG-Sub-Agent", None)
        response = client.post(path, data=raw, content_type="application/json", headers=headers)
        answer = _answer(response, spec_statuses.ONEGAMING, f"{path} {raw[:200]!r}")
        for item in answer.get("results") or []:
            assert item.get("status") in spec_statuses.ONEGAMING, f"{path} item {item!r}"

    _fuzz(schema[path]["POST"], send)


@pytest.mark.parametrize("path", OPPI_POSTS)
def test_oppi_callbacks_answer_spec_statuses_to_schema_generated_requests(client, schema, world, path):
    def send(case, signed, known):
        body = case.body
        if known and isinstance(body, dict):
            body = {**body, "sessionId": SESSION, "playerId": PLAYER, "gameId": GAME, "currency": "IDR"}
        if known == 2 and isinstance(body, dict):
            body = _plausible(body, ("amount", "rewardedAmount"), 0)
        raw = _raw(body) if body is not None else b""
        headers = {k: v for k, v in (case.headers or {}).items() if isinstance(v, str)}
        if signed:
            stamp = str(time.time_ns() // 1_000_000)
            headers.update({"x-api-key": API_KEY, "x-timestamp": stamp, "x-signature": hmac.new(
                SECRET_OPPI.encode(), raw + b"|" + stamp.encode(), hashlib.sha256).hexdigest()})
        response = client.post(path, data=raw, content_type="application/json", headers=headers)
        answer = _answer(response, spec_statuses.OPPI, f"{path} {raw[:200]!r}")
        for item in answer.get("data") or []:
            assert item.get("status") in spec_statuses.OPPI, f"{path} item {item!r}"

    _fuzz(schema[path]["POST"], send)


def test_onegaming_lobby_validation_answers_spec_statuses_to_schema_generated_queries(client, schema, world):
    def send(case, signed, known):
        query = {k: v for k, v in (case.query or {}).items() if v is not None}
        if known:
            query.update({"l_token": L_TOKEN, "agent_code": AGENT})
        response = client.get(VALIDATION, query)
        _answer(response, spec_statuses.ONEGAMING, f"{VALIDATION} {query!r}")

    _fuzz(schema[VALIDATION]["GET"], send)
