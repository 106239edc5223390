"""Spec audit of Oppi's wallet callbacks: the whole check order in one walk, edge inputs that
once crashed or answered outside the spec, and rules no other test pinned down."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest

from lobby.models import LaunchSession
from providers.models import CallLog
from providers.oppi.codes import Status
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from tests.oppi.conftest import SESSION, bet_body, launch, payout_body, reward_body, rollback_item, spec_signature
from wallet.checks import ledger_report, ledger_violations
from wallet.models import Account, GameTransaction, Transfer
from wallet.services import player_set_enabled

pytestmark = pytest.mark.django_db

IDR_START = 1500_00000
BALANCE = {"sessionId": SESSION, "playerId": "CLi3000001"}
SPEC_STATUSES = {s.value for s in Status}


@pytest.fixture(autouse=True)
def _ledger_stays_consistent(db):
    yield
    assert ledger_violations() == []


def wallet(player, currency="IDR") -> int:
    return Account.objects.get(player=player, currency_id=currency, kind="wallet").balance


def _ms(offset_s: float = 0) -> str:
    return str(time.time_ns() // 1_000_000 + int(offset_s * 1000))


def _post(client, path: str, body: bytes, headers: dict, **extra):
    response = client.post(f"/api/oppi/{path}", data=body, content_type="application/json", headers=headers, **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/json")
    answer = response.json()
    assert answer["status"] in SPEC_STATUSES
    return answer


def _signed(integration, body: bytes, ts: str | None = None) -> dict:
    ts = ts or _ms()
    return {"x-api-key": integration.api_key, "x-timestamp": ts, "x-signature": spec_signature(integration.secret,
                                                                                              body, ts)}


# --- the check order of spec section 2, walked one fix at a time -----------------------------


def test_every_check_in_the_spec_order_for_a_bet(client, oppi_call, oppi, rich_player, oppi_game):
    """Start from a bet that fails every check; fix one thing at a time; each answer is the next
    check of the spec's list (headers → … → amounts → bet rules → RS_OK)."""
    from wallet.models import LimitRefusal

    launch(oppi, rich_player, idle=dt.timedelta(hours=2))
    # Its id is rolled back before it arrives: the last of the bet rules.
    early = oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-early", "ladder")]})
    assert early["data"][0]["status"] == Status.TRANSACTION_DOES_NOT_EXIST
    oppi.enabled, oppi.allowed_ips = False, "10.9.9.9"
    oppi.save()
    player_set_enabled(player=rich_player, enabled=False, reason="audit")
    oppi_game.enabled = False
    oppi_game.save()
    idr = Account.objects.get(player=rich_player, currency_id="IDR")
    idr.daily_bet_limit = 50
    idr.save(update_fields=["daily_bet_limit"])
    fixed: set[str] = set()

    def attempt() -> str:
        body = bet_body(txn="ladder" if "types" in fixed else 17, amount=777777)
        if "required" not in fixed:
            del body["gameId"]
        if "player" not in fixed:
            body["playerId"] = "NOBODY"
        if "session" not in fixed:
            body["sessionId"] = "not-ours"
        if "currency" not in fixed:
            body["currency"] = "USD"
        amount = ("-1.5" if "integer" not in fixed else "-1" if "sign" not in fixed
                  else str(IDR_START + 1) if "funds" not in fixed else "100")
        raw = json.dumps(body, separators=(",", ":")).encode().replace(b"777777", amount.encode())
        ts = _ms() if "clock" in fixed else _ms(-400)
        headers = {"x-api-key": oppi.api_key if "key" in fixed else "nobody", "x-timestamp": ts,
                   "x-signature": spec_signature(oppi.secret, raw, ts) if "signature" in fixed else "0" * 64}
        if "headers" not in fixed:
            del headers["x-signature"]
        remote = "10.9.9.9" if "ip" in fixed else "10.0.0.1"
        return _post(client, "transaction/bet", raw, headers, REMOTE_ADDR=remote)["status"]

    def fix(name: str) -> None:
        fixed.add(name)
        if name == "enabled":
            oppi.enabled = True
            oppi.save()
        elif name == "idle":
            LaunchSession.objects.filter(token=SESSION).update(last_seen_at=dt.datetime.now(dt.UTC))
        elif name == "blocked":
            player_set_enabled(player=rich_player, enabled=True, reason="audit")
        elif name == "game":
            oppi_game.enabled = True
            oppi_game.save()
        elif name == "limit":
            idr.daily_bet_limit = None
            idr.save(update_fields=["daily_bet_limit"])

    ladder = [
        (None, Status.MISSING_HEADERS), ("headers", Status.INVALID_APIKEY), ("key", Status.MERCHANT_NOT_ACTIVE),
        ("enabled", Status.IP_RESTRICTION), ("ip", Status.SIGNATURE_EXPIRED), ("clock", Status.SIGNATURE_NOT_MATCH),
        ("signature", Status.INCORRECT_DATA), ("types", Status.FIELD_REQUIRED_OR_INVALID),
        ("required", Status.INVALID_NUMBER), ("integer", Status.INVALID_AMOUNT), ("sign", Status.RECORD_NOT_FOUND),
        ("player", Status.SESSION_REQUIRED_OR_INVALID), ("session", Status.SESSION_REQUIRED_OR_INVALID),
        ("idle", Status.PLAYER_BLOCKED), ("blocked", Status.GAME_INACTIVE), ("game", Status.FIELD_REQUIRED_OR_INVALID),
        ("currency", Status.LIMIT_REACHED), ("limit", Status.NOT_ENOUGH_MONEY),
        ("funds", Status.DUPLICATE_TRANSACTION),
    ]
    for name, expected in ladder:
        if name:
            fix(name)
        assert attempt() == expected, f"after fixing {name!r}"
    assert LimitRefusal.objects.count() == 1
    assert wallet(rich_player) == IDR_START and not Transfer.objects.filter(kind="bet").exists()
    # Another id, everything right: the first RS_OK.
    ok = oppi_call("transaction/bet", bet_body(txn="ladder-2", amount=100), remote_addr="10.9.9.9")
    assert ok == {"status": "RS_OK", "transactionId": "ladder-2", "balance": IDR_START - 100}


