"""The money services: the only code that writes balances and ledger transfers.

Every balance change, from a provider callback, a command, an admin action or a task, goes
through `transfer_post` inside a transaction that has locked the player's wallets first
(`player_wallets_lock`). Wallet balances change in the same transaction as their transfer;
shared system accounts (game clearing, cash, ...) are never updated row by row.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from . import sql
from .models import (
    Account,
    AccountKind,
    AdjustmentRequest,
    AdjustmentStatus,
    Currency,
    Player,
    PlayerStatusChange,
    Transfer,
    TransferKind,
)
from .money import AmountError, quantize_for, to_units


class LedgerError(Exception):
    """A money operation that cannot be done; the message is fit for ops staff."""


class InsufficientFunds(LedgerError):
    pass


def _shortfall_message(account: Account, amount: int) -> str:
    """"balance 252.25 IDR is below 1,000.00 IDR": currency units, as staff read them."""
    currency = Currency.objects.filter(pk=account.currency_id).first()
    digits = currency.digits if currency is not None else 5
    return (f"balance {quantize_for(account.balance, digits):,} {account.currency_id} is below "
            f"{quantize_for(amount, digits):,} {account.currency_id}")


class IdempotencyConflict(LedgerError):
    """The idempotency key was used before for a different movement."""


# --- system accounts ------------------------------------------------------------------------

_system_account_ids: dict[tuple[str, str, int | None, int | None], int] = {}


def system_accounts_forget() -> None:
    """Drop the cache of system account ids (tests roll back the rows it points to)."""
    _system_account_ids.clear()


def system_account_id(*, kind: str, currency: str, integration_id: int | None = None, player_id: int | None = None) -> int:
    """Id of a system account, created on first use and then cached in the process.

    Creating happens once per (kind, currency, integration); the unique constraints make a
    concurrent first use harmless.
    """
    cache_key = (kind, currency, integration_id, player_id)
    account_id = _system_account_ids.get(cache_key)
    if account_id is None:
        lookup = {"kind": kind, "currency_id": currency, "integration_id": integration_id, "player_id": player_id}
        try:
            with transaction.atomic():
                account, _ = Account.objects.get_or_create(**lookup)
        except IntegrityError:
            account = Account.objects.get(**lookup)
        account_id = account.pk
        # Cache only once the row is committed: created inside a transaction that then rolls
        # back, a cached id would point at no row and break every later transfer.
        transaction.on_commit(lambda: _system_account_ids.__setitem__(cache_key, account_id))
    return account_id


# --- players and wallets --------------------------------------------------------------------


def player_wallets_lock(player_id: int) -> dict[str, Account]:
    """Lock every wallet of a player (one query, primary-key order) and return them by currency.

    Every money path of a player starts here, so all of them serialise on the same rows in the
    same order and cannot deadlock with each other. Must run inside transaction.atomic().
    """
    return {wallet.currency_id: wallet for wallet in sql.fetch(*_wallets_lock_query(player_id))}


def player_wallets_lock_then(player_id: int, model, query: str, params: Sequence, *,
                             prepare: bool = False) -> tuple[dict[str, Account], list]:
    """`player_wallets_lock`, then the rows of `model` that the SELECT `query` reads under the
    lock: in one round trip on PostgreSQL (`sql.fetch_together`), so the lock is held for one
    round trip fewer. The read still sees everything the lock's previous holder committed.
    `prepare`: may `query` keep a generic plan (sql._message)?"""
    wallets, rows = sql.fetch_together((*_wallets_lock_query(player_id), True), (model, query, params, prepare))
    return {wallet.currency_id: wallet for wallet in wallets}, rows


def _wallets_lock_query(player_id: int) -> tuple[type, str, list]:
    # Hand-written: every money call runs it, and the ORM's compilation cost more than the query.
    # Its generic plan reads the (player, kind) index (tests/test_generic_plans.py).
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (Account, f"SELECT {sql.columns_of(Account)} FROM {Account._meta.db_table} "
                     f"WHERE player_id = %s AND kind = %s ORDER BY id{lock}", [player_id, AccountKind.WALLET.value])


def wallet_open(*, player: Player, currency: Currency | str) -> Account:
    code = currency.code if isinstance(currency, Currency) else currency
    if not Currency.objects.filter(code=code, enabled=True).exists():
        raise LedgerError(f"unknown or disabled currency {code!r}")
    try:
        with transaction.atomic():
            wallet, _ = Account.objects.get_or_create(player=player, currency_id=code, kind=AccountKind.WALLET)
    except IntegrityError:
        wallet = Account.objects.get(player=player, currency_id=code, kind=AccountKind.WALLET)
    return wallet


def player_set_enabled(*, player: Player, enabled: bool, actor=None, reason: str) -> Player:
    """Enable or disable a player, with an audit row saying who did it and why."""
    if not reason.strip():
        raise LedgerError("a reason is required to change a player's state")
    with transaction.atomic():
        player.is_enabled = enabled
        # The audit trail (audit app) keeps who, why and the old and new state.
        player._change_reason = reason.strip()[:100]
        player._history_user = actor if getattr(actor, "pk", None) else None
        player.save(update_fields=["is_enabled"])
        PlayerStatusChange.objects.create(player=player, enabled=enabled, reason=reason.strip(), actor=actor)
    return player


# --- the ledger -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Posting:
    """A transfer ready to be written: its row (column -> value) and the new balance and floor of
    each player account it moves, (account id, columns), already applied to the Account objects."""

    values: dict
    updates: tuple[tuple[int, dict], ...]


def transfer_prepare(
    *,
    key: str,
    kind: str,
    debit: Account,
    credit: Account,
    amount: int,
    now: dt.datetime,
    game_transaction=None,
    actor=None,
    memo: str = "",
    allow_overdraft: bool = False,
) -> Posting:
    """The ledger's rules for one transfer, and the balances it leaves; nothing is written yet.

    The caller holds the locks on those player accounts (player_wallets_lock) and writes the
    posting in the same transaction (transfer_post, or with its game transaction in
    gameplay). A player account never goes below zero, except with allow_overdraft (a rollback
    taking back a paid win): then its floor follows the balance down so that the database CHECK
    still holds, and returns to 0 once the balance is non-negative again.
    """
    if amount <= 0:
        raise LedgerError("a transfer moves a positive amount")
    if debit.currency_id != credit.currency_id:
        raise LedgerError("a transfer stays in one currency")
    updates = []
    if debit.tracks_balance:
        new_balance = debit.balance - amount
        if new_balance < 0 and not allow_overdraft:
            raise InsufficientFunds(_shortfall_message(debit, amount))
        debit.balance = new_balance
        debit.floor = min(debit.floor, new_balance) if new_balance < 0 else 0
        updates.append((debit.pk, {"balance": debit.balance, "floor": debit.floor}))
    if credit.tracks_balance:
        credit.balance += amount
        if credit.balance >= 0:
            credit.floor = 0
        updates.append((credit.pk, {"balance": credit.balance, "floor": credit.floor}))
    values = {
        "key": key,
        "kind": kind,
        "debit_account_id": debit.pk,
        "credit_account_id": credit.pk,
        "currency_id": debit.currency_id,
        "amount": amount,
        "game_transaction_id": game_transaction.pk if game_transaction is not None else None,
        "actor_id": actor.pk if actor is not None else None,
        "memo": memo,
        "created_at": now,
    }
    return Posting(values, tuple(updates))


def transfer_post(**kwargs) -> Transfer:
    """Write one transfer and move the balances of the player accounts it touches (the rules and
    arguments of transfer_prepare)."""
    posting = transfer_prepare(**kwargs)
    # Hand-written (wallet/sql.py): the balances and the transfer in one statement on PostgreSQL.
    # Account history skips balance-only saves (audit), so nothing is lost by not calling save().
    pk = sql.insert_after_updates(Transfer, posting.values, updated=Account, updates=posting.updates)
    return Transfer(pk=pk, **posting.values)


@dataclass(frozen=True)
class CashResult:
    transfer: Transfer
    balance: int
    created: bool


def _cash_movement(*, wallet: Account, amount: int, key: str, kind: str, actor, memo: str) -> CashResult:
    if amount <= 0:
        raise LedgerError("amount must be positive")
    account_kind = AccountKind.ADJUSTMENT if kind == TransferKind.ADJUSTMENT else AccountKind.CASH
    system = Account(pk=system_account_id(kind=account_kind, currency=wallet.currency_id), currency_id=wallet.currency_id)
    now = timezone.now()
    with transaction.atomic():
        locked = player_wallets_lock(wallet.player_id)[wallet.currency_id]
        existing = Transfer.objects.filter(key=key).first()
        if existing is not None:
            same = existing.amount == amount and locked.pk in (existing.debit_account_id, existing.credit_account_id)
            if not same:
                raise IdempotencyConflict(f"key {key!r} was used for another movement")
            return CashResult(existing, locked.balance, created=False)
        incoming = kind in (TransferKind.DEPOSIT, TransferKind.ADJUSTMENT) and amount > 0
        debit, credit = (system, locked) if incoming else (locked, system)
        created = transfer_post(key=key, kind=kind, debit=debit, credit=credit, amount=amount, now=now, actor=actor, memo=memo)
    wallet.balance = locked.balance
    return CashResult(created, locked.balance, created=True)


def wallet_deposit(*, wallet: Account, amount: int, key: str, actor=None, memo: str = "") -> CashResult:
    """Cash in: credit a wallet from the cash account. Idempotent by key."""
    return _cash_movement(wallet=wallet, amount=amount, key=key, kind=TransferKind.DEPOSIT, actor=actor, memo=memo)


def wallet_withdraw(*, wallet: Account, amount: int, key: str, actor=None, memo: str = "") -> CashResult:
    """Cash out: debit a wallet to the cash account. Idempotent by key; never below zero."""
    return _cash_movement(wallet=wallet, amount=amount, key=key, kind=TransferKind.WITHDRAWAL, actor=actor, memo=memo)


def wallet_adjust(*, wallet: Account, amount: int, key: str, actor, memo: str) -> CashResult:
    """A manual correction by staff: positive credits the wallet, negative debits it."""
    if not memo.strip():
        raise LedgerError("an adjustment needs a reason")
    if amount == 0:
        raise LedgerError("amount must not be zero")
    if amount > 0:
        return _cash_movement(wallet=wallet, amount=amount, key=key, kind=TransferKind.ADJUSTMENT, actor=actor, memo=memo)
    system = Account(pk=system_account_id(kind=AccountKind.ADJUSTMENT, currency=wallet.currency_id), currency_id=wallet.currency_id)
    with transaction.atomic():
        locked = player_wallets_lock(wallet.player_id)[wallet.currency_id]
        existing = Transfer.objects.filter(key=key).first()
        if existing is not None:
            if existing.amount != -amount or existing.debit_account_id != locked.pk:
                raise IdempotencyConflict(f"key {key!r} was used for another movement")
            return CashResult(existing, locked.balance, created=False)
        created = transfer_post(
            key=key, kind=TransferKind.ADJUSTMENT, debit=locked, credit=system, amount=-amount,
            now=timezone.now(), actor=actor, memo=memo,
        )
    return CashResult(created, locked.balance, created=True)


# --- adjustments asked for in the admin ------------------------------------------------------


def adjustment_threshold(currency: str) -> int:
    """Largest adjustment (either sign, ledger units) applied without a second user's approval.

    Setting ADJUSTMENT_APPROVAL_THRESHOLDS: currency code -> amount in currency units, "*" for
    every other currency.
    """
    thresholds = settings.ADJUSTMENT_APPROVAL_THRESHOLDS
    value = thresholds.get(currency, thresholds.get("*"))
    if value is None:
        raise ImproperlyConfigured(f"ADJUSTMENT_APPROVAL_THRESHOLDS has no entry for {currency} and no '*'")
    try:
        return to_units(str(value))
    except AmountError as exc:
        raise ImproperlyConfigured(f"ADJUSTMENT_APPROVAL_THRESHOLDS[{currency!r}]: {exc}") from exc


@dataclass(frozen=True)
class AdjustmentSubmitted:
    request: AdjustmentRequest
    created: bool  # False: this form was submitted before, nothing happened again

    @property
    def applied(self) -> bool:
        return self.request.status == AdjustmentStatus.APPLIED


def _adjustment_apply(adjustment: AdjustmentRequest, wallet: Account) -> None:
    """Move the money of an adjustment (the caller holds the wallet lock, inside its transaction)."""
    result = wallet_adjust(wallet=wallet, amount=adjustment.amount, key=f"admin-adjust:{adjustment.key}",
                           actor=adjustment.requested_by, memo=adjustment.reason)
    adjustment.transfer = result.transfer
    adjustment.status = AdjustmentStatus.APPLIED


def adjustment_submit(*, wallet: Account, amount: int, reason: str, key: uuid.UUID, actor) -> AdjustmentSubmitted:
    """Ask for a manual adjustment; one form (its key) is one request and at most one movement.

    A repost of the same form finds its first request and does nothing again. Up to the
    approval threshold the money moves now, in the same transaction; above it the request
    waits for `adjustment_approve` by another user. Nothing is stored when it fails (a debit
    below zero, say), so the same form may be sent again once that is fixed.
    """
    reason = (reason or "").strip()
    if not reason:
        raise LedgerError("an adjustment needs a reason")
    if amount == 0:
        raise LedgerError("amount must not be zero")
    try:
        with transaction.atomic():
            return _adjustment_submit(wallet, amount, reason, key, actor)
    except IntegrityError as exc:  # the key taken meanwhile from another player's wallet (a forged form)
        raise IdempotencyConflict("this form was already sent; open a new adjustment form") from exc


ADJUSTMENT_APPROVAL_WINDOW = dt.timedelta(hours=24)


def _adjusted_recently(wallet: Account, actor) -> int:
    """What `actor` adjusted on this wallet (one player, one currency) over the rolling window,
    either sign counted, applied or still pending: the four-eyes threshold applies to that sum
    plus the new amount, so splitting a large adjustment into small ones does not dodge it.
    (The caller holds the wallet lock: two submissions for one wallet are counted one after the other.)"""
    if actor is None or actor.pk is None:
        return 0
    amounts = AdjustmentRequest.objects.filter(
        wallet=wallet, requested_by=actor, requested_at__gt=timezone.now() - ADJUSTMENT_APPROVAL_WINDOW,
        status__in=[AdjustmentStatus.APPLIED, AdjustmentStatus.PENDING],
    ).values_list("amount", flat=True)
    return sum(abs(value) for value in amounts)


def _adjustment_submit(wallet: Account, amount: int, reason: str, key: uuid.UUID, actor) -> AdjustmentSubmitted:
    locked = player_wallets_lock(wallet.player_id)[wallet.currency_id]
    earlier = AdjustmentRequest.objects.filter(key=key).first()
    if earlier is not None:
        if (earlier.wallet_id, earlier.amount, earlier.reason) != (locked.pk, amount, reason):
            raise IdempotencyConflict("this form was already sent with other values; open a new adjustment form")
        return AdjustmentSubmitted(earlier, created=False)
    adjustment = AdjustmentRequest(wallet=locked, amount=amount, reason=reason, key=key,
                                   status=AdjustmentStatus.PENDING, requested_by=actor,
                                   requested_at=timezone.now())
    if _adjusted_recently(locked, actor) + abs(amount) <= adjustment_threshold(locked.currency_id):
        _adjustment_apply(adjustment, locked)
    adjustment.save()
    wallet.balance = locked.balance
    return AdjustmentSubmitted(adjustment, created=True)


def _adjustment_for_decision(pk: int, actor, reason: str) -> tuple[AdjustmentRequest, dict[str, Account]]:
    """Lock the wallet (first, as every money path does), then the request; check it is pending."""
    if not (reason or "").strip():
        raise LedgerError("a decision needs a reason")
    wallet_player = AdjustmentRequest.objects.filter(pk=pk).values_list("wallet__player_id", flat=True).first()
    if wallet_player is None:
        raise LedgerError(f"no adjustment request #{pk}")
    wallets = player_wallets_lock(wallet_player)
    adjustment = AdjustmentRequest.objects.select_for_update().select_related("wallet", "requested_by").get(pk=pk)
    if adjustment.status != AdjustmentStatus.PENDING:
        raise LedgerError(f"adjustment #{pk} is already {adjustment.get_status_display().lower()}")
    return adjustment, wallets


def adjustment_approve(*, pk: int, actor, reason: str) -> AdjustmentRequest:
    """A second user approves a pending adjustment: its money moves now, once."""
    with transaction.atomic():
        adjustment, wallets = _adjustment_for_decision(pk, actor, reason)
        if adjustment.requested_by_id == actor.pk:
            raise LedgerError(f"adjustment #{pk} was asked for by you: another user must approve it")
        _adjustment_apply(adjustment, wallets[adjustment.wallet.currency_id])
        adjustment.decided_by, adjustment.decided_at, adjustment.decision_reason = actor, timezone.now(), reason.strip()
        adjustment.save(update_fields=["status", "transfer", "decided_by", "decided_at", "decision_reason"])
    return adjustment


def adjustment_reject(*, pk: int, actor, reason: str) -> AdjustmentRequest:
    """Refuse a pending adjustment (the requester may withdraw their own): nothing moves."""
    with transaction.atomic():
        adjustment, _ = _adjustment_for_decision(pk, actor, reason)
        adjustment.status = AdjustmentStatus.REJECTED
        adjustment.decided_by, adjustment.decided_at, adjustment.decision_reason = actor, timezone.now(), reason.strip()
        adjustment.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    return adjustment


def player_upsert(*, external_id: str, username: str | None = None, currencies: list[str] = (),
                  enabled: bool | None = None, actor=None, reason: str = "") -> tuple[Player, list[Account], bool]:
    """Create a player, or update one: add missing wallets and change its state if asked.

    Returns (player, wallets in the order of `currencies`, created).
    """
    external_id = (external_id or "").strip()
    if not external_id or len(external_id) > 64:
        raise LedgerError("a player id of 1 to 64 characters is required")
    codes = [c.strip().upper() for c in currencies]
    unknown = sorted(set(codes) - set(Currency.objects.filter(code__in=codes, enabled=True).values_list("code", flat=True)))
    if unknown:
        raise LedgerError(f"unknown or disabled currency: {', '.join(unknown)}")
    with transaction.atomic():
        player = Player.objects.filter(external_id=external_id).first()
        created = player is None
        if created:
            if not username:
                raise LedgerError("a new player needs a username")
            player = Player.objects.create(external_id=external_id, username=username,
                                           is_enabled=True if enabled is None else enabled)
        elif username and username != player.username:
            player.username = username
            player.save(update_fields=["username"])
        if not created and enabled is not None and enabled != player.is_enabled:
            player_set_enabled(player=player, enabled=enabled, actor=actor, reason=reason or "changed by command")
        wallets = [wallet_open(player=player, currency=code) for code in codes]
    return player, wallets, created
