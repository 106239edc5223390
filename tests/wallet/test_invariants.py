"""Each ledger invariant of wallet/checks.py, caught on a planted violation.

`ledger_violations()` is the net under every money test: if one of its checks were switched
off, every other test would still pass. So here each invariant gets a ledger broken in exactly
that way, with rows written around the services (bulk_create and queryset updates, and on
PostgreSQL a unique constraint dropped inside the test's transaction), and the test asserts
that the check reports exactly that violation and that `manage.py ledger_check` exits 1.
A control next to each shows the legitimate neighbour of the broken case is not reported.

The five invariants (docstring of wallet/checks.py):
1. a wallet balance equals the sum of its transfers;
2. a transfer stays in one currency, between accounts of that currency;
3. per currency, all accounts' derived balances sum to zero;
4. a provider transaction id is applied once, and an applied money move has its transfers;
5. no wallet is below zero unless a rollback took back a paid win (a reclaim transfer).
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.conftest import funded_wallet, ledger_check_exit_code
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from wallet.checks import ledger_report, ledger_violations
from wallet.models import Account, AccountKind, GameAction, GameOutcome, GameTransaction, Transfer, TransferKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    """A player's IDR wallet holding 10.00, deposited through the services: a clean ledger."""
    wallet = funded_wallet(PlayerFactory(external_id="INV1"), "IDR", "10.00")
    assert ledger_violations() == []
    return wallet


def _system(kind: str, currency: str) -> Account:
    account, _ = Account.objects.get_or_create(kind=kind, currency_id=currency, player=None, integration=None)
    return account


def _plant_transfer(key: str, *, debit: Account, credit: Account, amount: int, currency: str | None = None,
                    kind: str = TransferKind.ADJUSTMENT, game_transaction=None) -> Transfer:
    """A transfer row written straight to the table: no balance moves, no service check."""
    (row,) = Transfer.objects.bulk_create([Transfer(
        key=key, kind=kind, debit_account=debit, credit_account=credit, currency_id=currency or debit.currency_id,
        amount=amount, game_transaction=game_transaction, created_at=timezone.now())])
    return Transfer.objects.get(key=row.key)


def _plant_game_transaction(external_id: str, *, integration, player, action: str = GameAction.BET,
                            amount: int = 100, outcome: str = GameOutcome.APPLIED) -> GameTransaction:
    (row,) = GameTransaction.objects.bulk_create([GameTransaction(
        integration=integration, external_id=external_id, action=action, outcome=outcome, player=player,
        currency_id="IDR", amount=amount, fingerprint="f" * 64, created_at=timezone.now())])
    return row


