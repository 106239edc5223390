"""Oppi calls racing on real PostgreSQL: threads, each with its own connection."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import funded_wallet
from tests.factories import GameFactory, OppiIntegrationFactory, PlayerFactory
from tests.oppi.conftest import OppiCaller, launch
from wallet.models import Account, GameTransaction, Transfer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

WORKERS = 16  # threads, each with its own connection (closed at its end): below PostgreSQL's limit


@pytest.fixture
def table(db):
    integration = OppiIntegrationFactory(api_key="race-key", secret="race-secret")
    GameFactory(integration=integration, game_id="oppi-dice")
    player = PlayerFactory(external_id="RACER1")
    return integration, player


def _bet_body(txn: str, amount: int) -> dict:
    return {"transactionId": txn, "sessionId": "race-sess", "playerId": "RACER1", "gameId": "oppi-dice",
            "currency": "USD", "amount": amount}


def _race(integration, bodies: list[dict]) -> list[dict]:
    """Post every body as a bet, WORKERS threads at a time, all starting together."""
    answers: list[dict | None] = [None] * len(bodies)
    start = threading.Barrier(WORKERS)

    def worker(offset: int) -> None:
        caller = OppiCaller(Client(), integration)
        try:
            start.wait()
            for n in range(offset, len(bodies), WORKERS):
                answers[n] = caller("transaction/bet", bodies[n])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(offset,)) for offset in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers), "a thread failed"
    return answers  # type: ignore[return-value]


def _assert_ledger_consistent():
    from wallet.checks import ledger_violations

    assert ledger_violations() == []


def test_forty_copies_of_one_bet_debit_once(table):
    integration, player = table
    funded_wallet(player, "USD", "100.00")
    launch(integration, player, token="race-sess", currency="USD")
    answers = _race(integration, [_bet_body("same-bet", 10_00000)] * 40)
    assert {a["status"] for a in answers} == {"RS_OK"}
    assert {a["balance"] for a in answers} == {90_00000}
    assert Account.objects.get(player=player, currency_id="USD").balance == 90_00000
    assert GameTransaction.objects.filter(external_id="same-bet").count() == 1
    assert Transfer.objects.filter(kind="bet").count() == 1
    _assert_ledger_consistent()


def test_two_hundred_distinct_bets_against_a_balance_covering_150(table):
    integration, player = table
    funded_wallet(player, "USD", "150.00")
    launch(integration, player, token="race-sess", currency="USD")
    answers = _race(integration, [_bet_body(f"bet-{n}", 1_00000) for n in range(200)])
    statuses = [a["status"] for a in answers]
    assert statuses.count("RS_OK") == 150
    assert statuses.count("RS_ERROR_NOT_ENOUGH_MONEY") == 50
    assert all(a["balance"] >= 0 for a in answers)
    assert Account.objects.get(player=player, currency_id="USD").balance == 0
    assert Transfer.objects.filter(kind="bet").count() == 150
    _assert_ledger_consistent()


# --- a bet's rollback racing a payout on it (issue 14: a reverted bet voids its round) ---------


def _post_together(integration, calls: list[tuple[str, dict]]) -> list[dict]:
    """Post each (path, body) from its own thread and connection, all released at once."""
    answers: list[dict | None] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def worker(n: int) -> None:
        caller = OppiCaller(Client(), integration)
        try:
            start.wait()
            answers[n] = caller(*calls[n])
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(answer is not None for answer in answers), "a thread failed"
    return answers  # type: ignore[return-value]


ROUNDS = 12


def test_a_bets_rollback_racing_its_payout_never_pays_twice(table):
    integration, player = table
    funded_wallet(player, "USD", "100.00")
    launch(integration, player, token="race-sess", currency="USD")
    caller = OppiCaller(Client(), integration)
    seen_orders = set()
    for n in range(ROUNDS):
        bet, payout = f"bet-{n}", f"pay-{n}"
        assert caller("transaction/bet", _bet_body(bet, 1_00000))["status"] == "RS_OK"
        payout_body = {"transactionId": payout, "refTransactionId": bet, "sessionId": "race-sess",
                       "playerId": "RACER1", "gameId": "oppi-dice", "currency": "USD", "amount": 5_00000,
                       "isWin": True}
        rollback_body = {"transactions": [{"transactionId": f"rb-{n}", "refTransactionId": bet,
                                           "sessionId": "race-sess", "playerId": "RACER1", "gameId": "oppi-dice"}]}
        paid, rolled = _post_together(integration, [("transaction/payout", payout_body),
                                                    ("transaction/rollback", rollback_body)])
        assert rolled["status"] == "RS_OK" and rolled["data"][0]["status"] == "RS_OK"
        # Whatever the order: applied first and then taken back, or refused (the bet is rolled back).
        assert paid["status"] in ("RS_OK", "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"), paid
        rollback = GameTransaction.objects.get(external_id=f"rb-{n}")
        applied = GameTransaction.objects.filter(external_id=payout).exists()
        assert applied == (paid["status"] == "RS_OK")
        assert rollback.payouts_taken_back == (1 if applied else 0)
        seen_orders.add(paid["status"])
        # Oppi's retry of the payout afterwards: its first answer again, or refused again; never paid.
        assert caller("transaction/payout", payout_body)["status"] == paid["status"]
        assert Account.objects.get(player=player, currency_id="USD").balance == 100_00000
    print("payout answers seen:", sorted(seen_orders))
    wins = sum(Transfer.objects.filter(kind="win").values_list("amount", flat=True))
    reclaims = sum(Transfer.objects.filter(kind="reclaim").values_list("amount", flat=True))
    assert wins == reclaims  # every payout applied was taken back: never paid twice
    assert Transfer.objects.filter(kind="refund").count() == ROUNDS
    _assert_ledger_consistent()
