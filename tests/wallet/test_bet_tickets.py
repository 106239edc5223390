"""Tickets that took several bets before the database guard (issue 8): kept as they are, given
their first bet's ticket row by the migration, and listed by ledger_check."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from tests.factories import PlayerFactory
from wallet.checks import ledger_violations
from wallet.models import BetTicket, GameTransaction

pytestmark = pytest.mark.django_db

migration = importlib.import_module("wallet.migrations.0004_bet_ticket_one_bet_per_ticket")


def bet(integration, player, txn: str, ticket: str) -> GameTransaction:
    return GameTransaction.objects.create(integration=integration, external_id=txn, action="bet", player=player,
                                          currency_id="IDR", amount=0, ticket=ticket, fingerprint="x",
                                          created_at="2026-11-28T10:00:00Z")


def test_existing_bets_get_the_ticket_row_of_their_tickets_first_bet(onegaming, oppi):
    first, second = PlayerFactory(), PlayerFactory()
    legacy = [bet(onegaming, first, "B1", "T1"), bet(onegaming, second, "B2", "T1")]  # the race, before the guard
    alone = bet(onegaming, first, "B3", "T2")
    oppi_bet = bet(oppi, first, "B1", "T1")  # the same ticket name in another integration is another ticket

    migration.tickets_of_existing_bets(apps, None)

    rows = {(row.integration_id, row.ticket): row.bet_id for row in BetTicket.objects.all()}
    assert rows == {(onegaming.pk, "T1"): legacy[0].pk, (onegaming.pk, "T2"): alone.pk,
                    (oppi.pk, "T1"): oppi_bet.pk}
    assert ledger_violations() == [f"ticket T1 of integration {onegaming.pk} has 2 bets"]
