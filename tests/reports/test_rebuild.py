"""Issue 24, point 3: `manage.py reports_rebuild [--since DATE]` recounts the aggregates in
resumable batches; the minute refresh keeps counting new rows meanwhile, each row once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reports import aggregation
from reports.models import (
    DailyAccountTotal,
    DailyCallStat,
    DailyGameStat,
    DailyPlayerActivity,
    DailyPlayerCurrency,
    PlayerFirstPlay,
    RebuildProgress,
)
from tests.factories import PlayerFactory
from wallet.models import Account, Transfer

from .conftest import DAY, NOW, UNIT, clock, play
from .test_aggregation import aggregated, aggregated_players, expected, players_per_key

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    def rows(model, *fields):
        return sorted(model.objects.values_list(*fields))

    return {
        "games": rows(DailyGameStat, "day", "integration_id", "game_code", "currency_id", "bets", "wins", "refunds",
                      "reclaims", "rewards", "rounds", "players"),
        "activity": rows(DailyPlayerActivity, "day", "integration_id", "game_code", "currency_id", "player_id"),
        "currency": rows(DailyPlayerCurrency, "day", "currency_id", "player_id"),
        "first": rows(PlayerFirstPlay, "player_id", "first_day"),
        "calls": rows(DailyCallStat, "day", "provider", "integration_id", "endpoint", "direction",
                      "latency_bucket_ms", "calls", "errors"),
        "accounts": rows(DailyAccountTotal, "day", "account_id", "debits", "credits"),
    }


def account_totals_oracle() -> list:
    """Per system account and UTC day, debits and credits straight from the ledger rows."""
    sums: dict = {}
    system = set(Account.objects.filter(player__isnull=True).values_list("pk", flat=True))
    for t in Transfer.objects.all():
        day = t.created_at.astimezone(dt.UTC).date()
        for account, side in ((t.debit_account_id, 0), (t.credit_account_id, 1)):
            if account in system:
                sums.setdefault((day, account), [0, 0])[side] += t.amount
    return sorted((day, account, d, c) for (day, account), (d, c) in sums.items())


def rebuild(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("reports_rebuild", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_full_rebuild_restores_damaged_aggregates_with_a_progress_bar(played):
    aggregation.refresh(now=NOW)
    good = snapshot()
    assert aggregated() == expected() and good["accounts"] == account_totals_oracle()
    DailyGameStat.objects.update(bets=0, players=0)
    DailyAccountTotal.objects.all().delete()
    PlayerFirstPlay.objects.all().delete()
    out, err = rebuild()
    assert "Rebuilding the aggregates from the start" in out and "100.0%" in err and "transfers" in err
    assert snapshot() == good
    assert aggregated() == expected() and snapshot()["accounts"] == account_totals_oracle()
    assert aggregated_players() == players_per_key()


def test_a_rebuild_since_a_day_leaves_the_days_before_it_alone(played):
    aggregation.refresh(now=NOW)
    good = snapshot()
    since = (NOW - DAY).date()
    before = DailyGameStat.objects.filter(day__lt=since).order_by("pk").first()
    DailyGameStat.objects.filter(pk=before.pk).update(bets=before.bets + 1)  # damage before the range
    DailyGameStat.objects.filter(day__gte=since).update(bets=0)  # and inside it
    rebuild("--since", since.isoformat(), "--no-progress")
    after = snapshot()
    assert [r for r in after["games"] if r[0] >= since] == [r for r in good["games"] if r[0] >= since]
    assert DailyGameStat.objects.get(pk=before.pk).bets == before.bets + 1  # not touched
    assert after["first"] == good["first"] and after["accounts"] == good["accounts"]


def test_an_interrupted_rebuild_resumes_where_it_stopped_and_counts_new_rows_once(played, onegaming):
    aggregation.refresh(now=NOW)
    aggregation.rebuild_start(since=None)
    for _ in range(2):  # a few batches, then the process dies
        progress = aggregation.rebuild_step(aggregation.TRANSFERS, batch_size=3)
    assert progress.finished_at is None and progress.next_id > 0
    stopped_at = progress.next_id
    # Meanwhile play goes on and the minute refresh counts it (above the rebuild's range).
    carol = PlayerFactory(external_id="CAROL")
    from tests.conftest import funded_wallet

    with clock(NOW - DAY):
        funded_wallet(carol, "USD", "10.00")
    play(onegaming, carol, "USD", "c1", stake=2 * UNIT, win=5 * UNIT, game="301", at=NOW - dt.timedelta(hours=1))
    aggregation.refresh(now=NOW)
    with pytest.raises(CommandError, match="unfinished rebuild"):
        rebuild("--since", "2026-01-01", "--no-progress")
    out, _ = rebuild("--batch-size", "3", "--no-progress")
    assert "Resuming the rebuild from the start" in out
    assert RebuildProgress.objects.get(source=aggregation.TRANSFERS).next_id > stopped_at
    assert not RebuildProgress.objects.filter(finished_at__isnull=True).exists()
    assert aggregated() == expected() and aggregated_players() == players_per_key()
    assert snapshot()["accounts"] == account_totals_oracle()
    assert aggregation.refresh(now=NOW).transfers == 0 and aggregated() == expected()


def test_pages_say_a_rebuild_is_under_way(played):
    aggregation.refresh(now=NOW)
    aggregation.rebuild_start(since=(NOW - DAY).date())
    assert "A rebuild from" in aggregation.lag_note(NOW) and "partial" in aggregation.lag_note(NOW)
    rebuild("--no-progress")
    assert "rebuild" not in aggregation.lag_note(NOW)


@pytest.mark.parametrize("since", [None, (NOW - DAY).date()])
def test_a_rebuild_of_a_database_never_refreshed_counts_every_row_once(played, since):
    """The rows above the refresh's mark were never counted: a rebuild counts them whatever their
    day (a bulk-loaded database), and the refresh then finds nothing left."""
    rebuild(*(["--since", since.isoformat()] if since else []), "--no-progress")
    assert aggregated() == expected() and aggregated_players() == players_per_key()
    assert snapshot()["accounts"] == account_totals_oracle()
    assert aggregation.refresh(now=NOW).transfers == 0 and aggregated() == expected()


@pytest.mark.postgres
def test_a_rebuild_over_sparse_ids_takes_a_batch_per_rows_not_per_id_range(played, onegaming):
    """Ids have gaps (rolled-back inserts, a sequence's cache). A batch starts at the next id that
    exists: 100,000 missing ids between two rounds cost one probe, not 33,000 empty batches."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('wallet_transfer', 'id'), "
                       "(SELECT max(id) FROM wallet_transfer) + 100000)")
    dave = PlayerFactory(external_id="DAVE")
    from tests.conftest import funded_wallet

    with clock(NOW - DAY):
        funded_wallet(dave, "USD", "10.00")
    play(onegaming, dave, "USD", "d1", stake=2 * UNIT, win=5 * UNIT, game="301", at=NOW - dt.timedelta(hours=1))
    rows = Transfer.objects.count()
    aggregation.rebuild_start(since=None)
    steps = 0
    while aggregation.rebuild_step(aggregation.TRANSFERS, batch_size=3).finished_at is None:
        steps += 1
        assert steps <= rows, "a batch per id range, not per rows"
    assert aggregated() == expected() and aggregated_players() == players_per_key()
