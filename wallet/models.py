"""Players, currencies, accounts and the immutable double-entry ledger.

Only `wallet.services` writes Account balances and Transfer rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Currency(models.Model):
    code = models.CharField(max_length=8, primary_key=True)
    name = models.CharField(max_length=64, blank=True)
    # Fractional digits used on the wire and in the admin (the seed's table); the ledger keeps five.
    digits = models.PositiveSmallIntegerField(default=2)
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "currencies"
        ordering = ["code"]
        constraints = [models.CheckConstraint(condition=Q(digits__lte=5), name="currency_digits_within_ledger_scale")]

    def __str__(self) -> str:
        return self.code


class Player(models.Model):
    # The id the operator gives providers (each names it in its own wire words).
    external_id = models.CharField("player id", max_length=64, unique=True)
    username = models.CharField(max_length=64)
    is_enabled = models.BooleanField("enabled", default=True)
    # Sign-in for the player pages (optional: players can exist only for providers).
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="player"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["external_id"]
        permissions = [("change_player_state", "Can disable and enable players (with a reason)")]

    def __str__(self) -> str:
        return f"{self.external_id} ({self.username})"


class PlayerStatusChange(models.Model):
    """Audit row: who disabled or enabled a player, when and why."""

    player = models.ForeignKey(Player, on_delete=models.PROTECT, related_name="status_changes")
    enabled = models.BooleanField()
    reason = models.CharField(max_length=255)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.player} {'enabled' if self.enabled else 'disabled'}: {self.reason}"


class AccountKind(models.TextChoices):
    WALLET = "wallet", "Player wallet"
    GAME = "game", "Provider game clearing"
    CASH = "cash", "Cash in/out"
    HELD_AT_PROVIDER = "held", "Held at provider (transfer mode)"
    IN_FLIGHT = "in_flight", "In-flight transfers"
    ADJUSTMENT = "adjustment", "Manual adjustments"


class Account(models.Model):
    """One side of ledger transfers.

    Player wallets (kind=wallet) keep `balance` up to date in the same transaction as each
    transfer. System accounts (game clearing, cash, ...) are shared by every player, so their
    balance column is never written: it would serialise every callback. Their balances are
    derived from the transfers (see wallet.selectors).
    """

    kind = models.CharField(max_length=16, choices=AccountKind.choices)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT)
    player = models.ForeignKey(Player, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
    integration = models.ForeignKey(
        "core.Integration", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    balance = models.BigIntegerField(default=0)
    # Lowest balance the database accepts. 0 for every wallet, except that a rollback which
    # takes back a paid win may push it below zero; the service lowers the floor in that one
    # case and raises it back to 0 as soon as the balance is non-negative again.
    floor = models.BigIntegerField(default=0)
    # Responsible-gaming limits of a player's wallet, per UTC day, in ledger units (ops set them
    # in the admin). Kept on the wallet row because a bet locks that row anyway: no extra query
    # for players without limits.
    daily_bet_limit = models.BigIntegerField(null=True, blank=True)
    daily_loss_limit = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(balance__gte=models.F("floor")), name="account_balance_above_floor"),
            models.CheckConstraint(condition=Q(floor__lte=0), name="account_floor_not_positive"),
            models.UniqueConstraint(
                fields=["player", "currency"], condition=Q(kind="wallet"), name="one_wallet_per_player_currency"
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "integration"],
                condition=Q(player__isnull=True, integration__isnull=False),
                name="one_system_account_per_integration",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency"],
                condition=Q(player__isnull=True, integration__isnull=True),
                name="one_global_system_account",
            ),
            models.UniqueConstraint(
                fields=["kind", "currency", "player", "integration"],
                condition=Q(player__isnull=False, integration__isnull=False),
                name="one_player_account_per_integration",
            ),
            models.CheckConstraint(
                condition=~Q(kind="wallet") | Q(player__isnull=False), name="wallet_has_player"
            ),
        ]
        indexes = [models.Index(fields=["player", "kind"], name="account_player_kind")]

    def __str__(self) -> str:
        owner = self.player.external_id if self.player_id else (self.integration.code if self.integration_id else "")
        return f"{self.get_kind_display()} {owner} {self.currency_id}".replace("  ", " ")

    @property
    def tracks_balance(self) -> bool:
        return self.player_id is not None


class WalletManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(kind=AccountKind.WALLET)


class Wallet(Account):
    """A player's wallet: the accounts ops staff look at and set limits on (admin, permissions)."""

    objects = WalletManager()

    class Meta:
        proxy = True


