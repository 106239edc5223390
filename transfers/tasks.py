"""Celery tasks of the transfer wallet.

Every task is safe to run twice or concurrently (each order step is a conditional update, see
transfers.services), so `acks_late` redelivery after a worker dies is harmless. Under the
embedded default (no broker) tasks run in-process at once: an unknown outcome gets one records
check straight away and is then left to the resolver (celery-beat, `manage.py reconcile`, or a
staff retry), never to an in-process loop.
"""

from __future__ import annotations

import logging

from celery import current_app, shared_task
from django.db import DatabaseError

from core.models import Integration, WalletMode
from core.registry import with_transfer_client

from . import retention, services
from .models import OrderState
from .reconcile import reconcile_recent

logger = logging.getLogger(__name__)

RETRY_ON = (DatabaseError, ConnectionError)


def _eager() -> bool:
    return bool(current_app.conf.task_always_eager)


def _follow_unknown(order) -> None:
    if order.state != OrderState.UNKNOWN:
        return
    if _eager():
        services.order_check(order.pk)
    else:
        transfer_resolve.apply_async((order.pk,), countdown=services.backoff_seconds(order.checks))


@shared_task(name="transfers.send", acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True,
             retry_backoff_max=300, max_retries=8)
def transfer_send(order_id: int) -> str:
    order = services.order_send(order_id)
    _follow_unknown(order)
    return order.state


@shared_task(name="transfers.resolve", acks_late=True, autoretry_for=RETRY_ON, retry_backoff=True,
             retry_backoff_max=300, max_retries=8)
def transfer_resolve(order_id: int) -> str:
    order = services.order_check(order_id)
    if order.state == OrderState.UNKNOWN and not _eager():
        # Keep asking with growing pauses; the beat resolver is the safety net if this chain dies.
        transfer_resolve.apply_async((order.pk,), countdown=services.backoff_seconds(order.checks))
    return order.state


@shared_task(name="transfers.resolve_stuck", acks_late=True)
def resolve_stuck() -> dict:
    return services.orders_resolve_stuck()


def _transfer_integrations():
    providers = [r.name for r in with_transfer_client()]
    return Integration.objects.filter(provider__in=providers, mode=WalletMode.TRANSFER, enabled=True)


@shared_task(name="transfers.reconcile_all", acks_late=True)
def reconcile_all() -> list[dict]:
    results = []
    for integration in _transfer_integrations():
        try:
            results.append(reconcile_recent(integration).figures())
        except Exception:  # one integration's failure must not stop the others
            logger.exception("reconciliation of %s failed", integration.code)
    return results


@shared_task(name="transfers.events_prune")
def events_prune() -> int:
    """Transfer events past CALL_HISTORY_RETENTION_DAYS (those of open orders and those that
    decided where the money went stay; transfers/retention.py)."""
    return retention.events_prune()
