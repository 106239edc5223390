"""Writing the status-code history: one INSERT per call, after the money transaction."""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.utils import timezone

from .models import CallLog, Direction
from .observability import call_observe

logger = logging.getLogger(__name__)

# Keys whose values never reach the history (compared in lower case).
SECRET_KEYS = frozenset({"secret", "secret_key", "password", "x-signature", "ug-data-signature", "bcode", "token", "l_token"})
MAX_BODY_CHARS = 8000


def redact(body: object) -> str:
    """Text of a request or answer body with secrets replaced, cut to a sane length, and always
    storable (no NUL, no lone surrogate), whatever a caller sent."""
    if isinstance(body, (bytes, bytearray)):
        try:
            body = json.loads(body)
        except (ValueError, RecursionError):
            return _storable(bytes(body[:MAX_BODY_CHARS]).decode("utf-8", "replace"))
    try:
        text = json.dumps(_redact(body), ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # nested too deep to walk: store a marker instead
        text = '"<body not storable: nested too deep>"'
    return _storable(text[:MAX_BODY_CHARS])


def _storable(text: str) -> str:
    """PostgreSQL text takes neither NUL nor lone surrogates: replace them visibly."""
    return text.replace("\x00", "\\u0000").encode("utf-8", "replace").decode("utf-8")


def _redact(value):
    if isinstance(value, dict):
        return {k: ("***" if str(k).lower() in SECRET_KEYS else _redact(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


@dataclass
class CallRecord:
    """Filled in while a call is handled; written once at the end."""

    provider: str
    endpoint: str
    direction: str = Direction.INBOUND
    integration_id: int | None = None
    player_external_id: str = ""
    txn_id: str = ""
    request_id: str = ""
    status_code: str = ""
    http_status: int = 200
    caller_ip: str | None = None
    session_unknown: bool = False
    request_body: object = None
    response_body: object = None
    started: float = field(default_factory=time.perf_counter)


def call_log_write(record: CallRecord) -> None:
    """Insert the history row and count the call; a failure here is logged and never fails the call."""
    seconds = time.perf_counter() - record.started
    try:
        call_observe(provider=record.provider, direction=record.direction, endpoint=record.endpoint[:64],
                     status=record.status_code[:64] or "NONE", seconds=seconds)
    except Exception:
        logger.exception("could not count the call %s %s", record.provider, record.endpoint)
    try:
        CallLog.objects.create(
            created_at=timezone.now(),
            provider=record.provider,
            integration_id=record.integration_id,
            direction=record.direction,
            endpoint=record.endpoint[:64],
            player_external_id=str(record.player_external_id or "")[:64],
            txn_id=str(record.txn_id or "")[:128],
            request_id=str(record.request_id or "")[:128],
            status_code=record.status_code[:64],
            http_status=record.http_status,
            duration_ms=round(seconds * 1000, 3),
            caller_ip=record.caller_ip or None,
            session_unknown=bool(record.session_unknown),
            request_body=redact(record.request_body) if record.request_body is not None else "",
            response_body=redact(record.response_body) if record.response_body is not None else "",
        )
    except Exception:  # the history must never turn a settled call into an error
        logger.exception("could not write the call history for %s %s", record.provider, record.endpoint)


@contextmanager
def call_logged(record: CallRecord):
    """Time a call and write its history row when the block ends, whatever happens."""
    try:
        yield record
    finally:
        call_log_write(record)


def client_ip(request) -> str | None:
    """The caller's IP as the web server saw it (a proxy in front must set REMOTE_ADDR right)."""
    return request.META.get("REMOTE_ADDR") or None
