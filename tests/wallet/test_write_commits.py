"""The money transaction's round trips (PostgreSQL, issue 24 point 4): the wallet lock and the read
of earlier transactions travel together, and the write carries the transaction's COMMIT.

What must hold whatever the wire does:
- the read after the lock sees what the lock's previous holder committed (each statement of READ
  COMMITTED has its own snapshot, taken when it starts, even when both were sent at once);
- the write is the last statement of the transaction, so a COMMIT sent with it commits exactly
  what the rules decided; a failed write commits nothing;
- nested in a caller's transaction, the write commits nothing (the caller's COMMIT decides).

The oracles are another connection's view of the tables and raw SQL, not the code under test.
"""

from __future__ import annotations

import ast
import inspect
import threading
import time

import psycopg
import pytest
from django.db import DataError, connection, transaction

from tests.conftest import funded_wallet
from tests.factories import OneGamingIntegrationFactory, PlayerFactory
from wallet import gameplay, services, sql
from wallet.checks import ledger_violations
from wallet.gameplay import Code, GameCall
from wallet.models import Account, GameTransaction
from wallet.reads import call_read

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _dsn() -> str:
    settings = connection.settings_dict
    return f"host={settings['HOST']} port={settings['PORT'] or 5432} user={settings['USER']} dbname={settings['NAME']}"


def _call(integration, player, ext: str) -> GameCall:
    return GameCall(integration_id=integration.pk, player=player, external_id=ext, currency="IDR",
                    fingerprint=gameplay.fingerprint(ext=ext), game_code="301")


def _committed_elsewhere(query: str, params: list) -> list:
    """What another connection sees: committed rows only."""
    with psycopg.connect(_dsn(), autocommit=True) as other:
        return other.execute(query, params).fetchall()


def test_the_read_after_the_lock_sees_what_the_previous_holder_committed():
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory()
    wallet = funded_wallet(player, "IDR", "100.00")
    locked, found = threading.Event(), {}

    def holder():
        # Raw SQL: hold the wallet's lock, write a game transaction, commit after the reader waits.
        with psycopg.connect(_dsn()) as other:
            other.execute("SELECT id FROM wallet_account WHERE id = %s FOR UPDATE", [wallet.pk])
            other.execute(
                "INSERT INTO wallet_gametransaction (integration_id, external_id, action, outcome, player_id, "
                "currency_id, amount, ticket, reference, round_id, game_code, session_token, fingerprint, "
                "payouts_taken_back, created_at) VALUES (%s, 'held-1', 'bet', 'applied', %s, 'IDR', 0, 'T-held', "
                "'', '', '301', '', 'f', 0, now())", [integration.pk, player.pk])
            locked.set()
            time.sleep(1.0)  # the reader is waiting on the lock by now (it cannot pass it)
            other.commit()

    def reader():
        try:
            locked.wait(30)
            with transaction.atomic():
                query = f"SELECT {sql.columns_of(GameTransaction)} FROM wallet_gametransaction " \
                        "WHERE integration_id = %s AND external_id = %s"
                wallets, rows = services.player_wallets_lock_then(player.pk, GameTransaction, query,
                                                                  [integration.pk, "held-1"])
            found["wallets"], found["rows"] = wallets, rows
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=reader)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert [row.external_id for row in found["rows"]] == ["held-1"]
    assert found["wallets"]["IDR"].pk == wallet.pk


def test_a_bet_in_its_own_transaction_is_committed_by_its_write():
    """The COMMIT went with the write: right after it, no transaction is open on the connection,
    and another connection sees the bet and its balance."""
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory()
    wallet = funded_wallet(player, "IDR", "100.00")
    status_after_write = []
    real = sql.insert_with_postings

    def spy(*args, **kwargs):
        pk = real(*args, **kwargs)
        status_after_write.append(connection.connection.info.transaction_status)
        return pk

    sql.insert_with_postings = spy
    try:
        assert gameplay.bet_place(_call(integration, player, "c1"), ticket="T-c1", amount=10**5).code is Code.APPLIED
    finally:
        sql.insert_with_postings = real
    assert status_after_write == [psycopg.pq.TransactionStatus.IDLE]
    assert _committed_elsewhere("SELECT balance FROM wallet_account WHERE id = %s", [wallet.pk]) == [(99 * 10**5,)]
    assert _committed_elsewhere("SELECT count(*) FROM wallet_gametransaction WHERE external_id = 'c1'", []) == [(1,)]
    assert ledger_violations() == []


