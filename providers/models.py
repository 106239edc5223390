"""What every provider shares: its status-code catalogue and the history of every call."""

from __future__ import annotations

from types import SimpleNamespace

from django.db import models
from psqlextra.types import PostgresPartitioningMethod

from core.registry import provider_choices

from .day_partitions import insert_healing


class StatusCode(models.Model):
    provider = models.CharField(max_length=16, choices=provider_choices)
    code = models.CharField(max_length=64)
    description = models.CharField(max_length=255, blank=True)
    is_success = models.BooleanField(default=False)

    class Meta:
        ordering = ["provider", "code"]
        constraints = [models.UniqueConstraint(fields=["provider", "code"], name="status_code_unique")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.code}"


class Direction(models.TextChoices):
    INBOUND = "in", "Provider → us"
    OUTBOUND = "out", "Us → provider"


class CallLogQuerySet(models.QuerySet):
    def _insert(self, objs, *args, **kwargs):
        """An ORM insert (demo data, tests, tools; callbacks use providers/calllog.py) whose day
        has no partition yet creates that day's partition and inserts again."""
        insert = super()._insert
        return insert_healing(lambda: insert(objs, *args, **kwargs), [getattr(o, "created_at", None) for o in objs],
                              table=self.model._meta.db_table)

    _insert.queryset_only = False  # as Django's: Model.save() calls it on the manager


class CallLog(models.Model):
    """One row per inbound callback or outbound provider call: the status-code history.

    Append-only and written after the money transaction commits, one INSERT per call.
    Denormalised on purpose (player and transaction ids as text, no joins needed) so that it is
    cheap to write and to aggregate by (integration, time) and (status, time).

    On PostgreSQL the table is partitioned by day on `created_at` (native range partitions; the
    table's primary key is (id, created_at), Django still addresses a row by its id, which the
    identity column keeps unique); old days are dropped under CALL_HISTORY_RETENTION_DAYS once
    their money calls are copied to KeptCall (providers/partitioning.py). SQLite keeps one table.
    """

    created_at = models.DateTimeField()
    provider = models.CharField(max_length=16, choices=provider_choices)
    # db_index=False: calllog_integration_time below leads with the integration (one index fewer
    # written per call).
    integration = models.ForeignKey(
        "core.Integration", null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, db_index=False
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    endpoint = models.CharField(max_length=64)
    player_external_id = models.CharField("player id", max_length=64, blank=True)
    txn_id = models.CharField("transaction id", max_length=128, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    status_code = models.CharField(max_length=64)
    http_status = models.PositiveSmallIntegerField(default=200)
    duration_ms = models.FloatField(default=0)  # timing only, never money
    caller_ip = models.GenericIPAddressField(null=True, blank=True)
    # The call named a session we did not get from the provider's launch for this player
    # (Oppi: a sessionId not from /game/url), whether or not it was accepted.
    session_unknown = models.BooleanField("unknown session", default=False)
    # An inbound call answered before its caller was authenticated (no valid signature, unknown key
    # or agent, wrong method or path): its bodies are cut short, and reports count it apart from
    # the provider's errors.
    unauthenticated = models.BooleanField("refused before authentication", default=False, db_default=False)
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)

    # Read by django-postgres-extra's schema editor and partitioning manager (the migration,
    # providers/partitioning.py). Not its PostgresPartitionedModel base class: on Django 5.2 that
    # turns the primary key into a CompositePrimaryKey (which the admin does not support) and its
    # manager refuses to load without the PostgreSQL back-end (SQLite keeps a plain table).
    _partitioning_meta = SimpleNamespace(method=PostgresPartitioningMethod.RANGE, key=["created_at"])
    objects = CallLogQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        base_manager_name = "objects"  # Model.save() inserts through the base manager
        indexes = [
            models.Index(fields=["integration", "created_at"], name="calllog_integration_time"),
            models.Index(fields=["status_code", "created_at"], name="calllog_status_time"),
            models.Index(fields=["created_at"], name="calllog_time"),
            # Rare rows: a small partial index keeps the "unknown session" filter cheap.
            models.Index(fields=["created_at"], condition=models.Q(session_unknown=True),
                         name="calllog_unknown_session_time"),
            # The admin's exact-id searches, the player page's latest calls and the "errors"
            # filter (issue 24): partial, so calls without the id write nothing more.
            models.Index(fields=["txn_id"], condition=~models.Q(txn_id=""), name="calllog_txn"),
            models.Index(fields=["player_external_id", "created_at"], condition=~models.Q(player_external_id=""),
                         name="calllog_player_time"),
            models.Index(fields=["request_id"], condition=~models.Q(request_id=""), name="calllog_request"),
            models.Index(fields=["id"], condition=~models.Q(status_code__in=["OK", "RS_OK"]), name="calllog_errors"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code}"


class KeptCall(models.Model):
    """A call of the history whose transaction id reached the ledger (a game transaction or a
    transfer order of its integration), copied here with its wire bodies before its day leaves
    the history (retention): kept as long as the ledger, that is for good. Same columns; `id` is
    the call's id in the history."""

    id = models.BigIntegerField(primary_key=True)
    created_at = models.DateTimeField()
    provider = models.CharField(max_length=16, choices=provider_choices)
    integration = models.ForeignKey(
        "core.Integration", null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, db_index=False
    )
    direction = models.CharField(max_length=3, choices=Direction.choices, default=Direction.INBOUND)
    endpoint = models.CharField(max_length=64)
    player_external_id = models.CharField("player id", max_length=64, blank=True)
    txn_id = models.CharField("transaction id", max_length=128, blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    status_code = models.CharField(max_length=64)
    http_status = models.PositiveSmallIntegerField(default=200)
    duration_ms = models.FloatField(default=0)
    caller_ip = models.GenericIPAddressField(null=True, blank=True)
    session_unknown = models.BooleanField("unknown session", default=False)
    request_body = models.TextField(blank=True)
    response_body = models.TextField(blank=True)
    kept_at = models.DateTimeField()

    class Meta:
        ordering = ["-id"]
        verbose_name = "kept money call"
        indexes = [models.Index(fields=["integration", "txn_id"], name="keptcall_integration_txn")]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code}"
