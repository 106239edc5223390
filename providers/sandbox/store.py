"""The Oppi sandbox's sessions, kept in the cache (shared by workers when Redis is configured)."""

from __future__ import annotations

from django.core.cache import cache

TTL = 24 * 60 * 60
INDEX_KEY = "sandbox:oppi:sessions"
MAX_LISTED = 500


def _key(session_id: str) -> str:
    return f"sandbox:oppi:session:{session_id}"


def session_save(session_id: str, data: dict) -> None:
    cache.set(_key(session_id), data, TTL)
    index = [i for i in cache.get(INDEX_KEY, []) if i != session_id]
    cache.set(INDEX_KEY, [session_id, *index][:MAX_LISTED], TTL)


def session_get(session_id: str) -> dict | None:
    return cache.get(_key(session_id))


def sessions() -> list[dict]:
    """Newest first; sessions that have expired from the cache drop out."""
    found = (session_get(i) for i in cache.get(INDEX_KEY, []))
    return [s for s in found if s is not None]


# --- rounds: the sandbox's own record of each open bet (never the browser's word) --------------


def _round_key(provider: str, launch_token: str) -> str:
    return f"sandbox:{provider}:round:{launch_token}"


def round_open(provider: str, launch_token: str, data: dict) -> None:
    cache.set(_round_key(provider, launch_token), data, TTL)


def round_get(provider: str, launch_token: str) -> dict | None:
    return cache.get(_round_key(provider, launch_token))


def round_close(provider: str, launch_token: str) -> None:
    cache.delete(_round_key(provider, launch_token))


def _lobby_key(l_token: str) -> str:
    return f"sandbox:onegaming:lobby:{l_token}"


def onegaming_lobby_save(l_token: str, data: dict) -> None:
    """What igPokerValidation told the 1G sandbox lobby about this launch (player, currency)."""
    cache.set(_lobby_key(l_token), data, TTL)


def onegaming_lobby_get(l_token: str) -> dict | None:
    return cache.get(_lobby_key(l_token))
