"""The ledger's invariants, checked against the database (what `ledger_check` runs).

1. Every wallet balance equals the sum of its transfers (credits minus debits).
2. Every transfer stays in one currency, between accounts of that currency.
3. Per currency, all accounts' derived balances sum to zero (double entry).
4. Every provider transaction id is applied once (also a unique constraint), and every
   applied transaction that moves money has its ledger transfers.
5. No wallet is below zero unless a rollback took back a paid win (a reclaim transfer).
6. A ticket holds at most one bet per integration (also the BetTicket table's unique key,
   since issue 8; bets accepted twice before that show here).
7, 8. Transfer wallet: in-flight accounts hold exactly the open deposit orders, and every
   transfer order has the ledger transfers its state calls for (transfers.checks, registered with
   ledger_check_register: the wallet names no other app).

Memory stays flat at any size: the sums are computed by the database and the accounts' rows
streamed through a server-side cursor; only violations (at most max_listed) are kept.

A full run checks everything and records each account's ledger balance up to a mark (the last
transfer older than LEDGER_CHECK_LAG_SECONDS: later ones may still be committing) in
LedgerCheckpoint. An incremental run (`ledger_check --incremental`) starts from those balances
and reads only the transfers above the mark: rules 1, 3 and 5 as a whole, rules 2 and 4 for the
rows since the mark; rules 6-8 are left to the full runs. It assumes no money transaction stays
open longer than the lag (a later commit below the mark shows as a balance difference, and the
next full run settles it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q
from django.utils import timezone

from .models import (
    AccountKind,
    GameAction,
    GameOutcome,
    GameTransaction,
    LedgerCheckMark,
    LedgerCheckpoint,
    Transfer,
    TransferKind,
)

STREAM_ROWS = 2_000


@dataclass
class LedgerReport:
    wallets: int = 0
    transfers: int = 0
    game_transactions: int = 0
    currencies: int = 0
    negative_wallets: int = 0
    mode: str = "full"
    checked_from: int = 0  # transfers above this id were read (0: all)
    mark: int = 0  # checked up to this transfer id
    violations: list[str] = field(default_factory=list)

    def figures(self) -> dict:
        return {
            "ok": not self.violations,
            "mode": self.mode,
            "wallets": self.wallets,
            "transfers": self.transfers,
            "game_transactions": self.game_transactions,
            "currencies": self.currencies,
            "negative_wallets": self.negative_wallets,
            "checked_from": self.checked_from,
            "mark": self.mark,
            "violations": len(self.violations),
        }


def _lag() -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, "LEDGER_CHECK_LAG_SECONDS", 300)))


def _accounts_sql(*, incremental: bool) -> str:
    """Each account with its ledger balance up to the new mark and above it, in one statement
    (one snapshot, so the balance column and the sums agree). Incremental: the checkpoint plus
    the transfers above the old mark (a primary-key range)."""
    qn = connection.ops.quote_name
    transfers, accounts = qn(Transfer._meta.db_table), qn(Transfer._meta.get_field("debit_account").related_model._meta.db_table)
    checkpoints = qn(LedgerCheckpoint._meta.db_table)
    checkpoint_join = f"LEFT JOIN {checkpoints} c ON c.account_id = a.id" if incremental else ""
    checkpoint = "COALESCE(c.balance, 0) + " if incremental else ""
    return f"""
        WITH moves AS (
            SELECT credit_account_id AS account_id, id, amount AS net FROM {transfers} WHERE id > %(old)s
            UNION ALL
            SELECT debit_account_id, id, -amount FROM {transfers} WHERE id > %(old)s
        ), sums AS (
            SELECT account_id, SUM(CASE WHEN id <= %(new)s THEN net ELSE 0 END) AS upto,
                   SUM(CASE WHEN id > %(new)s THEN net ELSE 0 END) AS after
            FROM moves GROUP BY account_id
        )
        SELECT a.id, a.kind, a.currency_id, a.player_id, a.balance,
               {checkpoint}COALESCE(s.upto, 0), COALESCE(s.after, 0), s.upto IS NOT NULL,
               CASE WHEN a.balance < 0 THEN EXISTS (
                   SELECT 1 FROM {transfers} r WHERE r.debit_account_id = a.id AND r.kind = %(reclaim)s) END
        FROM {accounts} a LEFT JOIN sums s ON s.account_id = a.id {checkpoint_join}
        ORDER BY a.id"""


def ledger_report(*, max_listed: int = 50, incremental: bool = False, now: dt.datetime | None = None) -> LedgerReport:
    """Check the ledger (full, or incremental from the last mark when there is one) and move the
    mark; the checkpoint and the mark change together (one transaction)."""
    now = now or timezone.now()
    report = LedgerReport()
    found = report.violations

    def violation(text: str) -> None:
        if len(found) < max_listed:
            found.append(text)
        elif len(found) == max_listed:
            found.append("... more violations not listed")

    with transaction.atomic():
        mark = LedgerCheckMark.objects.select_for_update().order_by("pk").first()
        incremental = incremental and mark is not None
        report.mode = "incremental" if incremental else "full"
        old = mark.last_id if incremental else 0
        since = mark.checked_until if incremental else None
        until = now - _lag()
        new = max(old, Transfer.objects.filter(created_at__lt=until).aggregate(m=Max("pk"))["m"] or 0)
        report.checked_from, report.mark = old, new
        _check_accounts(report, violation, incremental=incremental, old=old, new=new)
        _check_rows(report, violation, old=old, new=new, since=since, until=until, max_listed=max_listed)
        if not incremental:
            for check in _extra_checks:  # other apps' invariants over the ledger (e.g. transfer orders)
                check(violation)
        LedgerCheckMark.objects.update_or_create(pk=mark.pk if mark else None, defaults={
            "last_id": new, "checked_until": until, "checked_at": now, "full": not incremental})
    return report


def _check_accounts(report: LedgerReport, violation, *, incremental: bool, old: int, new: int) -> None:
    params = {"old": old, "new": new, "reclaim": TransferKind.RECLAIM}
    per_currency: dict[str, int] = {}
    changed: list[tuple[int, int]] = []
    if not incremental:
        LedgerCheckpoint.objects.all().delete()
    with connection.chunked_cursor() as cursor:
        cursor.execute(_accounts_sql(incremental=incremental), params)
        while rows := cursor.fetchmany(STREAM_ROWS):
            for pk, kind, currency_id, player_id, balance, at_mark, after, moved, reclaimed in rows:
                at_mark, after = int(at_mark), int(after)
                if moved:
                    changed.append((pk, at_mark))
                derived = at_mark + after
                per_currency[currency_id] = per_currency.get(currency_id, 0) + derived
                if player_id is None:
                    continue
                report.wallets += kind == AccountKind.WALLET
                if balance != derived:
                    violation(f"account {pk}: balance {balance} != sum of transfers {derived}")
                if balance < 0:
                    report.negative_wallets += 1
                    if not reclaimed:
                        violation(f"account {pk}: below zero ({balance}) without a rollback reclaim")
            if len(changed) >= STREAM_ROWS:
                _checkpoints_write(changed)
                changed = []
    _checkpoints_write(changed)
    report.currencies = len(per_currency)
    for currency, total in sorted(per_currency.items()):
        if total != 0:
            violation(f"currency {currency}: accounts sum to {total}, not 0")


def _checkpoints_write(rows: list[tuple[int, int]]) -> None:
    if not rows:
        return
    table = connection.ops.quote_name(LedgerCheckpoint._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            part = rows[start:start + 500]
            cursor.execute(
                f"INSERT INTO {table} (account_id, balance) VALUES {', '.join(['(%s, %s)'] * len(part))} "
                f"ON CONFLICT (account_id) DO UPDATE SET balance = excluded.balance",
                [value for row in part for value in row])


def _check_rows(report: LedgerReport, violation, *, old: int, new: int, since, until, max_listed: int) -> None:
    """Rules 2, 4 and 6 on the rows since the mark (all rows on a full run)."""
    transfers = Transfer.objects.filter(pk__gt=old) if old else Transfer.objects.all()
    mixed = transfers.exclude(
        currency=F("debit_account__currency"), debit_account__currency=F("credit_account__currency")
    ).values_list("pk", flat=True)[:max_listed]
    for pk in mixed:
        violation(f"transfer {pk}: mixes currencies")
    report.transfers = transfers.count() if old else Transfer.objects.count()

    game = GameTransaction.objects.all()
    if since is not None:
        game = game.filter(created_at__gte=since)
    else:
        duplicates = (GameTransaction.objects.values("integration_id", "external_id").annotate(n=Count("pk"))
                      .filter(n__gt=1).order_by())
        for row in duplicates[:max_listed]:
            violation(f"provider transaction {row['external_id']} applied {row['n']} times")
        shared = (GameTransaction.objects.filter(action=GameAction.BET).values("integration_id", "ticket")
                  .annotate(n=Count("pk")).filter(n__gt=1).order_by())
        for row in shared[:max_listed]:
            violation(f"ticket {row['ticket']} of integration {row['integration_id']} has {row['n']} bets")
    report.game_transactions = game.count()

    # Applied money moves without their transfer (a bet, win or reward with an amount); an
    # incremental run looks up to the mark's time (a newer one is looked at by the next run).
    if since is not None:
        game = game.filter(created_at__lt=until)
    missing = (
        game.filter(outcome=GameOutcome.APPLIED, amount__gt=0)
        .filter(Q(action=GameAction.BET) | Q(action=GameAction.WIN) | Q(action=GameAction.REWARD))
        .filter(~Exists(Transfer.objects.filter(game_transaction_id=OuterRef("pk"))))
        .values_list("external_id", flat=True)[:max_listed]
    )
    for external_id in missing:
        violation(f"provider transaction {external_id} applied without a ledger transfer")


_extra_checks: list = []


def ledger_check_register(check) -> None:
    """Add an app's own invariants to every ledger check: `check(violation)` calls `violation(text)`
    for each broken one. Apps register in their AppConfig.ready(); the wallet names none of them."""
    if check not in _extra_checks:
        _extra_checks.append(check)


def ledger_violations() -> list[str]:
    """Every broken invariant, as a sentence; empty when the ledger is consistent."""
    return ledger_report().violations
