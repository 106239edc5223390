"""Reconciliation: our transfer orders against the provider's transfer records for a period.

Every page of the records is fetched (for the period widened by a margin, so a transfer that
the provider stamped a moment after ours is not "missing"), matched with our orders by transfer_id, and
every difference is stored (ReconciliationDifference, shown in the admin):

- an order of ours in the period that the provider's records do not show, although it is confirmed;
- a record of the provider that matches no order of ours at all;
- amount, currency, direction (type), player or status that differ.

What is safe is resolved here: an order stuck `unknown` or `attention` whose record agrees with
it and says OK or FAILED is closed as the record says (through the same service as the
resolver). Orders still in progress (created, reserved, sending, unknown or attention without a
record) are not differences. Every run also re-checks every order of the integration that needs
attention, whenever it was made (transfers.services.order_check, never re-sent). Everything
else is left to a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import Integration
from core.transfer_client import Record

from . import metrics, services
from .models import (
    UNDECIDED_STATES,
    DifferenceKind,
    OrderState,
    ReconciliationDifference,
    ReconciliationRun,
    TransferOrder,
)

MARGIN = dt.timedelta(minutes=10)
MAX_PAGES = 10_000


class ReconcileError(Exception):
    """The provider's records could not be fetched; the message is fit for ops staff."""


@dataclass
class ReconcileResult:
    integration: str
    checked: int = 0
    differences: int = 0
    resolved: int = 0

    def figures(self) -> dict:
        return {"integration": self.integration, "checked": self.checked, "differences": self.differences,
                "resolved": self.resolved}


def records_fetch(client, since: dt.datetime, until: dt.datetime) -> dict[str, Record]:
    """Every record of the period, all pages, by transfer_id (an OK record wins over a FAILED one)."""
    scan = client.records_all(since, until, max_pages=MAX_PAGES)
    if not scan.answer.ok:
        raise ReconcileError(f"The provider's records page {scan.pages + 1} could not be read: "
                             f"{scan.answer.error or scan.answer.status}")
    found: dict[str, Record] = {}
    for record in scan.records:
        if record.transfer_id not in found or (record.status == "OK" and found[record.transfer_id].status != "OK"):
            found[record.transfer_id] = record
    return found


def attention_recheck(integration: Integration) -> int:
    """Ask the provider's records again about every order of the integration that needs attention; how
    many were settled."""
    settled = 0
    for order_id in TransferOrder.objects.filter(integration=integration, state=OrderState.ATTENTION).values_list(
            "pk", flat=True):
        if services.order_check(order_id, allow_resend=False).state != OrderState.ATTENTION:
            settled += 1
    return settled


def _differences(order: TransferOrder, record: Record | None) -> list[tuple[str, str, str]]:
    """(kind, ours, theirs) for each way the record disagrees with a settled order."""
    if record is None:
        if order.state == OrderState.CONFIRMED:
            return [(DifferenceKind.MISSING_AT_PROVIDER, f"{order.direction} confirmed", "no record")]
        return []
    found = []
    if record.amount != order.amount:
        found.append((DifferenceKind.AMOUNT, str(order.amount), str(record.raw.get("amount"))))
    if record.currency != order.currency_id:
        found.append((DifferenceKind.CURRENCY, order.currency_id, record.currency))
    if record.type != order.direction:
        found.append((DifferenceKind.DIRECTION, order.direction, record.type))
    if record.player_id != order.player.external_id:
        found.append((DifferenceKind.PLAYER, order.player.external_id, record.player_id))
    # A settled order must have the matching status; an open one at least a known status.
    expected = {OrderState.CONFIRMED: ("OK",), OrderState.FAILED: ("FAILED",)}.get(order.state, ("OK", "FAILED"))
    if record.status not in expected:
        found.append((DifferenceKind.STATUS, order.state, record.status))
    return found


def _store(run: ReconciliationRun, *, transfer_id: str, kind: str, ours: str, theirs: str, order=None,
           now: dt.datetime) -> None:
    difference, created = ReconciliationDifference.objects.get_or_create(
        integration_id=run.integration_id, transfer_id=transfer_id[:128], kind=kind,
        defaults={"run": run, "order": order, "ours": ours[:255], "theirs": theirs[:255], "detected_at": now,
                  "last_seen_at": now},
    )
    if not created:
        ReconciliationDifference.objects.filter(pk=difference.pk).update(
            run=run, order=order, ours=ours[:255], theirs=theirs[:255], last_seen_at=now)


def reconcile(integration: Integration, *, since: dt.datetime, until: dt.datetime) -> ReconcileResult:
    if since >= until:
        raise ReconcileError("--since must be before --until")
    now = timezone.now()
    run = ReconciliationRun.objects.create(integration=integration, since=since, until=until, started_at=now)
    result = ReconcileResult(integration=integration.code)
    try:
        records = records_fetch(services.client_for(integration), since - MARGIN, until + MARGIN)
    except ReconcileError as exc:
        ReconciliationRun.objects.filter(pk=run.pk).update(error=str(exc)[:255], finished_at=timezone.now())
        raise
    orders = list(TransferOrder.objects.select_related("integration", "player")
                  .filter(integration=integration, created_at__gte=since, created_at__lt=until))
    now = timezone.now()
    for order in orders:
        record = records.get(order.transfer_id)
        result.checked += 1
        if order.state in UNDECIDED_STATES and record is not None:
            if services.order_settle_from_record(order, record, now=now):
                result.resolved += 1
                order.refresh_from_db()
            else:
                order.refresh_from_db()
        if order.state in (OrderState.CREATED, OrderState.RESERVED, OrderState.SENDING) and record is None:
            continue  # in progress: the provider may not have it yet
        if order.state in UNDECIDED_STATES and record is None:
            continue  # the resolver's business (or staff's), not yet a difference
        for kind, ours, theirs in _differences(order, record):
            _store(run, transfer_id=order.transfer_id, kind=kind, ours=ours, theirs=theirs, order=order, now=now)
            result.differences += 1
    ours_ids = {order.transfer_id for order in orders}
    theirs_only = [tid for tid in records if tid not in ours_ids]
    known = set(TransferOrder.objects.filter(integration=integration, transfer_id__in=theirs_only)
                .values_list("transfer_id", flat=True))
    for transfer_id in theirs_only:
        if transfer_id in known:
            continue  # ours, created outside the period: checked by the run that covers it
        record = records[transfer_id]
        result.checked += 1
        with transaction.atomic():
            _store(run, transfer_id=transfer_id, kind=DifferenceKind.MISSING_HERE, ours="no order",
                   theirs=f"{record.type} {record.raw.get('amount')} {record.currency} {record.status} "
                          f"player {record.player_id}", now=now)
        result.differences += 1
    result.resolved += attention_recheck(integration)
    metrics.attention_refresh()
    ReconciliationRun.objects.filter(pk=run.pk).update(
        checked=result.checked, differences=result.differences, resolved=result.resolved, finished_at=timezone.now())
    return result


def reconcile_recent(integration: Integration) -> ReconcileResult:
    """What celery-beat runs: the last TRANSFER_RECONCILE_LOOKBACK_HOURS up to now."""
    until = timezone.now()
    since = until - dt.timedelta(hours=settings.TRANSFER_RECONCILE_LOOKBACK_HOURS)
    return reconcile(integration, since=since, until=until)
