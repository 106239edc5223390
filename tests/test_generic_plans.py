"""PostgreSQL: every statement the money path prepares has a generic plan that reads by index,
even on a young database that was never analysed (config/settings.py, DB_PLAN_CACHE_MODE).

With plan_cache_mode "auto" a prepared statement may keep one generic plan, made from the
statistics of that moment, for the life of the connection. A generic plan that scans a table is
cheap on a young table and ruinous at production size, and it is not replanned as the table
grows; so a statement whose generic plan could scan must not be prepared. This test runs the
callbacks of both providers and the wallet's own operations, records every statement sent through
a server-binding cursor (the only ones psycopg prepares), and asks PostgreSQL for each one's
generic plan (force_generic_plan) on the test database: tables a few rows long, no statistics.
"""

from __future__ import annotations

import re

import psycopg
import pytest
from django.db import connection

from tests.conftest import funded_wallet
from tests.factories import GameFactory, PlayerFactory
from tests.onegaming.wire import OneGamingWire
from tests.onegaming.wire import launch as onegaming_launch
from tests.oppi.conftest import OppiCaller, bet_body, payout_body, reward_body, rollback_item
from tests.oppi.conftest import launch as oppi_launch
from wallet import services

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def prepared_statements(monkeypatch):
    """The text of every statement executed through psycopg's server-binding Cursor (Django's own
    cursors are ClientCursors, which never prepare)."""
    seen: dict[str, None] = {}
    real = psycopg.Cursor.execute

    def recording(self, query, params=None, **kwargs):
        if type(self) is psycopg.Cursor and kwargs.get("prepare") is not False:
            seen[query if isinstance(query, str) else query.decode()] = None
        return real(self, query, params, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", recording)
    return seen


def _generic_plan(sql: str) -> str:
    n = iter(range(1, 1000))
    numbered = re.sub(r"%s", lambda _: f"${next(n)}", sql)
    count = next(n) - 1
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(f"PREPARE generic_plan_check AS {numbered}")
        try:
            args = ", ".join(["NULL"] * count)
            cursor.execute(f"EXPLAIN EXECUTE generic_plan_check{f'({args})' if count else ''}")
            return "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("DEALLOCATE generic_plan_check")


def test_every_prepared_statement_of_the_money_path_has_an_index_only_generic_plan(
        prepared_statements, client, onegaming, oppi, rich_player):
    # 1G: balance, bet, result, rollback, a batch.
    one = OneGamingWire(client)
    token = onegaming_launch(onegaming, rich_player).token
    common = {"player_id": rich_player.external_id, "l_token": token, "currency": "IDR", "game_id": 301}
    assert one.balance(**common)["status"] == "OK"
    for n in range(7):  # past psycopg's prepare threshold
        assert one.bet(**common, round_id=f"R{n}", txn_id=f"B{n}", txn_ticket=f"T{n}", amount="1.00")["status"] == "OK"
        assert one.result(**common, round_id=f"R{n}", txn_id=f"W{n}", txn_ticket=f"T{n}", amount="2.00")["status"] \
            == "OK"
    one.rollback(**common, round_id="R9", txn_id="X1", txn_ticket="T6")
    one.transactions([{"type": "bet", "round_id": "R8", "txn_id": "B8", "txn_ticket": "T8", "amount": "1.00"}],
                     **common)
    # Oppi: balance, bet, payout, reward, rollback.
    GameFactory(integration=oppi, game_id="oppi-crash", name="Crash")
    oppi_launch(oppi, rich_player)
    call = OppiCaller(client, oppi)
    call("balance", {"sessionId": "sess-mikha-1", "playerId": rich_player.external_id, "currency": "IDR"})
    for n in range(7):
        call("transaction/bet", bet_body(f"ob{n}", amount=100))
        call("transaction/payout", payout_body(f"op{n}", f"ob{n}", amount=50, is_win=True))
    call("transaction/reward", reward_body("or1"))
    call("transaction/rollback", {"transactions": [rollback_item("orb1", "ob6")]})
    # The wallet's own operations.
    wallet = funded_wallet(PlayerFactory(), "IDR", "10.00")
    for n in range(6):
        services.wallet_deposit(wallet=wallet, amount=100, key=f"dep-{n}")
        services.wallet_withdraw(wallet=wallet, amount=100, key=f"wd-{n}")

    assert prepared_statements, "no statement went through a server-binding cursor"
    scans = {}
    for sql in prepared_statements:
        plan = _generic_plan(sql)
        if "Seq Scan" in plan:
            scans[sql] = plan
    assert not scans, "\n\n".join(f"{sql}\n{plan}" for sql, plan in scans.items())
