"""The game catalogue and launch sessions (provider accounts are core.models.Integration)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from core.models import Integration, LaunchMethod
from core.registry import provider_choices


class Device(models.TextChoices):
    DESKTOP = "desktop"
    MOBILE = "mobile"


class Game(models.Model):
    """A game in a provider's catalogue.

    Rows without an integration are the provider-wide catalogue (each provider's reference list,
    loaded by a migration); rows with one belong to that integration's catalogue and take
    precedence over a provider-wide row with the same game id (see
    lobby.selectors.game_for_integration).
    """

    provider = models.CharField(max_length=16, choices=provider_choices)
    integration = models.ForeignKey(Integration, null=True, blank=True, on_delete=models.CASCADE, related_name="games")
    game_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=32, blank=True)
    brand = models.CharField(max_length=64, blank=True)
    game_type = models.CharField("type", max_length=16, blank=True, help_text="The provider's kind of entry (e.g. lobby or list)")
    product = models.CharField(
        max_length=64, blank=True, db_index=True,
        help_text="The game id of the product (a 'list' entry) this game belongs to; empty for a product.",
    )
    enabled = models.BooleanField(default=True)
    sort_order = models.IntegerField(default=0)
    discovered_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Set when the provider reported play on this game inside a lobby before it was in our catalogue. "
                  "Not launchable until enabled; bets on it inside lobby sessions are accepted meanwhile.",
    )

    class Meta:
        ordering = ["category", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "game_id"], condition=Q(integration__isnull=True), name="game_unique_in_provider"
            ),
            models.UniqueConstraint(
                fields=["integration", "game_id"],
                condition=Q(integration__isnull=False),
                name="game_unique_in_integration",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.game_id})"


class LaunchSession(models.Model):
    """A player's launch of a provider: its launch token or session id."""

    token = models.CharField(max_length=128)
    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="launches")
    player = models.ForeignKey("wallet.Player", on_delete=models.PROTECT, related_name="launches")
    game = models.ForeignKey(Game, null=True, blank=True, on_delete=models.SET_NULL)
    currency = models.ForeignKey("wallet.Currency", null=True, blank=True, on_delete=models.PROTECT)
    device = models.CharField(max_length=8, choices=Device.choices, default=Device.DESKTOP)
    method = models.CharField(max_length=16, choices=LaunchMethod.choices, default=LaunchMethod.IFRAME)
    url = models.URLField(max_length=1000, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    validated_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # Granted explicitly only (no role has it by default): see lobby.masking.credentials_visible.
        permissions = [("view_live_credentials", "Can see live launch credentials (tokens, launch URLs) in full")]
        constraints = [models.UniqueConstraint(fields=["integration", "token"], name="launch_token_unique")]
        indexes = [
            models.Index(fields=["player", "-created_at"], name="launch_player_recent"),
            # A provider's launch validation finds a launch by its token alone.
            models.Index(fields=["token"], name="launch_token"),
        ]

    def __str__(self) -> str:
        # Never the token: this text is the admin's page title and breadcrumb, and the token
        # opens the lobby as the player.
        return f"Launch #{self.pk}"


class SyncedGame(models.Model):
    """What the games sync (lobby/games_sync.py) knows of a catalogue row: when the provider last listed it, and whether the
    sync (not a person) disabled it, so only the sync's own disabling is undone."""

    game = models.OneToOneField(Game, on_delete=models.CASCADE, related_name="sync_state")
    last_seen_at = models.DateTimeField(null=True, blank=True)
    removed_by_sync = models.BooleanField(default=False)

    class Meta:
        db_table = "transfers_syncedgame"  # moved from the transfers app with its table

    def __str__(self) -> str:
        return f"{self.game_id} {'removed' if self.removed_by_sync else 'listed'}"
