"""What the sandbox's game pages share: the 1G games to choose from, and whether a page is framed."""

from __future__ import annotations

from lobby.reference import ONEGAMING_GAMES

# 1G's entry point without a game_code opens its lobby product: the player chooses the game there.
GAME_CHOICES = [(game_id, f"{brand} {category.title()}") for category, game_id, brand, _ in ONEGAMING_GAMES]


def framed(request) -> bool:
    """Whether this game page is shown inside the lobby's frame (which has its own way back).

    The first page load says so in its Sec-Fetch-Dest header; the rounds posted from it carry
    it on in a hidden field."""
    return request.POST.get("framed") == "1" or request.headers.get("Sec-Fetch-Dest") == "iframe"


def game_label(game_id: str, *, suffix: str = "") -> str:
    """What the sandbox page calls the table: the chosen game, or 1G's lobby before a choice."""
    names = dict(GAME_CHOICES)
    label = f"{names[game_id]} (#{game_id})" if game_id in names else "1G lobby · choose a game"
    return label + suffix
