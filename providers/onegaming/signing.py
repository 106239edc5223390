"""1G signatures (spec section 1): HMAC-SHA256 in lowercase hex."""

import hashlib
import hmac


def sign(secret: str, body: bytes) -> str:
    """`UG-Data-Signature` of a request: HMAC-SHA256(secret_key, exact body bytes), hex."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, signature: str | None) -> bool:
    """Constant-time check of a received `UG-Data-Signature` over the raw body."""
    if not signature:
        return False
    # Bytes, not str: compare_digest refuses str with non-ASCII characters (a garbled header).
    received = signature.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(sign(secret, body).encode(), received)


def bcode(secret: str, agent_code: str, player_id: str, username: str) -> str:
    """Lobby `bcode`: HMAC-SHA256(secret_key, agent_code + player_id + username), hex."""
    return hmac.new(secret.encode(), f"{agent_code}{player_id}{username}".encode(), hashlib.sha256).hexdigest()
