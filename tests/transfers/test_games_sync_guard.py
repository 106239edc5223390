"""Issue 22 point 4: `games_sync` never disables the catalogue on a wrong-looking list.

Spec section 4 (revised 2026-12-06): "`games_sync` never disables the catalogue on an empty or
malformed list, or beyond a set share of the enabled games, without `--force`."
"""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lobby.models import Game

pytestmark = pytest.mark.django_db(transaction=True)

FIVE = [{"game_id": str(n), "category": "SLOT", "brand": "GamePlay", "type": "list", "name": f"G{n}"}
        for n in (301, 302, 303, 304, 305)]


def sync(*args) -> dict:
    out = io.StringIO()
    call_command("games_sync", "og-transfer", *args, stdout=out)
    return json.loads(out.getvalue())


def enabled(integration) -> set[str]:
    return set(Game.objects.filter(integration=integration, enabled=True).values_list("game_id", flat=True))


@pytest.fixture
def catalogue(fake_1g, transfer_1g):
    fake_1g.games[:] = [dict(row) for row in FIVE]
    assert sync()["added"] == 5
    return transfer_1g


@pytest.mark.parametrize("games, why", [
    ([], "empty game list"),
    ([{"category": "SLOT", "brand": "X", "type": "list", "name": "no id"}] + FIVE, "without a game_id"),
    ([{"game_id": "", "name": "blank id"}] + FIVE, "without a game_id"),
    (["301"] + FIVE, "without a game_id"),
])
def test_an_empty_or_malformed_list_changes_nothing_and_says_why(fake_1g, catalogue, games, why):
    fake_1g.games[:] = games
    with pytest.raises(CommandError, match=why) as refused:
        sync()
    assert "--force" in str(refused.value)
    assert enabled(catalogue) == {"301", "302", "303", "304", "305"}


def test_a_list_disabling_more_than_the_share_changes_nothing_unless_forced(fake_1g, catalogue, settings):
    settings.GAMES_SYNC_MAX_DISABLE_SHARE = 0.4
    fake_1g.games[:] = [dict(row) for row in FIVE[:2]]  # would disable 3 of 5 = 60 %
    with pytest.raises(CommandError, match="disable 3 of 5 enabled games"):
        sync()
    assert len(enabled(catalogue)) == 5

    fake_1g.games[:] = [dict(row) for row in FIVE[:3]]  # 2 of 5 = 40 %: not more than the share
    assert sync()["disabled"] == 2

    fake_1g.games[:] = []
    figures = sync("--force")
    assert figures["disabled"] == 3 and figures["forced"] is True
    assert enabled(catalogue) == set()
