"""Report pages for finance and admin staff: filters, charts, tables and a CSV of every table.

Views stay thin: the numbers come from reports.selectors (aggregate tables); each page names
its tables once, and the same rows feed the HTML and the CSV (`?export=<table>`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.registry import success_codes
from wallet.money import UNITS_PER_WHOLE, from_units, quantize_for

from . import aggregation, embedded, selectors
from .filters import ReportFilters, filters_from_request, period_name

PERMISSION = "reports.view_reports"
HTML_ROWS = 100  # rows per HTML page; the CSV has them all


@dataclass(frozen=True)
class Column:
    name: str  # CSV header and row key
    label: str
    money: bool = False  # ledger units: shown with the row's currency digits, exported exact


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    source: object  # the rows, a function giving them, or a queryset (paged in the database)
    paged: bool = False
    note: str = ""
    transform: object = None  # applied to each row of a queryset source as it is shown or exported

    @cached_property
    def rows(self) -> list[dict]:
        if isinstance(self.source, QuerySet):
            return self.shape(self.source)
        return self.source() if callable(self.source) else self.source

    def shape(self, rows) -> list[dict]:
        return [self.transform(r) for r in rows] if self.transform else list(rows)

    def page(self, number) -> tuple[list[dict], object]:
        """The rows of one HTML page and the page (None when everything fits on one)."""
        if isinstance(self.source, QuerySet) and self.paged:
            page = Paginator(self.source, HTML_ROWS).get_page(number)
            return self.shape(page.object_list), (page if page.paginator.num_pages > 1 else None)
        rows = self.rows
        if self.paged and len(rows) > HTML_ROWS:
            page = Paginator(rows, HTML_ROWS).get_page(number)
            return page.object_list, page
        return rows, None


def money_text(units: int | None, digits: int) -> str:
    """Ledger units in currency units with the currency's digits (floored), grouped by thousands."""
    if units is None:
        return ""
    return f"{quantize_for(units, digits):,}"


def hold_text(hold) -> str:
    """Hold % on a page: a percentage with one decimal, "—" when there is none to show (no bets,
    or bets below the currency's minimum: selectors.hold_percent)."""
    return "—" if hold is None else f"{hold}%"


def _cell(column: Column, row: dict, digits: dict[str, int]):
    value = row.get(column.name)
    if column.name == "hold":
        return hold_text(value)
    if column.money:
        return money_text(value, digits.get(row.get("currency", ""), 2))
    if value is None:
        return "–"
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def units_text(units: int) -> str:
    """Ledger units as exact decimal text with five fractional digits (integer arithmetic only)."""
    whole, fraction = divmod(abs(units), UNITS_PER_WHOLE)
    return f"{'-' if units < 0 else ''}{whole}.{fraction:05d}"


def chart_amounts(units: list[int]) -> list[str]:
    """Amounts for the charts as exact decimal text (the browser only draws them)."""
    return [str(from_units(u)) for u in units]


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, str):
        return _csv_safe(value)
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


def csv_response(table: Table, filters: ReportFilters) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.name for c in table.columns])
    money = {c.name for c in table.columns if c.money}
    names = [c.name for c in table.columns]
    for row in table.rows:
        # Money exact with five decimals (integer arithmetic); other cells as text, formula-safe.
        writer.writerow([(units_text(row[n]) if row.get(n) is not None else "") if n in money
                         else _csv_value(row.get(n)) for n in names])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    filename = f"{table.name}_{filters.date_from.isoformat()}_{filters.date_to.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _csv_safe(value):
    """No spreadsheet formulas from data (a game name starting with '=' stays text)."""
    if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value):
        return "'" + value
    return value


def _is_number(text: str) -> bool:
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return True




# --- pages --------------------------------------------------------------------------------------


def _names():
    return selectors.integration_codes(), selectors.game_names()


def _game_row(row: dict, integrations: dict, games: dict) -> dict:
    return {
        **row,
        "integration": integrations.get(row["integration_id"], row["integration_id"]),
        "game": row["game_code"],
        "game_name": games.get((row["integration_id"], row["game_code"]), ""),
        "currency": row["currency_id"],
    }


MONEY_COLUMNS = [Column("bets", "Bets", True), Column("wins", "Wins", True), Column("refunds", "Refunds", True),
                 Column("reclaims", "Reclaims", True), Column("rewards", "Rewards", True),
                 Column("ggr", "GGR", True)]


def overview_tables(filters: ReportFilters) -> tuple[list[Table], dict]:
    def totals():
        return [{**r, "currency": r["currency_id"]} for r in selectors.currency_totals(filters)]

    integrations, games = _names()

    def series():
        return {currency: {"days": s["days"], "bets": chart_amounts(s["bets"]), "ggr": chart_amounts(s["ggr"])}
                for currency, s in selectors.daily_series(filters).items()}

    tables = [
        Table("totals", "Totals per currency", [Column("currency", "Currency"), *MONEY_COLUMNS,
                                                Column("hold", "Hold"), Column("rounds", "Rounds"),
                                                Column("players", "Active players")], totals),
        Table("daily", "Per day × integration × game × currency",
              [Column("day", "Day"), Column("integration", "Integration"), Column("game", "Game id"),
               Column("game_name", "Game"), Column("currency", "Currency"), *MONEY_COLUMNS,
               Column("rounds", "Rounds"), Column("players", "Active players")], selectors.daily_game_rows(filters),
              paged=True, transform=lambda r: _game_row(r, integrations, games)),
    ]
    return tables, {"series": series}


