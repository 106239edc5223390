"""Read-side queries for the admin: everything about one player on one screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from .models import AccountKind, GameTransaction, LimitRefusal, Player, Transfer

RECENT = 10
CALLS_WINDOW = dt.timedelta(days=30)  # the player 360°'s latest provider calls look this far back


@dataclass
class PlayerOverview:
    player: Player
    wallets: list = field(default_factory=list)
    game_transactions: list = field(default_factory=list)
    ledger: list = field(default_factory=list)
    launches: list = field(default_factory=list)
    callbacks: list = field(default_factory=list)
    refusals: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    transfer_orders: list = field(default_factory=list)


def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:  # an app that is not part of this version
        return None


def player_overview(player: Player) -> PlayerOverview:
    """The player's wallets and the latest rows of every list that concerns them (a few queries,
    each bounded; the links on the page open the full, filtered lists)."""
    overview = PlayerOverview(player=player)
    overview.wallets = list(player.accounts.filter(kind=AccountKind.WALLET).select_related("currency")
                            .order_by("currency_id"))
    overview.game_transactions = list(GameTransaction.objects.filter(player=player)
                                      .select_related("integration", "currency").order_by("-id")[:RECENT])
    overview.ledger = list(Transfer.objects.filter(Q(debit_account__player=player) | Q(credit_account__player=player))
                           .select_related("currency", "actor", "debit_account", "credit_account")
                           .order_by("-id")[:RECENT])
    overview.refusals = list(LimitRefusal.objects.filter(wallet__player=player)
                             .select_related("wallet__currency", "integration").order_by("-id")[:RECENT])
    overview.status_changes = list(player.status_changes.select_related("actor").order_by("-created_at")[:RECENT])
    launch_session = _model("lobby.LaunchSession")
    if launch_session is not None:
        overview.launches = list(launch_session.objects.filter(player=player)
                                 .select_related("integration", "game").order_by("-created_at")[:RECENT])
    call_log = _model("providers.CallLog")
    if call_log is not None:
        # Bounded in time: on PostgreSQL only the partitions of the last CALLS_WINDOW are read.
        overview.callbacks = list(call_log.objects.filter(player_external_id=player.external_id,
                                                          created_at__gte=timezone.now() - CALLS_WINDOW)
                                  .select_related("integration").order_by("-created_at", "-id")[:RECENT])
    transfer_order = _model("transfers.TransferOrder")
    if transfer_order is not None:
        overview.transfer_orders = list(transfer_order.objects.filter(player=player).order_by("-id")[:RECENT])
    return overview


@dataclass(frozen=True)
class HistoryRow:
    """One money movement of a round, seen from the player's wallet: + credited, - debited."""

    created_at: object
    action: str
    game_code: str
    integration: object
    currency: object
    amount: int  # ledger units, signed from the player's side
    round_id: str


def player_game_history(player: Player, *, limit: int = 50) -> list[HistoryRow]:
    """The player's latest game money movements (bets, wins, refunds, rewards), newest first.

    Read from the ledger, not from the provider calls: a refund's call records no amount, the
    transfer it made does, and a rollback of something never seen moved nothing and is left out."""
    transfers = (Transfer.objects.filter(game_transaction__isnull=False)
                 .filter(Q(debit_account__player=player) | Q(credit_account__player=player))
                 .select_related("currency", "game_transaction__integration", "credit_account")
                 .order_by("-created_at", "-id")[:limit])
    rows = []
    for transfer in transfers:
        txn = transfer.game_transaction
        credited = transfer.credit_account.player_id == player.pk
        rows.append(HistoryRow(created_at=transfer.created_at, action=txn.action, game_code=txn.game_code,
                               integration=txn.integration, currency=transfer.currency,
                               amount=transfer.amount if credited else -transfer.amount,
                               round_id=txn.round_id or txn.ticket))
    return rows
