"""Spec audit of the 1G callbacks: check-order edge cases, amounts, ids, replays, batches,
balances per currency. Each test names the spec rule it guards (onegaming.md sections 3, 6)."""

import json
from decimal import Decimal

import pytest
from django.test import Client

from providers.models import CallLog
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from tests.onegaming.wire import OneGamingWire, dumps, envelope, launch, sign
from wallet import services
from wallet.models import Account, GameTransaction

MIKHA = "CLi3000001"


def idr(player) -> Decimal:
    return Decimal(Account.objects.get(player=player, currency="IDR", kind="wallet").balance) / 100000


def result_fields(**overrides):
    return {"player_id": MIKHA, "currency": "IDR", "game_id": 301, "round_id": "R1", "txn_id": "W1",
            "txn_ticket": "T1", "amount": "250.00", **overrides}


def rollback_fields(**overrides):
    return {"player_id": MIKHA, "currency": "IDR", "game_id": 301, "txn_id": "RB1", "txn_ticket": "T1", **overrides}


def raw_with(fields: dict, **literals: str) -> bytes:
    """A signed-ready body in which some fields are raw JSON literals (`1e2`, `-0`, huge ints)."""
    body = envelope({**fields, **{name: f"@@{name}@@" for name in literals}})
    raw = dumps(body)
    for name, literal in literals.items():
        raw = raw.replace(f'"@@{name}@@"'.encode(), literal.encode())
    return raw


# --- check order (spec 3: method → syntax → partner → signature → datetime → required → types) ----


def test_bad_signature_beats_a_missing_datetime(wire, bet_fields):
    assert wire.post("bet", bet_fields(), signature="bad", drop=("datetime",))["status"] == "INVALID_SIGNATURE"


@pytest.mark.parametrize("value", ["yesterday", None, 12, "2026-11-22T01:15:02"])
def test_bad_signature_beats_an_unreadable_datetime(wire, bet_fields, value):
    body = envelope(bet_fields())
    body["datetime"] = value
    assert wire.post("bet", raw=dumps(body), signature="bad")["status"] == "INVALID_SIGNATURE"


def test_unknown_agent_beats_a_bad_body(wire, bet_fields, rich_player):
    wire.agent = "NOBODY"
    answer = wire.post("bet", bet_fields(amount="x", game_id=[1]), drop=("txn_id", "datetime"), signature="bad")
    assert answer["status"] == "INVALID_PARTNER"
    assert answer["request_id"] == wire.last_request_id  # still echoed


def test_a_json_array_is_invalid_syntax_even_with_a_known_agent(wire, bet_fields):
    assert wire.post("bet", raw=dumps([envelope(bet_fields())]))["status"] == "INVALID_SYNTAX"


def test_stale_datetime_beats_bad_types(wire, bet_fields, rich_player):
    assert wire.post("bet", bet_fields(amount=True, txn_id=[1]), offset_seconds=-20)["status"] == "REQUEST_TIMEOUT"


def test_a_missing_datetime_is_invalid_syntax_before_missing_fields_or_types(wire, bet_fields):
    assert wire.post("bet", bet_fields(amount="x"), drop=("datetime", "txn_id"))["status"] == "INVALID_SYNTAX"


REQUIRED = {
    "balance": ["agent_code", "request_id", "datetime", "player_id", "currency"],
    "result": ["request_id", "datetime", "player_id", "currency", "game_id", "round_id", "txn_id", "txn_ticket",
               "amount"],
    # Issue 22 point 9: a rollback without currency/game_id takes them from the bet it names.
    "rollback": ["request_id", "datetime", "player_id", "txn_id", "txn_ticket"],
    "transactions": ["request_id", "datetime", "transactions"],
}


def _fields_for(call: str) -> dict:
    if call == "balance":
        return {"player_id": MIKHA, "currency": "IDR"}
    if call == "result":
        return result_fields()
    if call == "rollback":
        return rollback_fields()
    return {"transactions": [{"type": "rollback", **rollback_fields()}]}


