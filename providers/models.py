"""What every provider shares: its status-code catalogue and the history of every call."""

from __future__ import annotations

from django.db import models

from lobby.models import Provider


class StatusCode(models.Model):
    provider = models.CharField(max_length=16, choices=Provider.choices)
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


class CallLog(models.Model):
    """One row per inbound callback or outbound provider call: the status-code history.

    Append-only and written after the money transaction commits, one INSERT per call.
    Denormalised on purpose (player and transaction ids as text, no joins needed) so that it is
    cheap to write and to aggregate by (integration, time) and (status, time).
    """

    created_at = models.DateTimeField()
    provider = models.CharField(max_length=16, choices=Provider.choices)
    # db_index=False: calllog_integration_time below leads with the integration (one index fewer
    # written per call).
    integration = models.ForeignKey(
        "lobby.Integration", null=True, blank=True, on_delete=models.SET_NULL, db_constraint=False, db_index=False
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

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["integration", "created_at"], name="calllog_integration_time"),
            models.Index(fields=["status_code", "created_at"], name="calllog_status_time"),
            models.Index(fields=["created_at"], name="calllog_time"),
            # Rare rows: a small partial index keeps the "unknown session" filter cheap.
            models.Index(fields=["created_at"], condition=models.Q(session_unknown=True),
                         name="calllog_unknown_session_time"),
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.status_code}"