class SystemAccount(Account):
    """Shared accounts (game clearing, cash, adjustments): balances derived from the ledger."""

    class Meta:
        proxy = True


class TransferKind(models.TextChoices):
    BET = "bet"
    WIN = "win"
    REWARD = "reward"
    REFUND = "refund", "Rollback refund"
    RECLAIM = "reclaim", "Rollback reclaim"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    ADJUSTMENT = "adjustment"
    TRANSFER_OUT = "transfer_out", "Transfer to provider"
    TRANSFER_IN = "transfer_in", "Transfer from provider"


class Transfer(models.Model):
    """An immutable movement of a positive amount from one account to another.

    Corrections are new transfers. On PostgreSQL and SQLite a trigger refuses UPDATE and
    DELETE (migration 0002).
    """

    key = models.CharField("idempotency key", max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=TransferKind.choices)
    # No single-column indexes on these foreign keys (db_index=False): every index is written on
    # every transfer, the accounts lead the two (account, time) indexes below, and a filter on one
    # of a handful of currencies selects too much of the table for an index to help.
    debit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debits", db_index=False)
    credit_account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credits", db_index=False)
    currency = models.ForeignKey(Currency, on_delete=models.PROTECT, db_index=False)
    amount = models.BigIntegerField()
    game_transaction = models.ForeignKey(
        "wallet.GameTransaction", null=True, blank=True, on_delete=models.PROTECT, related_name="transfers"
    )
    # Indexed only where set (transfer_actor below): game transfers have no actor.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                              db_index=False)
    memo = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit_account=models.F("credit_account")), name="transfer_between_two_accounts"
            ),
        ]
        indexes = [
            models.Index(fields=["debit_account", "created_at"], name="transfer_debit_time"),
            models.Index(fields=["credit_account", "created_at"], name="transfer_credit_time"),
            models.Index(fields=["actor"], condition=Q(actor__isnull=False), name="transfer_actor"),
            # The admin's filters on rare kinds (deposits, adjustments, …): only non-game rows (0010).
            models.Index(fields=["kind", "id"], condition=~Q(kind__in=["bet", "win", "refund", "reclaim", "reward"]),
                         name="transfer_non_game_kind"),
        ]

    def __str__(self) -> str:
        # Titles and breadcrumbs in the admin: currency units, as staff read amounts everywhere.
        from .money import quantize_for

        return f"#{self.pk} {self.kind} {quantize_for(self.amount, self.currency.digits):,} {self.currency_id}"


class GameAction(models.TextChoices):
    BET = "bet"
    WIN = "win", "Result / payout"
    REWARD = "reward"
    ROLLBACK = "rollback"


class GameOutcome(models.TextChoices):
    APPLIED = "applied"
    # A rollback whose target was never seen: remembered so the late original moves nothing.
    UNKNOWN_REFERENCE = "unknown_reference", "Rolled back before seen"


class GameTransaction(models.Model):
    """A provider's seamless-wallet transaction, applied exactly once.

    The unique (integration, external_id) pair is the idempotency key of the provider's call;
    `fingerprint` is a hash of the call's content, so a replay gets its first answer again and
    the same id with other content is detected. `ticket` groups a bet with what settles it
    (the provider's ticket, or the bet's own transaction id where tickets are not named). A
    rollback names its target in `reference` (a ticket or a transaction id: the provider's
    `rules.rollback_by`).
    """

    # As on Transfer: the integration and the player lead composite indexes below, a currency
    # selects too much to index; every index is written on every money call.
    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, db_index=False)
    external_id = models.CharField(max_length=128)
    action = models.CharField(max_length=16, choices=GameAction.choices)
    outcome = models.CharField(max_length=24, choices=GameOutcome.choices, default=GameOutcome.APPLIED)
    player = models.ForeignKey(Player, on_delete=models.PROTECT, db_index=False)
    currency = models.ForeignKey(Currency, null=True, blank=True, on_delete=models.PROTECT, db_index=False)
    amount = models.BigIntegerField(default=0)
    ticket = models.CharField(max_length=128, blank=True)
    reference = models.CharField(max_length=128, blank=True)
    round_id = models.CharField(max_length=128, blank=True)
    game_code = models.CharField(max_length=64, blank=True)
    session_token = models.CharField(max_length=128, blank=True)
    fingerprint = models.CharField(max_length=64)
    # On a rollback: how many paid results (wins, payouts) it took back with the bet, i.e. it
    # voided a round and may have left the wallet below zero (shown and filterable in the admin).
    # A plain integer (no CHECK): adding it does not scan the table under an exclusive lock.
    payouts_taken_back = models.IntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "external_id"], name="game_txn_once_per_integration"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="game_txn_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["integration", "ticket"], name="game_txn_ticket"),
            models.Index(fields=["integration", "reference"], name="game_txn_reference"),
            models.Index(fields=["player", "created_at"], name="game_txn_player_time"),
            # The admin's filters on rare rows (rollbacks, voided rounds, unknown references) (0010).
            models.Index(fields=["id"], condition=Q(action="rollback"), name="game_txn_rollbacks"),
            models.Index(fields=["id"], condition=~Q(outcome="applied"), name="game_txn_not_applied"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.external_id}"


