"""wallet.gameplay rules that only show on a second day or in a race.

- Daily limits count from 00:00 UTC: yesterday's bets and losses never count today
  (controlled clock: django.utils.timezone.now is patched, no wall-clock margin).
- A reused transaction id with other content is DUPLICATE_ID, never a replay of the first
  answer: judged again under the wallet lock, where a race past the provider's pre-check ends.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test import Client

from tests.conftest import funded_wallet
from tests.factories import GameFactory, OneGamingIntegrationFactory, OppiIntegrationFactory, PlayerFactory
from tests.oppi.conftest import OppiCaller, launch
from wallet import gameplay
from wallet.gameplay import Code, GameCall
from wallet.models import Account, GameTransaction, LimitRefusal, Transfer, TransferKind

UTC = dt.UTC
DAY1_LAST_SECOND = dt.datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC)
DAY2_MIDNIGHT = dt.datetime(2026, 3, 2, 0, 0, 0, tzinfo=UTC)
# Not on a round minute, second or microsecond: a window that kept any of them would start late.
DAY2_NOON = dt.datetime(2026, 3, 2, 12, 34, 56, 789012, tzinfo=UTC)


def _call(integration, player, ext: str, **content) -> GameCall:
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency="IDR",
                    fingerprint=gameplay.fingerprint(ext=ext, **content))


def _at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def table(db):
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory(external_id="LIMIT1")
    wallet = funded_wallet(player, "IDR", "100.00")
    return integration, player, wallet


def _limits(wallet, *, bet=None, loss=None):
    Account.objects.filter(pk=wallet.pk).update(daily_bet_limit=bet, daily_loss_limit=loss)


def _bet(table, ext: str, amount: int, moment: dt.datetime):
    integration, player, _ = table
    with _at(moment):
        return gameplay.bet_place(_call(integration, player, ext, amount=amount), ticket=f"t-{ext}", amount=amount)


# --- daily limits: "today" starts at 00:00 UTC ----------------------------------------------


def test_daily_bet_limit_resets_at_midnight_utc(table):
    _limits(table[2], bet=1000)
    assert _bet(table, "d1", 1000, DAY1_LAST_SECOND).code is Code.APPLIED
    assert _bet(table, "d1-more", 1, DAY1_LAST_SECOND).code is Code.LIMIT_REACHED  # day 1 is full
    assert _bet(table, "d2", 1000, DAY2_MIDNIGHT).code is Code.APPLIED  # a new day: yesterday is not counted
    refused = _bet(table, "d2-more", 1, DAY2_NOON)  # ... but today's bet at 00:00:00 is
    assert refused.code is Code.LIMIT_REACHED and refused.limit == "daily_bet"
    refusal = LimitRefusal.objects.get(external_id="d2-more")
    assert (refusal.limit, refusal.used_today, refusal.amount) == (1000, 1000, 1)


def test_daily_loss_limit_resets_at_midnight_utc(table):
    _limits(table[2], loss=500)
    assert _bet(table, "l1", 500, DAY1_LAST_SECOND).code is Code.APPLIED  # lost whole: day 1 at its limit
    assert _bet(table, "l1-more", 1, DAY1_LAST_SECOND).code is Code.LIMIT_REACHED
    assert _bet(table, "l2", 500, DAY2_MIDNIGHT).code is Code.APPLIED
    refused = _bet(table, "l2-more", 1, DAY2_NOON)
    assert refused.code is Code.LIMIT_REACHED and refused.limit == "daily_loss"
    assert LimitRefusal.objects.get(external_id="l2-more").used_today == 500


def test_yesterdays_win_does_not_lower_todays_loss(table):
    """A win on day 1 must not make room for day 2's losses either."""
    integration, player, wallet = table
    _limits(wallet, loss=500)
    assert _bet(table, "w1", 100, DAY1_LAST_SECOND).code is Code.APPLIED
    with _at(DAY1_LAST_SECOND):
        won = gameplay.win_settle(_call(integration, player, "w1-win"), ticket="t-w1", amount=10_000,
                                  single_settlement=True)
    assert won.code is Code.APPLIED
    assert _bet(table, "w2", 500, DAY2_NOON).code is Code.APPLIED
    assert _bet(table, "w2-more", 1, DAY2_NOON).code is Code.LIMIT_REACHED


def _used_today_at_refusal(table, ext: str) -> int:
    """Today's figure the loss limit was checked against: a bet far over the limit is refused and
    its refusal records it."""
    assert _bet(table, ext, 1_000_000, DAY2_NOON).code is Code.LIMIT_REACHED
    return LimitRefusal.objects.get(external_id=ext).used_today


