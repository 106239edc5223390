"""Read-side queries for the admin: everything about one player on one screen."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from .models import AccountKind, GameTransaction, LimitRefusal, Player, Transfer

RECENT = 10


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


# Lists of other apps on the player's page (launches, callbacks, transfer orders): each app
# registers a loader in its AppConfig.ready(); the wallet names none of them.
_sections: dict[str, object] = {}


def player_overview_section_register(name: str, load) -> None:
    """`load(player)` fills PlayerOverview.<name> (the latest RECENT rows of that app's list)."""
    _sections[name] = load


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
    for name, load in _sections.items():
        setattr(overview, name, load(player))
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
