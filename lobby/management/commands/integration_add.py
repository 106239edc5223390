import json

from django.core.management.base import BaseCommand, CommandError

from core.registry import registrations
from lobby.integrations import IntegrationError, integration_upsert


class Command(BaseCommand):
    help = "Create or update a provider integration account (see docs/operations.md)."

    def add_arguments(self, parser):
        installed = registrations(accounts_only=True)
        parser.add_argument("provider", choices=[r.name for r in installed])
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
        for registration in installed:  # each provider's own settings (its registration's options)
            registration.add_arguments(parser)

    def handle(self, *args, **o):
        extra = {}
        for registration in registrations(accounts_only=True):
            extra.update({k: v for k, v in registration.command_values(o).items() if v is not None})
        try:
            integration, created = integration_upsert(
                provider=o["provider"], code=o["code"], secret=o["secret"], mode=o["mode"],
                agent_code=o["agent_code"], sub_agent=o["sub_agent"], api_key=o["api_key"],
                api_base_url=o["api_base_url"], allowed_ips=o["allowed_ips"], enabled=not o["disabled"],
                name=o["name"], launch_method=o["launch_method"], set_by="integration_add (command)", extra=extra,
            )
        except IntegrationError as exc:
            raise CommandError(str(exc)) from exc
        shown = {"integration": integration.code, "provider": integration.provider, "mode": integration.mode,
                 "enabled": integration.enabled, "created": created}
        for registration in registrations(accounts_only=True):
            if registration.name == integration.provider:
                shown.update({f: getattr(integration, f) for f in registration.integration_fields})
        self.stdout.write(json.dumps(shown))
