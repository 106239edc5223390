"""1G bets racing on real PostgreSQL: threads, each with its own connection (closed at its end)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client

from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from tests.onegaming.wire import OneGamingWire, launch
from wallet.models import Account, GameTransaction, Transfer

# Reference data (currencies, the 1G catalogue) flushed by a transactional test is reloaded by
# the autouse fixture in tests/conftest.py.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def table(db):
    integration = OneGamingIntegrationFactory(agent_code="RACE", secret="race-secret")
    player = PlayerFactory(external_id="RACER1G")
    return integration, player, launch(integration, player).token


def _bet(token: str, txn: str, amount: str = "1.00") -> dict:
    return {"player_id": "RACER1G", "l_token": token, "currency": "USD", "game_id": 301, "round_id": "race",
            "txn_id": txn, "txn_ticket": f"ticket-{txn}", "amount": amount}


def _race(bodies: list[dict], *, threads: int) -> list[dict]:
    """Post every body as a bet from `threads` threads, all starting together."""
    answers: list[dict | None] = [None] * len(bodies)
    start = threading.Barrier(threads)

    def worker(offset: int) -> None:
        wire = OneGamingWire(Client(), agent="RACE", secret="race-secret")
        try:
            start.wait()
            for n in range(offset, len(bodies), threads):
                answers[n] = wire.bet(**bodies[n])
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(offset,)) for offset in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert all(answer is not None for answer in answers), "a thread failed"
    return answers  # type: ignore[return-value]


def test_forty_parallel_copies_of_one_bet_debit_once(table):
    integration, player, token = table
    funded_wallet(player, "USD", "100.00")
    answers = _race([_bet(token, "same", "7.50")] * 40, threads=40)
    assert {(a["status"], a["balance"]) for a in answers} == {("OK", Decimal("92.50"))}
    assert GameTransaction.objects.filter(integration=integration, external_id="same").count() == 1
    assert Transfer.objects.filter(kind="bet").count() == 1
    assert Account.objects.get(player=player, currency="USD").balance == 92_50000


def test_two_hundred_parallel_bets_against_a_balance_for_150(table):
    integration, player, token = table
    funded_wallet(player, "USD", "150.00")
    # 200 distinct bets from 25 threads (200 connections would pass PostgreSQL's limit of 100).
    answers = _race([_bet(token, f"b{n}") for n in range(200)], threads=25)
    statuses = [a["status"] for a in answers]
    assert statuses.count("OK") == 150 and statuses.count("INSUFFICIENT_CREDIT") == 50
    assert all(a["balance"] >= 0 for a in answers)
    assert min(a["balance"] for a in answers) == Decimal("0.00")
    assert Account.objects.get(player=player, currency="USD").balance == 0
    assert GameTransaction.objects.filter(integration=integration).count() == 150
