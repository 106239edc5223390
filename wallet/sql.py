"""Hand-written INSERTs and UPDATEs for the rows every seamless callback writes.

Model.save() and QuerySet.create() compiled the same few statements on every call, and that
compilation was about a third of a callback's CPU (docs/BENCHMARKS.md). The statements here are
what the ORM would send, built once per table and column list; values must already be what the
database column takes (`<fk>_id` integers, aware datetimes, strings), so only models whose
columns need no conversion go through here (no JSON, no custom fields).

On PostgreSQL, statements that belong together travel as one, with data-modifying CTEs (a
transfer and the balance it moves; a bet and its ticket guard), and statements that follow each
other share one message (the wallet lock and the read under it; the write and its COMMIT): fewer
round trips inside the wallet lock. They are PREPAREd in SQL on first use per connection
(`_message`). Elsewhere (SQLite) they run one after the other, in the caller's transaction.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections.abc import Sequence
from functools import lru_cache

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections


def statement_cursor():
    """A cursor for the hand-written statements of the money path: on PostgreSQL each statement
    it executes is PREPAREd in SQL on first use per connection and EXECUTEd (`_message`), so
    PostgreSQL parses it once per connection and may keep a generic plan. Every statement sent
    through it must have generic plans that read by unique or primary key
    (tests/test_generic_plans.py). Errors are Django's as with any cursor."""
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        return db.cursor()
    return _PreparingCursor(_text_cursor())


class _PreparingCursor:
    """A Django cursor whose `execute` goes through `_message_execute` (prepare on)."""

    def __init__(self, cursor):
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence = ()) -> None:
        _message_execute(self._cursor, [(sql, list(params), True)])

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._cursor.close()


@lru_cache(maxsize=256)
def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})"


def _table(model) -> str:
    return model._meta.db_table


def _one_value(cursor) -> int:
    return cursor.fetchone()[0]


def insert(model, values: dict, *, returning: str | None = "id") -> int | None:
    """INSERT one row of `model` (column name -> database value); its `returning` column back."""
    sql = _insert_sql(_table(model), tuple(values))
    with statement_cursor() as cursor:
        if returning is None:
            cursor.execute(sql, list(values.values()))
            return None
        cursor.execute(f"{sql} RETURNING {connection.ops.quote_name(returning)}", list(values.values()))
        return _one_value(cursor)


def insert_with_child(model, values: dict, child, child_values: dict, parent_column: str) -> int:
    """INSERT a row and a child row pointing at it (`child.<parent_column>` = the new id); the new id."""
    if connection.vendor != "postgresql":
        pk = insert(model, values)
        insert(child, {parent_column: pk, **child_values}, returning=None)
        return pk
    quote = connection.ops.quote_name
    child_columns = ", ".join(quote(c) for c in (parent_column, *child_values))
    child_marks = ", ".join(["%s"] * len(child_values))
    sql = (f"WITH parent AS ({_insert_sql(_table(model), tuple(values))} RETURNING id), "
           f"child AS (INSERT INTO {quote(_table(child))} ({child_columns}) SELECT id, {child_marks} FROM parent) "
           f"SELECT id FROM parent")
    with statement_cursor() as cursor:
        cursor.execute(sql, [*values.values(), *child_values.values()])
        return _one_value(cursor)


def insert_after_updates(model, values: dict, *, updated, updates: Sequence[tuple[int, dict]]) -> int:
    """UPDATE rows of `updated` by id (`updates`: (id, column -> value)), then INSERT a row of
    `model`; the new id. One statement on PostgreSQL (a transfer and the balances it moves)."""
    if not updates:
        return insert(model, values)
    table = _table(updated)
    if connection.vendor != "postgresql":
        with statement_cursor() as cursor:
            for pk, columns in updates:
                cursor.execute(_update_sql(table, tuple(columns)), [*columns.values(), pk])
        return insert(model, values)
    ctes, params = [], []
    for n, (pk, columns) in enumerate(updates):
        ctes.append(f"moved{n} AS ({_update_sql(table, tuple(columns))})")
        params += [*columns.values(), pk]
    sql = f"WITH {', '.join(ctes)} {_insert_sql(_table(model), tuple(values))} RETURNING id"
    with statement_cursor() as cursor:
        cursor.execute(sql, [*params, *values.values()])
        return _one_value(cursor)


