"""Retention of the transfer events: the call history's rule (CALL_HISTORY_RETENTION_DAYS).

Events older than the retention are deleted, in batches, except:
- every event of an order that is not final (created, reserved, sending, unknown): all of its
  history is needed to settle it;
- the events that decided where the money went, kept as long as the ledger: a transfer's attempt
  or records check whose answer was judged (ok or refused: the wire request and answer that
  confirmed or failed the transfer), the change to the final state, and the staff's retries and
  resolves (who, why).
What goes: answers of unknown outcome, wallet creations, intermediate state changes of orders long
final. The order itself (amount, state, last answer) is never deleted.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import FINAL_STATES, EventKind, TransferEvent

BATCH = 5_000
DECIDED = ("ok", "refused")  # an answer's classification that moved (or returned) the money


def events_kept_for_money() -> Q:
    return (Q(kind__in=(EventKind.ATTEMPT, EventKind.RECORDS), classification__in=DECIDED)
            | Q(to_state__in=FINAL_STATES)
            | Q(kind__in=(EventKind.RETRY, EventKind.RESOLVE)))


def events_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the transfer events past the retention (see above). Returns how many went."""
    days = int(getattr(settings, "CALL_HISTORY_RETENTION_DAYS", 90) or 0)
    if not days:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    old = (TransferEvent.objects.filter(created_at__lt=cutoff, order__state__in=FINAL_STATES)
           .exclude(events_kept_for_money()))
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(old.order_by().values_list("pk", flat=True)[:BATCH])
            if ids:
                TransferEvent.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
        if len(ids) < BATCH:
            return deleted
