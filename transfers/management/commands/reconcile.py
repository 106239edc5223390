"""`manage.py reconcile CODE [--since ISO] [--until ISO]`."""

import datetime as dt
import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from transfers.reconcile import ReconcileError, reconcile
from transfers.services import orders_resolve_stuck

from ._common import transfer_integration


def _moment(value: str, name: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError as exc:
        raise CommandError(f"{name} is not an ISO 8601 date or time: {value!r}") from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


class Command(BaseCommand):
    help = ('Reconcile transfer orders with the provider\'s records for a period (default: the last '
            'TRANSFER_RECONCILE_LOOKBACK_HOURS) and print one JSON line: '
            '{"integration", "checked", "differences", "resolved"}.')

    def add_arguments(self, parser):
        parser.add_argument("code", help="integration code (an integration in transfer mode)")
        parser.add_argument("--since", help="start of the period, ISO 8601 (no zone: UTC)")
        parser.add_argument("--until", help="end of the period, ISO 8601 (no zone: UTC); default now")

    def handle(self, *args, code, since=None, until=None, **options):
        integration = transfer_integration(code)
        end = _moment(until, "--until") if until else timezone.now()
        start = (_moment(since, "--since") if since
                 else end - dt.timedelta(hours=settings.TRANSFER_RECONCILE_LOOKBACK_HOURS))
        if start >= end:
            raise CommandError("--since must be before --until")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            # No celery-beat without a broker: run its stuck-order pass for this integration first.
            orders_resolve_stuck(integration=integration, due_only=False)
        try:
            result = reconcile(integration, since=start, until=end)
        except ReconcileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(result.figures()))
