"""Spec section 2, business rules: one test per rule and status, through the real endpoints."""

from __future__ import annotations

import datetime as dt

import pytest

from lobby.models import LaunchSession
from providers.oppi.codes import Status
from tests.conftest import funded_wallet
from tests.factories import GameFactory, PlayerFactory
from tests.oppi.conftest import (
    GAME,
    SESSION,
    bet_body,
    launch,
    payout_body,
    reward_body,
    rollback_item,
)
from wallet.checks import ledger_violations
from wallet.models import Account, GameTransaction, Transfer
from wallet.services import player_set_enabled

pytestmark = pytest.mark.django_db

IDR_START = 1500_00000  # 1,500.00 IDR on Oppi's x100000 scale
BALANCE = {"sessionId": SESSION, "playerId": "CLi3000001"}


@pytest.fixture(autouse=True)
def _ledger_stays_consistent(db):
    """Whatever a test did through the callbacks, the ledger's invariants hold afterwards (always:
    the check must not depend on the directory pytest was started from)."""
    yield
    assert ledger_violations() == []


def wallet(player, currency="IDR") -> int:
    return Account.objects.get(player=player, currency_id=currency, kind="wallet").balance


# --- balance ---------------------------------------------------------------------------------


def test_balance_answers_the_session_currency_on_the_x100000_scale(oppi_call, session):
    assert oppi_call("user/balance", BALANCE) == {"status": "RS_OK", "sessionId": SESSION, "balance": IDR_START}


def test_balance_in_usd_for_a_usd_session(oppi_call, oppi, rich_player, oppi_game):
    launch(oppi, rich_player, token="usd-sess", currency="USD")
    answer = oppi_call("user/balance", {"sessionId": "usd-sess", "playerId": "CLi3000001"})
    assert answer["balance"] == 100_00000


def test_record_not_found_when_player_unknown(oppi_call, session):
    answer = oppi_call("user/balance", {"sessionId": SESSION, "playerId": "NOBODY"})
    assert answer == {"status": Status.RECORD_NOT_FOUND, "sessionId": SESSION}


def test_session_invalid_when_session_belongs_to_another_player(oppi_call, oppi, session):
    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "5.00")
    answer = oppi_call("user/balance", {"sessionId": SESSION, "playerId": "OTHER1"})
    assert answer == {"status": Status.SESSION_REQUIRED_OR_INVALID, "sessionId": SESSION, "balance": 5_00000}


def test_session_invalid_when_session_unknown(oppi_call, session):
    assert oppi_call("user/balance", {**BALANCE, "sessionId": "made-up"})["status"] == Status.SESSION_REQUIRED_OR_INVALID


def test_session_of_another_integration_is_not_ours(oppi_call, rich_player, session):
    from tests.factories import OppiIntegrationFactory

    launch(OppiIntegrationFactory(), rich_player, token="elsewhere")
    answer = oppi_call("user/balance", {**BALANCE, "sessionId": "elsewhere"})
    assert answer["status"] == Status.SESSION_REQUIRED_OR_INVALID


# --- bet -------------------------------------------------------------------------------------


def test_bet_debits_exactly_below_the_currency_digits(oppi_call, rich_player, session):
    answer = oppi_call("transaction/bet", bet_body(amount=1234567))  # 12.34567 IDR
    assert answer == {"status": "RS_OK", "transactionId": "b-1", "balance": IDR_START - 1234567}
    assert wallet(rich_player) == IDR_START - 1234567


def test_bet_replay_answers_first_answer_and_moves_once(oppi_call, rich_player, session):
    first = oppi_call("transaction/bet", bet_body())
    again = oppi_call("transaction/bet", bet_body())
    assert first == again == {"status": "RS_OK", "transactionId": "b-1", "balance": IDR_START - 1_000_00000}
    assert Transfer.objects.filter(kind="bet").count() == 1


