"""Transfer-mode orders: moving a player's money into the provider's wallet and back (spec
section 4).

State machine (DESIGN.md "Transfer mode"):

    deposit:  created -> reserved -> sending -> confirmed | failed | unknown
    withdraw: created ----------->  sending -> confirmed | failed | unknown
    unknown -> (the provider's records for the same transfer_id) -> confirmed | failed
               | sending (re-sent under the SAME transfer_id) | unknown | attention
    attention -> (records, on every resolver pass and reconciliation run) -> confirmed | failed
              -> (staff, with a reason; four eyes above the adjustment threshold) -> confirmed | failed

Money comes back to the player (deposit failed) only on positive evidence (spec section 4): a
refusal the provider answered to the send itself, a FAILED record for the transfer_id, or a
complete read of every page of the records for a window covering the send with margin, matched
on transfer_id here, once TRANSFER_RECORDS_SETTLE has passed since the last send. A re-send
answered "already have it" (a duplicate transfer id) means the provider holds that id
(`provider_holds`): never re-sent again, decided by a record only. Anything else past the settle
delay is `attention` (shown to staff, counted in a metric).

Ledger (two-phase for deposits, accounts per integration and currency):

- deposit reserved:  player wallet -> in-flight            (once: key transfer:<id>:reserve)
- deposit confirmed: in-flight -> held at provider         (once: key transfer:<id>:confirm)
- deposit failed:    in-flight -> player wallet            (once: key transfer:<id>:return)
- withdraw confirmed: held at provider -> player wallet    (once: key transfer:<id>:confirm)
- withdraw failed:   nothing moves.

A withdrawal reserves nothing: the money is at the provider, and nothing on our side can spend
it twice (the provider refuses a withdrawal above its balance). The held-at-provider account is
the integration's clearing account for money at the provider; it goes below zero when players
withdraw winnings, like a game clearing account does.

Every step is claimed with a conditional UPDATE (`filter(pk=…, state__in=expected).update(…)`)
that must change exactly one row, in the same database transaction as its ledger transfer, so a
duplicate task delivery, a retry, a resolver and a late answer can all race and the money still
moves once. Network calls happen outside database transactions.

Orders are started (created, reserved, handed to the send task) by transfers/start.py, the one
module of this app above its tasks; this one never imports the tasks.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import Integration
from core.registry import registration_for
from core.transfer_client import Answer, Outcome, Record
from wallet.models import Account, AccountKind, Player, TransferKind
from wallet.services import adjustment_threshold, player_wallets_lock, system_account_id, transfer_post

from . import metrics
from .models import (
    UNDECIDED_STATES,
    Direction,
    EventKind,
    OrderState,
    ProviderWallet,
    TransferEvent,
    TransferOrder,
)

logger = logging.getLogger(__name__)

MAX_RECORD_PAGES = 10_000


class TransferError(Exception):
    """A transfer that cannot be started or changed; the message is safe to show a player."""


# --- helpers ----------------------------------------------------------------------------------


def client_for(integration: Integration):
    """The transfer-wallet client its provider's registration declares (TransferError: none)."""
    registration = registration_for(integration)
    client = registration.transfer_client_for(integration) if registration is not None else None
    if client is None:
        raise TransferError(f"integration {integration.code} has no transfer wallet")
    return client


def new_transfer_id() -> str:
    return uuid.uuid4().hex


def backoff_seconds(n: int) -> float:
    return min(settings.TRANSFER_BACKOFF_BASE * (2 ** min(n, 20)), settings.TRANSFER_BACKOFF_MAX)


def system_account(kind: str, order: TransferOrder) -> Account:
    pk = system_account_id(kind=kind, currency=order.currency_id, integration_id=order.integration_id)
    return Account(pk=pk, kind=kind, currency_id=order.currency_id, integration_id=order.integration_id)


def _answer_text(answer: Answer) -> str:
    if answer.body is not None:
        return json.dumps(answer.body, default=str)[:4000]
    return answer.error[:4000]


def order_event(order: TransferOrder, kind: str, *, now: dt.datetime, answer: Answer | None = None, actor=None,
                note: str = "", from_state: str = "", to_state: str = "") -> None:
    values = {"order": order, "kind": kind, "actor": actor, "note": note[:255], "created_at": now,
              "from_state": from_state, "to_state": to_state}
    if answer is not None:
        values.update(classification=answer.outcome.value, status=answer.status[:64], http_status=answer.http_status,
                      request=json.dumps(answer.request, default=str)[:4000], answer=_answer_text(answer))
    TransferEvent.objects.create(**values)