# --- answers are always HTTP 200 JSON with a spec status ---------------------------------------


@pytest.mark.parametrize("accept", ["application/xml", "text/html", "text/html,application/xhtml+xml;q=0.9", "*/*",
                                    "image/png"])
def test_any_accept_header_still_gets_json(client, oppi, session, accept):
    body = json.dumps(BALANCE).encode()
    assert _post(client, "user/balance", body, {**_signed(oppi, body), "Accept": accept})["status"] == Status.OK


def test_options_is_a_wrong_method_rs_error(client, oppi):
    response = client.options("/api/oppi/transaction/bet")
    assert response.status_code == 200 and response.json() == {"status": "RS_ERROR"}


def test_body_too_large_to_read_is_incorrect_data_after_the_header_checks(client, oppi, session, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({**BALANCE, "pad": "x" * 2000}).encode()
    assert _post(client, "user/balance", body, _signed(oppi, body))["status"] == Status.INCORRECT_DATA
    assert _post(client, "user/balance", body, {**_signed(oppi, body), "x-api-key": "nobody"})["status"] == (
        Status.INVALID_APIKEY)
    assert _post(client, "user/balance", body, _signed(oppi, body, _ms(-400)))["status"] == Status.SIGNATURE_EXPIRED
    row = CallLog.objects.order_by("pk").first()
    assert row.integration_id == oppi.pk and row.status_code == Status.INCORRECT_DATA


# --- headers ---------------------------------------------------------------------------------


def test_header_names_are_case_insensitive(client, oppi, session):
    body = json.dumps(BALANCE).encode()
    headers = {k.upper(): v for k, v in _signed(oppi, body).items()}
    assert _post(client, "user/balance", body, headers)["status"] == Status.OK


@pytest.mark.parametrize("header", ["x-api-key", "x-timestamp", "x-signature"])
def test_a_header_of_spaces_is_missing(client, oppi, session, header):
    body = json.dumps(BALANCE).encode()
    assert _post(client, "user/balance", body, {**_signed(oppi, body), header: "   "})["status"] == (
        Status.MISSING_HEADERS)


@pytest.mark.parametrize("signature", ["é" * 64, "\x00" * 64, "zz", "0" * 63])
def test_a_signature_that_is_not_our_hex_digest_does_not_match(client, oppi, session, signature):
    body = json.dumps(BALANCE).encode()
    assert _post(client, "user/balance", body, {**_signed(oppi, body), "x-signature": signature})["status"] == (
        Status.SIGNATURE_NOT_MATCH)


def test_an_uppercase_hex_signature_is_accepted(client, oppi, session):
    """(ours) Hex is compared case-insensitively; Oppi sends lowercase."""
    body = json.dumps(BALANCE).encode()
    headers = _signed(oppi, body)
    headers["x-signature"] = headers["x-signature"].upper()
    assert _post(client, "user/balance", body, headers)["status"] == Status.OK


@pytest.mark.parametrize("timestamp", ["9" * 5000, "1" + "0" * 16, "¹²³", "0x1F", "1e12"])
def test_a_timestamp_that_is_no_millisecond_count_is_expired(client, oppi, session, timestamp):
    body = json.dumps(BALANCE).encode()
    headers = {**_signed(oppi, body), "x-timestamp": timestamp}
    assert _post(client, "user/balance", body, headers)["status"] == Status.SIGNATURE_EXPIRED


@pytest.mark.parametrize("key", ["a\x00b", "\x01", "k" * 101])
def test_an_api_key_no_integration_can_have_is_invalid(client, oppi, session, key):
    body = json.dumps(BALANCE).encode()
    assert _post(client, "user/balance", body, {**_signed(oppi, body), "x-api-key": key})["status"] == (
        Status.INVALID_APIKEY)


def test_a_disabled_integration_is_refused_before_its_ip_restriction(client, oppi, session):
    oppi.enabled, oppi.allowed_ips = False, "10.9.9.9"
    oppi.save()
    body = json.dumps(BALANCE).encode()
    assert _post(client, "user/balance", body, _signed(oppi, body), REMOTE_ADDR="10.0.0.1")["status"] == (
        Status.MERCHANT_NOT_ACTIVE)


# --- the signature covers the exact bytes ----------------------------------------------------


@pytest.mark.parametrize("encode", [
    lambda p: json.dumps(p, ensure_ascii=True).encode(),  # "\u00ef" escapes
    lambda p: json.dumps(p, ensure_ascii=False).encode(),  # raw UTF-8
    lambda p: json.dumps(p, indent=4).encode() + b"\n",  # pretty, trailing newline
    lambda p: b"\t " + json.dumps(p, separators=(",", ":"), ensure_ascii=False).encode() + b" \r\n",
])
def test_the_signature_is_checked_over_whatever_bytes_came(client, oppi, session, encode):
    body = encode({**BALANCE, "note": "Mikhaïl ✓ 𝄞"})
    assert _post(client, "user/balance", body, _signed(oppi, body))["status"] == Status.OK


def test_a_signature_over_the_same_json_in_other_bytes_does_not_match(client, oppi, session):
    payload = {**BALANCE, "note": "Mikhaïl"}
    signed = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    sent = json.dumps(payload, ensure_ascii=True, separators=(",", ":")).encode()
    ts = _ms()
    headers = {"x-api-key": oppi.api_key, "x-timestamp": ts, "x-signature": spec_signature(oppi.secret, signed, ts)}
    assert _post(client, "user/balance", sent, headers)["status"] == Status.SIGNATURE_NOT_MATCH


def test_the_signature_covers_the_timestamp(client, oppi, session):
    body = json.dumps(BALANCE).encode()
    headers = _signed(oppi, body)
    headers["x-timestamp"] = str(int(headers["x-timestamp"]) + 1)
    assert _post(client, "user/balance", body, headers)["status"] == Status.SIGNATURE_NOT_MATCH


# --- body: types, required fields, ids we can store ------------------------------------------


ENDPOINT_BODIES = {
    "user/balance": BALANCE,
    "transaction/bet": bet_body(),
    "transaction/payout": payout_body(),
    "transaction/reward": reward_body(),
}


@pytest.mark.parametrize("path,name", [(p, n) for p, b in ENDPOINT_BODIES.items() for n, v in b.items()
                                       if isinstance(v, str)])
def test_an_empty_string_in_any_required_field_is_field_required(oppi_call, session, path, name):
    assert oppi_call(path, {**ENDPOINT_BODIES[path], name: ""})["status"] == Status.FIELD_REQUIRED_OR_INVALID


@pytest.mark.parametrize("name", ["transactionId", "refTransactionId", "sessionId", "playerId", "gameId"])
def test_an_empty_string_in_a_rollback_item_is_field_required(oppi_call, session, name):
    body = {"transactions": [rollback_item("rb-1", "b-1"), rollback_item("rb-2", "b-2", **{name: ""})]}
    assert oppi_call("transaction/rollback", body) == {"status": Status.FIELD_REQUIRED_OR_INVALID}


@pytest.mark.parametrize("path,name", [("transaction/bet", "amount"), ("transaction/payout", "amount"),
                                       ("transaction/payout", "isWin"), ("transaction/reward", "rewardedAmount")])
def test_a_null_amount_or_flag_is_field_required(oppi_call, session, path, name):
    assert oppi_call(path, {**ENDPOINT_BODIES[path], name: None})["status"] == Status.FIELD_REQUIRED_OR_INVALID


def test_an_empty_optional_currency_is_as_if_absent(oppi_call, rich_player, session):
    """(ours) The reward's optional currency: "" or null means the session's currency."""
    assert oppi_call("transaction/reward", reward_body(currency="", amount=5))["balance"] == IDR_START + 5
    assert oppi_call("transaction/reward", reward_body(txn="r-2", ref="j-2", currency=None, amount=5))["balance"] == (
        IDR_START + 10)


@pytest.mark.parametrize("path,body", [
    ("transaction/payout", payout_body(amount=False)),
    ("transaction/reward", reward_body(amount=True)),
    ("transaction/reward", reward_body(amount="5")),
    ("transaction/bet", bet_body(amount={"v": 1})),
    ("transaction/payout", payout_body(isWin=0)),
    ("user/balance", {**BALANCE, "playerId": 3000001}),
    ("transaction/rollback", {"transactions": {"0": rollback_item("rb", "b")}}),
    ("transaction/rollback", {"transactions": [rollback_item("rb", "b"), None]}),
])
def test_more_wrong_json_types_are_incorrect_data(oppi_call, session, path, body):
    assert oppi_call(path, body)["status"] == Status.INCORRECT_DATA


@pytest.mark.parametrize("path,body", [
    ("transaction/bet", bet_body(txn="t" * 129)),
    ("transaction/bet", bet_body(playerId="p" * 65)),
    ("transaction/bet", bet_body(sessionId="s" * 129)),
    ("transaction/bet", bet_body(currency="IDRIDRIDR")),
    ("transaction/reward", reward_body(gameId="g" * 65)),
    ("transaction/reward", reward_body(ref="j" * 121)),
    ("transaction/payout", payout_body(txn="a\x00b")),
    ("user/balance", {"sessionId": "\ud800", "playerId": "NOBODY"}),
    ("user/balance", {"sessionId": SESSION, "playerId": "CLi\x003000001"}),
    ("transaction/rollback", {"transactions": [rollback_item("rb-1", "b-1", gameId="\udfff")]}),
])
def test_an_id_we_could_not_store_or_echo_is_field_invalid(oppi_call, session, path, body):
    """(ours) Too long for our columns, a NUL, or a lone surrogate: refused before any rule."""
    assert oppi_call(path, body)["status"] == Status.FIELD_REQUIRED_OR_INVALID
    assert CallLog.objects.filter(status_code=Status.FIELD_REQUIRED_OR_INVALID).count() == 1


def test_ids_at_our_longest_are_accepted(oppi_call, oppi, rich_player, oppi_game):
    launch(oppi, rich_player, token="s" * 128)
    body = bet_body(txn="t" * 128, sessionId="s" * 128, amount=5)
    assert oppi_call("transaction/bet", body)["status"] == Status.OK
    assert oppi_call("transaction/reward", reward_body(ref="j" * 120, sessionId="s" * 128))["status"] == Status.OK


def test_odd_characters_in_fields_we_ignore_are_harmless_and_logged(client, oppi, session):
    body = json.dumps({**BALANCE, "note": "\ud800 \x00"}).encode()
    assert _post(client, "user/balance", body, _signed(oppi, body))["status"] == Status.OK
    row = CallLog.objects.get()
    assert row.status_code == Status.OK and "CLi3000001" in row.request_body


@pytest.mark.parametrize("raw", [b"\x00\x00", b"{\x00}", b"[" * 100_000, b'{"a":' * 50_000])
def test_bodies_no_parser_wants_are_incorrect_data_and_logged(client, oppi, session, raw):
    assert _post(client, "user/balance", raw, _signed(oppi, raw))["status"] == Status.INCORRECT_DATA
    assert CallLog.objects.get().status_code == Status.INCORRECT_DATA


# --- amounts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("literal,status", [
    (b"1000000000000000", Status.NOT_ENOUGH_MONEY),  # 10^10 currency units: the ledger's maximum
    (b"1000000000000001", Status.INVALID_AMOUNT),
    (b"9223372036854775808", Status.INVALID_AMOUNT),  # beyond BIGINT
    (b"9" * 5000, Status.INVALID_AMOUNT),  # beyond Python's digit-string limit
    (b"-" + b"9" * 5000, Status.INVALID_AMOUNT),
    (b"-9223372036854775809", Status.INVALID_AMOUNT),
    (b"1" + b"0" * 5000 + b".5", Status.INVALID_NUMBER),
    (b"1e400", Status.INVALID_NUMBER),
    (b"-0", Status.OK),  # the JSON integer zero
    (b"-0.0", Status.INVALID_NUMBER),
    (b"0E0", Status.INVALID_NUMBER),
])
def test_amount_literals(client, oppi, rich_player, session, literal, status):
    raw = json.dumps(bet_body(amount=777777)).encode().replace(b"777777", literal)
    assert _post(client, "transaction/bet", raw, _signed(oppi, raw))["status"] == status
    assert wallet(rich_player) == IDR_START


