"""Finance staff in a real browser: the dashboard's tiles and a report page whose charts are
drawn by the vendored Chart.js (no network: the test run blocks everything but loopback)."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_dashboard_and_report_charts_after_demo_data(live_server, browser_page, settings):
    settings.REPORTS_REFRESH_ON_VIEW = True
    call_command("demo_data", stdout=io.StringIO())
    page = browser_page
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-demo-pass")
    page.click("input[type=submit]")
    expect(page.locator(".dashboard-tiles")).to_contain_text("GGR today")
    expect(page.locator(".dashboard-tiles")).to_contain_text("Player liability")
    expect(page.locator("#content-main")).to_contain_text("Wallet")  # the app list below the tiles

    page.locator(".dashboard-tiles a.tile", has_text="GGR last 30 days").click()
    expect(page.locator(".report-period")).to_contain_text("GGR = bets − wins − rewards + reclaims − refunds")
    drawn = page.evaluate("""() => [...document.querySelectorAll('canvas.series-chart')]
        .map(c => Chart.getChart(c) ? Chart.getChart(c).data.datasets.length : 0)""")
    assert drawn and all(n == 2 for n in drawn)

    page.goto(live_server.url + "/admin/reports/callbacks/")
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('calls-chart'))")
