"""Incremental aggregation: new ledger transfers and provider calls into the report tables.

Each source (wallet.Transfer, providers.CallLog) has a high-water mark: the highest id already
counted. A refresh reads the rows above it in id order, in batches, and adds each batch's sums
to the aggregate rows in the same database transaction that moves the mark, so every row is
counted exactly once even if a refresh dies half-way or two run at once (the mark's row is
locked).

Ids are taken when a row is inserted but become visible when its transaction commits, so a
lower id can appear after a higher one was counted. The ids a batch skips are remembered
(PendingSourceId) and looked for again on each refresh for PENDING_TTL; one still missing then
is marked late and looked for by the periodic catch-up (catch_up, every few minutes) until
LATE_TTL: most belonged to a transaction that rolled back, but a row committed later still
counts.

`rebuild` recounts the aggregates from a day on (or all of them) in resumable batches
(`manage.py reports_rebuild`). Page requests never refresh: they show how far behind the
figures are (`lag`).
"""

from __future__ import annotations

import datetime as dt
import functools
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
    Max,
    Min,
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
    DailyAccountTotal,
    DailyCallStat,
    DailyGameStat,
    DailyPlayerActivity,
    DailyPlayerCurrency,
    PendingSourceId,
    PlayerFirstPlay,
    RebuildProgress,
)

TRANSFERS = "transfers"
CALLS = "calls"
BATCH_SIZE = 50_000
PENDING_TTL = dt.timedelta(minutes=15)
LATE_TTL = dt.timedelta(days=2)
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
           f"OR EXISTS (SELECT 1 FROM {pending_table} WHERE NOT late) THEN 1 ELSE 0 END")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return bool(cursor.fetchone()[0])


def refresh_if_behind(*, now: dt.datetime | None = None) -> RefreshResult | None:
    return refresh(now=now) if is_behind() else None


@dataclass
class Lag:
    """How far behind the aggregates are: what pages show instead of refreshing."""

    counted_until: dt.datetime | None  # time of the newest transfer counted
    refreshed_at: dt.datetime | None  # the last refresh
    uncounted: int  # transfers and calls above the marks (ids: an upper bound)
    rebuilding_since: dt.date | None | bool = False  # a rebuild under way: from this day (None: all)

    def seconds_behind(self, now: dt.datetime) -> float | None:
        return (now - self.counted_until).total_seconds() if self.counted_until else None


def lag() -> Lag:
    """A few primary-key lookups: cheap enough for every page."""
    cursors = {source: (last_id, at) for source, last_id, at in
               AggregateCursor.objects.values_list("source", "last_id", "refreshed_at")}
    marks = {source: last_id for source, (last_id, _at) in cursors.items()}
    refreshed = cursors.get(TRANSFERS, (0, None))[1]
    newest = {TRANSFERS: Transfer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
              CALLS: newest_id_bound(CallLog)}
    counted_until = (Transfer.objects.filter(pk__lte=marks.get(TRANSFERS, 0)).order_by("-pk")
                     .values_list("created_at", flat=True).first())
    rebuild = (RebuildProgress.objects.filter(finished_at__isnull=True).values_list("since", flat=True)[:1])
    return Lag(counted_until=counted_until, refreshed_at=refreshed,
               uncounted=sum(max(0, newest[source] - marks.get(source, 0)) for source in newest),
               rebuilding_since=rebuild[0] if rebuild else False)


def newest_id_bound(model) -> int:
    """The highest id handed out for `model` (an upper bound of its newest row's id).

    On PostgreSQL from the id's sequence: one row, whatever the table's size or partitions (the
    call history's MAX(id) would plan and probe every day's partition on every page). Ids of
    rolled-back inserts count too, which is why Lag.uncounted is an upper bound."""
    if connection.vendor != "postgresql":
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    sequence = _id_sequence(model._meta.db_table, model._meta.pk.column)
    if sequence is None:
        return model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {sequence}")
        return cursor.fetchone()[0]


@functools.cache
def _id_sequence(table: str, column: str) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        return cursor.fetchone()[0]


def cursor_position(source: str) -> int:
    return AggregateCursor.objects.filter(source=source).values_list("last_id", flat=True).first() or 0