def order_claim(order: TransferOrder, *, expected: tuple[str, ...], to: str, now: dt.datetime, **changes) -> bool:
    """Move the order from one of `expected` to `to`; True when this caller won the step."""
    changed = TransferOrder.objects.filter(pk=order.pk, state__in=expected).update(state=to, updated_at=now, **changes)
    return changed == 1


def _provider_balance_note(order: TransferOrder, balance: int | None, now: dt.datetime) -> None:
    if balance is None:
        return
    ProviderWallet.objects.filter(integration_id=order.integration_id, player_id=order.player_id,
                                  currency_id=order.currency_id).update(balance=balance, balance_at=now)


# --- sending --------------------------------------------------------------------------------


def order_send(order_id: int) -> TransferOrder:
    """Send a created (withdraw) or reserved (deposit) order. A no-op for any other state."""
    order = TransferOrder.objects.select_related("integration", "player").get(pk=order_id)
    expected = (OrderState.RESERVED,) if order.direction == Direction.DEPOSIT else (OrderState.CREATED,)
    now = timezone.now()
    if not order_claim(order, expected=expected, to=OrderState.SENDING, now=now):
        return order
    order_event(order, EventKind.STATE, now=now, from_state=order.state, to_state=OrderState.SENDING)
    order.state = OrderState.SENDING
    if order.direction == Direction.DEPOSIT and not _provider_wallet_ensure(order):
        # Nothing was ever sent under this transfer_id (no wallet at the provider, so no deposit before):
        # failing it is safe, and the money goes back.
        _finish(order, OrderState.FAILED, now=timezone.now(), expected=(OrderState.SENDING,),
                note="The provider's wallet could not be created")
        return _reload(order)
    return _send_claimed(order)


def _provider_wallet_ensure(order: TransferOrder) -> bool:
    """Make sure the provider has the player's wallet before the first deposit; False when it could not."""
    lookup = {"integration_id": order.integration_id, "player_id": order.player_id, "currency_id": order.currency_id}
    if ProviderWallet.objects.filter(**lookup).exists():
        return True
    answer = client_for(order.integration).create_wallet(order.player.external_id, order.player.username,
                                                             order.currency_id)
    now = timezone.now()
    order_event(order, EventKind.WALLET, now=now, answer=answer)
    if not answer.ok:
        TransferOrder.objects.filter(pk=order.pk).update(last_status=answer.status[:64], last_error=answer.error[:255])
        return False
    ProviderWallet.objects.get_or_create(**lookup, defaults={"created_at": now})
    return True


def _send_claimed(order: TransferOrder) -> TransferOrder:
    """Send an order this caller has just claimed into `sending`, and act on the answer."""
    client = client_for(order.integration)
    call = client.deposit if order.direction == Direction.DEPOSIT else client.withdraw
    sent_at = timezone.now()
    TransferOrder.objects.filter(pk=order.pk).update(attempts=F("attempts") + 1, last_sent_at=sent_at)
    answer = call(order.player.external_id, order.transfer_id, order.currency_id, order.amount)
    now = timezone.now()
    order_event(order, EventKind.ATTEMPT, now=now, answer=answer)
    if answer.outcome == Outcome.OK:
        _finish(order, OrderState.CONFIRMED, now=now, answer=answer)
    elif answer.outcome == Outcome.REFUSED:
        _finish(order, OrderState.FAILED, now=now, answer=answer)
    else:
        changes = {"last_status": answer.status[:64], "last_answer": _answer_text(answer),
                   "last_error": answer.error[:255], "next_check_at": now}
        if answer.held:
            changes["provider_holds"] = True  # never re-sent, never failed without a FAILED record
        if order_claim(order, expected=(OrderState.SENDING,), to=OrderState.UNKNOWN, now=now, **changes):
            order_event(order, EventKind.STATE, now=now, from_state=OrderState.SENDING, to_state=OrderState.UNKNOWN,
                        note=answer.error)
    return _reload(order)


def _reload(order: TransferOrder) -> TransferOrder:
    return TransferOrder.objects.select_related("integration", "player").get(pk=order.pk)