def test_a_huge_number_in_an_id_field_is_incorrect_data(client, oppi, session):
    raw = json.dumps(bet_body(txn="777777")).encode().replace(b'"777777"', b"9" * 5000)
    assert _post(client, "transaction/bet", raw, _signed(oppi, raw))["status"] == Status.INCORRECT_DATA


def test_amount_checks_come_before_unknown_player(oppi_call, session):
    assert oppi_call("transaction/reward", reward_body(amount=-1, playerId="NOBODY"))["status"] == (
        Status.INVALID_AMOUNT)


# --- replay ----------------------------------------------------------------------------------


def test_a_replay_answers_the_current_balance_not_the_first_one(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=100))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=200))
    assert oppi_call("transaction/bet", bet_body(txn="b-1", amount=100)) == {
        "status": "RS_OK", "transactionId": "b-1", "balance": IDR_START - 300}


@pytest.mark.parametrize("change", [{"sessionId": "other-sess"}, {"gameId": "oppi-dice"}, {"currency": "USD"},
                                    {"amount": 101}])
def test_the_same_id_with_any_other_field_is_a_duplicate(oppi_call, oppi, rich_player, session, change):
    launch(oppi, rich_player, token="other-sess")
    oppi_call("transaction/bet", bet_body(amount=100))
    answer = oppi_call("transaction/bet", {**bet_body(amount=100), **change})
    assert answer["status"] == Status.DUPLICATE_TRANSACTION and wallet(rich_player) == IDR_START - 100


