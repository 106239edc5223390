"""Checking an Oppi wallet call before any business rule: headers, key, IP, clock, signature, body.

Each check answers the Oppi status of the first failure (spec section 2, in that order), or
lets the call through with its integration and parsed body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from core.models import Integration
from core.net import client_ip
from providers import lookups

from . import dialect
from .codes import Status
from .dialect import BOOLEAN, NUMBER, STRING, AmountRefused
from .registration import PROVIDER
from .signing import signature_valid


class Refused(Exception):
    """The call stops here with this status (and the integration, once it is known)."""

    def __init__(self, status: Status, integration: Integration | None = None):
        super().__init__(status.value)
        self.status = status
        self.integration = integration


def _known_integration(api_key: str) -> Integration | None:
    # A key with a NUL or control character is no key of ours (and PostgreSQL refuses NUL).
    if not api_key.isprintable() or len(api_key) > Integration._meta.get_field("api_key").max_length:
        return None
    return lookups.integration_by(PROVIDER, lambda: Integration.objects.filter(
        provider=PROVIDER, api_key=api_key).first(), api_key=api_key)


def _timestamp_in_window(timestamp: str) -> bool:
    # (ours) A timestamp that is not an integer count of milliseconds cannot be in the window.
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > dialect.TIMESTAMP_MAX_DIGITS:
        return False
    return abs(dialect.now_ms() - int(timestamp)) <= dialect.TIMESTAMP_WINDOW_MS


def verify(*, headers, raw_body: bytes | None, remote_ip: str | None) -> Integration:
    """The calling integration, or Refused with the first failing check's status.

    `raw_body` is None when the body was too large to read: after the header checks it is
    refused with dialect.BODY_TOO_LARGE_STATUS (ours), since no signature over it can be checked.
    """
    api_key = (headers.get(dialect.HEADER_API_KEY) or "").strip()
    timestamp = (headers.get(dialect.HEADER_TIMESTAMP) or "").strip()
    signature = (headers.get(dialect.HEADER_SIGNATURE) or "").strip()
    if not (api_key and timestamp and signature):
        raise Refused(Status.MISSING_HEADERS)
    integration = _known_integration(api_key)
    if integration is None:
        raise Refused(Status.INVALID_APIKEY)
    if not integration.enabled:
        raise Refused(Status.MERCHANT_NOT_ACTIVE, integration)
    if not integration.ip_allowed(remote_ip):
        raise Refused(Status.IP_RESTRICTION, integration)
    if not _timestamp_in_window(timestamp):
        raise Refused(Status.SIGNATURE_EXPIRED, integration)
    if raw_body is None:
        raise Refused(dialect.BODY_TOO_LARGE_STATUS, integration)
    if not signature_valid(integration.secret, raw_body, timestamp, signature, any_case=dialect.SIGNATURE_HEX_ANY_CASE):
        raise Refused(Status.SIGNATURE_NOT_MATCH, integration)
    return integration


def verify_request(request, raw_body: bytes | None) -> Integration:
    return verify(headers=request.headers, raw_body=raw_body, remote_ip=client_ip(request))


# --- body ------------------------------------------------------------------------------------


def _no_constants(name: str):
    raise ValueError(f"{name} is not JSON")


# Any integer literal longer than this is far beyond the ledger; it is read as this huge value
# (or its negative) so that Python's limit on converting long digit strings never trips.
_LONG_LITERAL_DIGITS = 40
_HUGE = 10**_LONG_LITERAL_DIGITS


def _parse_int(literal: str) -> int:
    if len(literal) > _LONG_LITERAL_DIGITS:
        return -_HUGE if literal.startswith("-") else _HUGE
    return int(literal)


def parse_json(raw: bytes) -> object:
    """The JSON value of a body; amounts with a fraction or exponent come back as Decimal."""
    try:
        return json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_int=_parse_int,
                          parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise Refused(Status.INCORRECT_DATA) from exc


_TYPE_CHECKS = {
    STRING: lambda v: isinstance(v, str),
    NUMBER: dialect.is_json_number,
    BOOLEAN: lambda v: isinstance(v, bool),
}


def _types_ok(body: dict, fields: dict) -> bool:
    return all(body.get(name) is None or _TYPE_CHECKS[kind](body[name]) for name, (kind, _) in fields.items())


def _present(value: object) -> bool:
    if value is None:
        return False
    return bool(value.strip()) if isinstance(value, str) else True


def _required_ok(body: dict, fields: dict) -> bool:
    """Required fields present and non-empty; every string field one we can store (ours)."""
    if not all(_present(body.get(name)) for name, (_, required) in fields.items() if required):
        return False
    return all(dialect.text_field_valid(name, body[name]) for name, (kind, _) in fields.items()
               if kind == STRING and isinstance(body.get(name), str))


@dataclass(frozen=True)
class Parsed:
    """Known fields only (extra fields are ignored), ids as sent, amounts in ledger units."""

    fields: dict
    units: dict


def _amounts(body: dict) -> dict[str, int]:
    units = {}
    for name in dialect.AMOUNT_FIELDS:
        if name in body:
            try:
                units[name] = dialect.amount_from_wire(body[name])
            except AmountRefused as refused:
                raise Refused(refused.status) from None
    return units


def parse_object(raw: bytes, fields: dict) -> Parsed:
    """Type check, then required fields, then amounts: the body checks of spec section 2."""
    body = parse_json(raw)
    if not isinstance(body, dict) or not _types_ok(body, fields):
        raise Refused(Status.INCORRECT_DATA)
    if not _required_ok(body, fields):
        raise Refused(Status.FIELD_REQUIRED_OR_INVALID)
    known = {name: body[name] for name in fields if body.get(name) is not None}
    return Parsed(known, _amounts(known))


def parse_rollback(raw: bytes) -> list[Parsed]:
    """`{"transactions": [item, …]}`: every item is checked before any is applied."""
    body = parse_json(raw)
    items = body.get("transactions") if isinstance(body, dict) else None
    if not isinstance(body, dict) or not isinstance(items, (list, type(None))):
        raise Refused(Status.INCORRECT_DATA)
    items = items or []
    fields = dialect.ROLLBACK_ITEM_FIELDS
    if not all(isinstance(item, dict) and _types_ok(item, fields) for item in items):
        raise Refused(Status.INCORRECT_DATA)
    if not items or not all(_required_ok(item, fields) for item in items):
        raise Refused(Status.FIELD_REQUIRED_OR_INVALID)
    return [Parsed({name: item[name] for name in fields if item.get(name) is not None}, {}) for item in items]
