"""What a seamless money call reads before the wallet lock, in one statement.

Every provider's money call starts with the same reads: the earlier transaction with the call's
id (the replay rule, gameplay.replay_of, answers a known id before any other check), and the
player the call names by external id, with the balance of one of their wallets when asked. On
top of those, a provider reads what the wallet must not know about (the launch session a call
names, which lives in the lobby): the caller hands those in as `ReadPart`s, SQL text with its
parameters and the columns it gives. The lobby builds the launch session's part
(lobby.sessions.session_read); the provider passes it in.

On PostgreSQL it is all one statement: each read is the same small query as on its own, joined
LATERAL to one row, so a read that finds nothing gives NULLs (round trips were most of a
callback's wall time). Elsewhere (SQLite) each read is its own query.

Hand-written SQL, as the rest of the money path (wallet.sql): the ORM's compilation of these
small queries cost more CPU than the database's work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connection

from . import sql
from .models import Account, AccountKind, GameTransaction, Player

# Which columns of the player the money calls need (every check reads only these).
PLAYER_FIELDS = ("id", "external_id", "is_enabled")
# Where a part names the player's id (a part may read only rows of the call's player).
PLAYER_ID = "{player_id}"


@dataclass(frozen=True)
class Earlier:
    """The earlier transaction with the call's id, as far as the replay rule needs it."""

    fingerprint: str
    outcome: str
    player_id: int
    currency_id: str | None


@dataclass(frozen=True)
class ReadPart:
    """One read the caller adds to the read before the lock, which the wallet runs without
    knowing what it reads.

    `sql` is a SELECT of at most one row (end it with LIMIT 1) whose columns are `fields`, the
    attnames of `model` it fills, the first one never NULL in a row found (the id). Where it
    says `{player_id}` it means the id of the call's player (on PostgreSQL the joined player
    row's `p.id`, elsewhere the id itself; without a player the part finds nothing). It must not
    name its own tables `p`, `g` or `x<n>`, the aliases of the joined reads."""

    name: str
    model: type
    fields: tuple[str, ...]
    sql: str
    params: tuple = ()

    @property
    def of_player(self) -> bool:
        return PLAYER_ID in self.sql


@dataclass(frozen=True)
class CallReads:
    previous: Earlier | None  # the applied transaction (or rollback tombstone) with the call's id
    player: Player | None  # PLAYER_FIELDS, and `balance_units`: the balance asked for, or None
    parts: dict = field(default_factory=dict)  # part name -> instance of its model, or None

    def part(self, name: str):
        return self.parts[name]


_PREVIOUS_COLUMNS = ("fingerprint", "outcome", "player_id", "currency_id")


def _previous_sql() -> str:
    return (f"SELECT {', '.join(_PREVIOUS_COLUMNS)} FROM {GameTransaction._meta.db_table} "
            "WHERE integration_id = %s AND external_id = %s ORDER BY id LIMIT 1")


def _player_sql(with_balance: bool) -> str:
    balance = (f", (SELECT a.balance FROM {Account._meta.db_table} a WHERE a.player_id = p.id "
               "AND a.currency_id = %s AND a.kind = %s LIMIT 1) AS balance_units") if with_balance else ""
    columns = ", ".join(f"p.{name}" for name in PLAYER_FIELDS)
    return (f"SELECT {columns}{balance} FROM {Player._meta.db_table} p "
            "WHERE p.external_id = %s ORDER BY p.id LIMIT 1")


@lru_cache(maxsize=64)
def _statement(with_previous: bool, with_balance: bool, parts: tuple[str, ...]) -> str:
    """The one statement (PostgreSQL): previous, player, then the parts, which may use the player's `p.id`."""
    selected, joins = ["p.*"], [f"LEFT JOIN LATERAL ({_player_sql(with_balance)}) p ON true"]
    if with_previous:
        selected.insert(0, "g.*")
        joins.insert(0, f"LEFT JOIN LATERAL ({_previous_sql()}) g ON true")
    for n, part_sql in enumerate(parts):
        selected.append(f"x{n}.*")
        joins.append(f"LEFT JOIN LATERAL ({part_sql.replace(PLAYER_ID, 'p.id')}) x{n} ON true")
    return f"SELECT {', '.join(selected)} FROM (VALUES (1)) AS one (x) {' '.join(joins)}"


def _instance(model, fields: Sequence[str], values: Sequence):
    """An instance of `model` from `fields` (any order) and their values; None when the row is missing."""
    if values[0] is None:
        return None
    given = dict(zip(fields, values, strict=True))
    names = [f.attname for f in model._meta.concrete_fields if f.attname in given]
    return model.from_db(connection.alias, names, [given[name] for name in names])


def call_read(*, integration_id: int, player_external_id: str, external_id: str | None = None,
              balance_currency: str | None = None, parts: Sequence[ReadPart] = ()) -> CallReads:
    """The reads of a money call before the wallet lock: the earlier transaction of this
    integration with the id `external_id` (None: not read), the player `player_external_id`
    with `balance_units`, the balance of their wallet in `balance_currency` (None: not read, and
    None), and each of `parts`."""
    with_balance = balance_currency is not None
    player_params = [balance_currency, AccountKind.WALLET.value, player_external_id] if with_balance else [
        player_external_id]
    if connection.vendor != "postgresql":
        return _one_by_one(integration_id, external_id, with_balance, player_params, parts)
    params = [integration_id, external_id] if external_id is not None else []
    params += player_params
    for part in parts:
        params += part.params
    statement = _statement(external_id is not None, with_balance, tuple(part.sql for part in parts))
    with sql.statement_cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
    previous = None
    if external_id is not None:
        head, row = row[:len(_PREVIOUS_COLUMNS)], row[len(_PREVIOUS_COLUMNS):]
        previous = Earlier(*head) if head[0] is not None else None
    width = len(PLAYER_FIELDS) + with_balance
    player = _instance(Player, PLAYER_FIELDS, row[:len(PLAYER_FIELDS)])
    if player is not None:
        player.balance_units = row[len(PLAYER_FIELDS)] if with_balance else None
    row = row[width:]
    found = {}
    for part in parts:
        found[part.name], row = _instance(part.model, part.fields, row[:len(part.fields)]), row[len(part.fields):]
    return CallReads(previous, player, found)


def _one_by_one(integration_id: int, external_id: str | None, with_balance: bool, player_params: list,
                parts: Sequence[ReadPart]) -> CallReads:
    """call_read off PostgreSQL (no LATERAL): the same queries, one after the other."""
    previous = None
    if external_id is not None:
        with connection.cursor() as cursor:
            cursor.execute(_previous_sql(), [integration_id, external_id])
            head = cursor.fetchone()
        previous = Earlier(*head) if head else None
    players = sql.fetch(Player, _player_sql(with_balance), player_params)
    player = players[0] if players else None
    if player is not None and not with_balance:
        player.balance_units = None
    found = {}
    for part in parts:
        if part.of_player and player is None:
            found[part.name] = None
            continue
        text = part.sql.replace(PLAYER_ID, str(int(player.pk)) if part.of_player else "")
        rows = sql.fetch(part.model, text, part.params, fields=part.fields)
        found[part.name] = rows[0] if rows else None
    return CallReads(previous, player, found)