def test_a_payout_replay_after_its_bet_was_rolled_back_is_still_its_first_answer(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=100))
    oppi_call("transaction/payout", payout_body(amount=50, is_win=True))
    oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "b-1")]})  # voids the round
    assert oppi_call("transaction/payout", payout_body(amount=50, is_win=True)) == {
        "status": "RS_OK", "transactionId": "p-1", "balance": IDR_START}


def test_an_isWin_change_is_a_duplicate(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=100))
    oppi_call("transaction/payout", payout_body(amount=0, is_win=False))
    assert oppi_call("transaction/payout", payout_body(amount=0, is_win=True))["status"] == (
        Status.DUPLICATE_TRANSACTION)


# --- payouts ---------------------------------------------------------------------------------


def test_several_payouts_including_losses_on_one_bet(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=1000))
    statuses = [oppi_call("transaction/payout", payout_body(txn=f"p-{n}", amount=a, is_win=a > 0))["status"]
                for n, a in enumerate([0, 250, 0, 1])]
    assert statuses == ["RS_OK"] * 4
    assert wallet(rich_player) == IDR_START - 1000 + 251
    assert GameTransaction.objects.filter(action="win").count() == 4 and Transfer.objects.filter(kind="win").count() == 2


def test_a_payout_with_isWin_false_still_credits_its_amount(oppi_call, rich_player, session):
    """(ours) `amount` is what is credited; isWin false with an amount is not second-guessed."""
    oppi_call("transaction/bet", bet_body(amount=1000))
    assert oppi_call("transaction/payout", payout_body(amount=300, is_win=False))["balance"] == IDR_START - 700