@pytest.mark.parametrize("call", list(REQUIRED))
def test_every_call_refuses_a_missing_required_field(wire, rich_player, call):
    for missing in REQUIRED[call]:
        expected = "INVALID_PARTNER" if missing == "agent_code" else "INVALID_SYNTAX"
        assert (missing, wire.post(call, _fields_for(call), drop=(missing,))["status"]) == (missing, expected)
    assert not GameTransaction.objects.exists()


@pytest.mark.parametrize("name", ["player_id", "currency", "txn_id", "amount", "request_id"])
def test_a_required_field_sent_as_null_counts_as_missing(wire, bet_fields, rich_player, name):
    body = envelope(bet_fields())
    body[name] = None
    assert wire.post("bet", raw=dumps(body))["status"] == "INVALID_SYNTAX"


# --- 3.2 rule 3 and 4/5: first match wins -----------------------------------------------------------


def test_bet_unknown_player_beats_an_unknown_token(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields(player_id="nobody", l_token="nope"))["status"] == "USER_NOT_EXIST"


def test_bet_invalid_token_beats_disabled_player_no_wallet_and_bad_game(wire, bet_fields, rich_player):
    services.player_set_enabled(player=rich_player, enabled=False, reason="test")
    answer = wire.bet(**bet_fields(l_token="nope", currency="THB", game_id=999))
    assert answer["status"] == "INVALID_TOKEN"


def test_bet_token_expired_beats_disabled_player(wire, onegaming, bet_fields, rich_player):
    stale = launch(onegaming, rich_player, age_minutes=16)
    services.player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert wire.bet(**bet_fields(l_token=stale.token))["status"] == "TOKEN_EXPIRED"


def test_bet_user_disabled_beats_no_wallet_and_bad_game(wire, bet_fields, rich_player):
    services.player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert wire.bet(**bet_fields(currency="THB", game_id=999))["status"] == "USER_DISABLED"


def test_bet_invalid_currency_beats_a_bad_game(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields(currency="THB", game_id=999))["status"] == "INVALID_CURRENCY"


def test_bet_invalid_game_beats_a_rolled_back_ticket(wire, bet_fields, rich_player):
    assert wire.rollback(**rollback_fields())["status"] == "TXN_DOES_NOT_EXIST"
    assert wire.bet(**bet_fields(game_id=999))["status"] == "INVALID_GAME_ID"


def test_bet_rolled_back_ticket_beats_insufficient_credit(wire, bet_fields, rich_player):
    assert wire.rollback(**rollback_fields())["status"] == "TXN_DOES_NOT_EXIST"
    assert wire.bet(**bet_fields(amount="99999.00"))["status"] == "TXN_ROLLED_BACK"


