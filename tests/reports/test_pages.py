"""Every report page shows real numbers from a small played data set; every CSV's totals equal
the ledger's for the same filters (the oracle sums wallet_transfer directly)."""

import csv
import datetime as dt
import io
from collections import defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from providers.models import CallLog
from reports import aggregation
from tests.conftest import funded_wallet
from tests.factories import PlayerFactory
from wallet import gameplay
from wallet.models import Account, LimitRefusal

from .conftest import DAY, NOW, UNIT, call, clock, ledger_sums, play

MONEY = ("bets", "wins", "refunds", "reclaims", "rewards", "ggr")


def page(client, slug="overview", **params):
    path = reverse("reports:overview") if slug == "overview" else reverse("reports:page", args=[slug])
    aggregation.refresh()  # as the minute refresh would have (pages never refresh)
    with clock(NOW):
        return client.get(path, params)


def csv_rows(client, slug, table, **params):
    response = page(client, slug, export=table, **params)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def csv_totals(rows) -> dict:
    totals = defaultdict(lambda: defaultdict(Decimal))
    for row in rows:
        for name in MONEY:
            totals[row["currency"]][name] += Decimal(row[name])
    return {cur: dict(values) for cur, values in totals.items()}


def as_units(totals: dict) -> dict:
    return {cur: {k: int(v * UNIT) for k, v in values.items()} for cur, values in totals.items()}


def oracle(**filters) -> dict:
    return {cur: {k: values.get(k, 0) for k in MONEY} for cur, values in ledger_sums(**filters).items()
            if any(values.get(k, 0) for k in ("bets", "wins", "refunds", "reclaims", "rewards"))}


@pytest.fixture
def finance_client(client, finance_staff, played, settings):
    client.force_login(finance_staff)
    return client


def test_the_overview_states_the_formula_and_shows_the_played_figures(finance_client):
    html = page(finance_client, date_from="2026-03-10", date_to="2026-03-15").content.decode()
    assert "GGR = bets − wins − rewards + reclaims − refunds" in html
    # IDR: bets 10 + 20, wins 25: GGR 5.00. USD: bets 19.12345, wins 12, refunds 12, reclaims 2,
    # rewards 1: GGR −3.87655, shown floored to the currency's two digits.
    assert "30.00" in html and "5.00" in html
    assert "19.12" in html and "-3.88" in html
    assert "chart.umd.min.js" in html and 'id="series-data"' in html


@pytest.mark.parametrize("filters", [
    {},
    {"currency": "USD"},
    {"date_from": "2026-03-14", "date_to": "2026-03-14"},
    {"game": "301"},
    {"game": "crash", "currency": "USD"},
    {"date_from": "2026-03-01", "date_to": "2026-03-13"},
])
def test_csv_totals_equal_the_ledger_for_the_same_filters(finance_client, onegaming, oppi, filters):
    params = {"date_from": "2026-03-01", "date_to": "2026-03-15", **filters}
    expected = oracle(date_from=dt.date.fromisoformat(params["date_from"]),
                      date_to=dt.date.fromisoformat(params["date_to"]), currency=params.get("currency"),
                      game=params.get("game"))
    assert as_units(csv_totals(csv_rows(finance_client, "overview", "daily", **params))) == expected
    assert as_units(csv_totals(csv_rows(finance_client, "overview", "totals", **params))) == expected
    assert as_units(csv_totals(csv_rows(finance_client, "games", "top_games", **params))) == expected


def test_csv_totals_follow_the_integration_filter(finance_client, onegaming, oppi):
    for integration in (onegaming, oppi):
        params = {"date_from": "2026-03-01", "date_to": "2026-03-15", "integration": integration.pk}
        rows = csv_rows(finance_client, "overview", "daily", **params)
        assert {r["integration"] for r in rows} == {integration.code}
        assert as_units(csv_totals(rows)) == oracle(integration_id=integration.pk)


def test_a_rollback_naming_no_game_counts_for_the_bets_game(finance_client):
    rows = csv_rows(finance_client, "overview", "daily", date_from="2026-03-14", date_to="2026-03-14",
                    currency="USD", game="301")
    assert len(rows) == 1
    row = rows[0]
    assert (row["bets"], row["refunds"], row["reclaims"], row["ggr"]) == ("5.00000", "5.00000", "2.00000", "0.00000")


def test_top_games_and_players_pages(finance_client):
    games = page(finance_client, "games", date_from="2026-03-10").content.decode()
    assert "Crash" in games and "ISoftBet" in games  # names from the integration's and the 1G catalogue
    players = csv_rows(finance_client, "players", "players", date_from="2026-03-10")
    by_day = {r["day"]: r for r in players}
    # Alice first played on the 13th, Bob on the 14th: both active (returning) on the 15th.
    assert by_day["2026-03-13"] == {"day": "2026-03-13", "active": "1", "new": "1", "returning": "0"}
    assert by_day["2026-03-14"] == {"day": "2026-03-14", "active": "2", "new": "1", "returning": "1"}
    assert by_day["2026-03-15"] == {"day": "2026-03-15", "active": "2", "new": "0", "returning": "2"}
    daily = csv_rows(finance_client, "overview", "daily", date_from="2026-03-15", date_to="2026-03-15",
                     currency="USD", game="crash")
    assert [(r["rounds"], r["players"]) for r in daily] == [("2", "2")]


