"""The lobby's catalogue writes that callers outside the lobby use (issue 23: Game rows are written by
the lobby only): a game a provider reports play on inside a lobby session, and provider-wide rows."""

import pytest
from django.utils import timezone

from lobby.integrations import game_discovered
from lobby.models import Game
from lobby.reference import reference_game_upsert

pytestmark = pytest.mark.django_db


def test_a_discovered_game_joins_the_integrations_catalogue_disabled(onegaming):
    now = timezone.now()
    game = game_discovered(integration=onegaming, game_id="401-x", name="AsiaGaming game 401-x", category="LIVECASINO",
                           brand="AsiaGaming", now=now)
    stored = Game.objects.get(integration=onegaming, game_id="401-x")
    assert stored.pk == game.pk
    assert (stored.provider, stored.name, stored.category, stored.brand) == (
        onegaming.provider, "AsiaGaming game 401-x", "LIVECASINO", "AsiaGaming")
    assert stored.enabled is False and stored.discovered_at == now


def test_a_game_discovered_again_is_left_as_staff_left_it(onegaming):
    first = timezone.now()
    game = game_discovered(integration=onegaming, game_id="401-x", name="first", category="", brand="", now=first)
    Game.objects.filter(pk=game.pk).update(enabled=True, name="Baccarat 7")
    again = game_discovered(integration=onegaming, game_id="401-x", name="second", category="", brand="",
                            now=timezone.now())
    assert again.pk == game.pk
    stored = Game.objects.get(pk=game.pk)
    assert (stored.enabled, stored.name, stored.discovered_at) == (True, "Baccarat 7", first)
    assert Game.objects.filter(game_id="401-x").count() == 1


def test_a_discovered_games_name_is_cut_to_what_the_catalogue_holds(onegaming):
    game = game_discovered(integration=onegaming, game_id="g", name="n" * 150, category="", brand="",
                           now=timezone.now())
    assert Game.objects.get(pk=game.pk).name == "n" * 100


def test_a_provider_wide_row_is_created_then_updated(onegaming):
    created = reference_game_upsert(onegaming.provider, "zz-1", {"name": "One", "enabled": True})
    assert created.integration_id is None and created.provider == onegaming.provider
    updated = reference_game_upsert(onegaming.provider, "zz-1", {"name": "One renamed", "enabled": False})
    assert updated.pk == created.pk
    assert Game.objects.filter(game_id="zz-1").values_list("name", "enabled").get() == ("One renamed", False)


def test_keep_existing_only_adds_a_missing_provider_wide_row(onegaming):
    reference_game_upsert(onegaming.provider, "zz-1", {"name": "One"})
    kept = reference_game_upsert(onegaming.provider, "zz-1", {"name": "Other"}, keep_existing=True)
    assert kept.name == "One" and Game.objects.get(game_id="zz-1").name == "One"
    added = reference_game_upsert(onegaming.provider, "zz-2", {"name": "Two"}, keep_existing=True)
    assert Game.objects.get(pk=added.pk, integration=None).name == "Two"
