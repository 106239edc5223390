"""`manage.py games_sync CODE`."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.models import Integration
from core.registry import registration_for
from lobby.games_sync import GamesSyncError, games_sync


class Command(BaseCommand):
    help = ('Pull the integration\'s game list from its provider and upsert its catalogue; print one JSON line: '
            '{"integration", "added", "updated", "disabled"}.')

    def add_arguments(self, parser):
        parser.add_argument("code", help="integration code (of a provider with a game list API)")

    def handle(self, *args, code, **options):
        integration = Integration.objects.filter(code=code).first()
        if integration is None:
            raise CommandError(f"no integration with code {code!r}")
        registration = registration_for(integration)
        if registration is None or not registration.transfer_client:
            raise CommandError(f"integration {code!r} is not of a provider with a game list API")
        if not integration.api_base_url:
            raise CommandError(f"integration {code!r} has no provider base URL (--api-base-url)")
        try:
            result = games_sync(integration)
        except GamesSyncError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.figures()))
