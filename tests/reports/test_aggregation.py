"""The aggregates follow the ledger incrementally: every transfer counted exactly once."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import aggregation
from reports.models import AggregateCursor, DailyCallStat, DailyGameStat, PendingSourceId
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from wallet.models import Transfer

from .conftest import NOW, UNIT, clock, ledger_sums, play

MONEY = ("bets", "wins", "refunds", "reclaims", "rewards")


def aggregated() -> dict:
    rows = DailyGameStat.objects.values("currency_id").order_by().annotate(**{k: Sum(k) for k in MONEY})
    result = {}
    for row in rows:
        values = {k: row[k] for k in MONEY}
        values["ggr"] = values["bets"] - values["wins"] - values["rewards"] + values["reclaims"] - values["refunds"]
        result[row["currency_id"]] = values
    return result


def players_per_key() -> dict:
    """Oracle: distinct players per (day, integration, game, currency) straight from the ledger."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT integration_id, ticket, game_code FROM wallet_gametransaction WHERE action = 'bet'")
        bet_games = {(i, t): g for i, t, g in cursor.fetchall()}
        cursor.execute("SELECT t.created_at, g.integration_id, g.game_code, t.currency_id, g.player_id, g.ticket "
                       "FROM wallet_transfer t JOIN wallet_gametransaction g ON g.id = t.game_transaction_id "
                       "WHERE t.kind IN ('bet', 'win', 'refund', 'reclaim', 'reward')")
        seen = defaultdict(set)
        for created_at, integration_id, game, currency, player, ticket in cursor.fetchall():
            game = game or bet_games.get((integration_id, ticket), "")
            if isinstance(created_at, str):
                created_at = dt.datetime.fromisoformat(created_at)
            day = (created_at if created_at.tzinfo else created_at.replace(tzinfo=dt.UTC)).astimezone(dt.UTC).date()
            seen[(day, integration_id, game, currency)].add(player)
    return {key: len(players) for key, players in seen.items()}


def aggregated_players() -> dict:
    return {(r.day, r.integration_id, r.game_code, r.currency_id): r.players for r in DailyGameStat.objects.all()}


def expected() -> dict:
    return {cur: {k: v.get(k, 0) for k in (*MONEY, "ggr")} for cur, v in ledger_sums().items()}


def test_a_refresh_counts_everything_once_and_a_second_refresh_adds_nothing(played):
    first = aggregation.refresh(now=NOW)
    assert first.transfers == Transfer.objects.count()
    assert aggregated() == expected()
    again = aggregation.refresh(now=NOW)
    assert again.transfers == 0 and aggregated() == expected()


def test_transfers_after_a_refresh_are_picked_up_exactly_once(played, onegaming):
    aggregation.refresh(now=NOW)
    before = Transfer.objects.count()
    play(onegaming, played["alice"], "IDR", "late", stake=7 * UNIT, win=UNIT, game="301", at=NOW)
    assert aggregation.refresh(now=NOW).transfers == Transfer.objects.count() - before == 2
    assert aggregation.refresh(now=NOW).transfers == 0
    assert aggregated() == expected()
    assert aggregated_players() == players_per_key()
    assert AggregateCursor.objects.get(source=aggregation.TRANSFERS).last_id == Transfer.objects.latest("pk").pk


def test_small_batches_give_the_same_sums(played):
    aggregation.refresh(now=NOW, batch_size=3)
    assert aggregated() == expected()


def test_a_lower_id_that_commits_after_a_higher_one_is_counted_on_a_later_refresh(played, onegaming):
    """Emulates a transaction that took an id first and committed last: the refresh that passes
    the gap remembers it, a later refresh counts the row once it is visible."""
    aggregation.refresh(now=NOW)
    last = Transfer.objects.latest("pk")
    template = Transfer.objects.filter(kind="bet").select_related("game_transaction").first()

    def copy_of(pk, key):
        return Transfer(pk=pk, key=key, kind="bet", debit_account_id=template.debit_account_id,
                        credit_account_id=template.credit_account_id, currency_id=template.currency_id, amount=UNIT,
                        game_transaction=template.game_transaction, created_at=template.created_at)

    copy_of(last.pk + 2, "late-commit-high").save(force_insert=True)  # visible first
    assert aggregation.refresh(now=NOW).transfers == 1
    assert last.pk + 1 in PendingSourceId.objects.values_list("source_id", flat=True)
    copy_of(last.pk + 1, "late-commit-low").save(force_insert=True)  # commits later with the lower id
    assert aggregation.refresh(now=NOW + dt.timedelta(seconds=5)).transfers == 1
    assert last.pk + 1 not in PendingSourceId.objects.values_list("source_id", flat=True)
    assert aggregation.refresh(now=NOW + dt.timedelta(seconds=10)).transfers == 0
    assert aggregated()[template.currency_id]["bets"] == expected()[template.currency_id]["bets"]


