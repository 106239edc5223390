"""Issue 13: 1G's mobile entry points take no game_code, so a phone lands in 1G's lobby. The launch
claims no game, and the page says so on every 1G card instead of promising the game."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from lobby.models import LaunchSession
from lobby.selectors import game_for_integration
from lobby.services import launch_start
from tests.factories import GameFactory, UserFactory

pytestmark = pytest.mark.django_db
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


@pytest.fixture
def player_client(client, rich_player):
    rich_player.user = UserFactory(username="mikha")
    rich_player.save()
    client.force_login(rich_player.user)
    return client


def test_a_mobile_1g_launch_records_no_game(onegaming, rich_player):
    joker = GameFactory(integration=onegaming, provider="onegaming", game_id="305", name="Joker Slot")
    result = launch_start(integration=onegaming, player=rich_player, game=joker, device="mobile", method="redirect")
    parts = urlsplit(result.url)
    assert parts.path.endswith("/lobby/mobile") and "game_code" not in parse_qs(parts.query)
    session = LaunchSession.objects.get(token=result.token)
    assert session.game is None and session.device == "mobile"


def test_a_desktop_1g_launch_still_records_the_game(onegaming, rich_player):
    joker = GameFactory(integration=onegaming, provider="onegaming", game_id="305", name="Joker Slot")
    result = launch_start(integration=onegaming, player=rich_player, game=joker, device="desktop")
    assert LaunchSession.objects.get(token=result.token).game == joker


def test_a_mobile_oppi_launch_keeps_its_game(oppi, rich_player, respx_mock):
    import httpx

    oppi.api_base_url = "https://oppi.example.test"
    respx_mock.post("https://oppi.example.test/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://oppi.example.test/p/1", "sessionId": "s-1"}))
    crash = GameFactory(integration=oppi, provider="oppi", game_id="oppi-crash", name="Crash")
    launch_start(integration=oppi, player=rich_player, game=crash, device="mobile")
    assert LaunchSession.objects.get().game == crash


def _card(page: str, game_id: str) -> str:
    return re.search(rf'<div class="card" data-game="{game_id}"[^>]*>(.*?)</form>', page, re.DOTALL).group(1)


def test_on_a_phone_every_1g_card_says_it_opens_the_1g_lobby(player_client, onegaming):
    page = player_client.get(reverse("lobby:catalogue"), HTTP_USER_AGENT=IPHONE).content.decode()
    card = _card(page, "305")
    name = game_for_integration(integration=onegaming, game_id="305").name
    assert "Opens the 1G lobby" in card and ">Play<" not in card
    assert f'aria-label="{name}: opens the 1G lobby"' in card
    assert "choose the game there" in page


def test_on_a_desktop_1g_cards_say_play(player_client, onegaming):
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    assert ">Play<" in _card(page, "305") and "Opens the 1G lobby" not in page


def test_forcing_mobile_in_the_preferences_changes_the_label(player_client, onegaming):
    player_client.post(reverse("lobby:preferences"), {"device": "mobile"})
    assert "Opens the 1G lobby" in _card(player_client.get(reverse("lobby:catalogue")).content.decode(), "601")


def test_clicking_a_1g_game_on_a_phone_records_the_launch_without_the_game(player_client, onegaming):
    response = player_client.post(reverse("lobby:launch", args=["og-test"]), {"game": "305"}, HTTP_USER_AGENT=IPHONE)
    assert response.status_code == 200
    session = LaunchSession.objects.get()
    assert session.device == "mobile" and session.game is None
    assert "/lobby/mobile?" in session.url
    assert ">1G lobby</strong>" in response.content.decode()  # the play page names no game it did not open
