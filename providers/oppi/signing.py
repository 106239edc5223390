"""Oppi signatures (spec section 0): HMAC-SHA256(secret, body + "|" + x-timestamp), hex."""

import hashlib
import hmac
import json


def canonical_body(payload: object) -> bytes:
    """The exact bytes we send and sign: compact JSON, UTF-8, ensure_ascii=False."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def sign(secret: str, body: bytes | str, timestamp_ms: int | str) -> str:
    """`x-signature` for a body (empty string when there is none) and its `x-timestamp`."""
    raw = body if isinstance(body, bytes) else body.encode()
    return hmac.new(secret.encode(), raw + b"|" + str(timestamp_ms).encode(), hashlib.sha256).hexdigest()


def signature_valid(secret: str, body: bytes, timestamp_ms: str, signature: str | None, *,
                    any_case: bool = True) -> bool:
    """Constant-time check of a received `x-signature` over the raw body bytes (hex in any case
    unless `any_case` is False)."""
    # A header can carry any latin-1 text; compare_digest refuses non-ASCII str, and no such
    # text is a hex digest anyway.
    if not signature or not signature.isascii():
        return False
    received = signature.strip()
    return hmac.compare_digest(sign(secret, body, timestamp_ms), received.lower() if any_case else received)
