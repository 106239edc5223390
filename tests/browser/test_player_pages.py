"""Issue 13, players: never stranded on a game page, balances that follow the game, a disabled
account and a staff login told what is going on, plain wording, a one-line header on a phone,
a favicon and a history of the player's own rounds."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PlayerFactory, UserFactory
from tests.lobby.sandbox_world import sandbox_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base_url, username="mikha", password="demo-pass-1"):
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def _balance(page, currency):
    return page.locator(f'.balance[data-currency="{currency}"] .amt')


def _play_oppi_round(page, *, win: bool):
    page.fill("input[name=amount]", "5")
    page.click("#sandbox-bet")
    expect(page.locator("#sandbox-status")).to_contain_text("bet → RS_OK")
    page.click("#sandbox-win" if win else "#sandbox-lose")
    expect(page.locator("#sandbox-status")).to_contain_text(("win" if win else "lose") + " → RS_OK")


def test_oppi_game_page_leads_back_to_the_lobby_after_rounds(live_server, browser_page):
    """A player who chose "Opens in this window": the game has the whole window, and its own way back."""
    sandbox_world(live_server.url)
    page = browser_page
    _sign_in(page, live_server.url)
    page.select_option("#pref-currency", "USD")
    page.select_option("#pref-method", "redirect")
    page.click("form[action$='/preferences/'] button")
    page.get_by_role("button", name="Play Crash").click()
    expect(page).to_have_url(re.compile(r"/sandbox/oppi/play/"))
    _play_oppi_round(page, win=True)
    _play_oppi_round(page, win=False)
    expect(page.locator("#sandbox-balance")).to_have_text("100.00 USD")
    back = page.locator("#sandbox-back")
    expect(back).to_be_visible()
    expect(back).to_have_text("← Back to the lobby")
    # Two rounds later, one press of Back is the lobby (it took three before).
    page.go_back()
    expect(page).to_have_url(live_server.url + "/")
    page.go_forward()
    page.locator("#sandbox-back").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(_balance(page, "USD")).to_have_text("100.00")


def test_framed_game_page_shows_balances_that_follow_the_rounds(live_server, browser_page, screenshot):
    sandbox_world(live_server.url)
    page = browser_page
    _sign_in(page, live_server.url)
    page.get_by_role("button", name="Play 1GPoker P2P").click()
    expect(page.locator("#back-to-lobby")).to_be_visible()
    expect(page.get_by_text("Balances are updated when you go back")).to_have_count(0)
    frame = page.frame_locator("#game-frame")
    expect(frame.locator("#sandbox-status")).to_contain_text("igPokerValidation → OK")
    expect(frame.locator("#sandbox-back")).to_have_count(0)  # issue 25: one back button, the lobby's
    expect(_balance(page, "IDR")).to_have_text("1500.00")
    frame.locator("input[name=amount]").fill("10")
    frame.locator("#sandbox-bet").click()
    expect(frame.locator("#sandbox-balance")).to_have_text("1490.00 IDR")
    # The page around the frame polls the balances: no reload, no going back.
    expect(_balance(page, "IDR")).to_have_text("1490.00", timeout=15_000)
    frame.locator("#sandbox-win").click()
    expect(_balance(page, "IDR")).to_have_text("1510.00", timeout=15_000)
    # The bar's button leaves the game: the whole window is the lobby again.
    page.locator("#back-to-lobby").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("#game-frame")).to_have_count(0)

    # The history lists the round in the wallet's currency.
    page.get_by_role("link", name="History").click()
    rows = page.locator("#history tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Win")
    expect(rows.nth(0)).to_contain_text("+20.00 IDR")
    expect(rows.nth(0)).to_contain_text("1GPoker P2P")
    expect(rows.nth(1)).to_contain_text("Bet")
    expect(rows.nth(1)).to_contain_text("-10.00 IDR")
    screenshot(page, "history")


def test_lobby_balance_follows_a_game_open_in_another_tab(live_server, browser_page):
    world = sandbox_world(live_server.url)
    page = browser_page
    _sign_in(page, live_server.url)
    expect(_balance(page, "IDR")).to_have_text("1500.00")
    game_tab = page.context.new_page()
    game_tab.goto(live_server.url + "/")
    game_tab.get_by_role("button", name="Play Crash").click()  # this tab becomes the game (framed)
    game = game_tab.frame_locator("#game-frame")
    game.locator("input[name=amount]").fill("25")
    game.locator("#sandbox-bet").click()
    expect(game.locator("#sandbox-status")).to_contain_text("bet → RS_OK")
    page.bring_to_front()
    expect(_balance(page, "IDR")).to_have_text("1475.00", timeout=15_000)
    assert world.player.launches.count() == 1


def test_catalogue_wording_and_accessible_play_buttons(live_server, browser_page):
    sandbox_world(live_server.url)
    page = browser_page
    _sign_in(page, live_server.url)
    body = page.locator("main")
    expect(body).not_to_contain_text("opens redirect")
    expect(body).not_to_contain_text("opens in a frame")
    expect(body).not_to_contain_text("· list")
    expect(body).not_to_contain_text("· lobby")
    expect(body).not_to_contain_text("#301")
    expect(page.locator("#provider-onegaming-demo")).to_contain_text("Plays on this page")
    expect(page.locator("#provider-oppi-demo")).to_contain_text("Plays on this page")
    play_buttons = page.locator(".card button")
    count = play_buttons.count()
    assert count == 22
    labels = [play_buttons.nth(i).get_attribute("aria-label") for i in range(count)]
    names = [page.locator(".card .name").nth(i).inner_text() for i in range(count)]
    assert labels == [f"Play {name}" for name in names]
    expect(page.get_by_role("button", name="Play Joker Slot")).to_have_count(1)


def test_favicon_on_player_and_admin_pages(live_server, browser_page):
    page = browser_page
    for path in ("/login/", "/admin/login/"):
        page.goto(live_server.url + path)
        href = page.locator("link[rel=icon]").get_attribute("href")
        answer = page.request.get(live_server.url + href if href.startswith("/") else href)
        assert answer.status == 200, path
        assert answer.headers["content-type"].startswith("image/svg+xml")
        assert b"<svg" in answer.body()


def test_header_stays_on_one_line_on_a_phone(live_server, chromium):
    sandbox_world(live_server.url)
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(20_000)
    page = context.new_page()
    try:
        _sign_in(page, live_server.url)
        header = page.locator("header.site")
        parts = header.locator(":scope > *")
        tops = {round(parts.nth(i).bounding_box()["y"] + parts.nth(i).bounding_box()["height"] / 2)
                for i in range(parts.count()) if parts.nth(i).is_visible()}
        assert len(tops) == 1, tops  # every part of the header is centred on the same line
        assert header.bounding_box()["height"] < 64
        wide = page.evaluate("""[...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > 391).map(e => e.tagName + '.' + e.className + '#' + e.id)""")
        assert wide == []
    finally:
        context.close()


def test_disabled_player_sees_one_styled_notice_and_no_live_button(live_server, browser_page, screenshot):
    sandbox_world(live_server.url)
    user = UserFactory(username="blocked", password="demo-pass-3")
    PlayerFactory(external_id="CLi3000003", username="Blocked", user=user, is_enabled=False)
    from tests.conftest import funded_wallet
    from wallet.models import Player

    funded_wallet(Player.objects.get(external_id="CLi3000003"), "IDR", "10.00")
    page = browser_page
    _sign_in(page, live_server.url, "blocked", "demo-pass-3")
    notice = page.locator(".notice")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("Your account is disabled")
    assert notice.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    launch_buttons = page.locator("form[action*='/play/'] button")
    assert launch_buttons.count() == 23  # 22 games and the 1G lobby
    for i in range(launch_buttons.count()):
        expect(launch_buttons.nth(i)).to_be_disabled()
    expect(page.get_by_role("button", name="Open the 1G lobby")).to_be_disabled()
    screenshot(page, "catalogue-disabled")


def test_staff_login_on_the_player_site_is_told_where_it_is(live_server, browser_page, screenshot):
    UserFactory(username="support", password="support-demo-pass", is_staff=True)
    page = browser_page
    _sign_in(page, live_server.url, "support", "support-demo-pass")
    expect(page.locator("main")).not_to_contain_text("No player account")
    notice = page.locator(".notice")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("staff login with no player account")
    expect(notice.get_by_role("link", name="back office")).to_have_attribute("href", "/admin/")
    assert notice.evaluate("e => getComputedStyle(e).backgroundColor") not in ("rgba(0, 0, 0, 0)", "transparent")
    page.goto(live_server.url + "/history/")
    expect(page.locator(".notice")).to_contain_text("staff login")
