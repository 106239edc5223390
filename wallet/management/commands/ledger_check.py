import json

from django.core.management.base import BaseCommand, CommandError

from wallet.checks import ledger_report


class Command(BaseCommand):
    help = ("Check every ledger invariant; print one JSON line of figures; exit 1 on any violation. "
            "--incremental reads only the transfers since the last run's mark (a full run when there is none).")

    def add_arguments(self, parser):
        parser.add_argument("--incremental", action="store_true",
                            help="start from the balances checked up to the last mark (see docs/operations.md)")

    def handle(self, *args, incremental=False, **options):
        report = ledger_report(incremental=incremental)
        for violation in report.violations:
            self.stderr.write(f"violation: {violation}")
        self.stdout.write(json.dumps(report.figures()))
        if report.violations:
            raise CommandError(f"{len(report.violations)} ledger violation(s)", returncode=1)