def games_tables(filters: ReportFilters) -> tuple[list[Table], dict]:
    integrations, games = _names()
    rows = [_game_row(r, integrations, games) for r in selectors.top_games(filters)]
    chart = {}
    for row in rows:
        entry = chart.setdefault(row["currency"], {"labels": [], "ggr": [], "bets": []})
        if len(entry["labels"]) < 10:
            entry["labels"].append(row["game_name"] or row["game"] or "(no game id)")
            entry["ggr"].append(str(from_units(row["ggr"])))
            entry["bets"].append(str(from_units(row["bets"])))
    return [Table("top_games", "Top games by GGR", [
        Column("currency", "Currency"), Column("integration", "Integration"), Column("game", "Game id"),
        Column("game_name", "Game"), *MONEY_COLUMNS, Column("hold", "Hold"), Column("rounds", "Rounds")],
        rows, paged=True)], {"games_chart": chart}


def players_tables(filters: ReportFilters) -> tuple[list[Table], dict]:
    rows = selectors.new_and_returning(filters)
    chart = {"days": [r["day"].isoformat() for r in reversed(rows)], "new": [r["new"] for r in reversed(rows)],
             "returning": [r["returning"] for r in reversed(rows)]}
    note = ("A player is new on the UTC day of their first game transfer ever (any integration, game or "
            "currency); returning on any later day. Active: at least one game transfer within the filters.")
    return [Table("players", "New and returning players per day", [
        Column("day", "Day"), Column("active", "Active"), Column("new", "New"), Column("returning", "Returning")],
        rows, note=note)], {"players_chart": chart, "active_total": selectors.active_players(filters)}


def callbacks_tables(filters: ReportFilters) -> tuple[list[Table], dict]:
    integrations = selectors.integration_codes()
    endpoints = [{"provider": s.provider, "endpoint": s.endpoint, "direction": s.direction, "calls": s.calls,
                  "errors": s.errors, "error_rate": s.error_rate, "unauthenticated": s.unauthenticated,
                  "p50_ms": selectors.latency_label(s.p50),
                  "p95_ms": selectors.latency_label(s.p95), "p99_ms": selectors.latency_label(s.p99)}
                 for s in selectors.endpoint_stats(filters)]
    days = selectors.calls_per_day(filters)
    note = (f"Error: a status other than the provider's success code ({', '.join(sorted(success_codes()))}) or "
            "HTTP 5xx, among calls whose caller was authenticated; calls refused before authentication (no valid "
            "signature, unknown key or agent, wrong method or path) are counted apart. Latency "
            "percentiles are the upper bound of the duration bucket holding that call (nearest rank).")
    if filters.integration_id:
        note += f" Integration: {integrations.get(filters.integration_id)}."
    return [
        Table("endpoints", "Per provider endpoint", [
            Column("provider", "Provider"), Column("endpoint", "Endpoint"), Column("direction", "Direction"),
            Column("calls", "Calls"), Column("errors", "Errors"), Column("error_rate", "Error %"),
            Column("unauthenticated", "Refused before auth."), Column("p50_ms", "p50 ms"),
            Column("p95_ms", "p95 ms"), Column("p99_ms", "p99 ms")], endpoints, note=note),
        Table("calls_daily", "Calls per day", [Column("day", "Day"), Column("calls", "Calls"),
                                               Column("errors", "Errors"), Column("error_rate", "Error %"),
                                               Column("refused", "Refused before auth.")], days),
    ], {"calls_chart": {"days": [r["day"].isoformat() for r in days], "calls": [r["calls"] for r in days],
                        "errors": [r["errors"] for r in days]}}


def negative_wallets_tables(filters: ReportFilters) -> tuple[list[Table], dict]:
    rows = [{"player": w.player.external_id, "username": w.player.username, "wallet": w.pk,
             "currency": w.currency_id, "balance": w.balance, "floor": w.floor,
             "url": reverse("admin:wallet_wallet_change", args=[w.pk])}
            for w in selectors.wallets_below_zero(filters)]
    note = "Live balances (not limited by the date range): a rollback that took back a paid win left them below zero."
    return [Table("wallets_below_zero", "Wallets below zero", [
        Column("player", "Player id"), Column("username", "Username"), Column("currency", "Currency"),
        Column("balance", "Balance", True), Column("floor", "Floor", True)], rows, paged=True, note=note)], {}


