"""A money call's history row travels in the statement that writes its money (issue 24, the
callback's second pass): no transaction of its own, and still exactly one row per call carrying
the answer 1G got. Whatever goes wrong around it, the history never loses a call nor shows an
answer 1G did not get.

Real PostgreSQL, transactions committed (the money's transaction is the outermost one, as under
gunicorn)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection

from providers import calllog
from providers.models import CallLog
from providers.onegaming import handlers
from wallet import sql

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _rows(txn_id: str) -> list[tuple[str, dict]]:
    import json

    return [(status, json.loads(body)) for status, body in
            CallLog.objects.filter(txn_id=txn_id).order_by("id").values_list("status_code", "response_body")]


def _with_money(txn_id: str) -> list[bool]:
    """For each history row of `txn_id`: was it written by the transaction that wrote the call's
    game transaction (PostgreSQL's xmin, the inserting transaction's id)?"""
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.xmin::text = g.xmin::text FROM providers_calllog c LEFT JOIN wallet_gametransaction g "
                       "ON g.external_id = c.txn_id WHERE c.txn_id = %s ORDER BY c.id", [txn_id])
        return [bool(row[0]) for row in cursor.fetchall()]


def _wire_form(answer: dict) -> dict:
    """The answer as the history stores it (numbers that are not integers as text)."""
    return {k: (v if isinstance(v, (str, int)) else str(v)) for k, v in answer.items()}


def test_a_bet_writes_its_history_row_in_its_money_statement(wire, bet_fields):
    answer = wire.bet(**bet_fields(txn_id="HM-B1", txn_ticket="HM-T1"))
    assert answer["status"] == "OK"
    assert _rows("HM-B1") == [("OK", _wire_form(answer))]
    assert _with_money("HM-B1") == [True]


def test_result_and_rollback_too_and_each_call_has_one_row(wire, bet_fields):
    wire.bet(**bet_fields(txn_id="HM-B2", txn_ticket="HM-T2"))
    result = wire.result(player_id="CLi3000001", currency="IDR", game_id=301, round_id="R1", txn_id="HM-W2",
                         txn_ticket="HM-T2", amount="30.00")
    rollback = wire.rollback(player_id="CLi3000001", currency="IDR", game_id=301, txn_id="HM-RB2",
                             txn_ticket="HM-T2")
    assert (result["status"], rollback["status"]) == ("OK", "OK")
    assert _rows("HM-W2") == [("OK", _wire_form(result))]
    assert _rows("HM-RB2") == [("OK", _wire_form(rollback))]
    assert _with_money("HM-W2") == _with_money("HM-RB2") == [True]


def test_a_replay_and_a_refusal_get_their_own_rows_the_usual_way(wire, bet_fields):
    first = wire.bet(**bet_fields(txn_id="HM-B3", txn_ticket="HM-T3"))
    again = wire.bet(**bet_fields(txn_id="HM-B3", txn_ticket="HM-T3"))
    refused = wire.bet(**bet_fields(txn_id="HM-B3", txn_ticket="HM-T3", amount="5.00"))
    assert refused["status"] == "DUPLICATE_REF_TXN_ID"
    assert [status for status, _ in _rows("HM-B3")] == ["OK", "OK", "DUPLICATE_REF_TXN_ID"]
    assert _rows("HM-B3")[1] == ("OK", _wire_form(again)) and first["status"] == "OK"
    assert _with_money("HM-B3") == [True, False, False]  # no money moved: the rows stand alone


def test_a_failure_after_the_commit_keeps_both_the_row_and_the_answer_1g_got(wire, bet_fields, monkeypatch):
    real = handlers.call_handle

    def fails_after_the_money(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("after the commit")

    monkeypatch.setattr(handlers, "call_handle", fails_after_the_money)
    answer = wire.bet(**bet_fields(txn_id="HM-B4", txn_ticket="HM-T4"))
    assert answer["status"] == "UNKNOWN_ERROR"
    # The money moved (1G's retry gets OK as a replay); the history shows both what was written
    # with the money and what 1G was answered.
    assert [status for status, _ in _rows("HM-B4")] == ["OK", "UNKNOWN_ERROR"]
    assert _with_money("HM-B4") == [True, False]


def test_a_money_statement_refused_once_is_retried_and_the_call_still_has_one_row(wire, bet_fields, monkeypatch):
    real = sql.insert_with_postings
    attempts = []

    def refused_first(*args, **kwargs):
        attempts.append(kwargs.get("extra") is not None)
        if len(attempts) == 1:
            raise IntegrityError("another player's bet on the ticket")  # as a racing call's would
        return real(*args, **kwargs)

    monkeypatch.setattr(sql, "insert_with_postings", refused_first)
    answer = wire.bet(**bet_fields(txn_id="HM-B5", txn_ticket="HM-T5"))
    assert answer["status"] == "OK" and attempts == [True, True]
    assert _rows("HM-B5") == [("OK", _wire_form(answer))]
    assert _with_money("HM-B5") == [True]


def test_a_day_without_its_partition_yet_writes_the_row_the_usual_way(wire, bet_fields, monkeypatch):
    monkeypatch.setattr(calllog, "day_ready", lambda created_at: False)
    answer = wire.bet(**bet_fields(txn_id="HM-B6", txn_ticket="HM-T6"))
    assert _rows("HM-B6") == [("OK", _wire_form(answer))]
    assert _with_money("HM-B6") == [False]


def test_off_by_setting(wire, bet_fields, settings):
    settings.CALL_HISTORY_WITH_MONEY = False
    answer = wire.bet(**bet_fields(txn_id="HM-B7", txn_ticket="HM-T7"))
    assert _rows("HM-B7") == [("OK", _wire_form(answer))]
    assert _with_money("HM-B7") == [False]
