"""The sandbox's stand-in for 1G's transfer API (spec section 4): signatures, wallets, replays,
records, and each injectable fault. Signatures here are computed from the spec's formula."""

import hashlib
import hmac
import json
import re
from decimal import Decimal

import httpx
import pytest
from django.urls import reverse

from lobby.adapters import LaunchRequest, adapter_for
from lobby.models import WalletMode
from providers.sandbox import transfer_api
from tests.factories import OneGamingIntegrationFactory, UserFactory
from wallet.models import Account, Transfer

SECRET = "tr-secret"
AGENT = "TRDEMO"
DT = "2026-11-29T10:00:00.000Z"


@pytest.fixture(autouse=True)
def _sandbox_on(settings):
    """A default install has the sandbox off (only `make run` turns it on): these tests turn it on."""
    settings.SANDBOX_ENABLED = True


@pytest.fixture
def transfer_1g(db):
    return OneGamingIntegrationFactory(code="og-transfer", agent_code=AGENT, secret=SECRET, mode=WalletMode.TRANSFER,
                                       api_base_url="http://testserver/sandbox/onegaming")


def _post(client, name, payload, *, agent=AGENT, secret=SECRET, signature=None, sub_agent=None):
    body = json.dumps({"datetime": DT, **payload}).encode() if isinstance(payload, dict) else payload
    headers = {"HTTP_UG_AGENT": agent,
               "HTTP_UG_DATA_SIGNATURE": signature or hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()}
    if sub_agent is not None:
        headers["HTTP_UG_SUB_AGENT"] = sub_agent
    return client.post(f"/sandbox/onegaming/{name}", data=body, content_type="application/json", **headers)


def _json(response):
    return json.loads(response.content, parse_float=Decimal)


def _created(client, player_id="CLi3000001", currency="IDR"):
    assert _json(_post(client, "wallet/create", {"player_id": player_id, "username": "Mikha",
                                                 "currency": currency}))["status"] == "OK"


def _move(client, kind, transfer_id, amount, player_id="CLi3000001", currency="IDR"):
    return _post(client, f"wallet/{kind}", {"player_id": player_id, "transfer_id": transfer_id,
                                            "currency": currency, "amount": amount})


def _balance(client, player_id="CLi3000001"):
    return _json(_post(client, "wallet/balance", {"player_id": player_id}))


def test_create_then_create_again(client, transfer_1g):
    _created(client)
    again = _post(client, "wallet/create", {"player_id": "CLi3000001", "username": "Mikha", "currency": "IDR"})
    assert _json(again) == {"status": "USER_EXIST"}


def test_balance_of_an_unknown_player_and_of_a_new_wallet(client, transfer_1g):
    assert _balance(client) == {"status": "USER_NOT_EXIST"}
    _created(client)
    response = _post(client, "wallet/balance", {"player_id": "CLi3000001"})
    assert response.content == b'{"status":"OK","player_id":"CLi3000001","currency":"IDR","balance":0.00}'


def test_deposit_then_withdraw_with_exact_balances(client, transfer_1g):
    _created(client)
    assert _move(client, "deposit", "t-1", "12.50").content == b'{"status":"OK","transfer_id":"t-1","balance":12.50}'
    assert _json(_move(client, "withdraw", "t-2", 2.25)) == {"status": "OK", "transfer_id": "t-2",
                                                            "balance": Decimal("10.25")}
    assert _balance(client)["balance"] == Decimal("10.25")


def test_a_repeated_transfer_id_gets_the_first_answer_and_moves_nothing(client, transfer_1g):
    _created(client)
    first = _json(_move(client, "deposit", "t-1", "5"))
    assert _json(_move(client, "deposit", "t-1", "5")) == first
    assert _json(_move(client, "deposit", "t-1", "900")) == first  # even with another body
    assert _json(_move(client, "withdraw", "t-1", "5")) == first
    assert _balance(client)["balance"] == Decimal("5.00")


