"""Writes of integration accounts and catalogue rows (commands and demo data use these)."""

from __future__ import annotations

import datetime as dt
import ipaddress

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import Integration, LaunchMethod, WalletMode
from core.registry import provider_names, registration_for, registrations

from .models import Game


class IntegrationError(ValueError):
    """Bad input for an integration or a game; the message is fit for ops staff."""


def _clean_ips(allowed_ips: str | None) -> str | None:
    if allowed_ips is None:
        return None
    ips = [ip.strip() for ip in allowed_ips.split(",") if ip.strip()]
    for ip in ips:
        try:
            ipaddress.ip_address(ip)
        except ValueError as exc:
            raise IntegrationError(f"not an IP address: {ip!r}") from exc
    return ",".join(ips)


def secret_set(integration: Integration, secret: str, *, by: str) -> None:
    """Put a new secret on the (unsaved) row and stamp when and by whom: all the admin ever shows."""
    integration.secret = secret
    integration.secret_set_at = timezone.now()
    integration.secret_set_by = (by or "")[:150]


def integration_upsert(*, provider: str, code: str, secret: str, mode: str = WalletMode.SEAMLESS,
                       agent_code: str = "", sub_agent: str = "", api_key: str = "", api_base_url: str | None = None,
                       allowed_ips: str | None = None, enabled: bool = True, name: str = "",
                       launch_method: str | None = None, extra: dict | None = None, set_by: str = "command",
                       **provider_settings) -> tuple[Integration, bool]:
    """Create or update an integration account by its code. Returns (integration, created).

    What each provider requires and allows is its registration's (`integration_errors`); the
    providers' own fields (their registrations' `integration_fields`) come by name, as keyword
    arguments or in `extra` (None: unchanged). `set_by` names who sets the secret (a username, or
    the command); it is recorded only when the secret is new or changes."""
    registration = registration_for(provider)
    if registration is None or not registration.accounts:
        names = ", ".join(provider_names())
        raise IntegrationError(f"unknown provider {provider!r} (choose from {names})")
    if mode not in WalletMode.values:
        raise IntegrationError(f"unknown mode {mode!r} (seamless or transfer)")
    if not secret:
        raise IntegrationError("a secret is required")
    if launch_method is not None and launch_method not in LaunchMethod.values:
        raise IntegrationError(f"unknown launch method {launch_method!r} ({', '.join(LaunchMethod.values)})")
    provider_values = {**provider_settings, **(extra or {})}
    known = {name for r in registrations(accounts_only=True) for name in r.integration_fields}
    unknown = sorted(set(provider_values) - known)
    if unknown:
        raise IntegrationError(f"no installed provider has the setting {', '.join(unknown)}")
    provider_values = {k: v.strip() if isinstance(v, str) else v for k, v in provider_values.items()}
    errors = registration.integration_errors({"mode": mode, "agent_code": agent_code, "sub_agent": sub_agent,
                                              "api_key": api_key, **provider_values}, secret=secret)
    if errors:
        raise IntegrationError("; ".join(errors))
    values = {"provider": provider, "mode": mode, "agent_code": agent_code, "sub_agent": sub_agent,
              "api_key": api_key, "enabled": enabled}
    if name:
        values["name"] = name
    if launch_method is not None:
        values["launch_method"] = launch_method
    values.update({key: value for key, value in provider_values.items() if value is not None})
    if api_base_url is not None:
        values["api_base_url"] = api_base_url.rstrip("/")
    ips = _clean_ips(allowed_ips)
    if ips is not None:
        values["allowed_ips"] = ips
    with transaction.atomic():
        integration = Integration.objects.select_for_update().filter(code=code).first()
        created = integration is None
        if created:
            integration = Integration(code=code)
        elif integration.provider != provider:
            raise IntegrationError(f"integration {code!r} belongs to {integration.provider}, not {provider}")
        for field_name, value in values.items():
            setattr(integration, field_name, value)
        if created or integration.secret != secret:
            secret_set(integration, secret, by=set_by)
        try:
            integration.full_clean()
        except ValidationError as exc:
            raise IntegrationError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from exc
        integration.save()
    return integration, created


def game_upsert(*, integration: Integration, game_id: str, name: str, category: str | None = None,
                brand: str | None = None, enabled: bool = True) -> tuple[Game, bool]:
    """Add or update a game in one integration's catalogue."""
    if not str(game_id).strip():
        raise IntegrationError("a game id is required")
    if not name.strip():
        raise IntegrationError("a game name is required")
    defaults: dict = {"name": name.strip(), "enabled": enabled, "provider": integration.provider}
    if category is not None:
        defaults["category"] = category.upper()
    if brand is not None:
        defaults["brand"] = brand
    game, created = Game.objects.update_or_create(integration=integration, game_id=str(game_id).strip(), defaults=defaults)
    return game, created


def game_discovered(*, integration: Integration, game_id: str, name: str, category: str, brand: str,
                    now: dt.datetime) -> Game:
    """Record a game the provider reported play on that the integration's catalogue lacks (inside a
    lobby session): disabled (not launchable until staff enable it) and marked discovered `now`.
    A row already there, discovered or not, is left as it is."""
    return Game.objects.get_or_create(
        integration=integration, game_id=game_id,
        defaults={"provider": integration.provider, "name": name[:100], "category": category, "brand": brand,
                  "enabled": False, "discovered_at": now})[0]
