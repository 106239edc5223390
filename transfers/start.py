"""Starting a transfer: create the order, reserve a deposit's money, and queue its send.

The top of the transfers app: it hands an order to the send task (transfers.tasks), which drives
the order's state machine (transfers.services). Neither of those imports this module.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from core.models import Integration, WalletMode
from core.registry import registration_for
from wallet.models import AccountKind, Currency, Player, TransferKind
from wallet.money import MAX_UNITS, SCALE
from wallet.services import player_wallets_lock, transfer_post

from . import tasks
from .models import Direction, EventKind, OrderState, ProviderWallet, TransferOrder
from .services import TransferError, client_for, new_transfer_id, order_claim, order_event, system_account

logger = logging.getLogger(__name__)


def _integration_check(integration: Integration) -> None:
    registration = registration_for(integration)
    if registration is None or not registration.transfer_client or integration.mode != WalletMode.TRANSFER:
        raise TransferError("this game account does not take transfers")
    if not integration.enabled:
        raise TransferError("this game account is not available right now")


def _amount_check(amount: object, currency: Currency, integration: Integration) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TransferError("the amount must be a whole number of ledger units")
    if amount <= 0:
        raise TransferError("the amount must be above zero")
    if amount > MAX_UNITS:
        raise TransferError("the amount is too large")
    digits = client_for(integration).amount_digits(currency.code)
    step = 10 ** (SCALE - min(digits, SCALE))
    if amount % step:
        raise TransferError(f"{currency.code} amounts have at most {digits} decimals")
    return amount


def transfer_start(*, integration: Integration, player: Player, currency: str, direction: str, amount: int,
                   actor=None, reason: str = "") -> TransferOrder:
    """Create an order, reserve a deposit's money, and send it once the transaction commits.

    Under the embedded default the send task runs in-process at once, so the returned order is
    already confirmed or failed unless the outcome is unknown (then it is resolved later). Called
    inside an outer transaction, the send waits for that transaction's commit (the order is
    returned `reserved`/`created`).
    """
    _integration_check(integration)
    if direction not in Direction.values:
        raise TransferError("unknown transfer direction")
    if not player.is_enabled:
        raise TransferError("your account is disabled")
    currency_row = Currency.objects.filter(code=str(currency).upper(), enabled=True).first()
    if currency_row is None:
        raise TransferError(f"unknown currency {currency!r}")
    amount = _amount_check(amount, currency_row, integration)
    now = timezone.now()
    with transaction.atomic():
        wallet = player_wallets_lock(player.pk).get(currency_row.code)
        if wallet is None:
            raise TransferError(f"you have no {currency_row.code} wallet")
        if direction == Direction.DEPOSIT and wallet.balance < amount:
            raise TransferError("not enough money in your wallet")
        order = TransferOrder.objects.create(
            integration=integration, player=player, currency=currency_row, direction=direction, amount=amount,
            transfer_id=new_transfer_id(), state=OrderState.CREATED, actor=actor, reason=reason[:255],
            created_at=now, updated_at=now,
        )
        order_event(order, EventKind.STATE, now=now, actor=actor, to_state=OrderState.CREATED, note=reason)
        if direction == Direction.DEPOSIT:
            if not order_claim(order, expected=(OrderState.CREATED,), to=OrderState.RESERVED, now=now):
                raise TransferError("the transfer could not be reserved")  # cannot happen: the row is ours
            transfer_post(key=f"transfer:{order.transfer_id}:reserve", kind=TransferKind.TRANSFER_OUT, debit=wallet,
                          credit=system_account(AccountKind.IN_FLIGHT, order), amount=amount, now=now, actor=actor,
                          memo=f"deposit into {integration.code} reserved")
            order_event(order, EventKind.STATE, now=now, from_state=OrderState.CREATED, to_state=OrderState.RESERVED)
        transaction.on_commit(lambda: _enqueue_send(order.pk))
    order.refresh_from_db()
    return order


def _enqueue_send(order_id: int) -> None:
    try:
        tasks.transfer_send.delay(order_id)
    except Exception:  # a broker down must not lose the order: the stuck-order resolver sends it
        logger.exception("could not enqueue transfer order %s; the resolver will send it", order_id)


def withdraw_all(*, integration: Integration, player: Player, currency: str, actor=None) -> TransferOrder | None:
    """Ask the provider for the player's balance and withdraw all of it ("back to my wallet").

    None when the provider holds nothing (or has no wallet for the player).
    """
    _integration_check(integration)
    currency = str(currency).upper()
    client = client_for(integration)
    answer = client.balance(player.external_id, currency)
    if client.player_missing(answer):
        return None
    if not answer.ok or answer.balance is None:
        raise TransferError("the game provider did not tell us your balance; please try again")
    answered_currency = (answer.body or {}).get("currency")
    if answered_currency and str(answered_currency) != currency:
        raise TransferError("the game provider keeps your money in another currency")
    now = timezone.now()
    ProviderWallet.objects.filter(integration=integration, player=player, currency_id=currency).update(
        balance=answer.balance, balance_at=now)
    if answer.balance <= 0:
        return None
    return transfer_start(integration=integration, player=player, currency=currency, direction=Direction.WITHDRAW,
                          amount=answer.balance, actor=actor, reason="back to my wallet")
