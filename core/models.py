"""Integration accounts: one per provider contract, every layer's way to name a provider account.

The table keeps its first name (lobby_integration): the model moved here from the lobby without
copying data (see migrations/0001_integration.py)."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from .registry import provider_choices


class WalletMode(models.TextChoices):
    SEAMLESS = "seamless"
    TRANSFER = "transfer"


class LaunchMethod(models.TextChoices):
    IFRAME = "iframe", "In a frame"
    REDIRECT = "redirect", "Redirect"
    NEW_TAB = "new_tab", "New tab"


class SignatureEncoding(models.TextChoices):
    """How a provider's HMAC-SHA256 signatures are written on the wire (a provider setting)."""

    HEX = "hex", "Hex (either case inbound)"
    BASE64 = "base64", "Base64"


def time_zone_validate(value: str) -> None:
    """A real IANA zone name (`UTC`, `Asia/Jakarta`), as zoneinfo knows it."""
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationError(f"{value!r} is not a time zone name (e.g. UTC, Asia/Jakarta)") from None


class Integration(models.Model):
    """One account with one provider: its keys, where it lives and how it settles."""

    provider = models.CharField(max_length=16, choices=provider_choices)
    code = models.SlugField(max_length=32, unique=True, help_text="Our name for this account, used in commands.")
    name = models.CharField(max_length=100, blank=True)
    mode = models.CharField(max_length=16, choices=WalletMode.choices, default=WalletMode.SEAMLESS)
    # A provider names us by agent code (and optional sub-agent) or by API key: its registration's
    # identity_field.
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
    # Provider settings: the columns below are used by the providers whose registration lists them
    # in `integration_fields`; each such registration gives the label and help text staff read
    # (`field_texts`, shown by the admin), so the words here stay generic.
    signature_encoding = models.CharField(
        max_length=8, choices=SignatureEncoding.choices, default=SignatureEncoding.HEX,
        help_text="Provider setting: how the provider's signatures are written, inbound and outbound.",
    )
    time_zone = models.CharField(
        max_length=64, default="UTC", validators=[time_zone_validate],
        help_text="Provider setting: the zone of a callback time sent without one (IANA name, e.g. Asia/Jakarta).",
    )
    accept_unknown_bet_sessions = models.BooleanField(
        "accept unknown sessions for bets", default=False,
        help_text="Provider setting: a bet naming a session we did not open is accepted for a known player (the "
                  "call history flags it). Off: refused.",
    )
    accept_bets_in_other_currency = models.BooleanField(
        "accept bets in another currency than the launch's", default=False,
        help_text="Provider setting: a bet whose currency is not its launch session's is taken from the player's "
                  "wallet in the bet's currency. Off: refused.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "lobby_integration"
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
