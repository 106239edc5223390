"""Read-only queries behind the report pages and the dashboard (amounts in ledger units)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.models import Count, F, Q, Sum

from core.models import Integration
from core.staff_db import read_alias
from lobby.models import Game
from wallet.models import Account, AccountKind, Currency, LimitRefusal
from wallet.money import UNITS_PER_WHOLE

from .aggregation import LATENCY_OVERFLOW_MS
from .filters import ReportFilters
from .models import AggregateCursor, DailyCallStat, DailyGameStat, DailyPlayerActivity, DailyPlayerCurrency

DISTINCT_CACHE_SECONDS = 600
MONEY_FIELDS = ("bets", "wins", "refunds", "reclaims", "rewards")
GGR_FORMULA = "GGR = bets − wins − rewards + reclaims − refunds"


def ggr_of(row: dict) -> int:
    return row["bets"] - row["wins"] - row["rewards"] + row["reclaims"] - row["refunds"]


def _game_filter(filters: ReportFilters, *, day_field: str = "day") -> Q:
    q = Q(**{f"{day_field}__gte": filters.date_from, f"{day_field}__lte": filters.date_to})
    if filters.integration_id:
        q &= Q(integration_id=filters.integration_id)
    if filters.currency:
        q &= Q(currency_id=filters.currency)
    if filters.game_code:
        q &= Q(game_code=filters.game_code)
    return q


def _player_days(filters: ReportFilters):
    """Player-activity rows for the filter: the per-currency table unless an integration or a game
    is chosen (it has a row per player and day, not per game)."""
    if filters.integration_id or filters.game_code:
        return DailyPlayerActivity.objects.filter(_game_filter(filters))
    return DailyPlayerCurrency.objects.filter(_game_filter(filters))


def _money_sums():
    return {name: Sum(name) for name in (*MONEY_FIELDS, "rounds")}


def _with_ggr(row: dict) -> dict:
    row["ggr"] = ggr_of(row)
    return row


# --- names for ids ----------------------------------------------------------------------------


def currency_digits() -> dict[str, int]:
    return dict(Currency.objects.values_list("code", "digits"))


def integration_codes() -> dict[int, str]:
    return dict(Integration.objects.values_list("pk", "code"))


def game_names() -> dict[tuple[int, str], str]:
    """(integration id, game id) → name; provider-wide catalogue rows stand for every integration
    of their provider unless the integration has its own row."""
    integrations = dict(Integration.objects.values_list("pk", "provider"))
    provider_wide = {(g["provider"], g["game_id"]): g["name"]
                     for g in Game.objects.filter(integration__isnull=True).values("provider", "game_id", "name")}
    names = {(pk, game_id): name for (provider, game_id), name in provider_wide.items()
             for pk, p in integrations.items() if p == provider}
    names.update({(g["integration_id"], g["game_id"]): g["name"]
                  for g in Game.objects.filter(integration__isnull=False).values("integration_id", "game_id", "name")})
    return names


# --- game money -------------------------------------------------------------------------------


def daily_game_rows(filters: ReportFilters):
    """Day × integration × game × currency rows (a queryset of dicts, paged by the database): newest
    day first, then currency and GGR, with active players."""
    ggr = F("bets") - F("wins") - F("rewards") + F("reclaims") - F("refunds")
    return (DailyGameStat.objects.filter(_game_filter(filters))
            .values("day", "integration_id", "game_code", "currency_id", *MONEY_FIELDS, "rounds", "players")
            .annotate(ggr=ggr).order_by("-day", "currency_id", "-ggr", "integration_id", "game_code"))


def currency_totals(filters: ReportFilters) -> list[dict]:
    """Per currency over the whole filter: money, rounds, GGR, hold % and distinct active players."""
    rows = {r["currency_id"]: _with_ggr(r) for r in DailyGameStat.objects.filter(_game_filter(filters))
            .values("currency_id").order_by().annotate(**_money_sums())}
    for currency, players in distinct_players_by(_player_days(filters), "currency_id").items():
        if currency in rows:
            rows[currency]["players"] = players
    for row in rows.values():
        row.setdefault("players", 0)
        row["hold"] = hold_percent(row["ggr"], row["bets"], row["currency_id"])
    return [rows[c] for c in sorted(rows)]


def daily_series(filters: ReportFilters) -> dict[str, dict[str, list]]:
    """Per currency: the days of the range with bets and GGR (ledger units), for the charts."""
    by_day = {(r["currency_id"], r["day"]): _with_ggr(r) for r in DailyGameStat.objects.filter(_game_filter(filters))
              .values("currency_id", "day").order_by().annotate(**_money_sums())}
    days = [filters.date_from + dt.timedelta(days=i) for i in range((filters.date_to - filters.date_from).days + 1)]
    series: dict[str, dict[str, list]] = {}
    for currency in sorted({c for c, _ in by_day}):
        rows = [by_day.get((currency, d)) for d in days]
        series[currency] = {"days": [d.isoformat() for d in days],
                            "bets": [r["bets"] if r else 0 for r in rows],
                            "ggr": [r["ggr"] if r else 0 for r in rows]}
    return series


def top_games(filters: ReportFilters) -> list[dict]:
    """Games by GGR (then bets), per currency, over the filter."""
    rows = [_with_ggr(r) for r in DailyGameStat.objects.filter(_game_filter(filters))
            .values("integration_id", "game_code", "currency_id").order_by().annotate(**_money_sums())]
    for row in rows:
        row["hold"] = hold_percent(row["ggr"], row["bets"], row["currency_id"])
    rows.sort(key=lambda r: (r["currency_id"], -r["ggr"], -r["bets"], r["game_code"]))
    return rows


def hold_min_bets(currency: str) -> Decimal:
    """The bets (currency units) below which hold % means nothing (settings.REPORTS_HOLD_MIN_BETS)."""
    table = getattr(settings, "REPORTS_HOLD_MIN_BETS", None) or {}
    try:
        return Decimal(str(table.get(currency, table.get("default", 0))))
    except ArithmeticError:
        return Decimal(0)


def hold_min_text() -> str:
    """The minimum in words, for the pages that show hold % ("10 in any currency", ...)."""
    table = dict(getattr(settings, "REPORTS_HOLD_MIN_BETS", None) or {})
    default = table.pop("default", 0)
    own = ", ".join(f"{value} {currency}" for currency, value in sorted(table.items()))
    if not own:
        return f"{default} in any currency"
    return f"{own}; {default} in any other currency"


def hold_percent(ggr: int, bets: int, currency: str):
    """GGR ÷ bets as a percentage (one decimal); None without bets or when the bets (ledger units)
    are below the currency's minimum: a hold on a few cents of stakes means nothing. Display only."""
    if not bets or Decimal(bets) < hold_min_bets(currency) * UNITS_PER_WHOLE:
        return None
    return (Decimal(ggr) * 100 / Decimal(bets)).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)


