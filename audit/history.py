"""Change history of what staff edit, kept by django-simple-history.

The historical tables live in this app (`app="audit"`), so the audited apps' own migrations
don't change. Which models and which fields are audited is decided here, in one place:

- secrets never enter a historical row (`secret`, `api_key` are excluded): the audit trail is read
  by support staff, who must never see them;
- a wallet's `balance` and `floor` are the ledger's business (every movement is an immutable
  transfer with its actor and memo), so saves that touch only those fields write no history row:
  a bet must not pay for an audit insert.
"""

from __future__ import annotations

from django.db.models import signals
from simple_history.models import HistoricalRecords

LEDGER_ONLY_FIELDS = frozenset({"balance", "floor"})


class AuditedRecords(HistoricalRecords):
    """HistoricalRecords that skips saves touching only ledger-maintained fields."""

    def __init__(self, *args, skip_when_only=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.skip_when_only = frozenset(skip_when_only)

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if not created and update_fields and set(update_fields) <= self.skip_when_only:
            return
        super().post_save(instance, created, using=using, **kwargs)


def audit_register(model, *, exclude=(), skip_when_only=frozenset()) -> None:
    """Start keeping `model`'s history in this app, for saves made through its proxies too.

    Django sends save signals with the proxy class as sender (the admin edits `Wallet`, a proxy
    of `Account`), so the receivers are connected for each proxy as well.
    """
    records = AuditedRecords(excluded_fields=list(exclude), skip_when_only=skip_when_only)
    records.manager_name = "history"
    records.table_name = None
    records.module = "audit.models"
    records.cls = model
    records.add_extra_methods(model)
    records.finalize(model)
    for proxy in _proxies_of(model):
        proxy._meta.simple_history_manager_attribute = records.manager_name
        signals.post_save.connect(records.post_save, sender=proxy, weak=False)
        signals.post_delete.connect(records.post_delete, sender=proxy, weak=False)


def _proxies_of(model) -> list:
    found, pending = [], list(model.__subclasses__())
    while pending:
        cls = pending.pop()
        if getattr(cls, "_meta", None) is not None and cls._meta.proxy:
            found.append(cls)
        pending.extend(cls.__subclasses__())
    return found
