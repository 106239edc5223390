"""The transfer wallet's two ledger invariants (transfers/checks.py), caught on a planted violation
through the same net as every other money test: `ledger_violations()` and `manage.py ledger_check`.

6. Each integration's in-flight account (per currency) holds exactly its open deposit orders.
7. Every order's ledger transfers match its state, and no `transfer:` transfer lacks its order.

Rows are written around the services (create and bulk_create, no balance moves) so that each
test breaks exactly one rule; a control next to them shows a legitimate reserved deposit and a
failed withdrawal are not reported. The expected sentences are written out here, not built by
the checks' code.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.conftest import funded_wallet, ledger_check_exit_code
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from transfers.models import Direction, OrderState, TransferOrder
from wallet.checks import ledger_report, ledger_violations
from wallet.models import Account, AccountKind, Transfer, TransferKind
from wallet.services import transfer_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def integration(db):
    return OneGamingIntegrationFactory(code="og-invariants", mode="transfer")


@pytest.fixture
def wallet(db):
    wallet = funded_wallet(PlayerFactory(external_id="TINV01"), "IDR", "10.00")
    assert ledger_violations() == []
    return wallet


def _order(integration, wallet, transfer_id: str, *, direction: str, state: str, amount: int = 100) -> TransferOrder:
    now = timezone.now()
    return TransferOrder.objects.create(integration=integration, player=wallet.player, currency_id="IDR",
                                        direction=direction, amount=amount, transfer_id=transfer_id, state=state,
                                        created_at=now, updated_at=now)


def _system(kind: str, integration=None) -> Account:
    account, _ = Account.objects.get_or_create(kind=kind, currency_id="IDR", player=None, integration=integration)
    return account


def _plant_transfer(key: str, *, debit: Account, credit: Account, amount: int) -> None:
    """A transfer row written straight to the table: no balance moves, no service check."""
    Transfer.objects.bulk_create([Transfer(key=key, kind=TransferKind.TRANSFER_OUT, debit_account=debit,
                                           credit_account=credit, currency_id="IDR", amount=amount,
                                           created_at=timezone.now())])


def _reserve(order: TransferOrder, wallet) -> Account:
    """What the transfer wallet writes when it reserves a deposit: wallet -> in-flight."""
    in_flight = _system(AccountKind.IN_FLIGHT, order.integration)
    transfer_post(key=f"transfer:{order.transfer_id}:reserve", kind=TransferKind.TRANSFER_OUT, debit=wallet,
                  credit=in_flight, amount=order.amount, now=timezone.now())
    return in_flight


def test_control_a_reserved_deposit_with_its_reserve_and_a_failed_withdrawal_are_consistent(integration, wallet):
    _reserve(_order(integration, wallet, "T-OK", direction=Direction.DEPOSIT, state=OrderState.RESERVED), wallet)
    _order(integration, wallet, "T-WD", direction=Direction.WITHDRAW, state=OrderState.FAILED)
    assert ledger_violations() == []
    assert ledger_check_exit_code() == 0


# --- 6. the in-flight account holds exactly the open deposit orders ---------------------------


def test_money_in_flight_without_an_open_deposit_order_is_reported(integration, wallet):
    in_flight = _system(AccountKind.IN_FLIGHT, integration)
    _plant_transfer("stray-in-flight", debit=_system(AccountKind.CASH), credit=in_flight, amount=250)
    assert ledger_violations() == [f"in-flight account {in_flight.pk}: holds 250, open deposit orders 0"]
    assert ledger_check_exit_code() == 1


def test_an_open_deposit_order_whose_money_never_reached_in_flight_is_reported(integration, wallet):
    order = _order(integration, wallet, "T-NOACC", direction=Direction.DEPOSIT, state=OrderState.UNKNOWN, amount=300)
    assert sorted(ledger_violations()) == sorted([
        f"integration {integration.pk} IDR: open deposit orders 300 without an in-flight account",
        f"transfer order {order.pk} (deposit unknown): ledger transfers [] "
        f"instead of ['transfer:T-NOACC:reserve']",
    ])
    assert ledger_check_exit_code() == 1


def test_a_deposit_marked_confirmed_without_leaving_in_flight_breaks_both_rules(integration, wallet):
    order = _order(integration, wallet, "T-HALF", direction=Direction.DEPOSIT, state=OrderState.RESERVED)
    in_flight = _reserve(order, wallet)
    TransferOrder.objects.filter(pk=order.pk).update(state=OrderState.CONFIRMED)
    assert sorted(ledger_violations()) == sorted([
        f"in-flight account {in_flight.pk}: holds 100, open deposit orders 0",
        f"transfer order {order.pk} (deposit confirmed): ledger transfers ['transfer:T-HALF:reserve'] "
        f"instead of ['transfer:T-HALF:confirm', 'transfer:T-HALF:reserve']",
    ])


# --- 7. every order's ledger transfers match its state --------------------------------------


def test_a_confirmed_withdrawal_without_its_confirm_transfer_is_reported(integration, wallet):
    order = _order(integration, wallet, "T-WD2", direction=Direction.WITHDRAW, state=OrderState.CONFIRMED)
    assert ledger_violations() == [
        f"transfer order {order.pk} (withdraw confirmed): ledger transfers [] instead of ['transfer:T-WD2:confirm']"]
    assert ledger_check_exit_code() == 1


def test_a_transfer_key_that_belongs_to_no_order_is_reported(integration, wallet):
    _plant_transfer("transfer:GHOST:confirm", debit=_system(AccountKind.HELD_AT_PROVIDER, integration),
                    credit=_system(AccountKind.CASH), amount=100)
    assert ledger_violations() == ["ledger transfers ['transfer:GHOST:confirm'] belong to no transfer order"]
    assert ledger_check_exit_code() == 1


def test_past_the_listing_cap_the_report_says_more_transfer_violations_were_found(integration, wallet):
    """ledger_check lists at most max_listed violations, then says more exist: the transfer
    wallet's rules report through the same cap, so a long run of broken orders is never cut
    silently."""
    for n in (1, 2, 3):
        _order(integration, wallet, f"T-CAP{n}", direction=Direction.WITHDRAW, state=OrderState.CONFIRMED)
    listed = ledger_report(max_listed=2).violations
    assert len(listed) == 3 and listed[2] == "... more violations not listed"
    assert all(line.startswith("transfer order ") for line in listed[:2])
