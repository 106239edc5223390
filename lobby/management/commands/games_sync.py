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
        parser.add_argument("--force", action="store_true",
                            help="apply an empty or malformed list, or one that disables more than "
                                 "GAMES_SYNC_MAX_DISABLE_SHARE of the enabled games")

    def handle(self, *args, code, force=False, **options):
        integration = Integration.objects.filter(code=code).first()
        if integration is None:
            raise CommandError(f"no integration with code {code!r}")
        registration = registration_for(integration)
        if registration is None or not registration.transfer_client:
            raise CommandError(f"integration {code!r} is not of a provider with a game list API")
        if not integration.api_base_url:
            raise CommandError(f"integration {code!r} has no provider base URL (--api-base-url)")
        try:
            result = games_sync(integration, force=force)
        except GamesSyncError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.figures()))