def test_nested_in_a_callers_transaction_the_write_commits_nothing():
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory()
    wallet = funded_wallet(player, "IDR", "100.00")
    with pytest.raises(RuntimeError), transaction.atomic():
        assert gameplay.bet_place(_call(integration, player, "n1"), ticket="T-n1", amount=10**5).code is Code.APPLIED
        assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS
        raise RuntimeError("the caller changes its mind")
    assert _committed_elsewhere("SELECT balance FROM wallet_account WHERE id = %s", [wallet.pk]) == [(100 * 10**5,)]
    assert not GameTransaction.objects.filter(external_id="n1").exists()


def test_a_write_that_fails_commits_nothing_and_the_call_is_tried_again():
    """The pipeline's write fails on the server (its id taken, as by a racing call): PostgreSQL
    skips the COMMIT queued behind it, the transaction rolls back, and _run's second attempt
    applies the bet once."""
    integration = OneGamingIntegrationFactory()
    player, rival = PlayerFactory(), PlayerFactory()
    wallet = funded_wallet(player, "IDR", "100.00")
    funded_wallet(rival, "IDR", "100.00")
    assert gameplay.bet_place(_call(integration, rival, "r1"), ticket="T-r1", amount=10**5).code is Code.APPLIED
    real, commits = sql.insert_with_postings, []

    def failing_first(model, values, **kwargs):
        commits.append(kwargs.get("commit"))
        if len(commits) == 1:
            values = {**values, "external_id": "r1"}  # taken: unique (integration, external_id)
        return real(model, values, **kwargs)

    sql.insert_with_postings = failing_first
    try:
        answer = gameplay.bet_place(_call(integration, player, "p1"), ticket="T-p1", amount=10**5)
    finally:
        sql.insert_with_postings = real
    assert commits == [True, True]
    assert answer.code is Code.APPLIED
    assert connection.connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert _committed_elsewhere("SELECT balance FROM wallet_account WHERE id = %s", [wallet.pk]) == [(99 * 10**5,)]
    assert _committed_elsewhere("SELECT count(*) FROM wallet_gametransaction WHERE player_id = %s",
                                [player.pk]) == [(1,)]
    assert ledger_violations() == []


def test_a_failure_inside_a_message_is_djangos_error():
    with pytest.raises(DataError), transaction.atomic():
        sql.fetch_together((Account, "SELECT * FROM wallet_account WHERE id = %s", [0], True),
                           (Account, "SELECT * FROM wallet_account WHERE 1 / %s = 1", [0], False))


def test_every_write_of_gameplay_is_the_last_thing_its_transaction_does():
    """The COMMIT travels with `_record`'s write, so nothing may run after it inside `_run`'s
    transaction: every call of `_record` is what an `apply` returns, and `_run` returns `apply`'s
    result straight from its atomic block."""
    tree = ast.parse(inspect.getsource(gameplay))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
             and isinstance(node.func, ast.Name) and node.func.id == "_record"]
    returned = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Return)}
    assert calls and all(id(call) in returned for call in calls)
    run = next(node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == "_run")
    with_block = next(node for node in ast.walk(run) if isinstance(node, ast.With))
    applied = [n for n, statement in enumerate(with_block.body)
               if "apply(" in ast.unparse(statement)]
    assert applied == [len(with_block.body) - 1], "the statement that calls apply must end the atomic block"