# --- players ----------------------------------------------------------------------------------


def distinct_players_by(rows, field: str | None) -> dict:
    """Distinct players per value of `field` (or in all, under the key None) among `rows`, counted as
    DISTINCT (field, player) then GROUP BY field: PostgreSQL hashes that, where COUNT(DISTINCT)
    sorts; several times faster on the activity tables."""
    columns = [field, "player_id"] if field else ["player_id"]
    inner, params = rows.values(*columns).order_by().distinct().query.sql_with_params()
    if field:
        sql = f"SELECT s.{connection.ops.quote_name(field)}, COUNT(*) FROM ({inner}) s GROUP BY 1"
    else:
        sql = f"SELECT NULL, COUNT(*) FROM ({inner}) s"
    # The counts only change when the aggregates do: cache them under the high-water marks.
    marks = list(AggregateCursor.objects.order_by("source").values_list("last_id", flat=True))
    key = "reports:distinct:" + hashlib.sha256(repr((sql, [str(p) for p in params], marks)).encode()).hexdigest()
    counts = cache.get(key)
    if counts is None:
        with connections[read_alias(DailyGameStat)].cursor() as cursor:
            cursor.execute(sql, params)
            counts = list(cursor.fetchall())
        cache.set(key, counts, DISTINCT_CACHE_SECONDS)
    return dict(counts)


def new_and_returning(filters: ReportFilters) -> list[dict]:
    """Per day: players active within the filter, of whom new (first game ever that day) and returning."""
    days = _player_days(filters)
    active = distinct_players_by(days, "day")
    new = distinct_players_by(days.filter(player__report_first_play__first_day=F("day")), "day")
    rows = []
    for day in sorted(active, reverse=True):
        day_value = day if isinstance(day, dt.date) else dt.date.fromisoformat(str(day)[:10])
        rows.append({"day": day_value, "active": active[day], "new": new.get(day, 0),
                     "returning": active[day] - new.get(day, 0)})
    return rows


def active_players(filters: ReportFilters) -> int:
    return distinct_players_by(_player_days(filters), None)[None]


