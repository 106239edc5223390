"""Transfer-mode orders: money moved between a player's wallet and the provider's wallet (spec
section 4).

A `TransferOrder` is a small state machine (see transfers.services); `TransferEvent` is its
append-only history: every attempt with what was sent, what came back and how it was judged,
every records check, and every manual retry or resolve with the acting user and a reason.
`ProviderWallet` remembers that the provider has the player's wallet and the last balance it
told us.
`ReconciliationDifference` is one difference between our orders and the provider's records.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Direction(models.TextChoices):
    DEPOSIT = "deposit", "Deposit into the provider's wallet"
    WITHDRAW = "withdraw", "Withdraw from the provider's wallet"


class OrderState(models.TextChoices):
    CREATED = "created"
    RESERVED = "reserved", "Reserved (money in flight)"
    SENDING = "sending"
    UNKNOWN = "unknown", "Unknown outcome"
    # No positive evidence either way once the provider had time to show it (spec section 4):
    # the money stays where it is until the provider's records or a person decide.
    ATTENTION = "attention", "Needs attention"
    CONFIRMED = "confirmed"
    FAILED = "failed"


OPEN_STATES = (OrderState.CREATED, OrderState.RESERVED, OrderState.SENDING, OrderState.UNKNOWN,
               OrderState.ATTENTION)
# Sent, outcome not known: only the provider's records (or a person) decide these.
UNDECIDED_STATES = (OrderState.UNKNOWN, OrderState.ATTENTION)
FINAL_STATES = (OrderState.CONFIRMED, OrderState.FAILED)


class TransferOrder(models.Model):
    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, related_name="transfer_orders")
    player = models.ForeignKey("wallet.Player", on_delete=models.PROTECT, related_name="transfer_orders")
    currency = models.ForeignKey("wallet.Currency", on_delete=models.PROTECT)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    amount = models.BigIntegerField(help_text="ledger units")
    # Our id for the provider: created with the order, before the first attempt, and sent on every retry.
    transfer_id = models.CharField(max_length=64, unique=True)
    state = models.CharField(max_length=16, choices=OrderState.choices, default=OrderState.CREATED, db_index=True)
    attempts = models.PositiveIntegerField(default=0, help_text="Times the transfer was sent to the provider")
    checks = models.PositiveIntegerField(default=0, help_text="Times the provider's records were asked about it")
    last_status = models.CharField(max_length=64, blank=True, help_text="The provider's last status, or the transport failure")
    last_answer = models.TextField(blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    provider_balance = models.BigIntegerField(null=True, blank=True, help_text="The provider's balance after it, ledger units")
    provider_holds = models.BooleanField(
        default=False, help_text="The provider answered a re-send with 'already have it': it holds this transfer_id, so the "
                                 "order is never re-sent and never failed without a FAILED record.")
    attention_since = models.DateTimeField(null=True, blank=True)
    # A staff decision above the adjustment threshold waits here for a second user (four eyes).
    decision_outcome = models.CharField(max_length=16, blank=True)
    decision_reason = models.CharField(max_length=255, blank=True)
    decision_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    decision_at = models.DateTimeField(null=True, blank=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(db_index=True)
    updated_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_order_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["integration", "created_at"], name="transfer_order_integ_time"),
            models.Index(fields=["player", "integration", "currency"], name="transfer_order_player"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.transfer_id} ({self.state})"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EventKind(models.TextChoices):
    ATTEMPT = "attempt", "Sent to the provider"
    RECORDS = "records", "Asked the provider's records"
    WALLET = "wallet", "Created the provider's wallet"
    STATE = "state", "State change"
    RETRY = "retry", "Manual retry"
    RESOLVE = "resolve", "Manual resolve"
    DECISION = "decision", "Decision waiting for a second user"


class TransferEvent(models.Model):
    order = models.ForeignKey(TransferOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    classification = models.CharField(max_length=16, blank=True, help_text="ok, refused or unknown")
    status = models.CharField(max_length=64, blank=True)
    http_status = models.PositiveSmallIntegerField(default=0)
    request = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    note = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]
        # The retention's range (transfers/retention.py); built CONCURRENTLY on PostgreSQL.
        indexes = [models.Index(fields=["created_at"], name="transfer_event_time")]

    def __str__(self) -> str:
        return f"{self.kind} {self.status or self.to_state}"


class ProviderWallet(models.Model):
    """The player's wallet at the provider for one integration and currency, and its last known balance."""

    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, related_name="provider_wallets")
    player = models.ForeignKey("wallet.Player", on_delete=models.PROTECT, related_name="provider_wallets")
    currency = models.ForeignKey("wallet.Currency", on_delete=models.PROTECT)
    balance = models.BigIntegerField(null=True, blank=True, help_text="Last balance the provider told us, ledger units")
    balance_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "player", "currency"], name="provider_wallet_once"),
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}:{self.player_id}:{self.currency_id}"


class DifferenceKind(models.TextChoices):
    MISSING_AT_PROVIDER = "missing_provider", "Ours, not in the provider's records"
    MISSING_HERE = "missing_here", "In the provider's records, not ours"
    AMOUNT = "amount", "Amount differs"
    CURRENCY = "currency", "Currency differs"
    STATUS = "status", "Status differs"
    DIRECTION = "direction", "Direction differs"
    PLAYER = "player", "Player differs"


class ReconciliationRun(models.Model):
    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, related_name="reconciliations")
    since = models.DateTimeField()
    until = models.DateTimeField()
    checked = models.PositiveIntegerField(default=0)
    differences = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=255, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.integration_id} {self.since:%Y-%m-%d %H:%M} - {self.until:%Y-%m-%d %H:%M}"


class ReconciliationDifference(models.Model):
    """One difference between an order of ours and the provider's record of the same transfer_id.

    Found again by a later run, the same (integration, transfer_id, kind) row is updated, not
    duplicated. A person closes it (`resolved_at`, `resolved_by`, `note`) once handled; open
    means `resolved_at` is empty (what the reports' reconciliation section counts).
    """

    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, related_name="differences")
    run = models.ForeignKey(ReconciliationRun, null=True, blank=True, on_delete=models.SET_NULL,
                            related_name="difference_rows")
    order = models.ForeignKey(TransferOrder, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="differences")
    transfer_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=20, choices=DifferenceKind.choices)
    ours = models.CharField(max_length=255, blank=True)
    theirs = models.CharField(max_length=255, blank=True)
    detected_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["integration", "transfer_id", "kind"], name="difference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.transfer_id}: {self.get_kind_display()}"
