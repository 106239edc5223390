"""Issue 9 "done when": a player deposits into the 1G transfer lobby, plays a round in the sandbox
(against 1G's side of the money), and takes everything back with "Back to my wallet"; balances
checked on the page and in the ledger."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from lobby.models import WalletMode
from providers.sandbox import transfer_api
from tests.factories import OneGamingIntegrationFactory
from tests.lobby.sandbox_world import sandbox_world
from transfers.models import OrderState, TransferOrder
from wallet.checks import ledger_violations
from wallet.models import Account, GameTransaction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
UNITS = 100000


def _sign_in(page, base_url):
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", "mikha")
    page.fill("#id_password", "demo-pass-1")
    page.click("button[type=submit]")


def test_player_deposits_into_the_1g_transfer_lobby_plays_and_takes_it_back(live_server, browser_page, screenshot):
    world = sandbox_world(live_server.url)
    OneGamingIntegrationFactory(code="onegaming-transfer", name="1Gaming transfer wallet (sandbox)",
                                mode=WalletMode.TRANSFER, agent_code="DEMOTR", secret="demo-1g-transfer-secret",
                                api_base_url=f"{live_server.url}/sandbox/onegaming")
    page = browser_page
    _sign_in(page, live_server.url)
    section = page.locator("#transfer-onegaming-transfer")
    expect(section).to_contain_text("Nothing of yours is there yet")
    expect(page.locator('.balance[data-currency="IDR"] .amt').first).to_have_text("1500.00")

    # Take 200.00 IDR in (the one way in: the deposit page); the lobby opens only once 1G (the
    # sandbox) has confirmed the deposit.
    section.get_by_role("button", name="Take money in and open the 1G lobby").click()
    page.locator('input[name="amount"]').fill("200")
    page.get_by_role("button", name="Take in and play").click()
    expect(page.locator(".messages")).to_contain_text("200.00 IDR taken into 1Gaming transfer wallet (sandbox).")
    frame = page.frame_locator("#game-frame")
    expect(frame.locator("#sandbox-status")).to_contain_text("igPokerValidation → OK")
    expect(frame.locator("#sandbox-status")).to_contain_text("balance 200.00")  # 1G's side, as we last know it
    expect(frame.locator("#sandbox-balance")).to_have_text("200.00 IDR")
    wallet = Account.objects.get(player=world.player, currency_id="IDR", kind="wallet")
    assert wallet.balance == 1300 * UNITS

    # A round at 1G's table: bet 50, win x2. Only 1G's side moves; our ledger sees no game round.
    # The lobby opened without a game: the player chooses one in 1G's lobby first.
    expect(frame.locator("#sandbox-game")).to_have_value("")
    frame.locator("#sandbox-game").select_option("601")
    frame.locator("input[name=amount]").fill("50")
    frame.locator("#sandbox-bet").click()
    expect(frame.locator("#sandbox-balance")).to_have_text("150.00 IDR")
    frame.locator("#sandbox-win").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("win → OK")
    expect(frame.locator("#sandbox-balance")).to_have_text("250.00 IDR")
    screenshot(page, "game-onegaming-transfer")
    assert not GameTransaction.objects.exists()

    # Back to my wallet: 1G's whole balance (250.00) comes home.
    page.locator("#back-to-wallet").click()
    expect(page.locator(".messages")).to_contain_text("250.00 IDR is back in your wallet.")
    expect(page.locator('#balances .balance[data-currency="IDR"] .amt')).to_have_text("1550.00")
    expect(section.locator('.balance.held[data-currency="IDR"] .amt')).to_have_text("0.00")
    screenshot(section, "catalogue-transfer")  # element shot

    wallet.refresh_from_db()
    assert wallet.balance == 1550 * UNITS
    orders = list(TransferOrder.objects.order_by("pk").values_list("direction", "amount", "state"))
    assert orders == [("deposit", 200 * UNITS, OrderState.CONFIRMED), ("withdraw", 250 * UNITS, OrderState.CONFIRMED)]
    assert transfer_api.wallet_get("DEMOTR", "CLi3000001")["balance"] == 0
    assert ledger_violations() == []
    assert Decimal(wallet.balance) / UNITS == Decimal("1550")
