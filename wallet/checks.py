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
   transfer order has the ledger transfers its state calls for (transfers.checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from .models import Account, AccountKind, GameAction, GameOutcome, GameTransaction, Transfer, TransferKind


@dataclass
class LedgerReport:
    wallets: int = 0
    transfers: int = 0
    game_transactions: int = 0
    currencies: int = 0
    negative_wallets: int = 0
    violations: list[str] = field(default_factory=list)

    def figures(self) -> dict:
        return {
            "ok": not self.violations,
            "wallets": self.wallets,
            "transfers": self.transfers,
            "game_transactions": self.game_transactions,
            "currencies": self.currencies,
            "negative_wallets": self.negative_wallets,
            "violations": len(self.violations),
        }


def _derived_balances() -> dict[int, int]:
    """Each account's balance from the transfers alone: one grouped query per side."""
    balances: dict[int, int] = {}
    for row in Transfer.objects.values("credit_account").annotate(total=Sum("amount")).order_by():
        balances[row["credit_account"]] = balances.get(row["credit_account"], 0) + row["total"]
    for row in Transfer.objects.values("debit_account").annotate(total=Sum("amount")).order_by():
        balances[row["debit_account"]] = balances.get(row["debit_account"], 0) - row["total"]
    return balances


def ledger_report(*, max_listed: int = 50) -> LedgerReport:
    report = LedgerReport()
    found = report.violations

    def violation(text: str) -> None:
        if len(found) < max_listed:
            found.append(text)
        elif len(found) == max_listed:
            found.append("... more violations not listed")

    derived = _derived_balances()
    accounts = list(Account.objects.values("pk", "kind", "currency_id", "player_id", "balance", "floor"))
    per_currency: dict[str, int] = {}
    for account in accounts:
        balance = derived.get(account["pk"], 0)
        per_currency[account["currency_id"]] = per_currency.get(account["currency_id"], 0) + balance
        if account["player_id"] is None:
            continue
        report.wallets += account["kind"] == AccountKind.WALLET
        if account["balance"] != balance:
            violation(f"account {account['pk']}: balance {account['balance']} != sum of transfers {balance}")
        if account["balance"] < 0:
            report.negative_wallets += 1
            reclaimed = Transfer.objects.filter(debit_account_id=account["pk"], kind=TransferKind.RECLAIM).exists()
            if not reclaimed:
                violation(f"account {account['pk']}: below zero ({account['balance']}) without a rollback reclaim")
    report.currencies = len(per_currency)
    for currency, total in sorted(per_currency.items()):
        if total != 0:
            violation(f"currency {currency}: accounts sum to {total}, not 0")

    mixed = Transfer.objects.exclude(
        currency=F("debit_account__currency"), debit_account__currency=F("credit_account__currency")
    ).values_list("pk", flat=True)[:max_listed]
    for pk in mixed:
        violation(f"transfer {pk}: mixes currencies")
    report.transfers = Transfer.objects.count()

    duplicates = (
        GameTransaction.objects.values("integration_id", "external_id").annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    for row in duplicates[:max_listed]:
        violation(f"provider transaction {row['external_id']} applied {row['n']} times")
    report.game_transactions = GameTransaction.objects.count()

    shared = (
        GameTransaction.objects.filter(action=GameAction.BET).values("integration_id", "ticket")
        .annotate(n=Count("pk")).filter(n__gt=1).order_by()
    )
    for row in shared[:max_listed]:
        violation(f"ticket {row['ticket']} of integration {row['integration_id']} has {row['n']} bets")

    # Applied money moves without their transfer (a bet, win or reward with an amount).
    missing = (
        GameTransaction.objects.filter(outcome=GameOutcome.APPLIED, amount__gt=0)
        .filter(Q(action=GameAction.BET) | Q(action=GameAction.WIN) | Q(action=GameAction.REWARD))
        .annotate(n=Count("transfers"))
        .filter(n=0)
        .values_list("external_id", flat=True)[:max_listed]
    )
    for external_id in missing:
        violation(f"provider transaction {external_id} applied without a ledger transfer")

    for check in _extra_checks:  # other apps' invariants over the ledger (e.g. transfer orders)
        check(violation)
    return report


_extra_checks: list = []


def ledger_check_register(check) -> None:
    """Add an app's own invariants to every ledger check: `check(violation)` calls `violation(text)`
    for each broken one. Apps register in their AppConfig.ready(); the wallet names none of them."""
    if check not in _extra_checks:
        _extra_checks.append(check)


def ledger_violations() -> list[str]:
    """Every broken invariant, as a sentence; empty when the ledger is consistent."""
    return ledger_report().violations
