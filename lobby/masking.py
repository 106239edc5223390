"""How the admin shows values that open a wallet or a player's lobby: never in full."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

# Query parameters of a launch URL that carry a live token or the check code derived from it.
SECRET_QUERY_PARAMS = frozenset({"l_token", "token", "bcode", "sessionid", "session_id", "session"})
SHOWN_CHARS = 4


def mask(value: str | None) -> str:
    """The first few characters and an ellipsis; a value too short to show part of is all hidden."""
    value = value or ""
    if not value:
        return ""
    if len(value) < 3 * SHOWN_CHARS:
        return "…"
    return f"{value[:SHOWN_CHARS]}…"


def mask_url(url: str | None) -> str:
    """A launch URL with its token-like query values (and any path segment equal to one) masked."""
    if not url:
        return ""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    secrets = [value for name, value in query if name.lower() in SECRET_QUERY_PARAMS and value]
    masked_query = "&".join(
        f"{quote(name)}={mask(value) if name.lower() in SECRET_QUERY_PARAMS else quote(value)}" for name, value in query
    )
    path = parts.path
    for secret in secrets:
        path = path.replace(secret, mask(secret))
    return urlunsplit((parts.scheme, parts.netloc, path, masked_query, ""))


def mask_url_with_token(url: str | None, token: str | None) -> str:
    """mask_url, and the session's own token wherever else it appears (e.g. an Oppi play path)."""
    masked = mask_url(url)
    if token:
        masked = masked.replace(token, mask(token))
    return masked