def test_bet_replay_ignores_extra_fields_and_key_order(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    reordered = dict(reversed(list(bet_body().items())), extra="whatever")
    assert oppi_call("transaction/bet", reordered)["status"] == Status.OK
    assert Transfer.objects.filter(kind="bet").count() == 1


def test_bet_replay_answers_ok_even_after_session_expired_and_player_blocked(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    LaunchSession.objects.filter(pk=session.pk).update(last_seen_at=session.created_at - dt.timedelta(hours=5),
                                                       created_at=session.created_at - dt.timedelta(hours=5))
    player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert oppi_call("transaction/bet", bet_body()) == {
        "status": "RS_OK", "transactionId": "b-1", "balance": IDR_START - 1_000_00000}


def test_duplicate_transaction_when_same_id_other_fields(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    answer = oppi_call("transaction/bet", bet_body(amount=5))
    assert answer == {"status": Status.DUPLICATE_TRANSACTION, "transactionId": "b-1",
                      "balance": IDR_START - 1_000_00000}


def test_duplicate_transaction_when_a_payout_reuses_a_bet_id(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    assert oppi_call("transaction/payout", payout_body(txn="b-1"))["status"] == Status.DUPLICATE_TRANSACTION


def test_duplicate_transaction_when_another_player_reuses_the_id(oppi_call, oppi, rich_player, session):
    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "50.00")
    launch(oppi, other, token="other-sess")
    oppi_call("transaction/bet", bet_body())
    answer = oppi_call("transaction/bet", bet_body(playerId="OTHER1", sessionId="other-sess"))
    assert answer == {"status": Status.DUPLICATE_TRANSACTION, "transactionId": "b-1", "balance": 50_00000}


def test_record_not_found_when_bet_player_unknown(oppi_call, session):
    assert oppi_call("transaction/bet", bet_body(playerId="NOBODY")) == {
        "status": Status.RECORD_NOT_FOUND, "transactionId": "b-1"}


def test_session_invalid_when_bet_names_unknown_session(oppi_call, rich_player, session):
    answer = oppi_call("transaction/bet", bet_body(sessionId="nope"))
    assert answer == {"status": Status.SESSION_REQUIRED_OR_INVALID, "transactionId": "b-1", "balance": IDR_START}


def test_session_invalid_when_idle_more_than_30_minutes(oppi_call, oppi, rich_player, oppi_game):
    launch(oppi, rich_player, idle=dt.timedelta(minutes=31))
    assert oppi_call("transaction/bet", bet_body())["status"] == Status.SESSION_REQUIRED_OR_INVALID
    assert wallet(rich_player) == IDR_START


def test_bet_within_30_minutes_of_idleness_is_accepted_and_refreshes_the_session(oppi_call, oppi, rich_player,
                                                                                 oppi_game):
    sess = launch(oppi, rich_player, idle=dt.timedelta(minutes=29))
    assert oppi_call("transaction/bet", bet_body())["status"] == Status.OK
    sess.refresh_from_db()
    assert (dt.datetime.now(dt.UTC) - sess.last_seen_at) < dt.timedelta(seconds=30)


def test_session_touch_is_skipped_when_seen_within_the_last_minute(oppi_call, oppi, rich_player, oppi_game):
    sess = launch(oppi, rich_player, idle=dt.timedelta(seconds=20))
    seen = sess.last_seen_at
    oppi_call("transaction/bet", bet_body())
    sess.refresh_from_db()
    assert sess.last_seen_at == seen


def test_player_blocked_when_player_disabled(oppi_call, oppi, disabled_player, oppi_game):
    launch(oppi, disabled_player, token="blk")
    answer = oppi_call("transaction/bet", bet_body(playerId="BLOCKED1", sessionId="blk"))
    assert answer == {"status": Status.PLAYER_BLOCKED, "transactionId": "b-1", "balance": 50_00000}


def test_player_blocked_comes_after_session_expiry(oppi_call, oppi, disabled_player, oppi_game):
    launch(oppi, disabled_player, token="blk", idle=dt.timedelta(hours=2))
    answer = oppi_call("transaction/bet", bet_body(playerId="BLOCKED1", sessionId="blk"))
    assert answer["status"] == Status.SESSION_REQUIRED_OR_INVALID


def test_game_inactive_when_game_not_in_catalogue(oppi_call, session):
    assert oppi_call("transaction/bet", bet_body(gameId="no-such-game"))["status"] == Status.GAME_INACTIVE


def test_game_inactive_when_game_disabled(oppi_call, session, oppi_game):
    oppi_game.enabled = False
    oppi_game.save()
    assert oppi_call("transaction/bet", bet_body())["status"] == Status.GAME_INACTIVE


def test_game_of_another_provider_is_not_in_the_catalogue(oppi_call, session):
    GameFactory(provider="onegaming", game_id="1g-only")
    assert oppi_call("transaction/bet", bet_body(gameId="1g-only"))["status"] == Status.GAME_INACTIVE


def test_field_invalid_when_currency_not_the_sessions_wallet(oppi_call, rich_player, session):
    answer = oppi_call("transaction/bet", bet_body(currency="USD"))
    assert answer == {"status": Status.FIELD_REQUIRED_OR_INVALID, "transactionId": "b-1", "balance": IDR_START}


def test_field_invalid_when_player_has_no_wallet_in_that_currency(oppi_call, oppi, rich_player, oppi_game):
    LaunchSession.objects.create(token=SESSION, integration=oppi, player=rich_player, currency=None,
                                 created_at=dt.datetime.now(dt.UTC), expires_at=dt.datetime.now(dt.UTC))
    assert oppi_call("transaction/bet", bet_body(currency="EUR"))["status"] == Status.FIELD_REQUIRED_OR_INVALID


def test_not_enough_money_answers_the_balance_and_moves_nothing(oppi_call, rich_player, session):
    answer = oppi_call("transaction/bet", bet_body(amount=IDR_START + 1))
    assert answer == {"status": Status.NOT_ENOUGH_MONEY, "transactionId": "b-1", "balance": IDR_START}
    assert not GameTransaction.objects.exists()


def test_a_refused_bet_leaves_no_trace_and_its_retry_is_judged_afresh(oppi_call, rich_player, session):
    assert oppi_call("transaction/bet", bet_body(amount=IDR_START + 1))["status"] == Status.NOT_ENOUGH_MONEY
    funded_wallet(rich_player, "IDR", "0")
    from wallet.services import wallet_deposit

    wallet_deposit(wallet=Account.objects.get(player=rich_player, currency_id="IDR"), amount=1, key="top-up")
    assert oppi_call("transaction/bet", bet_body(amount=IDR_START + 1))["status"] == Status.OK
    assert wallet(rich_player) == 0


def test_whole_balance_can_be_bet(oppi_call, rich_player, session):
    assert oppi_call("transaction/bet", bet_body(amount=IDR_START))["balance"] == 0


def test_zero_bet_is_recorded_without_moving_money(oppi_call, rich_player, session):
    assert oppi_call("transaction/bet", bet_body(amount=0))["status"] == Status.OK
    assert GameTransaction.objects.filter(external_id="b-1").exists() and not Transfer.objects.filter(kind="bet")


def test_duplicate_transaction_when_bet_was_rolled_back_before_it_arrived(oppi_call, rich_player, session):
    first = oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "b-late")]})
    assert first["data"][0]["status"] == Status.TRANSACTION_DOES_NOT_EXIST
    answer = oppi_call("transaction/bet", bet_body(txn="b-late"))
    assert answer == {"status": Status.DUPLICATE_TRANSACTION, "transactionId": "b-late", "balance": IDR_START}
    assert wallet(rich_player) == IDR_START


