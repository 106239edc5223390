"""Transfer orders against a fake 1G over real HTTP (tasks eager: the embedded default).

Every fault test ends the same way: the money moved exactly once (the player's wallet, 1G's
wallet and the ledger agree) and the ledger invariants hold.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from providers.models import CallLog
from providers.models import Direction as CallDirection
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from transfers import services, start, tasks
from transfers.models import EventKind, OrderState, TransferOrder
from wallet.checks import ledger_violations
from wallet.models import Account, AccountKind, Transfer
from wallet.money import to_units

pytestmark = pytest.mark.django_db(transaction=True)

D = Decimal


@pytest.fixture
def player(db):
    player = PlayerFactory(external_id="TP0001", username="Tessa")
    funded_wallet(player, "IDR", "1500.00")
    return player


def wallet_balance(player, currency="IDR") -> int:
    return Account.objects.get(player=player, kind=AccountKind.WALLET, currency_id=currency).balance


def derived(kind: str, integration, currency="IDR") -> int:
    account = Account.objects.filter(kind=kind, integration=integration, currency_id=currency, player=None).first()
    if account is None:
        return 0
    credits = Transfer.objects.filter(credit_account=account).aggregate(s=Sum("amount"))["s"] or 0
    debits = Transfer.objects.filter(debit_account=account).aggregate(s=Sum("amount"))["s"] or 0
    return credits - debits


def deposit(integration, player, amount="100.00"):
    return start.transfer_start(integration=integration, player=player, currency="IDR", direction="deposit",
                                   amount=to_units(amount))


def assert_moved_once(fake, integration, player, *, at_1g: str, wallet: str):
    """1G holds `at_1g`, the wallet holds `wallet`, each transfer applied at most once at 1G,
    the ledger's held-at-provider account agrees with 1G, nothing in flight, ledger consistent."""
    assert fake.balance_of(player.external_id) == D(at_1g)
    assert all(n == 1 for n in fake.applied.values())
    assert wallet_balance(player) == to_units(wallet)
    assert derived(AccountKind.HELD_AT_PROVIDER, integration) == to_units(at_1g)
    assert derived(AccountKind.IN_FLIGHT, integration) == 0
    assert ledger_violations() == []


# --- the plain loop ---------------------------------------------------------------------------


def test_deposit_confirmed_moves_money_once_and_logs_signed_calls(fake_1g, transfer_1g, player):
    order = deposit(transfer_1g, player, "100.00")

    assert order.state == OrderState.CONFIRMED
    assert order.attempts == 1
    assert order.provider_balance == to_units("100.00")
    assert fake_1g.bad_signatures == 0
    sent = fake_1g.calls("deposit")[0]
    assert sent["transfer_id"] == order.transfer_id and sent["amount"] == D("100.00") and sent["currency"] == "IDR"
    assert sent["datetime"].endswith("Z")
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")
    logged = CallLog.objects.filter(direction=CallDirection.OUTBOUND, integration=transfer_1g)
    assert set(logged.values_list("endpoint", flat=True)) == {"wallet/create", "wallet/deposit"}
    assert services.provider_balance_last_known(integration=transfer_1g, player=player, currency="IDR") == \
        to_units("100.00")


def test_withdraw_all_brings_1g_balance_back(fake_1g, transfer_1g, player):
    deposit(transfer_1g, player, "100.00")
    fake_1g.wallets[player.external_id]["balance"] += D("25.50")  # the player won at 1G

    order = start.withdraw_all(integration=transfer_1g, player=player, currency="IDR")

    assert order.state == OrderState.CONFIRMED and order.amount == to_units("125.50")
    assert fake_1g.balance_of(player.external_id) == 0
    assert wallet_balance(player) == to_units("1525.50")
    assert derived(AccountKind.HELD_AT_PROVIDER, transfer_1g) == -to_units("25.50")
    assert ledger_violations() == []
    assert start.withdraw_all(integration=transfer_1g, player=player, currency="IDR") is None


def test_withdraw_refused_insufficient_credit_moves_nothing(fake_1g, transfer_1g, player):
    deposit(transfer_1g, player, "10.00")
    order = start.transfer_start(integration=transfer_1g, player=player, currency="IDR", direction="withdraw",
                                    amount=to_units("50.00"))
    assert order.state == OrderState.FAILED and order.last_status == "INSUFFICIENT_CREDIT"
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="10.00", wallet="1490.00")


