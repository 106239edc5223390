"""Issue 25, the page points (6 lobby, 7 game view, 8 reports), walked in Chromium at 1280×800
and on a 390×844 phone, on the demo world `make run` serves (demo_data pointed at the live
server). Each test saves the screenshots docs/screenshots/ shows (`make screenshots`)."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from lobby.models import LaunchSession

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/17.0 Mobile/15E148 Safari/604.1")
VIEWS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "user_agent": IPHONE},
}


@pytest.fixture(params=list(VIEWS))
def view(request, chromium):
    context = chromium.new_context(**VIEWS[request.param])
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.kind = request.param
    yield page
    context.close()


@pytest.fixture
def demo(live_server, settings):
    call_command("demo_data", "--base-url", live_server.url, stdout=io.StringIO())
    return live_server.url


def shot(screenshot, page, name: str, **options):
    screenshot(page, name if page.kind == "desktop" else f"{name}-phone", **options)


def sign_in(page, base_url, username="mikha", password="demo-pass-1"):
    page.goto(base_url + "/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    expect(page).not_to_have_url(re.compile(r"/login/"))


def staff_sign_in(page, base_url, username="finance", password="finance-demo-pass"):
    page.goto(base_url + "/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page.locator("#content-main")).to_be_visible()


def nothing_wider_than_the_screen(page, within="body"):
    width = page.viewport_size["width"]
    wide = page.evaluate(f"""[...document.querySelectorAll('{within} *')]
        .filter(e => e.getBoundingClientRect().right > {width} + 1).map(e => e.tagName + '.' + e.className)""")
    assert wide == []


# --- 6. the lobby -------------------------------------------------------------------------------


def test_lobby_is_one_catalogue_with_each_games_wallet_mode_and_one_way_into_the_transfer_wallet(view, demo,
                                                                                                screenshot):
    page = view
    sign_in(page, demo)
    ids = page.locator(".card").evaluate_all("cards => cards.map(c => c.dataset.integration + ':' + c.dataset.game)")
    games = [i.split(":", 1)[1] for i in ids]
    assert len(games) == len(set(games)) == 23  # the seed's 20 1G games and 3 Oppi games, each once
    # Each card names the wallet(s) it is offered in; a 1G game is in both 1G integrations.
    for i in range(page.locator(".card").count()):
        expect(page.locator(".card").nth(i).locator(".modes .badge").first).to_be_visible()
    poker = page.locator('.card[data-game="601"] .modes .badge')
    expect(poker).to_have_text(["Your wallet", "Transfer wallet"])
    expect(page.locator('.card[data-game="oppi-crash"] .modes .badge')).to_have_text(["Your wallet"])
    # One way into the transfer wallet: one button (its deposit page asks the amount).
    expect(page.locator("form[action$='/play/onegaming-transfer/']")).to_have_count(1)
    expect(page.locator("#take-in-onegaming-transfer")).to_be_visible()
    expect(page.locator("main input[name=amount]")).to_have_count(0)
    if page.kind == "desktop":
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 2000, height  # 3,874 px before: the transfer section repeated the catalogue
    else:
        nothing_wider_than_the_screen(page)
        expect(page.locator('.card[data-game="601"] button')).to_have_text("Opens the 1G lobby")
    shot(screenshot, page, "catalogue", full_page=page.kind == "desktop")

    # The one way in: the deposit page, labelled and hinted.
    page.locator("#take-in-onegaming-transfer").click()
    expect(page.locator("#deposit-form")).to_be_visible()
    expect(page.get_by_label("Amount to take in (IDR)")).to_have_value("")
    expect(page.locator("#amount-hint")).to_have_text("A plain number, e.g. 12.50; 2 decimals at most.")
    expect(page.locator("[placeholder]")).to_have_count(0)
    shot(screenshot, page, "transfer-deposit")


def test_fields_have_labels_and_hints_not_placeholders(view, demo):
    page = view
    sign_in(page, demo)
    expect(page.locator("[placeholder]")).to_have_count(0)
    unlabelled = page.evaluate("""[...document.querySelectorAll('main input, main select')]
        .filter(e => e.type !== 'hidden' && e.labels.length === 0).map(e => e.name)""")
    assert unlabelled == []
    expect(page.get_by_label("Search games")).to_have_value("")
    expect(page.locator("#q-hint")).to_have_text("By name, brand or category")


def test_get_preferences_shows_the_preferences(view, demo, screenshot):
    page = view
    sign_in(page, demo)
    answer = page.goto(demo + "/preferences/")
    assert answer.ok  # a bare 405 before
    expect(page).to_have_url(demo + "/#preferences")
    form = page.locator("#preferences")
    expect(form).to_be_in_viewport()
    expect(form.get_by_label("Play with")).to_be_visible()
    expect(form.get_by_label("Open games")).to_be_visible()
    shot(screenshot, page, "preferences")


# --- 7. the game view ---------------------------------------------------------------------------


def test_the_1g_game_view_has_one_back_button(view, demo, screenshot):
    page = view
    sign_in(page, demo)
    page.locator('.card[data-integration="onegaming-demo"][data-game="301"] button').click()
    frame = page.frame_locator("#game-frame")
    expect(frame.locator("#sandbox-status")).to_contain_text("igPokerValidation → OK")
    expect(page.locator("#back-to-lobby")).to_be_visible()
    expect(frame.locator("#sandbox-back")).to_have_count(0)
    expect(frame.get_by_text(re.compile("back", re.IGNORECASE))).to_have_count(0)
    expect(page.locator("main").get_by_text(re.compile("^← Back"))).to_have_count(1)
    if page.kind == "phone":
        nothing_wider_than_the_screen(page)
    else:  # a round in the frame still works, and the frame keeps no way back of its own after it
        frame.locator("#sandbox-bet").click()
        expect(frame.locator("#sandbox-status")).to_contain_text("bet → OK")
        expect(frame.locator("#sandbox-back")).to_have_count(0)
    shot(screenshot, page, "game-onegaming")
    page.locator("#back-to-lobby").click()
    expect(page).to_have_url(demo + "/")


def test_open_the_1g_lobby_opens_the_lobby_product_not_a_game(view, demo, screenshot):
    page = view
    sign_in(page, demo)
    page.locator("#open-lobby-onegaming-demo").click()
    expect(page.locator("#game-title")).to_have_text("1G lobby")
    frame = page.frame_locator("#game-frame")
    expect(frame.locator("#sandbox-status")).to_contain_text("igPokerValidation → OK")
    expect(frame.locator("body")).to_contain_text("1G lobby · choose a game")
    expect(frame.locator("#sandbox-game")).to_have_value("")  # game 601 was chosen for the player before
    assert LaunchSession.objects.latest("created_at").game is None
    shot(screenshot, page, "game-onegaming-lobby")
    # A bet needs the game the player chooses there.
    frame.locator("#sandbox-bet").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("choose a game first")
    frame.locator("#sandbox-game").select_option("303")
    frame.locator("#sandbox-bet").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("bet → OK")
    expect(frame.locator("body")).to_contain_text("Habanero Slot (#303)")


def test_an_oppi_game_opens_in_the_same_frame_with_the_way_back(view, demo, screenshot):
    page = view
    sign_in(page, demo)
    page.get_by_role("button", name="Play Crash").click()
    expect(page).to_have_url(demo + "/play/oppi-demo/")  # the lobby's game page, not the provider's
    frame = page.frame_locator("#game-frame")
    expect(frame.locator("#sandbox-balance")).to_contain_text("IDR")
    expect(page.locator("#back-to-lobby")).to_be_visible()
    expect(frame.locator("#sandbox-back")).to_have_count(0)
    expect(page.locator("#balances")).to_be_visible()
    frame.locator("input[name=amount]").fill("5")
    frame.locator("#sandbox-bet").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("bet → RS_OK")
    frame.locator("#sandbox-lose").click()
    expect(frame.locator("#sandbox-status")).to_contain_text("lose → RS_OK")
    if page.kind == "phone":
        nothing_wider_than_the_screen(page)
    shot(screenshot, page, "game-oppi")
    page.locator("#back-to-lobby").click()
    expect(page).to_have_url(demo + "/")


# --- 8. the reports -----------------------------------------------------------------------------


def test_dashboard_and_reports_open_on_the_same_named_period_with_hold_as_a_percentage(view, demo, screenshot):
    page = view
    staff_sign_in(page, demo)
    period = page.locator("#dashboard-period")
    expect(period).to_contain_text("Period: Last 30 days, ")
    dates = re.search(r"(\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", period.inner_text()).groups()
    tile = page.locator(".dashboard-tiles a.tile", has_text="GGR last 30 days")
    holds = tile.locator("tr td:nth-child(4)").all_inner_texts()
    assert holds and all(re.fullmatch(r"-?\d+\.\d%|—", h) for h in holds), holds
    if page.kind == "phone":
        nothing_wider_than_the_screen(page, ".dashboard-tiles")
    shot(screenshot, page, "admin-dashboard", full_page=page.kind == "desktop")

    tile.click()
    expect(page.locator("#period-name")).to_have_text("Last 30 days")
    expect(page.locator(".report-period")).to_contain_text(f"{dates[0]} to {dates[1]}")
    expect(page.locator("#id_date_from")).to_have_value(dates[0])
    table = page.locator(".report-table", has_text="Totals per currency")
    headers = table.locator("thead th").all_inner_texts()
    at = [h.strip().lower() for h in headers].index("hold") + 1
    holds = table.locator(f"tbody td:nth-child({at})").all_inner_texts()
    assert holds and all(re.fullmatch(r"-?\d+\.\d%|—", h) for h in holds), holds
    expect(page.locator(".report-period")).to_contain_text("“—” when the bets are under 10 in any currency")
    shot(screenshot, page, "reports-overview")

    # The report reached from the menu opens on the same period as the dashboard.
    page.goto(demo + "/admin/reports/games/")
    expect(page.locator("#period-name")).to_have_text("Last 30 days")
    expect(page.locator(".report-period")).to_contain_text(f"{dates[0]} to {dates[1]}")