def test_bet_ticket_with_a_bet_beats_insufficient_credit(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.bet(**bet_fields(txn_id="B2", amount="99999.00"))["status"] == "DUPLICATE_REF_TXN_ID"


def test_bet_duplicate_txn_id_beats_an_unknown_player(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.bet(**bet_fields(player_id="nobody"))
    assert answer["status"] == "DUPLICATE_REF_TXN_ID" and "balance" not in answer


def test_result_unknown_player_beats_no_bet(wire, rich_player):
    assert wire.result(**result_fields(player_id="nobody"))["status"] == "USER_NOT_EXIST"


def test_result_no_bet_beats_a_currency_mismatch(wire, rich_player):
    assert wire.result(**result_fields(currency="USD"))["status"] == "TXN_DOES_NOT_EXIST"


def test_result_already_settled_beats_a_currency_mismatch(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.result(**result_fields())["status"] == "OK"
    assert wire.result(**result_fields(txn_id="W2", currency="USD"))["status"] == "DUPLICATE_REF_TXN_ID"


@pytest.mark.parametrize("currency", ["XYZ", "idr", "THB"])
def test_invalid_currency_for_balance_bet_and_result(wire, bet_fields, rich_player, currency):
    assert wire.balance(player_id=MIKHA, currency=currency)["status"] == "INVALID_CURRENCY"
    assert wire.bet(**bet_fields(currency=currency))["status"] == "INVALID_CURRENCY"
    assert wire.bet(**bet_fields(txn_id="B9", txn_ticket="T9"))["status"] == "OK"
    assert wire.result(**result_fields(currency=currency, txn_ticket="T9"))["status"] == "INVALID_CURRENCY"
    assert idr(rich_player) == Decimal("1400.00")


# --- amounts (spec "Parties and money", section 6) --------------------------------------------------


HUGE = "1" + "0" * 5000
ACCEPTED = [
    ("IDR", "12.5", Decimal("12.50")), ("IDR", '"12.50"', Decimal("12.50")), ("IDR", "12", Decimal(12)),
    ("IDR", "1e2", Decimal(100)), ("IDR", "1.5E+1", Decimal(15)), ("IDR", '"12.500"', Decimal("12.50")),
    ("IDR", "0.01", Decimal("0.01")), ("IDR", '"0012.30"', Decimal("12.30")),
    ("VND", "1500", Decimal(1500)), ("VND", '"1500"', Decimal(1500)), ("VND", "100.0", Decimal(100)),
    ("VND2", '"1.234"', Decimal("1.234")), ("VND2", "0.001", Decimal("0.001")),
]


def test_amounts_accepted_exactly(wire, onegaming):
    player = PlayerFactory(external_id="P1")
    token = launch(onegaming, player).token
    for currency in ("IDR", "VND", "VND2"):
        funded_wallet(player, currency, "5000")
    for n, (currency, literal, debited) in enumerate(ACCEPTED):
        before = Account.objects.get(player=player, currency=currency).balance
        fields = {"player_id": "P1", "l_token": token, "currency": currency, "game_id": 301, "round_id": "R",
                  "txn_id": f"B{n}", "txn_ticket": f"T{n}"}
        answer = wire.post("bet", raw=raw_with(fields, amount=literal))
        after = Account.objects.get(player=player, currency=currency).balance
        assert (literal, answer["status"], before - after) == (literal, "OK", int(debited * 100000))


REFUSED = [
    ("IDR", '"0.001"'), ("IDR", "0.001"), ("IDR", '"1.000000000000000000000000000001"'),
    ("IDR", "1.000000000000000000000000000001"), ("VND", '"1.5"'), ("VND", "1.5"), ("VND", "0.5"),
    ("VND2", '"1.2345"'), ("VND2", "0.0001"),
    ("IDR", "-1"), ("IDR", "-0"), ("IDR", '"-0"'), ("IDR", "-0.0"), ("IDR", '"+1"'), ("IDR", '"1e2"'),
    ("IDR", '"1,00"'), ("IDR", '"\\uff11\\uff12"'), ("IDR", '"\\u0661\\u0660"'), ("IDR", '" 12"'),
    ("IDR", '"12 "'), ("IDR", '""'), ("IDR", '".5"'), ("IDR", '"5."'), ("IDR", '"0x10"'), ("IDR", '"NaN"'),
    ("IDR", '"Infinity"'), ("IDR", "true"), ("IDR", "false"), ("IDR", "[]"), ("IDR", "{}"), ("IDR", "[1]"),
    ("IDR", "1e999999999"), ("IDR", "1e-999999999"), ("IDR", "1e999999"), ("IDR", "10000000001"),
    ("IDR", '"99999999999999999999999"'), ("IDR", HUGE), ("IDR", f'"{HUGE}"'), ("IDR", "0"), ("IDR", '"0.00"'),
]


def test_amounts_refused_with_invalid_types(wire, bet_fields, rich_player):
    funded_wallet(rich_player, "VND", "5000")
    funded_wallet(rich_player, "VND2", "5000")
    for currency, literal in REFUSED:
        fields = bet_fields(currency=currency)
        del fields["amount"]
        answer = wire.post("bet", raw=raw_with(fields, amount=literal))
        assert (currency, literal[:40], answer["status"]) == (currency, literal[:40], "INVALID_TYPES")
    assert not GameTransaction.objects.exists()


@pytest.mark.parametrize("literal", ["0", '"0"', '"0.00"', "0.0", "0e5"])
def test_result_amount_zero_in_any_spelling_is_a_loss(wire, bet_fields, rich_player, literal):
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.post("result", raw=raw_with(result_fields(), amount=literal))
    assert answer["status"] == "OK" and answer["balance"] == Decimal("1400.00")


def test_small_amounts_add_up_exactly(wire, bet_fields, rich_player):
    for n in range(3):
        assert wire.bet(**bet_fields(txn_id=f"B{n}", txn_ticket=f"T{n}", amount=Decimal("0.10")))["status"] == "OK"
    assert idr(rich_player) == Decimal("1499.70")


# --- balances rendered with the currency's digits --------------------------------------------------


@pytest.mark.parametrize("currency,amount,rendered", [
    ("VND", "1500", b'"balance":1500}'), ("VND2", "1.5", b'"balance":1.500}'), ("USD", "7", b'"balance":7.00}'),
])
def test_balance_answer_has_the_currency_digits(wire, db, currency, amount, rendered):
    funded_wallet(PlayerFactory(external_id="P1"), currency, amount)
    assert wire.balance(player_id="P1", currency=currency)["status"] == "OK"
    assert rendered in wire.last_response.content


def test_bet_and_batch_answers_render_vnd2_with_three_digits(wire, onegaming, db):
    player = PlayerFactory(external_id="P1")
    funded_wallet(player, "VND2", "10")
    token = launch(onegaming, player).token
    fields = {"player_id": "P1", "l_token": token, "currency": "VND2", "game_id": 301, "round_id": "R"}
    wire.bet(**fields, txn_id="B1", txn_ticket="T1", amount="0.125")
    assert b'"balance":9.875}' in wire.last_response.content
    wire.transactions([{"type": "bet", **fields, "txn_id": "B2", "txn_ticket": "T2", "amount": 1}])
    assert b'"balance":8.875}' in wire.last_response.content


# --- ids as JSON integers ------------------------------------------------------------------------


def test_integer_ids_mean_the_same_as_their_strings(wire, bet_fields, rich_player):
    first = wire.bet(**bet_fields(txn_id=5, txn_ticket=77, round_id=9, game_id="301"))
    assert first["status"] == "OK" and first["txn_id"] == 5  # echoed as sent
    again = wire.bet(**bet_fields(txn_id="5", txn_ticket="77", round_id="9", game_id=301))
    assert again["status"] == "OK" and again["txn_id"] == "5"
    assert wire.result(**result_fields(txn_id=6, txn_ticket=77, round_id=9))["status"] == "OK"
    assert wire.rollback(**rollback_fields(txn_id=7, txn_ticket="77"))["status"] == "OK"
    assert idr(rich_player) == Decimal("1500.00")
    assert GameTransaction.objects.count() == 3


@pytest.mark.parametrize("value", [3.0, 1e2, True, "", "x" * 129, [], {}, HUGE])
def test_bad_ids_are_invalid_types(wire, bet_fields, rich_player, value):
    fields = bet_fields()
    del fields["txn_id"]
    literal = value if value is HUGE else json.dumps(value)
    assert wire.post("bet", raw=raw_with(fields, txn_id=str(literal)))["status"] == "INVALID_TYPES"


# --- replays (3.2 rule 1: same txn_id, same content and call) ---------------------------------------


def test_replay_ignores_request_id_datetime_and_l_token(wire, onegaming, bet_fields, rich_player, clock):
    assert wire.post("bet", bet_fields(), offset_seconds=-5)["status"] == "OK"
    other_token = launch(onegaming, rich_player).token
    again = wire.post("bet", bet_fields(l_token=other_token, amount=Decimal("100")), offset_seconds=5)
    assert again["status"] == "OK" and again["balance"] == Decimal("1400.00")
    assert idr(rich_player) == Decimal("1400.00")


@pytest.mark.parametrize("change", [{"amount": "250.01"}, {"round_id": "R2"}, {"game_id": 302},
                                    {"txn_ticket": "T9"}, {"currency": "USD"}, {"player_id": "other"}])
def test_result_duplicate_ref_txn_id_for_any_other_content(wire, bet_fields, rich_player, change):
    funded_wallet(PlayerFactory(external_id="other"), "IDR", "1.00")
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.result(**result_fields())["status"] == "OK"
    assert wire.result(**result_fields(**change))["status"] == "DUPLICATE_REF_TXN_ID"
    assert idr(rich_player) == Decimal("1650.00")


def test_replays_answer_their_first_status_after_a_rollback(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.result(**result_fields())["status"] == "OK"
    assert wire.rollback(**rollback_fields())["status"] == "OK"
    for again in (wire.bet(**bet_fields()), wire.result(**result_fields()), wire.rollback(**rollback_fields())):
        assert again["status"] == "OK" and again["balance"] == Decimal("1500.00")
    assert idr(rich_player) == Decimal("1500.00")


def test_rollback_replay_answers_in_the_bets_currency(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.rollback(**rollback_fields())["currency"] == "IDR"
    again = wire.rollback(**rollback_fields(currency="USD"))
    assert (again["status"], again["currency"], again["balance"]) == ("OK", "IDR", Decimal("1500.00"))


def test_bet_with_a_rollbacks_txn_id_is_a_duplicate(wire, bet_fields, rich_player):
    assert wire.rollback(**rollback_fields(txn_id="X1", txn_ticket="T5"))["status"] == "TXN_DOES_NOT_EXIST"
    assert wire.bet(**bet_fields(txn_id="X1"))["status"] == "DUPLICATE_REF_TXN_ID"


# --- rollback in a currency the player has no wallet in ----------------------------------------------


@pytest.mark.django_db(transaction=True)  # the ledger row's currency is checked at COMMIT on PostgreSQL
@pytest.mark.parametrize("currency", ["XYZ", "THB"])
def test_rollback_of_unknown_ticket_in_a_foreign_currency_is_remembered(onegaming, rich_player, currency):
    wire = OneGamingWire(Client())
    token = launch(onegaming, rich_player).token
    answer = wire.rollback(**rollback_fields(currency=currency))
    assert answer["status"] == "TXN_DOES_NOT_EXIST" and "balance" not in answer
    assert wire.rollback(**rollback_fields(currency=currency))["status"] == "TXN_DOES_NOT_EXIST"  # replay
    late = wire.bet(player_id=MIKHA, l_token=token, currency="IDR", game_id=301, round_id="R", txn_id="B1",
                    txn_ticket="T1", amount="5")
    assert late["status"] == "TXN_ROLLED_BACK" and idr(rich_player) == Decimal("1500.00")


def test_rollback_in_another_currency_undoes_the_bet_in_its_own(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.rollback(**rollback_fields(currency="XYZ"))
    assert (answer["status"], answer["currency"], answer["balance"]) == ("OK", "IDR", Decimal("1500.00"))


# --- 3.5 transactions edge cases -------------------------------------------------------------------


def test_batch_replay_inside_one_batch(wire, bet_fields, rich_player):
    bet = {"type": "bet", **bet_fields()}
    answer = wire.transactions([bet, bet, {**bet, "amount": "1.00"}, {"type": "bet", **bet_fields(txn_id="B2")}])
    assert [(r["status"], r["balance"]) for r in answer["results"]] == [
        ("OK", Decimal("1400.00")), ("OK", Decimal("1400.00")), ("DUPLICATE_REF_TXN_ID", Decimal("1400.00")),
        ("DUPLICATE_REF_TXN_ID", Decimal("1400.00"))]
    assert idr(rich_player) == Decimal("1400.00")


def test_batch_bet_rollback_and_late_bet_of_one_ticket(wire, bet_fields, rich_player):
    answer = wire.transactions([
        {"type": "bet", **bet_fields()}, {"type": "rollback", **rollback_fields()},
        {"type": "bet", **bet_fields(txn_id="B2")}, {"type": "rollback", **rollback_fields(txn_id="RB2")},
        {"type": "result", **result_fields()},
    ])
    statuses = [r["status"] for r in answer["results"]]
    # A new bet on a ticket that had a bet and was then rolled back: the spec's rule 4 fits both
    # words (the ticket has a bet; it is rolled back); nothing may move either way.
    assert statuses[2] in ("TXN_ROLLED_BACK", "DUPLICATE_REF_TXN_ID")
    assert statuses[:2] + statuses[3:] == ["OK", "OK", "TXN_ROLLED_BACK", "TXN_DOES_NOT_EXIST"]
    assert idr(rich_player) == Decimal("1500.00")


def test_batch_items_each_judged_alone(wire, bet_fields, rich_player):
    answer = wire.transactions([
        {"type": "bet", **bet_fields(player_id="nobody")},
        {"type": "bet", **bet_fields(amount=True)},
        {"type": "bet", **{k: v for k, v in bet_fields().items() if k != "txn_ticket"}},
        {"type": ["bet"], **bet_fields(txn_id="B3")},
        {"type": None, **bet_fields(txn_id="B4")},
        {**bet_fields(txn_id="B5")},
        {"type": "balance", "player_id": MIKHA, "currency": "IDR", "txn_id": "B6"},
        {"type": "bet", **bet_fields(txn_id="B7", txn_ticket="T7")},
        {},
    ])
    assert [(r.get("txn_id"), r["status"]) for r in answer["results"]] == [
        ("B1", "USER_NOT_EXIST"), ("B1", "INVALID_TYPES"), ("B1", "INVALID_SYNTAX"), ("B3", "INVALID_SYNTAX"),
        ("B4", "INVALID_SYNTAX"), ("B5", "INVALID_SYNTAX"), ("B6", "INVALID_SYNTAX"), ("B7", "OK"), (None, "INVALID_SYNTAX"),
    ]
    assert answer["status"] == "OK" and idr(rich_player) == Decimal("1400.00")


@pytest.mark.parametrize("items,status", [
    ([], "INVALID_SYNTAX"), ("bet", "INVALID_TYPES"), (7, "INVALID_TYPES"), ([None], "INVALID_TYPES"),
    ([{"type": "bet"}, 3], "INVALID_TYPES"), ([[]], "INVALID_TYPES"),
    ([{"type": "rollback", **rollback_fields(txn_id=f"R{n}", txn_ticket=f"T{n}")} for n in range(501)],
     "INVALID_SYNTAX"),
])
def test_batch_envelope_refused_and_nothing_applied(wire, rich_player, items, status):
    answer = wire.transactions(items)
    assert answer["status"] == status and "results" not in answer
    assert not GameTransaction.objects.exists()


def test_batch_of_500_items_is_fine(wire, rich_player):
    items = [{"type": "rollback", "txn_id": f"R{n}"} for n in range(499)] + [{"type": "rollback", **rollback_fields()}]
    answer = wire.transactions(items)
    assert answer["status"] == "OK" and len(answer["results"]) == 500
    assert {r["status"] for r in answer["results"][:-1]} == {"INVALID_SYNTAX"}
    assert answer["results"][-1]["status"] == "TXN_DOES_NOT_EXIST"


# --- unreadable bodies never crash ----------------------------------------------------------------


@pytest.mark.parametrize("call", ["balance", "bet", "result", "rollback", "transactions"])
def test_nul_and_lone_surrogates_are_invalid_syntax(wire, bet_fields, rich_player, call):
    fields = {**bet_fields(), "transactions": [{"type": "bet", **bet_fields()}]}
    texts = ['"\\u0000"', '"a\\u0000b"', '"\\ud800"', '"\\udc00x"']
    for text in texts:
        for name in ("player_id", "request_id", "agent_code"):
            raw = raw_with({k: v for k, v in fields.items() if k != name}, **{name: text})
            assert (text, name, wire.post(call, raw=raw)["status"]) == (text, name, "INVALID_SYNTAX")
        raw = dumps(envelope(fields))[:-1] + b', "' + text[1:-1].encode() + b'": 1}'  # in a key
        assert wire.post(call, raw=raw)["status"] == "INVALID_SYNTAX"
    assert not GameTransaction.objects.exists()
    # each call still lands in the history, its unreadable body kept as storable text
    assert CallLog.objects.filter(endpoint=call, status_code="INVALID_SYNTAX").count() == 4 * len(texts)


def test_a_body_above_the_upload_limit_is_invalid_syntax(wire, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = dumps(envelope({"player_id": MIKHA, "currency": "IDR", "pad": "x" * 2000}))
    response = wire.client.post("/api/onegaming/balance", data=raw, content_type="application/json",
                                HTTP_UG_DATA_SIGNATURE=sign(wire.secret, raw))
    assert response.status_code == 200 and response.json() == {"status": "INVALID_SYNTAX"}


@pytest.mark.parametrize("signature", ["é", "\u00ff" * 64, " "])
def test_a_non_ascii_signature_is_invalid_signature(wire, bet_fields, signature):
    assert wire.post("bet", bet_fields(), signature=signature)["status"] == "INVALID_SIGNATURE"


@pytest.mark.parametrize("stamp", ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00"])
def test_datetimes_at_the_calendar_edges_are_request_timeout(wire, bet_fields, stamp):
    body = envelope(bet_fields())
    body["datetime"] = stamp
    assert wire.post("bet", raw=dumps(body))["status"] == "REQUEST_TIMEOUT"


def test_an_odd_http_method_is_invalid_method(client, onegaming):
    response = client.generic("BREW", "/api/onegaming/bet")
    assert response.status_code == 200 and response.json() == {"status": "INVALID_METHOD"}


# --- ids fit where they are stored --------------------------------------------------------------------


def test_a_game_id_longer_than_the_catalogue_allows_is_invalid_types(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    long_id = "9" * 65
    assert wire.result(**result_fields(game_id=long_id))["status"] == "INVALID_TYPES"
    assert wire.rollback(**rollback_fields(game_id=long_id, txn_ticket="T2"))["status"] == "INVALID_TYPES"
    assert wire.rollback(**rollback_fields(game_id="9" * 64, txn_ticket="T2"))["status"] == "TXN_DOES_NOT_EXIST"
    assert wire.result(**result_fields(game_id="9" * 64))["status"] == "OK"


# --- the spec's tables (sections 5 and 6) ---------------------------------------------------------------


def test_status_codes_are_exactly_the_specs():
    from providers.onegaming.codes import Status

    spec = ("OK, UNKNOWN_ERROR, INVALID_PARTNER, INVALID_TOKEN, INVALID_GAME_ID, INVALID_CURRENCY, "
            "INSUFFICIENT_CREDIT, USER_DISABLED, INVALID_SIGNATURE, TOKEN_EXPIRED, INVALID_SYNTAX, INVALID_METHOD, "
            "INVALID_TYPES, DUPLICATE_REF_TXN_ID, TXN_DOES_NOT_EXIST, TXN_ROLLED_BACK, USER_EXIST, USER_NOT_EXIST, "
            "REQUEST_TIMEOUT")  # section 5, as written there
    assert {str(s) for s in Status} == {code.strip() for code in spec.split(",")}


def test_wire_digits_follow_the_specs_table():
    from providers.onegaming.dialect import wire_digits

    table = {"IDR": 2, "MYR": 2, "VND": 0, "CNY": 2, "THB": 2, "USD": 2, "PHP": 2, "HKD": 2, "SGD": 2, "MMK": 2,
             "INR": 2, "BND": 2, "VND2": 3}
    assert {code: wire_digits(code) for code in table} == table


def test_every_seed_game_can_be_bet_on(onegaming, db):
    from lobby.selectors import game_for_integration

    seed = [201, 202, 203, 301, 302, 303, 304, 305, 306, 307, 401, 402, 403, 404, 405, 501, 502, 601, 701, 801]
    games = {game_id: game_for_integration(integration=onegaming, game_id=str(game_id)) for game_id in seed}
    assert all(game is not None and game.enabled for game in games.values())


def test_a_stale_batch_refuses_its_bet_items_and_moves_nothing_for_them(wire, bet_fields, rich_player, clock):
    # Revised spec 3.5: the envelope answers OK; its bet items are REQUEST_TIMEOUT.
    answer = wire.post("transactions", {"transactions": [{"type": "bet", **bet_fields()}]}, offset_seconds=-11)
    assert answer["status"] == "OK"
    assert [r["status"] for r in answer["results"]] == ["REQUEST_TIMEOUT"]
    assert not GameTransaction.objects.exists() and idr(rich_player) == Decimal("1500.00")


def test_a_stale_rollback_is_applied(wire, bet_fields, rich_player, clock):
    # Revised spec: a rollback is never refused as stale (1G retries it with its first datetime).
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.post("rollback", rollback_fields(), offset_seconds=30)["status"] == "OK"
    assert idr(rich_player) == Decimal("1500.00")