def test_a_ticket_of_the_same_name_in_another_integration_does_not_bring_yesterdays_bet_into_today(table):
    """Tickets are per integration: today's bet on ticket "t-shared" at another provider does not
    make today's win on yesterday's "t-shared" bet here count against today's loss."""
    integration, player, wallet = table
    other = OneGamingIntegrationFactory()
    _limits(wallet, loss=1000)
    with _at(DAY1_LAST_SECOND):
        assert gameplay.bet_place(_call(integration, player, "y-bet"), ticket="t-shared", amount=100).applied
    with _at(DAY2_NOON):
        assert gameplay.bet_place(_call(other, player, "o-bet"), ticket="t-shared", amount=200).applied
        assert gameplay.win_settle(_call(integration, player, "y-win"), ticket="t-shared", amount=5000,
                                   single_settlement=True).applied
    assert _used_today_at_refusal(table, "probe") == 200


def test_another_players_reward_today_does_not_bring_this_players_earlier_reward_into_today(table):
    """A reward's ticket is its reference, shared by every player who got that bonus: taking back
    today this player's reward of yesterday stays out of today's loss, though another player got
    the same bonus today."""
    integration, player, wallet = table
    other = PlayerFactory(external_id="LIMIT2")
    funded_wallet(other, "IDR", "1.00")
    _limits(wallet, loss=1000)
    with _at(DAY1_LAST_SECOND):
        assert gameplay.reward_credit(_call(integration, player, "r-mine"), reward_ref="bonus-S", amount=5000).applied
    with _at(DAY2_NOON):
        assert gameplay.reward_credit(_call(integration, other, "r-theirs"), reward_ref="bonus-S", amount=100).applied
        assert gameplay.transaction_rollback(_call(integration, player, "rb-mine"), reference="r-mine").applied
    assert _used_today_at_refusal(table, "probe") == 0


def test_a_repeatable_prize_counts_only_todays_wins_against_todays_loss(table):
    """A prize (a jackpot can be won again) keeps one ticket across days: yesterday's win on it
    does not lower today's loss, today's does."""
    integration, player, wallet = table
    _limits(wallet, loss=1000)
    with _at(DAY1_LAST_SECOND):
        assert gameplay.reward_credit(_call(integration, player, "j-1"), reward_ref="jackpot", amount=5000,
                                      once_per_reference=False).applied
    with _at(DAY2_NOON):
        assert gameplay.reward_credit(_call(integration, player, "j-2"), reward_ref="jackpot", amount=100,
                                      once_per_reference=False).applied
    assert _used_today_at_refusal(table, "probe") == -100


# --- a reused id with other content --------------------------------------------------------


def test_reused_id_with_other_content_is_duplicate_not_a_replay(table):
    """The rule inside the lock, called directly (no provider pre-check in front of it)."""
    integration, player, wallet = table
    with _at(DAY2_NOON):
        first = gameplay.bet_place(_call(integration, player, "same", amount=100), ticket="T1", amount=100)
        again = gameplay.bet_place(_call(integration, player, "same", amount=100), ticket="T1", amount=100)
        other = gameplay.bet_place(_call(integration, player, "same", amount=200), ticket="T1", amount=200)
    assert first.code is Code.APPLIED and not first.replayed
    assert (again.code, again.replayed, again.balance, again.currency) == (Code.APPLIED, True, 100_00000 - 100, "IDR")
    assert (other.code, other.replayed, other.balance, other.currency) == (Code.DUPLICATE_ID, False, 100_00000 - 100,
                                                                           "IDR")
    assert Transfer.objects.filter(kind=TransferKind.BET, debit_account=wallet).count() == 1


