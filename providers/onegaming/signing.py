"""1G signatures (spec section 1): HMAC-SHA256, encoded as the integration says.

The seed names HMAC-SHA256 but not its encoding, so each integration has a `signature_encoding`
(lobby.models.SignatureEncoding): `hex` (the default) or `base64`, used for inbound callbacks,
outbound requests and the lobby `bcode` alike. What we send: lowercase hex, or standard base64
with padding. What we take: hex in either case; base64 in the standard or URL-safe alphabet,
padding optional. A received signature is decoded to its 32 bytes and compared with ours in
constant time, over the whole digest (a prefix, or anything that is not exactly 32 bytes, fails).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re

HEX = "hex"
BASE64 = "base64"
ENCODINGS = (HEX, BASE64)

_DIGEST_SIZE = hashlib.sha256().digest_size
_HEX_TEXT = re.compile(r"[0-9a-fA-F]{64}")
_BASE64_TEXT = re.compile(r"[A-Za-z0-9+/\-_]{43}=?")


def _digest(secret: str, message: bytes) -> bytes:
    return hmac.new(secret.encode(), message, hashlib.sha256).digest()


def _encoded(digest: bytes, encoding: str) -> str:
    if encoding == HEX:
        return digest.hex()
    if encoding == BASE64:
        return base64.b64encode(digest).decode("ascii")
    raise ValueError(f"unknown signature encoding {encoding!r}")


def _decoded(text: str | None, encoding: str) -> bytes | None:
    """The 32 digest bytes a received signature stands for, or None when it is not one."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    if encoding == HEX:
        return bytes.fromhex(text) if _HEX_TEXT.fullmatch(text) else None
    if encoding == BASE64:
        if not _BASE64_TEXT.fullmatch(text):
            return None
        try:
            digest = base64.b64decode(text.rstrip("=").replace("-", "+").replace("_", "/") + "=", validate=True)
        except (binascii.Error, ValueError):
            return None
        return digest if len(digest) == _DIGEST_SIZE else None
    raise ValueError(f"unknown signature encoding {encoding!r}")


def _matches(expected: bytes, received_text: str | None, encoding: str) -> bool:
    """Whether a received text is exactly our digest; the bytes are compared in constant time
    (a malformed text fails before, which tells nothing about the secret)."""
    received = _decoded(received_text, encoding)
    return received is not None and hmac.compare_digest(expected, received)


def sign(secret: str, body: bytes, encoding: str = HEX) -> str:
    """`UG-Data-Signature` of a request: HMAC-SHA256(secret_key, exact body bytes), encoded."""
    return _encoded(_digest(secret, body), encoding)


def signature_valid(secret: str, body: bytes, signature: str | None, encoding: str = HEX) -> bool:
    """Constant-time check of a received `UG-Data-Signature` over the raw body."""
    return _matches(_digest(secret, body), signature, encoding)


def _bcode_message(agent_code: str, player_id: str, username: str) -> bytes:
    return f"{agent_code}{player_id}{username}".encode()


def bcode(secret: str, agent_code: str, player_id: str, username: str, encoding: str = HEX) -> str:
    """Lobby `bcode`: HMAC-SHA256(secret_key, agent_code + player_id + username), encoded."""
    return _encoded(_digest(secret, _bcode_message(agent_code, player_id, username)), encoding)


def bcode_valid(secret: str, agent_code: str, player_id: str, username: str, received: str | None,
                encoding: str | None = None) -> bool:
    """Constant-time check of a received `bcode`: in `encoding`, or (None) in whichever of hex
    (64 characters, either case) and base64 (43-44 characters) its shape says; whole digest."""
    expected = _digest(secret, _bcode_message(agent_code, player_id, username))
    if encoding is not None:
        return _matches(expected, received, encoding)
    shaped = HEX if isinstance(received, str) and _HEX_TEXT.fullmatch(received.strip()) else BASE64
    return _matches(expected, received, shaped)