class BetTicket(models.Model):
    """The one bet a ticket takes, per integration, whoever bets: the database's guard.

    Bets of different players lock different wallets, so the check "this ticket has no bet yet"
    under the player's lock cannot see a bet another player is placing at the same moment. The
    unique (integration, ticket) pair makes the second insert fail; the bet is then judged again
    and refused (TICKET_HAS_BET). Written with the bet, in the same transaction, and never changed.
    A separate table rather than a partial unique index on GameTransaction, so that tickets that
    already hold several bets (accepted before this guard) stay as they are: the immutable ledger
    cannot be rewritten, and their results and rollbacks are still owed.
    """

    bet = models.OneToOneField(GameTransaction, primary_key=True, on_delete=models.PROTECT, related_name="bet_ticket")
    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, db_index=False)
    ticket = models.CharField(max_length=128)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["integration", "ticket"], name="one_bet_per_ticket_and_integration"),
        ]

    def __str__(self) -> str:
        return f"ticket {self.ticket} (bet {self.bet_id})"


class LimitKind(models.TextChoices):
    DAILY_BET = "daily_bet", "Daily bet amount"
    DAILY_LOSS = "daily_loss", "Daily loss"


class LimitRefusal(models.Model):
    """A bet that a responsible-gaming limit refused: which limit, which bet, how far over."""

    wallet = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="limit_refusals")
    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT)
    limit_kind = models.CharField(max_length=16, choices=LimitKind.choices)
    limit = models.BigIntegerField()
    used_today = models.BigIntegerField()
    amount = models.BigIntegerField()
    external_id = models.CharField("transaction id", max_length=128)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.limit_kind} refused {self.external_id}"


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", "Waiting for approval"
    APPLIED = "applied"
    REJECTED = "rejected"


class AdjustmentRequest(models.Model):
    """A manual wallet adjustment asked for in the admin: one per adjustment form (its key).

    Up to the approval threshold it is applied when asked; above it, it waits until a second
    user with the approve permission approves it (the money moves then) or someone rejects it.
    The database refuses an approval by the requester.
    """

    wallet = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="adjustment_requests")
    amount = models.BigIntegerField(help_text="Signed ledger units: positive credits the wallet, negative debits it.")
    reason = models.CharField(max_length=255)
    key = models.UUIDField("form key", unique=True, editable=False)
    status = models.CharField(max_length=16, choices=AdjustmentStatus.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=255, blank=True)
    transfer = models.OneToOneField(Transfer, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="adjustment_request")

    class Meta:
        ordering = ["-requested_at"]
        permissions = [("approve_adjustmentrequest", "Can approve or reject wallet adjustments")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="adjustment_amount_not_zero"),
            models.CheckConstraint(
                condition=~Q(status="applied") | Q(decided_by__isnull=True) | ~Q(decided_by=models.F("requested_by")),
                name="adjustment_not_approved_by_requester",
            ),
        ]
        indexes = [models.Index(fields=["status", "requested_at"], name="adjustment_status_time")]

    def __str__(self) -> str:
        return f"adjustment #{self.pk} ({self.status})"


class LedgerCheckpoint(models.Model):
    """Each account's balance from the ledger up to the check mark (`ledger_check`): an
    incremental check adds only the transfers above the mark. Written by the check only."""

    account = models.OneToOneField(Account, primary_key=True, on_delete=models.PROTECT, related_name="+")
    balance = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"account {self.account_id}: {self.balance}"


class LedgerCheckMark(models.Model):
    """Up to which transfer (and which time) `ledger_check` has checked the ledger (one row)."""

    last_id = models.BigIntegerField(default=0)
    checked_until = models.DateTimeField()
    checked_at = models.DateTimeField()
    full = models.BooleanField(default=True)  # the run that set it checked everything

    def __str__(self) -> str:
        return f"checked up to transfer {self.last_id}"
