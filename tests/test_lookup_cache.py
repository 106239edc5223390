"""providers.lookups: the per-process cache of integrations and games that seamless callbacks read."""

from __future__ import annotations

import pytest
from django.test import override_settings

from lobby.integrations import integration_upsert
from lobby.models import Game
from providers import lookups


@pytest.fixture(autouse=True)
def _empty_cache():
    lookups.clear()
    yield
    lookups.clear()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_off_by_default_under_pytest_loads_every_time():
    calls = []
    for _ in range(3):
        lookups.cached(("k",), lambda: calls.append(1) or len(calls))
    assert len(calls) == 3


@override_settings(CALLBACK_LOOKUP_CACHE_SECONDS=1.0)
def test_value_kept_for_the_ttl_then_loaded_again():
    clock, calls = Clock(), []

    def load():
        calls.append(1)
        return len(calls)

    assert lookups.cached(("k",), load, clock=clock) == 1
    clock.now += 0.5
    assert lookups.cached(("k",), load, clock=clock) == 1
    clock.now += 0.6  # past the TTL
    assert lookups.cached(("k",), load, clock=clock) == 2


@override_settings(CALLBACK_LOOKUP_CACHE_SECONDS=60.0)
def test_unknown_keys_never_grow_the_cache_past_its_bound():
    for i in range(lookups.MAX_ENTRIES + 10):
        lookups.cached(("unknown", i), lambda: None)
    assert len(lookups._entries) <= lookups.MAX_ENTRIES


@pytest.mark.django_db
@override_settings(CALLBACK_LOOKUP_CACHE_SECONDS=60.0)
def test_saving_a_game_or_integration_clears_the_cache_at_once():
    integration, _ = integration_upsert(provider="onegaming", code="c1", agent_code="AG", secret="s")
    game = Game.objects.create(provider="onegaming", game_id="lookup-1", name="g", enabled=True)
    assert lookups.game_of(integration, "lookup-1").enabled is True
    game.enabled = False
    game.save()
    assert lookups.game_of(integration, "lookup-1").enabled is False

    def load():
        return type(integration).objects.get(pk=integration.pk)

    assert lookups.integration_by("onegaming", load, agent_code="AG").enabled is True
    integration.enabled = False
    integration.save()
    assert lookups.integration_by("onegaming", load, agent_code="AG").enabled is False
    game.delete()
    assert lookups.game_of(integration, "lookup-1") is None
