"""Ledger keys are unambiguous whatever Oppi's ids contain (issue 8).

The keys once joined the call's transaction id and the undone id with ":", so a rollback "r" of
the bet "b:bet" and the bet "r:undo:b" got one key, and the rollback failed on the unique key
every time it was sent. Each movement below must apply, once.
"""

from __future__ import annotations

import pytest

from providers.oppi.codes import Status
from tests.oppi.conftest import bet_body, rollback_item
from wallet.checks import ledger_violations
from wallet.models import Account, Transfer

pytestmark = pytest.mark.django_db

IDR_START = 1500_00000


def balance(player) -> int:
    return Account.objects.get(player=player, currency_id="IDR", kind="wallet").balance


def rollback(oppi_call, txn: str, ref: str) -> dict:
    answer = oppi_call("transaction/rollback", {"transactions": [rollback_item(txn, ref)]})
    assert answer["status"] == Status.OK
    return answer["data"][0]


def test_a_rollback_and_a_bet_whose_joined_ids_read_the_same_both_apply(oppi_call, rich_player, session):
    assert oppi_call("transaction/bet", bet_body(txn="b:bet", amount=100))["status"] == Status.OK
    assert oppi_call("transaction/bet", bet_body(txn="r:undo:b", amount=200))["status"] == Status.OK
    item = rollback(oppi_call, "r", "b:bet")
    assert (item["status"], item["balance"]) == (Status.OK, IDR_START - 200)
    assert balance(rich_player) == IDR_START - 200
    assert Transfer.objects.filter(kind="refund").count() == 1
    assert ledger_violations() == []


def test_two_rollbacks_whose_joined_ids_read_the_same_both_apply(oppi_call, rich_player, session):
    assert oppi_call("transaction/bet", bet_body(txn="x:undo:y", amount=100))["status"] == Status.OK
    assert oppi_call("transaction/bet", bet_body(txn="y", amount=200))["status"] == Status.OK
    assert rollback(oppi_call, "a", "x:undo:y")["status"] == Status.OK
    item = rollback(oppi_call, "a:undo:x", "y")
    assert (item["status"], item["balance"]) == (Status.OK, IDR_START)
    assert Transfer.objects.filter(kind="refund").count() == 2
    assert ledger_violations() == []


def test_a_rollback_with_the_longest_ids_fits_the_key(oppi_call, rich_player, session):
    """128-character ids on both sides: the joined key was longer than the column (200)."""
    bet_id, rollback_id = "b" * 120, "r" * 128  # refTransactionId is at most 120 characters
    assert oppi_call("transaction/bet", bet_body(txn=bet_id, amount=100))["status"] == Status.OK
    assert rollback(oppi_call, rollback_id, bet_id)["status"] == Status.OK
    assert balance(rich_player) == IDR_START
    assert all(len(key) <= 200 for key in Transfer.objects.values_list("key", flat=True))
