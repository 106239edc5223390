"""Issue 25, point 6 (server side; the browser tests in tests/browser/test_demo_world_pages.py look
at the same pages): one catalogue with each game's wallet mode on its card, one way into the
transfer wallet, GET /preferences/ leads to the preferences, labels and hints, not placeholders."""

import re

import pytest
from django.urls import reverse

from tests.factories import GameFactory, OneGamingIntegrationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def player_client(client, rich_player):
    from tests.factories import UserFactory

    rich_player.user = UserFactory(username="mikha")
    rich_player.save()
    client.force_login(rich_player.user)
    return client


@pytest.fixture
def transfer_1g(db):
    return OneGamingIntegrationFactory(code="og-transfer", name="1Gaming transfer", agent_code="IGTR",
                                       secret="s3cr3t-tr", mode="transfer")


def cards(page: str) -> list[str]:
    return re.findall(r'<div class="card" data-game="([^"]+)"', page)


def card(page: str, game_id: str) -> str:
    return re.search(rf'<div class="card" data-game="{game_id}"[^>]*>(.*?)</form>', page, re.DOTALL).group(0)


def test_each_game_is_one_card_naming_the_wallet_modes_it_is_offered_in(player_client, onegaming, transfer_1g, oppi):
    GameFactory(integration=oppi, game_id="crash", name="Crash", category="CRASH")
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    shown = cards(page)
    assert len(shown) == len(set(shown)) == 21  # the seed's 20 1G games once each, and Oppi's one
    both = card(page, "301")  # in the seamless and the transfer integration of 1G
    assert 'data-integration="og-test"' in both  # it plays from the player's wallet
    assert re.findall(r'<span class="badge mode[^"]*"[^>]*>([^<]+)</span>', both) == ["Your wallet", "Transfer wallet"]
    assert re.findall(r'<span class="badge mode[^"]*"[^>]*>([^<]+)</span>', card(page, "crash")) == ["Your wallet"]


def test_a_game_only_a_transfer_integration_offers_says_so_on_its_card(player_client, transfer_1g):
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    only = card(page, "301")
    assert 'data-integration="og-transfer"' in only
    assert re.findall(r'<span class="badge mode[^"]*"[^>]*>([^<]+)</span>', only) == ["Transfer wallet"]


def test_one_way_into_the_transfer_wallet(player_client, onegaming, transfer_1g):
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    into = reverse("lobby:launch", args=["og-transfer"])
    assert page.count(f'action="{into}"') == 1  # one button; its deposit page asks the amount
    assert 'name="amount"' not in page
    back = reverse("lobby:money-back", args=["og-transfer"])
    assert page.count(f'action="{back}"') == 1


def test_get_preferences_leads_to_the_preferences_form(player_client, onegaming):
    response = player_client.get(reverse("lobby:preferences"))
    assert response.status_code == 302
    assert response["Location"] == reverse("lobby:catalogue") + "#preferences"
    page = player_client.get(response["Location"]).content.decode()
    assert 'id="preferences"' in page


def test_get_preferences_signed_out_asks_to_sign_in(client):
    response = client.get(reverse("lobby:preferences"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_labels_and_hints_instead_of_placeholders(player_client, onegaming, transfer_1g):
    page = player_client.get(reverse("lobby:catalogue")).content.decode()
    assert "placeholder=" not in page
    assert re.search(r'<label for="q">Search games</label>', page)
    assert 'aria-describedby="q-hint"' in page and re.search(r'id="q-hint">By name, brand or category<', page)
    deposit = player_client.post(reverse("lobby:launch", args=["og-transfer"])).content.decode()
    assert "placeholder=" not in deposit
    assert 'aria-describedby="amount-hint"' in deposit
    assert re.search(r'id="amount-hint">A plain number, e.g. 12.50; 2 decimals at most.<', deposit)