# --- rewards ---------------------------------------------------------------------------------


def test_reward_one_per_reference_and_player_but_each_player_may_have_one(oppi_call, oppi, rich_player, session):
    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "1.00")
    launch(oppi, other, token="other-sess")
    bonus = {"rewardType": "bonus"}
    assert oppi_call("transaction/reward", reward_body(txn="r-1", amount=10, **bonus))["status"] == Status.OK
    theirs = oppi_call("transaction/reward", reward_body(txn="r-2", amount=10, playerId="OTHER1",
                                                         sessionId="other-sess", **bonus))
    assert theirs == {"status": "RS_OK", "transactionId": "r-2", "balance": 1_00000 + 10}
    assert oppi_call("transaction/reward", reward_body(txn="r-3", amount=10, **bonus))["status"] == (
        Status.DUPLICATE_TRANSACTION)
    assert wallet(rich_player) == IDR_START + 10


def test_a_late_reward_whose_id_was_rolled_back_first_is_refused(oppi_call, rich_player, session):
    first = oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "r-late")]})
    assert first["data"][0]["status"] == Status.TRANSACTION_DOES_NOT_EXIST
    answer = oppi_call("transaction/reward", reward_body(txn="r-late", amount=10))
    assert answer == {"status": Status.DUPLICATE_TRANSACTION, "transactionId": "r-late", "balance": IDR_START}