def test_callbacks_show_volume_error_rate_and_latency_percentiles(finance_client, onegaming):
    # 100 calls of 1..100 ms, the 5 slowest with an error status: nearest-rank p50 = 50 ms,
    # p95 = 95 ms, p99 = 99 ms; the page gives the upper bound of each one's bucket.
    for ms in range(1, 101):
        CallLog.objects.create(created_at=NOW - dt.timedelta(minutes=ms), provider="onegaming",
                               integration=onegaming, endpoint="bet", status_code="OK" if ms <= 95 else "UNKNOWN_ERROR",
                               duration_ms=ms)
    CallLog.objects.create(created_at=NOW - 3 * DAY, provider="oppi", endpoint="transaction/bet", status_code="RS_OK",
                           http_status=503, duration_ms=5)
    rows = {r["endpoint"]: r for r in csv_rows(finance_client, "callbacks", "endpoints", date_from="2026-03-01")}
    assert rows["bet"]["calls"] == "100" and rows["bet"]["errors"] == "5" and rows["bet"]["error_rate"] == "5.00"
    assert (rows["bet"]["p50_ms"], rows["bet"]["p95_ms"], rows["bet"]["p99_ms"]) == ("≤ 50", "≤ 100", "≤ 100")
    assert rows["transaction/bet"]["errors"] == "1"  # HTTP 5xx is an error whatever the status said
    html = page(finance_client, "callbacks", date_from="2026-03-01").content.decode()
    assert "5.00" in html and 'id="calls-data"' in html


def test_wallets_below_zero_and_bets_refused_by_a_limit(finance_client, onegaming, played):
    carol = PlayerFactory(external_id="CAROL")
    with clock(NOW - 5 * DAY):
        funded_wallet(carol, "USD", "10.00")
    play(onegaming, carol, "USD", "c1", stake=10 * UNIT, win=50 * UNIT, game="301", at=NOW - 3 * DAY)
    play(onegaming, carol, "USD", "c2", stake=45 * UNIT, win=0, game="301", at=NOW - 3 * DAY)
    with clock(NOW - 3 * DAY):
        assert gameplay.ticket_rollback(call(onegaming, carol, "c1-r", "USD", "301"), ticket="c1").applied
    rows = csv_rows(finance_client, "wallets-below-zero", "wallets_below_zero")
    assert [(r["player"], r["balance"]) for r in rows] == [("CAROL", "-35.00000")]
    assert "-35.00" in page(finance_client, "wallets-below-zero").content.decode()

    Account.objects.filter(player=played["bob"], currency_id="USD").update(daily_bet_limit=UNIT)  # 0.12345 already bet today
    with clock(NOW - dt.timedelta(hours=1)):
        refused = gameplay.bet_place(call(onegaming, played["bob"], "b9", "USD", "301", amount=UNIT), ticket="b9",
                                     amount=UNIT)
    assert refused.code is gameplay.Code.LIMIT_REACHED and LimitRefusal.objects.count() == 1
    listing = csv_rows(finance_client, "limit-refusals", "refusals", date_from="2026-03-15")
    assert [(r["player"], r["limit_kind"], r["amount"]) for r in listing] == [("BOB", "daily_bet", "1.00000")]
    summary = csv_rows(finance_client, "limit-refusals", "refusals_summary", date_from="2026-03-15")
    assert summary == [{"currency": "USD", "limit_kind": "daily_bet", "refusals": "1", "amount": "1.00000",
                        "players": "1"}]


def test_the_reconciliation_section_says_so_while_transfers_has_no_model(finance_client):
    html = page(finance_client, "reconciliation").content.decode()
    from reports.selectors import reconciliation_model

    if reconciliation_model() is None:
        assert "not available yet" in html
    else:
        assert "Reconciliation differences" in html


def test_pages_read_the_aggregates_not_the_ledger(finance_client, django_assert_max_num_queries, settings):
    aggregation.refresh()
    # 20 before issue 24; +2 the staff statement_timeout (set, reset), +5 the "how far behind" line.
    with django_assert_max_num_queries(27), clock(NOW):
        assert finance_client.get(reverse("reports:overview")).status_code == 200


def test_a_page_never_refreshes_a_backlog_and_says_how_far_behind_it_is(finance_client, onegaming):
    """Issue 24: rows not counted yet stay uncounted by a page request; the page says so."""
    aggregation.refresh()
    alice = PlayerFactory(external_id="LATE")
    with clock(NOW - DAY):
        funded_wallet(alice, "USD", "10.00")
    play(onegaming, alice, "USD", "late1", stake=UNIT, at=NOW - dt.timedelta(hours=1))
    mark = aggregation.cursor_position(aggregation.TRANSFERS)
    with clock(NOW):
        html = finance_client.get(reverse("reports:overview")).content.decode()
        dashboard = finance_client.get(reverse("admin:index")).content.decode()
    assert aggregation.cursor_position(aggregation.TRANSFERS) == mark  # nothing counted by the requests
    assert "not counted yet" in html and "Figures count the ledger up to" in html
    assert "not counted yet" in dashboard


def test_csv_cells_never_start_a_spreadsheet_formula(finance_client, oppi):
    from tests.factories import GameFactory

    GameFactory(integration=oppi, game_id="evil", name='=HYPERLINK("http://x","y")')
    carol = PlayerFactory(external_id="EVE")
    with clock(NOW - 5 * DAY):
        funded_wallet(carol, "USD", "10.00")
    play(oppi, carol, "USD", "e1", stake=UNIT, win=3 * UNIT, game="evil", at=NOW - DAY)
    rows = csv_rows(finance_client, "overview", "daily", game="evil")
    assert rows[0]["game_name"] == '\'=HYPERLINK("http://x","y")'
    assert rows[0]["ggr"] == "-2.00000"  # a negative number stays a number
