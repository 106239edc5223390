"""The demo world pointed at a live server's sandbox: used by the sandbox and browser tests."""

from dataclasses import dataclass

from lobby.models import Game, Integration
from tests.conftest import funded_wallet
from tests.factories import (
    GameFactory,
    OneGamingIntegrationFactory,
    OppiIntegrationFactory,
    PlayerFactory,
    UserFactory,
)


@dataclass
class World:
    onegaming: Integration
    oppi: Integration
    player: object
    oppi_game: Game


def sandbox_world(base_url: str) -> World:
    onegaming = OneGamingIntegrationFactory(code="onegaming-demo", name="1Gaming (sandbox)", agent_code="DEMO",
                                            secret="demo-1g-secret", api_base_url=f"{base_url}/sandbox/onegaming")
    oppi = OppiIntegrationFactory(code="oppi-demo", name="Oppi Games (sandbox)", api_key="demo-oppi-key",
                                  secret="demo-oppi-secret", api_base_url=f"{base_url}/sandbox/oppi",
                                  launch_method="iframe")  # framed like 1G, as demo_data (issue 25)
    game = GameFactory(integration=oppi, game_id="oppi-crash", name="Crash", category="CRASH", brand="Oppi")
    GameFactory(integration=oppi, game_id="oppi-dice", name="Dice", category="MINI", brand="Oppi")
    user = UserFactory(username="mikha", password="demo-pass-1")
    player = PlayerFactory(external_id="CLi3000001", username="Mikha", user=user)
    funded_wallet(player, "IDR", "1500.00")
    funded_wallet(player, "USD", "100.00")
    return World(onegaming=onegaming, oppi=oppi, player=player, oppi_game=game)


def signed_in(base_url: str, username: str = "mikha", password: str = "demo-pass-1"):
    """An httpx client signed in on the player sign-in page (session and CSRF cookies), as a browser is."""
    import re

    import httpx

    client = httpx.Client(base_url=base_url, timeout=30)
    page = client.get("/login/").text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    answer = client.post("/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token},
                         headers={"Referer": f"{base_url}/login/"})
    assert answer.status_code == 302, answer.text[:300]
    return client
