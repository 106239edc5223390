"""`manage.py games_sync CODE`."""

import json

from django.core.management.base import BaseCommand, CommandError

from transfers.games import GamesSyncError, games_sync

from ._common import transfer_integration


class Command(BaseCommand):
    help = ('Pull the integration\'s game list from 1G and upsert its catalogue; print one JSON line: '
            '{"integration", "added", "updated", "disabled"}.')

    def add_arguments(self, parser):
        parser.add_argument("code", help="integration code (a 1G integration)")
        parser.add_argument("--force", action="store_true",
                            help="apply an empty or malformed list, or one that disables more than "
                                 "GAMES_SYNC_MAX_DISABLE_SHARE of the enabled games")

    def handle(self, *args, code, force=False, **options):
        integration = transfer_integration(code, transfer_mode=False)
        if not integration.api_base_url:
            raise CommandError(f"integration {code!r} has no 1G base URL (--api-base-url)")
        try:
            result = games_sync(integration, force=force)
        except GamesSyncError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.figures()))
