"""The admin index's tiles: money for finance (reports.view_reports), operations for all staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from . import aggregation, embedded, selectors
from .filters import ReportFilters, default_days, default_period
from .views import PERMISSION, hold_text, money_text


@dataclass
class Tile:
    title: str
    url: str | None = None
    big: str | None = None  # one headline figure
    rows: list[list] = field(default_factory=list)  # a small table: [label, value, ...]
    header: list[str] = field(default_factory=list)
    note: str = ""
    alert: bool = False
    wide: bool = False


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.date
    end: dt.date  # inclusive
    previous_start: dt.date
    previous_end: dt.date
    previous_label: str


def default(today: dt.date) -> Period:
    """The period the dashboard and the reports open on (filters.default_period), against as many
    days just before it."""
    start, end = default_period(today)
    days = default_days()
    return Period(f"Last {days} days", start, end, start - dt.timedelta(days=days), start - dt.timedelta(days=1),
                  f"the {days} days before")


def periods(today: dt.date) -> list[Period]:
    """The default period first (its tile opens the reports on the same period), then today and yesterday."""
    yesterday = today - dt.timedelta(days=1)
    return [
        default(today),
        Period("Today", today, today, yesterday, yesterday, "yesterday"),
        Period("Yesterday", yesterday, yesterday, yesterday - dt.timedelta(days=1), yesterday - dt.timedelta(days=1),
               "the day before"),
    ]


def change_text(current: int, previous: int) -> tuple[str, str]:
    """The change against the previous period as text and a css class ("up", "down", "")."""
    if not previous:
        return ("new" if current else "–"), ""
    change = (Decimal(current - previous) * 100 / abs(Decimal(previous))).quantize(Decimal("0.1"))
    return f"{change:+}%", ("up" if change > 0 else "down" if change < 0 else "")


def _link(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _report_url(user, slug: str, fallback: str | None = None) -> str | None:
    if user.has_perm(PERMISSION):
        return reverse("reports:overview") if slug == "overview" else reverse("reports:page", args=[slug])
    return fallback


def money_tiles(today: dt.date) -> list[Tile]:
    digits = selectors.currency_digits()
    tiles = []
    opening = default(today)
    for period in periods(today):
        current = selectors.per_currency_sums(period.start, period.end)
        previous = selectors.per_currency_sums(period.previous_start, period.previous_end)
        # The default period's tile opens the reports as they open by themselves (no dates in the link).
        query = "" if period == opening else f"?date_from={period.start.isoformat()}&date_to={period.end.isoformat()}"
        tile = Tile(f"GGR {period.label.lower()}", url=reverse("reports:overview") + query, wide=True,
                    header=["", "GGR", "Bets", "Hold", f"GGR vs {period.previous_label}"])
        for currency in sorted(set(current) | set(previous)):
            now_row = current.get(currency) or {"ggr": 0, "bets": 0}
            before = previous.get(currency) or {"ggr": 0, "bets": 0}
            change, css = change_text(now_row["ggr"], before["ggr"])
            hold = selectors.hold_percent(now_row["ggr"], now_row["bets"], currency)
            tile.rows.append([currency, money_text(now_row["ggr"], digits.get(currency, 2)),
                              money_text(now_row["bets"], digits.get(currency, 2)), hold_text(hold), (change, css)])
        if not tile.rows:
            tile.note = "No game transfers in this period."
        tiles.append(tile)
    liability = Tile("Player liability", url=_report_url_for_wallets(), header=["", "Owed to players", "Wallets"],
                     note="Sum of wallet balances: what the operator owes players.")
    for row in selectors.liability_per_currency():
        liability.rows.append([row["currency_id"], money_text(row["liability"], digits.get(row["currency_id"], 2)),
                               row["wallets"]])
    tiles.append(liability)
    return tiles


def _report_url_for_wallets() -> str | None:
    return _link("admin:wallet_wallet_changelist")


def operations_tiles(user, today: dt.date) -> list[Tile]:
    day = ReportFilters(date_from=today, date_to=today)
    active = selectors.active_players(day)
    calls = selectors.call_totals(day)
    below_zero = selectors.wallets_below_zero().count()
    tiles = [
        Tile("Active players today", url=_report_url(user, "players"), big=str(active),
             note="Players with a game transfer today (UTC)."),
        Tile("Callback error rate today", url=_report_url(user, "callbacks", _link("admin:providers_calllog_changelist")),
             big=f"{calls['error_rate']}%" if calls["error_rate"] is not None else "–",
             note=f"{calls['errors']} errors in {calls['calls']} calls; "
                  f"{calls['unauthenticated']} refused before authentication (not counted)",
             alert=bool(calls["errors"])),
        Tile("Wallets below zero", url=_report_url(user, "wallets-below-zero", _link("admin:wallet_wallet_changelist")),
             big=str(below_zero), alert=below_zero > 0, note="Left below zero by a rollback of a paid win."),
    ]
    attention = selectors.transfers_needing_attention()
    if attention is not None:
        waiting = attention.count()
        url = _link("admin:transfers_transferorder_changelist")
        tiles.append(Tile("Transfers needing attention", url=f"{url}?state__exact=attention" if url else None,
                          big=str(waiting), alert=waiting > 0,
                          note="Sent to a provider, outcome not proven: finance decides each with a reason."))
    differences = selectors.open_reconciliation_differences()
    tiles.append(Tile("Open reconciliation differences", url=_report_url(user, "reconciliation"),
                      big=str(differences.count()) if differences is not None else "–",
                      alert=bool(differences is not None and differences.count()),
                      note="" if differences is not None else "Available once transfer-wallet reconciliation exists."))
    return tiles


def dashboard(user, *, now: dt.datetime | None = None) -> dict:
    if not (user.is_active and user.is_staff):
        return {"tiles": []}
    embedded.ensure_ticker()  # without a worker: a background refresh, never this request
    today = (now or timezone.now()).astimezone(dt.UTC).date()
    finance = user.has_perm(PERMISSION)
    tiles = (money_tiles(today) if finance else []) + operations_tiles(user, today)
    opening = default(today)
    return {"tiles": tiles, "finance": finance, "reports_url": reverse("reports:overview") if finance else None,
            "period": opening if finance else None, "hold_min": selectors.hold_min_text() if finance else "",
            "freshness": aggregation.lag_note(now) if finance else ""}
