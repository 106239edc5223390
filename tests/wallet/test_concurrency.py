"""PostgreSQL: many threads debit one wallet at once; no lost update, never below zero."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from wallet import services
from wallet.checks import ledger_violations
from wallet.models import Account, Transfer, TransferKind

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_sixteen_threads_debiting_one_wallet_apply_each_debit_once_or_refuse_it():
    wallet = funded_wallet(PlayerFactory(), "IDR", "100.00")  # covers 10 of the 16 debits of 10.00
    start = threading.Barrier(16)

    def debit(i: int) -> str:
        try:
            start.wait()
            services.wallet_withdraw(wallet=Account.objects.get(pk=wallet.pk), amount=10 * 10**5,
                                     key=f"withdraw-{i}")
            return "ok"
        except services.InsufficientFunds:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(debit, range(16)))

    wallet.refresh_from_db()
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 6
    assert wallet.balance == 0
    assert Transfer.objects.filter(kind=TransferKind.WITHDRAWAL, debit_account=wallet).count() == 10
    assert ledger_violations() == []


def test_the_same_idempotency_key_from_sixteen_threads_moves_money_once():
    wallet = funded_wallet(PlayerFactory(), "IDR", "100.00")
    start = threading.Barrier(16)

    def debit(_):
        try:
            start.wait()
            return services.wallet_withdraw(wallet=Account.objects.get(pk=wallet.pk), amount=10**5,
                                            key="same-key").created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        created = list(pool.map(debit, range(16)))

    wallet.refresh_from_db()
    assert created.count(True) == 1
    assert wallet.balance == 99 * 10**5
    assert ledger_violations() == []
