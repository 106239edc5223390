"""A small played data set for the report tests, and an oracle that sums the ledger directly.

Rounds go through wallet.gameplay (what the provider callbacks call) with the clock set to
fixed moments, so the ledger is genuine. The oracle reads wallet_transfer with its own SQL and
attributes rollback transfers to the bet's game in Python, independently of reports/.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import contextmanager
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.db import connection

from tests.conftest import _staff, funded_wallet
from tests.factories import GameFactory, PlayerFactory
from wallet import gameplay
from wallet.gameplay import GameCall

NOW = dt.datetime(2026, 3, 15, 18, 0, tzinfo=dt.UTC)  # "today" is 2026-03-15
DAY = dt.timedelta(days=1)
UNIT = 10**5


@contextmanager
def clock(moment: dt.datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def call(integration, player, ext, currency, game="", **content) -> GameCall:
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency=currency, game_code=game,
                    fingerprint=gameplay.fingerprint(ext=ext, game=game, **content))


def play(integration, player, currency, ext, *, stake, win=0, game="g1", at, rollback=False, rollback_game=None,
         reward=0):
    """One round at `at`: bet, result, and optionally a rollback of the ticket and a reward."""
    onegaming = integration.provider == "onegaming"
    with clock(at):
        bet = gameplay.bet_place(call(integration, player, f"{ext}-b", currency, game, amount=stake), ticket=ext,
                                 amount=stake, rollback_check_first=onegaming)
        assert bet.applied, bet
        gameplay.win_settle(call(integration, player, f"{ext}-w", currency, game, amount=win), ticket=ext, amount=win,
                            single_settlement=onegaming, refuse_rolled_back_id=not onegaming)
        if rollback:
            game_of_rollback = game if rollback_game is None else rollback_game
            if onegaming:
                done = gameplay.ticket_rollback(call(integration, player, f"{ext}-r", currency, game_of_rollback),
                                                ticket=ext)
            else:
                done = gameplay.transaction_rollback(call(integration, player, f"{ext}-r", currency,
                                                          game_of_rollback), reference=f"{ext}-b")
            assert done.applied, done
        if reward:
            assert gameplay.reward_credit(call(integration, player, f"{ext}-rw", currency, game, amount=reward),
                                          reward_ref=ext, amount=reward).applied


def ledger_sums(*, date_from=None, date_to=None, currency=None, integration_id=None, game=None) -> dict:
    """Per currency: bets, wins, refunds, reclaims, rewards summed straight from wallet_transfer."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.kind, t.currency_id, t.amount, t.created_at, g.integration_id, g.game_code, g.ticket "
            "FROM wallet_transfer t JOIN wallet_gametransaction g ON g.id = t.game_transaction_id "
            "WHERE t.kind IN ('bet', 'win', 'refund', 'reclaim', 'reward')"
        )
        rows = cursor.fetchall()
        cursor.execute("SELECT integration_id, ticket, game_code FROM wallet_gametransaction WHERE action = 'bet'")
        bet_games = {(i, t): g for i, t, g in cursor.fetchall()}
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for kind, cur, amount, created_at, integ, game_code, ticket in rows:
        if isinstance(created_at, str):
            created_at = dt.datetime.fromisoformat(created_at)
        if created_at.tzinfo is None:
            created_at = created_at.replace(tzinfo=dt.UTC)
        day = created_at.astimezone(dt.UTC).date()
        if not game_code and kind in ("refund", "reclaim"):
            game_code = bet_games.get((integ, ticket), "")
        if (date_from and day < date_from) or (date_to and day > date_to) or (currency and cur != currency) \
                or (integration_id and integ != integration_id) or (game and game_code != game):
            continue
        sums[cur][kind + "s" if kind != "refund" else "refunds"] += amount
    for values in sums.values():
        values["ggr"] = values["bets"] - values["wins"] - values["rewards"] + values["reclaims"] - values["refunds"]
    return {cur: dict(values) for cur, values in sums.items()}


@pytest.fixture
def played(db, onegaming, oppi):
    """Two players, two integrations, IDR and USD, over three days up to NOW."""
    GameFactory(integration=oppi, game_id="crash", name="Crash")
    alice = PlayerFactory(external_id="ALICE")
    bob = PlayerFactory(external_id="BOB")
    with clock(NOW - 5 * DAY):
        funded_wallet(alice, "IDR", "1000.00")
        funded_wallet(alice, "USD", "100.00")
        funded_wallet(bob, "USD", "50.00")
    two_days_ago, yesterday, today = NOW - 2 * DAY, NOW - DAY, NOW - dt.timedelta(hours=2)
    play(onegaming, alice, "IDR", "a1", stake=10 * UNIT, win=25 * UNIT, game="301", at=two_days_ago)
    play(onegaming, alice, "IDR", "a2", stake=20 * UNIT, win=0, game="302", at=yesterday)
    play(onegaming, alice, "USD", "a3", stake=5 * UNIT, win=2 * UNIT, game="301", at=yesterday,
         rollback=True, rollback_game="")  # a rollback that names no game: counted for the bet's game
    play(oppi, alice, "USD", "a4", stake=3 * UNIT, win=0, game="crash", at=today, reward=UNIT)
    play(oppi, bob, "USD", "b1", stake=4 * UNIT, win=10 * UNIT, game="crash", at=yesterday)
    play(oppi, bob, "USD", "b2", stake=7 * UNIT, win=0, game="crash", at=today, rollback=True)
    play(onegaming, bob, "USD", "b3", stake=12_345, win=0, game="302", at=today)  # 0.12345 USD
    return {"alice": alice, "bob": bob}


REPORTS_CODENAMES = ["view_reports"]


@pytest.fixture
def finance_staff(db):
    user = _staff("fin", "finance")  # the role as the audit app's migration defines it
    assert Permission.objects.filter(codename="view_reports", content_type__app_label="reports").exists()
    return user


@pytest.fixture
def support_staff(db):
    return _staff("sup", "support")
