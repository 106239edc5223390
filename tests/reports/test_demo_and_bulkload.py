"""demo_data plays real rounds (safe to repeat); reports_bulkload writes a consistent ledger."""

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse

from providers.models import CallLog
from reports import aggregation
from reports.models import DailyGameStat
from wallet.checks import ledger_violations
from wallet.models import Account, LimitRefusal, Transfer

from .conftest import ledger_sums


def test_demo_data_plays_days_of_rounds_every_report_shows_and_a_second_run_moves_nothing(client, db, settings):
    call_command("demo_data", stdout=io.StringIO())
    assert ledger_violations() == []
    transfers = Transfer.objects.count()
    balances = dict(Account.objects.values_list("pk", "balance"))
    days = set(Transfer.objects.filter(kind="bet").values_list("created_at__date", flat=True))
    assert len(days) >= 5  # a few days of back-dated rounds
    assert LimitRefusal.objects.exists() and Account.objects.filter(kind="wallet", balance__lt=0).exists()
    assert CallLog.objects.count() > 100

    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get(reverse("reports:overview"), {"export": "totals"})
    totals = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert {row["currency"] for row in totals} >= {"IDR", "USD"}
    assert all(Decimal(row["bets"]) > 0 and int(row["rounds"]) > 0 for row in totals)
    for slug in ("games", "players", "callbacks", "wallets-below-zero", "limit-refusals"):
        assert client.get(reverse("reports:page", args=[slug])).status_code == 200
    html = client.get(reverse("admin:index")).content.decode()
    assert "GGR today" in html and "Crash" not in html  # tiles, not game lists

    call_command("demo_data", stdout=io.StringIO())
    assert Transfer.objects.count() == transfers
    assert dict(Account.objects.values_list("pk", "balance")) == balances


@pytest.mark.postgres
def test_bulkload_writes_a_ledger_that_passes_ledger_check_and_aggregates_to_the_same_sums(db):
    call_command("reports_bulkload", transfers=3000, days=5, players=15, stdout=io.StringIO())
    assert Transfer.objects.count() >= 3000
    assert ledger_violations() == []
    assert Account.objects.filter(kind="wallet", balance__lt=0).count() == 15  # every player: a rolled-back cash-out
    assert aggregation.refresh().transfers == 0  # the command refreshed already
    for currency, expected in ledger_sums().items():
        got = DailyGameStat.objects.filter(currency_id=currency).aggregate(
            **{k: Sum(k) for k in ("bets", "wins", "refunds", "reclaims", "rewards")})
        assert got == {k: expected.get(k, 0) for k in got}