def test_reused_id_from_another_player_is_duplicate_not_a_replay(table):
    integration, player, _ = table
    stranger = PlayerFactory(external_id="LIMIT2")
    funded_wallet(stranger, "IDR", "1.00")
    with _at(DAY2_NOON):
        assert gameplay.bet_place(_call(integration, player, "mine", amount=1), ticket="T1", amount=1).applied
        theirs = gameplay.bet_place(_call(integration, stranger, "mine", amount=1), ticket="T1", amount=1)
    assert theirs.code is Code.DUPLICATE_ID


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # Row-lock waits are on the holder's transaction id, which pg_locks lists with no database.
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_bets_with_one_id_and_other_content_give_one_duplicate_not_two_applies():
    """Two Oppi bets with the same transactionId and different amounts arrive together.

    The test holds the player's wallet lock until both calls wait for it, so both have passed
    the provider's pre-check (no row with that id yet): only the comparison under the lock
    can tell them apart. One is applied; the other must be RS_ERROR_DUPLICATE_TRANSACTION,
    not a replay of the first answer.
    """
    integration = OppiIntegrationFactory(api_key="dup-key", secret="dup-secret")
    GameFactory(integration=integration, game_id="oppi-dice")
    player = PlayerFactory(external_id="DUP1")
    funded_wallet(player, "IDR", "100.00")
    launch(integration, player, token="dup-sess")
    answers: dict[int, dict] = {}

    def bet(amount: int) -> None:
        try:
            answers[amount] = OppiCaller(Client(), integration)("transaction/bet", {
                "transactionId": "dup-1", "sessionId": "dup-sess", "playerId": "DUP1", "gameId": "oppi-dice",
                "currency": "IDR", "amount": amount})
        finally:
            connection.close()

    threads = [threading.Thread(target=bet, args=(amount,)) for amount in (1_00000, 2_00000)]
    with transaction.atomic():
        list(Account.objects.select_for_update().filter(player=player))  # the lock every bet takes first
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 120  # generous: only a stuck thread takes this long
        while _waiting_on_locks() < 2:
            assert time.monotonic() < deadline, "the two bets never reached the wallet lock"
            time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=120)
    assert len(answers) == 2, "a thread failed"
    statuses = sorted(answer["status"] for answer in answers.values())
    assert statuses == ["RS_ERROR_DUPLICATE_TRANSACTION", "RS_OK"], answers
    applied = GameTransaction.objects.get(integration=integration, external_id="dup-1")
    wallet = Account.objects.get(player=player, currency_id="IDR", kind="wallet")
    assert wallet.balance == 100_00000 - applied.amount
    from wallet.checks import ledger_violations

    assert ledger_violations() == []


def test_reused_id_in_a_currency_without_wallet_is_duplicate_without_balance(table):
    integration, player, _ = table
    with _at(DAY2_NOON):
        assert gameplay.bet_place(_call(integration, player, "cur", amount=1), ticket="T1", amount=1).applied
        call = GameCall(integration_id=integration.pk, player=player, external_id="cur", currency="USD",
                        fingerprint=gameplay.fingerprint(ext="cur", currency="USD"))
        other = gameplay.bet_place(call, ticket="T1", amount=1)
    assert (other.code, other.balance, other.currency) == (Code.DUPLICATE_ID, None, "USD")


def test_a_replayed_rollback_of_something_never_seen_answers_unknown_reference_again(table):
    integration, player, _ = table
    with _at(DAY2_NOON):
        first = gameplay.ticket_rollback(_call(integration, player, "rb-unknown"), ticket="NEVER")
        again = gameplay.ticket_rollback(_call(integration, player, "rb-unknown"), ticket="NEVER")
    assert first.code is again.code is Code.UNKNOWN_REFERENCE
    assert again.replayed and again.balance == 100_00000


def test_todays_loss_is_bets_minus_refunds_wins_and_rewards_plus_reclaims(table):
    """Each kind of game transfer moves today's loss its own way; the refusal records the figure used."""
    integration, player, wallet = table
    _limits(wallet, loss=1000)
    with _at(DAY2_NOON):
        assert _bet(table, "t1", 600, DAY2_NOON).applied  # loss 600
        assert gameplay.win_settle(_call(integration, player, "t1-win"), ticket="t-t1", amount=200,
                                   single_settlement=True).applied  # 400
        assert gameplay.reward_credit(_call(integration, player, "rw"), reward_ref="R1", amount=100).applied  # 300
        assert _bet(table, "t2", 200, DAY2_NOON).applied  # 500
        assert gameplay.ticket_rollback(_call(integration, player, "rb-t2"), ticket="t-t2").applied  # refund: 300
        # Rolling back t1 refunds its bet (600) and reclaims its win (200): 300 - 600 + 200 = -100.
        assert gameplay.ticket_rollback(_call(integration, player, "rb-t1"), ticket="t-t1").applied
    assert _bet(table, "big", 1101, DAY2_NOON).code is Code.LIMIT_REACHED
    assert LimitRefusal.objects.get(external_id="big").used_today == -100
    assert _bet(table, "fits", 1100, DAY2_NOON).applied
    _limits(wallet, bet=1000)  # bets today: 600 + 200 + 1100 - 800 refunded = 1100
    assert _bet(table, "over", 1, DAY2_NOON).code is Code.LIMIT_REACHED
    assert LimitRefusal.objects.get(external_id="over").used_today == 1100
