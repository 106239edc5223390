"""Third Wave, declared once (see the package's docstring)."""

from __future__ import annotations

from core.registry import GameRules, ProviderRegistration

PROVIDER = "thirdwave"
STATUS = {"applied": "OK", "insufficient_funds": "NO_MONEY", "limit_reached": "NO_MONEY",
          "unknown_reference": "UNKNOWN_TXN", "ticket_not_found": "UNKNOWN_TXN"}


class ThirdWaveRegistration(ProviderRegistration):
    name = PROVIDER
    label = "Third Wave"
    short_name = "TW"

    urls = "tests.thirdprovider.urls"
    url_prefix = "api/thirdwave/"
    status_codes = {"OK": "Done", "NO_MONEY": "Not enough money", "DENIED": "Refused", "UNKNOWN_TXN": "No such bet",
                    "ERROR": "Our error"}
    success_codes = frozenset({"OK"})
    error_status = "ERROR"
    rules = GameRules(rollback_by="transaction", refuse_rolled_back_id=True)

    identity_field = "api_key"
    identity_option = "--api-key"
    lobby_adapter = "tests.thirdprovider.adapter.ThirdWaveAdapter"
    demo_games = ("tw-slot",)

    def endpoint_for(self, action: str) -> str:
        return {"win": "result"}.get(action, action)

    def status_for(self, action: str, code: str) -> str:
        return STATUS.get(str(code), "DENIED")


registration = ThirdWaveRegistration()
