"""One 1G ticket takes one bet, whoever bets (spec 3.2 rule 4), even when players race on it.

Each player's bet locks only that player's wallets, so the guard must be in the database. Real
PostgreSQL, one thread and connection per player, all posting at the same moment.
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client

from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from tests.onegaming.wire import OneGamingWire, launch
from wallet.checks import ledger_violations
from wallet.models import Account, BetTicket, GameTransaction, Transfer

PLAYERS = 6
ROUNDS = 3


def _bet(player_id: str, token: str, txn: str, ticket: str) -> dict:
    return {"player_id": player_id, "l_token": token, "currency": "USD", "game_id": 301, "round_id": "race",
            "txn_id": txn, "txn_ticket": ticket, "amount": "1.00"}


def _race(bodies: list[dict]) -> list[dict]:
    """Post each body from its own thread, all released together."""
    answers: list[dict | None] = [None] * len(bodies)
    start = threading.Barrier(len(bodies))

    def worker(n: int) -> None:
        wire = OneGamingWire(Client(), agent="TICKET", secret="ticket-secret")
        try:
            start.wait()
            answers[n] = wire.bet(**bodies[n])
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(len(bodies))]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert all(answer is not None for answer in answers), "a thread failed"
    return answers  # type: ignore[return-value]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_players_racing_on_one_ticket_get_one_bet_accepted_and_the_others_duplicate():
    integration = OneGamingIntegrationFactory(agent_code="TICKET", secret="ticket-secret")
    players = [PlayerFactory(external_id=f"RACE{n}") for n in range(PLAYERS)]
    tokens = [launch(integration, player).token for player in players]
    for player in players:
        funded_wallet(player, "USD", "10.00")

    def balances() -> list[int]:
        return [Account.objects.get(player=p, currency="USD").balance for p in players]

    for round_no in range(ROUNDS):
        ticket = f"shared-ticket-{round_no}"
        before = balances()
        answers = _race([_bet(p.external_id, t, f"bet-{round_no}-{n}", ticket)
                         for n, (p, t) in enumerate(zip(players, tokens, strict=True))])
        statuses = [a["status"] for a in answers]
        assert sorted(statuses) == ["DUPLICATE_REF_TXN_ID"] * (PLAYERS - 1) + ["OK"], statuses
        assert GameTransaction.objects.filter(integration=integration, ticket=ticket, action="bet").count() == 1
        # Only the accepted bet moved money; every refused player's answer shows an untouched wallet.
        winner = statuses.index("OK")
        after = balances()
        assert [b - a for a, b in zip(before, after, strict=True)] == [
            -1_00000 if n == winner else 0 for n in range(PLAYERS)]
        assert all(Decimal(after[n]) / 100000 == answers[n]["balance"] for n in range(PLAYERS))

    assert Transfer.objects.filter(kind="bet").count() == ROUNDS
    assert ledger_violations() == []


@pytest.mark.django_db
def test_the_database_refuses_a_second_bet_row_for_a_ticket(onegaming, rich_player):
    """The guard holds below the Python rules: a second ticket row for the same ticket fails."""
    def bet_row(txn: str, ticket: str) -> GameTransaction:
        return GameTransaction.objects.create(integration=onegaming, external_id=txn, action="bet", player=rich_player,
                                              currency_id="IDR", amount=0, ticket=ticket, fingerprint="x",
                                              created_at="2026-11-29T10:00:00Z")

    BetTicket.objects.create(bet=bet_row("B-1", "T-dup"), integration=onegaming, ticket="T-dup")
    second = bet_row("B-2", "T-other")  # (two bet rows on one ticket would fail ledger_check at teardown)
    with pytest.raises(IntegrityError), transaction.atomic():
        BetTicket.objects.create(bet=second, integration=onegaming, ticket="T-dup")


@pytest.mark.django_db
def test_a_ticket_row_cannot_be_moved_to_another_ticket(onegaming, rich_player):
    bet = GameTransaction.objects.create(integration=onegaming, external_id="B-1", action="bet", player=rich_player,
                                         currency_id="IDR", amount=0, ticket="T-1", fingerprint="x",
                                         created_at="2026-11-29T10:00:00Z")
    BetTicket.objects.create(bet=bet, integration=onegaming, ticket="T-1")
    with pytest.raises(DatabaseError), transaction.atomic():
        BetTicket.objects.filter(bet=bet).update(ticket="T-2")
