"""Oppi bets against the daily limits across midnight UTC (issue 8): a rollback or payout today of
yesterday's bet gives no room today. The money clock is set by the test; Oppi's signed timestamp
stays real (the callback's freshness window reads the real clock)."""

from __future__ import annotations

import datetime as dt

import pytest

from lobby.models import LaunchSession
from providers.oppi.codes import Status
from tests.oppi.conftest import SESSION, bet_body, launch, payout_body, rollback_item
from wallet.models import Account

pytestmark = pytest.mark.django_db

DAY_TWO = dt.datetime(2026, 11, 29, tzinfo=dt.UTC)


@pytest.fixture
def at(monkeypatch, oppi, rich_player, oppi_game):
    """Move the money clock to `moment`, with a live Oppi session at that time."""
    launch(oppi, rich_player)

    def move(moment: dt.datetime) -> None:
        monkeypatch.setattr("django.utils.timezone.now", lambda: moment)
        LaunchSession.objects.filter(token=SESSION).update(created_at=moment, last_seen_at=moment,
                                                           expires_at=moment + dt.timedelta(hours=1))

    return move


def set_limits(player, *, bet=None, loss=None) -> None:
    Account.objects.filter(player=player, currency_id="IDR", kind="wallet").update(daily_bet_limit=bet,
                                                                                   daily_loss_limit=loss)


def test_a_rollback_today_of_yesterdays_bet_gives_no_room_today(oppi_call, rich_player, at):
    at(DAY_TWO - dt.timedelta(hours=2))
    assert oppi_call("transaction/bet", bet_body(txn="y-1", amount=5000))["status"] == Status.OK
    set_limits(rich_player, bet=1000, loss=1000)
    at(DAY_TWO + dt.timedelta(hours=8))
    assert oppi_call("transaction/rollback", {"transactions": [rollback_item("rb-y-1", "y-1")]})["status"] == Status.OK
    assert oppi_call("transaction/bet", bet_body(txn="d-1", amount=1000))["status"] == Status.OK
    assert oppi_call("transaction/bet", bet_body(txn="d-2", amount=1))["status"] == Status.LIMIT_REACHED


def test_a_payout_today_of_yesterdays_bet_gives_no_room_under_the_loss_limit(oppi_call, rich_player, at):
    at(DAY_TWO - dt.timedelta(hours=2))
    assert oppi_call("transaction/bet", bet_body(txn="y-1", amount=5000))["status"] == Status.OK
    set_limits(rich_player, loss=1000)
    at(DAY_TWO + dt.timedelta(hours=8))
    payout = payout_body(txn="p-y-1", ref="y-1", amount=5000, is_win=True)
    assert oppi_call("transaction/payout", payout)["status"] == Status.OK
    assert oppi_call("transaction/bet", bet_body(txn="d-1", amount=1000))["status"] == Status.OK
    assert oppi_call("transaction/bet", bet_body(txn="d-2", amount=1))["status"] == Status.LIMIT_REACHED