def test_rolled_back_first_bet_is_judged_after_funds(oppi_call, rich_player, session):
    oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "b-late")]})
    answer = oppi_call("transaction/bet", bet_body(txn="b-late", amount=IDR_START + 1))
    assert answer["status"] == Status.NOT_ENOUGH_MONEY


# --- payout ----------------------------------------------------------------------------------


def test_payout_credits_a_win(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    answer = oppi_call("transaction/payout", payout_body(amount=2_500_00001, is_win=True))
    assert answer == {"status": "RS_OK", "transactionId": "p-1", "balance": IDR_START - 1_000_00000 + 2_500_00001}


def test_payout_zero_loss_credits_nothing(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    assert oppi_call("transaction/payout", payout_body(amount=0, is_win=False))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START - 1_000_00000
    assert not Transfer.objects.filter(kind="win").exists()


def test_a_bet_may_have_several_payouts(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    for n in range(3):
        assert oppi_call("transaction/payout", payout_body(txn=f"p-{n}", amount=100, is_win=True))["status"] == "RS_OK"
    assert wallet(rich_player) == IDR_START - 1_000_00000 + 300


def test_payout_replay_moves_once(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    oppi_call("transaction/payout", payout_body(amount=700, is_win=True))
    assert oppi_call("transaction/payout", payout_body(amount=700, is_win=True))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START - 1_000_00000 + 700


def test_transaction_does_not_exist_when_payout_names_no_bet(oppi_call, rich_player, session):
    answer = oppi_call("transaction/payout", payout_body(ref="never"))
    assert answer == {"status": Status.TRANSACTION_DOES_NOT_EXIST, "transactionId": "p-1", "balance": IDR_START}


def test_transaction_does_not_exist_when_payout_names_another_players_bet(oppi_call, oppi, rich_player, session):
    other = PlayerFactory(external_id="OTHER1")
    funded_wallet(other, "IDR", "50.00")
    launch(oppi, other, token="other-sess")
    oppi_call("transaction/bet", bet_body(txn="their-bet", playerId="OTHER1", sessionId="other-sess", amount=10))
    assert oppi_call("transaction/payout", payout_body(ref="their-bet"))["status"] == Status.TRANSACTION_DOES_NOT_EXIST


def test_transaction_does_not_exist_when_payout_names_a_rolled_back_bet(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "b-1")]})
    answer = oppi_call("transaction/payout", payout_body(amount=5, is_win=True))
    assert answer["status"] == Status.TRANSACTION_DOES_NOT_EXIST and wallet(rich_player) == IDR_START


def test_transaction_does_not_exist_when_payout_names_a_payout(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    oppi_call("transaction/payout", payout_body(amount=5, is_win=True))
    assert oppi_call("transaction/payout", payout_body(txn="p-2", ref="p-1"))["status"] == (
        Status.TRANSACTION_DOES_NOT_EXIST)


def test_payout_ignores_idle_session_and_blocked_player(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    LaunchSession.objects.filter(pk=session.pk).update(last_seen_at=session.created_at - dt.timedelta(days=1))
    player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert oppi_call("transaction/payout", payout_body(amount=9, is_win=True))["status"] == Status.OK


def test_payout_is_never_refused_for_a_session_unknown_to_us(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    answer = oppi_call("transaction/payout", payout_body(sessionId="nope", amount=7, is_win=True))
    assert answer == {"status": "RS_OK", "transactionId": "p-1", "balance": IDR_START - 1_000_00000 + 7}
    assert GameTransaction.objects.get(external_id="p-1").session_token == "nope"


def test_payout_unknown_player_is_record_not_found(oppi_call, session):
    assert oppi_call("transaction/payout", payout_body(playerId="NOBODY"))["status"] == Status.RECORD_NOT_FOUND


def test_field_invalid_when_payout_currency_is_not_the_bets(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    assert oppi_call("transaction/payout", payout_body(currency="USD", amount=1, is_win=True))["status"] == (
        Status.FIELD_REQUIRED_OR_INVALID)


def test_payout_refused_when_its_own_id_was_rolled_back_first(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "p-1")]})
    answer = oppi_call("transaction/payout", payout_body(amount=5, is_win=True))
    assert answer["status"] == Status.DUPLICATE_TRANSACTION and wallet(rich_player) == IDR_START - 1_000_00000


# --- reward ----------------------------------------------------------------------------------


def test_reward_credits_the_session_currency_by_default(oppi_call, rich_player, session):
    answer = oppi_call("transaction/reward", reward_body(amount=123))
    assert answer == {"status": "RS_OK", "transactionId": "r-1", "balance": IDR_START + 123}


def test_reward_in_a_named_currency(oppi_call, rich_player, session):
    assert oppi_call("transaction/reward", reward_body(amount=5, currency="USD"))["balance"] == 100_00005


def test_reward_in_a_currency_without_wallet_is_field_invalid(oppi_call, rich_player, session):
    assert oppi_call("transaction/reward", reward_body(currency="EUR"))["status"] == Status.FIELD_REQUIRED_OR_INVALID


def test_duplicate_transaction_when_a_second_bonus_names_the_same_reference(oppi_call, rich_player, session):
    oppi_call("transaction/reward", reward_body(amount=10, rewardType="bonus"))
    answer = oppi_call("transaction/reward", reward_body(txn="r-2", amount=10, rewardType="bonus"))
    assert answer == {"status": Status.DUPLICATE_TRANSACTION, "transactionId": "r-2", "balance": IDR_START + 10}


def test_reward_replay_moves_once(oppi_call, rich_player, session):
    oppi_call("transaction/reward", reward_body(amount=10))
    assert oppi_call("transaction/reward", reward_body(amount=10))["status"] == Status.OK
    assert wallet(rich_player) == IDR_START + 10


def test_reward_ignores_blocked_player_and_idle_session(oppi_call, rich_player, session):
    LaunchSession.objects.filter(pk=session.pk).update(last_seen_at=session.created_at - dt.timedelta(days=1))
    player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert oppi_call("transaction/reward", reward_body(amount=10))["status"] == Status.OK


def test_reward_unknown_player_is_record_not_found(oppi_call, session):
    assert oppi_call("transaction/reward", reward_body(playerId="NOBODY"))["status"] == Status.RECORD_NOT_FOUND


# --- rollback --------------------------------------------------------------------------------


def _rollback(oppi_call, *items):
    return oppi_call("transaction/rollback", {"transactions": list(items)})


def test_rollback_refunds_a_bet(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    assert answer == {"status": "RS_OK", "data": [{"status": "RS_OK", "transactionId": "rb-1", "balance": IDR_START}]}


def test_rollback_takes_back_a_payout_and_may_leave_the_wallet_negative(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=IDR_START))
    oppi_call("transaction/payout", payout_body(amount=500, is_win=True))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=500))
    answer = _rollback(oppi_call, rollback_item("rb-1", "p-1"))
    assert answer["status"] == Status.OK and answer["data"][0]["balance"] == -500
    assert wallet(rich_player) == -500