@lru_cache(maxsize=64)
def _update_sql(table: str, columns: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    sets = ", ".join(f"{quote(c)} = %s" for c in columns)
    return f"UPDATE {quote(table)} SET {sets} WHERE id = %s"


def columns_of(model) -> str:
    """Every column of `model`, in field order: the SELECT list `fetch` expects by default."""
    return ", ".join(field.column for field in model._meta.concrete_fields)


def fetch(model, sql: str, params: Sequence, *, fields: Sequence[str] | None = None,
          extra: Sequence[str] = ()) -> list:
    """Instances of `model` from a hand-written SELECT whose columns are `fields` (attnames; every
    concrete field in order when None, else the others are deferred), then `extra` columns set as
    plain attributes.

    On PostgreSQL straight from the cursor: psycopg already returns the Python types these models
    hold (integers, text, aware datetimes), and RawQuerySet's per-query set-up (column lookup,
    converters, init order) cost more CPU than the query. Elsewhere through RawQuerySet, which
    applies the backend's converters (SQLite returns datetimes as text)."""
    if connection.vendor != "postgresql":
        return list(model.objects.raw(sql, params))
    names = list(fields) if fields is not None else None
    width = len(names) if names is not None else len(model._meta.concrete_fields)
    with statement_cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        instance = model.from_db(connection.alias, names, row[:width])
        for name, value in zip(extra, row[width:], strict=True):
            setattr(instance, name, value)
        found.append(instance)
    return found


def _text_cursor():
    """A cursor that pastes values into the text and sends it with the simple query protocol
    (psycopg's ClientCursor): several statements, separated by semicolons, in one message."""
    db = connections[DEFAULT_DB_ALIAS]
    import psycopg

    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = psycopg.ClientCursor(db.connection)
    return db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)


class _Prepared:
    """The statements this connection has PREPAREd at the SQL level (one per connection)."""

    CAP = 256  # statement shapes per connection; past it, statements are sent unprepared

    def __init__(self):
        self.names: dict[str, str] = {}
        self.counter = itertools.count()


# Keyed by psycopg's connection: a new connection (a reconnect) starts with nothing prepared.
_prepared_by_connection: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _numbered(sql: str) -> str:
    """`sql` with its %s placeholders as $1, $2, ... (PREPARE's parameters)."""
    numbers = itertools.count(1)
    return re.sub(r"%s", lambda _: f"${next(numbers)}", sql)


def _message(statements: Sequence[tuple[str, Sequence, bool]]) -> tuple[str, list, int]:
    """One simple-protocol message that runs `statements` ((sql, params, prepare), %s
    placeholders) in order: its text, its parameters, and how many results come before the
    statements' own.

    A simple-protocol message cannot use protocol-level prepared statements, so a statement is
    PREPAREd in SQL the first time this connection sends it (all PREPAREs first in the message,
    so a failing statement never leaves a later one unprepared) and EXECUTEd after: PostgreSQL
    then parses it once per connection and, with plan_cache_mode auto, may keep a generic plan.
    Only statements with `prepare` set: those whose every generic plan reads a unique key or the
    primary key (tests/test_generic_plans.py runs them on grown tables); a statement whose
    generic plan could pick a worse index is planned with its values each time.

    Names are never reused on a connection: when a message finds its statements gone (DISCARD
    ALL by a pooler), each is prepared again under a new name and the message or its
    transaction runs again (`_message_execute`). DB_PREPARED_STATEMENTS=false (a pooler in
    transaction mode, which cannot keep prepared statements) sends the statements as they are.

    Why not psycopg's own prepared statements (prepare_threshold): psycopg sends DEALLOCATE ALL
    after every ROLLBACK (a savepoint's too) on a connection where it prepared anything, which
    would also drop these; so psycopg prepares nothing here (settings), and nothing drops them.
    And a simple-protocol message is what lets several statements share a round trip."""
    db = connections[DEFAULT_DB_ALIAS]
    flat = [p for _, params, _ in statements for p in params]
    if not settings.MONEY_PREPARED_STATEMENTS:
        return "; ".join(sql for sql, _, _ in statements), flat, 0
    prepared = _prepared_by_connection.get(db.connection)
    if prepared is None:
        prepared = _prepared_by_connection[db.connection] = _Prepared()
    prepares, executes = [], []
    for sql, params, prepare in statements:
        name = prepared.names.get(sql) if prepare else None
        if name is None and prepare and len(prepared.names) < _Prepared.CAP:
            name = prepared.names[sql] = f"money_{next(prepared.counter)}"
            prepares.append(f"PREPARE {name} AS {_numbered(sql)}")
        if name is None:
            executes.append(sql)
        else:
            executes.append(f"EXECUTE {name}({', '.join(['%s'] * len(params))})" if params else f"EXECUTE {name}")
    return "; ".join(prepares + executes), flat, len(prepares)


class PreparedStatementsLost(DatabaseError):
    """This connection's prepared statements were dropped behind our back (DISCARD ALL by a
    pooler, DEALLOCATE ALL by a library): the transaction failed, nothing of it was kept, and
    the next attempt prepares them again. wallet.gameplay's `_run` tries once more."""


def _message_execute(cursor, statements: Sequence[tuple[str, Sequence, bool]]) -> None:
    """Send `_message(statements)` on `cursor`, positioned on the first statement's result.

    If the connection's prepared statements are gone, each is prepared again under a new name:
    outside a transaction the message is sent again at once (nothing of it ran); inside one,
    PreparedStatementsLost tells the caller to run the transaction again."""
    db = connections[DEFAULT_DB_ALIAS]
    for attempt in range(2):
        text, params, skip = _message(statements)
        try:
            cursor.execute(text, params)
            break
        except DatabaseError as exc:
            if getattr(exc.__cause__, "sqlstate", None) != "26000":
                raise
            prepared = _prepared_by_connection.get(db.connection)
            if prepared is not None:
                prepared.names.clear()
            if attempt or db.in_atomic_block:
                raise PreparedStatementsLost(str(exc)) from exc
    for _ in range(skip):
        cursor.nextset()


