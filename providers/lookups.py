"""Per-process cache of what every seamless callback reads and staff rarely change: the calling
integration (by agent code or API key) and the games of the catalogue.

Each worker keeps its own copy for at most settings.CALLBACK_LOOKUP_CACHE_SECONDS (default 1 s;
0 turns the cache off, as under pytest). A save or delete of an Integration or Game clears the
copy of the process that made it at once (signals, connected in ProvidersConfig.ready); other
gunicorn workers see the change within the TTL. Under load this saves two SELECTs per callback
(one of them the catalogue's two-row ordered lookup) at the cost of at most one second before a
disabled integration or game is refused by every worker.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings

from core.models import Integration
from lobby.models import Game
from lobby.selectors import game_for_integration

MAX_ENTRIES = 4096  # hostile callers can send any number of unknown keys: never grow past this
_entries: dict[tuple, tuple[float, Any]] = {}


def _ttl() -> float:
    return float(getattr(settings, "CALLBACK_LOOKUP_CACHE_SECONDS", 0) or 0)


def cached(key: tuple, load: Callable[[], Any], *, clock: Callable[[], float] = time.monotonic) -> Any:
    """`load()`, or its value from less than the TTL ago in this process (None is cached too)."""
    ttl = _ttl()
    if ttl <= 0:
        return load()
    now = clock()
    hit = _entries.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = load()
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (now + ttl, value)
    return value


def clear(**_signal_kwargs) -> None:
    """Forget everything (a saved or deleted Integration or Game: cheap, and rare)."""
    _entries.clear()


def integration_by(provider: str, load: Callable[[], Integration | None], **lookup: str) -> Integration | None:
    return cached(("integration", provider, *sorted(lookup.items())), load)


def game_of(integration: Integration, game_id: str) -> Game | None:
    """lobby.selectors.game_for_integration through the cache."""
    return cached(("game", integration.pk, str(game_id)),
                  lambda: game_for_integration(integration=integration, game_id=game_id))