def test_rollback_takes_back_a_reward(oppi_call, rich_player, session):
    oppi_call("transaction/reward", reward_body(amount=77))
    assert _rollback(oppi_call, rollback_item("rb-1", "r-1"))["data"][0]["balance"] == IDR_START


def test_rollback_of_an_already_rolled_back_reference_is_ok_and_moves_nothing(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    answer = _rollback(oppi_call, rollback_item("rb-2", "b-1"))
    assert answer["status"] == Status.OK and answer["data"][0]["status"] == Status.OK
    assert wallet(rich_player) == IDR_START and Transfer.objects.filter(kind="refund").count() == 1


def test_rollback_of_an_unknown_reference_twice_stays_does_not_exist(oppi_call, rich_player, session):
    _rollback(oppi_call, rollback_item("rb-1", "ghost"))
    again = _rollback(oppi_call, rollback_item("rb-1", "ghost"))  # replay: first answer
    assert again["status"] == "RS_ERROR" and again["data"][0]["status"] == Status.TRANSACTION_DOES_NOT_EXIST
    other = _rollback(oppi_call, rollback_item("rb-2", "ghost"))  # another id: already rolled back
    assert other["data"][0]["status"] == Status.OK


def test_rollback_items_are_judged_in_order_and_the_envelope_is_error_if_any_fails(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=100))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=200))
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"), rollback_item("rb-2", "ghost"),
                       rollback_item("rb-3", "b-2"), rollback_item("rb-4", "b-1"))
    assert answer["status"] == "RS_ERROR"
    assert [(i["transactionId"], i["status"]) for i in answer["data"]] == [
        ("rb-1", "RS_OK"), ("rb-2", Status.TRANSACTION_DOES_NOT_EXIST), ("rb-3", "RS_OK"), ("rb-4", "RS_OK")]
    assert [i["balance"] for i in answer["data"]] == [IDR_START - 200, IDR_START - 200, IDR_START, IDR_START]


