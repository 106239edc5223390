"""Read-side queries for the admin: everything about one player on one screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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


# Lists of other apps on the player's page (launches, callbacks, transfer orders): each app
# registers a loader in its AppConfig.ready(); the wallet names none of them.
_sections: dict[str, object] = {}


# How the admin gets system accounts' balances (never stored, see wallet.models): by default the
# sums of their transfers; an app that keeps running totals (reports) registers a quicker reader.
_system_balances = None


def system_balances_register(read) -> None:
    """`read(account_ids) -> {account id: credits - debits}` replaces the plain ledger sums."""
    global _system_balances
    _system_balances = read


def system_account_balances(account_ids: list[int]) -> dict[int, int]:
    """Credits minus debits of each account, from the registered reader or the ledger itself."""
    if _system_balances is not None:
        return _system_balances(account_ids)
    from django.db.models import Sum

    balances = dict.fromkeys(account_ids, 0)
    for account_id, total in (Transfer.objects.filter(credit_account_id__in=account_ids)
                              .values_list("credit_account_id").annotate(total=Sum("amount"))):
        balances[account_id] += total
    for account_id, total in (Transfer.objects.filter(debit_account_id__in=account_ids)
                              .values_list("debit_account_id").annotate(total=Sum("amount"))):
        balances[account_id] -= total
    return balances


def player_overview_section_register(name: str, load) -> None:
    """`load(player)` fills PlayerOverview.<name> (the latest RECENT rows of that app's list)."""
    _sections[name] = load


def latest_transfers(account_ids: list[int], *, limit: int, **filters) -> list[Transfer]:
    """The newest transfers touching any of these accounts, newest first.

    Each account's side is its own index scan ((debit_account, created_at) and (credit_account,
    created_at)), `limit` rows each (a player has a handful of accounts); then the few rows found
    are read with their relations. An OR of the two sides instead walks the whole ledger's id
    order backwards (issue 24: 4.7-8.2 s for a light player at 5M transfers)."""
    found: set[tuple] = set()
    for account_id in account_ids:
        for side in ("debit_account_id", "credit_account_id"):
            found.update(Transfer.objects.filter(**{side: account_id}, **filters).order_by("-created_at", "-id")
                         .values_list("pk", "created_at")[:limit])
    newest = sorted(found, key=lambda row: (row[1], row[0]), reverse=True)[:limit]
    if not newest:
        return []
    related = (Transfer.objects.filter(pk__in=[pk for pk, _ in newest])
               .select_related("currency", "actor", "debit_account", "credit_account",
                               "game_transaction__integration"))
    by_pk = {t.pk: t for t in related}
    return [by_pk[pk] for pk, _ in newest]


def player_overview(player: Player) -> PlayerOverview:
    """The player's wallets and the latest rows of every list that concerns them (a few queries,
    each bounded; the links on the page open the full, filtered lists)."""
    overview = PlayerOverview(player=player)
    overview.wallets = list(player.accounts.filter(kind=AccountKind.WALLET).select_related("currency")
                            .order_by("currency_id"))
    # Newest first through (player, created_at): never a walk of the whole table's id order.
    overview.game_transactions = list(GameTransaction.objects.filter(player=player)
                                      .select_related("integration", "currency")
                                      .order_by("-created_at", "-id")[:RECENT])
    overview.ledger = latest_transfers(list(player.accounts.values_list("pk", flat=True)), limit=RECENT)
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
    transfers = latest_transfers(list(player.accounts.values_list("pk", flat=True)), limit=limit,
                                 game_transaction__isnull=False)
    rows = []
    for transfer in transfers:
        txn = transfer.game_transaction
        credited = transfer.credit_account.player_id == player.pk
        rows.append(HistoryRow(created_at=transfer.created_at, action=txn.action, game_code=txn.game_code,
                               integration=txn.integration, currency=transfer.currency,
                               amount=transfer.amount if credited else -transfer.amount,
                               round_id=txn.round_id or txn.ticket))
    return rows
