"""The database connection lost in the middle of a 1G callback (PostgreSQL restarted): the answer
is HTTP 200 and agrees with what was kept. Lost before the call's commit (history row in the
call's transaction): UNKNOWN_ERROR, nothing kept. Lost after it (history written on its own
afterwards): OK, kept once. Never HTTP 500, never OK for money that was not kept.

Found by bench/faults.py (issue 11) with CALL_HISTORY_IN_CALL_TRANSACTION on: the COMMIT failed
(HTTP 500), or Django rolled back and closed the connection without raising (OK, nothing kept)."""

import pytest
from django.db import connection

from providers.onegaming import handlers
from tests.lost_connection import own_backend_terminate, pool_emptied_after  # noqa: F401 (fixture)
from wallet.models import Account, GameTransaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("pool_emptied_after")]


@pytest.mark.parametrize("history_in_call_transaction", [True, False])
def test_bet_whose_connection_is_lost_answers_unknown_error_and_moves_nothing(
        wire, bet_fields, rich_player, settings, monkeypatch, history_in_call_transaction):
    settings.CALL_HISTORY_IN_CALL_TRANSACTION = history_in_call_transaction
    before = Account.objects.get(player=rich_player, currency="IDR", kind="wallet").balance
    real = handlers.call_handle

    def then_the_server_restarts(*args, **kwargs):
        outcome = real(*args, **kwargs)
        own_backend_terminate()
        return outcome

    monkeypatch.setattr(handlers, "call_handle", then_the_server_restarts)
    answer = wire.bet(**bet_fields(txn_id="B-lost"))  # asserts HTTP 200
    monkeypatch.setattr(handlers, "call_handle", real)
    connection.close()
    kept = GameTransaction.objects.filter(external_id="B-lost").count()
    after = Account.objects.get(player=rich_player, currency="IDR", kind="wallet").balance
    if history_in_call_transaction:
        assert (answer["status"], kept, after) == ("UNKNOWN_ERROR", 0, before)
    else:
        assert (answer["status"], kept, after) == ("OK", 1, before - 100_00000)
    # 1G's retry of the same bet: applied now, or the first answer again; the bet is kept once.
    assert wire.bet(**bet_fields(txn_id="B-lost"))["status"] == "OK"
    assert GameTransaction.objects.filter(external_id="B-lost").count() == 1
    assert Account.objects.get(player=rich_player, currency="IDR", kind="wallet").balance == before - 100_00000