# --- rollbacks -------------------------------------------------------------------------------


def _rollback(oppi_call, *items):
    return oppi_call("transaction/rollback", {"transactions": list(items)})


def test_rolling_back_a_payout_and_a_reward_may_take_the_wallet_below_zero(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=IDR_START))
    oppi_call("transaction/payout", payout_body(amount=300, is_win=True))
    oppi_call("transaction/reward", reward_body(amount=200))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=500))
    answer = _rollback(oppi_call, rollback_item("rb-1", "p-1"), rollback_item("rb-2", "r-1"))
    assert answer == {"status": "RS_OK", "data": [
        {"status": "RS_OK", "transactionId": "rb-1", "balance": -300},
        {"status": "RS_OK", "transactionId": "rb-2", "balance": -500}]}
    assert wallet(rich_player) == -500 and ledger_report().negative_wallets == 1  # shown to ops


def test_a_batch_naming_the_same_reference_twice_moves_once(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=100))
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"), rollback_item("rb-2", "b-1"),
                       rollback_item("rb-1", "b-1"))
    assert [i["status"] for i in answer["data"]] == ["RS_OK"] * 3 and answer["status"] == "RS_OK"
    assert wallet(rich_player) == IDR_START and Transfer.objects.filter(kind="refund").count() == 1


