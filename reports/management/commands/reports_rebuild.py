"""Recount the report aggregates (all of them, or from a UTC day on) in resumable batches."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from reports import aggregation
from reports.models import RebuildProgress


def _bar(done: int, total: int, started: float, width: int = 30) -> str:
    share = done / total if total else 1.0
    elapsed = time.monotonic() - started
    eta = f"{elapsed / share - elapsed:,.0f} s left" if 0 < share < 1 else f"{elapsed:,.1f} s"
    filled = int(width * share)
    return f"[{'#' * filled}{'.' * (width - filled)}] {share:6.1%} {done:,}/{total:,} ids, {eta}"


class Command(BaseCommand):
    help = ("Rebuild the report aggregates from the ledger and the call history, from --since (a UTC day) on "
            "or entirely, in batches that each commit with their progress: run it again after an interruption "
            "and it resumes where it stopped. The minute refresh keeps counting new rows meanwhile.")

    def add_arguments(self, parser):
        parser.add_argument("--since", type=dt.date.fromisoformat, help="first UTC day to rebuild (YYYY-MM-DD)")
        parser.add_argument("--batch-size", type=int, default=aggregation.BATCH_SIZE, help="ids per batch")
        parser.add_argument("--restart", action="store_true",
                            help="start over even when an unfinished rebuild of another range exists")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar (logs, cron)")

    def handle(self, *args, since=None, batch_size=aggregation.BATCH_SIZE, restart=False, no_progress=False,
               **options):
        self.stderr.style_func = None  # a progress bar, not an error
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        unfinished = list(RebuildProgress.objects.filter(finished_at__isnull=True))
        resume = bool(unfinished) and not restart and (since is None or all(p.since == since for p in unfinished))
        if unfinished and not resume and not restart:
            raise CommandError(f"an unfinished rebuild from {unfinished[0].since or 'the start'} exists: run "
                               "without --since to resume it, or add --restart to start over")
        if resume:
            since = unfinished[0].since
            self.stdout.write(f"Resuming the rebuild from {since or 'the start'}.")
        else:
            aggregation.rebuild_start(since=since)
            self.stdout.write(f"Rebuilding the aggregates from {since or 'the start'}.")
        started = time.monotonic()
        for source in aggregation.SOURCES:
            progress = RebuildProgress.objects.get(source=source)
            first = progress.next_id
            total = max(progress.upper_id - first, 0)
            while progress.finished_at is None:
                progress = aggregation.rebuild_step(source, batch_size=batch_size)
                if not no_progress:
                    self.stderr.write(f"\r{source:>9} {_bar(progress.next_id - first, total, started)}", ending="")
                    self.stderr.flush()
            if not no_progress:
                self.stderr.write(f"\r{source:>9} {_bar(total, total, started)}")
        self.stdout.write(self.style.SUCCESS(f"Rebuilt in {time.monotonic() - started:,.1f} s."))
