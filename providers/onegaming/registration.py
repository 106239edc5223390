"""1Gaming, declared once: what the rest of the back-office knows of this provider.

settings.INSTALLED_PROVIDERS names this package; everything else reaches 1G through this object
(core.registry)."""

from __future__ import annotations

from typing import Any

from core.registry import GameRules, ProviderRegistration

from .codes import DESCRIPTIONS, Status
from .reference import catalogue_rows

PROVIDER = "onegaming"  # Integration.provider of a 1G account


class OneGamingRegistration(ProviderRegistration):
    name = PROVIDER
    label = "1Gaming"
    short_name = "1G"

    urls = "providers.onegaming.urls"
    url_prefix = "api/onegaming/"
    status_codes = {str(status): text for status, text in DESCRIPTIONS.items()}
    success_codes = frozenset({str(Status.OK)})
    error_status = str(Status.UNKNOWN_ERROR)
    # 1G settles a ticket once and rolls back whole tickets; a rolled-back ticket refuses its bet first.
    rules = GameRules(rollback_check_first=True, single_settlement=True, refuse_rolled_back_id=False,
                      rollback_by="ticket", rewards=False)

    wallet_modes = frozenset({"seamless", "transfer"})
    identity_field = "agent_code"
    identity_option = "--agent-code"
    secret_max_length = 50
    integration_fields = ("signature_encoding", "time_zone", "accept_bets_in_other_currency")
    field_texts = {
        "signature_encoding": ("signature encoding",
                               "1G: encoding of UG-Data-Signature and bcode, inbound and outbound."),
        "time_zone": ("time zone",
                      "1G: the zone of a callback `datetime` sent without one (IANA name, e.g. Asia/Jakarta)."),
        "accept_bets_in_other_currency": (
            "accept bets in another currency than the launch's",
            "1G only. Off: a bet whose currency is not its launch session's is refused with INVALID_CURRENCY. "
            "On: it is taken from the player's wallet in the bet's currency."),
    }
    admin_fieldsets = (("1G wire", ("signature_encoding", "time_zone", "accept_bets_in_other_currency")),)

    lobby_adapter = "providers.onegaming.lobby_adapter.OneGamingAdapter"
    transfer_client = "providers.onegaming.client.OneGamingClient"

    reference_games = catalogue_rows()
    demo_games = ("301", "302", "303", "401", "601")

    def integration_errors(self, values: dict[str, Any], *, secret: str = "") -> list[str]:
        from core.models import SignatureEncoding

        errors = super().integration_errors(values, secret=secret)
        encoding = values.get("signature_encoding")
        if encoding is not None and encoding not in SignatureEncoding.values:
            errors.append(f"unknown signature encoding {encoding!r} ({', '.join(SignatureEncoding.values)})")
        return errors

    def add_arguments(self, parser) -> None:
        parser.add_argument("--signature-encoding", choices=["hex", "base64"], default=None,
                            help="1G: encoding of UG-Data-Signature and bcode (default: unchanged, hex when new)")
        parser.add_argument("--time-zone", default=None,
                            help="1G: IANA zone of a callback datetime sent without one "
                                 "(e.g. Asia/Jakarta; default: unchanged, UTC when new)")

    def command_values(self, options: dict[str, Any]) -> dict[str, Any]:
        return {"signature_encoding": options.get("signature_encoding"), "time_zone": options.get("time_zone")}

    def demo_integrations(self, base_url: str) -> list[dict[str, Any]]:
        sandbox = f"{base_url}/sandbox/onegaming"
        return [
            {"provider": PROVIDER, "code": "onegaming-demo", "name": "1Gaming (sandbox)", "agent_code": "DEMO",
             "secret": "demo-1g-secret", "api_base_url": sandbox, "demo_rounds": True},
            # Transfer mode: the lobby moves money into the sandbox's 1G transfer wallet before opening it.
            {"provider": PROVIDER, "code": "onegaming-transfer", "name": "1Gaming transfer wallet (sandbox)",
             "mode": "transfer", "agent_code": "DEMOTR", "secret": "demo-1g-transfer-secret",
             "api_base_url": sandbox},
        ]

    def endpoint_for(self, action: str) -> str:
        return {"win": "result"}.get(action, action)

    def status_for(self, action: str, code: str) -> str:
        from wallet.gameplay import Code

        from .dialect import status_for

        return str(status_for(self.endpoint_for(action), Code(code)))


registration = OneGamingRegistration()
