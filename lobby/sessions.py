"""Every write of a launch session, in one place: the provider packages open, validate and touch
sessions through these functions and never write LaunchSession themselves. Also the launch
session's part of a money call's read before the wallet lock (session_read)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from wallet.reads import PLAYER_ID, ReadPart

from .adapters import LaunchRequest
from .models import Game, LaunchSession

_REQUESTED = object()


def session_open(request: LaunchRequest, *, token: str, now: dt.datetime, expires_at: dt.datetime,
                 game: Game | None | object = _REQUESTED, url: str = "") -> LaunchSession:
    """The launch session of `request` under the provider's `token` (the request's game unless the
    provider opens another, or none, e.g. its own lobby: pass `game`). An IntegrityError means the
    provider handed out a token this integration already holds."""
    return LaunchSession.objects.create(
        token=token, integration=request.integration, player=request.player,
        game=request.game if game is _REQUESTED else game, currency=request.wallet.currency, device=request.device,
        method=request.method, url=url[:1000], created_at=now, expires_at=expires_at)


def session_url_set(session: LaunchSession, url: str) -> None:
    session.url = url[:1000]
    session.save(update_fields=["url"])


def session_validated(session: LaunchSession, now: dt.datetime) -> None:
    """The provider checked the launch (a launch validation call): validated and seen now."""
    LaunchSession.objects.filter(pk=session.pk).update(validated_at=now, last_seen_at=now)


def session_touch(session: LaunchSession, now: dt.datetime, *, seen_before: dt.datetime) -> None:
    """Mark the session seen `now` unless it was seen at or after `seen_before` (one conditional
    UPDATE of the session's own row: whoever wins a race, the value only moves forward)."""
    LaunchSession.objects.filter(pk=session.pk).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=seen_before)
    ).update(last_seen_at=now)


# The columns of a launch session a money call's checks read (token, expiry, currency, touch).
_READ_FIELDS = ("id", "player_id", "currency_id", "created_at", "expires_at", "validated_at", "last_seen_at")
_READ_SQL = (f"SELECT {', '.join(_READ_FIELDS)} FROM {LaunchSession._meta.db_table} "
             f"WHERE integration_id = %s AND token = %s AND player_id = {PLAYER_ID} ORDER BY id LIMIT 1")


def session_read(integration_id: int, token: str, *, name: str = "session") -> ReadPart:
    """The launch session a money call names by `token`, if this integration issued it to the
    call's player, as a part of the wallet's read before the lock (wallet.reads.call_read): the
    provider passes it in, so the session is read in the same statement as the player and the
    earlier transaction. A token of another player's session finds none."""
    return ReadPart(name=name, model=LaunchSession, fields=_READ_FIELDS, sql=_READ_SQL, params=(integration_id, token))