def limit_refusals_tables(filters: ReportFilters) -> tuple[list[Table], dict]:
    integrations = selectors.integration_codes()
    summary = [{"currency": r["wallet__currency_id"], "limit_kind": r["limit_kind"], "refusals": r["refusals"],
                "amount": r["amount"], "players": r["players"]} for r in selectors.limit_refusal_summary(filters)]
    listing = [{"created_at": r.created_at.isoformat(timespec="seconds"), "player": r.wallet.player.external_id,
                "currency": r.wallet.currency_id, "integration": integrations.get(r.integration_id),
                "limit_kind": r.limit_kind, "limit": r.limit, "used_today": r.used_today, "amount": r.amount,
                "external_id": r.external_id}
               for r in selectors.limit_refusals(filters).select_related("wallet__player").order_by("-created_at")]
    return [
        Table("refusals_summary", "Refusals per currency and limit", [
            Column("currency", "Currency"), Column("limit_kind", "Limit"), Column("refusals", "Refused bets"),
            Column("amount", "Refused amount", True), Column("players", "Players")], summary),
        Table("refusals", "Bets refused by a limit", [
            Column("created_at", "When (UTC)"), Column("player", "Player id"), Column("currency", "Currency"),
            Column("integration", "Integration"), Column("limit_kind", "Limit"), Column("limit", "Limit amount", True),
            Column("used_today", "Used that day", True), Column("amount", "Bet", True),
            Column("external_id", "Transaction id")], listing, paged=True),
    ], {}


def reconciliation_tables(filters: ReportFilters) -> tuple[list[Table], dict]:
    model = selectors.reconciliation_model()
    if model is None:
        return [], {"reconciliation_missing": True}
    fields = [f for f in model._meta.concrete_fields]
    rows = list(model.objects.order_by("-pk").values(*[f.attname for f in fields])[:5000])
    columns = [Column(f.attname, str(f.verbose_name)) for f in fields]
    return [Table("reconciliation", "Reconciliation differences", columns, rows, paged=True)], {}


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    build: object
    template: str = "reports/report.html"


REPORTS = [
    Report("overview", "GGR overview", overview_tables),
    Report("games", "Top games", games_tables),
    Report("players", "New vs returning players", players_tables),
    Report("callbacks", "Callbacks", callbacks_tables),
    Report("wallets-below-zero", "Wallets below zero", negative_wallets_tables),
    Report("limit-refusals", "Limit refusals", limit_refusals_tables),
    Report("reconciliation", "Reconciliation", reconciliation_tables),
]
REPORTS_BY_SLUG = {r.slug: r for r in REPORTS}


def _display(table: Table, rows: list[dict], digits: dict[str, int]) -> str:
    """The table body as HTML, built here rather than by a template loop over every cell (a few
    thousand cells render ten times faster this way). Every value is escaped."""
    right = [c.money or c.name in NUMBER_COLUMNS for c in table.columns]
    lines = []
    for row in rows:
        cells = "".join(f'<td class="num">{escape(_cell(c, row, digits))}</td>' if r
                        else f"<td>{escape(_cell(c, row, digits))}</td>" for c, r in zip(table.columns, right, strict=True))
        lines.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(lines))  # noqa: S308 - built from escaped values only


NUMBER_COLUMNS = {"rounds", "players", "active", "new", "returning", "calls", "errors", "error_rate", "hold",
                  "refusals", "p50_ms", "p95_ms", "p99_ms", "unauthenticated", "refused"}


@staff_member_required
@permission_required(PERMISSION, raise_exception=True)
def report_page(request, slug: str = "overview"):
    report = REPORTS_BY_SLUG.get(slug)
    if report is None:
        raise Http404("no such report")
    embedded.ensure_ticker()  # without a worker: a background refresh, never this request
    today = timezone.now().date()
    form, filters = filters_from_request(request, today=today)
    tables, extra = report.build(filters)  # rows and chart data are computed on first use
    export = request.GET.get("export")
    if export:
        table = next((t for t in tables if t.name == export), None)
        if table is None:
            raise Http404("no such table")
        return csv_response(table, filters)
    digits = selectors.currency_digits()
    query = request.GET.copy()
    query.pop("export", None)
    query.pop("page", None)
    shown = []
    for table in tables:
        rows, page = table.page(request.GET.get("page"))
        shown.append({"table": table, "rows": _display(table, rows, digits), "page": page,
                      "csv_url": f"?{_with(query, export=table.name)}"})
    context = {
        **admin.site.each_context(request),
        "title": report.title,
        "report": report,
        "reports": REPORTS,
        "form": form,
        "filters": filters,
        "tables": shown,
        "formula": selectors.GGR_FORMULA,
        "period_name": period_name(filters.date_from, filters.date_to, today),
        "hold_min": selectors.hold_min_text(),
        "freshness": aggregation.lag_note(),
        "query": query.urlencode(),
        "digits": digits,
        **{name: value() if callable(value) else value for name, value in extra.items()},
    }
    return render(request, report.template, context)


def _with(query, **params) -> str:
    q = query.copy()
    for key, value in params.items():
        q[key] = value
    return q.urlencode()