# --- provider calls ---------------------------------------------------------------------------


@dataclass
class EndpointStats:
    provider: str
    endpoint: str
    direction: str
    calls: int = 0
    errors: int = 0  # the provider's errors, among authenticated calls
    unauthenticated: int = 0  # calls refused before authentication (in `calls`, not in the error rate)
    buckets: dict[float, int] = field(default_factory=dict)

    @property
    def error_rate(self):
        return percent(self.errors, self.calls - self.unauthenticated)

    def percentile(self, p: int) -> float | None:
        """Upper bound (ms) of the latency bucket holding the p-th percentile call."""
        if not self.calls:
            return None
        rank = -(-self.calls * p // 100)  # ceil: the nearest-rank definition
        seen = 0
        for bound in sorted(self.buckets):
            seen += self.buckets[bound]
            if seen >= rank:
                return bound
        return None

    @property
    def p50(self):
        return self.percentile(50)

    @property
    def p95(self):
        return self.percentile(95)

    @property
    def p99(self):
        return self.percentile(99)


def percent(part: int, whole: int):
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01")) if whole else None


def _call_filter(filters: ReportFilters) -> Q:
    q = Q(day__gte=filters.date_from, day__lte=filters.date_to)
    if filters.integration_id:
        q &= Q(integration_id=filters.integration_id)
    return q


def endpoint_stats(filters: ReportFilters) -> list[EndpointStats]:
    stats: dict[tuple, EndpointStats] = {}
    for r in (DailyCallStat.objects.filter(_call_filter(filters))
              .values("provider", "endpoint", "direction", "latency_bucket_ms").order_by()
              .annotate(calls=Sum("calls"), errors=Sum("errors"), refused=Sum("unauthenticated"))):
        key = (r["provider"], r["endpoint"], r["direction"])
        entry = stats.setdefault(key, EndpointStats(*key))
        entry.calls += r["calls"]
        entry.errors += r["errors"]
        entry.unauthenticated += r["refused"]
        entry.buckets[r["latency_bucket_ms"]] = entry.buckets.get(r["latency_bucket_ms"], 0) + r["calls"]
    return sorted(stats.values(), key=lambda s: (-s.calls, s.provider, s.endpoint))


def calls_per_day(filters: ReportFilters) -> list[dict]:
    rows = list(DailyCallStat.objects.filter(_call_filter(filters)).values("day").order_by("day")
                .annotate(calls=Sum("calls"), errors=Sum("errors"), refused=Sum("unauthenticated")))
    for row in rows:
        row["error_rate"] = percent(row["errors"], row["calls"] - row["refused"])
    return rows


def call_totals(filters: ReportFilters) -> dict:
    """Calls and the provider's errors among the authenticated ones; calls refused before
    authentication (anyone's junk) are counted apart and left out of the error rate."""
    totals = DailyCallStat.objects.filter(_call_filter(filters)).aggregate(
        calls=Sum("calls"), errors=Sum("errors"), unauthenticated=Sum("unauthenticated"))
    calls, errors, refused = totals["calls"] or 0, totals["errors"] or 0, totals["unauthenticated"] or 0
    authenticated = calls - refused
    return {"calls": authenticated, "errors": errors, "error_rate": percent(errors, authenticated),
            "unauthenticated": refused}


def latency_label(bound: float | None) -> str:
    if bound is None:
        return "–"
    if bound >= LATENCY_OVERFLOW_MS:
        return "> 60000"
    return f"≤ {bound:g}"


# --- wallets, limits, liability ---------------------------------------------------------------


def wallets_below_zero(filters: ReportFilters | None = None):
    wallets = Account.objects.filter(kind=AccountKind.WALLET, balance__lt=0)
    if filters and filters.currency:
        wallets = wallets.filter(currency_id=filters.currency)
    return wallets.select_related("player").order_by("balance", "pk")


def liability_per_currency() -> list[dict]:
    """What the operator owes players: the sum of wallet balances (negative ones included)."""
    return list(Account.objects.filter(kind=AccountKind.WALLET).values("currency_id").order_by("currency_id")
                .annotate(liability=Sum("balance"), wallets=Count("pk"),
                          below_zero=Count("pk", filter=Q(balance__lt=0))))


def limit_refusals(filters: ReportFilters):
    refusals = LimitRefusal.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end)
    if filters.integration_id:
        refusals = refusals.filter(integration_id=filters.integration_id)
    if filters.currency:
        refusals = refusals.filter(wallet__currency_id=filters.currency)
    return refusals


