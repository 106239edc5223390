"""Player pages: sign-in, catalogue, preferences and launches; anonymous users are sent to sign in."""

import httpx
import pytest
import respx
from django.urls import reverse

from lobby.models import LaunchSession
from tests.factories import GameFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def player_client(client, rich_player):
    rich_player.user = UserFactory(username="mikha")
    rich_player.save()
    client.force_login(rich_player.user)
    return client


@pytest.mark.parametrize("name, args, method", [
    ("lobby:catalogue", [], "get"), ("lobby:launch", ["og-test"], "post"), ("lobby:preferences", [], "post"),
])
def test_anonymous_users_are_sent_to_sign_in(client, onegaming, name, args, method):
    response = getattr(client, method)(reverse(name, args=args))
    assert response.status_code == 302 and response["Location"].startswith(reverse("lobby:login"))


def test_sign_in_with_the_player_login(client, rich_player):
    rich_player.user = UserFactory(username="mikha")
    rich_player.save()
    assert client.get(reverse("lobby:login")).status_code == 200
    response = client.post(reverse("lobby:login"), {"username": "mikha", "password": "pass-1234"})
    assert response.status_code == 302 and response["Location"] == reverse("lobby:catalogue")
    client.logout()
    wrong = client.post(reverse("lobby:login"), {"username": "mikha", "password": "nope"})
    assert wrong.status_code == 200 and b"correct username and password" in wrong.content


def test_catalogue_shows_balances_and_each_seamless_integration_by_category(player_client, onegaming, oppi):
    GameFactory(integration=oppi, game_id="oppi-crash", name="Crash", category="CRASH", brand="Oppi")
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    assert "1500.00" in page and "100.00" in page  # IDR and USD wallets
    assert 'id="provider-og-test"' in page and 'id="provider-oppi-test"' in page
    assert "SimplePlay" in page and "COCKFIGHT" in page  # the 1G seed catalogue, by brand and category
    assert "Crash" in page


def test_disabled_integrations_are_not_listed_and_transfer_mode_ones_ask_for_an_amount(player_client, onegaming, oppi):
    onegaming.mode = "transfer"
    onegaming.save()
    oppi.enabled = False
    oppi.save()
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    assert "provider-oppi-test" not in page
    assert 'id="transfer-og-test"' in page and "Back to my wallet" in page  # issue 9: deposit first, then play


def test_search_filters_games(player_client, onegaming):
    page = player_client.get(reverse("lobby:catalogue"), {"q": "habanero"}).content.decode()
    assert "Habanero" in page and "SimplePlay" not in page


def test_a_login_without_player_sees_a_notice(client, onegaming):
    client.force_login(UserFactory(username="staffer"))
    assert b"No player account" in client.get(reverse("lobby:catalogue")).content


def test_launch_in_a_frame_renders_the_play_page(player_client, onegaming):
    response = player_client.post(reverse("lobby:launch", args=["og-test"]), {"game": "601"})
    assert response.status_code == 200
    session = LaunchSession.objects.get()
    assert f'src="{session.url}"'.replace("&", "&amp;") in response.content.decode()
    assert session.game.game_id == "601" and session.device == "desktop"


def test_mobile_user_agent_launches_the_mobile_lobby(player_client, onegaming):
    player_client.post(reverse("lobby:launch", args=["og-test"]), {"game": "601"},
                       HTTP_USER_AGENT="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148")
    assert LaunchSession.objects.get().device == "mobile"


def test_preferences_choose_device_method_and_currency(player_client, onegaming):
    player_client.post(reverse("lobby:preferences"), {"device": "mobile", "method": "redirect", "currency": "USD"})
    response = player_client.post(reverse("lobby:launch", args=["og-test"]), {"game": "601"})
    session = LaunchSession.objects.get()
    assert response.status_code == 302 and response["Location"] == session.url
    assert (session.device, session.method, session.currency_id) == ("mobile", "redirect", "USD")


def test_new_tab_integration_opens_forms_in_a_new_tab(player_client, onegaming):
    onegaming.launch_method = "new_tab"
    onegaming.save()
    assert b'target="_blank"' in player_client.get(reverse("lobby:catalogue")).content


@respx.mock
def test_oppi_redirect_launch(player_client, oppi):
    oppi.launch_method = "redirect"
    oppi.save()
    GameFactory(integration=oppi, game_id="oppi-crash")
    respx.post("https://oppi.example.test/game/url").mock(return_value=httpx.Response(
        200, json={"status": "RS_OK", "gameUrl": "https://games.oppi.example.test/s/9", "sessionId": "S-9"}))
    response = player_client.post(reverse("lobby:launch", args=["oppi-test"]), {"game": "oppi-crash"})
    assert response.status_code == 302 and response["Location"] == "https://games.oppi.example.test/s/9"


@respx.mock
def test_provider_failure_shows_a_clear_message_never_a_500(player_client, oppi):
    GameFactory(integration=oppi, game_id="oppi-crash")
    respx.post("https://oppi.example.test/game/url").mock(side_effect=httpx.ConnectError("down"))
    response = player_client.post(reverse("lobby:launch", args=["oppi-test"]), {"game": "oppi-crash"}, follow=True)
    assert response.status_code == 200
    assert b"The game could not be opened" in response.content


def test_unknown_game_shows_a_message(player_client, onegaming):
    response = player_client.post(reverse("lobby:launch", args=["og-test"]), {"game": "nope"}, follow=True)
    assert b"not in the catalogue" in response.content


def test_disabled_player_sees_why_the_game_does_not_start(client, onegaming, disabled_player):
    disabled_player.user = UserFactory(username="blocked")
    disabled_player.save()
    client.force_login(disabled_player.user)
    response = client.post(reverse("lobby:launch", args=["og-test"]), {"game": "601"}, follow=True)
    assert b"disabled" in response.content and not LaunchSession.objects.exists()