@pytest.mark.parametrize("bad, message", [
    (0, "above zero"), (-5, "above zero"), (to_units("0.001"), "decimals"), (to_units("5000.00"), "not enough"),
])
def test_start_refuses_bad_amounts_without_touching_money(fake_1g, transfer_1g, player, bad, message):
    with pytest.raises(services.TransferError, match=message):
        deposit_units = bad
        start.transfer_start(integration=transfer_1g, player=player, currency="IDR", direction="deposit",
                                amount=deposit_units)
    assert TransferOrder.objects.count() == 0 and fake_1g.requests == []
    assert wallet_balance(player) == to_units("1500.00")


def test_start_refuses_seamless_disabled_player_and_missing_wallet(fake_1g, transfer_1g, player, onegaming):
    with pytest.raises(services.TransferError):
        start.transfer_start(integration=onegaming, player=player, currency="IDR", direction="deposit", amount=1)
    with pytest.raises(services.TransferError, match="no USD wallet"):
        start.transfer_start(integration=transfer_1g, player=player, currency="USD", direction="deposit",
                                amount=to_units("1"))
    player.is_enabled = False
    player.save()
    with pytest.raises(services.TransferError, match="disabled"):
        deposit(transfer_1g, player)
    transfer_1g.enabled = False
    transfer_1g.save()
    player.is_enabled = True
    with pytest.raises(services.TransferError, match="not available"):
        deposit(transfer_1g, player)
    assert TransferOrder.objects.count() == 0


# --- faults: one test each, money moved exactly once --------------------------------------------


@pytest.mark.parametrize("fault", ["delay_after_apply", "drop_after_apply", "unknown_error_after_apply",
                                   "http_500_after_apply", "http_400_bare_after_apply"])
def test_unknown_outcome_applied_at_1g_is_confirmed_from_records(fake_1g, transfer_1g, player, fault):
    fake_1g.fault("deposit", fault)

    order = deposit(transfer_1g, player, "100.00")

    assert order.state == OrderState.CONFIRMED
    assert order.attempts == 1, "found in the records: never sent again"
    assert order.events.filter(kind=EventKind.ATTEMPT, classification="unknown").count() == 1
    assert order.events.filter(kind=EventKind.RECORDS).exists()
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


@pytest.mark.parametrize("fault", ["unknown_error", "http_500", "http_400_bare", "garbage"])
def test_unknown_outcome_not_applied_is_resent_under_the_same_id(fake_1g, transfer_1g, player, fault):
    fake_1g.fault("deposit", fault)

    order = deposit(transfer_1g, player, "100.00")

    assert order.state == OrderState.CONFIRMED
    assert order.attempts == 2
    assert {c["transfer_id"] for c in fake_1g.calls("deposit")} == {order.transfer_id}
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


@pytest.mark.parametrize("status", ["INVALID_CURRENCY", "INSUFFICIENT_CREDIT", "USER_DISABLED"])
def test_http_400_with_a_status_is_a_final_refusal(fake_1g, transfer_1g, player, status):
    fake_1g.fault("deposit", f"http_400_status:{status}")

    order = deposit(transfer_1g, player, "100.00")

    assert order.state == OrderState.FAILED and order.last_status == status
    assert order.attempts == 1 and not order.events.filter(kind=EventKind.RECORDS).exists()
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


def test_unknown_with_records_unavailable_stays_unknown_and_money_stays_in_flight(fake_1g, transfer_1g, player):
    fake_1g.fault("deposit", "drop_after_apply")
    fake_1g.fault("records", "http_500")

    order = deposit(transfer_1g, player, "100.00")

    assert order.state == OrderState.UNKNOWN
    assert wallet_balance(player) == to_units("1400.00")
    assert derived(AccountKind.IN_FLIGHT, transfer_1g) == to_units("100.00")
    assert ledger_violations() == []
    # The resolver (celery-beat) asks again once due, and settles it.
    TransferOrder.objects.filter(pk=order.pk).update(next_check_at=order.created_at)
    assert services.orders_resolve_stuck()["checked"] == 1
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


