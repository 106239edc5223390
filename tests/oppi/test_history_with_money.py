"""An Oppi money call's history row travels in the statement that writes its money (issue 24, the
callback's second pass), one row per call with the answer Oppi got; a rollback envelope, whose
items stand alone, writes its row on its own. Real PostgreSQL, committed transactions."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from providers.models import CallLog
from tests.oppi.conftest import bet_body, payout_body, reward_body, rollback_item

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _rows(txn_id: str) -> list[tuple[str, dict]]:
    return [(status, json.loads(body)) for status, body in
            CallLog.objects.filter(txn_id=txn_id).order_by("id").values_list("status_code", "response_body")]


def _with_money(txn_id: str) -> list[bool]:
    """For each history row of `txn_id`: was it written by the transaction that wrote the call's
    game transaction (PostgreSQL's xmin, the inserting transaction's id)?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.xmin::text = g.xmin::text FROM providers_calllog c LEFT JOIN wallet_gametransaction g "
                       "ON g.external_id = c.txn_id WHERE c.txn_id = %s ORDER BY c.id", [txn_id])
        return [bool(row[0]) for row in cursor.fetchall()]


@pytest.mark.parametrize("path, body", [
    ("transaction/bet", bet_body("HM-b1")),
    ("transaction/reward", reward_body("HM-r1", ref="jackpot-hm")),
])
def test_a_money_call_writes_its_history_row_in_its_money_statement(oppi_call, session, path, body):
    answer = oppi_call(path, body)
    assert answer["status"] == "RS_OK"
    assert _with_money(body["transactionId"]) == [True]
    assert _rows(body["transactionId"]) == [("RS_OK", answer)]
    assert CallLog.objects.get(txn_id=body["transactionId"]).player_external_id == "CLi3000001"


def test_a_payout_too_and_the_rollback_envelope_on_its_own(oppi_call, session):
    oppi_call("transaction/bet", bet_body("HM-b2"))
    payout = oppi_call("transaction/payout", payout_body("HM-p2", ref="HM-b2", amount=2_000_00000, is_win=True))
    assert _rows("HM-p2") == [("RS_OK", payout)]
    assert _with_money("HM-p2") == [True]
    rolled = oppi_call("transaction/rollback", {"transactions": [rollback_item("HM-rb2", "HM-p2")]})
    assert rolled["status"] == "RS_OK"
    assert _with_money("HM-rb2") == [False]  # the envelope's row: its items' money stands alone
    assert _rows("HM-rb2") == [("RS_OK", rolled)]


def test_an_unknown_session_is_noted_on_the_row_written_with_the_money(oppi_call, session):
    """Spec: a payout's session is recorded, never a reason to refuse it."""
    oppi_call("transaction/bet", bet_body("HM-b3"))
    answer = oppi_call("transaction/payout", payout_body("HM-p3", ref="HM-b3", sessionId="not-ours"))
    assert answer["status"] == "RS_OK"
    assert _with_money("HM-p3") == [True]
    row = CallLog.objects.get(txn_id="HM-p3")
    assert (row.status_code, row.session_unknown) == ("RS_OK", True)
