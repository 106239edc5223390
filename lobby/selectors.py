"""Reads of integrations and the catalogue."""

from __future__ import annotations

from django.db.models import F, Q

from core.models import Integration

from .models import Game


def game_for_integration(*, integration: Integration, game_id: str) -> Game | None:
    """The integration's own row for a game id, else the provider-wide catalogue row."""
    return (
        Game.objects.filter(provider=integration.provider, game_id=str(game_id))
        .filter(Q(integration=integration) | Q(integration__isnull=True))
        .order_by(F("integration_id").asc(nulls_last=True))
        .first()
    )


def games_for_integration(*, integration: Integration, enabled_only: bool = True) -> list[Game]:
    """The catalogue an integration offers: its own rows override provider-wide ones."""
    rows = Game.objects.filter(provider=integration.provider).filter(
        Q(integration=integration) | Q(integration__isnull=True)
    )
    by_id: dict[str, Game] = {}
    for game in rows.order_by(F("integration_id").asc(nulls_first=True)):
        by_id[game.game_id] = game  # integration rows come last and win
    games = [g for g in by_id.values() if g.enabled or not enabled_only]
    return sorted(games, key=lambda g: (g.category, g.sort_order, g.name))