def test_repeated_answer_and_duplicate_deliveries_move_money_once(fake_1g, transfer_1g, player):
    order = deposit(transfer_1g, player, "100.00")
    # A duplicate task delivery, a resolver pass and a late resolve task change nothing.
    assert tasks.transfer_send(order.pk) == OrderState.CONFIRMED
    assert tasks.transfer_resolve(order.pk) == OrderState.CONFIRMED
    services.orders_resolve_stuck()
    # 1G answers a repeated transfer_id with its first answer: re-sending it moves nothing there.
    from providers.onegaming.client import OneGamingClient

    again = OneGamingClient(transfer_1g).deposit(player.external_id, order.transfer_id, "IDR", order.amount)
    assert again.ok and again.balance == to_units("100.00")
    assert len(fake_1g.calls("deposit")) == 2
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


def test_absent_from_records_after_max_sends_and_window_fails_and_returns_money(fake_1g, transfer_1g, player,
                                                                                 settings):
    settings.TRANSFER_MAX_SENDS = 2
    settings.TRANSFER_RECORDS_SETTLE = 0
    fake_1g.fault("deposit", "unknown_error", "unknown_error")

    order = deposit(transfer_1g, player, "100.00")
    # First send unknown, records: absent, re-sent (2nd send) unknown again.
    assert order.state == OrderState.UNKNOWN and order.attempts == 2
    order = services.order_check(order.pk)

    assert order.state == OrderState.FAILED
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


def test_staff_retry_and_resolve_are_recorded_with_user_and_reason(fake_1g, transfer_1g, player, admin_user):
    fake_1g.fault("deposit", "unknown_error")
    fake_1g.fault("records", "http_500", "http_500")
    order = deposit(transfer_1g, player, "100.00")
    assert order.state == OrderState.UNKNOWN

    with pytest.raises(services.TransferError, match="reason"):
        services.order_retry(order, actor=admin_user, reason=" ")
    order = services.order_retry(order, actor=admin_user, reason="1G says try again")  # records 500: stays
    assert order.state == OrderState.UNKNOWN
    order = services.order_retry(order, actor=admin_user, reason="second try")  # absent: re-sent, same id

    assert order.state == OrderState.CONFIRMED
    retry = order.events.filter(kind=EventKind.RETRY).order_by("pk")
    assert [(e.actor, e.note) for e in retry] == [(admin_user, "1G says try again"), (admin_user, "second try")]
    with pytest.raises(services.TransferError, match="already confirmed"):
        services.order_resolve(order, actor=admin_user, reason="x")
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="100.00", wallet="1400.00")


def test_staff_resolve_as_failed_when_records_do_not_show_it(fake_1g, transfer_1g, player, admin_user):
    fake_1g.fault("deposit", "unknown_error", "unknown_error", "unknown_error")
    order = deposit(transfer_1g, player, "100.00")
    assert order.state == OrderState.UNKNOWN
    with pytest.raises(services.TransferError, match="do not settle"):
        services.order_resolve(order, actor=admin_user, reason="look")
    order = services.order_resolve(order, actor=admin_user, reason="1G support: never arrived", outcome="failed")
    assert order.state == OrderState.FAILED
    assert order.events.filter(kind=EventKind.RESOLVE, actor=admin_user).exists()
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="0", wallet="1500.00")


def test_worker_died_mid_send_is_unstuck_by_the_resolver(fake_1g, transfer_1g, player, monkeypatch):
    """An order left `sending` (claimed, no answer recorded) is treated as unknown after a
    while; one whose task was never delivered is sent by the resolver."""
    import datetime as dt

    from django.utils import timezone

    deposit(transfer_1g, player, "10.00")  # creates the player's 1G wallet
    monkeypatch.setattr(start, "_enqueue_send", lambda order_id: None)  # the broker lost the task
    lost = deposit(transfer_1g, player, "100.00")
    died = deposit(transfer_1g, player, "50.00")
    assert lost.state == died.state == OrderState.RESERVED
    old = timezone.now() - dt.timedelta(minutes=10)
    TransferOrder.objects.filter(pk=lost.pk).update(updated_at=old)
    # A worker claimed `died` and was killed before it sent anything.
    TransferOrder.objects.filter(pk=died.pk).update(state=OrderState.SENDING, updated_at=old)

    counts = services.orders_resolve_stuck()

    assert counts == {"sent": 1, "unstuck": 1, "checked": 1}
    lost.refresh_from_db()
    died.refresh_from_db()
    assert lost.state == died.state == OrderState.CONFIRMED
    assert_moved_once(fake_1g, transfer_1g, player, at_1g="160.00", wallet="1340.00")
