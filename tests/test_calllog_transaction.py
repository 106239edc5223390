"""A seamless callback's history row shares the call's transaction (one commit), and is never lost:
not when the call's transaction rolls back, nor when the INSERT fails inside it."""

from unittest import mock

import pytest
from django.db import DatabaseError, connection

from providers import calllog
from providers.calllog import CallRecord, call_logged
from providers.models import CallLog
from wallet.models import Player

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _history_in_the_calls_transaction(settings):
    settings.CALL_HISTORY_IN_CALL_TRANSACTION = True


def _record(txn: str) -> CallRecord:
    return CallRecord(provider="onegaming", endpoint="bet", txn_id=txn, status_code="OK")


def test_row_and_the_calls_writes_commit_together():
    with call_logged(_record("t1"), same_transaction=True) as guard:
        assert connection.in_atomic_block
        Player.objects.create(external_id="P-t1", username="p-t1")
        assert not guard.broken()
    assert CallLog.objects.filter(txn_id="t1").count() == 1
    assert Player.objects.filter(external_id="P-t1").exists()


def test_an_exception_rolls_back_the_call_but_the_row_is_still_written():
    with pytest.raises(RuntimeError), call_logged(_record("t2"), same_transaction=True):
        Player.objects.create(external_id="P-t2", username="p-t2")
        raise RuntimeError("boom")
    assert CallLog.objects.filter(txn_id="t2").count() == 1
    assert not Player.objects.filter(external_id="P-t2").exists()


def test_insert_failing_inside_the_transaction_is_written_on_its_own_after_it():
    real = calllog._insert
    calls = []

    def first_fails(record, seconds):
        calls.append(1)
        if len(calls) == 1:
            raise DatabaseError("insert refused")
        return real(record, seconds)

    with mock.patch.object(calllog, "_insert", first_fails), call_logged(_record("t3"), same_transaction=True):
        Player.objects.create(external_id="P-t3", username="p-t3")
    assert CallLog.objects.filter(txn_id="t3").count() == 1
    assert Player.objects.filter(external_id="P-t3").exists()  # the call's own work is kept


def test_a_failed_statement_swallowed_inside_is_seen_as_broken_and_rolls_back_whole():
    record = _record("t4")
    with call_logged(record, same_transaction=True) as guard:
        Player.objects.create(external_id="P-t4", username="p-t4")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1/0")
        except DatabaseError:
            pass
        assert guard.broken()
        record.status_code = "UNKNOWN_ERROR"
    assert list(CallLog.objects.filter(txn_id="t4").values_list("status_code", flat=True)) == ["UNKNOWN_ERROR"]
    assert not Player.objects.filter(external_id="P-t4").exists()


def test_off_by_setting_writes_after_the_call_as_before(settings):
    settings.CALL_HISTORY_IN_CALL_TRANSACTION = False
    with call_logged(_record("t5"), same_transaction=True):
        assert not connection.in_atomic_block
    assert CallLog.objects.filter(txn_id="t5").count() == 1
