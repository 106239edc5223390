"""PostgreSQL: duplicate deliveries and racing resolvers on one order move the money once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from transfers import services, start
from transfers.models import OrderState, TransferOrder
from wallet.checks import ledger_violations
from wallet.models import Account, AccountKind
from wallet.money import to_units

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _in_threads(n, work):
    start = threading.Barrier(n)

    def run(i):
        try:
            start.wait()
            return work(i)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(run, range(n)))


def test_eight_duplicate_deliveries_send_once(fake_1g, transfer_1g, monkeypatch):
    player = PlayerFactory(external_id="CC0001")
    funded_wallet(player, "IDR", "200.00")
    monkeypatch.setattr(start, "_enqueue_send", lambda order_id: None)
    order = start.transfer_start(integration=transfer_1g, player=player, currency="IDR", direction="deposit",
                                    amount=to_units("100.00"))

    states = _in_threads(8, lambda i: services.order_send(order.pk).state)

    assert states.count(OrderState.CONFIRMED) >= 1
    order.refresh_from_db()
    assert order.state == OrderState.CONFIRMED and order.attempts == 1
    assert len(fake_1g.calls("deposit")) == 1
    assert Account.objects.get(player=player, kind=AccountKind.WALLET).balance == to_units("100.00")
    assert ledger_violations() == []


@pytest.mark.parametrize("first, second", [("confirmed", "failed"), ("failed", "confirmed")])
def test_racing_final_steps_only_one_wins(fake_1g, transfer_1g, monkeypatch, first, second):
    """A late answer and the resolver (or a staff resolve) finishing one order at once."""
    player = PlayerFactory(external_id=f"CC-{first}")
    funded_wallet(player, "IDR", "200.00")
    monkeypatch.setattr(start, "_enqueue_send", lambda order_id: None)
    order = start.transfer_start(integration=transfer_1g, player=player, currency="IDR", direction="deposit",
                                    amount=to_units("100.00"))
    TransferOrder.objects.filter(pk=order.pk).update(state=OrderState.UNKNOWN)
    from django.utils import timezone

    outcomes = [first, second] * 4
    won = _in_threads(8, lambda i: services._finish(order, outcomes[i], now=timezone.now()))

    assert won.count(True) == 1
    order.refresh_from_db()
    wallet = Account.objects.get(player=player, kind=AccountKind.WALLET).balance
    assert wallet == (to_units("100.00") if order.state == OrderState.CONFIRMED else to_units("200.00"))
    assert ledger_violations() == []


def test_beat_schedule_names_registered_tasks():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