def _ledger_check_figures() -> dict:
    out = StringIO()
    call_command("ledger_check", stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


# --- 1. a wallet balance equals the sum of its transfers ----------------------------------


def test_invariant_1_wallet_balance_equals_sum_of_its_transfers(wallet):
    Account.objects.filter(pk=wallet.pk).update(balance=wallet.balance + 1)
    assert ledger_violations() == [f"account {wallet.pk}: balance 1000001 != sum of transfers 1000000"]
    assert ledger_check_exit_code() == 1


def test_invariant_1_holds_for_a_player_account_that_is_not_a_wallet(wallet):
    held = Account.objects.create(kind=AccountKind.HELD_AT_PROVIDER, currency_id="IDR", player=wallet.player,
                                  integration=OneGamingIntegrationFactory())
    Account.objects.filter(pk=held.pk).update(balance=5)
    assert ledger_violations() == [f"account {held.pk}: balance 5 != sum of transfers 0"]


# --- 2. a transfer stays in one currency ---------------------------------------------------


def test_invariant_2_transfer_currency_differs_from_its_accounts(wallet):
    """Both accounts IDR, the transfer says USD: sums stay at zero, only invariant 2 is broken."""
    planted = _plant_transfer("mixed-field", debit=_system(AccountKind.CASH, "IDR"), credit=wallet, amount=7,
                              currency="USD")
    Account.objects.filter(pk=wallet.pk).update(balance=wallet.balance + 7)  # invariant 1 kept
    assert ledger_violations() == [f"transfer {planted.pk}: mixes currencies"]
    assert ledger_check_exit_code() == 1


def test_invariant_2_transfer_between_accounts_of_two_currencies(wallet):
    """IDR cash -> USD cash and back: each account's sum is zero, both transfers mix currencies."""
    idr_cash, usd_cash = _system(AccountKind.CASH, "IDR"), _system(AccountKind.CASH, "USD")
    there = _plant_transfer("mixed-there", debit=idr_cash, credit=usd_cash, amount=3, currency="IDR")
    back = _plant_transfer("mixed-back", debit=usd_cash, credit=idr_cash, amount=3, currency="USD")
    assert sorted(ledger_violations()) == sorted([f"transfer {there.pk}: mixes currencies",
                                                  f"transfer {back.pk}: mixes currencies"])
    assert ledger_check_exit_code() == 1


# --- 3. per currency, the accounts sum to zero ---------------------------------------------


def test_invariant_3_accounts_of_a_currency_sum_to_zero(wallet):
    """Money leaving IDR for USD. Only a transfer across currencies can unbalance a currency, so
    invariant 2 reports that transfer too; invariant 3 names each unbalanced currency and sum."""
    planted = _plant_transfer("leak", debit=_system(AccountKind.CASH, "IDR"), credit=_system(AccountKind.CASH, "USD"),
                              amount=9, currency="IDR")
    assert sorted(ledger_violations()) == sorted([
        "currency IDR: accounts sum to -9, not 0",
        "currency USD: accounts sum to 9, not 0",
        f"transfer {planted.pk}: mixes currencies",
    ])
    assert ledger_check_exit_code() == 1


# --- 4. a provider transaction is applied once, with its transfers --------------------------


@pytest.mark.postgres
def test_invariant_4_provider_transaction_id_applied_once(wallet):
    """The unique constraint is dropped inside this test's transaction (PostgreSQL DDL is
    transactional: the rollback at the end of the test puts it back)."""
    integration = OneGamingIntegrationFactory()
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE wallet_gametransaction DROP CONSTRAINT game_txn_once_per_integration")
    for _ in range(2):  # amount 0: a result that moves nothing needs no transfer (and holds no ticket)
        _plant_game_transaction("TX-TWICE", integration=integration, player=wallet.player, amount=0,
                                action=GameAction.WIN)
    assert ledger_violations() == ["provider transaction TX-TWICE applied 2 times"]
    assert ledger_check_exit_code() == 1


@pytest.mark.postgres
def test_invariant_4_the_same_id_at_two_integrations_is_two_transactions(wallet):
    for integration in (OneGamingIntegrationFactory(), OneGamingIntegrationFactory()):
        _plant_game_transaction("TX-SAME", integration=integration, player=wallet.player, amount=0)
    assert ledger_violations() == []


@pytest.mark.parametrize("action", [GameAction.BET, GameAction.WIN, GameAction.REWARD])
def test_invariant_4_applied_money_move_has_its_ledger_transfer(wallet, action):
    _plant_game_transaction("TX-NO-TRANSFER", integration=OneGamingIntegrationFactory(), player=wallet.player,
                            action=action, amount=1)  # the smallest amount that moves money
    assert ledger_violations() == ["provider transaction TX-NO-TRANSFER applied without a ledger transfer"]
    assert ledger_check_exit_code() == 1


@pytest.mark.parametrize("what", ["zero_amount", "rollback", "unknown_reference", "bet_not_applied", "with_transfer"])
def test_invariant_4_needs_no_transfer_when_nothing_moved_or_the_transfer_is_there(wallet, what):
    integration = OneGamingIntegrationFactory()
    fields = {"zero_amount": {"amount": 0}, "rollback": {"action": GameAction.ROLLBACK},
              "unknown_reference": {"action": GameAction.ROLLBACK, "outcome": GameOutcome.UNKNOWN_REFERENCE},
              "bet_not_applied": {"outcome": GameOutcome.UNKNOWN_REFERENCE}, "with_transfer": {}}[what]
    txn = _plant_game_transaction("TX-OK", integration=integration, player=wallet.player, **fields)
    if what == "with_transfer":  # a bet of 100 units, with its transfer and the wallet debited
        game = Account.objects.create(kind=AccountKind.GAME, currency_id="IDR", integration=integration)
        _plant_transfer("bet-ok", debit=wallet, credit=game, amount=100, kind=TransferKind.BET, game_transaction=txn)
        Account.objects.filter(pk=wallet.pk).update(balance=wallet.balance - 100)
    assert ledger_violations() == []


# --- 5. no wallet below zero without a reclaim ---------------------------------------------


def _overdraw(wallet, kind: str, key: str = "") -> int:
    """Take 10.00 + 1 unit out of the wallet by a transfer of `kind`, balance following (floor lowered)."""
    amount = wallet.balance + 1
    _plant_transfer(key or f"overdraw-{kind}", debit=wallet, credit=_system(AccountKind.CASH, "IDR"), amount=amount, kind=kind)
    Account.objects.filter(pk=wallet.pk).update(balance=-1, floor=-1)
    return amount


def test_invariant_5_wallet_below_zero_without_a_rollback_reclaim(wallet):
    _overdraw(wallet, TransferKind.WITHDRAWAL)
    assert ledger_violations() == [f"account {wallet.pk}: below zero (-1) without a rollback reclaim"]
    assert ledger_check_exit_code() == 1


def test_invariant_5_a_reclaim_may_leave_a_wallet_below_zero(wallet):
    _overdraw(wallet, TransferKind.RECLAIM)
    assert ledger_violations() == []
    figures = _ledger_check_figures()
    assert figures["ok"] is True and figures["negative_wallets"] == 1


def test_invariant_5_a_reclaim_on_another_wallet_does_not_excuse_this_one(wallet):
    other = funded_wallet(PlayerFactory(external_id="INV2"), "IDR", "1.00")
    game = Account.objects.create(kind=AccountKind.GAME, currency_id="IDR", integration=OneGamingIntegrationFactory())
    _plant_transfer("reclaim-other", debit=other, credit=game, amount=1, kind=TransferKind.RECLAIM)
    Account.objects.filter(pk=other.pk).update(balance=other.balance - 1)
    _overdraw(wallet, TransferKind.BET)
    assert ledger_violations() == [f"account {wallet.pk}: below zero (-1) without a rollback reclaim"]


# --- the report itself ---------------------------------------------------------------------


def test_report_figures_count_what_was_checked(wallet):
    funded_wallet(wallet.player, "USD", "1.00")
    funded_wallet(PlayerFactory(external_id="INV-EMPTY"), "IDR")  # a wallet at 0 with no transfer is fine
    integration = OneGamingIntegrationFactory()
    _plant_game_transaction("TX-FIG", integration=integration, player=wallet.player, amount=0)
    figures = ledger_report().figures()
    figures.pop("mark")  # the last transfer older than LEDGER_CHECK_LAG_SECONDS (tests/wallet/test_ledger_check_scale.py)
    assert figures == {
        "ok": True, "wallets": 3, "transfers": 2, "game_transactions": 1, "currencies": 2, "negative_wallets": 0,
        "violations": 0, "mode": "full", "checked_from": 0,
    }


def test_report_counts_every_wallet_below_zero(wallet):
    other = funded_wallet(PlayerFactory(external_id="INV3"), "IDR", "10.00")
    for account in (wallet, other):
        _overdraw(account, TransferKind.RECLAIM, key=f"overdraw-{account.pk}")
    figures = ledger_report().figures()
    assert figures["negative_wallets"] == 2 and figures["ok"] is True


def test_report_lists_fifty_violations_by_default(wallet):
    players = PlayerFactory.create_batch(51)
    Account.objects.bulk_create([Account(kind=AccountKind.WALLET, currency_id="IDR", player=p, balance=1)
                                 for p in players])
    violations = ledger_violations()
    assert len(violations) == 51 and violations[-1] == "... more violations not listed"


def test_report_lists_at_most_max_listed_violations_then_says_more(wallet):
    players = [PlayerFactory(external_id=f"INV-M{i}") for i in range(3)]
    for player in players:
        Account.objects.filter(pk=funded_wallet(player, "IDR", "1.00").pk).update(balance=1)
    report = ledger_report(max_listed=2)
    assert len(report.violations) == 3 and report.violations[-1] == "... more violations not listed"
    assert all("!= sum of transfers" in v for v in report.violations[:2])
    assert report.figures()["ok"] is False
    assert len(ledger_report(max_listed=3).violations) == 3
    assert "... more" not in ledger_report(max_listed=3).violations[-1]
