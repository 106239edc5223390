"""Oppi Games, declared once: what the rest of the back-office knows of this provider.

settings.INSTALLED_PROVIDERS names this package; everything else reaches Oppi through this object
(core.registry)."""

from __future__ import annotations

import argparse
from typing import Any

from core.registry import GameRules, ProviderRegistration

from .codes import DESCRIPTIONS, Status

PROVIDER = "oppi"  # Integration.provider of an Oppi account
DEMO_GAMES = (("oppi-crash", "Crash", "CRASH"), ("oppi-mines", "Mines", "MINI"), ("oppi-dice", "Dice", "MINI"))


class OppiRegistration(ProviderRegistration):
    name = PROVIDER
    label = "Oppi Games"
    short_name = "Oppi"

    urls = "providers.oppi.urls"
    url_prefix = "api/oppi/"
    status_codes = {str(status): text for status, text in DESCRIPTIONS.items()}
    success_codes = frozenset({str(Status.OK)})
    error_status = str(Status.ERROR)
    # Oppi rollbacks name transaction ids; a result naming a rolled-back id is refused; rewards exist.
    rules = GameRules(rollback_check_first=False, single_settlement=False, refuse_rolled_back_id=True,
                      rollback_by="transaction", rewards=True)

    wallet_modes = frozenset({"seamless"})
    identity_field = "api_key"
    identity_option = "--api-key"
    integration_fields = ("accept_unknown_bet_sessions",)
    field_texts = {
        "accept_unknown_bet_sessions": (
            "accept unknown sessions for bets",
            "Oppi only. Bets naming a sessionId we did not get from /game/url are accepted for a known player (the "
            "call history flags them). Off: refused with RS_ERROR_SESSION_REQUIRED_OR_INVALID."),
    }
    admin_fieldsets = (("Sessions (Oppi)", ("accept_unknown_bet_sessions",)),)

    lobby_adapter = "providers.oppi.lobby_adapter.OppiAdapter"

    demo_games = tuple(game_id for game_id, _, _ in DEMO_GAMES)

    def add_arguments(self, parser) -> None:
        parser.add_argument("--accept-unknown-sessions", action=argparse.BooleanOptionalAction, default=None,
                            help="Oppi: accept bets naming a sessionId we did not get from /game/url, for a known "
                                 "player (default: unchanged, off when new)")

    def command_values(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"accept_unknown_bet_sessions": options.get("accept_unknown_sessions")}

    def demo_integrations(self, base_url: str) -> list[dict[str, Any]]:
        return [{"provider": PROVIDER, "code": "oppi-demo", "name": "Oppi Games (sandbox)", "api_key": "demo-oppi-key",
                 "secret": "demo-oppi-secret", "api_base_url": f"{base_url}/sandbox/oppi",
                 # Framed like 1G: the lobby's bar above the game is the way back (a player may
                 # still choose "Opens in this window" in the preferences).
                 "launch_method": "iframe", "demo_rounds": True,
                 "games": [(game_id, name, category, "Oppi") for game_id, name, category in DEMO_GAMES]}]

    def endpoint_for(self, action: str) -> str:
        return f"transaction/{ {'win': 'payout'}.get(action, action) }"

    def status_for(self, action: str, code: str) -> str:
        from wallet.gameplay import Code

        from .dialect import status_for

        return str(status_for(Code(code)))


registration = OppiRegistration()
