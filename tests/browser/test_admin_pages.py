"""Issue 13, staff: at 1280×800 every busy admin list fits the screen, amounts read in currency
units with the currency's code, and call statuses stay inside their badge. Screenshots go to
docs/screenshots/ on request (SAVE_SCREENSHOTS=1)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from providers.calllog import CallRecord, call_log_write
from tests.conftest import funded_wallet
from tests.factories import OppiIntegrationFactory, PlayerFactory, UserFactory
from wallet import gameplay, services
from wallet.gameplay import GameCall
from wallet.models import LimitKind, LimitRefusal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def busy_back_office():
    admin = UserFactory(username="admin", password="admin-demo-pass", is_staff=True, is_superuser=True)
    oppi = OppiIntegrationFactory(code="oppi-demo-long-code", api_key="k", secret="s")
    player = PlayerFactory(external_id="CLi3000001", username="Mikha")
    wallet = funded_wallet(player, "IDR", "25225.00")
    call = GameCall(integration_id=oppi.pk, player=player, external_id="oppi-bet-0001-aaaa-bbbb-cccc", currency="IDR",
                    fingerprint="f")
    gameplay.bet_place(call, ticket="oppi-bet-0001-aaaa-bbbb-cccc", amount=15_500 * 10**5 // 1000)  # 15.50
    services.wallet_adjust(wallet=wallet, amount=1_550_000, key="adj-1", actor=admin,
                           memo="Goodwill credit after the outage of the Oppi crash game on Sunday evening")
    LimitRefusal.objects.create(wallet=wallet, integration=oppi, limit_kind=LimitKind.DAILY_LOSS, limit=10**7,
                                used_today=9 * 10**6, amount=5 * 10**6, external_id="oppi-bet-0002-aaaa-bbbb-cccc",
                                created_at=timezone.now())
    for status in ("RS_OK", "RS_ERROR_INVALID_SIGNATURE", "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"):
        call_log_write(CallRecord(provider="oppi", endpoint="transaction/rollback", integration_id=oppi.pk,
                                  status_code=status, player_external_id="CLi3000001",
                                  txn_id="oppi-rollback-0003-aaaa-bbbb-cccc-dddd"))
    return admin


def _sign_in(page, base_url):
    page.goto(base_url + "/admin/login/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-demo-pass")
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()


def _fits(page):
    """Nothing in the list sticks out of the window: no column is cut off or needs a scroll."""
    return page.evaluate("""() => {
        const table = document.querySelector('#result_list');
        const box = document.querySelector('#changelist .results');
        const right = Math.min(window.innerWidth, box.getBoundingClientRect().right) + 1;
        const cells = [...table.querySelectorAll('th, td')];
        return {scroll: document.documentElement.scrollWidth, hidden: box.scrollWidth - box.clientWidth,
                outside: cells.filter(c => c.getBoundingClientRect().right > right)
                              .map(c => c.textContent.trim()).slice(0, 5)};
    }""")


LISTS = [
    ("wallet/transfer", "admin-transfers", ["from → to", "memo / by", "amount"], "15.50 IDR"),
    ("wallet/gametransaction", "admin-game-transactions", ["amount", "player"], "15.50 IDR"),
    ("wallet/limitrefusal", "admin-limit-refusals", ["refused bet", "used today", "limit"], "50.00 IDR"),
    ("wallet/wallet", "admin-wallets", ["balance", "daily bet limit"], "25,225.00 IDR"),
    ("lobby/game", "admin-games", ["enabled", "name"], "Joker Slot"),
    ("providers/calllog", "admin-call-log", ["status", "call", "player"], "RS_ERROR_TRANSACTION_DOES_NOT_EXIST"),
]


def test_admin_lists_fit_1280_and_show_currency_amounts(live_server, chromium, busy_back_office, screenshot):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        _sign_in(page, live_server.url)
        for path, name, headers, sample in LISTS:
            page.goto(f"{live_server.url}/admin/{path}/")
            for header in headers:
                expect(page.locator("#result_list thead")).to_contain_text(header, ignore_case=True)
            expect(page.locator("#result_list tbody")).to_contain_text(sample)
            screenshot(page, name)
            fit = _fits(page)
            assert fit["scroll"] <= 1280 and fit["hidden"] <= 0 and fit["outside"] == [], (path, fit)
        # Each status badge holds its whole code on one line.
        page.goto(f"{live_server.url}/admin/providers/calllog/")
        badges = page.locator("#result_list td.field-status_badge span")
        for i in range(badges.count()):
            box = badges.nth(i).evaluate("e => [e.scrollWidth, e.clientWidth, e.getClientRects().length]")
            assert box[0] <= box[1] and box[2] == 1, box
    finally:
        context.close()


def test_transfer_detail_reads_in_currency_units(live_server, chromium, busy_back_office, screenshot):
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    try:
        _sign_in(page, live_server.url)
        page.goto(f"{live_server.url}/admin/wallet/transfer/?kind=adjustment")
        page.locator("#result_list tbody tr th a").first.click()
        amount = page.locator(".field-amount_display .readonly")
        expect(amount).to_have_text("15.50 IDR")
        expect(page.locator("#content")).not_to_contain_text("1550000")
        expect(page.locator(".field-memo")).to_contain_text("Goodwill credit")
        screenshot(page, "admin-transfer-detail")
        assert timezone.now() - dt.timedelta(minutes=5) < timezone.now()
    finally:
        context.close()