def test_rollback_ignores_idle_session_and_blocked_player(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    LaunchSession.objects.filter(pk=session.pk).update(last_seen_at=session.created_at - dt.timedelta(days=1))
    player_set_enabled(player=rich_player, enabled=False, reason="test")
    assert _rollback(oppi_call, rollback_item("rb-1", "b-1"))["status"] == Status.OK


def test_rollback_item_with_unknown_player_or_session(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1", playerId="NOBODY"),
                       rollback_item("rb-2", "b-1", sessionId="nope"))
    assert [i["status"] for i in answer["data"]] == [Status.RECORD_NOT_FOUND, Status.OK]
    assert answer["status"] == "RS_ERROR" and wallet(rich_player) == IDR_START


def test_rollback_of_a_rollback_is_an_error_item(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    answer = _rollback(oppi_call, rollback_item("rb-2", "rb-1"))
    assert answer["data"][0]["status"] == Status.ERROR and wallet(rich_player) == IDR_START


def test_rollback_reusing_a_bet_id_is_a_duplicate_item(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body())
    answer = _rollback(oppi_call, rollback_item("b-1", "b-1"))
    assert answer["data"][0]["status"] == Status.DUPLICATE_TRANSACTION


def test_bet_then_payout_then_rollback_of_the_bet_voids_the_round(oppi_call, rich_player, session):
    oppi_call("transaction/bet", bet_body(amount=1000))
    oppi_call("transaction/payout", payout_body(amount=3000, is_win=True))
    _rollback(oppi_call, rollback_item("rb-1", "b-1"))
    assert wallet(rich_player) == IDR_START


# --- the unexpected --------------------------------------------------------------------------


def test_unexpected_error_answers_rs_error_with_nothing_half_done(oppi_call, rich_player, session, monkeypatch):
    from wallet import gameplay

    def broken_post(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(gameplay, "transfer_prepare", broken_post)
    assert oppi_call("transaction/bet", bet_body()) == {"status": "RS_ERROR"}
    assert not GameTransaction.objects.exists() and wallet(rich_player) == IDR_START
    monkeypatch.undo()
    assert oppi_call("transaction/bet", bet_body())["status"] == Status.OK


def test_unexpected_error_in_one_rollback_item_spares_the_others(oppi_call, rich_player, session, monkeypatch):
    from wallet import gameplay

    oppi_call("transaction/bet", bet_body(amount=100))
    oppi_call("transaction/bet", bet_body(txn="b-2", amount=200))
    real = gameplay.transaction_rollback

    def flaky(call, *, reference):
        if reference == "b-1":
            raise RuntimeError("boom")
        return real(call, reference=reference)

    monkeypatch.setattr(gameplay, "transaction_rollback", flaky)
    answer = _rollback(oppi_call, rollback_item("rb-1", "b-1"), rollback_item("rb-2", "b-2"))
    assert [i["status"] for i in answer["data"]] == ["RS_ERROR", "RS_OK"] and answer["status"] == "RS_ERROR"
    assert wallet(rich_player) == IDR_START - 100


def test_game_ids_from_the_catalogue_without_integration_row(oppi_call, oppi, rich_player):
    GameFactory(provider="oppi", integration=None, game_id=GAME)
    launch(oppi, rich_player)
    assert oppi_call("transaction/bet", bet_body())["status"] == Status.OK
