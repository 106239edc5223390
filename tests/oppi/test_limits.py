"""Responsible-gaming limits (daily bet, daily loss) as Oppi sees them: RS_ERROR_LIMIT_REACHED.

The limits live on the wallet row (wallet.gameplay._limit_refusal); every refusal leaves a
LimitRefusal row saying which limit refused which bet.
"""

from __future__ import annotations

import pytest

from providers.oppi.codes import Status
from tests.oppi.conftest import bet_body, payout_body, reward_body, rollback_item
from wallet.models import Account, LimitRefusal

pytestmark = pytest.mark.django_db

IDR_START = 1500_00000


@pytest.fixture(autouse=True)
def _ledger_stays_consistent(db):
    yield
    from wallet.checks import ledger_violations

    assert ledger_violations() == []


def set_limits(player, *, bet=None, loss=None, currency="IDR") -> Account:
    wallet = Account.objects.get(player=player, currency_id=currency, kind="wallet")
    wallet.daily_bet_limit, wallet.daily_loss_limit = bet, loss
    wallet.save(update_fields=["daily_bet_limit", "daily_loss_limit"])
    return wallet


def test_daily_bet_limit_refuses_the_bet_that_would_pass_it(oppi_call, rich_player, session):
    wallet = set_limits(rich_player, bet=1000)
    assert oppi_call("transaction/bet", bet_body(txn="b-1", amount=600))["status"] == Status.OK
    answer = oppi_call("transaction/bet", bet_body(txn="b-2", amount=401))
    assert answer == {"status": Status.LIMIT_REACHED, "transactionId": "b-2", "balance": IDR_START - 600}
    refusal = LimitRefusal.objects.get()
    assert (refusal.wallet_id, refusal.limit_kind, refusal.limit, refusal.used_today, refusal.amount,
            refusal.external_id) == (wallet.pk, "daily_bet", 1000, 600, 401, "b-2")
    # Exactly up to the limit is allowed.
    assert oppi_call("transaction/bet", bet_body(txn="b-3", amount=400))["status"] == Status.OK


def test_a_refused_bet_leaves_no_transaction_and_its_retry_passes_once_the_limit_is_raised(oppi_call, rich_player,
                                                                                         session):
    set_limits(rich_player, bet=100)
    assert oppi_call("transaction/bet", bet_body(amount=101))["status"] == Status.LIMIT_REACHED
    set_limits(rich_player, bet=None)
    assert oppi_call("transaction/bet", bet_body(amount=101))["status"] == Status.OK
    assert LimitRefusal.objects.count() == 1


def test_refunded_bets_do_not_count_against_the_bet_limit(oppi_call, rich_player, session):
    set_limits(rich_player, bet=1000)
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=1000))
    assert oppi_call("transaction/bet", bet_body(txn="b-2", amount=1))["status"] == Status.LIMIT_REACHED
    oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "b-1")]})
    assert oppi_call("transaction/bet", bet_body(txn="b-2", amount=1))["status"] == Status.OK


def test_limit_is_checked_before_funds(oppi_call, rich_player, session):
    set_limits(rich_player, bet=10)
    answer = oppi_call("transaction/bet", bet_body(amount=IDR_START + 1))
    assert answer["status"] == Status.LIMIT_REACHED


def test_limit_is_checked_after_the_currency(oppi_call, rich_player, session):
    set_limits(rich_player, bet=10)
    assert oppi_call("transaction/bet", bet_body(currency="USD", amount=11))["status"] == (
        Status.FIELD_REQUIRED_OR_INVALID)
    assert not LimitRefusal.objects.exists()


def test_limits_of_another_currency_do_not_apply(oppi_call, rich_player, session):
    set_limits(rich_player, bet=1, loss=1, currency="USD")
    assert oppi_call("transaction/bet", bet_body(amount=5000))["status"] == Status.OK


