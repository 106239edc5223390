"""Issue 25: the player's preferences accept only currencies the player can hold (has a wallet in)."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def player_client(client, rich_player):
    """Mikha, signed in: wallets in IDR and USD."""
    rich_player.user = UserFactory(username="mikha")
    rich_player.save()
    client.force_login(rich_player.user)
    return client

PREFS = "lobby_prefs"


@pytest.mark.parametrize("currency", ["EUR", "XXX", "<b>", "usd-"])
def test_a_currency_the_player_has_no_wallet_in_is_refused_and_says_so(player_client, currency):
    player_client.post(reverse("lobby:preferences"), {"currency": "USD"})
    response = player_client.post(reverse("lobby:preferences"), {"currency": currency}, follow=True)
    assert player_client.session[PREFS]["currency"] == "USD"  # the earlier choice stays
    assert "no wallet in this currency" in response.content.decode()


def test_a_currency_the_player_holds_is_kept_and_empty_means_no_preference(player_client):
    player_client.post(reverse("lobby:preferences"), {"currency": "IDR"})
    assert player_client.session[PREFS]["currency"] == "IDR"
    player_client.post(reverse("lobby:preferences"), {"currency": ""})
    assert player_client.session[PREFS]["currency"] == ""