def test_refusals(client, transfer_1g):
    _created(client)
    assert _json(_move(client, "withdraw", "w-1", "1")) == {"status": "INSUFFICIENT_CREDIT"}
    assert _json(_move(client, "deposit", "d-1", "1", currency="USD")) == {"status": "INVALID_CURRENCY"}
    assert _json(_move(client, "deposit", "d-2", "1.001")) == {"status": "INVALID_TYPES"}  # IDR has 2 digits
    assert _json(_move(client, "deposit", "d-3", "-1")) == {"status": "INVALID_TYPES"}
    assert _json(_move(client, "deposit", "d-4", "1", player_id="nobody")) == {"status": "USER_NOT_EXIST"}
    assert _balance(client)["balance"] == Decimal("0.00")
    # A refused transfer is final: its retry gets the refusal again, even once the money is there.
    _move(client, "deposit", "d-5", "3")
    assert _json(_move(client, "withdraw", "w-1", "1")) == {"status": "INSUFFICIENT_CREDIT"}


def test_the_caller_must_be_a_signed_transfer_mode_sandbox_agent(client, transfer_1g):
    payload = {"player_id": "CLi3000001"}
    assert _json(_post(client, "wallet/balance", payload, signature="00" * 32)) == {"status": "INVALID_SIGNATURE"}
    assert _json(_post(client, "wallet/balance", payload, secret="other")) == {"status": "INVALID_SIGNATURE"}
    assert _json(_post(client, "wallet/balance", payload, agent="NOPE")) == {"status": "INVALID_PARTNER"}
    OneGamingIntegrationFactory(agent_code="SEAM", secret=SECRET, api_base_url="http://testserver/sandbox/onegaming")
    assert _json(_post(client, "wallet/balance", payload, agent="SEAM")) == {"status": "INVALID_PARTNER"}
    transfer_1g.sub_agent = "sub-1"
    transfer_1g.save()
    assert _json(_post(client, "wallet/balance", payload)) == {"status": "INVALID_PARTNER"}
    assert _json(_post(client, "wallet/balance", payload, sub_agent="sub-1")) == {"status": "USER_NOT_EXIST"}


def test_a_body_without_datetime_or_not_json_is_invalid_syntax(client, transfer_1g):
    body = b'{"player_id":"CLi3000001"}'
    assert _json(_post(client, "wallet/balance", body)) == {"status": "INVALID_SYNTAX"}
    assert _json(_post(client, "wallet/balance", b"not json")) == {"status": "INVALID_SYNTAX"}
    assert client.get("/sandbox/onegaming/wallet/balance").status_code == 405


def test_records_by_period_page_player_and_transfer_id(client, transfer_1g, monkeypatch):
    monkeypatch.setattr(transfer_api, "RECORDS_PAGE_SIZE", 2)
    _created(client)
    _created(client, player_id="P2")
    _move(client, "deposit", "a", "10")
    _move(client, "withdraw", "b", "4")
    _move(client, "withdraw", "c", "100")  # refused: a FAILED record
    _move(client, "deposit", "d", "1", player_id="P2")
    period = {"start_time": "2000-01-01T00:00:00Z", "end_time": "2100-01-01 00:00:00"}
    pages = [_json(_post(client, "wallet/records", {**period, "page": n})) for n in (1, 2, 3)]
    assert [p["total_pages"] for p in pages] == [2, 2, 2]
    assert [[r["transfer_id"] for r in p["records"]] for p in pages] == [["a", "b"], ["c", "d"], []]
    assert pages[0]["records"][0] == {"transfer_id": "a", "player_id": "CLi3000001", "type": "deposit",
                                      "currency": "IDR", "amount": Decimal("10.00"), "status": "OK",
                                      "created_at": pages[0]["records"][0]["created_at"]}
    assert pages[1]["records"][0]["status"] == "FAILED"
    one = _json(_post(client, "wallet/records", {**period, "page": 1, "transfer_id": "b"}))
    assert [r["transfer_id"] for r in one["records"]] == ["b"]
    p2 = _json(_post(client, "wallet/records", {**period, "page": 1, "player_id": "P2"}))
    assert [r["transfer_id"] for r in p2["records"]] == ["d"]
    past = _json(_post(client, "wallet/records", {"start_time": "2000-01-01T00:00:00Z",
                                                   "end_time": "2000-01-02T00:00:00Z", "page": 1}))
    assert past["records"] == [] and past["total_pages"] == 1
    assert _json(_post(client, "wallet/records", {"page": 1})) == {"status": "INVALID_SYNTAX"}


