"""Running the ledger check and a reconciliation from the admin: the same functions the commands
run (`ledger_check`, `reconcile`), with the result kept as a CheckRun row."""

from __future__ import annotations

import importlib

from django.utils import timezone

from wallet.checks import ledger_report

from .models import CheckKind, CheckRun

# The transfer wallet's reconciliation of the recent period, as celery-beat runs it: `reconcile_recent(integration)`.
RECONCILE_FUNCTION = "transfers.reconcile.reconcile_recent"


def summary(run: CheckRun) -> str:
    if run.ok is None:
        return "running"
    figures = run.figures or {}
    if run.kind == CheckKind.LEDGER:
        return ("consistent" if run.ok else f"{figures.get('violations', '?')} violation(s)") + (
            f" — {figures.get('wallets', 0)} wallets, {figures.get('transfers', 0)} transfers")
    return (f"{figures.get('checked', 0)} checked, {figures.get('differences', 0)} difference(s), "
            f"{figures.get('resolved', 0)} resolved")


def ledger_check_run(*, actor) -> CheckRun:
    run = CheckRun.objects.create(kind=CheckKind.LEDGER, started_by=actor)
    report = ledger_report()
    run.figures, run.ok = report.figures(), not report.violations
    run.details = "\n".join(report.violations)
    run.finished_at = timezone.now()
    run.save(update_fields=["figures", "ok", "details", "finished_at"])
    return run


def _reconcile_function():
    module_name, _, name = RECONCILE_FUNCTION.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError):
        return None


def reconcile_available() -> bool:
    return _reconcile_function() is not None


def reconcile_run(*, integration, actor) -> CheckRun:
    run = CheckRun.objects.create(kind=CheckKind.RECONCILE, integration=integration, started_by=actor)
    reconcile = _reconcile_function()
    try:
        if reconcile is None:
            raise RuntimeError("reconciliation is not available in this version")
        outcome = reconcile(integration)
        figures = outcome if isinstance(outcome, dict) else dict(vars(outcome))
        run.figures = {k: v for k, v in figures.items() if isinstance(v, int | str | float | bool | None)}
        run.ok = not run.figures.get("differences")
        run.details = "\n".join(str(d) for d in figures.get("details", []) or [])
    except Exception as exc:  # the run is kept with what went wrong, never a server error
        run.ok = False
        run.details = f"{exc.__class__.__name__}: {exc}"
    run.finished_at = timezone.now()
    run.save(update_fields=["figures", "ok", "details", "finished_at"])
    return run
