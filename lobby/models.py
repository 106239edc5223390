"""Integration accounts (one per provider contract), the game catalogue and launch sessions."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Provider(models.TextChoices):
    ONEGAMING = "onegaming", "1Gaming"
    OPPI = "oppi", "Oppi Games"


class WalletMode(models.TextChoices):
    SEAMLESS = "seamless"
    TRANSFER = "transfer"


class LaunchMethod(models.TextChoices):
    IFRAME = "iframe", "In a frame"
    REDIRECT = "redirect", "Redirect"
    NEW_TAB = "new_tab", "New tab"


class SignatureEncoding(models.TextChoices):
    """How a 1G HMAC-SHA256 is written (UG-Data-Signature, bcode); see providers.onegaming.signing."""

    HEX = "hex", "Hex (either case inbound)"
    BASE64 = "base64", "Base64"


def time_zone_validate(value: str) -> None:
    """A real IANA zone name (`UTC`, `Asia/Jakarta`), as zoneinfo knows it."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(f"{value!r} is not a time zone name (e.g. UTC, Asia/Jakarta)") from None


class Device(models.TextChoices):
    DESKTOP = "desktop"
    MOBILE = "mobile"


class Integration(models.Model):
    """One account with one provider: its keys, where it lives and how it settles."""

    provider = models.CharField(max_length=16, choices=Provider.choices)
    code = models.SlugField(max_length=32, unique=True, help_text="Our name for this account, used in commands.")
    name = models.CharField(max_length=100, blank=True)
    mode = models.CharField(max_length=16, choices=WalletMode.choices, default=WalletMode.SEAMLESS)
    # 1G identifies the operator by agent code (and optional sub-agent); Oppi by API key.
    agent_code = models.CharField(max_length=50, blank=True)
    sub_agent = models.CharField(max_length=50, blank=True)
    api_key = models.CharField(max_length=100, blank=True)
    # Shared HMAC secret. Write-only for every user: the admin shows only when and by whom it was set.
    secret = models.CharField(max_length=200)
    secret_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    secret_set_by = models.CharField(max_length=150, blank=True, editable=False,
                                     help_text="Username of the staff member, or the command, that set it.")
    api_base_url = models.URLField(blank=True, help_text="The provider's base URL for calls we make.")
    allowed_ips = models.TextField(
        blank=True, help_text="Comma-separated caller IPs allowed for callbacks. Empty: any IP."
    )
    launch_method = models.CharField(max_length=16, choices=LaunchMethod.choices, default=LaunchMethod.IFRAME)
    # 1G: the seed leaves both open (spec "Parties and money" and section 1).
    signature_encoding = models.CharField(
        max_length=8, choices=SignatureEncoding.choices, default=SignatureEncoding.HEX,
        help_text="1G: encoding of UG-Data-Signature and bcode, inbound and outbound.",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[time_zone_validate],
        help_text="1G: the zone of a callback `datetime` sent without one (IANA name, e.g. Asia/Jakarta).",
    )
    # Oppi: accept a bet naming a sessionId we did not get from /game/url, for a known player
    # (for the day the provider's wallet sessions prove to differ from /game/url's). Off: refused.
    accept_unknown_bet_sessions = models.BooleanField(
        "accept unknown sessions for bets", default=False,
        help_text="Oppi only. Bets naming a sessionId we did not get from /game/url are accepted for a known "
                  "player (the call history flags them). Off: refused with RS_ERROR_SESSION_REQUIRED_OR_INVALID.",
    )
    # 1G (ours): a bet in a currency other than its launch session's (the l_token's) is refused
    # with INVALID_CURRENCY unless this is on.
    accept_bets_in_other_currency = models.BooleanField(
        "accept bets in another currency than the launch's", default=False,
        help_text="1G only. Off: a bet whose currency is not its launch session's is refused with INVALID_CURRENCY. "
                  "On: it is taken from the player's wallet in the bet's currency.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "agent_code"], condition=~Q(agent_code=""), name="integration_unique_agent_code"
            ),
            models.UniqueConstraint(
                fields=["provider", "api_key"], condition=~Q(api_key=""), name="integration_unique_api_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_provider_display()}, {self.mode})"

    def allowed_ip_list(self) -> list[str]:
        return [ip.strip() for ip in self.allowed_ips.split(",") if ip.strip()]

    def ip_allowed(self, ip: str | None) -> bool:
        allowed = self.allowed_ip_list()
        return not allowed or (ip or "") in allowed


class Game(models.Model):
    """A game in a provider's catalogue.

    Rows without an integration are the provider-wide catalogue (the 1G seed list, loaded by a
    migration); rows with one belong to that integration's catalogue and take precedence over a
    provider-wide row with the same game id (see lobby.selectors.game_for_integration).
    """

    provider = models.CharField(max_length=16, choices=Provider.choices)
    integration = models.ForeignKey(Integration, null=True, blank=True, on_delete=models.CASCADE, related_name="games")
    game_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    category = models.CharField(max_length=32, blank=True)
    brand = models.CharField(max_length=64, blank=True)
    game_type = models.CharField("type", max_length=16, blank=True, help_text="1G: lobby or list")
    product = models.CharField(
        max_length=64, blank=True, db_index=True,
        help_text="1G: the game id of the 'list' product this game belongs to (e.g. 301); empty for a product.",
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
    """A player's launch of a provider: the 1G l_token or the Oppi sessionId."""

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
            # igPokerValidation finds a launch by its l_token alone (spec 2.3).
            models.Index(fields=["token"], name="launch_token"),
        ]

    def __str__(self) -> str:
        # Never the token: this text is the admin's page title and breadcrumb, and the token
        # opens the lobby as the player.
        return f"Launch #{self.pk}"