def test_games_lists_the_seed_catalogue(client, transfer_1g):
    answer = _json(_post(client, "games", {}))
    assert answer["status"] == "OK" and len(answer["games"]) == 20
    poker = next(g for g in answer["games"] if g["game_id"] == 601)
    assert {k: poker[k] for k in ("category", "brand", "type")} == {"category": "P2P", "brand": "1GPoker",
                                                                  "type": "lobby"}


# --- faults ---------------------------------------------------------------------------------


@pytest.fixture
def funded(client, transfer_1g):
    _created(client)
    _move(client, "deposit", "seed", "100")


def test_fault_unknown_error_moves_nothing_and_the_retry_applies(client, funded):
    transfer_api.fault_set("unknown_error", endpoint="deposit")
    assert _json(_move(client, "deposit", "t-1", "5")) == {"status": "UNKNOWN_ERROR"}
    assert _balance(client)["balance"] == Decimal("100.00")
    assert _json(_move(client, "deposit", "t-1", "5"))["balance"] == Decimal("105.00")


@pytest.mark.parametrize("fault, http_status", [("http_500", 500), ("http_400_bare", 400)])
def test_fault_http_error_without_status_moves_nothing(client, funded, fault, http_status):
    transfer_api.fault_set(fault, endpoint="withdraw")
    response = _move(client, "withdraw", "t-1", "5")
    assert response.status_code == http_status and b"status" not in response.content
    assert _balance(client)["balance"] == Decimal("100.00")
    assert _json(_move(client, "withdraw", "t-1", "5"))["balance"] == Decimal("95.00")


def test_fault_http_400_with_a_status_is_a_final_refusal(client, funded):
    transfer_api.fault_set("http_400_status", endpoint="deposit", status="USER_DISABLED")
    response = _move(client, "deposit", "t-1", "5")
    assert response.status_code == 400 and _json(response) == {"status": "USER_DISABLED"}
    again = _move(client, "deposit", "t-1", "5")
    assert again.status_code == 400 and _json(again) == {"status": "USER_DISABLED"}
    assert _balance(client)["balance"] == Decimal("100.00")
    rows = _json(_post(client, "wallet/records", {"start_time": 0, "end_time": 4102444800000, "page": 1,
                                                  "transfer_id": "t-1"}))["records"]
    assert [r["status"] for r in rows] == ["FAILED"]


def test_fault_lose_answer_applies_then_answers_502_and_the_retry_gets_the_first_answer(client, funded):
    transfer_api.fault_set("lose_answer", endpoint="deposit")
    lost = _move(client, "deposit", "t-1", "5")
    assert lost.status_code == 502 and b"status" not in lost.content
    assert _balance(client)["balance"] == Decimal("105.00")
    assert _json(_move(client, "deposit", "t-1", "5")) == {"status": "OK", "transfer_id": "t-1",
                                                           "balance": Decimal("105.00")}
    assert _balance(client)["balance"] == Decimal("105.00")


def test_fault_delay_answers_late_and_applies(client, funded, monkeypatch):
    slept = []
    monkeypatch.setattr(transfer_api.time, "sleep", slept.append)
    transfer_api.fault_set("delay", endpoint="deposit", seconds=30)
    assert _json(_move(client, "deposit", "t-1", "5"))["balance"] == Decimal("105.00")
    assert slept == [30.0]


def test_fault_repeat_answer_answers_the_previous_transfer_and_moves_nothing(client, funded):
    transfer_api.fault_set("repeat_answer", endpoint="withdraw")
    answer = _json(_move(client, "withdraw", "t-2", "7"))
    assert answer == {"status": "OK", "transfer_id": "seed", "balance": Decimal("100.00")}
    assert _balance(client)["balance"] == Decimal("100.00")