def lag_note(now: dt.datetime | None = None) -> str:
    """One sentence for the pages: how current the figures are (pages never refresh them)."""
    now = now or timezone.now()
    state = lag()
    if state.counted_until is None:
        note = "No figures counted yet"
    else:
        behind = max(0, int(state.seconds_behind(now)))
        ago = f"{behind // 60} min" if behind >= 120 else f"{behind} s"
        note = f"Figures count the ledger up to {state.counted_until:%Y-%m-%d %H:%M:%S} UTC ({ago} ago)"
    if state.uncounted:
        note += f"; about {state.uncounted:,} newer rows are not counted yet (counted by the minute refresh)"
    note += "."
    if state.rebuilding_since is not False:
        since = state.rebuilding_since.isoformat() if state.rebuilding_since else "the start"
        note += f" A rebuild from {since} is under way: those days are partial until it ends."
    return note


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


def _pending_recheck(source: str, model, add, *, now: dt.datetime, late: bool = False) -> int:
    """Count the skipped ids that have appeared since. Those still missing after PENDING_TTL
    become late (looked for by catch_up only); late ones are forgotten after LATE_TTL."""
    with transaction.atomic():
        AggregateCursor.objects.select_for_update().get(source=source)
        pending = PendingSourceId.objects.filter(source=source, late=late)
        waiting = list(pending.values_list("source_id", flat=True))
        if not waiting:
            return 0
        found = []
        for start in range(0, len(waiting), 5_000):
            found += model.objects.filter(pk__in=waiting[start:start + 5_000]).values_list("pk", flat=True)
        if found:
            add(Q(pk__in=found))
            pending.filter(source_id__in=found).delete()
        if late:
            pending.filter(noticed_at__lt=now - LATE_TTL).delete()
        else:
            pending.filter(noticed_at__lt=now - PENDING_TTL).update(late=True)
        return len(found)


def catch_up(*, now: dt.datetime | None = None) -> RefreshResult:
    """Count the late rows: ids skipped by a refresh that committed after PENDING_TTL (a long
    transaction). Run by celery beat every REPORTS_CATCH_UP_EVERY seconds."""
    now = now or timezone.now()
    result = RefreshResult()
    for source, model, add in ((TRANSFERS, Transfer, _transfers_add), (CALLS, CallLog, _calls_add)):
        AggregateCursor.objects.get_or_create(source=source)
        setattr(result, source, _pending_recheck(source, model, add, now=now, late=True))
    return result


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
    _account_totals_add(condition)
    earliest = "LEAST" if connection.vendor == "postgresql" else "MIN"
    table = PlayerFirstPlay._meta.db_table
    _upsert(PlayerFirstPlay, keys=("player_id",), values=("first_day",),
            rows=[(player_id, _db_day(day)) for player_id, day in first_play.items()],
            update=f"first_day = {earliest}({table}.first_day, excluded.first_day)")


def _account_totals_add(condition: Q) -> None:
    """Per UTC day, what each system account (no player) was debited and credited."""
    sums: dict[tuple, list[int]] = {}
    for side, column in ((0, "debit_account"), (1, "credit_account")):
        rows = (Transfer.objects.filter(condition, **{f"{column}__player__isnull": True})
                .annotate(r_day=TruncDate("created_at", tzinfo=dt.UTC))
                .values("r_day", column).order_by().annotate(total=Sum("amount")))
        for row in rows:
            sums.setdefault((row["r_day"], row[column]), [0, 0])[side] += row["total"]
    _upsert_add(DailyAccountTotal, keys=("day", "account_id"), adds=("debits", "credits"),
                rows=[(_db_day(day), account_id, debits, credits)
                      for (day, account_id), (debits, credits) in sums.items()])


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


# --- rebuild --------------------------------------------------------------------------------

