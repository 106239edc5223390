"""Every write of a launch session, in one place: the provider packages open, validate and touch
sessions through these functions and never write LaunchSession themselves."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

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