def limit_refusal_summary(filters: ReportFilters) -> list[dict]:
    return list(limit_refusals(filters).values("wallet__currency_id", "limit_kind").order_by("wallet__currency_id",
                                                                                               "limit_kind")
                .annotate(refusals=Count("pk"), amount=Sum("amount"), players=Count("wallet__player_id",
                                                                                     distinct=True)))


# --- reconciliation (the transfers app may provide the model) ----------------------------------


RECONCILIATION_MODELS = (("transfers", "ReconciliationDifference"), ("transfers", "ReconciliationMismatch"))


def reconciliation_model():
    """The transfer-mode reconciliation differences model, when the transfers app has one."""
    for app_label, name in RECONCILIATION_MODELS:
        try:
            return apps.get_model(app_label, name)
        except LookupError:
            continue
    return None


def transfers_needing_attention():
    """Transfer orders in "needs attention" (no positive evidence either way, staff decide), or
    None when there is no transfers app."""
    try:
        model = apps.get_model("transfers", "TransferOrder")
    except LookupError:
        return None
    return model.objects.filter(state="attention")


def open_reconciliation_differences():
    """The open differences queryset, or None when there is no such model yet."""
    model = reconciliation_model()
    if model is None:
        return None
    fields = {f.name for f in model._meta.get_fields()}
    rows = model.objects.all()
    if "resolved_at" in fields:
        rows = rows.filter(resolved_at__isnull=True)
    elif "resolved" in fields:
        rows = rows.filter(resolved=False)
    elif "status" in fields:
        rows = rows.filter(status="open")
    return rows


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def per_currency_sums(date_from: dt.date, date_to: dt.date) -> dict[str, dict]:
    """Bets and GGR per currency between two days (inclusive), from the aggregates."""
    return {r["currency_id"]: _with_ggr(r) for r in
            DailyGameStat.objects.filter(day__gte=date_from, day__lte=date_to).values("currency_id").order_by()
            .annotate(**_money_sums())}


def grouped(rows, key):
    out = defaultdict(list)
    for row in rows:
        out[row[key]].append(row)
    return out


def system_account_balances(account_ids: list[int]) -> dict[int, int]:
    """Credits minus debits of each system account: its daily sums (DailyAccountTotal, kept by
    the refresh under the transfers' mark) plus the transfers not counted yet (above the mark, or
    skipped ids the refresh still waits for). Exact at any size, as quick as the refresh is
    current: the uncounted rows are a primary-key range, never an account's whole history.

    The mark is passed as a number (so the planner sees how small the range is) and read again in
    the same statement as the sums: if a refresh moved it in between, the sums are read again."""
    from wallet.models import Transfer

    from .aggregation import TRANSFERS, cursor_position
    from .models import DailyAccountTotal, PendingSourceId

    if not account_ids:
        return {}
    qn = connection.ops.quote_name
    totals, transfers = qn(DailyAccountTotal._meta.db_table), qn(Transfer._meta.db_table)
    cursors, pending = qn(AggregateCursor._meta.db_table), qn(PendingSourceId._meta.db_table)
    ids = ", ".join(["%s"] * len(account_ids))
    sql = f"""
        WITH fresh AS (
            SELECT debit_account_id, credit_account_id, amount FROM {transfers} WHERE id > %s
            UNION ALL
            SELECT debit_account_id, credit_account_id, amount FROM {transfers}
            WHERE id <= %s AND id IN (SELECT source_id FROM {pending} WHERE source = %s)
        )
        SELECT account_id, SUM(net) FROM (
            SELECT account_id, credits - debits AS net FROM {totals} WHERE account_id IN ({ids})
            UNION ALL
            SELECT credit_account_id, amount FROM fresh WHERE credit_account_id IN ({ids})
            UNION ALL
            SELECT debit_account_id, -amount FROM fresh WHERE debit_account_id IN ({ids})
            UNION ALL
            SELECT -1, last_id FROM {cursors} WHERE source = %s
        ) moves GROUP BY account_id"""
    for _attempt in range(5):
        mark = cursor_position(TRANSFERS)
        with connections[read_alias(DailyGameStat)].cursor() as cursor:
            cursor.execute(sql, [mark, mark, TRANSFERS, *account_ids, *account_ids, *account_ids, TRANSFERS])
            found = {account_id: int(net) for account_id, net in cursor.fetchall()}
        if found.pop(-1, 0) == mark:
            break
    return {account_id: found.get(account_id, 0) for account_id in account_ids}