def fetch_together(*queries: tuple) -> list[list]:
    """`fetch` of several (model, sql, params, prepare) queries, each selecting every column of
    its model, in order, in ONE round trip on PostgreSQL: one simple-protocol message holding
    them all (`_message`, which PREPAREs those with `prepare`; psycopg's pipeline mode did the
    same with more client CPU than the round trip saved).

    Each statement still runs on its own, one after the other, with its own snapshot (READ
    COMMITTED takes one per statement, when it starts): so a query after a `FOR UPDATE` sees
    what the lock's previous holder committed, exactly as if it had been sent after the lock's
    answer came back. What it saves is the wait: inside the wallet lock, one round trip fewer.
    A failure in one statement skips the rest and raises as Django's error, as a plain cursor
    would. Elsewhere (SQLite): one by one."""
    if connection.vendor != "postgresql":
        return [fetch(model, sql, params) for model, sql, params, _ in queries]
    found = []
    with _text_cursor() as cursor:
        _message_execute(cursor, [(sql, params, prepare) for _, sql, params, prepare in queries])
        for n, (model, _, _, _) in enumerate(queries):
            if n:
                cursor.nextset()
            found.append([model.from_db(connection.alias, None, row) for row in cursor.fetchall()])
    return found


def insert_with_postings(model, values: dict, *, postings: Sequence, posting_model, updated,
                         child=None, child_values: dict | None = None, parent_column: str = "",
                         extra: tuple[type, dict] | None = None, commit: bool = False) -> int:
    """INSERT a row of `model` (a game transaction), optionally a `child` row pointing at it (its
    bet-ticket guard), and `postings` (transfers whose `game_transaction_id` becomes the new id,
    with the balances they move), and an unrelated `extra` row (model, column values: the call's
    history row): one statement on PostgreSQL. The new id.

    An account that several postings move is updated once, to its last balance: two updates of
    one row in one statement are not allowed to both take effect (PostgreSQL's WITH).

    With `commit` (the caller's outermost transaction has nothing left to do after this row):
    on PostgreSQL the COMMIT goes in the same message (`_message`), so the wallet's lock is
    released one round trip sooner. Django's own COMMIT at the end of its atomic block then finds
    no transaction open (psycopg sends nothing). A failed write skips the COMMIT (PostgreSQL skips
    the rest of a message after an error) and raises; the atomic block rolls back."""
    merged: dict[int, dict] = {}
    for posting in postings:
        merged.update(posting.updates)
    if connection.vendor != "postgresql":
        pk = insert_with_child(model, values, child, child_values, parent_column) if child else insert(model, values)
        with statement_cursor() as cursor:
            for account_pk, columns in merged.items():
                cursor.execute(_update_sql(_table(updated), tuple(columns)), [*columns.values(), account_pk])
        for posting in postings:
            insert(posting_model, {**posting.values, "game_transaction_id": pk}, returning=None)
        if extra is not None:
            insert(extra[0], extra[1], returning=None)
        return pk
    quote = connection.ops.quote_name
    parts = [f"parent AS ({_insert_sql(_table(model), tuple(values))} RETURNING id)"]
    params = list(values.values())
    if child is not None:
        names = ", ".join(quote(c) for c in (parent_column, *child_values))
        parts.append(f"child AS (INSERT INTO {quote(_table(child))} ({names}) "
                     f"SELECT id, {', '.join(['%s'] * len(child_values))} FROM parent)")
        params += child_values.values()
    for n, (account_pk, columns) in enumerate(merged.items()):
        parts.append(f"moved{n} AS ({_update_sql(_table(updated), tuple(columns))})")
        params += [*columns.values(), account_pk]
    for n, posting in enumerate(postings):
        # One INSERT ... SELECT per row: a UNION of rows would type its untyped literals as text.
        columns = [c for c in posting.values if c != "game_transaction_id"]
        names = ", ".join(quote(c) for c in (*columns, "game_transaction_id"))
        parts.append(f"posted{n} AS (INSERT INTO {quote(_table(posting_model))} ({names}) "
                     f"SELECT {', '.join(['%s'] * len(columns))}, id FROM parent)")
        params += [posting.values[c] for c in columns]
    if extra is not None:
        extra_model, extra_values = extra
        parts.append(f"extra AS ({_insert_sql(_table(extra_model), tuple(extra_values))})")
        params += extra_values.values()
    statement = f"WITH {', '.join(parts)} SELECT id FROM parent"
    if not commit:
        with statement_cursor() as cursor:
            cursor.execute(statement, params)
            return _one_value(cursor)
    with _text_cursor() as cursor:
        # The write's plan reads only primary keys (its UPDATEs); its INSERTs have none to choose.
        _message_execute(cursor, [(statement, params, True), ("COMMIT", [], False)])
        return _one_value(cursor)
