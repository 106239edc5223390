"""A player's evening, in a real browser: sign in, play a 1G round and an Oppi round, each in the
lobby's frame, in the sandbox, and see the new balances in the lobby. Ops then look at the wallets."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory
from tests.lobby.sandbox_world import sandbox_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base_url, username, password):
    page.goto(base_url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")


def _balance(page, currency):
    return page.locator(f'.balance[data-currency="{currency}"] .amt')


def test_player_plays_a_round_with_each_provider_and_sees_the_new_balance(live_server, browser_page):
    world = sandbox_world(live_server.url)
    page = browser_page
    _sign_in(page, live_server.url, "mikha", "demo-pass-1")
    expect(page.locator("h1")).to_contain_text("Hello, Mikha")
    expect(_balance(page, "IDR")).to_have_text("1500.00")
    expect(page.locator('.card[data-integration="onegaming-demo"]')).to_have_count(20)  # the seed's 1G catalogue

    # 1G in a frame: the sandbox lobby validates the l_token with us, then we bet and win.
    page.locator('.card[data-integration="onegaming-demo"][data-game="601"] button').click()
    frame = page.frame_locator("#game-frame")
    expect(frame.locator("#sandbox-status")).to_contain_text("igPokerValidation → OK")
    frame.locator("input[name=amount]").fill("10")
    frame.locator("#sandbox-bet").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("bet → OK")
    expect(frame.locator("#sandbox-balance")).to_have_text("1490.00 IDR")
    frame.locator("#sandbox-win").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("win → OK")
    expect(frame.locator("#sandbox-balance")).to_have_text("1510.00 IDR")
    page.click("text=← Back to games")
    expect(_balance(page, "IDR")).to_have_text("1510.00")

    # Oppi in the same frame, playing with the USD wallet.
    page.select_option("#pref-currency", "USD")
    page.click("form[action$='/preferences/'] button")
    page.locator('.card[data-integration="oppi-demo"][data-game="oppi-crash"] button').click()
    frame = page.frame_locator("#game-frame")
    expect(frame.locator("#sandbox-balance")).to_have_text("100.00 USD")
    frame.locator("input[name=amount]").fill("5")
    frame.locator("#sandbox-bet").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("bet → RS_OK")
    frame.locator("#sandbox-win").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("win → RS_OK")
    expect(frame.locator("#sandbox-balance")).to_have_text("105.00 USD")
    page.locator("#back-to-lobby").click()
    expect(_balance(page, "USD")).to_have_text("105.00")
    expect(_balance(page, "IDR")).to_have_text("1510.00")
    assert world.player.launches.count() == 2


def test_admin_sees_the_wallets(live_server, browser_page, screenshot):
    sandbox_world(live_server.url)
    UserFactory(username="admin", password="admin-demo-pass", is_staff=True, is_superuser=True)
    page = browser_page
    page.goto(live_server.url + "/admin/login/?next=/admin/wallet/wallet/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", "admin-demo-pass")
    page.click("input[type=submit]")
    expect(page.locator("#result_list")).to_contain_text("CLi3000001")
    screenshot(page, "admin-wallets")