def test_a_gap_that_never_fills_is_left_to_the_catch_up_then_forgotten(played):
    aggregation.refresh(now=NOW)
    PendingSourceId.objects.create(source=aggregation.TRANSFERS, source_id=10**9, noticed_at=NOW)
    aggregation.refresh(now=NOW + aggregation.PENDING_TTL - dt.timedelta(seconds=1))
    assert PendingSourceId.objects.filter(late=False).exists()
    aggregation.refresh(now=NOW + aggregation.PENDING_TTL + dt.timedelta(seconds=1))
    assert list(PendingSourceId.objects.values_list("late", flat=True)) == [True]  # the minute refresh stops looking
    assert not aggregation.is_behind()
    aggregation.catch_up(now=NOW + aggregation.LATE_TTL - dt.timedelta(seconds=1))
    assert PendingSourceId.objects.exists()
    aggregation.catch_up(now=NOW + aggregation.LATE_TTL + dt.timedelta(seconds=1))
    assert not PendingSourceId.objects.exists()


def test_a_row_committed_below_the_mark_after_the_pending_ttl_is_counted_by_the_catch_up(played):
    """Issue 24: a long transaction's row that appears after PENDING_TTL still counts, once."""
    aggregation.refresh(now=NOW)
    last = Transfer.objects.latest("pk")
    template = Transfer.objects.filter(kind="bet").first()

    def copy_of(pk, key):
        return Transfer(pk=pk, key=key, kind="bet", debit_account_id=template.debit_account_id,
                        credit_account_id=template.credit_account_id, currency_id=template.currency_id, amount=UNIT,
                        game_transaction=template.game_transaction, created_at=template.created_at)

    copy_of(last.pk + 2, "visible-first").save(force_insert=True)
    aggregation.refresh(now=NOW)
    aggregation.refresh(now=NOW + aggregation.PENDING_TTL + dt.timedelta(seconds=1))  # gap now late
    copy_of(last.pk + 1, "very-late-commit").save(force_insert=True)
    assert aggregation.refresh(now=NOW + aggregation.PENDING_TTL + dt.timedelta(seconds=2)).transfers == 0
    assert aggregated() != expected()
    assert aggregation.catch_up(now=NOW + aggregation.PENDING_TTL + dt.timedelta(seconds=3)).transfers == 1
    assert aggregation.catch_up(now=NOW + aggregation.PENDING_TTL + dt.timedelta(seconds=4)).transfers == 0
    assert aggregated() == expected()


def test_the_beat_schedule_runs_the_catch_up(settings):
    from config.celery import app

    assert any(e["task"] == "reports.aggregates_catch_up" for e in settings.CELERY_BEAT_SCHEDULE.values())
    app.loader.import_default_modules()
    assert "reports.aggregates_catch_up" in app.tasks


def test_the_celery_task_refreshes(played):
    from reports.tasks import aggregates_refresh

    assert aggregates_refresh.delay().get()["transfers"] == Transfer.objects.count()
    assert aggregated() == expected()


def test_the_beat_schedule_runs_the_refresh_task(settings):
    from config.celery import app

    entries = settings.CELERY_BEAT_SCHEDULE.values()
    assert any(e["task"] == "reports.aggregates_refresh" for e in entries)
    app.loader.import_default_modules()
    assert "reports.aggregates_refresh" in app.tasks


def test_calls_are_aggregated_once_too(db):
    from providers.models import CallLog

    for ms in (1, 4, 40):
        CallLog.objects.create(created_at=NOW, provider="oppi", endpoint="transaction/bet", status_code="RS_OK",
                               duration_ms=ms)
    assert aggregation.refresh(now=NOW).calls == 3
    assert aggregation.refresh(now=NOW).calls == 0
    assert DailyCallStat.objects.aggregate(n=Sum("calls"))["n"] == 3


rounds = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=5_000),  # stake in ledger units
        st.sampled_from([0, 1, 2, 3]),  # win multiplier
        st.booleans(),  # rolled back
        st.integers(min_value=0, max_value=3),  # day offset
        st.booleans(),  # refresh after this round
    ),
    min_size=1, max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(plan=rounds)
def test_any_interleaving_of_rounds_and_refreshes_counts_each_transfer_once(onegaming, plan):
    player = PlayerFactory()
    with clock(NOW - dt.timedelta(days=10)):
        funded_wallet(player, "IDR", "1000.00")
    for n, (stake, multiplier, rollback, day, refresh_now) in enumerate(plan):
        play(onegaming, player, "IDR", f"p{player.pk}-{n}", stake=stake, win=stake * multiplier, game="301",
             at=NOW - dt.timedelta(days=day), rollback=rollback)
        if refresh_now:
            aggregation.refresh(now=NOW)
    aggregation.refresh(now=NOW)
    assert aggregated() == expected()
    assert aggregated_players() == players_per_key()
    counted = DailyGameStat.objects.aggregate(n=Sum("rounds"))["n"]
    assert counted == Transfer.objects.filter(kind="bet").count()