def test_a_batch_reusing_an_item_id_for_another_reference_gets_a_duplicate_item(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=100))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=100))
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"), rollback_item("rb-1", "b-2"))
    assert [i["status"] for i in answer["data"]] == ["RS_OK", Status.DUPLICATE_TRANSACTION]
    assert answer["status"] == "RS_ERROR" and wallet(rich_player) == IDR_START - 100


def test_a_rollback_naming_another_players_bet_is_unknown_for_this_player(oppi_call, oppi, rich_player, session):
    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "1.00")
    launch(oppi, other, token="other-sess")
    oppi_call("transaction/bet", bet_body(txn="their-bet", playerId="OTHER1", sessionId="other-sess", amount=10))
    mine = _rollback(oppi_call, rollback_item("rb-1", "their-bet"))
    assert mine["data"][0]["status"] == Status.TRANSACTION_DOES_NOT_EXIST
    assert wallet(other) == 1_00000 - 10 and wallet(rich_player) == IDR_START
    theirs = _rollback(oppi_call, rollback_item("rb-2", "their-bet", playerId="OTHER1", sessionId="other-sess"))
    assert theirs["data"][0] == {"status": "RS_OK", "transactionId": "rb-2", "balance": 1_00000}


def test_an_unknown_reference_rolled_back_then_the_late_bet_moves_nothing_and_its_payout_has_no_bet(
        oppi_call, rich_player, session):
    _rollback(oppi_call, rollback_item("rb-1", "b-late"))
    assert oppi_call("transaction/bet", bet_body(txn="b-late"))["status"] == Status.DUPLICATE_TRANSACTION
    assert oppi_call("transaction/payout", payout_body(ref="b-late", amount=5, is_win=True))["status"] == (
        Status.TRANSACTION_DOES_NOT_EXIST)
    assert wallet(rich_player) == IDR_START


def test_a_bet_refused_for_its_session_leaves_no_trace(oppi_call, rich_player, session):
    """Only what was applied is remembered: the retry with the right session is judged afresh."""
    refused = oppi_call("transaction/bet", bet_body(amount=100, sessionId="nope"))
    assert refused["status"] == Status.SESSION_REQUIRED_OR_INVALID
    assert oppi_call("transaction/bet", bet_body(amount=100))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START - 100


# --- sessions --------------------------------------------------------------------------------


def test_balance_ignores_idleness_and_the_blocked_state(oppi_call, oppi, rich_player, oppi_game):
    """(ours) A balance call moves nothing: only the session's owner is checked."""
    launch(oppi, rich_player, idle=dt.timedelta(days=2))
    player_set_enabled(player=rich_player, enabled=False, reason="audit")
    assert oppi_call("user/balance", BALANCE) == {"status": "RS_OK", "sessionId": SESSION, "balance": IDR_START}


