"""Spec sections 3.1 - 3.5, one test per rule and status, written from the spec."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from lobby.models import Game, LaunchSession
from tests.conftest import funded_wallet
from tests.factories import GameFactory, PlayerFactory
from tests.onegaming.wire import launch
from wallet import services
from wallet.models import Account, GameTransaction, LimitRefusal
from wallet.money import to_units

MIKHA = "CLi3000001"


def idr(player) -> Decimal:
    return Decimal(Account.objects.get(player=player, currency="IDR", kind="wallet").balance) / 100000


def result_fields(**overrides):
    base = {"player_id": MIKHA, "currency": "IDR", "game_id": 301, "round_id": "R1", "txn_id": "W1",
            "txn_ticket": "T1", "amount": "250.00"}
    return {**base, **overrides}


def rollback_fields(**overrides):
    base = {"player_id": MIKHA, "currency": "IDR", "game_id": 301, "txn_id": "RB1", "txn_ticket": "T1"}
    return {**base, **overrides}


# --- 3.1 balance ----------------------------------------------------------------------------


def test_balance_ok_with_player_currency_and_balance(wire, rich_player):
    answer = wire.balance(player_id=MIKHA, currency="USD")
    assert answer == {"status": "OK", "request_id": answer["request_id"], "player_id": MIKHA, "currency": "USD",
                      "balance": Decimal("100.00")}


def test_balance_user_not_exist_when_player_unknown(wire, rich_player):
    assert wire.balance(player_id="nobody", currency="IDR")["status"] == "USER_NOT_EXIST"


def test_balance_invalid_currency_when_no_wallet_in_currency(wire, rich_player):
    answer = wire.balance(player_id=MIKHA, currency="THB")
    assert answer["status"] == "INVALID_CURRENCY" and "balance" not in answer


def test_balance_accepts_a_numeric_player_id(wire, db):
    funded_wallet(PlayerFactory(external_id="12345"), "VND", "1500")
    answer = wire.balance(player_id=12345, currency="VND")
    assert answer["status"] == "OK" and answer["balance"] == Decimal(1500)
    assert b'"balance":1500}' in wire.last_response.content  # VND: no fractional digits


# --- 3.2 bet ----------------------------------------------------------------------------------


def test_bet_ok_debits_and_answers_the_balance(wire, bet_fields, rich_player):
    answer = wire.bet(**bet_fields(amount=12.5))
    assert answer == {"status": "OK", "request_id": answer["request_id"], "txn_id": "B1", "txn_ticket": "T1",
                      "currency": "IDR", "balance": Decimal("1487.50")}
    assert idr(rich_player) == Decimal("1487.50")


def test_bet_replay_answers_the_first_answer_with_the_current_balance(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields(amount="12.50"))["status"] == "OK"
    assert wire.bet(**bet_fields(txn_id="B2", txn_ticket="T2"))["status"] == "OK"
    again = wire.bet(**bet_fields(amount=12.5))  # same amount, other spelling
    assert again["status"] == "OK" and again["balance"] == Decimal("1387.50")
    assert GameTransaction.objects.count() == 2


def test_bet_replay_answers_ok_after_the_token_expired(wire, bet_fields, rich_player, token):
    assert wire.bet(**bet_fields())["status"] == "OK"
    past = timezone.now() - dt.timedelta(days=2)
    LaunchSession.objects.filter(token=token).update(created_at=past, expires_at=past, last_seen_at=past)
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.bet(**bet_fields(txn_id="B2", txn_ticket="T2"))["status"] == "TOKEN_EXPIRED"


def test_bet_replay_answers_ok_after_the_player_was_disabled(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    services.player_set_enabled(player=rich_player, enabled=False, reason="test")
    again = wire.bet(**bet_fields())
    assert again["status"] == "OK" and again["balance"] == Decimal("1400.00")


@pytest.mark.parametrize("change", [{"amount": "100.01"}, {"round_id": "R2"}, {"game_id": 302},
                                    {"txn_ticket": "T9"}, {"currency": "USD"}, {"player_id": "other"}])
def test_bet_duplicate_ref_txn_id_when_txn_id_reused_with_other_content(wire, bet_fields, rich_player, change):
    PlayerFactory(external_id="other")
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.bet(**bet_fields(**change))
    assert answer["status"] == "DUPLICATE_REF_TXN_ID"
    assert idr(rich_player) == Decimal("1400.00")


def test_bet_duplicate_ref_txn_id_when_txn_id_was_used_by_another_call(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    assert wire.result(**result_fields(txn_id="B1"))["status"] == "DUPLICATE_REF_TXN_ID"


def test_bet_user_not_exist_when_player_unknown(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields(player_id="nobody"))["status"] == "USER_NOT_EXIST"


def test_bet_invalid_token_when_token_unknown(wire, bet_fields, rich_player):
    answer = wire.bet(**bet_fields(l_token="no-such-token"))
    assert answer["status"] == "INVALID_TOKEN" and answer["balance"] == Decimal("1500.00")


def test_bet_invalid_token_when_token_is_another_players(wire, onegaming, bet_fields, rich_player):
    other = PlayerFactory()
    assert wire.bet(**bet_fields(l_token=launch(onegaming, other).token))["status"] == "INVALID_TOKEN"


def test_bet_invalid_token_when_token_of_another_integration(wire, bet_fields, rich_player):
    from tests.factories import OneGamingIntegrationFactory

    elsewhere = OneGamingIntegrationFactory()
    assert wire.bet(**bet_fields(l_token=launch(elsewhere, rich_player).token))["status"] == "INVALID_TOKEN"


def test_bet_token_expired_when_start_deadline_passed_unused(wire, onegaming, bet_fields, rich_player):
    stale = launch(onegaming, rich_player, minutes_valid=15, age_minutes=16)
    answer = wire.bet(**bet_fields(l_token=stale.token))
    assert answer["status"] == "TOKEN_EXPIRED" and answer["balance"] == Decimal("1500.00")


def test_bet_token_stays_valid_while_in_use(wire, onegaming, bet_fields, rich_player):
    busy = launch(onegaming, rich_player, minutes_valid=15, age_minutes=60, last_seen_minutes_ago=5)
    assert wire.bet(**bet_fields(l_token=busy.token))["status"] == "OK"
    busy.refresh_from_db()
    assert timezone.now() - busy.last_seen_at < dt.timedelta(seconds=5)  # the bet slid the validity on


def test_bet_token_expired_when_idle_too_long(wire, onegaming, bet_fields, rich_player):
    idle = launch(onegaming, rich_player, minutes_valid=15, age_minutes=120, last_seen_minutes_ago=31)
    assert wire.bet(**bet_fields(l_token=idle.token))["status"] == "TOKEN_EXPIRED"


def test_bet_token_expired_after_a_day_even_in_use(wire, onegaming, bet_fields, rich_player):
    old = launch(onegaming, rich_player, age_minutes=24 * 60 + 1, last_seen_minutes_ago=1)
    assert wire.bet(**bet_fields(l_token=old.token))["status"] == "TOKEN_EXPIRED"


def test_bet_user_disabled_when_player_disabled(wire, bet_fields, rich_player):
    services.player_set_enabled(player=rich_player, enabled=False, reason="test")
    answer = wire.bet(**bet_fields())
    assert answer["status"] == "USER_DISABLED" and answer["balance"] == Decimal("1500.00")


def test_bet_invalid_currency_when_no_wallet_in_currency(wire, bet_fields, rich_player):
    answer = wire.bet(**bet_fields(currency="THB"))
    assert answer["status"] == "INVALID_CURRENCY" and "balance" not in answer


def test_bet_invalid_game_id_when_game_unknown(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields(game_id=999))["status"] == "INVALID_GAME_ID"


def test_bet_invalid_game_id_when_game_disabled(wire, bet_fields, rich_player):
    Game.objects.filter(provider="onegaming", game_id="301").update(enabled=False)
    assert wire.bet(**bet_fields())["status"] == "INVALID_GAME_ID"


def test_bet_invalid_game_id_when_disabled_for_this_integration(wire, onegaming, bet_fields, rich_player):
    GameFactory(integration=onegaming, game_id="301", enabled=False)
    assert wire.bet(**bet_fields(game_id="301"))["status"] == "INVALID_GAME_ID"


def test_bet_on_an_integration_only_game(wire, onegaming, bet_fields, rich_player):
    GameFactory(integration=onegaming, game_id="9001")
    assert wire.bet(**bet_fields(game_id=9001))["status"] == "OK"


def test_bet_txn_rolled_back_when_ticket_rolled_back_first(wire, bet_fields, rich_player):
    assert wire.rollback(**rollback_fields())["status"] == "TXN_DOES_NOT_EXIST"
    answer = wire.bet(**bet_fields())
    assert answer["status"] == "TXN_ROLLED_BACK" and answer["balance"] == Decimal("1500.00")


def test_bet_duplicate_ref_txn_id_when_ticket_already_has_a_bet(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.bet(**bet_fields(txn_id="B2"))
    assert answer["status"] == "DUPLICATE_REF_TXN_ID" and answer["balance"] == Decimal("1400.00")


def test_bet_insufficient_credit_when_balance_below_amount(wire, bet_fields, rich_player):
    answer = wire.bet(**bet_fields(amount="1500.01"))
    assert answer["status"] == "INSUFFICIENT_CREDIT" and answer["balance"] == Decimal("1500.00")
    assert wire.bet(**bet_fields(txn_id="B2", amount="1500.00"))["balance"] == Decimal("0.00")


def test_bet_insufficient_credit_when_a_limit_would_be_passed(wire, bet_fields, rich_player):
    Account.objects.filter(player=rich_player, currency="IDR").update(daily_bet_limit=to_units("150"))
    assert wire.bet(**bet_fields())["status"] == "OK"
    answer = wire.bet(**bet_fields(txn_id="B2", txn_ticket="T2"))
    assert answer["status"] == "INSUFFICIENT_CREDIT" and answer["balance"] == Decimal("1400.00")
    assert LimitRefusal.objects.count() == 1


def test_refused_bet_leaves_no_trace_and_its_retry_is_judged_afresh(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields(amount="2000.00"))["status"] == "INSUFFICIENT_CREDIT"
    wallet = Account.objects.get(player=rich_player, currency="IDR")
    services.wallet_deposit(wallet=wallet, amount=to_units("1000"), key="top-up")
    assert wire.bet(**bet_fields(amount="2000.00"))["status"] == "OK"
    assert idr(rich_player) == Decimal("500.00")


def test_bet_with_too_many_digits_for_vnd(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields(currency="VND", amount="1.5"))["status"] == "INVALID_TYPES"


# --- 3.3 result -------------------------------------------------------------------------------


@pytest.fixture
def placed(wire, bet_fields, rich_player):
    assert wire.bet(**bet_fields())["status"] == "OK"


def test_result_ok_credits_the_win(wire, placed, rich_player):
    answer = wire.result(**result_fields())
    assert answer == {"status": "OK", "request_id": answer["request_id"], "txn_id": "W1", "txn_ticket": "T1",
                      "currency": "IDR", "balance": Decimal("1650.00")}


def test_result_zero_means_the_ticket_lost(wire, placed, rich_player):
    assert wire.result(**result_fields(amount=0))["balance"] == Decimal("1400.00")
    assert wire.result(**result_fields(txn_id="W2", amount=5))["status"] == "DUPLICATE_REF_TXN_ID"


def test_result_replay_answers_the_first_answer(wire, placed, rich_player):
    assert wire.result(**result_fields())["status"] == "OK"
    again = wire.result(**result_fields(amount=250))
    assert again["status"] == "OK" and again["balance"] == Decimal("1650.00")


def test_result_duplicate_ref_txn_id_when_txn_id_reused_with_other_amount(wire, placed):
    assert wire.result(**result_fields())["status"] == "OK"
    assert wire.result(**result_fields(amount="1.00"))["status"] == "DUPLICATE_REF_TXN_ID"


def test_result_user_not_exist_when_player_unknown(wire, placed):
    assert wire.result(**result_fields(player_id="nobody"))["status"] == "USER_NOT_EXIST"


def test_result_txn_does_not_exist_when_no_bet_on_ticket(wire, rich_player):
    answer = wire.result(**result_fields())
    assert answer["status"] == "TXN_DOES_NOT_EXIST" and answer["balance"] == Decimal("1500.00")


def test_result_txn_does_not_exist_when_the_bet_is_another_players(wire, onegaming, placed):
    other = PlayerFactory(external_id="other")
    funded_wallet(other, "IDR", "10.00")
    assert wire.result(**result_fields(player_id="other"))["status"] == "TXN_DOES_NOT_EXIST"


def test_result_txn_does_not_exist_when_ticket_rolled_back(wire, placed, rich_player):
    assert wire.rollback(**rollback_fields())["status"] == "OK"
    assert wire.result(**result_fields())["status"] == "TXN_DOES_NOT_EXIST"
    assert idr(rich_player) == Decimal("1500.00")


def test_result_duplicate_ref_txn_id_when_ticket_already_settled(wire, placed, rich_player):
    assert wire.result(**result_fields())["status"] == "OK"
    assert wire.result(**result_fields(txn_id="W2"))["status"] == "DUPLICATE_REF_TXN_ID"
    assert idr(rich_player) == Decimal("1650.00")


def test_result_invalid_currency_when_not_the_bets_currency(wire, placed, rich_player):
    answer = wire.result(**result_fields(currency="USD"))
    assert answer["status"] == "INVALID_CURRENCY"


def test_result_paid_even_when_token_expired_and_player_disabled(wire, placed, rich_player, token):
    LaunchSession.objects.filter(token=token).delete()
    services.player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert wire.result(**result_fields())["status"] == "OK"


# --- 3.4 rollback -----------------------------------------------------------------------------


def test_rollback_ok_refunds_the_bet(wire, placed, rich_player):
    answer = wire.rollback(**rollback_fields())
    assert answer["status"] == "OK" and answer["balance"] == Decimal("1500.00")


def test_rollback_takes_back_a_paid_result_even_below_zero(wire, placed, rich_player):
    assert wire.result(**result_fields(amount="1000.00"))["status"] == "OK"
    assert wire.bet(**{**placed_fields(wire), "txn_id": "B2", "txn_ticket": "T2", "amount": "2400.00"})["status"] == "OK"
    answer = wire.rollback(**rollback_fields())
    assert answer["status"] == "OK" and answer["balance"] == Decimal("-900.00")
    assert b'"balance":-900.00' in wire.last_response.content


def placed_fields(wire):
    token = LaunchSession.objects.get().token
    return {"player_id": MIKHA, "l_token": token, "currency": "IDR", "game_id": 301, "round_id": "R1"}


def test_rollback_replay_answers_the_first_answer(wire, placed, rich_player):
    assert wire.rollback(**rollback_fields())["status"] == "OK"
    again = wire.rollback(**rollback_fields())
    assert again["status"] == "OK" and again["balance"] == Decimal("1500.00")


def test_rollback_txn_does_not_exist_when_ticket_unknown_and_is_remembered(wire, rich_player):
    assert wire.rollback(**rollback_fields())["status"] == "TXN_DOES_NOT_EXIST"
    assert wire.rollback(**rollback_fields())["status"] == "TXN_DOES_NOT_EXIST"  # its replay
    assert wire.rollback(**rollback_fields(txn_id="RB2"))["status"] == "TXN_ROLLED_BACK"


def test_rollback_txn_rolled_back_when_rolled_back_by_another_id(wire, placed, rich_player):
    assert wire.rollback(**rollback_fields())["status"] == "OK"
    answer = wire.rollback(**rollback_fields(txn_id="RB2"))
    assert answer["status"] == "TXN_ROLLED_BACK" and answer["balance"] == Decimal("1500.00")


def test_rollback_duplicate_ref_txn_id_when_id_reused_for_another_ticket(wire, placed):
    assert wire.rollback(**rollback_fields())["status"] == "OK"
    assert wire.rollback(**rollback_fields(txn_ticket="T2"))["status"] == "DUPLICATE_REF_TXN_ID"


def test_rollback_user_not_exist_when_player_unknown(wire, placed):
    assert wire.rollback(**rollback_fields(player_id="nobody"))["status"] == "USER_NOT_EXIST"


def test_rollback_never_checks_token_or_disabled_state(wire, placed, rich_player):
    LaunchSession.objects.all().delete()
    services.player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert wire.rollback(**rollback_fields())["status"] == "OK"


# --- 3.5 transactions ---------------------------------------------------------------------------


def test_transactions_items_apply_in_order_each_on_its_own(wire, bet_fields, rich_player):
    items = [
        {"type": "bet", **bet_fields()},
        {"type": "bet", **bet_fields(txn_id="B2", txn_ticket="T2", amount="5000.00")},
        {"type": "result", **result_fields()},
        {"type": "rollback", **rollback_fields(txn_ticket="T7")},
        {"type": "bet", **bet_fields(txn_id="B7", txn_ticket="T7")},
        {"type": "bet", **bet_fields(txn_id="B3", txn_ticket="T3", amount="0.001")},
        {"type": "lottery", **bet_fields(txn_id="B4", txn_ticket="T4")},
        {"type": "result", **result_fields(txn_id="W9"), "amount": None},
    ]
    answer = wire.transactions(items)
    assert answer["status"] == "OK"
    assert [(r.get("txn_id"), r["status"], r.get("balance")) for r in answer["results"]] == [
        ("B1", "OK", Decimal("1400.00")),
        ("B2", "INSUFFICIENT_CREDIT", Decimal("1400.00")),
        ("W1", "OK", Decimal("1650.00")),
        ("RB1", "TXN_DOES_NOT_EXIST", Decimal("1650.00")),
        ("B7", "TXN_ROLLED_BACK", Decimal("1650.00")),
        ("B3", "INVALID_TYPES", None),
        ("B4", "INVALID_SYNTAX", None),
        ("W9", "INVALID_SYNTAX", None),
    ]
    assert idr(rich_player) == Decimal("1650.00")


def test_transactions_replayed_batch_gets_the_same_results(wire, bet_fields, rich_player):
    items = [{"type": "bet", **bet_fields()}, {"type": "result", **result_fields()}]
    first = wire.transactions(items)
    again = wire.transactions(items)
    assert [r["status"] for r in again["results"]] == [r["status"] for r in first["results"]] == ["OK", "OK"]
    assert idr(rich_player) == Decimal("1650.00")


@pytest.mark.parametrize("transactions,status", [([], "INVALID_SYNTAX"), ({"type": "bet"}, "INVALID_TYPES"),
                                                 (["bet"], "INVALID_TYPES"), (None, "INVALID_SYNTAX")])
def test_transactions_envelope_fails_when_the_list_is_wrong(wire, transactions, status):
    answer = wire.transactions(transactions)
    assert answer["status"] == status and "results" not in answer


def test_transactions_envelope_fails_on_a_bad_signature(wire, bet_fields, rich_player):
    answer = wire.post("transactions", {"transactions": [{"type": "bet", **bet_fields()}]}, signature="nope")
    assert answer["status"] == "INVALID_SIGNATURE" and "results" not in answer
    assert idr(rich_player) == Decimal("1500.00")