def test_faults_count_down_and_match_their_endpoint(client, funded):
    transfer_api.fault_set("unknown_error", endpoint="deposit", times=2)
    assert _balance(client)["status"] == "OK"  # other endpoints are untouched
    assert [_json(_move(client, "deposit", f"t-{n}", "1"))["status"] for n in range(3)] == [
        "UNKNOWN_ERROR", "UNKNOWN_ERROR", "OK"]
    transfer_api.fault_set("http_500", times=0)  # any endpoint, until cleared
    statuses = [_post(client, "wallet/balance", {"player_id": "CLi3000001"}).status_code for _ in range(3)]
    assert statuses == [500, 500, 500]
    transfer_api.faults_clear()
    assert _balance(client)["status"] == "OK"


def test_the_fault_page_is_for_staff_only(client, transfer_1g):
    url = reverse("sandbox:onegaming-faults")
    assert client.get(url).status_code == 302
    client.force_login(UserFactory(username="player"))
    assert client.post(url, {"fault": "http_500"}).status_code == 302
    assert transfer_api.faults() == []
    client.force_login(UserFactory(username="ops", is_staff=True))
    client.post(url, {"fault": "http_500", "endpoint": "deposit", "times": "3"})
    assert [(r["fault"], r["endpoint"], r["times"]) for r in transfer_api.faults()] == [("http_500", "deposit", 3)]
    assert b"http_500" in client.get(url).content
    assert b"unknown fault" in client.post(url, {"fault": "explode"}).content
    client.post(url, {"action": "clear"})
    assert transfer_api.faults() == []


# --- the transfer-mode lobby, against a live server ------------------------------------------


def _hidden(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


@pytest.mark.django_db(transaction=True)
def test_the_transfer_lobby_plays_against_the_sandbox_wallet(live_server, rich_player):
    integration = OneGamingIntegrationFactory(code="og-transfer", agent_code=AGENT, secret=SECRET,
                                              mode=WalletMode.TRANSFER,
                                              api_base_url=f"{live_server.url}/sandbox/onegaming")
    signed = {}
    for name, payload in (("wallet/create", {"player_id": "CLi3000001", "username": "Mikha", "currency": "IDR"}),
                          ("wallet/deposit", {"player_id": "CLi3000001", "transfer_id": "in-1", "currency": "IDR",
                                              "amount": "40"})):
        body = json.dumps({"datetime": DT, **payload}).encode()
        signed[name] = httpx.post(f"{live_server.url}/sandbox/onegaming/{name}", content=body, timeout=30, headers={
            "UG-Agent": AGENT, "UG-Data-Signature": hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()}).json()
    assert signed["wallet/deposit"]["status"] == "OK"
    wallet = Account.objects.get(player=rich_player, currency_id="IDR", kind="wallet")
    transfers_before = Transfer.objects.count()
    launched = adapter_for(integration).launch(LaunchRequest(
        integration=integration, player=rich_player, game=None, device="desktop", method="iframe", wallet=wallet))
    page = httpx.get(launched.url, timeout=30).text
    assert "igPokerValidation → <strong>OK</strong>" in page and "40.00 IDR" in page
    action = f"{live_server.url}/sandbox/onegaming/transfer/round"
    bet = httpx.post(action, data={**_hidden(page), "game_id": "601", "amount": "15", "action": "bet"}, timeout=30).text
    assert "25.00 IDR" in bet
    win = httpx.post(action, data={**_hidden(bet), "action": "win"}, timeout=30).text
    assert "55.00 IDR" in win
    assert transfer_api.wallet_get(AGENT, "CLi3000001")["balance"] == 55 * 100000
    wallet.refresh_from_db()
    assert wallet.balance == 1500 * 100000 and Transfer.objects.count() == transfers_before  # our ledger untouched
    forged = httpx.post(action, data={**_hidden(win), "l_token": "forged", "action": "bet"}, timeout=30).text
    assert "INVALID_TOKEN" in forged
    # The open bet lives at the sandbox, not in the form: an edited "bet" field cannot raise a win.
    # (a launch without a game opens 1G's lobby product: each bet names the game chosen there)
    bet = httpx.post(action, data={**_hidden(win), "game_id": "601", "amount": "5", "action": "bet"}, timeout=30).text
    edited = httpx.post(action, data={**_hidden(bet), "bet": "99999999", "action": "win"}, timeout=30).text
    assert "60.00 IDR" in edited
