"""The database connection lost in the middle of an Oppi callback (PostgreSQL restarted): the
answer is HTTP 200 and agrees with what was kept. Lost before the call's commit (history row in
the call's transaction): RS_ERROR, nothing kept. Lost after it: RS_OK, kept once. Never HTTP
500, never RS_OK for money that was not kept.

Found by bench/faults.py (issue 11) with CALL_HISTORY_IN_CALL_TRANSACTION on: the COMMIT failed
(HTTP 500), or Django rolled back and closed the connection without raising (RS_OK, nothing kept)."""

import pytest
from django.db import connection

from providers.oppi import handlers
from tests.lost_connection import own_backend_terminate, pool_emptied_after  # noqa: F401 (fixture)
from tests.oppi.conftest import bet_body, payout_body
from wallet.models import Account, GameTransaction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("pool_emptied_after")]


@pytest.mark.parametrize("history_in_call_transaction", [True, False])
def test_payout_whose_connection_is_lost_answers_rs_error_and_moves_nothing(
        oppi_call, session, rich_player, settings, monkeypatch, history_in_call_transaction):
    settings.CALL_HISTORY_IN_CALL_TRANSACTION = history_in_call_transaction
    assert oppi_call("transaction/bet", bet_body("b-lost"))["status"] == "RS_OK"
    before = Account.objects.get(player=rich_player, currency="IDR", kind="wallet").balance
    real = handlers.payout

    def then_the_server_restarts(*args, **kwargs):
        answer = real(*args, **kwargs)
        own_backend_terminate()
        return answer

    monkeypatch.setattr(handlers, "payout", then_the_server_restarts)
    answer = oppi_call("transaction/payout", payout_body("p-lost", "b-lost", amount=700_00000, is_win=True))
    monkeypatch.setattr(handlers, "payout", real)
    connection.close()
    kept = GameTransaction.objects.filter(external_id="p-lost").count()
    after = Account.objects.get(player=rich_player, currency="IDR", kind="wallet").balance
    if history_in_call_transaction:
        assert (answer["status"], kept, after) == ("RS_ERROR", 0, before)
    else:
        assert (answer["status"], kept, after) == ("RS_OK", 1, before + 700_00000)
    # Oppi's retry of the same payout: applied now, or the first answer again; paid once.
    retry = oppi_call("transaction/payout", payout_body("p-lost", "b-lost", amount=700_00000, is_win=True))
    assert retry["status"] == "RS_OK"
    assert Account.objects.get(player=rich_player, currency="IDR", kind="wallet").balance == before + 700_00000