def test_daily_loss_limit_counts_the_whole_bet_as_a_possible_loss(oppi_call, rich_player, session):
    wallet = set_limits(rich_player, loss=1000)
    assert oppi_call("transaction/bet", bet_body(txn="b-1", amount=800))["status"] == Status.OK
    answer = oppi_call("transaction/bet", bet_body(txn="b-2", amount=300))
    assert answer["status"] == Status.LIMIT_REACHED and answer["balance"] == IDR_START - 800
    refusal = LimitRefusal.objects.get()
    assert (refusal.wallet_id, refusal.limit_kind, refusal.used_today, refusal.amount) == (wallet.pk, "daily_loss",
                                                                                           800, 300)


def test_wins_and_rewards_reduce_todays_loss(oppi_call, rich_player, session):
    set_limits(rich_player, loss=1000)
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=1000))
    assert oppi_call("transaction/bet", bet_body(txn="b-2", amount=300))["status"] == Status.LIMIT_REACHED
    oppi_call("transaction/payout", payout_body(txn="p-1", ref="b-1", amount=200, is_win=True))
    oppi_call("transaction/reward", reward_body(txn="r-1", amount=100))
    assert oppi_call("transaction/bet", bet_body(txn="b-2", amount=300))["status"] == Status.OK
    assert oppi_call("transaction/bet", bet_body(txn="b-3", amount=1))["status"] == Status.LIMIT_REACHED


def test_taking_back_a_win_counts_as_loss_again(oppi_call, rich_player, session):
    set_limits(rich_player, loss=1000)
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=1000))
    oppi_call("transaction/payout", payout_body(txn="p-1", ref="b-1", amount=500, is_win=True))
    oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-1", "p-1")]})
    assert oppi_call("transaction/bet", bet_body(txn="b-2", amount=1))["status"] == Status.LIMIT_REACHED


def test_bet_and_loss_limits_together_report_the_bet_limit_first(oppi_call, rich_player, session):
    set_limits(rich_player, bet=100, loss=100)
    assert oppi_call("transaction/bet", bet_body(amount=101))["status"] == Status.LIMIT_REACHED
    assert LimitRefusal.objects.get().limit_kind == "daily_bet"


def test_payouts_and_rewards_are_never_limited(oppi_call, rich_player, session):
    set_limits(rich_player, bet=100, loss=100)
    oppi_call("transaction/bet", bet_body(txn="b-1", amount=100))
    set_limits(rich_player, bet=0, loss=0)
    assert oppi_call("transaction/payout", payout_body(txn="p-1", ref="b-1", amount=1, is_win=True))["status"] == "RS_OK"
    assert oppi_call("transaction/reward", reward_body(amount=1))["status"] == "RS_OK"


def test_a_limit_replay_is_judged_afresh(oppi_call, rich_player, session):
    set_limits(rich_player, bet=10)
    oppi_call("transaction/bet", bet_body(amount=11))
    oppi_call("transaction/bet", bet_body(amount=11))
    assert LimitRefusal.objects.count() == 2  # refused calls are not remembered: each retry is judged


def test_limit_through_the_onegaming_mapping(client, onegaming, rich_player):
    """The same wallet limit refuses a 1G bet too, with 1G's own status for it."""
    from providers.onegaming.codes import Status as OneGamingStatus
    from tests.onegaming.wire import OneGamingWire, launch

    set_limits(rich_player, bet=50_00000)  # 50.00 IDR
    token = launch(onegaming, rich_player).token
    answer = OneGamingWire(client).bet(player_id="CLi3000001", l_token=token, currency="IDR", game_id=301,
                                       round_id="R1", txn_id="B1", txn_ticket="T1", amount="60.00")
    assert answer["status"] == OneGamingStatus.INSUFFICIENT_CREDIT  # 1G has no status for a limit
    assert LimitRefusal.objects.get().integration_id == onegaming.pk
    assert Account.objects.get(player=rich_player, currency_id="IDR").balance == IDR_START
