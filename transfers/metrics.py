"""Prometheus metrics of the transfer wallet (served by /metrics with the provider call metrics).

- backoffice_transfer_attention_total{integration}: orders that went to "needs attention"
  (no positive evidence either way once the provider had time to show them, spec section 4);
- backoffice_transfer_attention_open{integration}: orders needing attention now, refreshed
  whenever an order enters or leaves that state and on every resolver pass and reconciliation run.

Both are labelled, so that under PROMETHEUS_MULTIPROC_DIR nothing is written at import time
(the directory may not exist yet when a management command imports the app).
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
    ["integration"],
    multiprocess_mode="mostrecent",
)
_reported: set[str] = set()  # integrations this process has set a value for (set back to 0 when none)


def attention_entered(integration_code: str) -> None:
    ATTENTION_ENTERED.labels(integration_code).inc()


def attention_refresh() -> int:
    """Set the gauge per integration; the total needing attention (-1 when it could not be read)."""
    from django.db.models import Count

    from .models import OrderState, TransferOrder

    try:
        counts = dict(TransferOrder.objects.filter(state=OrderState.ATTENTION).values_list("integration__code")
                      .annotate(n=Count("pk")).values_list("integration__code", "n"))
        for code in _reported | set(counts):
            ATTENTION_OPEN.labels(code).set(counts.get(code, 0))
    except Exception:  # a metric must never break a money step
        logger.exception("could not count transfer orders needing attention")
        return -1
    _reported.update(counts)
    return sum(counts.values())
