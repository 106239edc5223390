import json

from django.core.management.base import BaseCommand, CommandError

from wallet.checks import ledger_report


class Command(BaseCommand):
    help = "Check every ledger invariant; print one JSON line of figures; exit 1 on any violation."

    def handle(self, *args, **options):
        report = ledger_report()
        for violation in report.violations:
            self.stderr.write(f"violation: {violation}")
        self.stdout.write(json.dumps(report.figures()))
        if report.violations:
            raise CommandError(f"{len(report.violations)} ledger violation(s)", returncode=1)
