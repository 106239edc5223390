"""Issue 25: the site sends a Content-Security-Policy, and the admin, the reports' charts and the
API docs still work under it (the lobby and the sandbox games: test_lobby_browser.py). The
browser_page fixture fails a test on any CSP refusal that Chromium reports."""

import pytest
from playwright.sync_api import expect

from providers.calllog import CallRecord, call_log_write
from reports import aggregation
from tests.factories import PlayerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_reports_a_refused_inline_script(live_server, chromium):
    """The recorder in browser_page sees refusals: an inline script without the nonce is one."""
    context = chromium.new_context()
    page = context.new_page()
    seen = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(live_server.url + "/login/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                             document.body.appendChild(s); }""")
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.ran") is None and seen
    context.close()


def test_admin_reports_and_api_docs_work_under_the_policy(live_server, browser_page, settings):
    UserFactory(username="admin", password="admin-demo-pass", is_staff=True, is_superuser=True)
    player = PlayerFactory(external_id="CLi3000001", username="Mikha")
    for status in ("OK", "INVALID_SIGNATURE"):  # something for the callbacks chart to draw
        call_log_write(CallRecord(provider="onegaming", endpoint="balance", status_code=status))
    aggregation.refresh()  # as the minute refresh would have (pages never refresh)
    page = browser_page
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-demo-pass")
    page.click("input[type=submit]")
    expect(page.locator(".dashboard-tiles")).to_contain_text("Callback error rate today")
    page.goto(f"{live_server.url}/admin/wallet/player/{player.pk}/change/")
    expect(page.locator("#overview-launches")).to_be_visible()
    page.goto(live_server.url + "/admin/reports/callbacks/")
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('calls-chart'))")
    page.goto(live_server.url + "/api/docs")  # staff signed in: allowed whether published or not
    expect(page.get_by_text("/api/oppi/transaction/bet").first).to_be_attached(timeout=30_000)
    page.goto(live_server.url + "/api/docs/swagger")
    expect(page.get_by_text("/api/onegaming/bet").first).to_be_attached(timeout=30_000)