SOURCES = {TRANSFERS: (Transfer, _transfers_add), CALLS: (CallLog, _calls_add)}
DAILY_AGGREGATES = {TRANSFERS: (DailyGameStat, DailyPlayerActivity, DailyPlayerCurrency, DailyAccountTotal),
                    CALLS: (DailyCallStat,)}


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def rebuild_start(*, since: dt.date | None, now: dt.datetime | None = None) -> None:
    """Drop the aggregates from `since` on (all with None) and record what is to be recounted:
    per source, the ids up to the newest row whose rows lie on or after `since`, and every row the
    refresh had not counted yet (the mark moves up to the newest row, so a rebuild of a database
    never refreshed counts it all). Under the mark's lock, so the refresh (which counts only above
    the mark) and the rebuild never count a row twice; ids the refresh waits for are left to it."""
    now = now or timezone.now()
    for source, (model, _add) in SOURCES.items():
        AggregateCursor.objects.get_or_create(source=source)
        with transaction.atomic():
            cursor = AggregateCursor.objects.select_for_update().get(source=source)
            mark_before = cursor.last_id
            newest = model.objects.aggregate(newest=Max("pk"))["newest"] or 0
            if newest > cursor.last_id:
                _pending_remember(source, _recent_gaps(model, after=cursor.last_id, upto=newest), now=now)
                cursor.last_id = newest
                cursor.save(update_fields=["last_id"])
            for aggregate in DAILY_AGGREGATES[source]:
                (aggregate.objects.all() if since is None else aggregate.objects.filter(day__gte=since)).delete()
            if source == TRANSFERS:
                firsts = PlayerFirstPlay.objects.all()
                (firsts if since is None else firsts.filter(first_day__gte=since)).delete()
            start = 0
            if since is not None:
                first = model.objects.filter(created_at__gte=_day_start(since)).aggregate(first=Min("pk"))["first"]
                start = min((first - 1) if first is not None else cursor.last_id, mark_before)
            RebuildProgress.objects.update_or_create(source=source, defaults={
                "since": since, "next_id": min(start, cursor.last_id), "upper_id": cursor.last_id,
                "mark_before": mark_before, "started_at": now, "finished_at": None})


def _recent_gaps(model, *, after: int, upto: int, window: int = 10_000) -> list[int]:
    """Ids missing among the newest `window` below `upto` (in-flight transactions hold the newest
    ids), highest first, at most MAX_PENDING_PER_BATCH: what the refresh would remember."""
    low = max(after, upto - window)
    present = set(model.objects.filter(pk__gt=low, pk__lte=upto).values_list("pk", flat=True))
    return [i for i in range(upto, low, -1) if i not in present][:MAX_PENDING_PER_BATCH]


def _next_existing_id(model, after: int, upper: int) -> int:
    """`after`, or just below the first id above it (up to `upper`); `upper` when there is none."""
    first = model.objects.filter(pk__gt=after, pk__lte=upper).order_by("pk").values_list("pk", flat=True).first()
    return upper if first is None else max(after, first - 1)


def rebuild_step(source: str, *, batch_size: int = BATCH_SIZE, now: dt.datetime | None = None) -> RebuildProgress:
    """Recount the next batch of ids of one source; the aggregates and the progress move together."""
    model, add = SOURCES[source]
    with transaction.atomic():
        AggregateCursor.objects.select_for_update().get(source=source)
        progress = RebuildProgress.objects.select_for_update().get(source=source)
        if progress.finished_at is not None:
            return progress
        # Ids have gaps (rolled-back inserts, sequences cached per session, deleted calls): a batch
        # starts at the next id that exists, so a sparse range costs one index probe, not a
        # statement per batch of nothing.
        low = _next_existing_id(model, progress.next_id, progress.upper_id)
        high = min(low + batch_size, progress.upper_id)
        condition = Q(pk__gt=low, pk__lte=high)
        if progress.since is not None:
            condition &= Q(created_at__gte=_day_start(progress.since)) | Q(pk__gt=progress.mark_before)
        waiting = list(PendingSourceId.objects.filter(source=source, source_id__gt=low, source_id__lte=high)
                       .values_list("source_id", flat=True))
        if waiting:
            condition &= ~Q(pk__in=waiting)
        if high > low:
            add(condition)
        progress.next_id = high
        if high >= progress.upper_id:
            progress.finished_at = now or timezone.now()
        progress.save(update_fields=["next_id", "finished_at"])
        return progress