def _finish(order: TransferOrder, to: str, *, now: dt.datetime, answer: Answer | None = None, actor=None,
            note: str = "", expected: tuple[str, ...] = (OrderState.SENDING, *UNDECIDED_STATES)) -> bool:
    """Make the order final and move its money, once; False when another caller already did."""
    changes: dict = {"finished_at": now, "next_check_at": None, "decision_outcome": "", "decision_reason": "",
                     "decision_by": None, "decision_at": None}
    if answer is not None:
        changes.update(last_status=answer.status[:64], last_answer=_answer_text(answer), last_error=answer.error[:255])
        if to == OrderState.CONFIRMED and answer.balance is not None:
            changes["provider_balance"] = answer.balance
    elif note:
        changes["last_error"] = note[:255]
    with transaction.atomic():
        wallet = player_wallets_lock(order.player_id).get(order.currency_id)
        previous = TransferOrder.objects.filter(pk=order.pk).values_list("state", flat=True).first()
        if not order_claim(order, expected=expected, to=to, now=now, **changes):
            return False
        key = f"transfer:{order.transfer_id}"
        memo = f"{order.direction} {order.transfer_id} {to}"
        if order.direction == Direction.DEPOSIT and to == OrderState.CONFIRMED:
            transfer_post(key=f"{key}:confirm", kind=TransferKind.TRANSFER_OUT, debit=system_account(AccountKind.IN_FLIGHT, order),
                          credit=system_account(AccountKind.HELD_AT_PROVIDER, order), amount=order.amount, now=now,
                          actor=actor, memo=memo)
        elif order.direction == Direction.DEPOSIT and to == OrderState.FAILED:
            transfer_post(key=f"{key}:return", kind=TransferKind.TRANSFER_IN, debit=system_account(AccountKind.IN_FLIGHT, order),
                          credit=wallet, amount=order.amount, now=now, actor=actor, memo=memo)
        elif order.direction == Direction.WITHDRAW and to == OrderState.CONFIRMED:
            transfer_post(key=f"{key}:confirm", kind=TransferKind.TRANSFER_IN,
                          debit=system_account(AccountKind.HELD_AT_PROVIDER, order), credit=wallet, amount=order.amount,
                          now=now, actor=actor, memo=memo)
        if to == OrderState.CONFIRMED and answer is not None:
            _provider_balance_note(order, answer.balance, now)
        order_event(order, EventKind.STATE, now=now, actor=actor, from_state=previous or "", to_state=to,
                    note=note or (answer.error if answer is not None else ""))
    if previous == OrderState.ATTENTION:
        transaction.on_commit(metrics.attention_refresh)
    return True


# --- unknown outcomes -----------------------------------------------------------------------


def _settle_delay() -> dt.timedelta:
    return dt.timedelta(seconds=settings.TRANSFER_RECORDS_SETTLE)


def _settled(order: TransferOrder, now: dt.datetime) -> bool:
    """Whether the provider has had TRANSFER_RECORDS_SETTLE since the last send to show it in its records."""
    return now - (order.last_sent_at or order.created_at) >= _settle_delay()


