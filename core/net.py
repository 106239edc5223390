"""The caller's address behind our own proxies: one rule for the providers' IP allowlists, the call
history, the metrics allowlist and the sign-in lockout."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def client_ip(request) -> str | None:
    """The caller's address: the socket peer, or, when that peer is a trusted proxy
    (settings.TRUSTED_PROXIES), the rightmost X-Forwarded-For hop that is not a trusted proxy.

    Hops left of the first untrusted one are whatever the client wrote and are never believed.
    Used by the providers' IP allowlists, the call history and the sign-in lockout."""
    peer = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    if peer is None or not networks or not _trusted(peer, networks):
        return peer
    nearest = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        hop = hop.strip()
        if not _parse_ip(hop):
            # A trusted proxy always appends a real address: garbage here was written by the client
            # side, so the last address a trusted proxy vouched for is the best we know.
            return nearest
        if not _trusted(hop, networks):
            return hop
        nearest = hop
    return nearest  # every hop is one of our proxies: the leftmost one is the caller


def _parse_ip(text: str):
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _trusted(address: str, networks) -> bool:
    ip = _parse_ip(address)
    return ip is not None and any(ip in network for network in networks)


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple:
    """TRUSTED_PROXIES as networks (a bare IP is a /32 or /128); a bad entry is a settings error."""
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc
