"""Daily bet and loss limits count today's bets only, with what belongs to them (issue 8).

A refund or a win today of yesterday's bet gives no room today; the day starts at 00:00 UTC.
A bet a limit refuses answers INSUFFICIENT_CREDIT (spec 3.2 rule 5). The clock is set by the
test: every `timezone.now()` (the callback's `datetime`, the token, the ledger) reads it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.onegaming.wire import launch
from wallet.models import Account, LimitRefusal

pytestmark = pytest.mark.django_db

DAY_ONE = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
DAY_TWO = DAY_ONE + dt.timedelta(days=1)


class Clock:
    def __init__(self) -> None:
        self.now = DAY_ONE + dt.timedelta(hours=20)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr("django.utils.timezone.now", clock)
    return clock


@pytest.fixture
def play(wire, onegaming, rich_player, clock):
    """Signed 1G calls by Mikha in IDR at the clock's time (a fresh l_token for each bet)."""

    class Play:
        def bet(self, txn: str, ticket: str, amount: str) -> str:
            token = launch(onegaming, rich_player).token
            return wire.bet(player_id="CLi3000001", l_token=token, currency="IDR", game_id=301, round_id="R",
                            txn_id=txn, txn_ticket=ticket, amount=amount)["status"]

        def result(self, txn: str, ticket: str, amount: str) -> str:
            return wire.result(player_id="CLi3000001", currency="IDR", game_id=301, round_id="R", txn_id=txn,
                               txn_ticket=ticket, amount=amount)["status"]

        def rollback(self, txn: str, ticket: str) -> str:
            return wire.rollback(player_id="CLi3000001", currency="IDR", game_id=301, txn_id=txn,
                                 txn_ticket=ticket)["status"]

    return Play()


def set_limits(player, *, bet: int | None = None, loss: int | None = None) -> None:
    """Limits in whole IDR (the ledger keeps 5 fractional digits)."""
    Account.objects.filter(player=player, currency_id="IDR", kind="wallet").update(
        daily_bet_limit=None if bet is None else bet * 10**5, daily_loss_limit=None if loss is None else loss * 10**5)


def test_a_refund_today_of_yesterdays_bet_leaves_todays_bet_limit_as_it_was(play, clock, rich_player):
    assert play.bet("Y1", "TY1", "500.00") == "OK"
    set_limits(rich_player, bet=100)
    clock.now = DAY_TWO + dt.timedelta(hours=9)
    assert play.rollback("RB-Y1", "TY1") == "OK"  # yesterday's 500.00 refunded today
    assert play.bet("D1", "TD1", "100.00") == "OK"
    assert play.bet("D2", "TD2", "0.01") == "INSUFFICIENT_CREDIT"
    refusal = LimitRefusal.objects.get()
    assert (refusal.limit_kind, refusal.used_today, refusal.amount) == ("daily_bet", 100 * 10**5, 1000)


def test_a_refund_of_todays_bet_gives_its_room_back(play, clock, rich_player):
    set_limits(rich_player, bet=100)
    clock.now = DAY_TWO + dt.timedelta(hours=9)
    assert play.bet("D1", "TD1", "100.00") == "OK"
    assert play.bet("D2", "TD2", "0.01") == "INSUFFICIENT_CREDIT"
    assert play.rollback("RB-D1", "TD1") == "OK"
    assert play.bet("D3", "TD3", "100.00") == "OK"


def test_a_win_today_on_yesterdays_bet_leaves_todays_loss_limit_as_it_was(play, clock, rich_player):
    assert play.bet("Y1", "TY1", "500.00") == "OK"
    set_limits(rich_player, loss=100)
    clock.now = DAY_TWO + dt.timedelta(hours=9)
    assert play.result("W-Y1", "TY1", "500.00") == "OK"  # yesterday's ticket paid today
    assert play.bet("D1", "TD1", "100.00") == "OK"
    assert play.bet("D2", "TD2", "0.01") == "INSUFFICIENT_CREDIT"
    assert LimitRefusal.objects.get().limit_kind == "daily_loss"


def test_a_refund_today_of_yesterdays_bet_leaves_todays_loss_limit_as_it_was(play, clock, rich_player):
    assert play.bet("Y1", "TY1", "500.00") == "OK"
    set_limits(rich_player, loss=100)
    clock.now = DAY_TWO + dt.timedelta(hours=9)
    assert play.rollback("RB-Y1", "TY1") == "OK"
    assert play.bet("D1", "TD1", "100.00") == "OK"
    assert play.bet("D2", "TD2", "0.01") == "INSUFFICIENT_CREDIT"


def test_taking_back_today_a_win_of_yesterdays_bet_adds_no_loss_today(play, clock, rich_player):
    assert play.bet("Y1", "TY1", "100.00") == "OK"
    assert play.result("W-Y1", "TY1", "300.00") == "OK"
    set_limits(rich_player, loss=100)
    clock.now = DAY_TWO + dt.timedelta(hours=9)
    assert play.rollback("RB-Y1", "TY1") == "OK"  # refund 100.00, take back 300.00: yesterday's business
    assert play.bet("D1", "TD1", "100.00") == "OK"
    assert play.bet("D2", "TD2", "0.01") == "INSUFFICIENT_CREDIT"


def test_a_win_on_todays_bet_still_lowers_todays_loss(play, clock, rich_player):
    set_limits(rich_player, loss=100)
    clock.now = DAY_TWO + dt.timedelta(hours=9)
    assert play.bet("D1", "TD1", "100.00") == "OK"
    assert play.result("W-D1", "TD1", "60.00") == "OK"
    assert play.bet("D2", "TD2", "60.00") == "OK"
    assert play.bet("D3", "TD3", "0.01") == "INSUFFICIENT_CREDIT"


def test_the_window_starts_again_at_midnight_utc(play, clock, rich_player):
    set_limits(rich_player, bet=100, loss=100)
    clock.now = DAY_TWO - dt.timedelta(seconds=2)  # 23:59:58 on day one
    assert play.bet("Y1", "TY1", "100.00") == "OK"
    clock.now = DAY_TWO - dt.timedelta(microseconds=1)  # 23:59:59.999999: still day one
    assert play.bet("Y2", "TY2", "0.01") == "INSUFFICIENT_CREDIT"
    clock.now = DAY_TWO  # 00:00:00 UTC: a new day, yesterday's bets no longer count
    assert play.bet("D1", "TD1", "100.00") == "OK"
    assert play.bet("D2", "TD2", "0.01") == "INSUFFICIENT_CREDIT"
