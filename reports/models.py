"""Report aggregates: small tables kept up to date from the ledger and the call history.

The ledger (wallet.Transfer) and the status-code history (providers.CallLog) stay the source of
truth; these rows are derived from them incrementally (reports.aggregation), each source row
counted exactly once, so report pages read a few thousand rows instead of millions.
"""

from __future__ import annotations

from django.db import models


class DailyGameStat(models.Model):
    """Game money per UTC day × integration × game × currency, in ledger units.

    GGR = bets − wins − rewards + reclaims − refunds. `rounds` counts the bets that moved money.
    """

    day = models.DateField()
    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, related_name="+")
    game_code = models.CharField(max_length=64, blank=True)
    currency = models.ForeignKey("wallet.Currency", on_delete=models.PROTECT, related_name="+")
    bets = models.BigIntegerField(default=0)
    wins = models.BigIntegerField(default=0)
    refunds = models.BigIntegerField(default=0)
    reclaims = models.BigIntegerField(default=0)
    rewards = models.BigIntegerField(default=0)
    rounds = models.BigIntegerField(default=0)
    # Distinct players with a game transfer on this key (exact per row; not additive over days).
    players = models.BigIntegerField(default=0)

    class Meta:
        # The permission finance (and admin) staff need for every report page and the
        # dashboard's money tiles; the roles migration grants it.
        permissions = [("view_reports", "Can view finance reports (GGR, bets, players, callbacks)")]
        constraints = [
            models.UniqueConstraint(fields=["day", "integration", "game_code", "currency"], name="daily_game_stat_key"),
        ]
        indexes = [models.Index(fields=["currency", "day"], name="daily_game_stat_cur_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.integration_id} {self.game_code} {self.currency_id}"

    @property
    def ggr(self) -> int:
        return self.bets - self.wins - self.rewards + self.reclaims - self.refunds


class DailyPlayerActivity(models.Model):
    """One row per player active (a game transfer) on a day × integration × game × currency."""

    day = models.DateField()
    integration = models.ForeignKey("core.Integration", on_delete=models.PROTECT, related_name="+")
    game_code = models.CharField(max_length=64, blank=True)
    currency = models.ForeignKey("wallet.Currency", on_delete=models.PROTECT, related_name="+")
    player = models.ForeignKey("wallet.Player", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "integration", "game_code", "currency", "player"],
                                    name="daily_player_activity_key"),
        ]
        indexes = [models.Index(fields=["day", "player"], name="daily_player_activity_day")]

    def __str__(self) -> str:
        return f"{self.day} player {self.player_id}"


class DailyPlayerCurrency(models.Model):
    """One row per player active on a day in a currency (any integration or game): the smaller
    table the distinct-player counts read when no integration or game is chosen."""

    day = models.DateField()
    currency = models.ForeignKey("wallet.Currency", on_delete=models.PROTECT, related_name="+")
    player = models.ForeignKey("wallet.Player", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "currency", "player"], name="daily_player_currency_key")]

    def __str__(self) -> str:
        return f"{self.day} {self.currency_id} player {self.player_id}"


class PlayerFirstPlay(models.Model):
    """The UTC day of a player's first game transfer: "new" on that day, "returning" after."""

    player = models.OneToOneField("wallet.Player", primary_key=True, on_delete=models.PROTECT,
                                  related_name="report_first_play")
    first_day = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"player {self.player_id} since {self.first_day}"


class DailyCallStat(models.Model):
    """Provider calls per UTC day × provider × integration × endpoint × direction × latency bucket.

    `latency_bucket_ms` is the upper bound of the call's duration bucket (reports.aggregation
    LATENCY_BUCKETS_MS); percentiles are read from the cumulative counts. `integration_id` is a
    plain number (0: no integration) so that the unique key also holds for calls without one.
    """

    day = models.DateField()
    provider = models.CharField(max_length=16)
    integration_id = models.BigIntegerField(default=0)
    endpoint = models.CharField(max_length=64)
    direction = models.CharField(max_length=3)
    latency_bucket_ms = models.FloatField()  # timing only, never money
    calls = models.BigIntegerField(default=0)
    errors = models.BigIntegerField(default=0)  # the provider's errors: calls refused before authentication left out
    unauthenticated = models.BigIntegerField(default=0, db_default=0)  # calls refused before authentication (also in `calls`)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "provider", "integration_id", "endpoint", "direction", "latency_bucket_ms"],
                name="daily_call_stat_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.provider} {self.endpoint} ≤{self.latency_bucket_ms}ms"


class AggregateCursor(models.Model):
    """High-water mark of one source table: every row with an id up to it is counted."""

    source = models.CharField(max_length=32, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source} up to {self.last_id}"


class PendingSourceId(models.Model):
    """An id below a high-water mark that was not visible when the mark passed it.

    A transaction that took a lower id may commit after a higher one: its row is looked for
    again on the next refreshes (and forgotten after a while: then it was rolled back).
    """

    source = models.CharField(max_length=32)
    source_id = models.BigIntegerField()
    noticed_at = models.DateTimeField()
    # Still missing after PENDING_TTL: no longer looked for on every refresh, only by the periodic
    # catch-up (reports.aggregates_catch_up) until LATE_TTL, so a very late commit is still counted.
    late = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "source_id"], name="pending_source_id_key")]

    def __str__(self) -> str:
        return f"{self.source} {self.source_id}"


class DailyAccountTotal(models.Model):
    """What one shared (system) account was debited and credited per UTC day, in ledger units.

    System accounts keep no balance column (a row every callback updates would serialise them):
    their balance is these sums plus the transfers not counted yet (reports.selectors
    system_account_balances), so the admin never sums an account's whole history."""

    day = models.DateField()
    account = models.ForeignKey("wallet.Account", on_delete=models.PROTECT, related_name="+")
    debits = models.BigIntegerField(default=0)
    credits = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "day"], name="daily_account_total_key")]

    def __str__(self) -> str:
        return f"{self.day} account {self.account_id}"


class RebuildProgress(models.Model):
    """A `reports_rebuild` run per source: where it is, so an interrupted run resumes there.

    Ids in (next_id, upper_id] with created_at on or after `since` are still to be counted;
    `upper_id` is the refresh's mark when the rebuild began (the refresh counts what lies above)."""

    source = models.CharField(max_length=32, primary_key=True)
    since = models.DateField(null=True, blank=True)  # None: everything
    next_id = models.BigIntegerField(default=0)
    upper_id = models.BigIntegerField(default=0)
    # The refresh's mark before the rebuild moved it to upper_id: rows above it were never counted,
    # so they are recounted whatever their day.
    mark_before = models.BigIntegerField(default=0)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"rebuild {self.source} at {self.next_id} of {self.upper_id}"
