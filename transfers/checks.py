"""Ledger invariants of the transfer wallet (run by wallet.checks, i.e. `manage.py ledger_check`).

6. Each integration's in-flight account (per currency) holds exactly the amounts of its open
   deposit orders (reserved, sending, unknown, attention): money leaves it once, when the order is final.
7. Every order's ledger transfers match its state: a deposit past `created` has its reserve; a
   confirmed deposit its confirm, a failed one its return; a confirmed withdrawal its confirm;
   nothing else.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from wallet.models import Account, AccountKind, Transfer

from .models import Direction, OrderState, TransferOrder

OPEN_DEPOSIT = (OrderState.RESERVED, OrderState.SENDING, OrderState.UNKNOWN, OrderState.ATTENTION)


def _expected_keys(order: dict) -> set[str]:
    base = f"transfer:{order['transfer_id']}"
    state = order["state"]
    if order["direction"] == Direction.DEPOSIT:
        keys = set() if state == OrderState.CREATED else {f"{base}:reserve"}
        if state == OrderState.CONFIRMED:
            keys.add(f"{base}:confirm")
        if state == OrderState.FAILED:
            keys.add(f"{base}:return")
        return keys
    return {f"{base}:confirm"} if state == OrderState.CONFIRMED else set()


def transfer_violations(violation) -> None:
    """Call `violation` with a sentence for every broken rule; the caller caps what it lists
    (and says that more were found)."""
    in_flight = Account.objects.filter(kind=AccountKind.IN_FLIGHT, integration__isnull=False, player__isnull=True)
    open_sums = defaultdict(int)
    for row in (TransferOrder.objects.filter(direction=Direction.DEPOSIT, state__in=OPEN_DEPOSIT)
                .values("integration_id", "currency_id").annotate(total=Sum("amount")).order_by()):
        open_sums[(row["integration_id"], row["currency_id"])] = row["total"]
    seen = set()
    for account in in_flight.values("pk", "integration_id", "currency_id"):
        key = (account["integration_id"], account["currency_id"])
        seen.add(key)
        credits = Transfer.objects.filter(credit_account_id=account["pk"]).aggregate(s=Sum("amount"))["s"] or 0
        debits = Transfer.objects.filter(debit_account_id=account["pk"]).aggregate(s=Sum("amount"))["s"] or 0
        if credits - debits != open_sums.get(key, 0):
            violation(f"in-flight account {account['pk']}: holds {credits - debits}, "
                      f"open deposit orders {open_sums.get(key, 0)}")
    for key, total in open_sums.items():
        if key not in seen and total:
            violation(f"integration {key[0]} {key[1]}: open deposit orders {total} without an in-flight account")

    orders = TransferOrder.objects.values("pk", "transfer_id", "direction", "state")
    actual = defaultdict(set)
    for key in Transfer.objects.filter(key__startswith="transfer:").values_list("key", flat=True):
        actual[key.rsplit(":", 1)[0]].add(key)
    for order in orders.iterator():
        expected = _expected_keys(order)
        found = actual.pop(f"transfer:{order['transfer_id']}", set())
        if found != expected:
            violation(f"transfer order {order['pk']} ({order['direction']} {order['state']}): ledger transfers "
                      f"{sorted(found)} instead of {sorted(expected)}")
    for prefix in actual:
        violation(f"ledger transfers {sorted(actual[prefix])} belong to no transfer order")


