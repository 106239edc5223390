"""Prometheus metrics of the transfer wallet (served by /metrics with the provider call metrics).

- backoffice_transfer_attention_total{integration}: orders that went to "needs attention"
  (no positive evidence either way once the provider had time to show them, spec section 4);
- backoffice_transfer_attention_open: orders needing attention now, refreshed whenever an order
  enters or leaves that state and on every resolver pass and reconciliation run.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Gauge

logger = logging.getLogger(__name__)

ATTENTION_ENTERED = Counter(
    "backoffice_transfer_attention_total",
    "Transfer orders that went to needs attention (staff must look at them)",
    ["integration"],
)
ATTENTION_OPEN = Gauge(
    "backoffice_transfer_attention_open",
    "Transfer orders needing attention now",
    multiprocess_mode="mostrecent",
)


def attention_entered(integration_code: str) -> None:
    ATTENTION_ENTERED.labels(integration_code).inc()


def attention_refresh() -> int:
    from .models import OrderState, TransferOrder

    try:
        count = TransferOrder.objects.filter(state=OrderState.ATTENTION).count()
    except Exception:  # a metric must never break a money step
        logger.exception("could not count transfer orders needing attention")
        return -1
    ATTENTION_OPEN.set(count)
    return count
