"""The 1G game catalogue from the seed: (category, game id, brand, type)."""

ONEGAMING_GAMES: list[tuple[str, str, str, str]] = [
    ("SPORT", "201", "UG-SportBook", "lobby"),
    ("SPORT", "202", "SBO-SportBook", "lobby"),
    ("SPORT", "203", "BTI-SportBook", "lobby"),
    ("SLOT", "301", "GamePlay", "list"),
    ("SLOT", "302", "ISoftBet", "list"),
    ("SLOT", "303", "Habanero", "list"),
    ("SLOT", "304", "TopTrendGaming", "list"),
    ("SLOT", "305", "Joker", "list"),
    ("SLOT", "306", "MicroGaming", "list"),
    ("SLOT", "307", "SimplePlay", "lobby"),
    ("LIVECASINO", "401", "AsiaGaming", "lobby"),
    ("LIVECASINO", "402", "SAGaming", "lobby"),
    ("LIVECASINO", "403", "GamePlay", "lobby"),
    ("LIVECASINO", "404", "MicroGaming", "lobby"),
    ("LIVECASINO", "405", "EBET", "lobby"),
    ("RNG", "501", "UltimateGaming", "list"),
    ("RNG", "502", "Joker", "list"),
    ("P2P", "601", "1GPoker", "lobby"),
    ("FISHING", "701", "Joker", "list"),
    ("COCKFIGHT", "801", "S128", "lobby"),
]


def catalogue_rows() -> tuple[dict, ...]:
    """The provider-wide catalogue as Game field values (the registration's reference games)."""
    return tuple({"game_id": game_id, "name": f"{brand} {category.title()}", "category": category, "brand": brand,
                  "game_type": game_type, "sort_order": order}
                 for order, (category, game_id, brand, game_type) in enumerate(ONEGAMING_GAMES))
