"""Launch sessions are written through lobby.sessions only (issue 23): the provider packages open,
validate and touch them there (tests/architecture/test_lobby_writes.py guards it), and read a
money call's session as the lobby's part of the wallet's read before the lock."""

import datetime as dt

import pytest
from django.utils import timezone

from lobby.models import LaunchSession
from lobby.sessions import session_read, session_touch, session_validated
from tests.factories import PlayerFactory
from wallet.reads import call_read


@pytest.fixture
def session(onegaming, rich_player):
    now = timezone.now()
    return LaunchSession.objects.create(token="t-1", integration=onegaming, player=rich_player, created_at=now,
                                        expires_at=now + dt.timedelta(minutes=15))


@pytest.mark.django_db
def test_a_touch_moves_last_seen_forward_only_when_it_is_older_than_asked(session):
    first = timezone.now()
    session_touch(session, first, seen_before=first)
    session.refresh_from_db()
    assert session.last_seen_at == first
    later = first + dt.timedelta(seconds=30)
    session_touch(session, later, seen_before=first)  # seen at `first`, not before it: unchanged
    session.refresh_from_db()
    assert session.last_seen_at == first
    session_touch(session, later, seen_before=later)
    session.refresh_from_db()
    assert session.last_seen_at == later
    session_touch(session, first, seen_before=first)  # an older moment never moves it back
    session.refresh_from_db()
    assert session.last_seen_at == later


@pytest.mark.django_db
def test_validation_marks_the_session_validated_and_seen(session):
    now = timezone.now()
    session_validated(session, now)
    session.refresh_from_db()
    assert (session.validated_at, session.last_seen_at) == (now, now)


def _read(integration, player_external_id: str, token: str):
    return call_read(integration_id=integration.pk, player_external_id=player_external_id,
                     parts=(session_read(integration.pk, token),)).part("session")


@pytest.mark.django_db
def test_a_money_calls_session_is_the_one_this_integration_issued_to_this_player(session, onegaming, rich_player):
    found = _read(onegaming, rich_player.external_id, "t-1")
    assert found.pk == session.pk
    assert (found.player_id, found.created_at, found.expires_at) == (rich_player.pk, session.created_at,
                                                                     session.expires_at)


@pytest.mark.django_db
def test_a_token_never_issued_to_the_player_finds_no_session(session, onegaming, oppi, rich_player):
    PlayerFactory(external_id="P-2")
    assert _read(onegaming, "P-2", "t-1") is None  # another player's token
    assert _read(oppi, rich_player.external_id, "t-1") is None  # another integration's token
    assert _read(onegaming, rich_player.external_id, "t-2") is None  # never issued
    assert _read(onegaming, "nobody", "t-1") is None  # no such player
