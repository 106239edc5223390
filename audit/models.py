"""The audit trail's historical tables (django-simple-history) and the kept results of checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.models import Integration
from lobby.models import Game
from providers.models import StatusCode
from wallet.models import Account, Player

from .history import LEDGER_ONLY_FIELDS, audit_register

audit_register(Integration, exclude=["secret", "api_key", "updated_at"])
audit_register(Game)
audit_register(Player)
audit_register(Account, exclude=sorted(LEDGER_ONLY_FIELDS), skip_when_only=LEDGER_ONLY_FIELDS)
audit_register(StatusCode)


class CheckKind(models.TextChoices):
    LEDGER = "ledger_check", "Ledger check"
    RECONCILE = "reconcile", "Reconciliation"


class CheckRun(models.Model):
    """One run of `ledger_check` or a reconciliation started from the admin, kept with its result."""

    kind = models.CharField(max_length=16, choices=CheckKind.choices)
    integration = models.ForeignKey("core.Integration", null=True, blank=True, on_delete=models.PROTECT)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)
    figures = models.JSONField(default=dict, blank=True)
    details = models.TextField(blank=True, help_text="Violations or differences, one per line.")

    class Meta:
        ordering = ["-started_at"]
        permissions = [("run_checks", "Can run the ledger check and reconciliation from the admin")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"
