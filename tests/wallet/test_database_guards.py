"""The database itself refuses broken ledger rows (PostgreSQL: constraints and triggers)."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError
from django.utils import timezone

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from wallet import services
from wallet.models import Account, AccountKind, Transfer, TransferKind

pytestmark = pytest.mark.postgres


@pytest.fixture
def wallet(db):
    return funded_wallet(PlayerFactory(), "IDR", "10.00")


def _cash(wallet):
    return Account.objects.get(kind=AccountKind.CASH, currency_id=wallet.currency_id)


def test_database_refuses_a_duplicate_idempotency_key(wallet):
    first = Transfer.objects.filter(credit_account=wallet).get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(key=first.key, kind=TransferKind.DEPOSIT, debit_account=_cash(wallet),
                                credit_account=wallet, currency_id="IDR", amount=1, created_at=timezone.now())


def test_database_refuses_a_wallet_below_zero_when_no_rollback_allowed_it(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=wallet.pk).update(balance=-1)


def test_database_refuses_a_non_positive_transfer(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(key="zero", kind=TransferKind.DEPOSIT, debit_account=_cash(wallet),
                                credit_account=wallet, currency_id="IDR", amount=0, created_at=timezone.now())


def test_database_refuses_a_transfer_from_an_account_to_itself(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(key="self", kind=TransferKind.ADJUSTMENT, debit_account=wallet,
                                credit_account=wallet, currency_id="IDR", amount=5, created_at=timezone.now())


def test_database_refuses_a_second_wallet_in_the_same_currency(wallet):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.create(kind=AccountKind.WALLET, player=wallet.player, currency_id="IDR")


@pytest.mark.parametrize("statement", [
    "UPDATE wallet_transfer SET amount = amount + 1",
    "DELETE FROM wallet_transfer",
])
def test_database_refuses_to_edit_or_delete_a_transfer(wallet, statement):
    assert Transfer.objects.exists()
    with pytest.raises((IntegrityError, InternalError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)


def test_rollback_reclaim_may_go_below_zero_but_nothing_else_may(wallet):
    player_wallet = services.player_wallets_lock  # noqa: F841 (documenting the entry point)
    with transaction.atomic():
        locked = services.player_wallets_lock(wallet.player_id)["IDR"]
        game = Account.objects.create(kind=AccountKind.GAME, currency_id="IDR")
        services.transfer_post(key="reclaim-1", kind=TransferKind.RECLAIM, debit=locked, credit=game,
                               amount=locked.balance + 500, now=timezone.now(), allow_overdraft=True)
    wallet.refresh_from_db()
    assert wallet.balance == -500 and wallet.floor == -500
    with pytest.raises(services.InsufficientFunds), transaction.atomic():
        locked = services.player_wallets_lock(wallet.player_id)["IDR"]
        services.transfer_post(key="bet-1", kind=TransferKind.BET, debit=locked, credit=game, amount=1,
                               now=timezone.now())
