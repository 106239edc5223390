"""Transfer events get the call history's retention, except those of orders that are not final
(issue 24 point 2) and those that decided where the money went."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from transfers.models import TransferEvent, TransferOrder
from transfers.tasks import events_prune

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


def _order(transfer_id: str, state: str) -> TransferOrder:
    integration = OneGamingIntegrationFactory(code=f"og-{transfer_id.lower()}", mode="transfer")
    now = timezone.now()
    return TransferOrder.objects.create(integration=integration, player=PlayerFactory(external_id=f"P-{transfer_id}"),
                                        currency_id="IDR", direction="deposit", amount=100, transfer_id=transfer_id,
                                        state=state, created_at=now - 200 * DAY, updated_at=now)


def _event(order, age_days: float, **values) -> TransferEvent:
    return TransferEvent.objects.create(order=order, created_at=timezone.now() - dt.timedelta(days=age_days),
                                        **{"kind": "state", **values})


def test_old_events_of_final_orders_go_except_those_that_decided_the_money(settings):
    settings.CALL_HISTORY_RETENTION_DAYS = 90
    order = _order("TR-FINAL", "confirmed")
    gone = [
        _event(order, 120, kind="wallet", classification="ok", status="OK", request="{}", answer="{}"),
        _event(order, 120, from_state="created", to_state="reserved"),
        _event(order, 120, from_state="reserved", to_state="sending"),
        _event(order, 119, kind="attempt", classification="unknown", status="HTTP_502", request='{"a": 1}'),
        _event(order, 118, kind="records", classification="unknown", status="TIMEOUT"),
    ]
    kept = [
        _event(order, 117, kind="attempt", classification="ok", status="OK", request='{"transfer_id": "TR-FINAL"}',
               answer='{"status": "OK", "balance": 1}'),
        _event(order, 117, from_state="sending", to_state="confirmed"),
        _event(order, 116, kind="retry", note="staff retry: provider said so"),
        _event(order, 116, kind="resolve", note="records: checked with 1G"),
        _event(order, 30, from_state="confirmed", note="recent"),
    ]
    failed = _order("TR-FAILED", "failed")
    kept.append(_event(failed, 150, kind="attempt", classification="refused", status="INSUFFICIENT_BALANCE",
                       answer='{"status": "INSUFFICIENT_BALANCE"}'))
    kept.append(_event(failed, 150, from_state="sending", to_state="failed"))
    gone.append(_event(failed, 150, from_state="created", to_state="reserved"))

    assert events_prune() == len(gone)
    assert set(TransferEvent.objects.values_list("pk", flat=True)) == {e.pk for e in kept}
    assert TransferOrder.objects.count() == 2  # orders are never deleted


@pytest.mark.parametrize("state", ["created", "reserved", "sending", "unknown"])
def test_every_event_of_an_order_not_final_is_kept_however_old(settings, state):
    settings.CALL_HISTORY_RETENTION_DAYS = 90
    order = _order(f"TR-{state.upper()}", state)
    events = [_event(order, 365, from_state="created", to_state="reserved"),
              _event(order, 300, kind="attempt", classification="unknown", status="HTTP_502"),
              _event(order, 299, kind="records", classification="unknown", status="TIMEOUT")]
    assert events_prune() == 0
    assert TransferEvent.objects.filter(order=order).count() == len(events)


def test_a_retention_of_zero_prunes_nothing(settings):
    settings.CALL_HISTORY_RETENTION_DAYS = 0
    _event(_order("TR-ZERO", "confirmed"), 1000, from_state="created", to_state="reserved")
    assert events_prune() == 0 and TransferEvent.objects.count() == 1
