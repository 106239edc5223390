"""How the admin shows values that open a wallet or a player's lobby: never in full."""

from __future__ import annotations

from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from core.registry import masked_query_params

# Query parameters of a launch URL that carry a live token, whatever the provider; each provider's
# registration adds its own (its token's name, a check code derived from it).
GENERIC_SECRET_QUERY_PARAMS = frozenset({"token", "session", "session_id", "sessionid"})
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
    secret_params = masked_query_params(GENERIC_SECRET_QUERY_PARAMS)
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    secrets = [value for name, value in query if name.lower() in secret_params and value]
    masked_query = "&".join(
        f"{quote(name)}={mask(value) if name.lower() in secret_params else quote(value)}" for name, value in query
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
