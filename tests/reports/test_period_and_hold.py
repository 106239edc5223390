"""Issue 25, point 8: the dashboard and the reports open on the same default period and name it;
hold is a percentage with one decimal, and "—" when the bets are under the currency's minimum
(settings.REPORTS_HOLD_MIN_BETS, in currency units). Oracles: the ledger's own sums (ledger_sums)
and the issue's formula hold = GGR ÷ bets, written here."""

import csv
import datetime as dt
import io
import re
from decimal import ROUND_HALF_EVEN, Decimal

import pytest
from django.urls import reverse

from .conftest import DAY, NOW, UNIT, clock, ledger_sums, play

TODAY = NOW.date()  # 2026-03-15
YESTERDAY = (NOW - DAY).date()


@pytest.fixture
def finance_client(client, finance_staff, played, settings):
    settings.REPORTS_REFRESH_ON_VIEW = True
    client.force_login(finance_staff)
    return client


def get(client, path, **params):
    with clock(NOW):
        response = client.get(path, params)
    assert response.status_code == 200
    return response


def totals_cells(html: str) -> dict[str, list[str]]:
    """The "Totals per currency" table: currency -> its cells, as shown."""
    table = html.split("Totals per currency", 1)[1].split("</table>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, re.DOTALL):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        if cells:
            rows[cells[0]] = cells
    return rows


def hold_column(html: str) -> int:
    table = html.split("Totals per currency", 1)[1]
    headers = re.findall(r"<th>(.*?)</th>", table.split("</thead>", 1)[0])
    return headers.index("Hold")


def expected_hold(currency: str, day: dt.date) -> str:
    sums = ledger_sums(date_from=day, date_to=day, currency=currency)[currency]
    ggr = sums["bets"] - sums["wins"] - sums["rewards"] + sums["reclaims"] - sums["refunds"]
    percent = (Decimal(ggr) * 100 / Decimal(sums["bets"])).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    return f"{percent}%"


def test_hold_is_a_percentage_with_one_decimal_and_a_dash_when_the_bets_are_under_the_minimum(finance_client):
    # Yesterday: IDR bets 20.00 (over the default minimum of 10), USD bets 5 + 4 = 9.00 (under it).
    html = get(finance_client, reverse("reports:overview"), date_from=YESTERDAY, date_to=YESTERDAY).content.decode()
    cells, at = totals_cells(html), hold_column(html)
    assert cells["IDR"][at] == expected_hold("IDR", YESTERDAY) == "100.0%"
    assert cells["USD"][at] == "—"
    assert "under 10 in any currency" in html  # the page says the rule


def test_the_minimum_is_a_setting_with_a_default_and_per_currency_values(finance_client, settings):
    settings.REPORTS_HOLD_MIN_BETS = {"default": "1", "IDR": "50"}
    html = get(finance_client, reverse("reports:overview"), date_from=YESTERDAY, date_to=YESTERDAY).content.decode()
    cells, at = totals_cells(html), hold_column(html)
    assert cells["USD"][at] == expected_hold("USD", YESTERDAY) == "-66.7%"  # GGR -6.00 on 9.00 of bets
    assert cells["IDR"][at] == "—"  # 20.00 IDR is under IDR's own 50
    assert "50 IDR; 1 in any other currency" in html


def test_the_csv_leaves_a_meaningless_hold_empty(finance_client):
    response = get(finance_client, reverse("reports:overview"), date_from=YESTERDAY, date_to=YESTERDAY, export="totals")
    rows = {r["currency"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows["IDR"]["hold"] == "100.0" and rows["USD"]["hold"] == ""


def test_a_tiny_stake_and_a_big_win_show_a_dash_not_a_huge_percentage(finance_client, onegaming):
    """The walk's "−13452914169.4": a stake of 0.00001 USD and a win of 13.45291 USD."""
    from wallet.models import Player

    bob = Player.objects.get(external_id="BOB")
    day = NOW - 10 * DAY
    play(onegaming, bob, "USD", "tiny", stake=1, win=1_345_291, game="301", at=day)
    html = get(finance_client, reverse("reports:overview"), date_from=day.date(), date_to=day.date()).content.decode()
    cells, at = totals_cells(html), hold_column(html)
    assert cells["USD"][at] == "—"
    assert "134529" not in html.split("Totals per currency", 1)[1]
    games = get(finance_client, reverse("reports:page", args=["games"]), date_from=day.date(),
                date_to=day.date()).content.decode()
    assert "134529" not in games and "—" in games


def test_the_dashboard_and_the_reports_open_on_the_same_named_period(finance_client):
    start = TODAY - dt.timedelta(days=29)
    dashboard = get(finance_client, reverse("admin:index")).content.decode()
    assert re.search(r'id="dashboard-period">Period: <strong>Last 30 days</strong>, '
                     rf"{start.isoformat()} to {TODAY.isoformat()}", dashboard)
    # The period's tile opens the reports as they open by themselves: no dates in its link.
    tile = re.search(r'<a class="tile[^"]*" href="([^"]*)">\s*<h3>GGR last 30 days</h3>', dashboard)
    assert tile and tile.group(1) == reverse("reports:overview")
    report = get(finance_client, reverse("reports:overview")).content.decode()
    assert re.search(rf'<strong id="period-name">Last 30 days</strong>: {start.isoformat()} to {TODAY.isoformat()}',
                     report)
    # Its numbers are the ledger's over that period (the tile's IDR GGR and the report's agree).
    sums = ledger_sums(date_from=start, date_to=TODAY, currency="IDR")["IDR"]
    ggr = Decimal(sums["bets"] - sums["wins"] - sums["rewards"] + sums["reclaims"] - sums["refunds"]) / UNIT
    assert f"{ggr:,.2f}" in totals_cells(report)["IDR"]
    assert f"{ggr:,.2f}" in dashboard.split("GGR last 30 days", 1)[1].split("</table>", 1)[0]


def test_the_default_period_is_a_setting_both_pages_follow(finance_client, settings):
    settings.REPORTS_DEFAULT_DAYS = 7
    start = TODAY - dt.timedelta(days=6)
    dashboard = get(finance_client, reverse("admin:index")).content.decode()
    assert f"<strong>Last 7 days</strong>, {start.isoformat()} to {TODAY.isoformat()}" in dashboard
    report = get(finance_client, reverse("reports:page", args=["games"])).content.decode()
    assert f'<strong id="period-name">Last 7 days</strong>: {start.isoformat()} to {TODAY.isoformat()}' in report


def test_other_periods_are_named_too(finance_client):
    today = get(finance_client, reverse("reports:overview"), date_from=TODAY, date_to=TODAY).content.decode()
    assert '<strong id="period-name">Today</strong>' in today
    yesterday = get(finance_client, reverse("reports:overview"), date_from=YESTERDAY,
                    date_to=YESTERDAY).content.decode()
    assert '<strong id="period-name">Yesterday</strong>' in yesterday
    chosen = get(finance_client, reverse("reports:overview"), date_from="2026-03-02",
                 date_to="2026-03-05").content.decode()
    assert '<strong id="period-name">Chosen period</strong>: 2026-03-02 to 2026-03-05' in chosen
