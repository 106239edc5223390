"""Issue 24, point 3: `ledger_check` streams (the accounts' sums are computed by the database and
read through a server-side cursor) and `ledger_check --incremental` starts from the balances
checked up to the last mark, reading only the transfers above it."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from wallet import services
from wallet.checks import ledger_report
from wallet.models import Account, AccountKind, LedgerCheckMark, LedgerCheckpoint, Transfer, TransferKind

pytestmark = pytest.mark.django_db


def check(*args) -> dict:
    out = StringIO()
    call_command("ledger_check", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue().strip().splitlines()[-1])


def ledger_balances() -> dict[int, int]:
    """Oracle: every account's credits minus debits, from the rows in Python."""
    sums: dict[int, int] = {}
    for t in Transfer.objects.all():
        sums[t.credit_account_id] = sums.get(t.credit_account_id, 0) + t.amount
        sums[t.debit_account_id] = sums.get(t.debit_account_id, 0) - t.amount
    return sums


@pytest.fixture
def lagless(settings):
    settings.LEDGER_CHECK_LAG_SECONDS = 0
    return settings


def test_a_full_run_records_each_accounts_balance_up_to_the_mark(lagless):
    for n in range(3):
        funded_wallet(PlayerFactory(external_id=f"LC{n}"), "USD", f"{n + 1}.00")
    figures = check()
    assert figures["ok"] and figures["mode"] == "full" and figures["mark"] == Transfer.objects.latest("pk").pk
    checkpoints = dict(LedgerCheckpoint.objects.values_list("account_id", "balance"))
    assert all(checkpoints.get(pk, 0) == balance for pk, balance in ledger_balances().items())
    assert LedgerCheckMark.objects.get().last_id == figures["mark"]


def test_an_incremental_run_reads_only_the_transfers_above_the_mark(lagless):
    wallet = funded_wallet(PlayerFactory(external_id="LC-INC"), "USD", "5.00")
    first = check()
    services.wallet_deposit(wallet=wallet, amount=3 * 10**5, key="after-mark-1")
    services.wallet_withdraw(wallet=wallet, amount=10**5, key="after-mark-2")
    with CaptureQueriesContext(connection) as queries:
        figures = check("--incremental")
    assert figures["ok"] and figures["mode"] == "incremental"
    assert figures["checked_from"] == first["mark"] and figures["mark"] == Transfer.objects.latest("pk").pk
    assert figures["transfers"] == 2  # the rows since the mark
    heavy = [q["sql"] for q in queries.captured_queries if "WITH moves" in q["sql"]]
    assert heavy and f"> {first['mark']}" in heavy[0]  # a primary-key range, not the whole ledger
    balances = dict(LedgerCheckpoint.objects.values_list("account_id", "balance"))
    assert all(balances.get(pk, 0) == v for pk, v in ledger_balances().items())


def test_an_incremental_run_finds_a_balance_changed_behind_the_ledgers_back(lagless):
    wallet = funded_wallet(PlayerFactory(external_id="LC-BAD"), "USD", "5.00")
    check()
    Account.objects.filter(pk=wallet.pk).update(balance=wallet.balance + 1)  # no transfer
    with pytest.raises(CommandError):
        call_command("ledger_check", "--incremental", stdout=StringIO(), stderr=StringIO())
    assert ledger_report(incremental=True).violations == [
        f"account {wallet.pk}: balance {wallet.balance + 1} != sum of transfers {wallet.balance}"]


def test_an_incremental_run_checks_the_new_rows_currencies(lagless):
    usd = funded_wallet(PlayerFactory(external_id="LC-CUR"), "USD", "5.00")
    check()
    idr_cash, _ = Account.objects.get_or_create(kind=AccountKind.CASH, currency_id="IDR", player=None, integration=None)
    (row,) = Transfer.objects.bulk_create([Transfer(key="mixed", kind=TransferKind.ADJUSTMENT, debit_account=idr_cash,
                                                    credit_account=usd, currency_id="USD", amount=1,
                                                    created_at=timezone.now())])
    Account.objects.filter(pk=usd.pk).update(balance=usd.balance + 1)
    violations = ledger_report(incremental=True).violations
    assert any("mixes currencies" in v for v in violations)


def test_without_a_mark_the_incremental_run_is_a_full_one(lagless):
    funded_wallet(PlayerFactory(external_id="LC-FIRST"), "USD", "1.00")
    assert check("--incremental")["mode"] == "full"


def test_transfers_newer_than_the_lag_stay_above_the_mark_but_count_in_the_balances(settings):
    settings.LEDGER_CHECK_LAG_SECONDS = 300
    wallet = funded_wallet(PlayerFactory(external_id="LC-LAG"), "USD", "2.00")
    figures = check()
    assert figures["ok"] and figures["mark"] < Transfer.objects.get(key__startswith="test-deposit").pk
    later = ledger_report(incremental=True, now=timezone.now() + dt.timedelta(minutes=10))
    assert not later.violations and later.mark == Transfer.objects.latest("pk").pk
    assert LedgerCheckpoint.objects.get(account=wallet).balance == wallet.balance


def test_the_accounts_are_streamed_through_a_server_side_cursor(lagless, monkeypatch):
    """Flat memory: the per-account rows come in chunks from a chunked (named) cursor."""
    funded_wallet(PlayerFactory(external_id="LC-STREAM"), "USD", "1.00")
    used = []
    real = connection.chunked_cursor

    def spy():
        used.append(True)
        return real()

    monkeypatch.setattr(connection, "chunked_cursor", spy)
    assert not ledger_report().violations and used