def test_a_bet_on_another_players_session_is_session_invalid(oppi_call, oppi, rich_player, session):
    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "1.00")
    answer = oppi_call("transaction/bet", bet_body(playerId="OTHER1"))
    assert answer == {"status": Status.SESSION_REQUIRED_OR_INVALID, "transactionId": "b-1", "balance": 1_00000}
    assert wallet(rich_player) == IDR_START


def test_a_bet_exactly_at_30_minutes_idle_is_accepted(oppi_call, oppi, rich_player, oppi_game, monkeypatch):
    from django.utils import timezone

    sess = launch(oppi, rich_player)
    frozen = sess.last_seen_at + dt.timedelta(minutes=30)
    monkeypatch.setattr(timezone, "now", lambda: frozen)
    assert oppi_call("transaction/bet", bet_body(txn="b-1", amount=1))["status"] == Status.OK
    LaunchSession.objects.filter(pk=sess.pk).update(last_seen_at=frozen - dt.timedelta(minutes=30, microseconds=1))
    assert oppi_call("transaction/bet", bet_body(txn="b-2", amount=1))["status"] == Status.SESSION_REQUIRED_OR_INVALID


# --- every answer that knows the player carries its balance ----------------------------------


def test_refusals_for_a_currency_without_wallet_still_carry_the_sessions_balance(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=100))
    for path, body in [("transaction/reward", reward_body(currency="EUR")),
                       ("transaction/payout", payout_body(currency="EUR", amount=5, is_win=True)),
                       ("transaction/bet", bet_body(txn="b-2", currency="EUR"))]:
        answer = oppi_call(path, body)
        assert answer["status"] == Status.FIELD_REQUIRED_OR_INVALID and answer["balance"] == IDR_START - 100, path


def test_a_bet_on_a_session_without_currency_in_a_currency_without_wallet_carries_a_balance(
        oppi_call, oppi, rich_player, oppi_game):
    LaunchSession.objects.create(token=SESSION, integration=oppi, player=rich_player, currency=None,
                                 created_at=dt.datetime.now(dt.UTC), expires_at=dt.datetime.now(dt.UTC))
    answer = oppi_call("transaction/bet", bet_body(currency="EUR"))
    assert answer == {"status": Status.FIELD_REQUIRED_OR_INVALID, "transactionId": "b-1", "balance": IDR_START}


def test_a_duplicate_in_a_currency_without_wallet_carries_the_sessions_balance(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=100))
    answer = oppi_call("transaction/bet", bet_body(amount=100, currency="EUR"))
    assert answer == {"status": Status.DUPLICATE_TRANSACTION, "transactionId": "b-1", "balance": IDR_START - 100}


def test_a_reward_reference_stays_used_after_its_reward_was_rolled_back(oppi_call, rich_player, session):
    """(ours) One bonus per refTransactionId and player, rolled back or not."""
    oppi_call("transaction/reward", reward_body(txn="r-1", amount=10, rewardType="bonus"))
    oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "r-1")]})
    assert oppi_call("transaction/reward", reward_body(txn="r-2", amount=10, rewardType="bonus"))["status"] == (
        Status.DUPLICATE_TRANSACTION)
    assert wallet(rich_player) == IDR_START


@pytest.mark.parametrize("path", ["transaction/bet/", "transaction/bets", "", "user/balance/x"])
def test_any_other_path_under_the_callback_base_is_rs_error_json_and_logged(client, path):
    response = client.post(f"/api/oppi/{path}", data=b"{}", content_type="application/json")
    assert response.status_code == 200 and response.json() == {"status": "RS_ERROR"}
    row = CallLog.objects.get()
    assert (row.provider, row.status_code, row.endpoint) == ("oppi", "RS_ERROR", path or "/")