def records_window(order: TransferOrder, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The records period asked about an order: from TRANSFER_RECORDS_MARGIN before it was made to
    that margin after the settle delay following its last send (or now, when sooner)."""
    margin = dt.timedelta(seconds=settings.TRANSFER_RECORDS_MARGIN)
    last_sent = order.last_sent_at or order.created_at
    return order.created_at - margin, min(now, last_sent + _settle_delay()) + margin


@dataclass
class RecordsLookup:
    answer: Answer
    record: Record | None = None
    absent: bool = False  # positive evidence: a complete unfiltered read of the window without it
    note: str = ""


def _pick(records: list[Record], transfer_id: str) -> Record | None:
    """Our transfer_id's record; an OK one wins over a FAILED one (the provider holds the money then)."""
    mine = [r for r in records if r.transfer_id == transfer_id]
    return next((r for r in mine if r.status == "OK"), mine[0] if mine else None)


def records_lookup(order: TransferOrder, client, now: dt.datetime, *,
                   want_absence: bool) -> RecordsLookup:
    """Look for the order's transfer_id in the provider's records, matched here on transfer_id (the
    server-side filters are hints only, spec section 4).

    First every page of a read filtered by player and transfer_id; when that does not show it and
    `want_absence`, every page of an unfiltered read of the same window: only a complete one of
    those is evidence that the provider does not have it.
    """
    since, until = records_window(order, now)
    scan = client.records_all(since, until, player_id=order.player.external_id, transfer_id=order.transfer_id,
                              max_pages=MAX_RECORD_PAGES)
    record = _pick(scan.records, order.transfer_id)
    if record is not None:
        return RecordsLookup(scan.answer, record, note="found")
    if not scan.answer.ok:
        return RecordsLookup(scan.answer, note="records unavailable")
    if not want_absence:
        return RecordsLookup(scan.answer, note=f"not found ({scan.pages} page(s), filtered)")
    full = client.records_all(since, until, max_pages=MAX_RECORD_PAGES)
    record = _pick(full.records, order.transfer_id)
    if record is not None:
        return RecordsLookup(full.answer, record, note="found (unfiltered read)")
    if not full.complete:
        return RecordsLookup(full.answer, note=f"records incomplete after {full.pages} page(s)")
    return RecordsLookup(full.answer, absent=True,
                         note=f"not found in all {full.pages} page(s) of {since:%Y-%m-%d %H:%M:%S} - "
                              f"{until:%Y-%m-%d %H:%M:%S} UTC")


def record_disagreement(order: TransferOrder, record) -> str:
    """What in the provider's record of this transfer_id disagrees with our order ("" when nothing)."""
    problems = []
    if record.amount != order.amount:
        problems.append(f"amount {record.raw.get('amount')!r}")
    if record.currency != order.currency_id:
        problems.append(f"currency {record.currency!r}")
    if record.type != order.direction:
        problems.append(f"type {record.type!r}")
    if record.player_id and record.player_id != order.player.external_id:
        problems.append(f"player {record.player_id!r}")
    if record.status not in ("OK", "FAILED"):
        problems.append(f"status {record.status!r}")
    return ", ".join(problems)


def order_settle_from_record(order: TransferOrder, record, *, now: dt.datetime, actor=None) -> bool:
    """Close an undecided order as the provider's record of its transfer_id says, when that record agrees
    with the order (amount, currency, type, player) and is OK or FAILED. True when closed here.
    A record that disagrees puts the order in front of a person (attention)."""
    disagreement = record_disagreement(order, record)
    if disagreement:
        _attention(order, now=now, reason=f"The provider's record differs: {disagreement}")
        return False
    to = OrderState.CONFIRMED if record.status == "OK" else OrderState.FAILED
    return _finish(order, to, now=now, actor=actor, expected=UNDECIDED_STATES,
                   note=f"The provider's records say {record.status}")


def _attention(order: TransferOrder, *, now: dt.datetime, reason: str) -> None:
    """Put an undecided order in front of staff (or refresh why it is there). Moves no money."""
    reason = reason[:255]
    if order_claim(order, expected=(OrderState.UNKNOWN,), to=OrderState.ATTENTION, now=now, attention_since=now,
                   last_error=reason):
        order_event(order, EventKind.STATE, now=now, from_state=OrderState.UNKNOWN, to_state=OrderState.ATTENTION,
                    note=reason)
        metrics.attention_entered(order.integration.code)
        transaction.on_commit(metrics.attention_refresh)
    else:
        TransferOrder.objects.filter(pk=order.pk, state=OrderState.ATTENTION).update(last_error=reason)


def order_check(order_id: int, *, allow_resend: bool = True, actor=None, note: str = "",
                manual: bool = False) -> TransferOrder:
    """Decide an unknown (or needs-attention) order from the provider's records for its transfer_id.

    - Found OK: confirmed. Found FAILED (and no OK): failed, money back. Found but different
      from our order: attention.
    - Not found, the provider said it holds the id (a duplicate): stays; attention once settled.
    - Not found: re-sent under the same transfer_id while sent fewer than TRANSFER_MAX_SENDS
      times (unknown orders only). After that, once TRANSFER_RECORDS_SETTLE has passed since the
      last send: failed (money back) only when a complete unfiltered read of every page of the
      window does not show it; otherwise attention.
    `manual` (a staff retry): re-send whenever the records do not show it, never fail it.
    """
    order = _reload(TransferOrder(pk=order_id))
    if order.state not in UNDECIDED_STATES:
        return order
    now = timezone.now()
    client = client_for(order.integration)
    settled = _settled(order, now)
    lookup = records_lookup(order, client, now, want_absence=settled and not order.provider_holds and not manual)
    now = timezone.now()
    checks = order.checks + 1
    TransferOrder.objects.filter(pk=order.pk).update(
        checks=F("checks") + 1, next_check_at=now + dt.timedelta(seconds=backoff_seconds(checks)))
    order_event(order, EventKind.RECORDS, now=now, answer=lookup.answer, actor=actor,
                note=(f"{note}: " if note else "") + lookup.note)
    if lookup.record is not None:
        order_settle_from_record(order, lookup.record, now=now, actor=actor)
        return _reload(order)
    if not lookup.answer.ok:
        if settled and not manual:
            _attention(order, now=now, reason=f"The provider's records could not be read: {lookup.answer.error or lookup.answer.status}")
        return _reload(order)
    if order.provider_holds:
        if settled and not manual:
            _attention(order, now=now, reason=f"The provider holds this transfer_id (it answered "
                                              f"{order.last_status or 'a duplicate'}) but its records do not show it")
        return _reload(order)
    if (order.state == OrderState.UNKNOWN and allow_resend
            and (manual or order.attempts < settings.TRANSFER_MAX_SENDS)):
        return _resend(order, actor=actor)
    if manual:
        return order
    last_sent = order.last_sent_at or order.created_at
    if lookup.absent:
        _finish(order, OrderState.FAILED, now=now, actor=actor, expected=UNDECIDED_STATES,
                note=f"not in the provider's records {int((now - last_sent).total_seconds())} s after the last send "
                     f"({lookup.note})")
    elif settled:
        _attention(order, now=now, reason=f"no evidence either way: {lookup.note}")
    return _reload(order)


def _resend(order: TransferOrder, *, actor=None) -> TransferOrder:
    now = timezone.now()
    if not order_claim(order, expected=(OrderState.UNKNOWN,), to=OrderState.SENDING, now=now):
        return _reload(order)
    order_event(order, EventKind.STATE, now=now, actor=actor, from_state=OrderState.UNKNOWN, to_state=OrderState.SENDING,
                note="re-sent under the same transfer_id")
    order.state = OrderState.SENDING
    return _send_claimed(order)


def orders_resolve_stuck(*, now: dt.datetime | None = None, limit: int = 200,
                         integration: Integration | None = None, due_only: bool = True) -> dict[str, int]:
    """What celery-beat runs: unstick orders whose task was lost or whose worker died.

    - created/reserved for longer than TRANSFER_SENDING_STALE: never sent, send now;
    - sending for longer than that: the worker died mid-call, the outcome is unknown;
    - unknown or needing attention and due for a check (next_check_at passed; any such one with
      due_only=False): ask the records.
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.TRANSFER_SENDING_STALE)
    counts = {"sent": 0, "unstuck": 0, "checked": 0}
    orders = TransferOrder.objects.all() if integration is None else TransferOrder.objects.filter(integration=integration)
    waiting = orders.filter(state__in=(OrderState.CREATED, OrderState.RESERVED), updated_at__lt=stale)
    for order_id in waiting.values_list("pk", flat=True)[:limit]:
        order_send(order_id)
        counts["sent"] += 1
    hung = orders.filter(state=OrderState.SENDING, updated_at__lt=stale)
    for order in hung.only("pk", "updated_at")[:limit]:
        changed = TransferOrder.objects.filter(pk=order.pk, state=OrderState.SENDING, updated_at=order.updated_at).update(
            state=OrderState.UNKNOWN, updated_at=now, next_check_at=now, last_error="no answer recorded: worker stopped?")
        if changed:
            order_event(order, EventKind.STATE, now=now, from_state=OrderState.SENDING, to_state=OrderState.UNKNOWN,
                        note="sending for too long")
            counts["unstuck"] += 1
    due = orders.filter(state__in=UNDECIDED_STATES)
    if due_only:
        due = due.filter(next_check_at__lte=now)
    for order_id in due.values_list("pk", flat=True)[:limit]:
        order_check(order_id)
        counts["checked"] += 1
    metrics.attention_refresh()
    return counts


# --- staff actions ---------------------------------------------------------------------------


def _reason_required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransferError("a reason is required")
    return reason[:255]


def order_retry(order: TransferOrder, *, actor, reason: str) -> TransferOrder:
    """Staff: push an open order forward now, under its own transfer_id.

    Never sent: send it. Sending (worker gone) or unknown: ask the provider's records first, and re-send
    under the same transfer_id only when they do not show it.
    """
    reason = _reason_required(reason)
    _may_resolve(actor)
    order = _reload(order)
    if not order.is_open:
        raise TransferError(f"the order is already {order.state}")
    now = timezone.now()
    order_event(order, EventKind.RETRY, now=now, actor=actor, note=reason)
    if order.state in (OrderState.CREATED, OrderState.RESERVED):
        return order_send(order.pk)
    sending = order.state == OrderState.SENDING
    if sending and order_claim(order, expected=(OrderState.SENDING,), to=OrderState.UNKNOWN, now=now, next_check_at=now):
        order_event(order, EventKind.STATE, now=now, actor=actor, from_state=OrderState.SENDING,
                   to_state=OrderState.UNKNOWN, note=reason)
    return order_check(order.pk, actor=actor, note=reason, manual=True)


RESOLVE_AS_RECORDS = "records"


RESOLVE_PERMISSION = "transfers.change_transferorder"  # finance has it, support does not (audit.roles)


def _may_resolve(actor) -> None:
    if actor is None or not getattr(actor, "is_active", False) or not actor.has_perm(RESOLVE_PERMISSION):
        raise TransferError("only finance staff may retry or resolve transfer orders")


def needs_second_user(order: TransferOrder) -> bool:
    """A staff decision on this order waits for a second user: its amount is above the wallet
    adjustment approval threshold of its currency (ADJUSTMENT_APPROVAL_THRESHOLDS)."""
    return order.amount > adjustment_threshold(order.currency_id)


def order_resolve(order: TransferOrder, *, actor, reason: str, outcome: str = RESOLVE_AS_RECORDS) -> TransferOrder:
    """Staff: close an open order that was sent.

    By default as the provider's records say (found OK: confirmed, found FAILED or a complete read without
    it: failed). A person who has checked with the provider may pass outcome="confirmed" or "failed" to
    decide an order the records do not settle; that decision moves the money as if the provider had
    answered it, and is recorded. Above the adjustment approval threshold such a decision is
    only asked for by the first user (the order keeps its state, `decision_*` set) and is
    applied when a second user resolves it the same way.
    """
    reason = _reason_required(reason)
    _may_resolve(actor)
    order = _reload(order)
    if not order.is_open:
        raise TransferError(f"the order is already {order.state}")
    if order.state in (OrderState.CREATED, OrderState.RESERVED) and outcome != OrderState.FAILED:
        raise TransferError("the order was never sent: retry it, or resolve it as failed")
    now = timezone.now()
    if outcome == RESOLVE_AS_RECORDS:
        order_event(order, EventKind.RESOLVE, now=now, actor=actor, note=f"{outcome}: {reason}")
        if order.state == OrderState.SENDING:
            order_claim(order, expected=(OrderState.SENDING,), to=OrderState.UNKNOWN, now=now)
        order = order_check(order.pk, allow_resend=False, actor=actor, note=reason)
        if order.is_open:
            raise TransferError("The provider's records do not settle this order: " + (order.last_error or "not found"))
        return order
    if outcome not in (OrderState.CONFIRMED, OrderState.FAILED):
        raise TransferError("resolve as 'records', 'confirmed' or 'failed'")
    if needs_second_user(order):
        pending, asked_by = order.decision_outcome, order.decision_by_id
        if not pending or asked_by == actor.pk:
            if pending == outcome:
                raise TransferError("you already asked for this decision: a second user must approve it")
            changed = TransferOrder.objects.filter(pk=order.pk, decision_outcome=pending, decision_by=asked_by).update(
                decision_outcome=outcome, decision_reason=reason[:255], decision_by=actor, decision_at=now,
                updated_at=now)
            if not changed:
                raise TransferError("the order changed meanwhile; look again")
            order_event(order, EventKind.DECISION, now=now, actor=actor,
                        note=f"{outcome}, waiting for a second user: {reason}")
            return _reload(order)
        if pending != outcome:
            raise TransferError(f"{order.decision_by} asked to resolve it as {pending}: approve that, or ask them to "
                                f"change it")
        reason = f"{reason} (asked by {order.decision_by}: {order.decision_reason})"
    order_event(order, EventKind.RESOLVE, now=now, actor=actor, note=f"{outcome}: {reason}")
    if order.state == OrderState.CREATED and order.direction == Direction.WITHDRAW:
        order_claim(order, expected=(OrderState.CREATED,), to=OrderState.UNKNOWN, now=now)
    elif order.state == OrderState.RESERVED:
        order_claim(order, expected=(OrderState.RESERVED,), to=OrderState.UNKNOWN, now=now)
    if not _finish(order, outcome, now=now, actor=actor, note=f"resolved by staff: {reason}"):
        raise TransferError("the order changed meanwhile; look again")
    return _reload(order)


# --- player-facing helpers ------------------------------------------------------------------


def provider_balance_last_known(*, integration: Integration, player: Player, currency: str) -> int | None:
    """The last balance the provider told us for the player's wallet there (ledger units), or None."""
    return (ProviderWallet.objects.filter(integration=integration, player=player, currency_id=str(currency).upper())
            .values_list("balance", flat=True).first())
