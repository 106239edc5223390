"""Incremental aggregation: new ledger transfers and provider calls into the report tables.

Each source (wallet.Transfer, providers.CallLog) has a high-water mark: the highest id already
counted. A refresh reads the rows above it in id order, in batches, and adds each batch's sums
to the aggregate rows in the same database transaction that moves the mark, so every row is
counted exactly once even if a refresh dies half-way or two run at once (the mark's row is
locked).

Ids are taken when a row is inserted but become visible when its transaction commits, so a
lower id can appear after a higher one was counted. The ids a batch skips are remembered
(PendingSourceId) and looked for again on each refresh for PENDING_TTL; one still missing then
belonged to a transaction that rolled back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf, TruncDate
from django.utils import timezone

from providers.models import CallLog, StatusCode
from wallet.models import GameAction, GameTransaction, Transfer, TransferKind

from .models import (
    AggregateCursor,
    DailyCallStat,
    DailyGameStat,
    DailyPlayerActivity,
    DailyPlayerCurrency,
    PendingSourceId,
    PlayerFirstPlay,
)

TRANSFERS = "transfers"
CALLS = "calls"
BATCH_SIZE = 50_000
PENDING_TTL = dt.timedelta(minutes=15)
MAX_PENDING_PER_BATCH = 1_000
GAME_KINDS = (TransferKind.BET, TransferKind.WIN, TransferKind.REWARD, TransferKind.REFUND, TransferKind.RECLAIM)
# Upper bounds (ms) of the latency buckets; the last one stands for "slower than 60 s".
LATENCY_BUCKETS_MS = (1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200, 300, 500, 700, 1000, 1500, 2000,
                      3000, 5000, 7000, 10000, 15000, 30000, 60000)
LATENCY_OVERFLOW_MS = 1e9


@dataclass
class RefreshResult:
    transfers: int = 0  # source rows counted by this refresh
    calls: int = 0


def refresh(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> RefreshResult:
    """Count every transfer and call not counted yet. Safe to run at any time, concurrently."""
    now = now or timezone.now()
    return RefreshResult(
        transfers=_refresh_source(TRANSFERS, Transfer, _transfers_add, now=now, batch_size=batch_size),
        calls=_refresh_source(CALLS, CallLog, _calls_add, now=now, batch_size=batch_size),
    )


def is_behind() -> bool:
    """Are there rows not counted yet (or skipped ids to look for)? One cheap query: page loads
    ask this before refreshing, so a page costs nothing extra when the aggregates are current."""
    qn = connection.ops.quote_name
    cursor_table, pending_table = qn(AggregateCursor._meta.db_table), qn(PendingSourceId._meta.db_table)

    def newest_above_mark(model, source: str) -> str:
        return (f"(SELECT COALESCE(MAX(id), 0) FROM {qn(model._meta.db_table)}) > "
                f"COALESCE((SELECT last_id FROM {cursor_table} WHERE source = '{source}'), 0)")

    sql = (f"SELECT CASE WHEN {newest_above_mark(Transfer, TRANSFERS)} OR {newest_above_mark(CallLog, CALLS)} "
           f"OR EXISTS (SELECT 1 FROM {pending_table}) THEN 1 ELSE 0 END")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return bool(cursor.fetchone()[0])


def refresh_if_behind(*, now: dt.datetime | None = None) -> RefreshResult | None:
    return refresh(now=now) if is_behind() else None


def cursor_position(source: str) -> int:
    return AggregateCursor.objects.filter(source=source).values_list("last_id", flat=True).first() or 0


# --- the high-water mark ------------------------------------------------------------------


def _refresh_source(source: str, model, add, *, now: dt.datetime, batch_size: int) -> int:
    AggregateCursor.objects.get_or_create(source=source)
    counted = _pending_recheck(source, model, add, now=now)
    while True:
        with transaction.atomic():
            cursor = AggregateCursor.objects.select_for_update().get(source=source)
            ids = list(model.objects.filter(pk__gt=cursor.last_id).order_by("pk")
                       .values_list("pk", flat=True)[:batch_size])
            if ids:
                add(Q(pk__gt=cursor.last_id, pk__lte=ids[-1]))
                _pending_remember(source, _skipped_ids(cursor.last_id, ids), now=now)
                cursor.last_id = ids[-1]
                counted += len(ids)
            cursor.refreshed_at = now
            cursor.save(update_fields=["last_id", "refreshed_at"])
        if len(ids) < batch_size:
            return counted


def _skipped_ids(after: int, ids: list[int]) -> list[int]:
    """The ids between `after` and the batch's last id that the batch did not see, highest
    first and at most MAX_PENDING_PER_BATCH (in-flight transactions hold the latest ids). On the
    first refresh (nothing counted yet) the ids below the first row are not waited for."""
    skipped: list[int] = []
    upper = ids[-1]
    for lower in reversed([after, *ids[:-1]] if after else ids[:-1]):
        gap = range(upper - 1, lower, -1)
        skipped.extend(gap[: MAX_PENDING_PER_BATCH - len(skipped)])
        if len(skipped) >= MAX_PENDING_PER_BATCH:
            break
        upper = lower
    return skipped


def _pending_remember(source: str, ids: list[int], *, now: dt.datetime) -> None:
    if ids:
        PendingSourceId.objects.bulk_create(
            [PendingSourceId(source=source, source_id=i, noticed_at=now) for i in ids], ignore_conflicts=True
        )


def _pending_recheck(source: str, model, add, *, now: dt.datetime) -> int:
    """Count the skipped ids that have appeared since; forget those too old to appear."""
    with transaction.atomic():
        AggregateCursor.objects.select_for_update().get(source=source)
        pending = PendingSourceId.objects.filter(source=source)
        waiting = list(pending.values_list("source_id", flat=True))
        if not waiting:
            return 0
        found = list(model.objects.filter(pk__in=waiting).values_list("pk", flat=True))
        if found:
            add(Q(pk__in=found))
        pending.filter(Q(source_id__in=found) | Q(noticed_at__lt=now - PENDING_TTL)).delete()
        return len(found)


# --- ledger transfers -----------------------------------------------------------------------


def transfer_game_code():
    """The game a game transfer belongs to: its transaction's game, or for a rollback that names
    none, the game of the bet on the same ticket."""
    bet_game = GameTransaction.objects.filter(
        integration_id=OuterRef("game_transaction__integration_id"),
        ticket=OuterRef("game_transaction__ticket"),
        action=GameAction.BET,
    ).exclude(ticket="").values("game_code")[:1]
    return Coalesce(NullIf(F("game_transaction__game_code"), Value("")), Subquery(bet_game), Value(""),
                    output_field=CharField())


def _kind_sum(kind: str):
    return Sum(Case(When(kind=kind, then=F("amount")), default=Value(0), output_field=BigIntegerField()))


def _transfers_add(condition: Q) -> None:
    game_transfers = (
        Transfer.objects.filter(condition, kind__in=GAME_KINDS, game_transaction__isnull=False)
        .annotate(r_day=TruncDate("created_at", tzinfo=dt.UTC),
                  r_integration=F("game_transaction__integration_id"),
                  r_game=transfer_game_code(),
                  r_player=F("game_transaction__player_id"))
    )
    stats = (
        game_transfers.values("r_day", "r_integration", "r_game", "currency_id").order_by()
        .annotate(bets=_kind_sum(TransferKind.BET), wins=_kind_sum(TransferKind.WIN),
                  refunds=_kind_sum(TransferKind.REFUND), reclaims=_kind_sum(TransferKind.RECLAIM),
                  rewards=_kind_sum(TransferKind.REWARD),
                  rounds=Count(Case(When(kind=TransferKind.BET, then=Value(1)), output_field=IntegerField())))
    )
    active = game_transfers.values_list("r_day", "r_integration", "r_game", "currency_id", "r_player").distinct()
    first_play: dict[int, dt.date] = {}
    activity = []
    for day, integration_id, game_code, currency_id, player_id in active.order_by():
        activity.append((_db_day(day), integration_id, game_code, currency_id, player_id))
        first_play[player_id] = min(day, first_play.get(player_id, day))
    _insert_new(DailyPlayerCurrency, ("day", "currency_id", "player_id"),
                sorted({(day, currency_id, player_id) for day, _, _, currency_id, player_id in activity}))
    new_players: dict[tuple, int] = {}
    for day, integration_id, game_code, currency_id in _insert_new(
            DailyPlayerActivity, ("day", "integration_id", "game_code", "currency_id", "player_id"), activity,
            returning=("day", "integration_id", "game_code", "currency_id")):
        key = (_as_date(day), integration_id, game_code, currency_id)
        new_players[key] = new_players.get(key, 0) + 1
    sums = {(r["r_day"], r["r_integration"], r["r_game"], r["currency_id"]):
            [r["bets"], r["wins"], r["refunds"], r["reclaims"], r["rewards"], r["rounds"]] for r in stats}
    _upsert_add(
        DailyGameStat, keys=("day", "integration_id", "game_code", "currency_id"),
        adds=("bets", "wins", "refunds", "reclaims", "rewards", "rounds", "players"),
        rows=[(_db_day(key[0]), *key[1:], *sums.get(key, [0] * 6), new_players.get(key, 0))
              for key in sums.keys() | new_players.keys()],
    )
    earliest = "LEAST" if connection.vendor == "postgresql" else "MIN"
    table = PlayerFirstPlay._meta.db_table
    _upsert(PlayerFirstPlay, keys=("player_id",), values=("first_day",),
            rows=[(player_id, _db_day(day)) for player_id, day in first_play.items()],
            update=f"first_day = {earliest}({table}.first_day, excluded.first_day)")


def _insert_new(model, columns: tuple[str, ...], rows: list[tuple], *, returning: tuple[str, ...] = (),
                chunk: int = 150) -> list[tuple]:
    """Insert the rows not there yet (by the table's unique key); with `returning`, give those
    columns of the rows inserted (so a player counts once per key, however many batches see them)."""
    qn = connection.ops.quote_name
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    tail = f" RETURNING {', '.join(qn(c) for c in returning)}" if returning else ""
    inserted = []
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            cursor.execute(
                f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
                f"VALUES {', '.join([placeholder] * len(part))} ON CONFLICT DO NOTHING{tail}",
                [value for row in part for value in row],
            )
            if returning:
                inserted.extend(cursor.fetchall())
    return inserted


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# --- provider calls -------------------------------------------------------------------------


def call_error_condition() -> Q:
    """A call is an error unless its status is its provider's success code and HTTP is below 500."""
    success = Q(pk__in=[])
    for provider, code in StatusCode.objects.filter(is_success=True).values_list("provider", "code"):
        success |= Q(provider=provider, status_code=code)
    return ~success | Q(http_status__gte=500)


def latency_bucket():
    whens = [When(duration_ms__lte=bound, then=Value(float(bound))) for bound in LATENCY_BUCKETS_MS]
    return Case(*whens, default=Value(LATENCY_OVERFLOW_MS), output_field=FloatField())


def _calls_add(condition: Q) -> None:
    rows = (
        CallLog.objects.filter(condition)
        .annotate(r_day=TruncDate("created_at", tzinfo=dt.UTC), r_integration=Coalesce(F("integration_id"), 0),
                  r_bucket=latency_bucket())
        .values("r_day", "provider", "r_integration", "endpoint", "direction", "r_bucket").order_by()
        .annotate(calls=Count("pk"),
                  # Calls refused before authentication are counted apart: junk from anyone is not
                  # the provider's error rate.
                  errors=Sum(Case(When(call_error_condition() & Q(unauthenticated=False), then=Value(1)),
                                  default=Value(0), output_field=IntegerField())),
                  refused_unauthenticated=Sum(Case(When(unauthenticated=True, then=Value(1)), default=Value(0),
                                                   output_field=IntegerField())))
    )
    _upsert_add(
        DailyCallStat, keys=("day", "provider", "integration_id", "endpoint", "direction", "latency_bucket_ms"),
        adds=("calls", "errors", "unauthenticated"),
        rows=[(_db_day(r["r_day"]), r["provider"], r["r_integration"], r["endpoint"], r["direction"], r["r_bucket"],
               r["calls"], r["errors"], r["refused_unauthenticated"]) for r in rows],
    )


# --- SQL upsert (PostgreSQL and SQLite share INSERT ... ON CONFLICT DO UPDATE) -----------------


def _db_day(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def _upsert_add(model, *, keys: tuple[str, ...], adds: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows, or add their counters to the existing row with the same key."""
    table = connection.ops.quote_name(model._meta.db_table)
    update = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in adds)
    _upsert(model, keys=keys, values=adds, rows=rows, update=update)


def _upsert(model, *, keys: tuple[str, ...], values: tuple[str, ...], rows: list[tuple], update: str,
            chunk: int = 50) -> None:
    if not rows:
        return
    qn = connection.ops.quote_name
    columns = ", ".join(qn(c) for c in (*keys, *values))
    placeholder = "(" + ", ".join(["%s"] * (len(keys) + len(values))) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start:start + chunk]
            sql = (f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {', '.join([placeholder] * len(part))} "
                   f"ON CONFLICT ({', '.join(qn(k) for k in keys)}) DO UPDATE SET {update}")
            cursor.execute(sql, [value for row in part for value in row])