def test_prepared_statements_dropped_behind_our_back_are_prepared_again_and_the_call_applies():
    """A pooler's DISCARD ALL or a library's DEALLOCATE ALL drops what the connection prepared.
    The read before the lock (outside a transaction) is sent again at once; the money
    transaction fails, keeps nothing and runs again: every bet applies once."""
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory()
    wallet = funded_wallet(player, "IDR", "100.00")
    assert gameplay.bet_place(_call(integration, player, "v1"), ticket="T-v1", amount=10**5).code is Code.APPLIED
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert gameplay.bet_place(_call(integration, player, "v2"), ticket="T-v2", amount=10**5).code is Code.APPLIED
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    reads = call_read(integration_id=integration.pk, player_external_id=player.external_id, external_id="v2")
    assert reads.previous is not None and reads.player.pk == player.pk
    assert _committed_elsewhere("SELECT balance FROM wallet_account WHERE id = %s", [wallet.pk]) == [(98 * 10**5,)]
    assert _committed_elsewhere("SELECT external_id FROM wallet_gametransaction WHERE player_id = %s ORDER BY id",
                                [player.pk]) == [("v1",), ("v2",)]
    assert ledger_violations() == []
    # The statements prepared before the second DEALLOCATE ALL are still listed; a transaction
    # that meets one fails once (only gameplay's money calls run theirs again): leave no such
    # names to the next test on this pooled connection.
    for prepared in sql._prepared_by_connection.values():
        prepared.names.clear()  # (names are never reused: the counter stays)


def test_without_prepared_statements_the_messages_carry_the_statements_themselves(monkeypatch, settings):
    """DB_PREPARED_STATEMENTS=false (a pooler in transaction mode that cannot keep prepared
    statements): no PREPARE, no EXECUTE."""
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory()
    funded_wallet(player, "IDR", "100.00")
    settings.MONEY_PREPARED_STATEMENTS = False
    sent = []
    real = sql._message

    def spy(statements):
        found = real(statements)
        sent.append(found[0])
        return found

    monkeypatch.setattr(sql, "_message", spy)
    assert gameplay.bet_place(_call(integration, player, "u1"), ticket="T-u1", amount=10**5).code is Code.APPLIED
    assert len(sent) == 2 and not any("PREPARE" in text or "EXECUTE" in text for text in sent)
    assert sent[0].rstrip().endswith("ORDER BY id") and sent[1].endswith("; COMMIT")


def test_rollbacks_on_the_connection_keep_its_prepared_statements():
    """psycopg, when it has prepared statements of its own, sends DEALLOCATE ALL after every
    ROLLBACK, which would drop wallet.sql's too: so psycopg prepares nothing (settings), and money
    calls after rollbacks, of transactions and of savepoints, find their statements."""
    assert connection.settings_dict["OPTIONS"].get("prepare_threshold") is None
    integration = OneGamingIntegrationFactory()
    player = PlayerFactory()
    wallet = funded_wallet(player, "IDR", "100.00")
    lost = []
    real = sql._message_execute

    def spy(cursor, statements):
        try:
            return real(cursor, statements)
        except sql.PreparedStatementsLost:
            lost.append(statements)
            raise

    sql._message_execute = spy
    try:
        for n in range(3):
            assert gameplay.bet_place(_call(integration, player, f"k{n}"), ticket=f"T-k{n}", amount=10**5).code \
                is Code.APPLIED
            with pytest.raises(RuntimeError), transaction.atomic():  # a transaction that rolls back
                Account.objects.filter(pk=wallet.pk).exists()
                raise RuntimeError
            # a savepoint that rolls back
            with transaction.atomic(), pytest.raises(RuntimeError), transaction.atomic():
                Account.objects.filter(pk=wallet.pk).exists()
                raise RuntimeError
    finally:
        sql._message_execute = real
    assert lost == []
    assert _committed_elsewhere("SELECT balance FROM wallet_account WHERE id = %s", [wallet.pk]) == [(97 * 10**5,)]
