import argparse
import json

from django.core.management.base import BaseCommand, CommandError

from lobby.integrations import IntegrationError, integration_upsert


class Command(BaseCommand):
    help = "Create or update a provider integration account (see docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument("provider", choices=["onegaming", "oppi"])
        parser.add_argument("code")
        parser.add_argument("--secret", required=True)
        parser.add_argument("--agent-code", default="")
        parser.add_argument("--sub-agent", default="")
        parser.add_argument("--api-key", default="")
        parser.add_argument("--mode", choices=["seamless", "transfer"], default="seamless")
        parser.add_argument("--api-base-url", default=None)
        parser.add_argument("--allowed-ips", default=None, help="comma-separated; empty string allows any IP")
        parser.add_argument("--disabled", action="store_true")
        parser.add_argument("--name", default="")
        parser.add_argument("--launch-method", choices=["iframe", "redirect", "new_tab"], default=None,
                            help="how the lobby opens this provider's games (default: unchanged, iframe when new)")
        parser.add_argument("--signature-encoding", choices=["hex", "base64"], default=None,
                            help="1G: encoding of UG-Data-Signature and bcode (default: unchanged, hex when new)")
        parser.add_argument("--time-zone", default=None,
                            help="1G: IANA zone of a callback datetime sent without one "
                                 "(e.g. Asia/Jakarta; default: unchanged, UTC when new)")
        parser.add_argument("--accept-unknown-sessions", action=argparse.BooleanOptionalAction, default=None,
                            help="Oppi: accept bets naming a sessionId we did not get from /game/url, for a known "
                                 "player (default: unchanged, off when new)")

    def handle(self, *args, **o):
        try:
            integration, created = integration_upsert(
                provider=o["provider"], code=o["code"], secret=o["secret"], mode=o["mode"],
                agent_code=o["agent_code"], sub_agent=o["sub_agent"], api_key=o["api_key"],
                api_base_url=o["api_base_url"], allowed_ips=o["allowed_ips"], enabled=not o["disabled"],
                name=o["name"], launch_method=o["launch_method"], set_by="integration_add (command)",
                signature_encoding=o["signature_encoding"], time_zone=o["time_zone"],
                accept_unknown_bet_sessions=o["accept_unknown_sessions"],
            )
        except IntegrationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps({
            "integration": integration.code, "provider": integration.provider, "mode": integration.mode,
            "enabled": integration.enabled, "created": created,
            "signature_encoding": integration.signature_encoding, "time_zone": integration.time_zone,
            "accept_unknown_bet_sessions": integration.accept_unknown_bet_sessions,
        }))
